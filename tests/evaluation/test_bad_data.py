"""Bad data, one kind per test: `slac evaluate` stops (exit 1) naming the file, the 1-based data
row and the problem, never with a traceback; `--on-bad-rows exclude` leaves the bad rows out and
counts and lists them in the results (docs/semantics.md, "Data").

Each test copies the small contract of ``tests/data/evaluate`` (tickets resolved within 4 h with
pauses, and a CSAT share; four tickets and three survey answers in October 2026) to a temporary
folder and spoils one file.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from referencing import Registry

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "evaluate"
SCHEMA = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(
    SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER, registry=Registry()
)

TICKETS_HEADER = "id,created_at,resolved_at,priority,reopened\n"
T1 = "T-1,2026-10-05T09:00:00+02:00,2026-10-05T10:00:00+02:00,P1,0\n"
T2 = "T-2,2026-10-06T09:00:00+02:00,2026-10-06T15:00:00+02:00,P2,1\n"
T3 = "T-3,2026-10-07T09:00:00+02:00,2026-10-07T12:00:00+02:00,P1,0\n"
T4 = "T-4,2026-10-08T09:00:00+02:00,2026-10-08T14:00:00+02:00,P2,0\n"
SURVEYS_HEADER = "id,submitted_at,score\n"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(SMALL, folder)
    return folder


def evaluate(case: Path, *args: str) -> Result:
    command = ["evaluate", str(case / "contract.yaml"), "--today", "2026-11-01"]
    if "--period" not in args:
        command += ["--period", "2026-10"]
    return CliRunner().invoke(cli, command + list(args), catch_exceptions=False)


def write(case: Path, name: str, text: str) -> Path:
    path = case / "data" / name
    path.write_text(text, encoding="utf-8")
    return path


def bind(case: Path, **specs: str) -> None:
    """Rewrite bindings.yaml: dataset → the flow mapping of its binding."""
    lines = ["bindings: 1", "datasets:"] + [f"  {name}: {spec}" for name, spec in specs.items()]
    (case / "bindings.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def parquet(path: Path, query: str) -> Path:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
    finally:
        con.close()
    return path


def bad_line(result: Result, path: Path, row: int) -> str:
    """The stderr lines naming ``path:row``, after checking the command failed cleanly."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "use --on-bad-rows exclude" in result.stderr
    lines = [line for line in result.stderr.splitlines() if f"{path}:{row}:" in line]
    assert lines, result.stderr
    return "\n".join(lines)


def results(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    errors = sorted(VALIDATOR.iter_errors(doc), key=str)
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:5]]
    return doc


def objective(doc: dict[str, Any], objective_id: str) -> dict[str, Any]:
    (period,) = doc["periods"]
    found: list[dict[str, Any]] = [
        o for o in period["objectives"] if o["objective"] == objective_id
    ]
    assert len(found) == 1, objective_id
    return found[0]


# ---------------------------------------------------------------- the clean case


def test_clean_data_is_evaluated(case: Path) -> None:
    doc = results(evaluate(case))
    assert doc["bad_rows"] == 0 and doc["bad_rows_listed"] == []
    # T-1 1 h, T-2 6 h, T-3 3 h, T-4 5 h − 2 h paused = 3 h: 3 of 4 within 4 h.
    assert objective(doc, "resolve-4h")["measured"] == "0.75"
    # Scores 5, 2, 4: two of three in 4–5.
    assert objective(doc, "csat")["sample"] == 3


# ---------------------------------------------------------------- one kind of bad data per test


def test_missing_column_names_the_file_and_the_column(case: Path) -> None:
    path = write(
        case,
        "tickets.csv",
        "id,created_at,resolved_at,priority\nT-1,2026-10-05T09:00:00+02:00,2026-10-05T10:00:00+02:00,P1\n",
    )
    result = evaluate(case)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert "missing column 'reopened'" in result.stderr


def test_missing_column_under_its_mapped_name(case: Path) -> None:
    bind(
        case,
        tickets="{path: data/tickets.csv, columns: {reopened: reopen_count}}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.csv}",
    )
    result = evaluate(case)
    assert result.exit_code == 1
    assert "missing column 'reopen_count' (field reopened)" in result.stderr


def test_wrong_type(case: Path) -> None:
    path = write(
        case, "tickets.csv", TICKETS_HEADER + T1 + T2.replace(",P2,1", ",P2,abc") + T3 + T4
    )
    line = bad_line(evaluate(case), path, 2)
    assert "tickets.reopened" in line and "not a valid integer: abc" in line


