"""The evaluation plan: the contract's meaning made explicit, as frozen dataclasses.

Everything is resolved: templates merged, every default explicit, durations in seconds,
percentages as exact ratios, money with its currency and minor unit, calendars concrete
(weekly ranges per day and the holiday dates of every year in force). The evaluator, the
statements and the finance exports read the plan, never the YAML.

Numbers: ``Decimal`` in memory, canonical decimal strings in JSON (``"0.95"``, ``"3600"``),
so that no float ever rounds a boundary. See :mod:`slac.plan.canonical`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

PLAN_VERSION = 1

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``value`` is a list for ``in``/``not-in``, None for null tests."""

    field: str
    op: str
    value: Scalar | tuple[Scalar, ...] = None


@dataclass(frozen=True)
class Bound:
    value: Decimal
    inclusive: bool


@dataclass(frozen=True)
class Quantity:
    """A measured or target value: ``unit`` is ``ratio`` (0..1), ``seconds`` or ``number``."""

    value: Decimal
    unit: str


@dataclass(frozen=True)
class Comparison:
    op: str  # ">=", ">", "<=", "<"
    quantity: Quantity


@dataclass(frozen=True)
class Interval:
    """A range of measured values; a missing bound is open."""

    low: Bound | None
    high: Bound | None
    unit: str


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str
    minor_unit: int


@dataclass(frozen=True)
class Contact:
    name: str
    role: str | None
    email: str | None


@dataclass(frozen=True)
class Party:
    key: str
    name: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Rounding:
    mode: str  # half-up | half-even | down | up
    apply: str  # total | per-line


@dataclass(frozen=True)
class FeeSource:
    """Monthly charges read from a billing dataset, one row per (``by`` value, month); every
    field name explicit (docs/semantics.md, "Fees from billing data")."""

    dataset: str
    by: str
    month: str
    amount: str
    currency: str


@dataclass(frozen=True)
class Commercials:
    currency: str | None
    minor_unit: int | None
    monthly_fee: Money | None
    service_fees: tuple[tuple[str, Money], ...]
    fees_from: FeeSource | None  # None: fees are written in the contract only
    rounding: Rounding


@dataclass(frozen=True)
class Semantics:
    period_membership: str
    open_items: str
    percentile: str
    availability_minutes: str
    reopened: str
    scope_matching: str


@dataclass(frozen=True)
class TimeRange:
    """Business time on one weekday, local wall-clock ``HH:MM``; ``end`` may be ``24:00``."""

    start: str
    end: str


@dataclass(frozen=True)
class Calendar:
    name: str
    timezone: str
    always_open: bool
    # Seven entries, Monday first: ranges crossing midnight are split onto the next day.
    weekly: tuple[tuple[str, tuple[TimeRange, ...]], ...]
    holiday_country: str | None
    holiday_subdivision: str | None
    holidays: tuple[str, ...]  # ISO dates on which the calendar is closed all day
    horizon_from: str  # holidays are expanded for these years, inclusive
    horizon_to: str


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    nullable: bool
    values: tuple[Scalar, ...] | None
    range: tuple[Decimal, Decimal] | None


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str
    key: str | None
    time: str | None
    parent_dataset: str | None
    parent_key: str | None
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Pause:
    dataset: str
    start: str
    end: str
    where: tuple[Condition, ...]
    parent_key: str | None  # the pause row's field naming its ticket


@dataclass(frozen=True)
class Cycles:
    """The later cycles of reopened items: one row per reopen, naming its item."""

    dataset: str
    start: str  # reopened at
    end: str  # resolved again at (empty: still open)
    parent_key: str | None  # the reopen row's field naming its item


@dataclass(frozen=True)
class Metric:
    """A measurement, identified by the hash of its definition (equal definitions share it)."""

    id: str
    names: tuple[str, ...]  # the contract's names for this definition
    dataset: str
    where: tuple[Condition, ...]
    kind: str
    # The kind's own settings, normalised (fields resolved, durations in seconds, defaults
    # explicit): a mapping of plain JSON values, fixed per kind in docs/plan.md.
    params: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Judgement:
    """How an objective turns its metric's rows into one measured value."""

    kind: str  # "threshold-share" | "statistic" | "value"
    statistic: str | None  # mean, median, pNN, min, max, count, sum (kind statistic)
    percentile: Decimal | None  # 0..1 for pNN
    percentile_method: str | None
    threshold_seconds: Decimal | None  # threshold-share: the deadline ...
    threshold_business_days: Decimal | None  # ... or a count of business days
    threshold_inclusive: bool | None  # within (True) or under (False)


