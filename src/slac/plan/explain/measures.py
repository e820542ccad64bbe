"""What a metric kind's promise is worded from, and the phrasing several kinds share.

A phrase turns a :class:`Promise` (an objective as plain words and values, no plan types)
into the sentences that state it: the promise itself, then its notes. Each metric kind words its own
promise (``phrase`` in :mod:`slac.kinds`, reached through :class:`KindWording`); the helpers
here are the phrasing several kinds share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from slac.wording import (
    Condition,
    business_days_words,
    duration_words,
    number_words,
    ordinal,
)

PERIOD_ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
PERCENTILE_METHOD = {
    "linear": "linear interpolation",
    "lower": "lower value",
    "higher": "higher value",
    "nearest": "nearest value",
}


@dataclass(frozen=True)
class Promise:
    """An objective as plain words and values: everything a kind's phrase is built from."""

    params: Mapping[str, Any]  # the metric's params, as docs/plan.md fixes them per kind
    metric_name: str  # the contract's name for the metric: "first_contact_resolution"
    party: str  # who promises: "Example Support Ltd"
    comparison: str  # "at least"
    target: str  # "95%", "4 business hours"
    rows: str  # the rows judged: "P1 tickets"
    noun: str  # the dataset's rows: "tickets"
    conditions: Sequence[Condition]  # what narrows `noun` to `rows`
    nouns: Mapping[str, str]  # every dataset's rows in words, by dataset name
    when: str  # "measured each calendar month, for each queue separately"
    period_unit: str  # month, quarter or year
    rolling: int  # 1 for calendar periods, N for the last N units
    open_items: str  # the objective's `open_items` rule
    timezone: str  # the contract's time zone
    calendar: str | None  # the calendar the clock runs in, in words; None: the kind has none
    business: bool  # durations are business time (the calendar has closed hours)
    judgement: str  # "threshold-share", "statistic" or "value"
    statistic: str | None  # mean, median, pNN, min, max, count, sum
    percentile: Decimal | None  # 0..1 for pNN
    percentile_method: str | None
    threshold_seconds: Decimal | None  # threshold-share: the deadline ...
    threshold_business_days: Decimal | None  # ... or a count of business days
    threshold_inclusive: bool | None  # within (True) or under (False)


class KindWording(Protocol):
    def phrase(self, p: Promise) -> list[str]:
        """The sentences that state the promise: the promise itself, then its notes."""
        ...


KindWordings = Mapping[str, KindWording]


def optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def named(p: Promise, name: str, definition: str) -> list[str]:
    """A promise of a named measure: ``… promises a service level of at least 80% …: …``."""
    return [f"{p.party} promises {name} of {p.comparison} {p.target}, {p.when}: {definition}"]


# --------------------------------------------------------------------------------------------
# Kinds that measure a quantity per row (time between events, a row's value): a deadline
# each row must meet, or a statistic over the rows
# --------------------------------------------------------------------------------------------


def deadline(p: Promise) -> str:
    """The threshold in words: business days, business time or elapsed time."""
    if p.threshold_business_days is not None:
        return business_days_words(p.threshold_business_days)
    assert p.threshold_seconds is not None
    return duration_words(p.threshold_seconds, business=p.business)


def threshold(p: Promise, have: str, tail: str) -> list[str]:
    """``… promises that at least 95% of P1 tickets {have}, {when}; {tail}``."""
    sentences = [
        f"{p.party} promises that {p.comparison} {p.target} of {p.rows} {have}, {p.when}; {tail}"
    ]
    days = p.threshold_business_days
    if days is not None:
        sentences.append(
            "a deadline of 1 business day is the same business time on the next business day"
            if days == 1
            else f"a deadline of {number_words(days)} business days is the same "
            f"business time {number_words(days)} business days later"
        )
    return sentences


def statistic_words(p: Promise, quantity: str) -> str:
    stat = p.statistic or ""
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
    if p.percentile is not None:
        method = PERCENTILE_METHOD.get(p.percentile_method or "", p.percentile_method or "")
        how = f" ({method})" if method else ""
        return f"the {ordinal(p.percentile * 100)} percentile{how} of the {quantity}"
    return f"the {stat} of the {quantity}"


def statistic(p: Promise, quantity: str) -> list[str]:
    if p.statistic == "count":
        return [
            f"{p.party} promises that the number of {p.rows} is {p.comparison} {p.target}, {p.when}"
        ]
    counted = ""
    if p.calendar is not None:
        counted = (
            f", counted in business hours ({p.calendar}),"
            if p.business
            else ", counted around the clock,"
        )
    return [
        f"{p.party} promises that {statistic_words(p, quantity)} of {p.rows}{counted} is "
        f"{p.comparison} {p.target}, {p.when}"
    ]


# --------------------------------------------------------------------------------------------
# Kinds that measure one value over all rows: a named measure and its definition
# --------------------------------------------------------------------------------------------
