"""Statistics over an objective's rows, in the engine: counts, sums and order statistics come
back; the exact value (mean, percentile by the contract's method) is computed here."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlglot import exp

from slac.evaluation.measurement import Measurement, Period, exact_ratio
from slac.evaluation.selection import excluded_columns, scope_key, with_empty
from slac.evaluation.sqltext import Engine, col, lit, sql, subquery
from slac.evaluation.tally import Tally
from slac.plan.types import Exclusion, Objective


def statistics(
    engine: Engine,
    obj: Objective,
    periods: Sequence[Period],
    rows: exp.Expr,
    closed: exp.Expr,
    exclusions: Sequence[Exclusion],
    *,
    scale: Fraction,
    value: exp.Expr | None = None,
    carried: exp.Expr | None = None,
    tally: Tally | None = None,
) -> list[Measurement]:
    """``carried``: a condition on a row that holds when the row's item belongs to an earlier
    period (carry-over); the counted items meeting it are the measurement's ``carried``.
    ``tally``: the objective's row account, summed over ``rows`` in the same pass."""
    judge = obj.judgement
    scope = [col(f) for f in obj.scope]
    value = value if value is not None else exp.column("elapsed")
    counted = sql("excl IS NULL AND :closed AND :v IS NOT NULL", closed=closed, v=value)
    select = [
        exp.column("pid"),
        *scope,
        sql("count_if(:c)", c=counted).as_("n"),
        sql("sum(CASE WHEN :c THEN :v END)", c=counted, v=value).as_("total"),
        sql("min(CASE WHEN :c THEN :v END)", c=counted, v=value).as_("lo"),
        sql("max(CASE WHEN :c THEN :v END)", c=counted, v=value).as_("hi"),
        sql("count_if(excl IS NULL AND NOT (:closed))", closed=closed).as_("open"),
        sql("count_if(:c AND :k)", c=counted.copy(), k=carried or exp.false()).as_("carried"),
        *excluded_columns(exclusions),
        *(tally.columns() if tally is not None else ()),
    ]
    query = (
        exp.select(*select)
        .from_(exp.Paren(this=rows).as_("q"), copy=False)
        .group_by(exp.column("pid"), *scope, copy=False)
    )
    groups = engine.rows(query)
    order_stats: dict[tuple[Any, ...], dict[int, Any]] = {}
    if judge.percentile is not None:
        p = judge.percentile
        partition = [exp.column("pid"), *scope]
        numbered = sql("row_number() OVER (ORDER BY v) - 1")
        counting = sql("count(*) OVER ()")
        # Only these two windows are partitioned by period and scope (the rows may hold window
        # functions of their own, such as carry-over's first_known).
        for own in (numbered, counting):
            for window in own.find_all(exp.Window):
                window.set("partition_by", [p.copy() for p in partition])
        ranked = exp.select(
            *partition,
            exp.column("v"),
            numbered.as_("idx"),
            counting.as_("n"),
        ).from_(
            subquery(
                sql("SELECT *, :v AS v FROM (:rel) AS q WHERE :c", v=value, rel=rows, c=counted),
                "x",
            )
        )
        picked = sql(
            "SELECT * FROM (:ranked) AS r WHERE idx = CAST(floor((n - 1) * :p) AS BIGINT) OR idx = CAST(ceil((n - 1) * :p) AS BIGINT)",
            ranked=ranked,
            p=lit(p),
        )
        for row in engine.rows(picked):
            key, v, idx = tuple(row[: 1 + len(scope)]), row[1 + len(scope)], row[2 + len(scope)]
            order_stats.setdefault(key, {})[int(idx)] = v
    out: list[Measurement] = []
    for row in groups:
        pid, rest = row[0], row[1:]
        scope_values, rest = rest[: len(scope)], rest[len(scope) :]
        n, total, lo, hi, opened = int(rest[0]), rest[1], rest[2], rest[3], int(rest[4])
        moved = int(rest[5])
        rest, tallied = rest[: 6 + len(exclusions)], rest[6 + len(exclusions) :]
        excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, rest[6:], strict=True))
        if tally is not None:
            tally.add(tallied)
        measured: Decimal | None = None
        if n:
            stat = judge.statistic
            if stat == "count":
                measured = Decimal(n)
            elif stat == "sum":
                measured = _scaled(Fraction(exact(total)), scale)
            elif stat == "mean":
                measured = _scaled(Fraction(exact(total)) / n, scale)
            elif stat == "min":
                measured = _scaled(Fraction(exact(lo)), scale)
            elif stat == "max":
                measured = _scaled(Fraction(exact(hi)), scale)
            else:
                stats = order_stats.get((pid, *scope_values), {})
                measured = _scaled(
                    _percentile(
                        stats,
                        n,
                        judge.percentile or Decimal(0),
                        judge.percentile_method or "linear",
                    ),
                    scale,
                )
        out.append(
            Measurement(
                str(pid),
                obj.id,
                scope_key(obj, scope_values),
                n,
                measured,
                0,
                0,
                opened,
                excluded,
                carried=moved,
            )
        )
    return with_empty(out, obj, periods, exclusions)


def exact(value: Any) -> Fraction:
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(int(value))


def _scaled(value: Fraction, scale: Fraction) -> Decimal:
    return exact_ratio(value * scale, 1)


def _percentile(stats: dict[int, Any], n: int, p: Decimal, method: str) -> Fraction:
    h = Fraction(n - 1) * Fraction(p)
    lo = int(h.numerator // h.denominator)
    hi = lo if h == lo else lo + 1
    x_lo, x_hi = exact(stats[lo]), exact(stats[hi])
    if method == "lower":
        return x_lo
    if method == "higher":
        return x_hi
    if method == "nearest":
        frac = h - lo
        if frac < Fraction(1, 2) or (frac == Fraction(1, 2) and lo % 2 == 0):
            return x_lo
        return x_hi
    return x_lo + (h - lo) * (x_hi - x_lo)


# --------------------------------------------------------------------------------------
# Metrics with one value per period: value, ratio, service level, survey, servqual, count
