"""Compliance statements: evaluation results rendered through Jinja2 templates.

Two steps, so that every template (ours or a user's) sees the same data:

1. :func:`statement_view` turns :class:`~slac.evaluation.results.Results` and the
   :class:`~slac.plan.types.Plan` into a *view*: plain dicts, lists, strings, ints and bools
   only, safe for ``json.dumps``. Every number a reader sees is already a string formatted in
   Python from ``Decimal`` (money in the currency's minor unit with the contract's rounding
   mode, percentages exactly), so templates never format numbers and nothing goes through a
   float. The view has no clock: the same results give the same view, byte for byte.
2. :func:`render_statement` renders a packaged template (``statement.md.j2``,
   ``statement.txt.j2``, ``statement.html.j2``); :func:`render_user_template` renders a user's
   own template in a sandbox, with its output size and run time bounded.

The view (``STATEMENT_VERSION`` 1)::

    statement_version  int
    contract           {id, title, version, timezone}
    parties            [{key, name, contacts: [{name, role, email}]}]
    provider, customer names
    periods_label      "2026-09 to 2026-11" (or one month)
    currency           "EUR" or ""
    total_credit       "EUR 1,320.00" (or "none")
    periods            [{period, terms_from, amendment, service_level, grade, judged, met,
                         objectives: [objective row], credits: {...},
                         escalations: [trigger], chronic_failures: [trigger]}]
    objectives         [{id, title, target, unit, responsible, chart: {...}}] (one per objective,
                         its measured values over the periods, for charts)
    responsibilities   [{id, party, text, objectives, exclusions}]
    escalations        [{period, id, detail, due, notify, action}] (triggered only)
    provenance         {slac_version, results_version, results_sha256, plan_sha256,
                         source_sha256, sources: [{role, sha256}],
                         inputs: [{dataset, rows, bad_rows, files: [{name, sha256}]}]}

An objective row: ``{id, title, scope, objective_period, status, status_label, reason,
target, measured, sample, min_sample, met, breached, open, exclusions: [{id, rows}],
excluded_rows, credit: {tier, tier_text, percent, amount} | None}``.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

import slac
from slac.contract.currencies import minor_units
from slac.evaluation.evaluate import results_json
from slac.evaluation.results import CreditLine, ObjectiveResult, PeriodResult, Results, Trigger
from slac.plan.types import Plan, Terms
from slac.wording import date_words, duration_words, number_words

STATEMENT_VERSION = 1
FORMATS = {
    "md": "statement.md.j2",
    "txt": "statement.txt.j2",
    "html": "statement.html.j2",
    "credit-note": "credit-note.md.j2",
}
MAX_OUTPUT = 10 * 1024 * 1024  # characters a user template may write
MAX_SECONDS = 10.0  # wall-clock time a user template may run
MAX_SEQUENCE = 1_000_000  # longest string or list a user template may build with * or range

ROUNDING = {
    "half-up": ROUND_HALF_UP,
    "half-even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
STATUS_LABELS = {
    "met": "Met",
    "breached": "Breached",
    "insufficient-data": "Insufficient data",
    "not-applicable": "Not applicable",
}
EARN_BACK = {
    "none": "not applicable",
    "pending": "pending (the credit may be earned back)",
    "waived": "waived (earned back by the provider)",
    "due": "due (not earned back)",
}
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


class TemplateProblem(Exception):
    """A template failed: ``message`` says why, ``template`` and ``line`` say where."""

    def __init__(self, message: str, template: str | None = None, line: int | None = None):
        self.message = message
        self.template = template
        self.line = line
        where = template or "<template>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------------
# Formatting (Decimal in, str out; never a float)
# --------------------------------------------------------------------------------------------


def format_amount(amount: Decimal, currency: str | None, *, mode: str = "half-up") -> str:
    """An amount in the currency's minor unit, thousands separated: ``2.675`` EUR → ``2.68``.

    Unknown or missing currencies keep two decimals. ``mode`` is the contract's rounding.
    """
    minor = minor_units(currency) if currency else None
    places = 2 if minor is None else minor
    exact = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING[mode])
    return format(exact, f",.{places}f")


def format_money(
    amount: Decimal, currency: str | None, *, mode: str = "half-up", locale: str = "en"
) -> str:
    """``EUR 1,320.00``; without a currency just the amount.

    The digits come from the pinned ISO 4217 table (Babel's CLDR data differs for some
    currencies), rounded by the contract's rule; Babel only lays the number out for the
    locale (grouping, decimal sign, the ISO code).
    """
    if not currency:
        return format_amount(amount, currency, mode=mode)
    from babel.numbers import format_currency

    minor = minor_units(currency)
    places = 2 if minor is None else minor
    exact = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING[mode])
    pattern = "¤¤\u00a0#,##0" + ("." + "0" * places if places else "")
    text: str = format_currency(
        exact, currency, format=pattern, locale=locale, currency_digits=False
    )
    return text.replace("\u00a0", " ")


def format_percent(ratio: Decimal, places: int = 2) -> str:
    """A ratio as a percentage with ``places`` decimals, exactly: ``0.868217…`` → ``86.82%``."""
    value = (ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return f"{value:f}%"


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_measured(measured: Decimal, unit: str, target: Decimal) -> str:
    """A measured value, precise enough never to read as the target when it is not."""
    if unit == "ratio":
        places = max(2, _places(target * 100) + 1)
        while places < 12:
            shown = (measured * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
            if measured == target or shown != target * 100:
                break
            places += 1
        return format_percent(measured, places)
    if unit == "seconds":
        whole = measured.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        if whole == target and measured != target:
            return f"{number_words(measured.quantize(Decimal('0.001')))} seconds"
        return duration_words(whole)
    shown = measured.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    if shown == target and measured != target:
        shown = measured.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    return number_words(shown)


def format_value(value: Decimal, unit: str) -> str:
    """A contract value (a target) as written: ``99.99%``, ``1 hour``, ``30``."""
    if unit == "ratio":
        return number_words(value * 100) + "%"
    if unit == "seconds":
        return duration_words(value)
    return number_words(value)


def format_target(op: str, value: Decimal, unit: str) -> str:
    return f"{SYMBOLS.get(op, op)} {format_value(value, unit)}"


def _scope(scope: Sequence[tuple[str, Any]]) -> str:
    return ", ".join(f"{field}: {value}" for field, value in scope)


def _timestamp(text: str | None) -> str:
    """``2026-10-31T00:00:00-04:00`` → ``31 October 2026 00:00 (UTC-04:00)``."""
    if not text:
        return ""
    day, _, rest = text.partition("T")
    if not rest:
        return date_words(day)
    clock, offset = rest[:5], rest[8:]
    zone = "UTC" if offset in ("Z", "+00:00") else f"UTC{offset}"
    return f"{date_words(day)} {clock} ({zone})"


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------


def statement_view(results: Results, plan: Plan) -> dict[str, Any]:
    """The statement's data: JSON-serialisable, deterministic, numbers formatted in Python."""
    currency = results.currency
    mode = plan.terms[-1].commercials.rounding.mode if plan.terms else "half-up"
    names = {party.key: party.name for party in plan.parties}
    terms_used = _terms_used(plan, results.periods)
    months = [p.period for p in results.periods]
    if not months:
        label = "no periods"
    elif len(months) == 1:
        label = months[0]
    else:
        label = f"{months[0]} to {months[-1]}"
    periods = [_period(p, currency, mode) for p in results.periods]
    escalations = [
        {"period": p.period, **_trigger(t)} for p in results.periods for t in p.escalations
    ]
    return {
        "statement_version": STATEMENT_VERSION,
        "contract": {
            "id": results.contract_id,
            "title": results.contract_title or results.contract_id,
            "version": results.contract_version,
            "timezone": results.timezone,
        },
        "parties": [
            {
                "key": party.key,
                "name": party.name,
                "contacts": [
                    {"name": c.name, "role": c.role or "", "email": c.email or ""}
                    for c in party.contacts
                ],
            }
            for party in plan.parties
        ],
        "provider": results.provider,
        "customer": results.customer,
        "periods_label": label,
        "currency": currency or "",
        "total_credit": format_money(results.total_credit, currency, mode=mode)
        if results.total_credit
        else "none",
        "periods": periods,
        "objectives": _objective_charts(results, terms_used, names),
        "responsibilities": _responsibilities(terms_used, names),
        "escalations": [e for e in escalations if e["triggered"]],
        "notes": list(results.notes),
        # Set only with --timestamp: statements carry no clock otherwise (determinism).
        "generated_at": None,
        "provenance": {
            "slac_version": results.slac_version,
            "results_version": results.results_version,
            "results_sha256": str(results_json(results)["results_sha256"]),
            "plan_sha256": results.plan_sha256,
            "source_sha256": results.source_sha256,
            "sources": [{"role": role, "sha256": sha} for role, sha in plan.source.files],
            "inputs": [
                {
                    "dataset": item.dataset,
                    "rows": item.rows,
                    "bad_rows": item.bad_rows,
                    "files": [{"name": f.name, "sha256": f.sha256} for f in item.files],
                }
                for item in results.inputs
            ],
            "bad_rows": results.bad_rows,
            "on_bad_rows": results.on_bad_rows,
        },
    }


