"""A duration objective reads its rows as two streams (kinds/duration.py, ``first_known``):
the items known at their home window, straight through, and the others with their later
windows. The second stream reads the items narrowed by their own times, before they are joined
to their windows: an item passes when its end is unknown or later than the earliest as-of
instant of the windows holding its start (``earliest_asof``). The narrowing must keep every
item that stream takes: figures, listed items and row account equal to the rows read whole,
with windows of two units (months and quarters), an as-of instant inside a month, ends
exactly at a window's end and items from before the run.
"""

from __future__ import annotations

import copy
import functools
import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from slac.evaluation.asof import AsOf
from slac.evaluation.evaluate import evaluate_plan, results_json
from slac.evaluation.measurement import Period
from slac.evaluation.runner import write_rows
from slac.evaluation.selection import EARLIEST_US, earliest_asof
from slac.kinds import KINDS, duration
from slac.plan.types import Plan

from .test_carry_over import _plan
from .test_differential import DIFFERENTIAL

US = 1_000_000


def by_hand(at: int, periods: list[Period], as_of_us: int | None) -> int | None:
    holding = [
        p.end_us if as_of_us is None else as_of_us for p in periods if p.start_us <= at < p.end_us
    ]
    return min(holding) if holding else None


@st.composite
def periods_and_instants(draw: st.DrawFn) -> tuple[list[Period], int | None, list[int]]:
    bounds = sorted(draw(st.sets(st.integers(-(10**12), 10**12), min_size=2, max_size=30)))
    # Periods that may overlap and nest (months inside quarters), with gaps between some.
    pairs = [(a, b) for a, b in itertools.combinations(bounds, 2) if draw(st.booleans())]
    periods = [Period(f"p{i}", "month", a, b) for i, (a, b) in enumerate(pairs[:12])]
    as_of = draw(st.one_of(st.none(), st.integers(-(10**12), 10**12)))
    near = [b + d for b in bounds for d in (-1, 0, 1)]
    return periods, as_of, near + draw(st.lists(st.integers(-(10**12) - 5, 10**12 + 5)))


@settings(max_examples=200, deadline=None)
@given(periods_and_instants())
def test_the_earliest_as_of_holding_an_instant_is_a_scan_of_the_windows(
    case: tuple[list[Period], int | None, list[int]],
) -> None:
    periods, as_of, instants = case
    expression = earliest_asof(exp.column("x", "t"), periods, as_of)
    rows = ", ".join(f"({i}, {at})" for i, at in enumerate(instants))
    found = duckdb.sql(
        f"SELECT i, {expression.sql(dialect='duckdb')} FROM (VALUES {rows}) AS t(i, x) ORDER BY i"
    ).fetchall()
    assert [v for _, v in found] == [by_hand(at, periods, as_of) for at in instants]


CONTRACT = """\
slac: 1
id: late
version: "1"
effective: {from: "2026-01-01"}
timezone: Europe/Berlin
parties: {provider: {name: P}, customer: {name: C}}
datasets:
  tickets:
    kind: tickets
    key: id
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      resolved_at: {type: timestamp}
metrics:
  resolution:
    dataset: tickets
    duration: {from: created_at, to: resolved_at}
objectives:
  - {id: month-3d, metric: resolution, within: 3d, target: ">= 90%"}
  - {id: quarter-2d, metric: resolution, within: 2d, target: ">= 90%", period: quarter}
  - {id: mean, metric: resolution, statistic: mean, target: "<= 3d"}
  - id: overdue
    metric: resolution
    within: 1d
    target: ">= 90%"
    open_items: judge-overdue
"""


@functools.cache
def _late_plan() -> Plan:
    return _plan(CONTRACT)


# Window ends (Berlin midnights, as UTC instants) the times are drawn near.
ENDS = [
    datetime(2026, m, 1, tzinfo=UTC) - timedelta(hours=1 if m in (1, 2, 3, 11, 12) else 2)
    for m in range(1, 13)
]


@st.composite
def tickets(draw: st.DrawFn) -> list[dict[str, Any]]:
    start = datetime(2025, 12, 20, tzinfo=UTC)
    span = int((datetime(2026, 7, 10, tzinfo=UTC) - start).total_seconds())
    out = []
    for n in range(draw(st.integers(0, 40))):
        created = draw(
            st.one_of(
                st.integers(0, span).map(lambda s: start + timedelta(seconds=s)),
                st.sampled_from(ENDS).map(lambda e: e - timedelta(seconds=1)),
            )
        )
        later = [e for e in ENDS if e > created]
        how = draw(st.sampled_from(["open", "after", "at-an-end"]))
        resolved = None
        if how == "after":
            resolved = created + timedelta(seconds=draw(st.integers(1, 40 * 86_400)))
        elif how == "at-an-end" and later:
            # Exactly at a window's end (known there), or a microsecond after.
            resolved = draw(st.sampled_from(later)) + timedelta(
                microseconds=draw(st.integers(0, 1))
            )
        out.append({"id": f"T-{n}", "created_at": created, "resolved_at": resolved})
    return out


def _results(plan: Plan, rows: list[dict[str, Any]], as_of: AsOf) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        sources = write_rows(plan, {"tickets": copy.deepcopy(rows)}, folder, KINDS)
        found = evaluate_plan(
            plan, sources, kinds=KINDS, period="2026-01", through="2026-06", as_of=as_of
        )
    assert found.results is not None, found.errors
    return results_json(found.results)


AS_OF = [
    AsOf(),
    AsOf(int(datetime(2026, 3, 15, 12, tzinfo=UTC).timestamp()) * US),
    AsOf(int(ENDS[4].timestamp()) * US),
]


@settings(DIFFERENTIAL, max_examples=40)
@given(rows=tickets(), as_of=st.sampled_from(AS_OF))
def test_narrowed_rows_give_the_figures_of_every_row(
    rows: list[dict[str, Any]], as_of: AsOf
) -> None:
    plan = _late_plan()
    narrowed = _results(plan, rows, as_of)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(duration, "earliest_asof", lambda *_: exp.Literal.number(EARLIEST_US))
        read_whole = _results(plan, rows, as_of)
    assert narrowed == read_whole
