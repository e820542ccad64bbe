"""What each metric kind promises, in words: one phrase function per kind, in one table.

A phrase turns a :class:`Promise` (an objective as plain words and values, no plan types)
into the sentences that state it: the promise itself, then its notes. ``KIND_PHRASES`` is the
only place the explanation looks a metric kind up; each function depends on nothing but
:mod:`slac.wording`, so that it can move to the module of its kind unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.wording import (
    Condition,
    article,
    business_days_words,
    clauses,
    condition_words,
    duration_adjective,
    duration_words,
    event_noun,
    number_words,
    ordinal,
    qualifier_words,
    rows_words,
    singular,
    words,
)

PERIOD_ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
PERCENTILE_METHOD = {
    "linear": "linear interpolation",
    "lower": "lower value",
    "higher": "higher value",
    "nearest": "nearest value",
}


@dataclass(frozen=True)
class Promise:
    """An objective as plain words and values: everything a kind's phrase is built from."""

    params: Mapping[str, Any]  # the metric's params, as docs/plan.md fixes them per kind
    metric_name: str  # the contract's name for the metric: "first_contact_resolution"
    party: str  # who promises: "Example Support Ltd"
    comparison: str  # "at least"
    target: str  # "95%", "4 business hours"
    rows: str  # the rows judged: "P1 tickets"
    noun: str  # the dataset's rows: "tickets"
    conditions: Sequence[Condition]  # what narrows `noun` to `rows`
    nouns: Mapping[str, str]  # every dataset's rows in words, by dataset name
    when: str  # "measured each calendar month, for each queue separately"
    period_unit: str  # month, quarter or year
    rolling: int  # 1 for calendar periods, N for the last N units
    open_items: str  # the objective's `open_items` rule
    timezone: str  # the contract's time zone
    calendar: str | None  # the calendar the clock runs in, in words; None: the kind has none
    business: bool  # durations are business time (the calendar has closed hours)
    judgement: str  # "threshold-share", "statistic" or "value"
    statistic: str | None  # mean, median, pNN, min, max, count, sum
    percentile: Decimal | None  # 0..1 for pNN
    percentile_method: str | None
    threshold_seconds: Decimal | None  # threshold-share: the deadline ...
    threshold_business_days: Decimal | None  # ... or a count of business days
    threshold_inclusive: bool | None  # within (True) or under (False)


Phrase = Callable[[Promise], list[str]]


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _named(p: Promise, name: str, definition: str) -> list[str]:
    """A promise of a named measure: ``… promises a service level of at least 80% …: …``."""
    return [f"{p.party} promises {name} of {p.comparison} {p.target}, {p.when}: {definition}"]


# --------------------------------------------------------------------------------------------
# Kinds that measure a quantity per row (time between events, a row's value): a deadline
# each row must meet, or a statistic over the rows
# --------------------------------------------------------------------------------------------


def _deadline(p: Promise) -> str:
    """The threshold in words: business days, business time or elapsed time."""
    if p.threshold_business_days is not None:
        return business_days_words(p.threshold_business_days)
    assert p.threshold_seconds is not None
    return duration_words(p.threshold_seconds, business=p.business)


def _threshold(p: Promise, have: str, tail: str) -> list[str]:
    """``… promises that at least 95% of P1 tickets {have}, {when}; {tail}``."""
    sentences = [
        f"{p.party} promises that {p.comparison} {p.target} of {p.rows} {have}, {p.when}; {tail}"
    ]
    days = p.threshold_business_days
    if days is not None:
        sentences.append(
            "a deadline of 1 business day is the same business time on the next business day"
            if days == 1
            else f"a deadline of {number_words(days)} business days is the same "
            f"business time {number_words(days)} business days later"
        )
    return sentences


