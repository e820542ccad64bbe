"""The ``slac`` command's entry point: Ctrl-C exits 130 (128 + SIGINT, as shells report it),
quietly, from the first instant.

This module imports nothing of slac's before the handler is in place: loading the command line
takes a second or more on a busy machine, and Ctrl-C in that second must not print an import
traceback either. Every output is staged and settled atomically, so an interrupted run leaves
nothing half-written (the staging folders are removed on the way out).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from types import FrameType


class Interrupted(BaseException):
    """Ctrl-C, raised by our own handler: a BaseException, so that no ``except Exception`` on
    the way (nor click, which would print "Aborted!" and exit 1) takes it for an error."""


_interrupted = False


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    if _interrupted:
        # A second Ctrl-C: the first is being unwound (or was swallowed by native code), and
        # the user wants out now. Staging folders may remain; nothing is settled half-written.
        os._exit(128 + signal.SIGINT)
    _interrupted = True
    engines = sys.modules.get("slac.evaluation.sqltext")
    if engines is not None:  # loaded: a query may be running, in native code
        engines.interrupt_queries()
    raise Interrupted


# Python's cyclic collector, by default, collects the youngest objects every 700 allocations
# and, every so often, every object of the process. A run builds millions of acyclic objects
# it keeps (measurements, the breached-items annex, the results' JSON data): at 10M tickets the
# full collections walked them again and again, 3.0 s of a 32 s run. Collected every 100,000
# allocations, the run's garbage (cycles such as the SQL trees) is still freed as it goes,
# and no full collection comes during a run (0.5 s in all).
COLLECTOR_THRESHOLDS = (100_000, 20, 10)


def main() -> None:
    signal.signal(signal.SIGINT, _on_interrupt)
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        from slac.cli import cli

        cli(prog_name="slac")
    except BaseException:
        # DuckDB turns the interrupt into its own error ("Query interrupted"): whatever
        # surfaces after Ctrl-C is the interrupt.
        if not _interrupted:
            raise
        from slac.diagnostics import ExitCode

        _leave(ExitCode.INTERRUPTED)


def _leave(code: int) -> None:
    """Exit with ``code`` now, without the interpreter's finalization, after an interrupt.
    What must happen on the way out has happened: each output is settled or its staging
    removed (on the way up here), and the engines are closed below (their spill folders
    removed). Finalization would tear DuckDB down while threads of its own, stopped by the
    interrupt, may still be unwinding: on a busy machine a portfolio's run then aborted
    (SIGABRT, "FATAL: exception not rethrown") about one time in three instead of exiting."""
    engines = sys.modules.get("slac.evaluation.sqltext")
    if engines is not None:
        engines.close_engines()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
