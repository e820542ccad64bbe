"""A chart's value axis: its range and round ticks in the objective's unit, chosen and labelled
exactly from ``Decimal`` (percentages for ratios, ``30 min`` and ``4 h`` for seconds, plain
numbers otherwise), so that no float noise or 28-digit quotient ever reaches a label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from slac.documents.formatting import format_number, format_percent
from slac.documents.locales import Language, language

# Round steps for durations: the ones a reader counts in (never 40 minutes or 7 hours).
_SECOND_STEPS: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
_SECOND_STEPS += (7200, 10800, 21600, 43200, 86400, 172800, 432000, 604800)
_SHORT_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
MAX_TICKS = 6


@dataclass(frozen=True)
class Axis:
    """The value axis: from ``low`` to ``high`` (both on a tick), ticks with their labels."""

    low: Decimal
    high: Decimal
    ticks: tuple[tuple[Decimal, str], ...]


def value_axis(values: Sequence[Decimal], unit: str, lang: Language | None = None) -> Axis:
    """An axis that holds ``values`` (the measured values and the target) with some room,
    starting and ending on a round tick; shares stay within 0% … 100%, durations and counts
    that are all positive do not go below zero. Labels in ``lang`` (English by default)."""
    lang = lang or language()
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        span = abs(high) / 10 or Decimal(1)
        if unit == "ratio":
            span = min(span, Decimal("0.01"))
    low, high = low - span / 8, high + span / 8
    if unit == "ratio":
        low, high = max(low, Decimal(0)), min(high, Decimal(1))
    elif min(values) >= 0:
        low = max(low, Decimal(0))
    step = _step((high - low) / (MAX_TICKS - 2), unit)
    first = (low / step).to_integral_value(ROUND_FLOOR)
    last = (high / step).to_integral_value(ROUND_CEILING)
    while last - first + 1 > MAX_TICKS:  # rounding out to whole steps added a tick or two
        step = _step(step * 2, unit)
        first = (low / step).to_integral_value(ROUND_FLOOR)
        last = (high / step).to_integral_value(ROUND_CEILING)
    ticks = tuple(
        (n * step, tick_label(n * step, unit, lang)) for n in range(int(first), int(last) + 1)
    )
    return Axis(ticks[0][0], ticks[-1][0], ticks)


def _step(raw: Decimal, unit: str) -> Decimal:
    """The smallest round step at least ``raw``."""
    if unit == "seconds" and raw >= 1:
        for seconds in _SECOND_STEPS:
            if seconds >= raw:
                return Decimal(seconds)
        return _decimal_step(raw / 86400) * 86400
    return _decimal_step(raw)


def _decimal_step(raw: Decimal) -> Decimal:
    """1, 2, 2.5 or 5 times a power of ten, the smallest at least ``raw`` (which is > 0)."""
    power = Decimal(1).scaleb(raw.adjusted())
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if power * factor >= raw:
            return power * factor
    raise AssertionError("unreachable: 10 × 10**adjusted exceeds any value")  # pragma: no cover


def tick_label(value: Decimal, unit: str, lang: Language | None = None) -> str:
    """A tick's label: ``99.95%``, ``1 h 30 min``, ``1200`` (de ``99,95 %``)."""
    lang = lang or language()
    if unit == "ratio":
        return format_percent(value, lang=lang)
    if unit == "seconds":
        return short_duration(value, lang)
    return format_number(value, lang)


def short_duration(seconds: Decimal, lang: Language | None = None) -> str:
    """A duration in short units for narrow places: 0 → ``0``, 1800 → ``30 min``, 5400 →
    ``1 h 30 min``, 14400 → ``4 h``; fractions of a second as they are (``0.5 s``, de
    ``0,5 s``). The unit symbols are the same in every language slac speaks."""
    if seconds == 0:
        return "0"
    if seconds != seconds.to_integral_value():
        return f"{format_number(seconds, lang)} s"
    rest, parts = int(seconds), []
    sign = "-" if rest < 0 else ""
    rest = abs(rest)
    for name, size in _SHORT_UNITS:
        if name == "d" and rest < 3 * size:  # as contracts say "48 hours", then "3 days"
            continue
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count} {name}")
    return sign + " ".join(parts)