def test_unparsable_timestamp(case: Path) -> None:
    spoiled = T3.replace("2026-10-07T09:00:00+02:00", "2026-13-45T09:00:00+02:00")
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + T2 + spoiled + T4)
    line = bad_line(evaluate(case), path, 3)
    assert "tickets.created_at" in line
    assert "not a valid timestamp: 2026-13-45T09:00:00+02:00" in line


def test_unparsable_timestamp_is_not_called_naive(case: Path) -> None:
    path = write(
        case, "tickets.csv", TICKETS_HEADER + T1 + T2.replace("2026-10-06T09:00:00+02:00", "soon")
    )
    line = bad_line(evaluate(case), path, 2)
    assert "not a valid timestamp: soon" in line


def test_naive_timestamp_without_a_declared_zone(case: Path) -> None:
    naive = T2.replace("2026-10-06T09:00:00+02:00", "2026-10-06T09:00:00")
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + naive + T3 + T4)
    line = bad_line(evaluate(case), path, 2)
    assert "tickets.created_at" in line
    assert "without an offset" in line and "timezone" in line
    assert "2026-10-06T09:00:00" in line


@pytest.mark.parametrize(
    "created, resolved",
    [
        # Found by fuzzing: valid for the engine, but a year 0 or 10000 in the contract's zone,
        # which Python's dates cannot hold (ValueError from the months the data covers), or
        # within days of it (OverflowError from the margins of a business-time grid).
        ("0001-01-01T00:00:00+14:00", "2026-10-05T10:00:00+02:00"),
        ("0001-01-02T00:00:00Z", "2026-10-05T10:00:00+02:00"),
        ("2026-10-05T09:00:00+02:00", "9999-12-31T23:59:59-14:00"),
        ("2026-10-05T09:00:00+02:00", "9999-01-01T00:00:00Z"),
    ],
)
@pytest.mark.parametrize("period", [None, "2026-10"])
def test_timestamp_outside_the_years_2_to_9998(
    case: Path, created: str, resolved: str, period: str | None
) -> None:
    spoiled = f"T-2,{created},{resolved},P2,1\n"
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + spoiled + T3 + T4)
    line = bad_line(evaluate_period(case, period), path, 2)
    assert "timestamp outside the years 0002-9998" in line
    doc = results(evaluate_period(case, period, "--on-bad-rows", "exclude"))
    assert doc["bad_rows"] == 1
    assert doc["periods"][-1]["period"] == "2026-10"


def test_timestamps_in_the_first_and_last_years_are_read(case: Path) -> None:
    early = "T-2,0002-01-01T00:00:00Z,9998-12-31T23:59:59Z,P2,1\n"
    write(case, "tickets.csv", TICKETS_HEADER + T1 + early + T3 + T4)
    doc = results(evaluate_period(case, None))
    assert doc["bad_rows"] == 0
    # Every month of the contract's life from the first row's month (year 2) to the last's.
    assert doc["periods"][0]["period"] == "2026-01"


def evaluate_period(case: Path, period: str | None, *args: str) -> Result:
    """`evaluate` for one month, or (None) for every month the data covers."""
    if period is not None:
        return evaluate(case, "--period", period, *args)
    command = ["evaluate", str(case / "contract.yaml"), "--today", "2026-11-01", *args]
    return CliRunner().invoke(cli, command, catch_exceptions=False)


@pytest.mark.parametrize(
    "zone, measured",
    [
        # 09:00 in Berlin → resolved 15:00+02:00: 6 h, breached: 3 of 4 as in the clean case.
        ("Europe/Berlin", "0.75"),
        # 09:00 in New York is 15:00 in Berlin → resolved at once: met: 4 of 4.
        ("America/New_York", "1"),
    ],
)
def test_naive_timestamp_is_read_in_the_bindings_zone(case: Path, zone: str, measured: str) -> None:
    naive = T2.replace("2026-10-06T09:00:00+02:00", "2026-10-06T09:00:00")
    write(case, "tickets.csv", TICKETS_HEADER + T1 + naive + T3 + T4)
    bind(
        case,
        tickets=f"{{path: data/tickets.csv, timezone: {zone}}}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.csv}",
    )
    doc = results(evaluate(case))
    assert objective(doc, "resolve-4h")["measured"] == measured


