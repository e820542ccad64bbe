"""Credit notes (issue 16 item 5): a month's credit as finance books it, one line per credit
line and one per rule that changed their sum, adding up to the credit issued to the cent.

The months are judged by the real judge (``judge._period``) from credit lines written here,
under the terms of the customer-support example (monthly fee EUR 12,000.00, half-up on the
total) with its credit rules replaced per test; every expected figure is worked out by hand
in the test's docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slac import api
from slac.documents.notes import (
    CLOSED,
    DRAFT,
    LINE_KINDS,
    CreditNote,
    Issued,
    credit_note,
    has_note,
    note_number,
)
from slac.evaluation.judge import _period
from slac.evaluation.results import AppliedOverride, CreditLine, PeriodResult
from slac.ledger.model import Override
from slac.plan.money import round_money
from slac.plan.types import Cap, Money, Plan, Rounding

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = ROOT / "examples" / "customer-support" / "contract.yaml"
MONTH = "2026-10"
EUR = 2  # minor-unit digits


@pytest.fixture(scope="module")
def plan() -> Plan:
    compiled = api.compile_plan(str(SUPPORT), today=date(2026, 11, 1))
    assert compiled.value is not None
    return compiled.value


def line(objective: str, amount: str, percent: str | None = None, tier: int = 1) -> CreditLine:
    return CreditLine(
        objective=objective,
        scope=(),
        period=MONTH,
        tier=tier,
        tier_text="< 95%",
        percent=None if percent is None else Decimal(percent),
        fee=Decimal("12000.00"),
        incidents=None,
        amount=Decimal(amount),
    )


def judged(
    plan: Plan,
    lines: Sequence[CreditLine],
    *,
    cap: str | None = None,
    minimum: str | None = None,
    minimum_per: str = "period",
    combine: str = "sum",
    mode: str = "half-up",
    apply: str = "total",
    items: Sequence[tuple[str, ...]] = (),
    overrides: Sequence[AppliedOverride] = (),
) -> PeriodResult:
    """October judged from ``lines`` under the support contract's terms with these rules."""
    terms = plan.terms[-1]
    credits = replace(
        terms.credits,
        combine=combine,
        caps=() if cap is None else (Cap(Decimal(cap), "period"),),
        minimum=None if minimum is None else Money(Decimal(minimum), "EUR", EUR),
        minimum_per=minimum_per,
        minimum_inclusive=True,
        earn_back_periods=None,
        pool=None,
    )
    commercials = replace(terms.commercials, rounding=Rounding(mode, apply))
    terms = replace(terms, credits=credits, commercials=commercials)
    return _period(
        plan,
        terms,
        MONTH,
        [],
        list(lines),
        [],
        [None] * len(lines),
        list(items) or [()] * len(lines),
        overrides=list(overrides),
    )


def note(
    period: PeriodResult,
    mode: str = "half-up",
    *,
    issued: Issued | None = None,
    recorded: Sequence[Override] = (),
) -> CreditNote:
    return credit_note(
        period, contract_id="acme", minor_unit=EUR, mode=mode, issued=issued, recorded=recorded
    )


def rows(n: CreditNote) -> list[tuple[str, str, Decimal]]:
    return [(x.kind, x.objective, x.amount) for x in n.lines]


def total(n: CreditNote) -> Decimal:
    return sum((x.amount for x in n.lines), Decimal(0))


def applied(oid: str, target: str, action: str, value: str | None = None) -> AppliedOverride:
    return AppliedOverride(
        id=oid,
        period=MONTH,
        target=target,
        action=action,
        value=value,
        reason="agreed",
        author="erin",
        recorded_at="2026-11-03T10:00:00Z",
    )


# ---------------------------------------------------------------- lines and adjustments


