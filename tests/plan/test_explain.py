"""`slac explain`: the plan in plain English.

Golden files live in ``tests/golden/explain/<example>.txt`` and ``.md``; regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/plan/test_explain.py

and read the diff as a customer would: it is the text an account manager sends.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac import api
from slac.cli import cli
from slac.contract.build import build_contract
from slac.contract.source import load_text
from slac.kinds import KINDS
from slac.plan.calendars import always_open, build_calendar
from slac.plan.explain import explain
from slac.plan.explain.calendars import calendar_words, week_words
from slac.plan.explain.context import interval_words
from slac.plan.explain.credits import money_words
from slac.plan.explain.measures import Promise
from slac.plan.money import money_share
from slac.plan.types import (
    Bound,
    Calendar,
    Cap,
    Comparison,
    Condition,
    CreditRules,
    Interval,
    Judgement,
    Metric,
    Money,
    ObjectiveCredit,
    Period,
    Plan,
    Quantity,
)
from slac.wording import (
    Clause,
    condition_words,
    date_words,
    duration_words,
    event_noun,
    join_words,
    ordinal,
    percent_words,
    rows_words,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/contract.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "explain"
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"
TAB = ROOT / "tests" / "data" / "lint" / "bad" / "tab.yaml"


@cache
def plan_of(example: str) -> Plan:
    compiled = api.compile_plan(str(ROOT / "examples" / example / "contract.yaml"))
    plan, report = compiled.value, compiled.report
    assert plan is not None, [d.code for d in report.diagnostics]
    return plan


# --- golden files -----------------------------------------------------------------------------


def test_every_example_has_golden_files() -> None:
    assert EXAMPLES, "no examples found"
    if UPDATE:
        return
    for example in EXAMPLES:
        for suffix in ("txt", "md"):
            assert (GOLDEN / f"{example}.{suffix}").is_file(), f"{example}.{suffix} is missing"


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("md", "md")])
@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, fmt: str, suffix: str) -> None:
    text = explain(plan_of(example), KINDS, fmt)
    path = GOLDEN / f"{example}.{suffix}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.read_bytes() == text.encode("utf-8"), (
        f"{path.name} differs: rerun with SLAC_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_text_is_wrapped_and_plain(example: str) -> None:
    text = explain(plan_of(example), KINDS, "text")
    for line in text.splitlines():
        # a line only runs over when a single word is longer than the width
        assert len(line) <= 88 or " " not in line.strip(), line
        assert "\xa0" not in line
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("example", EXAMPLES)
def test_deterministic(example: str) -> None:
    first = explain(plan_of(example), KINDS, "md")
    plan = api.compile_plan(str(ROOT / "examples" / example / "contract.yaml")).value
    assert plan is not None
    assert explain(plan, KINDS, "md") == first
    assert explain(plan, KINDS, "text") == explain(plan_of(example), KINDS, "text")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        explain(plan_of("customer-support"), KINDS, "html")


# --- what the examples say ---------------------------------------------------------------------


def test_customer_support_reads_as_promised() -> None:
    text = " ".join(explain(plan_of("customer-support"), KINDS, "text").split())
    assert (
        "Example Support Ltd promises that at least 95% of P2 tickets have their first "
        "response within 1 business hour of creation (Mon–Fri 08:00–18:00, Europe/Berlin, "
        "public holidays in DE and 4 further closed days excluded), measured each calendar "
        "month; a first response exactly at the deadline counts as met."
    ) in text
    assert "within 15 minutes of creation (around the clock)" in text
    assert "at least 90% and below 95%: 5% of the monthly fee (EUR 600.00)" in text
    assert "Claims must reach Example Support Ltd within 30 days of the end of the period." in text
    assert "capped at 15% of the fee for the period (EUR 1,800.00 for a month)" in text
    assert "A period's total credit below EUR 50.00 is not issued." in text
    assert "24 December 2026, 31 December 2026, 24 December 2027 and 31 December 2027" in text


def test_hosting_reads_as_promised() -> None:
    text = " ".join(explain(plan_of("hosting-availability"), KINDS, "text").split())
    assert "a monthly uptime of at least 99.99%" in text
    assert "An interval without a probe result counts as down." in text
    assert "at least 99% and below 99.99%: 10% of the monthly “compute” fee (USD 1,800.00)" in text
    assert "up to 8 hours per month" in text
    assert "announced at least 48 hours before they start" in text
    assert "Amounts are rounded down to 0.01 USD, on each credit line" in text


def test_contact_centre_reads_as_promised() -> None:
    text = " ".join(explain(plan_of("contact-centre"), KINDS, "text").split())
    assert "above 5% and at most 8%: 1% of the monthly fee (USD 850.00)" in text
    assert (
        "the average talk + hold + wrap time of answered voice contacts is at most 6 minutes"
        in text
    )
    assert "a Net Promoter Score (NPS) of at least 30, measured each calendar quarter" in text
    assert "in any 12 consecutive months, credits are capped at 10%" in text.lower()
    assert "Voice contacts abandoned in under 5 seconds are left out entirely." in text
    assert "judged only with at least 100 voice contacts in the month (in each queue)" in text


def test_amendments_are_explained_per_terms() -> None:
    plan = plan_of("it-outsourcing")
    text = " ".join(explain(plan, KINDS, "text").split())
    assert "From 1 January 2026 to 30 June 2026" in text
    assert "From 1 July 2026 (amendment amd-001: After the move to the new data centre" in text
    assert (
        "Changed from the previous terms: the promise “Availability of each critical application”."
        in text
    )
    assert (
        "a monthly uptime of at least 99.8%" in text
        and "a monthly uptime of at least 99.9%" in text
    )
    assert "12% of the monthly fee (GBP 30,000.00) is at risk each month" in text
    md = explain(plan, KINDS, "md")
    assert "## From 1 July 2026 to 31 December 2030" in md
    assert "### Promises" in md
    assert "| Grade | Overall service level |" in md


def test_fulfilment_amounts_and_quarters() -> None:
    text = " ".join(explain(plan_of("fulfilment"), KINDS, "text").split())
    assert "at least 97% and below 98.5%: EUR 1,500.00" in text
    assert "measured each calendar quarter, for each warehouse separately" in text
    assert "Also involved: FastFreight Paket GmbH (“carrier”)" in text
    assert "is breached in at least 4 of any 6 consecutive months" in text


# --- every judgement kind, on plans changed by hand ----------------------------------------------


def _objective_text(plan: Plan) -> str:
    return " ".join(explain(plan, KINDS, "text").split())


def _with_objective(plan: Plan, **changes: object) -> Plan:
    terms = plan.terms[0]
    objective = replace(terms.objectives[0], **changes)  # type: ignore[arg-type]
    objectives = (objective, *terms.objectives[1:])
    return replace(plan, terms=(replace(terms, objectives=objectives),))


def test_under_is_exclusive() -> None:
    plan = plan_of("customer-support")
    judgement = replace(plan.terms[0].objectives[0].judgement, threshold_inclusive=False)
    text = _objective_text(_with_objective(plan, judgement=judgement))
    assert "have their first response in under 15 minutes of creation" in text
    assert "the first response must come before the deadline (exactly at it is a breach)" in text


def test_statistics() -> None:
    plan = plan_of("customer-support")
    p90 = Judgement("statistic", "p90", Decimal("0.9"), "linear", None, None, None)
    target = Comparison("<=", Quantity(Decimal(14400), "seconds"))
    text = _objective_text(_with_objective(plan, judgement=p90, target=target))
    assert (
        "the 90th percentile (linear interpolation) of the time from creation to first "
        "response of P1 tickets, counted around the clock, is at most 4 hours"
    ) in text
    median = Judgement("statistic", "median", Decimal("0.5"), "linear", None, None, None)
    text = _objective_text(_with_objective(plan, judgement=median, target=target))
    assert "the median time from creation to first response of P1 tickets" in text
    count = Judgement("statistic", "count", None, None, None, None, None)
    few = Comparison("<=", Quantity(Decimal(5), "number"))
    text = _objective_text(_with_objective(plan, judgement=count, target=few))
    assert "promises that the number of P1 tickets is at most 5" in text


def test_business_time_statistic_and_rolling_period() -> None:
    plan = plan_of("customer-support")
    objective = plan.terms[0].objectives[5]  # res-p2: business calendar
    mean = Judgement("statistic", "mean", None, None, None, None, None)
    target = Comparison("<=", Quantity(Decimal(5400), "seconds"))
    terms = plan.terms[0]
    changed = replace(objective, judgement=mean, target=target, period=Period("month", 3))
    plan = replace(plan, terms=(replace(terms, objectives=(changed,)),))
    text = " ".join(explain(plan, KINDS, "text").split())
    assert (
        "the average time from creation to resolution of P2 tickets, counted in business hours"
        in text
    )
    assert "is at most 1 h 30 min business time, measured each month over the last 3 months" in text


def _metric_objective(plan: Plan, kind: str, params: dict[str, object], target: Quantity) -> Plan:
    objective = plan.terms[0].objectives[0]
    metric = Metric(
        "m-test", ("test",), objective.metric.dataset, (), kind, tuple(sorted(params.items()))
    )
    judgement = Judgement("value", None, None, None, None, None, None)
    return _with_objective(
        plan,
        metric=metric,
        metric_name="test",
        where=(),
        judgement=judgement,
        target=Comparison(">=", target),
    )


def test_value_kinds() -> None:
    plan = plan_of("contact-centre")
    servqual = _metric_objective(
        plan,
        "servqual",
        {"perception": "perceived", "expectation": "expected", "dimension": "dimension"},
        Quantity(Decimal("-0.5"), "number"),
    )
    assert "an average SERVQUAL gap of at least -0.5" in _objective_text(servqual)
    assert (
        "the average, over each dimension, of perceived minus expected of contacts, then the "
        "average of these (each dimension weighs the same)"
    ) in _objective_text(servqual)
    ces = _metric_objective(
        plan,
        "survey",
        {"score": "effort", "measure": "ces-mean", "scale": ["1", "7"], "good": None},
        Quantity(Decimal("5.5"), "number"),
    )
    assert "an average Customer Effort Score (CES) of at least 5.5" in _objective_text(ces)
    assert "on a scale of 1 to 7" in _objective_text(ces)
    count = _metric_objective(
        plan, "count", {"distinct": "customer_id"}, Quantity(Decimal(10), "number")
    )
    assert "the number of distinct customer id values in contacts" in _objective_text(count)
    outages = _metric_objective(
        plan,
        "availability",
        {
            "source": "outages",
            "start": "s",
            "end": "e",
            "min_outage_seconds": "60",
            "availability_minutes": "nominal",
        },
        Quantity(Decimal("0.999"), "ratio"),
    )
    text = _objective_text(outages)
    assert "a monthly uptime of at least 99.9%" in text
    assert "Contacts shorter than 1 minute are not counted." in text
    assert "a month counts as its number of days × 1,440 minutes" in text.lower()
    pooled = _metric_objective(
        plan,
        "availability",
        {
            "source": "error-rate",
            "errors": "errors_5xx",
            "requests": "requests",
            "method": "pooled",
            "availability_minutes": "actual",
        },
        Quantity(Decimal("0.9995"), "ratio"),
    )
    assert "100% minus all errors 5xx divided by all requests of contacts" in _objective_text(
        pooled
    )
    ratio = _metric_objective(
        plan,
        "ratio",
        {
            "numerator": {"where": [{"field": "solved", "op": "=", "value": True}], "sum": None},
            "denominator": {
                "where": [{"field": "queue", "op": "!=", "value": "test"}],
                "sum": None,
            },
        },
        Quantity(Decimal("0.8"), "ratio"),
    )
    assert (
        "the number of contacts that are marked “solved”, divided by the number of contacts "
        "whose queue is not test"
    ) in _objective_text(ratio)


def test_per_incident_and_combining_rules() -> None:
    plan = plan_of("customer-support")
    credit = ObjectiveCredit((), Money(Decimal("250"), "EUR", 2))
    plan = _with_objective(plan, credit=credit)
    terms = plan.terms[0]
    rules = CreditRules(
        combine="max",
        caps=(Cap(Decimal("0.1"), "rolling-12-months"),),
        minimum=None,
        minimum_per="period",
        minimum_inclusive=True,
        earn_back_periods=2,
        claim_within_seconds=None,
        claim_cycles=None,
        claim_from="period-end",
        pool=None,
    )
    plan = replace(plan, terms=(replace(terms, credits=rules),))
    text = _objective_text(plan)
    assert "EUR 250.00 for each ticket that misses the target." in text
    assert "only the largest credit is paid" in text
    assert (
        "In any 12 consecutive months, credits are capped at 10% of the fees of those months."
        in text
    )
    assert "earned back (waived) when every promise is met in each of the next 2 months" in text
    assert "The contract sets no deadline for claiming credits." in text
    single = replace(rules, combine="single")
    text = _objective_text(replace(plan, terms=(replace(plan.terms[0], credits=single),)))
    assert "ACME GmbH picks one of them" in text


def test_quarterly_percent_credit_uses_three_monthly_fees() -> None:
    plan = plan_of("customer-support")
    text = _objective_text(_with_objective(plan, period=Period("quarter", 1)))
    assert "5% of 3 × the monthly fee (one quarter) (EUR 1,800.00)" in text


# --- wording helpers, hand-computed ---------------------------------------------------------


@pytest.mark.parametrize(
    "seconds,business,expected",
    [
        (3600, False, "1 hour"),
        (7200, False, "2 hours"),
        (5400, False, "1 h 30 min"),
        (86400, False, "24 hours"),
        (172800, False, "48 hours"),
        (259200, False, "3 days"),
        (2592000, False, "30 days"),
        (273600, False, "3 d 4 h"),
        (93600, False, "26 hours"),
        (900, False, "15 minutes"),
        (20, False, "20 seconds"),
        (262861, False, "3 d 1 h 1 min 1 s"),
        (90061, False, "25 h 1 min 1 s"),
        (0, False, "0 seconds"),
        (3600, True, "1 business hour"),
        (28800, True, "8 business hours"),
        (86400, True, "24 business hours"),
        (5400, True, "1 h 30 min business time"),
    ],
)
def test_duration_words(seconds: int, business: bool, expected: str) -> None:
    assert duration_words(Decimal(seconds), business=business) == expected


@pytest.mark.parametrize(
    "ratio,expected",
    [
        ("0.9999", "99.99%"),
        ("0.5", "50%"),
        ("1", "100%"),
        ("0.950", "95%"),
        ("0.985", "98.5%"),
        ("0.05", "5%"),
        ("2.5", "250%"),
        ("0.00001", "0.001%"),
        ("0.1", "10%"),
    ],
)
def test_percent_words(ratio: str, expected: str) -> None:
    assert percent_words(Decimal(ratio)) == expected


def _ratio_interval(low: tuple[str, bool] | None, high: tuple[str, bool] | None) -> Interval:
    return Interval(
        Bound(Decimal(low[0]), low[1]) if low else None,
        Bound(Decimal(high[0]), high[1]) if high else None,
        "ratio",
    )


def test_interval_words_state_each_side_exactly() -> None:
    assert (
        interval_words(_ratio_interval(("0.99", True), ("0.9999", False)))
        == "at least 99% and below 99.99%"
    )
    assert (
        interval_words(_ratio_interval(("0.05", False), ("0.08", True)))
        == "above 5% and at most 8%"
    )
    assert interval_words(_ratio_interval(None, ("0.95", False))) == "below 95%"
    assert interval_words(_ratio_interval(None, ("0.95", True))) == "at most 95%"
    assert interval_words(_ratio_interval(("1", True), None)) == "at least 100%"
    assert interval_words(_ratio_interval(("0.08", False), None)) == "above 8%"
    seconds = Interval(Bound(Decimal(14400), False), Bound(Decimal(21600), True), "seconds")
    assert interval_words(seconds) == "above 4 hours and at most 6 hours"
    assert (
        interval_words(seconds, business=True)
        == "above 4 business hours and at most 6 business hours"
    )


def test_money_words() -> None:
    assert money_words(Money(Decimal("12000"), "EUR", 2)) == "EUR 12,000.00"
    assert money_words(Money(Decimal("12000.00"), "EUR", 2)) == "EUR 12,000.00"
    assert money_words(Money(Decimal("500"), "JPY", 0)) == "JPY 500"
    assert money_words(Money(Decimal("1234567.5"), "KWD", 3)) == "KWD 1,234,567.500"
    assert money_words(Money(Decimal("0.5"), "USD", 2)) == "USD 0.50"


def test_money_share_rounds_once_by_the_contract_rule() -> None:
    quarter = Money(Decimal("0.25"), "EUR", 2)
    half = Decimal("0.5")  # 0.125 exactly
    assert money_share(quarter, half, mode="half-up").amount == Decimal("0.13")
    assert money_share(quarter, half, mode="half-even").amount == Decimal("0.12")
    assert money_share(quarter, half, mode="down").amount == Decimal("0.12")
    assert money_share(quarter, half, mode="up").amount == Decimal("0.13")
    fee = Money(Decimal("12000.00"), "EUR", 2)
    assert money_words(money_share(fee, Decimal("0.05"), times=3)) == "EUR 1,800.00"


def _calendar(name: str, spec: dict[str, Any]) -> Calendar:
    """The plan's calendar for a calendar written as ``spec`` in a contract."""
    loaded = load_text("c.yaml", json.dumps({"calendars": {name: spec}}).encode())
    assert loaded.document is not None
    return build_calendar(build_contract(loaded.document).calendars[name], (2026, 2026))


