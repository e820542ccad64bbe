"""Maximum exposure: the largest credit the provider can owe for one period.

Every objective is put at its worst tier (the tier whose credit is largest; an objective
without tiers just breaches, which is what an at-risk pool pays for), for every scope value
its dataset lists, in the month that judges the most objectives; the judge then combines,
pools, caps, applies the minimum and rounds exactly as ``slac evaluate`` does. docs/review.md
states the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slac.evaluation.periods import first_day, period_id
from slac.plan.types import Objective, Plan, Terms
from slac.review.whatif import (
    UNBOUNDED_INCIDENTS,
    UNBOUNDED_SCOPES,
    Scenario,
    inside,
    judge_month,
    line_for,
    scope_values,
    terms_month,
)


@dataclass(frozen=True)
class ObjectiveWorst:
    objective: str
    value: Decimal  # a measured value in its worst tier (or, without tiers, a breach)
    unit: str
    tier: int | None  # 1-based; None without tiers
    tier_text: str
    per_scope: Decimal | None  # the worst credit line of one scope value; None: none of its own
    scopes: int | None  # scope values it is judged for; None: not listed in the contract
    per_incident: bool


@dataclass(frozen=True)
class Exposure:
    terms_from: str
    amendment: str | None
    month: str  # the month judged
    currency: str | None
    objectives: tuple[ObjectiveWorst, ...]
    combine: str
    combined: Decimal  # credit lines combined, before the pool's limit and the cap
    pool_at_risk: Decimal | None
    cap: Decimal | None
    credit: Decimal | None  # the maximum per period, rounded; None: unbounded, or not known
    # The billing dataset percentage credits are taken of (`commercials.fees_from`): the fees
    # are data, not terms, so the maximum is not known from the contract (credit is None).
    billed: str | None = None


def objective_worst(plan: Plan, obj: Objective, terms: Terms, month: str) -> ObjectiveWorst:
    scopes = scope_values(plan, obj)
    count = None if scopes is None else len(scopes)
    unit = obj.target.quantity.unit
    credit = obj.credit
    pid = period_id(first_day(month), obj.period.unit) if obj.period.rolling == 1 else month
    if credit is not None and credit.per_incident is not None:
        value = inside(obj.breach)
        return ObjectiveWorst(
            obj.id, value, unit, None, "per incident", credit.per_incident.amount, count, True
        )
    if credit is None or not credit.tiers:
        return ObjectiveWorst(obj.id, inside(obj.breach), unit, None, "", None, count, False)
    best: ObjectiveWorst | None = None
    for tier in credit.tiers:
        value = inside(tier.interval)
        line = line_for(obj, terms, value, pid)
        amount = line.amount if line is not None else Decimal(0)
        if best is None or (best.per_scope or 0) < amount:
            text = line.tier_text if line is not None else ""
            tier_no = line.tier if line is not None else None
            best = ObjectiveWorst(obj.id, value, unit, tier_no, text, amount, count, False)
    assert best is not None
    return best


def worst_credit(obj: Objective, terms: Terms) -> Decimal | None:
    """The largest credit line one scope value of ``obj`` can earn in one period (None: it
    has no tiers of its own)."""
    credit = obj.credit
    if credit is None:
        return None
    if credit.per_incident is not None:
        return credit.per_incident.amount
    day = first_day(terms.effective_from[:7])
    pid = period_id(day, obj.period.unit) if obj.period.rolling == 1 else period_id(day, "month")
    lines = (line_for(obj, terms, inside(t.interval), pid) for t in credit.tiers)
    return max((line.amount for line in lines if line is not None), default=None)


def exposure(plan: Plan, terms: Terms) -> Exposure:
    """The maximum credit per period under ``terms``."""
    month = terms_month(plan, terms)
    worst = {o.id: objective_worst(plan, o, terms, month) for o in terms.objectives}
    pooled = terms.credits.pool is not None

    def scenarios(obj: Objective, _: Terms) -> list[Scenario]:
        w = worst.get(obj.id) or objective_worst(plan, obj, terms, month)
        scopes = scope_values(plan, obj)
        if scopes is None:
            scopes = [tuple((f, f"#{i}") for f in obj.scope) for i in range(UNBOUNDED_SCOPES)]
        breached = UNBOUNDED_INCIDENTS if w.per_incident else None
        return [Scenario(scope, w.value, breached=breached) for scope in scopes]

    result = judge_month(plan, month, scenarios)
    open_ended = not pooled and any(
        w.per_scope is not None and (w.per_incident or w.scopes is None) for w in worst.values()
    )
    bounded = not open_ended or result.cap_applied or result.pool_capped
    source = terms.commercials.fees_from
    billed = None
    if source is not None and any(
        o.fee_by is not None and o.credit is not None and any(t.percent for t in o.credit.tiers)
        for o in terms.objectives
    ):
        billed = source.dataset
    return Exposure(
        terms.effective_from,
        terms.amendment,
        month,
        result.currency,
        tuple(worst.values()),
        result.combine,
        result.combined,
        result.pool_at_risk,
        result.cap,
        result.credit if bounded and billed is None else None,
        billed,
    )


def max_exposure(plan: Plan) -> Exposure:
    """The largest exposure over the plan's terms (the contract, then each amendment)."""
    found = [exposure(plan, terms) for terms in plan.terms]
    unbounded = [e for e in found if e.credit is None and e.billed is None]
    unbounded += [e for e in found if e.credit is None]
    if unbounded:
        return unbounded[0]
    return max(found, key=lambda e: e.credit or Decimal(0))
