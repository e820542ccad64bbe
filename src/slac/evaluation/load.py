"""Load bound sources into the engine as typed tables, finding every bad row with file and row.

Every source is first read as text (CSV with ``all_varchar``; Parquet and database columns
cast to text), each row numbered within its file, so that nothing is type-sniffed, nothing is
dropped silently (``ignore_errors`` would), and every problem can be named as ``file:row``.
Typed tables then hold timestamps as microseconds since the epoch (BIGINT): exact, and free of
the engine's session time zone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections.abc import Mapping, Sequence, Set
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlglot import exp

from slac.diagnostics import Location
from slac.evaluation.billing import billing_checks, billing_uses, duplicate_charges
from slac.evaluation.bindings import RowFilter, Source, for_contract
from slac.evaluation.conditions import all_of
from slac.evaluation.kind import MeasuredKinds
from slac.evaluation.sqltext import Engine, lit, sql, subquery, table, typed_table
from slac.plan.types import Dataset, Field, Metric, Plan

# A timestamp "carries an offset" when it ends in Z or ±HH[:MM] after a time of day.
OFFSET_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
MAX_LISTED = 50
# Instants the rest of slac can do date arithmetic around: Python's dates end with the years 1
# and 9999, and evaluation reaches a zone's offset, days, weeks or a year beyond an instant
# (grid margins, calendar units). The engine reads timestamps far beyond these.
FIRST_US = -62_104_060_800_000_000  # 0002-01-01T00:00:00Z
END_US = 253_370_764_800_000_000  # 9999-01-01T00:00:00Z


class DataError(Exception):
    """The data cannot be evaluated at all (a missing column, an unreadable file)."""


@dataclass(frozen=True)
class BadRow:
    dataset: str
    file: str
    row: int  # 1-based data row (the header is not counted)
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.dataset}.{self.field}: {self.problem}"


@dataclass(frozen=True)
class InputInfo:
    dataset: str
    files: tuple[tuple[str, str], ...]  # (file name, sha256)
    rows: int
    bad_rows: int


@dataclass(frozen=True)
class LoadReport:
    inputs: tuple[InputInfo, ...]
    bad_rows: int
    listed: tuple[BadRow, ...]  # at most MAX_LISTED, in file and row order
    # Per dataset: rows of a shared source the binding's `where` left out (other contracts').
    filtered_by_binding: tuple[tuple[str, int], ...] = ()


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reader(engine: Engine, source: Source, index: int) -> exp.Expr:
    path = source.paths[index]
    if engine.dialect == "spark" and source.format != "parquet":
        raise DataError(
            f"{path}: --engine spark reads Parquet files, not "
            f"{source.format.upper() if source.format else 'this format'}: convert it to "
            "Parquet with columns of the fields' types (docs/engines.md)"
        )
    if source.format == "parquet":
        return engine.read_parquet(path)
    if source.format == "csv":
        # RFC 4180: comma-separated with a header; a row with more fields is an error that
        # names its line, instead of a sniffer guessing another layout.
        return sql(
            "SELECT * FROM read_csv(:p, all_varchar = TRUE, header = TRUE, delim = ',', quote = '\"')",
            p=lit(path),
        )
    return sql("SELECT * FROM read_json(:p, format = 'newline_delimited')", p=lit(path))


# Column types a typed source (Parquet, a database table) may hold for each declared field
# type without any doubt about the value: such columns skip the text round trip.
_NATIVE = {
    "string": {"VARCHAR"},
    "integer": {
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    },
    "boolean": {"BOOLEAN"},
    "date": {"DATE"},
    "timestamp": {"TIMESTAMP WITH TIME ZONE"},
}


def _native(field_type: str, column_type: str) -> bool:
    if field_type in ("decimal", "duration") and column_type.startswith("DECIMAL"):
        return True
    return column_type in _NATIVE.get(field_type, set())


def _raw(engine: Engine, ds: Dataset, source: Source) -> tuple[exp.Expr, list[str], set[str]]:
    """A relation of the source: one column per field (as text, or as it is when the source
    already holds it in its declared type), plus _file and _row. Returns the relation, the
    file names, and the fields kept in their native type."""
    needed = [(f.name, source.column(f.name)) for f in ds.fields]
    declared = {f.name: f.type for f in ds.fields}
    parts: list[exp.Expr] = []
    files: list[str] = []
    native: set[str] | None = None
    if source.table and engine.dialect == "spark":
        raise DataError(
            f"{source.label}: --engine spark reads Parquet files, not tables in a DuckDB "
            "database (docs/engines.md)"
        )
    if source.spark_table:
        if engine.dialect != "spark":
            raise DataError(
                f"{source.origin}: dataset '{ds.name}' is bound to the Spark table "
                f"{source.spark_table}: it needs --engine spark (docs/engines.md)"
            )
        units = [(engine.read_table(source.spark_table), source.label, False)]
    elif source.table:
        catalog = engine.attach(source.database or "")
        # `table: name` or `table: schema.name` inside the attached file.
        schema, _, name = source.table.rpartition(".")
        relation = sql(
            "SELECT * FROM :t",
            t=exp.Table(
                this=exp.to_identifier(name, quoted=True),
                db=exp.to_identifier(schema or "main", quoted=True),
                catalog=exp.to_identifier(catalog),
            ),
        )
        units = [(relation, f"{source.database}:{source.table}", False)]
    else:
        units = [
            (_reader(engine, source, i), p, source.format == "parquet")
            for i, p in enumerate(source.paths)
        ]
    described: list[dict[str, str]] = []
    for _relation, name, _ in units:
        try:
            described.append(dict(_described(engine, _relation)))
        except Exception as err:  # DuckDB's own error types; the message names the line
            if source.format == "csv" and (where := _csv_shape_problem(name)):
                raise DataError(where) from None
            raise DataError(
                f"{name}: cannot read it as {source.format or 'a table'}: {_first_line(err)}"
            ) from None
        kept = {f for f, c in needed if _native(declared[f], described[-1].get(c, ""))}
        native = kept if native is None else native & kept
    native = native or set()
    typed_elsewhere = [f"'{c}' (field {f}, {declared[f]})" for f, c in needed if f not in native]
    if engine.dialect == "spark" and typed_elsewhere:
        # Reading text into typed values (with every check on it) is DuckDB's work: Spark's
        # casts accept other texts than DuckDB's, and the results must not depend on the engine.
        raise DataError(
            f"{units[0][1]}: --engine spark reads columns already of their field's type; "
            f"not of it: {', '.join(typed_elsewhere)} (docs/engines.md)"
        )
    for index, (relation, name, _) in enumerate(units):
        present = set(described[index])
        missing = [f"'{col}' (field {field})" for field, col in needed if col not in present]
        missing += [
            f"'{f.column}' (the binding's where)" for f in source.where if f.column not in present
        ]
        if missing:
            raise DataError(
                f"{name}: missing column {', '.join(missing)} for dataset '{ds.name}'"
                + (f"; columns present: {', '.join(sorted(present))}" if present else "")
            )
        select = [
            (
                exp.column(col, quoted=True)
                if field in native
                else exp.cast(exp.column(col, quoted=True), "VARCHAR")
            ).as_(field, quoted=True)
            for field, col in needed
        ]
        select.extend(
            exp.cast(exp.column(f.column, quoted=True), "VARCHAR").as_(f"_k{i}")
            for i, f in enumerate(source.where)
        )
        select.append(lit(index).as_("_file"))
        select.append(_row_number(engine, source, needed).as_("_row"))
        parts.append(exp.select(*select).from_(subquery(relation, "src")))
        files.append(name)
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False, copy=False)
    return union, files, native


def _row_number(engine: Engine, source: Source, needed: Sequence[tuple[str, str]]) -> exp.Expr:
    if source.spark_table:
        # A table has no order (its files, partitions and their order are the catalog's
        # business): its rows are numbered in the order of the values read, so that row N,
        # and the row of a duplicate key kept, are the same for the same rows however stored.
        read = [c for _, c in needed] + [f.column for f in source.where]
        return exp.Window(
            this=exp.RowNumber(),
            order=exp.Order(
                expressions=[
                    exp.Ordered(this=exp.column(c, quoted=True), nulls_first=True)
                    for c in dict.fromkeys(read)
                ]
            ),
        )
    # A Parquet file's reader numbers its rows (Spark reads a file in parallel, in no order;
    # DuckDB's index lets a reader that filters keep the numbers).
    if source.format == "parquet" and not source.table:
        return exp.column("__slac_row")
    return sql("row_number() OVER ()")


def _csv_shape_problem(path: str) -> str | None:
    """Only after the engine refused a CSV file: the first data row whose number of fields
    differs from the header's, as `file:row: …` (rows counted as in every other finding)."""
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return None
            for row_number, row in enumerate(reader, start=1):
                if row and len(row) != len(header):
                    return (
                        f"{path}:{row_number}: {len(row)} fields, but the header has {len(header)}"
                    )
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _described(engine: Engine, relation: exp.Expr) -> list[tuple[str, str]]:
    return engine.describe(relation)


