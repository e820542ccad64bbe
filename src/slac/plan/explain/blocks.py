"""The explanation's document model (headings, paragraphs, bullets, tables) and its two
renderings: plain text (underlined headings, wrapped at 88 columns) and Markdown."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from slac.wording import MONTHS

WIDTH = 88
NBSP = "\xa0"  # glues words while wrapping; written out as a plain space


@dataclass(frozen=True)
class Label:
    """A bullet's lead: a name, and optionally the contract's id for it."""

    name: str
    ref: str | None = None


@dataclass(frozen=True)
class Item:
    text: str
    label: Label | None = None
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class Heading:
    level: int  # 1 title, 2 section, 3 subsection
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Table:
    """A table in Markdown; in text, an intro bullet with one sub-bullet per row."""

    intro: Item
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


Block = Heading | Para | Bullets | Table


def _wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


_GLUE = (
    # a spaced dash stays on the line of the word before it: no wrapped line starts "- "
    (re.compile(r" - "), f"{NBSP}- "),
    # a number stays with its unit, a currency with its amount, a month with day and year
    (
        re.compile(
            r"(?<=\d) (?=(?:business |seconds?\b|minutes?\b|hours?\b|days?\b|h\b|min\b|s\b"
            r"|months?\b|" + "|".join(MONTHS) + r"))"
        ),
        NBSP,
    ),
    (re.compile(r"(?<=\bbusiness) (?=(?:days?|hours?|minutes?|seconds?|time)\b)"), NBSP),
    (re.compile(r"(?<=\b[A-Z]{3}) (?=\d)"), NBSP),
    (re.compile(r"\b(" + "|".join(MONTHS) + r") (?=\d{4}\b)"), rf"\1{NBSP}"),
)


def _glue(text: str) -> str:
    """Non-breaking spaces where a line break would split one value (text rendering only)."""
    for pattern, replacement in _GLUE:
        text = pattern.sub(replacement, text)
    return text


def _text_label(label: Label | None, text: str) -> str:
    if label is None:
        return text
    ref = f" [{label.ref}]" if label.ref else ""
    return f"{label.name}{ref}: {text}" if text else f"{label.name}{ref}"


def render_text(blocks: Iterable[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            line = "=" if block.level <= 2 else "-"
            text = block.text
            if block.level == 1:
                out.append(f"{line * len(text)}\n{text}\n{line * len(text)}")
            elif block.level == 2:
                out.append(f"{text}\n{'=' * len(text)}")
            else:
                out.append(f"{text}\n{'-' * len(text)}")
        elif isinstance(block, Para):
            out.append(_wrap(_glue(block.text), "", ""))
        elif isinstance(block, Bullets):
            out.append("\n".join(_text_item(item) for item in block.items))
        else:
            children = tuple(f"{a}: {b}" for a, b in block.rows)
            item = Item(block.intro.text, block.intro.label, children)
            out.append(_text_item(item))
    return "\n\n".join(out).replace(NBSP, " ") + "\n"


def _text_item(item: Item) -> str:
    lines = [_wrap(_glue(_text_label(item.label, item.text)), "- ", "  ")]
    lines.extend(_wrap(_glue(child), "  - ", "    ") for child in item.children)
    return "\n".join(lines)


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|"})


def _md(text: str) -> str:
    return text.translate(_MD_SPECIAL)


def _md_label(label: Label | None, text: str) -> str:
    if label is None:
        return _md(text)
    ref = f" (`{label.ref}`)" if label.ref else ""
    lead = f"**{_md(label.name)}**{ref}"
    return f"{lead}: {_md(text)}" if text else lead


def render_markdown(blocks: Iterable[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {_md(block.text)}")
        elif isinstance(block, Para):
            out.append(_md(block.text))
        elif isinstance(block, Bullets):
            out.append("\n".join(_md_item(item) for item in block.items))
        else:
            head = f"| {_md(block.headers[0])} | {_md(block.headers[1])} |\n|---|---|"
            rows = "\n".join(f"| {_md(a)} | {_md(b)} |" for a, b in block.rows)
            out.append(f"{_md_label(block.intro.label, block.intro.text)}\n\n{head}\n{rows}")
    return "\n\n".join(out).replace(NBSP, " ") + "\n"


def _md_item(item: Item) -> str:
    lines = [f"- {_md_label(item.label, item.text)}"]
    lines.extend(f"  - {_md(child)}" for child in item.children)
    return "\n".join(lines)
