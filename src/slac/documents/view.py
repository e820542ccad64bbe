"""A statement's data (its *view*), the same for every template, ours or a user's.

:func:`statement_view` turns :class:`~slac.evaluation.results.Results` and the
:class:`~slac.plan.types.Plan` into plain dicts, lists, strings, ints and bools only, safe for
``json.dumps``. Every number a reader sees is already a string formatted in Python from
``Decimal`` (:mod:`slac.documents.formatting`: money in the currency's minor unit with the
contract's rounding mode, percentages exactly), so templates never format numbers and nothing
goes through a float. The view has no clock: the same results give the same view, byte for
byte. :mod:`slac.documents.statements` renders it.

The view (``STATEMENT_VERSION`` 2; version 1 laid charts out as coordinates for the template to
draw, and listed exclusions that removed nothing)::

    statement_version  int
    contract           {id, title, version, timezone}
    parties            [{key, name, contacts: [{name, role, email}]}]
    provider, customer names
    periods_label      "2026-09 to 2026-11" (or one month)
    currency           "EUR" or ""
    total_credit       "EUR 1,320.00" (or "none")
    periods            [{period, terms_from, amendment, service_level, grade, judged, met,
                         objectives: [objective row], credits: {...},
                         escalations: [trigger], chronic_failures: [trigger]}]
    objectives         [{id, title, target, unit, responsible, chart}] (one per objective,
                         in the order first evaluated); chart: {title, target, unit,
                         points: [{period, scope, measured, status}], svg} (svg: the chart
                         drawn by slac, an <svg> element to embed as it is)
    responsibilities   [{id, party, text, objectives, exclusions}]
    escalations        [{period, id, detail, due, notify, action}] (triggered only)
    provenance         {slac_version, results_version, results_sha256, plan_sha256,
                         source_sha256, sources: [{role, sha256}],
                         inputs: [{dataset, rows, bad_rows, files: [{name, sha256}]}],
                         earlier: [{period, revision, results_sha256}]}  (months read
                         from the period ledger)
    overrides          [{id, period, target, action, value, reason, author, recorded_at,
                       effect}] (recorded in the period ledger against the months shown,
                       oldest first; effect: what it changed, in words)

An objective row: ``{id, title, scope, objective_period, status, status_label, reason,
target, measured, sample, min_sample, met, breached, open, exclusions: [{id, count, unit,
text}] (only those that removed something, count > 0; unit `rows`, or `windows` for
maintenance; text such as "1 window"), excluded_rows (rows only), credit: {tier, tier_text,
percent, amount} | None}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from slac.documents.charts import build_chart
from slac.documents.formatting import (
    format_measured,
    format_money,
    format_scope,
    format_target,
    format_timestamp,
)
from slac.evaluation.evaluate import results_json
from slac.evaluation.results import CreditLine, ObjectiveResult, PeriodResult, Results, Trigger
from slac.plan.types import Plan, Terms
from slac.wording import percent_words

STATEMENT_VERSION = 2
STATUS_LABELS = {
    "met": "Met",
    "breached": "Breached",
    "insufficient-data": "Insufficient data",
    "not-applicable": "Not applicable",
}
EARN_BACK = {
    "none": "not applicable",
    "pending": "pending (the credit may be earned back)",
    "waived": "waived (earned back by the provider)",
    "due": "due (not earned back)",
}


def statement_view(results: Results, plan: Plan) -> dict[str, Any]:
    """The statement's data: JSON-serialisable, deterministic, numbers formatted in Python."""
    currency = results.currency
    mode = plan.terms[-1].commercials.rounding.mode if plan.terms else "half-up"
    names = {party.key: party.name for party in plan.parties}
    terms_used = _terms_used(plan, results.periods)
    months = [p.period for p in results.periods]
    if not months:
        label = "no periods"
    elif len(months) == 1:
        label = months[0]
    else:
        label = f"{months[0]} to {months[-1]}"
    periods = [_period(p, currency, mode) for p in results.periods]
    escalations = [
        {"period": p.period, **_trigger(t)} for p in results.periods for t in p.escalations
    ]
    return {
        "statement_version": STATEMENT_VERSION,
        "contract": {
            "id": results.contract_id,
            "title": results.contract_title or results.contract_id,
            "version": results.contract_version,
            "timezone": results.timezone,
        },
        "parties": [
            {
                "key": party.key,
                "name": party.name,
                "contacts": [
                    {"name": c.name, "role": c.role or "", "email": c.email or ""}
                    for c in party.contacts
                ],
            }
            for party in plan.parties
        ],
        "provider": results.provider,
        "customer": results.customer,
        "periods_label": label,
        "currency": currency or "",
        "total_credit": format_money(results.total_credit, currency, mode=mode)
        if results.total_credit
        else "none",
        "periods": periods,
        "objectives": _objectives(results, terms_used, names),
        "responsibilities": _responsibilities(terms_used, names),
        "escalations": [e for e in escalations if e["triggered"]],
        "notes": list(results.notes),
        # Set only with --timestamp: statements carry no clock otherwise (determinism).
        "generated_at": None,
        "provenance": {
            "slac_version": results.slac_version,
            "results_version": results.results_version,
            "results_sha256": str(results_json(results)["results_sha256"]),
            "plan_sha256": results.plan_sha256,
            "source_sha256": results.source_sha256,
            "sources": [{"role": role, "sha256": sha} for role, sha in plan.source.files],
            "inputs": [
                {
                    "dataset": item.dataset,
                    "rows": item.rows,
                    "bad_rows": item.bad_rows,
                    "files": [{"name": f.name, "sha256": f.sha256} for f in item.files],
                }
                for item in results.inputs
            ],
            "bad_rows": results.bad_rows,
            "on_bad_rows": results.on_bad_rows,
            "earlier": [
                {"period": e.period, "revision": e.revision, "results_sha256": e.results_sha256}
                for e in results.earlier
            ],
        },
        "overrides": [
            {
                "id": o.id,
                "period": o.period,
                "target": o.target,
                "action": o.action,
                "value": o.value,
                "reason": o.reason,
                "author": o.author,
                "recorded_at": o.recorded_at.replace("T", " ")[:16] + " UTC",
                "effect": o.effect,
            }
            for p in results.periods
            for o in p.overrides
        ],
    }


