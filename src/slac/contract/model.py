"""The Contract: a schema-valid contract read into frozen, typed values.

Every node knows where it stands: ``path``, the keys and indices that lead to it from the
document's root (what findings and JSON output name), and ``location``, the file:line:col
where its value is written. Inherited values point into their template and amended values
into the amendment, because the merged document keeps those positions. A node that is not
written (``commercials`` in a file without it) is located where it would be added.

Values are kept as written: an unwritten choice is ``None`` here, and the compiler names every
default it applies. Two things stay as the author wrote them, on purpose:

- a metric's kind body (``duration: {from: …, to: …}``): each metric kind reads its own;
- a ``where`` (:data:`Where`), in either of its two written forms, read by the functions in
  ``rules/walk.py`` and the compiler's ``conditions``, which kind bodies share.

Templates are partial, so the contract's own identity (``id``, ``effective``, …) may be
missing; everything else the schema requires is there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slac.contract.source import Path, SourceDocument
from slac.diagnostics import Location

Scalar = str | int | float | bool
Where = Mapping[str, Any] | Sequence[Mapping[str, Any]]
"""``{priority: P1}`` (equality, or ``in`` for a list) or ``[{field, op, value}, …]``."""
BoundValue = str | int | float
"""A band's bound as written: a percentage, a duration or a plain number."""

