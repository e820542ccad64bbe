"""Settings that silently do nothing: each is a warning that says why (issue 10, item 9)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from slac.contract.model import Exclusion, Metric, Objective
from slac.contract.rules.base import Finding, RuleContext, rule
from slac.contract.rules.walk import equality_values
from slac.diagnostics import Severity


def _applies_to(ctx: RuleContext, exc: Exclusion) -> list[tuple[Objective, Metric]]:
    chosen = None if exc.applies_to is None else set(exc.applies_to)
    out = []
    for obj in ctx.contract.objectives:
        metric = ctx.contract.metrics.get(obj.metric)
        if metric is not None and (chosen is None or obj.id in chosen):
            out.append((obj, metric))
    return out


@rule("R801", "maintenance-without-availability", Severity.WARNING)
def maintenance_without_availability(ctx: RuleContext) -> Iterator[Finding]:
    """A maintenance exclusion applies to an objective that is not an availability objective.

    Maintenance windows remove time from availability (probes, outages, error rates); they
    never remove tickets, calls or other rows, so on any other objective they do nothing.

    **Fix:** list only availability objectives in `applies_to`, or exclude the rows with a
    `where` or `between` exclusion.
    """
    for exc in ctx.contract.exclusions:
        if exc.maintenance is None:
            continue
        targets = _applies_to(ctx, exc)
        if exc.applies_to is None:
            if targets and not any(m.kind == "availability" for _, m in targets):
                yield Finding(
                    f"maintenance exclusion '{exc.id}' applies to every objective, but none "
                    "measures availability: maintenance windows only remove availability time",
                    (*exc.path, "maintenance"),
                    "remove the exclusion, or add the availability objective it is meant for",
                    key=True,
                )
            continue
        kinds = {obj.id: metric.kind for obj, metric in targets}
        for j, oid in enumerate(exc.applies_to):
            kind = kinds.get(oid)
            if kind is not None and kind != "availability":
                yield Finding(
                    f"maintenance exclusion '{exc.id}' does nothing for objective '{oid}' "
                    f"({kind}): maintenance windows only remove availability time",
                    (*exc.path, "applies_to", j),
                    "list only availability objectives here, or exclude the rows with `where`",
                )


@rule("R802", "exclusion-never-matches", Severity.WARNING)
def exclusion_never_matches(ctx: RuleContext) -> Iterator[Finding]:
    """An exclusion can never exclude anything.

    Two ways: its `between` dates lie wholly outside the contract's `effective` dates (no
    period is ever evaluated there); or its `where` asks for a field value that every objective
    it applies to has already ruled out (objective `priority: P1`, exclusion `priority: P2`).

    **Fix:** correct the dates or values, or remove the exclusion.
    """
    effective = ctx.contract.effective
    for exc in ctx.contract.exclusions:
        between = exc.between
        if between is not None and effective is not None:
            start, end = date.fromisoformat(effective.start), effective.end
            if date.fromisoformat(between.end) < start or (
                end is not None and date.fromisoformat(between.start) > date.fromisoformat(end)
            ):
                yield Finding(
                    f"exclusion '{exc.id}' covers {between.start} to {between.end}, outside "
                    f"the contract's effective dates ({effective.start} to {end or 'open'})",
                    (*exc.path, "between"),
                    "correct the dates, or remove the exclusion",
                    key=True,
                )
        if exc.where is None or exc.maintenance is not None:
            continue
        mine = equality_values(exc.where)
        targets = _applies_to(ctx, exc)
        if not mine or not targets:
            continue
        blocked = []
        for obj, metric in targets:
            theirs = equality_values(obj.where) | equality_values(metric.where)
            clash = [f for f, values in mine.items() if f in theirs and not values & theirs[f]]
            if not clash:
                break
            blocked.append((obj.id, clash[0], theirs[clash[0]]))
        else:
            names = ", ".join(
                f"'{oid}' keeps only {f} in {sorted(map(str, v))}" for oid, f, v in blocked
            )
            yield Finding(
                f"exclusion '{exc.id}' can never match a row: {names}",
                (*exc.path, "where"),
                "correct the value, or apply the exclusion to the objectives it is meant for",
                key=True,
            )


@rule("R803", "open-items-moot", Severity.WARNING)
def open_items_moot(ctx: RuleContext) -> Iterator[Finding]:
    """`open_items` is set where no item can ever be open.

    Only duration metrics have open items (an item without its end event at the period's end).
    With `period_membership: end` an item is judged in the period of its end event, and only
    there: until it ends it is open in its start's period whatever `open_items` says (judged
    overdue there, it would be judged twice), so `open_items` has nothing to decide.

    **Fix:** remove `open_items`, or measure by start (`period_membership: start`, the default).
    """
    contract = ctx.contract
    default = contract.semantics.period_membership or "start"
    could_open = False
    for obj in contract.objectives:
        metric = contract.metrics.get(obj.metric)
        if metric is None:
            continue
        membership = default
        if metric.kind == "duration":
            membership = metric.body.get("period_membership") or default
        opens = metric.kind == "duration" and membership != "end"
        could_open = could_open or opens
        if obj.open_items is None or opens:
            continue
        why = (
            f"metric '{obj.metric}' places items by their end event (period_membership: end)"
            if metric.kind == "duration"
            else f"metric '{obj.metric}' ({metric.kind}) has no open items"
        )
        yield Finding(
            f"objective '{obj.id}' sets open_items, but no item can be open: {why}",
            (*obj.path, "open_items"),
            "remove open_items",
            key=True,
        )
    if contract.semantics.open_items is not None and contract.objectives and not could_open:
        yield Finding(
            "semantics.open_items is set, but no objective can have open items (only duration "
            "metrics placed by their start event can)",
            (*contract.semantics.path, "open_items"),
            "remove open_items",
            key=True,
        )