def test_several_lines_give_several_rows_adding_up_to_the_credit(plan: Plan) -> None:
    """3% and 8% of 12,000.00: 360.00 + 960.00 = 1,320.00, two credit lines and nothing else."""
    period = judged(plan, [line("frt-p2", "360.00", "0.03"), line("res-p1", "960.00", "0.08", 2)])
    n = note(period)
    assert rows(n) == [
        ("credit", "frt-p2", Decimal("360.00")),
        ("credit", "res-p1", Decimal("960.00")),
    ]
    assert [(x.line, x.tier, x.percent) for x in n.lines] == [
        (1, 1, Decimal("0.03")),
        (2, 2, Decimal("0.08")),
    ]
    assert period.credit == Decimal("1320.00") == total(n)


def test_a_capped_month_has_a_cap_line(plan: Plan) -> None:
    """10% and 8% of 12,000.00 = 1,200.00 + 960.00 = 2,160.00, capped at 15% of the fee,
    1,800.00: a cap line of -360.00."""
    period = judged(plan, [line("a", "1200.00"), line("b", "960.00")], cap="0.15")
    n = note(period)
    assert rows(n)[-1] == ("cap", "", Decimal("-360.00"))
    assert n.lines[-1].description == "capped at 1800.00 (credits 2160.00)"
    assert period.credit == Decimal("1800.00") == total(n)


def test_max_of_lines_gives_a_combine_line(plan: Plan) -> None:
    """combine: max keeps 960.00 of 360.00 and 960.00: a combine line of -360.00."""
    period = judged(plan, [line("a", "360.00"), line("b", "960.00")], combine="max")
    assert rows(note(period))[-1] == ("combine", "", Decimal("-360.00"))
    assert period.credit == Decimal("960.00") == total(note(period))


def test_a_line_under_the_per_line_minimum_is_withheld_right_after_it(plan: Plan) -> None:
    """A per-line minimum of 50.00 withholds the 40.00 line: 40.00 - 40.00 + 960.00 = 960.00."""
    period = judged(
        plan, [line("a", "40.00"), line("b", "960.00")], minimum="50.00", minimum_per="line"
    )
    n = note(period)
    assert rows(n) == [
        ("credit", "a", Decimal("40.00")),
        ("minimum", "a", Decimal("-40.00")),
        ("credit", "b", Decimal("960.00")),
    ]
    assert n.lines[1].description == "below the minimum of 50.00 per credit line"
    assert period.credit == Decimal("960.00") == total(n)


def test_a_month_under_the_period_minimum_has_no_note(plan: Plan) -> None:
    """30.00 under a minimum of 50.00 is not issued: the month owes 0 and gets no note."""
    period = judged(plan, [line("a", "30.00")], minimum="50.00")
    assert (period.credit, period.minimum_applied) == (Decimal("0.00"), True)
    assert not has_note(period)


def test_one_credit_per_incident_withholds_the_smaller_line(plan: Plan) -> None:
    """Both lines credit ticket T-1: per-incident keeps 960.00 and withholds 360.00."""
    period = judged(
        plan,
        [line("frt", "360.00"), line("res", "960.00")],
        combine="per-incident",
        items=[("T-1",), ("T-1",)],
    )
    assert rows(note(period)) == [
        ("credit", "frt", Decimal("360.00")),
        ("combine", "frt", Decimal("-360.00")),
        ("credit", "res", Decimal("960.00")),
    ]
    assert period.credit == Decimal("960.00")


@pytest.mark.parametrize(
    ("mode", "shown", "rounding"),
    [
        # 10.005 and 20.005 shown half-up: 10.01 + 20.01 = 30.02; the credit is 30.010 → 30.01.
        ("half-up", ["10.01", "20.01"], "-0.01"),
        # half-even: 10.00 + 20.00 = 30.00; the credit is 30.010 → 30.01.
        ("half-even", ["10.00", "20.00"], "0.01"),
    ],
)
def test_the_rounding_difference_is_a_line(
    plan: Plan, mode: str, shown: list[str], rounding: str
) -> None:
    period = judged(plan, [line("a", "10.005"), line("b", "20.005")], mode=mode)
    n = note(period, mode)
    assert [str(x.amount) for x in n.lines] == [*shown, rounding]
    assert n.lines[-1].kind == "rounding"
    assert period.credit == Decimal("30.01") == total(n)


