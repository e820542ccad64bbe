"""The "Promises" section: each objective in words, its kind's phrase framed by what every
objective has (period, scope, minimum sample, weight, description)."""

from __future__ import annotations

from collections.abc import Sequence

from slac.plan.explain.blocks import Block, Bullets, Heading, Item, Label, Para
from slac.plan.explain.calendars import calendar_words
from slac.plan.explain.context import Context, quantity_words
from slac.plan.explain.measures import Promise
from slac.plan.types import Objective, Period
from slac.wording import (
    COMPARISON_WORDS,
    adjective,
    join_words,
    number_words,
    rows_words,
    sentence,
    singular,
    words,
)


def period_words(period: Period) -> str:
    if period.rolling > 1:
        return f"measured each {period.unit} over the last {period.rolling} {period.unit}s"
    return f"measured each calendar {period.unit}"


def scope_words(scope: Sequence[str]) -> str:
    if not scope:
        return ""
    if len(scope) == 1:
        return f"for each {words(scope[0])} separately"
    return f"for each combination of {join_words([words(s) for s in scope])} separately"


def objective_label(objective: Objective) -> Label:
    if objective.title is None:
        return Label(objective.id)
    return Label(objective.title, objective.id)


def _promise_of(ctx: Context, objective: Objective) -> Promise:
    """The objective as plain words and values, for its kind's phrase."""
    metric, judgement = objective.metric, objective.judgement
    noun = ctx.noun(metric.dataset)
    conditions = metric.where + objective.where
    when, scope = period_words(objective.period), scope_words(objective.scope)
    calendar = ctx.calendar(objective)
    business = ctx.business(objective)
    return Promise(
        params=dict(metric.params),
        metric_name=objective.metric_name,
        party=ctx.party(objective.responsible),
        comparison=COMPARISON_WORDS[objective.target.op],
        target=quantity_words(objective.target.quantity, business=business),
        rows=rows_words(noun, conditions),
        noun=noun,
        conditions=conditions,
        nouns={name: ctx.noun(name) for name in ctx.datasets},
        when=f"{when}, {scope}" if scope else when,
        period_unit=objective.period.unit,
        rolling=objective.period.rolling,
        open_items=objective.open_items,
        timezone=ctx.plan.timezone,
        calendar=None if calendar is None else calendar_words(calendar),
        business=business,
        judgement=judgement.kind,
        statistic=judgement.statistic,
        percentile=judgement.percentile,
        percentile_method=judgement.percentile_method,
        threshold_seconds=judgement.threshold_seconds,
        threshold_business_days=judgement.threshold_business_days,
        threshold_inclusive=judgement.threshold_inclusive,
    )


def promise_words(ctx: Context, objective: Objective) -> str:
    sentences = ctx.kinds[objective.metric.kind].phrase(_promise_of(ctx, objective))
    if objective.min_sample > 0:
        scope = objective.scope
        per = f" (in each {join_words([words(s) for s in scope])})" if scope else ""
        conds = objective.metric.where + objective.where
        noun = ctx.noun(objective.metric.dataset)
        counted = rows_words(noun, [c for c in conds if adjective(c) is not None])
        if objective.min_sample == 1:
            counted = singular(counted)
        window = objective.period.unit
        if objective.period.rolling > 1:
            window = f"{objective.period.rolling} {objective.period.unit}s"
        sentences.append(
            f"it is judged only with at least {objective.min_sample} {counted} in the "
            f"{window}{per}; with fewer, the result is “insufficient data”, not a breach"
        )
    if ctx.terms.service_level_weighted:
        sentences.append(
            f"it counts with weight {number_words(objective.weight)} in the overall service level"
        )
    if objective.description:
        sentences.insert(0, objective.description)
    return " ".join(sentence(s) for s in sentences)


def promises(ctx: Context) -> list[Block]:
    items = tuple(Item(promise_words(ctx, o), objective_label(o)) for o in ctx.terms.objectives)
    blocks: list[Block] = [Heading(2, "Promises")]
    if items:
        blocks.append(Bullets(items))
    else:
        blocks.append(Para("These terms make no promises."))
    return blocks
