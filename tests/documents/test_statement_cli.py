"""`slac statement`: evaluate, then render, from the command line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from statement_golden import without_drawings

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "statements"
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
RANGE = ("--period", "2026-09", "--through", "2026-11", "--today", "2026-11-23")
SMALL = ROOT / "tests" / "data" / "evaluate"  # a four-ticket contract with bindings and data
OCTOBER = ("--period", "2026-10", "--today", "2026-11-01")
CSAT_OF_SURVEYS_ALT = "[BREACHED] Customer satisfaction\n      target ≥ 50%, measured 25.00%"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_statement_matches_the_golden_file(fmt: str) -> None:
    code, out, err = run("statement", CONTRACT, *RANGE, "--format", fmt)
    assert code == 0, err
    assert without_drawings(out) == (GOLDEN / f"customer-support.{fmt}").read_text("utf-8")


def test_locale_writes_the_statement_in_german() -> None:
    code, out, err = run("statement", CONTRACT, *RANGE, "--format", "html", "--locale", "de")
    assert code == 0, err
    assert without_drawings(out) == (GOLDEN / "customer-support.de.html").read_text("utf-8")


@pytest.mark.parametrize("locale", ["xx", "tlh", "zh-TW"])
def test_an_unknown_locale_is_a_usage_error_naming_the_ones_available(locale: str) -> None:
    code, out, err = run("statement", CONTRACT, *RANGE, "--locale", locale)
    assert (code, out) == (2, "")
    assert err.startswith("slac: error: --locale: ") and err.endswith(": use one of en, de\n")
    assert "Traceback" not in err


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


def small(*args: str) -> tuple[int, str, str]:
    return run("statement", str(SMALL / "contract.yaml"), "--format", "txt", *args)


def test_data_option_overrides_a_binding() -> None:
    code, out, err = small(*OCTOBER, "--data", f"surveys={SMALL / 'data' / 'surveys-alt.csv'}")
    assert code == 0, err
    assert CSAT_OF_SURVEYS_ALT in out
    assert CSAT_OF_SURVEYS_ALT not in small(*OCTOBER)[1]


def test_bindings_option_replaces_the_file_beside_the_contract(tmp_path: Path) -> None:
    other = tmp_path / "other-bindings.yaml"
    text = (SMALL / "bindings.yaml").read_text(encoding="utf-8")
    text = text.replace("data/", f"{SMALL / 'data'}/").replace("surveys.csv", "surveys-alt.csv")
    other.write_text(text, encoding="utf-8")
    code, out, err = small(*OCTOBER, "--bindings", str(other))
    assert code == 0, err
    assert CSAT_OF_SURVEYS_ALT in out


@pytest.mark.parametrize(
    "args, period",
    [
        (("--period", "2026-10"), "2026-10"),
        (("--period", "2026-09", "--through", "2026-11"), "2026-09 to 2026-11"),
        (("--period", "2026-Q4"), "2026-10 to 2026-12"),
    ],
)
def test_period_and_through_choose_the_months(args: tuple[str, ...], period: str) -> None:
    code, out, err = small(*args, "--today", "2026-11-01")
    assert code == 0, err
    assert f"\nPeriod:        {period} (Europe/Berlin)\n" in out


def test_user_template_renders(tmp_path: Path) -> None:
    template = tmp_path / "mine.txt.j2"
    template.write_text("{{ contract.id }}: {{ total_credit }}\n", encoding="utf-8")
    code, out, err = run("statement", CONTRACT, *RANGE, "--template", str(template))
    assert code == 0, err
    assert out == "acme-support-2026: EUR 1,920.00\n"


def test_bad_rows_stop_the_statement_unless_excluded(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(SMALL, case)
    with (case / "data" / "tickets.csv").open("a", encoding="utf-8") as tickets:
        tickets.write("T-5,2026-10-09T09:00:00+02:00,2026-10-09T10:00:00+02:00,P9,0\n")
    contract = str(case / "contract.yaml")
    code, out, err = run("statement", contract, *OCTOBER, "--format", "txt")
    assert (code, out) == (1, "")
    assert "use --on-bad-rows exclude" in err
    code, out, err = run(
        "statement", contract, *OCTOBER, "--format", "txt", "--on-bad-rows", "exclude"
    )
    assert code == 0, err
    assert "tickets tickets.csv (5 rows, 1 bad)" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("nowhere.yaml",), "no such file: nowhere.yaml"),
        ((CONTRACT, "--bindings", "nowhere.yaml"), "no such bindings file: nowhere.yaml"),
        ((CONTRACT, "--data", "surveys"), "--data takes NAME=PATH, got 'surveys'"),
        ((CONTRACT, "--period", "Oct"), "--period 'Oct' is not a period"),
        ((CONTRACT, "--through", "2026-11"), "--through needs --period"),
        (
            (CONTRACT, "--template", str(GOLDEN / "customer-support.txt"), "--format", "html"),
            "--template lays the statement out itself: leave out --format",
        ),
    ],
)
def test_usage_errors_exit_2_as_in_evaluate(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("statement", *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"slac: error: {message}")
