"""The engine's memory limit and spill folder are slac's, not DuckDB's defaults (80% of the
machine's memory, and `.tmp` in the working folder), and each can be overridden; a
portfolio's small contracts run on one thread, and the engine's setting comes back after."""

from __future__ import annotations

import os
import subprocess
import sys
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


def test_the_default_is_640_mb_and_a_spill_folder_of_its_own_removed_on_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    monkeypatch.delenv(SPILL_ENV, raising=False)
    engine = Engine()
    limit, spill = settings(engine)
    assert limit == "610.3 MiB"  # 640 MB, as DuckDB prints it
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


def _threads(engine: Engine) -> int:
    return int(engine.con.execute("SELECT current_setting('threads')").fetchone()[0])


def test_a_portfolio_contract_on_one_thread_gets_the_engines_threads_back() -> None:
    engine = Engine()
    try:
        default = _threads(engine)
        engine.set_threads(1)
        assert _threads(engine) == 1
        engine.set_threads(None)
        assert _threads(engine) == default
    finally:
        engine.close()
    engine = Engine(threads=3)
    try:
        engine.set_threads(1)
        engine.set_threads(None)
        assert _threads(engine) == 3  # what the engine was opened with, not DuckDB's default
    finally:
        engine.close()


def test_only_a_portfolios_small_contracts_run_on_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from slac import api

    seen: list[int | None] = []
    original = Engine.set_threads

    def spy(self: Engine, threads: int | None) -> None:
        seen.append(threads)
        original(self, threads)

    monkeypatch.setattr(Engine, "set_threads", spy)
    assert api.evaluate(CONTRACT, period="2026-10").value is not None
    assert seen == []  # one contract alone keeps the engine's threads
    assert api.evaluate_portfolio([CONTRACT], period="2026-10").value is not None
    assert seen == [1, None]


def test_an_engine_never_closed_leaves_no_spill_folder_when_the_process_exits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SPILL_ENV, raising=False)
    script = "from slac.evaluation.sqltext import Engine\nprint(Engine()._spill)\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    spill = Path(done.stdout.strip())
    assert spill.name.startswith("slac-spill-")
    assert not spill.exists()
