"""The breached-items annex (issue 16, item 3): each objective result lists the items that
missed their own threshold: how many, and the first 20, worst first, ties by item key.

Every figure below was worked out by hand from the rows (the working is in the comments), and
the SQL engine must give exactly those: through `slac evaluate`, then `slac render` from the
saved results.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from slac.cli import cli
from slac.evaluation.measurement import MISSES_SHOWN

CONTRACT = """\
slac: 1
id: annex-test
version: "1"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: Europe/Berlin
parties:
  provider: {name: Provider}
  customer: {name: Customer}
datasets:
  tickets:
    kind: tickets
    key: id
    time: created_at
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      responded_at: {type: timestamp}
      priority: {type: string}
  pauses:
    kind: intervals
    parent: {dataset: tickets, key: ticket_id}
    fields:
      ticket_id: {type: string}
      start: {type: timestamp}
      end: {type: timestamp}
  calls:
    kind: contacts
    key: id
    time: at
    fields:
      id: {type: string}
      at: {type: timestamp}
      wait: {type: duration}
      outcome: {type: string}
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: ["09:00-17:00"]
metrics:
  office_response:
    dataset: tickets
    duration:
      from: created_at
      to: responded_at
      calendar: office
      pause: {dataset: pauses, start: start, end: end}
  response:
    dataset: tickets
    duration: {from: created_at, to: responded_at}
  answered:
    dataset: calls
    service_level: {within: 20s, wait: wait, outcome: outcome, answered: answered, abandoned: abandoned}
objectives:
  - id: office
    title: P2 answered within 2 business hours
    metric: office_response
    where: {priority: P2}
    within: 2 business hours
    target: ">= 90%"
    open_items: judge-overdue
  - id: fast
    title: P1 answered within 1 hour
    metric: response
    where: {priority: P1}
    within: 1h
    target: ">= 90%"
  - id: mean
    title: P1 answered in 1 hour on average
    metric: response
    where: {priority: P1}
    statistic: mean
    target: "<= 1h"
  - id: calls
    title: Calls answered within 20 s
    metric: answered
    target: ">= 80%"
