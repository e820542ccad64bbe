"""Reopened tickets: `reopened: each-cycle` judges each cycle of a ticket on its own, from the
reopen rows the metric's `cycles` names; `first-cycle` (the default) judges the ticket's own
row only and reads the reopen rows without judging them (issue 10, item 6).

The published behaviour followed is Jira Service Management's. Its Server REST API (Get SLA
information for a customer request, as reproduced in
https://mrrefactoring.github.io/jira.js/api/functions/serviceDeskServer.getSlaInformationById)
says: "A request can have zero or more SLA values. Each SLA value can have zero or more
"completed cycles" and zero or 1 "ongoing cycles".Each cycle has information on when it started
and stopped, and whether it breached the SLA goal." An SLA counts from a start condition to a
stop condition (pausing on its pause conditions). Atlassian's list of conditions
(https://support.atlassian.com/jira/kb/understand-sla-condition-options-in-jira-service-management-cloud/)
has "Entered Status: [NAME OF STATUS e.g., Open or Closed]" and, for "Resolution: Cleared",
"It helps track items that are reopened or need further attention.": a resolution SLA that
also starts when a resolved issue is reopened starts a new cycle, and each cycle is met or
breached on its own (paraphrased: no single Atlassian sentence says so).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner

from slac.api import compile_plan
from slac.cli import cli
from slac.evaluation.runner import measure_rows
from slac.kinds import KINDS

from .reference import reference_measure

UTC = ZoneInfo("UTC")

CONTRACT = """\
slac: 1
id: reopen-test
version: "1"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: UTC
parties:
  provider: {name: Provider}
  customer: {name: Customer}
semantics: {reopened: REOPENED}
datasets:
  tickets:
    kind: tickets
    key: id
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      resolved_at: {type: timestamp}
  reopens:
    kind: events
    parent: {dataset: tickets, key: ticket_id}
    fields:
      ticket_id: {type: string}
      reopened_at: {type: timestamp}
      resolved_at: {type: timestamp}
  pauses:
    kind: intervals
    parent: {dataset: tickets, key: ticket_id}
    fields: {ticket_id: {type: string}, start: {type: timestamp}, end: {type: timestamp}}
metrics:
  resolution:
    dataset: tickets
    duration:
      from: created_at
      to: resolved_at
      pause: {dataset: pauses, start: start, end: end}
      cycles: {dataset: reopens, start: reopened_at, end: resolved_at}
objectives:
  - {id: resolve-4h, metric: resolution, within: 4h, target: ">= 90%"}