def test_per_line_rounding_leaves_nothing_to_round(plan: Plan) -> None:
    """Rounded per line by the judge (10.01 + 20.01 = 30.02 half-up), the lines are the
    credit: no rounding line."""
    period = judged(plan, [line("a", "10.005"), line("b", "20.005")], apply="per-line")
    assert [x.kind for x in note(period).lines] == ["credit", "credit"]
    assert period.credit == Decimal("30.02") == total(note(period))


# ---------------------------------------------------------------- overrides


def test_a_waived_line_is_withdrawn_by_an_override_line(plan: Plan) -> None:
    """frt-p2's 360.00 waived: 360.00 - 360.00 + 960.00 = 960.00; the override is named."""
    waiver = applied("a" * 32, "frt-p2", "waive-credit")
    period = judged(plan, [line("frt-p2", "360.00"), line("res-p1", "960.00")], overrides=[waiver])
    n = note(period)
    assert rows(n) == [
        ("credit", "frt-p2", Decimal("360.00")),
        ("override", "frt-p2", Decimal("-360.00")),
        ("credit", "res-p1", Decimal("960.00")),
    ]
    assert [x.override for x in n.lines] == ["", waiver.id, ""]
    assert [o.id for o in n.overrides] == [waiver.id]
    assert period.credit == Decimal("960.00") == total(n)


def test_a_line_set_to_an_amount_names_its_override(plan: Plan) -> None:
    """frt-p2 set from 360.00 to 100.00: 100.00 + 960.00 = 1,060.00."""
    setting = applied("b" * 32, "frt-p2", "set-amount", "100.00")
    period = judged(plan, [line("frt-p2", "360.00"), line("res-p1", "960.00")], overrides=[setting])
    n = note(period)
    assert rows(n) == [
        ("credit", "frt-p2", Decimal("100.00")),
        ("credit", "res-p1", Decimal("960.00")),
    ]
    assert n.lines[0].override == setting.id
    assert n.lines[0].description == "frt-p2: 360.00 set to 100.00"
    assert period.credit == Decimal("1060.00") == total(n)


def test_whole_month_overrides_chain_after_rounding(plan: Plan) -> None:
    """10.005 + 20.005 = 30.010 → 30.01 (half-up); the month set to 250.00, then waived:
    lines 10.01 + 20.01, rounding -0.01, override +219.99 (to 250.00), override -250.00."""
    first = applied("c" * 32, "*", "set-amount", "250.00")
    second = replace(applied("d" * 32, "*", "waive-credit"), recorded_at="2026-11-04T10:00:00Z")
    period = judged(plan, [line("a", "10.005"), line("b", "20.005")], overrides=[first, second])
    n = note(period)
    assert [(x.kind, str(x.amount), x.override) for x in n.lines] == [
        ("credit", "10.01", ""),
        ("credit", "20.01", ""),
        ("rounding", "-0.01", ""),
        ("override", "219.99", first.id),
        ("override", "-250.00", second.id),
    ]
    assert period.credit == Decimal("0.00") == total(n)
    assert has_note(period)  # a waived month is booked, at 0


def test_an_override_that_changes_no_figure_is_booked_at_zero(plan: Plan) -> None:
    item = applied("e" * 32, "item:T-2", "exclude-item", "force-majeure")
    period = judged(plan, [line("a", "360.00")], overrides=[item])
    n = note(period)
    assert rows(n)[-1] == ("override", "", Decimal(0))
    assert n.lines[-1].override == item.id
    assert n.lines[-1].description.startswith("exclude-item item:T-2: not applied to the figures")
    assert total(n) == period.credit == Decimal("360.00")


