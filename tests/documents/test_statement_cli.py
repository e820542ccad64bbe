"""`slac statement`: evaluate, then render, from the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "statements"
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
RANGE = ("--period", "2026-09", "--through", "2026-11", "--today", "2026-11-23")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_statement_matches_the_golden_file(fmt: str) -> None:
    code, out, err = run("statement", CONTRACT, *RANGE, "--format", fmt)
    assert code == 0, err
    assert out == (GOLDEN / f"customer-support.{fmt}").read_text("utf-8")


def test_written_atomically_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "statement.html"
    code, out, _ = run("statement", CONTRACT, *RANGE, "--format", "html", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["statement.html"]


def test_user_template_typo_is_named(tmp_path: Path) -> None:
    template = tmp_path / "mine.txt.j2"
    template.write_text("Contract {{ contract.id }}\n{{ resutls }}\n", encoding="utf-8")
    code, _, err = run("statement", CONTRACT, *RANGE, "--template", str(template))
    assert code == 1
    assert "mine.txt.j2:2" in err and "resutls" in err
    assert "Traceback" not in err


def test_missing_template_is_named_and_exits_1() -> None:
    code, _, err = run("statement", CONTRACT, *RANGE, "--template", "nowhere.j2")
    assert code == 1
    assert err == "slac: error: template not found: nowhere.j2\n"


@pytest.mark.parametrize("example", ["customer-support", "it-outsourcing", "hosting-availability"])
def test_credit_note_matches_the_golden_file(example: str) -> None:
    contract = str(ROOT / "examples" / example / "contract.yaml")
    code, out, err = run("statement", contract, *RANGE, "--format", "credit-note")
    assert code == 0, err
    golden = GOLDEN / f"{example}.credit-note.md"
    if os.environ.get("SLAC_UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text("utf-8")
    assert out.startswith("# Credit note")


def test_a_clock_only_when_asked_for() -> None:
    _, plain, _ = run("statement", CONTRACT, *RANGE, "--format", "txt")
    code, stamped, _ = run("statement", CONTRACT, *RANGE, "--format", "txt", "--timestamp")
    assert code == 0
    assert "generated at" not in plain
    assert "generated at 20" in stamped
