"""Every row of an objective's dataset is accounted for in the results (issue 12): judged,
excluded, filtered, outside every evaluated period, bad, or pending; none disappears."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac.cli import cli
from slac.kinds import availability

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/contract.yaml"))
SMALL = ROOT / "tests" / "data" / "evaluate"
PARTS = ("judged", "excluded", "filtered", "outside", "bad", "pending")
TICKETS = "id,created_at,resolved_at,priority,reopened\n"


def evaluate(contract: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["evaluate", str(contract), "--today", "2026-11-01", *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def account(doc: dict[str, Any], objective: str) -> dict[str, int]:
    found = [a for a in doc["row_accounts"] if a["objective"] == objective]
    assert len(found) == 1, objective
    return {k: v for k, v in found[0].items() if k not in ("objective", "dataset")}


def small_case(tmp_path: Path, tickets: str, objective_where: str | None = None) -> Path:
    case = tmp_path / "case"
    shutil.copytree(SMALL, case)
    (case / "data" / "tickets.csv").write_text(TICKETS + tickets, encoding="utf-8")
    if objective_where:
        contract = case / "contract.yaml"
        text = contract.read_text(encoding="utf-8")
        text = text.replace(
            "    metric: resolution\n", f"    metric: resolution\n    where: {objective_where}\n"
        )
        contract.write_text(text, encoding="utf-8")
    return case / "contract.yaml"


# ---------------------------------------------------------------- empty start: bad data

FOUR_ONE_WITHOUT_START = (
    "T-1,,2026-10-05T10:00:00+02:00,P1,0\n"
    "T-2,2026-10-06T09:00:00+02:00,2026-10-06T15:00:00+02:00,P2,1\n"
    "T-3,2026-10-07T09:00:00+02:00,2026-10-07T12:00:00+02:00,P1,0\n"
    "T-4,2026-10-08T09:00:00+02:00,2026-10-08T14:00:00+02:00,P2,0\n"
)


def test_an_empty_start_is_a_bad_row_named_with_file_and_row(tmp_path: Path) -> None:
    code, _, err = evaluate(small_case(tmp_path, FOUR_ONE_WITHOUT_START), "--period", "2026-10")
    assert code != 0
    assert "tickets.csv:1: tickets.created_at: created_at is empty: the item has no start" in err


def test_excluding_bad_rows_judges_three_tickets_and_reports_one_bad(tmp_path: Path) -> None:
    contract = small_case(tmp_path, FOUR_ONE_WITHOUT_START)
    code, out, err = evaluate(contract, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["bad_rows"] == 1
    # T-2 6 h (breached), T-3 3 h (met), T-4 5 h less a 2 h pause = 3 h (met): 2 of 3.
    resolve = next(o for o in doc["periods"][0]["objectives"] if o["objective"] == "resolve-4h")
    assert (resolve["sample"], resolve["met"], resolve["breached"]) == (3, 2, 1)
    assert account(doc, "resolve-4h") == {
        "input": 4,
        "judged": 3,
        "excluded": 0,
        "filtered": 0,
        "outside": 0,
        "bad": 1,
        "pending": 0,
    }


# ---------------------------------------------------------------- one case per category


def test_each_category_counted_by_hand(tmp_path: Path) -> None:
    tickets = (
        "T-1,,2026-10-05T10:00:00+02:00,P1,0\n"  # bad: no start
        "T-2,2026-10-06T09:00:00+02:00,2026-10-06T15:00:00+02:00,P2,1\n"  # filtered: P2
        "T-3,2026-10-07T09:00:00+02:00,2026-10-07T12:00:00+02:00,P1,0\n"  # judged: 3 h, met
        "T-4,2026-10-08T09:00:00+02:00,2026-10-08T14:00:00+02:00,P2,0\n"  # filtered: P2
        "T-5,2026-11-03T09:00:00+01:00,2026-11-03T10:00:00+01:00,P1,0\n"  # outside: November
        # pending: open at the month's end after 1 h of its 4 h, so not yet overdue
        "T-6,2026-10-31T23:00:00+01:00,,P1,0\n"
    )
    contract = small_case(tmp_path, tickets, objective_where="{priority: P1}")
    code, out, err = evaluate(contract, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err
    doc = json.loads(out)
    assert account(doc, "resolve-4h") == {
        "input": 6,
        "judged": 1,
        "excluded": 0,
        "filtered": 2,
        "outside": 1,
        "bad": 1,
        "pending": 1,
    }
    # The three surveys of October, all answered.
    assert account(doc, "csat") == {
        "input": 3,
        "judged": 3,
        "excluded": 0,
        "filtered": 0,
        "outside": 0,
        "bad": 0,
        "pending": 0,
    }


# ---------------------------------------------------------------- every example


@pytest.fixture(scope="module", params=EXAMPLES)
def example(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    contract = ROOT / "examples" / request.param / "contract.yaml"
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(contract), "--period", "2026-09", "--through", "2026-11"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return request.param, json.loads(result.stdout)


def test_every_row_of_every_example_is_accounted_for(example: tuple[str, dict[str, Any]]) -> None:
    name, doc = example
    judged = {o["objective"] for p in doc["periods"] for o in p["objectives"]}
    counted = {a["objective"] for a in doc["row_accounts"]}
    assert judged - counted == set(), name
    rows = {i["dataset"]: i["rows"] for i in doc["inputs"]}
    for acc in doc["row_accounts"]:
        assert acc["input"] == sum(acc[p] for p in PARTS), (name, acc)
        # Each cycle of a reopened item is an item of its own (it-outsourcing's incidents).
        assert acc["input"] >= rows[acc["dataset"]], (name, acc)


# ---------------------------------------------------------------- availability: probes, outages

AVAILABILITY = """\
slac: 1
kind: contract
id: availability-account
title: Availability row account
version: "1.0"
effective: {from: 2026-01-01, to: 2027-12-31}
review: {due: 2027-06-30, owner: provider}
timezone: UTC
parties:
  provider: {name: Example Hosting Ltd}
  customer: {name: ACME GmbH}
