"""Overrides recorded in the period ledger, applied to a month's credit lines and to its
credit (docs/ledger.md, "Overrides"): what each did is said in words, in the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from slac.evaluation.measurement import scope_text
from slac.evaluation.results import AppliedOverride, CreditLine
from slac.plan.canonical import money_text
from slac.plan.money import is_rounded, round_money


def overridden(
    lines: Sequence[CreditLine], overrides: Sequence[AppliedOverride], minor: int
) -> tuple[list[CreditLine], dict[str, str]]:
    """The credit lines with the overrides on an objective (or one of its scope values)
    applied, oldest first, and what each did (docs/ledger.md, "Overrides")."""
    out = list(lines)
    effects: dict[str, str] = {}
    for override in overrides:
        if override.target == "*" or override.target.startswith(ITEM_TARGET):
            effects[override.id] = _not_on_lines(override)
            continue
        objective, _, scope = override.target.partition("/")
        hits = [
            i
            for i, line in enumerate(out)
            if line.objective == objective and (not scope or scope_text(line.scope) == scope)
        ]
        if not hits:
            effects[override.id] = f"nothing changed: {override.target} has no credit this month"
            continue
        said = []
        for i in hits:
            line = out[i]
            where = f"{line.objective} ({scope_text(line.scope)})" if line.scope else line.objective
            if override.action == "waive-credit":
                out[i] = replace(line, dropped=f"waived by override {override.id[:8]}")
                said.append(f"{where}: {_money_words(line.amount, minor)} waived")
            else:
                amount = Decimal(override.value or "0")
                out[i] = replace(line, amount=amount, dropped=None)
                said.append(
                    f"{where}: {_money_words(line.amount, minor)} set to {_money_words(amount, minor)}"
                )
        effects[override.id] = "; ".join(said)
    return out, effects


ITEM_TARGET = "item:"


def _money_words(amount: Decimal, minor: int) -> str:
    # Every digit of a line before the single rounding: never rounded for display.
    return money_text(amount, minor) if is_rounded(amount, minor) else format(amount, "f")


def _not_on_lines(override: AppliedOverride) -> str:
    if override.target == "*":
        return ""  # the month's credit: applied after caps and rounding
    return (
        "not applied to the figures: an item is reclassified where its data is (its exclusion "
        "in the data), and the month evaluated again"
    )


def month_overridden(
    total: Decimal,
    overrides: Sequence[AppliedOverride],
    effects: dict[str, str],
    minor: int,
    mode: str,
) -> tuple[Decimal, dict[str, str]]:
    """The month's credit with the overrides on the whole month (``*``) applied, oldest first:
    after caps, the minimum and rounding, as the credit that is issued."""
    for override in overrides:
        if override.target != "*":
            continue
        before = total
        if override.action == "waive-credit":
            total = Decimal(0)
        else:
            total = round_money(Decimal(override.value or "0"), minor, mode)
        effects[override.id] = (
            f"the month's credit {_money_words(before, minor)} set to {_money_words(total, minor)}"
        )
    return total, effects
