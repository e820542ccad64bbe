"""Consequences: credit tiers, caps, the at-risk pool, money, grade bands."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from slac.contract.bands import (
    Band,
    Bound,
    breach_region,
    meets,
    overlap,
    read_band,
    sort_low_to_high,
)
from slac.contract.currencies import MINOR_UNITS, minor_units
from slac.contract.model import Objective, Tier
from slac.contract.rules.base import Finding, RuleContext, did_you_mean, rule
from slac.contract.rules.objectives import expected_target_kind
from slac.contract.source import Path
from slac.contract.units import parse_comparison, parse_money, parse_percent
from slac.diagnostics import Severity

_KIND_WORDS = {"ratio": "percentages", "duration": "durations", "number": "plain numbers"}


def _same_unit(a: Band, b: Band) -> bool:
    # A tier with no bounds at all (kind None) covers every value, whatever the unit.
    return a.kind is None or b.kind is None or a.kind == b.kind


def _tiers(
    ctx: RuleContext,
) -> Iterator[tuple[Objective, tuple[Tier, ...], list[tuple[int, Band]]]]:
    """Each objective with credit tiers, its tiers, and the readable ones as (index, band)."""
    for obj in ctx.contract.objectives:
        tiers = obj.credit.tiers if obj.credit else ()
        if not tiers:
            continue
        bands = []
        for j, tier in enumerate(tiers):
            band, _bad = read_band(tier.bounds)
            if band is not None:
                bands.append((j, band))
        yield obj, tiers, bands


@rule("R601", "tier-overlap", Severity.ERROR)
def tier_overlap(ctx: RuleContext) -> Iterator[Finding]:
    """Two credit tiers of one objective overlap, or a tier credits a result that meets the target.

    Each measured value must fall in at most one tier, or the credit is ambiguous. Write
    boundaries as published SLAs do: `{at_least: 99.0%, below: 99.99%}` then
    `{at_least: 95.0%, below: 99.0%}` (the shared boundary is inclusive on one side only).

    **Fix:** make the boundary inclusive on one side and exclusive on the other.
    """
    for obj, tiers, bands in _tiers(ctx):
        for a in range(len(bands)):
            for b in range(a + 1, len(bands)):
                (ja, band_a), (jb, band_b) = bands[a], bands[b]
                if _same_unit(band_a, band_b) and overlap(band_a, band_b):
                    yield Finding(
                        f"tier {jb + 1} ({band_b.describe()}) overlaps tier {ja + 1} "
                        f"({band_a.describe()})",
                        tiers[jb].path,
                        "a shared boundary belongs to one tier only: at_least/below or above/at_most",
                    )
        target = parse_comparison(obj.target)
        if target is None:
            continue
        region = breach_region(target)
        for j, band in bands:
            if _same_unit(band, region) and _reaches_met(band, region):
                yield Finding(
                    f"tier {j + 1} ({band.describe()}) includes results that meet the target "
                    f"{obj.target!r}",
                    tiers[j].path,
                    "tiers describe breaches only",
                )


def _reaches_met(band: Band, region: Band) -> bool:
    # The band leaves the breach region when it extends past the region's finite end.
    if region.high is not None:
        end = region.high
        return (
            band.high is None
            or band.high.value > end.value
            or (band.high.value == end.value and band.high.inclusive and not end.inclusive)
        )
    assert region.low is not None
    start = region.low
    return (
        band.low is None
        or band.low.value < start.value
        or (band.low.value == start.value and band.low.inclusive and not start.inclusive)
    )


@rule("R602", "tier-gap", Severity.ERROR)
def tier_gap(ctx: RuleContext) -> Iterator[Finding]:
    """Credit tiers leave a gap: some breaching results would earn no credit.

    Between the target and the worst tier, every value must fall into a tier: with a target of
    `>= 99.99%` and tiers `below 99.9%` only, an uptime of 99.95% breaches the target and earns
    nothing. The top tier must meet the target exactly (`below: 99.99%`), adjacent tiers must
    meet each other, and the last tier must be open-ended (or start at 0%).

    **Fix:** adjust the boundaries so that each tier starts where the previous one ends.
    """
    for obj, tiers, bands in _tiers(ctx):
        target = parse_comparison(obj.target)
        if target is None or not bands:
            continue
        region = breach_region(target)
        same = [(j, b) for j, b in bands if _same_unit(b, region)]
        if len(same) != len(tiers):
            continue  # R607 reports the unreadable or mismatched tier
        ordered = sort_low_to_high(same)
        for (ja, a), (jb, b) in itertools.pairwise(ordered):
            if not overlap(a, b) and not meets(a.high, b.low):
                yield Finding(
                    f"gap between tier {ja + 1} ({a.describe()}) and tier {jb + 1} ({b.describe()})",
                    tiers[jb].path,
                    "make each tier start exactly where the previous one ends",
                )
        if region.high is not None:  # higher is better: tiers run up to the target
            top_j, top = max(ordered, key=lambda jb: _high_key(jb[1].high))
            if _gap_after(top.high, region.high):
                bound = "below" if not region.high.inclusive else "at_most"
                yield Finding(
                    f"results from {_edge(top.high, region.kind)} up to the target "
                    f"{obj.target!r} breach it but earn no credit",
                    tiers[top_j].path,
                    f"let the top tier end at the target: {bound}: {obj.target.split()[-1]}",
                )
            low_j, low = ordered[0]
            if low.low is not None and not _is_floor(low.low, region.kind):
                yield Finding(
                    f"results below tier {low_j + 1} ({low.describe()}) earn no credit",
                    tiers[low_j].path,
                    "leave the lowest tier open at the bottom (no at_least) or start it at 0%",
                )
        else:  # lower is better (durations): tiers run from the target upwards
            assert region.low is not None
            first_j, first = ordered[0]
            if _gap_before(first.low, region.low):
                yield Finding(
                    f"results just above the target {obj.target!r} breach it but earn no credit",
                    tiers[first_j].path,
                    "let the first tier start at the target",
                )
            last_j, last = ordered[-1]
            if last.high is not None:
                yield Finding(
                    f"results above tier {last_j + 1} ({last.describe()}) earn no credit",
                    tiers[last_j].path,
                    "leave the last tier open at the top (no below/at_most)",
                )


def _high_key(high: Bound | None) -> tuple[int, Decimal, int]:
    if high is None:
        return (1, Decimal(0), 0)
    return (0, high.value, 1 if high.inclusive else 0)


def _gap_after(high: Bound | None, end: Bound) -> bool:
    """Whether values between a tier's upper bound and the breach region's end are uncovered
    (a tier reaching past the target is R601's business, not a gap)."""
    if high is None:
        return False
    return not Band(Bound(high.value, not high.inclusive), end, None).is_empty()


def _gap_before(low: Bound | None, start: Bound) -> bool:
    if low is None:
        return False
    return not Band(start, Bound(low.value, not low.inclusive), None).is_empty()


def _is_floor(low: Bound, kind: str | None) -> bool:
    return low.inclusive and low.value == 0 and kind in ("ratio", "duration")


def _edge(bound: Bound | None, kind: str | None) -> str:
    return (
        Band(bound, None, kind).describe().removeprefix(">= ").removeprefix("> ") if bound else "?"
    )


def _credit_value(tier: Tier) -> tuple[str, Decimal] | None:
    if tier.percent is not None:
        pct = parse_percent(tier.percent)
        return ("percent", pct) if pct is not None else None
    money = parse_money(tier.amount)
    return ("amount", money) if money is not None else None


@rule("R603", "tier-not-monotone", Severity.ERROR)
def tier_not_monotone(ctx: RuleContext) -> Iterator[Finding]:
    """A worse result earns a smaller credit than a better one.

    Credit tables escalate: 10% below 99.99%, 30% below 99.0%, 100% below 95.0%. A table
    where a deeper breach pays less is almost always a typo.

    **Fix:** order the credits so that they grow as the result gets worse.
    """
    for obj, tiers, bands in _tiers(ctx):
        target = parse_comparison(obj.target)
        ordered = sort_low_to_high(bands)
        higher_is_better = target is None or target.op in (">=", ">")
        worst_first = ordered if higher_is_better else list(reversed(ordered))
        for (ja, _), (jb, _) in itertools.pairwise(worst_first):
            worse, better = _credit_value(tiers[ja]), _credit_value(tiers[jb])
            if worse and better and worse[0] == better[0] and worse[1] < better[1]:
                yield Finding(
                    f"tier {ja + 1} is a worse result than tier {jb + 1} but credits less",
                    tiers[ja].path,
                    "credits should grow as the result gets worse",
                )


def _percent(value: str | None) -> Decimal | None:
    return None if value is None else parse_percent(value)


@rule("R604", "over-100-percent", Severity.ERROR)
def over_100_percent(ctx: RuleContext) -> Iterator[Finding]:
    """A cap or at-risk amount above 100% of the fee, or a tier crediting more than 100%.

    A credit cap over 100% would let credits exceed what the customer pays (error). A single
    tier over 100% is unusual enough to check (warning).

    **Fix:** correct the percentage; most caps are 10%–100%.
    """
    credits = ctx.contract.credits
    for cap in credits.caps:
        share = _percent(cap.percent)
        if share is not None and share > 1:
            # `cap: 120%`, or `cap: {percent: 120%, per: …}`
            path = cap.path if cap.per is None else (*cap.path, "percent")
            yield Finding(f"credit cap {share * 100:f}% is over 100% of the fee", path, "")
    pool = credits.pool
    at_risk = _percent(pool.at_risk) if pool else None
    if pool is not None and at_risk is not None and at_risk > 1:
        yield Finding("the at-risk amount is over 100% of the fees", (*pool.path, "at_risk"), "")
    for _obj, tiers, _ in _tiers(ctx):
        for tier in tiers:
            pct = _percent(tier.percent)
            if pct is not None and pct > 1:
                yield Finding(
                    f"tier credits {tier.percent} of the fee",
                    (*tier.path, "percent"),
                    "more than the whole fee: check the number",
                    severity=Severity.WARNING,
                )


@rule("R605", "percent-credit-without-fee", Severity.ERROR)
def percent_without_fee(ctx: RuleContext) -> Iterator[Finding]:
    """A credit is a percentage of a fee, but no fee is defined.

    Percentage credits (and caps, and the at-risk pool) are computed from
    `commercials.monthly_fee`, or from the service fee an objective names with `fee:`. Without
    it, no amount can be computed.

    **Fix:** add `commercials.monthly_fee` (a quoted decimal string), or credit fixed `amount`s.
    """
    if ctx.is_template:
        return
    has_fee = ctx.contract.commercials.monthly_fee is not None
    for obj, tiers, _ in _tiers(ctx):
        if has_fee or obj.fee is not None or obj.fee_by is not None:
            continue
        for tier in tiers:
            if tier.percent is not None:
                yield Finding(
                    f"tier credits {tier.percent} of the fee, but there is no "
                    "commercials.monthly_fee",
                    (*tier.path, "percent"),
                    'add commercials: {currency: EUR, monthly_fee: "12000.00"}',
                )
                break
    pool = ctx.contract.credits.pool
    if not has_fee and pool is not None:
        yield Finding(
            "the at-risk pool is a percentage of the monthly fee, but there is no "
            "commercials.monthly_fee",
            pool.path,
            "add commercials.monthly_fee",
            key=True,
        )


@rule("R610", "fee-by-scope", Severity.ERROR)
def fee_by_scope(ctx: RuleContext) -> Iterator[Finding]:
    """`fee: {by: field}` names a field the objective is not scoped by, or there are no service fees.

    With `fee: {by: service}` each scope value is credited against its own monthly charge:
    the `commercials.service_fees` entry named by the value of `service` (or its row in the
    billing data of `commercials.fees_from`). That needs the objective to be evaluated per
    `service` (`scope: [service]`) and service fees to look in.

    **Fix:** add the field to the objective's `scope`, and list the fees under
    `commercials.service_fees` (one per value of the field), or read them from billing data
    with `commercials.fees_from`.
    """
    if ctx.is_template:
        return
    fees = ctx.contract.commercials.service_fees
    billed = ctx.contract.commercials.fees_from is not None
    for obj in ctx.contract.objectives:
        if obj.fee_by is None:
            continue
        path = (*obj.path, "fee", "by")
        if obj.fee_by not in (obj.scope or ()):
            scope = ", ".join(obj.scope or ()) or "nothing"
            yield Finding(
                f"fee is taken by '{obj.fee_by}', but the objective is scoped by {scope}",
                path,
                f"add scope: [{obj.fee_by}]",
            )
        elif not fees and not billed:
            yield Finding(
                f"fee is taken by '{obj.fee_by}', but there are no commercials.service_fees",
                path,
                f"add commercials.service_fees with one fee per value of {obj.fee_by}",
            )


# The field types a billing dataset's fields must have (commercials.fees_from).
_BILLING_TYPES = {"month": ("string", "date"), "amount": ("decimal",), "currency": ("string",)}


@rule("R611", "fees-from-billing", Severity.ERROR)
def fees_from_billing(ctx: RuleContext) -> Iterator[Finding]:
    """`commercials.fees_from` names a billing dataset or field that cannot hold the charges.

    With `fees_from: {dataset: billing, by: service}` each scope value's monthly charge is
    read from the billing data: one row per service and month, with the month (`YYYY-MM` text
    or a date), the amount (a `decimal`, read exactly, never as a float) and the currency
    (which must be `commercials.currency`). The dataset must be declared with those fields
    (`month`, `amount` and `currency` unless named otherwise), the contract must have a
    currency, and an objective taking its fee `by` a field must use the same field the charges
    are billed `by` (they are matched by name).

    **Fix:** declare the billing dataset with the fields named, give `amount` the type
    `decimal`, set `commercials.currency`, or scope the objective's fee by the billing field.
    """
    if ctx.is_template:
        return
    com = ctx.contract.commercials
    spec = com.fees_from
    if spec is None:
        return
    fields = ctx.dataset_fields(spec.dataset)
    if fields is None:
        names = list(ctx.contract.datasets)
        yield Finding(
            f"billing dataset '{spec.dataset}' is not declared",
            (*spec.path, "dataset"),
            did_you_mean(spec.dataset, names) or "declare it under datasets",
        )
    else:
        named = {
            "by": spec.by,
            "month": spec.month or "month",
            "amount": spec.amount or "amount",
            "currency": spec.currency or "currency",
        }
        for role, name in named.items():
            # A default name points at fees_from itself; a written one at the name.
            at = (*spec.path, role) if getattr(spec, role) is not None else spec.path
            found = fields.get(name)
            if found is None:
                yield Finding(
                    f"billing dataset '{spec.dataset}' has no field '{name}' ({role})",
                    at,
                    f"declare {name} under datasets.{spec.dataset}.fields"
                    + ("" if role == "by" else f", or name its field with fees_from.{role}"),
                    key=at == spec.path,
                )
                continue
            allowed = _BILLING_TYPES.get(role)
            if allowed is not None and found.type not in allowed:
                yield Finding(
                    f"billing field '{name}' ({role}) has type {found.type}, "
                    f"but must be {' or '.join(allowed)}",
                    (*found.path, "type"),
                    f"type: {allowed[0]}",
                )
    if com.currency is None:
        yield Finding(
            "charges are read from billing data, but commercials.currency is not set: "
            "their currency cannot be checked",
            spec.path,
            "add commercials.currency (ISO 4217)",
            key=True,
        )
    for obj in ctx.contract.objectives:
        if obj.fee_by is not None and obj.fee_by != spec.by:
            yield Finding(
                f"fee is taken by '{obj.fee_by}', but the billing charges are by '{spec.by}'",
                (*obj.path, "fee", "by"),
                f"fee: {{by: {spec.by}}} (and scope: [{spec.by}])",
            )


@rule("R606", "pool-over-limit", Severity.ERROR)
def pool_over_limit(ctx: RuleContext) -> Iterator[Finding]:
    """At-risk pool allocations exceed their limits.

    In IT-outsourcing contracts the at-risk amount is allocated across service levels: each
    allocation at most `max_per_level`, all together at most `allocation_limit` (often 250%,
    so that the customer can weight what matters most). Allocations beyond either limit are
    unenforceable.

    **Fix:** lower the allocations, or raise the limit if the contract really allows it.
    """
    pool = ctx.contract.credits.pool
    if pool is None:
        return
    shares = [(a, parse_percent(a.share)) for a in pool.allocations]
    cap_each = _percent(pool.max_per_level)
    limit = _percent(pool.allocation_limit)
    if cap_each is not None:
        for allocation, share in shares:
            if share is not None and share > cap_each:
                yield Finding(
                    f"allocation to '{allocation.objective}' ({share * 100:f}%) is over "
                    f"max_per_level ({cap_each * 100:f}%)",
                    allocation.path,
                    "",
                )
    total = sum((s for _, s in shares if s is not None), Decimal(0))
    if limit is not None and total > limit:
        yield Finding(
            f"allocations add up to {total * 100:f}%, over the allocation_limit of {limit * 100:f}%",
            (*pool.path, "allocations"),
            "",
            key=True,
        )


@rule("R607", "tier-unit-mismatch", Severity.ERROR)
def tier_unit_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """A tier's bounds are in a different unit from what the objective measures.

    Tiers divide the measured value: percentages for availability and shares, durations for a
    `p90` of resolution time, plain numbers for NPS.

    **Fix:** write the bounds in the same unit as the target.
    """
    for obj in ctx.contract.objectives:
        metric = ctx.contract.metrics.get(obj.metric)
        if obj.credit is None or metric is None:
            continue
        want = expected_target_kind(ctx.kinds[metric.kind], metric, obj)
        for j, tier in enumerate(obj.credit.tiers):
            band, bad = read_band(tier.bounds)
            if band is None:
                yield Finding(
                    f"tier {j + 1} mixes units or has unreadable bounds ({', '.join(bad)})",
                    tier.path,
                    "write both bounds in the unit of the target",
                )
            elif want is not None and band.kind is not None and band.kind != want:
                yield Finding(
                    f"tier {j + 1} is written in {_KIND_WORDS[band.kind]}, but this objective "
                    f"measures {_KIND_WORDS[want]}",
                    tier.path,
                    "",
                )


def _money_places(ctx: RuleContext) -> Iterator[tuple[Path, str]]:
    commercials = ctx.contract.commercials
    if commercials.monthly_fee is not None:
        yield (*commercials.path, "monthly_fee"), commercials.monthly_fee
    for name, value in commercials.service_fees.items():
        yield (*commercials.path, "service_fees", name), value
    credits = ctx.contract.credits
    minimum = credits.minimum
    if minimum is not None:
        path = minimum.path if minimum.per is None and minimum.inclusive is None else None
        yield path or (*minimum.path, "amount"), minimum.amount
    for obj in ctx.contract.objectives:
        credit = obj.credit
        if credit is None:
            continue
        for tier in credit.tiers:
            if tier.amount is not None:
                yield (*tier.path, "amount"), tier.amount
        if credit.per_incident is not None:
            yield (*credit.path, "per_incident", "amount"), credit.per_incident


@rule("R608", "money-precision", Severity.ERROR)
def money_precision(ctx: RuleContext) -> Iterator[Finding]:
    """An amount has more decimals than its currency has, or the currency is not ISO 4217.

    Amounts are exact decimals in the currency's minor unit (ISO 4217): EUR and USD have 2
    decimals, JPY none, KWD and BHD 3. `"12000.005"` EUR cannot be paid, so slac refuses it
    rather than rounding silently.

    **Fix:** write the amount with at most the currency's decimals; use a current ISO 4217 code.
    """
    commercials = ctx.contract.commercials
    currency = commercials.currency
    if currency is None:
        return
    digits = minor_units(currency)
    if digits is None:
        yield Finding(
            f"'{currency}' is not an active ISO 4217 currency code",
            (*commercials.path, "currency"),
            did_you_mean(currency, MINOR_UNITS),
        )
        return
    for path, value in _money_places(ctx):
        amount = parse_money(value)
        if amount is None:
            continue
        exponent = amount.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > digits:
            yield Finding(
                f"{value!r} has {places} decimals, but {currency} has {digits}",
                path,
                f"write it with at most {digits} decimals"
                if digits
                else f"{currency} has no minor unit: write a whole amount",
            )


@rule("R609", "grade-bands", Severity.ERROR)
def grade_bands(ctx: RuleContext) -> Iterator[Finding]:
    """Grade bands overlap, leave gaps, or do not cover 0%–100%.

    Grades name the overall service level (the share of objectives met): every level from 0%
    to 100% must get exactly one grade, or a statement could show none or two.

    **Fix:** let each band start where the next one ends, the lowest open at the bottom (or
    `at_least: 0%`) and the highest reaching 100%.
    """
    bands = []
    grades = ctx.contract.grades
    for j, grade in enumerate(grades):
        band, _bad = read_band(grade.bounds)
        if band is None or band.kind not in (None, "ratio"):
            yield Finding("grade bounds must be percentages", grade.path, "e.g. at_least: 95%")
            continue
        bands.append((j, band))
    if not bands or len(bands) != len(grades):
        return  # coverage is judged once every band can be read
    ordered = sort_low_to_high(bands)
    for (ja, a), (jb, b) in itertools.pairwise(ordered):
        if overlap(a, b):
            yield Finding(
                f"grade {jb + 1} ({b.describe()}) overlaps grade {ja + 1} ({a.describe()})",
                grades[jb].path,
                "",
            )
        elif not meets(a.high, b.low):
            yield Finding(
                f"gap between grade {ja + 1} ({a.describe()}) and grade {jb + 1} ({b.describe()})",
                grades[jb].path,
                "",
            )
    first_j, first = ordered[0]
    if first.low is not None and not (first.low.value <= 0 and first.low.inclusive):
        yield Finding(f"levels below {first.describe()} have no grade", grades[first_j].path, "")
    last_j, last = ordered[-1]
    if last.high is not None and not (last.high.value >= 1 and last.high.inclusive):
        yield Finding(f"levels above {last.describe()} have no grade", grades[last_j].path, "")