def test_an_override_recorded_after_the_close_is_listed_not_applied(plan: Plan) -> None:
    period = judged(plan, [line("a", "360.00")])
    later = Override(
        id="f" * 32,
        contract_id="acme",
        period=MONTH,
        target="a",
        action="waive-credit",
        value=None,
        reason="goodwill",
        author="carol",
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    n = note(period, issued=Issued(1, "0" * 64), recorded=[later])
    assert rows(n) == [("credit", "a", Decimal("360.00")), ("override", "", Decimal(0))]
    assert n.lines[-1].description == (
        "waive-credit a: recorded after the close: applied when the month is closed again"
    )
    assert [o.id for o in n.overrides] == [later.id]
    assert total(n) == Decimal("360.00")


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("revision", "number", "state"),
    [
        (None, "CN-acme-support-2026-202610-DRAFT", DRAFT),
        (1, "CN-acme-support-2026-202610", CLOSED),
        (2, "CN-acme-support-2026-202610-R2", CLOSED),
        (12, "CN-acme-support-2026-202610-R12", CLOSED),
    ],
)
def test_numbers_say_the_contract_month_and_revision(
    plan: Plan, revision: int | None, number: str, state: str
) -> None:
    assert note_number("acme-support-2026", MONTH, revision) == number
    period = judged(plan, [line("a", "360.00")])
    issued = None if revision is None else Issued(revision, "0" * 64)
    n = credit_note(
        period, contract_id="acme-support-2026", minor_unit=2, mode="half-up", issued=issued
    )
    assert (n.number, n.state, n.revision) == (number, state, revision)


def test_an_unrounded_credit_is_refused(plan: Plan) -> None:
    period = replace(judged(plan, [line("a", "360.00")]), credit=Decimal("360.005"))
    with pytest.raises(ValueError, match="never rounds"):
        note(period)


# ---------------------------------------------------------------- property


AMOUNTS = st.decimals(min_value=0, max_value=5000, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(AMOUNTS, min_size=1, max_size=6),
    cap=st.none() | st.decimals(min_value="0.01", max_value="0.5", places=3),
    minimum=st.none() | st.sampled_from(["0.50", "50.00", "999.99"]),
    minimum_per=st.sampled_from(["period", "line"]),
    combine=st.sampled_from(["sum", "max", "single"]),
    mode=st.sampled_from(["half-up", "half-even", "down", "up"]),
    apply=st.sampled_from(["total", "per-line"]),
)
def test_the_lines_always_add_up_to_the_credit(
    plan: Plan,
    amounts: list[Decimal],
    cap: Decimal | None,
    minimum: str | None,
    minimum_per: str,
    combine: str,
    mode: str,
    apply: str,
) -> None:
    """For any lines, cap, minimum, combine rule and rounding mode the judge's credit is the
    sum of the note's lines, every line in whole cents, and the rounding line no larger than
    the cents its lines and the one rounding of the total can lose (a cent each at most)."""
    period = judged(
        plan,
        [line(f"o{i}", str(a)) for i, a in enumerate(amounts)],
        cap=None if cap is None else str(cap),
        minimum=minimum,
        minimum_per=minimum_per,
        combine=combine,
        mode=mode,
        apply=apply,
    )
    n = note(period, mode)
    assert total(n) == period.credit
    assert all(x.amount == round_money(x.amount, EUR) for x in n.lines)
    assert all(x.kind in LINE_KINDS for x in n.lines)
    rounding = [x.amount for x in n.lines if x.kind == "rounding"]
    assert len(rounding) <= 1
    shown = len([x for x in n.lines if x.kind != "rounding"])
    assert all(abs(r) <= Decimal("0.01") * (shown + 1) for r in rounding)
    # The credit lines are the judged ones, each shown in whole cents by the contract's mode.
    credited = [x.amount for x in n.lines if x.kind == "credit"]
    assert credited == [round_money(x.amount, EUR, mode) for x in period.credit_lines]
    if period.cap_applied:
        assert [x.kind for x in n.lines].count("cap") == 1
