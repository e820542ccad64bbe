"""`slac test`: worked examples run through the real evaluation, pytest's exit codes."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SUPPORT = EXAMPLES / "customer-support"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("example", sorted(p.parent.name for p in EXAMPLES.glob("*/contract.yaml")))
def test_every_example_carries_worked_examples_that_pass(example: str) -> None:
    code, out, _ = run("test", str(EXAMPLES / example))
    assert code == 0, out
    passed = int(out.splitlines()[-1].split()[0])
    assert passed >= 3
    assert out.splitlines()[-1] == f"{passed} passed, 0 failed"


def copy_support(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    """The customer-support worked examples beside a copy of their contract, optionally edited."""
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    folder = tmp_path / "support"
    folder.mkdir()
    for name in ("contract.yaml", "contract.tests.yaml"):
        shutil.copy(SUPPORT / name, folder / name)
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    tests = folder / "contract.tests.yaml"
    if edit is not None:
        text = tests.read_text("utf-8")
        assert edit[0] in text
        tests.write_text(text.replace(edit[0], edit[1], 1), "utf-8")
    return tests


def test_a_wrong_figure_fails_with_expected_and_got_at_its_line(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ('tier: 4, credit: "1800.00"', 'tier: 4, credit: "1700.00"'))
    code, out, _ = run("test", str(tests))
    assert code == 1
    assert "  FAIL  a P1 answered in 16 minutes breaches and costs the worst tier" in out
    line = next(i for i, t in enumerate(tests.read_text().splitlines(), 1) if '"1700.00"' in t)
    assert f"contract.tests.yaml:{line}:" in out
    assert "frt-p1 in 2026-10: credit: expected 1700.00, got 1800.00 (tier 4: < 75%)" in out
    assert out.splitlines()[-1] == "4 passed, 1 failed"


def test_a_trigger_that_did_not_fire_is_named(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ("{chronic-resolution: true}", "{chronic-resolution: false}"))
    code, out, _ = run("test", str(tests))
    assert code == 1
    assert "2026-07: chronic_failure: chronic-resolution triggered (3 of the last 6" in out


def test_a_bad_reference_is_a_finding_at_line_and_column(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ("objective: frt-p2", "objective: frt-p22"))
    code, out, _ = run("test", str(tests))
    assert code == 2
    line, column = next(
        (i, t.index("frt-p22") - len("objective: ") + 1)
        for i, t in enumerate(tests.read_text().splitlines(), 1)
        if "frt-p22" in t
    )
    assert (
        f"contract.tests.yaml:{line}:{column}: T102 error: the contract has no objective 'frt-p22'"
        in out
    )
    assert "hint: did you mean 'frt-p2'?" in out
    assert out.splitlines()[-1] == "0 passed, 0 failed, 1 error"


def test_a_bad_shape_is_a_schema_finding_in_lint_too(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ("    period: 2026-10\n", "    perod: 2026-10\n"))
    code, out, _ = run("test", str(tests))
    assert code == 2
    assert "S201 error: unknown key 'perod'" in out
    code, out, _ = run("lint", str(tests))
    assert code == 1
    assert "S201 error: unknown key 'perod'" in out


def test_a_unit_mismatch_is_refused(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ('measured: "50%", met: 1', 'measured: "16m", met: 1'))
    code, out, _ = run("test", str(tests))
    assert code == 2
    assert "T103 error: the objective measures a percentage (94.44%), not '16m'" in out


def test_no_worked_examples_is_exit_5_and_a_missing_path_exit_2(tmp_path: Path) -> None:
    code, out, _ = run("test", str(tmp_path))
    assert code == 5
    assert "no worked examples found" in out
    code, _, err = run("test", str(tmp_path / "nowhere"))
    assert code == 2
    assert "no such file or folder" in err


def test_a_contract_path_finds_its_worked_examples() -> None:
    code, out, _ = run("test", str(SUPPORT / "contract.yaml"))
    assert code == 0
    assert out.splitlines()[-1] == "5 passed, 0 failed"


def test_junit_has_one_case_per_example_and_the_failure_text(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ('tier: 4, credit: "1800.00"', 'tier: 3, credit: "1800.00"'))
    code, out, _ = run("test", str(tests), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.get("tests") == "5" and root.get("failures") == "1"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 5
    failure = cases[0].find("failure")
    assert failure is not None
    assert "tier: expected 3, got 4" in (failure.text or "")


def test_junit_written_to_a_file(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    code, out, _ = run("test", str(SUPPORT), "--format", "junit", "-o", str(report))
    assert (code, out) == (0, "")
    root = ET.fromstring(report.read_text("utf-8").split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures")) == ("5", "0")


def test_junit_reports_a_broken_file_as_an_error(tmp_path: Path) -> None:
    tests = copy_support(tmp_path, ("objective: frt-p2", "objective: nope"))
    code, out, _ = run("test", str(tests), "--format", "junit")
    assert code == 2
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.get("errors") == "1"
    error = root.find("./testsuite/testcase/error")
    assert error is not None and "T102" in (error.text or "")


def test_a_contract_with_lint_errors_stops_its_examples(tmp_path: Path) -> None:
    tests = copy_support(tmp_path)
    contract = tests.parent / "contract.yaml"
    contract.write_text(
        contract.read_text().replace('monthly_fee: "12000.00"', "monthly_fee: 12000.5")
    )
    code, out, _ = run("test", str(tests))
    assert code == 2
    assert "T101 error: the contract" in out and "has lint errors" in out