def _week(spec: dict[str, list[str]] | str) -> str:
    calendar = _calendar("c", {"timezone": "Europe/Berlin", "hours": spec})
    return week_words(calendar.weekly)


def test_week_words_groups_equal_days() -> None:
    assert _week({"mon-fri": ["08:00-18:00"], "sat": ["09:00-13:00"]}) == (
        "Mon–Fri 08:00–18:00, Sat 09:00–13:00"
    )
    assert _week({"mon": ["09:00-12:00"], "wed": ["09:00-12:00"], "thu": ["13:00-17:00"]}) == (
        "Mon, Wed 09:00–12:00, Thu 13:00–17:00"
    )
    assert (
        _week({"mon-fri": ["08:00-12:00", "13:00-17:00"]}) == "Mon–Fri 08:00–12:00 and 13:00–17:00"
    )
    assert _week("24x7") == "around the clock"
    assert _week({"mon-sun": ["00:00-24:00"]}) == "around the clock"
    assert _week({"sat-sun": ["00:00-24:00"]}) == "Sat–Sun all day"


def test_week_words_joins_a_range_crossing_midnight() -> None:
    # The plan stores 22:00-02:00 on Sunday as Sun 22:00-24:00 and Mon 00:00-02:00.
    assert _week({"mon-fri": ["08:00-18:00"], "sun": ["22:00-02:00"]}) == (
        "Mon–Fri 08:00–18:00, Sun 22:00–02:00 (past midnight)"
    )
    assert _week({"mon-fri": ["22:00-06:00"]}) == "Mon–Fri 22:00–06:00 (past midnight)"
    assert (
        _week({"fri": ["20:00-24:00"], "sat": ["00:00-03:00"]}) == "Fri 20:00–03:00 (past midnight)"
    )