def test_end_before_start(case: Path) -> None:
    backwards = T2.replace("2026-10-06T15:00:00+02:00", "2026-10-06T08:00:00+02:00")
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + backwards + T3 + T4)
    line = bad_line(evaluate(case), path, 2)
    assert "tickets.resolved_at" in line and "resolved_at is before created_at" in line


def test_duplicate_ids_keep_the_first_row_and_count_the_rest(case: Path) -> None:
    """The first row of a key is the item; each later one is a bad row. Was: both rows bad,
    so `exclude` dropped the original too (T-2 vanished: 2 of 3 met, 0.666…)."""
    again = T2.replace("2026-10-06T15:00:00", "2026-10-06T10:00:00")  # resolved in 1 h
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + T2 + T3 + T4 + again + again)
    result = evaluate(case)
    for row in (5, 6):
        line = bad_line(result, path, row)
        assert "tickets.id: duplicate key T-2: its first row is row 2 of tickets.csv" in line
    assert f"{path}:2:" not in result.stderr
    doc = results(evaluate(case, "--on-bad-rows", "exclude"))
    assert doc["bad_rows"] == 2
    # The first T-2 (6 h) is judged, not a later one (1 h): T-1, T-3, T-4 within 4 h, 3 of 4.
    assert objective(doc, "resolve-4h")["measured"] == "0.75"


def test_a_status_history_over_the_tickets_life_is_clipped_not_bad(case: Path) -> None:
    """Pauses are clipped to the interval a metric measures (docs/semantics.md, "Pauses"):
    a status history spans the ticket's whole life, so pauses before its creation or after its
    resolution are no bad data, and a pause that straddles the resolution counts up to it.
    Jira Service Management configures pauses as "Pause on - Time is not counted during"
    (Atlassian KB, "Understanding why an SLA is paused in a Jira Service Management ticket",
    https://confluence.atlassian.com/jirakb/understanding-why-an-sla-is-paused-in-a-jira-service-management-ticket-1271267987.html):
    only time inside the measured interval can go uncounted.

    By hand (24 × 7 clock, within 4 h): T-1 1 h (a pause at 11:00–12:00 lies after its 10:00
    resolution: 0 paused); T-2 09:00–15:00 = 6 h, paused 13:00–17:00 clipped to 13:00–15:00 =
    2 h → 4 h, met (within is ≤); T-3 3 h (paused 07:00–08:00, before creation: 0); T-4 5 h −
    2 h = 3 h. All 4 met: 1.0. Dropping the straddling pause whole (as `exclude` did) would
    leave T-2 at 6 h, breached: 0.75.
    """
    write(
        case,
        "pauses.csv",
        "ticket_id,start,end\n"
        "T-4,2026-10-08T10:00:00+02:00,2026-10-08T12:00:00+02:00\n"
        "T-1,2026-10-05T11:00:00+02:00,2026-10-05T12:00:00+02:00\n"
        "T-2,2026-10-06T13:00:00+02:00,2026-10-06T17:00:00+02:00\n"
        "T-3,2026-10-07T07:00:00+02:00,2026-10-07T08:00:00+02:00\n",
    )
    for mode in ("error", "exclude"):
        doc = results(evaluate(case, "--on-bad-rows", mode))
        assert doc["bad_rows"] == 0
        assert objective(doc, "resolve-4h")["measured"] == "1"


def test_pause_for_an_unknown_ticket(case: Path) -> None:
    path = write(
        case,
        "pauses.csv",
        "ticket_id,start,end\n"
        "T-4,2026-10-08T10:00:00+02:00,2026-10-08T12:00:00+02:00\n"
        "T-9,2026-10-08T10:00:00+02:00,2026-10-08T12:00:00+02:00\n",
    )
    line = bad_line(evaluate(case), path, 2)
    assert "pause for an unknown item T-9" in line


def test_pause_that_ends_before_it_starts(case: Path) -> None:
    path = write(
        case,
        "pauses.csv",
        "ticket_id,start,end\nT-4,2026-10-08T12:00:00+02:00,2026-10-08T10:00:00+02:00\n",
    )
    line = bad_line(evaluate(case), path, 1)
    assert "pause ends before it starts" in line