def _native_typed(field_type: str, column: exp.Expr) -> exp.Expr:
    if field_type == "timestamp":
        return sql("epoch_us(:c)", c=column)
    if field_type == "integer":
        return exp.cast(column, "BIGINT")
    if field_type == "decimal":
        return exp.cast(column, "DECIMAL(38, 9)")
    if field_type == "duration":
        return exp.cast(column, "DECIMAL(38, 6)")
    return column


def _typed(
    field_type: str, column: exp.Expr, zone: str | None, repeated_hour: str = "first"
) -> exp.Expr:
    if field_type == "string":
        return column
    if field_type == "integer":
        # TRY_CAST alone would round '4.5' to 5 and read '0x10' as 16.
        return sql(
            "CASE WHEN regexp_matches(:c, '^\\s*[+-]?[0-9]+\\s*$') THEN TRY_CAST(:c AS BIGINT) END",
            c=column,
        )
    if field_type == "decimal":
        return sql("TRY_CAST(:c AS DECIMAL(38, 9))", c=column)
    if field_type == "duration":
        return sql("TRY_CAST(:c AS DECIMAL(38, 6))", c=column)
    if field_type == "boolean":
        return sql("TRY_CAST(:c AS BOOLEAN)", c=column)
    if field_type == "date":
        return sql("TRY_CAST(:c AS DATE)", c=column)
    naive = _naive_instant(column, zone, repeated_hour) if zone else exp.null()
    return sql(
        "CASE WHEN regexp_matches(:c, :re) THEN epoch_us(TRY_CAST(:c AS TIMESTAMPTZ)) ELSE :naive END",
        c=column,
        re=lit(OFFSET_RE),
        naive=naive,
    )


