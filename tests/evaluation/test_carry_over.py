"""Every item judged exactly once, whatever the periods asked for (issue 11; docs/semantics.md,
"Items judged after their period").

Each period is judged as known at its end. An item whose outcome its own period's end does not
know yet (a ticket created on 30 March, resolved on 1 April within its 3-day deadline) is open
there and judged in the first later period whose end knows it, reported as carried over. Before
this, such a ticket was open in March and belonged to no other period: it was judged nowhere
(2% of a generated year of tickets).
"""

from __future__ import annotations

import copy
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slac.api import compile_plan
from slac.evaluation.measurement import Measurement
from slac.evaluation.runner import measure_rows
from slac.kinds import KINDS
from slac.plan.types import Plan

from .reference import reference_measure
from .strategies import ticket_cases
from .test_differential import DIFFERENTIAL, compile_case

CONTRACT = """\
slac: 1
id: carry
version: "1"
effective: {from: "2026-01-01"}
timezone: UTC
parties: {provider: {name: P}, customer: {name: C}}
datasets:
  tickets:
    kind: tickets
    key: id
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      resolved_at: {type: timestamp}
metrics:
  resolution:
    dataset: tickets
    duration: {from: created_at, to: resolved_at}
objectives:
  - {id: resolve-3d, metric: resolution, within: 3d, target: ">= 90%"}
  - {id: mean, metric: resolution, statistic: mean, target: "<= 3d"}
"""

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def _plan(text: str = CONTRACT) -> Plan:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contract.yaml"
        path.write_text(text, encoding="utf-8")
        plan = compile_plan(str(path), today=date(2026, 1, 1)).value
    assert plan is not None
    return plan


def _ticket(key: str, created: str, resolved: str | None) -> dict[str, Any]:
    return {
        "id": key,
        "created_at": datetime.fromisoformat(created),
        "resolved_at": None if resolved is None else datetime.fromisoformat(resolved),
    }


def _by(found: list[Measurement]) -> dict[tuple[str, str], Measurement]:
    return {(m.period, m.objective): m for m in found}


def test_a_ticket_resolved_after_its_month_is_judged_in_the_next() -> None:
    """The issue's own case, by hand. T-1: created Mon 30 March 2026 10:00 UTC, resolved Wed 1
    April 10:00: 48 h ≤ 3 d, met, but March's end (1 April 00:00) does not know it: open in
    March, met in April. T-2: created 30 March 10:00, never resolved: at April's end (1 May
    00:00) it has been open 31 d 14 h > 3 d: breached in April (overdue). T-3: created 2 April
    09:00, resolved 2 April 10:00: met in April (1 h). T-4: created 28 February 12:00, resolved
    2 April 12:00: open at February's end (1 d 12 h so far, can still be met), overdue by
    March's end (31 d > 3 d): breached in March, carried from February.

    March: T-4 breached (carried 1); T-1, T-2 open → 0/1. April: T-1 met (carried), T-2
    breached (carried), T-3 met → 2/3, carried 2. The mean is over resolved tickets only, each
    counted where its end is first known: February none (T-4 open); March none (T-4 has no end
    by 1 April); April T-1 (172,800 s), T-3 (3,600 s), T-4 (33 d = 2,851,200 s): mean
    (172,800 + 3,600 + 2,851,200) / 3 = 1,009,200 s, carried 2 (T-1 from March, T-4 from
    February)."""
    rows = {
        "tickets": [
            _ticket("T-1", "2026-03-30T10:00+00:00", "2026-04-01T10:00+00:00"),
            _ticket("T-2", "2026-03-30T10:00+00:00", None),
            _ticket("T-3", "2026-04-02T09:00+00:00", "2026-04-02T10:00+00:00"),
            _ticket("T-4", "2026-02-28T12:00+00:00", "2026-04-02T12:00+00:00"),
        ]
    }
    plan = _plan()
    months = ["2026-02", "2026-03", "2026-04"]
    got = _by(measure_rows(plan, copy.deepcopy(rows), months, KINDS))
    feb, mar, apr = (got[m, "resolve-3d"] for m in months)
    assert (feb.met, feb.breached, feb.open, feb.carried) == (0, 0, 1, 0)
    assert (mar.met, mar.breached, mar.open, mar.carried) == (0, 1, 2, 1)
    assert (apr.met, apr.breached, apr.open, apr.carried) == (2, 1, 0, 2)
    assert apr.value is not None and apr.value * 3 == 2
    mean = got["2026-04", "mean"]
    assert (mean.sample, mean.value, mean.carried) == (3, 1_009_200, 2)
    assert (got["2026-03", "mean"].sample, got["2026-03", "mean"].open) == (0, 2)
    # The same figures evaluated one month at a time, and by the reference evaluator.
    for month in months:
        alone = _by(measure_rows(plan, copy.deepcopy(rows), [month], KINDS))
        assert alone[month, "resolve-3d"] == got[month, "resolve-3d"]
        assert alone[month, "mean"] == got[month, "mean"]
    assert reference_measure(plan, copy.deepcopy(rows), months) == list(
        measure_rows(plan, copy.deepcopy(rows), months, KINDS)
    )


