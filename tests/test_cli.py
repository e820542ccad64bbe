"""`slac lint`, `slac rules`, `slac schema` end to end: output, formats and exit codes."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "lint" / "bad"
GOOD = ROOT / "tests" / "data" / "lint" / "good"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# Every kind of bad input: its file, and the first line of text output (file:line:col: CODE).
BAD_INPUTS = {
    "syntax-error.yaml": "syntax-error.yaml:3:10: L001 error: YAML syntax error",
    "tab.yaml": "tab.yaml:4:1: L002 error: tab character used for indentation",
    "duplicate-key.yaml": "duplicate-key.yaml:4:1: L003 error: duplicate key 'timezone'",
    "unknown-key.yaml": "unknown-key.yaml:3:1: S201 error: unknown key 'timezon'",
    "wrong-type.yaml": "wrong-type.yaml:5:16: S203 error: expected text, found 12000.5",
    "mapping-for-list.yaml": "mapping-for-list.yaml:4:3: S203 error: expected a list",
    "list-for-mapping.yaml": "list-for-mapping.yaml:4:3: S203 error: expected a mapping",
    "empty.yaml": "empty.yaml:1:1: L007 error: file is empty",
    "binary.yaml": "binary.yaml:1:8: L008 error: file is binary",
    "latin1.yaml": "latin1.yaml:2:9: L008 error: file is not valid UTF-8",
    "bomb.yaml": "bomb.yaml:6:28: L005 error: the document expands to more than 50000 values",
    "deep.yaml": "deep.yaml:2:67: L004 error: values are nested more than 64 levels deep",
    "cycle-a.yaml": "cycle-a.yaml:3:10: X302 error: `extends` makes a cycle",
    "missing-template.yaml": "missing-template.yaml:3:10: X301 error: template",
    "impossible-date.yaml": "impossible-date.yaml:3:19: S204 error: '2026-02-30' is not a valid date",
    "bad-enum.yaml": "bad-enum.yaml:3:25: S204 error: 'judge_overdue' is not one of",
    "yes-for-true.yaml": "yes-for-true.yaml:3:27: S203 error: expected true or false, found 'yes'",
}


def test_every_bad_input_file_is_covered() -> None:
    assert {p.name for p in BAD.glob("*.yaml")} - {"cycle-b.yaml"} == set(BAD_INPUTS)


@pytest.mark.parametrize(("name", "first_line"), sorted(BAD_INPUTS.items()))
def test_bad_input_gives_a_positioned_finding_and_exit_1(name: str, first_line: str) -> None:
    code, out, err = run("lint", str(BAD / name))
    assert code == 1
    assert out.splitlines()[0].startswith(str(BAD / first_line))
    assert "Traceback" not in out + err


def test_unknown_key_names_the_closest_valid_key() -> None:
    _, out, _ = run("lint", str(BAD / "unknown-key.yaml"))
    assert "hint: did you mean 'timezone'?" in out


def test_clean_contract_exits_0() -> None:
    code, out, _ = run("lint", str(GOOD))
    assert (code, out) == (0, "1 file checked, no findings\n")


def test_examples_lint_clean() -> None:
    code, out, _ = run("lint", str(ROOT / "examples"), "--strict")
    assert code == 0, out


def test_missing_path_exits_2_with_one_line() -> None:
    code, out, err = run("lint", "no/such/contract.yaml")
    assert code == 2
    assert err == "slac: error: no such file or folder: no/such/contract.yaml\n"
    assert out == ""


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file: permissions cannot make one unreadable")
    path = tmp_path / "c.yaml"
    path.write_text("slac: 1\n")
    path.chmod(0)
    code, _, _ = run("lint", str(path))
    assert code == 2


def test_a_folder_without_contracts_is_a_usage_error(tmp_path: Path) -> None:
    # A CI job pointed at the wrong folder must not pass by checking nothing.
    (tmp_path / "sub.yaml").mkdir()
    code, _, err = run("lint", str(tmp_path))
    assert code == 2
    assert err.startswith("slac: error: no contract files (*.yaml, *.yml) found in:")


def _warning_contract(tmp_path: Path) -> Path:
    text = (GOOD / "contract.yaml").read_text().replace("due: 2027-06-30", "due: 2026-01-31")
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = _warning_contract(tmp_path)
    code, out, _ = run("lint", str(path), "--today", "2026-11-23")
    assert code == 0
    assert "R702 warning: review was due on 2026-01-31 (296 days ago)" in out
    assert run("lint", str(path), "--today", "2026-11-23", "--strict")[0] == 1
    assert run("lint", str(path), "--today", "2026-01-01", "--strict")[0] == 0


def test_json_format() -> None:
    code, out, _ = run("lint", "--format", "json", str(BAD / "unknown-key.yaml"))
    data = json.loads(out)
    assert code == 1
    (diag,) = data["diagnostics"]
    assert (diag["code"], diag["line"], diag["column"]) == ("S201", 3, 1)
    assert diag["hint"] == "did you mean 'timezone'?"


def test_github_format() -> None:
    code, out, _ = run("lint", "--format", "github", str(BAD / "unknown-key.yaml"))
    assert code == 1
    assert out.startswith(f"::error file={BAD / 'unknown-key.yaml'},line=3,col=1,")


def test_sarif_format_lists_every_rule() -> None:
    code, out, _ = run("lint", "--format", "sarif", str(BAD))
    data = json.loads(out)
    run_ = data["runs"][0]
    assert code == 1
    assert {r["id"] for r in run_["tool"]["driver"]["rules"]} >= {"L001", "S201", "R401", "X302"}
    assert {r["ruleId"] for r in run_["results"]} >= {"L001", "L003", "S201", "X301"}


def test_junit_format() -> None:
    code, out, _ = run("lint", "--format", "junit", str(GOOD), str(BAD / "tab.yaml"))
    assert code == 1
    assert 'tests="2"' in out and 'failures="1"' in out


def test_output_is_deterministic() -> None:
    first = run("lint", "--format", "sarif", str(BAD))[1]
    assert run("lint", "--format", "sarif", str(BAD))[1] == first


def test_rules_lists_every_code() -> None:
    code, out, _ = run("rules")
    assert code == 0
    assert "R401  error    unresolved-reference:" in out
    assert "L003  error    duplicate-key:" in out


def test_docs_rules_md_is_current() -> None:
    _, out, _ = run("rules", "--format", "md")
    current = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert current == out, "docs/rules.md is stale: run `slac rules --format md > docs/rules.md`"


@pytest.mark.parametrize("name", ["contract", "plan", "results", "bindings", "tests"])
def test_schema_command_prints_the_published_schema(name: str) -> None:
    code, out, _ = run("schema", name)
    assert code == 0
    assert out == (ROOT / "schemas" / f"{name}.schema.json").read_text("utf-8")


def test_color_on_request_even_in_a_pipe() -> None:
    # A process, not CliRunner: what `slac lint --color | less -R` does with a pipe for stdout.
    def lint(*flags: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "slac", "lint", *flags, str(BAD / "tab.yaml")],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    plain, colored, uncolored = lint(), lint("--color"), lint("--no-color")
    assert "\x1b[" not in plain
    assert click.style("error", fg="red", bold=True) in colored
    assert click.unstyle(colored) == plain == uncolored


def test_console_script_runs_as_a_process() -> None:
    # The installed entry point, not just the click object: what CI and pre-commit call.
    proc = subprocess.run(
        [sys.executable, "-m", "slac", "lint", str(BAD / "tab.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "L002" in proc.stdout
    assert proc.stderr == ""


def _lint_on_a_terminal(*flags: str, env: dict[str, str]) -> str:
    """What `slac lint` prints when its standard output is a terminal (a pseudo-terminal)."""
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "slac", "lint", *flags, str(BAD / "tab.yaml")],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **env},
            check=False,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert proc.returncode == 1
    return b"".join(chunks).decode("utf-8")


def test_no_color_turns_colour_off_on_a_terminal() -> None:
    # https://no-color.org: any non-empty NO_COLOR disables colour; --color still forces it.
    assert "\x1b[" in _lint_on_a_terminal(env={"NO_COLOR": ""})  # empty: as if unset
    assert "\x1b[" not in _lint_on_a_terminal(env={"NO_COLOR": "1"})
    assert "\x1b[" in _lint_on_a_terminal("--color", env={"NO_COLOR": "1"})


def test_junit_under_strict_fails_on_warnings(tmp_path: Path) -> None:
    path = _warning_contract(tmp_path)
    code, out, _ = run("lint", str(path), "--today", "2026-11-23", "--strict", "--format", "junit")
    assert code == 1
    assert 'failures="1"' in out and '<failure type="R702"' in out
    code, out, _ = run("lint", str(path), "--today", "2026-11-23", "--format", "junit")
    assert code == 0
    assert 'failures="0"' in out


def test_sarif_uris_are_relative_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "contracts").mkdir()
    (tmp_path / "ci").mkdir()
    (tmp_path / "contracts" / "bad.yaml").write_text((BAD / "tab.yaml").read_text())
    monkeypatch.chdir(tmp_path / "ci")
    code, out, _ = run("lint", "--format", "sarif", "../contracts/bad.yaml")
    assert code == 1
    sarif_run = json.loads(out)["runs"][0]
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    assert sarif_run["artifacts"] == [
        {"location": {"uri": "contracts/bad.yaml", "uriBaseId": "%SRCROOT%"}}
    ]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert all(r["helpUri"].endswith(f"/rules.md#{r['id'].lower()}") for r in rules)
    code, out, _ = run(
        "lint", "--format", "sarif", "--docs-url", "https://x.test/d", "../contracts"
    )
    links = {r["id"]: r["helpUri"] for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert links["L000"] == "https://x.test/d/rules.md#l000"


def _edited(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = (GOOD / "contract.yaml").read_text("utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    return path


def test_a_value_of_the_wrong_format_is_named_not_shown_as_a_regex(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        ("within: 1 business hour", "within: 4 hours"),
        ('target: ">= 95%"', 'target: "at least 95%"'),
    )
    code, out, _ = run("lint", str(path))
    assert code == 1
    assert "S204 error: '4 hours' is not a valid duration\n" in out
    assert "S204 error: 'at least 95%' is not a valid percentage target\n" in out
    assert "^(" not in out and all(len(line) < 160 for line in out.splitlines())


def test_the_hint_fits_a_quoted_number_or_a_leading_zero(tmp_path: Path) -> None:
    code, out, _ = run("lint", str(_edited(tmp_path, ("slac: 1", 'slac: "1"'))))
    assert code == 1
    assert "S203 error: expected a whole number, found '1'\n" in out
    assert "hint: write the number without quotes: 1\n" in out
    assert "octal" not in out
    code, out, _ = run("lint", str(_edited(tmp_path, ("min_sample: 10", "min_sample: 010"))))
    assert "found '010'\n    hint: a leading zero makes this text, not a number (YAML 1.1" in out


def test_a_grade_name_is_any_text(tmp_path: Path) -> None:
    path = _edited(tmp_path, ("name: basic,", "name: Below average,"))
    code, out, _ = run("lint", str(path), "--today", "2026-11-23")
    assert (code, out) == (0, "1 file checked, no findings\n")
    code, out, _ = run("compile", str(path), "--today", "2026-11-23")
    assert code == 0
    assert '"name": "Below average"' in out
    code, out, _ = run("lint", str(_edited(tmp_path, ("name: basic,", 'name: " ",'))))
    assert code == 1 and "S204" in out


def test_the_command_collects_cycles_less_often_than_python_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Python's default (700 allocations) made full collections walk a large run's millions of
    # results objects again and again: 3 s of 32 s at 10M tickets (bench/evaluate.py).
    from slac import entry

    before, handler = gc.get_threshold(), signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(sys, "argv", ["slac", "--version"])
    try:
        with pytest.raises(SystemExit):
            entry.main()
        assert gc.get_threshold() == entry.COLLECTOR_THRESHOLDS
    finally:
        gc.set_threshold(*before)
        signal.signal(signal.SIGINT, handler)
