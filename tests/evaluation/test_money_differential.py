"""Differential tests for money: the engine's judgement and ``reference_money`` must agree.

Each generated case is a small contract (YAML text) with random commercials (a monthly fee,
service fees, fees read from billing data, in EUR, JPY or KWD) and credit terms (tiers in
percent or amount, per-incident credits, fees per scope, every combine mode, caps per month and
over a rolling 12 months alone or together, minimums per period or per line, strict or
inclusive, every rounding mode on the total or per line, earn-back, claim windows in days,
hours or billing cycles from the period's end or the incident, an at-risk pool), evaluated over
1 to 14 months of generated measurements (values on and around the tier bounds, breached tickets
shared between objectives, insufficient data). The measurement side is compared by
``test_differential.py``; here the measurements are generated directly so that every money rule
is reached, and the engine's ``judge_periods`` and the reference read the same ones.

Below, example-based tests with figures worked by hand for the trickiest rules.
"""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slac.api import compile_plan
from slac.diagnostics import Severity
from slac.evaluation.judge import judge_periods
from slac.evaluation.measurement import Measurement
from slac.evaluation.results import PeriodResult
from slac.evaluation.runner import measure_rows
from slac.evaluation.tasks import plan_tasks
from slac.kinds import KINDS
from slac.plan.types import Plan

from .reference_money import RefPeriod, reference_money
from .strategies import ticket_cases

MONEY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HEAD: dict[str, Any] = {
    "slac": 1,
    "id": "money-generated",
    "version": "1",
    "effective": {"from": "2026-01-01", "to": "2027-12-31"},
    "timezone": "Europe/Berlin",
    "parties": {"provider": {"name": "Provider"}, "customer": {"name": "Customer"}},
    "datasets": {
        "probes": {
            "kind": "probes",
            "fields": {
                "checked_at": {"type": "timestamp"},
                "service": {"type": "string"},
                "status": {"type": "string", "values": ["ok", "failed"]},
            },
        },
        "tickets": {
            "kind": "tickets",
            "key": "id",
            "time": "created_at",
            "fields": {
                "id": {"type": "string"},
                "service": {"type": "string"},
                "created_at": {"type": "timestamp"},
                "responded_at": {"type": "timestamp"},
                "resolved_at": {"type": "timestamp"},
            },
        },
    },
    "metrics": {
        "uptime": {
            "dataset": "probes",
            "availability": {
                "source": "probes",
                "time": "checked_at",
                "ok": {"status": "ok"},
                "interval": "1m",
                "missing": "down",
            },
        },
        "resolution": {
            "dataset": "tickets",
            "duration": {"from": "created_at", "to": "resolved_at"},
        },
        "response": {
            "dataset": "tickets",
            "duration": {"from": "created_at", "to": "responded_at"},
        },
    },
}
BILLING = {
    "kind": "billing",
    "fields": {
        "service": {"type": "string"},
        "month": {"type": "string"},
        "amount": {"type": "decimal"},
        "currency": {"type": "string"},
    },
}

# id → (metric, extra keys, target ratio, judges items, period unit)
OBJECTIVES: dict[str, tuple[str, dict[str, Any], str, bool, str]] = {
    "uptime": ("uptime", {}, "99", False, "month"),
    "resolve": ("resolution", {"within": "4h"}, "90", True, "month"),
    "respond": ("response", {"within": "1h"}, "95", True, "month"),
    "uptime-q": ("uptime", {"period": "quarter"}, "99.5", False, "quarter"),
}
SERVICES = ("api", "batch", "web")
TICKETS = tuple(f"T{i}" for i in range(1, 7))
CURRENCIES = {"EUR": 2, "JPY": 0, "KWD": 3}
PERCENTS = ("2.5%", "5%", "7.25%", "10%", "12.5%", "25%", "33%")
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-05", "2026-06", "2026-09")
DST_SEEDS = (
    datetime(2026, 2, 27, 1, 30, tzinfo=UTC),
    datetime(2026, 9, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 9, 25, 1, 30, tzinfo=UTC),
)


@dataclass
class MoneyCase:
    contract: str
    months: list[str]
    measurements: list[Measurement]
    charges: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = "\n".join(repr(m) for m in self.measurements)
        return (
            f"MoneyCase(months={self.months!r}, charges={self.charges!r})\n--- contract ---\n"
            f"{self.contract}\n--- measurements ---\n{shown}"
        )


