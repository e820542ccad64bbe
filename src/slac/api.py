"""The public Python API. The CLI calls these same functions; so can notebooks and pipelines.

Every operation that reads contracts returns a :class:`Result`: its value (``None`` when
there is none), the lint report of the contracts it read, the errors that stopped it, and
``ok``. :func:`rule_catalog`, :func:`plan_document`, :func:`results_document` and
:func:`statement_locales` only look up or convert, cannot fail, and return their data directly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from slac.contract.bindings_check import BINDINGS_FILE
from slac.contract.checker import Checker, CheckReport
from slac.contract.codes import FIXED_CODES
from slac.contract.discovery import STDIN
from slac.contract.rules import REGISTRY
from slac.contract.source import MAX_BYTES
from slac.diagnostics import Diagnostic, RuleInfo
from slac.evaluation.asof import AT_PERIOD_END, AsOf
from slac.evaluation.bindings import (
    BindingsResult,
    Source,
    merge_sources,
    parse_data_options,
    read_bindings,
)
from slac.evaluation.evaluate import (
    Progress,
    evaluate_plan,
    portfolio_engine_refused,
    results_json,
)
from slac.evaluation.load import SharedSources
from slac.evaluation.results import AppliedOverride, EarlierPeriod, Results
from slac.evaluation.sqltext import Engine
from slac.evaluation.workers import Workers, default_jobs
from slac.kinds import KINDS
from slac.ledger.model import ClosedPeriod, Override
from slac.plan.compiler import compile_contract, plan_json
from slac.plan.types import Plan
from slac.review.examples_run import TestRun

if TYPE_CHECKING:
    from slac.documents.exports import Ledger
    from slac.evaluation.warehouse import Problem
    from slac.ledger.store import Store

__all__ = [
    "Portfolio",
    "Result",
    "add_override",
    "close_period",
    "close_portfolio",
    "compile_plan",
    "credits_ledger",
    "default_ledger",
    "diff",
    "evaluate",
    "evaluate_portfolio",
    "explain",
    "history",
    "init",
    "lint",
    "plan_document",
    "render_saved",
    "results_document",
    "rule_catalog",
    "simulate",
    "statement",
    "statement_locales",
    "test_examples",
    "test_report",
    "warehouse_sql",
]

T = TypeVar("T")
LINT_ERRORS = "the contract has lint errors"
CHART_FORMATS = frozenset({"html", "pdf"})  # the packaged statements that embed charts


@dataclass(frozen=True)
class Result(Generic[T]):
    """What an operation produced, or why it did not.

    ``report`` holds the lint findings of every contract read (warnings never stop anything,
    so show them either way) and the paths that do not exist; ``errors`` what stopped the
    operation besides findings (bad data, a template problem, results that do not match).
    """

    value: T | None
    report: CheckReport
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """A value, no errors, no missing path and no finding of error severity."""
        return self.value is not None and not self.errors and self.report.ok

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.report.diagnostics

    @property
    def missing(self) -> tuple[str, ...]:
        return self.report.missing


def lint(
    paths: Sequence[str],
    *,
    today: date | None = None,
    stdin: bytes | None = None,
    keep_contracts: bool = True,
) -> Result[tuple[str, ...]]:
    """Check contract files (and folders, recursively) and return every finding.

    The value is the files checked; YAML files that are not slac documents are skipped
    (``report.skipped``), paths that do not exist are in ``missing`` (and ``ok`` is False).
    ``-`` is a contract read from ``stdin`` (default: this process's standard input), named
    ``<stdin>``, whose ``extends`` are relative to the working directory. ``today`` fixes the
    date that "a review date has passed" is judged against, so that CI runs are reproducible;
    it defaults to the current date. With ``keep_contracts=False`` the report's files carry
    findings only (no typed ``contract``), and many files are checked in several processes
    (one per CPU; ``SLAC_JOBS=1`` keeps to one): the findings are the same.
    """
    if STDIN in paths and stdin is None:
        stdin = sys.stdin.buffer.read(MAX_BYTES + 1)
    checker = Checker(KINDS, today)
    report = checker.check_paths(paths, stdin=stdin or b"", keep_contracts=keep_contracts)
    return Result(tuple(f.path for f in report.files), report)


def rule_catalog() -> dict[str, RuleInfo]:
    """Every finding code slac can report: load, schema, template and semantic rules."""
    infos = {info.code: info for info in FIXED_CODES}
    infos.update({code: entry.info for code, entry in REGISTRY.items()})
    return dict(sorted(infos.items()))


def compile_plan(path: str, *, today: date | None = None) -> Result[Plan]:
    """Lint the contract at ``path`` and, when it has no errors, compile its plan (the value;
    None when lint found errors). Warnings do not stop compilation."""
    report = Checker(KINDS, today).check_paths([path], every_file=True)
    checked = report.files[0] if report.files else None
    if checked is None or checked.contract is None or not checked.ok:
        return Result(None, report)
    contract = checked.contract
    if contract.is_template:
        # A template may leave out what a contract supplies: only what extends it compiles.
        where = contract.document.locate(("kind",))
        why = "a template (kind: template): use a contract that extends it"
        return Result(None, report, (f"{where}: {why}",))
    return Result(compile_contract(contract, KINDS), report)


def warehouse_sql(
    contract: str,
    dialect: str,
    *,
    period: str,
    through: str | None = None,
    tables: Sequence[str] = (),
    today: date | None = None,
) -> Result[str]:
    """The measurement SQL of ``contract`` over ``period`` [.. ``through``] for ``dialect``
    (docs/warehouse-sql.md). ``tables``: ``DATASET=schema.table`` entries (by default a
    dataset is read from the table of its own name). An objective the dialect cannot express
    is an error naming it, with its place in the contract."""
    from slac.evaluation.evaluate import months_asked
    from slac.evaluation.warehouse import script

    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    named: dict[str, str] = {}
    for entry in tables:
        name, sep, target = entry.partition("=")
        if not sep or not name or not target:
            return Result(None, report, (f"--table {entry!r}: expected DATASET=TABLE",))
        if name not in {d.name for d in plan.datasets}:
            return Result(None, report, (f"--table {entry!r}: no dataset '{name}'",))
        named[name] = target
    try:
        months = months_asked(plan, period, through)
    except ValueError as err:
        return Result(None, report, (str(err),))
    made = script(plan, months, KINDS, dialect, named)
    if made.text is not None:
        return Result(made.text, report)
    return Result(None, report, _objective_errors(contract, report, made.problems))


def _objective_errors(
    contract: str, report: CheckReport, problems: Sequence[Problem]
) -> tuple[str, ...]:
    """Each problem as an error naming its objective where it is written: the contract's own
    entry, or the template's for an objective it inherits through `extends`."""
    checked = report.files[0].contract if report.files else None
    located = {o.id: str(o.location) for o in (checked.objectives if checked else ())}
    errors = []
    for problem in problems:
        if problem.objective is None:
            errors.append(problem.message)
            continue
        where = located.get(problem.objective, contract)
        errors.append(f"{where}: objective '{problem.objective}': {problem.message}")
    return tuple(errors)


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as canonical JSON data, with ``plan_sha256``."""
    return plan_json(plan)


def explain(path: str, *, fmt: str = "text", today: date | None = None) -> Result[str]:
    """Lint and compile the contract at ``path`` and explain its plan in plain English
    (``fmt``: ``text`` or ``md``). The words are read from the plan only."""
    from slac.plan.explain import explain as explain_plan

    compiled = compile_plan(path, today=today)
    plan = compiled.value
    text = None if plan is None else explain_plan(plan, KINDS, fmt)
    return Result(text, compiled.report, compiled.errors)


def evaluate(
    contract: str,
    *,
    data: Sequence[str] = (),
    bindings: str | None = None,
    period: str | None = None,
    through: str | None = None,
    on_bad_rows: str = "error",
    evidence: str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    as_of: AsOf = AT_PERIOD_END,
    ledger: str | None = None,
    engine: str = "duckdb",
) -> Result[Results]:
    """Compile ``contract`` and evaluate it over its data.

    Data comes from ``bindings`` (a bindings file; by default ``bindings.yaml`` beside the
    contract, when there is one) and ``data`` (``NAME=PATH`` entries, which win). The value is
    the results; the errors name file and row of bad data. ``period``/``through`` take months
    (``2026-10``), quarters or years; without them every month the data covers is evaluated.
    Evidence that cannot be written to ``evidence`` raises :class:`slac.files.OutputError`.
    With ``ledger`` (a period ledger that exists), the months closed there before the
    evaluated ones are what chronic failure, escalations and rolling caps know of them.
    ``engine``: ``duckdb`` (embedded) or ``spark`` (Spark local mode or ``SLAC_SPARK_MASTER``;
    Parquet files or Spark tables; docs/engines.md): the results are the same but for the
    engine named.
    """
    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    return _evaluate_compiled(
        contract,
        plan,
        report,
        _Setting(data, bindings, period, through, on_bad_rows, today, as_of),
        evidence=evidence,
        progress=progress,
        ledger=ledger,
        engine=engine,
    )


@dataclass(frozen=True)
class _Setting:
    """What every contract of a run is evaluated with."""

    data: Sequence[str] = ()
    bindings: str | None = None
    period: str | None = None
    through: str | None = None
    on_bad_rows: str = "error"
    today: date | None = None
    as_of: AsOf = AT_PERIOD_END


def _evaluate_compiled(
    contract: str,
    plan: Plan,
    report: CheckReport,
    setting: _Setting,
    *,
    evidence: str | None = None,
    progress: Progress | None = None,
    ledger: str | None = None,
    run: _SharedRun | None = None,
    engine: str = "duckdb",
) -> Result[Results]:
    """Evaluate a compiled contract: alone (on the ``engine`` named), or with ``run`` in a
    portfolio's DuckDB engine."""
    closed: tuple[EarlierPeriod, ...] = ()
    overrides: tuple[AppliedOverride, ...] = ()
    if ledger is not None:
        from slac.ledger.model import LedgerError

        try:
            closed, overrides = _ledger_history(ledger, plan.contract_id)
        except LedgerError as err:
            return Result(None, report, (str(err),))
    if run is None:
        sources, errors, missing = _resolve_sources(contract, setting.data, setting.bindings)
        errors.extend(_unknown_datasets(plan, sources.values(), setting.today))
    else:
        sources, errors, missing = run.sources(contract, plan, setting)
        # A portfolio reports each contract by its errors: a path missing is one of them.
        errors.extend(f"no such file: {path}" for path in missing)
    if missing:
        report = dataclasses.replace(report, missing=(*report.missing, *missing))
    if errors or missing:
        return Result(None, report, tuple(errors))
    # In a portfolio run on several threads, only the evaluations run at the same time.
    with contextlib.nullcontext() if run is None else run.workers.evaluating():
        outcome = evaluate_plan(
            plan,
            sources,
            kinds=KINDS,
            period=setting.period,
            through=setting.through,
            exclude_bad_rows=setting.on_bad_rows == "exclude",
            evidence=evidence,
            progress=progress,
            as_of=setting.as_of,
            closed=closed,
            overrides=overrides,
            engine=None if run is None else run.engine,
            shared=None if run is None else run.shared,
            engine_name=engine,
        )
    return Result(outcome.results, report, outcome.errors)


def _ledger_history(
    ledger: str, contract_id: str
) -> tuple[tuple[EarlierPeriod, ...], tuple[AppliedOverride, ...]]:
    """The months of ``contract_id`` closed in ``ledger`` (which must exist), as later months
    see them, and its overrides. Raises :class:`slac.ledger.model.LedgerError`."""
    from slac.ledger.records import applied_overrides, earlier_periods

    with _existing_ledger(ledger) as store:
        return earlier_periods(store.revisions(contract_id)), applied_overrides(
            store.overrides(contract_id)
        )


def _unknown_datasets(plan: Plan, sources: Iterable[Source], today: date | None) -> list[str]:
    """Bindings of datasets the contract does not have: a typo in a name would otherwise
    evaluate other data than the user named. A ``bindings.yaml`` may bind the datasets of
    every contract beside it; only names none of them has are wrong there (lint's B102)."""
    known = sorted(d.name for d in plan.datasets)
    errors: list[str] = []
    shared: set[str] = set()
    for source in sources:
        if source.dataset in known:
            continue
        where = source.origin.file
        if os.path.basename(where) == BINDINGS_FILE:
            shared.add(where)
            continue
        errors.append(
            f"{source.origin}: '{source.dataset}' is not a dataset of the contract "
            f"(its datasets: {', '.join(known)})"
        )
    for path in sorted(shared):
        report = Checker(KINDS, today).check_paths([path], every_file=True)
        errors.extend(
            f"{d.location}: {d.code} {d.severity.value}: {d.message}"
            for d in report.diagnostics
            if d.code == "B102"
        )
    return errors


def _resolve_sources(
    contract: str,
    data: Sequence[str],
    bindings: str | None,
    read: Callable[[str], BindingsResult] = read_bindings,
) -> tuple[dict[str, Source], list[str], list[str]]:
    """The data sources: a bindings file (explicit, or beside the contract) then ``--data``;
    the errors; the paths given that do not exist (a usage error, as for any other path)."""
    errors: list[str] = []
    groups: list[list[Source]] = []
    path = bindings
    if path is None:
        beside = os.path.join(os.path.dirname(contract), "bindings.yaml")
        path = beside if os.path.isfile(beside) else None
    if path is not None:
        if not os.path.isfile(path):
            return {}, [], [path]
        found = read(path)
        for diag in found.diagnostics:
            hint = f" ({diag.hint})" if diag.hint else ""
            errors.append(
                f"{diag.location}: {diag.code} {diag.severity.value}: {diag.message}{hint}"
            )
        groups.append(list(found.sources))
    given, problems, missing = parse_data_options(data)
    errors.extend(problems)
    groups.append(given)
    return merge_sources(*groups), errors, missing


# ---------------------------------------------------------------- portfolios


@dataclass(frozen=True)
class Portfolio(Generic[T]):
    """What a run over many contracts did: each contract done (its path and what it gave:
    results, a closed period), and each that failed (its path and why), in path order. One
    contract failing stops none of the others."""

    done: tuple[tuple[str, T], ...]
    failed: tuple[tuple[str, tuple[str, ...]], ...]


class _SharedRun:
    """One engine for the contracts of a portfolio, the sources read into it once (each
    contract takes its rows by its binding's ``where``), and each bindings file read once."""

    def __init__(self, engine: Engine, known: set[str]) -> None:
        self.workers = Workers(engine)
        self.shared = SharedSources()
        self.known = known  # the datasets of every contract of the portfolio
        self._read: dict[str, BindingsResult] = {}

    @property
    def engine(self) -> Engine:
        """The engine of the thread asking (each job has its own connection)."""
        return self.workers.engine

    def _bindings(self, path: str) -> BindingsResult:
        if path not in self._read:
            self._read[path] = read_bindings(path)
        return self._read[path]

    def sources(
        self, contract: str, plan: Plan, setting: _Setting
    ) -> tuple[dict[str, Source], list[str], list[str]]:
        sources, errors, missing = _resolve_sources(
            contract, setting.data, setting.bindings, self._bindings
        )
        # One bindings file serves the whole portfolio: only a dataset that no contract of
        # it has is a typo.
        errors.extend(
            f"{s.origin}: '{s.dataset}' is not a dataset of any contract given"
            for s in sources.values()
            if s.dataset not in self.known
        )
        return sources, errors, missing


def _portfolio(
    paths: Sequence[str], today: date | None
) -> tuple[CheckReport, list[tuple[str, Plan | None, tuple[str, ...]]]]:
    """The contracts found under ``paths`` (files, folders, globs), checked together (so that
    a contract id given twice is a finding): each with its plan, or the errors that stopped it."""
    from slac.contract.discovery import discover_contracts

    found = discover_contracts(paths)
    report = Checker(KINDS, today).check_paths(found.files, every_file=True)
    report = dataclasses.replace(report, missing=(*report.missing, *found.missing))
    out: list[tuple[str, Plan | None, tuple[str, ...]]] = []
    for checked in report.files:
        contract = checked.contract
        if contract is None or not checked.ok:
            out.append((checked.path, None, (f"{checked.path}: {LINT_ERRORS}",)))
        elif contract.is_template:
            where = contract.document.locate(("kind",))
            why = "a template (kind: template): use a contract that extends it"
            out.append((checked.path, None, (f"{where}: {why}",)))
        else:
            out.append((checked.path, compile_contract(contract, KINDS), ()))
    return report, out


@contextlib.contextmanager
def _shared_run(plans: Iterable[Plan | None]) -> Iterator[_SharedRun | str]:
    """The engine of a portfolio run (or why it cannot start), closed at the end."""
    from slac.evaluation.sqltext import EngineSettingError

    try:
        engine = Engine()
    except EngineSettingError as err:
        yield str(err)
        return
    try:
        yield _SharedRun(engine, {d.name for p in plans if p for d in p.datasets})
    finally:
        engine.close()


@contextlib.contextmanager
def _run_on(engine: str, plans: Iterable[Plan | None]) -> Iterator[_SharedRun | str | None]:
    """The portfolio's shared DuckDB engine, as :func:`_shared_run`; on another engine None:
    its one contract is evaluated on an engine of its own."""
    if engine != "duckdb":
        yield None
        return
    with _shared_run(plans) as run:
        yield run


def _prefixed(contract: str, errors: Sequence[str]) -> tuple[str, ...]:
    return tuple(e if e.startswith(contract) else f"{contract}: {e}" for e in errors)


def evaluate_portfolio(
    paths: Sequence[str],
    *,
    data: Sequence[str] = (),
    bindings: str | None = None,
    period: str | None = None,
    through: str | None = None,
    on_bad_rows: str = "error",
    today: date | None = None,
    progress: Progress | None = None,
    as_of: AsOf = AT_PERIOD_END,
    ledger: str | None = None,
    ledgers_beside: bool = False,
    jobs: int | None = None,
) -> Result[Portfolio[Results]]:
    """Evaluate many contracts (``paths``: files, folders, globs) in one engine: a source bound
    by several of them (the same files, columns and field types) is read once, and each
    contract takes its rows from it by its binding's ``where`` (docs/portfolios.md). Each
    contract's results are those :func:`evaluate` gives it alone, byte for byte.

    ``bindings``: one bindings file for every contract (default: the bindings.yaml beside
    each). ``ledger``: one period ledger for all; with ``ledgers_beside``, each contract reads
    the ledger.duckdb beside it when there is one. The value lists the contracts evaluated and
    those that failed; ``errors`` holds the failures' errors, each starting with the contract's
    path (its lint findings are in the report, with file:line:col). ``jobs``: contracts
    evaluated at the same time, each on a thread of its own (default: one per processor); the
    results are the same for any number."""
    setting = _Setting(data, bindings, period, through, on_bad_rows, today, as_of)
    return _each_contract(
        paths,
        today,
        progress,
        "evaluating",
        lambda contract, plan, report, run: _evaluate_compiled(
            contract,
            plan,
            report,
            setting,
            ledger=_ledger_of(contract, ledger, ledgers_beside),
            run=run,
        ),
        jobs,
    )


def _each_contract(
    paths: Sequence[str],
    today: date | None,
    progress: Progress | None,
    doing: str,
    work: Callable[[str, Plan, CheckReport, _SharedRun], Result[T]],
    jobs: int | None,
) -> Result[Portfolio[T]]:
    """``work`` done for each contract found under ``paths`` in one shared engine, on up to
    ``jobs`` threads (default: one per processor): a contract that fails (lint errors, bad
    data, a refusal) is listed with its errors, each starting with its path, and stops none
    of the others."""
    report, compiled = _portfolio(paths, today)
    outcomes: dict[int, Result[T]] = {}
    with _shared_run(p for _, p, _ in compiled) as run:
        if isinstance(run, str):
            return Result(None, report, (run,))
        shared = run

        def one(item: tuple[int, str, Plan]) -> None:
            number, contract, plan = item
            if progress is not None:
                progress(f"{doing} {number}/{len(compiled)}: {contract}")
            outcomes[number] = work(contract, plan, report, shared)

        todo = [(n, c, p) for n, (c, p, _) in enumerate(compiled, start=1) if p is not None]
        run.workers.each(todo, one, jobs or default_jobs())
    done: list[tuple[str, T]] = []
    failed: list[tuple[str, tuple[str, ...]]] = []
    for number, (contract, _, errors) in enumerate(compiled, start=1):
        outcome = outcomes.get(number)
        if outcome is None:
            failed.append((contract, errors))
        elif outcome.value is None:
            failed.append((contract, _prefixed(contract, outcome.errors)))
        else:
            done.append((contract, outcome.value))
    return Result(
        Portfolio(tuple(done), tuple(failed)),
        report,
        tuple(e for _, errors in failed for e in errors),
    )


def _ledger_of(contract: str, ledger: str | None, beside: bool) -> str | None:
    if ledger is not None or not beside:
        return ledger
    path = default_ledger(contract)
    return path if os.path.isfile(path) else None


def results_document(results: Results) -> dict[str, Any]:
    """The results as canonical JSON data, with ``results_sha256``."""
    return results_json(results)


def credits_ledger(
    contracts: Sequence[str],
    *,
    period: str | None = None,
    through: str | None = None,
    fmt: str = "csv",
    on_bad_rows: str = "error",
    today: date | None = None,
    ledger: str | None = None,
    as_of: AsOf = AT_PERIOD_END,
    engine: str = "duckdb",
    jobs: int | None = None,
) -> Result[str]:
    """Evaluate a portfolio of contracts (``contracts``: files, folders, globs; each with the
    bindings.yaml beside it, each given once) in one engine, as :func:`evaluate_portfolio`
    does, and return the finance ledger as CSV or JSON (the value): one row per line of each
    month's credit note, adding up to its credit (docs/ledger.md, "The credit export"). A
    contract that fails (lint errors, bad data) is left out of the ledger and its errors are
    in ``errors`` (each starting with its path): the others are still exported. The report
    holds the findings of every contract.

    With ``ledger`` (a period ledger: a DuckDB file or a PostgreSQL URL), the periods closed
    there are taken as stored at their close, never recomputed, marked closed and numbered
    with their revision; the others are evaluated now (as known at ``as_of``) and marked
    draft. Overrides recorded against a month after its close are listed at 0.

    ``engine``: as for :func:`evaluate`; another engine than ``duckdb`` takes one contract
    (a portfolio shares one DuckDB engine). ``jobs``: as for :func:`evaluate_portfolio`."""
    from slac.documents.exports import ledger as exported_ledger
    from slac.documents.exports import to_csv, to_json

    seen: dict[str, str] = {}
    report, compiled = _portfolio(contracts, today)
    setting = _Setting((), None, period, through, on_bad_rows, today, as_of)
    refused = portfolio_engine_refused(engine)
    if refused is not None and len(compiled) > 1:
        return Result(None, report, (refused,))
    # By each contract's place among those given: its results (and plan), or its errors.
    found: dict[int, tuple[Results, Plan]] = {}
    failures: dict[int, tuple[str, ...]] = {}
    with _run_on(engine, (p for _, p, _ in compiled)) as run:
        if isinstance(run, str):
            return Result(None, report, (run,))
        todo: list[tuple[int, str, Plan]] = []
        for number, (contract, plan, stopped) in enumerate(compiled):
            if plan is None:
                failures[number] = stopped
                continue
            contract_id = plan.contract_id
            if contract_id in seen:
                # Its credit notes would share numbers with those of the first one.
                failures[number] = (
                    f"{contract}: contract {contract_id} is already given ({seen[contract_id]}):"
                    " give each contract once",
                )
                continue
            seen[contract_id] = contract
            if ledger is not None and period is not None:
                # Every month asked for is closed: its figures are in the ledger, and the data
                # (perhaps archived since) is not read at all.
                from slac.ledger.model import LedgerError

                try:
                    issued = _all_closed(ledger, plan, period, through)
                except LedgerError as err:
                    failures[number] = (f"{contract}: {err}",)
                    continue
                if issued is not None:
                    found[number] = (issued, plan)
                    continue
            todo.append((number, contract, plan))

        def one(item: tuple[int, str, Plan]) -> None:
            number, contract, plan = item
            outcome = _evaluate_compiled(
                contract, plan, report, setting, ledger=ledger, run=run, engine=engine
            )
            if outcome.value is None:
                failures[number] = _prefixed(contract, outcome.errors)
            else:
                found[number] = (outcome.value, plan)

        if run is None:  # another engine: its one contract
            for item in todo:
                one(item)
        else:
            run.workers.each(todo, one, jobs or default_jobs())
    evaluated = [found[n] for n in sorted(found)]
    errors = [e for n in sorted(failures) for e in failures[n]]
    if not evaluated:
        return Result(None, report, tuple(errors) or ("no contract to export",))
    if ledger is None:
        whole = exported_ledger(evaluated)
    else:
        from slac.ledger.model import LedgerError

        try:
            whole = _ledger_from_store(evaluated, ledger, period, through)
        except LedgerError as err:
            return Result(None, report, (*errors, str(err)))
    if fmt == "json":
        return Result(to_json(whole.rows, whole.overrides), report, tuple(errors))
    return Result(to_csv(whole.rows), report, tuple(errors))


def _all_closed(ledger: str, plan: Plan, period: str, through: str | None) -> Results | None:
    """The results of the months from ``period`` to ``through`` as issued, when the ledger has
    closed every one of them; None when one is not closed."""
    from slac.evaluation.evaluate import months_asked
    from slac.ledger.records import latest_revisions, stored_results, with_closed_periods

    wanted = months_asked(plan, period, through)
    with _existing_ledger(ledger) as store:
        every = latest_revisions(store.revisions(plan.contract_id))
    closed = {m: r for m, r in every.items() if m in wanted}
    if set(closed) != set(wanted):
        return None
    return with_closed_periods(stored_results(closed[wanted[-1]]), closed, plan, later=every)


def _ledger_from_store(
    evaluated: Sequence[tuple[Results, Plan]],
    ledger: str,
    period: str | None,
    through: str | None,
) -> Ledger:
    """The export with the closed periods of ``ledger`` as stored at their close, numbered
    with their revision, and the overrides recorded against each month."""
    from slac.documents.exports import ledger as exported_ledger
    from slac.documents.notes import Issued
    from slac.evaluation.evaluate import months_asked
    from slac.ledger.records import latest_revisions, with_closed_periods

    merged: list[tuple[Results, Plan]] = []
    issued: dict[tuple[str, str], Issued] = {}
    recorded: dict[tuple[str, str], list[Override]] = {}
    with _existing_ledger(ledger) as store:
        for results, plan in evaluated:
            wanted = set(months_asked(plan, period, through)) if period else None
            every = latest_revisions(store.revisions(results.contract_id))
            closed = {m: r for m, r in every.items() if wanted is None or m in wanted}
            for override in store.overrides(results.contract_id):
                recorded.setdefault((results.contract_id, override.period), []).append(override)
            for month, record in closed.items():
                # The plan it was evaluated with, as stored.
                issued[(results.contract_id, month)] = Issued(record.revision, record.plan_sha256)
            merged.append((with_closed_periods(results, closed, plan, later=every), plan))
    return exported_ledger(merged, issued=issued, recorded=recorded)


# ---------------------------------------------------------------- the period ledger

LEDGER_FILE = "ledger.duckdb"  # the default ledger, beside the contract


def default_ledger(contract: str) -> str:
    """Where a contract's ledger is when none is named: ledger.duckdb beside it."""
    return os.path.join(os.path.dirname(contract), LEDGER_FILE)


def _existing_ledger(ledger: str) -> Store:
    """A ledger that must already exist (reading a path nobody closed into is a typo)."""
    from slac.ledger.model import LedgerError
    from slac.ledger.store import POSTGRES_SCHEMES, open_store

    if not ledger.startswith(POSTGRES_SCHEMES) and not os.path.isfile(ledger):
        raise LedgerError(f"no ledger at {ledger} (slac close creates it)")
    return open_store(ledger)


def close_period(
    contract: str,
    period: str,
    *,
    closed_by: str,
    ledger: str | None = None,
    reopen: bool = False,
    reason: str | None = None,
    data: Sequence[str] = (),
    bindings: str | None = None,
    on_bad_rows: str = "error",
    today: date | None = None,
    progress: Progress | None = None,
    as_of: AsOf = AT_PERIOD_END,
    engine: str = "duckdb",
) -> Result[ClosedPeriod]:
    """Evaluate one month of ``contract`` and record it as closed in ``ledger`` (default:
    :func:`default_ledger`), in one transaction. A closed month is refused unless ``reopen``
    (with a ``reason``), which records the next revision. The value is what was stored.
    ``engine``: what evaluates the month, as for :func:`evaluate` (the ledger is written as
    always)."""
    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    setting = _Setting(data, bindings, period, period, on_bad_rows, today, as_of)
    return _close_compiled(
        contract, plan, report, setting, closed_by, ledger, reopen, reason, progress, engine=engine
    )


def _close_compiled(
    contract: str,
    plan: Plan,
    report: CheckReport,
    setting: _Setting,
    closed_by: str,
    ledger: str | None,
    reopen: bool,
    reason: str | None,
    progress: Progress | None,
    run: _SharedRun | None = None,
    engine: str = "duckdb",
) -> Result[ClosedPeriod]:
    from slac.ledger.model import LedgerError
    from slac.ledger.records import closed_period
    from slac.ledger.store import open_store

    assert setting.period is not None
    period = setting.period
    target = ledger or default_ledger(contract)
    try:
        # Checked before evaluating (which may take minutes), and again by the database when
        # the close is written: the revision is unique, so of two closes one wins.
        with open_store(target) as store:
            latest = store.latest(plan.contract_id, period)
    except LedgerError as err:
        return Result(None, report, (str(err),))
    if latest is not None and not reopen:
        return Result(
            None,
            report,
            (
                f"{plan.contract_id} {period} is closed (revision {latest.revision}, by "
                f"{latest.closed_by} at {latest.closed_at:%Y-%m-%d %H:%M:%S} UTC): to close it "
                "again, give --reopen --reason TEXT",
            ),
        )
    if latest is None and reopen:
        return Result(
            None, report, (f"{plan.contract_id} {period} is not closed: leave out --reopen",)
        )
    outcome = _evaluate_compiled(
        contract,
        plan,
        report,
        setting,
        progress=progress,
        ledger=target,  # the months closed before this one (opened above: it exists)
        run=run,
        engine=engine,
    )
    if outcome.value is None:
        return Result(None, outcome.report, outcome.errors)
    try:
        record = closed_period(
            outcome.value,
            period,
            revision=1 if latest is None else latest.revision + 1,
            closed_by=closed_by,
            closed_at=datetime.now(UTC).replace(microsecond=0),
            reason=reason if reopen else None,
        )
        with open_store(target) as store:
            store.record_close(record)
    except LedgerError as err:
        return Result(None, outcome.report, (str(err),))
    return Result(record, outcome.report)


def close_portfolio(
    paths: Sequence[str],
    period: str,
    *,
    closed_by: str,
    ledger: str | None = None,
    reopen: bool = False,
    reason: str | None = None,
    data: Sequence[str] = (),
    bindings: str | None = None,
    on_bad_rows: str = "error",
    today: date | None = None,
    progress: Progress | None = None,
    as_of: AsOf = AT_PERIOD_END,
    jobs: int | None = None,
) -> Result[Portfolio[ClosedPeriod]]:
    """Close ``period`` for many contracts (``paths``: files, folders, globs), as
    :func:`close_period` closes one, each in its own transaction in its ledger (``ledger``, or
    the ledger.duckdb beside each), evaluated in one engine as :func:`evaluate_portfolio`
    does (``jobs`` as there: the ledgers are written one contract at a time). One contract
    refused (lint errors, bad data, already closed) stops none of the others; the value lists
    the closed periods and the contracts that failed."""
    setting = _Setting(data, bindings, period, period, on_bad_rows, today, as_of)
    return _each_contract(
        paths,
        today,
        progress,
        "closing",
        lambda contract, plan, report, run: _close_compiled(
            contract, plan, report, setting, closed_by, ledger, reopen, reason, None, run
        ),
        jobs,
    )


def add_override(
    contract: str,
    period: str,
    *,
    target: str,
    action: str,
    value: str | None,
    reason: str,
    author: str,
    ledger: str | None = None,
    today: date | None = None,
) -> Result[Override]:
    """Record an override against a period of ``contract`` (closed or not), checked against
    its plan; append-only. The value is what was stored."""
    from slac.ledger.model import LedgerError
    from slac.ledger.records import new_override
    from slac.ledger.store import open_store

    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    try:
        override = new_override(
            plan,
            period,
            target=target,
            action=action,
            value=value,
            reason=reason,
            author=author,
            created_at=datetime.now(UTC),
        )
        with open_store(ledger or default_ledger(contract)) as store:
            store.add_override(override)
    except LedgerError as err:
        return Result(None, report, (str(err),))
    return Result(override, report)


def history(
    contract: str, *, ledger: str | None = None, fmt: str = "text", today: date | None = None
) -> Result[str]:
    """The ledger of ``contract`` (closed periods, their revisions, overrides) as text or
    JSON."""
    from slac.documents.history import history_json, history_text
    from slac.ledger.model import LedgerError

    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    try:
        with _existing_ledger(ledger or default_ledger(contract)) as store:
            periods = store.revisions(plan.contract_id)
            overrides = store.overrides(plan.contract_id)
    except LedgerError as err:
        return Result(None, report, (str(err),))
    render = history_json if fmt == "json" else history_text
    return Result(render(plan.contract_id, periods, overrides), report)


def statement(
    contract: str,
    *,
    fmt: str = "md",
    template: str | None = None,
    data: Sequence[str] = (),
    bindings: str | None = None,
    period: str | None = None,
    through: str | None = None,
    on_bad_rows: str = "error",
    today: date | None = None,
    timestamp: bool = False,
    as_of: AsOf = AT_PERIOD_END,
    ledger: str | None = None,
    locale: str = "en",
    engine: str = "duckdb",
) -> Result[str | bytes]:
    """Evaluate ``contract`` and render its compliance statement (``md``, ``txt``, ``html``,
    ``pdf``, ``credit-note``), or render it with the user's own Jinja2 ``template`` in a
    sandbox. ``ledger``: as for :func:`evaluate` (its overrides are applied and listed).
    ``locale``: the language and layout of the statement (``en``, ``de``, ``de_CH``,
    ``de-CH``: :func:`statement_locales` lists the languages); an unknown one is an error.
    ``engine``: as for :func:`evaluate`."""
    from slac.documents.locales import LocaleError, language

    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    try:  # a locale slac cannot write is known before the data is read
        language(locale)
    except LocaleError as err:
        return Result(None, report, (str(err),))
    outcome = evaluate(
        contract,
        data=data,
        bindings=bindings,
        period=period,
        through=through,
        on_bad_rows=on_bad_rows,
        today=today,
        as_of=as_of,
        ledger=ledger,
        engine=engine,
    )
    if outcome.value is None:
        return Result(None, outcome.report, outcome.errors)
    return _render_view(outcome.value, plan, locale, report, fmt, template, timestamp)


def render_saved(
    results_path: str,
    contract: str,
    *,
    fmt: str = "md",
    template: str | None = None,
    today: date | None = None,
    timestamp: bool = False,
    locale: str = "en",
) -> Result[str | bytes]:
    """Render saved results (``slac evaluate -o``) as a statement. The results must be
    untampered (their ``results_sha256``), from this slac version, and of this contract
    (the compiled plan's hash must equal the one the results were evaluated with).
    ``locale``: as for :func:`statement`."""
    from slac.evaluation.saved import SavedResultsError, read_results

    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    try:
        results = read_results(results_path)
    except SavedResultsError as err:
        return Result(None, report, (str(err),))
    expected = plan_json(plan)["plan_sha256"]
    if results.plan_sha256 != expected:
        return Result(
            None,
            report,
            (
                f"{results_path} was evaluated with plan {results.plan_sha256[:12]}…, but "
                f"{contract} compiles to {expected[:12]}…: the contract changed; evaluate again",
            ),
        )
    return _render_view(results, plan, locale, report, fmt, template, timestamp)


def statement_locales() -> tuple[str, ...]:
    """The languages slac writes statements in (``en``, ``de``, …): the ``locale`` of
    :func:`statement` and :func:`render_saved` is one of them, or one of their regional
    variants (``de_CH``), whose numbers, money and dates are laid out for the region."""
    from slac.documents.locales import available

    return available()


def _render_view(
    results: Results,
    plan: Plan,
    locale: str,
    report: CheckReport,
    fmt: str,
    template: str | None,
    timestamp: bool,
) -> Result[str | bytes]:
    from slac.documents.locales import LocaleError
    from slac.documents.statements import TemplateProblem
    from slac.documents.view import statement_view

    try:
        # The packaged Markdown, text and credit-note statements show no chart: matplotlib is
        # neither imported nor run for them (about a second). A user's template may embed one.
        charts = template is not None or fmt in CHART_FORMATS
        view = statement_view(results, plan, locale, charts=charts)
    except LocaleError as err:
        return Result(None, report, (str(err),))
    try:
        return Result(_render(view, fmt, template, timestamp), report)
    except TemplateProblem as problem:
        return Result(None, report, (str(problem),))


def _render(
    view: dict[str, Any], fmt: str, template: str | None, timestamp: bool = False
) -> str | bytes:
    """A statement from its view: the user's template, the PDF, or a packaged template.
    Template problems are raised as ``TemplateProblem`` (callers report them)."""
    from slac.documents.isolated import render_isolated
    from slac.documents.statements import render_pdf, render_statement

    if timestamp:
        from datetime import UTC, datetime

        view = {**view, "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat()}
    if template is not None:
        return render_isolated(view, template)  # in a child process with CPU and memory limits
    if fmt == "pdf":
        return render_pdf(view)
    return render_statement(view, fmt)


def test_examples(paths: Sequence[str], *, today: date | None = None) -> Result[TestRun]:
    """Run the worked examples (``*.tests.yaml``) found under ``paths`` (files, folders, or
    contracts whose worked examples sit beside them) through the real evaluation; the paths
    that do not exist are the report's ``missing``."""
    from slac.review.examples_run import run_paths

    run = run_paths(paths, today=today)
    return Result(run, CheckReport((), tuple(run.missing)))


def test_report(run: TestRun, fmt: str = "text") -> tuple[str, int]:
    """The report of a test run (``text`` or ``junit``) and its exit code (pytest's: 0 all
    passed, 1 some failed, 2 a file could not be run or a path is missing, 5 none found)."""
    from slac.review.examples_report import exit_code, report_junit, report_text

    return (report_junit(run) if fmt == "junit" else report_text(run)), exit_code(run)


def diff(old: str, new: str, *, fmt: str = "text", today: date | None = None) -> Result[str]:
    """Compare two versions of a contract by meaning: each is a file or ``REV:PATH`` (a git
    revision, its templates read from the same revision). Returns the diff (``text``, ``md``
    or ``json``) with the change in maximum exposure per period, or the errors that stopped
    it, and the lint report of each version."""
    from slac.review.diff import RENDERERS, diff_plans
    from slac.review.revisions import check_version, parse_version

    plans: list[Plan] = []
    errors: list[str] = []
    reports: list[CheckReport] = []
    for spec in (old, new):
        version = parse_version(spec)
        checked = check_version(version, today)
        if checked is None:
            errors.append(f"no such file: {spec}")
            continue
        reports.append(CheckReport((checked,)))
        if not checked.ok:
            errors.append(f"{version.label}: the contract has lint errors")
            continue
        assert checked.contract is not None  # ok: it built
        plans.append(compile_contract(checked.contract, KINDS))
    report = CheckReport(tuple(f for r in reports for f in r.files))
    if errors:
        return Result(None, report, tuple(errors))
    return Result(RENDERERS[fmt](diff_plans(plans[0], plans[1], old, new)), report)


def simulate(
    contract: str,
    *,
    period: str | None = None,
    attainment: Sequence[str] = (),
    outage: Sequence[str] = (),
    no_data: bool = False,
    fmt: str = "text",
    today: date | None = None,
) -> Result[str]:
    """What-if exposure of ``contract``: every credited objective's credit curve, and the
    scenarios asked for: ``attainment`` (``-2``: every objective 2 points worse than its
    target), ``outage`` (``4h``: that much downtime for the availability objectives) and
    ``no_data`` (a month without rows). ``period`` is the month simulated."""
    from decimal import Decimal, InvalidOperation

    from slac.contract.units import parse_duration
    from slac.evaluation.periods import first_day
    from slac.evaluation.tasks import terms_on
    from slac.review.simulate import simulate as run
    from slac.review.simulate_report import RENDERERS

    compiled = compile_plan(contract, today=today)
    plan, report = compiled.value, compiled.report
    if plan is None:
        return Result(None, report, compiled.errors or (LINT_ERRORS,))
    errors: list[str] = []
    points: list[Decimal] = []
    for text in attainment:
        try:
            value = Decimal(text.strip())
            if not value.is_finite():
                raise InvalidOperation(text)
            points.append(abs(value))
        except InvalidOperation:
            errors.append(f"--attainment takes points, such as -2: not {text!r}")
    seconds: list[Decimal] = []
    for text in outage:
        parsed = parse_duration(text)
        if parsed is None or parsed.seconds is None or parsed.business:
            errors.append(f"--outage takes a duration, such as 4h or 90m: not {text!r}")
        else:
            seconds.append(parsed.seconds)
    if period is not None and terms_on(plan, first_day(period)) is None:
        errors.append(f"--period {period} is outside the contract's life")
    if errors:
        return Result(None, report, tuple(errors))
    simulation = run(plan, month=period, attainment=points, outages=seconds, no_data=no_data)
    return Result(RENDERERS[fmt](simulation), report)


def init(
    template: str,
    contract_id: str,
    output: str,
    *,
    bindings: str | None = None,
    force: bool = False,
    today: date | None = None,
) -> Result[tuple[str, ...]]:
    """Write a new contract on ``template`` (a path, or a name such as ``gold`` found in
    ``examples/templates`` or ``templates``) to ``output``, and a bindings skeleton beside it
    (or to ``bindings``). Existing files are kept unless ``force``. Returns the paths written,
    or the errors that stopped it (nothing is written then)."""
    from slac.contract.scaffold import ID_PATTERN, SEARCH, find_template, scaffold
    from slac.files import write_output

    found = find_template(template)
    errors: list[str] = []
    if found is None:
        errors.append(
            f"no template {template!r}: give a path, or a name found in {', '.join(SEARCH)}"
        )
    if not ID_PATTERN.fullmatch(contract_id):
        errors.append(f"--id {contract_id!r}: lower-case letters, digits, '.', '_' and '-'")
    beside = os.path.join(os.path.dirname(output), "bindings.yaml")
    targets = [output, bindings or beside]
    if not force:
        errors.extend(
            f"{p} exists: use --force to replace it" for p in targets if os.path.exists(p)
        )
    if errors or found is None:
        return Result(None, CheckReport(()), tuple(errors))
    made = scaffold(found, output, contract_id, today or date.today())
    write_output(targets[0], made.contract)
    write_output(targets[1], made.bindings)
    return Result(tuple(targets), CheckReport(()))