def test_survey_score_out_of_range(case: Path) -> None:
    path = write(
        case,
        "surveys.csv",
        SURVEYS_HEADER + "S-1,2026-10-05T11:00:00+02:00,5\nS-2,2026-10-06T16:00:00+02:00,7\n",
    )
    line = bad_line(evaluate(case), path, 2)
    assert "surveys.score" in line and "outside the survey scale 1–5: 7" in line


def test_value_not_listed_for_the_field(case: Path) -> None:
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + T2 + T3.replace(",P1,", ",P9,") + T4)
    line = bad_line(evaluate(case), path, 3)
    assert "tickets.priority" in line and "value not listed in the contract: P9" in line


def test_empty_key(case: Path) -> None:
    path = write(case, "tickets.csv", TICKETS_HEADER + T1 + T2.replace("T-2,", ",", 1) + T3 + T4)
    line = bad_line(evaluate(case), path, 2)
    assert "tickets.id" in line and "empty value" in line


def test_fraction_in_an_integer_field(case: Path) -> None:
    path = write(
        case,
        "surveys.csv",
        SURVEYS_HEADER + "S-1,2026-10-05T11:00:00+02:00,5\nS-2,2026-10-06T16:00:00+02:00,4.5\n",
    )
    line = bad_line(evaluate(case), path, 2)
    assert "not a valid integer: 4.5" in line


# ---------------------------------------------------------------- other formats


def test_jsonl_wrong_type(case: Path) -> None:
    path = case / "data" / "surveys.jsonl"
    path.write_text(
        '{"id": "S-1", "submitted_at": "2026-10-05T11:00:00+02:00", "score": 5}\n'
        '{"id": "S-2", "submitted_at": "2026-10-06T16:00:00+02:00", "score": "abc"}\n',
        encoding="utf-8",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.jsonl}",
    )
    line = bad_line(evaluate(case), path, 2)
    assert "surveys.score" in line and "not a valid integer" in line and "abc" in line


def test_parquet_naive_timestamp_and_score_out_of_range(case: Path) -> None:
    path = parquet(
        case / "data" / "surveys.parquet",
        "SELECT 'S-1' AS id, TIMESTAMP '2026-10-05 11:00:00' AS submitted_at, 5 AS score "
        "UNION ALL SELECT 'S-2', TIMESTAMP '2026-10-06 16:00:00', 9",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.parquet}",
    )
    result = evaluate(case)
    assert "without an offset" in bad_line(result, path, 1)
    assert "outside the survey scale 1–5: 9" in bad_line(result, path, 2)


def test_parquet_timestamps_with_a_zone_are_accepted(case: Path) -> None:
    parquet(
        case / "data" / "surveys.parquet",
        "SELECT 'S-1' AS id, TIMESTAMPTZ '2026-10-05 11:00:00+02' AS submitted_at, 5 AS score "
        "UNION ALL SELECT 'S-2', TIMESTAMPTZ '2026-10-06 16:00:00+02', 2",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.parquet}",
    )
    doc = results(evaluate(case))
    assert (objective(doc, "csat")["measured"], objective(doc, "csat")["sample"]) == ("0.5", 2)


def test_an_empty_key_in_a_typed_parquet_column_is_a_bad_row(case: Path) -> None:
    """A typed column has nothing to parse, but its empty values are still checked."""
    path = parquet(
        case / "data" / "surveys.parquet",
        "SELECT * FROM (VALUES ('S-1', TIMESTAMPTZ '2026-10-05 11:00:00+02', 5), "
        "(NULL, TIMESTAMPTZ '2026-10-06 16:00:00+02', 2)) AS s(id, submitted_at, score)",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.parquet}",
    )
    line = bad_line(evaluate(case), path, 2)
    assert "surveys.id" in line and "empty value" in line


def test_a_typed_parquet_ticket_without_a_start_is_a_bad_row(case: Path) -> None:
    """The start's check reads whether the value is empty; a typed column answers that
    without being cast to text, and still answers it."""
    path = parquet(
        case / "data" / "tickets.parquet",
        "SELECT * FROM (VALUES "
        "('T-1', TIMESTAMPTZ '2026-10-05 09:00:00+02', TIMESTAMPTZ '2026-10-05 10:00:00+02', "
        "'P1', 0), "
        "('T-2', NULL, TIMESTAMPTZ '2026-10-06 15:00:00+02', 'P2', 1)) "
        "AS t(id, created_at, resolved_at, priority, reopened)",
    )
    bind(
        case,
        tickets="{path: data/tickets.parquet}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.csv}",
    )
    line = bad_line(evaluate(case), path, 2)
    assert "tickets.created_at: created_at is empty: the item has no start" in line