def money_text(draw: st.DrawFn, minor: int, low: int, high: int) -> str:
    units = draw(st.integers(low * 10**minor, high * 10**minor))
    if draw(st.booleans()):  # round figures often, so that shares land on exact halves
        units -= units % 10**minor
    return format(Decimal(units).scaleb(-minor), "f")


def month_list(first: str, count: int) -> list[str]:
    year, number = int(first[:4]), int(first[5:7]) - 1
    return [f"{year + (number + i) // 12}-{(number + i) % 12 + 1:02d}" for i in range(count)]


def quarter_of(month: str) -> str | None:
    number = int(month[5:7])
    return f"{month[:4]}-Q{(number - 1) // 3 + 1}" if number % 3 == 0 else None


@st.composite
def tiers(draw: st.DrawFn, target: str, minor: int, by_amount: bool) -> list[dict[str, Any]]:
    bounds = sorted(
        draw(st.lists(st.sampled_from(("98", "97.5", "95", "90", "80")), max_size=2, unique=True)),
        key=Decimal,
        reverse=True,
    )
    bounds = [b for b in bounds if Decimal(b) < Decimal(target)]
    count = len(bounds) + 1
    if by_amount:
        values = draw(st.lists(st.integers(1, 400), min_size=count, max_size=count))
        amounts = sorted((money_text_of(v, minor, draw) for v in values), key=Decimal)
        credits = [{"amount": a} for a in amounts]
    else:
        chosen = sorted(
            draw(st.lists(st.sampled_from(PERCENTS), min_size=count, max_size=count)),
            key=lambda p: Decimal(p[:-1]),
        )
        credits = [{"percent": p} for p in chosen]
    out: list[dict[str, Any]] = []
    upper = target
    for i in range(count):
        tier: dict[str, Any] = {"below": f"{upper}%"}
        if i < len(bounds):
            tier = {"at_least": f"{bounds[i]}%", **tier}
            upper = bounds[i]
        out.append({**tier, **credits[i]})
    return out


def money_text_of(whole: int, minor: int, draw: st.DrawFn) -> str:
    cents = draw(st.sampled_from((0, 0, 5, 1))) if minor else 0
    return format(Decimal(whole * 10**minor + cents).scaleb(-minor), "f")


