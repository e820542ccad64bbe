"""The finance export (ledger) of ``slac credits``: one row per contract × period × credit.

A row is a period's issued credit (``PeriodResult.credit``, already rounded by the contract's
rule) with what caused it: the objectives (and their scopes), the tiers and the credit
percents of its credit lines, or, for an at-risk pool, the breached objectives and their
share of the fee. Periods with no credit give no row. With a period ledger (``slac credits
--ledger``), a closed period's row is read from the results stored at its close (``state``
closed), never recomputed; the others are evaluated now (``state`` draft). ``overrides`` lists
the overrides recorded against the period; the amount is the one issued, before them.

Two renderings, both deterministic:

* :func:`to_csv` — RFC 4180 (``\\r\\n`` line ends, a header row), safe to open in a
  spreadsheet: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab, CR or NUL is
  prefixed with ``'`` (OWASP "CSV injection", CWE-1236). Numeric cells (amount, tiers,
  percents) are left as plain numbers, so ``-12.50`` stays a number.
* :func:`to_json` — canonical JSON (sorted keys, UTF-8, decimals as strings).

Amounts are never rounded here: they are written with exactly the currency's minor-unit
digits (JPY none, KWD three), and an amount with more digits than that is an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.contract.currencies import minor_units
from slac.evaluation.measurement import ScopeKey, scope_text
from slac.evaluation.periods import first_day
from slac.evaluation.results import PeriodResult, Results
from slac.evaluation.tasks import terms_on
from slac.ledger.model import Override
from slac.ledger.records import override_text
from slac.plan.canonical import decimal_text, money_text, pretty
from slac.plan.canonical import to_json as plain_json
from slac.plan.money import is_rounded
from slac.plan.types import Plan

LEDGER_VERSION = 1
DEFAULT_MINOR_UNIT = 2  # as the judge rounds when the contract names no (known) currency
DRAFT = "draft"
CLOSED = "closed"

CSV_COLUMNS = (
    "contract_id",
    "customer",
    "provider",
    "period",
    "objectives",
    "scopes",
    "tiers",
    "credit_percents",
    "amount",
    "currency",
    "cap_applied",
    "earn_back",
    "claim_deadline",
    "plan_sha256",
    "state",
    "overrides",
)
NUMERIC_COLUMNS = frozenset({"tiers", "credit_percents", "amount"})
LIST_SEPARATOR = ";"  # between the entries of a list cell (one entry per cause)
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


@dataclass(frozen=True)
class LedgerRow:
    """One issued credit. ``objectives``, ``scopes``, ``tiers`` and ``percents`` are parallel:
    one entry per cause (a credit line, or a breached objective with a pool allocation)."""

    contract_id: str
    customer: str
    provider: str
    period: str
    objectives: tuple[str, ...]
    scopes: tuple[ScopeKey, ...]
    tiers: tuple[int | None, ...]  # 1-based as in the contract; None: per-incident or pool
    percents: tuple[Decimal | None, ...]  # ratio of the fee; None for fixed amounts
    amount: Decimal  # the period's issued credit, already rounded
    currency: str | None
    minor_unit: int
    cap_applied: bool  # the fee cap or the at-risk pool cut the credit
    earn_back: str  # none | pending | waived | due
    claim_deadline: str | None
    plan_sha256: str
    # draft: evaluated now; closed: as issued at the period's close (read from the ledger)
    state: str = DRAFT
    overrides: tuple[Override, ...] = ()  # recorded against the period, oldest first


def ledger_rows(results_list: Sequence[tuple[Results, Plan]]) -> list[LedgerRow]:
    """The ledger of a portfolio: a row per contract × period with a non-zero credit or an
    override applied (a waived credit is booked as 0), sorted by contract id then period
    (contracts with the same id keep the order given)."""
    rows: list[LedgerRow] = []
    for results, plan in results_list:
        if plan.contract_id != results.contract_id:
            raise ValueError(
                f"results of {results.contract_id!r} paired with the plan of {plan.contract_id!r}"
            )
        for period in results.periods:
            if period.credit != 0 or period.overrides:
                rows.append(_row(results, plan, period))
    return sorted(rows, key=lambda r: (r.contract_id, r.period))


def _row(results: Results, plan: Plan, period: PeriodResult) -> LedgerRow:
    currency = period.currency if period.currency is not None else results.currency
    minor = minor_units(currency) if currency is not None else None
    minor_unit = DEFAULT_MINOR_UNIT if minor is None else minor
    _check_rounded(period.credit, minor_unit, results.contract_id, period.period)
    objectives: list[str] = []
    scopes: list[ScopeKey] = []
    tiers: list[int | None] = []
    percents: list[Decimal | None] = []
    terms = terms_on(plan, first_day(period.period))
    pool = terms.credits.pool if terms is not None else None
    if pool is not None:  # the judge credits breached objectives' allocations, not lines
        allocation = dict(pool.allocations)
        for result in period.objectives:
            share = allocation.get(result.objective, Decimal(0))
            if result.status == "breached" and share:
                objectives.append(result.objective)
                scopes.append(result.scope)
                tiers.append(None)
                percents.append(share * pool.at_risk)
    else:
        # A dropped line (under a per-line minimum, or an incident another line credits) is
        # not part of the amount finance books, so it is not among its causes either.
        for line in (x for x in period.credit_lines if x.dropped is None):
            objectives.append(line.objective)
            scopes.append(line.scope)
            tiers.append(line.tier)
            percents.append(line.percent)
    return LedgerRow(
        contract_id=results.contract_id,
        customer=results.customer,
        provider=results.provider,
        period=period.period,
        objectives=tuple(objectives),
        scopes=tuple(scopes),
        tiers=tuple(tiers),
        percents=tuple(percents),
        amount=period.credit,
        currency=currency,
        minor_unit=minor_unit,
        cap_applied=period.cap_applied or period.pool_capped,
        earn_back=period.earn_back,
        claim_deadline=period.claim_deadline,
        plan_sha256=results.plan_sha256,
    )


def _check_rounded(amount: Decimal, minor_unit: int, contract: str, period: str) -> None:
    if not amount.is_finite():
        raise ValueError(f"{contract} {period}: the credit is not a number ({amount})")
    if not is_rounded(amount, minor_unit):
        raise ValueError(
            f"{contract} {period}: the credit {amount} has more than {minor_unit} decimals;"
            " the ledger never rounds"
        )


def amount_text(row: LedgerRow) -> str:
    """The amount with exactly the currency's minor-unit digits (``12.50``, JPY ``500``)."""
    _check_rounded(row.amount, row.minor_unit, row.contract_id, row.period)
    return money_text(row.amount, row.minor_unit)