def _naive_instant(column: exp.Expr, zone: str, repeated_hour: str) -> exp.Expr:
    """Epoch µs of a naive local time in ``zone``. DuckDB reads a time in the hour repeated
    when DST ends as its second occurrence, and a skipped one with the offset before the
    change; ``first`` moves a repeated time to its first occurrence: the instant that has the
    offset in force six hours earlier, when that instant shows the same wall-clock time."""
    local = sql("TRY_CAST(:c AS TIMESTAMP)", c=column)
    later = sql("timezone(:z, :l)", z=lit(zone), l=local)
    if repeated_hour == "second":
        return sql("epoch_us(:t)", t=later)
    before = sql(":t - INTERVAL 6 HOUR", t=later)
    offset = sql("timezone(:z, :b) - CAST(:b AS TIMESTAMP)", z=lit(zone), b=before)
    earlier = sql("CAST(:l - :o AS TIMESTAMPTZ)", l=local, o=offset)
    return sql(
        "epoch_us(CASE WHEN :e < :t AND timezone(:z, :e) = :l THEN :e ELSE :t END)",
        e=earlier,
        t=later,
        z=lit(zone),
        l=local,
    )


def _problems(
    ds: Dataset,
    zone: str | None,
    metrics: Sequence[Metric],
    kinds: MeasuredKinds,
    native: Set[str],
) -> list[tuple[str, exp.Expr]]:
    """(field, SQL text of the problem or NULL) for each check on the typed table ``t`` + raw ``r``.
    A ``native`` field (read in its own type) has nothing to parse: no parse check, which
    would cast each of its values to text to find nothing (10M tickets: most of 1 s)."""
    out: list[tuple[str, exp.Expr]] = []
    for f in ds.fields:
        raw, typed = exp.column(f.name, "r", quoted=True), exp.column(f.name, "t", quoted=True)
        shown = sql("left(:c, 60)", c=raw)
        if f.name in native:
            if not f.nullable or f.name == ds.key:
                out.append((f.name, sql("CASE WHEN :t IS NULL THEN 'empty value' END", t=typed)))
        else:
            out.extend(_parse_problems(f, zone, ds.key, raw, typed, shown))
        if f.type == "timestamp":
            out.append(
                (
                    f.name,
                    sql(
                        "CASE WHEN :typed < :lo OR :typed >= :hi THEN "
                        "'timestamp outside the years 0002-9998: ' || :shown END",
                        typed=typed,
                        lo=lit(FIRST_US),
                        hi=lit(END_US),
                        shown=shown,
                    ),
                )
            )
        if f.values is not None:
            values = exp.Tuple(expressions=[lit(v) for v in f.values])
            out.append(
                (
                    f.name,
                    sql(
                        "CASE WHEN :typed IS NOT NULL AND :typed NOT IN :vals THEN 'value not listed in the contract: ' || :shown END",
                        typed=typed,
                        vals=values,
                        shown=shown,
                    ),
                )
            )
        if f.range is not None:
            out.append(
                (
                    f.name,
                    sql(
                        "CASE WHEN :typed < :lo OR :typed > :hi THEN :what || :shown END",
                        typed=typed,
                        lo=lit(f.range[0]),
                        hi=lit(f.range[1]),
                        what=lit(f"outside the range {f.range[0]}–{f.range[1]}: "),
                        shown=shown,
                    ),
                )
            )
    fields = {f.name for f in ds.fields}
    for metric in metrics:
        # A value is bad only for the metric that reads it: one survey dataset may hold NPS
        # (0–10) and CSAT (1–5) answers, each metric taking its own rows by `where`.
        reads = all_of(metric.where, "t")
        for name, problem in kinds[metric.kind].row_checks(metric, fields):
            out.append((name, sql("CASE WHEN :w THEN :p END", w=reads, p=problem)))
    return out


