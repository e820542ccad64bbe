"""The plan in plain English, for an account manager or a customer (`slac explain`).

Everything here is read from the :class:`~slac.plan.types.Plan`, never from the YAML, so that
what is explained is exactly what is evaluated. The output is deterministic: no "today",
stable ordering, exact decimals (``Decimal("0.9999")`` reads "99.99%", never a float).

The text is built as a small list of blocks (headings, paragraphs, bullet lists, tables) and
rendered either as plain text (underlined headings, wrapped at 88 columns) or as Markdown.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from slac.plan.types import (
    Calendar,
    Condition,
    Dataset,
    Escalation,
    Exclusion,
    Interval,
    Money,
    Objective,
    Party,
    Period,
    Plan,
    Quantity,
    Terms,
    TimeRange,
)

FORMATS = ("text", "md")
WIDTH = 88
NBSP = "\xa0"  # glues words while wrapping; written out as a plain space

DAY_NAMES = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}
WEEK = tuple(DAY_NAMES)
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
COMPARISON = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}
ROUNDING = {
    "half-up": ROUND_HALF_UP,
    "half-even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
ROUNDING_WORDS = {
    "half-up": "half up (commercial rounding)",
    "half-even": "half to even (banker's rounding)",
    "down": "down",
    "up": "up",
}
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
PERIOD_ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
PERCENTILE_METHOD = {
    "linear": "linear interpolation",
    "lower": "lower value",
    "higher": "higher value",
    "nearest": "nearest value",
}
REASONS = {
    "maintenance": "Scheduled maintenance",
    "force-majeure": "Force majeure",
    "customer-caused": "Caused by the customer",
    "third-party": "Caused by a third party",
    "tagged": "Tagged",
    "other": "Other reason",
}
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
CONSEQUENCES = {
    "termination-right": "{customer} may terminate the contract",
    "escalation": "the matter is escalated to the management of both parties",
    "remediation-plan": "{provider} must present a remediation plan",
    "step-in-right": "{customer} may step in and run the service itself or through a third party",
}


# --------------------------------------------------------------------------------------------
# Wording helpers (pure functions, unit-tested on their own)
# --------------------------------------------------------------------------------------------


def number_words(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros: ``Decimal("4.50")`` → ``"4.5"``."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def percent_words(ratio: Decimal) -> str:
    """A ratio as a percentage, exactly: ``0.9999`` → ``"99.99%"``, ``0.5`` → ``"50%"``."""
    return number_words(ratio * 100) + "%"


def money_words(money: Money) -> str:
    """``EUR 12,000.00``, ``JPY 500``: the currency's minor unit, thousands separated."""
    return f"{money.currency} {_amount(money.amount, money.minor_unit)}"


def _amount(amount: Decimal, minor_unit: int) -> str:
    exact = amount.quantize(Decimal(1).scaleb(-minor_unit))
    return format(exact, f",.{minor_unit}f")


def money_share(money: Money, ratio: Decimal, *, mode: str = "half-up", times: int = 1) -> Money:
    """``ratio`` of ``times`` × ``money``, rounded once to the currency's minor unit."""
    exact = money.amount * times * ratio
    rounded = exact.quantize(Decimal(1).scaleb(-money.minor_unit), rounding=ROUNDING[mode])
    return Money(rounded, money.currency, money.minor_unit)


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


def _duration_adjective(seconds: Decimal) -> str:
    """60 → "1-minute", 300 → "5-minute", 90 → "90-second" (for "5-minute intervals")."""
    value = int(seconds)
    for full, _, size in _UNITS:
        if value % size == 0:
            return f"{value // size}-{full}"
    return f"{number_words(seconds)}-second"  # pragma: no cover - durations are whole seconds


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


def quantity_words(quantity: Quantity, *, business: bool = False) -> str:
    return _value_words(quantity.value, quantity.unit, business=business)


def _value_words(value: Decimal, unit: str, *, business: bool = False) -> str:
    if unit == "ratio":
        return percent_words(value)
    if unit == "seconds":
        return duration_words(value, business=business)
    return number_words(value)


def interval_words(interval: Interval, *, business: bool = False) -> str:
    """A band of measured values with each side's inclusiveness stated exactly.

    ``at least 99% and below 99.99%``, ``above 5% and at most 8%``, ``below 95%``.
    """
    parts = []
    if interval.low is not None:
        side = "at least" if interval.low.inclusive else "above"
        parts.append(f"{side} {_value_words(interval.low.value, interval.unit, business=business)}")
    if interval.high is not None:
        side = "at most" if interval.high.inclusive else "below"
        parts.append(
            f"{side} {_value_words(interval.high.value, interval.unit, business=business)}"
        )
    return " and ".join(parts) if parts else "any value"


