"""`slac credits`: the portfolio ledger from the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "exports" / "ledger.csv"
CONTRACTS = sorted(str(p) for p in (ROOT / "examples").glob("*/contract.yaml"))


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
    assert '"ledger_version": 1' in target.read_text("utf-8")


def test_usage_errors_exit_2() -> None:
    assert run("credits", "nowhere.yaml")[0] == 2
    assert run("credits", CONTRACTS[0], "--through", "2026-11")[0] == 2
    assert run("credits", CONTRACTS[0], "--period", "Oct")[0] == 2
