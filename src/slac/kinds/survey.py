"""`survey`: CSAT, NPS, CES (mean or share) and mean scores from answered surveys.

- csat, ces-share: the share of answers in the `good` band;
- nps: 100 × (promoters − detractors) / answers, promoters 9–10, detractors 0–6;
- mean, ces-mean: the mean score.
Unanswered surveys (no score) are not in the sample; a score outside the scale is bad data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from sqlglot import exp

from slac.evaluation.kind import Check
from slac.evaluation.measurement import exact_ratio
from slac.evaluation.sqltext import col, lit, sql
from slac.evaluation.statistics import exact
from slac.kinds.base import AggregateKind
from slac.plan.canonical import to_json
from slac.plan.explain.measures import (
    Promise,
    named,
)
from slac.plan.kinds import MetricContext
from slac.plan.types import Metric
from slac.plan.values import decimal
from slac.wording import (
    number_words,
    rows_words,
    words,
)


@dataclass(frozen=True)
class SurveyParams:
    score: str
    measure: str  # csat | nps | ces-mean | ces-share | mean
    scale: tuple[Decimal, Decimal]
    good: tuple[Decimal, Decimal] | None


_DEFAULT_SCALE = {"nps": [0, 10], "ces-mean": [1, 7], "ces-share": [1, 7]}
_DEFAULT_GOOD = {"ces-share": [5, 7], "csat": [4, 5]}


def _scale(body: Mapping[str, Any]) -> list[Any]:
    return list(body.get("scale", _DEFAULT_SCALE.get(body["measure"], [1, 5])))


class Survey(AggregateKind[SurveyParams]):
    name: ClassVar[str] = "survey"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    field_keys: ClassVar[tuple[str, ...]] = ("score",)

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        measure = body["measure"]
        good = body.get("good", _DEFAULT_GOOD.get(measure))
        return {
            "score": body["score"],
            "measure": measure,
            "scale": [to_json(decimal(v)) for v in _scale(body)],
            "good": None if good is None else [to_json(decimal(v)) for v in good],
            "promoters": ["9", "10"] if measure == "nps" else None,
            "detractors": ["0", "6"] if measure == "nps" else None,
        }

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        return "ratio" if body.get("measure", "csat") in ("csat", "ces-share") else "number"

    def value_range(self, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        # A body as written (the schema has checked that a scale is two numbers).
        if body.get("measure") == "nps":
            return Decimal(-100), Decimal(100)
        scale = body.get("scale")
        return None if scale is None else (decimal(scale[0]), decimal(scale[1]))

    def params(self, metric: Metric) -> SurveyParams:
        raw = dict(metric.params)
        low, high = raw["scale"]
        good = raw["good"]
        return SurveyParams(
            raw["score"],
            raw["measure"],
            (Decimal(low), Decimal(high)),
            None if good is None else (Decimal(good[0]), Decimal(good[1])),
        )

    def row_checks(self, metric: Metric, fields: Set[str]) -> list[Check]:
        params = self.params(metric)
        if params.score not in fields:
            return []
        low, high = params.scale
        score = exp.column(params.score, "t", quoted=True)
        problem = sql(
            "CASE WHEN :s < :lo OR :s > :hi THEN :what || :shown END",
            s=score,
            lo=lit(low),
            hi=lit(high),
            what=lit(f"score outside the survey scale {low}–{high}: "),
            shown=sql("left(:c, 60)", c=exp.column(params.score, "r", quoted=True)),
        )
        return [(params.score, problem)]

    def counted(self, params: SurveyParams) -> exp.Expr:
        # A response without a score is no answer: it is left out of every aggregate.
        return sql(":s IS NOT NULL", s=col(params.score))

    def aggregates(self, params: SurveyParams, kept: exp.Expr) -> dict[str, exp.Expr]:
        score = col(params.score)
        rated = sql(":k AND :s IS NOT NULL", k=kept, s=score)
        parts = {
            "answers": sql("count_if(:r)", r=rated),
            "total": sql("sum(CASE WHEN :r THEN CAST(:s AS DECIMAL(38, 9)) END)", r=rated, s=score),
        }
        if params.good is not None:
            parts["good"] = sql(
                "count_if(:r AND :s >= :lo AND :s <= :hi)",
                r=rated,
                s=score,
                lo=lit(params.good[0]),
                hi=lit(params.good[1]),
            )
        if params.measure == "nps":
            parts["promoters"] = sql("count_if(:r AND :s >= 9)", r=rated, s=score)
            parts["detractors"] = sql("count_if(:r AND :s <= 6)", r=rated, s=score)
        return parts

    def value(self, params: SurveyParams, row: Mapping[str, Any]) -> tuple[int, Decimal | None]:
        n = int(row["answers"] or 0)
        if not n:
            return 0, None
        if params.measure in ("csat", "ces-share"):
            return n, exact_ratio(int(row.get("good") or 0), n)
        if params.measure == "nps":
            return n, exact_ratio(100 * (int(row["promoters"]) - int(row["detractors"])), n)
        return n, exact_ratio(exact(row["total"]), n)


# ---- wording (slac explain)


def _scale_words(values: Sequence[Any]) -> str:
    low, high = (Decimal(str(v)) for v in values)
    return f"{number_words(low)} to {number_words(high)}"


def _band_words(values: Sequence[Any]) -> str:
    low, high = (Decimal(str(v)) for v in values)
    if low == high:
        return number_words(low)
    if high - low == 1 and low == low.to_integral_value():
        return f"{number_words(low)} or {number_words(high)}"
    return f"{number_words(low)} to {number_words(high)}"


def _phrase(p: Promise) -> list[str]:
    params = p.params
    measure = params.get("measure")
    score_field = str(params.get("score"))
    # The rows that rate it: the objective's rows, without the "score is given" condition.
    rated = [c for c in p.conditions if not (c.field == score_field and c.op == "not-null")]
    rows = rows_words(p.noun, rated)
    score = words(score_field)
    scale = _scale_words(params.get("scale") or ["1", "5"])
    good = params.get("good")
    if measure == "nps":
        promoters = _band_words(params.get("promoters") or ["9", "10"])
        detractors = _band_words(params.get("detractors") or ["0", "6"])
        return named(
            p,
            "a Net Promoter Score (NPS)",
            f"the percentage of promoters ({score} {promoters}) minus the percentage of "
            f"detractors ({detractors}), on a scale of {scale}, among {rows} that rate it",
        )
    if measure == "ces-mean":
        return named(
            p,
            "an average Customer Effort Score (CES)",
            f"the average {score}, on a scale of {scale}, of {rows} that rate it",
        )
    if measure in ("csat", "ces-share") and good:
        name = "a customer satisfaction (CSAT)" if measure == "csat" else "a Customer Effort share"
        return named(
            p,
            name,
            f"the share of {rows} rating {score} {_band_words(good)} on a scale of {scale}, "
            "among those that rate it",
        )
    return named(
        p,
        f"an average {score}",
        f"the average {score}, on a scale of {scale}, of {rows} that rate it",
    )
