"""The evaluate stage as one function: plan + sources + periods → Results (or errors)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlglot import exp

from slac import __version__
from slac.evaluation.asof import AT_PERIOD_END, AsOf
from slac.evaluation.billing import billing_accounts, read_fees
from slac.evaluation.bindings import Source
from slac.evaluation.evidence import write_evidence
from slac.evaluation.judge import judge_periods
from slac.evaluation.kind import MeasuredKinds
from slac.evaluation.load import DataError, LoadReport, SharedSources, load_datasets
from slac.evaluation.measurement import Measurement
from slac.evaluation.periods import add_months, first_day, month_range, period_id
from slac.evaluation.results import (
    RESULTS_VERSION,
    AppliedOverride,
    BadRowNote,
    EarlierPeriod,
    Input,
    InputFile,
    Results,
    RowAccount,
)
from slac.evaluation.sqltext import (
    MEMORY_ENV,
    Engine,
    EngineSettingError,
    EngineUnsupported,
    col,
    sql,
    typed_table,
)
from slac.evaluation.tasks import plan_tasks, terms_on
from slac.plan.canonical import money_text, sha256_of, to_json
from slac.plan.compiler import plan_json
from slac.plan.money import is_rounded
from slac.plan.types import Plan

Progress = Callable[[str], None]
MONEY_FIELDS = frozenset(
    {"amount", "fee", "combined", "pool_at_risk", "cap", "minimum", "credit", "total_credit"}
)


@dataclass(frozen=True)
class Evaluation:
    results: Results | None
    errors: tuple[str, ...] = field(default=())
    load: LoadReport | None = None
    measurements: tuple[Measurement, ...] = ()


def months_asked(plan: Plan, period: str | None, through: str | None) -> list[str]:
    """``--period 2026-10 [--through 2026-12]``; a quarter or year stands for its months."""
    assert period is not None
    first = first_day(period)
    last_id = through or period
    last_first = first_day(last_id)
    unit = "quarter" if "Q" in last_id else ("year" if len(last_id) == 4 else "month")
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    last = add_months(last_first, months - 1)
    return month_range(period_id(first, "month"), period_id(last, "month"))


# Without --period, at most this many months are evaluated: a range longer than that comes from
# a timestamp typed decades off (found by fuzzing: one row in the year 9998 made a contract
# without an end evaluate 95,000 months), and is refused, naming the earliest and latest.
MAX_DATA_MONTHS = 120


class DataRangeError(Exception):
    """The data covers more months than are evaluated without --period."""


def data_months(engine: Engine, plan: Plan) -> list[str]:
    """Every month (contract zone) in which the data has rows, within the contract's life.
    Raises :class:`DataRangeError` for more than :data:`MAX_DATA_MONTHS` of them."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    instants: list[int] = []
    where: dict[int, str] = {}  # an instant → the dataset and field it was read from
    datasets = {d.name: d for d in plan.datasets}
    # Each dataset's fields in the order the objectives name them, each read once: objectives
    # of one metric (one per priority, say) name the same field, and each read is a scan.
    read: dict[str, dict[str, None]] = {}
    for terms in plan.terms:
        for obj in terms.objectives:
            params = dict(obj.metric.params)
            fields = [
                params.get("from"),
                params.get("time"),
                params.get("start"),
                datasets[obj.metric.dataset].time,
            ]
            named = next((str(f) for f in fields if f), None)
            if named is not None:
                read.setdefault(obj.metric.dataset, {})[named] = None
    for dataset, names in read.items():
        bounds = [e for f in names for e in (sql("min(:c)", c=col(f)), sql("max(:c)", c=col(f)))]
        row = engine.rows(exp.select(*bounds).from_(typed_table(dataset)))
        values = row[0] if row else ()
        for i, f in enumerate(names):
            for v in values[2 * i : 2 * i + 2]:
                if isinstance(v, int):
                    instants.append(v)
                    where.setdefault(v, f"{dataset}.{f}")
    if not instants:
        return []
    zone = ZoneInfo(plan.timezone)
    lo = datetime.fromtimestamp(min(instants) / 1e6, tz=zone).date()
    hi = datetime.fromtimestamp(max(instants) / 1e6, tz=zone).date()
    months = month_range(period_id(lo, "month"), period_id(hi, "month"))
    months = [m for m in months if terms_on(plan, first_day(m)) is not None]
    if len(months) > MAX_DATA_MONTHS:
        first, last = min(instants), max(instants)
        raise DataRangeError(
            f"the data covers {len(months)} months of the contract's life, {months[0]} to "
            f"{months[-1]} (earliest {where[first]} {lo.isoformat()}, latest {where[last]} "
            f"{hi.isoformat()}): more than {MAX_DATA_MONTHS} are evaluated only when named: "
            "give --period and --through, or correct a timestamp that is years off"
        )
    return months


