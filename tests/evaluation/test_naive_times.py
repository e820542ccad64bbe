"""Naive local timestamps (a binding's `timezone:`) around DST changes: the hour repeated in
autumn is read as its first occurrence unless the binding says `repeated_hour: second`; a time
skipped in spring is read with the offset before the change (docs/semantics.md, "Data")."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from slac.cli import cli
from slac.evaluation.load import _naive_instant

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "evaluate"
ZONES = ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata")
# The DST changes of 2026 in those zones, as local wall-clock times (Lord Howe moves 30 min).
CHANGES = (
    datetime(2026, 3, 8, 2, 0),
    datetime(2026, 11, 1, 1, 0),
    datetime(2026, 3, 29, 2, 0),
    datetime(2026, 10, 25, 2, 0),
    datetime(2026, 4, 5, 1, 30),
    datetime(2026, 10, 4, 2, 0),
)


def _engine(value: datetime, zone: str, repeated_hour: str) -> int:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    query = _naive_instant(exp.Literal.string(text), zone, repeated_hour).sql("duckdb")
    (us,) = con.execute(f"SELECT {query}").fetchone() or (None,)
    con.close()
    return int(us)


def _python(value: datetime, zone: str, fold: int) -> int:
    moment = value.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _skipped(value: datetime, zone: str) -> bool:
    there = value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).astimezone(ZoneInfo(zone))
    return there.replace(tzinfo=None) != value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    zone=st.sampled_from(ZONES),
    change=st.sampled_from(CHANGES),
    minutes=st.integers(-150, 150),
)
def test_naive_times_agree_with_zoneinfo_fold(zone: str, change: datetime, minutes: int) -> None:
    """First occurrence = PEP 495 fold=0, second = fold=1. PEP 495
    (https://peps.python.org/pep-0495/): "The allowed values for the fold attribute will be 0
    and 1 with 0 corresponding to the earlier and 1 to the later of the two possible readings
    of an ambiguous local time." A skipped time keeps the offset before the change in both
    modes (fold=0)."""
    value = change + timedelta(minutes=minutes)
    first, second = _engine(value, zone, "first"), _engine(value, zone, "second")
    assert first == _python(value, zone, 0)
    if _skipped(value, zone):
        assert second == _python(value, zone, 0)
    else:
        assert second == _python(value, zone, 1)


@pytest.mark.parametrize(("repeated_hour", "measured"), [(None, "0.5"), ("second", "0.75")])
def test_a_ticket_opened_in_the_repeated_hour(
    tmp_path: Path, repeated_hour: str | None, measured: str
) -> None:
    """Berlin leaves summer time on 2026-10-25 at 03:00 CEST, back to 02:00 CET: 02:30 happens
    twice. PEP 495 (https://peps.python.org/pep-0495/): the fold attribute "should have the
    value 0 for all instances except those that represent the second (chronologically) moment
    in time in an ambiguous case. For those instances, the value will be 1." slac's default
    reads the first (fold=0); `repeated_hour: second` reads fold=1.

    By hand: T-4 opened at naive 02:30 and resolved at naive 06:00 (CET, 05:00 UTC):
    first occurrence 02:30 CEST = 00:30 UTC → 4 h 30 min, over the 4 h deadline (breached);
    second occurrence 02:30 CET = 01:30 UTC → 3 h 30 min (met). With T-1 1 h, T-2 6 h and
    T-3 3 h as in the small case: 2 of 4 (0.5) or 3 of 4 (0.75) within 4 h."""
    case = tmp_path / "case"
    shutil.copytree(SMALL, case)
    tickets = (case / "data" / "tickets.csv").read_text(encoding="utf-8").splitlines()
    tickets[-1] = "T-4,2026-10-25 02:30:00,2026-10-25 06:00:00,P2,0"
    (case / "data" / "tickets.csv").write_text("\n".join(tickets) + "\n", encoding="utf-8")
    (case / "data" / "pauses.csv").write_text("ticket_id,start,end\n", encoding="utf-8")
    extra = f", repeated_hour: {repeated_hour}" if repeated_hour else ""
    (case / "bindings.yaml").write_text(
        "bindings: 1\n"
        "datasets:\n"
        f"  tickets: {{path: data/tickets.csv, timezone: Europe/Berlin{extra}}}\n"
        "  pauses: {path: data/pauses.csv}\n"
        "  surveys: {path: data/surveys.csv}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(case / "contract.yaml"), "--period", "2026-10", "--quiet"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (period,) = json.loads(result.stdout)["periods"]
    (resolve,) = [o for o in period["objectives"] if o["objective"] == "resolve-4h"]
    assert resolve["measured"] == measured
