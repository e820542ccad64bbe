"""What changed between two versions of a contract, read from their compiled plans.

Each change says which way it moves the promise, seen from the customer: ``tighter`` (the
provider promises more, or owes more when it misses), ``looser``, or ``changed`` when there
is no such order (another calendar, another period). Terms are matched by the date they take
effect, so an amendment is compared with the same amendment in the other version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from slac.plan.canonical import to_json
from slac.plan.explain.calendars import week_words
from slac.plan.explain.context import interval_words
from slac.plan.explain.credits import money_words
from slac.plan.types import Calendar, CreditRules, FeeSource, Objective, Plan, Terms
from slac.wording import COMPARISON_WORDS as COMPARISON
from slac.wording import business_days_words, duration_words, number_words, percent_words

TIGHTER, LOOSER, CHANGED, ADDED, REMOVED = "tighter", "looser", "changed", "added", "removed"


@dataclass(frozen=True)
class Change:
    area: str  # objective, exclusion, calendar, fees, credits, chronic failure, escalation …
    subject: str  # the objective's (exclusion's …) id, or "" for the contract as a whole
    what: str  # target, deadline, credit tiers, cap …; "" for an addition or a removal
    old: str  # in words; "" when added
    new: str  # in words; "" when removed
    direction: str  # tighter | looser | changed | added | removed
    terms_from: str = ""  # the terms it is in: their effective date


def _order(old: Decimal | None, new: Decimal | None, *, more_is_tighter: bool) -> str:
    if old is None or new is None or old == new:
        return CHANGED
    return TIGHTER if (new > old) == more_is_tighter else LOOSER


def _json(value: Any) -> str:
    text = json.dumps(to_json(value), sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


def _business(obj: Objective, terms: Terms) -> bool:
    calendar = dict(obj.metric.params).get("calendar")
    found = next((c for c in terms.calendars if c.name == calendar), None)
    return found is not None and not found.always_open


def target_words(obj: Objective, terms: Terms) -> str:
    q = obj.target.quantity
    if q.unit == "ratio":
        value = percent_words(q.value)
    elif q.unit == "seconds":
        value = duration_words(q.value, business=_business(obj, terms))
    else:
        value = number_words(q.value)
    return f"{COMPARISON[obj.target.op]} {value}"


def deadline_words(obj: Objective, terms: Terms) -> str:
    j = obj.judgement
    if j.threshold_business_days is not None:
        return business_days_words(j.threshold_business_days)
    if j.threshold_seconds is not None:
        return ("within " if j.threshold_inclusive else "under ") + duration_words(
            j.threshold_seconds, business=_business(obj, terms)
        )
    return ""


def statistic_words(obj: Objective) -> str:
    j = obj.judgement
    if j.kind == "threshold-share":
        return "share of items within the deadline"
    if j.statistic is None:
        return j.kind
    return j.statistic + (f" ({j.percentile_method})" if j.percentile_method else "")


def tier_words(obj: Objective, terms: Terms) -> str:
    credit = obj.credit
    if credit is None:
        return "none"
    if credit.per_incident is not None:
        return f"{money_words(credit.per_incident)} per incident"
    business = _business(obj, terms)
    parts = []
    for tier in credit.tiers:
        if tier.amount is not None:
            cost = money_words(tier.amount)
        elif tier.percent is not None:
            cost = percent_words(tier.percent)
        else:
            cost = "no credit"
        parts.append(f"{interval_words(tier.interval, business=business)}: {cost}")
    return "; ".join(parts) or "none"


def _target_direction(old: Objective, new: Objective) -> str:
    up = {">=", ">"}
    if (old.target.op in up) != (new.target.op in up):
        return CHANGED
    higher = old.target.op in up
    a, b = old.target.quantity.value, new.target.quantity.value
    if a == b:
        # Same bound: the strict comparison is the tighter one.
        strict_old, strict_new = old.target.op in (">", "<"), new.target.op in (">", "<")
        return CHANGED if strict_old == strict_new else (TIGHTER if strict_new else LOOSER)
    return _order(a, b, more_is_tighter=higher)


def _deadline_direction(old: Objective, new: Objective) -> str:
    a, b = old.judgement, new.judgement
    if (a.threshold_business_days is None) != (b.threshold_business_days is None):
        return CHANGED
    if a.threshold_business_days is not None:
        return _order(a.threshold_business_days, b.threshold_business_days, more_is_tighter=False)
    return _order(a.threshold_seconds, b.threshold_seconds, more_is_tighter=False)


WorstCredit = Callable[[Objective, Terms], Decimal | None]

# Objective fields compared on their own below; the rest are compared as they are.
_OWN = {
    "id", "metric_id", "metric", "metric_name", "judgement", "target", "breach", "credit",
    "exclusions", "min_sample", "fee", "fee_name",
}  # fmt: skip


def objective_changes(
    old: Objective, new: Objective, old_terms: Terms, new_terms: Terms, worst: WorstCredit
) -> Iterator[Change]:
    oid = new.id

    def change(what: str, a: str, b: str, direction: str) -> Change:
        return Change("objective", oid, what, a, b, direction)

    if (old.target.op, old.target.quantity) != (new.target.op, new.target.quantity):
        yield change(
            "target",
            target_words(old, old_terms),
            target_words(new, new_terms),
            _target_direction(old, new),
        )
    if deadline_words(old, old_terms) != deadline_words(new, new_terms):
        yield change(
            "deadline",
            deadline_words(old, old_terms),
            deadline_words(new, new_terms),
            _deadline_direction(old, new),
        )
    if (
        statistic_words(old) != statistic_words(new)
        or old.judgement.percentile != new.judgement.percentile
    ):
        yield change("statistic", _statistic(old), _statistic(new), CHANGED)
    if old.min_sample != new.min_sample:
        # A larger minimum sample leaves more periods unjudged.
        direction = _order(Decimal(old.min_sample), Decimal(new.min_sample), more_is_tighter=False)
        yield change("minimum sample", str(old.min_sample), str(new.min_sample), direction)
    yield from _measurement(old, new, change)
    was, now = tier_words(old, old_terms), tier_words(new, new_terms)
    if was != now:
        # Only the tiers that differ: the rest of a credit table reads the same in both.
        before, after = was.split("; "), now.split("; ")
        a, b = worst(old, old_terms), worst(new, new_terms)
        yield change(
            "credit tiers",
            "; ".join(t for t in before if t not in after) or "none",
            "; ".join(t for t in after if t not in before) or "none",
            _order(a or Decimal(0), b or Decimal(0), more_is_tighter=True),
        )
    if old.fee != new.fee or old.fee_name != new.fee_name:
        yield change("fee", _fee(old), _fee(new), CHANGED)
    for exclusion in sorted(set(new.exclusions) - set(old.exclusions)):
        yield change("exclusion applies", "", exclusion, LOOSER)
    for exclusion in sorted(set(old.exclusions) - set(new.exclusions)):
        yield change("exclusion no longer applies", exclusion, "", TIGHTER)
    for f in fields(Objective):
        if f.name in _OWN:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            yield change(f.name.replace("_", " "), _json(a), _json(b), CHANGED)


def _fee(obj: Objective) -> str:
    name = obj.fee_name or "monthly fee"
    return f"{name} ({money_words(obj.fee)})" if obj.fee is not None else name


def _statistic(obj: Objective) -> str:
    j = obj.judgement
    if j.percentile is not None:
        return f"{number_words(j.percentile * 100)}th percentile"
    return statistic_words(obj)


def _measurement(old: Objective, new: Objective, change: Callable[..., Change]) -> Iterator[Change]:
    a, b = old.metric, new.metric
    if a.dataset != b.dataset or a.kind != b.kind:
        yield change("metric", f"{a.kind} of {a.dataset}", f"{b.kind} of {b.dataset}", CHANGED)
        return
    if a.where != b.where:
        yield change("metric rows", _json(a.where), _json(b.where), CHANGED)
    pa, pb = dict(a.params), dict(b.params)
    for key in sorted(set(pa) | set(pb)):
        if pa.get(key) != pb.get(key):
            yield change(f"metric {key}", _json(pa.get(key)), _json(pb.get(key)), CHANGED)


def _by_id(items: Sequence[Any], key: str = "id") -> dict[str, Any]:
    return {getattr(i, key): i for i in items}


def _added_removed(
    area: str, old: dict[str, Any], new: dict[str, Any], added: str, removed: str
) -> Iterator[Change]:
    for name in sorted(new.keys() - old.keys()):
        yield Change(area, name, "added", "", _describe(new[name]), added)
    for name in sorted(old.keys() - new.keys()):
        yield Change(area, name, "removed", _describe(old[name]), "", removed)


def _describe(item: Any) -> str:
    title = getattr(item, "title", None)
    return str(title) if title else ""


def terms_changes(old: Terms, new: Terms, worst: WorstCredit) -> Iterator[Change]:
    # Objectives: a new promise is tighter, a dropped one looser.
    olds, news = _by_id(old.objectives), _by_id(new.objectives)
    yield from _added_removed("objective", olds, news, TIGHTER, LOOSER)
    for oid in [o.id for o in new.objectives if o.id in olds]:
        yield from objective_changes(olds[oid], news[oid], old, new, worst)
    # Exclusions: a new one removes rows from judgement (looser).
    olde, newe = _by_id(old.exclusions), _by_id(new.exclusions)
    yield from _added_removed("exclusion", olde, newe, LOOSER, TIGHTER)
    for eid in sorted(olde.keys() & newe.keys()):
        a, b = olde[eid], newe[eid]
        if a.allowance_seconds != b.allowance_seconds:
            yield Change(
                "exclusion", eid, "maintenance allowance", _seconds(a.allowance_seconds),
                _seconds(b.allowance_seconds), _order(a.allowance_seconds, b.allowance_seconds, more_is_tighter=False),
            )  # fmt: skip
        if (a.where, a.between_from, a.between_to, a.reason, a.applies_to) != (
            b.where, b.between_from, b.between_to, b.reason, b.applies_to,
        ):  # fmt: skip
            yield Change("exclusion", eid, "conditions", _json(a.where), _json(b.where), CHANGED)
    yield from _calendars(_by_id(old.calendars, "name"), _by_id(new.calendars, "name"))
    yield from _fees(old, new)
    yield from _credit_rules(old, new)
    oldc, newc = _by_id(old.chronic_failure), _by_id(new.chronic_failure)
    yield from _added_removed("chronic failure", oldc, newc, TIGHTER, LOOSER)
    for cid in sorted(oldc.keys() & newc.keys()):
        a, b = oldc[cid], newc[cid]
        if (a.breaches, a.periods) != (b.breaches, b.periods):
            # Fewer breaches in more periods trigger sooner.
            ratio_a, ratio_b = Decimal(a.periods) / a.breaches, Decimal(b.periods) / b.breaches
            yield Change(
                "chronic failure", cid, "trigger", f"{a.breaches} breaches in {a.periods} periods",
                f"{b.breaches} breaches in {b.periods} periods", _order(ratio_a, ratio_b, more_is_tighter=True),
            )  # fmt: skip
        if (a.objectives, a.consequence) != (b.objectives, b.consequence):
            yield Change("chronic failure", cid, "objectives or consequence", _json([a.objectives, a.consequence]), _json([b.objectives, b.consequence]), CHANGED)  # fmt: skip
    olds_e, news_e = _by_id(old.escalations), _by_id(new.escalations)
    yield from _added_removed("escalation", olds_e, news_e, TIGHTER, LOOSER)
    for eid in sorted(olds_e.keys() & news_e.keys()):
        if olds_e[eid] != news_e[eid]:
            yield Change("escalation", eid, "rule", _json(olds_e[eid]), _json(news_e[eid]), CHANGED)
    if old.grades != new.grades:
        yield Change("grades", "", "bands", _json(old.grades), _json(new.grades), CHANGED)


def _seconds(value: Decimal | None) -> str:
    return "none" if value is None else duration_words(value)


def _region(calendar: Calendar) -> str:
    parts = (calendar.holiday_country, calendar.holiday_subdivision)
    return "-".join(x for x in parts if x) or "none"


def _calendars(old: dict[str, Calendar], new: dict[str, Calendar]) -> Iterator[Change]:
    yield from _added_removed("calendar", old, new, CHANGED, CHANGED)
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        if a.timezone != b.timezone:
            yield Change("calendar", name, "time zone", a.timezone, b.timezone, CHANGED)
        if a.weekly != b.weekly:
            yield Change(
                "calendar", name, "hours", week_words(a.weekly), week_words(b.weekly), CHANGED
            )
        if (a.holiday_country, a.holiday_subdivision) != (b.holiday_country, b.holiday_subdivision):
            yield Change("calendar", name, "holiday region", _region(a), _region(b), CHANGED)
        gained, lost = set(b.holidays) - set(a.holidays), set(a.holidays) - set(b.holidays)
        if gained or lost:
            text = ", ".join([*(f"+{d}" for d in sorted(gained)), *(f"-{d}" for d in sorted(lost))])
            yield Change(
                "calendar",
                name,
                "holidays",
                f"{len(a.holidays)} days",
                f"{len(b.holidays)} days ({text})",
                CHANGED,
            )


def _money(value: Any) -> str:
    return "none" if value is None else money_words(value)


def _fee_source(source: FeeSource | None) -> str:
    if source is None:
        return "the contract"
    names = f"month {source.month}, amount {source.amount}, currency {source.currency}"
    return f"billing data “{source.dataset}” by {source.by} ({names})"


def _fees(old: Terms, new: Terms) -> Iterator[Change]:
    a, b = old.commercials, new.commercials
    if a.monthly_fee != b.monthly_fee:
        amounts = (
            a.monthly_fee.amount if a.monthly_fee else None,
            b.monthly_fee.amount if b.monthly_fee else None,
        )
        yield Change(
            "fees",
            "",
            "monthly fee",
            _money(a.monthly_fee),
            _money(b.monthly_fee),
            _order(*amounts, more_is_tighter=True),
        )
    fa, fb = dict(a.service_fees), dict(b.service_fees)
    for name in sorted(set(fa) | set(fb)):
        if fa.get(name) != fb.get(name):
            amounts = (
                fa[name].amount if name in fa else None,
                fb[name].amount if name in fb else None,
            )
            yield Change(
                "fees",
                name,
                "service fee",
                _money(fa.get(name)),
                _money(fb.get(name)),
                _order(*amounts, more_is_tighter=True),
            )
    if a.fees_from != b.fees_from:
        # Where the fees come from changes every percentage credit: no direction is implied.
        yield Change(
            "fees",
            "",
            "fee source",
            _fee_source(a.fees_from),
            _fee_source(b.fees_from),
            CHANGED,
        )
    if a.rounding != b.rounding:
        yield Change(
            "fees",
            "",
            "rounding",
            f"{a.rounding.mode}, {a.rounding.apply}",
            f"{b.rounding.mode}, {b.rounding.apply}",
            CHANGED,
        )
    if a.currency != b.currency:
        yield Change("fees", "", "currency", str(a.currency), str(b.currency), CHANGED)


def _ratio(value: Decimal | None) -> str:
    return "none" if value is None else percent_words(value)


def _caps(rules: CreditRules) -> str:
    return ", ".join(f"{_ratio(c.percent)} per {c.per}" for c in rules.caps) or "none"


def _minimum_words(rules: CreditRules) -> str:
    side = "issued at" if rules.minimum_inclusive else "not issued at"
    return f"per {rules.minimum_per}, {side} the minimum"


def _credit_rules(old: Terms, new: Terms) -> Iterator[Change]:
    a, b = old.credits, new.credits
    if a.combine != b.combine:
        direction = TIGHTER if b.combine == "sum" else (LOOSER if a.combine == "sum" else CHANGED)
        yield Change("credits", "", "combine", a.combine, b.combine, direction)
    if a.caps != b.caps:
        if not a.caps or not b.caps:
            direction = TIGHTER if not b.caps else LOOSER  # no cap at all owes the most
        elif len(a.caps) == len(b.caps) == 1 and a.caps[0].per == b.caps[0].per:
            direction = _order(a.caps[0].percent, b.caps[0].percent, more_is_tighter=True)
        else:
            direction = CHANGED
        yield Change("credits", "", "cap", _caps(a), _caps(b), direction)
    if (a.minimum_per, a.minimum_inclusive) != (b.minimum_per, b.minimum_inclusive):
        yield Change(
            "credits",
            "",
            "minimum applies",
            _minimum_words(a),
            _minimum_words(b),
            CHANGED,
        )
    if a.minimum != b.minimum:
        amounts = (
            a.minimum.amount if a.minimum else Decimal(0),
            b.minimum.amount if b.minimum else Decimal(0),
        )
        yield Change(
            "credits",
            "",
            "minimum credit",
            _money(a.minimum),
            _money(b.minimum),
            _order(*amounts, more_is_tighter=False),
        )
    if a.earn_back_periods != b.earn_back_periods:
        yield Change(
            "credits",
            "",
            "earn-back",
            str(a.earn_back_periods or "none"),
            str(b.earn_back_periods or "none"),
            CHANGED,
        )
    if a.claim_cycles != b.claim_cycles:
        yield Change(
            "credits", "", "claim by end of billing cycle", str(a.claim_cycles or "none"),
            str(b.claim_cycles or "none"), CHANGED,
        )  # fmt: skip
    if (a.claim_within_seconds, a.claim_from) != (b.claim_within_seconds, b.claim_from):
        yield Change(
            "credits", "", "claim period", f"{_seconds(a.claim_within_seconds)} from {a.claim_from}",
            f"{_seconds(b.claim_within_seconds)} from {b.claim_from}",
            _order(a.claim_within_seconds, b.claim_within_seconds, more_is_tighter=True),
        )  # fmt: skip
    if a.pool != b.pool:
        at_risk = (a.pool.at_risk if a.pool else None, b.pool.at_risk if b.pool else None)
        yield Change(
            "credits",
            "",
            "at-risk pool",
            _json(a.pool),
            _json(b.pool),
            _order(*at_risk, more_is_tighter=True),
        )


def plan_changes(old: Plan, new: Plan, worst: WorstCredit) -> list[Change]:
    """Every change from ``old`` to ``new``, terms matched by the date they take effect."""
    found: list[Change] = []
    for key in (
        "contract_id",
        "version",
        "effective_from",
        "effective_to",
        "review_due",
        "timezone",
    ):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            found.append(
                Change(
                    "contract",
                    "",
                    key.replace("_", " "),
                    str(a or "none"),
                    str(b or "none"),
                    CHANGED,
                )
            )
    olds = {t.effective_from: t for t in old.terms}
    news = {t.effective_from: t for t in new.terms}
    for date in sorted(news.keys() - olds.keys()):
        found.append(
            Change(
                "amendment",
                news[date].amendment or "",
                "added",
                "",
                f"in force from {date}",
                ADDED,
                date,
            )
        )
    for date in sorted(olds.keys() - news.keys()):
        found.append(
            Change(
                "amendment",
                olds[date].amendment or "",
                "removed",
                f"in force from {date}",
                "",
                REMOVED,
                date,
            )
        )
    for date in sorted(olds.keys() & news.keys()):
        for change in terms_changes(olds[date], news[date], worst):
            found.append(Change(**{**change.__dict__, "terms_from": date}))
    return found
