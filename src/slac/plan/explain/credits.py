"""The "What a breach costs" section: fees, credit tiers, the at-risk pool and the rules that
combine, cap, waive and round credits. Amounts are worked out by :mod:`slac.plan.money`, as
the evaluator works them out."""

from __future__ import annotations

from decimal import Decimal

from slac.plan.explain.blocks import Block, Bullets, Heading, Item, Para, Table
from slac.plan.explain.context import Context, interval_words, quantity_words
from slac.plan.explain.promises import objective_label
from slac.plan.money import minor_step, money_share, round_money
from slac.plan.types import FeeSource, Money, Objective
from slac.wording import (
    COMPARISON_WORDS,
    duration_words,
    join_words,
    percent_words,
    sentence,
    singular,
    words,
)

ROUNDING_WORDS = {
    "half-up": "half up (commercial rounding)",
    "half-even": "half to even (banker's rounding)",
    "down": "down",
    "up": "up",
}
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
COMBINE = {
    "sum": "credits for several missed promises in the same period are added up",
    "max": "when several promises are missed in the same period, only the largest credit is paid",
    "single": "when several credits arise from the same incident, {customer} picks one of them",
    "per-incident": (
        "when several credits arise from the same ticket or outage, only the largest of them is "
        "paid; the others are added up"
    ),
}


