"""A plain-Python reference evaluator for the measurement rules of docs/semantics.md.

It is written to be read, not to be fast: no SQL, no vectorisation, business time found by
walking the local dates of the calendar's zone one by one. It shares no calendar or period
code with the engine (only the ``Measurement``/``Period`` dataclasses it must produce, and the
compiled ``Plan`` it reads), so that the property-based tests in ``test_differential.py``
compare two independent readings of the same page.

API::

    periods_between(plan, first, last) -> list[Period]     # "2026-10", "2026-Q4", "2026"
    period_bounds(timezone, period_id) -> (start_us, end_us)
    reference_measure(plan, rows, period_ids) -> list[Measurement]

``rows`` maps a dataset name to its rows: dicts of field → value, timestamps as *aware*
``datetime`` objects, other values as ``str``, ``int``, ``Decimal``, ``bool`` or ``None``.

Numbers. Every quotient (met ÷ judged, a mean, a percentile, an availability, an NPS ...) is
computed exactly as a ``Fraction`` and rounded once, by :func:`to_decimal`, to 28 significant
digits (``ROUND_HALF_EVEN``, the default ``decimal`` context). For met ÷ judged this is exactly
``Decimal(met) / Decimal(judged)`` under a context with prec 28, which is what the engine does.
Durations are whole microseconds, reported as ``Decimal(us) / 10**6`` seconds.

Interpretations of points docs/semantics.md leaves open (each is also noted where it is coded):

1. Periods: a period id names its unit ("2026-10" month, "2026-Q4" quarter, "2026" year). An
   objective is measured for a period id when its ``period.unit`` is that unit. A rolling
   objective (``{rolling: N}``) measured for "2026-10" covers the N units ending with it; its
   terms are the ones in force on the first day of the named unit (2026-10-01), and the
   window may reach back before ``effective.from`` (there are simply no rows there).
   Measurements come in the order of ``period_ids`` as given, then objective order, then scope
   values ascending, the empty value first.
2. Wall-clock business ranges: an instant is business time when its local wall-clock time in
   the calendar's zone lies in a range of its local date (and that date is no holiday). So on
   the day clocks spring forward a range over the skipped hour loses it, and on the day they
   fall back a range over the repeated hour counts it twice (Sunday 00:00-02:00 in New York on
   2026-11-01 is 3 real hours). Ranges crossing midnight are already split per day in the plan;
   a holiday closes its local date, including the after-midnight part of the previous day's
   range.
3. Only end events *after* the period's end are unknown at its end (the doc's words): an end
   event exactly at the period's end instant closes the item in that period (while, by
   ``period_membership: end``, that same event belongs to the next period, [start, end)).
4. An open item is overdue when, whatever happens next, it can no longer be met: its measured
   duration so far (up to the period's end, pauses up to then subtracted) is > T for
   ``within`` and >= T for ``under``. An item whose deadline instant falls in closed hours
   just before the period's end is therefore still open (it can still be met).
5. ``N business days``: the item's allowance is the business time from the clock start to the
   deadline (the rest of the start day after the position, the full business days between, and
   min(position, hours) of the N-th business day). The item is met when its measured (paused)
   business time is <= that allowance (``within``) or < it (``under``): "paused time moves the
   deadline later by the same amount". Only whole N is supported.
6. Conditions on an empty (None) field value: ``=``, ``in``, ``<``, ``<=``, ``>``, ``>=`` never
   hold; ``!=`` and ``not-in`` do hold (an empty queue is "not test"); ``is-null`` /
   ``not-null`` test for it. Booleans equal only booleans; numbers compare as exact decimals;
   strings compare as strings.
7. Exclusions: an exclusion with both ``where`` and ``between`` needs both to match (they narrow
   one another). Maintenance exclusions never match rows; they remove time from availability
   objectives only, and for any other objective they are listed with a count of 0.
   ``between`` uses the row's period instant: the start (or end) event of a duration item, the
   dataset's ``time`` for other kinds, the probe/request time for availability, the outage start.
8. Scope values present in the data: those of the objective's rows in the period (after the
   metric's and objective's ``where`` and the policy's first match), *before* exclusions (so a
   scope value whose rows are all excluded is reported, with no value). A period without any
   row for an objective still gets one measurement, scope ``()`` (with or without ``scope``):
   "a period with no rows for an objective has status insufficient data".
9. Value metrics: a row has a value only when every one of its ``fields`` is non-empty (SQL
   ``a + b + c``); rows without a value are left out (neither judged nor open). The value is the
   sum × ``scale`` of the plan's params (60 for minutes, else 1; a ``percent`` unit is read as
   is).
10. Statistics: ``sample`` is the number of closed, non-excluded items; ``open`` every open one
    (there is no deadline to be overdue against). ``count`` is that number as a Decimal.
11. Ratios: ``sum`` skips empty values (SQL SUM); a denominator whose rows are missing or sum to 0
    gives no value. Service level: a call with an empty wait is left out. Surveys: empty scores
    are unrated. SERVQUAL: rows with an empty perception or expectation are left out; an empty
    dimension is a dimension of its own. Count: ``distinct`` ignores empty values; ``sample`` is
    the number of rows; no rows counts 0 (a value, not "nothing to measure": a promise that
    something happens is broken by a month without it).
12. "Any kind with no rows" means no non-excluded rows of the objective (and scope) in the period:
    value None, sample 0 (except ``count``: 0, see 11). Taken literally this also holds for
    ``source: outages`` (a period without any outage row has no value, not 100%).
13. Availability is computed in time, not by counting intervals: total = the period's time
    (actual, or days × 24 h nominal) minus excluded time minus (``missing: ignore``) the time of
    intervals without probes; downtime = the time of down intervals (or of the outage union)
    outside excluded time. Excluded time is excluded maintenance plus every interval that holds
    an excluded probe / request row ("excluded rows are neither met nor breached": the interval
    such a row stands for leaves the numerator and the total, as maintenance does). With
    intervals and maintenance on whole intervals this equals counting intervals. The last
    interval of a period may be shorter than ``interval``. ``sample``: probes → counted
    intervals not wholly excluded; outages → outage rows overlapping the period; error rate →
    the intervals averaged (interval-mean) or the rows summed (pooled). An outage's length (for
    ``min_outage``) is taken before clipping; an ongoing outage (no end) runs to the period's
    end. Error-rate rows inside excluded time are left out, and so are intervals wholly inside
    it; a missing ``interval`` means 60 s.
14. Maintenance: a window is excluded when it was announced and ``start - announced_at >= notice``
    (no ``notice``: notice 0, announced at or before its start; an unannounced window is never
    excluded); the allowance is per calendar unit of ``allowance_per`` in the contract zone
    (day, ISO week, month, quarter, year), consumed by windows in order of start (then end),
    each taking the earliest part of its time not already excluded. The count of a maintenance
    exclusion is the number of windows with excluded time inside the period.
15. Items (and rows) whose placing instant is empty belong to no period (but see 19).
16. Reopened items: with ``reopened: each-cycle`` and the metric's ``cycles``, every reopen row
    whose parent key equals an item's key is one more item: a copy of the item's row with its
    ``from`` and ``to`` fields replaced by the reopen's start and end. It is placed, filtered,
    excluded, paused (pauses of the item, clipped to the cycle) and judged like any item. With
    ``first-cycle`` (or without ``cycles``) reopen rows are not items at all.
17. Scoped maintenance: a window applies to a scope value unless, for a scope field its
    dataset declares (same name), it holds another, non-empty value; so a window without the
    field's value, or a dataset without the field, applies to every value. The allowance is
    consumed per scope value. The measurement of a period without rows (scope ``()``) takes
    every window. A maintenance dataset without ``announced_at`` (the plan lists no such
    field) needs no announcement: each window counts, unless ``notice`` is set (then none).
18. Carry-over (durations, calendar periods; not rolling windows): each period is judged as
    known at its end. An item's outcome is known at instant X when its end event is at or
    before X (closed), or, for a threshold share under ``judge-overdue``, when its measured
    time up to X can no longer be met (interpretation 4). An item is judged in its own period
    when its outcome is known at that period's end; otherwise it is open there, and it is
    judged in the later period P of the same unit whose end first knows it: it was unknown at
    P's start and is known at P's end. It counts in P's measurement (``carried``), under P's
    terms and filters, in the scope value of its own fields. Items of any earlier period count,
    not only of the periods asked for. An excluded item is excluded in its own period only.
19. ``period_membership: end``: an item is judged in the period of its end event (known at
    that period's end). Until then it is open in the period of its start, while that period's
    end does not know its end (an end exactly at that instant is known), never judged there,
    overdue or not, nor excluded (its exclusion applies where it ends); a never-ending item is
    open there for good. Judged in a later calendar period than its start's, it counts as
    ``carried`` (it was open in its start's); in rolling windows it never does. No other
    carry-over applies to it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from slac.evaluation.measurement import MISSES_SHOWN, Measurement, MissedItem, Misses, Period
from slac.plan.types import Calendar, Condition, Exclusion, Judgement, Objective, Plan, Terms

Row = dict[str, Any]
Rows = dict[str, list[Row]]
Span = tuple[int, int]  # [start, end) in microseconds since the epoch (UTC)
ScopeKey = tuple[tuple[str, Any], ...]

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 86_400 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --------------------------------------------------------------------------- numbers


def to_decimal(value: Fraction | int) -> Decimal:
    """An exact value rounded once to 28 significant digits (half even): see the module doc."""
    exact = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 28
        ctx.rounding = ROUND_HALF_EVEN
        return Decimal(exact.numerator) / Decimal(exact.denominator)


def number(value: Any) -> Fraction | None:
    """A row or condition value as an exact number; None for non-numbers (and booleans)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return None


