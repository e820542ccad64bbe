"""The stores: migrations, exact money, revisions, append-only overrides, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from slac.ledger.model import (
    CLOSED,
    REOPENED,
    ClosedPeriod,
    LedgerConflict,
    LedgerError,
    Override,
    StoredCreditLine,
)
from slac.ledger.store import MIGRATIONS_TABLE, known_version, migrations, open_store, redact

WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def record(revision: int = 1, credit: str = "1320.00", **changes: object) -> ClosedPeriod:
    base = ClosedPeriod(
        contract_id="c-1",
        period="2026-10",
        revision=revision,
        state=CLOSED if revision == 1 else REOPENED,
        closed_at=WHEN,
        closed_by="alice",
        reason=None if revision == 1 else "late tickets",
        plan_sha256="p" * 64,
        source_sha256="s" * 64,
        inputs_sha256="i" * 64,
        slac_version="0.1.0",
        total_credit=Decimal(credit),
        currency="EUR",
        results_sha256="r" * 64,
        results='{"périod": "2026-10"}\n'.encode(),
        credit_lines=(
            StoredCreditLine(1, "frt-p2", "", 1, Decimal("0.025"), Decimal("300.10"), None),
            StoredCreditLine(2, "res-p1", "priority=P1", None, None, Decimal("0.01"), "minimum"),
        ),
    )
    return ClosedPeriod(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def override(number: int) -> Override:
    return Override(
        id=f"o{number}",
        contract_id="c-1",
        period="2026-10",
        target="frt-p2",
        action="waive-credit",
        value=None,
        reason=f"reason {number}",
        author="bob",
        created_at=datetime(2026, 11, 3, 10, number, tzinfo=UTC),
    )


def test_migrations_are_numbered_files_applied_once(ledger: str) -> None:
    assert [n for n, _, _ in migrations()] == list(range(1, known_version() + 1))
    assert migrations()[0][1] == "0001_closed_periods_and_overrides.sql"
    with open_store(ledger) as store:
        assert store.schema_version() == known_version()
    with open_store(ledger) as store:  # opening again applies nothing twice
        assert store.schema_version() == known_version()
        rows = store._execute(f"SELECT version, name FROM {MIGRATIONS_TABLE}")  # type: ignore[attr-defined]
    assert [r[0] for r in rows] == list(range(1, known_version() + 1))


def test_a_ledger_newer_than_slac_is_refused(ledger: str) -> None:
    with open_store(ledger) as store:
        store._execute(  # type: ignore[attr-defined]
            f"INSERT INTO {MIGRATIONS_TABLE} VALUES (99, '0099_future.sql', ?)",
            (datetime(2027, 1, 1),),
        )
    with pytest.raises(LedgerError, match=r"schema version 99.*knows versions up to 1"):
        open_store(ledger)


def test_a_closed_period_reads_back_exactly(ledger: str) -> None:
    with open_store(ledger) as store:
        store.record_close(record())
    with open_store(ledger) as store:
        (back,) = store.revisions("c-1")
        assert store.latest("c-1", "2026-10") == back
        assert store.latest("c-1", "2026-11") is None
        assert store.contracts() == ("c-1",)
    assert back == record()  # money exact, bytes exact, the time in UTC
    assert back.closed_at.tzinfo is UTC
    assert str(back.total_credit) == "1320.00"
    assert back.credit_lines[0].percent == Decimal("0.025")


def test_money_is_decimal_not_float(ledger: str) -> None:
    with open_store(ledger) as store:
        store.record_close(record(credit="0.3"))
        kind = store._execute("SELECT total_credit FROM slac_closed_periods")[0][0]  # type: ignore[attr-defined]
    assert isinstance(kind, Decimal)
    assert kind == Decimal("0.3")


def test_a_revision_is_written_once(ledger: str) -> None:
    with open_store(ledger) as store:
        store.record_close(record())
        with pytest.raises(LedgerConflict, match=r"closed at the same time by alice"):
            store.record_close(record(closed_by="mallory", credit="0.00"))
        store.record_close(record(revision=2, closed_by="bob"))
        assert [(r.revision, r.closed_by) for r in store.revisions("c-1")] == [
            (1, "alice"),
            (2, "bob"),
        ]


def test_a_reopened_revision_needs_its_reason(ledger: str) -> None:
    with open_store(ledger) as store, pytest.raises(LedgerError, match="cannot record"):
        store.record_close(record(revision=2, reason=None))


def test_overrides_are_appended(ledger: str) -> None:
    with open_store(ledger) as store:
        store.add_override(override(1))
    with open_store(ledger) as store:
        store.add_override(override(2))
        assert store.overrides("c-1") == (override(1), override(2))
        assert store.overrides("c-1", "2026-11") == ()
        with pytest.raises(LedgerError, match="cannot record the override"):
            store.add_override(override(1))  # an id is never reused, nothing is replaced
        assert store.overrides("c-1", "2026-10") == (override(1), override(2))


def test_a_missing_folder_is_a_clear_error() -> None:
    with pytest.raises(LedgerError, match="no such folder"):
        open_store("/nonexistent-folder/ledger.duckdb")


def test_messages_never_show_a_password() -> None:
    assert redact("postgresql://slac:s3cret@db:5432/x") == "postgresql://slac@db:5432/x"
    with pytest.raises(LedgerError) as caught:
        open_store("postgresql://slac:s3cret@127.0.0.1:1/x")
    assert "s3cret" not in str(caught.value)


def test_another_kind_of_file_is_never_taken_for_a_ledger(tmp_path: Path) -> None:
    # DuckDB would open a CSV as an in-memory database: a close written there would be lost.
    data = tmp_path / "tickets.csv"
    data.write_text("id,created_at\nT-1,2026-10-01T00:00:00Z\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="not a DuckDB ledger"):
        open_store(str(data))
    assert data.read_text(encoding="utf-8").startswith("id,created_at")


def test_first_uses_at_once_migrate_once(ledger: str) -> None:
    if not ledger.startswith("postgresql://"):
        pytest.skip("a DuckDB file is opened by one process at a time (tested in test_close_races)")
    import threading

    failures: list[BaseException] = []

    def first_use() -> None:
        try:
            open_store(ledger).close()
        except BaseException as err:  # reported below
            failures.append(err)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with open_store(ledger) as store:
        rows = store._execute(f"SELECT version FROM {MIGRATIONS_TABLE}")  # type: ignore[attr-defined]
    assert sorted(r[0] for r in rows) == list(range(1, known_version() + 1))
