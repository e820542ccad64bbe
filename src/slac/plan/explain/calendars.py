"""Business calendars in words: weekly hours, closed days, and the "Business hours" section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slac.plan.explain.blocks import Block, Bullets, Heading, Item, Label
from slac.plan.explain.context import Context
from slac.plan.types import Calendar, TimeRange
from slac.wording import date_words, join_words

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


def business_hours(ctx: Context) -> list[Block]:
    """Each business calendar a promise's clock runs in, with its closed days."""
    used: list[str] = []
    for objective in ctx.terms.objectives:
        name = str(dict(objective.metric.params).get("calendar", ""))
        if name and name not in used:
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