def _terms_used(plan: Plan, periods: Sequence[PeriodResult]) -> list[Terms]:
    wanted = {p.terms_from for p in periods}
    used = [t for t in plan.terms if t.effective_from in wanted]
    return used or list(plan.terms[-1:])


def _period(p: PeriodResult, currency: str | None, mode: str) -> dict[str, Any]:
    def money(amount: Decimal | None) -> str:
        return "" if amount is None else format_money(amount, currency, mode=mode)

    return {
        "period": p.period,
        "terms_from": p.terms_from,
        "amendment": p.amendment or "",
        "service_level": "n/a" if p.service_level is None else format_percent(p.service_level),
        "grade": p.grade or "",
        "judged": p.judged,
        "met": p.met,
        "objectives": [_objective_row(o, currency, mode) for o in p.objectives],
        "credits": {
            "lines": [_credit_line(line, currency, mode) for line in p.credit_lines],
            "combine": p.combine,
            "combined": money(p.combined),
            "pool_at_risk": money(p.pool_at_risk),
            "pool_capped": p.pool_capped,
            "cap": money(p.cap),
            "cap_applied": p.cap_applied,
            "minimum": money(p.minimum),
            "minimum_applied": p.minimum_applied,
            "earn_back": p.earn_back,
            "earn_back_label": EARN_BACK.get(p.earn_back, p.earn_back),
            "credit": money(p.credit),
            "owed": p.credit > 0,
            "claim_deadline": _timestamp(p.claim_deadline),
        },
        "escalations": [_trigger(t) for t in p.escalations],
        "chronic_failures": [_trigger(t) for t in p.chronic_failure],
    }