ID_LISTS = (
    "objectives",
    "exclusions",
    "escalations",
    "responsibilities",
    "amendments",
    "chronic_failure",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Node:
    path: Path
    location: Location


@dataclass(frozen=True, kw_only=True, slots=True)
class Contact(Node):
    name: str
    role: str | None
    email: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Party(Node):
    key: str  # `provider`, `customer`, or another name
    name: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Effective(Node):
    start: str  # `from`
    end: str | None  # `to`; None: open-ended


@dataclass(frozen=True, kw_only=True, slots=True)
class Review(Node):
    due: str
    owner: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FeesFrom(Node):
    """`commercials.fees_from`: monthly charges read from a billing dataset."""

    dataset: str
    by: str  # the billing field naming the scope value (matched by name, like maintenance)
    month: str | None  # None: `month`
    amount: str | None  # None: `amount`
    currency: str | None  # None: `currency`


@dataclass(frozen=True, kw_only=True, slots=True)
class Commercials(Node):
    currency: str | None
    monthly_fee: str | None
    service_fees: Mapping[str, str]
    fees_from: FeesFrom | None
    rounding_mode: str | None
    rounding_apply: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Semantics(Node):
    period_membership: str | None
    open_items: str | None
    percentile: str | None
    availability_minutes: str | None
    reopened: str | None
    scope_matching: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Holidays(Node):
    country: str | None
    subdivision: str | None
    dates: tuple[str, ...]  # closed on these days as well
    worked: tuple[str, ...]  # `except`: public holidays worked anyway


@dataclass(frozen=True, kw_only=True, slots=True)
class Hours(Node):
    days: str  # as written: `mon-fri`, `sat,sun`
    ranges: tuple[str, ...]  # `08:00-18:00`


@dataclass(frozen=True, kw_only=True, slots=True)
class Calendar(Node):
    name: str
    timezone: str
    always: bool  # `hours: 24x7`
    hours: tuple[Hours, ...]  # empty when `always`
    holidays: Holidays | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Field(Node):
    name: str
    type: str
    values: tuple[Scalar, ...] | None
    range: tuple[int | float, int | float] | None
    nullable: bool | None
    description: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Parent(Node):
    dataset: str
    key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Dataset(Node):
    name: str
    kind: str
    key: str | None
    time: str | None
    parent: Parent | None
    fields: Mapping[str, Field]


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric(Node):
    name: str
    dataset: str
    where: Where | None
    description: str | None
    kind: str  # `duration`, `value`, `ratio`, … (the key of its body)
    body: Mapping[str, Any]  # the kind's body as written
    spec: Mapping[str, Any]  # the whole metric as written, for the readers of kind bodies


@dataclass(frozen=True, slots=True)
class Bounds:
    """A tier's or grade's band as written (see ``contract/bands.py``)."""

    at_least: BoundValue | None
    above: BoundValue | None
    below: BoundValue | None
    at_most: BoundValue | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Tier(Node):
    bounds: Bounds
    percent: str | None
    amount: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Credit(Node):
    tiers: tuple[Tier, ...]
    per_incident: str | None  # the amount credited for each failed item


@dataclass(frozen=True, kw_only=True, slots=True)
class Period(Node):
    unit: str  # `month`, `quarter`, `year`
    rolling: int | None  # `{rolling: 3, unit: month}`; None: calendar periods


@dataclass(frozen=True, kw_only=True, slots=True)
class Objective(Node):
    id: str
    title: str | None
    description: str | None
    metric: str
    target: str
    where: Where | None
    policy: str | None
    within: str | None
    under: str | None
    statistic: str | None
    period: Period | None
    scope: tuple[str, ...] | None
    min_sample: int | None
    weight: int | float | None
    responsible: str | None
    fee: str | None  # a `service_fees` key, or None
    fee_by: str | None  # `fee: {by: service}`: the scope field whose value names the fee
    credit: Credit | None
    open_items: str | None
    percentile: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Maintenance(Node):
    dataset: str
    notice: str | None
    allowance: str | None  # `8h/month`


@dataclass(frozen=True, kw_only=True, slots=True)
class DateRange(Node):
    start: str
    end: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Exclusion(Node):
    id: str
    reason: str | None
    maintenance: Maintenance | None
    where: Where | None
    between: DateRange | None
    applies_to: tuple[str, ...] | None  # None: every objective


@dataclass(frozen=True, kw_only=True, slots=True)
class Cap(Node):
    percent: str
    per: str | None  # None: written as a bare percentage (a cap per period)


@dataclass(frozen=True, kw_only=True, slots=True)
class Claim(Node):
    within: str | None
    cycles: int | None  # `cycles: 2`: by the end of the second billing cycle after
    start: str | None  # `from`


@dataclass(frozen=True, kw_only=True, slots=True)
class Minimum(Node):
    amount: str
    per: str | None  # None: written as a bare amount (per period)
    inclusive: bool | None  # None: written without it (an amount equal to the minimum is issued)


@dataclass(frozen=True, kw_only=True, slots=True)
class Allocation(Node):
    objective: str
    share: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Pool(Node):
    at_risk: str
    allocation_limit: str | None
    max_per_level: str | None
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Credits(Node):
    combine: str | None
    caps: tuple[Cap, ...]  # `cap:` as one cap or a list; () without one
    minimum: Minimum | None
    earn_back_periods: int | None
    claim: Claim | None
    pool: Pool | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Grade(Node):
    name: str
    bounds: Bounds


@dataclass(frozen=True, kw_only=True, slots=True)
class ChronicFailure(Node):
    id: str
    objectives: tuple[str, ...]
    breaches: int
    periods: int
    consequence: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Escalation(Node):
    id: str
    breach: tuple[str, ...]  # objective ids, or `any`
    consecutive: int | None
    notify: tuple[str, ...]  # `provider` or `provider.service-desk`
    within: str | None
    action: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Responsibility(Node):
    id: str
    party: str
    text: str
    objectives: tuple[str, ...] | None
    exclusions: tuple[str, ...] | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Amendment(Node):
    id: str
    effective: str
    summary: str | None
    # A patch, merged onto the terms before it as a template is (see contract/terms.py); the
    # terms it puts in force are read into a Contract of their own.
    changes: Mapping[str, Any]

    def objective_metrics(self) -> set[str]:
        """The metrics named by the objectives this amendment adds or changes."""
        objectives = self.changes.get("objectives") or ()
        return {o["metric"] for o in objectives if "metric" in o}


@dataclass(frozen=True, kw_only=True, slots=True)
class Removal(Node):
    """``{id: x, remove: true}`` that removed nothing (merging drops those that do)."""

    list: str  # one of ID_LISTS
    id: str


IdEntry = Objective | Exclusion | Escalation | Responsibility | Amendment | ChronicFailure | Removal


@dataclass(frozen=True, kw_only=True, slots=True)
class Contract(Node):
    """One set of terms: a contract (or template) with its templates merged in."""

    document: SourceDocument = field(compare=False, repr=False)  # what it was read from
    sources: tuple[SourceDocument, ...] = field(compare=False, repr=False)  # contract, templates
    kind: str | None  # `contract` or `template`
    id: str | None
    title: str | None
    description: str | None
    version: str | None
    sla_type: str | None
    level: str | None
    effective: Effective | None
    review: Review | None
    timezone: str | None
    parties: Mapping[str, Party]
    commercials: Commercials
    semantics: Semantics
    calendars: Mapping[str, Calendar]
    datasets: Mapping[str, Dataset]
    metrics: Mapping[str, Metric]
    objectives: tuple[Objective, ...]
    service_level_weighted: bool | None
    grades: tuple[Grade, ...]
    responsibilities: tuple[Responsibility, ...]
    exclusions: tuple[Exclusion, ...]
    credits: Credits
    chronic_failure: tuple[ChronicFailure, ...]
    escalations: tuple[Escalation, ...]
    amendments: tuple[Amendment, ...]
    removals: tuple[Removal, ...]
    extensions: tuple[tuple[str, Any], ...]  # top-level `x-` keys, the user's own

    @property
    def is_template(self) -> bool:
        return self.kind == "template"

    def entries(self, key: str) -> list[IdEntry]:
        """Every entry of an id-list (one of :data:`ID_LISTS`) in written order, removals too."""
        live: tuple[IdEntry, ...] = getattr(self, key)
        removed = [r for r in self.removals if r.list == key]
        if not removed:
            return list(live)
        return sorted((*live, *removed), key=lambda e: e.path[-1])
