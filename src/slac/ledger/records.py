"""From results to what the ledger stores, and back: a closed period keeps the results
document exactly as it was issued, and is read back from it, never recomputed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from slac.evaluation.evaluate import results_json
from slac.evaluation.judge import earn_back
from slac.evaluation.measurement import scope_text
from slac.evaluation.results import AppliedOverride, EarlierPeriod, PeriodResult, Results
from slac.evaluation.saved import SavedResultsError, results_from_text
from slac.ledger.model import (
    CLOSED,
    EXCLUDE_ITEM,
    ITEM_PREFIX,
    REOPENED,
    SET_AMOUNT,
    WAIVE_CREDIT,
    ClosedPeriod,
    LedgerError,
    Override,
    StoredCreditLine,
)
from slac.plan.canonical import pretty, sha256_of
from slac.plan.types import Plan


def closed_period(
    results: Results,
    period: str,
    *,
    revision: int,
    closed_by: str,
    closed_at: datetime,
    reason: str | None,
) -> ClosedPeriod:
    """The record of ``period`` closed with ``results`` (evaluated for that period only).
    The results document is stored as ``slac evaluate -o`` writes it, byte for byte."""
    matching = [p for p in results.periods if p.period == period]
    if not matching:
        raise LedgerError(f"the results have no period {period}: nothing to close")
    document = results_json(results)
    lines = tuple(
        StoredCreditLine(
            line=number,
            objective=line.objective,
            scope=scope_text(line.scope),
            tier=line.tier,
            percent=line.percent,
            amount=line.amount,
            dropped=line.dropped,
        )
        for number, line in enumerate((line for p in matching for line in p.credit_lines), start=1)
    )
    return ClosedPeriod(
        contract_id=results.contract_id,
        period=period,
        revision=revision,
        state=CLOSED if revision == 1 else REOPENED,
        closed_at=closed_at,
        closed_by=closed_by,
        reason=reason,
        plan_sha256=results.plan_sha256,
        source_sha256=results.source_sha256,
        inputs_sha256=sha256_of(document["inputs"]),
        slac_version=results.slac_version,
        total_credit=sum((p.credit for p in matching), Decimal(0)),
        currency=results.currency,
        results_sha256=document["results_sha256"],
        results=pretty(document).encode("utf-8"),
        credit_lines=lines,
    )


def stored_results(closed: ClosedPeriod) -> Results:
    """The results of a closed period as they were issued (checked against their hash)."""
    where = f"ledger: {closed.contract_id} {closed.period} revision {closed.revision}"
    try:
        results = results_from_text(closed.results.decode("utf-8"), where, any_version=True)
    except (SavedResultsError, UnicodeDecodeError) as err:
        raise LedgerError(str(err)) from None
    return results


def stored_period(closed: ClosedPeriod) -> PeriodResult:
    """The period's result as issued at its close."""
    for period in stored_results(closed).periods:
        if period.period == closed.period:
            return period
    raise LedgerError(
        f"ledger: {closed.contract_id} {closed.period} revision {closed.revision}: "
        "its stored results do not hold that period"
    )


def with_closed_periods(
    results: Results, closed: dict[str, ClosedPeriod], plan: Plan, later: Iterable[str] = ()
) -> Results:
    """``results`` with each period that is closed replaced by its stored result (a closed
    period the evaluation did not cover is added, in period order). The earn-back state of
    each credit is that of the months known after it, closed or evaluated (a credit closed
    as pending becomes due or waived once the months after it are known); the months of
    ``later`` (closed after the ones shown) count too."""
    periods = {p.period: p for p in results.periods}
    for period, record in closed.items():
        periods[period] = stored_period(record)
    shown = set(periods)
    after = {m: stored_period(closed[m]) for m in later if m in closed and m not in shown}
    known = earn_back(plan, [*(periods[key] for key in sorted(periods)), *after.values()])
    ordered = tuple(p for p in sorted(known, key=lambda p: p.period) if p.period in shown)
    return replace(
        results,
        periods=ordered,
        total_credit=sum((p.credit for p in ordered), Decimal(0)),
    )


def latest_revisions(records: Iterable[ClosedPeriod]) -> dict[str, ClosedPeriod]:
    """The revision in force of each closed period (``records`` by period, then revision)."""
    latest: dict[str, ClosedPeriod] = {}
    for record in records:
        if record.period not in latest or record.revision > latest[record.period].revision:
            latest[record.period] = record
    return latest


