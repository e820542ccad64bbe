"""Measurements → judged objectives, credits, grades, chronic failure and escalations.

Exact Decimal arithmetic throughout; money is rounded once, by the contract's rule, in the
currency's ISO 4217 minor unit (docs/semantics.md, "Credits").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from slac.evaluation.billing import NO_FEES, Fees, months_of
from slac.evaluation.measurement import Measurement, scope_text
from slac.evaluation.overrides import month_overridden, overridden
from slac.evaluation.periods import MONTHS_IN, add_months, first_day, unit_of
from slac.evaluation.results import (
    ONE_CREDIT_PER_INCIDENT,
    AppliedOverride,
    CreditLine,
    EarlierPeriod,
    Excluded,
    ObjectiveResult,
    PeriodResult,
    Trigger,
)
from slac.evaluation.tasks import Task, terms_on
from slac.plan.money import round_money, share
from slac.plan.types import Cap, CreditRules, Interval, Objective, Plan, Terms
from slac.wording import bounds_words, compact_value, percent_words


@dataclass(frozen=True)
class Seen:
    """A month the look-back rules (chronic failure, escalations, rolling caps) know: one
    judged earlier in this run, or one closed in the ledger before it."""

    month: str
    breached: frozenset[str]  # the objectives breached in it
    credit: Decimal  # the credit issued
    fee: Decimal | None  # the fee caps are taken of (None: none known)


def seen_from(earlier: Sequence[EarlierPeriod]) -> list[Seen]:
    return [Seen(e.period, frozenset(e.breached), e.credit, e.fee) for e in earlier]


def holds(op: str, measured: Decimal, bound: Decimal) -> bool:
    return {
        ">=": measured >= bound,
        ">": measured > bound,
        "<=": measured <= bound,
        "<": measured < bound,
    }[op]


def in_interval(value: Decimal, interval: Interval) -> bool:
    low, high = interval.low, interval.high
    if low is not None and (value < low.value or (value == low.value and not low.inclusive)):
        return False
    return high is None or not (value > high.value or (value == high.value and not high.inclusive))


def exclusion_units(terms: Terms) -> dict[str, str]:
    """The unit each exclusion's count is in: maintenance removes windows of time, every
    other exclusion removes rows (docs/semantics.md, "Exclusions")."""
    return {e.id: "windows" if e.maintenance_dataset else "rows" for e in terms.exclusions}


def judge(obj: Objective, m: Measurement, units: Mapping[str, str]) -> tuple[str, str]:
    rows = sum(n for x, n in m.excluded if units.get(x, "rows") == "rows")
    windows = sum(n for x, n in m.excluded if units.get(x, "rows") == "windows")
    if m.sample == 0 and (rows or windows) and not m.open:
        # Rows and windows are different things: each is said with its own unit.
        plural = "window" if windows == 1 else "windows"
        if not rows:
            return (
                "not-applicable",
                f"all of the time was excluded ({windows} maintenance {plural})",
            )
        also = f", and {windows} maintenance {plural}" if windows else ""
        return "not-applicable", f"all {rows} rows were excluded{also}"
    if m.value is None:  # a count of 0 rows is a value (docs/semantics.md, `count`)
        return "insufficient-data", "no data to judge" + (f" ({m.open} open)" if m.open else "")
    if m.sample < obj.min_sample:
        return "insufficient-data", f"{m.sample} judged, fewer than the minimum of {obj.min_sample}"
    ok = holds(obj.target.op, m.value, obj.target.quantity.value)
    return ("met" if ok else "breached"), ""


def _period_months(period_id: str) -> int:
    return MONTHS_IN[unit_of(period_id)]


def fee_of(obj: Objective, m: Measurement, terms: Terms, fees: Fees = NO_FEES) -> Decimal | None:
    """The fee a percentage credit of ``m`` is taken of, for its whole period: the objective's
    own (× the period's months), or with ``fee: {by: field}`` the service fee named by the
    scope value of that field, or with ``commercials.fees_from`` the sum of that value's
    billed charges for the period's months (None when any month has no charge)."""
    months = _period_months(m.period) if obj.period.rolling == 1 else 1
    if obj.fee_by is None:
        return obj.fee.amount * months if obj.fee is not None else None
    value = dict(m.scope).get(obj.fee_by)
    if value is None:
        return None
    source = terms.commercials.fees_from
    if source is not None:
        billed = fees.get(source.dataset, {})
        charges = [billed.get((str(value), month)) for month in months_of(m.period)]
        if any(c is None for c in charges):
            return None
        return sum((c for c in charges if c is not None), Decimal(0))
    money = dict(terms.commercials.service_fees).get(str(value))
    return money.amount * months if money is not None else None


def missing_fee(obj: Objective, m: Measurement, terms: Terms, fees: Fees = NO_FEES) -> str:
    """Why a breach earns no credit because its scope value has no fee ("" if it has)."""
    credit = obj.credit
    if obj.fee_by is None or credit is None or fee_of(obj, m, terms, fees) is not None:
        return ""
    if credit.per_incident is not None or all(t.percent is None for t in credit.tiers):
        return ""
    value = dict(m.scope).get(obj.fee_by)
    source = terms.commercials.fees_from
    if source is None:
        return f"no service fee for {obj.fee_by}={value}: no percentage credit"
    billed = fees.get(source.dataset, {})
    missing = (
        [month for month in months_of(m.period) if (str(value), month) not in billed]
        if value is not None
        else months_of(m.period)
    )
    return (
        f"no charge for {obj.fee_by}={value} in {', '.join(missing)} in {source.dataset}: "
        "no percentage credit"
    )


def credit_line(
    obj: Objective, m: Measurement, terms: Terms, fees: Fees = NO_FEES
) -> CreditLine | None:
    credit = obj.credit
    if credit is None or m.value is None:
        return None
    if credit.per_incident is not None:
        incidents = m.breached
        if not incidents:
            return None
        return CreditLine(
            obj.id,
            m.scope,
            m.period,
            None,
            "per incident",
            None,
            None,
            incidents,
            credit.per_incident.amount * incidents,
        )
    for index, tier in enumerate(credit.tiers, start=1):
        if not in_interval(m.value, tier.interval):
            continue
        text = _interval_text(tier.interval)
        if tier.amount is not None:
            return CreditLine(
                obj.id, m.scope, m.period, index, text, None, None, None, tier.amount.amount
            )
        fee = fee_of(obj, m, terms, fees)
        if fee is None or tier.percent is None:
            return None
        return CreditLine(
            obj.id,
            m.scope,
            m.period,
            index,
            text,
            tier.percent,
            fee,
            None,
            share(fee, tier.percent),
        )
    return None


def _interval_text(interval: Interval) -> str:
    show = partial(compact_value, unit=interval.unit)
    return bounds_words(interval.low, interval.high, show, signs=True, empty="any result")


def _local(instant_day: date, zone: str) -> datetime:
    return _wall(datetime.combine(instant_day, datetime.min.time()), zone)


def _wall(naive: datetime, zone: str) -> datetime:
    """A local wall time as the instant it names: a time the clocks skip (02:30 on the night
    they spring forward) is the instant after the change, written as it reads then (03:30)."""
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).astimezone(ZoneInfo(zone))


