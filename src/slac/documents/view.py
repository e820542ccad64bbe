"""A statement's data (its *view*), the same for every template, ours or a user's.

:func:`statement_view` turns :class:`~slac.evaluation.results.Results` and the
:class:`~slac.plan.types.Plan` into plain dicts, lists, strings, ints and bools only, safe for
``json.dumps``. Every number a reader sees is already a string formatted in Python from
``Decimal`` (:mod:`slac.documents.formatting`: money in the currency's minor unit with the
contract's rounding mode, percentages exactly), so templates never format numbers and nothing
goes through a float. The view has no clock: the same results give the same view, byte for
byte. :mod:`slac.documents.statements` renders it.

Every text the view says is in its ``locale`` (numbers, money and dates laid out by Babel for
the full locale, words from the catalog of its language: :mod:`slac.documents.locales`); the
contract's own text (titles, responsibilities, actions) stays as written. Templates, a user's
too, translate their own words with ``_("Period %(period)s", period=p.period)``,
``gettext`` and ``ngettext`` (Jinja2's i18n extension, new style) into the same locale.

The view (``STATEMENT_VERSION`` 2; version 1 laid charts out as coordinates for the template to
draw, and listed exclusions that removed nothing)::

    statement_version  int
    locale             "en", "de", "de_CH": the language and layout of every text below
    contract           {id, title, version, timezone}
    parties            [{key, name, contacts: [{name, role, email}]}]
    provider, customer names
    periods_label      "2026-09 to 2026-11" (or one month)
    currency           "EUR" or ""
    total_credit       "EUR 1,320.00" (or "none")
    periods            [{period, terms_from, amendment, service_level, grade, judged, met,
                         objectives: [objective row], credits: {..., combine, combine_label},
                         escalations: [trigger], chronic_failures: [trigger]}]
    objectives         [{id, title, target, unit, responsible, chart}] (one per objective,
                         in the order first evaluated); chart: {title, target, unit,
                         points: [{period, scope, measured, status}], svg} (svg: the chart
                         drawn by slac, an <svg> element to embed as it is)
    responsibilities   [{id, party, text, objectives, exclusions}]
    annex              {total, limit}: the items missed over all objective results, and how
                         many each lists at most (their ``breached_items``)
    escalations        [{period, id, detail, due, notify, action}] (triggered only)
    provenance         {slac_version, results_version, results_sha256, plan_sha256,
                         source_sha256, sources: [{role, sha256}],
                         inputs: [{dataset, rows, bad_rows, files: [{name, sha256}]}],
                         earlier: [{period, revision, results_sha256}]}  (months read
                         from the period ledger)
    overrides          [{id, period, target, action, value, reason, author, recorded_at,
                       effect}] (recorded in the period ledger against the months shown,
                       oldest first; effect: what it changed, in words)
    credit_notes       {period: {number, state, lines: [{line, kind, label, objective, scope,
                       tier, tier_text, percent, amount, description}]}} (the months with a
                       credit note, numbered and with the lines of `slac credits`; label: the
                       objective of a credit line, else the adjustment's kind in words;
                       description: the ledger's English words, as the export has them)

An objective row: ``{id, title, scope, objective_period, status, status_label, reason,
target, measured, sample, min_sample, met, breached, open, exclusions: [{id, count, unit,
text}] (only those that removed something, count > 0; unit `rows`, or `windows` for
maintenance; text such as "1 window"), excluded_rows (rows only), credit: {tier, tier_text,
percent, amount} | None, breached_items}``.

``breached_items`` (the breached-items annex, docs/semantics.md "Breached items") is None for
objectives that judge no item by itself (ratios, means, availability); otherwise::

    {count, shown: [{item, measured, threshold, due, deadline, over, note}], more,
     evidence_hint}

``count``: the items that missed their own threshold; ``shown``: the first
``MISSES_SHOWN`` (20) of them, worst first (most over), ties by item key; ``more``: how many
are not shown; ``evidence_hint``: where to find them all ("" when none is left out).
``measured``, ``threshold`` and ``over`` are words ("1 h 15 min", "4 business hours");
``due``: the wall-clock deadline ("5 October 2026 08:30 (UTC+02:00)"), "" when the item's
clock paused; ``deadline``: the threshold ("1 business day (10 business hours)" for N business
days, each item's own business time), with ``due`` when known; ``note``: "open at the
period's end" (measured up to then) or "abandoned" (a contact), else "".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from slac.documents.charts import build_chart
from slac.documents.exports import period_note
from slac.documents.formatting import (
    format_measured,
    format_money,
    format_number,
    format_percent,
    format_scope,
    format_target,
    format_timestamp,
    format_value,
)
from slac.documents.locales import N_, Language, language
from slac.documents.notes import has_note
from slac.documents.phrases import translate_phrase
from slac.evaluation.evaluate import results_json
from slac.evaluation.measurement import MISSES_SHOWN
from slac.evaluation.results import (
    CreditLine,
    Misses,
    ObjectiveResult,
    PeriodResult,
    Results,
    Trigger,
)
from slac.plan.types import Plan, Terms

STATEMENT_VERSION = 2
STATUS_LABELS = {
    "met": N_("Met"),
    "breached": N_("Breached"),
    "insufficient-data": N_("Insufficient data"),
    "not-applicable": N_("Not applicable"),
}
EARN_BACK = {
    "none": N_("not applicable"),
    "pending": N_("pending (the credit may be earned back)"),
    "waived": N_("waived (earned back by the provider)"),
    "due": N_("due (not earned back)"),
}
COMBINE = {
    "sum": N_("sum"),
    "max": N_("max"),
    "single": N_("single"),
    "per-incident": N_("per-incident"),
}
# A credit note's adjustment lines, in words (a credit line says its objective).
NOTE_LINES = {
    "minimum": N_("Minimum credit"),
    "combine": N_("Combining credits"),
    "pool": N_("At-risk amount"),
    "cap": N_("Credit cap"),
    "rounding": N_("Rounding"),
    "override": N_("Override"),
}
# Units of an exclusion's count, said with the count: "1 row", "3 windows".
COUNT_WORDS: dict[str, Callable[[Language, int], str]] = {
    "rows": lambda lang, n: lang.ngettext("%(count)s row", "%(count)s rows", n),
    "windows": lambda lang, n: lang.ngettext("%(count)s window", "%(count)s windows", n),
}


def statement_view(
    results: Results, plan: Plan, locale: str = "en", *, charts: bool = True
) -> dict[str, Any]:
    """The statement's data: JSON-serialisable, deterministic, numbers formatted in Python,
    words in ``locale`` (:class:`~slac.documents.locales.LocaleError` for one slac has no
    catalog for). Text the contract provides (titles, responsibilities) stays as written.
    ``charts``: draw each objective's chart (``chart.svg``); without, ``svg`` is empty."""
    lang = language(locale)
    currency = results.currency
    mode = plan.terms[-1].commercials.rounding.mode if plan.terms else "half-up"
    names = {party.key: party.name for party in plan.parties}
    terms_used = _terms_used(plan, results.periods)
    months = [p.period for p in results.periods]
    if not months:
        label = lang.gettext("no periods")
    elif len(months) == 1:
        label = months[0]
    else:
        label = lang.gettext("%(first)s to %(last)s") % {"first": months[0], "last": months[-1]}
    periods = [_period(p, currency, mode, lang) for p in results.periods]
    escalations = [
        {"period": p.period, **_trigger(t, lang)} for p in results.periods for t in p.escalations
    ]
    return {
        "statement_version": STATEMENT_VERSION,
        "locale": lang.tag,
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
        "total_credit": format_money(results.total_credit, currency, mode=mode, locale=lang.tag)
        if results.total_credit
        else lang.gettext("none"),
        "periods": periods,
        "objectives": _objectives(results, terms_used, names, lang, charts),
        "responsibilities": _responsibilities(terms_used, names),
        "escalations": [e for e in escalations if e["triggered"]],
        "notes": list(results.notes),
        # The breached-items annex: items missed over all results, and how many each lists.
        "annex": {
            "total": sum(o.misses.count for p in results.periods for o in p.objectives if o.misses),
            "limit": MISSES_SHOWN,
        },
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
            "earlier": [
                {"period": e.period, "revision": e.revision, "results_sha256": e.results_sha256}
                for e in results.earlier
            ],
        },
        "overrides": [
            {
                "id": o.id,
                "period": o.period,
                "target": o.target,
                "action": o.action,
                "value": o.value,
                "reason": o.reason,
                "author": o.author,
                "recorded_at": o.recorded_at.replace("T", " ")[:16] + " UTC",
                "effect": o.effect,
            }
            for p in results.periods
            for o in p.overrides
        ],
        "credit_notes": _credit_notes(results, plan, currency, mode, lang),
    }