@st.composite
def money_cases(draw: st.DrawFn) -> MoneyCase:
    currency = draw(st.sampled_from(sorted(CURRENCIES)))
    minor = CURRENCIES[currency]
    chosen = draw(
        st.lists(st.sampled_from(sorted(OBJECTIVES)), min_size=1, max_size=4, unique=True)
    )
    chosen.sort(key=list(OBJECTIVES).index)
    fees_from = draw(st.booleans())
    monthly = draw(st.booleans())
    contract = dict(HEAD)
    commercials: dict[str, Any] = {"currency": currency}
    if monthly:
        commercials["monthly_fee"] = money_text(draw, minor, 500, 20000)
    service_fees = {
        name: money_text(draw, minor, 50, 5000)
        for name in ("api", "web", "email")
        if draw(st.booleans()) or name == "email"
    }
    commercials["service_fees"] = service_fees
    if fees_from:
        commercials["fees_from"] = {"dataset": "billing", "by": "service"}
        contract["datasets"] = {**HEAD["datasets"], "billing": BILLING}
    commercials["rounding"] = {
        "mode": draw(st.sampled_from(("half-up", "half-even", "down", "up"))),
        "apply": draw(st.sampled_from(("total", "per-line"))),
    }
    contract["commercials"] = commercials
    objectives = []
    scoped: dict[str, bool] = {}
    for oid in chosen:
        metric, extra, target, items, _ = OBJECTIVES[oid]
        body: dict[str, Any] = {"id": oid, "metric": metric, **extra, "target": f">= {target}%"}
        scoped[oid] = draw(st.booleans())
        if scoped[oid]:
            body["scope"] = ["service"]
        if draw(st.integers(0, 4)) == 0:
            body["min_sample"] = 10
        kind = draw(st.sampled_from(("percent", "percent", "amount", "incident")))
        if kind == "incident" and items:
            body["credit"] = {"per_incident": {"amount": money_text(draw, minor, 1, 80)}}
        else:
            by_amount = kind != "percent"
            fee_choices = ["named"] + (["monthly"] if monthly else [])
            if scoped[oid]:
                fee_choices.append("by")
            fee = draw(st.sampled_from(fee_choices))
            if fee == "named":
                body["fee"] = "email"
            elif fee == "by":
                body["fee"] = {"by": "service"}
            body["credit"] = {"tiers": draw(tiers(target, minor, by_amount))}
        objectives.append(body)
    contract["objectives"] = objectives
    credits: dict[str, Any] = {
        "combine": draw(st.sampled_from(("sum", "max", "single", "per-incident")))
    }
    cap = draw(st.sampled_from(("none", "month", "rolling", "both")))
    month_cap = draw(st.sampled_from(("10%", "20%", "30%")))
    rolling_cap = {
        "percent": draw(st.sampled_from(("5%", "10%", "15%"))),
        "per": "rolling-12-months",
    }
    if cap == "month":
        credits["cap"] = month_cap
    elif cap == "rolling":
        credits["cap"] = rolling_cap
    elif cap == "both":
        credits["cap"] = [month_cap, rolling_cap]
    minimum = draw(st.sampled_from(("none", "bare", "period", "line")))
    if minimum != "none":
        amount = money_text(draw, minor, 1, 60)
        if minimum == "bare":
            credits["minimum"] = amount
        else:
            credits["minimum"] = {"amount": amount, "per": minimum}
            if draw(st.booleans()):
                credits["minimum"]["inclusive"] = draw(st.booleans())
    if draw(st.booleans()):
        credits["earn_back"] = {"periods": draw(st.integers(1, 3))}
    claim = draw(st.sampled_from(("none", "30d", "30d", "36h", "cycles")))
    if claim != "none":
        window: dict[str, Any] = (
            {"cycles": draw(st.integers(0, 2))} if claim == "cycles" else {"within": claim}
        )
        window["from"] = draw(st.sampled_from(("period-end", "incident", "incident")))
        credits["claim"] = window
    if monthly and credits["combine"] in ("sum", "max") and draw(st.integers(0, 5)) == 0:
        credits.pop("minimum", None)
        credits["pool"] = {
            "at_risk": "12%",
            "allocations": {oid: draw(st.sampled_from(("20%", "30%", "50%"))) for oid in chosen},
        }
    contract["credits"] = credits
    count = draw(st.sampled_from((1, 2, 3, 6, 14)))
    months = month_list(draw(st.sampled_from(MONTHS)), count)
    measurements: list[Measurement] = []
    for month in months:
        for oid in chosen:
            _, _, target, items, unit = OBJECTIVES[oid]
            period = month if unit == "month" else quarter_of(month)
            if period is None:
                continue
            scopes: list[tuple[tuple[str, Any], ...]] = [()]
            if scoped[oid]:
                services = draw(st.lists(st.sampled_from(SERVICES), unique=True, max_size=3))
                scopes = [(("service", s),) for s in sorted(services)] or [()]
            for scope in scopes:
                measurements.append(measurement(draw, period, month, oid, scope, target, items))
    charges: dict[tuple[str, str], Decimal] = {}
    if fees_from:
        for month in months:
            for service in SERVICES:
                if draw(st.integers(0, 5)):
                    charges[(service, month)] = Decimal(money_text(draw, minor, 0, 3000))
    if len(months) > 1 and draw(st.integers(0, 2)) == 0:
        # An amendment changes the fees from a later month: caps over 12 months then add
        # months of different fees.
        changed = dict(commercials)
        if monthly:
            changed = {"monthly_fee": money_text(draw, minor, 500, 20000)}
        else:
            changed = {"service_fees": {"email": money_text(draw, minor, 50, 5000)}}
        changes: dict[str, Any] = {"commercials": changed}
        if draw(st.booleans()) and "pool" not in credits:
            changes["credits"] = {
                "combine": draw(st.sampled_from(("sum", "max", "single", "per-incident")))
            }
        contract["amendments"] = [
            {
                "id": "new-fees",
                "effective": f"{draw(st.sampled_from(months[1:]))}-01",
                "summary": "New fees",
                "changes": changes,
            }
        ]
    return MoneyCase(yaml.safe_dump(contract, sort_keys=False), months, measurements, charges)


