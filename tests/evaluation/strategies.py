"""Hypothesis strategies: random small contracts (YAML text) with rows that fit them.

Each strategy draws a :class:`Case`: the contract's YAML text, the rows of its datasets
(timestamps as aware ``datetime`` objects at whole seconds, shown in assorted zones) and the
period ids to measure. The contracts lint clean by construction; ``test_differential.py``
compiles them and requires the engine and the reference evaluator to agree exactly.

What varies:

- ``ticket_cases``: duration metrics on a random business calendar (zone among Berlin, New York,
  UTC, Kolkata; random weekly ranges including one crossing midnight and ones over the DST
  hours; random holiday dates) or on 24x7; random pauses (overlapping, across nights); within /
  under in seconds, business hours or business days; statistics with every percentile method;
  open items; membership by start or end; where filters, policies (first / all), scope;
  exclusions by ``where`` or ``between``.
- ``availability_cases``: probes (interval grid, missing down / ignore, actual / nominal minutes,
  maintenance windows with notice and allowance), outages (min_outage, ongoing outages,
  maintenance) and error rates (interval-mean ok / skip, pooled).
- ``other_cases``: ratios (counts and sums), service levels (4 formulas, short abandons),
  values (field or summed fields, seconds or minutes), surveys (csat, nps, ces-share, ces-mean,
  mean), SERVQUAL, counts (distinct).

Instants are drawn either uniformly (in and a few days around the periods) or from "special"
instants: period boundaries, business-range boundaries, interval boundaries, exact deadlines.
Generated data is always valid data (ends after starts, pauses of existing tickets), so the
bad-row handling of the loader is not what is being compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from hypothesis import strategies as st

ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata")
ROW_ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland")
# DST months first: March and October/November in Berlin and New York.
MONTHS = ("2026-03", "2026-10", "2026-11", "2026-06", "2027-03", "2026-12")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_OPTIONS: tuple[tuple[str, ...], ...] = (
    (),
    ("08:00-18:00",),
    ("08:00-18:00",),
    ("09:00-13:00",),
    ("07:30-12:00", "13:00-17:30"),
    ("00:00-24:00",),
    ("01:30-03:30",),  # over the DST hours of Berlin and New York
    ("20:00-24:00",),
)
UTC = UTC


@dataclass
class Case:
    contract: str  # YAML text
    rows: dict[str, list[dict[str, Any]]]
    period_ids: list[str]
    notes: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # shown by hypothesis on failure: the contract reads best as text
        return f"Case(period_ids={self.period_ids!r})\n--- contract ---\n{self.contract}\n--- rows ---\n{self.rows!r}"


# --------------------------------------------------------------------------- helpers


def dump(contract: dict[str, Any]) -> str:
    return yaml.safe_dump(contract, sort_keys=False, allow_unicode=True, width=100)


def base_contract(zone: str) -> dict[str, Any]:
    return {
        "slac": 1,
        "id": "generated",
        "version": "1",
        "effective": {"from": "2026-01-01", "to": "2027-12-31"},
        "timezone": zone,
        "parties": {"provider": {"name": "Provider"}, "customer": {"name": "Customer"}},
    }


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def month_dates(month: str) -> tuple[date, date]:
    first = date(int(month[:4]), int(month[5:7]), 1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after


def midnight(zone: str, day: date) -> int:
    """Seconds since the epoch of local midnight (the first instant of the local date)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp())


def local_instant(zone: str, day: date, clock: str) -> int:
    hours, minutes = (int(x) for x in clock.split(":"))
    if hours == 24:
        return midnight(zone, day + timedelta(days=1))
    return int(
        datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(zone)).timestamp()
    )


@st.composite
def periods(draw: st.DrawFn, zone: str) -> tuple[list[str], int, int, date, date]:
    """One or two consecutive months: (ids, start s, end s, first day, day after)."""
    month = draw(st.sampled_from(MONTHS))
    ids = [month, next_month(month)] if draw(st.booleans()) else [month]
    first, _ = month_dates(ids[0])
    _, after = month_dates(ids[-1])
    return ids, midnight(zone, first), midnight(zone, after), first, after


