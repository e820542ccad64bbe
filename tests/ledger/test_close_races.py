"""A close is one transaction: killed before its commit it leaves the ledger as it was, and of
two closes of one month at once exactly one is recorded (both stores, real processes).

The store's test-only pause (``SLAC_LEDGER_TEST_PAUSE_BEFORE_COMMIT``) holds a close after
its rows are written and before the commit, until the test kills it or lets it go on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli
from slac.ledger.model import LedgerConflict
from slac.ledger.store import PAUSE_ENV, open_store

WAIT = 120  # seconds: a child process loads slac and evaluates before it reaches the pause


def close_process(
    case: Path, ledger: str, *extra: str, pause: Path | None = None
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause is not None:
        env[PAUSE_ENV] = str(pause)
    command = [sys.executable, "-m", "slac", "close", str(case / "contract.yaml")]
    return subprocess.Popen(
        [*command, "--period", "2026-10", "--ledger", ledger, "--quiet", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        if child.poll() is not None:
            pytest.fail(f"the close ended before its pause: {child.communicate()}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail("the close never reached its pause")
        time.sleep(0.05)


def history(case: Path, ledger: str) -> str:
    result = CliRunner().invoke(
        cli, ["history", str(case / "contract.yaml"), "--ledger", ledger, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_close_killed_before_its_commit_leaves_the_ledger_as_it_was(
    case: Path, ledger: str, tmp_path: Path
) -> None:
    first = close_process(case, ledger, "--by", "alice")
    assert first.wait(WAIT) == 0, first.communicate()
    before = history(case, ledger)
    pause = tmp_path / "paused"
    child = close_process(case, ledger, "--reopen", "--reason", "killed", pause=pause)
    wait_for(pause, child)  # revision 2 and its credit lines are written, not committed
    child.send_signal(signal.SIGKILL)
    assert child.wait(WAIT) == -signal.SIGKILL
    assert history(case, ledger) == before
    with open_store(ledger) as store:
        assert [r.revision for r in store.revisions("ledger-test")] == [1]
        assert store._execute("SELECT count(*) FROM slac_credit_lines") == [(1,)]  # type: ignore[attr-defined]
    again = close_process(case, ledger, "--reopen", "--reason", "after the kill")
    assert again.wait(WAIT) == 0, again.communicate()
    assert [p["revision"] for p in json.loads(history(case, ledger))["periods"]] == [1, 2]


def _waiting_on_a_lock(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        ).fetchone()
    return bool(row and row[0])


def test_of_two_closes_at_once_exactly_one_is_recorded(
    case: Path, ledger: str, tmp_path: Path
) -> None:
    pause = tmp_path / "paused"
    winner = close_process(case, ledger, "--by", "alice", pause=pause)
    wait_for(pause, winner)  # alice's close is written and not yet committed
    loser = close_process(case, ledger, "--by", "bob")
    if ledger.startswith("postgresql://"):
        # bob's insert waits for alice's uncommitted row with the same key; let alice commit
        # once it does, so that bob's close fails on the unique key, not on a check before it.
        deadline = time.monotonic() + WAIT
        while not _waiting_on_a_lock(ledger) and loser.poll() is None:
            assert time.monotonic() < deadline, "bob's close never reached the database"
            time.sleep(0.1)
        (tmp_path / "paused.go").touch()
        expected = "was closed at the same time by alice"
    else:
        # A DuckDB file is written by one process at a time: bob cannot even open it.
        loser.wait(WAIT)
        (tmp_path / "paused.go").touch()
        expected = "is in use by another slac process"
    _, err = loser.communicate(timeout=WAIT)
    assert loser.returncode == 1, err
    assert expected in err and "Traceback" not in err
    assert winner.wait(WAIT) == 0, winner.communicate()
    with open_store(ledger) as store:
        assert [(r.revision, r.closed_by) for r in store.revisions("ledger-test")] == [(1, "alice")]


def test_two_connections_of_one_process_conflict_cleanly(tmp_path: Path) -> None:
    """DuckDB in one process (two connections): of two closes of one month, one is recorded
    and the other is told so, without a traceback."""
    ledger = str(tmp_path / "ledger.duckdb")
    from .test_store import record

    pause = tmp_path / "paused"
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with open_store(ledger) as store:
                store.record_close(record())
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    with open_store(ledger):
        pass  # migrated before both
    os.environ[PAUSE_ENV] = str(pause)
    try:
        thread = threading.Thread(target=first)
        thread.start()
        deadline = time.monotonic() + WAIT
        while not pause.exists():
            assert time.monotonic() < deadline and thread.is_alive(), errors
            time.sleep(0.02)
    finally:
        del os.environ[PAUSE_ENV]
    # DuckDB's concurrency is optimistic: the first to commit wins, the other fails at its
    # commit. Here that is bob, who commits while alice is held before hers.
    with open_store(ledger) as store:
        store.record_close(replace(record(), closed_by="bob"))
    (tmp_path / "paused.go").touch()
    thread.join(WAIT)
    assert len(errors) == 1 and isinstance(errors[0], LedgerConflict), errors
    assert "closed at the same time by bob" in str(errors[0])
    with open_store(ledger) as store:
        assert [r.closed_by for r in store.revisions("c-1")] == ["bob"]
