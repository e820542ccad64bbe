"""References between the parts of a contract: names that must resolve, ids that must be unique."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slac.contract.rules.base import Finding, RuleContext, did_you_mean, rule
from slac.contract.rules.walk import FieldRef, condition_fields, metric_field_refs
from slac.contract.source import Path
from slac.diagnostics import Severity

BUILTIN_CALENDARS = ("24x7",)
ID_LISTS = (
    "objectives",
    "exclusions",
    "escalations",
    "responsibilities",
    "amendments",
    "chronic_failure",
)


def _missing(
    kind: str, name: Any, path: Path, choices: list[str], extra: str = "", *, on_key: bool = False
) -> Finding:
    # In `where: {priorty: P1}` the name is the key itself: point at the key, not at P1.
    return Finding(
        f"{kind} '{name}' is not defined{extra}", path, did_you_mean(name, choices), key=on_key
    )


@rule("R401", "unresolved-reference", Severity.ERROR)
def unresolved_reference(ctx: RuleContext) -> Iterator[Finding]:
    """A name refers to a dataset, metric, calendar, field, party, objective, exclusion or fee that is not defined.

    Every name in a contract must resolve: an objective's `metric`, a metric's `dataset` and
    `calendar`, every field a metric, `where`, `scope` or exclusion reads (declared under the
    dataset's `fields`), the parties named in `responsible`, `party` and `notify`, the
    objectives named by responsibilities, exclusions, the at-risk pool, chronic failure and
    escalations, and an objective's service `fee`. The hint names the closest defined name.

    **Fix:** correct the spelling, or define the missing thing.
    """
    datasets = ctx.mapping("datasets")
    metrics = ctx.mapping("metrics")
    calendars = [*ctx.mapping("calendars"), *BUILTIN_CALENDARS]
    parties = dict(ctx.mapping("parties"))
    if ctx.is_template:
        # A template is completed by the contract that extends it, which names both sides.
        parties = {"provider": {}, "customer": {}, **parties}
    objective_ids = ctx.objective_ids()
    exclusion_ids = [str(e["id"]) for _, e in ctx.items("exclusions") if "id" in e]

    for name, ds in datasets.items():
        yield from _dataset_refs(ctx, name, ds)

    for name, metric in metrics.items():
        if not isinstance(metric, dict):
            continue
        path: Path = ("metrics", name)
        ds = metric.get("dataset")
        fields = ctx.dataset_fields(ds)
        if fields is None:
            yield _missing("dataset", ds, (*path, "dataset"), list(datasets))
        else:
            yield from _fields(metric_field_refs(metric, path), fields, ds)
        duration = metric.get("duration")
        if isinstance(duration, dict):
            cal = duration.get("calendar")
            if isinstance(cal, str) and cal not in calendars:
                yield _missing("calendar", cal, (*path, "duration", "calendar"), calendars)
            pause = duration.get("pause")
            if isinstance(pause, dict):
                yield from _pause(ctx, pause, (*path, "duration", "pause"))

    for i, obj in ctx.items("objectives"):
        yield from _objective(ctx, i, obj, objective_ids, list(parties))

    for i, exc in ctx.items("exclusions"):
        yield from _ids(
            exc.get("applies_to"), ("exclusions", i, "applies_to"), objective_ids, "objective"
        )
        maint = exc.get("maintenance")
        if (
            isinstance(maint, dict)
            and isinstance(maint.get("dataset"), str)
            and maint["dataset"] not in datasets
        ):
            yield _missing(
                "dataset",
                maint["dataset"],
                ("exclusions", i, "maintenance", "dataset"),
                list(datasets),
            )
        if "where" in exc:
            yield from _exclusion_fields(ctx, i, exc, objective_ids)

    for i, resp in ctx.items("responsibilities"):
        yield from _party(resp.get("party"), ("responsibilities", i, "party"), parties)
        yield from _ids(
            resp.get("objectives"),
            ("responsibilities", i, "objectives"),
            objective_ids,
            "objective",
        )
        yield from _ids(
            resp.get("exclusions"),
            ("responsibilities", i, "exclusions"),
            exclusion_ids,
            "exclusion",
        )

    review = ctx.data.get("review")
    if isinstance(review, dict):
        yield from _party(review.get("owner"), ("review", "owner"), parties)

    pool = ctx.mapping("credits").get("pool")
    if isinstance(pool, dict) and isinstance(pool.get("allocations"), dict):
        for name in pool["allocations"]:
            if name not in objective_ids and not name.startswith("x-"):
                yield Finding(
                    f"objective '{name}' is not defined (pool allocation)",
                    ("credits", "pool", "allocations", name),
                    did_you_mean(name, objective_ids),
                    key=True,
                )

    for i, chronic in ctx.items("chronic_failure"):
        yield from _ids(
            chronic.get("objectives"),
            ("chronic_failure", i, "objectives"),
            objective_ids,
            "objective",
        )

    for i, esc in ctx.items("escalations"):
        when = esc.get("when")
        if isinstance(when, dict):
            yield from _ids(
                when.get("breach"),
                ("escalations", i, "when", "breach"),
                objective_ids,
                "objective",
                allow=("any",),
            )
        notify = esc.get("notify")
        for j, target in enumerate(notify if isinstance(notify, list) else []):
            yield from _notify(target, ("escalations", i, "notify", j), parties)


def _dataset_refs(ctx: RuleContext, name: str, ds: Any) -> Iterator[Finding]:
    if not isinstance(ds, dict):
        return
    fields = ctx.dataset_fields(name) or {}
    for key in ("key", "time"):
        if isinstance(ds.get(key), str) and ds[key] not in fields:
            yield _missing(
                "field", ds[key], ("datasets", name, key), list(fields), f" in dataset '{name}'"
            )
    parent = ds.get("parent")
    if isinstance(parent, dict):
        if isinstance(parent.get("key"), str) and parent["key"] not in fields:
            path: Path = ("datasets", name, "parent", "key")
            yield _missing("field", parent["key"], path, list(fields), f" in dataset '{name}'")
        target = parent.get("dataset")
        if isinstance(target, str) and target not in ctx.mapping("datasets"):
            path = ("datasets", name, "parent", "dataset")
            yield _missing("dataset", target, path, list(ctx.mapping("datasets")))


def _fields(refs: Iterator[FieldRef], fields: dict[str, Any], dataset: Any) -> Iterator[Finding]:
    for path, name, on_key in refs:
        if name not in fields:
            yield _missing(
                "field", name, path, list(fields), f" in dataset '{dataset}'", on_key=on_key
            )


def _pause(ctx: RuleContext, pause: dict[str, Any], path: Path) -> Iterator[Finding]:
    ds = pause.get("dataset")
    fields = ctx.dataset_fields(ds)
    if fields is None:
        yield _missing("dataset", ds, (*path, "dataset"), list(ctx.mapping("datasets")))
        return
    refs: list[FieldRef] = [
        ((*path, k), pause[k], False) for k in ("start", "end") if isinstance(pause.get(k), str)
    ]
    refs.extend(condition_fields(pause.get("where"), (*path, "where")))
    yield from _fields(iter(refs), fields, ds)


def _objective(
    ctx: RuleContext, i: int, obj: dict[str, Any], objective_ids: list[str], parties: list[str]
) -> Iterator[Finding]:
    path: Path = ("objectives", i)
    if obj.get("remove") is True:
        return
    metrics = ctx.mapping("metrics")
    name = obj.get("metric")
    metric = metrics.get(name) if isinstance(name, str) else None
    if not isinstance(metric, dict):
        yield _missing("metric", name, (*path, "metric"), list(metrics))
    else:
        fields = ctx.dataset_fields(metric.get("dataset"))
        if fields is not None:
            refs = list(condition_fields(obj.get("where"), (*path, "where")))
            scope = obj.get("scope")
            for j, field_name in enumerate(scope if isinstance(scope, list) else []):
                if isinstance(field_name, str):
                    refs.append(((*path, "scope", j), field_name, False))
            yield from _fields(iter(refs), fields, metric.get("dataset"))
    responsible = obj.get("responsible")
    if isinstance(responsible, str) and responsible not in parties:
        yield _missing("party", responsible, (*path, "responsible"), parties)
    fee = obj.get("fee")
    if isinstance(fee, str):
        fees = ctx.mapping("commercials").get("service_fees")
        names = list(fees) if isinstance(fees, dict) else []
        if fee not in names:
            yield _missing(
                "service fee", fee, (*path, "fee"), names, " under commercials.service_fees"
            )


def _exclusion_fields(
    ctx: RuleContext, i: int, exc: dict[str, Any], objective_ids: list[str]
) -> Iterator[Finding]:
    # An exclusion's condition is read on the rows of every objective it applies to; a field
    # that none of those datasets has can never exclude anything.
    applies = exc.get("applies_to")
    chosen = set(applies) if isinstance(applies, list) else set(objective_ids)
    metrics = ctx.mapping("metrics")
    known: set[str] = set()
    for _, obj in ctx.items("objectives"):
        if obj.get("id") in chosen:
            metric = metrics.get(str(obj.get("metric")))
            if isinstance(metric, dict):
                known.update(ctx.dataset_fields(metric.get("dataset")) or {})
    if not known:
        return
    for path, name, on_key in condition_fields(exc.get("where"), ("exclusions", i, "where")):
        if name not in known:
            where = " in the datasets of the objectives it applies to"
            yield _missing("field", name, path, sorted(known), where, on_key=on_key)


def _ids(
    value: Any, path: Path, ids: list[str], kind: str, allow: tuple[str, ...] = ()
) -> Iterator[Finding]:
    items = value if isinstance(value, list) else ([value] if isinstance(value, str) else [])
    for j, name in enumerate(items):
        if name in allow or name in ids:
            continue
        where = (*path, j) if isinstance(value, list) else path
        yield _missing(kind, name, where, ids)


def _party(value: Any, path: Path, parties: dict[str, Any]) -> Iterator[Finding]:
    if isinstance(value, str) and value not in parties:
        yield _missing("party", value, path, list(parties))


def _notify(target: Any, path: Path, parties: dict[str, Any]) -> Iterator[Finding]:
    # `provider` or `provider.service-desk` (a contact of that party, by role or name).
    if not isinstance(target, str):
        return
    party, _, contact = target.partition(".")
    if party not in parties:
        yield _missing("party", party, path, list(parties))
        return
    if contact:
        info = parties[party] if isinstance(parties[party], dict) else {}
        contacts: list[Any] = info.get("contacts") or []
        names = [
            str(c.get(k))
            for c in contacts
            if isinstance(c, dict)
            for k in ("role", "name")
            if c.get(k)
        ]
        if contact not in names:
            yield _missing(f"contact of '{party}'", contact, path, names)


@rule("R402", "duplicate-id", Severity.ERROR)
def duplicate_id(ctx: RuleContext) -> Iterator[Finding]:
    """Two entries of one list share an id (or two grades share a name).

    Objectives, exclusions, escalations, responsibilities, amendments and chronic-failure
    rules are referred to by `id`, and templates merge them by `id`: a duplicate makes every
    reference ambiguous.

    **Fix:** give each entry its own id.
    """
    for key in ID_LISTS:
        seen: dict[Any, int] = {}
        for i, item in ctx.items(key):
            ident = item.get("id")
            if ident in seen:
                yield Finding(
                    f"duplicate id '{ident}' in {key} (also entry {seen[ident] + 1})",
                    (key, i, "id"),
                    "ids must be unique within a list",
                )
            else:
                seen[ident] = i
    names: dict[Any, int] = {}
    for i, grade in ctx.items("grades"):
        name = grade.get("name")
        if name in names:
            yield Finding(f"duplicate grade name '{name}'", ("grades", i, "name"), "")
        names[name] = i


@rule("R403", "unused-metric", Severity.WARNING, templates=False)
def unused_metric(ctx: RuleContext) -> Iterator[Finding]:
    """A metric is defined but no objective (nor any amendment) uses it.

    An unused metric is usually a leftover or a typo in an objective's `metric`. Templates are
    not checked: they may define metrics for the contracts that extend them.

    **Fix:** remove the metric, or add the objective that should use it.
    """
    used = {obj.get("metric") for _, obj in ctx.items("objectives")}
    # ctx.mapping leaves out `x-` entries: extensions are never "unused metrics".
    for _, amendment in ctx.items("amendments"):
        changes = amendment.get("changes")
        if isinstance(changes, dict) and isinstance(changes.get("objectives"), list):
            used.update(o.get("metric") for o in changes["objectives"] if isinstance(o, dict))
    for name in ctx.mapping("metrics"):
        if name not in used:
            yield Finding(
                f"metric '{name}' is defined but no objective uses it",
                ("metrics", name),
                "remove it, or reference it from an objective's `metric`",
                key=True,
            )


@rule("R404", "remove-nothing", Severity.WARNING, templates=False)
def remove_nothing(ctx: RuleContext) -> Iterator[Finding]:
    """An entry says `remove: true` but no template defines that id.

    `{id: x, remove: true}` removes an inherited entry; when nothing is inherited under that
    id it does nothing, which usually means the id is misspelt.

    **Fix:** correct the id, or delete the entry.
    """
    for key in ID_LISTS:
        for i, item in ctx.items(key):
            if item.get("remove") is True:
                yield Finding(
                    f"'{item.get('id')}' removes nothing: no template defines it",
                    (key, i, "remove"),
                    "check the id against the template's",
                    key=True,
                )
