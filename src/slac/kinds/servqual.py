"""`servqual`: the SERVQUAL gap score, perception − expectation per answer, averaged per
dimension, then the mean of the dimension means (each dimension weighs the same)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from sqlglot import exp

from slac.evaluation.measurement import exact_ratio
from slac.evaluation.sqltext import col, lit, sql
from slac.evaluation.statistics import exact
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
class ServqualParams:
    perception: str
    expectation: str
    dimension: str | None  # None: one dimension


class Servqual(AggregateKind[ServqualParams]):
    name: ClassVar[str] = "servqual"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    field_keys: ClassVar[tuple[str, ...]] = ("perception", "expectation", "dimension")

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        return {k: body.get(k) for k in ("perception", "expectation", "dimension")}

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        return "number"

    def params(self, metric: Metric) -> ServqualParams:
        raw = dict(metric.params)
        return ServqualParams(raw["perception"], raw["expectation"], raw.get("dimension") or None)

    def in_sample(self, params: ServqualParams) -> exp.Expr:
        # A gap needs both scores; a response missing either is left out of the means.
        return sql(
            ":p IS NOT NULL AND :e IS NOT NULL",
            p=col(params.perception),
            e=col(params.expectation),
        )

    def aggregates(self, params: ServqualParams, kept: exp.Expr) -> dict[str, exp.Expr]:
        gap = sql(
            "CAST(:p AS DECIMAL(38, 9)) - CAST(:e AS DECIMAL(38, 9))",
            p=col(params.perception),
            e=col(params.expectation),
        )
        dim = col(params.dimension) if params.dimension else lit("")
        usable = sql(":k AND :g IS NOT NULL", k=kept, g=gap)
        # The few gaps per group come back as a list: the mean of means is exact in Python.
        gaps = sql(
            "list(CASE WHEN :u THEN struct_pack(d := CAST(:dim AS VARCHAR), g := :g) END)",
            u=usable,
            dim=dim,
            g=gap,
        )
        return {"gaps": gaps}

    def value(self, params: ServqualParams, row: Mapping[str, Any]) -> tuple[int, Decimal | None]:
        by_dim: dict[str, list[Fraction]] = {}
        for item in row["gaps"] or []:
            if item is None:
                continue
            by_dim.setdefault(str(item["d"]), []).append(exact(item["g"]))
        if not by_dim:
            return 0, None
        means = [sum(v, Fraction(0)) / len(v) for v in by_dim.values()]
        sample = sum(len(v) for v in by_dim.values())
        return sample, exact_ratio(sum(means, Fraction(0)), len(means))


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    perception = words(str(p.params.get("perception")))
    expectation = words(str(p.params.get("expectation")))
    definition = f"the average of {perception} minus {expectation} over {p.rows}"
    if p.params.get("dimension"):
        dimension = words(str(p.params["dimension"]))
        definition = (
            f"the average, over each {dimension}, of {perception} minus {expectation} "
            f"of {p.rows}, then the average of these (each {dimension} weighs the same)"
        )
    return named(p, "an average SERVQUAL gap", definition)
