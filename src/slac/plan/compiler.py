"""Contract → Plan: resolve every name, normalise every unit, make every default explicit.

The input is a contract that passed `slac lint` (templates merged, schema and rules clean) and
was read into a typed :class:`~slac.contract.model.Contract`, so shapes can be trusted here;
the compiler still never guesses: every default it applies is named in this module and
documented in docs/plan.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from slac.contract import model
from slac.contract.bands import read_band
from slac.contract.currencies import minor_units
from slac.contract.terms import terms_in_force
from slac.contract.units import parse_comparison, parse_duration, parse_money, parse_percent
from slac.plan.calendars import ALWAYS, always_open, build_calendar, horizon
from slac.plan.canonical import sha256_of, to_json
from slac.plan.kinds import KindCompiler, KindCompilers, MetricContext
from slac.plan.types import (
    PLAN_VERSION,
    Bound,
    Calendar,
    Cap,
    ChronicFailure,
    Commercials,
    Comparison,
    Contact,
    CreditRules,
    Dataset,
    Escalation,
    Exclusion,
    FeeSource,
    Field,
    Grade,
    Interval,
    Judgement,
    Metric,
    Money,
    Objective,
    ObjectiveCredit,
    Party,
    Period,
    Plan,
    Pool,
    Quantity,
    Responsibility,
    Rounding,
    Semantics,
    Source,
    Terms,
    Tier,
)
from slac.plan.values import conditions, decimal, seconds

DEFAULT_SEMANTICS = {
    "period_membership": "start",
    "open_items": "judge-overdue",
    "percentile": "linear",
    "availability_minutes": "actual",
    "reopened": "first-cycle",
    "scope_matching": "first",
}
DEFAULT_ROUNDING = Rounding("half-up", "total")
_UNIT = {"ratio": "ratio", "duration": "seconds", "number": "number"}
_MAINTENANCE_FIELDS = (("announced_at", "announced_at"), ("end", "end"), ("start", "start"))


class CompileError(Exception):
    """The contract is not fit to compile (a template, which only contracts complete)."""


def compile_contract(contract: model.Contract, kinds: KindCompilers) -> Plan:
    """The plan of a contract that lints clean (see :func:`slac.api.compile_plan`)."""
    if contract.is_template:
        raise CompileError(f"{contract.document.path} is a template: compile what extends it")
    effective, timezone = contract.effective, contract.timezone
    # The schema requires these of every contract that is not a template.
    assert effective is not None and timezone is not None
    assert contract.id is not None and contract.version is not None
    years = horizon(effective.start, effective.end)
    datasets = tuple(_dataset(d) for _, d in sorted(contract.datasets.items()))
    versions = terms_in_force(contract)
    # Equal definitions share one id; every name a definition goes by, in any terms, is kept.
    names: dict[str, set[str]] = {}
    for version in versions:
        for name, metric in _metrics(version.contract, kinds).items():
            names.setdefault(metric.id, set()).add(name)
    metric_table: dict[str, Metric] = {}
    terms: list[Terms] = []
    for index, version in enumerate(versions):
        amendment = version.amendment
        starts = effective.start if amendment is None else amendment.effective
        following = versions[index + 1].amendment if index + 1 < len(versions) else None
        ends = effective.end
        if following is not None:
            ends = (date.fromisoformat(following.effective) - timedelta(days=1)).isoformat()
        metrics = {
            name: replace(m, names=tuple(sorted(names[m.id])))
            for name, m in _metrics(version.contract, kinds).items()
        }
        metric_table.update((m.id, m) for m in metrics.values())
        terms.append(_terms(version.contract, starts, ends, amendment, years, metrics))
    sources = contract.sources
    combined = hashlib.sha256("".join(s.sha256 for s in sources).encode()).hexdigest()
    files = tuple(
        ("contract" if i == 0 else f"template {i}", s.sha256) for i, s in enumerate(sources)
    )
    review = contract.review

    return Plan(
        plan_version=PLAN_VERSION,
        contract_id=contract.id,
        title=contract.title,
        description=contract.description,
        version=contract.version,
        sla_type=contract.sla_type or "customer",
        level=contract.level,
        effective_from=effective.start,
        effective_to=effective.end,
        review_due=review.due if review else None,
        review_owner=review.owner if review else None,
        timezone=timezone,
        parties=tuple(_party(p) for _, p in sorted(contract.parties.items())),
        datasets=datasets,
        metrics=tuple(metric_table[k] for k in sorted(metric_table)),
        terms=tuple(terms),
        source=Source(combined, files),
        extensions=tuple(sorted(contract.extensions)),
    )


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON data, with its ``plan_sha256`` over everything else."""
    body: dict[str, Any] = to_json(plan)
    body["plan_sha256"] = sha256_of(body)
    return body


def _party(spec: model.Party) -> Party:
    contacts = tuple(Contact(c.name, c.role, c.email) for c in spec.contacts)
    return Party(spec.key, spec.name, contacts)


