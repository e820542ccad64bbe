"""SQL as sqlglot expressions, and the engine that runs them.

Statements are written once as fixed SQL shapes with ``:name`` placeholders and filled with
sqlglot nodes (quoted identifiers, typed literals, sub-expressions): names and values from
contracts and data never become SQL text by string pasting. The same trees are generated for
DuckDB here and can be generated for Spark (``Engine.dialect``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

# Names of the tables rows_listing stores its rows in (unique within the process).
_listings = itertools.count()


def _int_div(node: exp.Expr) -> exp.Expr:
    # count_if() is NULL over all-NULL input in some engines: COUNT(*) FILTER is always a count.
    if isinstance(node, exp.CountIf):
        return exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=node.this))
    # Templates write INTDIV(a, b) for integer division (DuckDB `//`, Spark `DIV`).
    if isinstance(node, exp.Anonymous) and str(node.this).upper() == "INTDIV":
        left, right = node.expressions
        return exp.IntDiv(this=exp.Paren(this=left), expression=exp.Paren(this=right))
    return node


@functools.lru_cache(maxsize=512)
def _template(text: str) -> exp.Expr:
    tree = sqlglot.parse_one(text, read="postgres").transform(_int_div)
    # Each use copies the template: the parser's source positions (a dict per identifier)
    # and empty comment lists would be deep-copied every time, for nothing.
    for node in tree.walk():
        node._meta = None
        if not node.comments:
            node.comments = None
    return tree


def sql(text: str, **values: Any) -> exp.Expr:
    """``text`` parsed once, with each ``:name`` replaced by ``values[name]``."""
    nodes = {k: _node(v) for k, v in values.items()}
    # replace_placeholders transforms a copy: the cached template itself is never changed.
    return exp.replace_placeholders(_template(text), **nodes)


def _node(value: Any) -> exp.Expr:
    if not isinstance(value, exp.Expr):
        return lit(value)
    # A node already in another statement is copied: two trees sharing a node would each
    # claim it as their child, and a portfolio's threads build statements at the same time.
    node: exp.Expr = value if value.parent is None else value.copy()
    # A substituted `a - b` must stay one operand wherever the template puts it.
    if isinstance(node, exp.Binary | exp.Not | exp.Case):
        return exp.Paren(this=node)
    return node


def lit(value: Any) -> exp.Expr:
    """A literal of the value's own type (Decimal kept exact as a DECIMAL literal)."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        digits = len(text.replace("-", "").replace(".", ""))
        scale = len(text.split(".")[1]) if "." in text else 0
        return exp.cast(exp.Literal.number(text), f"DECIMAL({max(digits, scale + 1, 18)}, {scale})")
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        return exp.Literal.number(repr(value))
    return exp.Literal.string(str(value))


def subquery(query: exp.Expr, alias: str) -> exp.Expr:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias)))


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str, table_alias: str | None = None) -> exp.Column:
    return exp.column(name, table_alias, quoted=True)


def table(name: str) -> exp.Table:
    return exp.Table(this=ident(name))


def typed_table(dataset: str) -> exp.Table:
    """The loaded, typed rows of a dataset (created by evaluation/load.py)."""
    return table(f"ds_{dataset}")


# Every open engine, for Ctrl-C (see interrupt_queries).
_OPEN: weakref.WeakSet[Engine] = weakref.WeakSet()

# The engine's memory (DuckDB's buffer manager; the process as a whole needs about 500 MB
# more) and where it spills what does not fit: both overridable from the environment. 640 MB
# keeps a 10M-ticket evaluation under 1.2 GiB (1,148 MiB; 768 MB: 1,266 MiB and 7% faster).
MEMORY_ENV = "SLAC_MEMORY_LIMIT"
SPILL_ENV = "SLAC_SPILL_DIRECTORY"
DEFAULT_MEMORY_LIMIT = "640MB"


class EngineUnsupported(Exception):
    """A statement the engine cannot run with the same results as DuckDB (evaluation/spark.py)."""


class EngineSettingError(ValueError):
    """A memory limit or spill folder the engine refused (a user's setting, not a bug)."""


def interrupt_queries() -> None:
    """Stop the query every open engine is running. Called from the Ctrl-C handler
    (:mod:`slac.entry`): DuckDB notices a pending signal itself only in some process states (not
    in a job a shell started in the background), so it is told explicitly."""
    for engine in list(_OPEN):
        engine.con.interrupt()


def close_engines() -> None:
    """Close every open engine (before a process exits without finalization: see entry.py)."""
    # The connections that share a database first: their threads may still be unwinding an
    # interrupted query. An engine whose connection refuses to close still has its spill
    # folder removed (close).
    for engine in sorted(_OPEN, key=lambda e: not e._shares_database):
        with contextlib.suppress(Exception):
            engine.close()


