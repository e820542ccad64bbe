"""What-if exposure of a contract: each objective's credit curve, and whole-period scenarios.

Every figure comes from the judge (:mod:`slac.review.whatif`): a curve point is a period in
which only that objective measured that value; a scenario is a period in which every
objective measured what the scenario says. An objective with ``scope`` is simulated for one
scope value (one queue, one region). docs/review.md describes each scenario.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slac.evaluation.evaluate import evaluate_plan
from slac.evaluation.periods import add_months, first_day, period, period_id
from slac.evaluation.results import PeriodResult
from slac.evaluation.runner import write_rows
from slac.evaluation.tasks import terms_on
from slac.kinds import KINDS
from slac.plan.types import Objective, Plan, Terms
from slac.review.whatif import Scenario, Scenarios, judge_month, terms_month
from slac.wording import duration_words


@dataclass(frozen=True)
class CurvePoint:
    value: Decimal
    status: str
    tier: int | None
    tier_text: str
    credit: Decimal | None  # the objective's credit line (before combining and the cap)


@dataclass(frozen=True)
class Curve:
    objective: str
    title: str | None
    unit: str
    target_op: str
    target: Decimal
    points: tuple[CurvePoint, ...]


@dataclass(frozen=True)
class Outcome:
    """One objective in a scenario."""

    objective: str
    unit: str
    value: Decimal | None
    status: str
    reason: str
    credit: Decimal | None


@dataclass(frozen=True)
class ScenarioResult:
    name: str  # attainment -2 points, outage 4h, no data
    description: str
    objectives: tuple[Outcome, ...]
    period: PeriodResult


@dataclass(frozen=True)
class Simulation:
    contract_id: str
    month: str
    terms_from: str
    currency: str | None
    minor_unit: int
    curves: tuple[Curve, ...]
    scenarios: tuple[ScenarioResult, ...]
    # The billing dataset fees are read from (`commercials.fees_from`): those credits have no
    # amount without the data.
    billed: str | None = None


def _scope_of(obj: Objective) -> tuple[tuple[str, str], ...]:
    return tuple((f, "(one)") for f in obj.scope)


def _only(target: Objective, value: Decimal | None) -> Scenarios:
    def scenarios(obj: Objective, _: Terms) -> list[Scenario]:
        if obj.id != target.id:
            return [Scenario(_scope_of(obj), None)]
        return [Scenario(_scope_of(obj), value)]

    return scenarios


def curve_values(obj: Objective) -> list[Decimal]:
    """The measured values worth showing: the target, every tier bound, and the range's ends."""
    values = {obj.target.quantity.value}
    for tier in obj.credit.tiers if obj.credit is not None else ():
        for bound in (tier.interval.low, tier.interval.high):
            if bound is not None:
                values.add(bound.value)
        low, high = tier.interval.low, tier.interval.high
        if low is not None and high is not None:
            values.add((low.value + high.value) / 2)  # a value inside each band
    unit = obj.target.quantity.unit
    if unit == "ratio":
        values |= {Decimal(0), Decimal(1)}
    else:
        values |= {Decimal(0), max(values) * 2}
    higher_is_better = obj.target.op in (">=", ">")
    return sorted(values, reverse=higher_is_better)


def credit_curve(plan: Plan, month: str, obj: Objective) -> Curve:
    points = []
    for value in curve_values(obj):
        result = judge_month(plan, month, _only(obj, value))
        judged = next(o for o in result.objectives if o.objective == obj.id)
        line = judged.credit or next(
            (c for c in result.credit_lines if c.objective == obj.id), None
        )
        points.append(
            CurvePoint(
                value,
                judged.status,
                line.tier if line is not None else None,
                line.tier_text if line is not None else "",
                line.amount if line is not None else None,
            )
        )
    q = obj.target.quantity
    return Curve(obj.id, obj.title, q.unit, obj.target.op, q.value, tuple(points))


def worse(obj: Objective, points: Decimal) -> Decimal:
    """The target made ``points`` worse: percentage points for a share, else ``points`` % of
    the target; toward a breach (down for ``>=`` targets, up for ``<=``), within 0-100%."""
    q = obj.target.quantity
    step = points / 100 if q.unit == "ratio" else q.value * points / 100
    value = q.value - step if obj.target.op in (">=", ">") else q.value + step
    if q.unit == "ratio":
        value = min(max(value, Decimal(0)), Decimal(1))
    return max(value, Decimal(0))