def _claim_deadline(month: str, rules: CreditRules, zone: str) -> str | None:
    if rules.claim_cycles is not None:
        # Billing cycles are the contract zone's calendar months: "by the end of the second
        # billing cycle after" an October incident is the end of December (local midnight).
        return _local(add_months(first_day(month), 1 + rules.claim_cycles), zone).isoformat()
    return _deadline(month, rules.claim_within_seconds, zone)


def _incident_deadline(
    month: str, rules: CreditRules, zone: str, incident_us: int | None
) -> datetime | None:
    """The claim deadline of one credit line: with `from: incident`, counted from the latest
    breach behind the line; otherwise (and for lines without items) from the period's end."""
    if rules.claim_from != "incident" or incident_us is None:
        found = _claim_deadline(month, rules, zone)
        return datetime.fromisoformat(found) if found is not None else None
    local = datetime.fromtimestamp(incident_us / 1_000_000, UTC).astimezone(ZoneInfo(zone))
    if rules.claim_cycles is not None:
        # The incident's billing cycle is the local calendar month it falls in.
        cycle = date(local.year, local.month, 1)
        return _local(add_months(cycle, 1 + rules.claim_cycles), zone)
    seconds = rules.claim_within_seconds
    if seconds is None:
        return None
    if seconds % 86_400 == 0:
        # Calendar days on the local clock: "within 30 days" of 14:00 ends at 14:00 local.
        return _wall(local.replace(tzinfo=None) + timedelta(days=int(seconds // 86_400)), zone)
    return (local.astimezone(UTC) + timedelta(seconds=int(seconds))).astimezone(ZoneInfo(zone))


def _period_claim_deadline(
    month: str,
    rules: CreditRules,
    zone: str,
    lines: Sequence[CreditLine],
    incidents: Sequence[int | None],
) -> str | None:
    """The earliest deadline of the lines that count: claiming by it claims every line."""
    if rules.claim_from != "incident" or len(incidents) != len(lines):
        return _claim_deadline(month, rules, zone)
    found = [
        _incident_deadline(month, rules, zone, at)
        for line, at in zip(lines, incidents, strict=True)
        if line.dropped is None and line.amount > 0
    ]
    known = [d for d in found if d is not None]
    if not known:
        return _claim_deadline(month, rules, zone)
    return min(known).isoformat()


def _deadline(month: str, seconds: Decimal | None, zone: str) -> str | None:
    if seconds is None:
        return None
    end = _local(add_months(first_day(month), 1), zone)
    if seconds % 86_400 == 0:
        # Whole days are calendar days: "30 days after the period" ends at local midnight,
        # whatever daylight-saving change lies in between.
        return _wall(
            end.replace(tzinfo=None) + timedelta(days=int(seconds // 86_400)), zone
        ).isoformat()
    moment = end.astimezone(ZoneInfo("UTC")) + timedelta(seconds=int(seconds))
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def judge_periods(
    plan: Plan,
    month_ids: Sequence[str],
    tasks: Sequence[Task],
    measurements: Sequence[Measurement],
    fees: Fees = NO_FEES,
    earlier: Sequence[EarlierPeriod] = (),
    overrides: Sequence[AppliedOverride] = (),
) -> list[PeriodResult]:
    """Each month of ``month_ids`` judged; ``earlier`` are the months before them that the
    ledger closed, which the rules that look back over months see as judged then;
    ``overrides`` those the ledger recorded, applied to the credits of their month."""
    by_task: dict[tuple[str, str], list[Measurement]] = {}
    for m in measurements:
        by_task.setdefault((m.period, m.objective), []).append(m)
    month_of_task = {(t.period.id, t.objective.id, t.month): t for t in tasks}
    results: list[PeriodResult] = []
    history = seen_from(earlier)
    for month in month_ids:
        terms = terms_on(plan, first_day(month))
        if terms is None:
            continue
        objective_results: list[ObjectiveResult] = []
        lines: list[CreditLine] = []
        # Aligned with lines: the latest breach behind each (None: an aggregate objective)
        # and its breached items.
        incidents: list[int | None] = []
        items: list[tuple[str, ...]] = []
        for (pid, oid, mon), task in sorted(
            month_of_task.items(), key=lambda kv: _order(terms, kv[0][1])
        ):
            if mon != month:
                continue
            obj = task.objective
            for m in by_task.get((pid, oid), []):
                units = exclusion_units(task.terms)
                status, reason = judge(obj, m, units)
                line = credit_line(obj, m, task.terms, fees) if status == "breached" else None
                if status == "breached" and line is None:
                    reason = missing_fee(obj, m, task.terms, fees)
                if line is not None:
                    lines.append(line)
                    incidents.append(m.last_breach_us)
                    items.append(m.breached_items)
                objective_results.append(_objective_result(obj, m, status, reason, line, units))
        decided = [o for o in overrides if o.period == month]
        results.append(
            _period(
                plan,
                terms,
                month,
                objective_results,
                lines,
                history,
                incidents,
                items,
                fees,
                decided,
            )
        )
    return earn_back(plan, results)


def _order(terms: Terms, oid: str) -> int:
    for i, o in enumerate(terms.objectives):
        if o.id == oid:
            return i
    return len(terms.objectives)


def _objective_result(
    obj: Objective,
    m: Measurement,
    status: str,
    reason: str,
    line: CreditLine | None,
    units: Mapping[str, str],
) -> ObjectiveResult:
    return ObjectiveResult(
        period=m.period,
        objective=obj.id,
        title=obj.title,
        scope=m.scope,
        status=status,
        reason=reason,
        measured=m.value,
        unit=obj.target.quantity.unit,
        target_op=obj.target.op,
        target=obj.target.quantity.value,
        sample=m.sample,
        min_sample=obj.min_sample,
        met=m.met,
        breached=m.breached,
        open=m.open,
        excluded=tuple(Excluded(e, n, units.get(e, "rows")) for e, n in m.excluded),
        weight=obj.weight,
        credit=line,
        carried=m.carried,
        misses=m.misses,
    )


def _period(
    plan: Plan,
    terms: Terms,
    month: str,
    objectives: list[ObjectiveResult],
    lines: list[CreditLine],
    history: list[Seen],
    incidents: Sequence[int | None] = (),
    items: Sequence[tuple[str, ...]] = (),
    fees: Fees = NO_FEES,
    overrides: Sequence[AppliedOverride] = (),
) -> PeriodResult:
    rules = terms.credits
    com = terms.commercials
    judged = [o for o in objectives if o.status in ("met", "breached")]
    met = [o for o in judged if o.status == "met"]
    level: Decimal | None = None
    if judged:
        if terms.service_level_weighted:
            total_w = sum((o.weight for o in judged), Decimal(0))
            level = sum((o.weight for o in met), Decimal(0)) / total_w if total_w else None
        else:
            level = Decimal(len(met)) / Decimal(len(judged))
    grade = None
    if level is not None:
        grade = next((g.name for g in terms.grades if in_interval(level, g.interval)), None)
    minor = com.minor_unit if com.minor_unit is not None else 2
    mode = com.rounding.mode
    if com.rounding.apply == "per-line":
        lines = [_rounded(line, minor, mode) for line in lines]
    if rules.minimum is not None and rules.minimum_per == "line":
        lines = [
            _line_minimum(line, rules.minimum.amount, rules.minimum_inclusive) for line in lines
        ]
    if rules.combine == "per-incident" and len(items) == len(lines):
        lines = _one_credit_per_incident(lines, items)
    lines, effects = overridden(lines, overrides, minor)
    amounts = [line.amount for line in lines if line.dropped is None]
    combined = Decimal(0)
    if amounts:
        adds = rules.combine in ADDING
        combined = sum(amounts, Decimal(0)) if adds else max(amounts)
    fee = _period_fee(terms, month, fees)
    pool_at_risk = None
    pool_capped = False
    if rules.pool is not None and fee is not None:
        pool_at_risk = share(fee, rules.pool.at_risk)
        allocation = dict(rules.pool.allocations)
        # Each breached service level earns its allocation of the at-risk amount once, however
        # many of its scope values breached; these are the period's credit lines.
        breached = list(dict.fromkeys(o.objective for o in objectives if o.status == "breached"))
        lines = [
            CreditLine(
                oid,
                (),
                next(o.period for o in objectives if o.objective == oid),
                None,
                f"pool allocation {percent_words(allocation[oid])} of the at-risk amount",
                allocation[oid] * rules.pool.at_risk,
                fee,
                None,
                share(pool_at_risk, allocation[oid]),
            )
            for oid in breached
            if oid in allocation
        ]
        if com.rounding.apply == "per-line":
            lines = [_rounded(line, minor, mode) for line in lines]
        lines, effects = overridden(lines, overrides, minor)
        # A pool line stands for a whole objective: its claim counts from the period's end.
        incidents = [None] * len(lines)
        kept = [line.amount for line in lines if line.dropped is None]
        pooled = sum(kept, Decimal(0))
        if rules.combine not in ADDING:
            pooled = max(kept, default=Decimal(0))
        combined = pooled
        if combined > pool_at_risk:
            combined, pool_capped = pool_at_risk, True
    cap_amount = None
    cap_applied = False
    total = combined
    if rules.caps and fee is not None:
        # Every cap applies (a monthly cap and a rolling-12-month one, as in Accord Project's
        # SLA template): the smallest amount binds.
        # A rolling cap adds each month's own fee: billed charges differ by month, and an
        # amendment may change the monthly fee within the 12 months.
        def earlier(other: Seen) -> Decimal | None:
            if other.fee is not None:
                return other.fee
            return _period_fee(terms_on(plan, first_day(other.month)) or terms, other.month, fees)

        cap_amount = min(_cap_amount(cap, fee, month, history, earlier) for cap in rules.caps)
        if total > cap_amount:
            total, cap_applied = cap_amount, True
    minimum = rules.minimum.amount if rules.minimum is not None else None
    minimum_applied = False
    below = minimum is not None and (
        total < minimum or (total == minimum and not rules.minimum_inclusive)
    )
    if rules.minimum_per == "period" and Decimal(0) < total and below:
        total, minimum_applied = Decimal(0), True
    total = round_money(total, minor, mode)
    total, effects = month_overridden(total, overrides, effects, minor, mode)
    breached_ids = frozenset(o.objective for o in objectives if o.status == "breached")
    history.append(Seen(month, breached_ids, total, fee))
    return PeriodResult(
        period=month,
        terms_from=terms.effective_from,
        amendment=terms.amendment,
        objectives=tuple(objectives),
        service_level=level,
        grade=grade,
        judged=len(judged),
        met=len(met),
        credit_lines=tuple(lines),
        combine=rules.combine,
        combined=combined,
        pool_at_risk=pool_at_risk,
        pool_capped=pool_capped,
        cap=cap_amount,
        cap_applied=cap_applied,
        minimum=minimum,
        minimum_applied=minimum_applied,
        earn_back="none" if rules.earn_back_periods is None or total == 0 else "pending",
        credit=total,
        currency=com.currency,
        claim_deadline=(
            _period_claim_deadline(month, rules, plan.timezone, lines, incidents) if total else None
        ),
        chronic_failure=tuple(_chronic(terms, month, history)),
        escalations=tuple(_escalations(plan, terms, month, history)),
        fee=fee,
        overrides=tuple(replace(o, effect=effects[o.id]) for o in overrides),
    )


# The combine rules that add the lines that count (per-incident first drops the lines of an
# incident another line already credits).
ADDING = ("sum", "per-incident")


def _one_credit_per_incident(
    lines: Sequence[CreditLine], items: Sequence[tuple[str, ...]]
) -> list[CreditLine]:
    """One incident, one credit: among the lines that share a breached item (a ticket, an
    outage) only the largest counts, the earlier in contract order on a tie. A line is kept
    or dropped whole; a line without items (an aggregate objective) is always kept."""
    out = list(lines)
    credited: dict[str, CreditLine] = {}
    ranked = sorted(range(len(lines)), key=lambda i: (-lines[i].amount, i))
    for i in ranked:
        line = lines[i]
        if line.dropped is not None or not items[i]:
            continue
        shared = next((item for item in items[i] if item in credited), None)
        if shared is None:
            credited.update(dict.fromkeys(items[i], line))
            continue
        kept = credited[shared]
        where = f" ({scope_text(kept.scope)})" if kept.scope else ""
        out[i] = replace(
            line,
            dropped=f"{ONE_CREDIT_PER_INCIDENT}: {shared} is credited by {kept.objective}{where}",
        )
    return out


def _cap_amount(
    cap: Cap,
    fee: Decimal,
    month: str,
    history: list[Seen],
    fee_in: Callable[[Seen], Decimal | None] | None = None,
) -> Decimal:
    """The cap's amount this month; ``fee_in`` gives an earlier month's own fee (billed
    charges, or the monthly fee of the terms in force then), else every month of a rolling
    window has this month's fee."""
    if cap.per == "rolling-12-months":
        # The months judged in this run and those closed in the ledger before it are known
        # (docs/semantics.md, "Cap").
        window = [h for h in history if h.month > _month_minus(month, 12)]
        earlier = sum((h.credit for h in window), Decimal(0))
        if fee_in is not None:
            # A month without any billed charge adds nothing to the fees of the window.
            fees = fee + sum((fee_in(h) or Decimal(0) for h in window), Decimal(0))
            return max(share(fees, cap.percent) - earlier, Decimal(0))
        return max(share(fee, cap.percent, times=len(window) + 1) - earlier, Decimal(0))
    return share(fee, cap.percent)


def _line_minimum(line: CreditLine, minimum: Decimal, inclusive: bool) -> CreditLine:
    if line.amount <= 0 or line.amount > minimum or (line.amount == minimum and inclusive):
        return line
    words = "below the minimum" if line.amount < minimum else "not more than the minimum"
    return replace(line, dropped=f"{words} of {format(minimum, 'f')} per credit line")


def _rounded(line: CreditLine, minor: int, mode: str) -> CreditLine:
    return replace(line, amount=round_money(line.amount, minor, mode))


def _period_fee(terms: Terms, month: str, fees: Fees = NO_FEES) -> Decimal | None:
    """The fee caps and pools are taken of: the monthly fee, or else the month's billed
    charges (with `fees_from`; none billed: no fee), or else the service fees' sum
    (docs/semantics.md, "Fees from billing data")."""
    com = terms.commercials
    if com.monthly_fee is not None:
        return com.monthly_fee.amount
    if com.fees_from is not None:
        billed = fees.get(com.fees_from.dataset, {})
        charges = [amount for (_, m), amount in billed.items() if m == month]
        # A month without any charge has no fee to cap at, never a fee of 0.
        return sum(charges, Decimal(0)) if charges else None
    if com.service_fees:
        return sum((m.amount for _, m in com.service_fees), Decimal(0))
    return None


def _month_minus(month: str, n: int) -> str:
    day = add_months(first_day(month), -n)
    return f"{day.year:04d}-{day.month:02d}"


def _not_known(unknown: int) -> str:
    if unknown <= 0:
        return ""
    return f" ({unknown} not known: neither in this run nor closed in the ledger)"


def _chronic(terms: Terms, month: str, history: list[Seen]) -> list[Trigger]:
    out = []
    for rule in terms.chronic_failure:
        window = [h for h in history if h.month > _month_minus(month, rule.periods)]
        breaches = sum(1 for h in window if h.breached & set(rule.objectives))
        unknown = rule.periods - len(window)
        detail = f"{breaches} of the last {rule.periods} periods breached" + _not_known(unknown)
        out.append(
            Trigger(rule.id, breaches >= rule.breaches, detail, consequence=rule.consequence)
        )
    return out


def _escalations(plan: Plan, terms: Terms, month: str, history: list[Seen]) -> list[Trigger]:
    out = []
    for rule in terms.escalations:
        # The calendar months, not the last entries: a month neither evaluated nor closed
        # breaks the run of consecutive breaches as unknown.
        recent = [h for h in history if h.month > _month_minus(month, rule.consecutive)]
        breaches = sum(1 for h in recent if h.breached & set(rule.breach))
        triggered = breaches == rule.consecutive
        detail = f"breached in {breaches} of the last {rule.consecutive} periods" + _not_known(
            rule.consecutive - len(recent)
        )
        due = _deadline(month, rule.within_seconds, plan.timezone) if triggered else None
        out.append(Trigger(rule.id, triggered, detail, due, rule.notify, rule.action))
    return out


def earn_back(plan: Plan, results: list[PeriodResult]) -> list[PeriodResult]:
    """Each credit's earn-back state from the months after it that ``results`` hold (the
    calendar months: one missing leaves the credit pending)."""
    out = list(results)
    for i, result in enumerate(out):
        terms = terms_on(plan, first_day(result.period))
        if terms is None or terms.credits.earn_back_periods is None or result.credit == 0:
            continue
        n = terms.credits.earn_back_periods
        last = add_months(first_day(result.period), n)
        later = [r for r in out if result.period < r.period and first_day(r.period) <= last]
        if any(o.status == "breached" for r in later for o in r.objectives):
            out[i] = replace(result, earn_back="due")
        elif len(later) == n:
            out[i] = replace(result, earn_back="waived")
    return out
