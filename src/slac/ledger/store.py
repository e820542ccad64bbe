"""The ledger's stores: one protocol, one SQL schema, two databases.

A DuckDB file is the default (embedded, zero setup); a PostgreSQL server (``postgresql://…``,
through psycopg 3, the optional extra ``slac[postgres]``) serves a team. Both run the same SQL:
the schema is created and migrated by the numbered files in ``migrations/``; the stores differ
only in how they connect, how a parameter is written and which errors mean "someone else won".

Every write is one transaction, begun and committed with SQL (``BEGIN``/``COMMIT``), so that a
process killed before the commit leaves the ledger as it was. Nothing here updates or deletes a
row: closing again after a reopen adds a revision, an override adds a row.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from types import TracebackType
from typing import Any, Protocol

from slac.contract.currencies import minor_units
from slac.ledger.model import (
    ClosedPeriod,
    LedgerConflict,
    LedgerError,
    Override,
    StoredCreditLine,
)

MIGRATIONS_TABLE = "slac_ledger_migrations"
DEFAULT_MINOR_UNIT = 2  # as the judge rounds when the contract names no (known) currency
MIGRATION_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# Test-only: a file path; the store creates it after writing a close and before committing,
# then waits, so that a test can kill the process mid-close (tests/ledger/test_close_races.py).
PAUSE_ENV = "SLAC_LEDGER_TEST_PAUSE_BEFORE_COMMIT"
# Any constant: the key of the PostgreSQL advisory lock that serialises migrations.
MIGRATION_LOCK = 7_215_482_917

PERIOD_COLUMNS = (
    "contract_id, period, revision, state, closed_at, closed_by, reason, plan_sha256, "
    "source_sha256, inputs_sha256, slac_version, total_credit, currency, results_sha256, results"
)
LINE_COLUMNS = (
    "contract_id, period, revision, line, objective, scope, tier, percent, amount, dropped"
)
OVERRIDE_COLUMNS = "id, contract_id, period, target, action, value, reason, author, created_at"


class Store(Protocol):
    """What slac asks of a ledger, whichever database holds it."""

    where: str  # the ledger as messages name it (a path, or a URL without its password)

    def schema_version(self) -> int: ...

    def revisions(self, contract_id: str, period: str | None = None) -> tuple[ClosedPeriod, ...]:
        """Every stored revision of the contract's closed periods (of one period, if given),
        by period then revision."""
        ...

    def latest(self, contract_id: str, period: str) -> ClosedPeriod | None:
        """The revision in force of a closed period; None: the period is not closed."""
        ...

    def contracts(self) -> tuple[str, ...]: ...

    def record_close(self, closed: ClosedPeriod) -> None:
        """Store a closed period (its revision must be the next one), in one transaction.
        Raises :class:`LedgerConflict` when that revision exists (another close won)."""
        ...

    def add_override(self, override: Override) -> None: ...

    def overrides(self, contract_id: str, period: str | None = None) -> tuple[Override, ...]:
        """The contract's overrides (of one period, if given), oldest first."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def migrations() -> list[tuple[int, str, str]]:
    """The migrations shipped with slac: (number, file name, SQL), in order."""
    found: list[tuple[int, str, str]] = []
    folder = resources.files("slac.ledger") / "migrations"
    for entry in folder.iterdir():
        match = MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):  # a packaging mistake, not a user's
        raise RuntimeError(f"ledger migrations are not numbered 1..n: {numbers}")
    return found


def known_version() -> int:
    return len(migrations())


def statements(sql: str) -> list[str]:
    """The statements of a migration file (no semicolons inside strings there, by rule)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def open_store(target: str) -> Store:
    """The ledger at ``target`` (a DuckDB file path, or a PostgreSQL URL), migrated to the
    schema this slac knows. Raises :class:`LedgerError`."""
    postgres = target.startswith(POSTGRES_SCHEMES)
    store: SqlStore = PostgresStore(target) if postgres else DuckDBStore(target)
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store


def _utc(moment: datetime) -> datetime:
    """A naive UTC time for the database (both databases store TIMESTAMP without a zone)."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must carry their zone")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _decimal(value: Any) -> Decimal | None:
    """A DECIMAL as read back: without the trailing zeros of the column's scale."""
    if value is None:
        return None
    number = Decimal(value)
    trimmed = number.normalize()
    # normalize() writes 1200 as 1.2E+3: keep integers as integers.
    return trimmed.quantize(Decimal(1)) if trimmed.as_tuple().exponent > 0 else trimmed  # type: ignore[operator]