def _statistic_words(p: Promise, quantity: str) -> str:
    stat = p.statistic or ""
    if stat == "mean":
        return f"the average {quantity}"
    if stat == "median":
        return f"the median {quantity}"
    if stat == "min":
        return f"the minimum {quantity}"
    if stat == "max":
        return f"the maximum {quantity}"
    if stat == "sum":
        return f"the total {quantity}"
    if p.percentile is not None:
        method = PERCENTILE_METHOD.get(p.percentile_method or "", p.percentile_method or "")
        how = f" ({method})" if method else ""
        return f"the {ordinal(p.percentile * 100)} percentile{how} of the {quantity}"
    return f"the {stat} of the {quantity}"


def _statistic(p: Promise, quantity: str) -> list[str]:
    if p.statistic == "count":
        return [
            f"{p.party} promises that the number of {p.rows} is {p.comparison} {p.target}, {p.when}"
        ]
    counted = ""
    if p.calendar is not None:
        counted = (
            f", counted in business hours ({p.calendar}),"
            if p.business
            else ", counted around the clock,"
        )
    return [
        f"{p.party} promises that {_statistic_words(p, quantity)} of {p.rows}{counted} is "
        f"{p.comparison} {p.target}, {p.when}"
    ]


def duration_phrase(p: Promise) -> list[str]:
    start, end = event_noun(str(p.params["from"])), event_noun(str(p.params["to"]))
    if p.judgement == "threshold-share":
        how = "within" if p.threshold_inclusive else "in under"
        clock = "" if p.calendar is None else f" ({p.calendar})"
        tail = (
            f"{article(end)} exactly at the deadline counts as met"
            if p.threshold_inclusive
            else f"the {end} must come before the deadline (exactly at it is a breach)"
        )
        sentences = _threshold(p, f"have their {end} {how} {_deadline(p)} of {start}{clock}", tail)
    else:
        sentences = _statistic(p, f"time from {start} to {end}")
    return sentences + _duration_details(p, start, end)


def _duration_details(p: Promise, start: str, end: str) -> list[str]:
    one = singular(p.noun)
    noun, unit = p.noun, p.period_unit
    out = []
    pause = p.params.get("pause")
    if isinstance(pause, dict):
        dataset = str(pause["dataset"])
        pause_rows = rows_words(p.nouns.get(dataset, words(dataset)), clauses(pause.get("where")))
        out.append(f"the clock stops during {pause_rows}")
    if p.params.get("period_membership") == "end":
        # Items without their end event belong to no period yet: open items are not judged.
        out.append(
            f"{article(one)} counts in the {unit} of its {end}, so one still waiting for it "
            "is not judged yet"
        )
    elif p.open_items == "exclude":
        out.append(
            f"{article(one)} counts in the {unit} of its {start}; {noun} still open at the "
            f"end of the {unit} are left out"
        )
    elif p.judgement == "threshold-share":
        out.append(
            f"{article(one)} counts in the {unit} of its {start}; one still open at the end "
            f"of the {unit} is a breach if its deadline has passed, otherwise it is reported "
            "as open and not judged"
        )
    else:
        out.append(
            f"{article(one)} counts in the {unit} of its {start}; {noun} still open at the "
            f"end of the {unit} are left out of the statistic"
        )
    if p.params.get("reopened") == "each-cycle":
        out.append(f"a reopened {one} is judged again for each cycle")
    else:
        out.append(f"a reopened {one} counts with its first cycle only")
    return out


def value_phrase(p: Promise) -> list[str]:
    fields = [str(f) for f in p.params.get("fields") or []]
    suffixes = ("_seconds", "_minutes", "_time")
    if fields and all(f.endswith(suffixes) for f in fields):
        quantity = f"{' + '.join(words(f.rsplit('_', 1)[0]) for f in fields)} time"
    else:
        quantity = " + ".join(words(f) for f in fields) or "value"
    if p.judgement != "threshold-share":
        return _statistic(p, quantity)
    how = "at most" if p.threshold_inclusive else "less than"
    tail = (
        "exactly at the deadline counts as met"
        if p.threshold_inclusive
        else "must come before the deadline (exactly at it is a breach)"
    )
    have = f"have {article(quantity)} of {how} {_deadline(p)}"
    return _threshold(p, have, f"{article(quantity)} {tail}")


