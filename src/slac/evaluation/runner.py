"""Run a plan over bound data: load (with bad-data checks), then measure."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from slac.evaluation.bindings import Source
from slac.evaluation.engine import measure
from slac.evaluation.kind import MeasuredKinds
from slac.evaluation.load import LoadReport, load_datasets, needed_datasets
from slac.evaluation.measurement import Measurement
from slac.evaluation.sqltext import Engine
from slac.plan.types import Plan


def run_measure(
    plan: Plan,
    sources: Mapping[str, Source],
    month_ids: Sequence[str],
    *,
    kinds: MeasuredKinds,
    exclude_bad_rows: bool = False,
    engine: Engine | None = None,
) -> tuple[list[Measurement], LoadReport]:
    own = engine is None
    engine = engine or Engine()
    try:
        report = load_datasets(
            engine, plan, sources, kinds=kinds, exclude_bad_rows=exclude_bad_rows
        )
        if report.bad_rows and not exclude_bad_rows:
            return [], report
        return measure(engine, plan, month_ids, kinds), report
    finally:
        if own:
            engine.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def measure_rows(
    plan: Plan,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    period_ids: Sequence[str],
    kinds: MeasuredKinds,
) -> list[Measurement]:
    """Measure in-memory rows (tests, notebooks): each dataset is written as JSON Lines."""
    with tempfile.TemporaryDirectory() as folder:
        sources = write_rows(plan, rows, folder, kinds)
        found, report = run_measure(plan, sources, period_ids, kinds=kinds)
        if report.bad_rows:
            raise ValueError("bad rows: " + "; ".join(str(b) for b in report.listed))
        return found


def write_rows(
    plan: Plan,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    folder: str,
    kinds: MeasuredKinds,
    *,
    timezone: str | None = None,
) -> dict[str, Source]:
    """In-memory rows as files in ``folder``, one source per dataset the plan reads (a dataset
    without rows gets an empty file). ``timezone`` is the zone of naive timestamps."""
    sources: dict[str, Source] = {}
    fields = {d.name: [f.name for f in d.fields] for d in plan.datasets}
    for name in sorted(set(rows) | set(needed_datasets(plan, kinds))):
        items = rows.get(name, [])
        names = fields.get(name) or sorted({k for item in items for k in item})
        if not items:  # JSON Lines cannot say which columns an empty file has; CSV can
            path = os.path.join(folder, f"{name}.csv")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(",".join(names) + "\n")
            sources[name] = Source(name, (path,), "csv", timezone=timezone)
            continue
        path = os.path.join(folder, f"{name}.jsonl")
        with open(path, "w", encoding="utf-8") as handle:
            for item in items:
                record = {f: _json_value(item.get(f)) for f in names}
                handle.write(json.dumps(record) + "\n")
        sources[name] = Source(name, (path,), "jsonl", timezone=timezone)
    return sources
