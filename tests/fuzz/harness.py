"""One fuzz input through the path the command line takes, and what counts as a crash.

Contracts: ``slac.api.lint``; when lint finds no error, ``compile_plan``, the canonical plan
JSON and ``explain``. Data: ``slac.api.evaluate`` with ``--on-bad-rows error``, then with
``exclude`` when there were bad rows (otherwise both modes take the same path), and the results
JSON. With ``cli``, the same through click's runner as well (``catch_exceptions=False``).

A crash is an exception escaping the API (none is documented for these calls), a command exit
other than 0, 1 or 2, a traceback in a command's output, or a call taking more than its limit of
CPU time (``LIMIT_S``, ``EVALUATE_LIMIT_S``) or of memory (``MEMORY_BYTES``: a MemoryError).
"""

from __future__ import annotations

import resource
import signal
import tempfile
import threading
import traceback
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import slac
from slac import api
from slac.diagnostics import Severity
from slac.plan.canonical import pretty

from .contracts import Input
from .data import DataInput

TODAY = date(2026, 11, 23)
LIMIT_S = 10  # CPU seconds for each call: lint, compile, explain
EVALUATE_LIMIT_S = 30  # … and for an evaluation (the examples take 1-3 s)
MEMORY_BYTES = 4 * 2**30  # more address space for each call (the examples need 0.3 GB)
SLAC_DIR = str(Path(slac.__file__).resolve().parent)


class Timeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in slac eats it."""


@dataclass(frozen=True)
class Crash:
    error: str  # the exception type, "Timeout", or "exit N" / "traceback in output"
    frame: str  # the innermost frame in slac: slac/contract/source.py:resolve_plain
    line: int
    message: str
    trace: str

    @property
    def signature(self) -> str:
        """The root cause, as far as a traceback tells: what was raised and where in slac (for
        a timeout, the module only: the alarm strikes anywhere in the loop)."""
        where = self.frame.split(":")[0] if self.error == "Timeout" else self.frame
        return f"{self.error} in {where}"


@contextmanager
def limits(seconds: float) -> Iterator[None]:
    """At most ``seconds`` of CPU time (the process's, every thread's: wall-clock time would
    call a busy machine a hang) and ``MEMORY_BYTES`` more address space than before the call
    (an input that makes slac allocate without end is a MemoryError, not a machine that swaps
    and kills its processes). A hang that does not use the CPU is caught by bench/fuzz.py's
    watchdog."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: no limit elsewhere
        return

    def expire(signum: int, frame: object) -> None:
        raise Timeout(f"more than {seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, expire)
    memory = resource.getrlimit(resource.RLIMIT_AS)
    used = _address_space()
    if used is not None:
        resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY_BYTES, memory[1]))
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        resource.setrlimit(resource.RLIMIT_AS, memory)


def _address_space() -> int | None:
    """The process's address space in bytes (Linux); None elsewhere: no memory limit then."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except OSError:
        return None


def crash_of(err: BaseException) -> Crash:
    frames = traceback.extract_tb(err.__traceback__)
    inner = [f for f in frames if f.filename.startswith(SLAC_DIR)]
    where = inner[-1] if inner else (frames[-1] if frames else None)
    frame, line = "?", 0
    if where is not None:
        rel = where.filename[len(SLAC_DIR) - len("slac") :] if inner else where.filename
        frame, line = f"{rel}:{where.name}", where.lineno or 0
    message = str(err).splitlines()[0][:300] if str(err) else ""
    trace = "".join(traceback.format_exception(err))
    return Crash(type(err).__name__, frame, line, message, trace)


def run_contract(item: Input, *, cli: bool = False) -> Crash | None:
    # One explanation per input, text or Markdown by the input's bytes.
    fmt = ("text", "md")[zlib.crc32(repr(item.files).encode()) % 2]
    with tempfile.TemporaryDirectory() as folder:
        try:
            for path in item.write(Path(folder)):
                _contract_api(path, fmt)
                if cli:
                    _contract_cli(path)
        except CommandFailed as failed:
            return failed.crash
        except (Exception, Timeout) as err:
            return crash_of(err)
    return None


def _contract_api(path: str, fmt: str) -> None:
    with limits(LIMIT_S):
        report = api.lint([path], today=TODAY)
    if any(d.severity is Severity.ERROR for d in report.diagnostics):
        return
    with limits(LIMIT_S):
        plan = api.compile_plan(path, today=TODAY).value
        if plan is None:
            return
        pretty(api.plan_document(plan))
    with limits(LIMIT_S):
        api.explain(path, fmt=fmt, today=TODAY)


def _contract_cli(path: str) -> None:
    code = _command(["lint", path, "--today", str(TODAY)], LIMIT_S)
    if code == 0:
        _command(["compile", path, "--today", str(TODAY)], LIMIT_S)
        _command(["explain", path, "--format", "md", "--today", str(TODAY)], LIMIT_S)


def run_data(item: DataInput, *, cli: bool = False) -> Crash | None:
    with tempfile.TemporaryDirectory() as folder:
        item.write(Path(folder))
        contract = str(Path(folder) / item.contract)
        try:
            for mode in ("error", "exclude"):
                with limits(EVALUATE_LIMIT_S):
                    outcome = api.evaluate(
                        contract, period=item.period, on_bad_rows=mode, today=TODAY
                    )
                    if outcome.value is not None:
                        pretty(api.results_document(outcome.value))
                if cli:
                    _evaluate_cli(contract, item.period, mode, folder)
                if not outcome.errors:
                    break  # no bad rows: `exclude` takes the very same path
        except CommandFailed as failed:
            return failed.crash
        except (Exception, Timeout) as err:
            return crash_of(err)
    return None


def _evaluate_cli(contract: str, period: str | None, mode: str, folder: str) -> None:
    args = ["evaluate", contract, "--on-bad-rows", mode, "--today", str(TODAY), "--quiet"]
    args += ["-o", f"{folder}/results.json"] + (["--period", period] if period else [])
    _command(args, EVALUATE_LIMIT_S)


class CommandFailed(Exception):
    def __init__(self, crash: Crash) -> None:
        super().__init__(crash.signature)
        self.crash = crash


def _command(args: list[str], limit: float) -> int:
    from click.testing import CliRunner

    from slac.cli import cli

    with limits(limit):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    shown = result.stdout + result.stderr
    if result.exit_code not in (0, 1, 2) or "Traceback (most recent call last)" in shown:
        what = f"exit {result.exit_code}" if result.exit_code not in (0, 1, 2) else "traceback"
        raise CommandFailed(Crash(what, f"slac {args[0]}", 0, shown[-300:], shown))
    return result.exit_code