commercials: {currency: EUR, monthly_fee: "1000.00"}
datasets:
  probes:
    kind: probes
    key: id
    fields:
      id: {type: string}
      checked_at: {type: timestamp}
      region: {type: string}
      check: {type: string}
      result: {type: string}
  outages:
    kind: outages
    key: id
    fields:
      id: {type: string}
      service: {type: string}
      start: {type: timestamp}
      end: {type: timestamp}
  requests:
    kind: events
    key: id
    fields:
      id: {type: string}
      at: {type: timestamp}
      requests: {type: integer}
      errors: {type: integer}
  windows:
    kind: maintenance
    key: id
    fields:
      id: {type: string}
      start: {type: timestamp}
      end: {type: timestamp}
metrics:
  uptime:
    dataset: probes
    availability: {source: probes, time: checked_at, ok: {result: up}, interval: 1h}
  service_up:
    dataset: outages
    availability: {source: outages, start: start, end: end, min_outage: 5m}
  api_up:
    dataset: requests
    availability:
      source: error-rate
      time: at
      errors: errors
      requests: requests
      interval: 1h
      empty_interval: skip
objectives:
  - id: probe-uptime
    title: Uptime from HTTP probes
    metric: uptime
    where: {check: http}
    target: ">= 99%"
    scope: [region]
    responsible: provider
  - id: outage-uptime
    title: Uptime from outages
    metric: service_up
    target: ">= 99%"
    responsible: provider
  - id: api-uptime
    title: Uptime from request error rates
    metric: api_up
    target: ">= 99%"
    responsible: provider
exclusions:
  - id: planned
    maintenance: {dataset: windows}
  - id: preview
    reason: other
    where: {region: preview}
    applies_to: [probe-uptime]
  - id: blocked
    reason: customer-caused
    where: {result: blocked}
    applies_to: [probe-uptime]
  - id: test-service
    reason: other
    where: {service: test}
    applies_to: [outage-uptime]
