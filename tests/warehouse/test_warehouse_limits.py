"""What a warehouse script cannot do is said, never silently left out: a construct a dialect
lacks names its objective where the contract (or the template it extends) writes it; items a
business-time grid cannot reach are counted by a check; the script leaves no table behind."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import pytest
from tests.warehouse.harness import (
    PERIOD,
    ROOT,
    canonical,
    duckdb_tables,
    plan_of,
    run_statements,
    slac_reads,
)

from slac import api
from slac.evaluation.evaluate import months_asked
from slac.evaluation.measurement import Measurement
from slac.evaluation.selection import Group, Run
from slac.evaluation.sqltext import Engine, sql, table
from slac.evaluation.warehouse import script
from slac.kinds import KINDS
from slac.kinds.duration import Duration


class _DuckDbOnly(Duration):
    """A duration kind that also runs a function only DuckDB has (jaro_similarity)."""

    name: ClassVar[str] = "duration"

    def measure(self, run: Run, group: Group) -> list[Measurement]:
        run.engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :t AS SELECT jaro_similarity('a', 'b') AS j",
                t=table("only_duckdb"),
            )
        )
        return super().measure(run, group)


def test_a_construct_the_dialect_lacks_names_the_objective_where_it_is_written(
    tmp_path: Path,
) -> None:
    # frt-p4 left out of the contract: it is inherited from the template, whose entry names it.
    shutil.copytree(ROOT / "examples" / "customer-support", tmp_path / "customer-support")
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "customer-support" / "templates")
    contract = tmp_path / "customer-support" / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    assert "extends: ../templates/gold.yaml\n" in text
    text = text.replace("extends: ../templates/gold.yaml\n", "extends: templates/gold.yaml\n")
    own = '  - id: frt-p4\n    within: 1 business day\n    target: ">= 90%"\n'
    assert own in text
    contract.write_text(text.replace(own, ""), encoding="utf-8")
    compiled = api.compile_plan(str(contract))
    assert compiled.value is not None, compiled.errors
    kinds = {**KINDS, "duration": _DuckDbOnly()}
    months = months_asked(compiled.value, PERIOD, None)
    assert script(compiled.value, months, kinds, "duckdb").text is not None
    made = script(compiled.value, months, kinds, "postgres")
    assert made.text is None
    errors = api._objective_errors(str(contract), compiled.report, made.problems)
    template = tmp_path / "customer-support" / "templates" / "gold.yaml"
    line = template.read_text(encoding="utf-8").splitlines().index("  - id: frt-p4") + 1
    inherited = f"{template}:{line}:5: objective 'frt-p4': postgres cannot express it: "
    assert any(e.startswith(inherited) and "jaro_similarity" in e for e in errors), errors
    line = text.splitlines().index("  - id: frt-p2") + 1
    assert any(e.startswith(f"{contract}:{line}:5: objective 'frt-p2': ") for e in errors)
    # Every objective measured with the duration kind is named, each once, none else.
    durations = {
        o.id for t in compiled.value.terms for o in t.objectives if o.metric.kind == "duration"
    }
    assert sorted(p.objective for p in made.problems) == sorted(durations)


def _with_ticket(folder: Path, membership: str, ticket: str) -> Path:
    """customer-support in ``folder`` (gold's membership set to ``membership``), with one more
    ticket: a P3 opened two years before the period (``ticket``: its id and answer times)."""
    shutil.copytree(ROOT / "examples" / "customer-support", folder)
    shutil.copytree(ROOT / "examples" / "templates", folder / "templates")
    contract = folder / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.replace("extends: ../templates/", "extends: templates/"))
    template = folder / "templates" / "gold.yaml"
    text = template.read_text(encoding="utf-8")
    assert "  period_membership: end " in text
    template.write_text(
        text.replace("period_membership: end ", f"period_membership: {membership} ")
    )
    tickets = folder / "data" / "tickets.csv"
    assert tickets.read_text(encoding="utf-8").startswith(
        "id,opened,first_reply_at,resolved_at,priority,channel,cause,tag\n"
    )
    with tickets.open("a", encoding="utf-8") as out:
        out.write(f"{ticket},P3,portal,provider,none\n")
    return folder


def _script_against_evaluate(folder: Path) -> tuple[list[int], bool]:
    """The script's check counts over the folder's data, and whether its reads are those of
    `slac evaluate` (which sizes its grid to the data)."""
    plan = plan_of(folder)
    made = script(plan, months_asked(plan, PERIOD, None), KINDS, "duckdb")
    assert made.text is not None and made.checks
    counts, reads = [], []
    engine = Engine(threads=1)
    try:
        duckdb_tables(engine, folder)
        for index, (text, read) in enumerate(made.statements):
            found = engine.con.execute(text).fetchall()
            if index in made.checks:
                counts.append(found[0][0])
            if read:
                reads.append(found)
    finally:
        engine.close()
    return counts, canonical(reads) == canonical(slac_reads(folder))


OLD = "2024-10-01T10:00:00+00:00"


@pytest.mark.parametrize("membership", ["start", "end"])
def test_an_item_done_long_before_the_run_is_no_alarm(tmp_path: Path, membership: str) -> None:
    # Answered two years ago: in none of the run's outcomes (by its start, in none of its
    # reads; by its end, in the window before the run only). The check counts no item and the
    # script measures what `slac evaluate` does.
    done = f"DONE-1,{OLD},2024-10-01T11:00:00+00:00,2024-10-01T11:00:00+00:00"
    counts, same = _script_against_evaluate(_with_ticket(tmp_path / "cs", membership, done))
    assert set(counts) == {0} and same


def test_by_end_an_item_open_since_before_the_run_is_no_alarm(tmp_path: Path) -> None:
    # Open in the period of its start (docs/semantics.md, "Membership"), before the run.
    counts, same = _script_against_evaluate(_with_ticket(tmp_path / "cs", "end", f"OPEN-1,{OLD},,"))
    assert set(counts) == {0} and same


def test_by_end_an_item_opened_before_the_grid_and_resolved_in_the_run_is_counted(
    tmp_path: Path,
) -> None:
    # Judged in October on business time from 2024, which the script's grid does not reach:
    # its reads lose it, and a check says so.
    late = f"LATE-1,{OLD},2024-10-01T11:00:00+00:00,2026-10-15T10:00:00+00:00"
    counts, same = _script_against_evaluate(_with_ticket(tmp_path / "cs", "end", late))
    assert max(counts) > 0 and not same


def test_the_script_leaves_only_the_users_tables() -> None:
    for example in ("customer-support", "hosting-availability"):
        plan = plan_of(example)
        made = script(plan, months_asked(plan, PERIOD, None), KINDS, "duckdb")
        assert made.text is not None
        engine = Engine(threads=1)
        try:
            duckdb_tables(engine, example)
            before = set(engine.con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
            run_statements(engine.con, made.statements)
            after = set(engine.con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
        finally:
            engine.close()
        assert after == before and before


@pytest.mark.parametrize("name", ["_tally_j0", "misses", "Misses"])
def test_a_field_named_as_a_reported_column_stays_in_the_script(tmp_path: Path, name: str) -> None:
    # The script leaves the row account's tally columns and the breached-items list out of its
    # reads (a run's report, not a measurement): a dataset field of the same name is the
    # user's, kept where the script reads it, here in the `where` and as the scope.
    contract = tmp_path / "contract.yaml"
    contract.write_text(
        "slac: 1\nid: report-field\nversion: '1'\neffective: {from: '2026-01-01'}\n"
        "timezone: UTC\nparties: {provider: {name: P}, customer: {name: C}}\n"
        "datasets:\n  tickets:\n    kind: tickets\n    key: id\n    fields:\n"
        "      id: {type: string}\n      created_at: {type: timestamp}\n"
        f"      resolved_at: {{type: timestamp}}\n      {name}: {{type: string}}\n"
        f"metrics:\n  resolution:\n    dataset: tickets\n    where: {{{name}: ops}}\n"
        "    duration: {from: created_at, to: resolved_at}\n"
        "objectives:\n  - {id: resolve-3d, metric: resolution, within: 3d, target: '>= 90%', "
        f"scope: [{name}]}}\n",
        encoding="utf-8",
    )
    compiled = api.compile_plan(str(contract))
    assert compiled.value is not None, compiled.errors
    made = script(compiled.value, months_asked(compiled.value, "2026-01", None), KINDS, "duckdb")
    assert made.text is not None, made.problems
    engine = Engine(threads=1)
    try:
        engine.con.execute(
            "CREATE TABLE tickets (id VARCHAR, created_at TIMESTAMPTZ, "
            f'resolved_at TIMESTAMPTZ, "{name}" VARCHAR)'
        )
        # b resolved in 4 days: breached, so the run lists it (the list the script leaves out).
        engine.con.execute(
            "INSERT INTO tickets VALUES ('a', '2026-01-05 10:00+00', '2026-01-06 10:00+00', "
            "'ops'), ('b', '2026-01-05 10:00+00', '2026-01-09 10:00+00', 'ops'), "
            "('c', '2026-01-05 10:00+00', '2026-01-06 10:00+00', 'dev')"
        )
        reads = [
            engine.con.execute(text).fetchall() if read else engine.con.execute(text)
            for text, read in made.statements
        ]
        measured = [r for r, (_, read) in zip(reads, made.statements, strict=True) if read]
        # met, breached, open; b's end (2026-01-09 10:00 UTC, µs); no keys gathered; none
        # carried; one miss counted.
        last = 1_767_952_800_000_000
        assert measured == [[("2026-01", "ops", 1, 1, 0, last, None, 0, 1)]], measured
    finally:
        engine.close()