def _terms_used(plan: Plan, periods: Sequence[PeriodResult]) -> list[Terms]:
    wanted = {p.terms_from for p in periods}
    used = [t for t in plan.terms if t.effective_from in wanted]
    return used or list(plan.terms[-1:])


def _period(p: PeriodResult, currency: str | None, mode: str) -> dict[str, Any]:
    def money(amount: Decimal | None) -> str:
        return "" if amount is None else format_money(amount, currency, mode=mode)

    return {
        "period": p.period,
        "terms_from": p.terms_from,
        "amendment": p.amendment or "",
        "service_level": "n/a" if p.service_level is None else percent_words(p.service_level, 2),
        "grade": p.grade or "",
        "judged": p.judged,
        "met": p.met,
        "objectives": [_objective_row(o, currency, mode) for o in p.objectives],
        "credits": {
            "lines": [_credit_line(line, currency, mode) for line in p.credit_lines],
            "combine": p.combine,
            "combined": money(p.combined),
            "pool_at_risk": money(p.pool_at_risk),
            "pool_capped": p.pool_capped,
            "cap": money(p.cap),
            "cap_applied": p.cap_applied,
            "minimum": money(p.minimum),
            "minimum_applied": p.minimum_applied,
            "earn_back": p.earn_back,
            "earn_back_label": EARN_BACK.get(p.earn_back, p.earn_back),
            "credit": money(p.credit),
            "owed": p.credit > 0,
            "claim_deadline": format_timestamp(p.claim_deadline),
        },
        "escalations": [_trigger(t) for t in p.escalations],
        "chronic_failures": [_trigger(t) for t in p.chronic_failure],
    }


