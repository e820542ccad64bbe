"""Merging spans: business hours per day and excluded time both rely on it."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from slac.plan.intervals import merge_spans

spans = st.lists(
    st.tuples(st.integers(0, 100), st.integers(1, 20)).map(lambda s: (s[0], s[0] + s[1])),
    max_size=12,
)


def test_touching_and_overlapping_spans_join() -> None:
    assert merge_spans([(600, 720), (480, 600), (780, 1080), (1000, 1100)]) == [
        (480, 720),
        (780, 1100),
    ]
    assert merge_spans([]) == []


@given(spans)
def test_merged_spans_cover_the_same_points_and_are_apart(
    given_spans: list[tuple[int, int]],
) -> None:
    merged = merge_spans(given_spans)
    points = {p for a, b in given_spans for p in range(a, b)}
    assert {p for a, b in merged for p in range(a, b)} == points
    assert all(b < c for (_, b), (c, _) in pairwise(merged))