"""

TICKETS = "id,created_at,resolved_at\nT-1,2026-10-05T09:00:00Z,2026-10-05T11:00:00Z\n"
REOPENS = "ticket_id,reopened_at,resolved_at\nT-1,2026-10-05T14:00:00Z,2026-10-05T20:00:00Z\n"
NO_PAUSES = "ticket_id,start,end\n"


def write_case(
    folder: Path,
    reopened: str,
    tickets: str = TICKETS,
    reopens: str = REOPENS,
    pauses: str = NO_PAUSES,
) -> Path:
    contract = folder / "contract.yaml"
    contract.write_text(CONTRACT.replace("REOPENED", reopened), encoding="utf-8")
    for name, text in (("tickets", tickets), ("reopens", reopens), ("pauses", pauses)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return contract


def evaluate(folder: Path, contract: Path, *extra: str) -> dict[str, Any]:
    data = [f"--data={n}={folder / n}.csv" for n in ("tickets", "reopens", "pauses")]
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(contract), "--period", "2026-10", "--today", "2026-11-01", *data, *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def objective(doc: dict[str, Any]) -> dict[str, Any]:
    (period,) = doc["periods"]
    (found,) = period["objectives"]
    result: dict[str, Any] = found
    return result


def test_each_cycle_judges_the_reopened_cycle_on_its_own(tmp_path: Path) -> None:
    """T-1 created 09:00, resolved 11:00 (cycle 1: 2 h ≤ 4 h, met), reopened 14:00, resolved
    20:00 (cycle 2: 6 h > 4 h, breached): 1 of 2 cycles met = 50%, below 90%: breached. The
    3 h between 11:00 and 14:00 belong to no cycle."""
    contract = write_case(tmp_path, "each-cycle")
    result = objective(evaluate(tmp_path, contract, "--evidence", str(tmp_path / "ev")))
    assert (result["met"], result["breached"], result["sample"]) == (1, 1, 2)
    assert result["measured"] == "0.5"
    assert result["status"] == "breached"
    rows = duckdb.sql(
        f"SELECT item, outcome, value FROM '{tmp_path / 'ev' / 'evidence.parquet'}' ORDER BY item"
    ).fetchall()
    assert [(item, outcome, str(value)) for item, outcome, value in rows] == [
        ("T-1#1", "met", "7200.000000"),
        ("T-1#2", "breached", "21600.000000"),
    ]


def test_first_cycle_judges_only_the_tickets_own_row(tmp_path: Path) -> None:
    """The same ticket with `first-cycle`: only 09:00–11:00 (2 h, met) is judged: 1 of 1 =
    100%, met. The reopen row is still read: the results count it among the inputs."""
    contract = write_case(tmp_path, "first-cycle")
    doc = evaluate(tmp_path, contract, "--evidence", str(tmp_path / "ev"))
    result = objective(doc)
    assert (result["met"], result["breached"], result["sample"]) == (1, 0, 1)
    assert result["measured"] == "1"
    assert result["status"] == "met"
    inputs = {i["dataset"]: i["rows"] for i in doc["inputs"]}
    assert inputs["reopens"] == 1
    rows = duckdb.sql(f"SELECT item FROM '{tmp_path / 'ev' / 'evidence.parquet'}'").fetchall()
    assert rows == [("T-1",)]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _measure_both(tmp_path: Path, reopened: str, rows: dict[str, list[dict[str, Any]]]) -> Any:
    contract = write_case(tmp_path, reopened)
    text = contract.read_text(encoding="utf-8").replace(
        "  - {id: resolve-4h",
        '  - {id: longest, metric: resolution, statistic: max, target: "<= 4h"}\n  - {id: resolve-4h',
    )
    contract.write_text(text, encoding="utf-8")
    plan = compile_plan(str(contract)).value
    assert plan is not None
    periods = ["2026-10", "2026-11"]
    engine = measure_rows(plan, copy.deepcopy(rows), periods, KINDS)
    assert list(engine) == reference_measure(plan, copy.deepcopy(rows), periods)
    return {(m.period, m.objective): m for m in engine}


ACROSS_MONTHS: dict[str, list[dict[str, Any]]] = {
    "tickets": [
        {"id": "T-2", "created_at": _at("2026-10-31T22:00"), "resolved_at": _at("2026-10-31T23:00")}
    ],
    "reopens": [
        {
            "ticket_id": "T-2",
            "reopened_at": _at("2026-11-02T09:00"),
            "resolved_at": _at("2026-11-02T15:00"),
        }
    ],
    "pauses": [
        {"ticket_id": "T-2", "start": _at("2026-10-31T22:30"), "end": _at("2026-11-02T09:30")},
        {"ticket_id": "T-2", "start": _at("2026-11-02T10:00"), "end": _at("2026-11-02T13:00")},
    ],
}


def test_each_cycle_has_its_own_period_and_its_own_part_of_the_pauses(tmp_path: Path) -> None:
    """T-2: cycle 1 from 31 Oct 22:00 to 23:00 (UTC), cycle 2 from 2 Nov 09:00 to 15:00. A
    pause from 31 Oct 22:30 to 2 Nov 09:30 is clipped to each cycle: 30 min off cycle 1
    (60 − 30 = 30 min = 1800 s, October) and 30 min off cycle 2, which also loses the pause
    10:00–13:00 (360 − 30 − 180 = 150 min = 9000 s ≤ 4 h, met, November). Each cycle is placed
    by its own start: October 1 of 1 met, max 1800 s; November 1 of 1 met, max 9000 s. The
    engine and the reference evaluator agree."""
    found = _measure_both(tmp_path, "each-cycle", ACROSS_MONTHS)
    october, november = found["2026-10", "resolve-4h"], found["2026-11", "resolve-4h"]
    assert (october.met, october.breached, november.met, november.breached) == (1, 0, 1, 0)
    assert found["2026-10", "longest"].value == 1800
    assert found["2026-11", "longest"].value == 9000


def test_first_cycle_leaves_the_later_month_without_items(tmp_path: Path) -> None:
    """The same rows with `first-cycle`: only cycle 1 (1800 s, October) is an item; November
    has nothing to judge (sample 0, no value)."""
    found = _measure_both(tmp_path, "first-cycle", ACROSS_MONTHS)
    assert found["2026-10", "longest"].value == 1800
    november = found["2026-11", "resolve-4h"]
    assert (november.sample, november.value) == (0, None)


def test_an_open_later_cycle_is_judged_when_overdue(tmp_path: Path) -> None:
    """T-1 reopened 30 Oct 14:00 and not resolved again: at the end of October (31 Oct 24:00
    UTC) it has been open 34 h > 4 h, so with `open_items: judge-overdue` (default) cycle 2
    is breached: cycle 1 met (2 h), 1 of 2 = 50%."""
    rows: dict[str, list[dict[str, Any]]] = {
        "tickets": [
            {
                "id": "T-1",
                "created_at": _at("2026-10-05T09:00"),
                "resolved_at": _at("2026-10-05T11:00"),
            }
        ],
        "reopens": [
            {"ticket_id": "T-1", "reopened_at": _at("2026-10-30T14:00"), "resolved_at": None}
        ],
        "pauses": [],
    }
    october = _measure_both(tmp_path, "each-cycle", rows)["2026-10", "resolve-4h"]
    assert (october.met, october.breached, october.open) == (1, 1, 0)
    assert october.value == Decimal("0.5")


@pytest.mark.parametrize(
    ("reopens", "problem"),
    [
        (
            "ticket_id,reopened_at,resolved_at\nT-9,2026-10-05T14:00:00Z,\n",
            "reopen of an unknown item T-9",
        ),
        (
            "ticket_id,reopened_at,resolved_at\nT-1,2026-10-05T14:00:00Z,2026-10-05T13:00:00Z\n",
            "cycle ends before it starts",
        ),
        (
            "ticket_id,reopened_at,resolved_at\nT-1,,2026-10-05T13:00:00Z\n",
            "reopen without its start",
        ),
    ],
)
def test_bad_reopen_rows_are_named_with_file_and_row(
    tmp_path: Path, reopens: str, problem: str
) -> None:
    contract = write_case(tmp_path, "each-cycle", reopens=reopens)
    data = [f"--data={n}={tmp_path / n}.csv" for n in ("tickets", "reopens", "pauses")]
    result = CliRunner().invoke(
        cli, ["evaluate", str(contract), "--period", "2026-10", *data], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert problem in result.stderr
    assert "reopens.csv:1: reopens.reopened_at: " + problem in result.stderr


def test_the_reopens_of_a_bad_ticket_are_bad_rows_counted_in_the_row_account(
    tmp_path: Path,
) -> None:
    """T-1 has no start (bad), so its two reopens have no item to be judged with: each is a
    bad row of its own, named. T-2 09:00–10:00 (1 h, met) and its reopen 12:00–13:00 (1 h,
    met) are judged; its second reopen ends before it starts (bad).

    Rows read: 2 tickets + 4 reopens = 6 = 2 cycles judged + 4 bad (T-1, its 2 reopens, and
    T-2's backwards reopen). Before, T-1's reopens fell out of the account: input 3."""
    tickets = (
        "id,created_at,resolved_at\n"
        "T-1,,2026-10-05T11:00:00Z\n"
        "T-2,2026-10-06T09:00:00Z,2026-10-06T10:00:00Z\n"
    )
    reopens = (
        "ticket_id,reopened_at,resolved_at\n"
        "T-1,2026-10-05T14:00:00Z,2026-10-05T15:00:00Z\n"
        "T-1,2026-10-07T14:00:00Z,2026-10-07T16:00:00Z\n"
        "T-2,2026-10-06T12:00:00Z,2026-10-06T13:00:00Z\n"
        "T-2,2026-10-08T12:00:00Z,2026-10-08T11:00:00Z\n"
    )
    contract = write_case(tmp_path, "each-cycle", tickets=tickets, reopens=reopens)
    data = [f"--data={n}={tmp_path / n}.csv" for n in ("tickets", "reopens", "pauses")]
    failed = CliRunner().invoke(
        cli, ["evaluate", str(contract), "--period", "2026-10", *data], catch_exceptions=False
    )
    assert failed.exit_code == 1
    for row in (1, 2):
        assert (
            f"reopens.csv:{row}: reopens.reopened_at: reopen of item T-1, whose row is bad"
            in failed.stderr
        )
    doc = evaluate(tmp_path, contract, "--on-bad-rows", "exclude")
    assert doc["bad_rows"] == 4
    result = objective(doc)
    assert (result["met"], result["breached"], result["sample"]) == (2, 0, 2)
    (acc,) = doc["row_accounts"]
    assert {k: v for k, v in acc.items() if k not in ("objective", "dataset")} == {
        "input": 6,
        "judged": 2,
        "excluded": 0,
        "filtered": 0,
        "outside": 0,
        "bad": 4,
        "pending": 0,
    }
