"""Run worked examples through the real evaluation (DuckDB) and compare every expected figure.

Each example's rows are written to files in a scratch folder and evaluated exactly as
``slac evaluate`` evaluates bound data; naive timestamps are read in the contract's zone.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from slac.contract.checker import Checker
from slac.contract.units import parse_money, parse_percent
from slac.diagnostics import Diagnostic, Location, has_errors, sorted_diagnostics
from slac.evaluation.evaluate import evaluate_plan
from slac.evaluation.measurement import scope_text
from slac.evaluation.results import ObjectiveResult, PeriodResult, Results
from slac.evaluation.runner import write_rows
from slac.kinds import KINDS
from slac.plan.compiler import compile_contract
from slac.plan.types import Plan
from slac.review import worked
from slac.review.worked import Check, Expectation, WorkedExample


@dataclass(frozen=True)
class Failure:
    """One expected figure that the contract did not produce."""

    location: Location
    message: str


@dataclass(frozen=True)
class ExampleOutcome:
    name: str
    location: Location
    failures: tuple[Failure, ...]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class FileOutcome:
    path: str
    contract: str
    examples: tuple[ExampleOutcome, ...]
    # Findings that stopped the file: its own (shape, references) or its contract's errors.
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def broken(self) -> bool:
        return has_errors(self.diagnostics)


@dataclass(frozen=True)
class TestRun:
    files: tuple[FileOutcome, ...]
    missing: tuple[str, ...] = field(default=())

    @property
    def examples(self) -> list[ExampleOutcome]:
        return [e for f in self.files for e in f.examples]


def run_paths(paths: Sequence[str], *, today: date | None = None) -> TestRun:
    """Find the worked-example files under ``paths`` and run every example in them."""
    found, missing = worked.discover(paths)
    checker = Checker(KINDS, today)
    return TestRun(tuple(run_file(p, checker) for p in found), tuple(missing))


def run_file(path: str, checker: Checker) -> FileOutcome:
    document, found = worked.load(path)
    if document is None or has_errors(found):
        return FileOutcome(path, "", (), tuple(sorted_diagnostics(found)))
    contract = worked.contract_of(path, document.data)
    report = checker.check_paths([contract])
    checked = report.files[0] if report.files else None
    if checked is None or checked.contract is None or not checked.ok:
        problem = worked.finding(
            "T101",
            f"the contract {contract} "
            + ("does not exist" if checked is None else "has lint errors"),
            document.locate(("contract",)),
        )
        return FileOutcome(
            path, contract, (), tuple(sorted_diagnostics([problem, *report.diagnostics]))
        )
    plan = compile_contract(checked.contract, KINDS)
    typed, problems = worked.read(document, contract, plan)
    if has_errors(problems):
        return FileOutcome(path, contract, (), tuple(sorted_diagnostics(problems)))
    return FileOutcome(path, contract, tuple(run_example(plan, e) for e in typed.examples))


def run_example(plan: Plan, example: WorkedExample) -> ExampleOutcome:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        rows = {name: list(items) for name, items in example.data}
        sources = write_rows(plan, rows, folder, KINDS, timezone=plan.timezone)
        outcome = evaluate_plan(
            plan, sources, kinds=KINDS, period=example.period, through=example.through
        )
    elapsed = time.perf_counter() - started
    if outcome.results is None:
        message = "the evaluation stopped: " + "\n".join(outcome.errors)
        return ExampleOutcome(
            example.name, example.location, (Failure(example.location, message),), elapsed
        )
    failures = [f for e in example.expect for f in compare(outcome.results, example, e)]
    return ExampleOutcome(example.name, example.location, tuple(failures), elapsed)


def compare(results: Results, example: WorkedExample, expected: Expectation) -> list[Failure]:
    month = expected.period or example.months[-1]
    period = next((p for p in results.periods if p.period == month), None)
    if period is None:
        return [Failure(expected.location, f"{month} was not evaluated")]
    if expected.objective is None:
        return [f for c in expected.checks if (f := _period_check(period, c)) is not None]
    found = [
        o
        for o in period.objectives
        if o.objective == expected.objective
        and (expected.scope is None or _scope(o.scope) == _scope(expected.scope))
    ]
    label = f"{expected.objective} in {month}"
    if expected.scope is not None:
        label += f" ({', '.join(f'{k}={v}' for k, v in expected.scope)})"
    if not found:
        return [
            Failure(
                expected.location,
                f"{label}: not judged (its period does not close in {month}, or no scope value matched)",
            )
        ]
    if len(found) > 1:
        values = "; ".join(scope_text(o.scope) for o in found)
        return [
            Failure(
                expected.location, f"{label}: judged per scope ({values}): say which with `scope:`"
            )
        ]
    result = found[0]
    if result.credit is None:
        # Under an at-risk pool the objective's credit is its allocation, a line of the period.
        pooled = (line for line in period.credit_lines if line.objective == result.objective)
        result = replace(result, credit=next(pooled, None))
    return [f for c in expected.checks if (f := _objective_check(result, c, label)) is not None]


def _scope(scope: Sequence[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in scope))


def _objective_check(result: ObjectiveResult, check: Check, label: str) -> Failure | None:
    key, want = check.key, check.expected
    got: Any
    if key == "measured":
        if result.measured is not None and worked.measured_matches(want, result.measured):
            return None
        got = "nothing measured" if result.measured is None else show(result.measured, result.unit)
    elif key == "credit":
        amount = result.credit.amount if result.credit is not None else Decimal(0)
        if amount == parse_money(str(want)):
            return None
        got = money(amount) + (
            f" (tier {result.credit.tier}: {result.credit.tier_text})"
            if result.credit
            else " (no credit line)"
        )
    elif key == "tier":
        got = result.credit.tier if result.credit is not None else None
        if got == want:
            return None
    elif key == "excluded":
        got = {e.exclusion: e.count for e in result.excluded if e.count}
        if {k: v for k, v in want.items() if v} == got:
            return None
    else:
        got = getattr(result, key)
        if got == want:
            return None
    context = f"{result.sample} judged"
    if key != "measured":
        value = "nothing" if result.measured is None else show(result.measured, result.unit)
        context = f"measured {value}, {context}"
    if result.reason:
        context += f"; {result.reason}"
    return Failure(
        check.location,
        f"{label}: {key}: expected {_text(want)}, got {_text(got)} ({result.status}, {context})",
    )


def _period_check(period: PeriodResult, check: Check) -> Failure | None:
    key, want = check.key, check.expected
    got: Any
    if key == "credit":
        got = period.credit
        if got == parse_money(str(want)):
            return None
        got = f"{money(got)} {period.currency or ''}".rstrip()
    elif key == "service_level":
        wanted = parse_percent(str(want))
        got = period.service_level
        if got is not None and wanted is not None and worked.measured_matches(str(want), got):
            return None
        got = "none" if got is None else show(got, "ratio")
    elif key in ("chronic_failure", "escalations"):
        triggers = {t.id: t for t in getattr(period, key)}
        wrong = [
            f"{rule} {'did not trigger' if should else 'triggered'} ({triggers[rule].detail})"
            for rule, should in want.items()
            if rule in triggers and triggers[rule].triggered != should
        ]
        missing = [rule for rule in want if rule not in triggers]
        if not wrong and not missing:
            return None
        text = "; ".join([*wrong, *(f"{r} is not in force in {period.period}" for r in missing)])
        return Failure(check.location, f"{period.period}: {key}: {text}")
    else:
        got = getattr(period, key)
        if got == want:
            return None
    return Failure(
        check.location, f"{period.period}: {key}: expected {_text(want)}, got {_text(got)}"
    )


def money(amount: Decimal) -> str:
    """An amount with at least two decimals and no trailing zeros beyond: 1800.0000 → 1800.00."""
    text = f"{amount.normalize():f}"
    places = len(text.split(".")[1]) if "." in text else 0
    return f"{amount:.{max(places, 2)}f}"


def show(value: Decimal, unit: str) -> str:
    """A measured value for a failure message, with enough digits to write the expectation."""
    if unit == "ratio":
        return f"{(value * 100).quantize(Decimal('0.0001')).normalize():f}%"
    if unit == "seconds":
        return f"{value.normalize():f}s"
    return f"{value.normalize():f}"


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return str(value)