def _money(value: Any, currency: str | None) -> Decimal:
    """An issued credit as read back: with its currency's decimals, as it was issued."""
    minor = minor_units(currency) if currency else None
    digits = DEFAULT_MINOR_UNIT if minor is None else minor
    return Decimal(value).quantize(Decimal(1).scaleb(-digits))


class SqlStore:
    """The SQL both databases run; subclasses connect and name their errors."""

    where = ""

    # ------------------------------------------------------------ what subclasses provide

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _is_conflict(self, error: Exception) -> bool:
        """The error says a unique key or a concurrent transaction stopped the write."""
        raise NotImplementedError

    def _database_errors(self) -> tuple[type[Exception], ...]:
        raise NotImplementedError

    def _lock_for_migration(self) -> None:
        """Hold other migrating processes off until this transaction ends."""

    def close(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ transactions

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _rollback_quietly(self) -> None:
        # The transaction may already be gone with the connection.
        with contextlib.suppress(Exception):
            self._execute("ROLLBACK")

    def _fail(self, action: str, error: Exception) -> LedgerError:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        return LedgerError(f"ledger {self.where}: cannot {action}: {first_line}")

    # ------------------------------------------------------------ schema

    def migrate(self) -> None:
        """Apply the migrations this ledger lacks, all in one transaction."""
        shipped = migrations()
        try:
            self._execute("BEGIN TRANSACTION")
            self._lock_for_migration()
            self._execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            rows = self._execute(f"SELECT max(version) FROM {MIGRATIONS_TABLE}")
            current = rows[0][0] or 0
            if current > len(shipped):
                self._rollback_quietly()
                raise LedgerError(
                    f"ledger {self.where} has schema version {current}, but this slac "
                    f"({_slac_version()}) knows versions up to {len(shipped)}: "
                    "use a newer slac with this ledger"
                )
            for number, name, sql in shipped[current:]:
                for statement in statements(sql):
                    self._execute(statement)
                self._execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                    (number, name, _utc(datetime.now(UTC))),
                )
            self._execute("COMMIT")
        except LedgerError:
            raise
        except self._database_errors() as err:
            self._rollback_quietly()
            raise self._fail("create or migrate its tables", err) from None

    def schema_version(self) -> int:
        rows = self._read(f"SELECT max(version) FROM {MIGRATIONS_TABLE}")
        return int(rows[0][0] or 0)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._execute(sql, params)
        except self._database_errors() as err:
            raise self._fail("read it", err) from None

    # ------------------------------------------------------------ closed periods

    def revisions(self, contract_id: str, period: str | None = None) -> tuple[ClosedPeriod, ...]:
        where, params = "contract_id = ?", [contract_id]
        if period is not None:
            where += " AND period = ?"
            params.append(period)
        rows = self._read(
            f"SELECT {PERIOD_COLUMNS} FROM slac_closed_periods WHERE {where} "
            "ORDER BY period, revision",
            params,
        )
        lines: dict[tuple[str, int], list[StoredCreditLine]] = {}
        for row in self._read(
            f"SELECT {LINE_COLUMNS} FROM slac_credit_lines WHERE {where} "
            "ORDER BY period, revision, line",
            params,
        ):
            lines.setdefault((row[1], row[2]), []).append(
                StoredCreditLine(
                    line=row[3],
                    objective=row[4],
                    scope=row[5],
                    tier=row[6],
                    percent=_decimal(row[7]),
                    amount=_decimal(row[8]) or Decimal(0),
                    dropped=row[9],
                )
            )
        return tuple(
            ClosedPeriod(
                contract_id=row[0],
                period=row[1],
                revision=row[2],
                state=row[3],
                closed_at=_aware(row[4]),
                closed_by=row[5],
                reason=row[6],
                plan_sha256=row[7],
                source_sha256=row[8],
                inputs_sha256=row[9],
                slac_version=row[10],
                total_credit=_money(row[11], row[12]),
                currency=row[12],
                results_sha256=row[13],
                results=row[14].encode("utf-8"),
                credit_lines=tuple(lines.get((row[1], row[2]), ())),
            )
            for row in rows
        )

    def latest(self, contract_id: str, period: str) -> ClosedPeriod | None:
        found = self.revisions(contract_id, period)
        return found[-1] if found else None

    def contracts(self) -> tuple[str, ...]:
        rows = self._read(
            "SELECT contract_id FROM slac_closed_periods UNION "
            "SELECT contract_id FROM slac_overrides ORDER BY contract_id"
        )
        return tuple(r[0] for r in rows)

    def record_close(self, closed: ClosedPeriod) -> None:
        marks = ", ".join("?" * 15)
        try:
            self._execute("BEGIN TRANSACTION")
            self._execute(
                f"INSERT INTO slac_closed_periods ({PERIOD_COLUMNS}) VALUES ({marks})",
                (
                    closed.contract_id,
                    closed.period,
                    closed.revision,
                    closed.state,
                    _utc(closed.closed_at),
                    closed.closed_by,
                    closed.reason,
                    closed.plan_sha256,
                    closed.source_sha256,
                    closed.inputs_sha256,
                    closed.slac_version,
                    closed.total_credit,
                    closed.currency,
                    closed.results_sha256,
                    closed.results.decode("utf-8"),
                ),
            )
            for line in closed.credit_lines:
                self._execute(
                    f"INSERT INTO slac_credit_lines ({LINE_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        closed.contract_id,
                        closed.period,
                        closed.revision,
                        line.line,
                        line.objective,
                        line.scope,
                        line.tier,
                        line.percent,
                        line.amount,
                        line.dropped,
                    ),
                )
            _pause_for_tests()
            self._execute("COMMIT")
        except self._database_errors() as err:
            self._rollback_quietly()
            if self._is_conflict(err):
                raise self._conflict(closed) from None
            raise self._fail(f"record the close of {closed.period}", err) from None

    def _conflict(self, closed: ClosedPeriod) -> LedgerConflict:
        try:
            winner = self.latest(closed.contract_id, closed.period)
        except LedgerError:
            winner = None
        who = (
            f" by {winner.closed_by} at {winner.closed_at:%Y-%m-%d %H:%M:%S} UTC"
            if winner is not None and winner.revision >= closed.revision
            else ""
        )
        return LedgerConflict(
            f"{closed.contract_id} {closed.period} was closed at the same time{who} "
            f"(revision {closed.revision}): this close was not recorded"
        )

    # ------------------------------------------------------------ overrides

    def add_override(self, override: Override) -> None:
        try:
            self._execute("BEGIN TRANSACTION")
            self._execute(
                f"INSERT INTO slac_overrides ({OVERRIDE_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    override.id,
                    override.contract_id,
                    override.period,
                    override.target,
                    override.action,
                    override.value,
                    override.reason,
                    override.author,
                    _utc(override.created_at),
                ),
            )
            self._execute("COMMIT")
        except self._database_errors() as err:
            self._rollback_quietly()
            raise self._fail("record the override", err) from None

    def overrides(self, contract_id: str, period: str | None = None) -> tuple[Override, ...]:
        where, params = "contract_id = ?", [contract_id]
        if period is not None:
            where += " AND period = ?"
            params.append(period)
        rows = self._read(
            f"SELECT {OVERRIDE_COLUMNS} FROM slac_overrides WHERE {where} ORDER BY created_at, id",
            params,
        )
        return tuple(
            Override(
                id=r[0],
                contract_id=r[1],
                period=r[2],
                target=r[3],
                action=r[4],
                value=r[5],
                reason=r[6],
                author=r[7],
                created_at=_aware(r[8]),
            )
            for r in rows
        )