class Engine:
    """A DuckDB connection in UTC that runs sqlglot expressions."""

    dialect = "duckdb"
    # The objectives the statements run now measure (see measuring): an engine that records
    # its statements (the warehouse script) names them.
    objectives: tuple[str, ...] = ()
    # A connection of another engine's database (see connection): its settings are not its own.
    _shares_database = False
    # Whether rows that several statements read are stored once, or read as a query by each:
    # DuckDB pushes each reader's filters into the query, and a stored copy of millions of
    # rows costs memory; Spark computes a query again at each read (joins and all).
    stores_reread_rows = False
    # Whether such rows may be a view, computed again by each statement with its own columns
    # and filters pushed down to the files (a Parquet dataset; a metric's rows in its windows
    # when they would not fit in memory, see stores): not for a warehouse script (not every
    # warehouse has temporary views) or Spark (it stores them).
    rows_as_views = True

    def __init__(self, threads: int | None = None) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        _OPEN.add(self)
        # Timestamps are converted to instants explicitly; the session zone must never matter.
        self.con.execute("SET TimeZone = 'UTC'")
        self._threads = threads
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        # DuckDB would take 80% of the machine's memory and spill into `.tmp` in the working
        # folder; slac takes a bounded share and spills into a folder of its own, removed on
        # close (README.md, "Evaluating").
        limit = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
        spill = os.environ.get(SPILL_ENV, "").strip()
        self._spill = None if spill else tempfile.mkdtemp(prefix="slac-spill-")
        if self._spill:
            # Removed by close; failing that (an engine a caller never closed), when the
            # engine is collected or the interpreter exits.
            weakref.finalize(self, shutil.rmtree, self._spill, True)
        for name, value, source in (
            ("memory_limit", limit, MEMORY_ENV),
            ("temp_directory", spill or self._spill or "", SPILL_ENV),
        ):
            try:
                self.con.execute(f"SET {name} = " + exp.Literal.string(value).sql(self.dialect))
            except duckdb.Error as err:
                self.close()
                first = str(err).strip().splitlines()[0]
                raise EngineSettingError(f"{source}={value!r} is refused: {first}") from None
        # slac writes each hash join with the side to hash on the right: a window, calendar or
        # scope table, or a metric's paused time (narrow, millions of rows). DuckDB would swap
        # the sides by its estimate of the other side's rows, which misjudges a filtered view:
        # at 10M tickets it hashed 4M wide rows (spilled) instead of 3.6M narrow ones, and the
        # duration statements took 20.4 s instead of 16.3 s. The setting is the database's.
        # (A DuckDB older than that optimizer has no swap to turn off.)
        with contextlib.suppress(duckdb.Error):
            self.con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        self._attached: dict[str, str] = {}
        self.record_evidence = False

    @contextmanager
    def measuring(self, objectives: tuple[str, ...]) -> Iterator[None]:
        """The statements run inside measure ``objectives``."""
        before = self.objectives
        self.objectives = objectives
        try:
            yield
        finally:
            self.objectives = before

    def stores(self, rows: exp.Expr, columns: int) -> bool:
        """Whether rows that several statements read (those of ``rows``, ``columns`` wide) are
        stored once, or are a view each statement computes again. A view costs each reader the
        joins again; a table that does not fit in the engine's memory costs more: DuckDB spills
        it and every reader reads it back (10M tickets: 55 s stored, 40 s as a view; 1M: 7.3 s
        stored, 8.5 s as a view). Either gives the same rows: only the time differs."""
        if not self.rows_as_views:
            return True
        count = int(self.scalar(sql("SELECT count(*) FROM (:q) AS q", q=rows)) or 0)
        # About 16 bytes a value, as DuckDB holds numbers, instants and short strings.
        return count * columns * 16 <= self.memory_bytes() // 2

    def memory_bytes(self) -> int:
        """The engine's memory limit in bytes."""
        row = self.con.execute("SELECT current_setting('memory_limit')").fetchone()
        shown = str(row[0]) if row else ""
        number, _, unit = shown.partition(" ")
        scale = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
        return int(float(number) * scale.get(unit, 1 << 40))

    def set_threads(self, threads: int | None) -> None:
        """``threads`` for the statements that follow; None: the engine's own setting again.
        The setting is the database's: a connection of :meth:`connection` leaves it to the
        engine it came from."""
        if self._shares_database:
            return
        value = threads or self._threads
        self.con.execute(f"SET threads = {int(value)}" if value else "RESET threads")

    def connection(self) -> Engine:
        """Another connection to this engine's database, for another thread: its temp tables
        are its own; tables (a portfolio's staged sources), attached files and settings are
        shared. Closing it leaves the database open."""
        other = Engine.__new__(Engine)
        other.con = self.con.cursor()
        _OPEN.add(other)
        other._threads = self._threads
        other._spill = None
        other._shares_database = True
        other._attached = self._attached
        other.record_evidence = False
        return other

    def text(self, expression: exp.Expr) -> str:
        # DuckDB's generator only rewrites constructs slac never builds (CONNECT BY, SEQ),
        # so copying every statement's whole tree first (a third of a small query's cost)
        # buys nothing; engines for other dialects override this and keep the copy.
        return expression.sql(dialect=self.dialect, copy=False)

    def execute(self, expression: exp.Expr) -> None:
        self.con.execute(self.text(expression))

    def rows(self, expression: exp.Expr) -> list[tuple[Any, ...]]:
        return self.con.execute(self.text(expression)).fetchall()

    def scalar(self, expression: exp.Expr) -> Any:
        row = self.con.execute(self.text(expression)).fetchone()
        return row[0] if row else None

    def rows_listing(self, expression: exp.Expr, listed: str) -> list[tuple[Any, ...]]:
        """:meth:`rows` of a query (a SELECT) one of whose columns, the one aliased ``listed``,
        holds per row NULL or a list of structs (the listed items of
        :func:`slac.evaluation.selection.miss_columns`), each handed over as a dict. DuckDB
        converts such a list to Python a struct at a time, slowly: 0.45 s for the 135k items of
        one objective at 10M tickets. The rows are stored instead (a row per group: thousands)
        and read back twice, without the lists, and the lists' items as flat rows in order
        (0.2 s). The column is found by its place, not its name: a scope field may share it."""
        assert isinstance(expression, exp.Select)
        at = next(
            i
            for i, e in enumerate(expression.expressions)
            if isinstance(e, exp.Alias) and e.alias == listed
        )
        name = f'"slac_listing_{next(_listings)}"'
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"SELECT row_number() OVER () AS __slac_r, * FROM ({self.text(expression)}) AS q"
        )
        try:
            # Stored, a name the query repeats is numbered (misses_1): its stored name.
            described = self.con.execute(f"SELECT * FROM {name} LIMIT 0").description or []
            column = exp.to_identifier(described[at + 1][0], quoted=True).sql(self.dialect)
            plain = self.con.execute(
                f"SELECT * EXCLUDE ({column}) FROM {name} ORDER BY __slac_r"
            ).fetchall()
            # unnest of a struct makes a column of each of its fields (one level: a field that
            # is itself a list or struct stays one value).
            found = self.con.execute(
                "SELECT __slac_r, __slac_i, unnest(__slac_m) FROM ("
                f"SELECT __slac_r, generate_subscripts({column}, 1) AS __slac_i, "
                f"unnest({column}) AS __slac_m FROM {name}) AS m ORDER BY __slac_r, __slac_i"
            )
            fields = [d[0] for d in (found.description or [])[2:]]
            items: dict[int, list[dict[str, Any]]] = {}
            for r, _, *values in found.fetchall():
                items.setdefault(r, []).append(dict(zip(fields, values, strict=True)))
        finally:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        return [(*row[1 : at + 1], items.get(row[0]), *row[at + 1 :]) for row in plain]

    def earliest(self, needed: exp.Expr, sooner: exp.Expr) -> Any:
        """The earliest instant a lookup must cover: ``needed`` computes it exactly, ``sooner``
        an instant at or before it for less (a scan of a column, not rows joined to their
        windows). An engine that runs the data answers with ``sooner``; one that only writes
        the SQL (warehouse.py) checks ``needed`` against the instant it can cover."""
        return self.scalar(sooner)

    def read_parquet(self, path: str) -> exp.Expr:
        """A relation of a Parquet file's rows with ``__slac_row``, the 1-based row number
        within the file. The file's own row index, not a count of the rows read: a reader that
        filters (a view read by several statements) numbers each row as every other does."""
        import duckdb

        plain = sql("SELECT * FROM read_parquet(:p)", p=lit(path))
        try:
            columns = dict(self.describe(plain))
        except duckdb.Error:
            columns = {}  # an unreadable file: the loader reports it when it reads its columns
        if "file_row_number" in columns:
            # DuckDB cannot add its index under another name: the rows numbered as read.
            return sql("SELECT *, row_number() OVER () AS __slac_row FROM (:q)", q=plain)
        return sql(
            "SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS __slac_row "
            "FROM read_parquet(:p, file_row_number = TRUE)",
            p=lit(path),
        )

    def read_table(self, name: str) -> exp.Expr:
        """A relation of the rows of ``name``, a table of the engine's own catalog: Spark's
        (a DuckDB engine reads files, and tables of the database files it attaches)."""
        raise EngineUnsupported(f"the Spark table {name} needs --engine spark")

    def describe(self, relation: exp.Expr) -> list[tuple[str, str]]:
        """The columns of ``relation`` and their types (DuckDB's names)."""
        return [(str(r[0]), str(r[1])) for r in self.rows(sql("DESCRIBE :q", q=relation))]

    def attach(self, database: str) -> str:
        """Attach a DuckDB database file read-only; the catalog name to read its tables by."""
        if database not in self._attached:
            name = f"src_{len(self._attached)}"
            # sqlglot cannot parse ATTACH: the path is quoted by sqlglot's own literal instead.
            path = exp.Literal.string(database).sql(dialect=self.dialect)
            self.con.execute(f"ATTACH {path} AS {name} (READ_ONLY)")
            self._attached[database] = name
        return self._attached[database]

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self._spill:
                shutil.rmtree(self._spill, ignore_errors=True)