def measurement(
    draw: st.DrawFn,
    period: str,
    month: str,
    oid: str,
    scope: tuple[tuple[str, Any], ...],
    target: str,
    items: bool,
) -> Measurement:
    ratio = draw(
        st.sampled_from((target, target, "98", "97.5", "95", "90", "80", "60", "99.95", "none"))
    )
    if ratio == "none" or (ratio != target and draw(st.booleans()) and False):
        return Measurement(period, oid, scope, 0, None, 0, 0, 0, ())
    value = Decimal(ratio) / 100
    if draw(st.booleans()):
        value -= Decimal("0.0001")  # just below a bound
    sample = draw(st.sampled_from((100, 100, 4)))
    if not items:
        return Measurement(period, oid, scope, sample, value, 0, 0, 0, ())
    breached = tuple(sorted(draw(st.lists(st.sampled_from(TICKETS), unique=True, max_size=4))))
    year, number = int(month[:4]), int(month[5:7])
    day = draw(st.integers(1, 28))
    hour = draw(st.integers(0, 23))
    when = datetime(year, number, day, hour, 30, tzinfo=UTC)
    # 30 days on the Berlin clock from these lands in the hour skipped in March or repeated in
    # October.
    specials = [s for s in DST_SEEDS if (s.year, s.month) == (year, number)]
    if specials and draw(st.integers(0, 3)):
        when = draw(st.sampled_from(specials))
    last = int(when.timestamp()) * 1_000_000
    return Measurement(
        period,
        oid,
        scope,
        sample,
        value,
        sample - len(breached),
        len(breached),
        0,
        (),
        last if breached else None,
        breached,
    )


def compile_text(text: str) -> Plan:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contract.yaml"
        path.write_text(text, encoding="utf-8")
        compiled = compile_plan(str(path), today=date(2026, 1, 1))
    errors = [
        f"{d.code} {d.message}" for d in compiled.report.diagnostics if d.severity is Severity.ERROR
    ]
    assert not errors and compiled.value is not None, f"{errors}\n{text}"
    return compiled.value


def engine_money(plan: Plan, case: MoneyCase) -> list[PeriodResult]:
    fees = {"billing": case.charges} if case.charges else {}
    return judge_periods(plan, case.months, plan_tasks(plan, case.months), case.measurements, fees)


def money_of_engine(result: PeriodResult) -> dict[str, Any]:
    return {
        "period": result.period,
        "lines": [
            (
                line.objective,
                line.scope,
                line.period,
                line.tier,
                line.percent,
                line.fee,
                line.incidents,
                line.amount,
                (line.dropped is None) if line.amount > 0 else None,
            )
            for line in result.credit_lines
        ],
        "combined": result.combined,
        "pool": (result.pool_at_risk, result.pool_capped),
        "cap": (result.cap, result.cap_applied),
        "minimum_applied": result.minimum_applied,
        "credit": result.credit,
        "earn_back": result.earn_back,
        "claim_deadline": (
            datetime.fromisoformat(result.claim_deadline) if result.claim_deadline else None
        ),
    }


def money_of_reference(result: RefPeriod) -> dict[str, Any]:
    return {
        "period": result.period,
        "lines": [
            (
                line.objective,
                line.scope,
                line.period,
                line.tier,
                line.percent,
                line.fee,
                line.incidents,
                line.amount,
                line.counts if line.amount > 0 else None,
            )
            for line in result.lines
        ],
        "combined": result.combined,
        "pool": (result.pool_at_risk, result.pool_capped),
        "cap": (result.cap, result.cap_applied),
        "minimum_applied": result.minimum_applied,
        "credit": result.credit,
        "earn_back": result.earn_back,
        "claim_deadline": result.claim_deadline,
    }


def agree(case: MoneyCase) -> None:
    plan = compile_text(case.contract)
    engine = [money_of_engine(r) for r in engine_money(plan, case)]
    reference = [
        money_of_reference(r)
        for r in reference_money(plan, case.months, case.measurements, case.charges)
    ]
    assert len(engine) == len(reference)
    for got, expected in zip(engine, reference, strict=True):
        for key in got:
            assert got[key] == expected[key], (
                f"{got['period']} {key}:\n  engine:    {got[key]}\n  reference: {expected[key]}"
            )
    total = sum((r["credit"] for r in engine), Decimal(0))
    assert total == sum((r["credit"] for r in reference), Decimal(0))


