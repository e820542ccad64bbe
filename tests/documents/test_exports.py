"""The finance export (ledger) of `slac credits`: golden files, CSV injection, money formats,
determinism and row counts.

Golden files live in ``tests/golden/exports/``: the five examples evaluated over
2026-09 … 2026-11 as one portfolio. Regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/documents/test_exports.py

and review the diff: every change there changes what finance books.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from slac import api
from slac.documents.exports import (
    CSV_COLUMNS,
    LedgerRow,
    ledger_rows,
    safe_text,
    to_csv,
    to_json,
)
from slac.evaluation.results import CreditLine, PeriodResult, Results
from slac.plan.types import Plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/contract.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "exports"
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"
TODAY = date(2026, 11, 1)  # lint's review-date check must not depend on the clock

Portfolio = list[tuple[Results, Plan]]


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    pairs: Portfolio = []
    for example in EXAMPLES:
        contract = str(EXAMPLES_DIR / example / "contract.yaml")
        plan = api.compile_plan(contract, today=TODAY).value
        evaluation = api.evaluate(contract, period="2026-09", through="2026-11", today=TODAY)
        assert plan is not None and evaluation.value is not None, evaluation.errors
        pairs.append((evaluation.value, plan))
    return pairs


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def period_result(period: str, credit: Decimal, currency: str | None) -> PeriodResult:
    line = CreditLine(
        objective="uptime",
        scope=(("region", "eu"),),
        period=period,
        tier=1,
        tier_text="< 99.9%",
        percent=Decimal("0.025"),
        fee=None,
        incidents=None,
        amount=credit,
    )
    return PeriodResult(
        period=period,
        terms_from="2026-01-01",
        amendment=None,
        objectives=(),
        service_level=None,
        grade=None,
        judged=1,
        met=0,
        credit_lines=(line,) if credit else (),
        combine="sum",
        combined=credit,
        pool_at_risk=None,
        pool_capped=False,
        cap=None,
        cap_applied=False,
        minimum=None,
        minimum_applied=False,
        earn_back="none",
        credit=credit,
        currency=currency,
        claim_deadline="2026-12-01T00:00:00+00:00" if credit else None,
        chronic_failure=(),
        escalations=(),
    )


def hand_made(plan: Plan, currency: str, *credits: tuple[str, Decimal]) -> Results:
    """Results written by hand, for the contract of ``plan`` (credits in ``currency``)."""
    periods = tuple(period_result(p, c, currency) for p, c in credits)
    return Results(
        results_version=1,
        slac_version="0.0.0",
        contract_id=plan.contract_id,
        contract_title=None,
        contract_version="1",
        provider="Provider Ltd",
        customer="Customer Ltd",
        timezone="UTC",
        plan_sha256="0" * 64,
        source_sha256="1" * 64,
        periods=periods,
        total_credit=sum((c for _, c in credits), Decimal(0)),
        currency=currency,
        inputs=(),
        bad_rows=0,
        bad_rows_listed=(),
        on_bad_rows="error",
    )


def plain_plan(portfolio: Portfolio) -> Plan:
    """A real plan without an at-risk pool (its credits come from credit lines)."""
    for results, plan in portfolio:
        if results.contract_id == "skyhost-hosting-2026":
            return plan
    raise AssertionError("no hosting example")


# ---------------------------------------------------------------- golden files


def test_every_example_is_in_the_portfolio() -> None:
    assert EXAMPLES == [
        "contact-centre",
        "customer-support",
        "fulfilment",
        "hosting-availability",
        "it-outsourcing",
        "managed-services",
    ]


@pytest.mark.parametrize(("name", "render"), [("ledger.csv", to_csv), ("ledger.json", to_json)])
def test_ledger_matches_golden_file(
    portfolio: Portfolio, name: str, render: Callable[[Sequence[LedgerRow]], str]
) -> None:
    text = render(ledger_rows(portfolio))
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
        return
    assert golden.exists(), f"{golden} is missing: run with SLAC_UPDATE_GOLDEN=1"
    assert golden.read_bytes() == text.encode("utf-8"), (
        f"the ledger ({name}) changed; if that is intended, regenerate with "
        "SLAC_UPDATE_GOLDEN=1 and review the diff"
    )


# ---------------------------------------------------------------- rows


def test_one_row_per_period_with_a_credit(portfolio: Portfolio) -> None:
    rows = ledger_rows(portfolio)
    credited = [(r.contract_id, p.period) for r, _ in portfolio for p in r.periods if p.credit]
    assert len(rows) == len(credited) == 13
    assert sorted((row.contract_id, row.period) for row in rows) == sorted(credited)
    assert all(row.amount != 0 for row in rows)


def test_rows_carry_the_issued_amount_unrounded(portfolio: Portfolio) -> None:
    rows = {(row.contract_id, row.period): row for row in ledger_rows(portfolio)}
    for results, _ in portfolio:
        for period in results.periods:
            if period.credit:
                row = rows[(results.contract_id, period.period)]
                assert row.amount == period.credit
                assert row.currency == period.currency
                assert row.plan_sha256 == results.plan_sha256
                assert row.earn_back == period.earn_back
    total = sum((row.amount for row in rows.values()), Decimal(0))
    assert total == sum((r.total_credit for r, _ in portfolio), Decimal(0))


def test_causes_name_the_objectives(portfolio: Portfolio) -> None:
    rows = {(row.contract_id, row.period): row for row in ledger_rows(portfolio)}
    support = rows[("acme-support-2026", "2026-10")]
    assert support.objectives == ("frt-p2", "res-p1")
    assert support.tiers == (1, 2)
    assert support.percents == (Decimal("0.03"), Decimal("0.08"))
    # the fulfilment contract caps November; the IT contract's pool caps it
    assert rows[("rheinretail-fulfilment-2026", "2026-11")].cap_applied
    pooled = rows[("globex-managed-it-2026", "2026-10")]
    assert pooled.objectives == ("incident-p1", "availability-critical")
    assert pooled.scopes == ((), (("application", "sap-erp"),))
    assert pooled.tiers == (None, None)
    assert not pooled.cap_applied
    assert rows[("globex-managed-it-2026", "2026-11")].cap_applied


def test_dropped_lines_are_not_among_the_causes(portfolio: Portfolio) -> None:
    """A credit line that does not count (combine: per-incident gave its incident to a larger
    line, or it is under a per-line minimum) is no cause of the amount booked: of the support
    contract's October lines frt-p2 and res-p1, res-p1 marked dropped leaves frt-p2 alone."""
    results, plan = next(p for p in portfolio if p[0].contract_id == "acme-support-2026")
    periods = tuple(
        replace(
            period,
            credit_lines=tuple(
                replace(line, dropped="one credit per incident: T-1 is credited by frt-p2")
                if line.objective == "res-p1"
                else line
                for line in period.credit_lines
            ),
        )
        for period in results.periods
    )
    rows = {row.period: row for row in ledger_rows([(replace(results, periods=periods), plan)])}
    assert rows["2026-10"].objectives == ("frt-p2",)
    assert rows["2026-10"].tiers == (1,)