@st.composite
def stamp(draw: st.DrawFn, lo: int, hi: int, specials: list[int]) -> datetime:
    """A whole-second instant, uniform in [lo, hi] or one of the special instants."""
    if specials and draw(st.integers(0, 2)) == 0:
        seconds = draw(st.sampled_from(specials))
    else:
        seconds = draw(st.integers(lo, hi))
    zone = draw(st.sampled_from(ROW_ZONES))
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(ZoneInfo(zone))


def seconds_of(value: datetime) -> int:
    return int(value.timestamp())


@st.composite
def business_hours(draw: st.DrawFn) -> dict[str, list[str]]:
    week = {day: list(draw(st.sampled_from(DAY_OPTIONS))) for day in DAYS}
    if draw(st.booleans()):  # one range crossing midnight, where it overlaps nothing
        i = draw(st.integers(0, 6))
        day, following = DAYS[i], DAYS[(i + 1) % 7]

        def end_minute(text: str) -> int:
            h, m = text[6:].split(":")
            return int(h) * 60 + int(m)

        def start_minute(text: str) -> int:
            h, m = text[:5].split(":")
            return int(h) * 60 + int(m)

        if all(end_minute(r) <= 22 * 60 for r in week[day]) and all(
            start_minute(r) >= 2 * 60 for r in week[following]
        ):
            week[day].append("22:00-02:00")
    if not any(week.values()):
        week["mon"] = ["08:00-18:00"]
    return {day: ranges for day, ranges in week.items() if ranges}


def business_boundaries(
    zone: str, hours: dict[str, list[str]], first: date, after: date
) -> list[int]:
    """Local range starts and ends (as instants) on the days around the periods."""
    out = []
    day = first - timedelta(days=3)
    while day < after + timedelta(days=3):
        for text in hours.get(DAYS[day.weekday()], []):
            start, end = text[:5], text[6:]
            out.append(local_instant(zone, day, start))
            if end > start:
                out.append(local_instant(zone, day, end))
            else:  # crosses midnight: ends on the next day
                out.append(local_instant(zone, day + timedelta(days=1), end))
        day += timedelta(days=1)
    return out


def pick_some(draw: st.DrawFn, items: list[Any]) -> list[Any]:
    return draw(st.lists(st.sampled_from(items), unique=True)) if items else []


# --------------------------------------------------------------------------- tickets


THRESHOLD_SECONDS = ("30m", "1h", "4h", "1d", "90s", "2d 4h")
THRESHOLD_BUSINESS = (
    "2 business hours",
    "1 business day",
    "2 business days",
    "90 business minutes",
)
STATISTICS = ("mean", "median", "p90", "p75", "p99.5", "min", "max", "sum", "count")
PERCENTILE_METHODS = ("linear", "lower", "higher", "nearest")
WHERES: tuple[Any, ...] = (
    None,
    {"priority": "P1"},
    {"priority": ["P2", "P3"]},
    [{"field": "channel", "op": "!=", "value": "email"}],
    [{"field": "queue", "op": "is-null"}],
    [{"field": "queue", "op": "not-null"}, {"field": "priority", "op": "not-in", "value": ["P3"]}],
)
EXCLUSION_WHERES: tuple[Any, ...] = (
    {"channel": "email"},
    {"priority": "P3"},
    [{"field": "queue", "op": "=", "value": "b"}],
)


@st.composite
def exclusions(
    draw: st.DrawFn,
    objective_ids: list[str],
    first: date,
    after: date,
    wheres: tuple[Any, ...] = EXCLUSION_WHERES,
) -> list[dict[str, Any]]:
    out = []
    span = (after - first).days
    for i in range(draw(st.integers(0, 2))):
        spec: dict[str, Any] = {"id": f"exclusion-{i}"}
        if draw(st.booleans()):
            spec["reason"] = "customer-caused"
            spec["where"] = draw(st.sampled_from(wheres))
        else:
            spec["reason"] = "other"
            start = first + timedelta(days=draw(st.integers(-2, span)))
            spec["between"] = {
                "from": start.isoformat(),
                "to": (start + timedelta(days=draw(st.integers(0, 3)))).isoformat(),
            }
        applies = pick_some(draw, objective_ids)
        if applies:
            spec["applies_to"] = applies
        out.append(spec)
    return out