@MONEY
@given(case=money_cases())
def test_money_agrees(case: MoneyCase) -> None:
    agree(case)


# --------------------------------------------------------------------------- worked by hand

CONTRACT = """\
slac: 1
id: money-examples
version: "1"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: Europe/Berlin
parties:
  provider: {name: Provider}
  customer: {name: Customer}
datasets:
  probes:
    kind: probes
    fields:
      checked_at: {type: timestamp}
      service: {type: string}
      status: {type: string, values: [ok, failed]}
  tickets:
    kind: tickets
    key: id
    time: created_at
    fields:
      id: {type: string}
      created_at: {type: timestamp}
      responded_at: {type: timestamp}
      resolved_at: {type: timestamp}
metrics:
  uptime:
    dataset: probes
    availability: {source: probes, time: checked_at, ok: {status: ok}, interval: 1m, missing: down}
  resolution:
    dataset: tickets
    duration: {from: created_at, to: resolved_at}
  response:
    dataset: tickets
    duration: {from: created_at, to: responded_at}
"""


def both(
    text: str,
    months: list[str],
    ms: list[Measurement],
) -> tuple[list[PeriodResult], list[RefPeriod]]:
    """The engine's and the reference's periods, after checking that they agree."""
    case = MoneyCase(CONTRACT + text, months, ms)
    agree(case)
    plan = compile_text(case.contract)
    return engine_money(plan, case), reference_money(plan, months, ms)


def uptime(month: str, value: str, scope: tuple[tuple[str, Any], ...] = ()) -> Measurement:
    return Measurement(month, "uptime", scope, 1000, Decimal(value), 0, 0, 0, ())


def test_a_rolling_cap_adds_each_months_own_fee_across_an_amendment() -> None:
    """docs/semantics.md, "Cap": with `per: rolling-12-months` "the credits of the last 12
    periods, this one included, are capped at `cap` × the fees of those periods" (Accord
    Project's SLA template: credits "in any twelve-month period" capped at a share of the fees
    of that period). The fee rises from 1000.00 to 2000.00 by an amendment from February.

    January: 5% of 1000.00 = 50.00; rolling cap 10% × 1000.00 = 100.00: 50.00 issued.
    February: 25% of 2000.00 = 500.00; rolling cap 10% × (1000.00 + 2000.00) − 50.00 = 250.00,
    not 10% × 2 × 2000.00 − 50.00 = 350.00 (February's fee taken for January too): 250.00.
    """
    results, _ = both(
        """commercials: {currency: EUR, monthly_fee: "1000.00"}
credits:
  cap: {percent: 10%, per: rolling-12-months}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit:
      tiers:
        - {at_least: 95%, below: 99%, percent: 5%}
        - {below: 95%, percent: 25%}
amendments:
  - id: new-fee
    effective: 2026-02-01
    summary: The fee doubles
    changes:
      commercials: {monthly_fee: "2000.00"}
""",
        ["2026-01", "2026-02"],
        [uptime("2026-01", "0.98"), uptime("2026-02", "0.90")],
    )
    assert [(r.combined, r.cap, r.cap_applied, r.credit) for r in results] == [
        (Decimal("50.00"), Decimal("100.00"), False, Decimal("50.00")),
        (Decimal("500.00"), Decimal("250.00"), True, Decimal("250.00")),
    ]


def tickets(objective: str, month: str, items: tuple[str, ...], value: str = "0.50") -> Measurement:
    at = int(datetime(int(month[:4]), int(month[5:7]), 10, 12, tzinfo=UTC).timestamp())
    return Measurement(
        month, objective, (), 10, Decimal(value), 10 - len(items), len(items), 0, (),
        at * 1_000_000, items,
    )  # fmt: skip


PER_LINE_MINIMUM = """commercials:
  currency: USD
  service_fees: {{api: "20.10", web: "19.00", batch: "100.00"}}
  rounding: {{mode: half-even, apply: per-line}}
credits:
  minimum: {{amount: "1.00", per: line{inclusive}}}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    scope: [service]
    fee: {{by: service}}
    credit: {{tiers: [{{below: 99%, percent: 5%}}]}}
"""


