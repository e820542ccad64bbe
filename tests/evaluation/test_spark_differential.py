"""DuckDB and Spark (local mode) must give the same results: every example, and generated data.

Spark reads Parquet files whose columns already have the fields' types (docs/engines.md), so
each case's data is first loaded by DuckDB (with every bad-data check) and written as such
files (spark_data.py); both engines then evaluate the same files. The results documents must be
byte-identical apart from ``engine``; generated cases compare every Measurement, missed items
included. One Spark session serves the module. Skipped only when pyspark is not installed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from slac.api import _resolve_sources, compile_plan
from slac.cli import cli
from slac.evaluation.evaluate import evaluate_plan, results_json
from slac.evaluation.runner import run_measure, write_rows
from slac.kinds import KINDS

from .spark_data import typed_parquet
from .strategies import Case, availability_cases, other_cases, ticket_cases
from .test_differential import DIFFERENTIAL, compile_case

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'slac[spark]')")

from slac.evaluation.spark import SparkEngine, spark_session

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The months the examples' tests and docs evaluate (tests/golden/results: October 2026).
PERIODS = {
    "contact-centre": "2026-10",
    "customer-support": "2026-10",
    "fulfilment": "2026-10",
    "hosting-availability": "2026-10",
    "it-outsourcing": "2026-10",
    "managed-services": "2026-10",
}
# Each generated case costs Spark some seconds: a few per strategy, the same on every run.
GENERATED = int(os.environ.get("SLAC_SPARK_EXAMPLES", "2"))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # The catalog's tables (test_spark_tables_*) are written to a warehouse of the module's
    # own, set as a user sets theirs (docs/engines.md).
    warehouse = tmp_path_factory.mktemp("warehouse")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLAC_SPARK_CONF", f"spark.sql.warehouse.dir={warehouse}")
        spark = spark_session("local[2]")
        assert spark.conf.get("spark.sql.warehouse.dir").endswith(str(warehouse))
        yield spark


def test_every_example_is_listed() -> None:
    assert sorted(PERIODS) == sorted(p.parent.name for p in EXAMPLES.glob("*/contract.yaml"))


@pytest.mark.parametrize("example", sorted(PERIODS))
def test_example_results_are_identical(example: str, session: Any, tmp_path: Path) -> None:
    contract = str(EXAMPLES / example / "contract.yaml")
    plan = compile_plan(contract).value
    assert plan is not None
    sources, errors, missing = _resolve_sources(contract, (), None)
    assert not errors and not missing
    parquet = typed_parquet(plan, sources, str(tmp_path))
    documents = {}
    for engine in ("duckdb", "spark"):
        evaluation = evaluate_plan(
            plan, parquet, kinds=KINDS, period=PERIODS[example], engine_name=engine
        )
        assert evaluation.results is not None, evaluation.errors
        document = results_json(evaluation.results)
        assert document.pop("engine") == engine
        del document["results_sha256"]
        documents[engine] = json.dumps(document, indent=1, sort_keys=True)
    assert documents["spark"] == documents["duckdb"]
    # Not a comparison of two empty documents: the example judges objectives and owes credit.
    assert '"status": "breached"' in documents["duckdb"]


def _agree_on_spark(case: Case) -> None:
    plan = compile_case(case)
    with tempfile.TemporaryDirectory() as folder:
        written = write_rows(plan, copy.deepcopy(case.rows), folder, KINDS)
        parquet = typed_parquet(plan, written, folder)
        on_duckdb, _ = run_measure(plan, parquet, case.period_ids, kinds=KINDS)
        engine = SparkEngine(spark_session())
        try:
            on_spark, report = run_measure(
                plan, parquet, case.period_ids, kinds=KINDS, engine=engine
            )
        finally:
            engine.close()
    assert not report.bad_rows
    assert on_spark == on_duckdb
    assert [m.misses for m in on_spark] == [m.misses for m in on_duckdb]


SPARK_GENERATED = settings(DIFFERENTIAL, max_examples=GENERATED)


@SPARK_GENERATED
@given(case=ticket_cases())
def test_generated_durations_are_identical(case: Case, session: Any) -> None:
    _agree_on_spark(case)


@SPARK_GENERATED
@given(case=availability_cases())
def test_generated_availability_is_identical(case: Case, session: Any) -> None:
    _agree_on_spark(case)


@SPARK_GENERATED
@given(case=other_cases())
def test_generated_other_kinds_are_identical(case: Case, session: Any) -> None:
    _agree_on_spark(case)


def test_csv_is_refused_naming_the_file(session: Any) -> None:
    contract = str(EXAMPLES / "fulfilment" / "contract.yaml")
    plan = compile_plan(contract).value
    assert plan is not None
    sources, _, _ = _resolve_sources(contract, (), None)
    evaluation = evaluate_plan(plan, sources, kinds=KINDS, period="2026-10", engine_name="spark")
    assert evaluation.results is None
    (error,) = evaluation.errors
    assert "inventory_cycles.csv: --engine spark reads Parquet files" in error


def _parquet_case(tmp_path: Path, example: str) -> Path:
    """The example's contract beside a bindings file naming its data as typed Parquet."""
    contract = EXAMPLES / example / "contract.yaml"
    plan = compile_plan(str(contract)).value
    assert plan is not None
    sources, _, _ = _resolve_sources(str(contract), (), None)
    parquet = typed_parquet(plan, sources, str(tmp_path))
    copied = tmp_path / "contract.yaml"
    copied.write_text(contract.read_text(encoding="utf-8"), encoding="utf-8")
    lines = ["bindings: 1", "datasets:"]
    lines += [f"  {name}: {{path: {name}.parquet, format: parquet}}" for name in sorted(parquet)]
    (tmp_path / "bindings.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return copied


def test_cli_evaluates_and_states_on_spark(session: Any, tmp_path: Path) -> None:
    contract = str(_parquet_case(tmp_path, "managed-services"))
    runner = CliRunner()
    documents = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.json"
        result = runner.invoke(
            cli,
            ["evaluate", contract, "--period", "2026-10", "--engine", engine, "-o", str(out)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        documents[engine] = json.loads(out.read_text(encoding="utf-8"))
    assert documents["spark"].pop("engine") == "spark"
    assert documents["duckdb"].pop("engine") == "duckdb"
    assert documents["spark"]["results_sha256"] != documents["duckdb"]["results_sha256"]
    del documents["spark"]["results_sha256"], documents["duckdb"]["results_sha256"]
    assert documents["spark"] == documents["duckdb"]
    statements = {}
    for engine in ("duckdb", "spark"):
        result = runner.invoke(
            cli,
            ["statement", contract, "--period", "2026-10", "--engine", engine, "--format", "txt"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        statements[engine] = [
            line for line in result.output.splitlines() if "results_sha256" not in line
        ]
    assert statements["spark"] == statements["duckdb"]
    assert "Provenance" in result.output or "provenance" in result.output.lower()


def test_cli_refuses_csv_on_spark_with_exit_1(session: Any) -> None:
    contract = str(EXAMPLES / "customer-support" / "contract.yaml")
    result = CliRunner().invoke(
        cli, ["evaluate", contract, "--period", "2026-10", "--engine", "spark"]
    )
    assert result.exit_code == 1
    assert "ticket_pauses.csv: --engine spark reads Parquet files, not CSV" in result.output
    assert "Traceback" not in result.output


def test_a_column_not_of_its_field_type_is_refused_on_spark(session: Any, tmp_path: Path) -> None:
    contract = _parquet_case(tmp_path, "managed-services")
    # The same tickets with created_at as text: DuckDB parses it, Spark refuses it.
    path = tmp_path / "tickets.parquet"
    text = tmp_path / "text.parquet"
    duckdb.execute(
        f"COPY (SELECT * REPLACE (CAST(created_at AS VARCHAR) AS created_at) "
        f"FROM read_parquet('{path}')) TO '{text}' (FORMAT parquet)"
    )
    text.replace(path)
    for engine, code in (("duckdb", 0), ("spark", 1)):
        result = CliRunner().invoke(
            cli, ["evaluate", str(contract), "--period", "2026-10", "--engine", engine]
        )
        assert result.exit_code == code, result.output
    assert (
        "tickets.parquet: --engine spark reads columns already of their field's type; "
        "not of it: 'created_at' (field created_at, timestamp)"
    ) in result.output


def test_bad_rows_are_found_and_excluded_alike(session: Any, tmp_path: Path) -> None:
    contract = _parquet_case(tmp_path, "managed-services")
    # Two bad rows: a repeated key (its second row is the bad one) and a service the contract
    # does not list.
    path, changed = tmp_path / "tickets.parquet", tmp_path / "changed.parquet"
    duckdb.execute(
        f"COPY (SELECT * FROM (SELECT * FROM read_parquet('{path}') UNION ALL "
        f"(SELECT * FROM read_parquet('{path}') LIMIT 1) UNION ALL "
        f"(SELECT * REPLACE ('crm' AS service, id || '-x' AS id) FROM read_parquet('{path}') "
        f"LIMIT 1))) TO '{changed}' (FORMAT parquet)"
    )
    changed.replace(path)
    outputs = {}
    for engine in ("duckdb", "spark"):
        stopped = CliRunner().invoke(
            cli, ["evaluate", str(contract), "--period", "2026-10", "--engine", engine]
        )
        assert stopped.exit_code == 1
        assert "2 bad row(s) in the data" in stopped.output
        out = tmp_path / f"{engine}.json"
        result = CliRunner().invoke(
            cli,
            [
                "evaluate",
                str(contract),
                "--period",
                "2026-10",
                "--engine",
                engine,
                "--on-bad-rows",
                "exclude",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        document = json.loads(out.read_text(encoding="utf-8"))
        del document["engine"], document["results_sha256"]
        outputs[engine] = (stopped.output, document)
    assert outputs["spark"] == outputs["duckdb"]
    assert outputs["duckdb"][1]["bad_rows"] == 2
    assert "duplicate key" in outputs["duckdb"][0]
    assert "value not listed in the contract: crm" in outputs["duckdb"][0]


def _table_case(session: Any, tmp_path: Path, example: str, database: str) -> Path:
    """The example's contract beside a bindings file naming its datasets as tables of the
    Spark catalog, ``database.<dataset>``, each written from its typed Parquet file."""
    contract = _parquet_case(tmp_path, example)
    names = sorted(p.stem for p in tmp_path.glob("*.parquet"))
    session.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
    for name in names:
        # Two files in a shuffled order: a table's rows have no order of their own.
        frame = session.read.parquet(str(tmp_path / f"{name}.parquet"))
        frame.repartition(2).write.mode("overwrite").saveAsTable(f"{database}.{name}")
    lines = ["bindings: 1", "datasets:"]
    lines += [f"  {name}: {{spark_table: {database}.{name}}}" for name in names]
    (tmp_path / "bindings.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return contract


def test_spark_tables_give_the_results_of_their_files(session: Any, tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    on_files = str(_parquet_case(files, "managed-services"))
    tables = tmp_path / "tables"
    tables.mkdir()
    on_tables = str(_table_case(session, tables, "managed-services", "support"))
    documents = {}
    for engine, contract in (("duckdb", on_files), ("spark", on_tables)):
        out = tmp_path / f"{engine}.json"
        result = CliRunner().invoke(
            cli,
            ["evaluate", contract, "--period", "2026-10", "--engine", engine, "-o", str(out)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        documents[engine] = json.loads(out.read_text(encoding="utf-8"))
    # A table is named, not hashed (as a table of a DuckDB database file).
    assert [i["files"] for i in documents["spark"]["inputs"]] == [
        [{"name": f"spark:support.{i['dataset']}", "sha256": ""}]
        for i in documents["duckdb"]["inputs"]
    ]
    for document in documents.values():
        del document["engine"], document["results_sha256"]
        for read in document["inputs"]:
            del read["files"]
    assert documents["spark"] == documents["duckdb"]
    assert sum(i["rows"] for i in documents["duckdb"]["inputs"]) > 0


def test_a_spark_table_is_refused_on_duckdb_and_checked_on_spark(
    session: Any, tmp_path: Path
) -> None:
    contract = str(_table_case(session, tmp_path, "managed-services", "typed"))
    refused = CliRunner().invoke(cli, ["evaluate", contract, "--period", "2026-10"])
    assert refused.exit_code == 1
    assert (
        f"{tmp_path / 'bindings.yaml'}:3:3: dataset 'billing' is bound to the Spark table "
        "typed.billing: it needs --engine spark"
    ) in refused.output
    assert "Traceback" not in refused.output
    # The same tickets with created_at as text: refused on Spark as in a Parquet file.
    frame = session.read.parquet(str(tmp_path / "tickets.parquet"))
    frame = frame.withColumn("created_at", frame["created_at"].cast("string"))
    frame.write.mode("overwrite").saveAsTable("typed.tickets")
    result = CliRunner().invoke(
        cli, ["evaluate", contract, "--period", "2026-10", "--engine", "spark"]
    )
    assert result.exit_code == 1, result.output
    assert (
        "spark:typed.tickets: --engine spark reads columns already of their field's type; "
        "not of it: 'created_at' (field created_at, timestamp)"
    ) in result.output
    assert "Traceback" not in result.output
    # A table's rows are numbered in the order of their values (the fields by name: created_at
    # first), not as written: a ticket repeated with an earlier created_at, written last, is
    # row 1 and the item; the row it repeats is the duplicate.
    columns = ["created_at", "first_response_at", "id", "priority", "resolved_at", "service"]
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT {', '.join(columns)} FROM read_parquet(?)", [str(tmp_path / "tickets.parquet")]
        ).fetchall()
    original = sorted(rows, key=lambda r: r[0])[len(rows) // 2]
    repeated = (min(r[0] for r in rows) - timedelta(days=1), *original[1:])
    ordered = sorted([*rows, repeated], key=lambda r: [(v is not None, v) for v in r])
    assert ordered.index(repeated) == 0
    frame = session.read.parquet(str(tmp_path / "tickets.parquet")).select(*columns)
    added = session.createDataFrame([repeated], frame.schema)
    frame.union(added).repartition(2).write.mode("overwrite").saveAsTable("typed.tickets")
    result = CliRunner().invoke(
        cli, ["evaluate", contract, "--period", "2026-10", "--engine", "spark"]
    )
    assert result.exit_code == 1, result.output
    assert (
        f"spark:typed.tickets:{ordered.index(original) + 1}: tickets.id: duplicate key "
        f"{original[2]}: its first row is row 1 of spark:typed.tickets"
    ) in result.output
    assert "1 bad row(s)" in result.output
    # A table the catalog does not have is named as a file not found is.
    session.sql("DROP TABLE typed.outages")
    result = CliRunner().invoke(
        cli, ["evaluate", contract, "--period", "2026-10", "--engine", "spark"]
    )
    assert result.exit_code == 1, result.output
    assert "spark:typed.outages: cannot read it as a table: [TABLE_OR_VIEW_NOT_FOUND]" in (
        result.output
    )


def test_close_and_credits_on_spark_give_the_rows_of_duckdb(session: Any, tmp_path: Path) -> None:
    from slac.ledger.store import open_store

    contract = str(_parquet_case(tmp_path, "managed-services"))
    runner = CliRunner()
    closed = {}
    exported = {}
    for engine in ("duckdb", "spark"):
        ledger = str(tmp_path / f"{engine}.duckdb")
        result = runner.invoke(
            cli,
            [
                *("close", contract, "--period", "2026-10", "--ledger", ledger),
                *("--by", "test", "--engine", engine, "--quiet"),
            ],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        with open_store(ledger) as store:
            (record,) = store.revisions("polder-managed-services-2026")
        document = json.loads(record.results)
        assert document.pop("engine") == engine
        del document["results_sha256"]
        closed[engine] = (
            dataclasses.replace(record, closed_at=None, results=b"", results_sha256=""),
            document,
        )
        result = runner.invoke(
            cli,
            ["credits", contract, "--period", "2026-10", "--engine", engine],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        exported[engine] = result.stdout_bytes
    assert closed["spark"] == closed["duckdb"]
    assert closed["duckdb"][0].total_credit > 0 and closed["duckdb"][0].credit_lines
    assert exported["spark"] == exported["duckdb"]
    assert exported["duckdb"].count(b"\n") > 2
    # The export above was evaluated by Spark: CSV data, which DuckDB reads, is refused.
    refused = runner.invoke(
        cli,
        ["credits", str(EXAMPLES / "customer-support" / "contract.yaml"), "--engine", "spark"],
    )
    assert refused.exit_code == 1, refused.output
    assert "ticket_pauses.csv: --engine spark reads Parquet files, not CSV" in refused.output


def test_a_read_through_the_second_data_source_api_is_computed_once(
    session: Any, tmp_path: Path
) -> None:
    # A catalog of the second data source API (Iceberg, a file read with
    # spark.sql.sources.useV1SourceList empty) plans a table as RelationV2: it must be taken
    # for a read, so that ids drawn over its rows are drawn once (docs/engines.md).
    from slac.evaluation.spark import _reads_tables

    path = str(tmp_path / "ids.parquet")
    session.range(3).write.parquet(path)
    before = session.conf.get("spark.sql.sources.useV1SourceList")
    session.conf.set("spark.sql.sources.useV1SourceList", "")
    try:
        frame = session.read.parquet(path)
        assert "RelationV2" in frame._jdf.queryExecution().analyzed().toString()
        assert _reads_tables(frame)
    finally:
        session.conf.set("spark.sql.sources.useV1SourceList", before)
    assert not _reads_tables(session.sql("SELECT * FROM VALUES (1) AS t(one)"))
