"""Python work done beside the engine: while DuckDB runs a statement (in native code, without
the interpreter's lock), work that needs no engine is done on another thread. At 10M tickets
the breached-items annex of a duration objective is 448k listed items, about 2 s of Python
that otherwise leaves the engine idle; the input files' hashes (440 MB) are another 0.4 s
(README.md, "Evaluating").

The work is done in the order given, one piece at a time, on one thread, with a copy of the
caller's decimal context as it was when the block began (each thread has its own context).
The results are taken in that order too, so the outcome is the same as done in line; only
the time differs. So are the errors: a piece that failed stops the caller at its next
:meth:`Aside.submit`, and when the block fails after a piece did, the piece's error (the
earlier one) is raised, the block's as its context.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


class Aside:
    """Work handed to one thread beside the caller's, its results taken in order."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._pending: list[Future[Any]] = []

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """``work`` queued after the pieces before it; raises the error of one that failed
        (the caller stops where it would have in line, not after all its other work)."""
        self._raise_failed()
        future = self._pool.submit(work)
        self._pending.append(future)
        return future

    def wait(self) -> None:
        """Every piece handed over done; the first one that raised raises here."""
        for future in self._pending:
            future.result()

    def failed(self) -> BaseException | None:
        """The error of the first finished piece that raised, if any."""
        for future in self._pending:
            if future.done() and not future.cancelled() and future.exception() is not None:
                return future.exception()
        return None

    def _raise_failed(self) -> None:
        error = self.failed()
        if error is not None:
            raise error


@contextmanager
def aside() -> Iterator[Aside]:
    """An :class:`Aside` for the block; on leaving it, every piece handed over is done. When
    the block raises, the pieces not started are dropped, and the error of a piece that had
    failed before is raised rather than the block's."""
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
    except Exception as err:
        pool.shutdown(wait=True, cancel_futures=True)
        earlier = work.failed()
        if earlier is not None and earlier is not err:
            raise earlier  # noqa: B904 - the block's error stays as its context
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
