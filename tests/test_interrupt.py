"""Ctrl-C exits 130, quietly: no traceback, no "Aborted!", nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc")


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _when_idle(process: subprocess.Popen[bytes]) -> None:
    """Wait until the process has started and sits blocked (its CPU time stands still)."""
    last, still = -1, 0
    deadline = time.monotonic() + 60
    while still < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
        ticks = _cpu_ticks(process.pid)
        still = still + 1 if ticks == last else 0
        last = ticks


def _when_exists(marker: Path) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, bytes, bytes]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_ctrl_c_while_reading_a_contract_exits_130_quietly(tmp_path: Path) -> None:
    # `slac lint -` waits for the contract on standard input.
    args = [sys.executable, "-m", "slac", "lint", "-"]
    pipe = subprocess.PIPE
    process = subprocess.Popen(args, cwd=tmp_path, stdin=pipe, stdout=pipe, stderr=pipe)
    _when_idle(process)
    assert _finish(process) == (130, b"", b"")


def _interrupted_command(work: Path, marker: Path, body: str) -> tuple[int, bytes, bytes]:
    """Run a `slac spin` command whose ``body`` (Python, indented under the command; it
    touches ``marker`` once busy) is interrupted by Ctrl-C; its exit status and output. Its
    temporary folder (the engines' spill folders) must be left empty."""
    script = (
        "import sys, pathlib\n"
        "from slac import cli\n"
        "from slac.evaluation.sqltext import Engine\n"
        "from slac.evaluation.workers import Workers\n"
        "from slac.files import write_output\n"
        f"MARKER = pathlib.Path({str(marker)!r})\n"
        "SQL = 'SELECT count(*) FROM range(10000000000000) a'\n"
        "@cli.cli.command(name='spin')\n"
        "def spin() -> None:\n"
        f"{body}"
        "sys.argv = ['slac', 'spin']\n"
        "from slac.entry import main\n"
        "main()\n"
    )
    pipe = subprocess.PIPE
    temp = work.parent / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    env.pop("SLAC_SPILL_DIRECTORY", None)
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=work, stdout=pipe, stderr=pipe, env=env
    )
    _when_exists(marker)
    finished = _finish(process)
    assert list(temp.iterdir()) == []  # no spill folder left behind
    return finished


def test_ctrl_c_during_a_query_exits_130_quietly_and_writes_nothing(tmp_path: Path) -> None:
    # DuckDB turns the interrupt into its own RuntimeError("Query interrupted"): still 130.
    # Run under `cmd &` (as CI runs the suite) DuckDB does not notice the signal itself: the
    # handler interrupts every open engine.
    work, marker = tmp_path / "work", tmp_path / "started"
    work.mkdir()
    body = (
        "    engine = Engine()\n"
        "    MARKER.touch()\n"
        "    write_output('out.json', str(engine.con.execute(SQL).fetchall()))\n"
    )
    assert _interrupted_command(work, marker, body) == (130, b"", b"")
    assert list(work.iterdir()) == []


def test_a_second_ctrl_c_exits_at_once_when_the_first_was_swallowed(tmp_path: Path) -> None:
    # Native code (or a careless `except BaseException`) may swallow the first interrupt.
    marker = tmp_path / "started"
    script = (
        "import pathlib, time\n"
        "from slac import cli\n"
        "@cli.cli.command(name='stubborn')\n"
        "def stubborn() -> None:\n"
        f"    pathlib.Path({str(marker)!r}).touch()\n"
        "    try:\n"
        "        time.sleep(60)\n"
        "    except BaseException:\n"
        "        time.sleep(60)\n"
        "import sys\n"
        "sys.argv = ['slac', 'stubborn']\n"
        "from slac.entry import main\n"
        "main()\n"
    )
    pipe = subprocess.PIPE
    process = subprocess.Popen([sys.executable, "-c", script], stdout=pipe, stderr=pipe)
    _when_exists(marker)
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert process.poll() is None  # swallowed
    started = time.monotonic()
    assert _finish(process) == (130, b"", b"")
    assert time.monotonic() - started < 30


def test_ctrl_c_while_jobs_run_queries_exits_130_quietly_and_writes_nothing(
    tmp_path: Path,
) -> None:
    # A portfolio on several jobs: the main thread waits for the workers while their
    # connections run queries; the handler interrupts every connection, and the run ends.
    work, marker = tmp_path / "work", tmp_path / "started"
    work.mkdir()
    body = (
        "    workers = Workers(Engine())\n"
        "    def work(item: int) -> None:\n"
        "        if item:\n"
        "            with workers.evaluating():\n"
        "                MARKER.touch()\n"
        "                workers.engine.con.execute(SQL).fetchall()\n"
        "    workers.each([0, 1, 2, 3], work, jobs=2)\n"
        "    write_output('out.json', 'done')\n"
    )
    assert _interrupted_command(work, marker, body) == (130, b"", b"")
    assert list(work.iterdir()) == []
