"""Python work beside the engine (aside.py): done on another thread, in order, with the
caller's decimal context, its errors raised to the caller."""

from __future__ import annotations

import decimal
import threading
from decimal import Decimal

import pytest

from slac.evaluation.aside import aside


def test_pieces_run_on_another_thread_and_are_taken_in_order() -> None:
    order: list[int] = []
    with aside() as work:
        futures = [
            work.submit(lambda i=i: (order.append(i), threading.current_thread().name)[1])
            for i in range(20)
        ]
    assert order == list(range(20))
    names = {f.result() for f in futures}
    assert len(names) == 1
    assert names != {threading.current_thread().name}


def test_the_callers_decimal_context_is_the_workers() -> None:
    # The pool is made inside the caller's context: it is the one the worker takes.
    with (
        decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_DOWN)),
        aside() as work,
    ):
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
