"""Contract → Plan: resolve every name, normalise every unit, make every default explicit.

The input is a contract that passed `slac lint` (templates merged, schema and rules clean), so
shapes can be trusted here; the compiler still never guesses: every default it applies is
named in this module and documented in docs/plan.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from slac.contract.bands import read_band
from slac.contract.checker import CheckedFile, amendment_order, terms_in_force
from slac.contract.currencies import minor_units
from slac.contract.rules.walk import metric_kind
from slac.contract.units import parse_comparison, parse_duration, parse_money, parse_percent
from slac.plan.calendars import ALWAYS, always_open, build_calendar, horizon
from slac.plan.canonical import sha256_of, to_json
from slac.plan.types import (
    PLAN_VERSION,
    Bound,
    Calendar,
    ChronicFailure,
    Commercials,
    Comparison,
    Condition,
    Contact,
    CreditRules,
    Dataset,
    Escalation,
    Exclusion,
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
    """The contract is not fit to compile (it has lint errors)."""


def compile_contract(checked: CheckedFile) -> Plan:
    """The plan of a contract that lints clean (see :func:`slac.api.compile_plan`)."""
    if not checked.ok or checked.resolved is None:
        raise CompileError(f"{checked.path} has lint errors")
    resolved = checked.resolved
    data: dict[str, Any] = resolved.document.data
    effective = data["effective"]
    years = horizon(str(effective["from"]), _opt_str(effective.get("to")))
    datasets = tuple(_dataset(n, d) for n, d in _named(data["datasets"]))
    versions = list(terms_in_force(resolved.document))
    amendments = [(str(a["effective"]), a) for _, a in amendment_order(data)]
    # Equal definitions share one id; every name a definition goes by, in any terms, is kept.
    names: dict[str, set[str]] = {}
    for version in versions:
        for name, metric in _metrics(version.data).items():
            names.setdefault(metric.id, set()).add(name)
    metric_table: dict[str, Metric] = {}
    terms: list[Terms] = []
    for index, version in enumerate(versions):
        starts = str(effective["from"]) if index == 0 else amendments[index - 1][0]
        amendment = None if index == 0 else amendments[index - 1][1]
        if index + 1 < len(versions):
            ends: str | None = (
                date.fromisoformat(amendments[index][0]) - timedelta(days=1)
            ).isoformat()
        else:
            ends = _opt_str(effective.get("to"))
        metrics = {
            name: replace(m, names=tuple(sorted(names[m.id])))
            for name, m in _metrics(version.data).items()
        }
        metric_table.update((m.id, m) for m in metrics.values())
        terms.append(_terms(version.data, starts, ends, amendment, years, metrics))
    sources = resolved.sources
    combined = hashlib.sha256("".join(s.sha256 for s in sources).encode()).hexdigest()
    files = tuple(
        ("contract" if i == 0 else f"template {i}", s.sha256) for i, s in enumerate(sources)
    )
    review = data.get("review") or {}

    return Plan(
        plan_version=PLAN_VERSION,
        contract_id=str(data["id"]),
        title=_opt_str(data.get("title")),
        description=_opt_str(data.get("description")),
        version=str(data["version"]),
        sla_type=str(data.get("sla_type", "customer")),
        level=_opt_str(data.get("level")),
        effective_from=str(effective["from"]),
        effective_to=_opt_str(effective.get("to")),
        review_due=_opt_str(review.get("due")),
        review_owner=_opt_str(review.get("owner")),
        timezone=str(data["timezone"]),
        parties=tuple(_party(k, p) for k, p in _named(data["parties"]) if isinstance(p, dict)),
        datasets=datasets,
        metrics=tuple(metric_table[k] for k in sorted(metric_table)),
        terms=tuple(terms),
        source=Source(combined, files),
        extensions=tuple(sorted((k, v) for k, v in data.items() if k.startswith("x-"))),
    )


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON data, with its ``plan_sha256`` over everything else."""
    body: dict[str, Any] = to_json(plan)
    body["plan_sha256"] = sha256_of(body)
    return body


