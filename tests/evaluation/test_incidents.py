"""Claims counted from the incident and one credit per incident (issue 10, items 5 and 7).

Each test evaluates a small contract over hand-written tickets through the command line, so
the figures are the SQL engine's, worked out by hand below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from slac.cli import cli

CONTRACT = """\
slac: 1
id: incident-test
version: "1"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: Europe/Berlin
parties:
  provider: {name: Provider}
  customer: {name: Customer}
datasets:
  tickets:
    kind: tickets
    key: id
    time: created_at
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      resolved_at: {type: timestamp}
      wait_minutes: {type: decimal}
metrics:
  resolution:
    dataset: tickets
    duration: {from: created_at, to: resolved_at}
  waiting:
    dataset: tickets
    value: {fields: [wait_minutes], unit: minutes}
commercials: {currency: EUR, monthly_fee: "1000.00"}
credits:
CREDITS
objectives:
  - id: resolve-4h
    metric: resolution
    within: 4h
    target: ">= 90%"
    open_items: judge-overdue
    credit: {tiers: [{below: 90%, percent: 10%}]}
OTHERS"""

# T-1: 2 h (met). T-2: 6 h, resolved 2026-10-12T14:00Z (breached). T-3: 6.5 h, resolved
# 2026-10-20T12:30Z = 14:30 CEST (breached, the latest).
TICKETS = """\
id,created_at,resolved_at,wait_minutes
T-1,2026-10-05T09:00:00Z,2026-10-05T11:00:00Z,5
T-2,2026-10-12T08:00:00Z,2026-10-12T14:00:00Z,5
T-3,2026-10-20T06:00:00Z,2026-10-20T12:30:00Z,5
"""


def evaluate(folder: Path, credits: str, tickets: str = TICKETS, others: str = "") -> Any:
    contract = folder / "contract.yaml"
    contract.write_text(
        CONTRACT.replace("CREDITS", credits).replace("OTHERS", others), encoding="utf-8"
    )
    (folder / "tickets.csv").write_text(tickets, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(contract),
            "--period",
            "2026-10",
            "--today",
            "2026-11-01",
            f"--data=tickets={folder / 'tickets.csv'}",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (period,) = json.loads(result.stdout)["periods"]
    return period


def test_a_claim_within_30_days_of_the_incident_counts_from_the_latest_breach(
    tmp_path: Path,
) -> None:
    """Google Cloud's SLA credit form (https://support.google.com/cloud/contact/cloud_platform_sla):
    "A Notification of SLA Financial Credit Eligibility must be submitted within 30 days from
    the time the customer becomes eligible to receive a financial credit." Google adds "The
    eligibility window begins at the close of the month for which the customer is claiming
    credits." — that is `from: period-end` (checked last below); a contract that counts the
    same 30 days from the incident writes `claim: {within: 30d, from: incident}`, and the
    window opens at the latest breach behind the credit line.

    By hand: T-2 and T-3 breach (1 of 3 met, below 90%: 10% of 1,000.00 = 100.00); T-3 was
    resolved last, 2026-10-20 14:30 CEST, so the claim is due 30 calendar days later at the
    same local time, 2026-11-19 14:30 CET (+01:00, after the change back from summer time).
    From the period's end it would be 2026-12-01 00:00."""
    period = evaluate(tmp_path, "  claim: {within: 30d, from: incident}")
    assert period["credit"] == "100.00"
    assert period["claim_deadline"] == "2026-11-19T14:30:00+01:00"
    later = evaluate(tmp_path, "  claim: {within: 30d, from: period-end}")
    assert later["claim_deadline"] == "2026-12-01T00:00:00+01:00"


def test_an_item_overdue_at_the_period_end_dates_its_incident_by_the_period_end(
    tmp_path: Path,
) -> None:
    """T-4, opened 2026-10-31 20:00 UTC and still open, is overdue at the period's end
    (judge-overdue): its breach is dated by the period's end (2026-11-01 00:00 CET), the latest,
    so 30 days from the incident is 2026-12-01 00:00 CET."""
    tickets = TICKETS + "T-4,2026-10-31T18:00:00Z,,5\n"
    period = evaluate(tmp_path, "  claim: {within: 30d, from: incident}", tickets)
    assert period["claim_deadline"] == "2026-12-01T00:00:00+01:00"


