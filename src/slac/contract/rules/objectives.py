"""Objectives and metrics: targets that make sense for what is measured, rows that can match."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from slac.contract.kinds import KindSyntax
from slac.contract.model import Metric, Objective, Where
from slac.contract.rules.base import Finding, RuleContext, rule
from slac.contract.rules.walk import condition_values, equality_values
from slac.contract.source import Path
from slac.contract.units import parse_comparison, parse_duration
from slac.diagnostics import Severity

_PERCENTILE = re.compile(r"p(\d+(?:\.\d+)?)")
_KIND_WORDS = {"ratio": "a percentage", "duration": "a duration", "number": "a plain number"}


def expected_target_kind(kind: KindSyntax, metric: Metric, obj: Objective) -> str:
    """What kind of quantity the objective's target must be, given its metric and statistic."""
    if obj.within is not None or obj.under is not None:
        return "ratio"
    return kind.target_kind(metric.body, obj.statistic)


def _objectives_with_metrics(ctx: RuleContext) -> Iterator[tuple[Objective, Metric]]:
    for obj in ctx.contract.objectives:
        metric = ctx.contract.metrics.get(obj.metric)
        if metric is not None:
            yield obj, metric


@rule("R501", "target-does-not-fit-metric", Severity.ERROR)
def target_fit(ctx: RuleContext) -> Iterator[Finding]:
    """An objective's target, `within`/`under` or `statistic` does not fit its metric.

    A duration metric is judged either as a threshold share (`within: 1h`, target a
    percentage) or by a `statistic` (`p90`, target a duration): exactly one of the two. Other
    metrics give one value per period: availability, ratios, service levels and CSAT are
    percentages; NPS, CES means, SERVQUAL gaps and counts are plain numbers. A target of the
    wrong kind (`">= 4h"` for an availability) can never be evaluated.

    **Fix:** write the target in the unit of the metric, or pick the matching statistic.
    """
    for obj, metric in _objectives_with_metrics(ctx):
        kind = metric.kind
        threshold = [k for k, v in (("within", obj.within), ("under", obj.under)) if v is not None]
        syntax = ctx.kinds[kind]
        if threshold and not syntax.thresholds:
            yield Finding(
                f"`{threshold[0]}` applies to duration metrics, but '{obj.metric}' is a {kind} metric",
                (*obj.path, threshold[0]),
                "remove it: this metric's target compares its value directly",
                key=True,
            )
            continue
        if syntax.thresholds and not threshold and obj.statistic is None:
            yield Finding(
                f"objective '{obj.id}' on {kind} metric '{obj.metric}' needs `within`, "
                "`under` or `statistic`",
                (*obj.path, "metric"),
                'e.g. `within: 4h` with target ">= 95%", or `statistic: p90` with target "<= 4h"',
            )
            continue
        if threshold and obj.statistic is not None:
            yield Finding(
                "`statistic` and `within`/`under` cannot be combined",
                (*obj.path, "statistic"),
                "a threshold share is its own statistic; keep one of them",
                key=True,
            )
            continue
        target = parse_comparison(obj.target)
        want = expected_target_kind(syntax, metric, obj)
        if target is not None and want is not None and target.quantity.kind != want:
            yield Finding(
                f"target {obj.target!r} is {_KIND_WORDS[target.quantity.kind]}, but this "
                f"objective measures {_KIND_WORDS[want]}",
                (*obj.path, "target"),
                {"ratio": 'e.g. ">= 95%"', "duration": 'e.g. "<= 4h"', "number": 'e.g. ">= 30"'}[
                    want
                ],
            )


