"""As-of evaluation (issue 11; docs/semantics.md, "As of"): what an evaluation knows.

By default (`--as-of period-end`) each period is judged as known at its end, and what it
leaves open is judged later (carry-over). With an instant, every period is judged with what
had happened by then: "an end event after the period's end but before as-of counts with its
real duration; no end event by as-of → breached if its deadline had passed by as-of, else
pending" (the issue's words).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac.cli import cli
from slac.evaluation.asof import AsOf, parse_as_of

CONTRACT = """\
slac: 1
id: as-of
version: "1"
effective: {from: "2026-01-01"}
timezone: UTC
parties: {provider: {name: P}, customer: {name: C}}
datasets:
  tickets:
    kind: tickets
    key: id
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      resolved_at: {type: timestamp}
metrics:
  resolution:
    dataset: tickets
    duration: {from: created_at, to: resolved_at}
objectives:
  - {id: resolve-3d, metric: resolution, within: 3d, target: ">= 90%"}
"""

# T: Fri 30 Oct 10:00 → Mon 2 Nov 10:00, exactly 72 h: met (within is inclusive).
# U: Sat 31 Oct 10:00, never resolved.
# V: Sat 31 Oct 20:00 → Tue 10 Nov 08:00 (9 d 12 h: late).
TICKETS = """\
id,created_at,resolved_at
T,2026-10-30T10:00:00Z,2026-11-02T10:00:00Z
U,2026-10-31T10:00:00Z,
V,2026-10-31T20:00:00Z,2026-11-10T08:00:00Z
"""


def _evaluate(tmp_path: Path, *args: str) -> Any:
    contract = tmp_path / "contract.yaml"
    contract.write_text(CONTRACT, encoding="utf-8")
    data = tmp_path / "tickets.csv"
    data.write_text(TICKETS, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["evaluate", str(contract), "--data", f"tickets={data}", "--quiet", *args]
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _figures(doc: Any, period: str) -> tuple[int, int, int, int]:
    found = next(
        o
        for p in doc["periods"]
        for o in p["objectives"]
        if p["period"] == period and o["objective"] == "resolve-3d"
    )
    return found["met"], found["breached"], found["open"], found["carried"]


def test_by_default_october_is_judged_as_known_at_its_end(tmp_path: Path) -> None:
    """At 1 Nov 00:00 none of the three has ended and none is overdue yet (T 38 h, U 14 h, V 4 h
    so far): all open in October. November's end knows them all: T met, U breached (a month
    open), V breached; each carried over from October."""
    doc = _evaluate(tmp_path, "--period", "2026-10", "--through", "2026-11")
    assert doc["as_of"] == "period-end"
    assert _figures(doc, "2026-10") == (0, 0, 3, 0)
    assert _figures(doc, "2026-11") == (1, 2, 0, 3)


def test_an_instant_judges_october_with_what_was_known_then(tmp_path: Path) -> None:
    """As of Thu 5 Nov 00:00 UTC: T ended on 2 Nov, 72 h, met in October with its real duration;
    U has been open 4 d 14 h > 3 d, V 4 d 4 h > 3 d (its end on 10 Nov is not known yet): both
    breached in October. Nothing is left for November."""
    doc = _evaluate(
        tmp_path,
        "--period",
        "2026-10",
        "--through",
        "2026-11",
        "--as-of",
        "2026-11-05T01:00:00+01:00",
    )
    assert doc["as_of"] == "2026-11-05T00:00:00Z"
    assert _figures(doc, "2026-10") == (1, 2, 0, 0)
    assert _figures(doc, "2026-11")[:3] == (0, 0, 0)


def test_an_instant_before_the_outcome_leaves_the_items_open(tmp_path: Path) -> None:
    """As of Sun 1 Nov 12:00 UTC: T open 2 d 2 h, U 1 d 2 h, V 16 h, none ended, none overdue:
    three open, none judged."""
    doc = _evaluate(tmp_path, "--period", "2026-10", "--as-of", "2026-11-01T12:00:00Z")
    assert _figures(doc, "2026-10") == (0, 0, 3, 0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("yesterday", "is not an instant"),
        ("2026-11-05T09:00", "has no offset"),
        ("2026-11-05", "has no offset"),
    ],
)
def test_a_bad_as_of_is_a_usage_error(tmp_path: Path, text: str, says: str) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text(CONTRACT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(contract), "--as-of", text])
    assert result.exit_code == 2
    assert result.stderr.startswith("slac: error: --as-of: ")
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_as_of_text_round_trips() -> None:
    assert parse_as_of("period-end") == AsOf()
    instant = parse_as_of("2026-11-05T09:00:00.250000+01:00")
    assert instant.text == "2026-11-05T08:00:00.250000Z"
    assert parse_as_of(instant.text) == instant


def _write(tmp_path: Path) -> Path:
    contract = tmp_path / "contract.yaml"
    contract.write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    (tmp_path / "bindings.yaml").write_text(
        "bindings: 1\ndatasets:\n  tickets: {path: tickets.csv}\n", encoding="utf-8"
    )
    return contract


def test_the_statement_is_judged_as_of_the_instant_given(tmp_path: Path) -> None:
    """October as of 5 November: 1 of 3 within 3 days (T met; U, V overdue) = 33.33%; as
    known at October's end: nothing judged yet (3 open)."""
    contract = _write(tmp_path)
    args = ["statement", str(contract), "--period", "2026-10", "--format", "txt"]
    later = CliRunner().invoke(cli, [*args, "--as-of", "2026-11-05T00:00:00Z"])
    assert later.exit_code == 0, later.stderr
    assert "33.33%" in later.stdout
    at_end = CliRunner().invoke(cli, args)
    assert at_end.exit_code == 0, at_end.stderr
    assert "33.33%" not in at_end.stdout and "3 open" in at_end.stdout