def _objective_row(o: ObjectiveResult, currency: str | None, mode: str) -> dict[str, Any]:
    excluded = [{"id": e.exclusion, "rows": e.rows} for e in o.excluded]
    return {
        "id": o.objective,
        "title": o.title or o.objective,
        "scope": _scope(o.scope),
        "objective_period": o.period,
        "status": o.status,
        "status_label": STATUS_LABELS.get(o.status, o.status),
        "reason": o.reason,
        "target": format_target(o.target_op, o.target, o.unit),
        "measured": "–" if o.measured is None else format_measured(o.measured, o.unit, o.target),
        "sample": o.sample,
        "min_sample": o.min_sample,
        "met": o.met,
        "breached": o.breached,
        "open": o.open,
        "exclusions": excluded,
        "excluded_rows": sum(e.rows for e in o.excluded),
        "credit": None if o.credit is None else _credit_line(o.credit, currency, mode),
    }


def _credit_line(line: CreditLine, currency: str | None, mode: str) -> dict[str, Any]:
    return {
        "objective": line.objective,
        "scope": _scope(line.scope),
        "period": line.period,
        "tier": "" if line.tier is None else str(line.tier),
        "tier_text": line.tier_text,
        "percent": "" if line.percent is None else number_words(line.percent * 100) + "%",
        "fee": "" if line.fee is None else format_money(line.fee, currency, mode=mode),
        "incidents": "" if line.incidents is None else str(line.incidents),
        "amount": format_money(line.amount, currency, mode=mode),
    }


def _trigger(t: Trigger) -> dict[str, Any]:
    return {
        "id": t.id,
        "triggered": t.triggered,
        "detail": t.detail,
        "due": _timestamp(t.due),
        "notify": list(t.notify),
        "action": t.action or "",
        "consequence": t.consequence or "",
    }