@st.composite
def ticket_cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    ids, lo, hi, first, after = draw(periods(zone))
    contract = base_contract(zone)
    contract["semantics"] = {
        "period_membership": draw(st.sampled_from(["start", "end"])),
        "open_items": draw(st.sampled_from(["judge-overdue", "exclude"])),
        "percentile": draw(st.sampled_from(PERCENTILE_METHODS)),
        "scope_matching": draw(st.sampled_from(["first", "all"])),
    }
    business = draw(st.integers(0, 3)) > 0
    specials = [lo, hi, lo - 1, hi - 1, lo + 1]
    if business:
        cal_zone = draw(st.sampled_from(ZONES))
        hours = draw(business_hours())
        day_list = [first + timedelta(days=k) for k in range(-3, (after - first).days + 3)]
        holidays = pick_some(draw, day_list[:12]) + pick_some(draw, day_list[-8:])
        calendar: dict[str, Any] = {"timezone": cal_zone, "hours": hours}
        if holidays:
            calendar["holidays"] = {"dates": sorted({d.isoformat() for d in holidays})}
        contract["calendars"] = {"support": calendar}
        specials += business_boundaries(cal_zone, hours, first, after)
    contract["datasets"] = {
        "tickets": {
            "kind": "tickets",
            "key": "id",
            "fields": {
                "id": {"type": "string"},
                "created_at": {"type": "timestamp"},
                "responded_at": {"type": "timestamp"},
                "priority": {"type": "string", "values": ["P1", "P2", "P3"]},
                "queue": {"type": "string"},
                "channel": {"type": "string"},
            },
        },
        "pauses": {
            "kind": "intervals",
            "parent": {"dataset": "tickets", "key": "ticket_id"},
            "fields": {
                "ticket_id": {"type": "string"},
                "start": {"type": "timestamp"},
                "end": {"type": "timestamp"},
                "status": {"type": "string"},
            },
        },
        "reopens": {
            "kind": "events",
            "parent": {"dataset": "tickets", "key": "ticket_id"},
            "fields": {
                "ticket_id": {"type": "string"},
                "reopened_at": {"type": "timestamp"},
                "answered_at": {"type": "timestamp"},
            },
        },
    }
    duration: dict[str, Any] = {"from": "created_at", "to": "responded_at"}
    if business:
        duration["calendar"] = "support"
    elif draw(st.booleans()):
        duration["calendar"] = "24x7"
    if draw(st.booleans()):
        pause: dict[str, Any] = {"dataset": "pauses", "start": "start", "end": "end"}
        if draw(st.booleans()):
            pause["where"] = {"status": "waiting"}
        duration["pause"] = pause
    if draw(st.booleans()):
        duration["period_membership"] = draw(st.sampled_from(["start", "end"]))
    if draw(st.booleans()):  # reopened tickets: each reopen row a cycle of its own, or not
        duration["cycles"] = {"dataset": "reopens", "start": "reopened_at", "end": "answered_at"}
        reopened = draw(st.sampled_from(["each-cycle", "each-cycle", "first-cycle"]))
        if draw(st.booleans()):
            duration["reopened"] = reopened
        else:
            contract["semantics"]["reopened"] = reopened
    metrics: dict[str, Any] = {"response": {"dataset": "tickets", "duration": duration}}
    if business and draw(st.booleans()):
        metrics["elapsed"] = {
            "dataset": "tickets",
            "where": {"channel": ["email", "portal"]},
            "duration": {"from": "created_at", "to": "responded_at"},
        }
    contract["metrics"] = metrics

    objectives = []
    policy_count = 0
    for i in range(draw(st.integers(1, 3))):
        metric = draw(st.sampled_from(sorted(metrics)))
        obj: dict[str, Any] = {"id": f"objective-{i}", "metric": metric}
        where = draw(st.sampled_from(WHERES))
        if where is not None:
            obj["where"] = where
        if draw(st.integers(0, 2)) == 0:
            obj["policy"] = "response"
            policy_count += 1
        if draw(st.booleans()):
            threshold_key = draw(st.sampled_from(["within", "under"]))
            texts = THRESHOLD_SECONDS + (
                THRESHOLD_BUSINESS if metric == "response" and business else ()
            )
            obj[threshold_key] = draw(st.sampled_from(texts))
            obj["target"] = ">= 90%"
        else:
            stat = draw(st.sampled_from(STATISTICS))
            obj["statistic"] = stat
            obj["target"] = "<= 1000" if stat == "count" else "<= 4h"
            if draw(st.booleans()):
                obj["percentile"] = draw(st.sampled_from(PERCENTILE_METHODS))
        if draw(st.booleans()):
            obj["scope"] = ["queue"]
        if draw(st.booleans()):
            obj["open_items"] = draw(st.sampled_from(["judge-overdue", "exclude"]))
        if draw(st.booleans()):
            obj["min_sample"] = draw(st.integers(1, 5))
        objectives.append(obj)
    contract["objectives"] = objectives
    excl = draw(exclusions([o["id"] for o in objectives], first, after))
    if excl:
        contract["exclusions"] = excl

    margin = 3 * 86_400
    tickets, pauses, reopens = [], [], []
    for k in range(draw(st.integers(1, 14))):
        created = draw(stamp(lo - margin, hi + margin, specials))
        c = seconds_of(created)
        later = [s for s in specials if s >= c]
        responded: datetime | None
        choice = draw(st.integers(0, 4))
        if choice == 0:
            responded = None
        elif choice == 1 and later:
            responded = draw(stamp(c, c, later))
        else:
            delta = draw(
                st.one_of(
                    st.integers(0, 5 * 86_400),
                    st.sampled_from([0, 1, 3599, 3600, 3601, 5400, 7200, 14_400, 86_400, 187_200]),
                )
            )
            responded = draw(stamp(c + delta, c + delta, []))
        key = f"t{k}"
        tickets.append(
            {
                "id": key,
                "created_at": created,
                "responded_at": responded,
                "priority": draw(st.sampled_from(["P1", "P2", "P3"])),
                "queue": draw(st.sampled_from(["a", "b", None])),
                "channel": draw(st.sampled_from(["email", "portal", "phone"])),
            }
        )
        end_limit = seconds_of(responded) if responded is not None else c + 5 * 86_400
        reopened_from = end_limit
        for _ in range(draw(st.integers(0, 2)) if "cycles" in duration else 0):
            # Reopened after the answer (or anywhere in an open ticket's life), often across a
            # period boundary; a later cycle may still be open.
            later_specials = [x for x in specials if x >= reopened_from] or [reopened_from]
            begin = draw(
                st.one_of(
                    st.integers(reopened_from, reopened_from + 4 * 86_400),
                    st.sampled_from(later_specials),
                )
            )
            again = draw(st.sampled_from([None, 0, 3600, 14_400, 86_400, 200_000]))
            reopens.append(
                {
                    "ticket_id": key,
                    "reopened_at": draw(stamp(begin, begin, [])),
                    "answered_at": None
                    if again is None
                    else draw(stamp(begin + again, begin + again, [])),
                }
            )
            reopened_from = begin
        for _ in range(draw(st.integers(0, 3))):
            # A status history spans the ticket's life: pauses may start before it was created
            # and end after it was answered; each metric takes the part it measures.
            start = draw(st.integers(c - 86_400, end_limit + 86_400))
            end = draw(st.integers(start, end_limit + 2 * 86_400))
            pauses.append(
                {
                    "ticket_id": key if draw(st.integers(0, 5)) else f"t{k + 1}",
                    "start": draw(stamp(start, start, [])),
                    "end": draw(stamp(end, end, [])),
                    "status": draw(st.sampled_from(["waiting", "waiting", "other"])),
                }
            )
    # A pause borrowed from the next ticket must name a ticket that exists: drop the others.
    by_key = {t["id"]: t for t in tickets}
    valid_pauses = [p for p in pauses if p["ticket_id"] in by_key]
    data = {"tickets": tickets, "pauses": valid_pauses, "reopens": reopens}
    return Case(dump(contract), data, ids)


