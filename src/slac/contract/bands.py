"""Intervals written as tiers and grade bands: ``{at_least: 99.0%, below: 99.99%}``.

A band's lower bound is ``at_least`` (inclusive) or ``above`` (exclusive), its upper bound
``below`` (exclusive) or ``at_most`` (inclusive); a missing bound is open. The same code reads
credit tiers, grade bands and the breach region of an objective's target, so that "the tiers
cover everything below the target" is one comparison of intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from slac.contract.model import Bounds
from slac.contract.units import Comparison, Quantity, parse_quantity
from slac.wording import bounds_words, compact_value


@dataclass(frozen=True, order=True)
class Bound:
    value: Decimal
    inclusive: bool


@dataclass(frozen=True)
class Band:
    """An interval of measured values; ``None`` bounds are open (−∞ or +∞)."""

    low: Bound | None
    high: Bound | None
    kind: str | None  # "ratio", "duration" or "number"; None when both bounds are open

    def is_empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        if self.low.value != self.high.value:
            return self.low.value > self.high.value
        return not (self.low.inclusive and self.high.inclusive)

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (
            value < self.low.value or (value == self.low.value and not self.low.inclusive)
        ):
            return False
        return self.high is None or not (
            value > self.high.value or (value == self.high.value and not self.high.inclusive)
        )

    def describe(self) -> str:
        """``>= 99% and < 99.9%``: each bound as the contract's findings write it."""
        unit = {"ratio": "ratio", "duration": "seconds"}.get(self.kind or "", "number")
        show = partial(compact_value, unit=unit)
        return bounds_words(self.low, self.high, show, signs=True)


def read_band(written: Bounds) -> tuple[Band | None, list[str]]:
    """The band a tier or grade describes, or the names of bounds that could not be read."""
    kinds: set[str] = set()
    bad: list[str] = []
    bounds: dict[str, Quantity] = {}
    for key, value in (
        ("at_least", written.at_least),
        ("above", written.above),
        ("below", written.below),
        ("at_most", written.at_most),
    ):
        if value is not None:
            quantity = parse_quantity(value)
            if quantity is None:
                bad.append(key)
                continue
            bounds[key] = quantity
            kinds.add(quantity.kind)
    if bad or len(kinds) > 1:
        return None, bad or sorted(bounds)
    low = high = None
    if "at_least" in bounds:
        low = Bound(bounds["at_least"].value, True)
    elif "above" in bounds:
        low = Bound(bounds["above"].value, False)
    if "below" in bounds:
        high = Bound(bounds["below"].value, False)
    elif "at_most" in bounds:
        high = Bound(bounds["at_most"].value, True)
    return Band(low, high, kinds.pop() if kinds else None), []


def breach_region(target: Comparison) -> Band:
    """The values that miss the target: for ``>= 95%`` that is ``< 95%``."""
    value, kind = target.quantity.value, target.quantity.kind
    if target.op in (">=", ">"):
        return Band(None, Bound(value, target.op == ">"), kind)
    return Band(Bound(value, target.op == "<"), None, kind)


def sort_low_to_high(bands: list[tuple[int, Band]]) -> list[tuple[int, Band]]:
    """Order bands by their lower bound (open lower bounds first)."""

    def key(item: tuple[int, Band]) -> tuple[int, Decimal, int]:
        low = item[1].low
        if low is None:
            return (0, Decimal(0), 0)
        return (1, low.value, 0 if low.inclusive else 1)

    return sorted(bands, key=key)


def overlap(a: Band, b: Band) -> bool:
    """Whether two bands share at least one value."""
    low = _max_low(a.low, b.low)
    high = _min_high(a.high, b.high)
    return not Band(low, high, a.kind).is_empty()


def _max_low(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None or b is None:
        return a or b
    if a.value != b.value:
        return a if a.value > b.value else b
    return Bound(a.value, a.inclusive and b.inclusive)


def _min_high(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None or b is None:
        return a or b
    if a.value != b.value:
        return a if a.value < b.value else b
    return Bound(a.value, a.inclusive and b.inclusive)


def meets(high: Bound | None, low: Bound | None) -> bool:
    """Whether an interval ending at ``high`` is followed seamlessly by one starting at ``low``:
    same value, exactly one side inclusive (no gap, no shared point)."""
    if high is None or low is None:
        return False
    return high.value == low.value and high.inclusive != low.inclusive
