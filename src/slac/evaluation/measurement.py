"""What the engine measures for one period × objective × scope, before judgement and money.

Both the SQL engine and the plain reference evaluator in ``tests/`` produce these, so that
property-based tests can require exact agreement. See docs/semantics.md for every rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Context, Decimal
from fractions import Fraction

Scalar = str | int | bool | Decimal | None
ScopeKey = tuple[tuple[str, Scalar], ...]  # (field, value) for each scope field, in order


# How many missed items each period × objective × scope keeps (the breached-items annex of a
# statement): enough to act on, bounded so that results stay small whatever the data; the
# rest are in the evidence file (`slac evaluate --evidence DIR`).
MISSES_SHOWN = 20


@dataclass(frozen=True)
class MissedItem:
    """One item that missed its own threshold (a ticket answered late, a call answered after
    the wait), as the breached-items annex lists it (docs/semantics.md, "Breached items")."""

    item: str  # its key, as the evidence file names it (`T-1`, `T-1#2` for a reopened cycle)
    measured: Decimal  # its value in the unit of :class:`Misses` (open: elapsed at the as-of)
    threshold: Decimal  # what it was judged against, same unit (business time on its calendar)
    over: Decimal  # measured − threshold: by how much it missed (0: exactly at an `under` T)
    # The wall-clock deadline, ISO 8601 in the contract's zone, where it follows from the
    # threshold alone (no pause in the item's clock); None otherwise.
    due: str | None = None
    note: str = ""  # "open": not ended, overdue at the as-of instant; "abandoned": a contact


@dataclass(frozen=True)
class Misses:
    """The items of one period × objective × scope that missed their threshold: how many, and
    the first :data:`MISSES_SHOWN` of them, worst first (most over), ties by item key."""

    count: int
    unit: str  # of measured, threshold and over: seconds | ratio | number
    shown: tuple[MissedItem, ...]
    business: bool = False  # seconds of business time on the metric's calendar
    # A threshold of N business days: each item's `threshold` is its own business time to the
    # same position N business days later (a short Saturday makes it shorter).
    business_days: Decimal | None = None


@dataclass(frozen=True)
class Measurement:
    period: str  # "2026-10" (month), "2026-Q4" (quarter), "2026" (year)
    objective: str  # objective id
    scope: ScopeKey  # () without scope
    sample: int  # judged items (threshold shares) or the kind's sample (docs/semantics.md)
    value: Decimal | None  # ratio 0..1, seconds, or a number; None when nothing to measure
    met: int  # threshold shares: items met; other kinds: 0
    breached: int  # threshold shares: items breached (incl. overdue open ones); else 0
    open: int  # items open at the period's end and not judged
    excluded: tuple[tuple[str, int], ...]  # (exclusion id, rows) in contract order, all listed
    # Where the breaches are, for claims counted from the incident and one credit per incident
    # (docs/semantics.md, "Credits"): kinds that judge items (duration, value) fill them; they
    # are evidence about the figures above, not figures, so equality (and the reference
    # evaluator's exact agreement) leaves them out.
    last_breach_us: int | None = field(
        default=None, compare=False
    )  # latest breached item's instant
    # Their keys, sorted; durations leave them out (empty) when no credit of the plan is one
    # per incident, their only reader.
    breached_items: tuple[str, ...] = field(default=(), compare=False)
    # Items judged here that belong to an earlier period, whose as-of instant did not know
    # their outcome yet (carry-over, docs/semantics.md "As of"); among `sample`.
    carried: int = 0
    # The items that missed their own threshold (kinds that judge items one by one against a
    # threshold); None for kinds and judgements without one. Compared on its own by the
    # differential tests (a reference that lists misses for some kinds only).
    misses: Misses | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Period:
    """A period of the contract's zone as UTC instants (microseconds since the epoch)."""

    id: str
    unit: str
    start_us: int  # inclusive
    end_us: int  # exclusive


_RATIO = Context(prec=28)


def exact_ratio(numerator: int | Fraction, denominator: int | Fraction) -> Decimal:
    """An exact fraction as a Decimal with 28 significant digits (enough for any target).
    The engine and the reference evaluator both round this way, once."""
    if isinstance(numerator, int) and isinstance(denominator, int) and denominator > 0:
        # Two integers need no Fraction (a result of each measurement): the quotient,
        # correctly rounded, is the same Decimal whether or not the fraction is reduced
        # (a positive denominator: 0 / -n would be -0, where the Fraction gives 0).
        return _RATIO.divide(Decimal(numerator), Decimal(denominator))
    value = Fraction(numerator) / Fraction(denominator)
    return _RATIO.divide(Decimal(value.numerator), Decimal(value.denominator))


def scope_text(scope: ScopeKey) -> str:
    """A scope value as statements and ledgers write it: ``priority=P1, region=eu``."""
    return ", ".join(f"{k}={v}" for k, v in scope)