# --------------------------------------------------------------------------- availability


INTERVALS = {"5m": 300, "15m": 900, "30m": 1800, "1h": 3600}


@st.composite
def maintenance(
    draw: st.DrawFn, grid: int, origin: int, lo: int, hi: int, regions: bool, announced: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A maintenance exclusion and its windows, on the interval grid (see reference.py, 13);
    with ``regions`` each window belongs to a region or (None) to all (16); without
    ``announced`` the dataset has no announced_at field and the exclusion no notice."""
    spec: dict[str, Any] = {"dataset": "windows"}
    notice_text = draw(st.sampled_from([None, "48h", "1h"])) if announced else None
    notice = {None: 0, "48h": 172_800, "1h": 3600}[notice_text]
    if notice_text:
        spec["notice"] = notice_text
    if draw(st.booleans()):
        spec["allowance"] = (
            f"{draw(st.integers(1, 6)) * grid}s/{draw(st.sampled_from(['month', 'week', 'day']))}"
        )
    windows = []
    for _ in range(draw(st.integers(0, 4))):
        start = (
            origin + draw(st.integers((lo - origin) // grid - 24, (hi - origin) // grid + 2)) * grid
        )
        end = start + draw(st.integers(1, 12)) * grid
        lead = draw(st.sampled_from([None, notice, notice - 1, notice + 1, 3 * 86_400, 0]))
        window: dict[str, Any] = {
            "start": draw(stamp(start, start, [])),
            "end": draw(stamp(end, end, [])),
        }
        if announced:
            window["announced_at"] = (
                None if lead is None else draw(stamp(start - lead, start - lead, []))
            )
        if regions:
            window["region"] = draw(st.sampled_from(["eu", "us", "preview", None]))
        windows.append(window)
    return spec, windows


@st.composite
def availability_cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    ids, lo, hi, _first, _after = draw(periods(zone))
    contract = base_contract(zone)
    source = draw(st.sampled_from(["probes", "probes", "outages", "error-rate"]))
    scoped = draw(st.booleans())
    interval_text = draw(st.sampled_from(sorted(INTERVALS)))
    grid = INTERVALS[interval_text]
    margin = 86_400
    rows: dict[str, list[dict[str, Any]]] = {}
    fields: dict[str, Any] = {"region": {"type": "string"}}
    if source == "probes":
        fields.update(at={"type": "timestamp"}, status={"type": "string"})
        body: dict[str, Any] = {
            "source": "probes",
            "time": "at",
            "ok": {"status": "ok"},
            "interval": interval_text,
            "missing": draw(st.sampled_from(["down", "ignore"])),
        }
        on_grid = [lo + k * grid for k in range(0, 6)] + [hi - grid, hi - 1, hi, lo - 1]
        rows["probes"] = [
            {
                "at": draw(stamp(lo - margin, hi + margin, on_grid)),
                "status": draw(st.sampled_from(["ok", "ok", "ok", "failed", None])),
                "region": draw(st.sampled_from(["eu", "us", "preview"])),
            }
            for _ in range(draw(st.integers(1, 40)))
        ]
    elif source == "outages":
        fields.update(id={"type": "string"}, start={"type": "timestamp"}, end={"type": "timestamp"})
        body = {"source": "outages", "start": "start", "end": "end"}
        minimum = draw(st.sampled_from([None, "1m", "5m"]))
        if minimum:
            body["min_outage"] = minimum
        outages = []
        for k in range(draw(st.integers(1, 10))):
            start = draw(stamp(lo - margin, hi + margin, [lo, hi - 30, hi - 600]))
            s = seconds_of(start)
            length = draw(
                st.one_of(st.integers(0, 6 * 3600), st.sampled_from([30, 59, 60, 299, 300]))
            )
            ongoing = draw(st.integers(0, 6)) == 0
            outages.append(
                {
                    "id": f"o{k}",
                    "start": start,
                    "end": None if ongoing else draw(stamp(s + length, s + length, [])),
                    "region": draw(st.sampled_from(["eu", "us", "preview"])),
                }
            )
        rows["outages"] = outages
    else:
        fields.update(
            at={"type": "timestamp"}, errors={"type": "integer"}, requests={"type": "integer"}
        )
        body = {
            "source": "error-rate",
            "time": "at",
            "errors": "errors",
            "requests": "requests",
            "interval": interval_text,
            "method": draw(st.sampled_from(["interval-mean", "pooled"])),
            "empty_interval": draw(st.sampled_from(["ok", "skip"])),
        }
        requests_rows = []
        for _ in range(draw(st.integers(1, 30))):
            requests = draw(st.integers(0, 1000))
            requests_rows.append(
                {
                    "at": draw(stamp(lo - margin, hi + margin, [lo, hi - 1, hi, lo + grid])),
                    "requests": requests,
                    "errors": draw(st.integers(0, requests)),
                    "region": draw(st.sampled_from(["eu", "us", "preview"])),
                }
            )
        rows["requests"] = requests_rows
    dataset_name = {"probes": "probes", "outages": "outages", "error-rate": "requests"}[source]
    if draw(st.booleans()):
        body["availability_minutes"] = draw(st.sampled_from(["actual", "nominal"]))
    contract["datasets"] = {dataset_name: {"kind": "probes", "fields": fields}}
    contract["metrics"] = {"uptime": {"dataset": dataset_name, "availability": body}}
    objective: dict[str, Any] = {"id": "availability", "metric": "uptime", "target": ">= 99.5%"}
    if scoped:
        objective["scope"] = ["region"]
    contract["objectives"] = [objective]
    excl: list[dict[str, Any]] = []
    if draw(st.booleans()):
        excl.append({"id": "preview", "reason": "other", "where": {"region": "preview"}})
    if source != "error-rate" and draw(st.booleans()):
        regions, announced = draw(st.booleans()), draw(st.integers(0, 3)) > 0
        spec, windows = draw(maintenance(grid, lo, lo, hi, regions, announced))
        excl.insert(draw(st.integers(0, len(excl))), {"id": "maintenance", "maintenance": spec})
        window_fields: dict[str, Any] = {
            "start": {"type": "timestamp"},
            "end": {"type": "timestamp"},
        }
        if announced:
            window_fields["announced_at"] = {"type": "timestamp"}
        if regions:
            window_fields["region"] = {"type": "string"}
        contract["datasets"]["windows"] = {"kind": "maintenance", "fields": window_fields}
        rows["windows"] = windows
    if excl:
        contract["exclusions"] = excl
    return Case(dump(contract), rows, ids)


# --------------------------------------------------------------------------- other kinds


SERVQUAL_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


def other_metrics(draw: st.DrawFn) -> dict[str, tuple[dict[str, Any], str, dict[str, Any]]]:
    """name → (metric, target, extra objective keys)."""
    sl: dict[str, Any] = {
        "within": draw(st.sampled_from(["20s", "30s"])),
        "wait": "wait",
        "outcome": "outcome",
        "answered": "answered",
        "abandoned": "abandoned",
        "formula": draw(
            st.sampled_from(
                [
                    "abandoned-after-ignored-within",
                    "abandoned-ignored",
                    "abandoned-against",
                    "abandoned-within-for",
                ]
            )
        ),
    }
    if draw(st.booleans()):
        sl["short_abandon"] = "5s"
    ratio: dict[str, Any] = {"numerator": {"where": {"resolved": True}}}
    if draw(st.booleans()):
        ratio["denominator"] = {"where": [{"field": "outcome", "op": "=", "value": "answered"}]}
    value: dict[str, Any] = (
        {"fields": ["talk", "hold"]} if draw(st.booleans()) else {"field": "talk"}
    )
    value["unit"] = draw(st.sampled_from(["seconds", "minutes"]))
    if draw(st.booleans()):
        value_extra: dict[str, Any] = {
            draw(st.sampled_from(["within", "under"])): draw(st.sampled_from(["5m", "90s", "20m"]))
        }
        value_target = ">= 80%"
    else:
        stat = draw(st.sampled_from(STATISTICS))
        value_extra = {"statistic": stat}
        if draw(st.booleans()):
            value_extra["percentile"] = draw(st.sampled_from(PERCENTILE_METHODS))
        value_target = "<= 1000" if stat == "count" else "<= 10m"
    measure = draw(st.sampled_from(["csat", "nps", "ces-share", "ces-mean", "mean"]))
    score = {"csat": "csat", "mean": "csat", "nps": "ltr", "ces-share": "ces", "ces-mean": "ces"}[
        measure
    ]
    survey_target = {
        "csat": ">= 80%",
        "ces-share": ">= 80%",
        "nps": ">= 30",
        "ces-mean": ">= 5",
        "mean": ">= 4",
    }[measure]
    servqual: dict[str, Any] = {"perception": "p", "expectation": "e"}
    if draw(st.booleans()):
        servqual["dimension"] = "dimension"
    count: dict[str, Any] = {"distinct": "customer"} if draw(st.booleans()) else {}
    return {
        "service_level": ({"service_level": sl}, ">= 80%", {}),
        "resolution": ({"ratio": ratio}, ">= 75%", {}),
        "fill": (
            {"ratio": {"numerator": {"sum": "filled"}, "denominator": {"sum": "demand"}}},
            ">= 95%",
            {},
        ),
        "handle": ({"value": value}, value_target, value_extra),
        "survey": ({"survey": {"score": score, "measure": measure}}, survey_target, {}),
        "gap": ({"servqual": servqual}, ">= 0", {}),
        "count": ({"count": count}, ">= 1", {}),
    }


@st.composite
def other_cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    ids, lo, hi, first, after = draw(periods(zone))
    contract = base_contract(zone)
    contract["datasets"] = {
        "contacts": {
            "kind": "contacts",
            "time": "at",
            "key": "id",
            "fields": {
                "id": {"type": "string"},
                "at": {"type": "timestamp"},
                "queue": {"type": "string"},
                "channel": {"type": "string"},
                "outcome": {"type": "string"},
                "wait": {"type": "duration"},
                "talk": {"type": "integer"},
                "hold": {"type": "integer"},
                "csat": {"type": "integer", "range": [1, 5]},
                "ltr": {"type": "integer", "range": [0, 10]},
                "ces": {"type": "integer", "range": [1, 7]},
                "resolved": {"type": "boolean"},
                "demand": {"type": "integer"},
                "filled": {"type": "integer"},
                "p": {"type": "integer"},
                "e": {"type": "integer"},
                "dimension": {"type": "string"},
                "customer": {"type": "string"},
            },
        }
    }
    available = other_metrics(draw)
    chosen = draw(st.lists(st.sampled_from(sorted(available)), min_size=1, max_size=4, unique=True))
    contract["metrics"] = {}
    objectives = []
    for i, name in enumerate(chosen):
        body, target, extra = available[name]
        metric = {"dataset": "contacts", **body}
        if name == "service_level" and draw(st.booleans()):
            metric["where"] = {"channel": "voice"}
        contract["metrics"][name] = metric
        obj: dict[str, Any] = {"id": f"objective-{i}", "metric": name, "target": target, **extra}
        if draw(st.booleans()):
            obj["scope"] = ["queue"]
        if draw(st.integers(0, 3)) == 0:
            obj["where"] = [{"field": "channel", "op": "!=", "value": "email"}]
        objectives.append(obj)
    contract["objectives"] = objectives
    wheres = (
        {"channel": "email"},
        [{"field": "queue", "op": "=", "value": "b"}],
        {"resolved": False},
    )
    excl = draw(exclusions([o["id"] for o in objectives], first, after, wheres))
    if excl:
        contract["exclusions"] = excl
    margin = 2 * 86_400
    rows = []
    for k in range(draw(st.integers(1, 25))):
        demand = draw(st.integers(0, 20))
        rows.append(
            {
                "id": f"c{k}",
                "at": draw(stamp(lo - margin, hi + margin, [lo, hi - 1, hi])),
                "queue": draw(st.sampled_from(["a", "b", None])),
                "channel": draw(st.sampled_from(["voice", "voice", "email"])),
                "outcome": draw(
                    st.sampled_from(["answered", "answered", "abandoned", "transferred"])
                ),
                "wait": draw(
                    st.one_of(st.integers(0, 90), st.sampled_from([4, 5, 19, 20, 21, 30, 31]))
                ),
                "talk": draw(st.one_of(st.integers(0, 1500), st.sampled_from([300, 90, 1200]))),
                "hold": draw(st.one_of(st.none(), st.integers(0, 300))),
                "csat": draw(st.one_of(st.none(), st.integers(1, 5))),
                "ltr": draw(st.one_of(st.none(), st.integers(0, 10))),
                "ces": draw(st.one_of(st.none(), st.integers(1, 7))),
                "resolved": draw(st.sampled_from([True, False, None])),
                "demand": demand,
                "filled": draw(st.one_of(st.none(), st.integers(0, demand))),
                "p": draw(st.integers(1, 7)),
                "e": draw(st.integers(1, 7)),
                "dimension": draw(st.sampled_from(SERVQUAL_DIMENSIONS)),
                "customer": draw(st.sampled_from(["x", "y", "z", None])),
            }
        )
    return Case(dump(contract), {"contacts": rows}, ids)