def percent_text(ratio: Decimal | None) -> str:
    """A ratio of the fee as a percent in its shortest exact form: 0.025 → ``2.5``."""
    return "" if ratio is None else decimal_text(ratio * 100)


# ---------------------------------------------------------------- CSV


def safe_text(cell: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(DANGEROUS_PREFIXES) else cell


def csv_cells(row: LedgerRow) -> dict[str, str]:
    """The cells of a row as written, before neutralising the text cells."""
    return {
        "contract_id": row.contract_id,
        "customer": row.customer,
        "provider": row.provider,
        "period": row.period,
        "objectives": LIST_SEPARATOR.join(row.objectives),
        "scopes": LIST_SEPARATOR.join(scope_text(s) for s in row.scopes),
        "tiers": LIST_SEPARATOR.join("" if t is None else str(t) for t in row.tiers),
        "credit_percents": LIST_SEPARATOR.join(percent_text(p) for p in row.percents),
        "amount": amount_text(row),
        "currency": row.currency or "",
        "cap_applied": "true" if row.cap_applied else "false",
        "earn_back": row.earn_back,
        "claim_deadline": row.claim_deadline or "",
        "plan_sha256": row.plan_sha256,
        "state": row.state,
        "overrides": LIST_SEPARATOR.join(override_text(o) for o in row.overrides),
    }


def to_csv(rows: Sequence[LedgerRow]) -> str:
    """The ledger as RFC 4180 CSV with a header row and ``\\r\\n`` line ends (encode as UTF-8)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = csv_cells(row)
        writer.writerow(
            cells[c] if c in NUMERIC_COLUMNS else safe_text(cells[c]) for c in CSV_COLUMNS
        )
    return out.getvalue()


# ---------------------------------------------------------------- JSON


def json_row(row: LedgerRow) -> dict[str, Any]:
    return {
        "contract_id": row.contract_id,
        "customer": row.customer,
        "provider": row.provider,
        "period": row.period,
        "causes": [
            {
                "objective": objective,
                "scope": {str(k): plain_json(v) for k, v in scope},
                "tier": tier,
                "credit_percent": None if percent is None else percent_text(percent),
            }
            for objective, scope, tier, percent in zip(
                row.objectives, row.scopes, row.tiers, row.percents, strict=True
            )
        ],
        "amount": amount_text(row),
        "currency": row.currency,
        "minor_unit": row.minor_unit,
        "cap_applied": row.cap_applied,
        "earn_back": row.earn_back,
        "claim_deadline": row.claim_deadline,
        "plan_sha256": row.plan_sha256,
        "state": row.state,
        "overrides": [
            {
                "id": o.id,
                "target": o.target,
                "action": o.action,
                "value": o.value,
                "reason": o.reason,
                "author": o.author,
                "created_at": o.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            for o in row.overrides
        ],
    }


def to_json(rows: Sequence[LedgerRow]) -> str:
    """The ledger as canonical JSON (sorted keys, amounts as strings), ending in a newline."""
    return pretty({"ledger_version": LEDGER_VERSION, "rows": [json_row(r) for r in rows]})
