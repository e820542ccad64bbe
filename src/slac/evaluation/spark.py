"""The evaluation engine on Apache Spark: the same sqlglot statements, run by Spark SQL.

The statements slac generates are written once (evaluation/sqltext.py) in DuckDB's terms. This
engine turns each into Spark SQL with sqlglot, ``unsupported_level=RAISE``, after rewriting the
few DuckDB functions sqlglot passes through untouched (``epoch_us``, ``list_distinct``,
``struct_pack``…) into Spark functions with the same results, NULLs and empty inputs included.
A function this module does not know raises :class:`SparkUnsupported`: nothing reaches Spark
unchecked. Spark has no temporary tables: each is a materialized DataFrame registered as a
temporary view, and ``INSERT``/``DELETE``/``DROP`` on it are done here (docs/engines.md).

This is the only module that imports pyspark (an optional extra: ``pip install slac[spark]``).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

from slac.evaluation.sqltext import Engine, EngineSettingError, EngineUnsupported, sql

# Spark's session settings for an evaluation: UTC (slac converts instants itself, the zone must
# never matter), ANSI SQL (an overflow raises, as on DuckDB, instead of turning into NULL), and
# few shuffle partitions (the data of one contract is small for Spark).
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "true",
}
MASTER_ENV = "SLAC_SPARK_MASTER"
# The user's own settings (a catalog, its warehouse, memory): `spark.KEY=VALUE` separated by
# whitespace. Not those the results depend on.
CONF_ENV = "SLAC_SPARK_CONF"
FIXED_CONF = ("spark.sql.session.timeZone", "spark.sql.ansi.enabled")


class SparkUnsupported(EngineUnsupported):
    """A statement uses something this engine cannot run on Spark with the same results."""


class SparkMissing(Exception):
    """pyspark is not installed."""


def user_conf() -> dict[str, str]:
    """The settings :data:`CONF_ENV` gives; raises :class:`EngineSettingError` for one that is
    not ``spark.KEY=VALUE`` or that the results depend on (:data:`FIXED_CONF`)."""
    out: dict[str, str] = {}
    for item in os.environ.get(CONF_ENV, "").split():
        key, _, value = item.partition("=")
        if not key.startswith("spark.") or not value:
            raise EngineSettingError(f"{CONF_ENV}: {item!r} is not spark.KEY=VALUE")
        if key in FIXED_CONF:
            raise EngineSettingError(
                f"{CONF_ENV}: {key} is set by slac (the results must not depend on it)"
            )
        out[key] = value
    return out


def spark_session(master: str | None = None) -> Any:
    """The process's Spark session (created on first use) with :data:`SESSION_CONF` and the
    user's :func:`user_conf`. Settings read when Spark starts (``spark.sql.warehouse.dir``,
    ``spark.sql.catalogImplementation``) take effect in the first session of a process."""
    settings = {**SESSION_CONF, **user_conf()}
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkMissing(
            "--engine spark needs pyspark: pip install 'slac[spark]' (and Java 17)"
        ) from None
    builder = SparkSession.builder.master(
        master or os.environ.get(MASTER_ENV, "").strip() or "local[2]"
    ).appName("slac")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    # Spark's errors reach slac as exceptions, each made one line of its own error
    # message: Spark's log would print each once more, as JSON, on stderr.
    session.sparkContext.setLogLevel("OFF")
    for key in SESSION_CONF:
        if not key.startswith("spark.ui"):
            session.conf.set(key, settings[key])
    return session


_views = itertools.count()


class SparkEngine(Engine):
    """Runs slac's statements on a Spark session. A subclass of the DuckDB engine only for its
    interface (every stage is written against ``Engine``): no DuckDB connection is opened."""

    dialect = "spark"
    stores_reread_rows = True
    rows_as_views = False

    def __init__(self, session: Any = None) -> None:
        self.session = session or spark_session()
        self.record_evidence = False
        self._tables: dict[str, Any] = {}  # temp table name → its materialized DataFrame
        self._views: list[str] = []

    # -- the Engine interface -------------------------------------------------------------

    def text(self, expression: exp.Expr) -> str:
        adapted = self._expand_stars(spark_expression(expression))
        try:
            return adapted.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
        except sqlglot.errors.UnsupportedError as err:
            raise SparkUnsupported(str(err)) from None

    def execute(self, expression: exp.Expr) -> None:
        if isinstance(expression, exp.Create) and str(expression.args.get("kind")) == "TABLE":
            self._create(expression)
        elif isinstance(expression, exp.Insert):
            self._insert(expression)
        elif isinstance(expression, exp.Delete):
            self._delete(expression)
        elif isinstance(expression, exp.Drop):
            self._drop(expression)
        else:
            self.session.sql(self.text(expression)).collect()

    def rows(self, expression: exp.Expr) -> list[tuple[Any, ...]]:
        return [tuple(_python(v) for v in row) for row in self._frame(expression).collect()]

    def rows_listing(self, expression: exp.Expr, listed: str) -> list[tuple[Any, ...]]:
        return self.rows(expression)

    def scalar(self, expression: exp.Expr) -> Any:
        found = self._frame(expression).take(1)
        return _python(found[0][0]) if found else None

    def describe(self, relation: exp.Expr) -> list[tuple[str, str]]:
        """The columns of ``relation`` and their types, named as DuckDB names them."""
        schema = self._frame(relation).schema
        return [(f.name, _duckdb_type(f.dataType)) for f in schema.fields]

    def read_parquet(self, path: str) -> exp.Expr:
        """A relation of the Parquet file's rows with ``__slac_row``, the 1-based row number
        within the file (Spark reads a file in parallel: the row index is the file's own)."""
        frame = self.session.read.parquet(path)
        frame = frame.select("*", (frame["_metadata.row_index"] + 1).alias("__slac_row"))
        name = f"slac_src_{next(_views)}"
        frame.createOrReplaceTempView(name)
        self._views.append(name)
        return sql("SELECT * FROM :t", t=exp.Table(this=exp.to_identifier(name, quoted=True)))

    def read_table(self, name: str) -> exp.Expr:
        """A relation of the rows of ``name``, a table of the session's catalog (``name``,
        ``database.name`` or ``catalog.database.name``). A name without its database is the
        current database's table, never one of the temporary views the evaluation makes."""
        parts = name.split(".")
        if len(parts) == 1:
            parts.insert(0, self.session.catalog.currentDatabase())
        # Read when the load asks for its columns: a table not found is then an error naming
        # the binding's table, as a file not found is.
        return sql(
            "SELECT * FROM :t",
            t=exp.Table(
                this=exp.to_identifier(parts[-1], quoted=True),
                db=exp.to_identifier(parts[-2], quoted=True),
                catalog=exp.to_identifier(parts[-3], quoted=True) if len(parts) > 2 else None,
            ),
        )

    def attach(self, database: str) -> str:
        raise SparkUnsupported(
            f"--engine spark reads Parquet files, not the DuckDB database {database}"
        )

    def close(self) -> None:
        catalog = self.session.catalog
        for name in [*self._tables, *self._views]:
            catalog.dropTempView(name)
        self._tables.clear()
        self._views.clear()

    def _expand_stars(self, root: exp.Expr) -> exp.Expr:
        """DuckDB's ``* EXCLUDE (c)`` and ``t.* REPLACE (e AS c)`` as the columns they stand
        for (Spark has neither): the relation's columns are asked of Spark."""
        stars = [
            s for s in root.find_all(exp.Star) if s.args.get("except_") or s.args.get("replace")
        ]
        for star in reversed(stars):  # the innermost first: a probe must be plain Spark SQL
            column = star.parent if isinstance(star.parent, exp.Column) else None
            node = column or star
            select = node.parent
            assert isinstance(select, exp.Select)
            alias = column.table if column else None
            source = _source_of(select, alias)
            probe = exp.select("*").from_(source.copy())
            ctes = [w for w in _ancestors(select) if isinstance(w, exp.Query) and w.ctes]
            for query in ctes:
                for cte in query.ctes:
                    probe = probe.with_(cte.alias, cte.this.copy(), copy=False)
            names = self.session.sql(self.text(probe)).columns
            dropped = {c.name for c in star.args.get("except_") or []}
            replaced = {r.alias: r.this for r in star.args.get("replace") or []}
            columns: list[exp.Expr] = []
            for name in names:
                if name in dropped:
                    continue
                if name in replaced:
                    columns.append(exp.alias_(replaced[name].copy(), name, quoted=True))
                else:
                    columns.append(exp.column(name, alias, quoted=True))
            position = select.expressions.index(node)
            select.set(
                "expressions",
                [*select.expressions[:position], *columns, *select.expressions[position + 1 :]],
            )
        return root

    # -- temporary tables -----------------------------------------------------------------

    def _frame(self, expression: exp.Expr) -> Any:
        return self.session.sql(self.text(expression))

    def _register(self, name: str, frame: Any) -> None:
        # Computed once, now: a temp table is read many times, and its rows (ids among them)
        # must not be computed again, differently, on each read. A local checkpoint, not a
        # cache: Spark re-plans every cached table built on one it un-caches (each DROP), which
        # cost more than the evaluation itself. A table of constants is planned, not computed.
        if frame.isLocal() or not _reads_tables(frame):
            stored = frame
        else:
            stored = frame.localCheckpoint(eager=True)
        stored.createOrReplaceTempView(name)
        self._tables[name] = stored

    def _create(self, create: exp.Create) -> None:
        target = create.this
        name = (target.this if isinstance(target, exp.Schema) else target).name
        query = create.expression
        if query is not None:
            self._register(name, self._frame(query))
            return
        assert isinstance(target, exp.Schema)
        columns = ", ".join(
            f"CAST(NULL AS {c.args['kind'].sql(dialect='spark')}) AS `{c.name}`"
            for c in target.expressions
        )
        self._register(name, self.session.sql(f"SELECT {columns}").limit(0))

    def _insert(self, insert: exp.Insert) -> None:
        target = insert.this
        name = (target.this if isinstance(target, exp.Schema) else target).name
        current = self._tables[name]
        added = self._frame(insert.expression)
        # INSERT takes the new rows by position, cast to the table's column types.
        added = added.toDF(*[f"c{i}" for i in range(len(added.columns))])
        added = added.select(
            *[
                added[f"c{i}"].cast(field.dataType).alias(field.name)
                for i, field in enumerate(current.schema.fields)
            ]
        )
        self._register(name, current.unionByName(added))

    def _delete(self, delete: exp.Delete) -> None:
        name = delete.this.name
        where = delete.args["where"].this
        kept = sql("SELECT * FROM :t WHERE NOT coalesce(:w, FALSE)", t=delete.this, w=where)
        self._register(name, self._frame(kept))

    def _drop(self, drop: exp.Drop) -> None:
        for dropped in drop.args["tables"]:
            self._tables.pop(dropped.name, None)
            self.session.catalog.dropTempView(dropped.name)


def _reads_tables(frame: Any) -> bool:
    """Whether ``frame``'s plan reads a table, file or checkpoint (not only constants); a
    table of a catalog of tables of the second data source API is a ``RelationV2``."""
    plan = frame._jdf.queryExecution().analyzed().toString()
    return re.search(r"(?<!Local)Relation(?:V2)?\b|LogicalRDD|Range \(", plan) is not None


def _ancestors(node: exp.Expr) -> list[exp.Expr]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def _source_of(select: exp.Select, alias: str | None) -> exp.Expr:
    """The relation of ``select``'s FROM or JOIN named ``alias`` (None: its only one)."""
    sources: list[exp.Expr] = [
        select.args["from_"].this,
        *(j.this for j in select.args.get("joins") or []),
    ]
    if alias is None:
        assert len(sources) == 1, "an unqualified * EXCLUDE over a join"
        return sources[0]
    for source in sources:
        if source.alias_or_name == alias:
            return source
    raise SparkUnsupported(f"no relation {alias} for {alias}.*")


# -- values -------------------------------------------------------------------------------


def _python(value: Any) -> Any:
    """A value fetched from Spark as DuckDB's Python client returns it."""
    from pyspark.sql import Row

    if isinstance(value, Row):
        return {k: _python(v) for k, v in value.asDict(recursive=False).items()}
    if isinstance(value, list):
        return [_python(v) for v in value]
    if isinstance(value, datetime):
        raise SparkUnsupported("a timestamp value was fetched from Spark (slac fetches µs)")
    if isinstance(value, bool | int | str | Decimal | float | date) or value is None:
        return value
    raise SparkUnsupported(f"a {type(value).__name__} value was fetched from Spark")


def _duckdb_type(data_type: Any) -> str:
    from pyspark.sql import types as t

    if isinstance(data_type, t.DecimalType):
        return f"DECIMAL({data_type.precision},{data_type.scale})"
    simple = {
        t.LongType: "BIGINT",
        t.IntegerType: "INTEGER",
        t.ShortType: "SMALLINT",
        t.ByteType: "TINYINT",
        t.StringType: "VARCHAR",
        t.BooleanType: "BOOLEAN",
        t.DateType: "DATE",
        t.TimestampType: "TIMESTAMP WITH TIME ZONE",
        t.TimestampNTZType: "TIMESTAMP",
        t.DoubleType: "DOUBLE",
        t.FloatType: "FLOAT",
    }
    for kind, name in simple.items():
        if isinstance(data_type, kind):
            return name
    return str(data_type.simpleString()).upper()


# -- DuckDB functions in Spark's terms ----------------------------------------------------


def spark_expression(expression: exp.Expr) -> exp.Expr:
    """``expression`` with every DuckDB construct sqlglot would pass through unchanged (or
    with other semantics) rewritten for Spark; an unknown function raises."""
    root = expression.copy()
    # Children before their parents (a reversed pre-order walk): each rewrite sees arguments
    # already rewritten, and the SQL a rewrite writes is Spark's own, never rewritten again.
    for node in reversed(list(root.walk(bfs=False))):
        new = _rewrite(node)
        if new is not node:
            if node is root:
                root = new
            else:
                node.replace(new)
    return root


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        rewrite = _FUNCTIONS.get(name)
        if rewrite is None:
            raise SparkUnsupported(f"the function {name}() has no Spark counterpart in slac")
        rewritten: exp.Expr = rewrite(*node.expressions)
        return rewritten
    if (
        isinstance(node, exp.Window)
        and isinstance(node.this, exp.RowNumber)
        and not node.args.get("partition_by")
        and not node.args.get("order")
    ):
        # DuckDB's row_number() OVER () numbers rows in no stated order (slac uses it for ids
        # only); Spark requires an order: unique ids in no stated order are what it means.
        return sql("monotonically_increasing_id() + 1")
    if isinstance(node, exp.Bracket):
        # DuckDB's list[i] counts from 1, Spark's array[i] from 0: try_element_at counts
        # from 1 (and is NULL beyond the end, as DuckDB's).
        (index,) = node.expressions
        return exp.func("try_element_at", node.this, index)
    if isinstance(node, exp.Filter) and _listing(node.this):
        return _aggregate(node.this, node.expression.this)
    if _listing(node) and not isinstance(node.parent, exp.Filter):
        return _aggregate(node, None)
    if isinstance(node, exp.In) and isinstance(node.this, exp.Tuple) and node.args.get("query"):
        # DuckDB compares (a, b) with a subquery of one tuple column; Spark with a subquery of
        # as many columns.
        query = node.args["query"]
        select = query.this if isinstance(query, exp.Subquery) else query
        if isinstance(select, exp.Select) and len(select.expressions) == 1:
            (only,) = select.expressions
            if isinstance(only, exp.Tuple):
                select.set("expressions", list(only.expressions))
        return node
    if isinstance(node, exp.Flatten):
        # DuckDB's flatten of a list holding NULL lists skips them; Spark's is NULL.
        return sql("flatten(filter(:x, e -> e IS NOT NULL))", x=node.this)
    return node


def _listing(node: exp.Expr) -> bool:
    return isinstance(node, exp.List) or (
        isinstance(node, exp.ArgMin) and node.args.get("count") is not None
    )


def _aggregate(node: exp.Expr, where: exp.Expr | None) -> exp.Expr:
    """DuckDB's ``list(x)`` (NULLs kept, NULL over no rows) and ``min_by(x, key, n)`` (the n
    rows of the smallest keys, in key order) as Spark aggregates, FILTER kept."""

    def filtered(agg: exp.Expr) -> exp.Expr:
        return agg if where is None else exp.Filter(this=agg, expression=exp.Where(this=where))

    if isinstance(node, exp.List):
        (value,) = node.expressions
        # collect_list drops NULLs: each value rides in a struct, which is never NULL.
        collected = filtered(sql("collect_list(named_struct('v', :x))", x=value))
        values = sql("transform(:c, s -> s.v)", c=collected)
        return sql("CASE WHEN size(:c) = 0 THEN NULL ELSE :v END", c=collected.copy(), v=values)
    value, key, count = node.this, node.expression, node.args["count"]
    collected = filtered(sql("collect_list(named_struct('k', :k, 'v', :x))", k=key, x=value))
    first = sql(
        "transform(slice(array_sort(:c, (a, b) -> CASE WHEN a.k < b.k THEN -1 "
        "WHEN a.k > b.k THEN 1 ELSE 0 END), 1, :n), s -> s.v)",
        c=collected,
        n=count,
    )
    return sql("CASE WHEN size(:c) = 0 THEN NULL ELSE :f END", c=collected.copy(), f=first)


def _struct_pack(*fields: exp.Expr) -> exp.Expr:
    args: list[exp.Expr] = []
    for field in fields:
        assert isinstance(field, exp.PropertyEQ)
        args.extend([exp.Literal.string(field.this.name), field.expression])
    return exp.func("named_struct", *args)


def _range(*args: exp.Expr) -> exp.Expr:
    # DuckDB's range(a, b) ends before b; Spark's sequence(a, b) includes b, and is an error
    # (not empty) when b < a.
    if len(args) == 1:
        return exp.func("range", args[0])
    lo, hi = args
    return sql(
        "CASE WHEN :hi > :lo THEN sequence(:lo, :hi - 1) ELSE array() END",
        lo=lo,
        hi=hi,
    )


def _list_distinct(values: exp.Expr) -> exp.Expr:
    # DuckDB's list_distinct leaves NULLs out; Spark's array_distinct keeps one.
    return sql("array_distinct(filter(:x, e -> e IS NOT NULL))", x=values)


def _regexp_matches(text: exp.Expr, pattern: exp.Expr) -> exp.Expr:
    """DuckDB's regexp_matches (RE2, a match anywhere) as RLIKE (Java, a match anywhere), for
    the patterns slac writes: RE2's \\s is [\\t\\n\\f\\r ] (Java's adds \\x0B), and RE2's
    final $ is the end of the text (Java's also matches before a final line break)."""
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise SparkUnsupported("a regular expression that is not a constant")
    java = pattern.this.replace("\\s", "[\\t\\n\\f\\r ]")
    if java.endswith("$") and not java.endswith("\\$"):
        java = java[:-1] + "\\z"
    return exp.RegexpLike(this=text, expression=exp.Literal.string(java))


_FUNCTIONS: dict[str, Callable[..., exp.Expr]] = {
    "regexp_matches": _regexp_matches,
    "epoch_us": lambda x: exp.func("unix_micros", x),
    "list_distinct": _list_distinct,
    "list_sort": lambda x: exp.func("array_sort", x),
    "struct_pack": _struct_pack,
    "range": _range,
}