def ordinal(n: int) -> str:
    """``1`` → ``first``, ``2`` → ``second`` …, ``13`` → ``13th``."""
    named = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
    if 1 <= n <= len(named):
        return named[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money_words(money: Money) -> str:
    """``EUR 12,000.00``, ``JPY 500``: the currency's minor unit, thousands separated."""
    exact = round_money(money.amount, money.minor_unit)
    return f"{money.currency} {format(exact, f',.{money.minor_unit}f')}"


def _fee_base(objective: Objective, billed: FeeSource | None = None) -> tuple[str, int | None]:
    """``the monthly fee`` (and how many monthly fees the period's fee is), for credits."""
    name = "monthly fee" if objective.fee_name is None else f"monthly “{objective.fee_name}” fee"
    if objective.fee_by is not None:
        name = f"monthly service fee of its {words(objective.fee_by)}"
    period = objective.period
    if objective.fee_by is not None and billed is not None:
        # Billed charges differ from month to month: a longer period adds its months' charges.
        billing = f"“{billed.dataset}” data"
        what = f"charge billed for its {words(objective.fee_by)}"
        months = PERIOD_MONTHS.get(period.unit, 1)
        if period.rolling > 1 or months == 1:
            return f"the {what} for the month (from the {billing})", None
        return f"the {what}s of the {months} months of the {period.unit} (from the {billing})", None
    if period.rolling > 1:
        return f"the {name} for the period", None
    months = PERIOD_MONTHS.get(period.unit, 1)
    if months == 1:
        return f"the {name}", 1
    return f"{months} × the {name} (one {period.unit})", months


def _tier_credit(
    ctx: Context, objective: Objective, percent: Decimal | None, amount: Money | None
) -> str:
    if amount is not None:
        return money_words(amount)
    if percent is None:
        return "no credit"
    base, months = _fee_base(objective, ctx.terms.commercials.fees_from)
    text = f"{percent_words(percent)} of {base}"
    if objective.fee is not None and months is not None:
        mode = ctx.terms.commercials.rounding.mode
        value = money_share(objective.fee, percent, mode=mode, times=months)
        text += f" ({money_words(value)})"
    return text


def _credit_blocks(ctx: Context, objective: Objective) -> list[Block]:
    credit = objective.credit
    if credit is None:
        return []
    scope = objective.scope
    each = f" Each {join_words([words(s) for s in scope])} is credited on its own." if scope else ""
    blocks: list[Block] = []
    business = ctx.business(objective)
    if credit.tiers:
        target = quantity_words(objective.target.quantity, business=business)
        cmp = COMPARISON_WORDS[objective.target.op]
        intro = f"Target {cmp} {target}.{each} Credit when the target is missed:"
        rows = tuple(
            (
                interval_words(t.interval, business=business),
                _tier_credit(ctx, objective, t.percent, t.amount),
            )
            for t in credit.tiers
        )
        blocks.append(Table(Item(intro, objective_label(objective)), ("Measured", "Credit"), rows))
    if credit.per_incident is not None:
        one = singular(ctx.noun(objective.metric.dataset))
        text = f"{money_words(credit.per_incident)} for each {one} that misses the target.{each}"
        blocks.append(Bullets((Item(text, objective_label(objective)),)))
    return blocks


def costs(ctx: Context) -> list[Block]:
    terms = ctx.terms
    commercials = terms.commercials
    credited = [o for o in terms.objectives if o.credit is not None]
    if not credited and terms.credits.pool is None:
        return []
    blocks: list[Block] = [Heading(2, "What a breach costs")]
    fees = []
    if commercials.monthly_fee is not None:
        fees.append(f"the monthly fee is {money_words(commercials.monthly_fee)}")
    for name, money in commercials.service_fees:
        fees.append(f"the monthly “{name}” fee is {money_words(money)}")
    billed = commercials.fees_from
    if billed is not None:
        fees.append(
            f"the monthly charge of each {words(billed.by)} is read from the “{billed.dataset}” "
            f"data, one row per {words(billed.by)} and month; a {words(billed.by)} without a "
            "charge for a month earns no percentage credit for it"
        )
    if fees:
        blocks.append(Para(sentence(join_words(fees))))
    for objective in credited:
        blocks.extend(_credit_blocks(ctx, objective))
    if terms.credits.pool is not None:
        blocks.extend(_pool(ctx))
    uncredited = [o for o in terms.objectives if o.credit is None]
    if uncredited and credited:
        blocks.append(
            Para(
                f"Missing {ctx.objectives_words([o.id for o in uncredited], 'or')} "
                "earns no credit of its own."
            )
        )
    blocks.append(Bullets(tuple(Item(sentence(t)) for t in _credit_rules(ctx))))
    return blocks


def _pool(ctx: Context) -> list[Block]:
    pool = ctx.terms.credits.pool
    assert pool is not None
    fee = ctx.terms.commercials.monthly_fee
    mode = ctx.terms.commercials.rounding.mode
    at_risk = f"{percent_words(pool.at_risk)} of the monthly fee"
    if fee is not None:
        at_risk += f" ({money_words(money_share(fee, pool.at_risk, mode=mode))})"
    intro = (
        f"At-risk pool: {at_risk} is at risk each month. A missed promise costs its "
        "allocation times the at-risk amount, and a month's credits never exceed the "
        "at-risk amount:"
    )
    rows = []
    order = {o.id: i for i, o in enumerate(ctx.terms.objectives)}
    allocations = sorted(pool.allocations, key=lambda a: (order.get(a[0], len(order)), a[0]))
    for objective_id, share in allocations:
        credit = percent_words(share)
        if fee is not None:
            amount = money_share(fee, pool.at_risk * share, mode=mode)
            credit += f" of the at-risk amount ({money_words(amount)})"
        name = ctx.objective_name(objective_id)
        titled = objective_id in ctx.objectives and ctx.objectives[objective_id].title
        rows.append((f"{name} ({objective_id})" if titled else name, credit))
    blocks: list[Block] = [Table(Item(intro), ("Promise", "Allocation"), tuple(rows))]
    total = sum((share for _, share in pool.allocations), Decimal(0))
    limits = [f"The allocations add up to {percent_words(total)}"]
    if pool.allocation_limit is not None:
        limits.append(f"at most {percent_words(pool.allocation_limit)} is allowed")
    if pool.max_per_level is not None:
        limits.append(f"no single allocation may exceed {percent_words(pool.max_per_level)}")
    blocks.append(Para("; ".join(limits) + "."))
    return blocks


def _credit_rules(ctx: Context) -> list[str]:
    rules = ctx.terms.credits
    commercials = ctx.terms.commercials
    combine = COMBINE.get(rules.combine)
    out = [
        combine.format(customer=ctx.party("customer"))
        if combine is not None
        else f"credits combine by “{rules.combine}”"
    ]
    fee = commercials.monthly_fee
    fee_names = {(o.fee_name, o.fee_by) for o in ctx.terms.objectives if o.credit is not None}
    same_fee = fee_names <= {(None, None)}
    caps = []
    for cap in rules.caps:
        if cap.per == "rolling-12-months":
            caps.append(
                f"in any 12 consecutive months, credits are capped at {percent_words(cap.percent)} "
                "of the fees of those months"
            )
        else:
            amount = ""
            if fee is not None and same_fee:
                mode = commercials.rounding.mode
                amount = f" ({money_words(money_share(fee, cap.percent, mode=mode))} for a month)"
            # Without a monthly fee the cap is taken of the month's billed charges.
            base = "the fee for the period"
            if fee is None and commercials.fees_from is not None:
                base = f"the month's charges in the “{commercials.fees_from.dataset}” data"
            caps.append(
                f"a period's credits are capped at {percent_words(cap.percent)} of {base}{amount}"
            )
    if len(caps) > 1:
        caps = [f"{len(caps)} caps apply and the smallest amount binds: " + "; and ".join(caps)]
    out.extend(caps)
    if rules.minimum is not None:
        side = "below" if rules.minimum_inclusive else "of at most"
        if rules.minimum_per == "line":
            out.append(
                f"a credit line (one promise, one scope value) {side} "
                f"{money_words(rules.minimum)} is not issued"
            )
        else:
            out.append(f"a period's total credit {side} {money_words(rules.minimum)} is not issued")
    if rules.earn_back_periods is not None:
        n = rules.earn_back_periods
        unit = ctx.period_unit(ctx.objectives)
        out.append(
            f"a period's credit is earned back (waived) when every promise is met in each of "
            f"the next {n} {unit}{'s' if n != 1 else ''}"
        )
    if rules.claim_cycles is not None:
        n = rules.claim_cycles
        after = "the incident" if rules.claim_from == "incident" else "the period"
        cycle = (
            f"the billing cycle (calendar month) of {after}"
            if n == 0
            else f"the {ordinal(n)} billing cycle (calendar month) after {after}"
        )
        out.append(f"claims must reach {ctx.party('provider')} by the end of {cycle}")
    elif rules.claim_within_seconds is not None:
        start = (
            "of the end of the period"
            if rules.claim_from == "period-end"
            else "of the incident"
            if rules.claim_from == "incident"
            else f"of the {words(rules.claim_from)}"
        )
        out.append(
            f"claims must reach {ctx.party('provider')} within "
            f"{duration_words(rules.claim_within_seconds)} {start}"
        )
    else:
        out.append("the contract sets no deadline for claiming credits")
    rounding = commercials.rounding
    if commercials.currency is not None:
        step = f"{minor_step(commercials.minor_unit or 0):f} {commercials.currency}"
        where = (
            "on the period's total credit"
            if rounding.apply == "total"
            else "on each credit line before they are added up"
        )
        out.append(
            f"amounts are rounded {ROUNDING_WORDS.get(rounding.mode, rounding.mode)} to "
            f"{step}, {where}"
        )
    return out