@rule("R502", "target-out-of-range", Severity.ERROR)
def target_range(ctx: RuleContext) -> Iterator[Finding]:
    """A target lies outside the range its metric can take.

    Percentages lie between 0% and 100%; NPS between −100 and +100; a survey mean within the
    survey's scale; a duration target must be positive. A target such as `">= 101%"` can
    never be met and `">= 0%"` always is.

    **Fix:** correct the number (a common slip is 99.9 written as 999%).
    """
    for obj, metric in _objectives_with_metrics(ctx):
        target = parse_comparison(obj.target)
        if target is None:
            continue
        value, path = target.quantity.value, (*obj.path, "target")
        kind = target.quantity.kind
        if kind == "ratio" and not Decimal(0) <= value <= Decimal(1):
            yield Finding(
                f"target {obj.target!r} is outside 0%–100%",
                path,
                "a share is between 0% and 100%",
            )
        elif kind == "ratio" and (
            (value == 1 and target.op == ">") or (value == 0 and target.op == "<")
        ):
            yield Finding(f"target {obj.target!r} can never be met", path, "check the operator")
        elif kind == "ratio" and (
            (value == 0 and target.op == ">=") or (value == 1 and target.op == "<=")
        ):
            yield Finding(
                f"target {obj.target!r} is always met",
                path,
                "check the operator and the number",
                severity=Severity.WARNING,
            )
        elif kind == "duration" and value <= 0:
            yield Finding(f"target {obj.target!r} is not a positive duration", path, "")
        bounds = ctx.kinds[metric.kind].value_range(metric.body) if kind == "number" else None
        if bounds is not None:
            low, high = bounds
            if not low <= value <= high:
                yield Finding(
                    f"target {obj.target!r} is outside the possible range {low}…{high}", path, ""
                )


@rule("R503", "percentile-out-of-range", Severity.ERROR)
def percentile_range(ctx: RuleContext) -> Iterator[Finding]:
    """A percentile statistic is not strictly between 0 and 100.

    `p0` and `p100` are the minimum and maximum (write `min` or `max`); anything above 100 is
    meaningless.

    **Fix:** use a percentile such as `p90` or `p95`, or `min`/`max`.
    """
    for obj in ctx.contract.objectives:
        stat = obj.statistic
        match = _PERCENTILE.fullmatch(stat) if stat is not None else None
        if match and not Decimal(0) < Decimal(match.group(1)) < Decimal(100):
            yield Finding(
                f"percentile '{stat}' is not between 0 and 100 (exclusive)",
                (*obj.path, "statistic"),
                "write min or max for the extremes",
            )


_DURATION_KEYS = {"within", "under", "notice", "min_outage", "interval", "short_abandon"}


def _all_durations(ctx: RuleContext) -> list[tuple[Path, str]]:
    """Every duration written in the contract, walked once per context (two rules read it).

    A scan of the document as written, by key: durations stand in typed nodes, in metric kind
    bodies and in amendments' patches alike, and the scan finds them all the same way."""
    cached: list[tuple[Path, str]] | None = ctx.cache.get("durations")
    if cached is None:
        cached = _durations(ctx.document.data, (), [])
        ctx.cache["durations"] = cached
    return cached


def _business_outside_objectives(ctx: RuleContext) -> Iterator[Finding]:
    for path, text in _all_durations(ctx):
        if any(isinstance(step, str) and step.startswith("x-") for step in path):
            continue
        if path and path[0] == "amendments":
            continue  # checked in the terms each amendment puts in force
        in_objective = len(path) == 3 and path[0] == "objectives"
        parsed = parse_duration(text)
        if parsed is not None and parsed.business and not in_objective:
            yield Finding(
                f"'{text}' is business time, but no business calendar applies here",
                path,
                "write elapsed time such as 48h or 10d",
            )
    for exc in ctx.contract.exclusions:
        maint = exc.maintenance
        allowance = maint.allowance if maint else None
        if maint and allowance and "business" in allowance:
            yield Finding(
                f"'{allowance}' is business time, but no business calendar applies here",
                (*maint.path, "allowance"),
                "write elapsed time such as 8h/month",
            )