# --------------------------------------------------------------------------------------------
# Kinds that measure one value over all rows: a named measure and its definition
# --------------------------------------------------------------------------------------------


def ratio_phrase(p: Promise) -> list[str]:
    return _named(p, article(words(p.metric_name)), _ratio_definition(p.params, p.rows))


def _ratio_definition(params: Mapping[str, Any], rows: str) -> str:
    num = params.get("numerator") or {}
    den = params.get("denominator") or {}
    num_where, den_where = clauses(num.get("where")), clauses(den.get("where"))
    num_sum, den_sum = num.get("sum"), den.get("sum")
    if not num_sum and not den_sum and not den_where:
        return f"the share of {rows} {qualifier_words(num_where)}".rstrip()

    def part(total: Any, where: Sequence[Condition]) -> str:
        qualifier = qualifier_words(where)
        subject = f"the total {words(str(total))}" if total else "the number"
        text = f"{subject} of {rows}"
        return f"{text} {qualifier}" if qualifier else text

    if num_sum and den_sum and not num_where and not den_where:
        return (
            f"the total {words(str(num_sum))} of {rows} as a share of their total "
            f"{words(str(den_sum))}"
        )
    return f"{part(num_sum, num_where)}, divided by {part(den_sum, den_where)}"


def service_level_phrase(p: Promise) -> list[str]:
    rows = p.rows
    t = duration_words(_dec(p.params.get("within_seconds")) or Decimal(0))
    notes = []
    formula = str(p.params.get("formula"))
    if formula == "abandoned-ignored":
        definition = f"{rows} answered within {t}, as a share of all {rows} answered"
        notes.append(f"{rows} abandoned are not counted")
    elif formula == "abandoned-against":
        definition = f"{rows} answered within {t}, as a share of all {rows} answered or abandoned"
    elif formula == "abandoned-within-for":
        definition = f"{rows} answered or abandoned within {t}, as a share of all {rows} offered"
    else:
        definition = (
            f"{rows} answered within {t}, as a share of {rows} answered plus those "
            f"abandoned after {t}"
        )
        notes.append(f"{rows} abandoned within {t} do not count against the service level")
    short = _dec(p.params.get("short_abandon_seconds"))
    if short:
        notes.append(f"{rows} abandoned in under {duration_words(short)} are left out entirely")
    return _named(p, "a service level", definition) + notes


def availability_phrase(p: Promise) -> list[str]:
    params, rows, unit = p.params, p.rows, p.period_unit
    adjective = PERIOD_ADJECTIVE.get(unit, "")
    if p.rolling > 1:
        adjective = f"rolling {p.rolling}-{unit}"
    notes: list[str] = []
    if params.get("availability_minutes") == "nominal":
        notes.append(f"a {unit} counts as its number of days × 1,440 minutes")
    elif p.timezone not in ("UTC", "Etc/UTC"):
        notes.append(
            f"a {unit} has its real number of minutes in {p.timezone}, so daylight-saving "
            "changes count"
        )
    source = params.get("source")
    interval = _dec(params.get("interval_seconds"))
    step = f"{duration_adjective(interval)} " if interval else ""
    if source == "probes":
        up = " and ".join(condition_words(c) for c in clauses(params.get("ok"))) or "check passes"
        definition = (
            f"the share of {step}intervals in which all {rows} succeeded "
            f"(a probe succeeds when its {up})"
        )
        if params.get("missing") == "ignore":
            notes.insert(0, "intervals without a probe result are left out")
        else:
            notes.insert(0, "an interval without a probe result counts as down")
        return _named(p, f"{article(adjective)} uptime", definition) + notes
    if source == "outages":
        minimum = _dec(params.get("min_outage_seconds")) or Decimal(0)
        if minimum:
            notes.insert(0, f"{rows} shorter than {duration_words(minimum)} are not counted")
        definition = f"the share of the {unit}'s minutes outside {rows}"
        return _named(p, f"{article(adjective)} uptime", definition) + notes
    errors, requests = words(str(params.get("errors"))), words(str(params.get("requests")))
    if params.get("method") == "pooled":
        definition = f"100% minus all {errors} divided by all {requests} of {rows}"
    else:
        definition = (
            f"100% minus the average error rate ({errors} divided by {requests}) of the "
            f"{step}intervals of {rows}"
        )
        if params.get("empty_interval") == "skip":
            notes.insert(0, "intervals without requests are left out")
        else:
            notes.insert(0, "an interval without requests counts as free of errors")
    return _named(p, f"{article(adjective)} availability", definition) + notes


