"""`slac credits`: the portfolio ledger from the command line."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "exports" / "ledger.csv"
CONTRACTS = sorted(str(p) for p in (ROOT / "examples").glob("*/contract.yaml"))
SUPPORT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
SMALL = ROOT / "tests" / "data" / "evaluate"  # a four-ticket contract with bindings and data


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_portfolio_ledger_matches_the_golden_export() -> None:
    code, out, _ = run("credits", *CONTRACTS, "--period", "2026-09", "--through", "2026-11")
    assert code == 0
    assert out == GOLDEN.read_text("utf-8")


def test_json_format_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "ledger.json"
    code, out, _ = run(
        "credits", CONTRACTS[0], "--period", "2026-10", "--format", "json", "-o", str(target)
    )
    assert (code, out) == (0, "")
    assert '"ledger_version": 2' in target.read_text("utf-8")


def test_usage_errors_exit_2() -> None:
    assert run("credits", "nowhere.yaml")[0] == 2
    assert run("credits", CONTRACTS[0], "--through", "2026-11")[0] == 2
    assert run("credits", CONTRACTS[0], "--period", "Oct")[0] == 2


@pytest.mark.parametrize(
    "args, periods",
    [
        (("--period", "2026-10"), ["2026-10"]),
        (("--period", "2026-11"), ["2026-11"]),
        (("--period", "2026-09", "--through", "2026-11"), ["2026-10", "2026-11"]),
    ],
)
def test_period_and_through_choose_the_months(args: tuple[str, ...], periods: list[str]) -> None:
    code, out, err = run("credits", SUPPORT, *args)
    assert code == 0, err
    notes = dict.fromkeys(
        (row["period"], row["credit_note"]) for row in csv.DictReader(io.StringIO(out))
    )
    assert list(notes) == [(p, f"CN-acme-support-2026-{p.replace('-', '')}-DRAFT") for p in periods]


def test_bad_rows_stop_the_ledger_unless_excluded(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(SMALL, case)
    with (case / "data" / "tickets.csv").open("a", encoding="utf-8") as tickets:
        tickets.write("T-5,2026-10-09T09:00:00+02:00,2026-10-09T10:00:00+02:00,P9,0\n")
    contract = str(case / "contract.yaml")
    code, out, err = run("credits", contract, "--period", "2026-10")
    assert (code, out) == (1, "")
    assert "use --on-bad-rows exclude" in err
    code, out, err = run("credits", contract, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err
    assert out.startswith("contract_id,")


def test_the_credit_note_document_has_the_numbers_and_lines_of_the_export() -> None:
    """`slac statement --format credit-note` shows each note under the number `slac credits`
    gives it, with the same lines: fulfilment's November, 7,500.00 capped at 7,200.00."""
    contract = str(ROOT / "examples" / "fulfilment" / "contract.yaml")
    months = ("--period", "2026-09", "--through", "2026-11")
    code, out, err = run("credits", contract, *months)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    code, document, err = run("statement", contract, *months, "--format", "credit-note")
    assert code == 0, err
    for number in dict.fromkeys(row["credit_note"] for row in rows):
        assert f"## Credit note {number}: period " in document
    assert "| 4 | Credit cap | – | – | – | -EUR 300.00 |" in document
    assert "Credits capped at EUR 7,200.00." in document