def _joined_week(weekly: Sequence[tuple[str, Sequence[TimeRange]]]) -> dict[str, list[str]]:
    """Each day's ranges as words; a range running to midnight joins the next morning's."""
    days = {day: list(ranges) for day, ranges in weekly}
    out: dict[str, list[str]] = {day: [] for day in WEEK}
    # A "tail" (s-24:00, s > 00:00) followed by a "head" (00:00-e, e < 24:00) on the next day
    # is one range that crosses midnight (the plan stores it split, see plan.calendars).
    heads_taken: set[str] = set()
    for index, day in enumerate(WEEK):
        following = WEEK[(index + 1) % 7]
        for rng in days.get(day, []):
            if rng.start == "00:00" and rng.end == "24:00":
                out[day].append("all day")
                continue
            if rng.start == "00:00" and day in heads_taken:
                continue
            if rng.end == "24:00":
                head = next(
                    (r for r in days.get(following, []) if r.start == "00:00" and r.end != "24:00"),
                    None,
                )
                if head is not None:
                    heads_taken.add(following)
                    out[day].append(f"{rng.start}–{head.end} (past midnight)")
                    continue
            out[day].append(f"{rng.start}–{rng.end}")
    # A head taken by an earlier day's tail in the loop above was already skipped; but the
    # Sunday → Monday join is found after Monday was listed: drop Monday's head afterwards.
    if "mon" in heads_taken:
        mon_head = next(
            (r for r in days.get("mon", []) if r.start == "00:00" and r.end != "24:00"), None
        )
        if mon_head is not None:
            text = f"{mon_head.start}–{mon_head.end}"
            if text in out["mon"]:
                out["mon"].remove(text)
    return out


def week_words(weekly: Sequence[tuple[str, Sequence[TimeRange]]]) -> str:
    """Business hours grouped: ``Mon–Fri 08:00–18:00, Sat 09:00–13:00``.

    Equal days are grouped (consecutive runs joined with a dash); a range crossing midnight
    reads ``Sun 22:00–02:00 (past midnight)``; seven full days read ``around the clock``.
    """
    per_day = _joined_week(weekly)
    if all(per_day[d] == ["all day"] for d in WEEK):
        return "around the clock"
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, day in enumerate(WEEK):
        ranges = tuple(per_day[day])
        if ranges:
            groups.setdefault(ranges, []).append(index)
    if not groups:
        return "never open"
    parts = []
    for ranges, indexes in sorted(groups.items(), key=lambda item: item[1][0]):
        parts.append(f"{_day_runs(indexes)} {' and '.join(ranges)}")
    return ", ".join(parts)


def _day_runs(indexes: list[int]) -> str:
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    names = []
    for run in runs:
        first, last = DAY_NAMES[WEEK[run[0]]], DAY_NAMES[WEEK[run[-1]]]
        names.append(first if len(run) == 1 else f"{first}–{last}")
    return ", ".join(names)


def _country_holidays(calendar: Calendar) -> set[str] | None:
    """The public holidays of the calendar's country over its horizon (None: unknown)."""
    if not calendar.holiday_country:
        return set()
    try:
        import holidays
    except ImportError:  # pragma: no cover - a dependency of slac
        return None
    first, last = int(calendar.horizon_from[:4]), int(calendar.horizon_to[:4])
    try:
        table = holidays.country_holidays(
            calendar.holiday_country,
            subdiv=calendar.holiday_subdivision,
            years=range(first, last + 1),
        )
    except NotImplementedError:  # pragma: no cover - the compiler built it the same way
        return None
    return {day.isoformat() for day in table}


@dataclass(frozen=True)
class ClosedDays:
    public: str | None  # "public holidays in DE (BY)"
    further: tuple[str, ...]  # the contract's own closed dates
    worked: tuple[str, ...]  # public holidays worked anyway


def closed_days(calendar: Calendar) -> ClosedDays:
    """Split the plan's holiday dates into the country's holidays and the contract's own."""
    dates = set(calendar.holidays)
    public = None
    if calendar.holiday_country:
        public = f"public holidays in {calendar.holiday_country}"
        if calendar.holiday_subdivision:
            public += f" ({calendar.holiday_subdivision})"
    country = _country_holidays(calendar)
    if country is None:
        return ClosedDays(public, (), ())
    return ClosedDays(
        public, tuple(sorted(dates - country)), tuple(sorted(country - dates) if public else ())
    )


def _days_count(count: int, noun: str = "closed day") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def calendar_words(calendar: Calendar) -> str:
    """Compact: ``Mon–Fri 08:00–18:00, Europe/Berlin, public holidays in DE excluded``."""
    week = week_words(calendar.weekly)
    if calendar.always_open:
        return week
    parts = [week, calendar.timezone]
    closed = closed_days(calendar)
    off = []
    if closed.public:
        public = closed.public
        if closed.worked:
            public += f" (except {_days_count(len(closed.worked), 'day')} worked anyway)"
        off.append(public)
    if closed.further:
        noun = "further closed day" if closed.public else "closed day"
        off.append(_days_count(len(closed.further), noun))
    if off:
        parts.append(f"{' and '.join(off)} excluded")
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# The document model and its two renderings
# --------------------------------------------------------------------------------------------


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
    # Headings shift down one level under a level-2 "terms" heading (see _document).
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