def param_number(text: Any) -> Fraction | None:
    """A plan param written as a canonical decimal string ("20", "0.5"), or None."""
    return None if text is None else Fraction(Decimal(str(text)))


# --------------------------------------------------------------------------- instants and zones


def instant_us(value: datetime) -> int:
    """An aware datetime as microseconds since the epoch."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive timestamp {value!r}: rows must carry aware datetimes")
    return (value - EPOCH) // timedelta(microseconds=1)


def at(us: int, zone: str) -> datetime:
    return (EPOCH + timedelta(microseconds=us)).astimezone(ZoneInfo(zone))


def local_date(zone: str, us: int) -> date:
    return at(us, zone).date()


def offset_us(zone: str, us: int) -> int:
    offset = at(us, zone).utcoffset()
    assert offset is not None
    return offset // timedelta(microseconds=1)


def local_midnight_us(zone: str, day: date) -> int:
    """The first instant of a local date (zoneinfo's fold=0 reading of 00:00)."""
    return instant_us(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)))


@cache
def offset_changes(zone: str, year: int) -> tuple[int, ...]:
    """The instants of a UTC year at which the zone's offset changes (found to the second)."""
    start = instant_us(datetime(year, 1, 1, tzinfo=UTC))
    end = instant_us(datetime(year + 1, 1, 1, tzinfo=UTC))
    changes = []
    u = start
    while u < end:
        v = min(u + HOUR_US, end)
        before = offset_us(zone, u)
        if offset_us(zone, v) != before:
            lo, hi = u // US, v // US  # offset at lo is the old one, at hi the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset_us(zone, mid * US) == before:
                    lo = mid
                else:
                    hi = mid
            changes.append(hi * US)
        u = v
    return tuple(changes)


def constant_offset_pieces(zone: str, a: int, b: int) -> list[tuple[int, int, int]]:
    """[a, b) cut where the zone's UTC offset changes: (start, end, offset) pieces."""
    years = range(at(a, "UTC").year - 1, at(b, "UTC").year + 1)
    cuts = sorted(t for y in years for t in offset_changes(zone, y) if a < t < b)
    edges = [a, *cuts, b]
    return [(p, q, offset_us(zone, p)) for p, q in itertools.pairwise(edges) if p < q]


# --------------------------------------------------------------------------- spans


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans, overlapping or touching ones joined."""
    out: list[Span] = []
    for p, q in sorted(s for s in spans if s[0] < s[1]):
        if out and p <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], q))
        else:
            out.append((p, q))
    return out


def length(spans: Iterable[Span]) -> int:
    return sum(q - p for p, q in spans)


def clip(spans: Iterable[Span], lo: int, hi: int) -> list[Span]:
    return [(max(p, lo), min(q, hi)) for p, q in spans if max(p, lo) < min(q, hi)]


def minus(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """The parts of ``spans`` outside ``holes``."""
    out = []
    holes = merge(holes)
    for p, q in merge(spans):
        cursor = p
        for h0, h1 in holes:
            if h1 <= cursor or h0 >= q:
                continue
            if h0 > cursor:
                out.append((cursor, h0))
            cursor = max(cursor, h1)
        if cursor < q:
            out.append((cursor, q))
    return out


# --------------------------------------------------------------------------- periods


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"\d{4}")


def period_unit(period_id: str) -> str:
    if _MONTH.fullmatch(period_id):
        return "month"
    if _QUARTER.fullmatch(period_id):
        return "quarter"
    if _YEAR.fullmatch(period_id):
        return "year"
    raise ValueError(f"not a period id: {period_id!r}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_days(period_id: str) -> tuple[date, date]:
    """The period's first local date and the first local date after it."""
    unit = period_unit(period_id)
    if unit == "month":
        first = date(int(period_id[:4]), int(period_id[5:7]), 1)
        return first, _add_months(first, 1)
    if unit == "quarter":
        first = date(int(period_id[:4]), 3 * (int(period_id[6]) - 1) + 1, 1)
        return first, _add_months(first, 3)
    first = date(int(period_id), 1, 1)
    return first, date(first.year + 1, 1, 1)


