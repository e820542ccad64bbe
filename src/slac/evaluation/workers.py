"""A portfolio's contracts evaluated side by side: a thread per job, each on its own
connection to the portfolio's one database (docs/portfolios.md, "Jobs").

Only the evaluations run at the same time. Everything else a contract's work does (reading
bindings and ledgers, writing a closed period, reporting progress) takes turns, so that it
runs as it would one contract after another. Each contract's results are those it gets alone:
its tables are its connection's own, and the tables it shares (the staged sources) are only
read once written.
"""

from __future__ import annotations

import contextlib
import decimal
import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from slac.evaluation.sqltext import Engine

Item = TypeVar("Item")


def default_jobs() -> int:
    """The processors this process may run on (a container's or ``taskset``'s share)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Workers:
    """The engine of each thread working on a portfolio, and the turns they take."""

    def __init__(self, engine: Engine) -> None:
        self.main = engine
        self._local = threading.local()
        self._turn = threading.Lock()
        self._side_by_side = False

    @property
    def engine(self) -> Engine:
        """The engine of the thread asking: its own connection, or the main one."""
        own: Engine | None = getattr(self._local, "engine", None)
        return own if own is not None else self.main

    @contextmanager
    def evaluating(self) -> Iterator[None]:
        """An evaluation, which may run while other threads evaluate."""
        if not self._side_by_side:
            yield
            return
        self._turn.release()
        try:
            yield
        finally:
            self._turn.acquire()

    def each(self, items: Sequence[Item], work: Callable[[Item], None], jobs: int) -> None:
        """``work`` for each item, on up to ``jobs`` threads. The first item is done alone on
        the main engine: it reads the shared sources with all of the engine's threads. The
        others follow on one engine thread each, so that ``jobs`` of them share the processors
        (a contract's few thousand rows gain nothing from more). The first exception raised by
        ``work`` stops the rest and is raised here."""
        if not items:
            return
        with _long_lived():
            self._each(items, work, jobs)

    def _each(self, items: Sequence[Item], work: Callable[[Item], None], jobs: int) -> None:
        work(items[0])
        rest = list(items[1:])
        jobs = min(jobs, len(rest))
        if jobs <= 1:
            for item in rest:
                work(item)
            return
        todo = iter(rest)
        done = object()
        failed: list[BaseException] = []
        # Decimal arithmetic follows each thread's own context: the workers take the caller's.
        arithmetic = decimal.getcontext()

        def worker(engine: Engine) -> None:
            self._local.engine = engine
            decimal.setcontext(arithmetic.copy())
            try:
                while True:
                    with self._turn:
                        item = next(todo, done) if not failed else done
                        if item is done:
                            return
                        try:
                            work(item)  # type: ignore[arg-type]
                        except BaseException as err:  # raised in the main thread below
                            failed.append(err)
                            return
            finally:
                engine.close()

        self.main.set_threads(1)
        self._side_by_side = True
        connections = [self.main.connection() for _ in range(jobs)]
        threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in connections]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        except BaseException as err:
            # Ctrl-C reaches the main thread only. The workers are stopped before it goes on:
            # a process that exits while their queries run in native code aborts (SIGABRT)
            # instead of exiting 130.
            failed.append(err)
            while any(thread.is_alive() for thread in threads):
                for engine in connections:
                    with contextlib.suppress(Exception):  # closed once its worker is done
                        engine.con.interrupt()
                for thread in threads:
                    thread.join(0.05)
            raise
        finally:
            self._side_by_side = False
            self.main.set_threads(None)
        if failed:
            raise failed[0]


@contextmanager
def _long_lived() -> Iterator[None]:
    """The garbage collector, tuned for a portfolio's run. What exists before it (every
    contract's plan) outlives it: frozen, it is not walked again by each full collection. A
    contract's SQL trees are cycles (parent links) that die within a statement or two: with
    the youngest generation collected every 10,000 allocations rather than 700, most die there,
    and fewer are promoted to be walked again. Collections hold the interpreter's lock that the
    jobs share; they cost 7% of 1,000 contracts' time before (bench/portfolio.py)."""
    # A caller that froze objects of its own is left as it was: unfreezing cannot tell them
    # from the plans.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.collect()
        gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(10_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()