def test_calendar_words_holidays() -> None:
    spec = {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["08:00-18:00"]},
        "holidays": {"country": "DE", "subdivision": "BY", "dates": ["2026-12-24", "2026-12-31"]},
    }
    calendar = _calendar("support", spec)
    assert calendar_words(calendar) == (
        "Mon–Fri 08:00–18:00, Europe/Berlin, public holidays in DE (BY) and 2 further closed days excluded"
    )
    worked = _calendar("support", {**spec, "holidays": {"country": "DE", "except": ["2026-05-01"]}})
    assert calendar_words(worked) == (
        "Mon–Fri 08:00–18:00, Europe/Berlin, public holidays in DE (except 1 day worked anyway) excluded"
    )
    own = _calendar("support", {**spec, "holidays": {"dates": ["2026-12-24"]}})
    assert calendar_words(own) == "Mon–Fri 08:00–18:00, Europe/Berlin, 1 closed day excluded"
    assert calendar_words(always_open("24x7", "UTC", (2026, 2026))) == "around the clock"


def test_small_words() -> None:
    assert [ordinal(Decimal(n)) for n in (1, 2, 3, 4, 11, 12, 13, 21, 90, 95)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "90th", "95th",
    ]  # fmt: skip
    assert ordinal(Decimal("99.9")) == "99.9th"
    assert date_words("2026-07-01") == "1 July 2026"
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"], "or") == "a, b or c"
    assert event_noun("first_responded_at") == "first response"
    assert event_noun("resolved_at") == "resolution"
    assert event_noun("first_response_at") == "first response"
    assert event_noun("delivered_on") == "delivery"
    assert event_noun("handed_over_at") == "“handed over”"


