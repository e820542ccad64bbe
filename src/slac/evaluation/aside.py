"""Python work done beside the engine: while DuckDB runs an objective's statement (in native
code, without the interpreter's lock), the rows of the statement before it become
measurements on another thread. At 10M tickets the annex alone is 448k listed items, about
2 s of Python that otherwise leaves the engine idle (README.md, "Evaluating").

The work is done in the order given, one piece at a time, on one thread, with the caller's
decimal context (each thread has its own: a threshold of 4.5 h is rounded as the caller's
context says, whichever thread computes it). The results are taken in that order too, so
the outcome is the same as done in line; only the time differs.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class Aside:
    """Work handed to one thread beside the caller's, its results taken in order."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._pending: list[Future[object]] = []

    def submit(self, work: Callable[[], T]) -> Future[T]:
        future = self._pool.submit(work)
        self._pending.append(future)  # type: ignore[arg-type]
        return future

    def wait(self) -> None:
        """Every piece handed over done; the first one that raised raises here."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()


@contextmanager
def aside() -> Iterator[Aside]:
    """An :class:`Aside` for the block; on leaving it, every piece handed over is done (or,
    when the block raised, the pieces not started are dropped and the first error stands)."""
    pool = ThreadPoolExecutor(
        max_workers=1,
        thread_name_prefix="slac-aside",
        initializer=decimal.setcontext,
        initargs=(decimal.getcontext().copy(),),
    )
    work = Aside(pool)
    try:
        yield work
        work.wait()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
