"""Results: judged objectives, credits and provenance, as frozen dataclasses and canonical JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Re-exported: saved results rebuild every type of the results from this module's names.
from slac.evaluation.measurement import MissedItem as MissedItem
from slac.evaluation.measurement import Misses as Misses
from slac.evaluation.measurement import ScopeKey

# 2: objective results list their missed items (`misses`, the breached-items annex).
RESULTS_VERSION = 2


@dataclass(frozen=True)
class Excluded:
    exclusion: str
    count: int
    unit: str  # rows | windows: a maintenance exclusion counts windows, any other rows


# The words a credit line's ``dropped`` starts with when the contract credits an incident once
# and another line of it is kept (the credit note books it as a `combine` adjustment).
ONE_CREDIT_PER_INCIDENT = "one credit per incident"


@dataclass(frozen=True)
class CreditLine:
    objective: str
    scope: ScopeKey
    period: str  # the objective's period ("2026-10", "2026-Q4")
    tier: int | None  # 1-based, as written in the contract; None for per-incident credits
    tier_text: str
    percent: Decimal | None  # ratio of the fee
    fee: Decimal | None  # the fee the percent applies to, for the objective's period
    incidents: int | None
    amount: Decimal  # before combining, caps and rounding (rounded here only with per-line)
    # Why this line is not part of the period's credit (below the minimum per line, or another
    # line of the same incident is kept: then it starts with ONE_CREDIT_PER_INCIDENT); None: it
    # counts.
    dropped: str | None = None

    @property
    def dropped_for_incident(self) -> bool:
        """Withheld because another line credits the same incident (not for a minimum)."""
        return (self.dropped or "").startswith(ONE_CREDIT_PER_INCIDENT)


@dataclass(frozen=True)
class ObjectiveResult:
    period: str
    objective: str
    title: str | None
    scope: ScopeKey
    status: str  # met | breached | insufficient-data | not-applicable
    reason: str  # why, in words (for insufficient data and not applicable)
    measured: Decimal | None
    unit: str  # ratio | seconds | number
    target_op: str
    target: Decimal
    sample: int
    min_sample: int
    met: int
    breached: int
    open: int
    excluded: tuple[Excluded, ...]
    weight: Decimal
    credit: CreditLine | None
    # Of the judged items, those that belong to an earlier period, whose end did not know
    # their outcome yet (carry-over, docs/semantics.md); they are counted there as open.
    carried: int = 0
    # The items that missed their own threshold, for the breached-items annex: how many, and
    # the first few, worst first (docs/semantics.md, "Breached items"); None for kinds and
    # judgements that judge no item by itself (a ratio, a mean, availability).
    misses: Misses | None = None


@dataclass(frozen=True)
class Trigger:
    id: str
    triggered: bool
    detail: str
    due: str | None = None  # local date-time in the contract zone
    notify: tuple[str, ...] = ()
    action: str | None = None
    consequence: str | None = None


@dataclass(frozen=True)
class PeriodResult:
    period: str  # the month evaluated
    terms_from: str  # effective date of the terms in force
    amendment: str | None
    objectives: tuple[ObjectiveResult, ...]
    service_level: Decimal | None  # share of judged objectives met (weighted if the contract says)
    grade: str | None
    judged: int
    met: int
    credit_lines: tuple[CreditLine, ...]
    combine: str
    combined: Decimal  # after combining lines
    pool_at_risk: Decimal | None
    pool_capped: bool
    cap: Decimal | None  # the cap amount for this period
    cap_applied: bool
    minimum: Decimal | None
    minimum_applied: bool
    earn_back: str  # none | pending | waived | due
    credit: Decimal  # the credit issued for this period, rounded by the contract's rule
    currency: str | None
    claim_deadline: str | None
    chronic_failure: tuple[Trigger, ...]
    escalations: tuple[Trigger, ...]
    # The fee caps and pools are taken of for this month (None: no fee); kept so that a rolling
    # cap evaluated in a later month adds this month's own fee even once its billing data is gone.
    fee: Decimal | None = None
    # The overrides the period ledger recorded against this month, oldest first, each with
    # what it did to the figures above (docs/ledger.md, "Overrides").
    overrides: tuple[AppliedOverride, ...] = ()


@dataclass(frozen=True)
class AppliedOverride:
    """An override recorded in the period ledger, as evaluation applies it: before, ``effect``
    is empty; in the results, it says what changed (or why nothing did)."""

    id: str
    period: str
    target: str  # OBJECTIVE, OBJECTIVE/SCOPE ("frt/priority=P1"), * (the month), item:ID
    action: str  # waive-credit | set-amount | exclude-item
    value: str | None
    reason: str
    author: str
    recorded_at: str  # UTC, ISO 8601
    effect: str = ""


@dataclass(frozen=True)
class EarlierPeriod:
    """A month before the evaluated ones, as closed in the period ledger: what the months
    that look back (chronic failure, escalations, rolling caps) know of it. Named in the
    results with the hash of the results it was read from, so that they can be reproduced."""

    period: str
    revision: int
    results_sha256: str  # of the stored results document the figures come from
    breached: tuple[str, ...]  # the objectives breached in it (sorted)
    credit: Decimal  # the credit issued
    fee: Decimal | None  # its fee (None: none, or a close by a slac that did not record it)


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class Input:
    dataset: str
    files: tuple[InputFile, ...]
    rows: int
    bad_rows: int


@dataclass(frozen=True)
class BadRowNote:
    dataset: str
    file: str
    row: int
    field: str
    problem: str


@dataclass(frozen=True)
class RowAccount:
    """Where every row of an objective's dataset went over the evaluated run:
    input = judged + excluded + filtered + outside + bad + pending (docs/semantics.md)."""

    objective: str
    dataset: str
    input: int  # rows read (items, for a duration judged per cycle), bad ones included
    judged: int  # in the measured value (or judged met or breached)
    excluded: int  # left out by an exclusion
    filtered: int  # left out by a `where` (metric, objective, kind) or scope matching
    outside: int  # in no evaluated period of the objective (or no instant to place it)
    bad: int  # bad rows, left out with --on-bad-rows exclude
    pending: int  # open items not judged yet


@dataclass(frozen=True)
class Results:
    results_version: int
    slac_version: str
    contract_id: str
    contract_title: str | None
    contract_version: str
    provider: str
    customer: str
    timezone: str
    plan_sha256: str
    source_sha256: str
    periods: tuple[PeriodResult, ...]
    total_credit: Decimal
    currency: str | None
    inputs: tuple[Input, ...]
    bad_rows: int
    bad_rows_listed: tuple[BadRowNote, ...]
    on_bad_rows: str
    notes: tuple[str, ...] = field(default=())
    row_accounts: tuple[RowAccount, ...] = field(default=())
    # What the evaluation knew: "period-end" (each period as known at its end) or an instant
    # in UTC (docs/semantics.md, "As of").
    as_of: str = "period-end"
    # The months before the evaluated ones read from the period ledger (docs/ledger.md,
    # "History across closes"); empty when no ledger was read or it closed none of them.
    earlier: tuple[EarlierPeriod, ...] = field(default=())
    # The engine that ran the evaluation's SQL (docs/engines.md): results are the same on
    # each, apart from this name.
    engine: str = "duckdb"