def _terms_used(plan: Plan, periods: Sequence[PeriodResult]) -> list[Terms]:
    wanted = {p.terms_from for p in periods}
    used = [t for t in plan.terms if t.effective_from in wanted]
    return used or list(plan.terms[-1:])


def _period(p: PeriodResult, currency: str | None, mode: str, lang: Language) -> dict[str, Any]:
    def money(amount: Decimal | None) -> str:
        return "" if amount is None else format_money(amount, currency, mode=mode, locale=lang.tag)

    return {
        "period": p.period,
        "terms_from": p.terms_from,
        "amendment": p.amendment or "",
        "service_level": lang.gettext("n/a")
        if p.service_level is None
        else format_percent(p.service_level, 2, lang),
        "grade": p.grade or "",
        "judged": p.judged,
        "met": p.met,
        "objectives": [_objective_row(o, currency, mode, lang) for o in p.objectives],
        "credits": {
            "lines": [_credit_line(line, currency, mode, lang) for line in p.credit_lines],
            "combine": p.combine,
            "combine_label": lang.gettext(COMBINE.get(p.combine, p.combine)),
            "combined": money(p.combined),
            "pool_at_risk": money(p.pool_at_risk),
            "pool_capped": p.pool_capped,
            "cap": money(p.cap),
            "cap_applied": p.cap_applied,
            "minimum": money(p.minimum),
            "minimum_applied": p.minimum_applied,
            "earn_back": p.earn_back,
            "earn_back_label": lang.gettext(EARN_BACK.get(p.earn_back, p.earn_back)),
            "credit": money(p.credit),
            "owed": p.credit > 0,
            "claim_deadline": format_timestamp(p.claim_deadline, lang),
        },
        "escalations": [_trigger(t, lang) for t in p.escalations],
        "chronic_failures": [_trigger(t, lang) for t in p.chronic_failure],
    }