def _responsibilities(terms: Sequence[Terms], names: Mapping[str, str]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for term in terms:  # later terms win
        titles = {o.id: o.title or o.id for o in term.objectives}
        for r in term.responsibilities:
            found[r.id] = {
                "id": r.id,
                "party": names.get(r.party, r.party),
                "text": r.text or "",
                "objectives": [titles.get(o, o) for o in r.objectives],
                "exclusions": list(r.exclusions),
            }
    return list(found.values())


# Chart geometry, in SVG user units.
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 320, 120, 48, 12, 10, 22
COLOURS = {
    "met": "#1a7f37",
    "breached": "#cf222e",
    "insufficient-data": "#9a6700",
    "not-applicable": "#6e7781",
}


def _coordinate(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN):f}"


def _objective_charts(
    results: Results, terms: Sequence[Terms], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per objective: its measured values over the periods evaluated, laid out for an SVG."""
    months = [p.period for p in results.periods]
    responsible = {
        o.id: names.get(o.responsible, o.responsible) for t in terms for o in t.objectives
    }
    order: list[str] = []
    rows: dict[str, list[tuple[int, ObjectiveResult]]] = {}
    for index, period in enumerate(results.periods):
        for o in period.objectives:
            if o.objective not in rows:
                order.append(o.objective)
                rows[o.objective] = []
            rows[o.objective].append((index, o))
    charts = []
    for objective_id in order:
        points = rows[objective_id]
        first = points[-1][1]
        values = [o.measured for _, o in points if o.measured is not None] + [first.target]
        low, high = min(values), max(values)
        if low == high:
            low, high = low - (abs(low) or Decimal(1)) / 10, high + (abs(high) or Decimal(1)) / 10
        span = high - low
        low, high = low - span / 10, high + span / 10
        if first.unit == "ratio":  # a share stays within 0% … 100%
            low, high = max(low, Decimal(0)), min(high, Decimal(1))
        plot_w, plot_h = Decimal(WIDTH - LEFT - RIGHT), Decimal(HEIGHT - TOP - BOTTOM)

        def x_of(index: int, plot_w: Decimal = plot_w) -> Decimal:
            if len(months) == 1:
                return LEFT + plot_w / 2
            return LEFT + plot_w * index / (len(months) - 1)

        def y_of(
            value: Decimal, low: Decimal = low, high: Decimal = high, plot_h: Decimal = plot_h
        ) -> Decimal:
            return TOP + plot_h * (high - value) / (high - low)

        series: dict[str, list[dict[str, str]]] = {}
        dots = []
        for index, o in points:
            if o.measured is None:
                continue
            x, y = _coordinate(x_of(index)), _coordinate(y_of(o.measured))
            series.setdefault(_scope(o.scope), []).append({"x": x, "y": y})
            dots.append(
                {
                    "x": x,
                    "y": y,
                    "colour": COLOURS.get(o.status, "#6e7781"),
                    "label": f"{months[index]} {_scope(o.scope)}: "
                    f"{format_measured(o.measured, o.unit, o.target)} ({o.status})".replace(
                        " :", ":"
                    ),
                }
            )
        charts.append(
            {
                "id": objective_id,
                "title": first.title or objective_id,
                "target": format_target(first.target_op, first.target, first.unit),
                "unit": first.unit,
                "responsible": responsible.get(objective_id, ""),
                "chart": {
                    "width": str(WIDTH),
                    "height": str(HEIGHT),
                    "left": str(LEFT),
                    "right": str(WIDTH - RIGHT),
                    "top": str(TOP),
                    "plot_width": str(WIDTH - LEFT - RIGHT),
                    "plot_height": str(HEIGHT - TOP - BOTTOM),
                    "bottom": str(HEIGHT - BOTTOM),
                    "target_y": _coordinate(y_of(first.target)),
                    "high_label": format_value(high, first.unit)
                    if first.unit != "ratio"
                    else format_percent(high, 2),
                    "low_label": format_value(low, first.unit)
                    if first.unit != "ratio"
                    else format_percent(low, 2),
                    "months": [
                        {"x": _coordinate(x_of(i)), "label": month}
                        for i, month in enumerate(months)
                    ],
                    "lines": [
                        " ".join(f"{p['x']},{p['y']}" for p in line)
                        for line in series.values()
                        if len(line) > 1
                    ],
                    "dots": dots,
                },
            }
        )
    return charts


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def template_dirs() -> list[Path]:
    """Where the packaged templates are: beside the package (installed), then the repo's."""
    package = Path(slac.__file__).resolve().parent
    candidates = [package / "templates", package.parents[1] / "templates"]
    return [path for path in candidates if path.is_dir()]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in template_dirs()]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_statement(view: Mapping[str, Any], fmt: str) -> str:
    """Render the packaged statement template for ``fmt`` (``md``, ``txt`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown statement format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not template_dirs():
        raise TemplateProblem("the statement templates are not installed", FORMATS[fmt])
    template = _environment().get_template(FORMATS[fmt])
    try:
        return template.render(view)
    except jinja2.TemplateError as exc:
        raise _problem(exc, FORMATS[fmt]) from exc


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """A sandbox that also refuses huge sequences and stops after a deadline."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, seconds: float = MAX_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = time.monotonic() + seconds
        self.globals["range"] = self._range

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError("the template ran out of time")

    def _range(self, *args: int) -> range:
        self.check_time()
        numbers = range(*args)
        if len(numbers) > MAX_SEQUENCE:
            raise SecurityError(f"range is too long ({len(numbers)} > {MAX_SEQUENCE} items)")
        return numbers

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if sized and len(seq) * count > MAX_SEQUENCE:
                    raise SecurityError(
                        f"the sequence would be too long ({len(seq) * count} items)"
                    )
            return left * right
        if operator == "**":
            if isinstance(right, int) and abs(right) > 1000:
                raise SecurityError(f"the exponent is too large ({right})")
            return left**right
        return super().call_binop(context, operator, left, right)  # pragma: no cover

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check_time()
        return super().getitem(obj, argument)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.check_time()
        return super().call(__context, __obj, *args, **kwargs)