def test_the_earliest_line_deadline_is_the_periods(tmp_path: Path) -> None:
    """Two credit lines: resolution (latest breach 2026-10-20 14:30 CEST) and waiting time
    (value kind, each ticket's wait ≤ 10 minutes; only T-1 waited longer, created
    2026-10-05 09:00 UTC = 11:00 CEST). A claim within 30 days of each incident: the lines are
    due 2026-11-19 14:30 CET and 2026-11-04 11:00 CET; claiming by the earlier claims both."""
    tickets = TICKETS.replace(
        "T-1,2026-10-05T09:00:00Z,2026-10-05T11:00:00Z,5",
        "T-1,2026-10-05T09:00:00Z,2026-10-05T11:00:00Z,25",
    )
    others = """\
  - id: wait-10m
    metric: waiting
    within: 10m
    target: ">= 90%"
    credit: {tiers: [{below: 90%, percent: 5%}]}
"""
    period = evaluate(tmp_path, "  claim: {within: 30d, from: incident}", tickets, others)
    assert period["credit"] == "150.00"
    assert period["claim_deadline"] == "2026-11-04T11:00:00+01:00"


PER_INCIDENT = """\
  - id: wait-10m
    metric: waiting
    within: 10m
    target: ">= 90%"
    credit: {tiers: [{below: 90%, percent: 5%}]}
"""


def test_one_incident_earns_one_credit(tmp_path: Path) -> None:
    """One incident, one credit (issue 10, item 5; docs/semantics.md, "Combining"): a ticket
    that misses two service levels is credited once, by the larger line. The Microsoft Online
    Services SLA defines the unit (copy at https://globalturner.com/sla/sla-vm-and-vps/):
    "“Incident” means (i) any single event, or (ii) any set of events, that result in
    Downtime." Paraphrased (issue 10's wording, no published sentence found): "an incident that
    breaches several service levels earns one credit".

    By hand, `combine: per-incident`: resolution pays 20.00 per breached ticket (T-2, T-3:
    2 × 20.00 = 40.00); waiting time (T-3 waited 25 minutes > 10, 2 of 3 met, 66.7% < 90%)
    pays 5% of 1,000.00 = 50.00. Both lines credit T-3: only the larger, waiting's 50.00,
    counts; resolution's 40.00 is listed as dropped. With `sum` the period would pay 90.00."""
    tickets = TICKETS.replace("2026-10-20T12:30:00Z,5", "2026-10-20T12:30:00Z,25")
    resolution = "    credit: {tiers: [{below: 90%, percent: 10%}]}\n"
    per_ticket = '    credit: {per_incident: {amount: "20.00"}}\n'
    contract = CONTRACT.replace(resolution, per_ticket)
    period = _evaluate_text(tmp_path, contract, "  combine: per-incident", tickets)
    lines = {
        line["objective"]: (line["amount"], line["dropped"]) for line in period["credit_lines"]
    }
    assert lines == {
        "resolve-4h": ("40.00", "one credit per incident: T-3 is credited by wait-10m"),
        "wait-10m": ("50.00", None),
    }
    assert (period["combined"], period["credit"]) == ("50.00", "50.00")
    summed = _evaluate_text(tmp_path, contract, "  combine: sum", tickets)
    assert summed["credit"] == "90.00"


def _evaluate_text(folder: Path, contract: str, credits: str, tickets: str) -> Any:
    contract = contract.replace("OTHERS", PER_INCIDENT)
    path = folder / "contract.yaml"
    path.write_text(contract.replace("CREDITS", credits), encoding="utf-8")
    (folder / "tickets.csv").write_text(tickets, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(path),
            "--period",
            "2026-10",
            "--today",
            "2026-11-01",
            f"--data=tickets={folder / 'tickets.csv'}",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (period,) = json.loads(result.stdout)["periods"]
    return period