def _durations(value: Any, path: Path, out: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Appends to ``out`` in document order (a plain recursion: nested generators cost a step
    per level for every value, and scalars have nothing below them to visit)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _DURATION_KEYS and isinstance(item, str):
                out.append(((*path, key), item))
            elif isinstance(item, (dict, list)):
                _durations(item, (*path, key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                _durations(item, (*path, i), out)
    return out


@rule("R504", "non-positive-duration", Severity.ERROR)
def non_positive_duration(ctx: RuleContext) -> Iterator[Finding]:
    """A duration that must be positive is zero (`0s`, `0h`, `PT0S`).

    Deadlines (`within`, `under`), notice periods, probe intervals, minimum outage lengths and
    short-abandon thresholds of zero make every item fail, or mean nothing.

    **Fix:** write the intended positive duration.
    """
    for path, text in _all_durations(ctx):
        if any(isinstance(step, str) and step.startswith("x-") for step in path):
            continue  # extensions are the user's own, and slac ignores them
        parsed = parse_duration(text)
        if parsed is not None and not parsed.is_positive:
            yield Finding(f"duration '{text}' must be greater than zero", path, "")


@rule("R505", "business-time-without-calendar", Severity.ERROR)
def business_time(ctx: RuleContext) -> Iterator[Finding]:
    """Business time (`1 business day`, `4 business hours`) where no business calendar applies.

    Business durations count only the hours of a business calendar, so they may only be the
    deadline of an objective (`within`/`under`, or a statistic's target) whose metric is
    measured in a business calendar. A metric without a `calendar` (or on `24x7`) measures
    elapsed time; claim windows, escalations, notice periods, allowances, probe intervals and
    call-answer thresholds have no calendar at all. A statistic over durations (`p90`, `mean`)
    cannot be compared with a count of business days: business days only make per-item
    deadlines.

    **Fix:** give the metric's `duration` a business `calendar`, or write elapsed time
    (`24h`, `10d`).
    """
    yield from _business_outside_objectives(ctx)
    calendars = ctx.contract.calendars
    for obj, metric in _objectives_with_metrics(ctx):
        cal = ctx.kinds[metric.kind].calendar(metric.body)
        always = cal in (None, "24x7") or (cal in calendars and calendars[cal].always)
        target = parse_comparison(obj.target)
        if target is not None and target.quantity.business_days:
            yield Finding(
                f"target '{obj.target}' counts business days, which only make per-item deadlines",
                (*obj.path, "target"),
                "judge with `within: N business days` and a percentage target, or write the "
                "statistic's target in business hours",
            )
        elif (
            target is not None
            and target.quantity.kind == "duration"
            and always
            and "business" in obj.target
        ):
            yield Finding(
                f"target '{obj.target}' is business time, but metric '{obj.metric}' is "
                "measured in calendar time",
                (*obj.path, "target"),
                "set `calendar:` on the metric's duration, or write elapsed time such as 48h",
            )
        for key, deadline in (("within", obj.within), ("under", obj.under)):
            parsed = parse_duration(deadline) if deadline is not None else None
            if parsed is not None and parsed.business and always:
                yield Finding(
                    f"'{deadline}' is business time, but metric '{obj.metric}' is measured in "
                    "calendar time",
                    (*obj.path, key),
                    "set `calendar:` on the metric's duration, or write elapsed time such as 24h",
                )


@rule("R506", "scope-never-matches", Severity.WARNING)
def scope_never_matches(ctx: RuleContext) -> Iterator[Finding]:
    """An objective's `where` can never match a row.

    Three ways: it asks for a value its field does not list under `values`; it contradicts the
    metric's own `where` (metric `priority: P1`, objective `priority: P2`); or, with
    `scope_matching: first` (the default), an earlier objective of the same `policy` and metric
    already takes every row it could match, so it is never evaluated.

    **Fix:** correct the value, or reorder the objectives so that narrower ones come first.
    """
    yield from _unlisted_values(ctx)
    for obj, metric in _objectives_with_metrics(ctx):
        mine, theirs = equality_values(obj.where), equality_values(metric.where)
        for field_name, values in mine.items():
            if field_name in theirs and not values & theirs[field_name]:
                at: Path = (*obj.path, "where")
                on_key = isinstance(obj.where, dict)
                if on_key:
                    at = (*at, field_name)
                yield Finding(
                    f"objective '{obj.id}' asks for {field_name} in {_show(values)}, but "
                    f"metric '{obj.metric}' only keeps {_show(theirs[field_name])}",
                    at,
                    "no row can satisfy both",
                    key=on_key,
                )
    if ctx.contract.semantics.scope_matching in (None, "first"):
        yield from _shadowed(ctx)


def _unlisted_values(ctx: RuleContext) -> Iterator[Finding]:
    contract = ctx.contract
    places: list[tuple[str, Path, Where | None]] = []
    for m in contract.metrics.values():
        places.append((m.dataset, (*m.path, "where"), m.where))
    for m in contract.metrics.values():
        for path, where in ctx.kinds[m.kind].conditions(m.body, (*m.path, m.kind)):
            places.append((m.dataset, path, where))
    datasets_of: dict[str, str] = {}
    for obj, metric in _objectives_with_metrics(ctx):
        places.append((metric.dataset, (*obj.path, "where"), obj.where))
        datasets_of[obj.id] = metric.dataset
    for exc in contract.exclusions:
        # An exclusion reads the rows of the objectives it applies to: a value is impossible
        # only when it is impossible in every one of their datasets.
        chosen = list(datasets_of) if exc.applies_to is None else exc.applies_to
        targets = {datasets_of[o] for o in chosen if o in datasets_of}
        if len(targets) == 1:
            places.append((targets.pop(), (*exc.path, "where"), exc.where))
    for dataset, path, where in places:
        fields = ctx.dataset_fields(dataset) or {}
        for vpath, field_name, value in condition_values(where, path):
            spec = fields.get(field_name)
            allowed = spec.values if spec is not None else None
            if allowed is not None and value not in allowed:
                yield Finding(
                    f"{field_name} = {value!r} can never match: dataset '{dataset}' lists "
                    f"{field_name} values {', '.join(map(str, allowed))}",
                    vpath,
                    "correct the value, or add it to the field's `values`",
                )


def _shadowed(ctx: RuleContext) -> Iterator[Finding]:
    earlier: dict[tuple[str, str], list[tuple[str, dict[str, set[Any]], bool]]] = {}
    for obj, _metric in _objectives_with_metrics(ctx):
        if obj.policy is None:
            continue
        group = (obj.policy, obj.metric)
        mine = equality_values(obj.where)
        only_equalities = _only_equalities(obj.where)
        for other_id, theirs, other_ok in earlier.get(group, []):
            if other_ok and all(f in mine and mine[f] <= vals for f, vals in theirs.items()):
                yield Finding(
                    f"objective '{obj.id}' never matches: every row it selects is taken "
                    f"first by '{other_id}' (policy '{obj.policy}')",
                    (*obj.path, "where") if obj.where is not None else (*obj.path, "id"),
                    "put the narrower objective first, or set semantics.scope_matching: all",
                )
                break
        earlier.setdefault(group, []).append((obj.id, mine, only_equalities))


def _only_equalities(where: Where | None) -> bool:
    if where is None or isinstance(where, Mapping):
        return True
    return all(c.get("op", "=") in ("=", "in") for c in where)


def _show(values: set[Any]) -> str:
    return "{" + ", ".join(sorted(map(str, values))) + "}"


@rule("R507", "metric-without-period-time", Severity.ERROR)
def metric_without_time(ctx: RuleContext) -> Iterator[Finding]:
    """A metric's rows cannot be placed in a period: its dataset has no `time` field.

    Duration metrics belong to the period of their start (or end) event and availability to
    its probe or outage times; every other metric (ratios, values, service levels, surveys,
    counts) needs its dataset to say which timestamp places a row in a month: `time:
    ordered_at`.

    **Fix:** add `time: <timestamp field>` to the dataset.
    """
    datasets = ctx.contract.datasets
    for metric in ctx.contract.metrics.values():
        ds = datasets.get(metric.dataset)
        if ctx.kinds[metric.kind].own_clock or ds is None or ds.time is not None:
            continue
        yield Finding(
            f"metric '{metric.name}' ({metric.kind}) reads dataset '{metric.dataset}', which has no "
            "`time` field to place its rows in periods",
            (*metric.path, "dataset"),
            f"add `time: <timestamp field>` to datasets.{metric.dataset}",
        )


@rule("R510", "reopen-cycles", Severity.WARNING, templates=False)
def reopen_cycles(ctx: RuleContext) -> Iterator[Finding]:
    """`reopened` and a duration's `cycles` do not fit together.

    With `reopened: each-cycle` each cycle of a reopened ticket is judged on its own, as Jira
    Service Management reports them; the cycles come from the reopen rows a duration metric
    names with `cycles: {dataset, start, end}`. Without them there is nothing but the first
    cycle to judge, so `each-cycle` on a metric without `cycles` (or in `semantics` when no
    duration metric has `cycles`) does nothing. `cycles` under `first-cycle` (the default) is
    read and counted but does nothing either. Both are warnings.

    The reopen dataset must belong to the metric's dataset (`parent: {dataset, key}`) and that
    dataset must have a `key`, or no reopen can be matched to its ticket: an error.

    **Fix:** add `cycles` to the duration metric that measures resolution (or drop
    `each-cycle`); set `reopened: each-cycle` on a metric whose `cycles` should count.
    """
    contract = ctx.contract
    default = contract.semantics.reopened or "first-cycle"
    durations = [m for m in contract.metrics.values() if m.kind == "duration"]
    declared = False
    for metric in durations:
        at: Path = (*metric.path, "duration")
        cycles, own = metric.body.get("cycles"), metric.body.get("reopened")
        if not isinstance(cycles, Mapping):
            if own == "each-cycle":
                yield Finding(
                    f"metric '{metric.name}' judges each cycle but declares no `cycles`: only "
                    "the first cycle of a ticket can be judged",
                    (*at, "reopened"),
                    "add `cycles: {dataset: <reopen rows>, start: <reopened at>, end: <resolved at>}`",
                )
            continue
        declared = True
        if (own or default) == "first-cycle":
            yield Finding(
                f"metric '{metric.name}' declares `cycles`, but reopened tickets count their "
                "first cycle only: the reopen rows are read and not judged",
                (*at, "cycles"),
                "set `reopened: each-cycle` on the metric (or in `semantics`), or remove `cycles`",
                key=True,
            )
        ds = contract.datasets.get(cycles.get("dataset", ""))
        parent = contract.datasets.get(metric.dataset)
        if ds is None or parent is None:
            continue  # an unknown dataset: R401
        if ds.parent is None or ds.parent.dataset != metric.dataset or not parent.key:
            yield Finding(
                f"the reopen rows of dataset '{ds.name}' cannot be matched to the rows of "
                f"'{metric.dataset}'",
                (*at, "cycles", "dataset"),
                f"give datasets.{ds.name} `parent: {{dataset: {metric.dataset}, key: <field>}}`"
                + ("" if parent.key else f" and datasets.{metric.dataset} a `key`"),
                severity=Severity.ERROR,
            )
    if contract.semantics.reopened == "each-cycle" and durations and not declared:
        yield Finding(
            "`reopened: each-cycle` has no effect: no duration metric declares `cycles`, so "
            "only the first cycle of a ticket can be judged",
            (*contract.semantics.path, "reopened"),
            "add `cycles: {dataset, start, end}` to the duration metric that measures resolution",
        )
