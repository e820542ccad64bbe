"""Fees from billing data (issue 10): `commercials.fees_from` reads each service's monthly
charge from a bound dataset, so a credit is a share of what was actually billed.

The published text: AWS's service credit is a percentage of "the total charges paid by you
for the individual Included Service in the affected AWS region for the monthly billing cycle
in which the Unavailability occurred" (Amazon Compute Service Level Agreement). Those charges
differ from month to month; they live in billing data, not in the contract.

Every figure below is worked out by hand (docs/semantics.md, "Fees from billing data"). Each
test runs the whole CLI: contract, bindings, CSV files, `slac evaluate`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from jsonschema import Draft202012Validator

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
RESULTS_SCHEMA = json.loads((ROOT / "schemas" / "results.schema.json").read_text("utf-8"))

CONTRACT = """\
slac: 1
kind: contract
id: billing-test
version: "1.0"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: Europe/Berlin
parties:
  provider: {name: Example Hosting}
  customer: {name: ACME GmbH}
commercials:
  currency: EUR
  fees_from: {dataset: billing, by: service}
datasets:
  tickets:
    kind: tickets
    key: id
    fields:
      id: {type: string}
      service: {type: string, values: [web, api, batch]}
      created_at: {type: timestamp}
      resolved_at: {type: timestamp}
  billing:
    kind: billing
    fields:
      service: {type: string}
      month: {type: string}
      amount: {type: decimal}
      currency: {type: string}
metrics:
  resolution:
    dataset: tickets
    duration: {from: created_at, to: resolved_at}
objectives:
  - id: resolution
    metric: resolution
    within: 4h
    target: ">= 90%"
    period: PERIOD
    scope: [service]
    fee: {by: service}
    credit:
      tiers:
        - {below: 90%, percent: 10%}
"""

BINDINGS = """\
bindings: 1
datasets:
  tickets: {path: data/tickets.csv}
  billing: {path: data/billing.csv}