def _named(mapping: Any) -> list[tuple[str, Any]]:
    """A mapping of user-named entries, sorted, without `x-` extensions (slac ignores them)."""
    if not isinstance(mapping, dict):
        return []
    return sorted((k, v) for k, v in mapping.items() if not k.startswith("x-"))


def _live(items: Any) -> list[dict[str, Any]]:
    """The entries of an id-list that are in force (a leftover `remove: true` is not)."""
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and i.get("remove") is not True]


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _party(key: str, spec: dict[str, Any]) -> Party:
    contacts = tuple(
        Contact(str(c["name"]), _opt_str(c.get("role")), _opt_str(c.get("email")))
        for c in spec.get("contacts", [])
    )
    return Party(key, str(spec["name"]), contacts)


def _dataset(name: str, spec: dict[str, Any]) -> Dataset:
    parent = spec.get("parent") or {}
    fields = tuple(
        Field(
            fname,
            str(f["type"]),
            bool(f.get("nullable", True)),
            tuple(f["values"]) if "values" in f else None,
            (_dec(f["range"][0]), _dec(f["range"][1])) if "range" in f else None,
        )
        for fname, f in sorted(spec["fields"].items())
        if not fname.startswith("x-")
    )
    return Dataset(
        name,
        str(spec["kind"]),
        _opt_str(spec.get("key")),
        _opt_str(spec.get("time")),
        _opt_str(parent.get("dataset")),
        _opt_str(parent.get("key")),
        fields,
    )


def conditions(where: Any) -> tuple[Condition, ...]:
    """A ``where`` in either written form → a sorted tuple of explicit conditions."""
    out: list[Condition] = []
    if isinstance(where, dict):
        for name, value in where.items():
            if name.startswith("x-"):
                continue
            if isinstance(value, list):
                out.append(Condition(name, "in", tuple(value)))
            elif value is None:
                out.append(Condition(name, "is-null"))
            else:
                out.append(Condition(name, "=", value))
    elif isinstance(where, list):
        for cond in where:
            op = str(cond.get("op", "="))
            value = cond.get("value")
            if op in ("in", "not-in"):
                items = value if isinstance(value, list) else [value]
                out.append(Condition(str(cond["field"]), op, tuple(items)))
            elif op in ("is-null", "not-null"):
                out.append(Condition(str(cond["field"]), op))
            else:
                out.append(Condition(str(cond["field"]), op, value))
    return tuple(sorted(out, key=lambda c: (c.field, c.op, repr(c.value))))


def _seconds(text: Any) -> Decimal | None:
    if text is None:
        return None
    parsed = parse_duration(str(text))
    return parsed.seconds if parsed is not None else None