def _dataset(spec: model.Dataset) -> Dataset:
    fields = tuple(
        Field(
            f.name,
            f.type,
            f.nullable is not False,
            f.values,
            None if f.range is None else (decimal(f.range[0]), decimal(f.range[1])),
        )
        for _, f in sorted(spec.fields.items())
    )
    parent = spec.parent
    return Dataset(
        spec.name,
        spec.kind,
        spec.key,
        spec.time,
        parent.dataset if parent else None,
        parent.key if parent else None,
        fields,
    )


def _interval(bounds: model.Bounds) -> Interval:
    band, _ = read_band(bounds)
    assert band is not None
    low = Bound(band.low.value, band.low.inclusive) if band.low else None
    high = Bound(band.high.value, band.high.inclusive) if band.high else None
    return Interval(low, high, _UNIT.get(band.kind or "ratio", "ratio"))


def _money(value: str | None, currency: str | None) -> Money | None:
    amount = parse_money(value)
    if amount is None or currency is None:
        return None
    return Money(amount, currency, minor_units(currency) or 0)


def _percent(value: str | None) -> Decimal | None:
    return parse_percent(value) if value is not None else None


def _fee_source(spec: model.FeesFrom | None) -> FeeSource | None:
    if spec is None:
        return None
    return FeeSource(
        dataset=spec.dataset,
        by=spec.by,
        month=spec.month or "month",
        amount=spec.amount or "amount",
        currency=spec.currency or "currency",
    )


def _terms(
    contract: model.Contract,
    starts: str,
    ends: str | None,
    amendment: model.Amendment | None,
    years: tuple[int, int],
    metrics: dict[str, Metric],
) -> Terms:
    semantics = _semantics(contract.semantics)
    com = contract.commercials
    currency = com.currency
    commercials = Commercials(
        currency,
        minor_units(currency) if currency else None,
        _money(com.monthly_fee, currency),
        tuple(
            (k, m)
            for k, v in sorted(com.service_fees.items())
            if (m := _money(v, currency)) is not None
        ),
        _fee_source(com.fees_from),
        Rounding(
            com.rounding_mode or DEFAULT_ROUNDING.mode,
            com.rounding_apply or DEFAULT_ROUNDING.apply,
        ),
    )
    exclusions = tuple(_exclusion(e, contract) for e in contract.exclusions)
    objectives = tuple(
        _objective(o, metrics, semantics, commercials, exclusions) for o in contract.objectives
    )
    return Terms(
        effective_from=starts,
        effective_to=ends,
        amendment=amendment.id if amendment else None,
        amendment_summary=amendment.summary if amendment else None,
        commercials=commercials,
        semantics=Semantics(**semantics),
        calendars=_calendars(contract, years),
        objectives=objectives,
        exclusions=exclusions,
        credits=_credits(contract.credits, currency),
        service_level_weighted=bool(contract.service_level_weighted),
        grades=tuple(Grade(g.name, _interval(g.bounds)) for g in contract.grades),
        chronic_failure=tuple(
            ChronicFailure(c.id, c.objectives, c.breaches, c.periods, c.consequence)
            for c in contract.chronic_failure
        ),
        escalations=tuple(
            Escalation(
                e.id,
                e.breach,
                e.consecutive or 1,
                e.notify,
                seconds(e.within),
                e.action,
            )
            for e in contract.escalations
        ),
        responsibilities=tuple(
            Responsibility(r.id, r.party, r.text, r.objectives or (), r.exclusions or ())
            for r in contract.responsibilities
        ),
    )


def _semantics(written: model.Semantics) -> dict[str, str]:
    return {name: getattr(written, name) or default for name, default in DEFAULT_SEMANTICS.items()}


def _metrics(contract: model.Contract, kinds: KindCompilers) -> dict[str, Metric]:
    context = MetricContext(
        _semantics(contract.semantics),
        {n: d.parent.key if d.parent else None for n, d in contract.datasets.items()},
    )
    return {
        name: _metric(name, m, kinds[m.kind], context)
        for name, m in sorted(contract.metrics.items())
    }


def _metric(name: str, written: model.Metric, kind: KindCompiler, context: MetricContext) -> Metric:
    """A metric with its kind's params, identified by the hash of its definition."""
    params = kind.compile(written.body, context)
    where = conditions(written.where)
    identity = {
        "dataset": written.dataset,
        "where": to_json(where),
        "kind": written.kind,
        "params": params,
    }
    metric_id = "m-" + sha256_of(identity)[:16]
    return Metric(
        metric_id, (name,), written.dataset, where, written.kind, tuple(sorted(params.items()))
    )


def _calendars(contract: model.Contract, years: tuple[int, int]) -> tuple[Calendar, ...]:
    specs = contract.calendars
    out = [build_calendar(spec, years) for _, spec in sorted(specs.items())]
    if ALWAYS not in specs:
        assert contract.timezone is not None
        out.append(always_open(ALWAYS, contract.timezone, years))
    return tuple(sorted(out, key=lambda c: c.name))


