"""Worked examples as data: a ``*.tests.yaml`` file read, checked and typed.

The file is read with the contract's safe loader and checked against ``tests.schema.json``
(so ``slac lint`` checks its shape too); what it refers to (objectives, datasets, fields,
exclusions, triggers) is checked against the compiled plan here, each finding at the
file:line:col of the offending key or value. The format is described in docs/testing.md.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.contract import schema
from slac.contract.source import Path, SourceDocument, load_file
from slac.contract.units import parse_money, parse_percent, parse_quantity
from slac.diagnostics import Diagnostic, Location, Severity
from slac.evaluation.periods import (
    MONTHS_IN,
    add_months,
    first_day,
    month_range,
    period_id,
    unit_of,
)
from slac.evaluation.tasks import terms_on
from slac.plan.types import Plan

SUFFIXES = (".tests.yaml", ".tests.yml")

# Keys an expectation may carry, by what it is about.
OBJECTIVE_KEYS = ("status", "measured", "sample", "met", "breached", "excluded", "tier")
PERIOD_KEYS = ("service_level", "grade", "cap_applied", "chronic_failure", "escalations")


@dataclass(frozen=True)
class Check:
    """One expected figure: ``key`` (``status``, ``credit`` …) and the value written."""

    key: str
    expected: Any
    location: Location


@dataclass(frozen=True)
class Expectation:
    objective: str | None  # None: about the period as a whole
    period: str | None  # the evaluated month; None: the example's last month
    scope: tuple[tuple[str, Any], ...] | None
    checks: tuple[Check, ...]
    location: Location


@dataclass(frozen=True)
class WorkedExample:
    name: str
    period: str
    through: str | None
    data: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]  # dataset → rows, defaults applied
    expect: tuple[Expectation, ...]
    location: Location

    @property
    def months(self) -> list[str]:
        """The months evaluated: ``period`` through the last month of ``through``."""
        last = self.through or self.period
        end = add_months(first_day(last), MONTHS_IN[unit_of(last)] - 1)
        return month_range(period_id(first_day(self.period), "month"), period_id(end, "month"))


@dataclass(frozen=True)
class WorkedFile:
    path: str
    contract: str
    examples: tuple[WorkedExample, ...]


def is_worked_file(path: str) -> bool:
    return path.endswith(SUFFIXES)


def discover(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Worked-example files named, found below folders, or beside a contract named."""
    found: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(folder, n) for n in sorted(names) if is_worked_file(n))
        elif os.path.isfile(path) and is_worked_file(path):
            found.append(path)
        elif os.path.isfile(path):
            stem = os.path.splitext(path)[0]
            found.extend(f"{stem}{s}" for s in SUFFIXES if os.path.isfile(f"{stem}{s}"))
        else:
            missing.append(path)
    return list(dict.fromkeys(found)), missing


def contract_of(path: str, data: Any) -> str:
    """The contract a worked-examples file is about (its ``contract:``, else its own name
    without ``.tests``), as a path relative to the working directory."""
    named = data.get("contract") if isinstance(data, dict) else None
    if isinstance(named, str):
        return os.path.join(os.path.dirname(path), named)
    for suffix in SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)] + suffix[len(".tests") :]
    return path