def _objective_row(
    o: ObjectiveResult, currency: str | None, mode: str, lang: Language
) -> dict[str, Any]:
    excluded = [
        {
            "id": e.exclusion,
            "count": e.count,
            "unit": e.unit,
            "text": count_text(e.count, e.unit, lang),
        }
        for e in o.excluded
        # Only the exclusions that removed something: a list of every exclusion that
        # applies, most at "0 rows", hid the one that mattered.
        if e.count > 0
    ]
    return {
        "id": o.objective,
        "title": o.title or o.objective,
        "scope": format_scope(o.scope),
        "objective_period": o.period,
        "status": o.status,
        "status_label": lang.gettext(STATUS_LABELS.get(o.status, o.status)),
        "reason": translate_phrase(o.reason, lang),
        "target": format_target(o.target_op, o.target, o.unit, lang),
        "measured": "–"
        if o.measured is None
        else format_measured(o.measured, o.unit, o.target, lang),
        "sample": o.sample,
        "min_sample": o.min_sample,
        "met": o.met,
        "breached": o.breached,
        "open": o.open,
        "exclusions": excluded,
        # Rows and maintenance windows are different things: only rows add up here.
        "excluded_rows": sum(e.count for e in o.excluded if e.unit == "rows"),
        "credit": None if o.credit is None else _credit_line(o.credit, currency, mode, lang),
        "breached_items": None if o.misses is None else breached_items(o, o.misses, lang),
    }


NOTES = {"open": N_("open at the period's end"), "abandoned": N_("abandoned")}


def breached_items(o: ObjectiveResult, misses: Misses, lang: Language) -> dict[str, Any]:
    """The breached-items annex of one objective result: the items the results list, and
    where the rest are (the evidence file: results keep a bounded number)."""

    def words(value: Decimal) -> str:
        return format_value(value, misses.unit, business=misses.business, lang=lang)

    def threshold(value: Decimal) -> str:
        # N business days are each item's own business time: say both.
        days = misses.business_days
        if not days:
            return words(value)
        said = lang.ngettext("%(count)s business day", "%(count)s business days", int(days))
        return f"{said % {'count': format_number(days, lang)}} ({words(value)})"

    shown = []
    for m in misses.shown:
        due = format_timestamp(m.due, lang)
        deadline = threshold(m.threshold)
        if due:
            deadline = lang.gettext("%(threshold)s, due %(due)s") % {
                "threshold": deadline,
                "due": due,
            }
        shown.append(
            {
                "item": m.item,
                "measured": words(m.measured),
                "threshold": words(m.threshold),
                "due": due,
                "deadline": deadline,
                "over": words(m.over) if m.over >= 0 else "–",
                "note": lang.gettext(NOTES[m.note]) if m.note in NOTES else m.note,
            }
        )
    more = misses.count - len(misses.shown)
    hint = (
        lang.gettext(
            "%(more)s more not listed: run `slac evaluate CONTRACT --evidence DIR` and see "
            "DIR/evidence.parquet (objective %(objective)s, period %(period)s)"
        )
        % {"more": more, "objective": o.objective, "period": o.period}
        if more > 0
        else ""
    )
    return {"count": misses.count, "shown": shown, "more": more, "evidence_hint": hint}


