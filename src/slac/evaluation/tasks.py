"""What to judge: each objective over each window, under the terms in force."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from slac.evaluation.measurement import Period
from slac.evaluation.periods import MONTHS_IN, add_months, first_day, period, period_id
from slac.plan.types import Objective, Plan, Terms


@dataclass(frozen=True)
class Task:
    """One objective judged over one window (a period, or a rolling window ending with it)."""

    terms: Terms
    objective: Objective
    period: Period
    month: str  # the evaluated month in which this period closes


def terms_on(plan: Plan, day: date) -> Terms | None:
    """The terms in force on ``day`` (None outside the contract's life)."""
    chosen = None
    for terms in plan.terms:
        if date.fromisoformat(terms.effective_from) <= day and (
            terms.effective_to is None or day <= date.fromisoformat(terms.effective_to)
        ):
            chosen = terms
    return chosen


def plan_tasks(plan: Plan, month_ids: Sequence[str]) -> list[Task]:
    """What to judge for the months asked: monthly objectives each month; quarterly and
    yearly ones in the month that closes their period; rolling ones each month."""
    return [task for month in month_ids for task in _objectives_for(plan, month)]


def _objectives_for(plan: Plan, month: str) -> Iterator[Task]:
    start = first_day(month)
    objective_terms = terms_on(plan, start)
    if objective_terms is not None:
        for obj in objective_terms.objectives:
            unit, rolling = obj.period.unit, obj.period.rolling
            if rolling > 1:
                yield Task(
                    objective_terms, obj, period(month, plan.timezone, "month", rolling), month
                )
                continue
            months = MONTHS_IN[unit]
            closes = add_months(start, 1)
            period_start = add_months(closes, -months)
            if period_id(period_start, unit) != period_id(start, unit):
                continue  # this month does not close the objective's period
            pid = period_id(period_start, unit)
            # The period is judged under the terms in force on its first day.
            terms = terms_on(plan, period_start) or objective_terms
            same = next((o for o in terms.objectives if o.id == obj.id), obj)
            yield Task(terms, same, period(pid, plan.timezone, unit), month)
