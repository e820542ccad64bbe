"""Fees from billing data: `commercials.fees_from` (docs/semantics.md, "Fees from billing data").

A billing dataset holds one charge per scope value and month. Its rows are loaded and checked
like any dataset's (file and row named for each bad one); on top of the field checks a charge
must name its scope value and month, be in the contract's currency, be non-negative with at
most the currency's decimals, and be the only one of its (scope value, month). The charges
then come to Python as exact Decimals: there is one per service and month, not one per event.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from slac.evaluation.measurement import Measurement
from slac.evaluation.periods import MONTHS_IN, add_months, first_day, unit_of
from slac.evaluation.results import RowAccount
from slac.evaluation.sqltext import Engine, lit, sql, typed_table
from slac.evaluation.tasks import Task
from slac.plan.types import Dataset, FeeSource, Plan

# Fees per billing dataset: (scope value, month "YYYY-MM") → the month's charge.
Fees = Mapping[str, Mapping[tuple[str, str], Decimal]]
NO_FEES: Fees = {}

MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class BillingUse:
    """One billing dataset and the terms that read it: (first month in force, currency)."""

    source: FeeSource
    currencies: tuple[tuple[str, str | None], ...]  # latest terms first
    minor: int | None  # the currency's decimals (of the latest terms)


def billing_uses(plan: Plan) -> dict[str, BillingUse]:
    """Each billing dataset the plan's terms read fees from."""
    found: dict[str, tuple[FeeSource, list[tuple[str, str | None]]]] = {}
    minor: dict[str, int | None] = {}
    for terms in plan.terms:
        source = terms.commercials.fees_from
        if source is None:
            continue
        # Terms apply to a month by its first day: the first month they govern.
        start = first_day(terms.effective_from[:7])
        if terms.effective_from[8:] != "01":
            start = add_months(start, 1)
        entry = found.setdefault(source.dataset, (source, []))
        entry[1].append((f"{start.year:04d}-{start.month:02d}", terms.commercials.currency))
        minor[source.dataset] = terms.commercials.minor_unit
    return {
        name: BillingUse(source, tuple(sorted(currencies, reverse=True)), minor[name])
        for name, (source, currencies) in found.items()
    }


def _month_text(ds: Dataset, field: str, alias: str) -> exp.Expr:
    """The billing month as ``YYYY-MM`` text, from a `YYYY-MM` string or a date."""
    column = exp.column(field, alias or None, quoted=True)
    types = {f.name: f.type for f in ds.fields}
    if types.get(field) == "date":
        return sql("strftime(:c, '%Y-%m')", c=column)
    return exp.cast(column, "VARCHAR")


def billing_checks(ds: Dataset, use: BillingUse) -> list[tuple[str, exp.Expr]]:
    """(field, problem or NULL) over the raw (``r``) and typed (``t``) row, as in load.py."""
    src = use.source
    types = {f.name: f.type for f in ds.fields}
    out: list[tuple[str, exp.Expr]] = []
    for name in (src.by, src.month, src.amount, src.currency):
        out.append(
            (
                name,
                sql(
                    "CASE WHEN :c IS NULL THEN 'empty value' END",
                    c=exp.column(name, "r", quoted=True),
                ),
            )
        )
    if types.get(src.month) == "string":
        out.append(
            (
                src.month,
                sql(
                    "CASE WHEN :c IS NOT NULL AND NOT regexp_matches(:c, :re) "
                    "THEN 'not a billing month (YYYY-MM): ' || left(:c, 60) END",
                    c=exp.column(src.month, "t", quoted=True),
                    re=lit(MONTH_RE),
                ),
            )
        )
    amount = exp.column(src.amount, "t", quoted=True)
    out.append(
        (
            src.amount,
            sql("CASE WHEN :a < 0 THEN 'negative charge: ' || CAST(:a AS VARCHAR) END", a=amount),
        )
    )
    minor = use.minor
    if minor is not None:
        out.append(
            (
                src.amount,
                sql(
                    "CASE WHEN :a <> round(:a, :n) THEN :what || CAST(:a AS VARCHAR) END",
                    a=amount,
                    n=lit(minor),
                    what=lit(f"more than {minor} decimals for the currency: "),
                ),
            )
        )
    # The currency of the terms in force in the row's month (latest terms first).
    month = _month_text(ds, src.month, "t")
    expected: exp.Expr = lit(use.currencies[-1][1])
    for starts, currency in reversed(use.currencies[:-1]):
        expected = sql(
            "CASE WHEN :m >= :s THEN :c ELSE :e END",
            m=month,
            s=lit(starts),
            c=lit(currency),
            e=expected,
        )
    out.append(
        (
            src.currency,
            sql(
                "CASE WHEN :c IS NOT NULL AND :c IS DISTINCT FROM :x THEN 'charge in ' || left(:c, 20) "
                "|| ', but the contract''s currency is ' || coalesce(:x, 'not set') END",
                c=exp.column(src.currency, "t", quoted=True),
                x=expected,
            ),
        )
    )
    return out


