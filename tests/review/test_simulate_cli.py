"""`slac simulate`: credit curves and what-if scenarios, from the judge's own arithmetic.

Golden files live in ``tests/golden/review/``; regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/review/test_simulate_cli.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
HOSTING = "examples/hosting-availability/contract.yaml"
SUPPORT = "examples/customer-support/contract.yaml"
GOLDEN = ROOT / "tests" / "golden" / "review"
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


SCENARIOS = ("--attainment", "-2", "--outage", "4h", "--no-data")


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_simulation_matches_the_golden_file(fmt: str) -> None:
    code, out, err = run("simulate", HOSTING, *SCENARIOS, "--format", fmt)
    assert code == 0, err
    golden = GOLDEN / f"simulate-hosting-availability.{'txt' if fmt == 'text' else 'md'}"
    if UPDATE:
        golden.write_text(out, "utf-8")
    assert out == golden.read_text("utf-8")


def _scenario(out: str, name: str) -> dict[str, object]:
    return next(s for s in json.loads(out)["scenarios"] if s["name"] == name)


def test_an_outage_gives_the_availability_and_credit_worked_out_by_hand() -> None:
    # January 2026 (UTC) has 44,640 minutes; 4 h down = 240 min → 1 - 240 / 44,640 = 99.4624%,
    # below both targets, in both first tiers: compute 10% of USD 18,000.00 = 1,800.00,
    # storage 10% of USD 7,000.00 = 700.00; together 2,500.00, under the cap of 25,000.00.
    code, out, _ = run(
        "simulate", HOSTING, "--outage", "4h", "--period", "2026-01", "--format", "json"
    )
    assert code == 0
    scenario = _scenario(out, "outage 4 hours")
    values = {o["objective"]: (o["value"][:8], o["credit"]) for o in scenario["objectives"]}  # type: ignore[index, union-attr]
    assert values == {
        "compute-uptime": ("0.994623", "1800"),
        "storage-availability": ("0.994623", "700"),
    }
    assert scenario["credit"] == "2500"


def test_attainment_two_points_below_every_target_hits_the_cap() -> None:
    # Each objective 2 points below its target, in the first tier below it (of EUR 12,000.00):
    #   frt-p1 93% 5% 600, frt-p2 93% 3% 360, frt-p3 88% 2% 240, frt-p4 88% 1% 120,
    #   res-p1 88% 5% 600, res-p2 88% 3% 360, res-p3 83% 2% 240, res-p4 83% 1% 120
    #   = 2,640.00, capped at 15% = 1,800.00.
    code, out, _ = run("simulate", SUPPORT, "--attainment", "-2", "--format", "json")
    assert code == 0
    scenario = _scenario(out, "attainment -2")
    assert (scenario["combined"], scenario["cap"], scenario["credit"]) == ("2640", "1800", "1800")


def test_no_data_reports_what_each_kind_reports_without_rows() -> None:
    # No outage record is 100% availability (docs/semantics.md); no incident is no data.
    code, out, _ = run(
        "simulate", "examples/it-outsourcing/contract.yaml", "--no-data", "--format", "json"
    )
    assert code == 0
    found = {o["objective"]: o["status"] for o in _scenario(out, "no data")["objectives"]}  # type: ignore[union-attr]
    assert found["availability-critical"] == "met"
    assert found["incident-p1"] == "insufficient-data"


def test_the_credit_curve_shows_each_tier_boundary() -> None:
    code, out, _ = run("simulate", SUPPORT, "--format", "json")
    assert code == 0
    curve = next(c for c in json.loads(out)["curves"] if c["objective"] == "frt-p1")
    points = {p["value"]: (p["status"], p["tier"], p["credit"]) for p in curve["points"]}
    assert points["0.95"] == ("met", None, None)
    assert points["0.9"] == ("breached", 1, "600")
    assert points["0.75"] == ("breached", 3, "1440")
    assert points["0"] == ("breached", 4, "1800")


def test_bad_values_are_usage_errors() -> None:
    code, _, err = run("simulate", SUPPORT, "--outage", "4 hours")
    assert code == 2 and "--outage takes a duration" in err
    code, _, err = run("simulate", SUPPORT, "--attainment", "two")
    assert code == 2 and "--attainment takes points" in err
    code, _, err = run("simulate", SUPPORT, "--period", "2030-01")
    assert code == 2 and "outside the contract's life" in err
    code, _, err = run("simulate", SUPPORT, "--period", "2026-Q1")
    assert code == 2 and "is not a month" in err


def test_written_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "simulation.md"
    code, out, _ = run("simulate", SUPPORT, "--format", "md", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text("utf-8").startswith("## slac simulate: `acme-support-2026`")


def test_today_fixes_the_day_review_dates_are_judged_by() -> None:
    small = "tests/data/evaluate/contract.yaml"  # review due 2027-06-30
    code, early_out, early_err = run("simulate", small, "--today", "2027-06-30")
    assert code == 0 and "R702" not in early_err
    code, late_out, late_err = run("simulate", small, "--today", "2027-07-01")
    assert code == 0
    assert "R702 warning: review was due on 2027-06-30 (1 day ago)" in late_err
    assert late_out == early_out