def _scale_words(values: Sequence[Any]) -> str:
    low, high = (Decimal(str(v)) for v in values)
    return f"{number_words(low)} to {number_words(high)}"


def _band_words(values: Sequence[Any]) -> str:
    low, high = (Decimal(str(v)) for v in values)
    if low == high:
        return number_words(low)
    if high - low == 1 and low == low.to_integral_value():
        return f"{number_words(low)} or {number_words(high)}"
    return f"{number_words(low)} to {number_words(high)}"


def survey_phrase(p: Promise) -> list[str]:
    params = p.params
    measure = params.get("measure")
    score_field = str(params.get("score"))
    # The rows that rate it: the objective's rows, without the "score is given" condition.
    rated = [c for c in p.conditions if not (c.field == score_field and c.op == "not-null")]
    rows = rows_words(p.noun, rated)
    score = words(score_field)
    scale = _scale_words(params.get("scale") or ["1", "5"])
    good = params.get("good")
    if measure == "nps":
        promoters = _band_words(params.get("promoters") or ["9", "10"])
        detractors = _band_words(params.get("detractors") or ["0", "6"])
        return _named(
            p,
            "a Net Promoter Score (NPS)",
            f"the percentage of promoters ({score} {promoters}) minus the percentage of "
            f"detractors ({detractors}), on a scale of {scale}, among {rows} that rate it",
        )
    if measure == "ces-mean":
        return _named(
            p,
            "an average Customer Effort Score (CES)",
            f"the average {score}, on a scale of {scale}, of {rows} that rate it",
        )
    if measure in ("csat", "ces-share") and good:
        name = "a customer satisfaction (CSAT)" if measure == "csat" else "a Customer Effort share"
        return _named(
            p,
            name,
            f"the share of {rows} rating {score} {_band_words(good)} on a scale of {scale}, "
            "among those that rate it",
        )
    return _named(
        p,
        f"an average {score}",
        f"the average {score}, on a scale of {scale}, of {rows} that rate it",
    )


def servqual_phrase(p: Promise) -> list[str]:
    perception = words(str(p.params.get("perception")))
    expectation = words(str(p.params.get("expectation")))
    definition = f"the average of {perception} minus {expectation} over {p.rows}"
    if p.params.get("dimension"):
        dimension = words(str(p.params["dimension"]))
        definition = (
            f"the average, over each {dimension}, of {perception} minus {expectation} "
            f"of {p.rows}, then the average of these (each {dimension} weighs the same)"
        )
    return _named(p, "an average SERVQUAL gap", definition)


def count_phrase(p: Promise) -> list[str]:
    distinct = p.params.get("distinct")
    if distinct:
        return _named(
            p, "a count", f"the number of distinct {words(str(distinct))} values in {p.rows}"
        )
    return _named(p, "a count", f"the number of {p.rows}")


KIND_PHRASES: dict[str, Phrase] = {
    "duration": duration_phrase,
    "value": value_phrase,
    "ratio": ratio_phrase,
    "service_level": service_level_phrase,
    "availability": availability_phrase,
    "survey": survey_phrase,
    "servqual": servqual_phrase,
    "count": count_phrase,
}
