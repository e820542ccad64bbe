"""A period's credit note: its number and its lines, which add up to the credit issued.

A note has one ``credit`` line per credit line of the period (an objective × scope value with
its tier and percent of the fee), then an explicit adjustment line for each rule that made
the period's credit differ from the sum of those lines, in the order the judge applies them
(:func:`slac.evaluation.judge._period`):

==========  ===============================================================================
kind        amount
==========  ===============================================================================
credit      a credit line as judged (after a ``set-amount`` override on it, named in
            ``override``)
minimum     minus a line withheld under a per-line minimum (right after it); or minus the
            period's total withheld under the period minimum
combine     minus a line another line of the same incident credits (``per-incident``,
            right after it); or the largest line minus their sum (``max``, ``single``)
pool        the at-risk amount minus the credits it caps
cap         the fee cap minus the credits it caps
rounding    the issued credit minus the lines as shown (see below)
override    minus a line a ``waive-credit`` override waived (right after it); the change a
            whole-month override (``*``) made; 0 for an override that changed no figure
            (an item reclassified, a target without a credit, one recorded after the
            close), so that the decision is booked
==========  ===============================================================================

Every line's amount is shown in the currency's minor unit, rounded by the contract's mode:
finance books whole cents. The period's credit itself is rounded once, by the judge; the
difference between it and the rounded lines (that one rounding, and the cents the lines'
exact amounts lose when shown) is the ``rounding`` line, never lost. So the lines of a note
add up to :attr:`PeriodResult.credit` exactly, to the minor unit.

Earn-back is not a line: the credit issued stays what it was (docs/ledger.md), and the note
says its state (``pending``, ``due``, ``waived``).

Numbers: ``CN-<contract id>-<YYYYMM>`` for a month closed in the period ledger (revision 1),
``…-R<n>`` for its n-th revision (reopened: a re-issued note gets a new number), and
``…-DRAFT`` for a month not closed, whose figures may still change. Contract ids are lower
case, so the upper-case suffixes never clash with one; the number depends on nothing but the
contract, the month and the ledger's revision, so it is the same on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from slac.evaluation.measurement import ScopeKey, scope_text
from slac.evaluation.results import AppliedOverride, CreditLine, PeriodResult
from slac.ledger.model import SET_AMOUNT, WAIVE_CREDIT, Override
from slac.ledger.records import override_text
from slac.plan.canonical import money_text
from slac.plan.money import is_rounded, round_money

DRAFT = "draft"
CLOSED = "closed"

CREDIT = "credit"
MINIMUM = "minimum"
COMBINE = "combine"
POOL = "pool"
CAP = "cap"
ROUNDING = "rounding"
OVERRIDE = "override"
LINE_KINDS = (CREDIT, MINIMUM, COMBINE, POOL, CAP, ROUNDING, OVERRIDE)

# The combine rules that add the lines that count (as the judge's ADDING).
ADDING = ("sum", "per-incident")
WHOLE_MONTH = "*"
ITEM = "item:"


@dataclass(frozen=True)
class Issued:
    """A month closed in the period ledger: the revision in force, and the plan its results
    were evaluated with."""

    revision: int
    plan_sha256: str


@dataclass(frozen=True)
class NoteLine:
    line: int  # 1-based within the note
    kind: str  # one of LINE_KINDS
    objective: str  # "" for the period's adjustments
    scope: ScopeKey
    tier: int | None  # 1-based as in the contract; None: per-incident, pool, adjustments
    tier_text: str
    percent: Decimal | None  # ratio of the fee
    amount: Decimal  # in the currency's minor unit; adjustments are usually negative
    override: str  # the id of the override that decided this line; "" none
    description: str  # why, in words ("" for a plain credit line)


@dataclass(frozen=True)
class CreditNote:
    number: str
    contract_id: str
    period: str  # the month, "2026-10"
    state: str  # DRAFT | CLOSED
    revision: int | None  # the ledger's revision of a closed month
    credit: Decimal  # the period's issued credit; the lines add up to it
    minor_unit: int
    earn_back: str
    claim_deadline: str | None
    lines: tuple[NoteLine, ...]
    overrides: tuple[AppliedOverride, ...]  # those the lines name, oldest first


def note_number(contract_id: str, period: str, revision: int | None) -> str:
    """``CN-acme-support-2026-202610`` (closed), ``…-R2`` (reopened), ``…-DRAFT``."""
    base = f"CN-{contract_id}-{period.replace('-', '')}"
    if revision is None:
        return f"{base}-DRAFT"
    return base if revision == 1 else f"{base}-R{revision}"


def has_note(period: PeriodResult, recorded: Sequence[Override] = ()) -> bool:
    """A month gets a note when it issues a credit or an override was recorded against it
    (a waived credit is booked as 0, with the decision)."""
    return period.credit != 0 or bool(period.overrides) or bool(recorded)


def credit_note(
    period: PeriodResult,
    *,
    contract_id: str,
    minor_unit: int,
    mode: str,
    issued: Issued | None = None,
    recorded: Sequence[Override] = (),
) -> CreditNote:
    """The note of ``period``. ``issued``: the month is closed in the ledger (else a draft);
    ``recorded``: the overrides the ledger holds against the month, of which those recorded
    after its close were not applied to its figures."""
    if not is_rounded(period.credit, minor_unit):
        raise ValueError(
            f"{contract_id} {period.period}: the credit {period.credit} has more than "
            f"{minor_unit} decimals; the ledger never rounds"
        )
    exact = _exact_lines(period, minor_unit)
    unapplied = _unapplied(period, recorded)
    shown = [replace(x, amount=round_money(x.amount, minor_unit, mode)) for x in exact]
    rest = period.credit - sum((x.amount for x in shown), Decimal(0))
    if rest:
        # Before the whole-month overrides, as the judge rounds before applying them.
        at = next((i for i, x in enumerate(shown) if x.month_override), len(shown))
        shown.insert(at, _Line(ROUNDING, amount=rest, description=_rounding_words(mode)))
    shown.extend(unapplied)
    lines = tuple(
        NoteLine(
            line=number,
            kind=x.kind,
            objective=x.objective,
            scope=x.scope,
            tier=x.tier,
            tier_text=x.tier_text,
            percent=x.percent,
            amount=x.amount,
            override=x.override,
            description=x.description,
        )
        for number, x in enumerate(shown, start=1)
    )
    named = {x.override for x in lines if x.override}
    known = [*period.overrides, *(_as_applied(o, _AFTER_CLOSE) for o in _later(period, recorded))]
    return CreditNote(
        number=note_number(contract_id, period.period, None if issued is None else issued.revision),
        contract_id=contract_id,
        period=period.period,
        state=DRAFT if issued is None else CLOSED,
        revision=None if issued is None else issued.revision,
        credit=period.credit,
        minor_unit=minor_unit,
        earn_back=period.earn_back,
        claim_deadline=period.claim_deadline,
        lines=lines,
        overrides=tuple(o for o in known if o.id in named),
    )


@dataclass(frozen=True)
class _Line:
    kind: str
    objective: str = ""
    scope: ScopeKey = ()
    tier: int | None = None
    tier_text: str = ""
    percent: Decimal | None = None
    amount: Decimal = Decimal(0)
    override: str = ""
    description: str = ""
    month_override: bool = False  # a whole-month override: the rounding line goes before it


def _exact_lines(period: PeriodResult, minor: int) -> list[_Line]:
    """The lines with their exact amounts (before the display rounding), which add up to the
    period's credit before its one rounding, or to the credit a whole-month override set."""
    out: list[_Line] = []
    deciding: set[str] = set()  # the overrides a line of the note shows
    for line in period.credit_lines:
        rows = _credit_rows(line, _line_override(line, period.overrides))
        deciding.update(x.override for x in rows if x.override)
        out.extend(rows)
    running, adjustments = _period_adjustments(period, minor)
    out.extend(adjustments)
    month = [o for o in period.overrides if o.target == WHOLE_MONTH and o.action in _ON_AMOUNTS]
    for i, override in enumerate(month):
        # Each sets the month's credit; the last one's is the credit issued.
        after = period.credit if i == len(month) - 1 else _set_to(override)
        out.append(
            _Line(
                OVERRIDE,
                amount=after - running,
                override=override.id,
                description=override.effect,
                month_override=True,
            )
        )
        deciding.add(override.id)
        running = after
    out.extend(
        _Line(OVERRIDE, override=o.id, description=_no_figure(o))
        for o in period.overrides
        if o.id not in deciding
    )
    return out