def test_parquet_bad_rows_are_left_out_of_every_later_read(case: Path) -> None:
    """A Parquet dataset is read from its file by each statement (a view, not a copy): its bad
    rows must be left out of each of those reads, and named by their row in the file."""
    path = parquet(
        case / "data" / "surveys.parquet",
        "SELECT * FROM (VALUES ('S-1', TIMESTAMPTZ '2026-10-05 11:00:00+02', 5), "
        "('S-2', TIMESTAMPTZ '2026-10-06 16:00:00+02', 2), "
        "('S-3', TIMESTAMPTZ '2026-10-07 13:00:00+02', 9), "
        "('S-4', TIMESTAMPTZ '2026-10-08 13:00:00+02', 4)) AS s(id, submitted_at, score)",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.parquet}",
    )
    doc = results(evaluate(case, "--on-bad-rows", "exclude"))
    assert [(r["file"], r["row"], r["field"]) for r in doc["bad_rows_listed"]] == [
        (str(path), 3, "score")
    ]
    # S-3 (9) is left out: 5, 2 and 4 → 2 of 3 (counting it, 2 of 4).
    csat = objective(doc, "csat")
    assert (csat["measured"], csat["sample"]) == (str(Decimal(2) / Decimal(3)), 3)


def test_a_parquet_column_named_file_row_number_is_data_not_the_row(case: Path) -> None:
    """DuckDB's own row index of a Parquet file is called `file_row_number`: a file with a column
    of that name is still read, and its rows are named by their place in the file."""
    path = parquet(
        case / "data" / "surveys.parquet",
        "SELECT 'S-1' AS id, TIMESTAMPTZ '2026-10-05 11:00:00+02' AS submitted_at, 5 AS score, "
        "100 AS file_row_number "
        "UNION ALL SELECT 'S-2', TIMESTAMPTZ '2026-10-06 16:00:00+02', 9, 200",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.parquet}",
    )
    assert "outside the survey scale 1–5: 9" in bad_line(evaluate(case), path, 2)


@pytest.mark.parametrize(
    "what, content",
    [
        ("garbage", b"PAR1 not a parquet file at all PAR1"),
        ("an empty file", b""),
        ("a truncated file", None),
    ],
)
def test_unreadable_parquet_is_one_clear_line(case: Path, what: str, content: bytes | None) -> None:
    path = case / "data" / "surveys.parquet"
    if content is None:
        parquet(
            path,
            "SELECT 'S-1' AS id, TIMESTAMPTZ '2026-10-05 11:00:00+02' AS submitted_at, 5 AS score",
        )
        path.write_bytes(path.read_bytes()[:60])
    else:
        path.write_bytes(content)
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.parquet}",
    )
    result = evaluate(case)
    assert result.exit_code == 1, what
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"slac: error: {path}: cannot read it as parquet")
    assert str(path) in lines[0]


def test_malformed_jsonl_names_the_file(case: Path) -> None:
    path = case / "data" / "surveys.jsonl"
    path.write_text(
        '{"id": "S-1", "submitted_at": "2026-10-05T11:00:00+02:00", "score": 5}\n{"id": "S-2",\n',
        encoding="utf-8",
    )
    bind(
        case,
        tickets="{path: data/tickets.csv}",
        pauses="{path: data/pauses.csv}",
        surveys="{path: data/surveys.jsonl}",
    )
    result = evaluate(case)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert str(path) in result.stderr


def test_unreadable_csv_names_the_file(case: Path) -> None:
    path = case / "data" / "surveys.csv"
    path.write_bytes(b"\x00\xff\xfe garbage\x00\x01")
    result = evaluate(case)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr


def test_row_with_too_many_fields_is_named(case: Path) -> None:
    path = write(
        case,
        "surveys.csv",
        SURVEYS_HEADER + "S-1,2026-10-05T11:00:00+02:00,5,extra\nS-2,2026-10-06T16:00:00+02:00,2\n",
    )
    result = evaluate(case)
    assert result.exit_code == 1
    assert f"{path}:1" in result.stderr