"""

# Each service has one ticket in October, resolved in 5 hours: 0% within 4h, breached.
TICKETS = "id,service,created_at,resolved_at\n" + "".join(
    f"T-{i},{service},2026-10-0{i}T09:00:00+02:00,2026-10-0{i}T14:00:00+02:00\n"
    for i, service in enumerate(["web", "api", "batch"], start=1)
)


def case(tmp_path: Path, billing: str, period: str = "month") -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "contract.yaml").write_text(CONTRACT.replace("PERIOD", period), "utf-8")
    (tmp_path / "bindings.yaml").write_text(BINDINGS, "utf-8")
    (tmp_path / "data" / "tickets.csv").write_text(TICKETS, "utf-8")
    (tmp_path / "data" / "billing.csv").write_text(
        "service,month,amount,currency\n" + billing, "utf-8"
    )
    return tmp_path / "contract.yaml"


def evaluate(contract: Path, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = CliRunner().invoke(
        cli, ["evaluate", str(contract), "--today", "2027-02-01", *args], catch_exceptions=False
    )
    doc = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, doc, result.stderr


def by_service(period: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {dict(o["scope"])["service"]: o for o in period["objectives"]}


def test_each_service_is_credited_against_its_billed_charge_for_the_month(tmp_path: Path) -> None:
    """web billed 1234.56 in October: 10% is 123.456 exactly (as a float, 123.45600000000002);
    api billed 2000.00: 200.00. batch has no October row: breached, no percentage credit, and
    the result says which month is missing (never a silent zero). The November rows are
    outside the evaluated month. Total 323.456, rounded once half-up: 323.46 EUR."""
    contract = case(
        tmp_path,
        "web,2026-10,1234.56,EUR\napi,2026-10,2000.00,EUR\nweb,2026-11,999.00,EUR\n",
    )
    code, doc, err = evaluate(contract, "--period", "2026-10")
    assert code == 0, err
    assert doc is not None
    (october,) = doc["periods"]
    services = by_service(october)
    assert (services["web"]["credit"]["fee"], services["web"]["credit"]["amount"]) == (
        "1234.56",
        "123.456",
    )
    assert (services["api"]["credit"]["fee"], services["api"]["credit"]["amount"]) == (
        "2000.00",
        "200.00",
    )
    batch = services["batch"]
    assert (batch["status"], batch["credit"]) == ("breached", None)
    assert (
        batch["reason"] == "no charge for service=batch in 2026-10 in billing: no percentage credit"
    )
    assert october["credit"] == "323.46"
    # A line before the single rounding keeps every digit (123.456), and the results schema
    # says so: money has at least the currency's decimals until it is rounded.
    errors = list(Draft202012Validator(RESULTS_SCHEMA).iter_errors(doc))
    assert not errors, [(list(e.absolute_path), e.message) for e in errors]
    (billing,) = [a for a in doc["row_accounts"] if a["dataset"] == "billing"]
    # web and api October: the fees of measured services; web November: outside October.
    assert {k: billing[k] for k in ("input", "judged", "filtered", "outside", "bad")} == {
        "input": 3,
        "judged": 2,
        "filtered": 0,
        "outside": 1,
        "bad": 0,
    }


def test_a_quarterly_objective_takes_the_sum_of_the_quarters_charges(tmp_path: Path) -> None:
    """A quarter's billing cycles are its three months: web 1000.10 + 1000.20 + 1000.30 =
    3000.60, 10% = 300.06. api has no December row: no credit, the reason names 2026-12.
    batch has none at all: the reason names all three months."""
    contract = case(
        tmp_path,
        "web,2026-10,1000.10,EUR\nweb,2026-11,1000.20,EUR\nweb,2026-12,1000.30,EUR\n"
        "api,2026-10,500.00,EUR\napi,2026-11,500.00,EUR\n",
        period="quarter",
    )
    code, doc, err = evaluate(contract, "--period", "2026-Q4")
    assert code == 0, err
    assert doc is not None
    december = doc["periods"][-1]
    services = by_service(december)
    assert services["web"]["credit"]["fee"] == "3000.60"
    assert services["web"]["credit"]["amount"] == "300.06"
    assert services["api"]["reason"] == (
        "no charge for service=api in 2026-12 in billing: no percentage credit"
    )
    assert services["batch"]["reason"] == (
        "no charge for service=batch in 2026-10, 2026-11, 2026-12 in billing: no percentage credit"
    )
    assert december["credit"] == "300.06"


BAD_BILLING = (
    "web,2026-10,1234.56,EUR\n"  # row 1: the charge
    "web,2026-10,1.00,EUR\n"  # row 2: a second charge for web in October
    "api,2026-10,2000.00,USD\n"  # row 3: another currency
    "batch,2026-10,-5.00,EUR\n"  # row 4: negative
    "db,2026-10,12.345,EUR\n"  # row 5: more decimals than EUR has
    "cdn,Oct 2026,10.00,EUR\n"  # row 6: not a billing month
    "edge,2026-10,,EUR\n"  # row 7: no amount
)


def test_bad_billing_rows_are_named_with_file_and_row(tmp_path: Path) -> None:
    """Every bad charge stops the evaluation (the default) and is listed as file:row."""
    contract = case(tmp_path, BAD_BILLING)
    code, _, err = evaluate(contract, "--period", "2026-10")
    assert code == 1
    for text in (
        "billing.csv:2: billing.service: second charge for web in 2026-10: its first row is row 1 of billing.csv",
        "billing.csv:3: billing.currency: charge in USD, but the contract's currency is EUR",
        "billing.csv:4: billing.amount: negative charge: -5.000000000",
        "billing.csv:5: billing.amount: more than 2 decimals for the currency: 12.345000000",
        "billing.csv:6: billing.month: not a billing month (YYYY-MM): Oct 2026",
        "billing.csv:7: billing.amount: empty value",
    ):
        assert text in err, err
    assert "6 bad row(s)" in err


def test_excluding_bad_billing_rows_keeps_the_first_charge_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    """With --on-bad-rows exclude the first web row (1234.56) is the charge: 10% = 123.456;
    api's USD row is bad, so api has no charge and no credit. Total 123.46. The billing
    account: 7 rows = 1 judged + 6 bad."""
    contract = case(tmp_path, BAD_BILLING)
    code, doc, err = evaluate(contract, "--period", "2026-10", "--on-bad-rows", "exclude")
    assert code == 0, err
    assert doc is not None
    (october,) = doc["periods"]
    services = by_service(october)
    assert services["web"]["credit"]["amount"] == "123.456"
    assert services["api"]["credit"] is None
    assert october["credit"] == "123.46"
    (billing,) = [a for a in doc["row_accounts"] if a["dataset"] == "billing"]
    assert (billing["input"], billing["judged"], billing["bad"]) == (7, 1, 6)
    assert billing["input"] == sum(
        billing[k] for k in ("judged", "excluded", "filtered", "outside", "bad", "pending")
    )


def test_diff_names_a_change_of_fee_source_and_does_not_guess_the_exposure(
    tmp_path: Path,
) -> None:
    """Moving from fees written in the contract to fees read from billing data changes every
    percentage credit: `slac diff` lists it, and the new maximum exposure is not known from
    the contract (the charges are data), never a made-up 0."""
    new = case(tmp_path, "")
    old = tmp_path / "old.yaml"
    old.write_text(
        new.read_text("utf-8").replace(
            "  fees_from: {dataset: billing, by: service}",
            '  service_fees: {web: "100.00", api: "250.00", batch: "40.00"}',
        ),
        "utf-8",
    )
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    (source,) = [c for c in doc["changes"] if c["what"] == "fee source"]
    assert (source["old"], source["new"]) == (
        "the contract",
        "billing data “billing” by service (month month, amount amount, currency currency)",
    )
    # Old: each of the 3 services at 10% of its fee: 10.00 + 25.00 + 4.00 = 39.00.
    assert doc["exposure"]["old"]["max_credit"] == "39.00"
    assert (doc["exposure"]["new"]["max_credit"], doc["exposure"]["new"]["fees_from"]) == (
        None,
        "billing",
    )


def test_explain_words_the_billed_fee(tmp_path: Path) -> None:
    contract = case(tmp_path, "")
    result = CliRunner().invoke(cli, ["explain", str(contract)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "read from the “billing” data, one row per service and month" in text
    assert "10% of the charge billed for its service for the month" in text


def test_a_cap_without_a_monthly_fee_is_taken_of_the_months_billed_charges(
    tmp_path: Path,
) -> None:
    """Without `monthly_fee` the cap is a share of the month's billed charges: October bills
    web 1234.56 + api 2000.00 = 3234.56 (November's row is another month's). Cap 5% =
    161.728. The lines add up to 123.456 + 200.00 = 323.456 > 161.728: capped, then rounded
    once, half-up: 161.73."""
    contract = case(
        tmp_path,
        "web,2026-10,1234.56,EUR\napi,2026-10,2000.00,EUR\nweb,2026-11,999.00,EUR\n",
    )
    contract.write_text(contract.read_text("utf-8") + "credits: {cap: 5%}\n", "utf-8")
    code, doc, err = evaluate(contract, "--period", "2026-10")
    assert code == 0, err
    assert doc is not None
    (october,) = doc["periods"]
    assert (october["combined"], october["cap"], october["cap_applied"]) == (
        "323.456",
        "161.728",
        True,
    )
    assert october["credit"] == "161.73"


def test_a_date_month_and_data_bound_on_the_command_line(tmp_path: Path) -> None:
    """The billing month may be a date (any day of the month stands for it), and the billing
    file may be bound with --data like any dataset: api 2000.00 on 2026-10-31 is October's
    charge, 10% = 200.00."""
    contract = case(tmp_path, "")
    text = contract.read_text("utf-8").replace(
        "      month: {type: string}", "      month: {type: date}"
    )
    contract.write_text(text, "utf-8")
    other = tmp_path / "export.csv"
    other.write_text("service,month,amount,currency\napi,2026-10-31,2000.00,EUR\n", "utf-8")
    code, doc, err = evaluate(contract, "--period", "2026-10", "--data", f"billing={other}")
    assert code == 0, err
    assert doc is not None
    services = by_service(doc["periods"][0])
    assert services["api"]["credit"]["amount"] == "200.00"
    assert services["web"]["credit"] is None


def test_a_rolling_cap_adds_each_months_own_billed_charges(tmp_path: Path) -> None:
    """Accord-style "credits in any 12 months at most 20% of the fees of those months", with
    fees that change: web breaches in October and November (credit 100% of its charge:
    1000.00, then 3000.00). October: 20% of October's charges (1000.00 + 500.00 = 1500.00) =
    300.00, capped. November: 20% of (1500.00 + November's 3000.00) = 900.00, less the 300.00
    already credited = 600.00, capped. (Taking November's charges for both months would
    wrongly allow 20% × 6000.00 − 300.00 = 900.00.)"""
    contract = case(
        tmp_path,
        "web,2026-10,1000.00,EUR\napi,2026-10,500.00,EUR\nweb,2026-11,3000.00,EUR\n",
    )
    text = contract.read_text("utf-8").replace("percent: 10%", "percent: 100%")
    text += "credits: {cap: {percent: 20%, per: rolling-12-months}}\n"
    contract.write_text(text, "utf-8")
    (tmp_path / "data" / "tickets.csv").write_text(
        "id,service,created_at,resolved_at\n"
        "T-1,web,2026-10-01T09:00:00+02:00,2026-10-01T14:00:00+02:00\n"
        "T-2,web,2026-11-03T09:00:00+01:00,2026-11-03T14:00:00+01:00\n",
        "utf-8",
    )
    code, doc, err = evaluate(contract, "--period", "2026-10", "--through", "2026-11")
    assert code == 0, err
    assert doc is not None
    october, november = doc["periods"]
    assert (october["combined"], october["cap"], october["credit"]) == (
        "1000.00",
        "300.00",
        "300.00",
    )
    assert (november["combined"], november["cap"], november["credit"]) == (
        "3000.00",
        "600.00",
        "600.00",
    )
