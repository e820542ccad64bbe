"""The window an instant lies in, for a probes objective's windows that do not overlap: one
statement buckets every window's probes, each row placed by a binary search written as nested
CASE (kinds/availability.py). It must place every instant as a plain scan of the windows
does, at each boundary, in the gaps between windows and outside them all."""

from __future__ import annotations

import itertools

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from slac.evaluation.measurement import Period
from slac.kinds.availability import _window_start


def by_hand(at: int, windows: list[Period]) -> int | None:
    for w in windows:
        if w.start_us <= at < w.end_us:
            return w.start_us
    return None


@st.composite
def windows_and_instants(draw: st.DrawFn) -> tuple[list[Period], list[int]]:
    bounds = sorted(draw(st.sets(st.integers(-(10**12), 10**12), min_size=2, max_size=40)))
    pairs = list(itertools.pairwise(bounds))
    # Windows that do not overlap, with gaps where a pair is left out.
    kept = [p for p in pairs if draw(st.booleans())] or pairs[:1]
    windows = [Period(f"w{i}", "month", a, b) for i, (a, b) in enumerate(kept)]
    near = [b + d for b in bounds for d in (-1, 0, 1)]
    instants = near + draw(st.lists(st.integers(-(10**12) - 5, 10**12 + 5), max_size=20))
    return draw(st.permutations(windows)), instants


@settings(max_examples=200, deadline=None)
@given(windows_and_instants())
def test_each_instant_lies_in_the_window_a_scan_finds(
    case: tuple[list[Period], list[int]],
) -> None:
    windows, instants = case
    expression = _window_start(exp.column("x", "t"), windows)
    rows = ", ".join(f"({i}, {at})" for i, at in enumerate(instants))
    found = duckdb.sql(
        f"SELECT i, {expression.sql(dialect='duckdb')} FROM (VALUES {rows}) AS t(i, x) ORDER BY i"
    ).fetchall()
    assert [ws for _, ws in found] == [by_hand(at, windows) for at in instants]


def test_a_year_of_months_is_a_few_comparisons_deep() -> None:
    months = [Period(f"m{i}", "month", i * 100, (i + 1) * 100) for i in range(12)]
    expression = _window_start(exp.column("x", "t"), months)
    assert max(len(list(c.find_all(exp.Case))) for c in [expression]) == 23  # 11 inner, 12 leaves
    depth = 0
    node: exp.Expr | None = expression
    while isinstance(node, exp.Case) and node.args.get("default") is not None:
        depth += 1
        node = node.args["default"]
    assert depth <= 4