def _credit_rows(line: CreditLine, decided: AppliedOverride | None) -> list[_Line]:
    """A credit line, and the line withdrawing it when it does not count."""
    set_here = decided is not None and decided.action == SET_AMOUNT and line.dropped is None
    credit = _Line(
        CREDIT,
        objective=line.objective,
        scope=line.scope,
        tier=line.tier,
        tier_text=line.tier_text,
        percent=line.percent,
        amount=line.amount,
        override=decided.id if decided is not None and set_here else "",
        description=decided.effect if decided is not None and set_here else "",
    )
    if line.dropped is None:
        return [credit]
    waived = decided is not None and decided.action == WAIVE_CREDIT
    withdrawn = _Line(
        OVERRIDE if waived else _withheld_by(line),
        objective=line.objective,
        scope=line.scope,
        amount=-line.amount,
        override=decided.id if decided is not None and waived else "",
        description=line.dropped,
    )
    return [credit, withdrawn]


def _period_adjustments(period: PeriodResult, minor: int) -> tuple[Decimal, list[_Line]]:
    """From the sum of the lines that count to the credit before its rounding: combining,
    the at-risk pool, the cap and the period minimum, as the judge applies them; and that
    credit."""
    out: list[_Line] = []
    kept = [line.amount for line in period.credit_lines if line.dropped is None]
    running = sum(kept, Decimal(0))
    if period.pool_capped and period.pool_at_risk is not None:
        pooled = running if period.combine in ADDING else max(kept, default=Decimal(0))
        if pooled != running:
            out.append(_Line(COMBINE, amount=pooled - running, description=_combine_words(period)))
        at_risk = _money(period.pool_at_risk, minor)
        out.append(
            _Line(
                POOL,
                amount=period.combined - pooled,
                description=f"capped at the at-risk amount {at_risk} (credits {_money(pooled, minor)})",
            )
        )
    elif period.combined != running:
        # The judge's combined figure is the reference: whatever rule made it differ from the
        # sum (max, single) is said here.
        out.append(
            _Line(COMBINE, amount=period.combined - running, description=_combine_words(period))
        )
    running = period.combined
    if period.cap_applied and period.cap is not None:
        out.append(
            _Line(
                CAP,
                amount=period.cap - running,
                description=f"capped at {_money(period.cap, minor)} (credits {_money(running, minor)})",
            )
        )
        running = period.cap
    if period.minimum_applied:
        minimum = "" if period.minimum is None else f" of {_money(period.minimum, minor)}"
        out.append(
            _Line(
                MINIMUM,
                amount=-running,
                description=f"{_money(running, minor)} is under the minimum credit{minimum}: "
                "not issued",
            )
        )
        running = Decimal(0)
    return running, out