def test_dataset_without_data(case: Path) -> None:
    bind(case, tickets="{path: data/tickets.csv}", pauses="{path: data/pauses.csv}")
    result = evaluate(case)
    assert result.exit_code == 1
    assert "no data bound to dataset 'surveys'" in result.stderr
    assert "--data surveys=PATH" in result.stderr


# ---------------------------------------------------------------- many bad rows


def test_many_bad_rows_are_listed_up_to_fifty(case: Path) -> None:
    rows = "".join(
        f"T-{i},2026-10-05T09:00:00+02:00,2026-10-05T10:00:00+02:00,P7,0\n" for i in range(1, 61)
    )
    path = write(case, "tickets.csv", TICKETS_HEADER + rows + T4.replace("T-4", "T-99"))
    write(case, "pauses.csv", "ticket_id,start,end\n")
    result = evaluate(case)
    assert result.exit_code == 1
    assert "60 bad row(s)" in result.stderr
    assert f"{path}:50:" in result.stderr and f"{path}:51:" not in result.stderr
    assert "… and 10 more" in result.stderr
    doc = results(evaluate(case, "--on-bad-rows", "exclude"))
    assert doc["bad_rows"] == 60
    assert len(doc["bad_rows_listed"]) == 50
    assert [b["row"] for b in doc["bad_rows_listed"]] == list(range(1, 51))
    # Only T-99 is left: 5 h, breached.
    assert (objective(doc, "resolve-4h")["sample"], objective(doc, "resolve-4h")["met"]) == (1, 0)


# ---------------------------------------------------------------- --on-bad-rows exclude


def test_exclude_leaves_bad_rows_out_and_lists_them(case: Path) -> None:
    tickets = write(
        case,
        "tickets.csv",
        TICKETS_HEADER + T1 + T2 + T3.replace(",P1,0", ",P1,abc") + T4.replace(",P2,", ",P9,"),
    )
    surveys = write(
        case,
        "surveys.csv",
        SURVEYS_HEADER
        + "S-1,2026-10-05T11:00:00+02:00,5\n"
        + "S-2,2026-10-06T16:00:00+02:00,2\n"
        + "S-3,2026-10-07T13:00:00+02:00,9\n",
    )
    doc = results(evaluate(case, "--on-bad-rows", "exclude"))
    assert doc["on_bad_rows"] == "exclude"
    assert doc["bad_rows"] == 3
    assert doc["bad_rows_listed"] == [
        {
            "dataset": "surveys",
            "file": str(surveys),
            "row": 3,
            "field": "score",
            "problem": "score outside the survey scale 1–5: 9",
        },
        {
            "dataset": "tickets",
            "file": str(tickets),
            "row": 3,
            "field": "reopened",
            "problem": "not a valid integer: abc",
        },
        {
            "dataset": "tickets",
            "file": str(tickets),
            "row": 4,
            "field": "priority",
            "problem": "value not listed in the contract: P9",
        },
    ]
    inputs = {i["dataset"]: (i["rows"], i["bad_rows"]) for i in doc["inputs"]}
    assert inputs == {"pauses": (1, 0), "surveys": (3, 1), "tickets": (4, 2)}
    # T-3 (3 h, met) and T-4 (3 h after its pause, met) are left out: T-1 met, T-2 breached →
    # 1 of 2 = 0.5 (with them it would be 3 of 4).
    resolve = objective(doc, "resolve-4h")
    assert (resolve["measured"], resolve["sample"], resolve["met"]) == ("0.5", 2, 1)
    # S-3 (9) is left out: 5 and 2 → 1 of 2 = 0.5 (counting it, 1 of 3).
    csat = objective(doc, "csat")
    assert (csat["measured"], csat["sample"]) == ("0.5", 2)


def test_exclude_with_clean_data_changes_nothing_but_the_mode(case: Path) -> None:
    plain = results(evaluate(case))
    excluding = results(evaluate(case, "--on-bad-rows", "exclude"))
    assert excluding["on_bad_rows"] == "exclude"
    assert excluding["periods"] == plain["periods"]


def test_error_is_the_default(case: Path) -> None:
    write(case, "tickets.csv", TICKETS_HEADER + T1 + T2.replace(",P2,1", ",P2,abc"))
    assert evaluate(case).exit_code == 1
    assert evaluate(case, "--on-bad-rows", "error").exit_code == 1
    assert evaluate(case, "--on-bad-rows", "exclude").exit_code == 0


# ---------------------------------------------------------------- no data is not bad data


