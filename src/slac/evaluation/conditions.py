"""Plan conditions and exclusions as SQL predicates (sqlglot expressions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlglot import exp

from slac.evaluation.periods import local_midnight_us
from slac.evaluation.sqltext import col, lit, sql
from slac.plan.types import Condition, Exclusion

_COMPARE = {
    "=": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


def predicate(condition: Condition, alias: str | None = None) -> exp.Expr:
    column = col(condition.field, alias)
    op, value = condition.op, condition.value
    if op == "is-null":
        return exp.Is(this=column, expression=exp.null())
    if op == "not-null":
        return exp.Not(this=exp.Is(this=column, expression=exp.null()))
    if op in ("in", "not-in"):
        values = value if isinstance(value, tuple) else (value,)
        member = exp.In(this=column, expressions=[lit(v) for v in values])
        # NOT IN must keep rows whose field is empty: SQL's NULL NOT IN (...) is unknown.
        if op == "not-in":
            return exp.or_(exp.Is(this=column, expression=exp.null()), exp.Not(this=member))
        return member
    node = _COMPARE[op](this=column, expression=lit(value))
    if op == "!=":
        return exp.or_(exp.Is(this=column, expression=exp.null()), node)
    return node


def from_params(items: Any) -> tuple[Condition, ...]:
    """Conditions kept as plain JSON inside a metric's params, back as Condition values."""
    return tuple(
        Condition(
            c["field"],
            c["op"],
            tuple(c["value"]) if isinstance(c.get("value"), list) else c.get("value"),
        )
        for c in items
    )


def all_of(conditions: Sequence[Condition], alias: str | None = None) -> exp.Expr:
    if not conditions:
        return exp.true()
    return exp.and_(*(exp.Paren(this=predicate(c, alias)) for c in conditions))


def exclusion_case(
    exclusions: Sequence[Exclusion],
    instant: exp.Expr,
    zone: str,
    alias: str | None = None,
) -> exp.Expr:
    """The id of the first exclusion (in contract order) a row matches, or NULL.

    Maintenance exclusions act on availability time, not on rows, and are left out here.
    """
    ifs: list[exp.If] = []
    for exc in exclusions:
        if not _tests_rows(exc):
            continue
        parts: list[exp.Expr] = []
        if exc.where:
            parts.append(all_of(exc.where, alias))
        if exc.between_from:
            start = local_midnight_us(_day(exc.between_from), zone)
            parts.append(sql(":t >= :a", t=instant, a=lit(start)))
        if exc.between_to:
            end = local_midnight_us(_next_day(exc.between_to), zone)
            parts.append(sql(":t < :b", t=instant, b=lit(end)))
        ifs.append(exp.If(this=exp.and_(*parts), true=lit(exc.id)))
    if not ifs:
        return exp.cast(exp.null(), "VARCHAR")
    return exp.Case(ifs=ifs)


def excludes_rows(exclusions: Sequence[Exclusion]) -> bool:
    """Whether :func:`exclusion_case` can name any of ``exclusions`` for a row (else it is
    NULL for every row)."""
    return any(_tests_rows(exc) for exc in exclusions)


def _tests_rows(exc: Exclusion) -> bool:
    return bool(exc.where or exc.between_from or exc.between_to) and not exc.maintenance_dataset


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _next_day(text: str) -> date:
    return date.fromisoformat(text) + timedelta(days=1)
