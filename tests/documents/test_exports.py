"""The finance export (ledger) of `slac credits`: golden files, one row per credit-note line,
CSV injection, money formats, credit-note numbers and determinism.

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
import shutil
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
    ledger,
    ledger_rows,
    safe_text,
    to_csv,
    to_json,
)
from slac.evaluation.results import AppliedOverride, CreditLine, PeriodResult, Results
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


def notes(rows: Sequence[LedgerRow]) -> dict[tuple[str, str], list[LedgerRow]]:
    out: dict[tuple[str, str], list[LedgerRow]] = {}
    for row in rows:
        out.setdefault((row.contract_id, row.period), []).append(row)
    return out


def test_one_note_per_period_with_a_credit(portfolio: Portfolio) -> None:
    by_note = notes(ledger_rows(portfolio))
    credited = [(r.contract_id, p.period) for r, _ in portfolio for p in r.periods if p.credit]
    assert len(credited) == 13
    assert sorted(by_note) == sorted(credited)


def test_the_rows_of_a_note_add_up_to_the_credit_issued(portfolio: Portfolio) -> None:
    by_note = notes(ledger_rows(portfolio))
    for results, _ in portfolio:
        for period in results.periods:
            if period.credit:
                rows = by_note[(results.contract_id, period.period)]
                assert sum((row.amount for row in rows), Decimal(0)) == period.credit
                assert [row.line for row in rows] == list(range(1, len(rows) + 1))
                assert {row.currency for row in rows} == {period.currency}
                assert {row.plan_sha256 for row in rows} == {results.plan_sha256}
                assert {row.earn_back for row in rows} == {period.earn_back}
                assert {row.state for row in rows} == {"draft"}
    total = sum((row.amount for row in ledger_rows(portfolio)), Decimal(0))
    assert total == sum((r.total_credit for r, _ in portfolio), Decimal(0))


def test_one_row_per_credit_line(portfolio: Portfolio) -> None:
    """Support, October: 3% (tier 1) and 8% (tier 2) of the EUR 12,000.00 fee, 360.00 and
    960.00, two rows adding up to 1,320.00."""
    rows = notes(ledger_rows(portfolio))[("acme-support-2026", "2026-10")]
    assert [(r.line_kind, r.objective, r.tier, r.percent, r.amount) for r in rows] == [
        ("credit", "frt-p2", 1, Decimal("0.03"), Decimal("360.00")),
        ("credit", "res-p1", 2, Decimal("0.08"), Decimal("960.00")),
    ]


def test_a_capped_month_has_a_cap_row(portfolio: Portfolio) -> None:
    """Fulfilment, November: 1,500.00 + 1,000.00 + 5,000.00 = 7,500.00 in credits, capped at
    15% of the EUR 48,000.00 fee = 7,200.00: a cap row of -300.00."""
    rows = notes(ledger_rows(portfolio))[("rheinretail-fulfilment-2026", "2026-11")]
    assert [(r.line_kind, r.amount) for r in rows] == [
        ("credit", Decimal("1500.00")),
        ("credit", Decimal("1000.00")),
        ("credit", Decimal("5000.00")),
        ("cap", Decimal("-300.00")),
    ]
    assert [r.scope for r in rows[:3]] == [(("warehouse", "DUS"),)] * 3


def test_a_pool_allocates_the_at_risk_amount(portfolio: Portfolio) -> None:
    """IT outsourcing, November: 12% of GBP 250,000.00 is at risk, 30,000.00; five breached
    service levels earn 30%, 25%, 30%, 20% and 20% of it (9,000.00, 7,500.00, 9,000.00,
    6,000.00, 6,000.00 = 37,500.00), capped at the pool: a pool row of -7,500.00. Each line's
    percent of the fee is its allocation × 12% (3.6%, 3%, …)."""
    rows = notes(ledger_rows(portfolio))[("globex-managed-it-2026", "2026-11")]
    assert [(r.line_kind, r.objective, r.percent, r.amount) for r in rows] == [
        ("credit", "incident-p1", Decimal("0.036"), Decimal("9000.00")),
        ("credit", "speed-to-answer", Decimal("0.030"), Decimal("7500.00")),
        ("credit", "availability-critical", Decimal("0.036"), Decimal("9000.00")),
        ("credit", "availability-important", Decimal("0.024"), Decimal("6000.00")),
        ("credit", "user-satisfaction", Decimal("0.024"), Decimal("6000.00")),
        ("pool", "", None, Decimal("-7500.00")),
    ]
    assert rows[0].tier is None and rows[0].tier_text.startswith("pool allocation 30%")


def test_dropped_lines_are_withdrawn_by_their_own_row(portfolio: Portfolio) -> None:
    """A credit line that does not count (combine: per-incident gave its incident to a larger
    line) is shown, and withdrawn by the row after it: of the support contract's October lines
    frt-p2 (360.00) and res-p1 (960.00), res-p1 marked dropped leaves 360.00."""
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
            combined=Decimal("360.00") if period.period == "2026-10" else period.combined,
            credit=Decimal("360.00") if period.period == "2026-10" else period.credit,
        )
        for period in results.periods
    )
    rows = notes(ledger_rows([(replace(results, periods=periods), plan)]))
    assert [
        (r.line_kind, r.objective, r.amount) for r in rows[(results.contract_id, "2026-10")]
    ] == [
        ("credit", "frt-p2", Decimal("360.00")),
        ("credit", "res-p1", Decimal("960.00")),
        ("combine", "res-p1", Decimal("-960.00")),
    ]


def test_results_and_plan_of_different_contracts_are_refused(portfolio: Portfolio) -> None:
    (first, _), (_, other_plan) = portfolio[0], portfolio[1]
    with pytest.raises(ValueError, match="paired with the plan"):
        ledger_rows([(first, other_plan)])


def test_a_contract_given_twice_is_refused(portfolio: Portfolio) -> None:
    with pytest.raises(ValueError, match="share numbers"):
        ledger_rows([portfolio[0], portfolio[0]])


# ---------------------------------------------------------------- credit-note numbers


def test_numbers_are_unique_per_contract_and_month(portfolio: Portfolio) -> None:
    rows = ledger_rows(portfolio)
    numbers = {(r.contract_id, r.period): r.credit_note for r in rows}
    assert len(set(numbers.values())) == len(numbers) == 13
    assert all(n == r.credit_note for r in rows for n in [numbers[(r.contract_id, r.period)]])
    assert numbers[("acme-support-2026", "2026-10")] == "CN-acme-support-2026-202610-DRAFT"
    assert numbers[("skyhost-hosting-2026", "2026-11")] == "CN-skyhost-hosting-2026-202611-DRAFT"


def test_a_second_run_gives_the_same_bytes(portfolio: Portfolio) -> None:
    """Numbers come from the contract, the month and the ledger, not from a clock or a
    counter: the command evaluating everything again exports the same bytes."""
    contracts = [str(EXAMPLES_DIR / example / "contract.yaml") for example in EXAMPLES]
    again = api.credits_ledger(contracts, period="2026-09", through="2026-11", today=TODAY)
    assert again.value == to_csv(ledger_rows(portfolio))


def test_a_portfolio_naming_a_contract_twice_exports_it_once(tmp_path: Path) -> None:
    contract = str(EXAMPLES_DIR / "hosting-availability" / "contract.yaml")
    once = api.credits_ledger([contract], period="2026-10", today=TODAY)
    twice = api.credits_ledger([contract, contract], period="2026-10", today=TODAY)
    assert twice.ok and twice.value == once.value  # one path named twice is one contract
    # Two files with one contract id: the second is a lint error (its notes would share the
    # first one's numbers), named with file:line:col; the first is exported (docs/portfolios.md).
    for name in ("a", "b"):
        shutil.copytree(EXAMPLES_DIR / "hosting-availability", tmp_path / name)
    copies = [str(tmp_path / name / "contract.yaml") for name in ("a", "b")]
    both = api.credits_ledger(copies, period="2026-10", today=TODAY)
    assert both.errors == (f"{copies[1]}: the contract has lint errors",)
    assert [str(d.location) for d in both.diagnostics] == [f"{copies[1]}:12:5"]
    assert "is also the id of" in both.diagnostics[0].message
    assert both.value == once.value


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
    assert data["ledger_version"] == 2
    assert all(isinstance(row["amount"], str) for row in data["rows"])
    assert {row["amount"] for row in data["rows"]} >= {"360.00", "-300.00", "-7500.00"}
    assert all(isinstance(row["line"], int) for row in data["rows"])
    assert data["overrides"] == []


def test_json_names_the_overrides_of_its_rows_in_full(portfolio: Portfolio) -> None:
    """A month whose 300.00 was waived as a whole (``*``): the line, then the override
    withdrawing it (-300.00); the JSON lists the override with its reason and author."""
    plan = plain_plan(portfolio)
    results = hand_made(plan, "USD", ("2026-10", Decimal("300.00")))
    waiver = AppliedOverride(
        id="9" * 32,
        period="2026-10",
        target="*",
        action="waive-credit",
        value=None,
        reason="goodwill",
        author="carol",
        recorded_at="2026-11-02T09:00:00Z",
        effect="the month's credit 300.00 set to 0.00",
    )
    (period,) = results.periods
    waived = replace(
        results, periods=(replace(period, credit=Decimal("0.00"), overrides=(waiver,)),)
    )
    whole = ledger([(waived, plan)])
    data = json.loads(to_json(whole.rows, whole.overrides))
    assert [(r["line_kind"], r["amount"], r["override"]) for r in data["rows"]] == [
        ("credit", "300.00", None),
        ("override", "-300.00", waiver.id),
    ]
    (listed,) = data["overrides"]
    assert (listed["contract_id"], listed["reason"], listed["author"]) == (
        plan.contract_id,
        "goodwill",
        "carol",
    )


# ---------------------------------------------------------------- CSV


def test_csv_is_rfc_4180(portfolio: Portfolio) -> None:
    text = to_csv(ledger_rows(portfolio))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == ",".join(CSV_COLUMNS)
    rows = parse_csv(text)
    assert len(lines) == 1 + len(rows) + 1  # header, rows, the empty string after the last \r\n
    assert [r["amount"] for r in rows if r["contract_id"] == "skyhost-hosting-2026"] == [
        "1800.00",
        "700.00",
        "5400.00",
    ]


def test_every_cell_holds_one_value(portfolio: Portfolio) -> None:
    """What a spreadsheet reads: numbers parse as numbers (Decimal), in every row; nothing is
    a list. The rows of each note add up to its credit read from the CSV alone."""
    rows = parse_csv(to_csv(ledger_rows(portfolio)))
    assert all(len(row) == len(CSV_COLUMNS) and None not in row for row in rows)
    sums: dict[str, Decimal] = {}
    for row in rows:
        assert ";" not in "".join(row.values())
        assert int(row["line"]) >= 1
        for column in ("tier", "credit_percent", "revision"):
            if row[column]:
                Decimal(row[column])
        sums[row["credit_note"]] = sums.get(row["credit_note"], Decimal(0)) + Decimal(row["amount"])
    issued = {
        f"CN-{r.contract_id}-{p.period.replace('-', '')}-DRAFT": p.credit
        for r, _ in portfolio
        for p in r.periods
        if p.credit
    }
    assert sums == issued


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


def test_text_cells_of_lines_are_neutralised_but_adjustments_stay_numbers(
    portfolio: Portfolio,
) -> None:
    """A tier's wording and a withheld line's reason are text: neutralised. The cap row of
    fulfilment's November (-300.00) is a number: left as it is."""
    results, plan = next(p for p in portfolio if p[0].contract_id == "rheinretail-fulfilment-2026")
    periods = tuple(
        replace(
            period,
            credit_lines=tuple(
                replace(line, tier_text="=1+2", dropped=None) for line in period.credit_lines
            ),
        )
        for period in results.periods
    )
    rows = parse_csv(to_csv(ledger_rows([(replace(results, periods=periods), plan)])))
    assert {r["tier_text"] for r in rows if r["line_kind"] == "credit"} == {"'=1+2"}
    (cap,) = (r for r in rows if r["line_kind"] == "cap")
    assert cap["amount"] == "-300.00"
    assert cap["description"] == "capped at 7200.00 (credits 7500.00)"


def test_negative_amounts_stay_numbers(portfolio: Portfolio) -> None:
    plan = plain_plan(portfolio)
    results = hand_made(plan, "USD", ("2026-10", Decimal("-12.50")))
    results = replace(results, customer="-2+3")
    (row,) = parse_csv(to_csv(ledger_rows([(results, plan)])))
    assert row["amount"] == "-12.50"
    assert Decimal(row["amount"]) == Decimal("-12.50")
    assert row["credit_percent"] == "2.5"
    assert row["tier"] == "1"
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
    assert len(rows) == 1  # the period without a credit gives no note
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
        credit_note="CN-c-202610-DRAFT",
        state="draft",
        revision=None,
        line=1,
        line_kind="credit",
        objective="uptime",
        scope=(),
        tier=1,
        tier_text="< 99.9%",
        percent=Decimal("0.1"),
        amount=Decimal("1.005"),
        currency="USD",
        minor_unit=2,
        override="",
        description="",
        earn_back="none",
        claim_deadline=None,
        plan_sha256="0" * 64,
    )
    with pytest.raises(ValueError, match="never rounds"):
        to_csv([row])
    with pytest.raises(ValueError, match="never rounds"):
        to_json([row])
