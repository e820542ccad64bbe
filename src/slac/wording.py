"""Words for numbers, percentages, durations, dates, intervals and row conditions.

The pure text functions every stage uses when it speaks to people: exact (``Decimal`` in,
``str`` out, never a float), deterministic, and free of slac's own types, so that the checker's
findings, the plan's explanation, the results and the statements say one value the same way.
Interval bounds and conditions are read through small protocols that the contract's and the
plan's types both fit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
COMPARISON_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}
COMPARISON_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
# Condition fields whose value reads well in front of the dataset's noun: "P1 tickets".
ADJECTIVE_FIELDS = ("outcome", "criticality", "severity", "priority", "channel")
# Event timestamps (without "_at") → the noun of the event: "resolved_at" → "resolution".
EVENT_NOUNS = {
    "acknowledged": "acknowledgement",
    "answered": "answer",
    "arrived": "arrival",
    "assigned": "assignment",
    "closed": "closing",
    "completed": "completion",
    "created": "creation",
    "delivered": "delivery",
    "dispatched": "dispatch",
    "ended": "end",
    "fixed": "fix",
    "logged": "logging",
    "offered": "offer",
    "opened": "opening",
    "ordered": "order placement",
    "picked": "picking",
    "placed": "placement",
    "raised": "raising",
    "received": "receipt",
    "replied": "reply",
    "reported": "report",
    "resolved": "resolution",
    "responded": "response",
    "restored": "restoration",
    "shipped": "shipment",
    "started": "start",
    "submitted": "submission",
}

# --------------------------------------------------------------------------------------------
# Numbers, percentages, durations, dates
# --------------------------------------------------------------------------------------------


def number_words(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros: ``Decimal("4.50")`` → ``"4.5"``."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def percent_words(ratio: Decimal, places: int | None = None) -> str:
    """A ratio as a percentage: exactly (``0.9999`` → ``"99.99%"``, ``0.5`` → ``"50%"``), or
    with ``places`` decimals, rounded half to even (``0.868217``, 2 → ``"86.82%"``)."""
    if places is None:
        return number_words(ratio * 100) + "%"
    value = (ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return f"{value:f}%"


_UNITS = (("day", "d", 86400), ("hour", "h", 3600), ("minute", "min", 60), ("second", "s", 1))


def duration_words(seconds: Decimal, *, business: bool = False) -> str:
    """A duration for people: 3600 → "1 hour", 5400 → "1 h 30 min", 86400 → "24 hours".

    One unit is spelled out, several are abbreviated. Days are used from 3 days up (as
    contracts say "24 hours", "48 hours", then "3 days", "30 days"); business time never has
    days (a business day is a different thing): 259200 business seconds → "72 business hours".
    """
    if seconds != seconds.to_integral_value():
        return f"{number_words(seconds)} {'business ' if business else ''}seconds"
    rest = int(seconds)
    parts: list[tuple[int, str, str]] = []
    for full, short, size in _UNITS:
        if full == "day" and (business or rest < 3 * size):
            continue
        count, rest = divmod(rest, size)
        if count:
            parts.append((count, full, short))
    prefix = "business " if business else ""
    if not parts:
        return f"0 {prefix}seconds"
    if len(parts) == 1:
        count, full, _ = parts[0]
        return f"{count} {prefix}{full}{'' if count == 1 else 's'}"
    text = " ".join(f"{count} {short}" for count, _, short in parts)
    return f"{text} business time" if business else text


def business_days_words(days: Decimal) -> str:
    return f"{number_words(days)} business day{'' if days == 1 else 's'}"


def duration_adjective(seconds: Decimal) -> str:
    """60 → "1-minute", 300 → "5-minute", 90 → "90-second" (for "5-minute intervals")."""
    value = int(seconds)
    for full, _, size in _UNITS:
        if value % size == 0:
            return f"{value // size}-{full}"
    return f"{number_words(seconds)}-second"  # pragma: no cover - durations are whole seconds


def value_words(value: Decimal, unit: str, *, business: bool = False) -> str:
    """A value in its unit (``ratio``, ``seconds`` or a plain number), as a contract says it."""
    if unit == "ratio":
        return percent_words(value)
    if unit == "seconds":
        return duration_words(value, business=business)
    return number_words(value)


def compact_value(value: Decimal, unit: str) -> str:
    """A value in its unit, briefly, for findings and results: ``99.9%``, ``14400s``, ``30``."""
    if unit == "ratio":
        return percent_words(value)
    if unit == "seconds":
        return f"{number_words(value)}s"
    return number_words(value)


def date_words(iso: str) -> str:
    """``2026-07-01`` → ``1 July 2026``."""
    day = date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def ordinal(value: Decimal) -> str:
    """90 → "90th", 1 → "1st", 22 → "22nd", 99.9 → "99.9th"."""
    text = number_words(value)
    if value != value.to_integral_value():
        return f"{text}th"
    whole = int(value)
    if whole % 100 in (11, 12, 13):
        return f"{text}th"
    return text + {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")


# --------------------------------------------------------------------------------------------
# Words and sentences
# --------------------------------------------------------------------------------------------


def words(name: str) -> str:
    """A data name for people: ``first_replied_at`` → ``first replied at``."""
    return name.replace("_", " ")


def join_words(items: Sequence[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def article(text: str) -> str:
    """``a ticket``, ``an order``, ``a unit fill rate``, ``an hour``."""
    lower = text.lower()
    vowel = lower[:1] in "aeiou" and not lower.startswith(("uni", "use", "usu", "eu", "one"))
    return f"an {text}" if vowel or lower.startswith(("hour", "honest")) else f"a {text}"


def singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun


def sentence(text: str) -> str:
    """Capitalised and closed with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------------


