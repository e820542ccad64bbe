"""Quantities as people write them in contracts: durations, percentages, money, comparisons.

Everything is parsed into exact values (``Decimal`` seconds, ``Decimal`` ratios); floats never
enter, so that ``99.9%`` is exactly 999/1000 and a boundary hit exactly stays exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_HUMAN = re.compile(r"\d+(?:\.\d+)?[smhdw](?:\s+\d+(?:\.\d+)?[smhdw])*")
_BUSINESS = re.compile(r"(\d+(?:\.\d+)?)\s+business\s+(day|hour|minute)s?")
_ISO = re.compile(
    r"P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
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


def parse_duration(text: str) -> Duration | None:
    """``90s``, ``2d 4h``, ``PT4H``, ``1 business day``; None when it is not a duration."""
    text = text.strip()
    if _HUMAN.fullmatch(text):
        return Duration(
            seconds=sum((Decimal(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(text)), Decimal(0))
        )
    match = _BUSINESS.fullmatch(text)
    if match:
        count, unit = Decimal(match.group(1)), match.group(2)
        if unit == "day":
            return Duration(business_days=count, business=True)
        return Duration(seconds=count * (3600 if unit == "hour" else 60), business=True)
    match = _ISO.fullmatch(text)
    if match and text not in ("P", "PT") and not text.endswith("T"):
        total = Decimal(0)
        for group, unit in (("w", "w"), ("d", "d"), ("h", "h"), ("m", "m"), ("s", "s")):
            if match.group(group):
                total += Decimal(match.group(group)) * _UNIT_SECONDS[unit]
        return Duration(seconds=total)
    return None


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
