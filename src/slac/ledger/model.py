"""What the ledger stores, as frozen dataclasses, and the errors of its stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# What a stored revision is: the first close of a period, or a later one after --reopen.
CLOSED = "closed"
REOPENED = "reopened"

# What an override does (docs/ledger.md): waive a credit, set its amount, or reclassify an
# item as excluded under one of the contract's exclusions.
WAIVE_CREDIT = "waive-credit"
SET_AMOUNT = "set-amount"
EXCLUDE_ITEM = "exclude-item"
ACTIONS = (WAIVE_CREDIT, SET_AMOUNT, EXCLUDE_ITEM)
ITEM_PREFIX = "item:"  # a target naming an item (a ticket, a call) rather than an objective


class LedgerError(Exception):
    """The ledger cannot be opened, read or written (the message says why, for a person)."""


class LedgerConflict(LedgerError):
    """Another close of the same period won (or had already won): nothing was written."""


@dataclass(frozen=True)
class StoredCreditLine:
    """A credit line of a closed period, as a row finance can query (the results document
    holds it too; this copy is for SQL)."""

    line: int  # 1-based, in the order of the results
    objective: str
    scope: str  # as statements write it ("priority=P1"), "" unscoped
    tier: int | None
    percent: Decimal | None  # ratio of the fee
    amount: Decimal
    dropped: str | None  # why it is not part of the period's credit; None: it counts


@dataclass(frozen=True)
class ClosedPeriod:
    """One revision of a closed period: the results as they were issued, never recomputed."""

    contract_id: str
    period: str  # a month, "2026-10"
    revision: int  # 1 for the first close, +1 for each reopen
    state: str  # CLOSED (revision 1) | REOPENED (a later revision)
    closed_at: datetime  # UTC, naive in the database, aware here
    closed_by: str
    reason: str | None  # why it was reopened; None for the first close
    plan_sha256: str
    source_sha256: str
    inputs_sha256: str  # the data files' hashes, hashed together
    slac_version: str
    total_credit: Decimal  # the period's issued credit, rounded by the contract's rule
    currency: str | None
    results_sha256: str
    results: bytes  # the results document (canonical JSON, UTF-8), exactly as issued
    credit_lines: tuple[StoredCreditLine, ...] = ()


@dataclass(frozen=True)
class Override:
    """An audited change recorded against a period; append-only (a later override can
    counter an earlier one, nothing is edited or deleted)."""

    id: str
    contract_id: str
    period: str
    target: str  # OBJECTIVE, OBJECTIVE/SCOPE, or item:ID
    action: str  # one of ACTIONS
    value: str | None  # the amount (set-amount), the exclusion (exclude-item); None: waive
    reason: str
    author: str
    created_at: datetime  # UTC
