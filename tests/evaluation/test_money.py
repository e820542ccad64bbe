"""Money per scope, minimums per credit line, several caps, claims in billing cycles (issue 10).

Each test compiles a small contract and judges hand-made measurements, so the figures below
are the contract's arithmetic alone (docs/semantics.md, "Credits"), worked out by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from slac import api
from slac.evaluation.judge import judge_periods
from slac.evaluation.measurement import Measurement
from slac.evaluation.results import PeriodResult
from slac.evaluation.tasks import plan_tasks
from slac.plan.types import Plan

HEAD = """\
slac: 1
kind: contract
id: money-test
version: "1.0"
effective: {from: 2026-01-01, to: 2027-12-31}
timezone: Europe/Berlin
parties:
  provider: {name: Example Cloud}
  customer: {name: ACME GmbH}
datasets:
  probes:
    kind: probes
    fields:
      checked_at: {type: timestamp}
      service: {type: string}
      status: {type: string, values: [ok, failed]}
metrics:
  uptime:
    dataset: probes
    availability: {source: probes, time: checked_at, ok: {status: ok}, interval: 1m, missing: down}
"""

TIERS = """\
    credit:
      tiers:
        - {at_least: 95%, below: 99.9%, percent: 10%}
        - {below: 95%, percent: 25%}
"""


def compile_text(tmp_path: Path, text: str) -> Plan:
    path = tmp_path / "contract.yaml"
    path.write_text(text, encoding="utf-8")
    compiled = api.compile_plan(str(path), today=date(2026, 1, 1))
    errors = [f"{d.code} {d.message}" for d in compiled.report.diagnostics]
    assert compiled.value is not None, errors
    return compiled.value


def measured(month: str, scope: str | None, value: str) -> Measurement:
    key = (("service", scope),) if scope is not None else ()
    return Measurement(month, "uptime", key, 1000, Decimal(value), 0, 0, 0, ())


def judged(plan: Plan, months: list[str], ms: list[Measurement]) -> list[PeriodResult]:
    return judge_periods(plan, months, plan_tasks(plan, months), ms)


def test_each_service_is_credited_against_its_own_monthly_charge(tmp_path: Path) -> None:
    """One objective scoped by service, `fee: {by: service}`: each service's credit is a share
    of its own monthly charge. Amazon Compute SLA (https://aws.amazon.com/compute/sla/, text
    checked in a verbatim copy): "Service Credits are calculated as a percentage of the total
    charges paid by you (excluding one-time payments such as upfront payments made for Reserved
    Instances) for the individual Included Service in the affected AWS region for the monthly
    billing cycle in which the Unavailability occurred".

    web 99.0% → 10% of 100.00 = 10.00; api 90.0% → 25% of 250.00 = 62.50;
    batch 94.0% → 25% of 40.00 = 10.00; total 82.50. "legacy" has no service fee: breached,
    no credit, and the result says why.
    """
    plan = compile_text(
        tmp_path,
        HEAD
        + """commercials:
  currency: EUR
  service_fees: {web: "100.00", api: "250.00", batch: "40.00"}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99.9%"
    scope: [service]
    fee: {by: service}
"""
        + TIERS,
    )
    ms = [
        measured("2026-10", "api", "0.90"),
        measured("2026-10", "batch", "0.94"),
        measured("2026-10", "legacy", "0.50"),
        measured("2026-10", "web", "0.99"),
    ]
    (october,) = judged(plan, ["2026-10"], ms)
    lines = {dict(line.scope)["service"]: (line.fee, line.amount) for line in october.credit_lines}
    assert lines == {
        "api": (Decimal("250.00"), Decimal("62.50")),
        "batch": (Decimal("40.00"), Decimal("10.00")),
        "web": (Decimal("100.00"), Decimal("10.00")),
    }
    assert october.credit == Decimal("82.50")
    legacy = next(o for o in october.objectives if dict(o.scope)["service"] == "legacy")
    assert (legacy.status, legacy.credit) == ("breached", None)
    assert legacy.reason == "no service fee for service=legacy: no percentage credit"


def _line_minimum_plan(tmp_path: Path, inclusive: str) -> Plan:
    return compile_text(
        tmp_path,
        HEAD
        + f"""commercials:
  currency: USD
  service_fees: {{web: "8.00", api: "10.00", batch: "40.00"}}
