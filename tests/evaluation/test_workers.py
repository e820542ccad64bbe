"""A portfolio's jobs (evaluation/workers.py): each thread on its own connection, only the
evaluations side by side, the rest one at a time, and a failure raised where it was asked."""

from __future__ import annotations

import decimal
import gc
import os
import threading

import pytest

from slac.evaluation.sqltext import Engine
from slac.evaluation.workers import Workers, default_jobs


def _threads(engine: Engine) -> int:
    return int(engine.con.execute("SELECT current_setting('threads')").fetchone()[0])


def test_a_connection_has_its_own_temp_tables_and_shares_the_rest() -> None:
    engine = Engine(threads=2)
    try:
        engine.con.execute("CREATE TABLE stage_0 AS SELECT 1 AS x")
        engine.con.execute("CREATE TEMP TABLE ds_t AS SELECT 'main' AS who")
        other = engine.connection()
        assert other.con.execute("SELECT x FROM stage_0").fetchall() == [(1,)]
        other.con.execute("CREATE TEMP TABLE ds_t AS SELECT 'other' AS who")
        assert other.con.execute("SELECT who FROM ds_t").fetchall() == [("other",)]
        assert engine.con.execute("SELECT who FROM ds_t").fetchall() == [("main",)]
        # The setting is the database's: only the engine it came from changes it.
        other.set_threads(1)
        assert _threads(engine) == 2
        other.close()
        assert engine.con.execute("SELECT who FROM ds_t").fetchall() == [("main",)]
    finally:
        engine.close()


def test_each_item_is_done_once_the_first_alone_on_the_main_engine() -> None:
    engine = Engine(threads=2)
    workers = Workers(engine)
    seen: dict[int, Engine] = {}
    threads_during: list[int] = []

    def work(item: int) -> None:
        seen[item] = workers.engine
        threads_during.append(_threads(workers.engine))

    try:
        workers.each(list(range(10)), work, jobs=3)
        assert sorted(seen) == list(range(10))
        assert seen[0] is engine
        others = {id(e) for i, e in seen.items() if i}
        assert id(engine) not in others and 1 <= len(others) <= 3
        # the first reads the shared sources on all threads; the others on one each
        assert threads_during[0] == 2 and set(threads_during[1:]) == {1}
        assert _threads(engine) == 2  # restored
    finally:
        engine.close()


def test_evaluations_run_side_by_side_and_the_rest_takes_turns() -> None:
    engine = Engine()
    workers = Workers(engine)
    # Both evaluations must be under way at once to pass the barrier: one after the other,
    # it would break (a timeout) and the test fail.
    barrier = threading.Barrier(2, timeout=20)
    inside = 0
    most = 0
    count = threading.Lock()

    def work(item: int) -> None:
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        with count:
            inside -= 1
        if item:
            with workers.evaluating():
                barrier.wait()

    try:
        workers.each([0, 1, 2], work, jobs=2)
    finally:
        engine.close()
    assert most == 1  # outside evaluations, one contract at a time


def test_a_failure_stops_the_rest_and_is_raised_to_the_caller() -> None:
    engine = Engine()
    workers = Workers(engine)
    done: list[int] = []

    def work(item: int) -> None:
        if item == 3:
            raise RuntimeError("a bug")
        done.append(item)

    try:
        with pytest.raises(RuntimeError, match="a bug"):
            workers.each(list(range(50)), work, jobs=2)
    finally:
        engine.close()
    assert len(done) < 49


def test_one_job_does_the_items_in_order_on_the_main_engine() -> None:
    engine = Engine()
    workers = Workers(engine)
    order: list[tuple[int, bool]] = []
    try:
        workers.each([1, 2, 3], lambda i: order.append((i, workers.engine is engine)), jobs=1)
    finally:
        engine.close()
    assert order == [(1, True), (2, True), (3, True)]


def test_the_default_is_one_job_per_processor_the_process_may_run_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 3, 5}, raising=False)
    assert default_jobs() == 3  # taskset's or a container's share, not the machine's
    monkeypatch.delattr(os, "sched_getaffinity")
    assert default_jobs() == 64
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_jobs() == 1


def test_the_workers_compute_decimals_in_the_callers_context() -> None:
    engine = Engine()
    workers = Workers(engine)
    seen: list[decimal.Context] = []
    try:
        with decimal.localcontext() as ctx:
            ctx.prec, ctx.rounding = 12, decimal.ROUND_DOWN
            workers.each([0, 1, 2, 3], lambda _: seen.append(decimal.getcontext()), jobs=2)
    finally:
        engine.close()
    assert {(c.prec, c.rounding) for c in seen} == {(12, decimal.ROUND_DOWN)}


def test_the_garbage_collector_is_as_it_was_after_the_run() -> None:
    engine = Engine()
    workers = Workers(engine)
    before = gc.get_threshold()
    during: list[tuple[tuple[int, ...], int]] = []
    try:
        workers.each(
            [0, 1, 2], lambda _: during.append((gc.get_threshold(), gc.get_freeze_count())), jobs=2
        )
    finally:
        engine.close()
    assert all(threshold[0] == 10_000 and frozen > 0 for threshold, frozen in during)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_callers_frozen_objects_stay_frozen() -> None:
    engine = Engine()
    workers = Workers(engine)
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        workers.each([0, 1, 2], lambda _: None, jobs=2)
        # Not unfrozen (0), not frozen again (more). A frozen object may die meanwhile, freed
        # by a thread of an earlier test (py4j's, after the Spark tests): one fewer, in a CI run.
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
        engine.close()
