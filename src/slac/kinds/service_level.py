"""`service_level`: contacts answered within a wait, with the contract's abandon formula.

Offered contacts are answered or abandoned ones (short abandons, below `short_abandon`, are
not offered). The formulas (docs/semantics.md):
- abandoned-ignored: answered within / answered;
- abandoned-against: answered within / (answered + abandoned);
- abandoned-within-for: (answered within + abandoned within) / (answered + abandoned);
- abandoned-after-ignored-within (default): answered within / (answered + abandoned after).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from sqlglot import exp

from slac.evaluation.measurement import MissedItem, exact_ratio
from slac.evaluation.selection import MissSpec
from slac.evaluation.sqltext import col, lit, sql
from slac.kinds.base import AggregateKind
from slac.plan.canonical import to_json
from slac.plan.explain.measures import (
    Promise,
    named,
    optional_decimal,
)
from slac.plan.kinds import MetricContext
from slac.plan.types import Metric
from slac.plan.values import seconds
from slac.wording import (
    duration_words,
)


@dataclass(frozen=True)
class ServiceLevelParams:
    wait: str
    outcome: str
    answered: Any
    abandoned: Any
    within_seconds: Decimal
    short_abandon_seconds: Decimal | None
    formula: str


class ServiceLevel(AggregateKind[ServiceLevelParams]):
    name: ClassVar[str] = "service_level"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    field_keys: ClassVar[tuple[str, ...]] = ("wait", "outcome")

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        return {
            "within_seconds": to_json(seconds(body["within"])),
            "wait": body["wait"],
            "outcome": body["outcome"],
            "answered": body["answered"],
            "abandoned": body["abandoned"],
            "formula": body.get("formula", "abandoned-after-ignored-within"),
            "short_abandon_seconds": to_json(seconds(body.get("short_abandon"))),
        }

    def params(self, metric: Metric) -> ServiceLevelParams:
        raw = dict(metric.params)
        short = raw["short_abandon_seconds"]
        return ServiceLevelParams(
            raw["wait"],
            raw["outcome"],
            raw["answered"],
            raw["abandoned"],
            Decimal(raw["within_seconds"]),
            None if short is None else Decimal(short),
            raw["formula"],
        )

    def in_sample(self, params: ServiceLevelParams) -> exp.Expr:
        """The formula's denominator: a short abandon, an abandon the formula ignores and a
        contact neither answered nor abandoned are not counted."""
        offered, answered, abandoned = _offered(params, exp.true())
        wait, within = col(params.wait), lit(params.within_seconds)
        if params.formula == "abandoned-ignored":
            return sql(":off AND :ans", off=offered, ans=answered)
        if params.formula in ("abandoned-against", "abandoned-within-for"):
            return offered
        return sql(
            ":off AND (:ans OR (:ab AND :w > :t))",
            off=offered,
            ans=answered,
            ab=abandoned,
            w=wait,
            t=within,
        )

    def aggregates(self, params: ServiceLevelParams, kept: exp.Expr) -> dict[str, exp.Expr]:
        wait, within = col(params.wait), lit(params.within_seconds)
        offered, answered, abandoned = _offered(params, kept)
        return {
            "answered": sql("count_if(:off AND :ans)", off=offered, ans=answered),
            "answered_within": sql(
                "count_if(:off AND :ans AND :w <= :t)", off=offered, ans=answered, w=wait, t=within
            ),
            "abandoned": sql("count_if(:off AND :ab)", off=offered, ab=abandoned),
            "abandoned_within": sql(
                "count_if(:off AND :ab AND :w <= :t)", off=offered, ab=abandoned, w=wait, t=within
            ),
        }

    def misses(self, params: ServiceLevelParams, kept: exp.Expr) -> MissSpec:
        """The contacts in the formula's denominator and not in its numerator: answered after
        the wait, and abandoned ones where the formula counts them against (after the wait,
        or at any wait with `abandoned-against`). A contact without a wait is not listed."""
        wait, within = col(params.wait), lit(params.within_seconds)
        offered, answered, abandoned = _offered(params, kept)
        if params.formula == "abandoned-ignored":
            missed = sql(":off AND :ans AND :w > :t", off=offered, ans=answered, w=wait, t=within)
        elif params.formula == "abandoned-against":
            missed = sql(
                ":off AND ((:ans AND :w > :t) OR :ab)",
                off=offered,
                ans=answered,
                ab=abandoned,
                w=wait,
                t=within,
            )
        else:  # abandoned-within-for and the default: any offered contact after the wait
            missed = sql(":off AND :w > :t", off=offered, w=wait, t=within)
        missed = sql("coalesce(:m AND :w IS NOT NULL, FALSE)", m=missed, w=wait.copy())
        value = exp.cast(wait.copy(), "DECIMAL(38, 9)")
        return MissSpec(
            missed,
            exp.Neg(this=value.copy()),
            {"wait": value, "abandoned": abandoned.copy()},
        )

    def missed_item(self, params: ServiceLevelParams, row: Mapping[str, Any]) -> MissedItem:
        wait = Decimal(row["wait"]).normalize()
        return MissedItem(
            str(row["item"]),
            wait,
            params.within_seconds,
            wait - params.within_seconds,
            note="abandoned" if row["abandoned"] else "",
        )

    def value(
        self, params: ServiceLevelParams, row: Mapping[str, Any]
    ) -> tuple[int, Decimal | None]:
        a_all, a_in = int(row["answered"] or 0), int(row["answered_within"] or 0)
        b_all, b_in = int(row["abandoned"] or 0), int(row["abandoned_within"] or 0)
        if params.formula == "abandoned-ignored":
            num, den = a_in, a_all
        elif params.formula == "abandoned-against":
            num, den = a_in, a_all + b_all
        elif params.formula == "abandoned-within-for":
            num, den = a_in + b_in, a_all + b_all
        else:
            num, den = a_in, a_all + b_all - b_in
        return den, (exact_ratio(num, den) if den else None)


def _offered(params: ServiceLevelParams, kept: exp.Expr) -> tuple[exp.Expr, exp.Expr, exp.Expr]:
    """(offered, answered, abandoned): offered contacts are answered or abandoned ones kept by
    the objective, less short abandons."""
    wait, outcome = col(params.wait), col(params.outcome)
    answered = sql(":o = :v", o=outcome, v=lit(params.answered))
    abandoned = sql(":o = :v", o=outcome, v=lit(params.abandoned))
    offered = sql(":k AND (:ans OR :ab)", k=kept, ans=answered, ab=abandoned)
    if params.short_abandon_seconds is not None:
        offered = sql(
            ":off AND NOT (:ab AND :w < :short)",
            off=offered,
            ab=abandoned,
            w=wait,
            short=lit(params.short_abandon_seconds),
        )
    return offered, answered, abandoned


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    rows = p.rows
    t = duration_words(optional_decimal(p.params.get("within_seconds")) or Decimal(0))
    notes = []
    formula = str(p.params.get("formula"))
    if formula == "abandoned-ignored":
        definition = f"{rows} answered within {t}, as a share of all {rows} answered"
        notes.append(f"{rows} abandoned are not counted")
    elif formula == "abandoned-against":
        definition = f"{rows} answered within {t}, as a share of all {rows} answered or abandoned"
    elif formula == "abandoned-within-for":
        definition = f"{rows} answered or abandoned within {t}, as a share of all {rows} offered"
    else:
        definition = (
            f"{rows} answered within {t}, as a share of {rows} answered plus those "
            f"abandoned after {t}"
        )
        notes.append(f"{rows} abandoned within {t} do not count against the service level")
    short = optional_decimal(p.params.get("short_abandon_seconds"))
    if short:
        notes.append(f"{rows} abandoned in under {duration_words(short)} are left out entirely")
    return named(p, "a service level", definition) + notes
