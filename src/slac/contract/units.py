"""Quantities as people write them in contracts: durations, percentages, money, comparisons.

Everything is parsed into exact values (``Decimal`` seconds, ``Decimal`` ratios); floats never
enter, so that ``99.9%`` is exactly 999/1000 and a boundary hit exactly stays exact.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

# The grammar of durations, written once: as regular-expression source that Python and JSON
# Schema (ECMA 262) read alike, with plain groups only. The published schema's `duration`,
# `comparison` and `allowance` patterns are these (tests/contract/test_duration_grammar.py holds
# it to them), so a text the schema accepts is exactly a text `parse_duration` reads.
# Business durations are whole numbers: a business-day deadline is the same business time N
# business days later, which means nothing for half a day; `90 business minutes` says 1.5 hours.
_NUMBER = r"[0-9]+(\.[0-9]+)?"
_WHOLE = r"[0-9]+"
_HUMAN = rf"{_NUMBER}[smhdw]( +{_NUMBER}[smhdw])*"
_ISO_TIME = rf"T({_WHOLE}H({_WHOLE}M)?({_NUMBER}S)?|{_WHOLE}M({_NUMBER}S)?|{_NUMBER}S)"
_ISO = rf"P({_WHOLE}D({_ISO_TIME})?|{_ISO_TIME}|{_WHOLE}W)"
_BUSINESS = rf"{_WHOLE} business (days?|hours?|minutes?)"
DURATION = rf"({_HUMAN}|{_ISO}|{_BUSINESS})"
SIGNED_NUMBER = rf"-?{_NUMBER}"
DURATION_PATTERN = rf"^{DURATION}$"
COMPARISON_PATTERN = rf"^(>=|>|<=|<)\s*({SIGNED_NUMBER}%|{DURATION}|{SIGNED_NUMBER})$"
ALLOWANCE_PATTERN = rf"^{DURATION}/(day|week|month|quarter|year)$"

_DURATION = re.compile(DURATION)
_PART = re.compile(r"([0-9.]+)([smhdwSMHDW])")
_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*%")
_MONEY = re.compile(r"-?\d+(?:\.\d+)?")
_COMPARISON = re.compile(r"(>=|<=|>|<)\s*(.+)")

Op = Literal[">=", ">", "<=", "<"]


@dataclass(frozen=True)
class Duration:
    """A length of time: ``seconds`` on the metric's clock, or a count of business days.

    ``business`` is True when the text named business time ("4 business hours"): such a
    duration only means something on a metric measured in a business calendar.
    """

    seconds: Decimal | None = None
    business_days: Decimal | None = None
    business: bool = False

    @property
    def is_positive(self) -> bool:
        amount = self.seconds if self.seconds is not None else self.business_days
        return amount is not None and amount > 0


# The parsers below are pure and their results immutable: a contract repeats the same few
# texts (`>= 99.9%`, `4h`) many times, and every tier and grade reads them again.
_cache = functools.lru_cache(maxsize=4096)


@_cache
def parse_duration(text: str) -> Duration | None:
    """``90s``, ``2d 4h``, ``PT4H``, ``1 business day``; None when it is not a duration
    (exactly the texts the schema's `duration` pattern accepts)."""
    if not _DURATION.fullmatch(text):
        return None
    if " business " in text:
        count, _, unit = text.split(" ")
        if unit.startswith("day"):
            return Duration(business_days=Decimal(count), business=True)
        size = 3600 if unit.startswith("hour") else 60
        return Duration(seconds=Decimal(count) * size, business=True)
    # `2d 4h` or ISO `P1DT2H`: an ISO `M` is always minutes, as the grammar has no months.
    parts = _PART.findall(text)
    return Duration(
        seconds=sum((Decimal(n) * _UNIT_SECONDS[u.lower()] for n, u in parts), Decimal(0))
    )


@_cache
def parse_percent(text: str) -> Decimal | None:
    """``99.9%`` → Decimal("0.999") exactly; None when it is not a percentage."""
    match = _PERCENT.fullmatch(text.strip())
    if not match:
        return None
    return Decimal(match.group(1)) / 100


def parse_money(value: object) -> Decimal | None:
    """Money is a decimal *string*; a YAML float is refused (it may already be rounded)."""
    if not isinstance(value, str) or not _MONEY.fullmatch(value.strip()):
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


@dataclass(frozen=True)
class Quantity:
    """A value with its kind: a ratio (from a percentage), a duration, or a plain number."""

    kind: Literal["ratio", "duration", "number"]
    value: Decimal
    business_days: bool = False


def parse_quantity(value: object) -> Quantity | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Quantity("number", Decimal(value))
    if isinstance(value, float):
        return Quantity("number", Decimal(repr(value)))
    if not isinstance(value, str):
        return None
    return _parse_quantity_text(value)


@_cache
def _parse_quantity_text(value: str) -> Quantity | None:
    pct = parse_percent(value)
    if pct is not None:
        return Quantity("ratio", pct)
    dur = parse_duration(value)
    if dur is not None:
        if dur.seconds is not None:
            return Quantity("duration", dur.seconds)
        assert dur.business_days is not None
        return Quantity("duration", dur.business_days, business_days=True)
    try:
        return Quantity("number", Decimal(value.strip()))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Comparison:
    op: Op
    quantity: Quantity

    def holds(self, measured: Decimal) -> bool:
        bound = self.quantity.value
        return {
            ">=": measured >= bound,
            ">": measured > bound,
            "<=": measured <= bound,
            "<": measured < bound,
        }[self.op]


def parse_comparison(text: object) -> Comparison | None:
    if not isinstance(text, str):
        return None
    return _parse_comparison_text(text)


@_cache
def _parse_comparison_text(text: str) -> Comparison | None:
    match = _COMPARISON.fullmatch(text.strip())
    if not match:
        return None
    quantity = parse_quantity(match.group(2))
    if quantity is None:
        return None
    op: Op = match.group(1)  # type: ignore[assignment]
    return Comparison(op, quantity)


def format_seconds(seconds: Decimal) -> str:
    """The shortest human form: 5400 → '1h 30m'."""
    rest = seconds
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        count = int(rest // size)
        if count:
            parts.append(f"{count}{unit}")
            rest -= count * size
    if rest or not parts:
        parts.append(f"{rest.normalize():f}s")
    return " ".join(parts)
