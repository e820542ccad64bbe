"""Crashes found by fuzzing and fixed, end to end through lint (the loader's own tests are in
tests/contract/test_source.py, the data's in tests/evaluation/test_bad_data.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac import api
from slac.cli import cli

from .contracts import ROOT
from .harness import TODAY, limits

BASE = (ROOT / "tests" / "rules" / "base.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("number", ["9" * 4301, "-" + "9" * 5000, "1e400"])
def test_a_number_python_cannot_hold_is_a_finding(tmp_path: Path, number: str) -> None:
    # Was: ValueError (int() of more than 4,300 digits) escaping lint; 1e400 became infinity.
    assert "    min_sample: 10\n" in BASE
    path = tmp_path / "contract.yaml"
    path.write_text(BASE.replace("min_sample: 10", f"min_sample: {number}"), encoding="utf-8")
    (finding,) = api.lint([str(path)], today=TODAY).diagnostics
    assert (finding.code, finding.location.line) == ("S203", 86)
    assert finding.message.startswith("expected a whole number, found '")
    assert len(finding.message) < 200
    if len(number) > 100:
        assert "a number this long is read as text" in finding.hint


def test_a_template_is_not_compiled(tmp_path: Path) -> None:
    # KeyError: 'effective' in compile_contract. A template lints clean (it may leave out what
    # a contract supplies), then `slac compile`/`explain`/`evaluate` compile it as a contract.
    path = tmp_path / "template.yaml"
    path.write_text("slac: 1\nkind: template\n", encoding="utf-8")
    plan = api.compile_plan(str(path), today=TODAY).value
    assert plan is None
    for command in ("compile", "explain", "evaluate", "statement", "credits"):
        result = CliRunner().invoke(cli, [command, str(path)], catch_exceptions=False)
        assert result.exit_code == 1, command
        assert f"{path}:2:7: a template (kind: template)" in result.stderr, command


def test_a_list_as_id_under_extends(tmp_path: Path) -> None:
    # Was: TypeError (unhashable type: 'list') in _merge_by_id, before the schema could say
    # that an id is text.
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    path = tmp_path / "acme" / "contract.yaml"
    path.parent.mkdir()
    path.write_text(
        "slac: 1\nextends: ../templates/gold.yaml\nobjectives:\n  - id: [frt-p1]\n",
        encoding="utf-8",
    )
    report = api.lint([str(path)], today=TODAY)
    assert any(d.code.startswith("S2") for d in report.diagnostics)


def _edited_example(tmp_path: Path, example: str, old: str, new: str) -> str:
    """The example contract (templates beside it, as in examples/) with one value changed."""
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    text = (ROOT / "examples" / example / "contract.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / example / "contract.yaml"
    path.parent.mkdir()
    path.write_text(text.replace(old, new), encoding="utf-8")
    return str(path)


def test_a_27_digit_fee_compiles(tmp_path: Path) -> None:
    # Was: decimal.InvalidOperation: quantizing 27 digits to cents needs 29 digits of
    # precision, one more than the Decimal context's 28, and lint was clean. Money has at most
    # 15 digits before the point.
    path = _edited_example(
        tmp_path,
        "hosting-availability",
        'monthly_fee: "25000.00"',
        'monthly_fee: "999999999999999999999999999"',
    )
    compiled = api.compile_plan(path, today=TODAY)
    assert compiled.value is None
    (finding,) = compiled.diagnostics
    assert (finding.code, finding.hint) == ("S204", "at most 15 digits before the point")


def test_a_27_digit_credit_percentage_is_explained(tmp_path: Path) -> None:
    # Was: decimal.InvalidOperation in money_share: the fee times 10^25 does not fit the
    # Decimal context when rounded to cents, and lint only warned (R604). A percentage has at
    # most 4 digits before the point.
    path = _edited_example(
        tmp_path,
        "customer-support",
        '{below: "60%", percent: "15%"}',
        '{below: "60%", percent: "999999999999999999999999999%"}',
    )
    explained = api.explain(path, today=TODAY)
    assert explained.value is None
    (finding,) = explained.diagnostics
    assert (finding.code, finding.hint) == ("S204", "at most 4 digits before the point")


def test_a_contract_effective_from_year_1_is_explained(tmp_path: Path) -> None:
    # Was: ValueError (invalid literal for int() with base 10: '1-01') in _country_holidays:
    # the calendar's horizon was written f"{year}-01-01", so year 1 gave '1-01-01'.
    path = _edited_example(
        tmp_path,
        "customer-support",
        "effective: {from: 2026-01-01, to: 2027-12-31}",
        "effective: {from: 0001-01-01, to: 2027-12-31}",
    )
    text = api.explain(path, today=TODAY).value
    assert text is not None


def test_a_ticket_opened_in_the_year_2_is_evaluated_in_seconds(tmp_path: Path) -> None:
    # Was a hang and a memory bomb: the grid of business time was built from the earliest
    # ticket's start, day by day in Python (0.1 s of CPU per year: a ticket opened in 1900 cost
    # 15 s, one in the year 2 minutes) and bucket by bucket in DuckDB (a ticket opened in 1700:
    # over 5 GB, then OutOfMemoryException). Business time now reaches back 10 years before
    # the contract's first year; an item opened earlier is bad data, named with its row.
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    folder = tmp_path / "customer-support"
    shutil.copytree(ROOT / "examples" / "customer-support", folder)
    tickets = folder / "data" / "tickets.csv"
    text = tickets.read_text(encoding="utf-8")
    # SR-24080 is resolved in October 2026 (and counts there: period_membership end).
    row = next(line for line in text.splitlines() if line.startswith("SR-24080,"))
    opened = row.split(",")[1]
    tickets.write_text(text.replace(row, row.replace(opened, "0002-01-01T00:00:00Z")), "utf-8")
    contract = str(folder / "contract.yaml")
    with limits(6):
        refused = api.evaluate(contract, period="2026-10", today=TODAY)
        excluded = api.evaluate(contract, period="2026-10", on_bad_rows="exclude", today=TODAY)
    assert refused.value is None
    (line,) = [e for e in refused.errors if "2016-01-01" in e]
    assert "tickets.csv" in line and "created_at is before 2016-01-01: business time is " in line
    assert excluded.value is not None


@pytest.mark.parametrize("zone", ["Europe", "Europe/Ber" + "9" * 5000])
def test_a_zone_that_is_a_folder_or_too_long_is_a_finding(tmp_path: Path, zone: str) -> None:
    # Was: IsADirectoryError / OSError (file name too long) from zoneinfo escaping lint
    # (found by the long fuzz run, input 22878 of seed 2026).
    line = next(n for n, text in enumerate(BASE.splitlines(), 1) if text.startswith("timezone:"))
    path = tmp_path / "contract.yaml"
    path.write_text(
        BASE.replace(BASE.splitlines()[line - 1], f"timezone: {zone}", 1), encoding="utf-8"
    )
    found = [d for d in api.lint([str(path)], today=TODAY).diagnostics if d.code == "R711"]
    assert [(d.location.line, d.location.column) for d in found] == [(line, 11)]


def test_a_reopen_in_the_year_2_is_bad_data_not_a_hang(tmp_path: Path) -> None:
    # Was a hang (over 10 minutes; found by the long data fuzz run, input 910 of seed 2027):
    # with reopened cycles judged one by one, a reopen started in the year 2 and resolved in
    # October 2026 is an item of an earlier period that the run must judge (carry-over), and
    # its business time was read on a grid built from the year 2. Reopens are held to the same
    # reach as the items themselves: bad data, named with its row.
    (tmp_path / ".git").mkdir()
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    folder = tmp_path / "it-outsourcing"
    shutil.copytree(ROOT / "examples" / "it-outsourcing", folder)
    reopens = folder / "data" / "incident_reopens.csv"
    text = reopens.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("INC4100338,"))
    started = row.split(",")[1]
    reopens.write_text(text.replace(row, row.replace(started, "0002-01-01T00:00:00Z")), "utf-8")
    contract = str(folder / "contract.yaml")
    with limits(20):
        refused = api.evaluate(contract, today=TODAY)
        excluded = api.evaluate(contract, on_bad_rows="exclude", today=TODAY)
    assert refused.value is None
    (line,) = [e for e in refused.errors if "2016-01-01" in e]
    assert "incident_reopens.csv:2" in line
    assert "reopened_at is before 2016-01-01: business time is " in line
    assert excluded.value is not None


def test_a_row_in_the_year_9998_does_not_make_a_century_of_months(tmp_path: Path) -> None:
    # Was over 30 s of CPU (found by the long data fuzz run, input 4735 of seed 2028): without
    # --period every month the data covers is evaluated, and one storage interval in December
    # 9998, under a contract without an end, made 95,832 monthly windows of availability. More
    # than 120 months are evaluated only when named; the error names where both ends come from.
    import duckdb

    shutil.copytree(ROOT / "examples" / "hosting-availability", tmp_path / "hosting")
    requests = tmp_path / "hosting" / "data" / "storage_requests.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * REPLACE (CASE WHEN row_number() OVER () = 1 THEN "
        f"TIMESTAMPTZ '9998-12-31 23:59:59Z' ELSE interval_start END AS interval_start) "
        f"FROM '{requests}') TO '{tmp_path / 'late.parquet'}' (FORMAT parquet)"
    )
    con.close()
    shutil.move(tmp_path / "late.parquet", requests)
    contract = str(tmp_path / "hosting" / "contract.yaml")
    with limits(10):
        refused = api.evaluate(contract, today=TODAY)
        named = api.evaluate(contract, period="2026-10", today=TODAY)
    assert refused.value is None
    (line,) = refused.errors
    assert line.startswith("the data covers 95")
    assert "latest storage_requests.interval_start 9998-12-31" in line
    assert "give --period and --through" in line
    assert named.value is not None