# --------------------------------------------------------------------------------------------
# Reading the plan
# --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    plan: Plan
    terms: Terms
    parties: dict[str, Party] = field(init=False)
    datasets: dict[str, Dataset] = field(init=False)
    calendars: dict[str, Calendar] = field(init=False)
    objectives: dict[str, Objective] = field(init=False)

    def __post_init__(self) -> None:
        self.parties = {p.key: p for p in self.plan.parties}
        self.datasets = {d.name: d for d in self.plan.datasets}
        self.calendars = {c.name: c for c in self.terms.calendars}
        self.objectives = {o.id: o for o in self.terms.objectives}

    def party(self, key: str) -> str:
        party = self.parties.get(key)
        return party.name if party else key

    def noun(self, dataset: str) -> str:
        """The rows of a dataset in words: ``tickets``, ``desk calls``, ``satisfaction surveys``."""
        spec = self.datasets.get(dataset)
        name = words(dataset)
        if spec is not None and not name.endswith("s"):
            kind = words(spec.kind).replace("-", " ")
            if kind.endswith("s") and kind not in name:
                return f"{name} {kind}"
        return name

    def objective_name(self, objective_id: str) -> str:
        objective = self.objectives.get(objective_id)
        if objective is None or objective.title is None:
            return f"“{objective_id}”"
        return f"“{objective.title}”"

    def objectives_words(self, ids: Sequence[str], last: str = "and") -> str:
        if len(self.terms.objectives) > 1 and set(ids) >= set(self.objectives):
            return "any promise" if last == "or" else "all promises"
        return join_words([self.objective_name(i) for i in ids], last)

    def period_unit(self, ids: Iterable[str]) -> str:
        """``month`` when all these objectives are monthly, else ``period``."""
        units = {self.objectives[i].period.unit for i in ids if i in self.objectives}
        return units.pop() if len(units) == 1 else "period"

    def contact(self, ref: str) -> str:
        """``provider.service-manager`` → ``Jana Krüger (service manager, Example Support Ltd, …)``."""
        key, _, who = ref.partition(".")
        party = self.parties.get(key)
        if party is None:
            return ref
        if not who:
            return party.name
        for contact in party.contacts:
            if who in (contact.role, contact.name):
                details = []
                role = role_words(contact.role or "")
                name = set(contact.name.lower().split())
                if role and not name & set(role.lower().split()):
                    details.append(role)
                details.append(party.name)
                if contact.email:
                    details.append(contact.email)
                return f"{contact.name} ({', '.join(details)})"
        return f"{role_words(who)} ({party.name})"


ACRONYMS = frozenset({"it", "vp", "cx", "cio", "cto", "ceo", "cfo", "coo", "hr", "qa", "ops"})


def role_words(role: str) -> str:
    """``it-manager`` → ``IT manager``."""
    parts = role.replace("_", " ").replace("-", " ").split()
    return " ".join(p.upper() if p in ACRONYMS else p for p in parts)


def singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun


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


def _adjective(cond: Condition) -> str | None:
    """``priority = P1`` → ``P1`` (read as "P1 tickets")."""
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
    return f"{name} is {COMPARISON.get(cond.op, cond.op)} {_value(value)}"


def rows_words(noun: str, conds: Sequence[Condition]) -> str:
    """``P1 tickets``, ``voice contacts not marked “short abandon”``, ``tickets whose …``."""
    adjectives: list[tuple[int, str]] = []
    marked: list[str] = []
    whose: list[str] = []
    for cond in conds:
        adjective = _adjective(cond)
        flag = _marked(cond)
        if adjective is not None:
            adjectives.append((ADJECTIVE_FIELDS.index(cond.field), adjective))
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
        adjective = _adjective(cond) if cond.op == "=" else None
        flag = _marked(cond)
        if adjective is not None:
            are.append(adjective)
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


def _article(text: str) -> str:
    """``a ticket``, ``an order``, ``a unit fill rate``, ``an hour``."""
    lower = text.lower()
    vowel = lower[:1] in "aeiou" and not lower.startswith(("uni", "use", "usu", "eu", "one"))
    return f"an {text}" if vowel or lower.startswith(("hour", "honest")) else f"a {text}"


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


def _params(objective: Objective) -> dict[str, Any]:
    return dict(objective.metric.params)


def _conds(raw: Any) -> tuple[Condition, ...]:
    """Conditions stored as JSON in a metric's params back into :class:`Condition`."""
    out = []
    for cond in raw or []:
        value = cond.get("value")
        if isinstance(value, list):
            value = tuple(value)
        out.append(Condition(str(cond["field"]), str(cond["op"]), value))
    return tuple(out)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------------------------
# Promises
# --------------------------------------------------------------------------------------------


def _statistic_words(objective: Objective, quantity: str) -> str:
    j = objective.judgement
    stat = j.statistic or ""
    if stat == "mean":
        return f"the average {quantity}"
    if stat == "median":
        return f"the median {quantity}"
    if stat == "min":
        return f"the minimum {quantity}"
    if stat == "max":
        return f"the maximum {quantity}"
    if stat == "sum":
        return f"the total {quantity}"
    if j.percentile is not None:
        method = PERCENTILE_METHOD.get(j.percentile_method or "", j.percentile_method or "")
        how = f" ({method})" if method else ""
        return f"the {ordinal(j.percentile * 100)} percentile{how} of the {quantity}"
    return f"the {stat} of the {quantity}"


