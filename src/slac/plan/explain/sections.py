"""The sections around the promises and the money: responsibilities, exclusions, chronic
failure, escalations and grades."""

from __future__ import annotations

from slac.plan.explain.blocks import Block, Bullets, Heading, Item, Label, Para, Table
from slac.plan.explain.context import Context, interval_words
from slac.plan.types import Escalation, Exclusion
from slac.wording import date_words, duration_words, join_words, rows_words, sentence, words

REASONS = {
    "maintenance": "Scheduled maintenance",
    "force-majeure": "Force majeure",
    "customer-caused": "Caused by the customer",
    "third-party": "Caused by a third party",
    "tagged": "Tagged",
    "other": "Other reason",
}
CONSEQUENCES = {
    "termination-right": "{customer} may terminate the contract",
    "escalation": "the matter is escalated to the management of both parties",
    "remediation-plan": "{provider} must present a remediation plan",
    "step-in-right": "{customer} may step in and run the service itself or through a third party",
}


def responsibilities(ctx: Context) -> list[Block]:
    if not ctx.terms.responsibilities:
        return []
    keys = [p.key for p in ctx.plan.parties]
    order = {"provider": 0, "customer": 1}

    def rank(key: str) -> tuple[int, str]:
        return (order.get(key, 2), key)

    blocks: list[Block] = [Heading(2, "Responsibilities")]
    parties = sorted({r.party for r in ctx.terms.responsibilities} | set(), key=rank)
    for key in parties:
        items = []
        for resp in ctx.terms.responsibilities:
            if resp.party != key:
                continue
            text = resp.text or ""
            links = []
            if resp.objectives:
                links.append(f"It underpins {ctx.objectives_words(resp.objectives)}.")
            if resp.exclusions:
                ids = join_words([f"“{e}”" for e in resp.exclusions])
                plural = "exclusions" if len(resp.exclusions) > 1 else "exclusion"
                links.append(f"Linked {plural}: {ids} (see Exclusions).")
            text = " ".join([sentence(text), *links]) if text else " ".join(links)
            items.append(Item(text, Label(words(resp.id).replace("-", " ").capitalize(), resp.id)))
        name = ctx.party(key) if key in keys else key
        blocks.append(Para(f"{name}:"))
        blocks.append(Bullets(tuple(items)))
    return blocks


def _exclusion(ctx: Context, exclusion: Exclusion) -> Item:
    objectives = [o for o in ctx.terms.objectives if exclusion.id in o.exclusions]
    nouns: list[str] = []
    for objective in objectives:
        noun = ctx.noun(objective.metric.dataset)
        if noun not in nouns:
            nouns.append(noun)
    noun = join_words(nouns, "or") or "rows"
    if exclusion.reason == "maintenance":
        windows = ctx.noun(exclusion.maintenance_dataset or "maintenance windows")
        text = f"Time in {windows}"
        if exclusion.notice_seconds:
            text += (
                f" announced at least {duration_words(exclusion.notice_seconds)} before they start"
            )
        text += " does not count against the promises"
        if exclusion.allowance_seconds is not None and exclusion.allowance_per:
            text += (
                f", up to {duration_words(exclusion.allowance_seconds)} per "
                f"{exclusion.allowance_per}; maintenance beyond that counts as usual"
            )
        text += "."
        if exclusion.notice_seconds:
            text += " Maintenance announced later counts as usual."
    else:
        subject = rows_words(noun, exclusion.where) if exclusion.where else f"all {noun}"
        if exclusion.between_from and exclusion.between_to:
            span = (
                f"from {date_words(exclusion.between_from)} to "
                f"{date_words(exclusion.between_to)} (both days included)"
            )
            if exclusion.where:
                text = f"{sentence(subject)[:-1]} {span} do not count."
            else:
                text = f"{sentence(noun)[:-1]} {span} do not count."
        else:
            text = f"{sentence(subject)[:-1]} do not count."
    if objectives:
        text += f" Applies to {ctx.objectives_words([o.id for o in objectives])}."
    else:
        text += " Applies to no promise in these terms."
    return Item(text, Label(REASONS.get(exclusion.reason, words(exclusion.reason)), exclusion.id))


def exclusions(ctx: Context) -> list[Block]:
    if not ctx.terms.exclusions:
        return []
    items = tuple(_exclusion(ctx, e) for e in ctx.terms.exclusions)
    return [Heading(2, "Exclusions"), Bullets(items)]


def chronic(ctx: Context) -> list[Block]:
    if not ctx.terms.chronic_failure:
        return []
    provider, customer = ctx.party("provider"), ctx.party("customer")
    items = []
    for rule in ctx.terms.chronic_failure:
        unit = ctx.period_unit(rule.objectives)
        what = ctx.objectives_words(rule.objectives, "or")
        consequence = CONSEQUENCES.get(rule.consequence, f"“{rule.consequence}” applies")
        consequence = consequence.format(customer=customer, provider=provider)
        text = (
            f"if {what} is breached in at least {rule.breaches} of any {rule.periods} "
            f"consecutive {unit}s, {consequence}"
        )
        items.append(Item(sentence(text), Label("Chronic failure", rule.id)))
    return [Heading(2, "Chronic failure"), Bullets(tuple(items))]


def _escalation(ctx: Context, escalation: Escalation) -> Item:
    what = ctx.objectives_words(escalation.breach, "or")
    if escalation.consecutive > 1:
        unit = ctx.period_unit(escalation.breach)
        lead = f"when {what} is breached in {escalation.consecutive} consecutive {unit}s"
    else:
        lead = f"when {what} is breached"
    who = join_words([ctx.contact(n) for n in escalation.notify])
    text = f"{lead}, {who} {'are' if len(escalation.notify) > 1 else 'is'} notified"
    if escalation.within_seconds is not None:
        text += f" within {duration_words(escalation.within_seconds)} of the end of the period"
    text = sentence(text)
    if escalation.action:
        text += f" Action: {sentence(escalation.action)}"
    return Item(text, Label("Escalation", escalation.id))


def escalations(ctx: Context) -> list[Block]:
    if not ctx.terms.escalations:
        return []
    items = tuple(_escalation(ctx, e) for e in ctx.terms.escalations)
    return [Heading(2, "Escalations"), Bullets(items)]


def grades(ctx: Context) -> list[Block]:
    if not ctx.terms.grades:
        return []
    how = (
        "weighted by each promise's weight"
        if ctx.terms.service_level_weighted
        else "each promise counting the same"
    )
    scoped = any(o.scope for o in ctx.terms.objectives)
    each = (
        " A promise judged separately (for each queue, region …) counts once for each."
        if scoped
        else ""
    )
    intro = (
        f"The overall service level of a period is the share of promises met among those "
        f"judged, {how}; a promise with insufficient data is left out.{each} It is graded as "
        "follows:"
    )
    rows = tuple((g.name, interval_words(g.interval)) for g in ctx.terms.grades)
    return [Heading(2, "Grades"), Table(Item(intro), ("Grade", "Overall service level"), rows)]
