"""Money arithmetic: shares of fees, and rounding to a currency's minor unit.

Exact ``Decimal`` throughout. A credit is a share of a fee computed exactly and rounded once,
by the contract's rounding mode, to the currency's ISO 4217 minor unit (docs/semantics.md,
"Credits"); the evaluator, the explanation and the statements all round here, so that the
amount a customer reads is the amount that is owed.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

from slac.plan.types import Money

# The contract's `commercials.rounding.mode` → the decimal module's rounding.
ROUNDING = {
    "half-up": ROUND_HALF_UP,
    "half-even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}


def minor_step(minor_unit: int) -> Decimal:
    """The smallest amount of a currency with ``minor_unit`` decimals: 2 → ``0.01``."""
    return Decimal(1).scaleb(-minor_unit)


def round_money(amount: Decimal, minor_unit: int, mode: str = "half-even") -> Decimal:
    """``amount`` in whole minor units (``2.675``, 2, half-up → ``2.68``)."""
    return amount.quantize(minor_step(minor_unit), rounding=ROUNDING[mode])


def is_rounded(amount: Decimal, minor_unit: int) -> bool:
    """Whether ``amount`` has no digits below the minor unit."""
    return amount == round_money(amount, minor_unit)


def share(amount: Decimal, ratio: Decimal, times: int = 1) -> Decimal:
    """``ratio`` of ``times`` × ``amount``, exactly (a credit before its one rounding)."""
    return amount * times * ratio


def money_share(money: Money, ratio: Decimal, *, mode: str = "half-up", times: int = 1) -> Money:
    """``ratio`` of ``times`` × ``money``, rounded once to the currency's minor unit."""
    amount = round_money(share(money.amount, ratio, times), money.minor_unit, mode)
    return Money(amount, money.currency, money.minor_unit)