def _value_quantity(params: dict[str, Any]) -> str:
    fields = [str(f) for f in params.get("fields") or []]
    suffixes = ("_seconds", "_minutes", "_time")
    if fields and all(f.endswith(suffixes) for f in fields):
        stems = [words(f.rsplit("_", 1)[0]) for f in fields]
        return f"{' + '.join(stems)} time"
    return " + ".join(words(f) for f in fields) or "value"


def _deadline(objective: Objective, calendar: Calendar | None) -> str:
    """The threshold in words: business days, business time or elapsed time."""
    j = objective.judgement
    business = calendar is not None and not calendar.always_open
    if j.threshold_business_days is not None:
        return business_days_words(j.threshold_business_days)
    assert j.threshold_seconds is not None
    return duration_words(j.threshold_seconds, business=business)


def _clock(calendar: Calendar | None) -> str:
    return "" if calendar is None else f" ({calendar_words(calendar)})"


def _promise(ctx: _Context, objective: Objective) -> str:
    metric = objective.metric
    params = _params(objective)
    party = ctx.party(objective.responsible)
    noun = ctx.noun(metric.dataset)
    rows = rows_words(noun, metric.where + objective.where)
    when = period_words(objective.period)
    scope = scope_words(objective.scope)
    when_scope = f"{when}, {scope}" if scope else when
    cmp = COMPARISON[objective.target.op]
    j = objective.judgement
    sentences: list[str] = []
    calendar = ctx.calendars.get(str(params.get("calendar"))) if metric.kind == "duration" else None
    business = calendar is not None and not calendar.always_open
    target = quantity_words(objective.target.quantity, business=business)

    if metric.kind in ("duration", "value"):
        if metric.kind == "duration":
            start, end = event_noun(str(params["from"])), event_noun(str(params["to"]))
            quantity = f"time from {start} to {end}"
        else:
            start, end = "", ""
            quantity = _value_quantity(params)
        if j.kind == "threshold-share":
            deadline = _deadline(objective, calendar)
            where = _clock(calendar)
            if metric.kind == "duration":
                how = "within" if j.threshold_inclusive else "in under"
                sentences.append(
                    f"{party} promises that {cmp} {target} of {rows} have their {end} "
                    f"{how} {deadline} of {start}{where}, {when_scope}"
                )
            else:
                how = "at most" if j.threshold_inclusive else "less than"
                sentences.append(
                    f"{party} promises that {cmp} {target} of {rows} have {_article(quantity)} "
                    f"of {how} {deadline}, {when_scope}"
                )
            event = end if metric.kind == "duration" else f"{_article(quantity)}"
            if j.threshold_inclusive:
                sentences[-1] += (
                    f"; {_article(end) if end else event} exactly at the deadline counts as met"
                )
            else:
                sentences[-1] += (
                    f"; {'the ' + end if end else event} must come before the deadline "
                    "(exactly at it is a breach)"
                )
            days = j.threshold_business_days
            if days is not None:
                sentences.append(
                    "a deadline of 1 business day is the same business time on the next "
                    "business day"
                    if days == 1
                    else f"a deadline of {number_words(days)} business days is the same "
                    f"business time {number_words(days)} business days later"
                )
        elif j.statistic == "count":
            sentences.append(
                f"{party} promises that the number of {rows} is {cmp} {target}, {when_scope}"
            )
        else:
            measure = _statistic_words(objective, quantity)
            counted = ""
            if calendar is not None:
                counted = (
                    ", counted around the clock,"
                    if calendar.always_open
                    else f", counted in business hours{_clock(calendar)},"
                )
            sentences.append(
                f"{party} promises that {measure} of {rows}{counted} is {cmp} {target}, "
                f"{when_scope}"
            )
        if metric.kind == "duration":
            sentences.extend(_duration_details(ctx, objective, params, noun, start, end))
    else:
        name, definition, notes = _measure(ctx, objective, params, rows)
        sentences.append(f"{party} promises {name} of {cmp} {target}, {when_scope}: {definition}")
        sentences.extend(notes)

    if objective.min_sample > 0:
        per = f" (in each {join_words([words(s) for s in objective.scope])})" if scope else ""
        conds = metric.where + objective.where
        counted = rows_words(noun, [c for c in conds if _adjective(c) is not None])
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
    return " ".join(_sentence(s) for s in sentences)


def _duration_details(
    ctx: _Context,
    objective: Objective,
    params: dict[str, Any],
    noun: str,
    start: str,
    end: str,
) -> list[str]:
    one = singular(noun)
    unit = objective.period.unit
    out = []
    pause = params.get("pause")
    if isinstance(pause, dict):
        pause_rows = rows_words(ctx.noun(str(pause["dataset"])), _conds(pause.get("where")))
        out.append(f"the clock stops during {pause_rows}")
    threshold = objective.judgement.kind == "threshold-share"
    if params.get("period_membership") == "end":
        # Items without their end event belong to no period yet: open items are not judged.
        out.append(
            f"{_article(one)} counts in the {unit} of its {end}, so one still waiting for it "
            "is not judged yet"
        )
    elif objective.open_items == "exclude":
        out.append(
            f"{_article(one)} counts in the {unit} of its {start}; {noun} still open at the "
            f"end of the {unit} are left out"
        )
    elif threshold:
        out.append(
            f"{_article(one)} counts in the {unit} of its {start}; one still open at the end "
            f"of the {unit} is a breach if its deadline has passed, otherwise it is reported "
            "as open and not judged"
        )
    else:
        out.append(
            f"{_article(one)} counts in the {unit} of its {start}; {noun} still open at the "
            f"end of the {unit} are left out of the statistic"
        )
    if params.get("reopened") == "each-cycle":
        out.append(f"a reopened {one} is judged again for each cycle")
    else:
        out.append(f"a reopened {one} counts with its first cycle only")
    return out