def _metric(
    name: str, spec: dict[str, Any], data: dict[str, Any], semantics: dict[str, str]
) -> Metric:
    kind = metric_kind(spec)
    assert kind is not None
    body = spec.get(kind) or {}
    params: dict[str, Any] = {}
    if kind == "duration":
        pause = body.get("pause")
        pause_ds = data["datasets"].get(pause["dataset"]) if pause else None
        params = {
            "from": body["from"],
            "to": body["to"],
            "calendar": body.get("calendar", ALWAYS),
            "pause": None
            if not pause
            else {
                "dataset": pause["dataset"],
                "start": pause["start"],
                "end": pause["end"],
                "where": to_json(conditions(pause.get("where"))),
                "parent_key": (pause_ds.get("parent") or {}).get("key") if pause_ds else None,
            },
            "reopened": body.get("reopened", semantics["reopened"]),
            "period_membership": body.get("period_membership", semantics["period_membership"]),
        }
    elif kind == "value":
        fields = body.get("fields") or [body["field"]]
        unit = body.get("unit", "seconds")
        # Row values become plan units: minutes → seconds, percent (0–100) → a ratio (0–1).
        scale = {"minutes": "60", "percent": "0.01"}.get(unit, "1")
        params = {"fields": list(fields), "unit": unit, "scale": scale}
    elif kind == "ratio":
        params = {
            part: {
                "where": to_json(conditions((body.get(part) or {}).get("where"))),
                "sum": (body.get(part) or {}).get("sum"),
            }
            for part in ("numerator", "denominator")
        }
    elif kind == "service_level":
        params = {
            "within_seconds": to_json(_seconds(body["within"])),
            "wait": body["wait"],
            "outcome": body["outcome"],
            "answered": body["answered"],
            "abandoned": body["abandoned"],
            "formula": body.get("formula", "abandoned-after-ignored-within"),
            "short_abandon_seconds": to_json(_seconds(body.get("short_abandon"))),
        }
    elif kind == "availability":
        source = body["source"]
        params = {
            "source": source,
            "availability_minutes": body.get(
                "availability_minutes", semantics["availability_minutes"]
            ),
        }
        if source == "probes":
            params.update(
                time=body["time"],
                ok=to_json(conditions(body["ok"])),
                interval_seconds=to_json(_seconds(body["interval"])),
                missing=body.get("missing", "down"),
            )
        elif source == "outages":
            params.update(
                start=body["start"],
                end=body["end"],
                min_outage_seconds=to_json(_seconds(body.get("min_outage")) or Decimal(0)),
            )
        else:
            params.update(
                time=body["time"],
                errors=body["errors"],
                requests=body["requests"],
                method=body.get("method", "interval-mean"),
                empty_interval=body.get("empty_interval", "ok"),
                interval_seconds=to_json(_seconds(body.get("interval"))),
            )
    elif kind == "survey":
        measure = body["measure"]
        default_scale = {"nps": [0, 10], "ces-mean": [1, 7], "ces-share": [1, 7]}.get(
            measure, [1, 5]
        )
        default_good = {"ces-share": [5, 7], "csat": [4, 5]}.get(measure)
        good = body.get("good", default_good)
        params = {
            "score": body["score"],
            "measure": measure,
            "scale": [to_json(_dec(v)) for v in body.get("scale", default_scale)],
            "good": None if good is None else [to_json(_dec(v)) for v in good],
            "promoters": ["9", "10"] if measure == "nps" else None,
            "detractors": ["0", "6"] if measure == "nps" else None,
        }
    elif kind == "servqual":
        params = {k: body.get(k) for k in ("perception", "expectation", "dimension")}
    elif kind == "count":
        params = {"distinct": body.get("distinct")}
    where = conditions(spec.get("where"))
    identity = {"dataset": spec["dataset"], "where": to_json(where), "kind": kind, "params": params}
    metric_id = "m-" + sha256_of(identity)[:16]
    return Metric(
        metric_id, (name,), str(spec["dataset"]), where, kind, tuple(sorted(params.items()))
    )


def _interval(spec: dict[str, Any]) -> Interval:
    band, _ = read_band(spec)
    assert band is not None
    low = Bound(band.low.value, band.low.inclusive) if band.low else None
    high = Bound(band.high.value, band.high.inclusive) if band.high else None
    return Interval(low, high, _UNIT.get(band.kind or "ratio", "ratio"))


def _money(value: Any, currency: str | None) -> Money | None:
    amount = parse_money(value)
    if amount is None or currency is None:
        return None
    return Money(amount, currency, minor_units(currency) or 0)