def test_conditions_in_words() -> None:
    assert condition_words(Condition("channel", "!=", "portal")) == "channel is not portal"
    assert condition_words(Condition("cause", "in", ("customer", "customer-vendor"))) == (
        "cause is customer or customer-vendor"
    )
    assert condition_words(Condition("reason", "not-in", ("a", "b"))) == "reason is neither a nor b"
    assert condition_words(Condition("wait_seconds", ">=", 5)) == "wait seconds is at least 5"
    assert condition_words(Condition("csat", "not-null")) == "csat is given"
    conds = (
        Condition("channel", "=", "voice"),
        Condition("outcome", "=", "answered"),
        Condition("test_call", "=", False),
        Condition("queue", "!=", "test"),
    )
    assert rows_words("contacts", conds) == (
        "answered voice contacts not marked “test call” whose queue is not test"
    )
    assert rows_words("tickets", (Condition("priority", "in", ("P2", "P3")),)) == "P2 or P3 tickets"


# --- the command line -------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_explains_an_example() -> None:
    code, out, _ = run("explain", str(ROOT / "examples" / "customer-support" / "contract.yaml"))
    assert code == 0
    assert "Example Support Ltd" in out
    assert out == explain(plan_of("customer-support"), KINDS, "text")


def test_cli_markdown_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "explained.md"
    contract = str(ROOT / "examples" / "hosting-availability" / "contract.yaml")
    code, out, _ = run("explain", contract, "--format", "md", "-o", str(target))
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# SkyHost Compute and Object Storage Service Level Agreement\n")
    assert "SkyHost Cloud Inc." in text