def test_results_and_plan_of_different_contracts_are_refused(portfolio: Portfolio) -> None:
    (first, _), (_, other_plan) = portfolio[0], portfolio[1]
    with pytest.raises(ValueError, match="paired with the plan"):
        ledger_rows([(first, other_plan)])


# ---------------------------------------------------------------- determinism


def test_renderings_are_deterministic(portfolio: Portfolio) -> None:
    rows = ledger_rows(portfolio)
    again = ledger_rows(list(reversed(portfolio)))  # the order contracts are given in
    assert rows == again
    assert to_csv(rows) == to_csv(again) == to_csv(list(rows))
    assert to_json(rows) == to_json(again)


def test_json_is_canonical(portfolio: Portfolio) -> None:
    text = to_json(ledger_rows(portfolio))
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["ledger_version"] == 1
    assert all(isinstance(row["amount"], str) for row in data["rows"])
    assert {row["amount"] for row in data["rows"]} >= {"1320.00", "18000.00", "850.00"}


# ---------------------------------------------------------------- CSV


def test_csv_is_rfc_4180(portfolio: Portfolio) -> None:
    text = to_csv(ledger_rows(portfolio))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert len(lines) == 1 + 13 + 1  # header, rows, the empty string after the last \r\n
    rows = parse_csv(text)
    assert [r["amount"] for r in rows if r["contract_id"] == "skyhost-hosting-2026"] == [
        "2500.00",
        "5400.00",
    ]