def test_a_per_line_minimum_compares_the_rounded_line_strictly_or_inclusively() -> None:
    """AWS: "We will issue a Service Credit only if the credit amount for the applicable
    monthly billing cycle is greater than one dollar ($1 USD)" (strict); the default is
    inclusive (docs/semantics.md, "Minimum": per line "after per-line rounding if any").

    api 5% of 20.10 = 1.005, half-even per line → 1.00: issued when inclusive (equal to the
    minimum), withheld when strict. web 5% of 19.00 = 0.95: withheld either way. batch 5% of
    100.00 = 5.00. Inclusive: 1.00 + 5.00 = 6.00; strict: 5.00.
    """
    ms = [uptime("2026-10", "0.90", (("service", s),)) for s in ("api", "batch", "web")]
    for inclusive, counted, credit in (
        ("", {"api", "batch"}, "6.00"),
        (", inclusive: true", {"api", "batch"}, "6.00"),
        (", inclusive: false", {"batch"}, "5.00"),
    ):
        (october,), _ = both(PER_LINE_MINIMUM.format(inclusive=inclusive), ["2026-10"], ms)
        amounts = {dict(line.scope)["service"]: line.amount for line in october.credit_lines}
        assert amounts == {
            "api": Decimal("1.00"),
            "batch": Decimal("5.00"),
            "web": Decimal("0.95"),
        }
        kept = {dict(line.scope)["service"] for line in october.credit_lines if not line.dropped}
        assert kept == counted
        assert october.credit == Decimal(credit)


def test_a_monthly_cap_and_a_rolling_cap_bind_in_different_months() -> None:
    """`cap: [10%, {percent: 5%, per: rolling-12-months}]` on a monthly fee of 1000.00 (Accord
    Project's SLA template caps credits per month and over twelve months): every cap applies,
    the smallest binds. January and February are met. Each of March, April and May earns 25%
    = 250.00.

    March: monthly 100.00, rolling 5% × 3 × 1000.00 − 0 = 150.00 → the monthly cap binds: 100.00.
    April: monthly 100.00, rolling 200.00 − 100.00 = 100.00 → 100.00 (both equal).
    May: monthly 100.00, rolling 250.00 − 200.00 = 50.00 → the rolling cap binds: 50.00.
    Total 250.00.
    """
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    values = ["0.995", "0.999", "0.90", "0.90", "0.90"]
    results, _ = both(
        """commercials: {currency: EUR, monthly_fee: "1000.00"}
credits:
  cap: [10%, {percent: 5%, per: rolling-12-months}]
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit: {tiers: [{below: 99%, percent: 25%}]}
""",
        months,
        [uptime(m, v) for m, v in zip(months, values, strict=True)],
    )
    assert [(r.cap, r.credit) for r in results[2:]] == [
        (Decimal("100.00"), Decimal("100.00")),
        (Decimal("100.00"), Decimal("100.00")),
        (Decimal("50.00"), Decimal("50.00")),
    ]
    assert sum(r.credit for r in results) == Decimal("250.00")


def test_one_credit_per_incident_credits_each_ticket_once() -> None:
    """`combine: per-incident` ("an incident that breaches several service levels earns one
    credit"): lines are taken largest first and a line whose tickets another counted line
    already credits is dropped whole (docs/semantics.md, "Combining").

    resolve 100.00 (T1, T2) counts; respond 80.00 (T2, T3) shares T2 with it: dropped;
    resolve-8h 60.00 (T3) shares T3 only with the dropped line, so T3 is not yet credited: it
    counts; uptime 50.00 judges no items: it counts. 100.00 + 60.00 + 50.00 = 210.00.
    """
    (october,), _ = both(
        """commercials: {currency: EUR, monthly_fee: "1000.00"}
credits: {combine: per-incident}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit: {tiers: [{below: 99%, amount: "50.00"}]}
  - id: respond
    metric: response
    within: 1h
    target: ">= 90%"
    credit: {tiers: [{below: 90%, amount: "80.00"}]}
  - id: resolve
    metric: resolution
    within: 4h
    target: ">= 90%"
    credit: {tiers: [{below: 90%, amount: "100.00"}]}
  - id: resolve-8h
    metric: resolution
    within: 8h
    target: ">= 95%"
    credit: {tiers: [{below: 95%, amount: "60.00"}]}
""",
        ["2026-10"],
        [
            uptime("2026-10", "0.98"),
            tickets("respond", "2026-10", ("T2", "T3")),
            tickets("resolve", "2026-10", ("T1", "T2")),
            tickets("resolve-8h", "2026-10", ("T3",)),
        ],
    )
    counted = {line.objective: line.dropped is None for line in october.credit_lines}
    assert counted == {"uptime": True, "respond": False, "resolve": True, "resolve-8h": True}
    assert (october.combined, october.credit) == (Decimal("210.00"), Decimal("210.00"))