def _pause_for_tests() -> None:
    """With PAUSE_ENV set: say so in that file, then wait (at most five minutes) for the file
    ``<it>.go`` before committing, so that a test can kill the process here, or let another
    close run into this one's uncommitted row."""
    marker = os.environ.get(PAUSE_ENV)
    if not marker:
        return
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write(str(os.getpid()))
    deadline = time.monotonic() + 300
    while not os.path.exists(marker + ".go") and time.monotonic() < deadline:
        time.sleep(0.05)


def _slac_version() -> str:
    from slac import __version__

    return __version__


# ---------------------------------------------------------------- DuckDB

DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 12 of every DuckDB database file


def _duckdb_file_or_nothing(path: str) -> bool:
    """The path is free (or empty), or holds a DuckDB database: never another file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except FileNotFoundError:
        return True
    except OSError as err:
        raise LedgerError(f"ledger {path}: cannot read it: {err.strerror or err}") from None
    return head == b"" or head[8:12] == DUCKDB_MAGIC


class DuckDBStore(SqlStore):
    """A DuckDB database file. One process at a time may hold it open for writing (DuckDB's
    own file lock): a second one is told the ledger is in use."""

    def __init__(self, path: str) -> None:
        import duckdb

        self.where = path
        self._duckdb = duckdb
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise LedgerError(f"ledger {path}: no such folder: {folder}")
        if not _duckdb_file_or_nothing(path):
            raise LedgerError(f"ledger {path}: not a DuckDB ledger (another kind of file)")
        try:
            self._con = duckdb.connect(path)
        except duckdb.IOException as err:
            if "lock" in str(err).lower():
                raise LedgerConflict(
                    f"ledger {path} is in use by another slac process (DuckDB lets one process "
                    "write a file at a time): try again when it has finished"
                ) from None
            raise LedgerError(f"ledger {path}: cannot open it: {err}") from None
        except duckdb.Error as err:
            raise LedgerError(f"ledger {path}: not a DuckDB ledger: {err}") from None

        # DuckDB opens some other files (a .csv) as an in-memory database with the file as a
        # table: what slac wrote there would be lost on exit.
        on_disk = self._con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
        if not on_disk or on_disk[0][0] is None:
            self._con.close()
            raise LedgerError(f"ledger {path}: not a DuckDB database file")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        result = self._con.execute(sql, list(params))
        return list(result.fetchall()) if result.description else []

    def _is_conflict(self, error: Exception) -> bool:
        # A duplicate key once the other close committed; a write-write conflict while it was
        # still open (DuckDB's optimistic concurrency between connections of one process).
        if isinstance(error, self._duckdb.TransactionException):
            return True
        # Not a CHECK or NOT NULL constraint: those are a bug of the caller's, not a race.
        duplicate = "duplicate key" in str(error).lower()
        return isinstance(error, self._duckdb.ConstraintException) and duplicate

    def _database_errors(self) -> tuple[type[Exception], ...]:
        return (self._duckdb.Error,)

    def close(self) -> None:
        self._con.close()


# ---------------------------------------------------------------- PostgreSQL


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1@", url)


class PostgresStore(SqlStore):
    """A PostgreSQL database, through psycopg 3 (slac[postgres])."""

    def __init__(self, url: str) -> None:
        self.where = redact(url)
        try:
            import psycopg
        except ImportError:
            raise LedgerError(
                f"ledger {self.where}: a PostgreSQL ledger needs psycopg: "
                "pip install 'slac[postgres]'"
            ) from None
        self._psycopg = psycopg
        try:
            # autocommit: the transactions are the BEGIN/COMMIT this class writes.
            self._con = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as err:
            raise self._fail("connect", err) from None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        # The statements are written with ? placeholders (DuckDB's); psycopg wants %s. None of
        # them has a literal ? or % of its own.
        query = sql.replace("?", "%s") if params else sql
        with self._con.cursor() as cursor:
            cursor.execute(query, list(params) if params else None)
            return list(cursor.fetchall()) if cursor.description else []

    def _is_conflict(self, error: Exception) -> bool:
        errors = self._psycopg.errors
        return isinstance(error, errors.UniqueViolation | errors.SerializationFailure)

    def _database_errors(self) -> tuple[type[Exception], ...]:
        return (self._psycopg.Error,)

    def _lock_for_migration(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def close(self) -> None:
        self._con.close()
