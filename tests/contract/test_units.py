"""Quantities: durations, percentages, money and comparisons are exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slac.contract.units import (
    Duration,
    format_seconds,
    parse_comparison,
    parse_duration,
    parse_money,
    parse_percent,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("4h", 14400),
        ("2d 4h", 187200),
        ("1h 30m", 5400),
        ("1.5h", 5400),
        ("1w", 604800),
        ("PT4H", 14400),
        ("P1D", 86400),
        ("P1DT2H", 93600),
        ("PT1M30S", 90),
        ("P2W", 1209600),
        ("0s", 0),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == Duration(seconds=Decimal(seconds))


def test_business_durations() -> None:
    assert parse_duration("1 business day") == Duration(business_days=Decimal(1), business=True)
    assert parse_duration("3 business days") == Duration(business_days=Decimal(3), business=True)
    assert parse_duration("4 business hours") == Duration(seconds=Decimal(14400), business=True)
    assert parse_duration("30 business minutes") == Duration(seconds=Decimal(1800), business=True)


@pytest.mark.parametrize("text", ["4 hours", "1:30", "P", "PT", "P1DT", "h", "-4h", "4", "4x"])
def test_not_durations(text: str) -> None:
    assert parse_duration(text) is None


@given(st.integers(min_value=0, max_value=10**8))
def test_format_seconds_round_trips(seconds: int) -> None:
    parsed = parse_duration(format_seconds(Decimal(seconds)))
    assert parsed is not None and parsed.seconds == seconds


def test_percentages_are_exact() -> None:
    assert parse_percent("99.9%") == Decimal("0.999")
    assert parse_percent("100%") == 1
    assert parse_percent("99.99%") == Decimal("0.9999")
    assert parse_percent("99.9") is None


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=4))
def test_percent_parsing_has_no_float_error(units: int, places: int) -> None:
    exact = Decimal(units).scaleb(-places)
    assert parse_percent(f"{exact}%") * 100 == exact


def test_money_is_a_decimal_string_never_a_float() -> None:
    assert parse_money("12000.00") == Decimal("12000.00")
    assert parse_money("2.675") == Decimal("2.675")
    assert parse_money(2.675) is None
    assert parse_money("1e3") is None


def test_comparisons() -> None:
    cmp = parse_comparison(">= 99.5%")
    assert cmp is not None and cmp.op == ">=" and cmp.quantity.kind == "ratio"
    # The float trap: (41760 - 208.8) / 41760 is 0.995 exactly; a float gives 0.99499999...
    measured = (Decimal(41760) - Decimal("208.8")) / Decimal(41760)
    assert cmp.holds(measured)
    assert parse_comparison("<= 4h").quantity.value == 14400  # type: ignore[union-attr]
    assert parse_comparison("< 1 business day").quantity.business_days  # type: ignore[union-attr]
    assert parse_comparison("> 30").quantity.kind == "number"  # type: ignore[union-attr]
    assert parse_comparison("== 5") is None
    assert parse_comparison(">= lots") is None


def test_quantities_of_yaml_numbers() -> None:
    assert parse_quantity(30) is not None and parse_quantity(30).kind == "number"  # type: ignore[union-attr]
    assert parse_quantity(True) is None
