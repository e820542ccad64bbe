"""Values as a statement shows them, formatted in Python from ``Decimal`` (never a float):
money in the currency's ISO 4217 minor unit, rounded by the contract's rule and laid out by
Babel; measured values precise enough never to read as the target when they are not;
targets, scopes and timestamps."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from slac.contract.currencies import minor_units
from slac.plan.money import round_money
from slac.wording import (
    COMPARISON_SIGNS,
    date_words,
    duration_words,
    number_words,
    percent_words,
    value_words,
)


def _minor_unit(currency: str | None) -> int:
    """The currency's decimals; unknown or missing currencies keep two."""
    minor = minor_units(currency) if currency else None
    return 2 if minor is None else minor


def format_amount(amount: Decimal, currency: str | None, *, mode: str = "half-up") -> str:
    """An amount in the currency's minor unit, thousands separated: ``2.675`` EUR → ``2.68``.

    Unknown or missing currencies keep two decimals. ``mode`` is the contract's rounding.
    """
    places = _minor_unit(currency)
    return format(round_money(amount, places, mode), f",.{places}f")


def format_money(
    amount: Decimal, currency: str | None, *, mode: str = "half-up", locale: str = "en"
) -> str:
    """``EUR 1,320.00``; without a currency just the amount.

    The digits come from the pinned ISO 4217 table (Babel's CLDR data differs for some
    currencies), rounded by the contract's rule; Babel only lays the number out for the
    locale (grouping, decimal sign, the ISO code).
    """
    if not currency:
        return format_amount(amount, currency, mode=mode)
    from babel.numbers import format_currency

    places = _minor_unit(currency)
    exact = round_money(amount, places, mode)
    pattern = "¤¤\u00a0#,##0" + ("." + "0" * places if places else "")
    text: str = format_currency(
        exact, currency, format=pattern, locale=locale, currency_digits=False
    )
    return text.replace("\u00a0", " ")


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_measured(measured: Decimal, unit: str, target: Decimal) -> str:
    """A measured value, precise enough never to read as the target when it is not."""
    if unit == "ratio":
        places = max(2, _places(target * 100) + 1)
        while places < 12:
            shown = (measured * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
            if measured == target or shown != target * 100:
                break
            places += 1
        return percent_words(measured, places)
    if unit == "seconds":
        whole = measured.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        if whole == target and measured != target:
            return f"{number_words(measured.quantize(Decimal('0.001')))} seconds"
        return duration_words(whole)
    shown = measured.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    if shown == target and measured != target:
        shown = measured.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    return number_words(shown)


def format_target(op: str, value: Decimal, unit: str) -> str:
    """A target as the contract sets it: ``≥ 99.99%``, ``≤ 1 hour``."""
    return f"{COMPARISON_SIGNS.get(op, op)} {value_words(value, unit)}"


def format_scope(scope: Sequence[tuple[str, Any]]) -> str:
    return ", ".join(f"{field}: {value}" for field, value in scope)


def format_timestamp(text: str | None) -> str:
    """``2026-10-31T00:00:00-04:00`` → ``31 October 2026 00:00 (UTC-04:00)``."""
    if not text:
        return ""
    day, _, rest = text.partition("T")
    if not rest:
        return date_words(day)
    clock, offset = rest[:5], rest[8:]
    zone = "UTC" if offset in ("Z", "+00:00") else f"UTC{offset}"
    return f"{date_words(day)} {clock} ({zone})"