def _percent(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("percent")
    return parse_percent(str(value)) if value is not None else None


def _terms(
    data: dict[str, Any],
    starts: str,
    ends: str | None,
    amendment: dict[str, Any] | None,
    years: tuple[int, int],
    metrics: dict[str, Metric],
) -> Terms:
    semantics = _semantics(data)
    com = data.get("commercials") or {}
    currency = _opt_str(com.get("currency"))
    rounding = com.get("rounding") or {}
    commercials = Commercials(
        currency,
        minor_units(currency) if currency else None,
        _money(com.get("monthly_fee"), currency),
        tuple(
            (k, m)
            for k, v in _named(com.get("service_fees"))
            if (m := _money(v, currency)) is not None
        ),
        Rounding(
            str(rounding.get("mode", DEFAULT_ROUNDING.mode)),
            str(rounding.get("apply", DEFAULT_ROUNDING.apply)),
        ),
    )
    calendars = _calendars(data, years)
    exclusions = tuple(_exclusion(e, data) for e in _live(data.get("exclusions")))
    objectives = tuple(
        _objective(o, metrics, semantics, commercials, exclusions)
        for o in _live(data.get("objectives"))
    )
    return Terms(
        effective_from=starts,
        effective_to=ends,
        amendment=_opt_str(amendment.get("id")) if amendment else None,
        amendment_summary=_opt_str(amendment.get("summary")) if amendment else None,
        commercials=commercials,
        semantics=Semantics(**semantics),
        calendars=calendars,
        objectives=objectives,
        exclusions=exclusions,
        credits=_credits(data.get("credits") or {}, currency),
        service_level_weighted=bool((data.get("service_level") or {}).get("weighted", False)),
        grades=tuple(Grade(str(g["name"]), _interval(g)) for g in data.get("grades", [])),
        chronic_failure=tuple(
            ChronicFailure(
                str(c["id"]),
                tuple(c.get("objectives") or [o["id"] for o in data.get("objectives", [])]),
                int(c["breaches"]),
                int(c["periods"]),
                str(c.get("consequence", "termination-right")),
            )
            for c in _live(data.get("chronic_failure"))
        ),
        escalations=tuple(
            Escalation(
                str(e["id"]),
                tuple(e["when"]["breach"]),
                int(e["when"].get("consecutive", 1)),
                tuple(e.get("notify", [])),
                _seconds(e.get("within")),
                _opt_str(e.get("action")),
            )
            for e in _live(data.get("escalations"))
        ),
        responsibilities=tuple(
            Responsibility(
                str(r["id"]),
                str(r.get("party", "provider")),
                _opt_str(r.get("text")),
                tuple(r.get("objectives", [])),
                tuple(r.get("exclusions", [])),
            )
            for r in _live(data.get("responsibilities"))
        ),
    )


def _semantics(data: dict[str, Any]) -> dict[str, str]:
    merged = {**DEFAULT_SEMANTICS, **(data.get("semantics") or {})}
    return {k: str(v) for k, v in merged.items() if not k.startswith("x-")}


def _metrics(data: dict[str, Any]) -> dict[str, Metric]:
    semantics = _semantics(data)
    return {
        name: _metric(name, spec, data, semantics) for name, spec in _named(data.get("metrics"))
    }


def _calendars(data: dict[str, Any], years: tuple[int, int]) -> tuple[Calendar, ...]:
    specs = dict(_named(data.get("calendars")))
    out = [build_calendar(name, spec, years) for name, spec in sorted(specs.items())]
    if ALWAYS not in specs:
        out.append(always_open(ALWAYS, str(data["timezone"]), years))
    return tuple(sorted(out, key=lambda c: c.name))


def _judgement(obj: dict[str, Any], semantics: dict[str, str]) -> Judgement:
    method = str(obj.get("percentile", semantics["percentile"]))
    for key, inclusive in (("within", True), ("under", False)):
        if key in obj:
            parsed = parse_duration(str(obj[key]))
            assert parsed is not None
            return Judgement(
                "threshold-share", None, None, None, parsed.seconds, parsed.business_days, inclusive
            )
    if "statistic" in obj:
        stat = str(obj["statistic"])
        pct = _dec(stat[1:]) / 100 if stat.startswith("p") else None
        if stat == "median":
            pct = Decimal("0.5")
        return Judgement(
            "statistic", stat, pct, method if pct is not None else None, None, None, None
        )
    return Judgement("value", None, None, None, None, None, None)


def _objective(
    obj: dict[str, Any],
    metrics: dict[str, Metric],
    semantics: dict[str, str],
    commercials: Commercials,
    exclusions: Iterable[Exclusion],
) -> Objective:
    metric = metrics[obj["metric"]]
    target_cmp = parse_comparison(obj["target"])
    assert target_cmp is not None
    quantity = Quantity(target_cmp.quantity.value, _UNIT[target_cmp.quantity.kind])
    target = Comparison(target_cmp.op, quantity)
    if target.op in (">=", ">"):
        breach = Interval(None, Bound(quantity.value, target.op == ">"), quantity.unit)
    else:
        breach = Interval(Bound(quantity.value, target.op == "<"), None, quantity.unit)
    period_spec = obj.get("period", "month")
    period = (
        Period(str(period_spec["unit"]), int(period_spec["rolling"]))
        if isinstance(period_spec, dict)
        else Period(str(period_spec), 1)
    )
    fee_name = _opt_str(obj.get("fee"))
    fee = dict(commercials.service_fees).get(fee_name) if fee_name else commercials.monthly_fee
    credit_spec = obj.get("credit")
    credit = None
    if isinstance(credit_spec, dict):
        tiers = tuple(
            Tier(
                _interval(t),
                _percent(t.get("percent")) if "percent" in t else None,
                _money(t.get("amount"), commercials.currency) if "amount" in t else None,
            )
            for t in credit_spec.get("tiers", [])
        )
        incident = credit_spec.get("per_incident")
        credit = ObjectiveCredit(
            tiers, _money(incident["amount"], commercials.currency) if incident else None
        )
    applying = tuple(e.id for e in exclusions if not e.applies_to or obj["id"] in e.applies_to)
    return Objective(
        id=str(obj["id"]),
        title=_opt_str(obj.get("title")),
        description=_opt_str(obj.get("description")),
        metric_id=metric.id,
        metric_name=str(obj["metric"]),
        metric=metric,
        where=conditions(obj.get("where")),
        policy=_opt_str(obj.get("policy")),
        scope=tuple(obj.get("scope", [])),
        period=period,
        judgement=_judgement(obj, semantics),
        target=target,
        breach=breach,
        min_sample=int(obj.get("min_sample", 0)),
        weight=_dec(obj.get("weight", 1)),
        responsible=str(obj.get("responsible", "provider")),
        fee_name=fee_name,
        fee=fee,
        credit=credit,
        open_items=str(obj.get("open_items", semantics["open_items"])),
        exclusions=applying,
    )


def _exclusion(spec: dict[str, Any], data: dict[str, Any]) -> Exclusion:
    maint = spec.get("maintenance")
    between = spec.get("between") or {}
    allowance, per = None, None
    if maint and maint.get("allowance"):
        amount, _, per = str(maint["allowance"]).rpartition("/")
        allowance = _seconds(amount)
    return Exclusion(
        id=str(spec["id"]),
        reason="maintenance" if maint else str(spec.get("reason", "other")),
        where=conditions(spec.get("where")),
        between_from=_opt_str(between.get("from")),
        between_to=_opt_str(between.get("to")),
        maintenance_dataset=_opt_str(maint["dataset"]) if maint else None,
        maintenance_fields=_MAINTENANCE_FIELDS if maint else (),
        notice_seconds=_seconds(maint.get("notice")) if maint else None,
        allowance_seconds=allowance,
        allowance_per=per,
        applies_to=tuple(spec.get("applies_to", [])),
    )


def _credits(spec: dict[str, Any], currency: str | None) -> CreditRules:
    cap = spec.get("cap")
    pool = spec.get("pool")
    claim = spec.get("claim") or {}
    earn_back = spec.get("earn_back")
    return CreditRules(
        combine=str(spec.get("combine", "sum")),
        cap=_percent(cap) if cap is not None else None,
        cap_per=str(cap.get("per")) if isinstance(cap, dict) else "period",
        minimum=_money(spec.get("minimum"), currency),
        earn_back_periods=int(earn_back["periods"]) if earn_back else None,
        claim_within_seconds=_seconds(claim.get("within")),
        claim_from=str(claim.get("from", "period-end")),
        pool=None
        if not pool
        else Pool(
            at_risk=parse_percent(str(pool["at_risk"])) or Decimal(0),
            allocation_limit=_percent(pool.get("allocation_limit")),
            max_per_level=_percent(pool.get("max_per_level")),
            allocations=tuple(
                (k, parse_percent(str(v)) or Decimal(0)) for k, v in _named(pool["allocations"])
            ),
        ),
    )
