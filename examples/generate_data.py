#!/usr/bin/env python3
"""Write the measurement data of the example contracts into examples/<name>/data/.

    python examples/generate_data.py                      # every example
    python examples/generate_data.py contact-centre ...   # some of them

The data covers September, October and November 2026 (in each contract's time zone) and was
designed, row by row where it matters, so that the examples together show every status:
objectives met, breached inside a credit tier, insufficient data, and rows excluded by each
kind of exclusion. EXPECTED.md next to each contract lists what each month was designed to
produce and shows the arithmetic.

Deterministic: each example draws from its own ``random.Random(seed)``; CSV and JSON Lines are
written with "\\n" line ends, so two runs give byte-identical files. Parquet is written by DuckDB
(one thread, zstd, format version 2): byte-identical for the same DuckDB version (the file
records the writer's version). Needs Python 3.11+ (zoneinfo); DuckDB only for Parquet.

Every data set is an extract taken on 2026-12-01 at about 10:00 local time: events after that
moment (a reply, a resolution, a delivery) are not known yet and are left empty.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
DAY = timedelta(days=1)
H = 3600  # seconds in an hour
M = 60


# --------------------------------------------------------------------------------------------
# business calendars (one opening range per day is all the examples need)


class Calendar:
    """Weekly opening hours in a zone, minus holidays; every instant is an aware UTC datetime."""

    def __init__(self, zone: str, hours: dict[int, tuple[str, str]], holidays=()):
        self.tz = ZoneInfo(zone)
        self.hours = hours  # weekday (0 = Monday) -> ("08:00", "18:00")
        self.holidays = {date.fromisoformat(d) for d in holidays}

    def day(self, d: date):
        """(open, close) of a local date as UTC instants, or None when closed."""
        if d in self.holidays or d.weekday() not in self.hours:
            return None
        o, c = self.hours[d.weekday()]
        return (at(d, o, self.tz), at(d, c, self.tz))

    def local_date(self, t: datetime) -> date:
        return t.astimezone(self.tz).date()

    def start(self, t: datetime) -> datetime:
        """The clock start: t itself in business hours, else the next opening."""
        d = self.local_date(t)
        while True:
            r = self.day(d)
            if r and t < r[1]:
                return max(t, r[0])
            d += DAY

    def add(self, t: datetime, seconds: float) -> datetime:
        """The instant `seconds` of business time after t."""
        left = timedelta(seconds=seconds)
        d = self.local_date(t)
        while True:
            r = self.day(d)
            if r and t < r[1]:
                s = max(t, r[0])
                if left <= r[1] - s:
                    return s + left
                left -= r[1] - s
            d += DAY

    def between(self, a: datetime, b: datetime) -> int:
        """Business seconds from a to b."""
        total, d = 0.0, self.local_date(a)
        while d <= self.local_date(b):
            r = self.day(d)
            if r:
                lo, hi = max(a, r[0]), min(b, r[1])
                if hi > lo:
                    total += (hi - lo).total_seconds()
            d += DAY
        return int(total)

    def business_days(self, t: datetime, n: int) -> datetime:
        """Deadline of `n business days` from t: the same business position n days later."""
        s = self.start(t)
        d = self.local_date(s)
        pos = s - self.day(d)[0]
        for _ in range(n):
            d += DAY
            while self.day(d) is None:
                d += DAY
        o, c = self.day(d)
        return min(o + pos, c)

    def random_open_instant(
        self, rng: random.Random, first: date, last: date, *, skip=(), until: str | None = None
    ) -> datetime:
        """A random whole-second instant inside business hours between two local dates."""
        days = [d for d in dates(first, last) if self.day(d) and d not in skip]
        d = rng.choice(days)
        o, c = self.day(d)
        if until:
            c = min(c, at(d, until, self.tz))
        return o + timedelta(seconds=rng.randrange(int((c - o).total_seconds())))


def at(d: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """Local wall-clock time on a date, as a UTC instant."""
    return datetime.combine(d, time.fromisoformat(hhmm), tzinfo=tz).astimezone(UTC)


def local(text: str, tz: ZoneInfo) -> datetime:
    """'2026-10-02 17:30' (or with seconds) in a zone, as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def dates(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += DAY


def mon_fri(open_: str, close: str) -> dict[int, tuple[str, str]]:
    return {wd: (open_, close) for wd in range(5)}


def iso(t: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the zone's offset: 2026-10-01T08:15:00+02:00."""
    return None if t is None else t.astimezone(tz).isoformat()


def iso_z(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def naive(t: datetime | None, tz: ZoneInfo) -> str | None:
    """Local wall-clock time without an offset: 2026-10-01T08:15:00."""
    return None if t is None else t.astimezone(tz).replace(tzinfo=None).isoformat()


def unambiguous(t: datetime, tz: ZoneInfo) -> bool:
    """Whether the naive local time of t names one instant (not in the hour repeated at the
    end of daylight saving time, 01:00-02:00 on 1 November 2026 in New York)."""
    wall = t.astimezone(tz).replace(tzinfo=None)
    return all(wall.replace(tzinfo=tz, fold=f).astimezone(UTC) == t for f in (0, 1))


def known(t: datetime | None, extract: datetime) -> datetime | None:
    """An event is in the extract only if it happened before the extract was taken."""
    return t if t is not None and t <= extract else None


# --------------------------------------------------------------------------------------------
# writers


def cell(v) -> str:
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


def write_csv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([cell(v) for v in row])


def write_jsonl(path: Path, objects) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="\n", encoding="utf-8") as f:
        for obj in objects:
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def write_parquet(path: Path, columns: list[tuple[str, str]], rows) -> None:
    """Stage the rows as CSV, then let DuckDB write typed Parquet (deterministically)."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "staging.csv"
        write_csv(staging, [name for name, _ in columns], rows)
        select = ", ".join(f'CAST("{name}" AS {sql}) AS "{name}"' for name, sql in columns)
        con = duckdb.connect()
        con.execute("SET threads = 1")
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            f"COPY (SELECT {select} FROM read_csv('{staging}', header = true, all_varchar = true))"
            f" TO '{path}' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)"
        )
        con.close()


def data_dir(example: str) -> Path:
    return HERE / example / "data"


# ============================================================================================
# customer-support: ACME's ERP support tickets (Europe/Berlin, support hours Mon-Fri 08-18)

BERLIN = ZoneInfo("Europe/Berlin")
ACME_SUPPORT = Calendar(
    "Europe/Berlin",
    mon_fri("08:00", "18:00"),
    holidays=["2026-10-03", "2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31"],
)


def customer_support() -> None:
    """About 320 tickets created from 17 August to 30 November 2026.

    The contract counts a ticket in the month of its first response (first-response objectives)
    and of its resolution (resolution objectives): `period_membership: end`. Routine tickets
    meet their targets by construction; the special tickets below make the breaches, the
    exclusions and the edge cases, each with a comment.
    """
    rng = random.Random(2026_10_01)
    cal, tz = ACME_SUPPORT, BERLIN
    extract = local("2026-12-01 10:00", tz)
    tickets: list[dict] = []

    def ticket(
        created,
        frt,
        res,
        priority,
        *,
        channel="portal",
        cause="provider",
        tag="none",
        pauses=(),
        note="",
    ):
        tickets.append(
            dict(
                created=created,
                frt=frt,
                res=res,
                priority=priority,
                channel=channel,
                cause=cause,
                tag=tag,
                pauses=list(pauses),
                note=note,
            )
        )

    def L(text):
        return local(text, tz)

    # --- routine tickets: all within their targets ---------------------------------------------
    # created per month (Aug from the 17th: their resolutions fall in September)
    volume = {  # month: (P2, P3, P4)
        8: (4, 7, 12),
        9: (15, 16, 22),
        10: (16, 22, 22),
        11: (15, 22, 20),
    }
    frt_minutes = {"P2": (6, 50), "P3": (15, 200), "P4": (45, 420)}  # business minutes
    res_hours = {"P2": (1.5, 7.0), "P3": (3.0, 24.0), "P4": (12.0, 75.0)}  # business hours
    for month, counts in volume.items():
        first = date(2026, month, 17 if month == 8 else 1)
        last = date(2026, month, 30 if month in (9, 11) else 31)
        if month == 11:
            last = date(2026, 11, 25)  # the last days of November are the special tickets
        for priority, n in zip(("P2", "P3", "P4"), counts, strict=True):
            for _ in range(n):
                if priority != "P2" and rng.random() < 0.12:
                    # raised in the evening or at the weekend: the clock starts at the next opening
                    d = rng.choice(list(dates(first, last)))
                    created = at(d, f"{rng.randint(18, 22)}:{rng.randint(0, 59):02d}", tz)
                else:
                    created = cal.random_open_instant(rng, first, last, until="17:30")
                frt_s = rng.randint(*frt_minutes[priority]) * M + rng.randint(0, 59)
                frt = cal.add(created, frt_s)
                work = rng.uniform(*res_hours[priority]) * H
                work = max(work, frt_s + 20 * M)
                pauses = []
                if priority != "P2" and rng.random() < 0.3:
                    # waiting on ACME for a while: the clock stops (nights and weekends included)
                    w1 = rng.uniform(frt_s + 10 * M, work - 10 * M)
                    p0 = cal.add(created, int(w1))
                    p1 = cal.add(p0 + timedelta(hours=rng.randint(2, 60)), rng.randint(0, 3 * H))
                    pauses.append((p0, p1, "waiting_on_customer"))
                    res = cal.add(p1, int(work - w1))
                else:
                    res = cal.add(created, int(work))
                cause = "unknown" if rng.random() < 0.1 else "provider"
                ticket(created, frt, res, priority, cause=cause, pauses=pauses)

    # --- September: no P1 at all (frt-p1 and res-p1 have no rows) -----------------------------
    # raised on a Saturday: the clock starts on Monday at 08:00; reply 40 business minutes later
    ticket(
        L("2026-09-19 10:20"),
        L("2026-09-21 08:40"),
        L("2026-09-21 13:10"),
        "P2",
        note="raised on a Saturday",
    )
    # raised by e-mail: not via the portal (excluded, although it would have breached)
    ticket(
        L("2026-09-22 21:45"),
        L("2026-09-23 14:30"),
        L("2026-09-24 11:00"),
        "P3",
        channel="email",
        note="not via portal",
    )
    # closed as a duplicate of another ticket
    ticket(
        L("2026-09-10 11:00"),
        L("2026-09-10 11:25"),
        L("2026-09-10 11:25"),
        "P4",
        tag="duplicate",
        note="duplicate",
    )
    # one P4 resolved after 10 business days (deadline Wed 16 Sep 10:00): breached, but 1 of 24
    ticket(
        L("2026-09-02 10:00"),
        L("2026-09-02 11:30"),
        L("2026-09-17 11:00"),
        "P4",
        note="res breached",
    )
    # ACME's own interface change broke the posting run: customer-caused (excluded)
    ticket(
        L("2026-09-15 09:05"),
        L("2026-09-15 15:30"),
        L("2026-09-21 17:00"),
        "P3",
        cause="customer",
        note="customer-caused",
    )

    # --- October ---------------------------------------------------------------------------
    # six P1 incidents (P1 may be reported by phone)
    ticket(
        L("2026-10-07 14:05"), L("2026-10-07 14:13"), L("2026-10-07 16:15"), "P1", channel="phone"
    )
    ticket(
        L("2026-10-09 22:50"),
        L("2026-10-09 23:02"),
        L("2026-10-10 00:30"),
        "P1",
        channel="phone",
        note="Friday night, 24x7 clock",
    )
    # regional power failure at ACME's data centre: force majeure (excluded from both P1 objectives)
    ticket(
        L("2026-10-14 02:10"),
        L("2026-10-14 02:55"),
        L("2026-10-14 08:10"),
        "P1",
        channel="phone",
        tag="force-majeure",
        note="force majeure",
    )
    # first reply exactly 15 minutes after creation: met (`within` is inclusive)
    ticket(
        L("2026-10-21 03:40:00"),
        L("2026-10-21 03:55:00"),
        L("2026-10-21 06:45"),
        "P1",
        note="reply exactly at the deadline",
    )
    # night of the clock change: 01:30 CEST to 04:45 CET is 3 h 15 min on the wall clock but
    # 4 h 15 min of real time: resolution breached
    ticket(
        datetime.fromisoformat("2026-10-25T01:30:00+02:00").astimezone(UTC),
        datetime.fromisoformat("2026-10-25T01:41:00+02:00").astimezone(UTC),
        datetime.fromisoformat("2026-10-25T04:45:00+01:00").astimezone(UTC),
        "P1",
        channel="phone",
        note="DST end: resolution 4 h 15 min",
    )
    ticket(L("2026-10-28 11:20"), L("2026-10-28 11:26"), L("2026-10-28 15:19"), "P1")
    # P2 raised on Friday 17:30, first reply on Monday 08:45 (the weekend and the 3 October
    # holiday do not count): 30 + 45 = 75 business minutes > 1 business hour: breached
    ticket(
        L("2026-10-02 17:30"),
        L("2026-10-05 08:45"),
        L("2026-10-05 14:00"),
        "P2",
        note="frt breached: 75 business minutes",
    )
    # first reply exactly one business hour after creation: met
    ticket(
        L("2026-10-06 09:12:00"),
        L("2026-10-06 10:12:00"),
        L("2026-10-06 15:40"),
        "P2",
        note="reply exactly at the deadline",
    )
    # P2 by phone: not via the portal (excluded)
    ticket(
        L("2026-10-15 10:00"),
        L("2026-10-15 12:30"),
        L("2026-10-16 16:00"),
        "P2",
        channel="phone",
        note="not via portal",
    )
    # P2 by e-mail AND customer-caused: counted once, under the first exclusion (not-via-portal)
    ticket(
        L("2026-10-20 09:00"),
        L("2026-10-20 11:30"),
        L("2026-10-21 17:30"),
        "P2",
        channel="email",
        cause="customer",
        note="two exclusions: first one counts",
    )
    # P3 waiting on ACME from Friday 14:00 to Monday 12:00: 66 calendar hours but only
    # 4 + 4 = 8 business hours of pause. Resolution: 29 business hours, deadline moved from
    # Tue 13 Oct 10:00 to 18:00: met (without the pause: 37 h, breached)
    ticket(
        L("2026-10-08 10:00"),
        L("2026-10-08 11:10"),
        L("2026-10-13 17:00"),
        "P3",
        pauses=[(L("2026-10-09 14:00"), L("2026-10-12 12:00"), "waiting_on_customer")],
        note="pause over a weekend",
    )
    # raised Friday 30 October 17:00, first reply Monday 2 November: counts in November
    ticket(
        L("2026-10-30 17:00"),
        L("2026-11-02 08:30"),
        L("2026-11-03 12:00"),
        "P3",
        note="created in October, responded in November",
    )
    # P4 first reply 90 minutes after its deadline (Thu 15 Oct 15:00): breached, but 1 of 23
    ticket(
        L("2026-10-14 15:00"),
        L("2026-10-15 16:30"),
        L("2026-10-20 10:00"),
        "P4",
        note="frt breached",
    )
    # P3 resolved six hours after its deadline (Thu 22 Oct 09:00): breached, but 1 of 22
    ticket(
        L("2026-10-19 09:00"),
        L("2026-10-19 10:00"),
        L("2026-10-22 15:00"),
        "P3",
        note="res breached",
    )
    # P4 on Friday afternoon, reply Monday morning: 2 + 1 = 3 business hours: met
    ticket(L("2026-10-02 16:00"), L("2026-10-05 09:00"), L("2026-10-09 11:00"), "P4")

    # --- November --------------------------------------------------------------------------
    ticket(L("2026-11-04 09:30"), L("2026-11-04 09:41"), L("2026-11-04 12:05"), "P1")
    ticket(
        L("2026-11-14 19:10"),
        L("2026-11-14 19:22"),
        L("2026-11-14 22:40"),
        "P1",
        channel="phone",
        note="Saturday evening",
    )
    ticket(L("2026-11-24 07:15"), L("2026-11-24 07:27"), L("2026-11-24 09:00"), "P1")
    # P2 waiting on SAP (a third party) 10:00-15:00: ACME's contract does not stop the clock
    # for third parties, so 9 + 2.5 = 11.5 business hours > 8: breached
    ticket(
        L("2026-11-10 09:00"),
        L("2026-11-10 09:20"),
        L("2026-11-11 10:30"),
        "P2",
        pauses=[(L("2026-11-10 10:00"), L("2026-11-10 15:00"), "waiting_on_third_party")],
        note="third-party wait counts: res breached",
    )
    # P2 with two overlapping waiting_on_customer intervals (09-13 and 12-16): merged they pause
    # 7 h, so 15.5 - 7 = 8.5 business hours > 8: breached (subtracting 4 h + 4 h would hide it)
    ticket(
        L("2026-11-18 08:00"),
        L("2026-11-18 08:25"),
        L("2026-11-19 13:30"),
        "P2",
        pauses=[
            (L("2026-11-18 09:00"), L("2026-11-18 13:00"), "waiting_on_customer"),
            (L("2026-11-18 12:00"), L("2026-11-18 16:00"), "waiting_on_customer"),
        ],
        note="overlapping pauses: res breached",
    )
    # P2 waiting on ACME overnight (17:00 to 11:00): 1 + 3 = 4 business hours paused: met
    ticket(
        L("2026-11-16 16:00"),
        L("2026-11-16 16:20"),
        L("2026-11-17 16:00"),
        "P2",
        pauses=[(L("2026-11-16 17:00"), L("2026-11-17 11:00"), "waiting_on_customer")],
        note="overnight pause",
    )
    # four P3 first responses later than 4 business hours
    ticket(
        L("2026-11-02 14:00"),
        L("2026-11-03 10:30"),
        L("2026-11-04 16:00"),
        "P3",
        note="frt breached: 6.5 business hours",
    )
    ticket(
        L("2026-11-09 11:45"),
        L("2026-11-09 17:10"),
        L("2026-11-11 10:00"),
        "P3",
        note="frt breached: 5 h 25 min",
    )
    ticket(
        L("2026-11-12 15:30"),
        L("2026-11-13 11:00"),
        L("2026-11-13 16:45"),
        "P3",
        note="frt breached: 5.5 business hours",
    )
    ticket(
        L("2026-11-20 18:40"),
        L("2026-11-23 12:20"),
        L("2026-11-24 15:00"),
        "P3",
        note="Friday evening; frt breached: 4 h 20 min from Monday 08:00",
    )
    # still open when the data was extracted: no resolution yet, so no resolution period
    ticket(L("2026-11-30 16:00"), L("2026-11-30 16:40"), None, "P3", note="open")
    ticket(L("2026-11-27 11:00"), L("2026-11-27 14:00"), None, "P4", note="open")
    # raised Monday 30 November 17:10, first reply on 1 December: counts in December
    ticket(L("2026-11-30 17:10"), L("2026-12-01 08:20"), None, "P2", note="first reply in December")

    # --- write ------------------------------------------------------------------------------
    tickets.sort(key=lambda t: t["created"])
    rows, pause_rows = [], []
    for n, t in enumerate(tickets, start=1):
        tid = f"SR-{24000 + n}"
        frt, res = known(t["frt"], extract), known(t["res"], extract)
        assert frt is None or frt >= t["created"], t
        assert res is None or (frt is not None and res >= frt), t
        rows.append(
            [
                tid,
                iso(t["created"], tz),
                iso(frt, tz),
                iso(res, tz),
                t["priority"],
                t["channel"],
                t["cause"],
                t["tag"],
            ]
        )
        for p0, p1, status in t["pauses"]:
            if p1 > extract:
                continue  # still waiting when the data was extracted
            assert t["created"] <= p0 < p1 and (res is None or p1 <= res), t
            pause_rows.append([tid, iso(p0, tz), iso(p1, tz), status])
    out = data_dir("customer-support")
    # the ticket tool names two columns differently from the contract's fields (see bindings)
    write_csv(
        out / "tickets.csv",
        ["id", "opened", "first_reply_at", "resolved_at", "priority", "channel", "cause", "tag"],
        rows,
    )
    write_csv(out / "ticket_pauses.csv", ["ticket_id", "start", "end", "status"], pause_rows)


# ============================================================================================
# contact-centre: Northwind's billing, technical-support and sales queues (America/New_York)

NEW_YORK = ZoneInfo("America/New_York")
NORTHWIND_HOURS = Calendar(
    "America/New_York",
    {**mon_fri("08:00", "20:00"), 5: ("09:00", "14:00")},
    holidays=[
        "2026-09-07",
        "2026-10-12",
        "2026-11-11",
        "2026-11-26",
        "2026-11-27",
        "2026-12-24",
        "2026-12-25",
    ],
)

# Offered voice calls per queue and month, designed count by count:
#   af answered within 20 s, as answered later, bf abandoned after 6-20 s, bs abandoned after
#   more than 20 s, short abandoned within 5 s (left out), fcr answered calls resolved on the
#   first contact, talk (min, max) seconds of talk time.
# service level = af / (af + as + bs); abandonment = (bf + bs) / (af + as + bf + bs)
VOICE = {
    ("billing", 9): dict(af=112, as_=14, bf=3, bs=3, short=4, fcr=98, talk=(150, 330)),
    ("billing", 10): dict(af=120, as_=16, bf=2, bs=4, short=5, fcr=104, talk=(150, 330)),
    ("billing", 11): dict(af=115, as_=13, bf=3, bs=3, short=3, fcr=100, talk=(150, 330)),
    # September: a new product release floods technical support (every objective breached)
    ("technical-support", 9): dict(af=90, as_=24, bf=4, bs=5, short=3, fcr=82, talk=(260, 460)),
    ("technical-support", 10): dict(af=108, as_=12, bf=3, bs=2, short=4, fcr=92, talk=(180, 360)),
    ("technical-support", 11): dict(af=110, as_=13, bf=2, bs=3, short=2, fcr=95, talk=(180, 360)),
    # sales is small until the holiday campaign in November
    ("sales", 9): dict(af=55, as_=6, bf=1, bs=2, short=2, fcr=48, talk=(120, 300)),
    ("sales", 10): dict(af=60, as_=7, bf=2, bs=2, short=1, fcr=52, talk=(120, 300)),
    ("sales", 11): dict(af=100, as_=16, bf=3, bs=6, short=4, fcr=92, talk=(120, 300)),
}
# e-mails per queue and month: (answered within 1 business day, answered later)
EMAIL = {
    ("billing", 9): (53, 3),
    ("billing", 10): (49, 9),
    ("billing", 11): (51, 4),
    ("technical-support", 9): (49, 3),
    ("technical-support", 10): (51, 3),
    ("technical-support", 11): (48, 4),
    ("sales", 9): (13, 1),
    ("sales", 10): (14, 1),
    ("sales", 11): (28, 2),
}
# surveys per queue and month: (CSAT ratings, of which 4 or 5, NPS ratings)
SURVEYS = {
    ("billing", 9): (42, 37, 40),
    ("billing", 10): (44, 39, 44),
    ("billing", 11): (41, 36, 42),
    ("technical-support", 9): (38, 33, 36),
    ("technical-support", 10): (40, 35, 40),
    ("technical-support", 11): (39, 32, 38),
    ("sales", 9): (12, 11, 12),
    ("sales", 10): (14, 12, 14),
    ("sales", 11): (31, 27, 52),
}
# NPS for the fourth quarter (October and November): 230 ratings, 115 promoters (9-10),
# 69 passives (7-8), 46 detractors (0-6): 100 x (115 - 46) / 230 = 30 exactly
Q4_NPS = (115, 69, 46)


def contact_centre() -> None:
    """About 1,700 contacts (voice calls and e-mails) and 600 survey answers, Sep-Nov 2026.

    The contacts file has naive local timestamps (the binding declares America/New_York);
    the surveys carry offsets.
    """
    rng = random.Random(2026_10_02)
    cal, tz = NORTHWIND_HOURS, NEW_YORK
    extract = local("2026-12-01 12:00", tz)
    migration = {date(2026, 9, 12), date(2026, 9, 13)}  # cut-over weekend (excluded)
    contacts: list[dict] = []

    def L(text):
        return local(text, tz)

    def voice(queue, t, wait, outcome, *, fcr=None, talk=(150, 330), carrier=False, test=False):
        answered = outcome == "answered"
        hold = (rng.randint(10, 120) if rng.random() < 0.4 else 0) if answered else None
        contacts.append(
            dict(
                channel="voice",
                queue=queue,
                arrived=t,
                replied=None,
                wait=wait,
                outcome=outcome,
                short=(outcome == "abandoned" and wait < 5),
                talk=rng.randint(*talk) if answered else None,
                hold=hold,
                wrap=rng.randint(15, 75) if answered else None,
                fcr=fcr if answered else None,
                carrier=carrier,
                test=test,
            )
        )

    def email(queue, t, replied, *, test=False):
        contacts.append(
            dict(
                channel="email",
                queue=queue,
                arrived=t,
                replied=replied,
                wait=None,
                outcome=None,
                short=None,
                talk=None,
                hold=None,
                wrap=None,
                fcr=None,
                carrier=False,
                test=test,
            )
        )

    def month_days(month):
        return date(2026, month, 1), date(2026, month, 30 if month in (9, 11) else 31)

    # --- voice calls, designed per queue and month -----------------------------------------------
    for (queue, month), v in VOICE.items():
        first, last = month_days(month)
        waits = [rng.randint(0, 20) for _ in range(v["af"])] + [
            rng.randint(21, 240) for _ in range(v["as_"])
        ]
        outcomes = ["answered"] * (v["af"] + v["as_"])
        if queue == "billing" and month == 10:
            waits[0] = 20  # answered after exactly 20 seconds: within the service level
        waits += [rng.randint(6, 20) for _ in range(v["bf"])]
        waits += [rng.randint(21, 300) for _ in range(v["bs"])]
        waits += [rng.randint(1, 4) for _ in range(v["short"])]
        outcomes += ["abandoned"] * (v["bf"] + v["bs"] + v["short"])
        answered = v["af"] + v["as_"]
        fcr = [True] * v["fcr"] + [False] * (answered - v["fcr"])
        rng.shuffle(fcr)
        for i, (wait, outcome) in enumerate(zip(waits, outcomes, strict=True)):
            t = cal.random_open_instant(rng, first, last, skip=migration, until="19:55")
            voice(queue, t, wait, outcome, fcr=fcr[i] if i < answered else None, talk=v["talk"])

    # the ACD cut-over on Saturday 12 September: every call that day is excluded
    # (platform-migration), however long it waited
    for queue, n in (("billing", 9), ("technical-support", 7), ("sales", 3)):
        for _ in range(n):
            t = L("2026-09-12 09:00") + timedelta(seconds=rng.randrange(5 * H - 300))
            wait = rng.randint(30, 400)
            outcome = "abandoned" if rng.random() < 0.35 else "answered"
            voice(queue, t, wait, outcome, fcr=rng.random() < 0.6)
    # the carrier's outage on Wednesday 14 October 10:00-12:00: calls flagged carrier_outage
    # are excluded from the voice objectives (a third party's fault)
    for queue, n in (("billing", 8), ("technical-support", 6)):
        for _ in range(n):
            t = L("2026-10-14 10:00") + timedelta(seconds=rng.randrange(2 * H))
            outcome = "abandoned" if rng.random() < 0.5 else "answered"
            voice(queue, t, rng.randint(60, 600), outcome, fcr=False, carrier=True)
    # a line test during the outage is both a test call and an outage call: it is counted once,
    # under the first exclusion in the contract (carrier-outage)
    voice(
        "technical-support",
        L("2026-10-14 11:02:30"),
        2,
        "answered",
        fcr=True,
        talk=(30, 45),
        carrier=True,
        test=True,
    )
    # the provider's quality team places two test calls a month on the billing line
    for month in (9, 10, 11):
        first, last = month_days(month)
        for _ in range(2):
            t = cal.random_open_instant(rng, first, last, skip=migration, until="19:55")
            voice("billing", t, rng.randint(1, 3), "answered", fcr=True, talk=(30, 60), test=True)

    # --- e-mails -----------------------------------------------------------------------------
    for (queue, month), (n_met, n_late) in EMAIL.items():
        first = date(2026, month, 1)
        last = date(2026, month, 24 if month == 11 else 28)  # month ends: special e-mails below
        for k in range(n_met + n_late):
            while True:  # e-mails arrive around the clock, weekends included
                d = rng.choice(list(dates(first, last)))
                t = at(d, "00:00", tz) + timedelta(seconds=rng.randrange(24 * H))
                if (
                    cal.local_date(t) not in migration
                    and cal.local_date(t) == d
                    and unambiguous(t, tz)
                ):
                    break
            deadline = cal.business_days(t, 1)
            if k < n_met:
                room = cal.between(t, deadline)
                replied = cal.add(t, rng.randint(5 * M, max(6 * M, min(room, 8 * H))))
            else:
                replied = cal.add(deadline, rng.randint(20 * M, 10 * H))
            email(queue, t, replied)
    # received on the migration weekend: excluded from email-response
    email("billing", L("2026-09-12 10:40"), L("2026-09-14 09:10"))
    email("technical-support", L("2026-09-13 16:05"), L("2026-09-15 15:30"))
    # answered exactly one business day after arrival: met (`within` is inclusive)
    email("billing", L("2026-10-06 10:00:00"), L("2026-10-07 10:00:00"))
    # Saturday noon before Columbus Day: Sunday is closed and Monday a holiday, so the
    # deadline is Tuesday 11:00 (3 business hours into Saturday = 3 hours into Tuesday): met
    email("technical-support", L("2026-10-10 12:00"), L("2026-10-13 10:30"))
    # a test e-mail from the quality team (excluded: test-calls applies to e-mails too)
    email("billing", L("2026-10-21 09:15"), L("2026-10-21 09:20"), test=True)
    # Thanksgiving: Wednesday 25 November 10:00 (2 business hours in); Thursday and Friday are
    # holidays, so the deadline is Saturday 28 November 11:00 (the short day, 09:00-14:00)
    email("billing", L("2026-11-25 10:00"), L("2026-11-28 10:15"))  # met
    email("technical-support", L("2026-11-25 10:30"), L("2026-11-30 09:05"))  # breached
    # Wednesday 25 November 19:00 is 11 business hours into the day; Saturday has only 5, so
    # the deadline clamps to Saturday's close at 14:00. Answered on Monday: breached.
    email("billing", L("2026-11-25 19:00"), L("2026-11-30 08:40"))
    # still unanswered at the end of November (open_items: exclude): left out, counted open.
    # The first one was already overdue (deadline Saturday 28 November 14:00).
    email("technical-support", L("2026-11-25 19:30"), L("2026-12-01 09:30"))
    email("billing", L("2026-11-30 16:30"), L("2026-12-01 09:10"))
    email("sales", L("2026-11-30 21:15"), None)

    # --- ids, in order of arrival -----------------------------------------------------------
    contacts.sort(key=lambda c: (c["arrived"], c["queue"], c["channel"]))
    for n, c in enumerate(contacts, start=1):
        c["id"] = f"NW-{260000 + n}"
        c["replied"] = known(c["replied"], extract)

    # --- surveys -----------------------------------------------------------------------------
    q4_scores = (
        [rng.choice((9, 10)) for _ in range(Q4_NPS[0])]
        + [rng.choice((7, 8)) for _ in range(Q4_NPS[1])]
        + [rng.choice((0, 2, 3, 4, 5, 5, 6, 6, 6)) for _ in range(Q4_NPS[2])]
    )
    rng.shuffle(q4_scores)
    surveys = []

    def surveyed(queue, month, *, days=None):
        """A contact of the queue answered that month, and a submission 1-30 hours later."""
        pool = [
            c
            for c in contacts
            if c["queue"] == queue
            and c["arrived"].astimezone(tz).month == month
            and (c["outcome"] == "answered" or c["replied"] is not None)
            and not c["test"]
        ]
        while True:
            c = rng.choice(pool)
            t = c["replied"] or c["arrived"] + timedelta(seconds=c["wait"] + c["talk"])
            t += timedelta(seconds=rng.randint(H, 30 * H))
            d = cal.local_date(t)
            if t.astimezone(tz).month == month and (d in days if days else d not in migration):
                return c["id"], t

    for (queue, month), (n_csat, n_good, n_nps) in SURVEYS.items():
        csat = [rng.choice((4, 5, 5)) for _ in range(n_good)]
        csat += [rng.choice((1, 2, 3, 3)) for _ in range(n_csat - n_good)]
        if month == 9:
            nps = [rng.choice((10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3, 0)) for _ in range(n_nps)]
        else:
            nps, q4_scores = q4_scores[:n_nps], q4_scores[n_nps:]
        n = max(n_csat, n_nps)  # some customers answer only one of the two questions
        csat += [None] * (n - n_csat)
        nps += [None] * (n - n_nps)
        rng.shuffle(csat)
        rng.shuffle(nps)
        for score, ltr in [
            *zip(csat, nps, strict=True),
            (None, None),
        ]:  # one opened but not answered
            cid, t = surveyed(queue, month)
            surveys.append(
                dict(
                    contact_id=cid,
                    queue=queue,
                    submitted_at=t,
                    csat=score,
                    likelihood_to_recommend=ltr,
                )
            )
    assert not q4_scores
    # submitted during the migration weekend: excluded from csat and nps (between applies to all)
    for queue, score, ltr in (("billing", 2, 3), ("billing", 5, 10), ("technical-support", 1, 0)):
        cid, t = surveyed(queue, 9, days=migration)
        surveys.append(
            dict(
                contact_id=cid, queue=queue, submitted_at=t, csat=score, likelihood_to_recommend=ltr
            )
        )

    # --- write ------------------------------------------------------------------------------
    rows = []
    for c in contacts:
        for t in (c["arrived"], c["replied"]):
            assert t is None or unambiguous(t, tz), t
        rows.append(
            [
                c["id"],
                c["channel"],
                c["queue"],
                naive(c["arrived"], tz),
                naive(c["replied"], tz),
                c["wait"],
                c["outcome"],
                c["short"],
                c["talk"],
                c["hold"],
                c["wrap"],
                c["fcr"],
                c["carrier"],
                c["test"],
            ]
        )
    out = data_dir("contact-centre")
    write_csv(
        out / "contacts.csv",
        [
            "id",
            "channel",
            "queue",
            "arrived_at",
            "first_replied_at",
            "wait_seconds",
            "outcome",
            "short_abandon",
            "talk_seconds",
            "hold_seconds",
            "wrap_seconds",
            "resolved_first_contact",
            "carrier_outage",
            "test_call",
        ],
        rows,
    )
    surveys.sort(key=lambda s: (s["submitted_at"], s["contact_id"]))
    write_jsonl(
        out / "surveys.jsonl",
        (
            {
                "id": f"CS-{90000 + n}",
                "contact_id": s["contact_id"],
                "queue": s["queue"],
                "submitted_at": iso(s["submitted_at"], tz),
                "csat": s["csat"],
                "likelihood_to_recommend": s["likelihood_to_recommend"],
            }
            for n, s in enumerate(surveys, start=1)
        ),
    )


# ============================================================================================
# hosting-availability: SkyHost compute probes and object-storage request counts (UTC)


def minutes(first: str, last: str) -> set[datetime]:
    """The one-minute intervals from `first` to `last` inclusive (UTC, 'YYYY-MM-DD HH:MM')."""
    t, end = local(first, UTC), local(last, UTC)
    out = set()
    while t <= end:
        out.add(t)
        t += timedelta(minutes=1)
    return out


def hosting_availability() -> None:
    """One-minute probes per region (October and November) and 5-minute request counts per
    region (September to November), plus the maintenance calendar.

    Compute probes exist for us-east and eu-central from 1 October (the probe archive before
    that was not kept), so September has no compute data at all. Storage has us-east and
    eu-central from September and the ap-preview region from its launch on 1 October.
    """
    rng = random.Random(2026_10_03)
    out = data_dir("hosting-availability")

    # --- maintenance calendar ------------------------------------------------------------------
    maintenance = [
        # announced five days ahead: excluded (90 minutes of the 8-hour allowance)
        ("MW-2026-031", "2026-10-06 02:00", "2026-10-06 03:30", "2026-10-01 16:00"),
        # announced only 9 hours ahead (notice is 48 h): not excluded; failures count as downtime
        ("MW-2026-034", "2026-10-20 03:00", "2026-10-20 03:30", "2026-10-19 18:00"),
        # announced a week ahead but 9 hours long: 01:00-09:00 uses the 8-hour allowance, the
        # hour 09:00-10:00 is beyond it and counts as downtime where the service was down
        ("MW-2026-038", "2026-11-10 01:00", "2026-11-10 10:00", "2026-11-02 09:00"),
    ]
    write_csv(
        out / "maintenance_windows.csv",
        ["id", "start", "end", "announced_at"],
        [
            [i, iso_z(local(s, UTC)), iso_z(local(e, UTC)), iso_z(local(a, UTC))]
            for i, s, e, a in maintenance
        ],
    )

    # --- compute probes: one per minute and region -------------------------------------------
    # (minute -> result) for the minutes that were not "up"; missing minutes have no probe
    failed = {
        "us-east": {
            # inside the announced window MW-2026-031: excluded
            **{m: "down" for m in minutes("2026-10-06 02:10", "2026-10-06 02:34")},
            # inside the late-announced window MW-2026-034: 12 minutes of downtime
            **{m: "timeout" for m in minutes("2026-10-20 03:00", "2026-10-20 03:02")},
            **{m: "down" for m in minutes("2026-10-20 03:03", "2026-10-20 03:11")},
            # inside the 8-hour allowance of MW-2026-038: excluded
            **{m: "down" for m in minutes("2026-11-10 01:30", "2026-11-10 02:09")},
            # a 4-minute network partition: 4 minutes of downtime, still within 99.99%
            **{m: "down" for m in minutes("2026-11-21 07:12", "2026-11-21 07:15")},
        },
        "eu-central": {
            **{m: "timeout" for m in minutes("2026-10-09 13:44", "2026-10-09 13:44")},
            **{m: "down" for m in minutes("2026-10-27 22:05", "2026-10-27 22:06")},
            # MW-2026-038 ran long: down 08:30-09:19; 30 minutes inside the allowance are
            # excluded, the 20 minutes from 09:00 are downtime
            **{m: "down" for m in minutes("2026-11-10 08:30", "2026-11-10 09:19")},
            # power failure in one data centre of the region: 7 h 30 min of downtime
            **{m: "down" for m in minutes("2026-11-18 13:05", "2026-11-18 20:34")},
        },
    }
    missing = {
        # the probe agent restarted: two minutes without a result count as down (missing: down)
        "us-east": minutes("2026-10-11 04:17", "2026-10-11 04:18"),
        "eu-central": set(),
    }
    rows = []
    for region, second, base in (("us-east", 12, 18), ("eu-central", 41, 24)):
        t, end, n = local("2026-10-01 00:00", UTC), local("2026-12-01 00:00", UTC), 0
        while t < end:
            if t not in missing[region]:
                n += 1
                result = failed[region].get(t, "up")
                latency = {
                    "up": base + (rng.randint(1, 9) if rng.random() < 0.2 else 0),
                    "down": rng.randint(1, 5),
                    "timeout": 10000,
                }[result]
                rows.append(
                    [
                        f"{region}-{n:06d}",
                        iso_z(t + timedelta(seconds=second)),
                        region,
                        result,
                        latency,
                    ]
                )
            t += timedelta(minutes=1)
    write_parquet(
        out / "probes.parquet",
        [
            ("id", "VARCHAR"),
            ("checked_at", "TIMESTAMPTZ"),
            ("region", "VARCHAR"),
            ("result", "VARCHAR"),
            ("latency_ms", "INTEGER"),
        ],
        rows,
    )

    # --- object storage: requests and 5xx errors per region and 5 minutes --------------------
    # (interval start -> (numerator, denominator) of the requests that failed) where the API failed
    incidents = {
        "us-east": {
            # 17 September 14:00-14:45: eight intervals failing completely and one at 64%:
            # 8.64 / 8,640 intervals = 0.1% mean error rate, availability exactly 99.9%
            **{t: (1, 1) for t in sorted(minutes("2026-09-17 14:00", "2026-09-17 14:39"))[::5]},
            local("2026-09-17 14:40", UTC): (64, 100),
            # during the announced window MW-2026-031 (excluded): half the requests failed
            **{t: (1, 2) for t in sorted(minutes("2026-10-06 02:30", "2026-10-06 02:49"))[::5]},
            # during the late-announced window MW-2026-034 (not excluded): 30% failed
            **{t: (3, 10) for t in sorted(minutes("2026-10-20 03:00", "2026-10-20 03:29"))[::5]},
            # 23 October 10:00-12:00: a metadata-service outage, every request failed
            **{t: (1, 1) for t in sorted(minutes("2026-10-23 10:00", "2026-10-23 11:59"))[::5]},
        },
        "eu-central": {},
        "ap-preview": {},
    }
    rows = []
    for region, first, scale, noisy in (
        ("us-east", "2026-09-01 00:00", 900, False),
        ("eu-central", "2026-09-01 00:00", 500, True),
        ("ap-preview", "2026-10-01 00:00", 40, True),
    ):
        t, end, n = local(first, UTC), local("2026-12-01 00:00", UTC), 0
        while t < end:
            n += 1
            hour = t.hour + t.minute / 60
            daily = 0.55 + 0.45 * max(0.0, 1 - abs(hour - 15) / 9)  # traffic peaks at 15:00 UTC
            requests = int(scale * daily) + rng.randint(0, scale // 10)
            share = incidents[region].get(t)
            if share is not None:
                requests -= requests % 50  # a round number, so that 64% is whole requests
                errors = requests * share[0] // share[1]
            elif region == "ap-preview":
                errors = rng.randint(0, 3)  # a preview region: no commitment, excluded
            elif noisy and rng.random() < 0.02:
                errors = rng.randint(1, 2)  # the odd failed request
            else:
                errors = 0
            if region == "eu-central" and local("2026-11-03 04:00", UTC) <= t < local(
                "2026-11-03 04:20", UTC
            ):
                requests = errors = 0  # traffic drained during a routing change: 0% errors
            rows.append([f"{region}-{n:06d}", iso_z(t), region, requests, errors])
            t += timedelta(minutes=5)
    write_parquet(
        out / "storage_requests.parquet",
        [
            ("id", "VARCHAR"),
            ("interval_start", "TIMESTAMPTZ"),
            ("region", "VARCHAR"),
            ("requests", "INTEGER"),
            ("server_errors", "INTEGER"),
        ],
        rows,
    )


# ============================================================================================
# fulfilment: Rhein Retail's web-shop orders from three NRW warehouses (Europe/Berlin)

WAREHOUSE = Calendar(
    "Europe/Berlin",
    {**mon_fri("06:00", "22:00"), 5: ("06:00", "14:00")},
    holidays=["2026-10-03", "2026-11-01", "2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31"],
)

# orders per warehouse and month, and how many of them were designed to go wrong:
#   cancel cancelled by the customer (left out), short shipped incomplete, late dispatched late
#   (and so delivered late), carrier delivered late by the carrier, recipient delivered late
#   because the recipient was not at home (excluded from on-time delivery), storm held up by
#   the storm of 22 October (force majeure: excluded from dispatch and delivery)
ORDERS = {
    ("DUS", 9): dict(n=545, cancel=6, short=5, late=3, carrier=12, recipient=6, storm=0),
    ("DUS", 10): dict(n=550, cancel=7, short=12, late=3, carrier=20, recipient=7, storm=8),
    ("DUS", 11): dict(n=600, cancel=8, short=9, late=4, carrier=62, recipient=6, storm=0),
    ("DTM", 9): dict(n=110, cancel=1, short=1, late=1, carrier=3, recipient=1, storm=0),
    ("DTM", 10): dict(n=112, cancel=1, short=2, late=0, carrier=4, recipient=1, storm=2),
    ("DTM", 11): dict(n=115, cancel=2, short=1, late=1, carrier=9, recipient=1, storm=0),
    ("CGN", 10): dict(n=40, cancel=0, short=0, late=0, carrier=1, recipient=0, storm=0),
    ("CGN", 11): dict(n=55, cancel=1, short=1, late=0, carrier=3, recipient=1, storm=0),
}
# replenishment cycles: SKUs per warehouse, cycle length in days, and per month of the cycle's
# end: (cycles with a stock-out, units short as a share of the month's demand)
CYCLES = {
    "DUS": dict(
        skus=44,
        days=(9, 14),
        since="2026-08-10",
        months={9: (4, 0.005), 10: (9, 0.006), 11: (10, 0.015)},
    ),
    "DTM": dict(
        skus=16,
        days=(12, 20),
        since="2026-08-10",
        months={9: (2, 0.006), 10: (5, 0.030), 11: (2, 0.005)},
    ),
    "CGN": dict(skus=8, days=(10, 16), since="2026-10-12", months={10: (0, 0.0), 11: (1, 0.003)}),
}
# web-shop orders by hour of the day (Europe/Berlin)
ORDER_HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 8, 7, 7, 7, 7, 8, 9, 10, 10, 8, 5, 2]


def fulfilment() -> None:
    """About 2,100 orders (one CSV file per month) and 550 replenishment cycles.

    Düsseldorf (DUS) is the main warehouse with about 550 orders a month in this sample;
    Dortmund (DTM) ships about 110 and Cologne (CGN) opened on 12 October: both stay below the
    `min_sample: 500` of the order objectives, so only their unit fill rate is judged monthly.
    """
    rng = random.Random(2026_10_04)
    cal, tz = WAREHOUSE, BERLIN
    extract = local("2026-12-01 10:00", tz)
    orders: list[dict] = []

    def L(text):
        return local(text, tz)

    def order(
        wh, ordered, shipped, delivered, *, lines=None, complete=True, cancelled=False, cause="none"
    ):
        orders.append(
            dict(
                wh=wh,
                ordered=ordered,
                shipped=shipped,
                delivered=delivered,
                lines=lines or rng.choice((1, 1, 1, 2, 2, 3, 4, 6)),
                complete=complete,
                cancelled=cancelled,
                cause=cause,
            )
        )

    def on_time_ship(ordered):
        room = cal.between(ordered, cal.business_days(ordered, 1))
        return cal.add(ordered, rng.randint(20 * M, max(21 * M, min(10 * H, room * 9 // 10))))

    def on_time_delivery(ordered, shipped):
        room = cal.between(shipped, cal.business_days(ordered, 2))
        return cal.add(shipped, rng.randint(min(2 * H, room // 2), room * 19 // 20))

    for (wh, month), o in ORDERS.items():
        first = date(2026, month, 12 if (wh, month) == ("CGN", 10) else 1)
        last = date(2026, month, 30 if month in (9, 11) else 31)
        days = list(dates(first, last))
        # Black Week (from 23 November): twice the usual orders per day
        weights = [2 if d >= date(2026, 11, 23) else 1 for d in days]
        kinds = (
            ["cancel"] * o["cancel"]
            + ["short"] * o["short"]
            + ["late"] * o["late"]
            + ["carrier"] * o["carrier"]
            + ["recipient"] * o["recipient"]
        )
        kinds += ["ok"] * (o["n"] - len(kinds) - o["storm"])
        rng.shuffle(kinds)
        for kind in kinds:
            d = rng.choices(days, weights)[0]
            hour = rng.choices(range(24), ORDER_HOURS)[0]
            ordered = at(d, f"{hour:02d}:00", tz) + timedelta(seconds=rng.randrange(H))
            if kind == "cancel":
                order(wh, ordered, None, None, complete=None, cancelled=True)
                continue
            if kind == "late":
                shipped = cal.add(cal.business_days(ordered, 1), rng.randint(30 * M, 6 * H))
                delivered = cal.add(cal.business_days(ordered, 2), rng.randint(H, 8 * H))
                order(wh, ordered, shipped, delivered, cause="provider")
                continue
            shipped = on_time_ship(ordered)
            if kind in ("carrier", "recipient"):
                delivered = cal.add(cal.business_days(ordered, 2), rng.randint(H, 16 * H))
                order(
                    wh,
                    ordered,
                    shipped,
                    delivered,
                    cause="carrier" if kind == "carrier" else "recipient",
                )
            else:
                lines = rng.choice((2, 3, 4, 5, 8)) if kind == "short" else None
                order(
                    wh,
                    ordered,
                    shipped,
                    on_time_delivery(ordered, shipped),
                    lines=lines,
                    complete=kind != "short",
                )
        # the storm of Thursday 22 October: lorries stopped, dispatch and delivery late
        for _ in range(o["storm"]):
            ordered = L("2026-10-21 12:00") + timedelta(seconds=rng.randrange(20 * H))
            shipped = cal.add(cal.business_days(ordered, 1), rng.randint(2 * H, 8 * H))
            delivered = cal.add(cal.business_days(ordered, 2), rng.randint(4 * H, 12 * H))
            order(wh, ordered, shipped, delivered, cause="force-majeure")

    # --- special orders ------------------------------------------------------------------------
    # Friday 2 October 15:00: Saturday 3 October is a holiday, so the dispatch deadline is Monday
    # 15:00 (9 business hours into the day); shipped Monday 10:00: met. Without the holiday the
    # deadline would have been Saturday 14:00 (the short day's close).
    order("DUS", L("2026-10-02 15:00"), L("2026-10-05 10:00"), L("2026-10-06 12:00"))
    # Friday 30 October 09:00: dispatch due Saturday 31 October 09:00, shipped Monday 2 November:
    # at the end of October still open and already overdue (Saturday 09:00-14:00 passed):
    # breached in October. Delivery is due Monday 09:00: open (not judged) in October.
    order(
        "DUS",
        L("2026-10-30 09:00"),
        L("2026-11-02 07:00"),
        L("2026-11-03 11:00"),
        lines=2,
        cause="provider",
    )
    # Friday 30 October 15:00: dispatch due at Saturday's close, 14:00 (9 business hours into the
    # day, clamped). No business time passes between then and the end of October (a shipment
    # before Monday 06:00 would still have been on time), so at the month's end the deadline has
    # not passed: open, not judged, although it was shipped late on Monday.
    order(
        "DUS", L("2026-10-30 15:00"), L("2026-11-02 07:00"), L("2026-11-03 11:00"), cause="provider"
    )
    # Saturday 31 October 10:00: deadline Monday 2 November 10:00, shipped 09:00: open at the end
    # of October and not overdue, so not judged (an order belongs to the month it was placed in)
    order("DUS", L("2026-10-31 10:00"), L("2026-11-02 09:00"), L("2026-11-03 10:00"))
    # Thursday 26 November 14:00: delivery due Saturday 28 November 14:00; delivered on
    # 1 December: open at the end of November and overdue: breached in November
    order(
        "DUS", L("2026-11-26 14:00"), L("2026-11-27 08:00"), L("2026-12-01 09:00"), cause="carrier"
    )
    # Monday 30 November 19:00: shipped on 1 December, not yet delivered: open, not overdue
    order("DUS", L("2026-11-30 19:00"), L("2026-12-01 07:30"), None)

    # --- write orders, one file per month ------------------------------------------------------
    orders.sort(key=lambda o: (o["ordered"], o["wh"]))
    by_month: dict[int, list] = {}
    for n, o in enumerate(orders, start=1):
        shipped, delivered = known(o["shipped"], extract), known(o["delivered"], extract)
        complete = o["complete"] if shipped else None  # not known before the order ships
        by_month.setdefault(o["ordered"].astimezone(tz).month, []).append(
            [
                f"RR-{700000 + n}",
                o["wh"],
                iso(o["ordered"], tz),
                iso(shipped, tz),
                iso(delivered, tz),
                o["lines"],
                complete,
                o["cancelled"],
                o["cause"],
            ]
        )
    out = data_dir("fulfilment")
    for month, rows in by_month.items():
        write_csv(
            out / f"orders-2026-{month:02d}.csv",
            [
                "order_no",
                "warehouse",
                "ordered_at",
                "shipped_at",
                "delivered_at",
                "lines",
                "shipped_complete",
                "cancelled_by_customer",
                "delay_cause",
            ],
            rows,
        )

    # --- replenishment cycles ------------------------------------------------------------------
    cycles = []
    for wh, c in CYCLES.items():
        for k in range(c["skus"]):
            sku = f"SKU-{wh}-{1000 + 37 * k}"
            d = date.fromisoformat(c["since"]) + timedelta(days=rng.randrange(14))
            start = None
            while True:
                while cal.day(d) is None:
                    d += DAY
                received = cal.day(d)[0] + timedelta(seconds=rng.randrange(30 * M, 5 * H))
                if received > extract or received >= L("2026-12-01 00:00"):
                    break
                if start is not None and received >= L("2026-09-01 00:00"):
                    cycles.append(
                        dict(wh=wh, sku=sku, start=start, end=received, demand=rng.randint(30, 400))
                    )
                start = received
                d += timedelta(days=rng.randint(*c["days"]))
        for month, (stockouts, short_share) in c["months"].items():
            mine = [y for y in cycles if y["wh"] == wh and y["end"].astimezone(tz).month == month]
            out_of_stock = rng.sample([y for y in mine if y["demand"] >= 150], stockouts)
            short = round(short_share * sum(y["demand"] for y in mine))
            for y in mine:
                y["filled"] = y["demand"]
            for i, y in enumerate(out_of_stock):  # share the units short out over the stock-outs
                part = short // stockouts + (1 if i < short % stockouts else 0)
                assert part < y["demand"], (wh, month)
                y["filled"] = y["demand"] - part
                y["stockout"] = True
    cycles.sort(key=lambda y: (y["end"], y["wh"], y["sku"]))
    write_csv(
        out / "inventory_cycles.csv",
        [
            "id",
            "warehouse",
            "sku",
            "cycle_start",
            "cycle_end",
            "stockout",
            "demand_units",
            "filled_units",
        ],
        [
            [
                f"CY-{50000 + n}",
                y["wh"],
                y["sku"],
                iso(y["start"], tz),
                iso(y["end"], tz),
                y.get("stockout", False),
                y["demand"],
                y["filled"],
            ]
            for n, y in enumerate(cycles, start=1)
        ],
    )


# ============================================================================================
# it-outsourcing: Globex's incidents, service-desk calls, outages and surveys (Europe/London)

LONDON = ZoneInfo("Europe/London")
UK_BUSINESS = Calendar(
    "Europe/London",
    mon_fri("08:00", "18:00"),
    holidays=["2026-08-31", "2026-12-25", "2026-12-28"],
)
APPLICATIONS = {
    "sap-erp": "critical",
    "payroll": "critical",
    "crm": "important",
    "e-mail": "important",
    "intranet": "important",
    "reporting": "important",
}
# service-desk calls per month: answered within 30 s, answered later, abandoned (5 s or more),
# short abandons (under 5 s, left out). Speed to answer = within / (answered + abandoned).
DESK = {9: (209, 16, 15, 6), 10: (216, 16, 14, 5), 11: (188, 26, 21, 7)}
# satisfaction surveys per month: (answers, of which 4 or 5)
SATISFACTION = {9: (50, 44), 10: (50, 44), 11: (50, 34)}


def it_outsourcing() -> None:
    """About 630 incidents, 740 service-desk calls, 27 outage records and 150 survey answers.

    Incidents count in the month they were resolved (`period_membership: end`). Routine
    incidents meet their targets by construction; the special ones make the breaches, the
    exclusions and the edge cases.
    """
    rng = random.Random(2026_10_05)
    cal, tz = UK_BUSINESS, LONDON
    extract = local("2026-12-01 09:00", tz)
    incidents: list[dict] = []

    def L(text):
        return local(text, tz)

    def incident(opened, resolved, priority, application, *, cause="provider", pauses=()):
        incidents.append(
            dict(
                opened=opened,
                resolved=resolved,
                priority=priority,
                application=application,
                cause=cause,
                pauses=list(pauses),
            )
        )

    def app():
        return rng.choice(list(APPLICATIONS))

    # --- routine incidents ---------------------------------------------------------------------
    volume = {8: (2, 6, 40), 9: (12, 30, 150), 10: (11, 33, 150), 11: (12, 20, 140)}  # P2, P3, P4
    work = {"P2": (1.0, 6.5), "P3": (3.0, 25.0), "P4": (1.0, 60.0)}  # business hours to resolve
    for month, counts in volume.items():
        first = date(2026, month, 20 if month == 8 else 1)
        last = date(2026, month, 24 if month == 11 else (30 if month == 9 else 31))
        for priority, n in zip(("P2", "P3", "P4"), counts, strict=True):
            for _ in range(n):
                if rng.random() < 0.1:  # raised out of hours: the business clock starts at 08:00
                    d = rng.choice(list(dates(first, last)))
                    opened = at(
                        d, f"{rng.choice((6, 7, 18, 19, 20, 21)):02d}:{rng.randint(0, 59):02d}", tz
                    )
                else:
                    opened = cal.random_open_instant(rng, first, last, until="17:30")
                w = rng.uniform(*work[priority]) * H
                pauses = []
                if priority != "P2" and rng.random() < 0.25:
                    w1 = rng.uniform(0.2, 0.8) * w
                    p0 = cal.add(opened, int(w1))
                    p1 = cal.add(p0 + timedelta(hours=rng.randint(1, 50)), rng.randint(0, 2 * H))
                    reason = rng.choice(
                        (
                            "awaiting_customer",
                            "awaiting_customer",
                            "awaiting_customer_vendor",
                            "customer_approved_hold",
                        )
                    )
                    pauses.append((p0, p1, reason))
                    resolved = cal.add(p1, int(w - w1))
                else:
                    resolved = cal.add(opened, int(w))
                incident(
                    opened,
                    resolved,
                    priority,
                    app(),
                    cause="unknown" if rng.random() < 0.1 else "provider",
                    pauses=pauses,
                )

    # --- P1: every one designed ------------------------------------------------------------------
    incident(L("2026-09-08 09:40"), L("2026-09-08 12:10"), "P1", "crm")
    incident(L("2026-09-19 23:10"), L("2026-09-20 02:45"), "P1", "e-mail")  # Saturday night
    # 5 h 30 min elapsed, 2 h of it awaiting the customer: 3 h 30 min: met
    incident(
        L("2026-09-24 14:00"),
        L("2026-09-24 19:30"),
        "P1",
        "sap-erp",
        pauses=[(L("2026-09-24 15:00"), L("2026-09-24 17:00"), "awaiting_customer")],
    )
    incident(L("2026-10-06 10:15"), L("2026-10-06 13:05"), "P1", "intranet")
    incident(L("2026-10-08 13:10"), L("2026-10-08 16:50"), "P1", "sap-erp")  # the SAP outage
    # a customer-approved hold (40 min) stops the business clock but not the 24x7 P1 clock:
    # 5 hours > 4 hours: breached
    incident(
        L("2026-10-15 08:00"),
        L("2026-10-15 13:00"),
        "P1",
        "crm",
        pauses=[(L("2026-10-15 09:00"), L("2026-10-15 09:40"), "customer_approved_hold")],
    )
    # caused by Globex's network supplier (customer-vendor): excluded
    incident(L("2026-10-20 06:30"), L("2026-10-20 13:30"), "P1", "e-mail", cause="customer-vendor")
    # the night the clocks go back: 01:20 BST to 03:50 GMT is 2 h 30 min on the wall clock and
    # 3 h 30 min of real time: met
    incident(
        datetime.fromisoformat("2026-10-25T01:20:00+01:00").astimezone(UTC),
        datetime.fromisoformat("2026-10-25T03:50:00+00:00").astimezone(UTC),
        "P1",
        "reporting",
    )
    incident(L("2026-11-11 09:00"), L("2026-11-11 11:30"), "P1", "sap-erp")
    # the failed payroll run of 25 November: 5 h 10 min: breached
    incident(L("2026-11-25 17:35"), L("2026-11-25 22:45"), "P1", "payroll")

    # --- P2 and P3 specials -------------------------------------------------------------------
    # P2 held with the customer's approval from Friday 16:00 to Monday 10:00 (business clock
    # paused 2 + 2 hours): 3 + 6 - 4 = 5 business hours: met
    incident(
        L("2026-09-11 15:00"),
        L("2026-09-14 14:00"),
        "P2",
        "crm",
        pauses=[(L("2026-09-11 16:00"), L("2026-09-14 10:00"), "customer_approved_hold")],
    )
    # P3 opened Friday 28 August 14:00; Monday 31 August is the summer bank holiday, so the
    # deadline is Thursday 3 September 14:00: resolved Wednesday 2 September 15:00, met
    incident(L("2026-08-28 14:00"), L("2026-09-02 15:00"), "P3", "reporting")
    # P3 resolved after 3 business days: 2 in September, 3 in October, 2 in November
    for opened, resolved in (
        ("2026-09-07 10:00", "2026-09-10 16:00"),
        ("2026-09-21 15:00", "2026-09-25 09:30"),
        ("2026-10-05 09:00", "2026-10-08 11:00"),
        ("2026-10-13 13:00", "2026-10-19 10:00"),
        ("2026-10-26 11:00", "2026-10-29 17:00"),
        ("2026-11-02 10:00", "2026-11-06 12:00"),
        ("2026-11-16 14:00", "2026-11-19 16:30"),
    ):
        incident(L(opened), L(resolved), "P3", app())
    # excluded: caused by Globex's own staff, and the national grid failure (force majeure)
    incident(L("2026-09-15 09:30"), L("2026-09-22 11:00"), "P3", "reporting", cause="customer")
    incident(L("2026-10-12 10:00"), L("2026-10-21 12:00"), "P3", "intranet", cause="customer")
    incident(L("2026-10-22 07:45"), L("2026-10-28 10:00"), "P3", "e-mail", cause="force-majeure")
    # still open when the data was extracted: no resolution, so in no period yet
    incident(L("2026-11-26 11:20"), None, "P3", "crm")
    incident(L("2026-11-30 16:05"), None, "P2", "sap-erp")

    incidents.sort(key=lambda i: i["opened"])
    rows, pause_rows = [], []
    for n, i in enumerate(incidents, start=1):
        iid = f"INC{4100000 + n}"
        i["id"] = iid
        resolved = known(i["resolved"], extract)
        i["resolved"] = resolved
        rows.append(
            [
                iid,
                i["priority"],
                iso(i["opened"], tz),
                iso(resolved, tz),
                i["application"],
                i["cause"],
            ]
        )
        for p0, p1, reason in i["pauses"]:
            if p1 <= extract:
                assert i["opened"] <= p0 < p1 and (resolved is None or p1 <= resolved), i
                pause_rows.append([iid, iso(p0, tz), iso(p1, tz), reason])
    out = data_dir("it-outsourcing")
    write_csv(
        out / "incidents.csv",
        ["id", "priority", "opened_at", "resolved_at", "application", "cause"],
        rows,
    )
    write_csv(out / "incident_pauses.csv", ["incident_id", "start", "end", "reason"], pause_rows)
    # Two incidents reopened after their resolution (`reopened: each-cycle`): each second cycle
    # is judged on its own, in the month it was resolved again (EXPECTED.md).
    write_csv(
        out / "incident_reopens.csv",
        ["incident_id", "reopened_at", "resolved_at"],
        [
            ["INC4100312", "2026-10-13T09:00:00+01:00", "2026-10-14T11:30:00+01:00"],
            ["INC4100338", "2026-10-15T10:00:00+01:00", "2026-10-15T16:00:00+01:00"],
        ],
    )

    # --- service-desk calls ----------------------------------------------------------------------
    calls = []
    for month, (within, later, abandoned, short) in DESK.items():
        first, last = date(2026, month, 1), date(2026, month, 30 if month in (9, 11) else 31)
        waits = (
            [("answered", rng.randint(2, 30)) for _ in range(within)]
            + [("answered", rng.randint(31, 300)) for _ in range(later)]
            + [("abandoned", rng.randint(5, 180)) for _ in range(abandoned)]
            + [("abandoned", rng.randint(1, 4)) for _ in range(short)]
        )
        if month == 9:
            waits[0] = ("answered", 30)  # answered after exactly 30 seconds: within
        if month == 11:
            waits[within + later] = ("abandoned", 5)  # hung up after exactly 5 s: not short
        for outcome, wait in waits:
            calls.append((cal.random_open_instant(rng, first, last, until="17:55"), wait, outcome))
    calls.sort()
    write_csv(
        out / "desk_calls.csv",
        ["id", "offered_at", "wait_seconds", "outcome"],
        [
            [f"SD-{310000 + n}", iso(t, tz), wait, outcome]
            for n, (t, wait, outcome) in enumerate(calls, start=1)
        ],
    )

    # --- outages of the business applications ----------------------------------------------------
    outages = [
        # (application, start, end, planned)
        ("sap-erp", "2026-09-15 10:05:00", "2026-09-15 10:25:00", False),
        ("payroll", "2026-09-09 02:14:10", "2026-09-09 02:14:50", False),  # 40 s: under 1 min
        ("payroll", "2026-09-29 06:10:00", "2026-09-29 06:14:00", False),
        ("crm", "2026-09-22 14:00:00", "2026-09-22 14:40:00", False),  # two overlapping records
        ("crm", "2026-09-22 14:30:00", "2026-09-22 15:00:00", False),  # of one outage: 60 min
        ("e-mail", "2026-09-03 09:00:00", "2026-09-03 09:03:00", False),  # 3 min: under 5 min
        ("e-mail", "2026-09-16 12:00:00", "2026-09-16 12:06:00", False),
        ("intranet", "2026-09-19 20:00:00", "2026-09-19 23:00:00", True),  # approved change
        ("intranet", "2026-09-30 23:30:00", "2026-10-01 00:45:00", False),  # 30 + 45 min
        ("reporting", "2026-09-24 06:00:00", "2026-09-24 09:00:00", False),
        # October (44,700 minutes: the clocks go back on the 25th)
        ("sap-erp", "2026-10-08 13:10:00", "2026-10-08 14:25:00", False),  # 75 min: breached
        ("sap-erp", "2026-10-17 22:00:00", "2026-10-18 02:00:00", True),  # approved upgrade
        ("payroll", "2026-10-12 11:30:00", "2026-10-12 11:30:50", False),  # 50 s: under 1 min
        ("payroll", "2026-10-27 19:00:00", "2026-10-27 19:03:00", False),
        ("crm", "2026-10-05 08:10:00", "2026-10-05 08:25:00", False),
        ("e-mail", "2026-10-21 16:00:00", "2026-10-21 16:07:00", False),
        ("reporting", "2026-10-26 03:00:00", "2026-10-26 03:20:00", False),
        # November
        ("sap-erp", "2026-11-04 12:00:00", "2026-11-04 12:01:00", False),  # exactly 1 min: counts
        ("sap-erp", "2026-11-19 15:42:00", "2026-11-19 15:42:30", False),
        ("payroll", "2026-11-25 17:30:00", "2026-11-25 18:30:00", False),  # 60 min: breached
        ("crm", "2026-11-17 12:00:00", "2026-11-17 12:10:00", False),
        ("e-mail", "2026-11-12 10:00:00", "2026-11-12 10:04:59", False),  # 4 min 59 s: under 5
        ("e-mail", "2026-11-23 07:30:00", "2026-11-23 07:38:00", False),
        ("intranet", "2026-11-14 08:00:00", "2026-11-14 12:00:00", True),
        ("intranet", "2026-11-20 13:00:00", "2026-11-20 13:02:00", False),  # 2 min: under 5
        ("intranet", "2026-11-26 10:00:00", "2026-11-26 10:09:00", False),
        ("reporting", "2026-11-09 05:00:00", "2026-11-09 09:10:00", False),  # 250 min: breached
    ]
    outages.sort(key=lambda o: (o[1], o[0]))
    write_csv(
        out / "outages.csv",
        ["id", "application", "criticality", "start", "end", "planned"],
        [
            [f"OUT-{n:04d}", a, APPLICATIONS[a], iso(L(s), tz), iso(L(e), tz), planned]
            for n, (a, s, e, planned) in enumerate(outages, start=1)
        ],
    )

    # --- satisfaction surveys, sent when an incident is resolved -------------------------------
    surveys = []
    for month, (n, good) in SATISFACTION.items():
        resolved = [
            i
            for i in incidents
            if i["resolved"]
            and i["resolved"].astimezone(tz).month == month
            and i["cause"] == "provider"
        ]
        scores = [rng.choice((4, 5, 5)) for _ in range(good)]
        scores += [rng.choice((1, 2, 3, 3)) for _ in range(n - good)]
        rng.shuffle(scores)
        for score, i in zip(scores, rng.sample(resolved, n), strict=True):
            t = i["resolved"] + timedelta(seconds=rng.randint(30 * M, 48 * H))
            if t.astimezone(tz).month != month:
                t = i["resolved"] + timedelta(seconds=rng.randint(M, 10 * M))
            surveys.append((t, i["id"], score))
    surveys.sort()
    write_jsonl(
        out / "satisfaction.jsonl",
        (
            {"id": f"SAT-{n:05d}", "incident_id": iid, "submitted_at": iso(t, tz), "score": score}
            for n, (t, iid, score) in enumerate(surveys, start=1)
        ),
    )


# ============================================================================================
# managed-services: Polder's e-mail, ERP and backup services for Tulip (Europe/Amsterdam,
# service desk Mon-Fri 08-18), each billed monthly by usage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
POLDER_DESK = Calendar(
    "Europe/Amsterdam", mon_fri("08:00", "18:00"), holidays=["2026-12-24", "2026-12-31"]
)
# The charge of each service per month (EUR, net), August to November: the billing export.
POLDER_CHARGES = {
    "email": ("3080.00", "3112.80", "3150.40", "3176.00"),
    "erp": ("8200.00", "8305.50", "8420.70", "8398.20"),
    "backup": ("1090.00", "1126.30", "1154.90", "1180.00"),
}
# Designed breaches (month, service, objective): everything else is met.
#   2026-10 email resolution: 2 of 12 tickets over 3 business days (83.33%)
#   2026-11 backup response-p1: 1 of 2 P1 tickets answered after 1 business hour (50%)
POLDER_SLOW_RESOLUTION = {(10, "email"): 2}
POLDER_SLOW_RESPONSE = {(11, "backup"): 1}


def managed_services() -> None:
    out = data_dir("managed-services")
    tz, cal = AMSTERDAM, POLDER_DESK
    rng = random.Random(2026_10_06)
    tickets, history = [], []
    number = 0
    for month in (9, 10, 11):
        first, last = date(2026, month, 1), date(2026, month, 20)
        for service in ("email", "erp", "backup"):
            slow_resolution = POLDER_SLOW_RESOLUTION.get((month, service), 0)
            slow_response = POLDER_SLOW_RESPONSE.get((month, service), 0)
            for index in range(12):
                number += 1
                tid = f"PMS-{number:04d}"
                priority = "P1" if index < 2 else "P2"
                created = cal.random_open_instant(rng, first, last, until="16:00")
                # Business seconds before the first response: P1 within the hour unless designed
                # slow (2 business hours); P2 within half a day.
                if priority == "P1":
                    before = 2 * H if index < slow_response else rng.randint(5 * M, 45 * M)
                else:
                    before = rng.randint(15 * M, 4 * H)
                # Open work after the first response: within 2 business days, or 4 when designed
                # slow (over the 3 business days of the resolution target).
                slow = 2 <= index < 2 + slow_resolution
                work = rng.randint(26 * H, 30 * H) + 12 * H if slow else rng.randint(H, 14 * H)
                rows = []
                if index % 4 == 1:
                    # Pending from before the first response until the customer answers, past
                    # the response: the first-response clock counts only the time before it.
                    p0 = cal.add(created, before)
                    response = p0 + timedelta(seconds=rng.randint(2 * M, 10 * M))
                    p1 = cal.add(response, rng.randint(2 * H, 9 * H))
                    rows += [("new", created, p0), ("pending", p0, p1)]
                    opened = p1
                else:
                    response = cal.add(created, before)
                    rows.append(("new", created, response))
                    opened = response
                if index % 3 == 2:
                    # On hold for a vendor for a while during the work: paused for resolution.
                    h0 = cal.add(opened, work // 2)
                    h1 = cal.add(h0, rng.randint(3 * H, 20 * H))
                    resolved = cal.add(h1, work - work // 2)
                    rows += [("open", opened, h0), ("on-hold", h0, h1), ("open", h1, resolved)]
                else:
                    resolved = cal.add(opened, work)
                    rows.append(("open", opened, resolved))
                rows.append(("solved", resolved, None))
                tickets.append((tid, service, priority, created, response, resolved))
                history += [(tid, status, a, b) for status, a, b in rows]
    write_csv(
        out / "tickets.csv",
        ["id", "service", "priority", "created_at", "first_response_at", "resolved_at"],
        (
            (tid, service, priority, iso(c, tz), iso(r, tz), iso(s, tz))
            for tid, service, priority, c, r, s in sorted(tickets, key=lambda t: (t[3], t[0]))
        ),
    )
    write_csv(
        out / "ticket_status.csv",
        ["ticket_id", "status", "start", "end"],
        ((tid, status, iso(a, tz), iso(b, tz)) for tid, status, a, b in history),
    )

    # --- outages: one record per service and month at least (a blip under a minute does not
    # count), and the designed ones
    outages = []
    for month in (9, 10, 11):
        for service in ("email", "erp", "backup"):
            start = at(date(2026, month, rng.randint(2, 27)), f"{rng.randint(0, 23):02d}:17", tz)
            outages.append((service, start, start + timedelta(seconds=rng.randint(10, 50))))
    outages += [
        # 12 minutes of e-mail in September: 99.97%, met
        ("email", local("2026-09-09 13:02", tz), local("2026-09-09 13:14", tz)),
        # the ERP database failover of 14 October: 95 minutes, breached
        ("erp", local("2026-10-14 10:05", tz), local("2026-10-14 11:40", tz)),
        # inside the announced ERP upgrade window of 8 November: excluded
        ("erp", local("2026-11-08 01:10", tz), local("2026-11-08 03:40", tz)),
        # inside the window of 21 November announced a day ahead only: 40 minutes of downtime
        ("erp", local("2026-11-21 22:00", tz), local("2026-11-21 22:40", tz)),
        # inside the all-services network window of 15 November: excluded
        ("email", local("2026-11-15 02:30", tz), local("2026-11-15 03:30", tz)),
    ]
    outages.sort(key=lambda o: (o[1], o[0]))
    write_csv(
        out / "outages.csv",
        ["id", "service", "start", "end"],
        (
            (f"OUT-{n:03d}", service, iso(a, tz), iso(b, tz))
            for n, (service, a, b) in enumerate(outages, start=1)
        ),
    )
    write_csv(
        out / "maintenance_windows.csv",
        ["id", "service", "start", "end", "announced_at"],
        [
            ("MW-101", "erp", "2026-11-08T01:00:00+01:00", "2026-11-08T04:00:00+01:00",
             "2026-11-01T09:00:00+01:00"),
            ("MW-102", None, "2026-11-15T02:00:00+01:00", "2026-11-15T04:00:00+01:00",
             "2026-11-06T11:30:00+01:00"),
            ("MW-103", "erp", "2026-11-21T22:00:00+01:00", "2026-11-21T23:00:00+01:00",
             "2026-11-20T16:00:00+01:00"),
        ],
    )  # fmt: skip
    write_csv(
        out / "billing.csv",
        ["service", "month", "amount", "currency"],
        (
            (service, f"2026-{month:02d}", amounts[i], "EUR")
            for i, month in enumerate((8, 9, 10, 11))
            for service, amounts in POLDER_CHARGES.items()
        ),
    )


EXAMPLES = {
    "customer-support": customer_support,
    "contact-centre": contact_centre,
    "hosting-availability": hosting_availability,
    "fulfilment": fulfilment,
    "it-outsourcing": it_outsourcing,
    "managed-services": managed_services,
}


def main(argv: list[str]) -> int:
    names = argv or list(EXAMPLES)
    unknown = [n for n in names if n not in EXAMPLES]
    if unknown:
        print(
            f"unknown example(s): {', '.join(unknown)}; known: {', '.join(EXAMPLES)}",
            file=sys.stderr,
        )
        return 2
    for name in names:
        EXAMPLES[name]()
        files = sorted(data_dir(name).iterdir())
        size = sum(f.stat().st_size for f in files)
        print(f"{name}: {len(files)} files, {size / 1000:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
