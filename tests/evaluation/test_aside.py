"""Python work beside the engine (aside.py): done on another thread, in order, with the
caller's decimal context, its errors raised where they would have been in line."""

from __future__ import annotations

import decimal
import functools
import threading
from decimal import Decimal

import pytest

from slac.evaluation.aside import aside


def test_pieces_run_on_another_thread_and_are_taken_in_order() -> None:
    order: list[int] = []

    def piece(i: int) -> str:
        order.append(i)
        return threading.current_thread().name

    with aside() as work:
        futures = [work.submit(functools.partial(piece, i)) for i in range(20)]
    assert order == list(range(20))
    names = {f.result() for f in futures}
    assert len(names) == 1
    assert names != {threading.current_thread().name}


def test_the_worker_computes_in_the_callers_context_as_the_block_began() -> None:
    # The pool is made inside the caller's context: a copy of it is the worker's.
    with (
        decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_DOWN)),
        aside() as work,
    ):
        decimal.getcontext().prec = 12  # the caller's own, later: not the worker's
        third = work.submit(lambda: Decimal(2) / 3)
    assert third.result() == Decimal("0.66666")


def test_an_error_in_a_piece_is_raised_when_the_block_ends() -> None:
    done: list[int] = []

    def fail() -> None:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"), aside() as work:
        work.submit(lambda: done.append(1))
        work.submit(fail)
    assert done == [1]


def test_a_failed_piece_stops_the_caller_at_its_next_submit() -> None:
    def fail() -> None:
        raise ValueError("bad row")

    statements: list[int] = []
    with pytest.raises(ValueError, match="bad row"), aside() as work:
        failed = work.submit(fail)
        failed.exception()  # finished
        statements.append(1)
        work.submit(lambda: None)
        statements.append(2)  # never reached: in line, the error came first
    assert statements == [1]


def test_a_pieces_error_is_not_hidden_by_a_later_error_of_the_block() -> None:
    def fail() -> None:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row") as raised, aside() as work:
        work.submit(fail).exception()
        raise MemoryError("the next statement")
    assert isinstance(raised.value.__context__, MemoryError)


def test_pieces_not_started_are_dropped_when_the_block_fails() -> None:
    gate = threading.Event()
    ran: list[str] = []
    with pytest.raises(RuntimeError), aside() as work:
        work.submit(gate.wait)  # running until the block has failed
        work.submit(lambda: ran.append("late"))
        # Released once the queued piece is cancelled (shutdown cancels, then waits).
        threading.Timer(0.2, gate.set).start()
        raise RuntimeError("statement failed")
    assert ran == []