def _measure(
    ctx: _Context, objective: Objective, params: dict[str, Any], rows: str
) -> tuple[str, str, list[str]]:
    """A value metric's name (``a service level``), definition and notes."""
    kind = objective.metric.kind
    adjective = PERIOD_ADJECTIVE.get(objective.period.unit, "")
    if objective.period.rolling > 1:
        adjective = f"rolling {objective.period.rolling}-{objective.period.unit}"
    notes: list[str] = []
    if kind == "ratio":
        return _article(words(objective.metric_name)), _ratio(params, rows), notes
    if kind == "service_level":
        within = _dec(params.get("within_seconds")) or Decimal(0)
        t = duration_words(within)
        formula = str(params.get("formula"))
        if formula == "abandoned-ignored":
            definition = f"{rows} answered within {t}, as a share of all {rows} answered"
            notes.append(f"{rows} abandoned are not counted")
        elif formula == "abandoned-against":
            definition = (
                f"{rows} answered within {t}, as a share of all {rows} answered or abandoned"
            )
        elif formula == "abandoned-within-for":
            definition = (
                f"{rows} answered or abandoned within {t}, as a share of all {rows} offered"
            )
        else:
            definition = (
                f"{rows} answered within {t}, as a share of {rows} answered plus those "
                f"abandoned after {t}"
            )
            notes.append(f"{rows} abandoned within {t} do not count against the service level")
        short = _dec(params.get("short_abandon_seconds"))
        if short:
            notes.append(f"{rows} abandoned in under {duration_words(short)} are left out entirely")
        return "a service level", definition, notes
    if kind == "availability":
        return _availability(ctx, objective, params, rows, adjective)
    if kind == "survey":
        score = str(params.get("score"))
        rated = tuple(
            c
            for c in objective.metric.where + objective.where
            if not (c.field == score and c.op == "not-null")
        )
        return _survey(params, rows_words(ctx.noun(objective.metric.dataset), rated))
    if kind == "servqual":
        perception = words(str(params.get("perception")))
        expectation = words(str(params.get("expectation")))
        definition = f"the average of {perception} minus {expectation} over {rows}"
        if params.get("dimension"):
            dimension = words(str(params["dimension"]))
            definition = (
                f"the average, over each {dimension}, of {perception} minus {expectation} "
                f"of {rows}, then the average of these (each {dimension} weighs the same)"
            )
        return "an average SERVQUAL gap", definition, notes
    if kind == "count":
        distinct = params.get("distinct")
        if distinct:
            return (
                "a count",
                f"the number of distinct {words(str(distinct))} values in {rows}",
                notes,
            )
        return "a count", f"the number of {rows}", notes
    return _article(words(objective.metric_name)), f"measured on {rows}", notes


def _ratio(params: dict[str, Any], rows: str) -> str:
    num = params.get("numerator") or {}
    den = params.get("denominator") or {}
    num_where, den_where = _conds(num.get("where")), _conds(den.get("where"))
    num_sum, den_sum = num.get("sum"), den.get("sum")
    if not num_sum and not den_sum and not den_where:
        qualifier = qualifier_words(num_where)
        return f"the share of {rows} {qualifier}".rstrip()

    def part(total: Any, where: tuple[Condition, ...]) -> str:
        qualifier = qualifier_words(where)
        subject = f"the total {words(str(total))}" if total else "the number"
        text = f"{subject} of {rows}"
        return f"{text} {qualifier}" if qualifier else text

    if num_sum and den_sum and not num_where and not den_where:
        return (
            f"the total {words(str(num_sum))} of {rows} as a share of their total "
            f"{words(str(den_sum))}"
        )
    return f"{part(num_sum, num_where)}, divided by {part(den_sum, den_where)}"