@st.composite
def _year_of_tickets(draw: st.DrawFn) -> list[dict[str, Any]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    span = int((datetime(2027, 1, 1, tzinfo=UTC) - start).total_seconds())
    out = []
    for n in range(draw(st.integers(0, 60))):
        created = start + timedelta(seconds=draw(st.integers(0, span - 1)))
        # Resolved within minutes to two months later, or never.
        after = draw(st.one_of(st.none(), st.integers(60, 62 * 86_400)))
        resolved = None if after is None else created + timedelta(seconds=after)
        out.append({"id": f"T-{n}", "created_at": created, "resolved_at": resolved})
    return out


@settings(DIFFERENTIAL, max_examples=40)
@given(tickets=_year_of_tickets())
def test_every_ticket_is_judged_at_most_once_and_pending_only_when_unknown(
    tickets: list[dict[str, Any]],
) -> None:
    """Over a generated year: met + breached over all months + the tickets still open at the
    end of December (open where they belong, never judged later) = every ticket; a month by
    itself (three of them, for time) gives the same figures as the run over all months."""
    plan = _plan()
    rows = {"tickets": tickets}
    found = measure_rows(plan, copy.deepcopy(rows), MONTHS, KINDS)
    share = [m for m in found if m.objective == "resolve-3d"]
    judged = sum(m.met + m.breached for m in share)
    still_open = sum(m.open for m in share) - sum(m.carried for m in share)
    year_end = datetime(2027, 1, 1, tzinfo=UTC)
    never_known = sum(
        1
        for t in tickets
        if (t["resolved_at"] is None or t["resolved_at"] > year_end)
        and year_end - t["created_at"] <= timedelta(days=3)
    )
    assert judged + still_open == len(tickets)
    assert still_open == never_known
    for month in (MONTHS[0], MONTHS[5], MONTHS[11]):
        alone = measure_rows(plan, copy.deepcopy(rows), [month], KINDS)
        assert alone == [m for m in found if m.period == month]


@settings(DIFFERENTIAL, max_examples=30)
@given(case=ticket_cases())
def test_one_period_at_a_time_gives_the_figures_of_one_run(case: Any) -> None:
    """For every generated ticket contract (membership, open items, calendars, pauses, reopened
    cycles, exclusions, rolling and calendar periods): each period evaluated alone equals that
    period of the run over all of them."""
    plan = compile_case(case)
    together = measure_rows(plan, copy.deepcopy(case.rows), case.period_ids, KINDS)
    for period in case.period_ids:
        alone = measure_rows(plan, copy.deepcopy(case.rows), [period], KINDS)
        assert alone == [m for m in together if m.period == period], period


BY_END = CONTRACT.replace(
    "duration: {from: created_at, to: resolved_at}",
    "duration: {from: created_at, to: resolved_at, period_membership: end}",
)


def test_by_its_end_an_item_is_open_where_it_starts_and_judged_where_it_ends() -> None:
    """`period_membership: end` (docs/semantics.md, "Membership"), by hand. T-1: created 30
    March 10:00, resolved 1 April 10:00 (48 h, met): open in March (its end after March's end),
    met in April, carried. T-2: created 30 March, never resolved: open in March for good, even
    overdue (judged by its end, it would otherwise be judged twice once it ends); before, it
    was in no month at all. T-3: 2 April 09:00 → 10:00, met in April. T-4: 28 February 12:00 →
    2 April 12:00 (33 d, late): open in February, breached in April, carried (not March: its
    end is in April).

    February: 0/0, open 1. March: 0/0, open 2. April: met T-1, T-3; breached T-4: 2/3, carried
    2. The mean (resolved items, where each ends): April (172,800 + 3,600 + 2,851,200) / 3 =
    1,009,200 s, carried 2."""
    rows = {
        "tickets": [
            _ticket("T-1", "2026-03-30T10:00+00:00", "2026-04-01T10:00+00:00"),
            _ticket("T-2", "2026-03-30T10:00+00:00", None),
            _ticket("T-3", "2026-04-02T09:00+00:00", "2026-04-02T10:00+00:00"),
            _ticket("T-4", "2026-02-28T12:00+00:00", "2026-04-02T12:00+00:00"),
        ]
    }
    plan = _plan(BY_END)
    months = ["2026-02", "2026-03", "2026-04"]
    got = _by(measure_rows(plan, copy.deepcopy(rows), months, KINDS))
    feb, mar, apr = (got[m, "resolve-3d"] for m in months)
    assert (feb.met, feb.breached, feb.open, feb.carried) == (0, 0, 1, 0)
    assert (mar.met, mar.breached, mar.open, mar.carried) == (0, 0, 2, 0)
    assert (apr.met, apr.breached, apr.open, apr.carried) == (2, 1, 0, 2)
    mean = got["2026-04", "mean"]
    assert (mean.sample, mean.value, mean.carried) == (3, 1_009_200, 2)
    for month in months:
        alone = _by(measure_rows(plan, copy.deepcopy(rows), [month], KINDS))
        assert alone[month, "resolve-3d"] == got[month, "resolve-3d"]
        assert alone[month, "mean"] == got[month, "mean"]
    assert reference_measure(plan, copy.deepcopy(rows), months) == list(
        measure_rows(plan, copy.deepcopy(rows), months, KINDS)
    )


@settings(DIFFERENTIAL, max_examples=40)
@given(tickets=_year_of_tickets())
def test_by_its_end_every_ticket_is_judged_once_or_open_where_it_starts(
    tickets: list[dict[str, Any]],
) -> None:
    """By its end, over a generated year: every ticket is judged once (in the month of its
    end) or, not ended by the end of December, open in the month of its start and nowhere
    else; a month by itself gives the figures of the run over all months."""
    plan = _plan(BY_END)
    rows = {"tickets": tickets}
    found = measure_rows(plan, copy.deepcopy(rows), MONTHS, KINDS)
    share = [m for m in found if m.objective == "resolve-3d"]
    judged = sum(m.met + m.breached for m in share)
    year_end = datetime(2027, 1, 1, tzinfo=UTC)
    ended = sum(1 for t in tickets if t["resolved_at"] is not None and t["resolved_at"] < year_end)
    assert judged == ended
    still_open = sum(m.open for m in share) - sum(m.carried for m in share)
    assert judged + still_open == len(tickets)
    for month in (MONTHS[0], MONTHS[5], MONTHS[11]):
        alone = measure_rows(plan, copy.deepcopy(rows), [month], KINDS)
        assert alone == [m for m in found if m.period == month]


PAUSED = (
    CONTRACT.replace(
        """      resolved_at: {type: timestamp}
metrics:""",
        """      resolved_at: {type: timestamp}
  pauses:
    kind: intervals
    parent: {dataset: tickets, key: ticket_id}
    fields:
      ticket_id: {type: string}
      start: {type: timestamp}
      end: {type: timestamp}
metrics:""",
    )
    .replace(
        "duration: {from: created_at, to: resolved_at}",
        "duration: {from: created_at, to: resolved_at, pause: {dataset: pauses, start: start, end: end}}",
    )
    .replace("within: 3d", "within: 1d")
)


def test_each_window_clips_an_items_pauses_to_what_it_knows() -> None:
    """An item has a row in its own month and one in each later month it may be carried to,
    and each row's pauses are clipped to what that month knows. T-1: created 30 January
    00:00 UTC, resolved 3 February 00:00, paused 31 January 12:00 – 5 February. At January's
    end (1 February 00:00) it has run 48 h, 12 h of them paused: 36 h > 1 d, overdue, so it is
    breached in January and judged nowhere else. (Its February row, paused 60 h by 3 February,
    would say 96 − 60 = 36 h: taking that row's pauses for January's would leave January open
    and breach it in February instead.)"""
    plan = _plan(PAUSED)
    rows = {
        "tickets": [_ticket("T-1", "2026-01-30T00:00+00:00", "2026-02-03T00:00+00:00")],
        "pauses": [
            {
                "ticket_id": "T-1",
                "start": datetime.fromisoformat("2026-01-31T12:00+00:00"),
                "end": datetime.fromisoformat("2026-02-05T00:00+00:00"),
            }
        ],
    }
    months = ["2026-01", "2026-02"]
    got = _by(measure_rows(plan, copy.deepcopy(rows), months, KINDS))
    jan, feb = (got[m, "resolve-3d"] for m in months)
    assert (jan.met, jan.breached, jan.open) == (0, 1, 0)
    assert (feb.met, feb.breached, feb.open, feb.carried) == (0, 0, 0, 0)
    assert reference_measure(plan, copy.deepcopy(rows), months) == list(
        measure_rows(plan, copy.deepcopy(rows), months, KINDS)
    )
