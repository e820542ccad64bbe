"""References between the parts of a contract: names that must resolve, ids that must be unique."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from slac.contract.kinds import FieldRef
from slac.contract.model import ID_LISTS, Dataset, Exclusion, Field, Objective, Party
from slac.contract.rules.base import Finding, RuleContext, did_you_mean, rule
from slac.contract.rules.walk import condition_fields
from slac.contract.source import Path
from slac.diagnostics import Severity

BUILTIN_CALENDARS = ("24x7",)


def missing(
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
    contract = ctx.contract
    datasets = list(contract.datasets)
    parties: dict[str, Party | None] = dict(contract.parties)
    if ctx.is_template:
        # A template is completed by the contract that extends it, which names both sides.
        parties = {"provider": None, "customer": None, **parties}
    objective_ids = ctx.objective_ids()
    exclusion_ids = [e.id for e in contract.entries("exclusions")]

    for dataset in contract.datasets.values():
        yield from _dataset_refs(ctx, dataset)

    for metric in contract.metrics.values():
        fields = ctx.dataset_fields(metric.dataset)
        if fields is None:
            yield missing("dataset", metric.dataset, (*metric.path, "dataset"), datasets)
        else:
            kind = ctx.kinds[metric.kind]
            refs = [
                *condition_fields(metric.where, (*metric.path, "where")),
                *kind.field_refs(metric.body, (*metric.path, metric.kind)),
            ]
            yield from unknown_fields(refs, fields, metric.dataset)
        yield from ctx.kinds[metric.kind].references(ctx, metric)

    for obj in contract.objectives:
        yield from _objective(ctx, obj, list(parties))

    for exc in contract.exclusions:
        yield from _ids(exc.applies_to, (*exc.path, "applies_to"), objective_ids, "objective")
        maint = exc.maintenance
        if maint is not None and maint.dataset not in contract.datasets:
            yield missing("dataset", maint.dataset, (*maint.path, "dataset"), datasets)
        elif maint is not None:
            yield from _maintenance_fields(ctx, exc)
        if exc.where is not None:
            yield from _exclusion_fields(ctx, exc, objective_ids)

    for resp in contract.responsibilities:
        yield from _party(resp.party, (*resp.path, "party"), parties)
        yield from _ids(resp.objectives, (*resp.path, "objectives"), objective_ids, "objective")
        yield from _ids(resp.exclusions, (*resp.path, "exclusions"), exclusion_ids, "exclusion")

    if contract.review is not None:
        yield from _party(contract.review.owner, (*contract.review.path, "owner"), parties)

    pool = contract.credits.pool
    for allocation in pool.allocations if pool else ():
        if allocation.objective not in objective_ids:
            yield Finding(
                f"objective '{allocation.objective}' is not defined (pool allocation)",
                allocation.path,
                did_you_mean(allocation.objective, objective_ids),
                key=True,
            )

    for chronic in contract.chronic_failure:
        yield from _ids(
            chronic.objectives, (*chronic.path, "objectives"), objective_ids, "objective"
        )

    for esc in contract.escalations:
        breach: Path = (*esc.path, "when", "breach")
        yield from _ids(esc.breach, breach, objective_ids, "objective", allow=("any",))
        for j, target in enumerate(esc.notify):
            yield from _notify(target, (*esc.path, "notify", j), parties)


def _dataset_refs(ctx: RuleContext, ds: Dataset) -> Iterator[Finding]:
    fields = list(ds.fields)
    in_dataset = f" in dataset '{ds.name}'"
    for key, name in (("key", ds.key), ("time", ds.time)):
        if name is not None and name not in ds.fields:
            yield missing("field", name, (*ds.path, key), fields, in_dataset)
    parent = ds.parent
    if parent is not None:
        if parent.key not in ds.fields:
            yield missing("field", parent.key, (*parent.path, "key"), fields, in_dataset)
        if parent.dataset not in ctx.contract.datasets:
            path = (*parent.path, "dataset")
            yield missing("dataset", parent.dataset, path, list(ctx.contract.datasets))


def unknown_fields(
    refs: Iterable[FieldRef], fields: Mapping[str, Field], dataset: str
) -> Iterator[Finding]:
    for path, name, on_key in refs:
        if name not in fields:
            yield missing(
                "field", name, path, list(fields), f" in dataset '{dataset}'", on_key=on_key
            )


def _objective(ctx: RuleContext, obj: Objective, parties: list[str]) -> Iterator[Finding]:
    contract = ctx.contract
    metric = contract.metrics.get(obj.metric)
    if metric is None:
        yield missing("metric", obj.metric, (*obj.path, "metric"), list(contract.metrics))
    else:
        fields = ctx.dataset_fields(metric.dataset)
        if fields is not None:
            refs = list(condition_fields(obj.where, (*obj.path, "where")))
            refs.extend(
                ((*obj.path, "scope", j), name, False) for j, name in enumerate(obj.scope or ())
            )
            yield from unknown_fields(refs, fields, metric.dataset)
    if obj.responsible is not None and obj.responsible not in parties:
        yield missing("party", obj.responsible, (*obj.path, "responsible"), parties)
    if obj.fee is not None and obj.fee not in contract.commercials.service_fees:
        names = list(contract.commercials.service_fees)
        where = " under commercials.service_fees"
        yield missing("service fee", obj.fee, (*obj.path, "fee"), names, where)


def _exclusion_fields(
    ctx: RuleContext, exc: Exclusion, objective_ids: list[str]
) -> Iterator[Finding]:
    # An exclusion's condition is read on the rows of every objective it applies to (all of
    # them without `applies_to`): a field one of those datasets lacks cannot be evaluated there.
    chosen = set(objective_ids if exc.applies_to is None else exc.applies_to)
    lacking: dict[str, list[str]] = {}  # dataset -> the objectives reading it
    fields_of: dict[str, Mapping[str, Field]] = {}
    for obj in ctx.contract.objectives:
        metric = ctx.contract.metrics.get(obj.metric)
        fields = None if metric is None else ctx.dataset_fields(metric.dataset)
        if obj.id in chosen and metric is not None and fields is not None:
            lacking.setdefault(metric.dataset, []).append(obj.id)
            fields_of[metric.dataset] = fields
    for path, name, on_key in condition_fields(exc.where, (*exc.path, "where")):
        for dataset, objectives in lacking.items():
            if name in fields_of[dataset]:
                continue
            which = ", ".join(f"'{o}'" for o in objectives)
            where = f" in dataset '{dataset}' (read by objective {which})"
            hint = "name in `applies_to` only the objectives whose rows carry the field"
            yield Finding(f"field '{name}' is not defined{where}", path, hint, key=on_key)


def _maintenance_fields(ctx: RuleContext, exc: Exclusion) -> Iterator[Finding]:
    # A maintenance dataset is read by these names; announced_at only matters with a notice.
    maint = exc.maintenance
    assert maint is not None
    fields = ctx.dataset_fields(maint.dataset) or {}
    in_dataset = f" in maintenance dataset '{maint.dataset}'"
    for name in ("start", "end"):
        if name not in fields:
            yield missing("field", name, (*maint.path, "dataset"), list(fields), in_dataset)
    if maint.notice is not None and "announced_at" not in fields:
        yield Finding(
            f"field 'announced_at' is not defined{in_dataset}, but `notice` needs it to know "
            "when each window was announced",
            (*maint.path, "notice"),
            f"declare announced_at (a timestamp) under datasets.{maint.dataset}.fields, or "
            "remove notice",
            key=True,
        )


def _ids(
    names: tuple[str, ...] | None,
    path: Path,
    ids: list[str],
    kind: str,
    allow: tuple[str, ...] = (),
) -> Iterator[Finding]:
    for j, name in enumerate(names or ()):
        if name not in allow and name not in ids:
            yield missing(kind, name, (*path, j), ids)


def _party(name: str | None, path: Path, parties: Mapping[str, Party | None]) -> Iterator[Finding]:
    if name is not None and name not in parties:
        yield missing("party", name, path, list(parties))


def _notify(target: str, path: Path, parties: Mapping[str, Party | None]) -> Iterator[Finding]:
    # `provider` or `provider.service-desk` (a contact of that party, by role or name).
    party, _, contact = target.partition(".")
    if party not in parties:
        yield missing("party", party, path, list(parties))
        return
    if contact:
        info = parties[party]
        names = [name for c in (info.contacts if info else ()) for name in (c.role, c.name) if name]
        if contact not in names:
            yield missing(f"contact of '{party}'", contact, path, names)


@rule("R402", "duplicate-id", Severity.ERROR)
def duplicate_id(ctx: RuleContext) -> Iterator[Finding]:
    """Two entries of one list share an id (or two grades share a name).

    Objectives, exclusions, escalations, responsibilities, amendments and chronic-failure
    rules are referred to by `id`, and templates merge them by `id`: a duplicate makes every
    reference ambiguous.

    **Fix:** give each entry its own id.
    """
    for key in ID_LISTS:
        seen: dict[str, int] = {}
        # Every entry, removals too: the whole list as merged, so i is its index there.
        for i, entry in enumerate(ctx.contract.entries(key)):
            if entry.id in seen:
                yield Finding(
                    f"duplicate id '{entry.id}' in {key} (also entry {seen[entry.id] + 1})",
                    (*entry.path, "id"),
                    "ids must be unique within a list",
                )
            else:
                seen[entry.id] = i
    names: set[str] = set()
    for grade in ctx.contract.grades:
        if grade.name in names:
            yield Finding(f"duplicate grade name '{grade.name}'", (*grade.path, "name"), "")
        names.add(grade.name)


# Every dataset's rows are read with these beside their fields: the row's file and line (to
# name a bad row), and the row number DuckDB gives a Parquet file's rows.
LOADER_COLUMNS = frozenset({"_file", "_row", "__slac_row", "file_row_number"})


@rule("R405", "reserved-field-name", Severity.ERROR)
def reserved_field_name(ctx: RuleContext) -> Iterator[Finding]:
    """A dataset field has a name that slac's SQL gives a column of its own.

    slac reads every dataset's rows with columns of its own beside the fields (`_file`,
    `_row`), and a duration or per-row metric's rows with more (its window `pid`, `w_start`,
    `w_end`, its times, `status`, `excl`, `elapsed`, …; the hint lists them all).
    SQL names ignore letter case, and of two equal names the engine reads one: a field named
    `status` or `PID` would be read in the place of slac's column or the other way round,
    which gives wrong numbers, not an error.

    **Fix:** give the field another name and map it to its column in the bindings:
    `columns: {ticket_status: status}`.
    """
    kinds: dict[str, set[str]] = {}  # dataset → the kinds of the metrics that measure its rows
    for metric in ctx.contract.metrics.values():
        kinds.setdefault(metric.dataset, set()).add(metric.kind)
    for ds in ctx.contract.datasets.values():
        reserved = set(LOADER_COLUMNS)
        for kind in sorted(kinds.get(ds.name, ())):
            syntax = ctx.kinds.get(kind)
            if syntax is not None:
                reserved |= syntax.internal_columns
        for name, field in ds.fields.items():
            if name.lower() in reserved:
                other = f"{ds.name}_{name.lower().strip('_')}"
                yield Finding(
                    f"field '{name}' of dataset '{ds.name}' has a name slac's SQL gives a "
                    "column of its own",
                    field.path,
                    f"name it otherwise and map it to its column in the bindings: "
                    f"columns: {{{other}: {name}}} (reserved here: "
                    f"{', '.join(sorted(reserved))})",
                    key=True,
                )


@rule("R403", "unused-metric", Severity.WARNING, templates=False)
def unused_metric(ctx: RuleContext) -> Iterator[Finding]:
    """A metric is defined but no objective (nor any amendment) uses it.

    An unused metric is usually a leftover or a typo in an objective's `metric`. Templates are
    not checked: they may define metrics for the contracts that extend them.

    **Fix:** remove the metric, or add the objective that should use it.
    """
    used = {obj.metric for obj in ctx.contract.objectives}
    for amendment in ctx.contract.amendments:
        used.update(amendment.objective_metrics())
    # `x-` entries are extensions, never "unused metrics" (the Contract leaves them out).
    for metric in ctx.contract.metrics.values():
        if metric.name not in used:
            yield Finding(
                f"metric '{metric.name}' is defined but no objective uses it",
                metric.path,
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
    for removal in ctx.contract.removals:
        yield Finding(
            f"'{removal.id}' removes nothing: no template defines it",
            (*removal.path, "remove"),
            "check the id against the template's",
            key=True,
        )