ROUNDING = """commercials:
  currency: EUR
  monthly_fee: "100.10"
  rounding: {{mode: {mode}, apply: {apply}}}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit: {{tiers: [{{below: 99%, percent: 5%}}]}}
  - id: resolve
    metric: resolution
    within: 4h
    target: ">= 90%"
    credit: {{tiers: [{{below: 90%, percent: 5%}}]}}
"""


def test_rounding_once_on_the_total_or_on_each_line_at_half_a_cent() -> None:
    """docs/semantics.md, "Rounding": once, in the currency's minor unit, on the period total
    (`apply: total`, default) or on each line (`per-line`); `half-up` or `half-even`.

    Each line is 5% of 100.10 = 5.005. One line: half-up 5.01, half-even 5.00 (500.5 cents to
    the even 500). Two lines: on the total 10.010 is 10.01 either way; per line half-up
    5.01 + 5.01 = 10.02, half-even 5.00 + 5.00 = 10.00.
    """
    one = [uptime("2026-10", "0.98"), tickets("resolve", "2026-10", (), "0.95")]
    two = [uptime("2026-10", "0.98"), tickets("resolve", "2026-10", ("T1",), "0.80")]
    expected = {
        ("half-up", "total"): ("5.01", "10.01"),
        ("half-even", "total"): ("5.00", "10.01"),
        ("half-up", "per-line"): ("5.01", "10.02"),
        ("half-even", "per-line"): ("5.00", "10.00"),
    }
    for (mode, apply), (single, double) in expected.items():
        text = ROUNDING.format(mode=mode, apply=apply)
        (october,), _ = both(text, ["2026-10"], one)
        assert october.credit == Decimal(single), (mode, apply)
        (october,), _ = both(text, ["2026-10"], two)
        assert october.credit == Decimal(double), (mode, apply)


def test_the_period_minimum_compares_the_exact_total_before_rounding() -> None:
    """docs/semantics.md, "Minimum": the period's total is compared exactly, before its
    rounding. 2.5% of 1999.90 = 49.9975, which half-up would round to 50.00, is below the
    minimum of 50.00: withheld, 0.00."""
    (october,), _ = both(
        """commercials: {currency: EUR, monthly_fee: "1999.90"}
credits: {minimum: "50.00"}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit: {tiers: [{below: 99%, percent: 2.5%}]}
""",
        ["2026-10"],
        [uptime("2026-10", "0.98")],
    )
    assert (october.combined, october.minimum_applied, october.credit) == (
        Decimal("49.9975"),
        True,
        Decimal("0.00"),
    )


def test_insufficient_data_neither_earns_back_nor_makes_due() -> None:
    """docs/semantics.md, "Earn-back": "every objective met" means none breached. January's
    250.00 with `earn_back: {periods: 1}`: February has no data (insufficient), so January's
    credit is waived; February's own credit is 0 (none)."""
    results, _ = both(
        """commercials: {currency: EUR, monthly_fee: "1000.00"}
credits: {earn_back: {periods: 1}}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit: {tiers: [{below: 99%, percent: 25%}]}
""",
        ["2026-01", "2026-02"],
        [uptime("2026-01", "0.90"), Measurement("2026-02", "uptime", (), 0, None, 0, 0, 0, ())],
    )
    assert [(r.credit, r.earn_back) for r in results] == [
        (Decimal("250.00"), "waived"),
        (Decimal("0.00"), "none"),
    ]


