"""`slac compile --sql`: the script parses back in every dialect, is deterministic, and measures
what `slac evaluate` measures (DuckDB, and PostgreSQL on a real server)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from click.testing import CliRunner
from tests.warehouse.harness import (
    EXAMPLES,
    PERIOD,
    ROOT,
    canonical,
    duckdb_tables,
    plan_of,
    postgres_reads,
    run_statements,
    slac_reads,
)

from slac.cli import cli
from slac.evaluation.evaluate import months_asked
from slac.evaluation.sqltext import Engine
from slac.evaluation.warehouse import DIALECTS, script
from slac.kinds import KINDS

POSTGRES_ENV = "SLAC_TEST_POSTGRES_URL"


def _script(example: str, dialect: str):  # type: ignore[no-untyped-def]
    plan = plan_of(example)
    return script(plan, months_asked(plan, PERIOD, None), KINDS, dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_script_parses_back_is_deterministic_and_makes_no_views(example: str, dialect: str) -> None:
    """Not every warehouse has temporary views (BigQuery has none, and its views may not read
    temporary tables; Trino's would be permanent): the working tables are tables (Spark SQL's
    are temporary views, docs/warehouse-sql.md)."""
    made = _script(example, dialect)
    assert made.text is not None, made.problems
    parsed = [p for p in sqlglot.parse(made.text, read=dialect) if p is not None]
    assert len(parsed) == len(made.statements)
    assert _script(example, dialect).text == made.text
    if dialect != "spark":
        views = [
            s
            for s in parsed
            if isinstance(s, sqlglot.exp.Create) and str(s.args.get("kind")).upper() == "VIEW"
        ]
        assert not views, views[0].sql(dialect)[:200]


@pytest.mark.parametrize("example", EXAMPLES)
def test_duckdb_script_measures_what_evaluate_measures(example: str) -> None:
    made = _script(example, "duckdb")
    engine = Engine(threads=1)
    try:
        duckdb_tables(engine, example)
        got = canonical(run_statements(engine.con, made.statements))
    finally:
        engine.close()
    want = canonical(slac_reads(example))
    assert sum(len(r) for r in want) > 0
    assert got == want


@pytest.mark.parametrize("example", EXAMPLES)
def test_postgres_script_measures_what_duckdb_measures(example: str) -> None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server")
    pytest.importorskip("psycopg", reason="psycopg is not installed (slac[postgres])")
    engine = Engine(threads=1)
    try:
        duckdb_tables(engine, example)
        want = canonical(run_statements(engine.con, _script(example, "duckdb").statements))
    finally:
        engine.close()
    got = canonical(postgres_reads(url, example, _script(example, "postgres").statements))
    assert sum(len(r) for r in want) > 0
    assert got == want


def _contract(name: str) -> str:
    return str(ROOT / "examples" / name / "contract.yaml")


def test_cli_writes_the_postgres_script(tmp_path: Path) -> None:
    out = tmp_path / "out.sql"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "slac",
            "compile",
            _contract("customer-support"),
            "--sql",
            "postgres",
            "--period",
            "2026-10",
            "--table",
            "tickets=support.tickets",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert 'FROM "support"."tickets"' in text
    assert text.count(": objective ") == 8
    sqlglot.parse(text, read="postgres")


def test_cli_refuses_an_unknown_dialect_naming_the_supported_ones() -> None:
    result = CliRunner().invoke(
        cli, ["compile", _contract("fulfilment"), "--sql", "oracle", "--period", "2026-10"]
    )
    assert result.exit_code == 2
    assert "'duckdb', 'postgres', 'spark', 'trino', 'bigquery', 'snowflake'" in result.output


def test_cli_sql_needs_a_period_and_period_needs_sql() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["compile", _contract("fulfilment"), "--sql", "trino"]).exit_code == 2
    assert (
        runner.invoke(cli, ["compile", _contract("fulfilment"), "--period", "2026-10"]).exit_code
        == 2
    )