"""

AVAILABILITY_BINDINGS = """\
bindings: 1
datasets:
  probes: {path: probes.csv}
  outages: {path: outages.csv}
  requests: {path: requests.csv}
  windows: {path: windows.csv}
"""

# Two maintenance windows (no notice asked): 2 October 05:00–06:00 and 10 October 02:00–04:00.
WINDOWS = (
    "id,start,end\n"
    "W-1,2026-10-02T05:00:00+00:00,2026-10-02T06:00:00+00:00\n"
    "W-2,2026-10-10T02:00:00+00:00,2026-10-10T04:00:00+00:00\n"
)
PROBES = (
    "id,checked_at,region,check,result\n"
    "P-1,2026-10-01T00:10:00+00:00,eu,http,up\n"  # judged
    "P-2,2026-10-01T00:40:00+00:00,eu,http,down\n"  # judged: the same hour, now down
    "P-3,2026-10-02T05:10:00+00:00,eu,http,up\n"  # excluded: its hour is maintenance (W-1)
    "P-4,2026-10-03T01:00:00+00:00,preview,http,up\n"  # excluded: preview
    "P-5,2026-10-03T02:00:00+00:00,eu,ping,up\n"  # filtered: not http
    "P-6,2026-11-01T00:10:00+00:00,eu,http,up\n"  # outside: November
    "P-7,2026-10-04T03:20:00+00:00,eu,http,up\n"  # excluded: its hour has P-8
    "P-8,2026-10-04T03:40:00+00:00,eu,http,blocked\n"  # excluded: blocked
    "P-9,yesterday,eu,http,up\n"  # bad: no instant
)
OUTAGES = (
    "id,service,start,end\n"
    "O-1,api,2026-10-05T10:00:00+00:00,2026-10-05T11:00:00+00:00\n"  # judged: 60 min
    "O-2,api,2026-10-06T10:00:00+00:00,2026-10-06T10:02:00+00:00\n"  # filtered: under 5 min
    "O-3,api,2026-10-10T02:30:00+00:00,2026-10-10T03:30:00+00:00\n"  # excluded: inside W-2
    "O-4,api,2026-10-10T03:30:00+00:00,2026-10-10T05:00:00+00:00\n"  # judged: 60 of 90 min
    "O-5,api,2026-10-31T23:00:00+00:00,2026-11-01T01:00:00+00:00\n"  # judged: 60 min in Oct
    "O-6,api,2026-11-15T10:00:00+00:00,2026-11-15T11:00:00+00:00\n"  # outside: November
    "O-7,test,2026-10-12T10:00:00+00:00,2026-10-12T11:00:00+00:00\n"  # excluded: test
)

REQUESTS = (
    "id,at,requests,errors\n"
    "R-1,2026-10-01T00:00:00+00:00,100,1\n"  # judged
    "R-2,2026-10-01T01:00:00+00:00,0,0\n"  # filtered: an hour without requests is skipped
    "R-3,2026-10-02T05:30:00+00:00,50,50\n"  # excluded: its hour is maintenance (W-1)
)


def availability_case(tmp_path: Path) -> Path:
    for name, text in (
        ("contract.yaml", AVAILABILITY),
        ("bindings.yaml", AVAILABILITY_BINDINGS),
        ("windows.csv", WINDOWS),
        ("probes.csv", PROBES),
        ("outages.csv", OUTAGES),
        ("requests.csv", REQUESTS),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "contract.yaml"


def test_probe_and_outage_rows_are_accounted_for_by_hand(tmp_path: Path) -> None:
    code, out, err = evaluate(
        availability_case(tmp_path), "--period", "2026-10", "--on-bad-rows", "exclude"
    )
    assert code == 0, err
    doc = json.loads(out)
    # Probes: a probe is judged when its hour counts; an hour in maintenance, or with a probe
    # that matches an exclusion, is left out whole, and so are its probes.
    assert account(doc, "probe-uptime") == {
        "input": 9,
        "judged": 2,  # P-1, P-2
        "excluded": 4,  # P-3 (maintenance), P-4 (preview), P-7 and P-8 (blocked hour)
        "filtered": 1,  # P-5
        "outside": 1,  # P-6
        "bad": 1,  # P-9
        "pending": 0,
    }
    # eu: 744 hours of October less the 3 hours of maintenance (W-1, W-2) and the blocked
    # hour = 740, one of them down.
    eu = next(
        o
        for o in doc["periods"][0]["objectives"]
        if o["objective"] == "probe-uptime" and o["scope"] == {"region": "eu"}
    )
    assert eu["sample"] == 740
    # Outages: placed by overlap with the period; judged when long enough and not wholly in
    # maintenance (O-4 is partly in it and still counts 60 minutes down).
    assert account(doc, "outage-uptime") == {
        "input": 7,
        "judged": 3,  # O-1, O-4, O-5
        "excluded": 2,  # O-3 (inside W-2), O-7 (test)
        "filtered": 1,  # O-2 (2 min < 5 min)
        "outside": 1,  # O-6
        "bad": 0,
        "pending": 0,
    }
    # Request rows: an hour without requests is left out of the mean (`empty_interval: skip`).
    assert account(doc, "api-uptime") == {
        "input": 3,
        "judged": 1,
        "excluded": 1,
        "filtered": 1,
        "outside": 0,
        "bad": 0,
        "pending": 0,
    }


ROLLING_PROBES = """\
  - id: probe-uptime-rolling
    title: Uptime from HTTP probes, rolling two months
    metric: uptime
    where: {check: http}
    target: ">= 99%"
    period: {rolling: 2, unit: month}
    scope: [region]
    responsible: provider
