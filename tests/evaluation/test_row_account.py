"""Every row of an objective's dataset is accounted for in the results (issue 12): judged,
excluded, filtered, outside every evaluated period, bad, or pending; none disappears."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from slac.cli import cli

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
    contract = yaml.safe_load((ROOT / "examples" / name / "contract.yaml").read_text("utf-8"))
    # Objectives made by a policy (per priority) name their metric on the policy.
    kind_of = {
        o.get("id"): contract["metrics"].get(o.get("metric"), {})
        for o in contract.get("objectives", [])
    }
    judged = {o["objective"] for p in doc["periods"] for o in p["objectives"]}
    counted = {a["objective"] for a in doc["row_accounts"]}
    # Availability (probes, outages) has no row account yet: issue 12 leaves it for later.
    assert {o for o in judged - counted if "availability" not in kind_of.get(o, {})} == set(), name
    rows = {i["dataset"]: i["rows"] for i in doc["inputs"]}
    for acc in doc["row_accounts"]:
        assert acc["input"] == sum(acc[p] for p in PARTS), (name, acc)
        # Each cycle of a reopened item is an item of its own (it-outsourcing's incidents).
        assert acc["input"] >= rows[acc["dataset"]], (name, acc)
