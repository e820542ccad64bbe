"""The months the data covers (evaluate.data_months): each dataset's time fields, as the
objectives name them, read in one statement; every field's earliest and latest instant counts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from slac import api
from slac.evaluation.evaluate import data_months
from slac.evaluation.sqltext import Engine
from slac.plan.types import Plan

ROOT = Path(__file__).resolve().parents[2]


def _us(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) * 1_000_000


def _plan_reading_two_fields() -> Plan:
    """customer-support, with its resolution objectives' clock started at `resolved_at`: the
    tickets dataset is then read by two fields (no shipped example reads two of one dataset)."""
    compiled = api.compile_plan(str(ROOT / "examples" / "customer-support" / "contract.yaml"))
    plan = compiled.value
    assert plan is not None, compiled.errors
    (terms,) = plan.terms
    objectives = []
    for obj in terms.objectives:
        if obj.id.startswith("res-"):
            params = tuple((k, "resolved_at" if k == "from" else v) for k, v in obj.metric.params)
            obj = dataclasses.replace(obj, metric=dataclasses.replace(obj.metric, params=params))
        objectives.append(obj)
    return dataclasses.replace(
        plan, terms=(dataclasses.replace(terms, objectives=tuple(objectives)),)
    )


def test_every_field_of_a_dataset_bounds_the_months() -> None:
    # created_at spans April to May 2026; resolved_at March to August: by hand, March to August.
    rows = [
        ("2026-04-10", "2026-03-05"),
        ("2026-05-20", "2026-08-14"),
        ("2026-04-30", None),
    ]
    values = ", ".join(f"({_us(c)}, {_us(r) if r else 'NULL'})" for c, r in rows)
    engine = Engine(threads=1)
    try:
        engine.con.execute(
            "CREATE TEMP TABLE ds_tickets AS SELECT * FROM (VALUES "
            f"{values}) AS t(created_at, resolved_at)"
        )
        months = data_months(engine, _plan_reading_two_fields())
    finally:
        engine.close()
    assert months == ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