def _parse_problems(
    f: Field, zone: str | None, key: str | None, raw: exp.Expr, typed: exp.Expr, shown: exp.Expr
) -> list[tuple[str, exp.Expr]]:
    """The checks of a field read as text: a value that does not parse, an empty one."""
    what: exp.Expr = lit(f"not a valid {f.type}: ")
    if f.type == "timestamp" and not zone:
        what = sql(
            "CASE WHEN NOT regexp_matches(:raw, :re) AND TRY_CAST(:raw AS TIMESTAMP) IS NOT NULL "
            "THEN 'timestamp without an offset, and the binding declares no timezone: ' "
            "ELSE 'not a valid timestamp: ' END",
            raw=raw,
            re=lit(OFFSET_RE),
        )
    out = [
        (
            f.name,
            sql(
                "CASE WHEN :raw IS NOT NULL AND :typed IS NULL THEN :what || :shown END",
                raw=raw,
                typed=typed,
                what=what,
                shown=shown,
            ),
        )
    ]
    if not f.nullable or f.name == key:
        out.append((f.name, sql("CASE WHEN :raw IS NULL THEN 'empty value' END", raw=raw)))
    return out


@dataclass(frozen=True)
class Stage:
    """A source read once into the engine (``table``), for every contract that binds it."""

    table: exp.Table
    files: tuple[str, ...]
    native: frozenset[str]
    columns: tuple[str, ...]  # the staged columns a contract's rows are taken with
    rows: int  # every row read, of all contracts