def duplicate_charges(engine: Engine, ds: Dataset, use: BillingUse, files: Sequence[str]) -> None:
    """A second row for one (scope value, month) is a bad row naming the first, which is kept
    (like a duplicate key in load.py)."""
    src = use.source
    by = exp.cast(exp.column(src.by, quoted=True), "VARCHAR")
    month = _month_text(ds, src.month, "")
    names = exp.Array(expressions=[lit(os.path.basename(f)) for f in files])
    engine.execute(
        sql(
            "INSERT INTO bad_rows SELECT :ds, _file, _row, :f, 'second charge for ' || b || ' in ' "
            "|| m || ': its first row is row ' || first_row || ' of ' || :names[first_file + 1] "
            "FROM (SELECT _file, _row, :by AS b, :m AS m, "
            "row_number() OVER (PARTITION BY :by, :m ORDER BY _file, _row) AS n, "
            "first_value(_file) OVER (PARTITION BY :by, :m ORDER BY _file, _row) AS first_file, "
            "first_value(_row) OVER (PARTITION BY :by, :m ORDER BY _file, _row) AS first_row "
            "FROM :t) WHERE n > 1 AND b IS NOT NULL AND m IS NOT NULL",
            ds=lit(ds.name),
            f=lit(src.by),
            by=by,
            m=month,
            t=typed_table(ds.name),
            names=names,
        )
    )


def read_fees(engine: Engine, plan: Plan) -> dict[str, dict[tuple[str, str], Decimal]]:
    """The charges of each billing dataset, after bad rows were left out (the first row of a
    (scope value, month) is the charge)."""
    datasets = {d.name: d for d in plan.datasets}
    out: dict[str, dict[tuple[str, str], Decimal]] = {}
    for name, use in billing_uses(plan).items():
        src = use.source
        rows = engine.rows(
            sql(
                "SELECT CAST(:by AS VARCHAR), :m, :a FROM :t "
                "WHERE :by IS NOT NULL AND :m IS NOT NULL AND :a IS NOT NULL ORDER BY _file, _row",
                by=exp.column(src.by, quoted=True),
                m=_month_text(datasets[name], src.month, ""),
                a=exp.column(src.amount, quoted=True),
                t=typed_table(name),
            )
        )
        fees: dict[tuple[str, str], Decimal] = {}
        for value, month, amount in rows:
            fees.setdefault((str(value), str(month)), Decimal(amount))
        out[name] = fees
    return out


def months_of(period_id: str) -> list[str]:
    """The calendar months of a period ("2026-Q4" → 2026-10, 2026-11, 2026-12); a rolling
    window is judged in its month, whose fee it takes."""
    start = first_day(period_id)
    return [
        f"{d.year:04d}-{d.month:02d}"
        for d in (add_months(start, i) for i in range(MONTHS_IN[unit_of(period_id)]))
    ]


def billing_accounts(
    plan: Plan,
    tasks: Sequence[Task],
    measurements: Sequence[Measurement],
    fees: Fees,
    bad: Mapping[str, int],
) -> list[RowAccount]:
    """Where each billing row went, for each objective that takes its fee from it: judged (the
    fee of a scope value and month the objective measured), filtered (a month it evaluated,
    but a scope value it did not measure), outside (a month it did not evaluate), bad."""
    covered: dict[tuple[str, str], set[str]] = {}  # (objective, dataset) → months
    for task in tasks:
        source = task.terms.commercials.fees_from
        if source is None or task.objective.fee_by is None:
            continue
        key = (task.objective.id, source.dataset)
        covered.setdefault(key, set()).update(months_of(task.period.id))
    used: dict[tuple[str, str], set[tuple[str, str]]] = {k: set() for k in covered}
    fee_by = {t.objective.id: t.objective.fee_by for t in tasks}
    for m in measurements:
        for (objective, dataset), months in covered.items():
            if objective != m.objective:
                continue
            value = dict(m.scope).get(fee_by.get(objective) or "")
            if value is None:
                continue
            used[(objective, dataset)].update(
                (str(value), month) for month in months_of(m.period) if month in months
            )
    out = []
    for (objective, dataset), months in covered.items():
        charges = fees.get(dataset, {})
        judged = sum(1 for k in charges if k in used[(objective, dataset)])
        outside = sum(1 for _, month in charges if month not in months)
        bad_rows = int(bad.get(dataset, 0))
        out.append(
            RowAccount(
                objective=objective,
                dataset=dataset,
                input=len(charges) + bad_rows,
                judged=judged,
                excluded=0,
                filtered=len(charges) - judged - outside,
                outside=outside,
                bad=bad_rows,
                pending=0,
            )
        )
    return out
