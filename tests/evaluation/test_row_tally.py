"""A duration objective's row account summed by its measurement (``slac.evaluation.tally``)
counts every row as the account's own pass does (``selection.account``, which rolling periods
still use and the by-hand cases of test_row_account.py pin down): on generated contracts and
tickets (carry-over, membership by end, open items, exclusions, `where`, scopes), and on a
ticket carried from one month to the next, counted by hand."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from slac.evaluation.engine import measure, row_accounts
from slac.evaluation.load import load_datasets
from slac.evaluation.results import RowAccount
from slac.evaluation.runner import write_rows
from slac.evaluation.sqltext import Engine
from slac.kinds import KINDS
from slac.kinds.duration import _Counts
from slac.plan.types import Plan

from .strategies import Case, dump, ticket_cases
from .test_carry_over import _plan, _ticket
from .test_differential import DIFFERENTIAL, compile_case


def _accounts(
    plan: Plan, rows: Mapping[str, Sequence[Mapping[str, Any]]], months: Sequence[str]
) -> list[RowAccount]:
    with tempfile.TemporaryDirectory() as folder:
        sources = write_rows(plan, rows, folder, KINDS)
        engine = Engine()
        try:
            load_datasets(engine, plan, sources, kinds=KINDS, exclude_bad_rows=False)
            measure(engine, plan, list(months), KINDS)
            return sorted(row_accounts(engine, plan, {}), key=lambda a: a.objective)
        finally:
            engine.close()


def _both(plan: Plan, rows: Mapping[str, Any], months: Sequence[str]) -> list[RowAccount]:
    tallied = _accounts(plan, copy.deepcopy(rows), months)
    with patch.object(_Counts, "tally", lambda *args, **kwargs: None):
        counted = _accounts(plan, copy.deepcopy(rows), months)
    assert tallied == counted
    return tallied


@DIFFERENTIAL
@given(case=ticket_cases())
def test_the_tally_counts_each_row_as_the_account_does(case: Case) -> None:
    _both(compile_case(case), case.rows, case.period_ids)


@st.composite
def boundary_cases(draw: st.DrawFn) -> Case:
    """Tickets around the turn of March (open ones, ones resolved days or weeks later), so
    that many are pending in one month and judged in a later one: the rows the tally takes
    off (generated cases have few of them)."""
    within: dict[str, Any] = {"id": "within", "metric": "resolution", "within": "3d"}
    within["target"] = ">= 90%"
    if draw(st.booleans()):
        within["open_items"] = draw(st.sampled_from(["judge-overdue", "exclude"]))
    if draw(st.booleans()):
        within["where"] = {"priority": "P1"}
    mean = {"id": "mean", "metric": "resolution", "statistic": "mean", "target": "<= 3d"}
    contract: dict[str, Any] = {
        "slac": 1,
        "id": "tally",
        "version": "1",
        "effective": {"from": "2026-01-01"},
        "timezone": "UTC",
        "parties": {"provider": {"name": "P"}, "customer": {"name": "C"}},
        "datasets": {
            "tickets": {
                "kind": "tickets",
                "key": "id",
                "fields": {
                    "id": {"type": "string"},
                    "created_at": {"type": "timestamp"},
                    "resolved_at": {"type": "timestamp"},
                    "priority": {"type": "string"},
                },
            }
        },
        "metrics": {
            "resolution": {
                "dataset": "tickets",
                "duration": {
                    "from": "created_at",
                    "to": "resolved_at",
                    "period_membership": draw(st.sampled_from(["start", "end"])),
                },
            }
        },
        "objectives": [within, mean],
    }
    if draw(st.booleans()):
        contract["exclusions"] = [
            {"id": "customer", "reason": "customer-caused", "where": {"priority": "P2"}}
        ]
    tickets = []
    turn = datetime(2026, 3, 1, tzinfo=UTC)
    for k in range(draw(st.integers(1, 12))):
        created = turn + timedelta(seconds=draw(st.integers(-5 * 86_400, 40 * 86_400)))
        late = draw(st.one_of(st.none(), st.integers(0, 45 * 86_400)))
        tickets.append(
            {
                "id": f"t{k}",
                "created_at": created,
                "resolved_at": None if late is None else created + timedelta(seconds=late),
                "priority": draw(st.sampled_from(["P1", "P2"])),
            }
        )
    months = draw(
        st.sampled_from([["2026-03", "2026-04"], ["2026-03", "2026-04", "2026-05"], ["2026-04"]])
    )
    return Case(dump(contract), {"tickets": tickets}, months)


@DIFFERENTIAL
@given(case=boundary_cases())
def test_the_tally_counts_items_pending_then_judged_as_the_account_does(case: Case) -> None:
    _both(compile_case(case), case.rows, case.period_ids)


def test_a_ticket_carried_into_the_next_month_is_counted_once_by_hand() -> None:
    # March's end does not know T-2's resolution (1 April): pending there, judged in April.
    # T-3 is still open at April's end; T-4 starts before the run and is resolved in it.
    tickets = [
        _ticket("T-1", "2026-03-10T10:00:00+00:00", "2026-03-11T10:00:00+00:00"),
        _ticket("T-2", "2026-03-30T10:00:00+00:00", "2026-04-01T10:00:00+00:00"),
        _ticket("T-3", "2026-04-29T10:00:00+00:00", None),
        _ticket("T-4", "2026-02-27T10:00:00+00:00", "2026-03-02T10:00:00+00:00"),
        _ticket("T-5", "2026-05-02T10:00:00+00:00", "2026-05-03T10:00:00+00:00"),
    ]
    for found in _both(_plan(), {"tickets": tickets}, ["2026-03", "2026-04"]):
        # Five rows: T-1, T-2 and T-4 judged (T-4 carried in from February), T-3 pending,
        # T-5 outside the run's months.
        assert (found.input, found.judged, found.pending, found.outside) == (5, 3, 1, 1), found
        assert (found.excluded, found.filtered, found.bad) == (0, 0, 0), found


def test_an_objective_amended_from_monthly_to_quarterly_counts_its_ticket_once() -> None:
    # The quarter is judged under the terms in force on its first day (monthly): its
    # measurement has January, February and Q1, and the ticket a home row in January and in
    # Q1, carried to February: three rows, which the tally cannot count (the account does).
    contract = {
        "slac": 1,
        "id": "amend",
        "version": "1",
        "effective": {"from": "2026-01-01"},
        "timezone": "UTC",
        "parties": {"provider": {"name": "P"}, "customer": {"name": "C"}},
        "datasets": {
            "tickets": {
                "kind": "tickets",
                "key": "id",
                "fields": {
                    "id": {"type": "string"},
                    "created_at": {"type": "timestamp"},
                    "resolved_at": {"type": "timestamp"},
                },
            }
        },
        "metrics": {
            "resolution": {
                "dataset": "tickets",
                "duration": {"from": "created_at", "to": "resolved_at"},
            }
        },
        "objectives": [
            {"id": "x", "metric": "resolution", "within": "10d", "target": ">= 90%"},
        ],
        "amendments": [
            {
                "id": "a1",
                "effective": "2026-03-01",
                "summary": "quarterly from March",
                "changes": {"objectives": [{"id": "x", "period": "quarter"}]},
            }
        ],
    }
    ticket = _ticket("T-1", "2026-01-30T10:00:00+00:00", "2026-02-03T10:00:00+00:00")
    case = Case(dump(contract), {"tickets": [ticket]}, ["2026-01", "2026-02", "2026-03"])
    (found,) = _both(compile_case(case), case.rows, case.period_ids)
    assert (found.input, found.judged, found.pending, found.outside) == (1, 1, 0, 0), found
