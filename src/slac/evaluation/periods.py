"""Periods in the contract's time zone, as UTC instants.

``date_trunc('month', ts)`` in an engine follows the session zone (UTC): tickets created
00:00–05:00 UTC on the 1st land in the wrong New York month. Periods are therefore computed
here, once, from the contract's IANA zone, and handed to the engine as instants.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from slac.evaluation.measurement import Period

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")
EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def local_midnight_us(day: date, zone: str) -> int:
    return to_us(datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)))


def first_day(period_id: str) -> date:
    """The first local day of ``2026-10``, ``2026-Q4`` or ``2026``."""
    if m := _MONTH.fullmatch(period_id):
        return date(int(m.group(1)), int(m.group(2)), 1)
    if m := _QUARTER.fullmatch(period_id):
        return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
    if m := _YEAR.fullmatch(period_id):
        return date(int(m.group(1)), 1, 1)
    raise ValueError(f"not a period: {period_id!r} (write 2026-10, 2026-Q4 or 2026)")


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def unit_of(period_id: str) -> str:
    if _MONTH.fullmatch(period_id):
        return "month"
    if _QUARTER.fullmatch(period_id):
        return "quarter"
    return "year"


MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def period_id(day: date, unit: str) -> str:
    if unit == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if unit == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def period(period_id_: str, zone: str, unit: str | None = None, rolling: int = 1) -> Period:
    """The period (or rolling window ending with it) as UTC instants in ``zone``."""
    unit = unit or unit_of(period_id_)
    start = first_day(period_id_)
    months = MONTHS_IN[unit]
    end = add_months(start, months)
    window_start = add_months(end, -months * rolling)
    return Period(
        period_id_, unit, local_midnight_us(window_start, zone), local_midnight_us(end, zone)
    )


def month_range(first: str, last: str) -> list[str]:
    """``2026-09`` … ``2026-12``: the months from ``first`` to ``last`` inclusive."""
    start, end = first_day(first), first_day(last)
    if end < start:
        raise ValueError(f"--through {last} is before --period {first}")
    out = []
    day = start
    while day <= end:
        out.append(period_id(day, "month"))
        day = add_months(day, 1)
    return out


def containing(month_id: str, unit: str) -> str:
    """The period of ``unit`` that contains the month ``month_id``."""
    return period_id(first_day(month_id), unit)


def last_month_of(period_id_: str) -> bool:
    """True when ``period_id_`` (a month) is the last month of its quarter (or year)."""
    return first_day(period_id_).month in (3, 6, 9, 12)