@dataclass(frozen=True)
class Tier:
    interval: Interval
    percent: Decimal | None  # of the fee, as a ratio (0.10 = 10%)
    amount: Money | None


@dataclass(frozen=True)
class ObjectiveCredit:
    tiers: tuple[Tier, ...]
    per_incident: Money | None


@dataclass(frozen=True)
class Period:
    unit: str  # month | quarter | year
    rolling: int  # 1 = calendar periods; N = the last N units


@dataclass(frozen=True)
class Objective:
    id: str
    title: str | None
    description: str | None
    metric_id: str
    metric_name: str
    metric: Metric  # inlined, so an objective reads on its own
    where: tuple[Condition, ...]
    policy: str | None
    scope: tuple[str, ...]
    period: Period
    judgement: Judgement
    target: Comparison
    breach: Interval  # the measured values that miss the target
    min_sample: int
    weight: Decimal
    responsible: str
    fee_name: str | None  # None: commercials.monthly_fee (or `fee_by`)
    fee: Money | None  # None with `fee_by`: each scope value has its own
    fee_by: str | None  # the scope field whose value names the `service_fees` entry
    credit: ObjectiveCredit | None
    open_items: str
    exclusions: tuple[str, ...]  # ids of the exclusions that apply to it


@dataclass(frozen=True)
class Exclusion:
    id: str
    reason: str  # maintenance | force-majeure | customer-caused | third-party | tagged | other
    where: tuple[Condition, ...]
    between_from: str | None
    between_to: str | None  # inclusive
    maintenance_dataset: str | None
    maintenance_fields: tuple[tuple[str, str], ...]  # start, end, announced_at
    notice_seconds: Decimal | None
    allowance_seconds: Decimal | None
    allowance_per: str | None
    applies_to: tuple[str, ...]


@dataclass(frozen=True)
class Pool:
    at_risk: Decimal
    allocation_limit: Decimal | None
    max_per_level: Decimal | None
    allocations: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class Cap:
    percent: Decimal  # ratio of the fee for the period (or for the 12 months)
    per: str  # period | rolling-12-months


@dataclass(frozen=True)
class CreditRules:
    combine: str  # sum | max | single
    caps: tuple[Cap, ...]  # every one applies; the smallest amount binds
    minimum: Money | None
    minimum_per: str  # period | line
    minimum_inclusive: bool  # an amount equal to the minimum is issued
    earn_back_periods: int | None
    claim_within_seconds: Decimal | None
    claim_cycles: int | None  # by the end of the N-th billing cycle (calendar month) after
    claim_from: str  # period-end | incident
    pool: Pool | None


@dataclass(frozen=True)
class ChronicFailure:
    id: str
    objectives: tuple[str, ...]
    breaches: int
    periods: int
    consequence: str


@dataclass(frozen=True)
class Escalation:
    id: str
    breach: tuple[str, ...]
    consecutive: int
    notify: tuple[str, ...]
    within_seconds: Decimal | None
    action: str | None


@dataclass(frozen=True)
class Grade:
    name: str
    interval: Interval


@dataclass(frozen=True)
class Responsibility:
    id: str
    party: str
    text: str | None
    objectives: tuple[str, ...]
    exclusions: tuple[str, ...]


@dataclass(frozen=True)
class Terms:
    """The terms in force from ``effective_from`` (the contract, then each amendment)."""

    effective_from: str
    effective_to: str | None  # inclusive; None: open-ended
    amendment: str | None
    amendment_summary: str | None
    commercials: Commercials
    semantics: Semantics
    calendars: tuple[Calendar, ...]
    objectives: tuple[Objective, ...]
    exclusions: tuple[Exclusion, ...]
    credits: CreditRules
    service_level_weighted: bool
    grades: tuple[Grade, ...]
    chronic_failure: tuple[ChronicFailure, ...]
    escalations: tuple[Escalation, ...]
    responsibilities: tuple[Responsibility, ...]


@dataclass(frozen=True)
class Source:
    sha256: str  # over the sha256 of each file below, in that order
    # (role, sha256): "contract", then "template 1", "template 2" … in the order first read
    files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Plan:
    plan_version: int
    contract_id: str
    title: str | None
    description: str | None
    version: str
    sla_type: str
    level: str | None
    effective_from: str
    effective_to: str | None
    review_due: str | None
    review_owner: str | None
    timezone: str
    parties: tuple[Party, ...]
    datasets: tuple[Dataset, ...]
    metrics: tuple[Metric, ...]
    terms: tuple[Terms, ...]
    source: Source
    extensions: tuple[tuple[str, Any], ...] = field(default=())