"""

# P2 on the office calendar (Mon-Fri 09:00-17:00 Berlin, October 2026 is CEST until the 25th),
# 2 business hours = 7200 s:
# A  Mon 5 Oct 08:00 (clock from 09:00) → 12:00: 3 h, over 1 h; due Mon 11:00.
# B  Mon 5 Oct 16:00 → Tue 10:30: 1 h + 1.5 h = 2.5 h, over 30 min; due Tue 10:00.
# C  Tue 6 Oct 10:00 → 11:00: met.
# D  Fri 9 Oct 16:30 → Mon 12 Oct 11:30: 0.5 h + 2.5 h = 3 h, over 1 h; due Mon 10:30.
# E  Wed 14 Oct 09:00, no reply: overdue at the month's end, open; 13 business days of 8 h
#    (14-16, 19-23, 26-30 Oct) = 104 h = 374400 s, over 102 h; due Wed 11:00.
# F  Thu 15 Oct 09:00 → 13:00, paused 10:00-11:00: 3 h, over 1 h; no due (its clock paused).
# Worst first: E (102 h), then A, D, F (1 h each, by key), then B.
OFFICE_TICKETS = [
    ("A", "2026-10-05T08:00:00+02:00", "2026-10-05T12:00:00+02:00"),
    ("B", "2026-10-05T16:00:00+02:00", "2026-10-06T10:30:00+02:00"),
    ("C", "2026-10-06T10:00:00+02:00", "2026-10-06T11:00:00+02:00"),
    ("D", "2026-10-09T16:30:00+02:00", "2026-10-12T11:30:00+02:00"),
    ("E", "2026-10-14T09:00:00+02:00", ""),
    ("F", "2026-10-15T09:00:00+02:00", "2026-10-15T13:00:00+02:00"),
]
PAUSES = "ticket_id,start,end\nF,2026-10-15T10:00:00+02:00,2026-10-15T11:00:00+02:00\n"


def p1_tickets(count: int) -> list[tuple[str, str, str]]:
    """P1 ticket L-k (k = 1..count) created on 2 Oct at k:00 UTC, answered 60 + k minutes
    later: over by k minutes; M-1 is answered in 30 minutes (met)."""
    start = datetime(2026, 10, 2, tzinfo=UTC)
    rows = []
    for k in range(1, count + 1):
        created = start + timedelta(hours=k - 1)
        answered = created + timedelta(minutes=60 + k)
        rows.append((f"L-{k:02d}", created.isoformat(), answered.isoformat()))
    return [*rows, ("M-1", "2026-10-03T10:00:00Z", "2026-10-03T10:30:00Z")]


# Calls (20 s): K-1 answered in 10 s (met), K-2 answered in 50 s (over 30 s), K-3 abandoned
# after 45 s (over 25 s: counted against by the default formula), K-4 abandoned after 5 s (not
# counted), K-5 answered in 21 s (over 1 s).
CALLS = """\
id,at,wait,outcome
K-1,2026-10-05T10:00:00Z,10,answered
K-2,2026-10-05T11:00:00Z,50,answered
K-3,2026-10-05T12:00:00Z,45,abandoned
K-4,2026-10-05T13:00:00Z,5,abandoned
K-5,2026-10-05T14:00:00Z,21,answered
"""


Ticket = tuple[str, str, str]


def write(folder: Path, p1: int, office: list[Ticket], calls: str) -> list[str]:
    folder.mkdir(exist_ok=True)
    (folder / "contract.yaml").write_text(CONTRACT, encoding="utf-8")
    lines = ["id,created_at,responded_at,priority"]
    lines += [f"{k},{c},{r},P2" for k, c, r in office]
    lines += [f"{k},{c},{r},P1" for k, c, r in p1_tickets(p1)]
    (folder / "tickets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pauses = PAUSES if any(k == "F" for k, _, _ in office) else PAUSES.splitlines()[0] + "\n"
    (folder / "pauses.csv").write_text(pauses, encoding="utf-8")
    (folder / "calls.csv").write_text(calls, encoding="utf-8")
    return [
        f"--data=tickets={folder / 'tickets.csv'}",
        f"--data=pauses={folder / 'pauses.csv'}",
        f"--data=calls={folder / 'calls.csv'}",
    ]


def evaluate(
    folder: Path, p1: int = 3, office: list[Ticket] = OFFICE_TICKETS, calls: str = CALLS
) -> dict[str, Any]:
    """The October results, saved to folder/results.json; objective id → its result."""
    data = write(folder, p1, office, calls)
    out = folder / "results.json"
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(folder / "contract.yaml"), "--period", "2026-10", "--today",
         "2026-11-01", *data, "-o", str(out), "--quiet"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (period,) = json.loads(out.read_text("utf-8"))["periods"]
    return {o["objective"]: o for o in period["objectives"]}


def items(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (m["item"], m["measured"], m["threshold"], m["over"], m["due"], m["note"])
        for m in result["misses"]["shown"]
    ]


def test_business_hours_misses_worst_first_with_their_deadlines(tmp_path: Path) -> None:
    office = evaluate(tmp_path)["office"]
    assert (office["met"], office["breached"]) == (1, 5)
    misses = office["misses"]
    assert (misses["count"], misses["unit"], misses["business"]) == (5, "seconds", True)
    assert items(office) == [
        ("E", "374400", "7200", "367200", "2026-10-14T11:00:00+02:00", "open"),
        ("A", "10800", "7200", "3600", "2026-10-05T11:00:00+02:00", ""),
        ("D", "10800", "7200", "3600", "2026-10-12T10:30:00+02:00", ""),
        ("F", "10800", "7200", "3600", None, ""),
        ("B", "9000", "7200", "1800", "2026-10-06T10:00:00+02:00", ""),
    ]


def test_at_most_20_are_listed_the_rest_counted(tmp_path: Path) -> None:
    # 25 P1 tickets over by 1..25 minutes: L-25 first, down to L-06; L-05..L-01 are left out.
    fast = evaluate(tmp_path, p1=MISSES_SHOWN + 5)["fast"]
    assert (fast["breached"], fast["misses"]["count"]) == (25, 25)
    listed = items(fast)
    assert len(listed) == MISSES_SHOWN == 20
    assert [i[0] for i in listed] == [f"L-{k:02d}" for k in range(25, 5, -1)]
    # L-25: created 3 Oct 00:00Z, answered 01:25Z: 1 h 25 min; due 01:00Z (03:00 in Berlin).
    assert listed[0] == ("L-25", "5100", "3600", "1500", "2026-10-03T03:00:00+02:00", "")
    assert listed[-1][:4] == ("L-06", "3960", "3600", "360")


def test_kinds_without_item_thresholds_list_none_and_service_levels_list_contacts(
    tmp_path: Path,
) -> None:
    results = evaluate(tmp_path)
    assert results["mean"]["misses"] is None  # a mean judges no item by itself
    calls = results["calls"]
    assert calls["misses"]["count"] == 3
    assert items(calls) == [
        ("K-2", "50", "20", "30", None, ""),
        ("K-3", "45", "20", "25", None, "abandoned"),
        ("K-5", "21", "20", "1", None, ""),
    ]


def test_the_order_does_not_depend_on_the_order_of_the_rows(tmp_path: Path) -> None:
    first = evaluate(tmp_path / "a", p1=MISSES_SHOWN + 5)
    second = evaluate(tmp_path / "b", p1=MISSES_SHOWN + 5, office=OFFICE_TICKETS[::-1])
    for objective in ("office", "fast"):
        assert items(first[objective]) == items(second[objective])


def render(folder: Path, fmt: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["render", str(folder / "results.json"), "--contract", str(folder / "contract.yaml"),
         "--format", fmt],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def test_render_from_saved_results_shows_the_annex(tmp_path: Path) -> None:
    evaluate(tmp_path, p1=MISSES_SHOWN + 5)
    md = render(tmp_path, "md")
    annex = md[md.index("## Annex: breached items") : md.index("## Provenance")]
    assert "### 2026-10: P2 answered within 2 business hours\n\n5 missed.\n" in annex
    assert (
        "| E (open at the period's end) | 104 business hours | 2 business hours, due "
        "14 October 2026 11:00 (UTC+02:00) | 102 business hours |"
    ) in annex
    assert "| F | 3 business hours | 2 business hours | 1 business hour |" in annex
    assert "25 missed, 20 listed." in annex
    assert (
        "5 more not listed: run `slac evaluate CONTRACT --evidence DIR` and see "
        "DIR/evidence.parquet (objective fast, period 2026-10)"
    ) in annex
    assert "P1 answered in 1 hour on average" not in annex  # a mean lists nothing
    assert annex.count("| L-") == 20
    txt = render(tmp_path, "txt")
    assert (
        "    - K-3 (abandoned): measured 45 seconds, deadline 20 seconds, over by 25 seconds"
        in (txt)
    )
    html = render(tmp_path, "html")
    assert '<section class="annex">' in html and html.count("<td>L-") == 20


def test_nothing_missed_is_said(tmp_path: Path) -> None:
    results = evaluate(
        tmp_path,
        p1=0,
        office=[("C", "2026-10-06T10:00:00+02:00", "2026-10-06T11:00:00+02:00")],
        calls="id,at,wait,outcome\nK-1,2026-10-05T10:00:00Z,10,answered\n",
    )
    assert results["office"]["misses"] == {
        "business": True,
        "business_days": None,
        "count": 0,
        "shown": [],
        "unit": "seconds",
    }
    assert "## Annex: breached items\n\nNo item missed its threshold.\n" in render(tmp_path, "md")


def test_the_reference_evaluator_lists_the_same_misses() -> None:
    """The engine against the plain reference evaluator on these rows (the generated cases of
    test_differential.py rarely miss many items in one group: here 25, with ties)."""
    from .strategies import Case
    from .test_differential import agree

    def when(text: str) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    tickets = [
        {"id": k, "created_at": when(c), "responded_at": when(r), "priority": p}
        for p, rows in (("P2", OFFICE_TICKETS), ("P1", p1_tickets(MISSES_SHOWN + 5)))
        for k, c, r in rows
    ]
    pauses = [
        {"ticket_id": k, "start": when(s), "end": when(e)}
        for k, s, e in (line.split(",") for line in PAUSES.splitlines()[1:])
    ]
    calls = [
        {"id": k, "at": when(a), "wait": int(w), "outcome": o}
        for k, a, w, o in (line.split(",") for line in CALLS.splitlines()[1:])
    ]
    rows = {"tickets": tickets, "pauses": pauses, "calls": calls}
    agree(Case(CONTRACT, rows, ["2026-10", "2026-11"]))