# A portfolio's contract with fewer rows of its own than this is measured on one thread.
ONE_THREAD_ROWS = 250_000


def _own_rows(report: LoadReport) -> int:
    return sum(i.rows for i in report.inputs) - sum(n for _, n in report.filtered_by_binding)


def evaluate_plan(
    plan: Plan,
    sources: Mapping[str, Source],
    *,
    kinds: MeasuredKinds,
    period: str | None = None,
    through: str | None = None,
    exclude_bad_rows: bool = False,
    evidence: str | None = None,
    progress: Progress | None = None,
    as_of: AsOf = AT_PERIOD_END,
    closed: Sequence[EarlierPeriod] = (),
    overrides: Sequence[AppliedOverride] = (),
    engine: Engine | None = None,
    shared: SharedSources | None = None,
    engine_name: str = "duckdb",
) -> Evaluation:
    """``engine_name``: ``duckdb`` (embedded) or ``spark`` (docs/engines.md); the results are
    the same but for the engine they name. ``closed``: months the period ledger closed; those
    before the evaluated months are what the rules that look back (chronic failure,
    escalations, rolling caps) know of them.
    ``overrides``: those the ledger recorded, applied to the credits of their months.
    ``engine`` and ``shared``: the engine of a portfolio and the sources already read into it
    (the caller closes it); by default an engine of its own."""
    say = progress or (lambda _: None)
    if engine_name == "spark" and evidence is not None:
        return Evaluation(
            None, ("--evidence is written by the DuckDB engine only, not with --engine spark",)
        )
    own = engine is None
    if engine is None:
        try:
            engine = open_engine(engine_name)
        except EngineSettingError as err:
            return Evaluation(None, (str(err),))
    engine.record_evidence = evidence is not None
    try:
        if period is not None:
            try:
                months = months_asked(plan, period, through)
            except ValueError as err:
                return Evaluation(None, (str(err),))
            refused = [m for m in months if terms_on(plan, first_day(m)) is None]
            if refused:
                life = f"{plan.effective_from} – {plan.effective_to or 'open-ended'}"
                return Evaluation(
                    None,
                    (f"period {', '.join(refused)} is outside the contract's life ({life})",),
                )
        say("loading data")
        try:
            report = load_datasets(
                engine,
                plan,
                sources,
                kinds=kinds,
                exclude_bad_rows=exclude_bad_rows,
                shared=shared,
            )
        except DataError as err:
            return Evaluation(None, (str(err),))
        except Exception as err:  # an unreadable file: DuckDB names it in its message
            if type(err).__name__ == "OutOfMemoryException":
                raise
            module = type(err).__module__
            if module.startswith(("_duckdb", "pyspark")) or "duckdb" in module:
                return Evaluation(None, (f"cannot read the data: {_first_line(err)}",))
            raise
        if report.bad_rows and not exclude_bad_rows:
            listed = [str(b) for b in report.listed]
            more = report.bad_rows - len(listed)
            errors = [
                f"{report.bad_rows} bad row(s) in the data (use --on-bad-rows exclude to leave them out):",
                *listed,
            ]
            if more > 0:
                errors.append(f"… and {more} more")
            return Evaluation(None, tuple(errors), report)
        if shared is not None and _own_rows(report) < ONE_THREAD_ROWS:
            # A contract of a portfolio measures its own rows of the shared tables: on so few,
            # DuckDB's threads cost more in coordination than they save (a seventh of the CPU
            # of 1,000 contracts over 10M tickets). The shared tables were staged before.
            engine.set_threads(1)
        if period is None:
            try:
                months = data_months(engine, plan)
            except DataRangeError as err:
                return Evaluation(None, (str(err),), report)
            if not months:
                return Evaluation(
                    None, ("the data has no rows within the contract's life",), report
                )
        say(f"measuring {len(months)} month(s)")
        from slac.evaluation.engine import measure, row_accounts

        tasks = plan_tasks(plan, months)
        measurements = measure(engine, plan, months, kinds, as_of.instant_us)
        bad = {i.dataset: i.bad_rows for i in report.inputs}
        others = dict(report.filtered_by_binding)
        accounts = row_accounts(engine, plan, bad, others)
        fees = read_fees(engine, plan)
        accounts.extend(
            _with_others(a, others.get(a.dataset, 0))
            for a in billing_accounts(plan, tasks, measurements, fees, bad)
        )
        if evidence:
            say("writing evidence")
            write_evidence(engine, plan, tasks, evidence)
        earlier = tuple(e for e in closed if e.period < months[0])
        periods = judge_periods(plan, months, tasks, measurements, fees, earlier, overrides)
    except EngineUnsupported as err:
        return Evaluation(None, (f"--engine {engine_name}: {err}",))
    except Exception as err:
        if engine.dialect == "spark" and type(err).__module__.startswith(("pyspark", "py4j")):
            return Evaluation(None, (f"Spark refused the evaluation: {_first_line(err)}",))
        if type(err).__name__ != "OutOfMemoryException":
            raise
        return Evaluation(
            None,
            (
                f"the evaluation needs more memory than the engine may use: {_first_line(err)} "
                f"(set {MEMORY_ENV}, e.g. {MEMORY_ENV}=4GB)",
            ),
        )
    finally:
        if own:
            engine.close()
        elif shared is not None:
            engine.set_threads(None)
            shared.forget_contract(engine)
    provider = next((p.name for p in plan.parties if p.key == "provider"), "")
    customer = next((p.name for p in plan.parties if p.key == "customer"), "")
    total = sum((p.credit for p in periods), Decimal(0))
    currency = next((p.currency for p in periods if p.currency), None)
    results = Results(
        results_version=RESULTS_VERSION,
        slac_version=__version__,
        contract_id=plan.contract_id,
        contract_title=plan.title,
        contract_version=plan.version,
        provider=provider,
        customer=customer,
        timezone=plan.timezone,
        plan_sha256=plan_json(plan)["plan_sha256"],
        source_sha256=plan.source.sha256,
        periods=tuple(periods),
        total_credit=total,
        currency=currency,
        inputs=tuple(
            Input(i.dataset, tuple(InputFile(n, h) for n, h in i.files), i.rows, i.bad_rows)
            for i in report.inputs
        ),
        bad_rows=report.bad_rows,
        bad_rows_listed=tuple(
            BadRowNote(b.dataset, b.file, b.row, b.field, b.problem) for b in report.listed
        ),
        on_bad_rows="exclude" if exclude_bad_rows else "error",
        row_accounts=tuple(accounts),
        as_of=as_of.text,
        earlier=earlier,
        engine=engine_name,
    )
    return Evaluation(results, (), report, tuple(measurements))