_ON_AMOUNTS = (WAIVE_CREDIT, SET_AMOUNT)
_AFTER_CLOSE = "recorded after the close: applied when the month is closed again"


def _line_override(
    line: CreditLine, overrides: Sequence[AppliedOverride]
) -> AppliedOverride | None:
    """The override that decided ``line``: the last one on its objective (or its scope value)
    that waives or sets a credit, as overrides apply oldest first."""
    decided = None
    for override in overrides:
        if override.action not in _ON_AMOUNTS or override.target == WHOLE_MONTH:
            continue
        objective, _, scope = override.target.partition("/")
        if line.objective == objective and (not scope or scope_text(line.scope) == scope):
            decided = override
    return decided


def _withheld_by(line: CreditLine) -> str:
    # Any drop but one for a shared incident is a per-line minimum.
    return COMBINE if line.dropped_for_incident else MINIMUM


def _set_to(override: AppliedOverride) -> Decimal:
    return Decimal(0) if override.action == WAIVE_CREDIT else Decimal(override.value or "0")


def _later(period: PeriodResult, recorded: Sequence[Override]) -> list[Override]:
    """The overrides recorded against the month that its figures did not apply (recorded
    after its close), oldest first."""
    applied = {o.id for o in period.overrides}
    return sorted((o for o in recorded if o.id not in applied), key=lambda o: (o.created_at, o.id))


def _unapplied(period: PeriodResult, recorded: Sequence[Override]) -> list[_Line]:
    return [
        _Line(OVERRIDE, override=o.id, description=f"{override_text(o)}: {_AFTER_CLOSE}")
        for o in _later(period, recorded)
    ]


def _as_applied(override: Override, effect: str) -> AppliedOverride:
    return AppliedOverride(
        id=override.id,
        period=override.period,
        target=override.target,
        action=override.action,
        value=override.value,
        reason=override.reason,
        author=override.author,
        recorded_at=override.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        effect=effect,
    )


def _no_figure(override: AppliedOverride) -> str:
    what = f"{override.action} {override.target}"
    return f"{what}: {override.effect}" if override.effect else what


def _combine_words(period: PeriodResult) -> str:
    if period.combine in ADDING:
        return f"combine {period.combine}"
    return f"combine {period.combine}: only the largest credit line counts"


def _rounding_words(mode: str) -> str:
    return f"rounding to the currency's minor unit ({mode}): the credit is rounded once"


def _money(amount: Decimal, minor: int) -> str:
    # Every digit of an amount before the single rounding: never rounded for display.
    return money_text(amount, minor) if is_rounded(amount, minor) else format(amount, "f")