def _objective_row(o: ObjectiveResult, currency: str | None, mode: str) -> dict[str, Any]:
    # Only the exclusions that removed something: a list of every exclusion that applies,
    # most at "0 rows", hid the one that mattered.
    excluded = [
        {"id": e.exclusion, "count": e.count, "unit": e.unit, "text": count_text(e.count, e.unit)}
        for e in o.excluded
        if e.count > 0
    ]
    return {
        "id": o.objective,
        "title": o.title or o.objective,
        "scope": format_scope(o.scope),
        "objective_period": o.period,
        "status": o.status,
        "status_label": STATUS_LABELS.get(o.status, o.status),
        "reason": o.reason,
        "target": format_target(o.target_op, o.target, o.unit),
        "measured": "–" if o.measured is None else format_measured(o.measured, o.unit, o.target),
        "sample": o.sample,
        "min_sample": o.min_sample,
        "met": o.met,
        "breached": o.breached,
        "open": o.open,
        "exclusions": excluded,
        # Rows and maintenance windows are different things: only rows add up here.
        "excluded_rows": sum(e.count for e in o.excluded if e.unit == "rows"),
        "credit": None if o.credit is None else _credit_line(o.credit, currency, mode),
    }


def _credit_line(line: CreditLine, currency: str | None, mode: str) -> dict[str, Any]:
    return {
        "objective": line.objective,
        "scope": format_scope(line.scope),
        "period": line.period,
        "tier": "" if line.tier is None else str(line.tier),
        "tier_text": line.tier_text,
        "percent": "" if line.percent is None else percent_words(line.percent),
        "fee": "" if line.fee is None else format_money(line.fee, currency, mode=mode),
        "incidents": "" if line.incidents is None else str(line.incidents),
        "amount": format_money(line.amount, currency, mode=mode),
    }


def _trigger(t: Trigger) -> dict[str, Any]:
    return {
        "id": t.id,
        "triggered": t.triggered,
        "detail": t.detail,
        "due": format_timestamp(t.due),
        "notify": list(t.notify),
        "action": t.action or "",
        "consequence": t.consequence or "",
    }


def _objectives(
    results: Results, terms: Sequence[Terms], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per objective, in the order first evaluated: its identity and its chart, as plain data
    (the SVG markup as a string)."""
    from slac.documents.plot import chart_svg  # matplotlib: only when charts are drawn

    responsible = {
        o.id: names.get(o.responsible, o.responsible) for t in terms for o in t.objectives
    }
    entries = []
    for number, (objective_id, rows) in enumerate(_objective_results(results).items(), start=1):
        chart = build_chart(f"chart{number}", [p.period for p in results.periods], rows)
        entries.append(
            {
                "id": objective_id,
                "title": chart.title,
                "target": chart.target_text,
                "unit": chart.unit,
                "responsible": responsible.get(objective_id, ""),
                "chart": {
                    "title": chart.title,
                    "target": chart.target_text,
                    "unit": chart.unit,
                    "points": [
                        {
                            "period": results.periods[index].period,
                            "scope": format_scope(o.scope),
                            "measured": "–"
                            if o.measured is None
                            else format_measured(o.measured, o.unit, o.target),
                            "status": o.status,
                        }
                        for index, o in rows
                    ],
                    "svg": chart_svg(chart),
                },
            }
        )
    return entries


def _objective_results(results: Results) -> dict[str, list[tuple[int, ObjectiveResult]]]:
    """Each objective's results with the index of their period, objectives in first-seen
    order."""
    rows: dict[str, list[tuple[int, ObjectiveResult]]] = {}
    for index, period in enumerate(results.periods):
        for o in period.objectives:
            rows.setdefault(o.objective, []).append((index, o))
    return rows


def _responsibilities(terms: Sequence[Terms], names: Mapping[str, str]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for term in terms:  # later terms win
        titles = {o.id: o.title or o.id for o in term.objectives}
        for r in term.responsibilities:
            found[r.id] = {
                "id": r.id,
                "party": names.get(r.party, r.party),
                "text": r.text or "",
                "objectives": [titles.get(o, o) for o in r.objectives],
                "exclusions": list(r.exclusions),
            }
    return list(found.values())


def count_text(count: int, unit: str) -> str:
    """``3 rows``, ``1 row``, ``1 window``: a count said with its unit."""
    return f"{count} {unit[:-1] if count == 1 else unit}"