def _with_others(account: RowAccount, others: int) -> RowAccount:
    """A row account with the rows of other contracts its binding's ``where`` left out."""
    if not others:
        return account
    return dataclasses.replace(
        account, input=account.input + others, filtered=account.filtered + others
    )


ENGINES = ("duckdb", "spark")


def portfolio_engine_refused(engine: str) -> str | None:
    """Why ``engine`` cannot run a portfolio, or None: a portfolio shares one DuckDB engine
    (docs/portfolios.md), so another engine takes one contract."""
    if engine == "duckdb":
        return None
    return f"--engine {engine} takes one contract: a portfolio runs on duckdb"


def open_engine(name: str) -> Engine:
    """The engine named (one of :data:`ENGINES`); raises :class:`EngineSettingError` when it
    cannot be started (pyspark missing, a memory setting refused)."""
    if name == "spark":
        from slac.evaluation.spark import SparkEngine, SparkMissing

        try:
            return SparkEngine()
        except SparkMissing as err:
            raise EngineSettingError(str(err)) from None
    if name != "duckdb":
        raise EngineSettingError(f"unknown engine {name!r} (engines: {', '.join(ENGINES)})")
    return Engine()


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def results_json(results: Results) -> dict[str, Any]:
    """Canonical JSON data of the results, money in the currency's minor unit, hashed."""
    from slac.contract.currencies import minor_units

    minor = minor_units(results.currency or "") if results.currency else None
    body: dict[str, Any] = to_json(results)
    if minor is not None:
        _money(body, minor)
    body["results_sha256"] = sha256_of(body)
    return body


# The breached-items annexes: most of the nodes of large results, and no money among them.
_NO_MONEY = frozenset({"misses"})


def _money(node: Any, minor: int) -> None:
    # Only containers are visited: results hold hundreds of thousands of leaves.
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict | list):
                if key not in _NO_MONEY:
                    _money(value, minor)
            elif key in MONEY_FIELDS and isinstance(value, str) and _is_decimal(value):
                node[key] = _exact_money(Decimal(value), minor)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict | list):
                _money(item, minor)


def _exact_money(value: Decimal, minor: int) -> str:
    """Money with the currency's decimals when that is exact; otherwise every digit (a credit
    line before the contract's single rounding is shown as it is, never rounded for display)."""
    return money_text(value, minor) if is_rounded(value, minor) else format(value.normalize(), "f")


def _is_decimal(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