def _availability(
    ctx: _Context, objective: Objective, params: dict[str, Any], rows: str, adjective: str
) -> tuple[str, str, list[str]]:
    source = params.get("source")
    notes: list[str] = []
    unit = objective.period.unit
    if params.get("availability_minutes") == "nominal":
        notes.append(f"a {unit} counts as its number of days × 1,440 minutes")
    else:
        zone = ctx.plan.timezone
        if zone not in ("UTC", "Etc/UTC"):
            notes.append(
                f"a {unit} has its real number of minutes in {zone}, so daylight-saving "
                "changes count"
            )
    if source == "probes":
        interval = _dec(params.get("interval_seconds"))
        step = f"{_duration_adjective(interval)} " if interval else ""
        ok = _conds(params.get("ok"))
        up = " and ".join(condition_words(c) for c in ok) or "check passes"
        definition = (
            f"the share of {step}intervals in which all {rows} succeeded "
            f"(a probe succeeds when its {up})"
        )
        if params.get("missing") == "ignore":
            notes.insert(0, "intervals without a probe result are left out")
        else:
            notes.insert(0, "an interval without a probe result counts as down")
        return f"{_article(adjective)} uptime", definition, notes
    if source == "outages":
        minimum = _dec(params.get("min_outage_seconds")) or Decimal(0)
        definition = f"the share of the {unit}'s minutes outside {rows}"
        if minimum:
            notes.insert(0, f"{rows} shorter than {duration_words(minimum)} are not counted")
        return f"{_article(adjective)} uptime", definition, notes
    errors, requests = words(str(params.get("errors"))), words(str(params.get("requests")))
    interval = _dec(params.get("interval_seconds"))
    if params.get("method") == "pooled":
        definition = f"100% minus all {errors} divided by all {requests} of {rows}"
    else:
        step = f"{_duration_adjective(interval)} " if interval else ""
        definition = (
            f"100% minus the average error rate ({errors} divided by {requests}) of the "
            f"{step}intervals of {rows}"
        )
        if params.get("empty_interval") == "skip":
            notes.insert(0, "intervals without requests are left out")
        else:
            notes.insert(0, "an interval without requests counts as free of errors")
    return f"{_article(adjective)} availability", definition, notes


def _scale_words(values: Sequence[Any]) -> str:
    low, high = (Decimal(str(v)) for v in values)
    return f"{number_words(low)} to {number_words(high)}"


def _band_words(values: Sequence[Any]) -> str:
    low, high = (Decimal(str(v)) for v in values)
    if low == high:
        return number_words(low)
    if high - low == 1 and low == low.to_integral_value():
        return f"{number_words(low)} or {number_words(high)}"
    return f"{number_words(low)} to {number_words(high)}"


def _survey(params: dict[str, Any], rows: str) -> tuple[str, str, list[str]]:
    measure = params.get("measure")
    score = words(str(params.get("score")))
    scale = _scale_words(params.get("scale") or ["1", "5"])
    good = params.get("good")
    if measure == "nps":
        promoters = _band_words(params.get("promoters") or ["9", "10"])
        detractors = _band_words(params.get("detractors") or ["0", "6"])
        return (
            "a Net Promoter Score (NPS)",
            f"the percentage of promoters ({score} {promoters}) minus the percentage of "
            f"detractors ({detractors}), on a scale of {scale}, among {rows} that rate it",
            [],
        )
    if measure == "ces-mean":
        return (
            "an average Customer Effort Score (CES)",
            f"the average {score}, on a scale of {scale}, of {rows} that rate it",
            [],
        )
    if measure in ("csat", "ces-share") and good:
        name = "a customer satisfaction (CSAT)" if measure == "csat" else "a Customer Effort share"
        return (
            name,
            f"the share of {rows} rating {score} {_band_words(good)} on a scale of {scale}, "
            "among those that rate it",
            [],
        )
    return (
        f"an average {score}",
        f"the average {score}, on a scale of {scale}, of {rows} that rate it",
        [],
    )


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def _objective_label(objective: Objective) -> Label:
    if objective.title is None:
        return Label(objective.id)
    return Label(objective.title, objective.id)


def _promises(ctx: _Context) -> list[Block]:
    items = tuple(Item(_promise(ctx, o), _objective_label(o)) for o in ctx.terms.objectives)
    blocks: list[Block] = [Heading(2, "Promises")]
    if items:
        blocks.append(Bullets(items))
    else:
        blocks.append(Para("These terms make no promises."))
    return blocks


def _business_hours(ctx: _Context) -> list[Block]:
    used: list[str] = []
    for objective in ctx.terms.objectives:
        name = str(_params(objective).get("calendar", ""))
        if objective.metric.kind == "duration" and name and name not in used:
            used.append(name)
    items = []
    for name in sorted(used):
        calendar = ctx.calendars.get(name)
        if calendar is None or calendar.always_open:
            continue
        week = week_words(calendar.weekly)
        text = f"{week}, in {calendar.timezone} time."
        closed = closed_days(calendar)
        if closed.public:
            worked = ""
            if closed.worked:
                worked = f" except {join_words([date_words(d) for d in closed.worked])}"
            text += f" Closed on {closed.public}{worked}"
            if closed.further:
                text += f", and on {join_words([date_words(d) for d in closed.further])}"
            text += "."
        elif closed.further:
            text += f" Closed on {join_words([date_words(d) for d in closed.further])}."
        if ctx.plan.effective_to is None and (calendar.holidays or calendar.holiday_country):
            text += (
                f" Holiday dates are set up to {date_words(calendar.horizon_to)}; later "
                "periods need the calendar extended."
            )
        items.append(Item(text, Label(f"“{name}” calendar")))
    if not items:
        return []
    return [Heading(2, "Business hours"), Bullets(tuple(items))]


def _responsibilities(ctx: _Context) -> list[Block]:
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
            text = " ".join([_sentence(text), *links]) if text else " ".join(links)
            items.append(Item(text, Label(words(resp.id).replace("-", " ").capitalize(), resp.id)))
        name = ctx.party(key) if key in keys else key
        blocks.append(Para(f"{name}:"))
        blocks.append(Bullets(tuple(items)))
    return blocks