# --------------------------------------------------------------------------- from generated data


@st.composite
def ticket_money_cases(draw: st.DrawFn) -> MoneyCase:
    """A generated ticket contract and its rows (strategies.py), with money terms added: the
    engine measures the rows (its breached tickets and latest breaches feed per-incident
    combining and claims from the incident), then both sides judge those measurements."""
    case = draw(ticket_cases())
    contract = yaml.safe_load(case.contract)
    contract["commercials"] = {
        "currency": "EUR",
        "monthly_fee": draw(st.sampled_from(("1000.00", "100.10", "2999.99"))),
        "rounding": {
            "mode": draw(st.sampled_from(("half-up", "half-even", "down", "up"))),
            "apply": draw(st.sampled_from(("total", "per-line"))),
        },
    }
    for obj in contract["objectives"]:
        # Strict targets and deadlines, so that the generated tickets breach often.
        for key in ("within", "under"):
            if key in obj:
                obj[key] = draw(st.sampled_from(("30m", "2h")))
        if "statistic" in obj:
            bound: Any = 1 if obj["statistic"] == "count" else "10m"
            obj["target"] = f"<= {bound}"
            obj["credit"] = {
                "tiers": [{"above": bound, "percent": draw(st.sampled_from(PERCENTS))}]
            }
        elif draw(st.booleans()):
            obj["target"] = ">= 100%"
            obj["credit"] = {"per_incident": {"amount": draw(st.sampled_from(("5.00", "12.50")))}}
        else:
            obj["target"] = ">= 100%"
            obj["credit"] = {
                "tiers": [
                    {"at_least": "80%", "below": "100%", "percent": "5%"},
                    {"below": "80%", "amount": draw(st.sampled_from(("100.00", "150.00")))},
                ]
            }
    credits: dict[str, Any] = {
        "combine": draw(st.sampled_from(("per-incident", "per-incident", "sum", "max")))
    }
    window: dict[str, Any] = draw(
        st.sampled_from(({"within": "30d"}, {"within": "36h"}, {"cycles": 2}, {"cycles": 0}))
    )
    credits["claim"] = {**window, "from": draw(st.sampled_from(("incident", "period-end")))}
    if draw(st.booleans()):
        credits["minimum"] = {
            "amount": draw(st.sampled_from(("5.00", "12.50", "50.00"))),
            "per": draw(st.sampled_from(("line", "period"))),
            "inclusive": draw(st.booleans()),
        }
    if draw(st.booleans()):
        credits["cap"] = draw(
            st.sampled_from(("10%", [{"percent": "5%", "per": "rolling-12-months"}, "10%"]))
        )
    contract["credits"] = credits
    text = yaml.safe_dump(contract, sort_keys=False)
    plan = compile_text(text)
    measured = measure_rows(plan, copy.deepcopy(case.rows), case.period_ids, KINDS)
    return MoneyCase(text, list(case.period_ids), list(measured))


@settings(MONEY, max_examples=40)
@given(case=ticket_money_cases())
def test_money_agrees_on_measured_tickets(case: MoneyCase) -> None:
    agree(case)


def test_a_claim_deadline_in_the_skipped_hour_is_shown_after_the_change() -> None:
    """docs/semantics.md, "Claim deadline": from the incident a whole-day window counts
    calendar days on the local clock. A breach at 2026-02-27 02:30 Berlin (01:30Z) + 30 days
    is 2026-03-29 02:30, a wall time the clocks skip that night (02:00 → 03:00): the instant
    is 01:30Z, written as the local time it is, 03:30+02:00, not 02:30+01:00."""
    at = int(datetime(2026, 2, 27, 1, 30, tzinfo=UTC).timestamp()) * 1_000_000
    (february,), _ = both(
        """commercials: {currency: EUR, monthly_fee: "1000.00"}
credits: {claim: {within: 30d, from: incident}}
objectives:
  - id: resolve
    metric: resolution
    within: 4h
    target: ">= 90%"
    credit: {tiers: [{below: 90%, percent: 10%}]}
""",
        ["2026-02"],
        [Measurement("2026-02", "resolve", (), 10, Decimal("0.5"), 5, 5, 0, (), at, ("T1",))],
    )
    assert february.claim_deadline == "2026-03-29T03:30:00+02:00"
