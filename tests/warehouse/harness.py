"""Example data as the user's warehouse tables, the script run statement by statement, and the
measurement reads of a real run to compare with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlglot import exp

from slac import api
from slac.evaluation.engine import measure
from slac.evaluation.evaluate import months_asked
from slac.evaluation.load import load_datasets, needed_datasets
from slac.evaluation.sqltext import Engine, typed_table
from slac.evaluation.warehouse import NATIVE_TYPES, without_misses
from slac.kinds import KINDS
from slac.plan.types import Plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/contract.yaml"))
PERIOD = "2026-10"


class TracingEngine(Engine):
    """A DuckDB engine that keeps the rows of every read of the data (as the warehouse script
    returns them: without the breached-items list)."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.data: set[str] = set()
        self.reads: list[list[tuple[Any, ...]]] = []

    def _reads_data(self, expression: exp.Expr) -> bool:
        return bool({t.name.lower() for t in expression.find_all(exp.Table)} & self.data)

    def execute(self, expression: exp.Expr) -> None:
        super().execute(expression)
        if isinstance(expression, exp.Create | exp.Insert) and self._reads_data(expression):
            node = expression.this
            node = node.this if isinstance(node, exp.Schema) else node
            self.data.add(node.name.lower())

    def rows(self, expression: exp.Expr) -> list[tuple[Any, ...]]:
        if self._reads_data(expression):
            self.reads.append(super().rows(without_misses(expression)))
        return super().rows(expression)

    def rows_listing(self, expression: exp.Expr, listed: str) -> list[tuple[Any, ...]]:
        if self._reads_data(expression):
            self.reads.append(super().rows(without_misses(expression)))
        return super().rows_listing(expression, listed)


def contract_of(example: str | Path) -> str:
    """An example's contract: by the example's name, or in a folder (an edited copy)."""
    folder = example if isinstance(example, Path) else ROOT / "examples" / example
    return str(folder / "contract.yaml")


def plan_of(example: str | Path) -> Plan:
    compiled = api.compile_plan(contract_of(example))
    assert compiled.value is not None, compiled.errors
    return compiled.value


def _load(engine: Engine, example: str | Path, plan: Plan) -> None:
    from slac.api import _resolve_sources

    contract = contract_of(example)
    sources, errors, missing = _resolve_sources(contract, (), None)
    assert not errors and not missing
    report = load_datasets(engine, plan, sources, kinds=KINDS, exclude_bad_rows=False)
    assert report.bad_rows == 0


def slac_reads(example: str | Path) -> list[list[tuple[Any, ...]]]:
    """The measurement reads of a run of the example as ``slac evaluate`` measures it."""
    plan = plan_of(example)
    engine = TracingEngine()
    try:
        _load(engine, example, plan)
        engine.data |= {f"ds_{n}" for n in needed_datasets(plan, KINDS)}
        measure(engine, plan, months_asked(plan, PERIOD, None), KINDS)
        return engine.reads
    finally:
        engine.close()


def example_rows(
    example: str | Path,
) -> dict[str, tuple[list[tuple[str, str]], list[tuple[Any, ...]]]]:
    """Each dataset the plan reads: its (field, field type) and its rows, timestamps as
    aware datetimes in UTC (what a warehouse's TIMESTAMP WITH TIME ZONE column holds)."""
    plan = plan_of(example)
    engine = Engine(threads=1)
    out = {}
    try:
        _load(engine, example, plan)
        for name in needed_datasets(plan, KINDS):
            ds = next(d for d in plan.datasets if d.name == name)
            fields = [(f.name, f.type) for f in ds.fields]
            names = exp.select(*(exp.column(f, quoted=True) for f, _ in fields))
            rows = engine.rows(names.from_(typed_table(name)).order_by("_file", "_row"))
            out[name] = (fields, [_as_warehouse(r, fields) for r in rows])
    finally:
        engine.close()
    return out


def _as_warehouse(row: tuple[Any, ...], fields: list[tuple[str, str]]) -> tuple[Any, ...]:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return tuple(
        epoch + timedelta(microseconds=int(v)) if t == "timestamp" and v is not None else v
        for v, (_, t) in zip(row, fields, strict=True)
    )


def duckdb_tables(engine: Engine, example: str | Path) -> None:
    """The example's datasets as tables named after them, in their native column types."""
    for name, (fields, rows) in example_rows(example).items():
        columns = ", ".join(f'"{f}" {NATIVE_TYPES[t]}' for f, t in fields)
        engine.con.execute(f'CREATE TABLE "{name}" ({columns})')
        if rows:
            # One statement of column lists, not a statement per row: executemany took 90 s
            # for the minute probes of hosting-availability.
            marks = ", ".join("unnest(?)" for _ in fields)
            columns_of = [list(column) for column in zip(*rows, strict=True)]
            engine.con.execute(f'INSERT INTO "{name}" SELECT {marks}', columns_of)


def run_statements(
    cursor: Any, statements: Sequence[tuple[str, bool]]
) -> list[list[tuple[Any, ...]]]:
    """Each statement in turn; the rows of each measurement read."""
    reads = []
    for text, is_read in statements:
        cursor.execute(text)
        if is_read:
            reads.append(list(cursor.fetchall()))
    return reads


def canonical(reads: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    """Rows in a fixed order, numbers as exact decimals, lists as sorted tuples: what two
    engines agree on when they measured the same."""
    return [sorted((tuple(_value(v) for v in row) for row in rows), key=repr) for rows in reads]


def _value(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | Decimal):
        return Decimal(v).normalize()
    if isinstance(v, float):
        return Decimal(repr(v)).normalize()
    if isinstance(v, list | tuple):
        return tuple(_value(x) for x in v)
    return v


POSTGRES_TYPES = {
    "string": "TEXT",
    "integer": "BIGINT",
    "decimal": "NUMERIC(38, 9)",
    "duration": "NUMERIC(38, 6)",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}


def postgres_reads(
    url: str, example: str, statements: Sequence[tuple[str, bool]]
) -> list[list[tuple[Any, ...]]]:
    """The script run on a PostgreSQL server, in a schema of its own (dropped afterwards)."""
    import uuid

    import psycopg

    schema = f"slac_wh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
        try:
            con.execute(f"SET search_path = {schema}")
            con.execute("SET TimeZone = 'UTC'")
            for name, (fields, rows) in example_rows(example).items():
                columns = ", ".join(f'"{f}" {POSTGRES_TYPES[t]}' for f, t in fields)
                con.execute(f'CREATE TABLE "{name}" ({columns})')
                if rows:
                    with con.cursor() as cur, cur.copy(f'COPY "{name}" FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
            with con.cursor() as cur:
                return run_statements(cur, statements)
        finally:
            con.execute(f"DROP SCHEMA {schema} CASCADE")
