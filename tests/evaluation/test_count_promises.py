"""Promises that something happens, judged by the real evaluator (issue 10, item 8).

A count objective ("at least one report each month", `target: ">= 1"`) over hand-written
rows, evaluated through the command line, so the figures are the SQL engine's, worked out by
hand below. docs/semantics.md: "a count objective is a promise that something happens ... so a
month without any row measures 0 and breaches it"; "With `scope`, the scope values are those
present in the period's rows: a scope value without any row in the period is not listed".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from slac.cli import cli

CONTRACT = """\
slac: 1
id: report-test
version: "1"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: Europe/Berlin
parties:
  provider: {name: Provider}
  customer: {name: City}
datasets:
  reports:
    kind: events
    key: id
    time: delivered_at
    fields:
      id: {type: string}
      delivered_at: {type: timestamp}
      service: {type: string, values: [portal, api]}
metrics:
  reports: {dataset: reports, count: {}}
commercials: {currency: EUR, monthly_fee: "1000.00"}
objectives:
  - id: monthly-report
    metric: reports
    target: ">= 1"
    credit: {tiers: [{below: 1, percent: 10%}]}
  - id: report-per-service
    metric: reports
    target: ">= 1"
    scope: [service]
"""

# September: two reports (one per service). October: none. November: one, for the portal only;
# it was delivered 2026-10-31 23:30 UTC = 2026-11-01 00:30 CET (+01:00 after the change back
# from summer time on 2026-10-25), so it is November's in Europe/Berlin, not October's.
REPORTS = """\
id,delivered_at,service
R-1,2026-09-03T09:00:00Z,portal
R-2,2026-09-15T09:00:00Z,api
R-3,2026-10-31T23:30:00Z,portal
"""


def evaluate(folder: Path) -> Any:
    contract = folder / "contract.yaml"
    contract.write_text(CONTRACT, encoding="utf-8")
    (folder / "reports.csv").write_text(REPORTS, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(contract),
            "--period",
            "2026-09",
            "--through",
            "2026-11",
            "--today",
            "2026-12-01",
            f"--data=reports={folder / 'reports.csv'}",
            "--quiet",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def outcomes(doc: Any, objective: str) -> list[tuple[str, dict[str, str], str, str]]:
    return [
        (o["period"], o["scope"], o["measured"], o["status"])
        for p in doc["periods"]
        for o in p["objectives"]
        if o["objective"] == objective
    ]


def test_a_month_without_the_promised_report_is_breached_and_credited(tmp_path: Path) -> None:
    """A city's SaaS contract, "Service Level Reporting" (https://lawinsider.com/clause/service-level-reporting):
    "On a monthly basis, in arrears and no later than the fifteenth (15th) calendar day of the
    subsequent month following the reporting month, Contractor shall provide reports to City
    describing the performance of the SaaS Services" ... "Where Contractor fails to provide a
    report for a service level standard described herein in the applicable timeframe, the
    service level standard shall be deemed to be completely failed for the purposes of
    calculating a Performance Credit."

    By hand: September 2 reports, 2 >= 1 met; October 0 reports (R-3 is November's, see
    REPORTS), 0 >= 1 false: breached, not "insufficient data", and the tier below 1 credits
    10% of 1,000.00 = 100.00; November 1 report, met.
    """
    doc = evaluate(tmp_path)
    assert outcomes(doc, "monthly-report") == [
        ("2026-09", {}, "2", "met"),
        ("2026-10", {}, "0", "breached"),
        ("2026-11", {}, "1", "met"),
    ]
    october = next(p for p in doc["periods"] if p["period"] == "2026-10")
    (breach,) = [o for o in october["objectives"] if o["objective"] == "monthly-report"]
    assert breach["sample"] == 0
    assert breach["reason"] == ""
    assert breach["credit"]["amount"] == "100.00"
    assert [(line["objective"], line["amount"]) for line in october["credit_lines"]] == [
        ("monthly-report", "100.00")
    ]
    assert october["credit"] == "100.00"
    assert [p["credit"] for p in doc["periods"]] == ["0.00", "100.00", "0.00"]


def test_a_count_per_scope_judges_the_values_present(tmp_path: Path) -> None:
    """The same promise per service (`scope: [service]`). By hand: September portal 1 and api 1,
    each met. October has no row at all: one measurement for all scope values, 0, breached
    (src/slac/evaluation/selection.py, `with_empty`: "with scope as one measurement for all
    scope values (none of them had rows)"). November: portal 1, met; api has no row and, as
    docs/semantics.md says, "a scope value without any row in the period is not listed",
    though `values: [portal, api]` declares it (a promise per service that must hold even in a
    month without rows is written as one objective per service).
    """
    doc = evaluate(tmp_path)
    assert outcomes(doc, "report-per-service") == [
        ("2026-09", {"service": "api"}, "1", "met"),
        ("2026-09", {"service": "portal"}, "1", "met"),
        ("2026-10", {}, "0", "breached"),
        ("2026-11", {"service": "portal"}, "1", "met"),
    ]