def test_a_close_records_what_it_knew(tmp_path: Path) -> None:
    contract = _write(tmp_path)
    ledger = tmp_path / "ledger.duckdb"
    result = CliRunner().invoke(
        cli,
        [
            "close",
            str(contract),
            "--period",
            "2026-10",
            "--ledger",
            str(ledger),
            "--by",
            "t",
            "--as-of",
            "2026-11-05T00:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.stderr
    from slac.ledger.store import open_store

    with open_store(str(ledger)) as store:
        (stored,) = store.revisions("as-of")
    document = json.loads(stored.results)
    assert document["as_of"] == "2026-11-05T00:00:00Z"
    october = document["periods"][0]["objectives"][0]
    assert (october["met"], october["breached"], october["open"]) == (1, 2, 0)


def test_the_credit_export_is_evaluated_as_of_the_instant_given(tmp_path: Path) -> None:
    """With a 10% credit below the target on a 1,000.00 EUR fee: October as of 5 November is
    breached (1 of 3, 33.33%) and owes 100.00; as known at October's end nothing is judged yet
    (insufficient data), and nothing is owed."""
    contract = _write(tmp_path)
    text = CONTRACT.replace(
        "datasets:", 'commercials: {currency: EUR, monthly_fee: "1000.00"}\ndatasets:'
    ).replace(
        'target: ">= 90%"}',
        'target: ">= 90%", credit: {tiers: [{below: "90%", percent: "10%"}]}}',
    )
    contract.write_text(text, encoding="utf-8")
    args = ["credits", str(contract), "--period", "2026-10", "--format", "json"]
    later = CliRunner().invoke(cli, [*args, "--as-of", "2026-11-05T00:00:00Z"])
    assert later.exit_code == 0, later.stderr
    (row,) = json.loads(later.stdout)["rows"]
    assert (row["period"], row["amount"], row["state"]) == ("2026-10", "100.00", "draft")
    at_end = CliRunner().invoke(cli, args)
    assert at_end.exit_code == 0, at_end.stderr
    assert json.loads(at_end.stdout)["rows"] == []
