"""Dates, calendars, time zones, holidays and allowances."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from slac.contract.rules.base import Finding, RuleContext, did_you_mean, rule
from slac.contract.source import Path
from slac.contract.units import parse_duration
from slac.diagnostics import Severity

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")
# The shortest each period can be, so that an allowance longer than it is always impossible.
_SHORTEST = {
    "day": 23 * 3600,
    "week": 7 * 86400 - 3600,
    "month": 28 * 86400 - 3600,
    "quarter": 89 * 86400 - 3600,
    "year": 365 * 86400,
}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value is not None else None
    except ValueError:
        return None


@rule("R701", "date-order", Severity.ERROR)
def date_order(ctx: RuleContext) -> Iterator[Finding]:
    """Effective dates are in the wrong order, or an amendment takes effect outside the contract's life.

    `effective.to` must come after `effective.from`; an amendment's `effective` date must lie
    within the contract's life, or it never applies; two amendments cannot take effect on the
    same day (which terms would be in force?).

    **Fix:** correct the dates.
    """
    effective = ctx.contract.effective
    start = _date(effective.start) if effective else None
    end = _date(effective.end) if effective else None
    if effective and start and end and end <= start:
        yield Finding(
            f"effective.to ({end}) is not after effective.from ({start})",
            (*effective.path, "to"),
            "",
        )
    first_on: dict[date, str] = {}
    for amendment in ctx.contract.amendments:
        when = _date(amendment.effective)
        if when is None:
            continue
        if when in first_on:
            yield Finding(
                f"amendments '{first_on[when]}' and '{amendment.id}' take effect on the "
                f"same day ({when})",
                (*amendment.path, "effective"),
                "merge them into one amendment, or give them different dates",
            )
        first_on.setdefault(when, amendment.id)
        if (start and when <= start) or (end and when > end):
            yield Finding(
                f"amendment '{amendment.id}' takes effect on {when}, outside the contract's "
                f"life ({start} – {end or 'open'})",
                (*amendment.path, "effective"),
                "an amendment applies from a date after effective.from and not after effective.to",
            )


@rule("R702", "review-overdue", Severity.WARNING, templates=False)
def review_overdue(ctx: RuleContext) -> Iterator[Finding]:
    """The contract's review date has passed.

    SLAs are reviewed and updated as services change; a contract past its review date may no
    longer describe the service. `slac lint --today YYYY-MM-DD` fixes the date CI judges by.

    **Fix:** review the contract and move `review.due` forward.
    """
    review = ctx.contract.review
    due = _date(review.due) if review else None
    if review and due is not None and due < ctx.today:
        yield Finding(
            f"review was due on {due} ({_days((ctx.today - due).days)} ago)",
            (*review.path, "due"),
            "review the contract, then set the next review.due",
        )


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def closest_zone(name: str) -> str | None:
    """The known IANA zone name closest to ``name`` (for a hint), if any is close."""
    close = difflib.get_close_matches(name, sorted(_zones()), n=1, cutoff=0.6)
    return close[0] if close else None


def valid_zone(name: str) -> bool:
    if name in _zones():
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: the name is a folder of tzdata (`Europe`) or too long for a file name.
        return False
    return True


@rule("R711", "invalid-timezone", Severity.ERROR)
def invalid_timezone(ctx: RuleContext) -> Iterator[Finding]:
    """A time zone is not a known IANA zone name.

    Periods and business hours are computed in IANA zones (`Europe/Berlin`,
    `America/New_York`) so that daylight-saving changes are right; offsets such as `+01:00`
    are not zones. Legacy names that tzdata still accepts (`EST`, `CET`, `MST7MDT`) get a
    warning: `EST` never observes daylight saving, so it is an hour off in New York's summer.

    **Fix:** use the zone's IANA name (the hint suggests the closest).
    """
    places: list[tuple[Path, str | None]] = [(("timezone",), ctx.contract.timezone)]
    for cal in ctx.contract.calendars.values():
        places.append(((*cal.path, "timezone"), cal.timezone))
    for path, zone in places:
        if zone is not None and not valid_zone(zone):
            yield Finding(f"'{zone}' is not an IANA time zone", path, did_you_mean(zone, _zones()))
        elif zone is not None and "/" not in zone and zone not in ("UTC", "GMT"):
            # tzdata keeps legacy names (EST, CET, MST7MDT) that are easily misread: EST never
            # observes daylight saving, so New York's summer would be an hour off.
            yield Finding(
                f"'{zone}' is a legacy zone name, not a place",
                path,
                "use a location such as America/New_York or Europe/Berlin",
                severity=Severity.WARNING,
            )


def expand_days(key: str) -> list[str] | None:
    """``mon-fri`` → [mon … fri]; ``sat,sun`` → [sat, sun]; wraps (``fri-mon``)."""
    days: list[str] = []
    for part in key.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS:
                return None
            i, j = DAYS.index(first), DAYS.index(last)
            span = (j - i) % 7
            days.extend(DAYS[(i + k) % 7] for k in range(span + 1))
        elif part in DAYS:
            days.append(part)
        else:
            return None
    return days


def _minutes(text: str) -> tuple[int, int] | None:
    match = _RANGE.fullmatch(text)
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


@rule("R712", "business-hours-overlap", Severity.ERROR)
def business_hours(ctx: RuleContext) -> Iterator[Finding]:
    """Business-hour ranges overlap, or are empty.

    Within one calendar every minute of the week is either business time or not. Two ranges
    covering the same minutes (`mon-fri: [08:00-18:00]` and `wed: [17:00-20:00]`, or a range
    crossing midnight into the next day's range) would count that time twice. A range such as
    `08:00-08:00` covers nothing.

    **Fix:** merge the ranges, or split them so they only touch.
    """
    for cal in ctx.contract.calendars.values():
        week: list[tuple[int, int, Path, str]] = []  # minute-of-week intervals
        for hours in cal.hours:
            days = expand_days(hours.days)
            if days is None:
                continue
            for j, text in enumerate(hours.ranges):
                span = _minutes(text)
                if span is None:
                    continue
                path: Path = (*hours.path, j)
                start, end = span
                if start == end:
                    yield Finding(f"range '{text}' is empty", path, "a whole day is 00:00-24:00")
                    continue
                length = (end - start) if end > start else (1440 - start + end)
                for day in days:
                    base = DAYS.index(day) * 1440 + start
                    week.append((base, base + length, path, f"{day} {text}"))
        yield from _overlaps(week)


def _overlaps(week: list[tuple[int, int, Path, str]]) -> Iterator[Finding]:
    total = 7 * 1440
    # Ranges crossing Sunday midnight wrap into Monday.
    pieces = []
    for start, end, path, label in week:
        if end > total:
            pieces.append((start, total, path, label))
            pieces.append((0, end - total, path, label))
        else:
            pieces.append((start, end, path, label))
    pieces.sort(key=lambda p: (p[0], p[1]))
    reported: set[Path] = set()
    # Compare each range with the one reaching furthest so far, not just its neighbour.
    reach: tuple[int, Path, str] | None = None
    for start, end, path, label in pieces:
        overlaps = reach is not None and start < reach[0] and path not in reported
        if overlaps and reach is not None and (reach[1] != path or reach[2] != label):
            reported.add(path)
            yield Finding(
                f"'{label}' overlaps '{reach[2]}'",
                path,
                "ranges of one calendar must not overlap",
            )
        if reach is None or end > reach[0]:
            reach = (end, path, label)


@functools.cache
def _countries() -> dict[str, list[str]]:
    import holidays

    supported: dict[str, list[str]] = holidays.list_supported_countries()
    return supported


@rule("R713", "unknown-holiday-region", Severity.ERROR)
def unknown_holidays(ctx: RuleContext) -> Iterator[Finding]:
    """A holiday country or subdivision is not known to the `holidays` package.

    Public holidays are taken from the `holidays` package by ISO 3166 country code (`DE`,
    `US`, `GB`) and subdivision code (`BY`, `NY`, `ENG`). An unknown code would silently mean
    "no holidays".

    **Fix:** use the ISO 3166-1 alpha-2 code; the hint names the closest known one.
    """
    for cal in ctx.contract.calendars.values():
        hol = cal.holidays
        if hol is None or hol.country is None:
            continue
        # Asked only here: the list imports every country's module (0.08 s of each start-up),
        # which a contract without holidays never needs.
        countries = _countries()
        country, sub = hol.country, hol.subdivision
        if country not in countries:
            hint = did_you_mean(country, countries)
            yield Finding(
                f"'{country}' is not a supported holiday country", (*hol.path, "country"), hint
            )
            continue
        if sub is not None and sub not in countries[country]:
            yield Finding(
                f"'{sub}' is not a subdivision of {country}",
                (*hol.path, "subdivision"),
                did_you_mean(sub, countries[country]),
            )


@rule("R721", "allowance-exceeds-period", Severity.ERROR)
def allowance_exceeds_period(ctx: RuleContext) -> Iterator[Finding]:
    """A maintenance allowance is longer than the period it is granted for.

    `allowance: 800h/month` exceeds any month: the provider could call the whole month
    maintenance. Usually a typo for `8h/month`.

    **Fix:** correct the allowance.
    """
    for exc in ctx.contract.exclusions:
        maint = exc.maintenance
        allowance = maint.allowance if maint else None
        if maint is None or allowance is None or "/" not in allowance:
            continue
        amount, _, per = allowance.rpartition("/")
        parsed = parse_duration(amount)
        if parsed is None or parsed.seconds is None or per not in _SHORTEST:
            continue
        if parsed.seconds > Decimal(_SHORTEST[per]):
            yield Finding(
                f"allowance '{allowance}' is longer than a {per}",
                (*maint.path, "allowance"),
                "",
            )


@rule("R722", "chronic-failure-window", Severity.ERROR)
def chronic_failure_window(ctx: RuleContext) -> Iterator[Finding]:
    """A chronic-failure rule needs more breaches than its window has periods.

    "3 breaches in 6 periods" can happen; "7 breaches in 6 periods" never can, so the
    termination right or escalation would never trigger.

    **Fix:** `breaches` must be at most `periods`.
    """
    for chronic in ctx.contract.chronic_failure:
        if chronic.breaches > chronic.periods:
            yield Finding(
                f"{chronic.breaches} breaches can never happen within {chronic.periods} periods",
                (*chronic.path, "breaches"),
                "",
            )
