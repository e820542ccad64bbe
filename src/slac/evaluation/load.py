"""Load bound sources into the engine as typed tables, finding every bad row with file and row.

Every source is first read as text (CSV with ``all_varchar``; Parquet and database columns
cast to text), each row numbered within its file, so that nothing is type-sniffed, nothing is
dropped silently (``ignore_errors`` would), and every problem can be named as ``file:row``.
Typed tables then hold timestamps as microseconds since the epoch (BIGINT): exact, and free of
the engine's session time zone.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from slac.evaluation.billing import billing_checks, billing_uses, duplicate_charges
from slac.evaluation.bindings import Source
from slac.evaluation.conditions import all_of
from slac.evaluation.kind import MeasuredKinds
from slac.evaluation.sqltext import Engine, lit, sql, subquery, table, typed_table
from slac.plan.types import Dataset, Metric, Plan

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
    if source.table:
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
        select.append(lit(index).as_("_file"))
        select.append(_row_number(engine).as_("_row"))
        parts.append(exp.select(*select).from_(subquery(relation, "src")))
        files.append(name)
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False, copy=False)
    return union, files, native


def _row_number(engine: Engine) -> exp.Expr:
    # Spark reads a file in parallel, in no order: its reader numbers each file's rows.
    if engine.dialect == "spark":
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
    ds: Dataset, zone: str | None, metrics: Sequence[Metric], kinds: MeasuredKinds
) -> list[tuple[str, exp.Expr]]:
    """(field, SQL text of the problem or NULL) for each check on the typed table ``t`` + raw ``r``."""
    out: list[tuple[str, exp.Expr]] = []
    for f in ds.fields:
        raw, typed = exp.column(f.name, "r", quoted=True), exp.column(f.name, "t", quoted=True)
        shown = sql("left(:c, 60)", c=raw)
        what: exp.Expr = lit(f"not a valid {f.type}: ")
        if f.type == "timestamp" and not zone:
            what = sql(
                "CASE WHEN NOT regexp_matches(:raw, :re) AND TRY_CAST(:raw AS TIMESTAMP) IS NOT NULL "
                "THEN 'timestamp without an offset, and the binding declares no timezone: ' "
                "ELSE 'not a valid timestamp: ' END",
                raw=raw,
                re=lit(OFFSET_RE),
            )
        out.append(
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
        )
        if not f.nullable or f.name == ds.key:
            out.append((f.name, sql("CASE WHEN :raw IS NULL THEN 'empty value' END", raw=raw)))
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


def load_datasets(
    engine: Engine,
    plan: Plan,
    sources: Mapping[str, Source],
    *,
    kinds: MeasuredKinds,
    exclude_bad_rows: bool,
) -> LoadReport:
    """Create ``ds_<name>`` for each dataset the plan reads; raise DataError or report bad rows."""
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
    file_names: dict[str, list[str]] = {}
    for name in needed:
        ds, source = datasets[name], sources.get(name)
        if source is None:
            raise DataError(
                f"no data bound to dataset '{name}': add it to the bindings file or pass --data {name}=PATH"
            )
        raw, files, native = _raw(engine, ds, source)
        file_names[name] = files
        # One pass over the source: each field as text (r__name) and typed (name) side by
        # side, so that the checks below read one table, with no join.
        # Fields typed in the source (Parquet, tables) are used as they are: when every field
        # is, the staged table is the dataset itself, not copied once more.
        all_native = all(f.name in native for f in ds.fields)
        raw_t = typed_table(name) if all_native else table(f"raw_{name}")
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
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :t AS :q",
                t=raw_t,
                q=exp.select(*staged).from_(subquery(raw, "src")),
            )
        )
        checks = _problems(ds, source.timezone, metrics_by_ds.get(name, []), kinds)
        if name in billing:
            checks.extend(billing_checks(ds, billing[name]))
        if checks:
            parts = [
                sql(
                    "SELECT _file, _row, :f AS field, :problem AS p FROM :raw",
                    f=lit(field_name),
                    problem=_side_by_side(problem, native),
                    raw=raw_t,
                )
                for field_name, problem in checks
            ]
            union: exp.Expr = parts[0]
            for part in parts[1:]:
                union = exp.union(union, part, distinct=False, copy=False)
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
                    "FROM :t) WHERE n > 1 AND :k IS NOT NULL",
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
            engine.execute(sql("DROP TABLE :t", t=raw_t))
        rows = engine.scalar(sql("SELECT count(*) FROM :t", t=typed_table(name)))
        hashed = tuple(
            (f.rsplit("/", 1)[-1], _sha256(f) if not source.table else "") for f in files
        )
        infos.append(InputInfo(name, hashed, int(rows), 0))
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
    infos = [InputInfo(i.dataset, i.files, i.rows, int(per_ds.get(i.dataset, 0))) for i in infos]
    if total and exclude_bad_rows:
        for name in needed:
            engine.execute(
                sql(
                    "DELETE FROM :t WHERE (_file, _row) IN (SELECT (_file, _row) FROM bad_rows WHERE dataset = :ds)",
                    t=typed_table(name),
                    ds=lit(name),
                )
            )
    return LoadReport(tuple(infos), total, listed)


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
            column.replace(exp.cast(exp.column(column.name, quoted=True), "VARCHAR"))
            continue
        if column.table == "r":
            column.set("this", exp.to_identifier(f"r__{column.name}", quoted=True))
        column.set("table", None)
    return problem


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
