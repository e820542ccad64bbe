"""The whole explanation: the contract's heading, each set of terms in force (promises, then
the sections) and, between amended terms, what changed."""

from __future__ import annotations

from collections.abc import Callable

from slac.plan.explain.blocks import Block, Bullets, Heading, Item, Label, Para
from slac.plan.explain.calendars import business_hours
from slac.plan.explain.context import Context
from slac.plan.explain.credits import costs
from slac.plan.explain.measures import KindWordings
from slac.plan.explain.promises import promise_words, promises
from slac.plan.explain.sections import chronic, escalations, exclusions, grades, responsibilities
from slac.plan.types import Plan, Terms
from slac.wording import date_words, join_words

SECTIONS: tuple[tuple[str, Callable[[Context], list[Block]]], ...] = (
    ("business hours", business_hours),
    ("responsibilities", responsibilities),
    ("exclusions", exclusions),
    ("credits", costs),
    ("chronic failure", chronic),
    ("escalations", escalations),
    ("grades", grades),
)


def _sections(ctx: Context) -> list[tuple[str, list[Block]]]:
    return [(name, section(ctx)) for name, section in SECTIONS]


def _changes(plan: Plan, before: Terms, after: Terms, kinds: KindWordings) -> str:
    """What differs from the previous terms, read from the explanations themselves."""
    old, new = Context(plan, before, kinds), Context(plan, after, kinds)
    old_promises = {o.id: promise_words(old, o) for o in before.objectives}
    parts = []
    for objective in after.objectives:
        if objective.id not in old_promises:
            parts.append(f"the new promise {new.objective_name(objective.id)}")
        elif old_promises[objective.id] != promise_words(new, objective):
            parts.append(f"the promise {new.objective_name(objective.id)}")
    for objective_id in old_promises:
        if objective_id not in new.objectives:
            parts.append(f"the promise {old.objective_name(objective_id)} is dropped")
    for (name, old_blocks), (_, new_blocks) in zip(_sections(old), _sections(new), strict=True):
        if old_blocks != new_blocks:
            parts.append(f"the {name}")
    if not parts:
        return "Nothing that these explanations show changes from the previous terms."
    return f"Changed from the previous terms: {join_words(parts)}."


def _terms_blocks(plan: Plan, terms: Terms, level: int, kinds: KindWordings) -> list[Block]:
    ctx = Context(plan, terms, kinds)
    sections = [promises(ctx), *(blocks for _, blocks in _sections(ctx))]
    blocks: list[Block] = []
    for section in sections:
        for block in section:
            if isinstance(block, Heading):
                blocks.append(Heading(block.level + level - 2, block.text))
            else:
                blocks.append(block)
    return blocks


def _span(start: str, end: str | None) -> str:
    if end is None:
        return f"from {date_words(start)}, open-ended"
    return f"from {date_words(start)} to {date_words(end)}"


def _heading(plan: Plan) -> list[Block]:
    title = plan.title or plan.contract_id
    parties = {p.key: p for p in plan.parties}
    items = [Item(f"{plan.contract_id}, version {plan.version}", Label("Contract"))]
    for key, label in (("provider", "Provider"), ("customer", "Customer")):
        if key in parties:
            items.append(Item(parties[key].name, Label(label)))
    others = [p for p in plan.parties if p.key not in ("provider", "customer")]
    for party in others:
        items.append(Item(f"{party.name} (“{party.key}”)", Label("Also involved")))
    span = _span(plan.effective_from, plan.effective_to)
    if plan.effective_to is not None:
        span += " (both days included)"
    items.append(Item(span, Label("In force")))
    if plan.review_due:
        review = date_words(plan.review_due)
        if plan.review_owner:
            owner = parties[plan.review_owner].name if plan.review_owner in parties else None
            review += f", by {owner or plan.review_owner}"
        items.append(Item(review, Label("Review due")))
    items.append(
        Item(
            f"{plan.timezone}; months, quarters and years start and end at midnight in this "
            "time zone",
            Label("Time zone"),
        )
    )
    return [Heading(1, title), Bullets(tuple(items))]


def document(plan: Plan, kinds: KindWordings) -> list[Block]:
    """The explanation of ``plan`` as blocks, ready for either rendering."""
    blocks = _heading(plan)
    if len(plan.terms) == 1:
        blocks.extend(_terms_blocks(plan, plan.terms[0], 2, kinds))
        return blocks
    changes = len(plan.terms) - 1
    times = {1: "once", 2: "twice"}.get(changes, f"{changes} times")
    blocks.append(
        Para(
            f"The terms change {times} during the contract; each set of terms is explained "
            "in full below."
        )
    )
    previous: Terms | None = None
    for terms in plan.terms:
        span = _span(terms.effective_from, terms.effective_to)
        blocks.append(Heading(2, span[0].upper() + span[1:]))
        if terms.amendment:
            summary = (terms.amendment_summary or "").strip().rstrip(".")
            note = f"amendment {terms.amendment}: {summary}" if summary else terms.amendment
            blocks.append(Para(f"From {date_words(terms.effective_from)} ({note})."))
        if previous is not None:
            blocks.append(Para(_changes(plan, previous, terms, kinds)))
        else:
            blocks.append(Para("The terms as first agreed."))
        blocks.extend(_terms_blocks(plan, terms, 3, kinds))
        previous = terms
    return blocks
