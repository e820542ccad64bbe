"""`ratio`: numerator rows (or a sum) over denominator rows (or a sum), per period.

The numerator counts only rows that also satisfy the denominator's `where`; the sample is the
number of denominator rows, also when the ratio is of sums (docs/semantics.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from sqlglot import exp

from slac.contract.kinds import FieldRef
from slac.contract.rules.walk import condition_fields
from slac.contract.source import Path
from slac.evaluation.conditions import all_of, from_params
from slac.evaluation.measurement import exact_ratio
from slac.evaluation.sqltext import col, sql
from slac.evaluation.statistics import exact
from slac.kinds.base import AggregateKind
from slac.plan.canonical import to_json
from slac.plan.explain.measures import (
    Promise,
    named,
)
from slac.plan.kinds import MetricContext
from slac.plan.types import Condition, Metric
from slac.plan.values import conditions
from slac.wording import (
    Clause,
    article,
    clauses,
    qualifier_words,
    words,
)


@dataclass(frozen=True)
class Side:
    where: tuple[Condition, ...]
    sum: str | None  # a field to sum; None: count rows


@dataclass(frozen=True)
class RatioParams:
    numerator: Side
    denominator: Side


class Ratio(AggregateKind[RatioParams]):
    name: ClassVar[str] = "ratio"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        return {
            part: {
                "where": to_json(conditions((body.get(part) or {}).get("where"))),
                "sum": (body.get(part) or {}).get("sum"),
            }
            for part in ("numerator", "denominator")
        }

    def field_refs(self, body: Mapping[str, Any], path: Path) -> Iterator[FieldRef]:
        for part in ("numerator", "denominator"):
            side = body.get(part)
            if isinstance(side, dict):
                yield from condition_fields(side.get("where"), (*path, part, "where"))
                if isinstance(side.get("sum"), str):
                    yield (*path, part, "sum"), side["sum"], False

    def conditions(self, body: Mapping[str, Any], path: Path) -> Iterator[tuple[Path, Any]]:
        for part in ("numerator", "denominator"):
            side = body.get(part)
            if isinstance(side, dict):
                yield (*path, part, "where"), side.get("where")

    def params(self, metric: Metric) -> RatioParams:
        raw = dict(metric.params)
        num, den = raw["numerator"], raw["denominator"]
        return RatioParams(
            Side(from_params(num["where"]), num.get("sum")),
            Side(from_params(den["where"]), den.get("sum")),
        )

    def in_sample(self, params: RatioParams) -> exp.Expr:
        # A row outside the denominator's `where` is in neither side of the ratio.
        return all_of(params.denominator.where)

    def aggregates(self, params: RatioParams, kept: exp.Expr) -> dict[str, exp.Expr]:
        den_where = all_of(params.denominator.where)
        num_where = exp.and_(
            exp.Paren(this=den_where), exp.Paren(this=all_of(params.numerator.where))
        )
        return {
            "numerator": _side(params.numerator, num_where, kept),
            "denominator": _side(params.denominator, den_where, kept),
            "rows": sql("count_if(:k AND :w)", k=kept, w=den_where),
        }

    def value(self, params: RatioParams, row: Mapping[str, Any]) -> tuple[int, Decimal | None]:
        a, b = exact(row["numerator"] or 0), exact(row["denominator"] or 0)
        return int(row["rows"] or 0), (exact_ratio(a, b) if b else None)


def _side(side: Side, where: exp.Expr, kept: exp.Expr) -> exp.Expr:
    if side.sum:
        return sql(
            "sum(CASE WHEN :k AND :w THEN CAST(:f AS DECIMAL(38, 9)) END)",
            k=kept,
            w=where,
            f=col(side.sum),
        )
    return sql("count_if(:k AND :w)", k=kept, w=where)


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    return named(p, article(words(p.metric_name)), _ratio_definition(p.params, p.rows))


def _ratio_definition(params: Mapping[str, Any], rows: str) -> str:
    num = params.get("numerator") or {}
    den = params.get("denominator") or {}
    num_where, den_where = clauses(num.get("where")), clauses(den.get("where"))
    num_sum, den_sum = num.get("sum"), den.get("sum")
    if not num_sum and not den_sum and not den_where:
        return f"the share of {rows} {qualifier_words(num_where)}".rstrip()

    def part(total: Any, where: Sequence[Clause]) -> str:
        qualifier = qualifier_words(where)
        subject = f"the total {words(str(total))}" if total else "the number"
        text = f"{subject} of {rows}"
        return f"{text} {qualifier}" if qualifier else text

    if num_sum and den_sum and not num_where and not den_where:
        return (
            f"the total {words(str(num_sum))} of {rows} as a share of their total "
            f"{words(str(den_sum))}"
        )
    return f"{part(num_sum, num_where)}, divided by {part(den_sum, den_where)}"