def _judgement(obj: model.Objective, semantics: dict[str, str]) -> Judgement:
    method = obj.percentile or semantics["percentile"]
    for deadline, inclusive in ((obj.within, True), (obj.under, False)):
        if deadline is not None:
            parsed = parse_duration(deadline)
            assert parsed is not None
            return Judgement(
                "threshold-share", None, None, None, parsed.seconds, parsed.business_days, inclusive
            )
    stat = obj.statistic
    if stat is not None:
        pct = decimal(stat[1:]) / 100 if stat.startswith("p") else None
        if stat == "median":
            pct = Decimal("0.5")
        return Judgement(
            "statistic", stat, pct, method if pct is not None else None, None, None, None
        )
    return Judgement("value", None, None, None, None, None, None)


def _objective(
    obj: model.Objective,
    metrics: Mapping[str, Metric],
    semantics: dict[str, str],
    commercials: Commercials,
    exclusions: Iterable[Exclusion],
) -> Objective:
    metric = metrics[obj.metric]
    target_cmp = parse_comparison(obj.target)
    assert target_cmp is not None
    quantity = Quantity(target_cmp.quantity.value, _UNIT[target_cmp.quantity.kind])
    target = Comparison(target_cmp.op, quantity)
    if target.op in (">=", ">"):
        breach = Interval(None, Bound(quantity.value, target.op == ">"), quantity.unit)
    else:
        breach = Interval(Bound(quantity.value, target.op == "<"), None, quantity.unit)
    period = (
        Period("month", 1)
        if obj.period is None
        else Period(obj.period.unit, obj.period.rolling or 1)
    )
    fee = (
        None
        if obj.fee_by
        else dict(commercials.service_fees).get(obj.fee)
        if obj.fee
        else commercials.monthly_fee
    )
    credit = None
    if obj.credit is not None:
        currency = commercials.currency
        tiers = tuple(
            Tier(_interval(t.bounds), _percent(t.percent), _money(t.amount, currency))
            for t in obj.credit.tiers
        )
        credit = ObjectiveCredit(tiers, _money(obj.credit.per_incident, currency))
    applying = tuple(e.id for e in exclusions if not e.applies_to or obj.id in e.applies_to)
    return Objective(
        id=obj.id,
        title=obj.title,
        description=obj.description,
        metric_id=metric.id,
        metric_name=obj.metric,
        metric=metric,
        where=conditions(obj.where),
        policy=obj.policy,
        scope=obj.scope or (),
        period=period,
        judgement=_judgement(obj, semantics),
        target=target,
        breach=breach,
        min_sample=obj.min_sample or 0,
        weight=decimal(1 if obj.weight is None else obj.weight),
        responsible=obj.responsible or "provider",
        fee_name=obj.fee,
        fee=fee,
        fee_by=obj.fee_by,
        credit=credit,
        open_items=obj.open_items or semantics["open_items"],
        exclusions=applying,
    )


def _exclusion(spec: model.Exclusion, contract: model.Contract) -> Exclusion:
    maint = spec.maintenance
    fields: tuple[tuple[str, str], ...] = ()
    if maint:
        # A maintenance dataset without announced_at has no notice to check (R401 asks for the
        # field when `notice` is set): the plan says so by leaving the field out.
        declared = contract.datasets[maint.dataset].fields
        fields = tuple(
            (k, v) for k, v in _MAINTENANCE_FIELDS if k != "announced_at" or k in declared
        )
    allowance, per = None, None
    if maint and maint.allowance:
        amount, _, per = maint.allowance.rpartition("/")
        allowance = seconds(amount)
    return Exclusion(
        id=spec.id,
        reason="maintenance" if maint else spec.reason or "other",
        where=conditions(spec.where),
        between_from=spec.between.start if spec.between else None,
        between_to=spec.between.end if spec.between else None,
        maintenance_dataset=maint.dataset if maint else None,
        maintenance_fields=fields,
        notice_seconds=seconds(maint.notice) if maint else None,
        allowance_seconds=allowance,
        allowance_per=per,
        applies_to=spec.applies_to or (),
    )


def _credits(spec: model.Credits, currency: str | None) -> CreditRules:
    pool, claim, minimum = spec.pool, spec.claim, spec.minimum
    return CreditRules(
        combine=spec.combine or "sum",
        caps=tuple(
            Cap(parse_percent(c.percent) or Decimal(0), c.per or "period") for c in spec.caps
        ),
        minimum=_money(minimum.amount if minimum else None, currency),
        minimum_per=(minimum.per if minimum else None) or "period",
        minimum_inclusive=True
        if minimum is None or minimum.inclusive is None
        else minimum.inclusive,
        earn_back_periods=spec.earn_back_periods,
        claim_within_seconds=seconds(claim.within) if claim and claim.within else None,
        claim_cycles=claim.cycles if claim else None,
        claim_from=(claim.start if claim else None) or "period-end",
        pool=None
        if pool is None
        else Pool(
            at_risk=parse_percent(pool.at_risk) or Decimal(0),
            allocation_limit=_percent(pool.allocation_limit),
            max_per_level=_percent(pool.max_per_level),
            allocations=tuple(
                (a.objective, parse_percent(a.share) or Decimal(0))
                for a in sorted(pool.allocations, key=lambda a: a.objective)
            ),
        ),
    )