def earlier_periods(records: Iterable[ClosedPeriod]) -> tuple[EarlierPeriod, ...]:
    """What later months see of each closed period (its revision in force): the objectives
    it breached, the credit issued and its fee, read from its stored results."""
    out = []
    for period, record in sorted(latest_revisions(records).items()):
        issued = stored_period(record)
        out.append(
            EarlierPeriod(
                period=period,
                revision=record.revision,
                results_sha256=record.results_sha256,
                breached=tuple(
                    sorted({o.objective for o in issued.objectives if o.status == "breached"})
                ),
                credit=issued.credit,
                fee=issued.fee,
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- overrides


def new_override(
    plan: Plan,
    period: str,
    *,
    target: str,
    action: str,
    value: str | None,
    reason: str,
    author: str,
    created_at: datetime,
) -> Override:
    """An override checked against the contract's plan: its objective (or exclusion) must
    exist, and the value must fit the action. Raises :class:`LedgerError` naming the problem."""
    if not reason.strip():
        raise LedgerError("an override needs a --reason (it is kept for the audit)")
    objectives = sorted({o.id for terms in plan.terms for o in terms.objectives})
    exclusions = sorted({e.id for terms in plan.terms for e in terms.exclusions})
    if target.startswith(ITEM_PREFIX):
        if not target[len(ITEM_PREFIX) :].strip():
            raise LedgerError(f"--target {target!r} names no item: write item:ID")
        if action != EXCLUDE_ITEM:
            raise LedgerError(
                f"--action {action} applies to an objective; an item ({target}) can only be "
                f"reclassified with --action {EXCLUDE_ITEM}"
            )
    else:
        objective = target.split("/", 1)[0]
        if objective not in objectives and objective != "*":
            raise LedgerError(
                f"--target {target!r}: {objective!r} is not an objective of {plan.contract_id} "
                f"(its objectives: {', '.join(objectives)}; * for the whole period; item:ID "
                "for an item)"
            )
        if action == EXCLUDE_ITEM:
            raise LedgerError(f"--action {EXCLUDE_ITEM} needs an item: --target item:ID")
    if action == WAIVE_CREDIT and value is not None:
        raise LedgerError(f"--action {WAIVE_CREDIT} takes no --value")
    if action == SET_AMOUNT:
        try:
            amount = Decimal(value or "")
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount < 0:
            raise LedgerError(
                f"--action {SET_AMOUNT} needs --value AMOUNT, a non-negative decimal such as "
                f"250.00 (got {value!r})"
            )
        minor = _minor_unit(plan, period)
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > minor:
            raise LedgerError(
                f"--value {value}: an amount has at most {minor} decimal(s) in the contract's "
                "currency (money is never rounded behind your back)"
            )
    if action == EXCLUDE_ITEM and value not in exclusions:
        raise LedgerError(
            f"--action {EXCLUDE_ITEM} needs --value EXCLUSION, one of the contract's "
            f"exclusions: {', '.join(exclusions) or '(it has none)'} (got {value!r})"
        )
    return Override(
        id=uuid.uuid4().hex,
        contract_id=plan.contract_id,
        period=period,
        target=target,
        action=action,
        value=value,
        reason=reason,
        author=author,
        created_at=created_at,
    )


def applied_overrides(overrides: Iterable[Override]) -> tuple[AppliedOverride, ...]:
    """The overrides as evaluation applies them, oldest first."""
    ordered = sorted(overrides, key=lambda o: (o.created_at, o.id))
    return tuple(
        AppliedOverride(
            id=o.id,
            period=o.period,
            target=o.target,
            action=o.action,
            value=o.value,
            reason=o.reason,
            author=o.author,
            recorded_at=o.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for o in ordered
    )


def _minor_unit(plan: Plan, period: str) -> int:
    """The minor-unit digits of the currency of the terms in force in ``period``."""
    from slac.evaluation.periods import first_day
    from slac.evaluation.tasks import terms_on

    terms = terms_on(plan, first_day(period)) or plan.terms[-1]
    minor = terms.commercials.minor_unit
    return 2 if minor is None else minor


def override_text(override: Override) -> str:
    """One override as exports and history write it: ``waive-credit first-reply``."""
    value = f"={override.value}" if override.value is not None else ""
    return f"{override.action} {override.target}{value}"