def _exclusion_objectives(ctx: _Context, exclusion: Exclusion) -> list[Objective]:
    return [o for o in ctx.terms.objectives if exclusion.id in o.exclusions]


def _exclusion(ctx: _Context, exclusion: Exclusion) -> Item:
    objectives = _exclusion_objectives(ctx, exclusion)
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
                text = f"{_sentence(subject)[:-1]} {span} do not count."
            else:
                text = f"{_sentence(noun)[:-1]} {span} do not count."
        else:
            text = f"{_sentence(subject)[:-1]} do not count."
    if objectives:
        text += f" Applies to {ctx.objectives_words([o.id for o in objectives])}."
    else:
        text += " Applies to no promise in these terms."
    return Item(text, Label(REASONS.get(exclusion.reason, words(exclusion.reason)), exclusion.id))


def _exclusions(ctx: _Context) -> list[Block]:
    if not ctx.terms.exclusions:
        return []
    items = tuple(_exclusion(ctx, e) for e in ctx.terms.exclusions)
    return [Heading(2, "Exclusions"), Bullets(items)]


def _fee_base(objective: Objective) -> tuple[str, int | None]:
    """``the monthly fee`` (and how many monthly fees the period's fee is), for credits."""
    name = "monthly fee" if objective.fee_name is None else f"monthly “{objective.fee_name}” fee"
    period = objective.period
    if period.rolling > 1:
        return f"the {name} for the period", None
    months = PERIOD_MONTHS.get(period.unit, 1)
    if months == 1:
        return f"the {name}", 1
    return f"{months} × the {name} (one {period.unit})", months


def _tier_credit(
    ctx: _Context, objective: Objective, percent: Decimal | None, amount: Money | None
) -> str:
    if amount is not None:
        return money_words(amount)
    if percent is None:
        return "no credit"
    base, months = _fee_base(objective)
    text = f"{percent_words(percent)} of {base}"
    if objective.fee is not None and months is not None:
        mode = ctx.terms.commercials.rounding.mode
        value = money_share(objective.fee, percent, mode=mode, times=months)
        text += f" ({money_words(value)})"
    return text


def _credit_blocks(ctx: _Context, objective: Objective) -> list[Block]:
    credit = objective.credit
    if credit is None:
        return []
    scope = objective.scope
    each = f" Each {join_words([words(s) for s in scope])} is credited on its own." if scope else ""
    blocks: list[Block] = []
    business = False
    if objective.metric.kind == "duration":
        calendar = ctx.calendars.get(str(_params(objective).get("calendar")))
        business = calendar is not None and not calendar.always_open
    if credit.tiers:
        target = quantity_words(objective.target.quantity, business=business)
        cmp = COMPARISON[objective.target.op]
        intro = f"Target {cmp} {target}.{each} Credit when the target is missed:"
        rows = tuple(
            (
                interval_words(t.interval, business=business),
                _tier_credit(ctx, objective, t.percent, t.amount),
            )
            for t in credit.tiers
        )
        blocks.append(Table(Item(intro, _objective_label(objective)), ("Measured", "Credit"), rows))
    if credit.per_incident is not None:
        one = singular(ctx.noun(objective.metric.dataset))
        text = f"{money_words(credit.per_incident)} for each {one} that misses the target.{each}"
        blocks.append(Bullets((Item(text, _objective_label(objective)),)))
    return blocks


def _costs(ctx: _Context) -> list[Block]:
    terms = ctx.terms
    rules = terms.credits
    commercials = terms.commercials
    credited = [o for o in terms.objectives if o.credit is not None]
    pool = rules.pool
    if not credited and pool is None:
        return []
    blocks: list[Block] = [Heading(2, "What a breach costs")]
    fees = []
    if commercials.monthly_fee is not None:
        fees.append(f"the monthly fee is {money_words(commercials.monthly_fee)}")
    for name, money in commercials.service_fees:
        fees.append(f"the monthly “{name}” fee is {money_words(money)}")
    if fees:
        blocks.append(Para(_sentence(join_words(fees))))
    for objective in credited:
        blocks.extend(_credit_blocks(ctx, objective))
    if pool is not None:
        blocks.extend(_pool(ctx))
    uncredited = [o for o in terms.objectives if o.credit is None]
    if uncredited and credited:
        blocks.append(
            Para(
                f"Missing {ctx.objectives_words([o.id for o in uncredited], 'or')} "
                "earns no credit of its own."
            )
        )
    blocks.append(Bullets(tuple(Item(_sentence(t)) for t in _credit_rules(ctx))))
    return blocks


def _pool(ctx: _Context) -> list[Block]:
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


