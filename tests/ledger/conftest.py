"""Every ledger test runs on both stores: a DuckDB file, and a real PostgreSQL server.

The PostgreSQL variant needs ``SLAC_TEST_POSTGRES_URL`` (``.ci/run`` starts a server with
``.ci/postgres`` and sets it); without it those tests are skipped, saying so. Each test gets its
own schema on the server (through the URL's ``options=-csearch_path=…``), dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "data" / "ledger"
POSTGRES_ENV = "SLAC_TEST_POSTGRES_URL"


def _postgres_ledger() -> Iterator[str]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server for the ledger tests")
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (slac[postgres])")
    schema = f"slac_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["duckdb", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A ledger no one has used yet: a DuckDB file path, or a PostgreSQL URL."""
    if request.param == "duckdb":
        yield str(tmp_path / "ledger.duckdb")
    else:
        yield from _postgres_ledger()


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A copy of the small ledger contract with its bindings and data (tests change the data)."""
    target = tmp_path / "case"
    shutil.copytree(CASE, target)
    return target
