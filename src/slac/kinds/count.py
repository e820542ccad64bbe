"""`count`: rows per period and scope value (or distinct values of a field): a promise that
something happens ("at least one restore test each month"). No rows in a period measures 0,
which breaches such a target, instead of "insufficient data"; the sample is the rows counted.
A period whose rows were all excluded is not applicable, as for every kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from sqlglot import exp

from slac.evaluation.sqltext import col, sql
from slac.kinds.base import AggregateKind
from slac.plan.explain.measures import (
    Promise,
    named,
)
from slac.plan.kinds import MetricContext
from slac.plan.types import Metric
from slac.wording import (
    words,
)


@dataclass(frozen=True)
class CountParams:
    distinct: str | None  # a field whose distinct values are counted; None: rows


class Count(AggregateKind[CountParams]):
    name: ClassVar[str] = "count"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    field_keys: ClassVar[tuple[str, ...]] = ("distinct",)

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        return {"distinct": body.get("distinct")}

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        return "number"

    def params(self, metric: Metric) -> CountParams:
        return CountParams(dict(metric.params).get("distinct"))

    def aggregates(self, params: CountParams, kept: exp.Expr) -> dict[str, exp.Expr]:
        rows = sql("count_if(:k)", k=kept)
        if params.distinct:
            counted = sql(
                "count(DISTINCT CASE WHEN :k THEN :d END)", k=kept, d=col(params.distinct)
            )
            return {"rows": rows, "counted": counted}
        return {"rows": rows, "counted": sql("count_if(:k)", k=kept)}

    def value(self, params: CountParams, row: Mapping[str, Any]) -> tuple[int, Decimal | None]:
        return int(row["rows"] or 0), Decimal(int(row["counted"] or 0))

    def empty_value(self, params: CountParams) -> Decimal | None:
        return Decimal(0)


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    distinct = p.params.get("distinct")
    if distinct:
        return named(
            p, "a count", f"the number of distinct {words(str(distinct))} values in {p.rows}"
        )
    return named(p, "a count", f"the number of {p.rows}")