"""


def test_a_probe_in_two_rolling_windows_is_accounted_for_once(tmp_path: Path) -> None:
    """The October probes lie in both rolling windows of the run (September–October and
    October–November), November's only in the second: each row counts once, by its best
    outcome. Only `planned` maintenance applies to this objective (preview and blocked are the
    monthly objective's), so P-4, P-7 and P-8 are judged here."""
    contract = availability_case(tmp_path)
    text = contract.read_text(encoding="utf-8")
    anchor = "  - id: outage-uptime\n"
    contract.write_text(text.replace(anchor, ROLLING_PROBES + anchor), encoding="utf-8")
    code, out, err = evaluate(
        contract, "--period", "2026-10", "--through", "2026-11", "--on-bad-rows", "exclude"
    )
    assert code == 0, err
    assert account(json.loads(out), "probe-uptime-rolling") == {
        "input": 9,
        "judged": 6,  # P-1, P-2, P-4, P-7, P-8 (October, both windows), P-6 (November)
        "excluded": 1,  # P-3: its hour is maintenance (W-1)
        "filtered": 1,  # P-5: not http
        "outside": 0,
        "bad": 1,  # P-9
        "pending": 0,
    }


def test_a_field_named_as_a_column_of_the_account_in_other_case_is_the_fields(
    tmp_path: Path,
) -> None:
    """The account carries the columns of `where` beside its own (`si`, the scope value's
    number): a field `SI` is another name to the contract, the same one to DuckDB, and must
    still be read as the field."""
    contract = availability_case(tmp_path)
    text = contract.read_text(encoding="utf-8")
    text = text.replace("      check: {type: string}", "      SI: {type: string}")
    contract.write_text(text.replace("where: {check: http}", "where: {SI: http}"), "utf-8")
    probes = tmp_path / "probes.csv"
    probes.write_text(PROBES.replace(",check,", ",SI,", 1), encoding="utf-8")
    code, out, err = evaluate(contract, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err
    assert account(json.loads(out), "probe-uptime") == {
        "input": 9,
        "judged": 2,
        "excluded": 4,
        "filtered": 1,  # P-5: not http
        "outside": 1,
        "bad": 1,
        "pending": 0,
    }


def test_fields_named_as_the_bucketing_columns_are_the_fields(tmp_path: Path) -> None:
    """Probes and requests are counted by interval over columns slac names (`sc`, `ws`, `tm`,
    `up`, `xd`, `xid`, `er`, `rq`, `bucket`, `n`): fields of those names, in any case, must
    change nothing measured or accounted (the statements once read `t.*` beside their own
    `_sc` and `_ws`, and grouped by `sc` and `bucket`, which a field of that name took)."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "named").mkdir()
    plain = availability_case(tmp_path / "plain")
    code, out, err = evaluate(plain, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err
    named = availability_case(tmp_path / "named")
    extra = {"SC": "zz", "ws": "7", "tm": "3", "Up": "false", "xd": "true", "XID": "zz"}
    extra |= {"er": "5", "rq": "0", "bucket": "9", "n": "0", "_ws": "7", "_sc": "zz"}
    types = "".join(
        f"      {f}: {{type: {'integer' if v.isdigit() else 'string'}}}\n" for f, v in extra.items()
    )
    text = named.read_text(encoding="utf-8")
    for last in ("      result: {type: string}\n", "      errors: {type: integer}\n"):
        text = text.replace(last, last + types)
    named.write_text(text, encoding="utf-8")
    for name, csv in (("probes.csv", PROBES), ("requests.csv", REQUESTS)):
        lines = csv.splitlines()
        rows = [lines[0] + "," + ",".join(extra)]
        rows += [line + "," + ",".join(extra.values()) for line in lines[1:]]
        (tmp_path / "named" / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, renamed, err = evaluate(named, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err

    def measured(doc: dict[str, Any], objective: str) -> Any:
        results = [o for o in doc["periods"][0]["objectives"] if o["objective"] == objective]
        return results, account(doc, objective)

    for objective in ("probe-uptime", "api-uptime"):
        assert measured(json.loads(renamed), objective) == measured(json.loads(out), objective)
    assert account(json.loads(renamed), "probe-uptime")["judged"] == 2


def test_one_statement_for_all_windows_counts_as_one_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A probes objective whose windows do not overlap is bucketed by one statement and takes
    its row account from it; windows that overlap are bucketed one by one and accounted by
    placing every row again. Told that three months overlap, the second way must give the
    same measurements and account: probes every 20 minutes in two regions, down, blocked and
    preview ones, and maintenance across both month ends."""
    pick = random.Random(13)
    rows = ["id,checked_at,region,check,result"]
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for i in range(3 * 31 * 72):
        at = (start + timedelta(minutes=20 * i)).isoformat()
        for region in ("eu", "us", "preview"):
            result = pick.choice(["up"] * 30 + ["down", "blocked"])
            check = pick.choice(["http"] * 9 + ["ping"])
            rows.append(f"P-{region}-{i},{at},{region},{check},{result}")
    case = tmp_path / "case"
    case.mkdir()
    contract = availability_case(case)
    (case / "probes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (case / "windows.csv").write_text(
        "id,start,end\n"
        "W-1,2026-09-30T22:00:00+00:00,2026-10-01T03:00:00+00:00\n"
        "W-2,2026-10-31T23:30:00+00:00,2026-11-01T00:30:00+00:00\n"
        "W-3,2026-10-15T10:10:00+00:00,2026-10-15T12:50:00+00:00\n",
        encoding="utf-8",
    )
    period = ("--period", "2026-09", "--through", "2026-11")

    def uptime(out: str) -> Any:
        doc = json.loads(out)
        results = [
            (p["period"], o)
            for p in doc["periods"]
            for o in p["objectives"]
            if o["objective"] == "probe-uptime"
        ]
        return results, account(doc, "probe-uptime")

    code, one, err = evaluate(contract, *period)
    assert code == 0, err
    monkeypatch.setattr(availability, "_disjoint", lambda periods: False)
    code, each, err = evaluate(contract, *period)
    assert code == 0, err
    assert uptime(one) == uptime(each)
    assert len(uptime(one)[0]) == 9  # three months × eu, us, preview
