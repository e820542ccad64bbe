"""The plan in plain English, for an account manager or a customer (`slac explain`).

Everything here is read from the :class:`~slac.plan.types.Plan`, never from the YAML, so that
what is explained is exactly what is evaluated. The output is deterministic: no "today",
stable ordering, exact decimals (``Decimal("0.9999")`` reads "99.99%", never a float).

The text is built as a small list of blocks (:mod:`.blocks`: headings, paragraphs, bullet
lists, tables) and rendered either as plain text (underlined headings, wrapped at 88 columns)
or as Markdown. :mod:`.document` puts the blocks together from the sections (:mod:`.promises`,
:mod:`.calendars`, :mod:`.credits`, :mod:`.sections`); what each metric kind promises is worded
by the kind itself (:mod:`slac.kinds`, through :mod:`.measures`), numbers, durations and
conditions in :mod:`slac.wording`.
"""

from __future__ import annotations

from slac.plan.explain.blocks import render_markdown, render_text
from slac.plan.explain.document import document
from slac.plan.explain.measures import KindWordings
from slac.plan.types import Plan

FORMATS = ("text", "md")


def explain(plan: Plan, kinds: KindWordings, fmt: str = "text") -> str:
    """The plan in plain English: ``fmt`` is ``text`` (wrapped at 88 columns) or ``md``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    blocks = document(plan, kinds)
    return render_text(blocks) if fmt == "text" else render_markdown(blocks)
