"""Data for the DuckDB/Spark differential tests: a contract's sources as Parquet files whose
columns have the fields' own types, written from what the DuckDB engine loaded."""

from __future__ import annotations

import os
from collections.abc import Mapping

from sqlglot import exp

from slac.evaluation.bindings import Source
from slac.evaluation.load import load_datasets, needed_datasets
from slac.evaluation.sqltext import Engine, col, lit, sql, typed_table
from slac.kinds import KINDS
from slac.plan.types import Plan

_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "decimal": "DECIMAL(38, 9)",
    "duration": "DECIMAL(38, 6)",
}


def typed_parquet(plan: Plan, sources: Mapping[str, Source], folder: str) -> dict[str, Source]:
    """Each dataset the plan reads, loaded by DuckDB (bad rows are an error) and written to
    ``folder/<dataset>.parquet`` in file and row order: timestamps as TIMESTAMPTZ (µs),
    decimals and durations as DECIMAL(38, 9) and (38, 6), integers BIGINT."""
    engine = Engine()
    try:
        report = load_datasets(engine, plan, sources, kinds=KINDS, exclude_bad_rows=False)
        assert not report.bad_rows, [str(b) for b in report.listed]
        fields = {d.name: d.fields for d in plan.datasets}
        out: dict[str, Source] = {}
        for name in needed_datasets(plan, KINDS):
            columns = [
                (
                    sql("make_timestamp(:c)::TIMESTAMPTZ", c=col(f.name))
                    if f.type == "timestamp"
                    else exp.cast(col(f.name), _TYPES[f.type])
                ).as_(f.name, quoted=True)
                for f in fields[name]
            ]
            query = exp.select(*columns).from_(typed_table(name)).order_by("_file", "_row")
            path = os.path.join(folder, f"{name}.parquet")
            target = lit(path).sql(dialect="duckdb")
            engine.con.execute(f"COPY ({engine.text(query)}) TO {target} (FORMAT parquet)")
            out[name] = Source(name, (path,), "parquet")
        return out
    finally:
        engine.close()