def test_a_period_without_data_is_insufficient_data(case: Path) -> None:
    doc = results(evaluate(case, "--period", "2026-11"))
    (november,) = doc["periods"]
    assert [(o["objective"], o["status"], o["sample"]) for o in november["objectives"]] == [
        ("resolve-4h", "insufficient-data", 0),
        ("csat", "insufficient-data", 0),
    ]
    assert all(o["reason"] and o["measured"] is None for o in november["objectives"])
    assert (november["service_level"], november["credit"]) == (None, "0.00")


def test_a_file_with_only_its_header_is_insufficient_data(case: Path) -> None:
    write(case, "surveys.csv", SURVEYS_HEADER)
    doc = results(evaluate(case))
    csat = objective(doc, "csat")
    assert (csat["status"], csat["sample"], csat["measured"]) == ("insufficient-data", 0, None)
    assert objective(doc, "resolve-4h")["status"] == "met"


def test_a_scale_check_applies_only_to_the_rows_its_metric_reads(case: Path) -> None:
    """One survey dataset holds NPS (0–10) and CSAT (1–5) answers; each metric takes its own
    rows by `where`. An NPS 9 is no bad CSAT score.

    NPS, Bain & Company: "Your Net Promoter Score is simply the percentage of promoters minus
    the percentage of detractors."
    (https://www.netpromotersystem.com/about/net-promoter-system-framework/reliable-metric/);
    the bands, as a glossary gives them: "Promoters (ratings of 9 or 10), Passives (ratings of
    7 or 8), and Detractors (ratings of 0 to 6)."
    (https://www.eyebase.com/insights/dam-know-how/the-grand-dam-glossary/55-net-promoter-score-nps/).
    CSAT, SoGoSurvey's help: "Answer choices are graded on a 1 to 5 scale" and "Satisfied:
    Customers who provide responses from 4 to 5."
    (https://www.sogosurvey.com/help/introduction-to-customer-satisfaction-csat/).

    By hand: NPS answers 10, 9, 7, 3, 0 → promoters (10, 9) 2/5 = 40%, detractors (3, 0)
    2/5 = 40%: 40 − 40 = 0. CSAT answers 5, 2, 4 → 2 of 3 in 4–5 = 0.666…. A CSAT answer of
    7 is still bad (outside 1–5) and named by its row.
    """
    contract = case / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    text = text.replace(
        "      score: {type: integer}\n",
        "      score: {type: integer}\n      survey: {type: string, values: [nps, csat]}\n",
    )
    text = text.replace(
        "    survey: {score: score, measure: csat, scale: [1, 5], good: [4, 5]}\n",
        "    where: {survey: csat}\n"
        "    survey: {score: score, measure: csat, scale: [1, 5], good: [4, 5]}\n"
        "  nps:\n"
        "    dataset: surveys\n"
        "    where: {survey: nps}\n"
        "    survey: {score: score, measure: nps}\n",
    )
    text += (
        "  - id: nps\n"
        "    title: Net promoter score\n"
        "    metric: nps\n"
        '    target: ">= 0"\n'
        "    responsible: provider\n"
    )
    contract.write_text(text, encoding="utf-8")
    rows = [
        ("S-1", "05", 5, "csat"),
        ("S-2", "06", 2, "csat"),
        ("S-3", "07", 4, "csat"),
        ("N-1", "05", 10, "nps"),
        ("N-2", "06", 9, "nps"),
        ("N-3", "07", 7, "nps"),
        ("N-4", "08", 3, "nps"),
        ("N-5", "09", 0, "nps"),
    ]
    body = "".join(f"{i},2026-10-{d}T11:00:00+02:00,{s},{t}\n" for i, d, s, t in rows)
    write(case, "surveys.csv", "id,submitted_at,score,survey\n" + body)
    doc = results(evaluate(case))
    assert doc["bad_rows"] == 0
    assert objective(doc, "nps")["measured"] == "0" and objective(doc, "nps")["sample"] == 5
    csat = objective(doc, "csat")
    assert csat["sample"] == 3 and csat["measured"].startswith("0.6666")

    path = write(
        case,
        "surveys.csv",
        "id,submitted_at,score,survey\n" + body + "S-4,2026-10-09T11:00:00+02:00,7,csat\n",
    )
    line = bad_line(evaluate(case), path, 9)
    assert "score outside the survey scale 1–5: 7" in line