def period_id_of(unit: str, first: date) -> str:
    if unit == "month":
        return f"{first.year:04d}-{first.month:02d}"
    if unit == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year:04d}"


def shift_period(period_id: str, units: int) -> str:
    unit = period_unit(period_id)
    first, _ = period_days(period_id)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * units
    return period_id_of(unit, _add_months(first, months))


def period_bounds(timezone_name: str, period_id: str) -> tuple[int, int]:
    """From local midnight of the first day to local midnight after the last, as UTC µs."""
    first, after = period_days(period_id)
    return local_midnight_us(timezone_name, first), local_midnight_us(timezone_name, after)


def periods_between(plan: Plan, first: str, last: str) -> list[Period]:
    """Every period from ``first`` to ``last`` (inclusive, same unit) in the contract's zone."""
    unit = period_unit(first)
    if period_unit(last) != unit:
        raise ValueError(f"{first} and {last} are periods of different units")
    out = []
    current = first
    while period_days(current)[0] <= period_days(last)[0]:
        start, end = period_bounds(plan.timezone, current)
        out.append(Period(current, unit, start, end))
        current = shift_period(current, 1)
    return out


@dataclass(frozen=True)
class Window:
    """What one measurement covers: [start, end) and its local dates [first_day, after_day)."""

    period: str
    start: int
    end: int
    first_day: date
    after_day: date
    carry: bool = False  # a calendar period: judges items of earlier periods known only now


def terms_in_force(plan: Plan, day: date) -> Terms:
    """The contract, or the latest amendment effective on or before ``day``; outside the
    contract's life the period is refused."""
    if day < date.fromisoformat(plan.effective_from) or (
        plan.effective_to is not None and day > date.fromisoformat(plan.effective_to)
    ):
        raise ValueError(f"a period starting {day} lies outside the contract's life")
    in_force = [t for t in plan.terms if date.fromisoformat(t.effective_from) <= day]
    return in_force[-1]


# --------------------------------------------------------------------------- conditions


def as_condition(item: Condition | dict[str, Any]) -> Condition:
    if isinstance(item, Condition):
        return item
    value = item.get("value")
    return Condition(item["field"], item["op"], tuple(value) if isinstance(value, list) else value)


def conditions(items: Iterable[Condition | dict[str, Any]] | None) -> list[Condition]:
    return [as_condition(c) for c in items or ()]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    na, nb = number(a), number(b)
    if na is not None or nb is not None:
        return na is not None and nb is not None and na == nb
    return bool(a == b)


