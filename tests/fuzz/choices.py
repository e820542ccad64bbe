"""Where a fuzzer's decisions come from: a seeded ``random.Random`` (the long run in
bench/fuzz.py) or Hypothesis (the bounded tests), behind one small interface, so that both run
the very same mutations and Hypothesis can shrink a failing input decision by decision.

Options are listed simplest first wherever there is a choice: Hypothesis shrinks towards the
first option, so a shrunk failure reads as the plainest mutation that still fails.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Chooser(Protocol):
    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``lo..hi``, both included."""
        ...


def pick(chooser: Chooser, options: Sequence[T]) -> T:
    return options[chooser.integer(0, len(options) - 1)]


def chance(chooser: Chooser, one_in: int) -> bool:
    return chooser.integer(0, one_in - 1) == 0


class RandomChooser:
    def __init__(self, seed: str) -> None:
        self._random = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self._random.randint(lo, hi)


class DrawChooser:
    """Hypothesis's ``st.data()`` as a chooser."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self._data = data
        self._integers = st.integers

    def integer(self, lo: int, hi: int) -> int:
        return int(self._data.draw(self._integers(lo, hi)))