class SharedSources:
    """The sources read into one engine, by what was read: the same files (or table), read
    with the same columns, zone and field types, are read, typed and hashed once for a whole
    portfolio; each contract takes its rows from the staged table by its binding's ``where``.
    The staged table is sorted by the ``where`` columns, so that the engine's zone maps skip
    the other contracts' rows."""

    def __init__(self) -> None:
        self._stages: dict[tuple[object, ...], Stage] = {}
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    def sha256(self, path: str) -> str:
        if path not in self._hashes:
            self._hashes[path] = _sha256(path)
        return self._hashes[path]

    def stage(self, engine: Engine, ds: Dataset, source: Source) -> Stage:
        key = (
            dataclasses.replace(
                source,
                dataset="",
                origin=Location(""),
                where=tuple(RowFilter(f.column) for f in source.where),
            ),
            tuple((f.name, f.type) for f in ds.fields),
        )
        # The contracts of a portfolio may be evaluated on several threads: the first to need
        # a source reads it; the others wait for it rather than read it again.
        with self._lock:
            if key not in self._stages:
                self._stages[key] = self._read(engine, ds, source, len(self._stages))
            return self._stages[key]

    def forget_contract(self, engine: Engine) -> None:
        """Drop the tables one contract's evaluation made (its datasets, the measuring's
        intermediate tables), keeping the staged sources and the business-time grids for the
        next contract: a portfolio's engine must not grow with every contract."""
        names = engine.rows(
            sql(
                "SELECT table_name FROM duckdb_tables() WHERE temporary "
                "AND NOT starts_with(table_name, 'stage_') AND NOT starts_with(table_name, 'grid_')"
            )
        )
        for (name,) in names:
            engine.execute(sql("DROP TABLE IF EXISTS :t", t=table(str(name))))

    @staticmethod
    def _read(engine: Engine, ds: Dataset, source: Source, number: int) -> Stage:
        query, files, native = _staged_select(engine, ds, source)
        keys = [exp.column(f"_k{i}") for i in range(len(source.where))]
        if keys:
            query = query.order_by(*keys, "_file", "_row")
        name = table(f"stage_{number}")
        # Not a temp table: those are a connection's own, and a portfolio's threads each
        # have a connection to the one database (Engine.connection).
        engine.execute(sql("CREATE OR REPLACE TABLE :t AS :q", t=name, q=query))
        columns = tuple(
            str(c.alias_or_name) for c in query.expressions if not c.alias_or_name.startswith("_k")
        )
        rows = int(engine.scalar(sql("SELECT count(*) FROM :t", t=name)))
        return Stage(name, tuple(files), frozenset(native), columns, rows)


# A single evaluation hashes its files each time (they may have changed since).
class _Unshared:
    @staticmethod
    def sha256(path: str) -> str:
        return _sha256(path)


_HASHES = _Unshared()


def _staged_select(
    engine: Engine, ds: Dataset, source: Source
) -> tuple[exp.Select, list[str], set[str]]:
    """One pass over the source: each field as text (r__name) and typed (name) side by side,
    so that the checks read one table, with no join. Fields typed in the source (Parquet,
    tables) are used as they are. Then the binding's ``where`` columns as text (_k0, …)."""
    raw, files, native = _raw(engine, ds, source)
    staged: list[exp.Expr] = [exp.column("_file"), exp.column("_row")]
    for f in ds.fields:
        text = exp.column(f.name, quoted=True)
        if f.name in native:  # already typed: nothing to parse, nothing can fail to
            staged.append(_native_typed(f.type, text).as_(f.name, quoted=True))
            continue
        staged.append(text.copy().as_(f"r__{f.name}", quoted=True))
        staged.append(
            _typed(f.type, text, source.timezone, source.repeated_hour).as_(f.name, quoted=True)
        )
    staged.extend(exp.column(f"_k{i}") for i in range(len(source.where)))
    return exp.select(*staged).from_(subquery(raw, "src")), files, native


@dataclass(frozen=True)
class _Staged:
    files: list[str]
    native: set[str]  # the fields kept in their native type
    table: exp.Table  # what the checks read: ``raw_<name>``, or ``ds_<name>`` itself
    read: int | None  # a filtered source's rows before the binding's ``where``
    view: exp.Expr | None  # the query, when ``table`` is a view of the files, not a copy