def render_user_template(
    view: Mapping[str, Any],
    template_path: str | Path,
    *,
    max_output: int = MAX_OUTPUT,
    max_seconds: float = MAX_SECONDS,
) -> str:
    """Render a user's own template with ``view`` in a sandbox.

    The template cannot reach Python internals (``ImmutableSandboxedEnvironment``), every
    undefined name is an error (``StrictUndefined``), ``.html``/``.htm`` templates are
    autoescaped, its output is bounded by ``max_output`` characters and its run time by
    ``max_seconds`` (checked at each output chunk, attribute, item, call and operator; a loop
    that does none of these is bounded only by the sequences it iterates). Every failure is a
    :class:`TemplateProblem` naming the template and, where known, the line; the original
    Jinja2 exception (``UndefinedError``, ``SecurityError``, ``TemplateSyntaxError``) is its
    ``__cause__``.
    """
    path = Path(template_path)
    name = path.name
    if not path.is_file():
        raise TemplateProblem("template not found", str(path))
    env = _BoundedSandbox(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "htm"], default_for_string=False),
        keep_trailing_newline=True,
        seconds=max_seconds,
    )
    try:
        template = env.get_template(name)
        chunks: list[str] = []
        size = 0
        stream: Iterator[str] = template.generate(dict(view))
        for chunk in stream:
            size += len(chunk)
            if size > max_output:
                raise TemplateProblem(
                    f"the output is larger than {max_output} characters", str(path)
                )
            env.check_time()
            chunks.append(chunk)
        return "".join(chunks)
    except jinja2.TemplateError as exc:
        raise _problem(exc, str(path)) from exc
    except TemplateProblem:
        raise
    except Exception as exc:  # a filter or test failing on the template's data
        raise _problem(exc, str(path)) from exc


def _problem(exc: BaseException, template: str) -> TemplateProblem:
    """A :class:`TemplateProblem` for ``exc``, with the template line it happened on."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateProblem(f"syntax error: {exc.message}", template, exc.lineno)
    line = None
    basename = Path(template).name
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and Path(frame.filename).name == basename:
            line = frame.lineno
    kind = {
        jinja2.UndefinedError: "undefined name",
        SecurityError: "not allowed",
    }
    label = next((text for cls, text in kind.items() if isinstance(exc, cls)), "error")
    message = str(exc) if not isinstance(exc, jinja2.TemplateError) else exc.message or str(exc)
    return TemplateProblem(f"{label}: {message}", template, line)


def render_pdf(view: Mapping[str, Any]) -> bytes:
    """The HTML statement printed to PDF (optional extra ``slac[pdf]``: WeasyPrint)."""
    try:
        import weasyprint
    except ImportError as exc:  # the optional extra is not installed
        raise TemplateProblem(
            "PDF output needs the optional extra: pip install 'slac[pdf]'", FORMATS["html"]
        ) from exc
    html = render_statement(view, "html")
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
