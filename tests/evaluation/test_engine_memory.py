"""The engine's memory limit and spill folder are slac's, not DuckDB's defaults (80% of the
machine's memory, and `.tmp` in the working folder), and each can be overridden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli
from slac.evaluation.sqltext import MEMORY_ENV, SPILL_ENV, Engine, EngineSettingError

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")


def settings(engine: Engine) -> tuple[str, str]:
    row = engine.con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def test_the_default_is_768_mb_and_a_spill_folder_of_its_own_removed_on_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    monkeypatch.delenv(SPILL_ENV, raising=False)
    engine = Engine()
    limit, spill = settings(engine)
    assert limit == "732.4 MiB"  # 768 MB, as DuckDB prints it
    assert Path(spill).name.startswith("slac-spill-") and Path(spill).is_dir()
    assert Path(spill).resolve() != Path.cwd().resolve() / ".tmp"
    engine.close()
    assert not Path(spill).exists()


def test_both_are_taken_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(MEMORY_ENV, "2GB")
    monkeypatch.setenv(SPILL_ENV, str(tmp_path / "spill"))
    engine = Engine()
    assert settings(engine) == ("1.8 GiB", str(tmp_path / "spill"))
    engine.close()
    assert tmp_path.exists()  # a folder the user named is never removed


def test_a_limit_duckdb_refuses_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(EngineSettingError, match="SLAC_MEMORY_LIMIT='lots' is refused"):
        Engine()
    result = CliRunner().invoke(
        cli, ["evaluate", CONTRACT, "--period", "2026-10"], env={MEMORY_ENV: "lots"}
    )
    assert result.exit_code == 1, result.output
    assert "SLAC_MEMORY_LIMIT='lots' is refused" in result.output
    assert "Traceback" not in result.output


def test_running_out_of_memory_is_an_error_that_says_what_to_set(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = CliRunner().invoke(
        cli,
        ["evaluate", CONTRACT, "--period", "2026-10", "-o", str(out)],
        env={MEMORY_ENV: "1MB"},
    )
    assert result.exit_code == 1, result.output
    assert "needs more memory than the engine may use" in result.output
    assert f"set {MEMORY_ENV}" in result.output
    assert not out.exists() and os.listdir(tmp_path) == []