def _credit_rules(ctx: _Context) -> list[str]:
    rules = ctx.terms.credits
    commercials = ctx.terms.commercials
    provider = ctx.party("provider")
    customer = ctx.party("customer")
    out = []
    combine = {
        "sum": "credits for several missed promises in the same period are added up",
        "max": "when several promises are missed in the same period, only the largest credit "
        "is paid",
        "single": f"when several credits arise from the same incident, {customer} picks one "
        "of them",
    }
    out.append(combine.get(rules.combine, f"credits combine by “{rules.combine}”"))
    if rules.cap is not None:
        fee = commercials.monthly_fee
        fee_names = {o.fee_name for o in ctx.terms.objectives if o.credit is not None}
        same_fee = fee_names <= {None}
        if rules.cap_per == "rolling-12-months":
            out.append(
                f"in any 12 consecutive months, credits are capped at {percent_words(rules.cap)} "
                "of the fees of those months"
            )
        else:
            amount = ""
            if fee is not None and same_fee:
                mode = commercials.rounding.mode
                amount = f" ({money_words(money_share(fee, rules.cap, mode=mode))} for a month)"
            out.append(
                f"a period's credits are capped at {percent_words(rules.cap)} of the fee for "
                f"the period{amount}"
            )
    if rules.minimum is not None:
        out.append(f"a period's total credit below {money_words(rules.minimum)} is not issued")
    if rules.earn_back_periods is not None:
        n = rules.earn_back_periods
        unit = ctx.period_unit(ctx.objectives)
        out.append(
            f"a period's credit is earned back (waived) when every promise is met in each of "
            f"the next {n} {unit}{'s' if n != 1 else ''}"
        )
    if rules.claim_within_seconds is not None:
        start = (
            "of the end of the period"
            if rules.claim_from == "period-end"
            else "of the incident"
            if rules.claim_from == "incident"
            else f"of the {words(rules.claim_from)}"
        )
        out.append(
            f"claims must reach {provider} within "
            f"{duration_words(rules.claim_within_seconds)} {start}"
        )
    else:
        out.append("the contract sets no deadline for claiming credits")
    rounding = commercials.rounding
    if commercials.currency is not None:
        minor = commercials.minor_unit or 0
        step = f"{Decimal(1).scaleb(-minor):f} {commercials.currency}"
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


def _chronic(ctx: _Context) -> list[Block]:
    if not ctx.terms.chronic_failure:
        return []
    provider, customer = ctx.party("provider"), ctx.party("customer")
    items = []
    for chronic in ctx.terms.chronic_failure:
        unit = ctx.period_unit(chronic.objectives)
        what = ctx.objectives_words(chronic.objectives, "or")
        consequence = CONSEQUENCES.get(chronic.consequence, f"“{chronic.consequence}” applies")
        consequence = consequence.format(customer=customer, provider=provider)
        text = (
            f"if {what} is breached in at least {chronic.breaches} of any {chronic.periods} "
            f"consecutive {unit}s, {consequence}"
        )
        text = _sentence(text)
        items.append(Item(text, Label("Chronic failure", chronic.id)))
    return [Heading(2, "Chronic failure"), Bullets(tuple(items))]


def _escalation(ctx: _Context, escalation: Escalation) -> Item:
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
    text = _sentence(text)
    if escalation.action:
        text += f" Action: {_sentence(escalation.action)}"
    return Item(text, Label("Escalation", escalation.id))


def _escalations(ctx: _Context) -> list[Block]:
    if not ctx.terms.escalations:
        return []
    items = tuple(_escalation(ctx, e) for e in ctx.terms.escalations)
    return [Heading(2, "Escalations"), Bullets(items)]


def _grades(ctx: _Context) -> list[Block]:
    grades = ctx.terms.grades
    if not grades:
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
    rows = tuple((g.name, interval_words(g.interval)) for g in grades)
    return [Heading(2, "Grades"), Table(Item(intro), ("Grade", "Overall service level"), rows)]


SECTIONS: tuple[tuple[str, Callable[[_Context], list[Block]]], ...] = (
    ("business hours", _business_hours),
    ("responsibilities", _responsibilities),
    ("exclusions", _exclusions),
    ("credits", _costs),
    ("chronic failure", _chronic),
    ("escalations", _escalations),
    ("grades", _grades),
)


def _sections(ctx: _Context) -> list[tuple[str, list[Block]]]:
    return [(name, section(ctx)) for name, section in SECTIONS]


def _changes(plan: Plan, before: Terms, after: Terms) -> str:
    """What differs from the previous terms, read from the explanations themselves."""
    old, new = _Context(plan, before), _Context(plan, after)
    old_promises = {o.id: _promise(old, o) for o in before.objectives}
    parts = []
    for objective in after.objectives:
        if objective.id not in old_promises:
            parts.append(f"the new promise {new.objective_name(objective.id)}")
        elif old_promises[objective.id] != _promise(new, objective):
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


def _terms_blocks(plan: Plan, terms: Terms, level: int) -> list[Block]:
    ctx = _Context(plan, terms)
    sections = [_promises(ctx), *(blocks for _, blocks in _sections(ctx))]
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


def _document(plan: Plan) -> list[Block]:
    blocks = _heading(plan)
    if len(plan.terms) == 1:
        blocks.extend(_terms_blocks(plan, plan.terms[0], 2))
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
            blocks.append(Para(_changes(plan, previous, terms)))
        else:
            blocks.append(Para("The terms as first agreed."))
        blocks.extend(_terms_blocks(plan, terms, 3))
        previous = terms
    return blocks


def explain(plan: Plan, fmt: str = "text") -> str:
    """The plan in plain English: ``fmt`` is ``text`` (wrapped at 88 columns) or ``md``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    blocks = _document(plan)
    return render_text(blocks) if fmt == "text" else render_markdown(blocks)