class Bound(Protocol):
    """One side of an interval: its value, and whether the value itself belongs to it."""

    @property
    def value(self) -> Decimal: ...

    @property
    def inclusive(self) -> bool: ...


# (exclusive, inclusive) words for the low and the high side
_SIDES = {False: (("above", "at least"), ("below", "at most")), True: ((">", ">="), ("<", "<="))}


def bounds_words(
    low: Bound | None,
    high: Bound | None,
    show: Callable[[Decimal], str],
    *,
    signs: bool = False,
    empty: str = "any value",
) -> str:
    """A band of values with each side's inclusiveness stated exactly, ``show`` saying each
    value: ``at least 99% and below 99.99%``, ``above 5%``; with ``signs``: ``>= 99% and < 99.99%``.
    """
    low_side, high_side = _SIDES[signs]
    parts = []
    if low is not None:
        parts.append(f"{low_side[low.inclusive]} {show(low.value)}")
    if high is not None:
        parts.append(f"{high_side[high.inclusive]} {show(high.value)}")
    return " and ".join(parts) or empty


# --------------------------------------------------------------------------------------------
# Conditions on rows
# --------------------------------------------------------------------------------------------


class Condition(Protocol):
    """``field op value``; ``value`` is a sequence for ``in``/``not-in``, None for null tests."""

    @property
    def field(self) -> str: ...

    @property
    def op(self) -> str: ...

    @property
    def value(self) -> Any: ...


@dataclass(frozen=True)
class Clause:
    """A condition read from JSON (a metric's params store their conditions as JSON)."""

    field: str
    op: str
    value: Any = None


def clauses(raw: Iterable[Any] | None) -> tuple[Clause, ...]:
    """Conditions stored as JSON (``[{field, op, value}]``) as :class:`Clause` values."""
    out = []
    for cond in raw or []:
        value = cond.get("value")
        if isinstance(value, list):
            value = tuple(value)
        out.append(Clause(str(cond["field"]), str(cond["op"]), value))
    return tuple(out)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return words(value)
    return str(value)


def _values(values: Any, last: str = "or") -> str:
    items = values if isinstance(values, tuple | list) else (values,)
    return join_words([_value(v) for v in items], last)


def _marked(cond: Condition) -> str | None:
    """Boolean flags: ``test_call = true`` → ``marked “test call”``."""
    if cond.op in ("=", "!=") and isinstance(cond.value, bool):
        positive = cond.value == (cond.op == "=")
        return f"{'' if positive else 'not '}marked “{words(cond.field)}”"
    return None


def adjective(cond: Condition) -> str | None:
    """``priority = P1`` → ``P1`` (read as "P1 tickets"); None when it does not read so."""
    if cond.field not in ADJECTIVE_FIELDS:
        return None
    if cond.op == "=" and isinstance(cond.value, str):
        return _value(cond.value)
    if cond.op == "in" and isinstance(cond.value, tuple):
        return _values(cond.value)
    return None


def condition_words(cond: Condition) -> str:
    """``channel != portal`` → ``channel is not portal`` (a clause after "whose")."""
    name = words(cond.field)
    value = cond.value
    if cond.op == "=":
        return f"{name} is {_value(value)}"
    if cond.op == "!=":
        return f"{name} is not {_value(value)}"
    if cond.op == "in":
        return f"{name} is {_values(value)}"
    if cond.op == "not-in":
        items = value if isinstance(value, tuple) else (value,)
        if len(items) == 2:
            return f"{name} is neither {_value(items[0])} nor {_value(items[1])}"
        return f"{name} is not {_values(value)}"
    if cond.op == "is-null":
        return f"{name} is empty"
    if cond.op == "not-null":
        return f"{name} is given"
    return f"{name} is {COMPARISON_WORDS.get(cond.op, cond.op)} {_value(value)}"


def rows_words(noun: str, conds: Sequence[Condition]) -> str:
    """``P1 tickets``, ``voice contacts not marked “short abandon”``, ``tickets whose …``."""
    adjectives: list[tuple[int, str]] = []
    marked: list[str] = []
    whose: list[str] = []
    for cond in conds:
        lead = adjective(cond)
        flag = _marked(cond)
        if lead is not None:
            adjectives.append((ADJECTIVE_FIELDS.index(cond.field), lead))
        elif flag is not None:
            marked.append(flag)
        else:
            whose.append(f"whose {condition_words(cond)}")
    text = " ".join([a for _, a in sorted(adjectives)] + [noun])
    if marked:
        text += " " + " and ".join(marked)
    if whose:
        text += " " + " and ".join(whose)
    return text


def qualifier_words(conds: Sequence[Condition]) -> str:
    """The part of a ratio's rows that counts: ``that are abandoned``, ``whose x is y``."""
    are: list[str] = []
    whose: list[str] = []
    for cond in conds:
        lead = adjective(cond) if cond.op == "=" else None
        flag = _marked(cond)
        if lead is not None:
            are.append(lead)
        elif flag is not None:
            are.append(flag)
        else:
            whose.append(f"whose {condition_words(cond)}")
    parts = []
    if are:
        parts.append("that are " + " and ".join(are))
    parts.extend(whose)
    return " and ".join(parts)


def event_noun(field_name: str) -> str:
    """``first_responded_at`` → ``first response``; unknown names are quoted as they are."""
    stem = field_name.removesuffix("_at").removesuffix("_time").removesuffix("_on")
    prefix = ""
    if stem.startswith("first_"):
        prefix, stem = "first ", stem.removeprefix("first_")
    noun = EVENT_NOUNS.get(stem) or (stem if stem in EVENT_NOUNS.values() else None)
    return f"{prefix}{noun}" if noun else f"“{words(prefix + stem)}”"