def test_csv_quotes_separators_and_line_breaks(portfolio: Portfolio) -> None:
    results, plan = portfolio[0]
    tricky = replace(results, customer='Smith, "Jones"\r\n& Co')
    text = to_csv(ledger_rows([(tricky, plan)]))
    assert {row["customer"] for row in parse_csv(text)} == {'Smith, "Jones"\r\n& Co'}


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "-2+3", "@SUM(A1)", "+1", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(portfolio: Portfolio, name: str) -> None:
    results, plan = portfolio[0]
    evil = replace(results, customer=name, provider=name)
    text = to_csv(ledger_rows([(evil, plan)]))
    rows = parse_csv(text)
    assert rows
    for row in rows:
        assert row["customer"] == "'" + name
        assert row["provider"] == "'" + name
        assert row["amount"][0].isdigit()  # numbers are left alone
    # JSON is data, not a spreadsheet: the name is kept as it is
    assert {r["customer"] for r in json.loads(to_json(ledger_rows([(evil, plan)])))["rows"]} == {
        name
    }


def test_negative_amounts_stay_numbers(portfolio: Portfolio) -> None:
    plan = plain_plan(portfolio)
    results = hand_made(plan, "USD", ("2026-10", Decimal("-12.50")))
    results = replace(results, customer="-2+3")
    (row,) = parse_csv(to_csv(ledger_rows([(results, plan)])))
    assert row["amount"] == "-12.50"
    assert Decimal(row["amount"]) == Decimal("-12.50")
    assert row["credit_percents"] == "2.5"
    assert row["tiers"] == "1"
    assert row["customer"] == "'-2+3"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tA", "'\tA"),
        ("\rA", "'\rA"),
        ("\0A", "'\0A"),
        ("ACME GmbH", "ACME GmbH"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_safe_text(cell: str, safe: str) -> None:
    assert safe_text(cell) == safe


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("currency", "credit", "text"),
    [
        ("JPY", Decimal("500"), "500"),
        ("JPY", Decimal("1E+3"), "1000"),
        ("KWD", Decimal("12.345"), "12.345"),
        ("KWD", Decimal("7"), "7.000"),
        ("EUR", Decimal("12.5"), "12.50"),
    ],
)
def test_amounts_have_the_currency_minor_unit(
    portfolio: Portfolio, currency: str, credit: Decimal, text: str
) -> None:
    plan = plain_plan(portfolio)
    results = hand_made(plan, currency, ("2026-09", Decimal(0)), ("2026-10", credit))
    rows = ledger_rows([(results, plan)])
    assert len(rows) == 1  # the period without a credit gives no row
    assert [r["amount"] for r in parse_csv(to_csv(rows))] == [text]
    (data,) = json.loads(to_json(rows))["rows"]
    assert data["amount"] == text
    assert data["currency"] == currency


@pytest.mark.parametrize(
    ("currency", "credit"),
    [("JPY", Decimal("500.4")), ("KWD", Decimal("1.2345")), ("EUR", Decimal("0.005"))],
)
def test_amounts_are_never_rounded_again(
    portfolio: Portfolio, currency: str, credit: Decimal
) -> None:
    plan = plain_plan(portfolio)
    results = hand_made(plan, currency, ("2026-10", credit))
    with pytest.raises(ValueError, match="never rounds"):
        ledger_rows([(results, plan)])


def test_an_edited_row_is_not_rounded_either() -> None:
    row = LedgerRow(
        contract_id="c",
        customer="x",
        provider="y",
        period="2026-10",
        objectives=(),
        scopes=(),
        tiers=(),
        percents=(),
        amount=Decimal("1.005"),
        currency="USD",
        minor_unit=2,
        cap_applied=False,
        earn_back="none",
        claim_deadline=None,
        plan_sha256="0" * 64,
    )
    with pytest.raises(ValueError, match="never rounds"):
        to_csv([row])
    with pytest.raises(ValueError, match="never rounds"):
        to_json([row])