def load(path: str) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Read and check the shape of a worked-examples file."""
    loaded = load_file(path)
    if loaded.document is None:
        return None, list(loaded.diagnostics)
    return loaded.document, schema.check(loaded.document, schema="tests")


def finding(code: str, message: str, location: Location, hint: str = "") -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, location, hint)


def read(
    document: SourceDocument, contract: str, plan: Plan
) -> tuple[WorkedFile, list[Diagnostic]]:
    """The typed worked examples and the findings about what they refer to in ``plan``."""
    reader = _Reader(document, plan)
    data = document.data
    defaults = data.get("defaults") or {}
    reader.datasets(defaults, ("defaults",))
    examples = [reader.example(test, i, defaults) for i, test in enumerate(data.get("tests") or [])]
    return WorkedFile(document.path, contract, tuple(examples)), reader.found


class _Reader:
    def __init__(self, document: SourceDocument, plan: Plan) -> None:
        self.document = document
        self.plan = plan
        self.found: list[Diagnostic] = []
        self.fields = {d.name: {f.name for f in d.fields} for d in plan.datasets}
        self.objectives = {o.id: o for t in plan.terms for o in t.objectives}
        self.exclusions = {e.id for t in plan.terms for e in t.exclusions}
        self.chronic = {c.id for t in plan.terms for c in t.chronic_failure}
        self.escalations = {e.id for t in plan.terms for e in t.escalations}

    def at(self, path: Path, *, key: bool = False) -> Location:
        return self.document.locate(path, key=key)

    def unknown(self, what: str, name: str, known: Iterable[str], path: Path) -> None:
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"the contract has: {', '.join(sorted(known)) or 'none'}"
        )
        self.found.append(
            finding("T102", f"the contract has no {what} '{name}'", self.at(path, key=True), hint)
        )

    def datasets(self, given: dict[str, Any], path: Path) -> None:
        for name, value in given.items():
            if name not in self.fields:
                self.unknown("dataset", name, self.fields, (*path, name))
                continue
            rows = value if isinstance(value, list) else [value]
            for j, row in enumerate(rows):
                where = (*path, name, j) if isinstance(value, list) else (*path, name)
                for field in row:
                    if field not in self.fields[name]:
                        self.unknown(
                            f"field in dataset {name}:", field, self.fields[name], (*where, field)
                        )

    def example(self, test: dict[str, Any], i: int, defaults: dict[str, Any]) -> WorkedExample:
        path: Path = ("tests", i)
        data = test.get("data") or {}
        self.datasets(data, (*path, "data"))
        self.life(test, path)
        rows = tuple(
            (name, tuple({**(defaults.get(name) or {}), **row} for row in items))
            for name, items in data.items()
        )
        expect = tuple(
            self.expectation(e, (*path, "expect", j)) for j, e in enumerate(test["expect"])
        )
        return WorkedExample(
            str(test["name"]),
            str(test["period"]),
            None if test.get("through") is None else str(test["through"]),
            rows,
            expect,
            self.at(path),
        )

    def life(self, test: dict[str, Any], path: Path) -> None:
        for key in ("period", "through"):
            value = test.get(key)
            if value is not None and terms_on(self.plan, first_day(str(value))) is None:
                life = f"{self.plan.effective_from} – {self.plan.effective_to or 'open-ended'}"
                self.found.append(
                    finding(
                        "T104",
                        f"{key} {value} is outside the contract's life ({life})",
                        self.at((*path, key)),
                    )
                )
        through = test.get("through")
        if through is not None and first_day(str(through)) < first_day(str(test["period"])):
            self.found.append(
                finding(
                    "T104",
                    f"through {through} is before period {test['period']}",
                    self.at((*path, "through")),
                )
            )

    def expectation(self, entry: dict[str, Any], path: Path) -> Expectation:
        oid = entry.get("objective")
        wrong = PERIOD_KEYS if oid is not None else (*OBJECTIVE_KEYS, "scope")
        for key in wrong:
            if key in entry:
                about = "the period as a whole" if oid is not None else "one objective"
                self.found.append(
                    finding(
                        "T103",
                        f"'{key}' is about {about}",
                        self.at((*path, key), key=True),
                        "put it in an entry without `objective`"
                        if oid is not None
                        else "add `objective:`",
                    )
                )
        if oid is not None and oid not in self.objectives:
            self.unknown("objective", oid, self.objectives, (*path, "objective"))
        elif oid is not None:
            self.objective_checks(entry, path, oid)
        self.trigger_checks(entry, path)
        checks = tuple(
            Check(key, value, self.at((*path, key)))
            for key, value in entry.items()
            if key not in ("objective", "period", "scope") and not key.startswith("x-")
        )
        scope = entry.get("scope")
        return Expectation(
            oid,
            entry.get("period"),
            None if scope is None else tuple(sorted(scope.items())),
            checks,
            self.at(path),
        )

    def objective_checks(self, entry: dict[str, Any], path: Path, oid: str) -> None:
        objective = self.objectives[oid]
        for field in entry.get("scope") or {}:
            if field not in objective.scope:
                self.unknown(
                    f"scope field of {oid}:", field, objective.scope, (*path, "scope", field)
                )
        for exclusion in entry.get("excluded") or {}:
            if exclusion not in self.exclusions:
                self.unknown(
                    "exclusion", exclusion, self.exclusions, (*path, "excluded", exclusion)
                )
        if "measured" in entry:
            unit = objective.target.quantity.unit
            problem = measured_problem(entry["measured"], unit)
            if problem:
                self.found.append(finding("T103", problem, self.at((*path, "measured"))))
        if "credit" in entry and parse_money(str(entry["credit"])) is None:
            self.found.append(
                finding("T103", "credit is not an amount", self.at((*path, "credit")))
            )

    def trigger_checks(self, entry: dict[str, Any], path: Path) -> None:
        for key, known, what in (
            ("chronic_failure", self.chronic, "chronic-failure rule"),
            ("escalations", self.escalations, "escalation"),
        ):
            for rule in entry.get(key) or {}:
                if rule not in known:
                    self.unknown(what, rule, known, (*path, key, rule))
        level = entry.get("service_level")
        if level is not None and parse_percent(str(level)) is None:
            self.found.append(
                finding("T103", "service_level is a percentage", self.at((*path, "service_level")))
            )


UNIT_WORDS = {
    "ratio": "a percentage (94.44%)",
    "seconds": "a duration (16m, 90s)",
    "number": "a number",
}
_KIND_UNIT = {"ratio": "ratio", "duration": "seconds", "number": "number"}


def measured_problem(written: Any, unit: str) -> str | None:
    """Why ``written`` cannot be compared with a value in ``unit``; None when it can."""
    quantity = parse_quantity(written)
    if quantity is None or quantity.business_days or _KIND_UNIT[quantity.kind] != unit:
        return f"the objective measures {UNIT_WORDS[unit]}, not {written!r}"
    return None


def measured_matches(written: Any, actual: Decimal) -> bool:
    """``actual`` equals ``written`` at the precision written: ``94.44%`` matches 17/18."""
    quantity = parse_quantity(written)
    assert quantity is not None
    text = str(written).strip().rstrip("%").strip()
    if quantity.kind == "ratio":
        places = _decimals(text)
        return (actual * 100).quantize(Decimal(1).scaleb(-places)) == quantity.value * 100
    if quantity.kind == "duration":
        places = max((_decimals(p) for p in _numbers(text)), default=0)
        return actual.quantize(Decimal(1).scaleb(-places)) == quantity.value
    return actual.quantize(Decimal(1).scaleb(-_decimals(text))) == quantity.value


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _numbers(text: str) -> Iterator[str]:
    number = ""
    for char in text:
        if char.isdigit() or char == ".":
            number += char
        elif number:
            yield number
            number = ""
    if number:
        yield number
