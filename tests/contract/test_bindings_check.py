"""`slac lint` compares a `bindings.yaml` with the contracts beside it (issue 15)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
BINDINGS = (ROOT / "examples" / "customer-support" / "bindings.yaml").read_text("utf-8")


def _example(tmp_path: Path, bindings: str) -> Path:
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    folder = tmp_path / "customer-support"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "customer-support" / "contract.yaml", folder)
    (folder / "bindings.yaml").write_text(bindings, "utf-8")
    return folder


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", "--today", "2026-11-23", *args])
    return result.exit_code, result.stdout


def test_matching_bindings_are_clean(tmp_path: Path) -> None:
    assert run(str(_example(tmp_path, BINDINGS))) == (0, "2 files checked, no findings\n")


def test_an_unknown_dataset_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    folder = _example(tmp_path, BINDINGS.replace("  ticket_pauses:", "  ticket_pause:"))
    code, out = run(str(folder))
    assert code == 1
    where = folder / "bindings.yaml"
    assert (
        f"{where}:10:3: B102 error: 'ticket_pause' is not a dataset of contract.yaml\n"
        "    hint: did you mean 'ticket_pauses'?\n"
    ) in out
    assert f"{where}:4:1: B103 warning: dataset 'ticket_pauses' of contract.yaml has no" in out


def test_a_dataset_without_binding_is_a_warning(tmp_path: Path) -> None:
    text = BINDINGS[: BINDINGS.index("  ticket_pauses:")]
    folder = _example(tmp_path, text)
    code, out = run(str(folder))
    assert code == 0
    assert out.splitlines()[0] == (
        f"{folder / 'bindings.yaml'}:4:1: B103 warning: dataset 'ticket_pauses' of "
        "contract.yaml has no binding here"
    )
    assert "hint: bind it here, or give `--data ticket_pauses=PATH` to slac evaluate" in out
    assert run(str(folder), "--strict")[0] == 1


def test_other_bindings_files_are_not_compared(tmp_path: Path) -> None:
    # Only bindings.yaml is the one `slac evaluate` takes for the contracts beside it.
    folder = _example(tmp_path, BINDINGS)
    (folder / "bindings.yaml").rename(folder / "staging-bindings.yaml")
    text = BINDINGS.replace("  tickets:", "  anything:")
    (folder / "staging-bindings.yaml").write_text(text, "utf-8")
    assert run(str(folder))[0] == 0


def test_binding_codes_are_listed_by_slac_rules() -> None:
    out = CliRunner().invoke(cli, ["rules"]).stdout
    for line in (
        "B101  error    unusable-binding:",
        "B102  error    unknown-dataset-binding:",
        "B103  warning  unbound-dataset:",
    ):
        assert line in out


def test_a_zone_typo_is_reported_by_lint_at_the_value_with_a_did_you_mean(
    tmp_path: Path,
) -> None:
    # Line 8 of the bindings, its value at column 15: the same B101 `slac evaluate` gives.
    text = BINDINGS.replace("    format: csv\n", "    format: csv\n    timezone: Europe/Berln\n", 1)
    folder = _example(tmp_path, text)
    code, out = run(str(folder))
    assert code == 1
    where = folder / "bindings.yaml"
    assert (
        f"{where}:8:15: B101 error: unknown time zone 'Europe/Berln'\n"
        "    hint: did you mean 'Europe/Berlin'?\n"
    ) in out
    # The file on its own, and any bindings file (not only bindings.yaml), is checked too.
    (folder / "bindings.yaml").rename(folder / "staging-bindings.yaml")
    code, out = run(str(folder / "staging-bindings.yaml"))
    assert code == 1
    assert "staging-bindings.yaml:8:15: B101 error: unknown time zone 'Europe/Berln'" in out
    # Evaluation names the same place.
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(folder / "contract.yaml"),
            "--bindings",
            str(folder / "staging-bindings.yaml"),
        ],
    )
    assert result.exit_code != 0
    assert "staging-bindings.yaml:8:15: B101 error: unknown time zone 'Europe/Berln'" in (
        result.stderr
    )
