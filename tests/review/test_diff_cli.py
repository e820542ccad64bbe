"""`slac diff`: two contract versions compared by meaning, with the change in exposure.

Golden files live in ``tests/golden/review/``; regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/review/test_diff_cli.py

and read the diff as the reviewer of a pull request would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
OLD = "examples/customer-support/contract.yaml"
NEW = "tests/fixtures/diff/customer-support-v1.1.yaml"
GOLDEN = ROOT / "tests" / "golden" / "review"
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the labels in the output are the paths as given


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_diff_matches_the_golden_file(fmt: str) -> None:
    code, out, err = run("diff", OLD, NEW, "--format", fmt)
    assert code == 0, err
    golden = GOLDEN / f"diff-customer-support.{'txt' if fmt == 'text' else 'md'}"
    if UPDATE:
        golden.write_text(out, "utf-8")
    assert out == golden.read_text("utf-8")


def test_the_exposure_change_is_the_one_worked_out_by_hand() -> None:
    # Version 1.0: each objective at its worst tier, of the EUR 12,000.00 monthly fee:
    #   frt-p1 15% 1,800 + frt-p2 8% 960 + frt-p3 4% 480 + frt-p4 2% 240
    #   + res-p1 15% 1,800 + res-p2 8% 960 + res-p3 4% 480 + res-p4 2% 240 = 6,960.00 (sum),
    #   capped at 15% = 1,800.00.
    # Version 1.1: frt-p2's new last tier is 12% = 1,440 (480 more) → 7,440.00, capped at the
    #   raised cap of 20% = 2,400.00. Change: +600.00.
    code, out, _ = run("diff", OLD, NEW, "--format", "json")
    assert code == 0
    exposure = json.loads(out)["exposure"]
    assert (exposure["old"]["combined"], exposure["old"]["max_credit"]) == ("6960.00", "1800.00")
    assert (exposure["new"]["combined"], exposure["new"]["max_credit"]) == ("7440.00", "2400.00")
    assert exposure["change"] == "600.00"
    frt_p2 = next(o for o in exposure["new"]["objectives"] if o["objective"] == "frt-p2")
    assert (frt_p2["tier"], frt_p2["worst_credit"]) == (4, "1440")


def test_each_change_says_which_way_it_moves_the_promise() -> None:
    _, out, _ = run("diff", OLD, NEW, "--format", "json")
    found = {(c["subject"], c["what"]): c["direction"] for c in json.loads(out)["changes"]}
    assert found[("frt-p1", "target")] == "tighter"
    assert found[("res-p2", "deadline")] == "looser"
    assert found[("frt-p2", "credit tiers")] == "tighter"
    assert found[("", "cap")] == "tighter"


def test_the_same_contract_has_no_change() -> None:
    code, out, _ = run("diff", OLD, OLD)
    assert code == 0
    assert "  no change in meaning" in out
    assert "  change  unchanged" in out


def test_exposure_of_a_pool_is_the_pool() -> None:
    # it-outsourcing: allocations of 175% of a GBP 30,000.00 at-risk pool (12% of 250,000.00)
    # = 52,500.00, limited to the pool: 30,000.00.
    contract = "examples/it-outsourcing/contract.yaml"
    _, out, _ = run("diff", contract, contract, "--format", "json")
    assert json.loads(out)["exposure"]["new"]["max_credit"] == "30000.00"


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def test_git_revisions_read_the_contract_and_its_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    (tmp_path / "acme").mkdir()
    contract = tmp_path / "acme" / "contract.yaml"
    shutil.copy(ROOT / OLD, contract)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "1.0")
    contract.write_text(contract.read_text().replace('cap: "15%"', 'cap: "20%"'))
    _git(tmp_path, "commit", "-qam", "cap 20%")
    # The template changes after both commits: a revision must read the committed one.
    gold = tmp_path / "templates" / "gold.yaml"
    gold.write_text(gold.read_text().replace("combine: sum", "combine: max"))
    monkeypatch.chdir(tmp_path)
    code, out, err = run("diff", "--rev", "HEAD~1", "--rev", "HEAD", "acme/contract.yaml")
    assert code == 0, err
    assert "tightened  credits: cap: 15% per period → 20% per period" in out
    assert "combine" not in out
    assert "  change  +EUR 600.00 (+33.3%)" in out
    code, out, _ = run("diff", "HEAD~1:acme/contract.yaml", "acme/contract.yaml")
    assert code == 0
    assert "loosened   credits: combine: sum → max" in out
    code, _, err = run("diff", "--rev", "nope", "acme/contract.yaml")
    assert code == 2
    assert "not in git revision nope" in err


def test_lint_errors_stop_it_and_usage_errors_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (ROOT / OLD).read_text().replace('monthly_fee: "12000.00"', "monthly_fee: 12000.5")
    )
    shutil.copytree(
        ROOT / "examples" / "templates", tmp_path.parent / "templates", dirs_exist_ok=True
    )
    code, _, err = run("diff", OLD, str(bad))
    assert code == 1
    assert "the contract has lint errors" in err
    code, _, err = run("diff", OLD, "missing.yaml")
    assert code == 2 and "no such file: missing.yaml" in err
    code, _, err = run("diff", OLD)
    assert code == 2 and "give OLD and NEW" in err


def test_markdown_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "comment.md"
    code, out, _ = run("diff", OLD, NEW, "--format", "md", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text("utf-8").startswith("### slac diff: `acme-support-2026` 1.0 → 1.1")


def test_today_fixes_the_day_review_dates_are_judged_by() -> None:
    small = "tests/data/evaluate/contract.yaml"  # review due 2027-06-30
    code, early_out, early_err = run("diff", small, small, "--today", "2027-06-30")
    assert code == 0 and "R702" not in early_err
    code, late_out, late_err = run("diff", small, small, "--today", "2027-07-01")
    assert code == 0
    assert "R702 warning: review was due on 2027-06-30 (1 day ago)" in late_err
    assert late_out == early_out