credits:
  minimum: {{amount: "1.00", per: line{inclusive}}}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99.9%"
    scope: [service]
    fee: {{by: service}}
"""
        + TIERS,
    )


def _three_lines() -> list[Measurement]:
    return [measured("2026-10", s, "0.99") for s in ("api", "batch", "web")]


def test_a_credit_line_under_the_minimum_is_not_issued_strictly(tmp_path: Path) -> None:
    """AWS Compute Optimizer SLA (https://aws.amazon.com/compute-optimizer/sla/): "A Service
    Credit will be applicable and issued only if the credit amount for the applicable monthly
    billing cycle is greater than one dollar". With
    `minimum: {amount: "1.00", per: line, inclusive: false}` each line is compared on its own.

    10% of 8.00 = 0.80 (dropped), 10% of 10.00 = 1.00 (not more than 1.00: dropped),
    10% of 40.00 = 4.00 (issued): the period's credit is 4.00.
    """
    plan = _line_minimum_plan(tmp_path, ", inclusive: false")
    (october,) = judged(plan, ["2026-10"], _three_lines())
    dropped = {dict(line.scope)["service"]: line.dropped for line in october.credit_lines}
    assert dropped == {
        "api": "not more than the minimum of 1.00 per credit line",
        "batch": None,
        "web": "below the minimum of 1.00 per credit line",
    }
    assert (october.combined, october.credit) == (Decimal("4.00"), Decimal("4.00"))


def test_a_credit_line_at_the_minimum_is_issued_by_default(tmp_path: Path) -> None:
    """`inclusive` defaults to true (an amount equal to the minimum is issued, as `minimum`
    always read): 0.80 dropped, 1.00 and 4.00 issued, 5.00 in all."""
    plan = _line_minimum_plan(tmp_path, "")
    assert plan.terms[0].credits.minimum_inclusive is True
    (october,) = judged(plan, ["2026-10"], _three_lines())
    assert [line.dropped is None for line in october.credit_lines] == [True, True, False]
    assert october.credit == Decimal("5.00")


def test_a_period_total_equal_to_a_strict_minimum_is_not_issued(tmp_path: Path) -> None:
    """Per period (the default `per`), strictly: a total of exactly 50.00 against "more than
    50.00" is withheld; 10% of 500.00 = 50.00."""
    plan = compile_text(
        tmp_path,
        HEAD
        + """commercials: {currency: EUR, monthly_fee: "500.00"}
credits:
  minimum: {amount: "50.00", inclusive: false}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99.9%"
    credit: {tiers: [{below: 99.9%, percent: 10%}]}
""",
    )
    (october,) = judged(plan, ["2026-10"], [measured("2026-10", None, "0.99")])
    assert (october.combined, october.credit, october.minimum_applied) == (
        Decimal("50.00"),
        Decimal("0"),
        True,
    )


def test_a_monthly_cap_and_a_rolling_12_month_cap_both_apply(tmp_path: Path) -> None:
    """Accord Project's SLA template (accordproject/cicero-template-library,
    src/servicelevelagreement/sample.txt) caps service credits per month and over a longer
    window. Its 3.3: "The amount of Service Credits credited (and/or paid) to the Customer with
    respect to all Service Level defaults occurring in a single month under this Agreement
    shall not exceed: 10%." Its 3.4: "The amount of Service Credits credited (and/or paid) to
    the Customer with respect to all Service Level defaults occurring in any 12–month period
    under this Agreement shall not exceed: 10%." Here with 20% and 15%:
    `cap: [20%, {percent: 15%, per: rolling-12-months}]` applies both, the smaller binding.

    Monthly fee 1,000.00: the monthly cap is 200.00; the rolling cap is 150.00 × the months
    in the window (those evaluated in this run) minus the credits already issued in them.
    October earns 50.00 (caps 200.00 and 150.00: paid 50.00); November 250.00 (caps 200.00 and
    300.00 − 50.00 = 250.00: the monthly cap binds, 200.00); December 250.00 (200.00 and
    450.00 − 250.00 = 200.00: 200.00); January 250.00 (200.00 and 600.00 − 450.00 = 150.00: the
    rolling cap binds, 150.00). Total 600.00.
    """
    plan = compile_text(
        tmp_path,
        HEAD
        + """commercials: {currency: EUR, monthly_fee: "1000.00"}
credits:
  cap: [20%, {percent: 15%, per: rolling-12-months}]
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit:
      tiers:
        - {at_least: 90%, below: 99%, amount: "50.00"}
        - {below: 90%, amount: "250.00"}
""",
    )
    months = ["2026-10", "2026-11", "2026-12", "2027-01"]
    values = ["0.95", "0.80", "0.80", "0.80"]
    results = judged(
        plan, months, [measured(m, None, v) for m, v in zip(months, values, strict=True)]
    )
    assert [(r.combined, r.cap, r.cap_applied, r.credit) for r in results] == [
        (Decimal("50.00"), Decimal("150.00"), False, Decimal("50.00")),
        (Decimal("250.00"), Decimal("200.00"), True, Decimal("200.00")),
        (Decimal("250.00"), Decimal("200.00"), True, Decimal("200.00")),
        (Decimal("250.00"), Decimal("150.00"), True, Decimal("150.00")),
    ]


def test_claims_by_the_end_of_the_second_billing_cycle(tmp_path: Path) -> None:
    """Amazon EC2 SLA (https://aws.amazon.com/compute/sla/, text checked in a verbatim copy):
    "the credit request must be received by us by the end of the second billing cycle after
    which the incident occurred"; older Microsoft Online Services SLA (copy at
    https://www.lawinsider.com/clause/service-credit-claim/_1): "We must receive the claim and
    all required information by the end of the calendar month following the month in which
    the Incident occurred." (one cycle).

    Billing cycles are the contract zone's calendar months: an October 2026 breach in Berlin
    must be claimed by 2027-01-01T00:00+01:00 (two cycles: November, December) or by
    2026-12-01T00:00+01:00 (one cycle).
    """
    deadlines = []
    for cycles in (2, 1):
        plan = compile_text(
            tmp_path,
            HEAD
            + f"""commercials: {{currency: EUR, monthly_fee: "1000.00"}}
credits:
  claim: {{cycles: {cycles}}}
objectives:
  - id: uptime
    metric: uptime
    target: ">= 99%"
    credit: {{tiers: [{{below: 99%, percent: 10%}}]}}
""",
        )
        (october,) = judged(plan, ["2026-10"], [measured("2026-10", None, "0.95")])
        deadlines.append(october.claim_deadline)
    assert deadlines == ["2027-01-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"]


def test_per_incident_keeps_the_first_of_equal_lines_and_every_aggregate_line(
    tmp_path: Path,
) -> None:
    """`combine: per-incident`: lines a (30.00, tickets X) and b (30.00, tickets X and Y) share
    X and are equal: a comes first in the contract and counts, b is dropped whole (Y goes with
    it). c (10.00) judges no items, so it shares no incident and counts: 30.00 + 10.00 = 40.00.
    """
    objectives = "".join(
        f"""  - id: {oid}
    metric: uptime
    target: ">= 99%"
    credit: {{tiers: [{{below: 99%, amount: "{amount}"}}]}}
"""
        for oid, amount in (("a", "30.00"), ("b", "30.00"), ("c", "10.00"))
    )
    plan = compile_text(
        tmp_path,
        HEAD
        + 'commercials: {currency: EUR, monthly_fee: "1000.00"}\n'
        + "credits: {combine: per-incident}\nobjectives:\n"
        + objectives,
    )

    def breach(oid: str, items: tuple[str, ...]) -> Measurement:
        return Measurement(
            "2026-10", oid, (), 10, Decimal("0.5"), 5, 5, 0, (), breached_items=items
        )

    ms = [breach("a", ("X",)), breach("b", ("X", "Y")), breach("c", ())]
    (october,) = judged(plan, ["2026-10"], ms)
    assert [(line.objective, line.dropped) for line in october.credit_lines] == [
        ("a", None),
        ("b", "one credit per incident: X is credited by a"),
        ("c", None),
    ]
    assert (october.combined, october.credit) == (Decimal("40.00"), Decimal("40.00"))