def _stage(
    engine: Engine, ds: Dataset, source: Source, name: str, shared: SharedSources | None
) -> _Staged:
    """Read a dataset's rows into the table its checks read (``raw_<name>``, or ``ds_<name>``
    itself when every field is typed in the source)."""
    conditions = [
        sql(":k = :v", k=exp.column(f"_k{i}"), v=lit(f.value)) for i, f in enumerate(source.where)
    ]
    if shared is None:
        # One contract: its rows straight from the source, nothing staged or sorted.
        query, files, native = _staged_select(engine, ds, source)
        target = _check_table(ds, name, native)
        mine = query
        if conditions:
            columns = [c.alias_or_name for c in query.expressions]
            mine = (
                exp.select(*[exp.column(c, quoted=True) for c in columns if not c.startswith("_k")])
                .from_(subquery(query, "s"))
                .where(exp.and_(*conditions))
            )
        # Parquet files are read again by each statement rather than copied: each reads only
        # its columns and row groups, and a copy of millions of rows is memory DuckDB spills.
        # (Its rows keep their numbers: the reader's own row index, see Engine.read_parquet.)
        viewed = source.format == "parquet" and engine.rows_as_views
        kind = "VIEW" if viewed else "TABLE"
        engine.execute(sql(f"CREATE OR REPLACE TEMP {kind} :t AS :q", t=target, q=mine))
        read = (
            int(engine.scalar(sql("SELECT count(*) FROM :q", q=subquery(query, "s"))))
            if conditions
            else None
        )
        return _Staged(files, native, target, read, mine if viewed else None)
    stage = shared.stage(engine, ds, source)
    target = _check_table(ds, name, set(stage.native))
    query = exp.select(*[exp.column(c, quoted=True) for c in stage.columns]).from_(stage.table)
    if conditions:
        query = query.where(exp.and_(*conditions))
    engine.execute(sql("CREATE OR REPLACE TEMP TABLE :t AS :q", t=target, q=query))
    return _Staged(list(stage.files), set(stage.native), target, stage.rows, None)


def _check_table(ds: Dataset, name: str, native: set[str]) -> exp.Table:
    # When every field is typed in the source, the staged table is the dataset itself, not
    # copied once more.
    return typed_table(name) if all(f.name in native for f in ds.fields) else table(f"raw_{name}")


def load_datasets(
    engine: Engine,
    plan: Plan,
    sources: Mapping[str, Source],
    *,
    kinds: MeasuredKinds,
    exclude_bad_rows: bool,
    shared: SharedSources | None = None,
) -> LoadReport:
    """Create ``ds_<name>`` for each dataset the plan reads; raise DataError or report bad rows.

    ``shared``: the sources already read into this engine for other contracts of a portfolio
    (each is read once, and each contract takes its rows from it by its binding's ``where``).
    """
    # Each file's hash is taken on a thread of its own while the engine reads and checks the
    # data (hashlib lets go of the GIL): at 10M tickets 444 MB, 0.4 s, no longer in line.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slac-hash")
    try:
        return _load(engine, plan, sources, kinds, exclude_bad_rows, shared, hashing)
    finally:
        # Done, every hash was waited for; on an error (or Ctrl-C) none is waited for.
        hashing.shutdown(wait=False, cancel_futures=True)