def order(a: Any, b: Any) -> int | None:
    """-1, 0, 1 comparing a with b, or None when they are not comparable."""
    na, nb = number(a), number(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return (a > b) - (a < b)
    return None


def holds(cond: Condition, row: Row) -> bool:
    value = row.get(cond.field)
    if cond.op == "is-null":
        return value is None
    if cond.op == "not-null":
        return value is not None
    options = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if cond.op == "!=":  # interpretation 6: an empty value is "not equal" to any value
        return value is None or not same(value, cond.value)
    if cond.op == "not-in":
        return value is None or not any(same(value, v) for v in options)
    if value is None:  # ... but equal to none, in none, and not comparable
        return False
    if cond.op == "=":
        return same(value, cond.value)
    if cond.op == "in":
        return any(same(value, v) for v in options)
    cmp = order(value, cond.value)
    if cmp is None:
        return False
    return {"<": cmp < 0, "<=": cmp <= 0, ">": cmp > 0, ">=": cmp >= 0}[cond.op]


def matches(where: Iterable[Condition | dict[str, Any]] | None, row: Row) -> bool:
    """A ``where`` is an AND of its conditions (an empty one matches every row)."""
    return all(holds(c, row) for c in conditions(where))


# --------------------------------------------------------------------------- calendars


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


@cache
def _holidays(cal: Calendar) -> frozenset[str]:
    return frozenset(cal.holidays)


def day_ranges(cal: Calendar, day: date) -> list[tuple[int, int]]:
    """Business ranges of one local date, in wall-clock minutes; none on a holiday."""
    if day.isoformat() in _holidays(cal):
        return []
    weekly = dict(cal.weekly)
    return [(_minutes(r.start), _minutes(r.end)) for r in weekly[DAY_NAMES[day.weekday()]]]


def is_business_day(cal: Calendar, day: date) -> bool:
    """Business days are the local dates that have business hours and are not holidays."""
    return bool(day_ranges(cal, day))


def business_spans(cal: Calendar, a: int, b: int, only_day: date | None = None) -> list[Span]:
    """The business instants of [a, b): those whose local wall-clock time in the calendar's
    zone lies in a range of their local date (interpretation 2)."""
    out = []
    for p, q, offset in constant_offset_pieces(cal.timezone, a, b):
        wall_lo, wall_hi = p + offset, q + offset  # local wall-clock time, as if it were UTC
        for day_number in range(wall_lo // DAY_US, (wall_hi - 1) // DAY_US + 1):
            day = date.fromordinal(EPOCH_ORDINAL + day_number)
            if only_day is not None and day != only_day:
                continue
            for start_minute, end_minute in day_ranges(cal, day):
                lo = max(wall_lo, day_number * DAY_US + start_minute * MINUTE_US)
                hi = min(wall_hi, day_number * DAY_US + end_minute * MINUTE_US)
                if lo < hi:
                    out.append((lo - offset, hi - offset))
    return merge(out)


def clock_us(cal: Calendar, a: int, b: int) -> int:
    """Time on the calendar's clock in [a, b): elapsed time on an always-open calendar
    (calendar time), else business time."""
    if a >= b:
        return 0
    if cal.always_open:
        return b - a
    return length(business_spans(cal, a, b))


def day_spans(cal: Calendar, day: date) -> list[Span]:
    """The business instants of one local date."""
    wall_start = (day.toordinal() - EPOCH_ORDINAL) * DAY_US
    return business_spans(cal, wall_start - 2 * DAY_US, wall_start + 3 * DAY_US, only_day=day)


def next_business_instant(cal: Calendar, t: int) -> int:
    """The first business instant at or after ``t`` (where the clock starts)."""
    for k in range(800):
        spans = business_spans(cal, t + k * DAY_US, t + (k + 1) * DAY_US)
        if spans:
            return spans[0][0]
    raise ValueError(f"calendar {cal.name} has no business time within 800 days")


def next_business_day(cal: Calendar, day: date) -> date:
    for k in range(1, 800):
        candidate = day + timedelta(days=k)
        if is_business_day(cal, candidate):
            return candidate
    raise ValueError(f"calendar {cal.name} has no business day within 800 days")


def business_days_allowance_us(cal: Calendar, start: int, days: int) -> int:
    """Business time from the clock start to the same business position ``days`` business
    days later, clamped to the close of a shorter day (interpretation 5)."""
    clock = next_business_instant(cal, start)
    first = local_date(cal.timezone, clock)
    first_spans = day_spans(cal, first)
    position = sum(min(q, clock) - p for p, q in first_spans if p < clock)
    allowance = length(first_spans) - position
    day = first
    for k in range(1, days + 1):
        day = next_business_day(cal, day)
        hours = length(day_spans(cal, day))
        allowance += hours if k < days else min(position, hours)
    return allowance


def measured_us(cal: Calendar, start: int, end: int, pauses: list[Span]) -> int:
    """Clock time of [start, end) minus the pauses, clipped to it and merged (so that no time
    is subtracted twice)."""
    paused = merge(clip(pauses, start, end))
    return clock_us(cal, start, end) - sum(clock_us(cal, p, q) for p, q in paused)


# --------------------------------------------------------------------------- rows of an objective


def dataset(plan: Plan, name: str) -> Any:
    return next(d for d in plan.datasets if d.name == name)


def calendar(terms: Terms, name: str) -> Calendar:
    return next(c for c in terms.calendars if c.name == name)


def timestamp(row: Row, field: str | None) -> int | None:
    value = row.get(field) if field else None
    return None if value is None else instant_us(value)


def taken_by_earlier(terms: Terms, obj: Objective, row: Row) -> bool:
    """``scope_matching: first``: a row counts only for the first objective of its policy (over
    the same metric) whose ``where`` it matches."""
    if obj.policy is None or terms.semantics.scope_matching != "first":
        return False
    for other in terms.objectives:
        if other.id == obj.id:
            return False
        if (
            other.policy == obj.policy
            and other.metric_id == obj.metric_id
            and matches(other.where, row)
        ):
            return True
    return False


def placed_rows(
    plan: Plan, terms: Terms, obj: Objective, rows: Rows, window: Window
) -> list[tuple[Row, int]]:
    """The objective's rows in the window, each with the instant that places it."""
    metric = obj.metric
    params = dict(metric.params)
    out = []
    items = rows.get(metric.dataset, [])
    if metric.kind == "duration":
        items = with_cycles(plan, metric.dataset, params, rows)
    for row in items:
        if metric.kind == "duration":
            start = timestamp(row, params["from"])
            end = timestamp(row, params["to"])
            if start is None:
                continue
            if params["period_membership"] == "start":
                instant = start
            elif end is not None and window.start <= end < window.end:
                instant = end
            elif open_by_end(start, end, window):  # interpretation 19
                instant = start
            else:
                continue
            if not window.start <= instant < window.end:
                continue
        elif metric.kind == "availability" and params["source"] == "outages":
            instant = timestamp(row, params["start"])
            end = timestamp(row, params["end"])
            if (
                instant is None
                or instant >= window.end
                or (end is not None and end <= window.start)
            ):
                continue
        else:
            field = params["time"] if metric.kind == "availability" else None
            instant = timestamp(row, field or dataset(plan, metric.dataset).time)
            if instant is None or not window.start <= instant < window.end:
                continue
        if not matches(metric.where, row) or not matches(obj.where, row):
            continue
        if taken_by_earlier(terms, obj, row):
            continue
        out.append((row, instant))
    return out


def open_by_end(start: int, end: int | None, window: Window) -> bool:
    """Interpretation 19: by its end, an item is open in the window of its start while that
    window's end does not know its end event."""
    return window.start <= start < window.end and (end is None or end > window.end)


def with_cycles(plan: Plan, name: str, params: dict[str, Any], rows: Rows) -> list[Row]:
    """The items of a duration metric: its rows, and with ``each-cycle`` one more per reopen
    (interpretation 16)."""
    items = list(rows.get(name, []))
    cycles = params.get("cycles")
    key_field = dataset(plan, name).key
    if params["reopened"] != "each-cycle" or not cycles or not cycles.get("parent_key"):
        return items
    out = []
    for row in items:
        out.append(row)
        key = row.get(key_field) if key_field else None
        if key is None:
            continue
        reopens = [
            (i, r)
            for i, r in enumerate(rows.get(cycles["dataset"], []))
            if same(r.get(cycles["parent_key"]), key)
        ]
        # Numbered 2, 3, … by start, then end (an open one last), then file order: the
        # evidence (and the annex) name a cycle `KEY#N`.
        reopens.sort(
            key=lambda ir: (
                timestamp(ir[1], cycles["start"]) or 0,
                ir[1].get(cycles["end"]) is None,
                timestamp(ir[1], cycles["end"]) or 0,
                ir[0],
            )
        )
        for n, (_, reopen) in enumerate(reopens, start=2):
            cycle = dict(row)
            cycle[params["from"]] = reopen.get(cycles["start"])
            cycle[params["to"]] = reopen.get(cycles["end"])
            cycle["_cycle"] = n
            out.append(cycle)
    return out


def row_exclusion(plan: Plan, exclusions: list[Exclusion], row: Row, instant: int) -> str | None:
    """The first exclusion (contract order) matching the row (interpretation 7)."""
    for exclusion in exclusions:
        if exclusion.maintenance_dataset is not None:
            continue
        if not exclusion.where and exclusion.between_from is None:
            continue
        if exclusion.where and not matches(exclusion.where, row):
            continue
        if exclusion.between_from is not None:
            day = local_date(plan.timezone, instant)
            first = date.fromisoformat(exclusion.between_from)
            last = date.fromisoformat(exclusion.between_to or exclusion.between_from)
            if not first <= day <= last:
                continue
        return exclusion.id
    return None


def scope_order(key: ScopeKey) -> tuple[tuple[bool, Any], ...]:
    """Scope values in ascending order, empty values first."""
    return tuple((value is not None, value) for _, value in key)


# --------------------------------------------------------------------------- measured values


@dataclass
class Outcome:
    sample: int = 0
    value: Fraction | None = None
    met: int = 0
    breached: int = 0
    open: int = 0
    carried: int = 0
    misses: Misses | None = None


def listed_misses(
    found: list[MissedItem], unit: str, business: bool = False, days: Decimal | None = None
) -> Misses:
    """The breached-items annex of the missed items ``found``: all counted, the first
    MISSES_SHOWN listed, the one most over its threshold first, ties by key (as text)."""
    ordered = sorted(found, key=lambda m: (-m.over, m.item))
    return Misses(len(found), unit, tuple(ordered[:MISSES_SHOWN]), business, days)


def clock_deadline(cal: Calendar, start: int, allowance: int) -> int | None:
    """The first instant at which the calendar's clock from ``start`` reaches ``allowance``
    (where an open range ends exactly there, its end), walking its business spans day by day."""
    if allowance <= 0:
        return None
    if cal.always_open:
        return start + allowance
    remaining, t = allowance, start
    for _ in range(3000):
        for p, q in business_spans(cal, t, t + DAY_US):
            if q - p >= remaining:
                return p + remaining
            remaining -= q - p
        t += DAY_US
    return None


def local_iso(us: int, zone: str) -> str:
    return at(us, zone).isoformat(timespec="seconds")


def seconds_of(us: int | Fraction) -> Decimal:
    return to_decimal(Fraction(us) / US)


def share(met: int, judged: int) -> Fraction | None:
    return Fraction(met, judged) if judged else None


def percentile(values: list[Fraction], p: Fraction, method: str) -> Fraction:
    xs = sorted(values)
    h = (len(xs) - 1) * p
    lo, hi = math.floor(h), math.ceil(h)
    if method == "linear":
        return xs[lo] + (h - lo) * (xs[hi] - xs[lo])
    if method == "lower":
        return xs[lo]
    if method == "higher":
        return xs[hi]
    if method == "nearest":
        return xs[round(h)]  # Fraction rounds half to even
    raise ValueError(f"unknown percentile method {method!r}")


def statistic(judgement: Judgement, values: list[Fraction]) -> Fraction | None:
    name = judgement.statistic
    if not values:  # nothing to measure (interpretation 12), even for `count`
        return None
    if name == "count":
        return Fraction(len(values))
    if name == "sum":
        return sum(values, Fraction(0))
    if name == "mean":
        return sum(values, Fraction(0)) / len(values)
    if name == "min":
        return min(values)
    if name == "max":
        return max(values)
    assert judgement.percentile is not None and judgement.percentile_method is not None
    return percentile(values, Fraction(judgement.percentile), judgement.percentile_method)


def pause_spans(plan: Plan, params: dict[str, Any], rows: Rows, key: Any) -> list[Span]:
    """The pause intervals of one item: rows of the pause dataset whose parent key is the
    item's key, filtered by ``pause.where``. An empty pause end means "not ended yet"."""
    pause = params.get("pause")
    if not pause or pause.get("parent_key") is None or key is None:
        return []
    spans = []
    for row in rows.get(pause["dataset"], []):
        if not same(row.get(pause["parent_key"]), key) or not matches(pause["where"], row):
            continue
        start = timestamp(row, pause["start"])
        if start is None:
            continue
        end = timestamp(row, pause["end"])
        spans.append((start, end if end is not None else 2**62))
    return spans


def measure_durations(
    plan: Plan,
    terms: Terms,
    obj: Objective,
    items: list[tuple[Row, int]],
    rows: Rows,
    window: Window,
    carried: frozenset[int] = frozenset(),
) -> Outcome:
    """``carried``: ids of the rows of earlier periods judged here (interpretation 18)."""
    judgement = obj.judgement
    threshold = judgement.kind == "threshold-share"
    outcome = Outcome()
    closed: list[Fraction] = []
    by_end = dict(obj.metric.params)["period_membership"] == "end"
    params = dict(obj.metric.params)
    missed: list[MissedItem] = []
    for row, _ in items:
        start = timestamp(row, params["from"])
        end = timestamp(row, params["to"])
        assert start is not None
        if by_end and open_by_end(start, end, window):
            outcome.open += 1  # interpretation 19: never judged before its end
            continue
        state, duration = duration_outcome(plan, terms, obj, row, rows, window.end)
        if state == "open":
            outcome.open += 1
            continue
        outcome.carried += id(row) in carried
        # Interpretation 19: open in its start's (earlier) calendar period, judged here.
        if by_end and window.carry and start < window.start:
            home = period_id_of(period_unit(window.period), local_date(plan.timezone, start))
            outcome.carried += end is not None and end > period_bounds(plan.timezone, home)[1]
        if duration is not None:
            closed.append(Fraction(duration, US))
        if state == "met":
            outcome.met += 1
        elif state == "breached":
            outcome.breached += 1
            missed.append(missed_duration(plan, terms, obj, row, rows, window.end, duration))
    if threshold:
        outcome.sample = outcome.met + outcome.breached
        outcome.value = share(outcome.met, outcome.sample)
        cal = calendar(terms, params["calendar"])
        days = judgement.threshold_business_days
        outcome.misses = listed_misses(missed, "seconds", not cal.always_open, days)
    else:
        outcome.sample = len(closed)
        outcome.value = statistic(judgement, closed)
    return outcome


def missed_duration(
    plan: Plan,
    terms: Terms,
    obj: Objective,
    row: Row,
    rows: Rows,
    known_at: int,
    duration: int | None,
) -> MissedItem:
    """A breached item as the annex lists it: an open (overdue) one measured up to
    ``known_at``; its wall-clock deadline only when no pause took clock time from it."""
    params = dict(obj.metric.params)
    cal = calendar(terms, params["calendar"])
    key_field = dataset(plan, obj.metric.dataset).key
    judgement = obj.judgement
    start = timestamp(row, params["from"])
    assert start is not None and key_field is not None
    if judgement.threshold_business_days is not None:
        allowance = business_days_allowance_us(cal, start, int(judgement.threshold_business_days))
    else:
        assert judgement.threshold_seconds is not None
        allowance = int(judgement.threshold_seconds * US)
    upto = known_at if duration is None else timestamp(row, params["to"])
    assert upto is not None
    pauses = pause_spans(plan, params, rows, row.get(key_field))
    measured = measured_us(cal, start, upto, pauses)
    paused = clock_us(cal, start, upto) - measured
    due = None if paused else clock_deadline(cal, start, allowance)
    key = str(row.get(key_field))
    if params["reopened"] == "each-cycle" and params.get("cycles"):
        key = f"{key}#{row.get('_cycle', 1)}"
    return MissedItem(
        key,
        seconds_of(measured),
        seconds_of(allowance),
        seconds_of(measured - allowance),
        None if due is None else local_iso(due, plan.timezone),
        "open" if duration is None else "",
    )


def duration_outcome(
    plan: Plan, terms: Terms, obj: Objective, row: Row, rows: Rows, known_at: int
) -> tuple[str, int | None]:
    """What is known of an item at instant ``known_at``: ``met``, ``breached`` or ``closed``
    (a statistic's item), with its measured duration when it has ended; or ``open``."""
    params = dict(obj.metric.params)
    cal = calendar(terms, params["calendar"])
    key_field = dataset(plan, obj.metric.dataset).key
    judgement = obj.judgement
    threshold = judgement.kind == "threshold-share"
    start = timestamp(row, params["from"])
    end = timestamp(row, params["to"])
    assert start is not None
    pauses = pause_spans(plan, params, rows, row.get(key_field) if key_field else None)
    allowance: Fraction | None = None
    if threshold:
        if judgement.threshold_business_days is not None:
            days = judgement.threshold_business_days
            if days != int(days):
                raise NotImplementedError("fractional business days")
            allowance = Fraction(business_days_allowance_us(cal, start, int(days)))
        else:
            assert judgement.threshold_seconds is not None
            allowance = Fraction(judgement.threshold_seconds) * US

    def within(duration: int) -> bool:
        assert allowance is not None
        return duration <= allowance if judgement.threshold_inclusive else duration < allowance

    # Interpretation 3: only an end event after the instant is not known yet.
    if end is not None and end <= known_at:
        duration = measured_us(cal, start, end, pauses)
        if not threshold:
            return "closed", duration
        return ("met" if within(duration) else "breached"), duration
    # Interpretation 4: it can no longer be met.
    if (
        threshold
        and obj.open_items == "judge-overdue"
        and not within(measured_us(cal, start, known_at, pauses))
    ):
        return "breached", None
    return "open", None


def measure_values(plan: Plan, obj: Objective, items: list[tuple[Row, int]]) -> Outcome:
    params = dict(obj.metric.params)
    scale = param_number(params["scale"]) or Fraction(1)
    key_field = dataset(plan, obj.metric.dataset).key
    values = []
    keyed = []
    for row, _ in items:
        parts = [number(row.get(f)) for f in params["fields"]]
        if any(p is None for p in parts):  # interpretation 9
            continue
        values.append(sum((p for p in parts if p is not None), Fraction(0)) * scale)
        keyed.append((str(row.get(key_field)), values[-1]))
    judgement = obj.judgement
    if judgement.kind == "threshold-share":
        if judgement.threshold_seconds is None:
            raise NotImplementedError("business days on a value metric")
        limit = Fraction(judgement.threshold_seconds)

        def within(v: Fraction) -> bool:
            return v <= limit if judgement.threshold_inclusive else v < limit

        met = sum(1 for v in values if within(v))
        missed = [
            MissedItem(k, to_decimal(v), to_decimal(limit), to_decimal(v - limit))
            for k, v in keyed
            if not within(v)
        ]
        unit = {"seconds": "seconds", "minutes": "seconds", "percent": "ratio"}
        misses = listed_misses(missed, unit.get(params["unit"], "number"))
        return Outcome(len(values), share(met, len(values)), met, len(values) - met, 0, 0, misses)
    return Outcome(len(values), statistic(judgement, values))


def _sum_or_count(rows: list[Row], field: str | None) -> Fraction:
    if field is None:
        return Fraction(len(rows))
    return sum((n for r in rows if (n := number(r.get(field))) is not None), Fraction(0))


def measure_ratio(obj: Objective, items: list[tuple[Row, int]]) -> Outcome:
    params = dict(obj.metric.params)
    numerator, denominator = params["numerator"], params["denominator"]
    den_rows = [row for row, _ in items if matches(denominator["where"], row)]
    num_rows = [row for row in den_rows if matches(numerator["where"], row)]
    num = _sum_or_count(num_rows, numerator["sum"])
    den = _sum_or_count(den_rows, denominator["sum"])
    return Outcome(len(den_rows), num / den if den_rows and den != 0 else None)


def measure_service_level(plan: Plan, obj: Objective, items: list[tuple[Row, int]]) -> Outcome:
    params = dict(obj.metric.params)
    limit = param_number(params["within_seconds"])
    short = param_number(params["short_abandon_seconds"])
    assert limit is not None
    key_field = dataset(plan, obj.metric.dataset).key
    formula = params["formula"]
    answered = answered_in_time = abandoned = abandoned_in_time = 0
    missed: list[MissedItem] = []
    for row, _ in items:
        outcome, wait = row.get(params["outcome"]), number(row.get(params["wait"]))
        if wait is None:  # interpretation 11
            continue
        late = wait > limit
        if same(outcome, params["answered"]):
            answered += 1
            answered_in_time += wait <= limit
            miss, note = late, ""
        elif same(outcome, params["abandoned"]):
            if short is not None and wait < short:  # short abandons are left out entirely
                continue
            abandoned += 1
            abandoned_in_time += wait <= limit
            # Against the service level: after the wait, or at any wait (abandoned-against).
            miss = formula != "abandoned-ignored" and (late or formula == "abandoned-against")
            note = "abandoned"
        else:
            continue
        if miss:
            missed.append(
                MissedItem(
                    str(row.get(key_field)),
                    to_decimal(wait),
                    to_decimal(limit),
                    to_decimal(wait - limit),
                    None,
                    note,
                )
            )
    num, den = {
        "abandoned-after-ignored-within": (
            answered_in_time,
            answered + abandoned - abandoned_in_time,
        ),
        "abandoned-ignored": (answered_in_time, answered),
        "abandoned-against": (answered_in_time, answered + abandoned),
        "abandoned-within-for": (answered_in_time + abandoned_in_time, answered + abandoned),
    }[formula]
    return Outcome(den, share(num, den), misses=listed_misses(missed, "seconds"))


def measure_survey(obj: Objective, items: list[tuple[Row, int]]) -> Outcome:
    params = dict(obj.metric.params)
    scores = [s for row, _ in items if (s := number(row.get(params["score"]))) is not None]
    rated = len(scores)
    if not rated:
        return Outcome(0, None)

    def between(bounds: list[str], s: Fraction) -> bool:
        low, high = (Fraction(Decimal(b)) for b in bounds)
        return low <= s <= high

    measure = params["measure"]
    if measure in ("csat", "ces-share"):
        return Outcome(rated, Fraction(sum(between(params["good"], s) for s in scores), rated))
    if measure == "nps":
        promoters = sum(between(params["promoters"], s) for s in scores)
        detractors = sum(between(params["detractors"], s) for s in scores)
        return Outcome(rated, 100 * Fraction(promoters - detractors, rated))
    return Outcome(rated, sum(scores, Fraction(0)) / rated)  # ces-mean, mean


def measure_servqual(obj: Objective, items: list[tuple[Row, int]]) -> Outcome:
    params = dict(obj.metric.params)
    gaps: dict[Any, list[Fraction]] = {}
    for row, _ in items:
        perception = number(row.get(params["perception"]))
        expectation = number(row.get(params["expectation"]))
        if perception is None or expectation is None:
            continue
        group = row.get(params["dimension"]) if params.get("dimension") else None
        gaps.setdefault(group, []).append(perception - expectation)
    count = sum(len(g) for g in gaps.values())
    if not count:
        return Outcome(0, None)
    if not params.get("dimension"):
        return Outcome(count, sum(gaps[None], Fraction(0)) / count)
    means = [sum(g, Fraction(0)) / len(g) for g in gaps.values()]
    return Outcome(count, sum(means, Fraction(0)) / len(means))


def measure_count(obj: Objective, items: list[tuple[Row, int]]) -> Outcome:
    params = dict(obj.metric.params)
    field = params.get("distinct")
    if field is None:
        return Outcome(len(items), Fraction(len(items)))
    distinct: list[Any] = []
    for row, _ in items:
        value = row.get(field)
        if value is not None and not any(same(value, seen) for seen in distinct):
            distinct.append(value)
    return Outcome(len(items), Fraction(len(distinct)))


# --------------------------------------------------------------------------- availability


def _bucket_start(unit: str, day: date) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _bucket_after(unit: str, first: date) -> date:
    if unit == "day":
        return first + timedelta(days=1)
    if unit == "week":
        return first + timedelta(days=7)
    return _add_months(first, {"month": 1, "quarter": 3, "year": 12}[unit])


def allowance_buckets(zone: str, unit: str, window: Window) -> list[Span]:
    """The allowance periods (local calendar units of the contract zone) that overlap the window."""
    out = []
    first = _bucket_start(unit, window.first_day)
    while first < window.after_day:
        after = _bucket_after(unit, first)
        out.append((local_midnight_us(zone, first), local_midnight_us(zone, after)))
        first = after
    return out


def applies_to_scope(plan: Plan, dataset_name: str, window_row: Row, key: ScopeKey) -> bool:
    """Interpretation 16: a window applies to a scope value unless it names another value
    of a scope field its dataset declares."""
    declared = {f.name for f in dataset(plan, dataset_name).fields}
    for field, value in key:
        if field in declared and window_row.get(field) is not None and window_row[field] != value:
            return False
    return True


def excluded_maintenance(
    plan: Plan, exclusions: list[Exclusion], rows: Rows, window: Window, key: ScopeKey
) -> tuple[list[Span], dict[str, int]]:
    """The excluded maintenance time inside the window for one scope value, and the windows
    counted per exclusion (interpretations 14 and 16)."""
    union: list[Span] = []
    counts: dict[str, int] = {}
    for exclusion in exclusions:
        if exclusion.maintenance_dataset is None:
            continue
        counts[exclusion.id] = 0
        excluded: list[Span] = []
        fields = dict(exclusion.maintenance_fields)
        if exclusion.allowance_seconds is not None and exclusion.allowance_per is not None:
            buckets = allowance_buckets(plan.timezone, exclusion.allowance_per, window)
            allowance = int(Fraction(exclusion.allowance_seconds) * US)
            remaining = dict.fromkeys(buckets, allowance)
        else:
            buckets = [(window.start, window.end)]
            remaining = dict.fromkeys(buckets, 2**62)
        notice = Fraction(exclusion.notice_seconds or 0) * US  # no notice: announced in time
        windows = []
        for row in rows.get(exclusion.maintenance_dataset, []):
            start, end = timestamp(row, fields["start"]), timestamp(row, fields["end"])
            if start is None or end is None or end <= start:
                continue
            if not applies_to_scope(plan, exclusion.maintenance_dataset, row, key):
                continue
            if "announced_at" not in fields:
                if notice:
                    continue  # a notice that nothing shows was given
                windows.append((start, end))
                continue
            announced = timestamp(row, fields["announced_at"])
            if announced is None or start - announced < notice:
                continue  # unannounced or announced late: not excluded
            windows.append((start, end))
        for start, end in sorted(windows):
            taken: list[Span] = []
            fresh = minus(clip([(start, end)], buckets[0][0], buckets[-1][1]), excluded)
            for p, q in fresh:
                for bucket in buckets:
                    lo, hi = max(p, bucket[0]), min(q, bucket[1])
                    if lo >= hi:
                        continue
                    amount = min(remaining[bucket], hi - lo)
                    if amount > 0:
                        taken.append((lo, lo + amount))
                        remaining[bucket] -= amount
            excluded = merge(excluded + taken)
            if length(clip(taken, window.start, window.end)) > 0:
                counts[exclusion.id] += 1
        union = merge(union + clip(excluded, window.start, window.end))
    return union, counts


def measure_availability(
    obj: Objective,
    items: list[tuple[Row, int]],
    dropped: list[int],
    window: Window,
    maintenance: list[Span],
) -> Outcome:
    """Availability of one scope: ``items`` are its kept rows, ``dropped`` the instants of its
    excluded rows, ``maintenance`` the excluded maintenance time (interpretation 13)."""
    params = dict(obj.metric.params)
    source = params["source"]
    # Interpretation 12, except for outages: a period without any outage row had no downtime
    # (100%); only when every row was excluded is there nothing to judge.
    if not items and (source != "outages" or dropped):
        return Outcome(0, None)
    # With `missing: ignore` the total is the probed intervals themselves, so a nominal month
    # length has nothing to apply to (docs/semantics.md).
    ignore_missing = source == "probes" and params.get("missing") == "ignore"
    if params["availability_minutes"] == "actual" or ignore_missing:
        base = window.end - window.start
    else:
        base = (window.after_day - window.first_day).days * DAY_US
    source = params["source"]

    if source == "outages":
        minimum = param_number(params["min_outage_seconds"]) or Fraction(0)
        spans = []
        for row, start in items:
            end = timestamp(row, params["end"])
            end = window.end if end is None else end
            if (end - start) < minimum * US:  # length taken before clipping
                continue
            spans.append((max(start, window.start), min(end, window.end)))
        down = length(minus(merge(spans), maintenance))
        total = base - length(maintenance)
        # The sample of outage-based availability is the minutes counted.
        return Outcome(total // (60 * US), Fraction(total - down, total) if total > 0 else None)

    interval_seconds = param_number(params.get("interval_seconds")) or Fraction(60)
    interval = int(interval_seconds * US)
    intervals = [
        (k, lo, min(lo + interval, window.end))
        for k, lo in enumerate(range(window.start, window.end, interval))
    ]
    # An interval holding an excluded row leaves, as excluded maintenance does.
    dropped_intervals = {(t - window.start) // interval for t in dropped}
    excluded = merge(maintenance + [(lo, hi) for k, lo, hi in intervals if k in dropped_intervals])

    def live(lo: int, hi: int) -> int:  # the part of [lo, hi) outside excluded time
        return (hi - lo) - length(clip(excluded, lo, hi))

    if source == "probes":
        failed: dict[int, bool] = {}  # interval index -> any probe failed
        for row, t in items:
            k = (t - window.start) // interval
            failed[k] = failed.get(k, False) or not matches(params["ok"], row)
        total, down, sample = base - length(excluded), 0, 0
        for k, lo, hi in intervals:
            part = live(lo, hi)
            if k not in failed and params["missing"] == "ignore":
                total -= part  # an interval without probes leaves the total
                continue
            sample += part > 0
            if failed.get(k, True):  # a failed probe, or (missing: down) no probe at all
                down += part
        return Outcome(sample, Fraction(total - down, total) if total > 0 else None)

    # error-rate: rows inside excluded time are left out
    inside = [(row, t) for row, t in items if not clip(excluded, t, t + 1)]
    errors_key, requests_key = params["errors"], params["requests"]
    if params["method"] == "pooled":
        errors = _sum_or_count([r for r, _ in inside], errors_key)
        requests = _sum_or_count([r for r, _ in inside], requests_key)
        return Outcome(len(inside), 1 - errors / requests if requests else None)
    sums: dict[int, list[Fraction]] = {}
    for row, t in inside:
        k = (t - window.start) // interval
        errors_requests = sums.setdefault(k, [Fraction(0), Fraction(0)])
        errors_requests[0] += number(row.get(errors_key)) or 0
        errors_requests[1] += number(row.get(requests_key)) or 0
    rates = []
    for k, lo, hi in intervals:
        if live(lo, hi) == 0:
            continue  # wholly excluded
        errors, requests = sums.get(k, [Fraction(0), Fraction(0)])
        if requests == 0:
            if params["empty_interval"] == "skip":
                continue
            rates.append(Fraction(0))
        else:
            rates.append(errors / requests)
    if not rates:
        return Outcome(0, None)
    return Outcome(len(rates), 1 - sum(rates, Fraction(0)) / len(rates))


# --------------------------------------------------------------------------- the evaluator


def measure_objective(
    plan: Plan, terms: Terms, obj: Objective, rows: Rows, window: Window
) -> list[Measurement]:
    kind = obj.metric.kind
    exclusions = [e for e in terms.exclusions if e.id in obj.exclusions]
    groups: dict[ScopeKey, list[tuple[Row, int]]] = {}
    for row, instant in placed_rows(plan, terms, obj, rows, window):
        key = tuple((field, row.get(field)) for field in obj.scope)
        groups.setdefault(key, []).append((row, instant))
    carried: set[int] = set()
    by_end = kind == "duration" and dict(obj.metric.params)["period_membership"] == "end"
    if kind == "duration" and window.carry and not by_end:
        # Interpretation 18: items of earlier periods whose outcome this period's end first knows.
        earlier = Window(window.period, -(2**62), window.start, window.first_day, window.first_day)
        for row, instant in placed_rows(plan, terms, obj, rows, earlier):
            if row_exclusion(plan, exclusions, row, instant) is not None:
                continue  # excluded in its own period
            before = duration_outcome(plan, terms, obj, row, rows, window.start)[0]
            now = duration_outcome(plan, terms, obj, row, rows, window.end)[0]
            if before == "open" and now != "open":
                key = tuple((field, row.get(field)) for field in obj.scope)
                groups.setdefault(key, []).append((row, instant))
                carried.add(id(row))
    if not groups:  # interpretation 8: no rows at all still gives one (empty) measurement
        groups[()] = []
    out = []
    for key in sorted(groups, key=scope_order):
        maintenance: list[Span] = []
        maintenance_counts: dict[str, int] = {}
        if kind == "availability":
            maintenance, maintenance_counts = excluded_maintenance(
                plan, exclusions, rows, window, key
            )
        counts = {e.id: 0 for e in exclusions}
        counts.update(maintenance_counts)
        kept, dropped = [], []
        for row, instant in groups[key]:
            hit = row_exclusion(plan, exclusions, row, instant)
            if by_end and open_by_end(
                instant, timestamp(row, dict(obj.metric.params)["to"]), window
            ):
                hit = None  # interpretation 19: excluded (or not) where it ends
            if hit is None:
                kept.append((row, instant))
            else:
                dropped.append(instant)
                counts[hit] += 1
        if kind == "duration":
            outcome = measure_durations(plan, terms, obj, kept, rows, window, frozenset(carried))
        elif kind == "value":
            outcome = measure_values(plan, obj, kept)
        elif kind == "ratio":
            outcome = measure_ratio(obj, kept)
        elif kind == "service_level":
            outcome = measure_service_level(plan, obj, kept)
        elif kind == "survey":
            outcome = measure_survey(obj, kept)
        elif kind == "servqual":
            outcome = measure_servqual(obj, kept)
        elif kind == "count":
            outcome = measure_count(obj, kept)
        elif kind == "availability":
            outcome = measure_availability(obj, kept, dropped, window, maintenance)
        else:
            raise NotImplementedError(kind)
        out.append(
            Measurement(
                period=window.period,
                objective=obj.id,
                scope=key,
                sample=outcome.sample,
                value=None if outcome.value is None else to_decimal(outcome.value),
                met=outcome.met,
                breached=outcome.breached,
                open=outcome.open,
                excluded=tuple((e.id, counts[e.id]) for e in exclusions),
                carried=outcome.carried,
                misses=outcome.misses,
            )
        )
    return out


def reference_measure(plan: Plan, rows: Rows, period_ids: list[str]) -> list[Measurement]:
    """One measurement per period × objective × scope value, in the order of ``period_ids``,
    then of the objectives in the terms in force, then of the scope values."""
    out = []
    for period_id in period_ids:
        unit = period_unit(period_id)
        first_day, after_day = period_days(period_id)
        terms = terms_in_force(plan, first_day)
        start, end = period_bounds(plan.timezone, period_id)
        for obj in terms.objectives:
            if obj.period.unit != unit:
                continue
            window = Window(period_id, start, end, first_day, after_day, carry=True)
            if obj.period.rolling > 1:
                earliest = shift_period(period_id, 1 - obj.period.rolling)
                window_first, _ = period_days(earliest)
                window_start, _ = period_bounds(plan.timezone, earliest)
                window = Window(period_id, window_start, end, window_first, after_day)
            out.extend(measure_objective(plan, terms, obj, rows, window))
    return out
