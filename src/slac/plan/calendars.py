"""Concrete calendars: weekly business ranges per day and the holiday dates in force.

Holidays come from the `holidays` package (country and subdivision, observed days included
as the package defines them, e.g. US New Year's Day observed on Monday 2023-01-02), plus the
contract's own closed dates, minus the public holidays it works anyway.
"""

from __future__ import annotations

from datetime import MAXYEAR, date

from slac.contract import model
from slac.contract.rules.time import DAYS, expand_days
from slac.plan.intervals import merge_spans
from slac.plan.types import Calendar, TimeRange

ALWAYS = "24x7"
# An open-ended contract has its holidays expanded for this many years from its start;
# the evaluator refuses periods past a calendar's horizon rather than guess.
OPEN_ENDED_YEARS = 5


def horizon(effective_from: str, effective_to: str | None) -> tuple[int, int]:
    first = date.fromisoformat(effective_from).year
    last = date.fromisoformat(effective_to).year if effective_to else first + OPEN_ENDED_YEARS - 1
    last = min(last, MAXYEAR)  # an open-ended contract from 9990 still has dates to name
    return first, last


def always_open(name: str, timezone: str, years: tuple[int, int]) -> Calendar:
    week = tuple((day, (TimeRange("00:00", "24:00"),)) for day in DAYS)
    return Calendar(
        name,
        timezone,
        True,
        week,
        None,
        None,
        (),
        date(years[0], 1, 1).isoformat(),
        date(years[1], 12, 31).isoformat(),
    )


def build_calendar(spec: model.Calendar, years: tuple[int, int]) -> Calendar:
    name, timezone = spec.name, spec.timezone
    if spec.always:
        base = always_open(name, timezone, years)
        return _with_holidays(base, spec.holidays, years)
    per_day: dict[str, list[tuple[int, int]]] = {day: [] for day in DAYS}
    for hours in spec.hours:
        for day in expand_days(hours.days) or []:
            for text in hours.ranges:
                start, end = _minutes(text[:5]), _minutes(text[6:])
                if end > start:
                    per_day[day].append((start, end))
                else:  # crosses midnight: the rest of this day, then the next day's morning
                    per_day[day].append((start, 1440))
                    if end:
                        per_day[DAYS[(DAYS.index(day) + 1) % 7]].append((0, end))
    week = tuple(
        (day, tuple(TimeRange(_clock(s), _clock(e)) for s, e in merge_spans(per_day[day])))
        for day in DAYS
    )
    always = all(r == (TimeRange("00:00", "24:00"),) for _, r in week)
    base = Calendar(
        name,
        timezone,
        always,
        week,
        None,
        None,
        (),
        date(years[0], 1, 1).isoformat(),
        date(years[1], 12, 31).isoformat(),
    )
    return _with_holidays(base, spec.holidays, years)


def _with_holidays(base: Calendar, spec: model.Holidays | None, years: tuple[int, int]) -> Calendar:
    if spec is None:
        return base
    country, subdivision = spec.country, spec.subdivision
    dates: set[str] = set()
    if country:
        import holidays

        table = holidays.country_holidays(
            country, subdiv=subdivision, years=range(years[0], years[1] + 1)
        )
        dates.update(d.isoformat() for d in table)
    dates.update(spec.dates)
    dates.difference_update(spec.worked)
    return Calendar(
        base.name,
        base.timezone,
        base.always_open and not dates,
        base.weekly,
        country,
        subdivision,
        tuple(sorted(dates)),
        base.horizon_from,
        base.horizon_to,
    )


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