def _load(
    engine: Engine,
    plan: Plan,
    sources: Mapping[str, Source],
    kinds: MeasuredKinds,
    exclude_bad_rows: bool,
    shared: SharedSources | None,
    hashing: ThreadPoolExecutor,
) -> LoadReport:
    dropped: dict[str, int] = {}
    customer = next((p.name for p in plan.parties if p.key == "customer"), "")
    needed = needed_datasets(plan, kinds)
    datasets = {d.name: d for d in plan.datasets}
    billing = billing_uses(plan)
    metrics_by_ds: dict[str, list[Metric]] = {}
    for metric in plan.metrics:
        metrics_by_ds.setdefault(metric.dataset, []).append(metric)
        for other in kinds[metric.kind].reads(metric):
            metrics_by_ds.setdefault(other, [])
    engine.execute(
        sql(
            "CREATE OR REPLACE TEMP TABLE bad_rows (dataset VARCHAR, _file INTEGER, _row BIGINT, field VARCHAR, problem VARCHAR)"
        )
    )
    infos: list[InputInfo] = []
    hashes: dict[str, tuple[tuple[str, Future[str] | None], ...]] = {}
    file_names: dict[str, list[str]] = {}
    views: dict[str, exp.Expr] = {}  # the datasets read from their files by each statement
    for name in needed:
        ds, source = datasets[name], sources.get(name)
        if source is None:
            raise DataError(
                f"no data bound to dataset '{name}': add it to the bindings file or pass --data {name}=PATH"
            )
        source = for_contract(source, plan.contract_id, customer)
        staged = _stage(engine, ds, source, name, shared)
        files, native, raw_t, kept = staged.files, staged.native, staged.table, staged.read
        file_names[name] = files
        hashes[name] = tuple(
            (
                f.rsplit("/", 1)[-1],
                hashing.submit((shared or _HASHES).sha256, f) if source.paths else None,
            )
            for f in files
        )
        all_native = all(f.name in native for f in ds.fields)
        checks = _problems(ds, source.timezone, metrics_by_ds.get(name, []), kinds, native)
        if name in billing:
            checks.extend(billing_checks(ds, billing[name]))
        if checks:
            problems = [(f, _side_by_side(problem, native)) for f, problem in checks]
            # One read of the rows keeps those with any problem (few); each check then reads
            # only those, instead of each reading every row again (10M tickets, six checks:
            # 0.54 to 0.49 s; a dataset with more checks gains more).
            bad = exp.or_(*(sql(":p IS NOT NULL", p=p.copy()) for _, p in problems))
            parts = [
                sql("SELECT _file, _row, :f AS field, :problem AS p FROM c", f=lit(f), problem=p)
                for f, p in problems
            ]
            union = parts[0]
            assert isinstance(union, exp.Query)
            for part in parts[1:]:
                union = exp.union(union, part, distinct=False, copy=False)
            union = union.with_("c", as_=sql("SELECT * FROM :raw WHERE :bad", raw=raw_t, bad=bad))
            engine.execute(
                sql(
                    "INSERT INTO bad_rows SELECT :ds, _file, _row, field, p FROM (:u) AS c "
                    "WHERE p IS NOT NULL",
                    ds=lit(name),
                    u=union,
                )
            )
        if not all_native:
            typed = [exp.column(f.name, quoted=True) for f in ds.fields]
            select = exp.select(exp.column("_file"), exp.column("_row"), *typed).from_(raw_t)
            engine.execute(
                sql("CREATE OR REPLACE TEMP TABLE :t AS :q", t=typed_table(name), q=select)
            )
        if ds.key:
            key = exp.column(ds.key, quoted=True)
            # The first row of a key (in file and row order) is the item; each later one is
            # the bad row, so that `--on-bad-rows exclude` keeps the first and counts the rest.
            names = exp.Array(expressions=[lit(os.path.basename(f)) for f in files])
            engine.execute(
                sql(
                    "INSERT INTO bad_rows SELECT :ds, _file, _row, :f, 'duplicate key ' || "
                    "CAST(:k AS VARCHAR) || ': its first row is row ' || first_row || ' of ' || "
                    ":names[first_file + 1] "
                    "FROM (SELECT _file, _row, :k, "
                    "row_number() OVER (PARTITION BY :k ORDER BY _file, _row) AS n, "
                    "first_value(_file) OVER (PARTITION BY :k ORDER BY _file, _row) AS first_file, "
                    "first_value(_row) OVER (PARTITION BY :k ORDER BY _file, _row) AS first_row "
                    # Only the keys that repeat are sorted: a hash count of every key costs
                    # less than ordering every row (10M tickets: 0.8 against 1.2 s).
                    "FROM :t WHERE :k IN (SELECT :k FROM :t GROUP BY :k HAVING count(*) > 1)) "
                    "WHERE n > 1 AND :k IS NOT NULL",
                    ds=lit(name),
                    f=lit(ds.key),
                    k=key,
                    t=typed_table(name),
                    names=names,
                )
            )
        if name in billing:
            duplicate_charges(engine, ds, billing[name], files)
        if not all_native:
            engine.execute(sql(f"DROP {'VIEW' if staged.view else 'TABLE'} :t", t=raw_t))
        elif staged.view is not None:
            views[name] = staged.view
        rows = engine.scalar(sql("SELECT count(*) FROM :t", t=typed_table(name)))
        if kept is not None:  # the rows the binding's `where` left out are those not kept
            dropped[name] = kept - int(rows)
            rows = kept
        infos.append(InputInfo(name, (), int(rows), 0))
    loaded = set(needed)
    for metric in plan.metrics:
        kinds[metric.kind].linked_checks(engine, plan, metric, loaded)
    total = int(engine.scalar(sql("SELECT count(DISTINCT (dataset, _file, _row)) FROM bad_rows")))
    listed_rows = engine.rows(
        sql(
            # Two metrics over one dataset may find the same problem in a row: name it once.
            "SELECT DISTINCT dataset, _file, _row, field, problem FROM bad_rows "
            "ORDER BY dataset, _file, _row, field, problem LIMIT :n",
            n=lit(MAX_LISTED),
        )
    )
    listed = tuple(
        BadRow(str(d), file_names[str(d)][int(fi)], int(r), str(f), str(p))
        for d, fi, r, f, p in listed_rows
    )
    per_ds = dict(
        engine.rows(
            sql("SELECT dataset, count(DISTINCT (_file, _row)) FROM bad_rows GROUP BY dataset")
        )
    )
    infos = [
        InputInfo(
            i.dataset,
            tuple((f, "" if h is None else h.result()) for f, h in hashes[i.dataset]),
            i.rows,
            int(per_ds.get(i.dataset, 0)),
        )
        for i in infos
    ]
    if total and exclude_bad_rows:
        for name in needed:
            if name in views:  # a view of the files: read without its bad rows from now on
                engine.execute(
                    sql(
                        "CREATE OR REPLACE TEMP VIEW :t AS SELECT * FROM (:q) AS s WHERE (_file, _row) "
                        "NOT IN (SELECT (_file, _row) FROM bad_rows WHERE dataset = :ds)",
                        t=typed_table(name),
                        q=views[name],
                        ds=lit(name),
                    )
                )
                continue
            engine.execute(
                sql(
                    "DELETE FROM :t WHERE (_file, _row) IN (SELECT (_file, _row) FROM bad_rows WHERE dataset = :ds)",
                    t=typed_table(name),
                    ds=lit(name),
                )
            )
    return LoadReport(tuple(infos), total, listed, tuple(sorted(dropped.items())))