def _credit_line(
    line: CreditLine, currency: str | None, mode: str, lang: Language
) -> dict[str, Any]:
    def money(amount: Decimal) -> str:
        return format_money(amount, currency, mode=mode, locale=lang.tag)

    return {
        "objective": line.objective,
        "scope": format_scope(line.scope),
        "period": line.period,
        "tier": "" if line.tier is None else str(line.tier),
        "tier_text": translate_phrase(line.tier_text, lang),
        "percent": "" if line.percent is None else format_percent(line.percent, lang=lang),
        "fee": "" if line.fee is None else money(line.fee),
        "incidents": "" if line.incidents is None else str(line.incidents),
        "amount": money(line.amount),
    }


def _trigger(t: Trigger, lang: Language) -> dict[str, Any]:
    return {
        "id": t.id,
        "triggered": t.triggered,
        "detail": translate_phrase(t.detail, lang),
        "due": format_timestamp(t.due, lang),
        "notify": list(t.notify),
        "action": t.action or "",
        "consequence": t.consequence or "",
    }


def _objectives(
    results: Results,
    terms: Sequence[Terms],
    names: Mapping[str, str],
    lang: Language,
    charts: bool,
) -> list[dict[str, Any]]:
    """Per objective, in the order first evaluated: its identity and its chart, as plain data
    (the SVG markup as a string, empty when ``charts`` is false)."""
    if charts:
        from slac.documents.plot import chart_svg  # matplotlib: only when charts are drawn

    responsible = {
        o.id: names.get(o.responsible, o.responsible) for t in terms for o in t.objectives
    }
    months = [p.period for p in results.periods]
    entries = []
    for number, (objective_id, rows) in enumerate(_objective_results(results).items(), start=1):
        chart = build_chart(f"chart{number}", months, rows, lang)
        entries.append(
            {
                "id": objective_id,
                "title": chart.title,
                "target": chart.target_text,
                "unit": chart.unit,
                "responsible": responsible.get(objective_id, ""),
                "chart": {
                    "title": chart.title,
                    "target": chart.target_text,
                    "unit": chart.unit,
                    "points": [
                        {
                            "period": months[index],
                            "scope": format_scope(o.scope),
                            "measured": "–"
                            if o.measured is None
                            else format_measured(o.measured, o.unit, o.target, lang),
                            "status": o.status,
                        }
                        for index, o in rows
                    ],
                    "svg": chart_svg(chart) if charts else "",
                },
            }
        )
    return entries


def _objective_results(results: Results) -> dict[str, list[tuple[int, ObjectiveResult]]]:
    """Each objective's results with the index of their period, objectives in first-seen
    order."""
    rows: dict[str, list[tuple[int, ObjectiveResult]]] = {}
    for index, period in enumerate(results.periods):
        for o in period.objectives:
            rows.setdefault(o.objective, []).append((index, o))
    return rows


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


def count_text(count: int, unit: str, lang: Language | None = None) -> str:
    """``3 rows``, ``1 row``, ``1 window`` (de ``3 Zeilen``): a count said with its unit."""
    if unit not in COUNT_WORDS:
        return f"{count} {unit[:-1] if count == 1 else unit}"
    return COUNT_WORDS[unit](lang or language(), count) % {"count": count}


def _credit_notes(
    results: Results, plan: Plan, currency: str | None, mode: str, lang: Language
) -> dict[str, dict[str, Any]]:
    """Each month's credit note as `slac credits` exports it: the same number, the same
    lines (a statement is evaluated now, so its notes are drafts)."""
    notes = {}
    for p in results.periods:
        if not has_note(p):
            continue
        note = period_note(results, plan, p)
        notes[p.period] = {
            "number": note.number,
            "state": note.state,
            "lines": [
                {
                    "line": x.line,
                    "kind": x.kind,
                    "label": x.objective
                    if x.kind == "credit"
                    else lang.gettext(NOTE_LINES.get(x.kind, x.kind)),
                    "objective": x.objective,
                    "scope": format_scope(x.scope),
                    "tier": "" if x.tier is None else str(x.tier),
                    "tier_text": translate_phrase(x.tier_text, lang),
                    "percent": "" if x.percent is None else format_percent(x.percent, lang=lang),
                    "amount": format_money(x.amount, currency, mode=mode, locale=lang.tag),
                    "description": x.description,
                }
                for x in note.lines
            ],
        }
    return notes
