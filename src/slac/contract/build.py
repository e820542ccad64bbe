"""Schema-valid document → :class:`~slac.contract.model.Contract`.

The builder trusts the shapes the schema guarantees (a list is a list, a required key is
there) and never repeats its checks; it reads each value once, with its position, so that every
node is located exactly as ``SourceDocument.locate`` would locate its path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slac.contract import model as m
from slac.contract.source import Key, Path, Pos, SourceDocument

_N = TypeVar("_N")


def build_contract(
    document: SourceDocument, sources: tuple[SourceDocument, ...] = ()
) -> m.Contract:
    """The contract ``document`` holds (merged with its templates, schema-valid)."""
    data: Mapping[str, Any] = document.data
    pos = document.pos
    get = data.get
    lists = _Lists(data, pos)
    return m.Contract(
        path=(),
        location=pos.value,
        document=document,
        sources=sources or (document,),
        kind=get("kind"),
        id=get("id"),
        title=get("title"),
        description=get("description"),
        version=get("version"),
        sla_type=get("sla_type"),
        level=get("level"),
        effective=_optional(data, pos, (), "effective", _effective),
        review=_optional(data, pos, (), "review", _review),
        timezone=get("timezone"),
        parties=_named(data, pos, (), "parties", _party),
        commercials=_commercials(get("commercials") or {}, *_child(pos, (), "commercials")),
        semantics=_semantics(get("semantics") or {}, *_child(pos, (), "semantics")),
        calendars=_named(data, pos, (), "calendars", _calendar),
        datasets=_named(data, pos, (), "datasets", _dataset),
        metrics=_named(data, pos, (), "metrics", _metric),
        objectives=lists.read("objectives", _objective),
        service_level_weighted=(get("service_level") or {}).get("weighted"),
        grades=_listed(data, pos, (), "grades", _grade),
        responsibilities=lists.read("responsibilities", _responsibility),
        exclusions=lists.read("exclusions", _exclusion),
        credits=_credits(get("credits") or {}, *_child(pos, (), "credits")),
        chronic_failure=lists.read("chronic_failure", _chronic),
        escalations=lists.read("escalations", _escalation),
        amendments=lists.read("amendments", _amendment),
        removals=tuple(lists.removals),
        extensions=tuple((k, v) for k, v in data.items() if k.startswith("x-")),
    )


def _at(pos: Pos, key: Key) -> Pos:
    """The position of ``key`` below ``pos``. Where none was recorded (a value that is not
    written, or one copied by a YAML alias), the nearest recorded ancestor's, as
    ``SourceDocument.locate`` answers."""
    child = pos.children.get(key)
    if child is not None:
        return child
    return Pos(pos.key if pos.key is not None else pos.value, pos.key)


def _child(pos: Pos, path: Path, key: Key) -> tuple[Pos, Path]:
    return _at(pos, key), (*path, key)


def _optional(
    data: Mapping[str, Any],
    pos: Pos,
    path: Path,
    key: str,
    read: Callable[[Any, Pos, Path], _N],
) -> _N | None:
    value = data.get(key)
    return None if value is None else read(value, *_child(pos, path, key))


def _named(
    data: Mapping[str, Any],
    pos: Pos,
    path: Path,
    key: str,
    read: Callable[[str, Any, Pos, Path], _N],
) -> dict[str, _N]:
    """A mapping of user-named entries, in written order, without `x-` extensions."""
    entries = data.get(key)
    if not entries:
        return {}
    here, at = _child(pos, path, key)
    return {
        name: read(name, value, *_child(here, at, name))
        for name, value in entries.items()
        if not name.startswith("x-")
    }


def _listed(
    data: Mapping[str, Any], pos: Pos, path: Path, key: str, read: Callable[[Any, Pos, Path], _N]
) -> tuple[_N, ...]:
    here, at = _child(pos, path, key)
    return tuple(read(item, *_child(here, at, i)) for i, item in enumerate(data.get(key) or ()))


def _strings(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


class _Lists:
    """Reads the id-lists, setting aside the `remove: true` entries that removed nothing."""

    def __init__(self, data: Mapping[str, Any], pos: Pos) -> None:
        self.data = data
        self.pos = pos
        self.removals: list[m.Removal] = []

    def read(self, key: str, read: Callable[[Any, Pos, Path], _N]) -> tuple[_N, ...]:
        items = self.data.get(key)
        if not items:
            return ()
        here = _at(self.pos, key)
        out = []
        for i, item in enumerate(items):
            ipos, path = _child(here, (key,), i)
            if item.get("remove") is True:
                self.removals.append(
                    m.Removal(path=path, location=ipos.value, list=key, id=item["id"])
                )
            else:
                out.append(read(item, ipos, path))
        return tuple(out)


def _effective(spec: Any, pos: Pos, path: Path) -> m.Effective:
    return m.Effective(path=path, location=pos.value, start=spec["from"], end=spec.get("to"))


def _review(spec: Any, pos: Pos, path: Path) -> m.Review:
    return m.Review(path=path, location=pos.value, due=spec["due"], owner=spec.get("owner"))


def _party(key: str, spec: Any, pos: Pos, path: Path) -> m.Party:
    return m.Party(
        path=path,
        location=pos.value,
        key=key,
        name=spec["name"],
        contacts=_listed(spec, pos, path, "contacts", _contact),
    )


def _contact(spec: Any, pos: Pos, path: Path) -> m.Contact:
    return m.Contact(
        path=path,
        location=pos.value,
        name=spec["name"],
        role=spec.get("role"),
        email=spec.get("email"),
    )


def _commercials(spec: Any, pos: Pos, path: Path) -> m.Commercials:
    rounding = spec.get("rounding") or {}
    fees = spec.get("service_fees") or {}
    return m.Commercials(
        path=path,
        location=pos.value,
        currency=spec.get("currency"),
        monthly_fee=spec.get("monthly_fee"),
        service_fees={k: v for k, v in fees.items() if not k.startswith("x-")},
        fees_from=_optional(spec, pos, path, "fees_from", _fees_from),
        rounding_mode=rounding.get("mode"),
        rounding_apply=rounding.get("apply"),
    )


def _fees_from(spec: Any, pos: Pos, path: Path) -> m.FeesFrom:
    return m.FeesFrom(
        path=path,
        location=pos.value,
        dataset=spec.get("dataset"),
        by=spec.get("by"),
        month=spec.get("month"),
        amount=spec.get("amount"),
        currency=spec.get("currency"),
    )


def _semantics(spec: Any, pos: Pos, path: Path) -> m.Semantics:
    get = spec.get
    return m.Semantics(
        path=path,
        location=pos.value,
        period_membership=get("period_membership"),
        open_items=get("open_items"),
        percentile=get("percentile"),
        availability_minutes=get("availability_minutes"),
        reopened=get("reopened"),
        scope_matching=get("scope_matching"),
    )


def _calendar(name: str, spec: Any, pos: Pos, path: Path) -> m.Calendar:
    always = spec["hours"] == "24x7"
    return m.Calendar(
        path=path,
        location=pos.value,
        name=name,
        timezone=spec["timezone"],
        always=always,
        hours=() if always else tuple(_named(spec, pos, path, "hours", _hours).values()),
        holidays=_optional(spec, pos, path, "holidays", _holidays),
    )


def _hours(days: str, ranges: Any, pos: Pos, path: Path) -> m.Hours:
    return m.Hours(path=path, location=pos.value, days=days, ranges=tuple(ranges))


def _holidays(spec: Any, pos: Pos, path: Path) -> m.Holidays:
    return m.Holidays(
        path=path,
        location=pos.value,
        country=spec.get("country"),
        subdivision=spec.get("subdivision"),
        dates=tuple(spec.get("dates") or ()),
        worked=tuple(spec.get("except") or ()),
    )


def _dataset(name: str, spec: Any, pos: Pos, path: Path) -> m.Dataset:
    return m.Dataset(
        path=path,
        location=pos.value,
        name=name,
        kind=spec["kind"],
        key=spec.get("key"),
        time=spec.get("time"),
        parent=_optional(spec, pos, path, "parent", _parent),
        fields=_named(spec, pos, path, "fields", _field),
    )


def _parent(spec: Any, pos: Pos, path: Path) -> m.Parent:
    return m.Parent(path=path, location=pos.value, dataset=spec["dataset"], key=spec["key"])


def _field(name: str, spec: Any, pos: Pos, path: Path) -> m.Field:
    values = spec.get("values")
    bounds = spec.get("range")
    return m.Field(
        path=path,
        location=pos.value,
        name=name,
        type=spec["type"],
        values=None if values is None else tuple(values),
        range=None if bounds is None else (bounds[0], bounds[1]),
        nullable=spec.get("nullable"),
        description=spec.get("description"),
    )


_METRIC_KEYS = frozenset({"dataset", "where", "description"})


def _metric(name: str, spec: Any, pos: Pos, path: Path) -> m.Metric:
    # The schema requires exactly one kind body beside the keys every metric may have.
    (kind,) = [k for k in spec if k not in _METRIC_KEYS and not k.startswith("x-")]
    return m.Metric(
        path=path,
        location=pos.value,
        name=name,
        dataset=spec["dataset"],
        where=spec.get("where"),
        description=spec.get("description"),
        kind=kind,
        body=spec[kind],
        spec=spec,
    )


def _bounds(spec: Any) -> m.Bounds:
    get = spec.get
    return m.Bounds(get("at_least"), get("above"), get("below"), get("at_most"))


def _objective(spec: Any, pos: Pos, path: Path) -> m.Objective:
    get = spec.get
    return m.Objective(
        path=path,
        location=pos.value,
        id=spec["id"],
        title=get("title"),
        description=get("description"),
        metric=spec["metric"],
        target=spec["target"],
        where=get("where"),
        policy=get("policy"),
        within=get("within"),
        under=get("under"),
        statistic=get("statistic"),
        period=_optional(spec, pos, path, "period", _period),
        scope=_strings(get("scope")),
        min_sample=get("min_sample"),
        weight=get("weight"),
        responsible=get("responsible"),
        fee=fee if isinstance(fee := get("fee"), str) else None,
        fee_by=fee.get("by") if isinstance(fee, Mapping) else None,
        credit=_optional(spec, pos, path, "credit", _credit),
        open_items=get("open_items"),
        percentile=get("percentile"),
    )


def _period(spec: Any, pos: Pos, path: Path) -> m.Period:
    if isinstance(spec, str):  # `month`, or `{rolling: 3, unit: month}`
        return m.Period(path=path, location=pos.value, unit=spec, rolling=None)
    return m.Period(path=path, location=pos.value, unit=spec["unit"], rolling=spec["rolling"])


def _credit(spec: Any, pos: Pos, path: Path) -> m.Credit:
    incident = spec.get("per_incident")
    return m.Credit(
        path=path,
        location=pos.value,
        tiers=_listed(spec, pos, path, "tiers", _tier),
        per_incident=None if incident is None else incident["amount"],
    )


def _tier(spec: Any, pos: Pos, path: Path) -> m.Tier:
    return m.Tier(
        path=path,
        location=pos.value,
        bounds=_bounds(spec),
        percent=spec.get("percent"),
        amount=spec.get("amount"),
    )


def _grade(spec: Any, pos: Pos, path: Path) -> m.Grade:
    return m.Grade(path=path, location=pos.value, name=spec["name"], bounds=_bounds(spec))


def _exclusion(spec: Any, pos: Pos, path: Path) -> m.Exclusion:
    return m.Exclusion(
        path=path,
        location=pos.value,
        id=spec["id"],
        reason=spec.get("reason"),
        maintenance=_optional(spec, pos, path, "maintenance", _maintenance),
        where=spec.get("where"),
        between=_optional(spec, pos, path, "between", _date_range),
        applies_to=_strings(spec.get("applies_to")),
    )


def _maintenance(spec: Any, pos: Pos, path: Path) -> m.Maintenance:
    return m.Maintenance(
        path=path,
        location=pos.value,
        dataset=spec["dataset"],
        notice=spec.get("notice"),
        allowance=spec.get("allowance"),
    )


def _date_range(spec: Any, pos: Pos, path: Path) -> m.DateRange:
    return m.DateRange(path=path, location=pos.value, start=spec["from"], end=spec["to"])


def _credits(spec: Any, pos: Pos, path: Path) -> m.Credits:
    earn_back = spec.get("earn_back")
    return m.Credits(
        path=path,
        location=pos.value,
        combine=spec.get("combine"),
        caps=_caps(spec, pos, path),
        minimum=_optional(spec, pos, path, "minimum", _minimum),
        earn_back_periods=None if earn_back is None else earn_back["periods"],
        claim=_optional(spec, pos, path, "claim", _claim),
        pool=_optional(spec, pos, path, "pool", _pool),
    )


def _cap(spec: Any, pos: Pos, path: Path) -> m.Cap:
    if isinstance(spec, str):  # `20%`, or `{percent: 20%, per: rolling-12-months}`
        return m.Cap(path=path, location=pos.value, percent=spec, per=None)
    return m.Cap(path=path, location=pos.value, percent=spec["percent"], per=spec["per"])


def _caps(spec: Mapping[str, Any], pos: Pos, path: Path) -> tuple[m.Cap, ...]:
    written = spec.get("cap")
    if written is None:
        return ()
    if not isinstance(written, list):  # one cap, as before lists were allowed
        return (_cap(written, *_child(pos, path, "cap")),)
    cap_pos, cap_path = _child(pos, path, "cap")
    return tuple(_cap(c, *_child(cap_pos, cap_path, i)) for i, c in enumerate(written))


def _minimum(spec: Any, pos: Pos, path: Path) -> m.Minimum:
    if isinstance(spec, str):  # `"50.00"`, or `{amount, per, inclusive}`
        return m.Minimum(path=path, location=pos.value, amount=spec, per=None, inclusive=None)
    return m.Minimum(
        path=path,
        location=pos.value,
        amount=spec["amount"],
        per=spec.get("per"),
        inclusive=spec.get("inclusive"),
    )


def _claim(spec: Any, pos: Pos, path: Path) -> m.Claim:
    return m.Claim(
        path=path,
        location=pos.value,
        within=spec.get("within"),
        cycles=spec.get("cycles"),
        start=spec.get("from"),
    )


def _pool(spec: Any, pos: Pos, path: Path) -> m.Pool:
    return m.Pool(
        path=path,
        location=pos.value,
        at_risk=spec["at_risk"],
        allocation_limit=spec.get("allocation_limit"),
        max_per_level=spec.get("max_per_level"),
        allocations=tuple(_named(spec, pos, path, "allocations", _allocation).values()),
    )


def _allocation(objective: str, share: Any, pos: Pos, path: Path) -> m.Allocation:
    return m.Allocation(path=path, location=pos.value, objective=objective, share=share)


def _chronic(spec: Any, pos: Pos, path: Path) -> m.ChronicFailure:
    return m.ChronicFailure(
        path=path,
        location=pos.value,
        id=spec["id"],
        objectives=tuple(spec["objectives"]),
        breaches=spec["breaches"],
        periods=spec["periods"],
        consequence=spec["consequence"],
    )


def _escalation(spec: Any, pos: Pos, path: Path) -> m.Escalation:
    when = spec["when"]
    return m.Escalation(
        path=path,
        location=pos.value,
        id=spec["id"],
        breach=tuple(when["breach"]),
        consecutive=when.get("consecutive"),
        notify=tuple(spec["notify"]),
        within=spec.get("within"),
        action=spec.get("action"),
    )


def _responsibility(spec: Any, pos: Pos, path: Path) -> m.Responsibility:
    return m.Responsibility(
        path=path,
        location=pos.value,
        id=spec["id"],
        party=spec["party"],
        text=spec["text"],
        objectives=_strings(spec.get("objectives")),
        exclusions=_strings(spec.get("exclusions")),
    )


def _amendment(spec: Any, pos: Pos, path: Path) -> m.Amendment:
    return m.Amendment(
        path=path,
        location=pos.value,
        id=spec["id"],
        effective=spec["effective"],
        summary=spec.get("summary"),
        changes=spec["changes"],
    )