def needed_datasets(plan: Plan, kinds: MeasuredKinds) -> list[str]:
    """Every dataset the plan's objectives and exclusions read, in a stable order."""
    names: set[str] = set()
    for terms in plan.terms:
        for obj in terms.objectives:
            names.add(obj.metric.dataset)
            names.update(kinds[obj.metric.kind].reads(obj.metric))
        for exc in terms.exclusions:
            if exc.maintenance_dataset:
                names.add(exc.maintenance_dataset)
        if terms.commercials.fees_from is not None:
            names.add(terms.commercials.fees_from.dataset)
    return sorted(names)


def _side_by_side(problem: exp.Expr, native: set[str]) -> exp.Expr:
    """A check written over `r.field` (text) and `t.field` (typed), for the staged table that
    holds both as `r__field` and `field` (natively typed fields: only `field`)."""
    problem = problem.copy()
    for column in list(problem.find_all(exp.Column)):
        if column.table == "r" and column.name in native:
            typed = exp.column(column.name, quoted=True)
            # Empty or not, as text or typed alike: no cast of every value to text to see.
            parent = column.parent
            is_null = (
                isinstance(parent, exp.Is)
                and column.arg_key == "this"
                and isinstance(parent.expression, exp.Null)
            )
            column.replace(typed if is_null else exp.cast(typed, "VARCHAR"))
            continue
        if column.table == "r":
            column.set("this", exp.to_identifier(f"r__{column.name}", quoted=True))
        column.set("table", None)
    return problem


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