def test_cli_stops_on_lint_errors() -> None:
    code, out, err = run("explain", str(TAB))
    assert code == 1
    assert out == ""
    assert "L002" in err


def test_api_explain() -> None:
    explained = api.explain(str(ROOT / "examples" / "fulfilment" / "contract.yaml"), fmt="md")
    text, report = explained.value, explained.report
    assert text is not None and text.startswith("# Fulfilment Services SLA")
    assert not any(d.severity.name == "ERROR" for d in report.diagnostics)
    explained = api.explain(str(TAB))
    text, report = explained.value, explained.report
    assert text is None
    assert any(d.code == "L002" for d in report.diagnostics)


def test_every_metric_kind_words_its_promise() -> None:
    # The schema's metric kinds are exactly the registry's, and each words its own promise.
    schema = json.loads((ROOT / "schemas" / "contract.schema.json").read_text(encoding="utf-8"))
    written = set(schema["$defs"]["metric"]["properties"]) - {"description", "dataset", "where"}
    assert written == set(KINDS)
    assert all(callable(getattr(kind, "phrase", None)) for kind in KINDS.values())


def test_a_kind_phrase_needs_only_plain_values() -> None:
    promise = Promise(
        params={"distinct": None},
        metric_name="incidents",
        party="ACME",
        comparison="at most",
        target="5",
        rows="P1 tickets",
        noun="tickets",
        conditions=(Clause("priority", "=", "P1"),),
        nouns={"tickets": "tickets"},
        when="measured each calendar month",
        period_unit="month",
        rolling=1,
        open_items="exclude",
        timezone="UTC",
        calendar=None,
        business=False,
        judgement="value",
        statistic=None,
        percentile=None,
        percentile_method=None,
        threshold_seconds=None,
        threshold_business_days=None,
        threshold_inclusive=None,
    )
    assert KINDS["count"].phrase(promise) == [
        "ACME promises a count of at most 5, measured each calendar month: the number of P1 tickets"
    ]