def outage_availability(plan: Plan, terms: Terms, month: str, seconds: Decimal) -> Decimal:
    """Availability of a month with ``seconds`` of downtime (docs/semantics.md, "Total")."""
    if terms.semantics.availability_minutes == "nominal":
        days = (first_day(_next(month)) - first_day(month)).days
        total = Decimal(days * 86_400)
    else:
        window = period(month, plan.timezone, "month")
        total = Decimal(window.end_us - window.start_us) / 1_000_000
    return max(Decimal(0), 1 - seconds / total)


def _next(month: str) -> str:
    return period_id(add_months(first_day(month), 1), "month")


def run_scenario(
    plan: Plan, month: str, name: str, description: str, values: dict[str, Decimal | None]
) -> ScenarioResult:
    def scenarios(obj: Objective, _: Terms) -> list[Scenario]:
        return [Scenario(_scope_of(obj), values.get(obj.id, obj.target.quantity.value))]

    return scenario_result(name, description, judge_month(plan, month, scenarios))


def no_data_result(plan: Plan, month: str) -> ScenarioResult:
    """A month without a single row, evaluated for real: what each kind then reports differs
    (no probe at all is insufficient data, no outage record is 100% availability)."""
    with tempfile.TemporaryDirectory() as folder:
        sources = write_rows(plan, {}, folder, KINDS, timezone=plan.timezone)
        outcome = evaluate_plan(plan, sources, kinds=KINDS, period=month)
    if outcome.results is None:  # pragma: no cover - empty files are never bad data
        raise RuntimeError("; ".join(outcome.errors))
    return scenario_result("no data", f"no data at all in {month}", outcome.results.periods[0])


def scenario_result(name: str, description: str, result: PeriodResult) -> ScenarioResult:
    outcomes = []
    for judged in result.objectives:
        line = judged.credit or next(
            (c for c in result.credit_lines if c.objective == judged.objective), None
        )
        outcomes.append(
            Outcome(
                judged.objective,
                judged.unit,
                judged.measured,
                judged.status,
                judged.reason,
                line.amount if line is not None else None,
            )
        )
    return ScenarioResult(name, description, tuple(outcomes), result)


def simulate(
    plan: Plan,
    *,
    month: str | None = None,
    attainment: Sequence[Decimal] = (),
    outages: Sequence[Decimal] = (),
    no_data: bool = False,
) -> Simulation:
    """Credit curves of every credited objective, then each scenario asked for."""
    terms = plan.terms[-1]
    month = month or terms_month(plan, terms)
    terms = terms_on(plan, first_day(month)) or terms
    credited = [
        o for o in terms.objectives if o.credit is not None or terms.credits.pool is not None
    ]
    curves = tuple(credit_curve(plan, month, o) for o in credited)
    scenarios: list[ScenarioResult] = []
    for points in attainment:
        values: dict[str, Decimal | None] = {o.id: worse(o, points) for o in terms.objectives}
        scenarios.append(
            run_scenario(
                plan,
                month,
                f"attainment -{points.normalize():f}",
                f"every objective {points.normalize():f} points worse than its target",
                values,
            )
        )
    for seconds in outages:
        availability = outage_availability(plan, terms, month, seconds)
        values = {o.id: availability for o in terms.objectives if o.metric.kind == "availability"}
        scenarios.append(
            run_scenario(
                plan,
                month,
                f"outage {_duration(seconds)}",
                f"an outage of {_duration(seconds)} in {month} for every availability objective; "
                "the others at their target",
                values,
            )
        )
    if no_data:
        scenarios.append(no_data_result(plan, month))
    minor = terms.commercials.minor_unit if terms.commercials.minor_unit is not None else 2
    return Simulation(
        plan.contract_id,
        month,
        terms.effective_from,
        terms.commercials.currency,
        minor,
        curves,
        tuple(scenarios),
        terms.commercials.fees_from.dataset if terms.commercials.fees_from else None,
    )


def _duration(seconds: Decimal) -> str:
    return duration_words(seconds)
