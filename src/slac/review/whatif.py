"""Judge made-up measurements with the evaluator's own judge: what a period would cost.

A what-if is a set of :class:`Measurement` values (a measured value per objective and scope,
invented rather than read from data) handed to :func:`slac.evaluation.judge.judge_periods`,
so that tiers, per-line and total rounding, combining, the at-risk pool, caps and minimums
are exactly those of ``slac evaluate``: nothing here computes money.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from slac.evaluation.judge import credit_line, in_interval, judge_periods
from slac.evaluation.measurement import Measurement, ScopeKey
from slac.evaluation.periods import add_months, first_day, period_id
from slac.evaluation.results import CreditLine, PeriodResult
from slac.evaluation.tasks import Task, plan_tasks, terms_on
from slac.plan.types import Interval, Objective, Plan, Terms

# A judged item count for made-up measurements: enough for any `min_sample` in practice.
SAMPLE = 1000
# Stand-ins for "as many as there can be": scope values the contract does not enumerate, and
# incidents of a per-incident credit. A cap (or pool) that binds makes the exposure finite.
UNBOUNDED_SCOPES = 1000
UNBOUNDED_INCIDENTS = 1_000_000


@dataclass(frozen=True)
class Scenario:
    """The measured value of one objective and scope (None: no data in the period)."""

    scope: ScopeKey
    value: Decimal | None
    sample: int = SAMPLE
    breached: int | None = None  # items breached; by default from the value and the sample


Scenarios = Callable[[Objective, Terms], Sequence[Scenario]]


def terms_month(plan: Plan, terms: Terms) -> str:
    """The month of ``terms`` that judges the most objectives (quarterly and yearly ones close
    in some months only), the first such month of their first year."""
    start = first_day(terms.effective_from[:7])
    best, most = period_id(start, "month"), -1
    for step in range(12):
        month = period_id(add_months(start, step), "month")
        if terms_on(plan, first_day(month)) is not terms:
            continue
        count = len(plan_tasks(plan, [month]))
        if count > most:
            best, most = month, count
    return best


def judge_month(plan: Plan, month: str, scenarios: Scenarios) -> PeriodResult:
    """The period result of ``month`` if every objective measured what ``scenarios`` says."""
    tasks: list[Task] = plan_tasks(plan, [month])
    measurements = [
        measurement(task, scenario)
        for task in tasks
        for scenario in scenarios(task.objective, task.terms)
    ]
    return judge_periods(plan, [month], tasks, measurements)[0]


def measurement(task: Task, scenario: Scenario) -> Measurement:
    obj = task.objective
    if scenario.value is None:
        return Measurement(task.period.id, obj.id, scenario.scope, 0, None, 0, 0, 0, ())
    sample = max(scenario.sample, obj.min_sample)
    threshold = obj.judgement.kind == "threshold-share"
    breached = scenario.breached
    if breached is None:
        met = int((scenario.value * sample).to_integral_value()) if threshold else 0
        breached = sample - met if threshold else 0
    return Measurement(
        task.period.id,
        obj.id,
        scenario.scope,
        sample,
        scenario.value,
        sample - breached if threshold else 0,
        breached,
        0,
        (),
    )


def line_for(obj: Objective, terms: Terms, value: Decimal, period: str) -> CreditLine | None:
    """The credit line a breach measuring ``value`` earns (the judge's own tier arithmetic)."""
    probe = Measurement(period, obj.id, (), SAMPLE, value, 0, 1, 0, ())
    return credit_line(obj, probe, terms)


def inside(interval: Interval) -> Decimal:
    """A measured value inside ``interval``: the middle of a closed band, else a value beyond
    its one bound (0% or 100% for ratios), so that every tier can be probed."""
    low, high = interval.low, interval.high
    if low is not None and high is not None:
        return (low.value + high.value) / 2
    if high is not None:
        candidates = [Decimal(0), high.value / 2, high.value - 1]
    elif low is not None:
        candidates = (
            [Decimal(1), low.value * 2 + 1, low.value + 1]
            if interval.unit == "ratio"
            else [low.value * 2 + 1]
        )
    else:
        candidates = [Decimal(0)]
    return next((c for c in candidates if in_interval(c, interval)), candidates[-1])


def scope_values(plan: Plan, obj: Objective) -> list[ScopeKey] | None:
    """Every scope value an objective can be judged for, from the values its dataset lists
    for each scope field; None when a scope field does not list its values."""
    if not obj.scope:
        return [()]
    dataset = next((d for d in plan.datasets if d.name == obj.metric.dataset), None)
    fields = {f.name: f for f in dataset.fields} if dataset is not None else {}
    choices = []
    for name in obj.scope:
        listed = fields[name].values if name in fields else None
        if listed is None:
            return None
        choices.append([(name, Decimal(str(v)) if isinstance(v, float) else v) for v in listed])
    return [tuple(combo) for combo in itertools.product(*choices)]
