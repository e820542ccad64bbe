"""The finance export (ledger) of ``slac credits``: one row per line of each credit note.

Each contract × month that issues a credit (or has an override recorded against it) gets a
credit note (:mod:`slac.documents.notes`): its ``credit`` lines, one per breached objective ×
scope value with its tier and percent of the fee, and explicit adjustment lines (``cap``,
``pool``, ``combine``, ``minimum``, ``override``, ``rounding``) for every rule that made the
month's credit differ from their sum. The rows of a note add up to the credit issued
(``PeriodResult.credit``, rounded once by the contract's rule), to the minor unit; every cell
holds one value. The columns are listed in docs/ledger.md ("The credit export").

With a period ledger (``slac credits --ledger``), a closed month's note is read from the
results stored at its close (``state`` closed, numbered with its revision), never
recomputed; the others are evaluated now (``state`` draft, numbered ``…-DRAFT``).

Two renderings, both deterministic (no clock, no counter: the same inputs give the same bytes):

* :func:`to_csv` — RFC 4180 (``\\r\\n`` line ends, a header row), safe to open in a
  spreadsheet: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab, CR or NUL is
  prefixed with ``'`` (OWASP "CSV injection", CWE-1236). Numeric cells (revision, line, tier,
  credit_percent, amount) are plain numbers, so an adjustment of ``-12.50`` stays a number.
* :func:`to_json` — canonical JSON (sorted keys, UTF-8, decimals as strings): the same rows,
  and the overrides they name in full (reason, author, time).

Amounts are never rounded here beyond what :mod:`slac.documents.notes` shows: each with
exactly the currency's minor-unit digits (JPY none, KWD three); an issued credit with more
digits than that is an error.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.contract.currencies import minor_units
from slac.documents.notes import CreditNote, Issued, credit_note, has_note
from slac.evaluation.measurement import ScopeKey, scope_text
from slac.evaluation.periods import first_day
from slac.evaluation.results import AppliedOverride, PeriodResult, Results
from slac.evaluation.tasks import terms_on
from slac.ledger.model import Override
from slac.plan.canonical import decimal_text, money_text, pretty
from slac.plan.canonical import to_json as plain_json
from slac.plan.money import is_rounded
from slac.plan.types import Plan

# 2: one row per credit-note line (1: one row per month, with list cells).
LEDGER_VERSION = 2
DEFAULT_MINOR_UNIT = 2  # as the judge rounds when the contract names no (known) currency
DEFAULT_ROUNDING = "half-up"  # the contract language's default mode

CSV_COLUMNS = (
    "contract_id",
    "customer",
    "provider",
    "period",
    "credit_note",
    "state",
    "revision",
    "line",
    "line_kind",
    "objective",
    "scope",
    "tier",
    "tier_text",
    "credit_percent",
    "amount",
    "currency",
    "override",
    "description",
    "earn_back",
    "claim_deadline",
    "plan_sha256",
)
NUMERIC_COLUMNS = frozenset({"revision", "line", "tier", "credit_percent", "amount"})
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")

Key = tuple[str, str]  # contract id, month


@dataclass(frozen=True)
class LedgerRow:
    """One line of a credit note, with the note's number, state and parties."""

    contract_id: str
    customer: str
    provider: str
    period: str
    credit_note: str
    state: str  # draft: evaluated now; closed: as issued at the month's close
    revision: int | None  # the ledger's revision of a closed month
    line: int  # 1-based within the note
    line_kind: str  # credit | minimum | combine | pool | cap | rounding | override
    objective: str
    scope: ScopeKey
    tier: int | None
    tier_text: str
    percent: Decimal | None  # ratio of the fee
    amount: Decimal  # in the currency's minor unit; the rows of a note add up to its credit
    currency: str | None
    minor_unit: int
    override: str  # the id of the override that decided the line; "" none
    description: str
    earn_back: str  # none | pending | waived | due: the note's
    claim_deadline: str | None
    plan_sha256: str


@dataclass(frozen=True)
class Ledger:
    rows: tuple[LedgerRow, ...]
    overrides: tuple[tuple[str, AppliedOverride], ...]  # (contract id, override) the rows name


def ledger_rows(
    results_list: Sequence[tuple[Results, Plan]],
    *,
    issued: Mapping[Key, Issued] | None = None,
    recorded: Mapping[Key, Sequence[Override]] | None = None,
) -> list[LedgerRow]:
    """The ledger of a portfolio, sorted by contract id, month and line: the rows of each
    month's credit note. ``issued``: the months closed in the period ledger; ``recorded``:
    the overrides it holds against each month. Raises ValueError for results paired with
    another contract's plan, or two results of one contract (their notes would share
    numbers)."""
    return list(ledger(results_list, issued=issued, recorded=recorded).rows)


def ledger(
    results_list: Sequence[tuple[Results, Plan]],
    *,
    issued: Mapping[Key, Issued] | None = None,
    recorded: Mapping[Key, Sequence[Override]] | None = None,
) -> Ledger:
    """The rows of :func:`ledger_rows` and the overrides they name."""
    twice = [c for c, n in Counter(r.contract_id for r, _ in results_list).items() if n > 1]
    if twice:
        raise ValueError(
            f"{twice[0]} is given twice: its credit notes would share numbers"
            " (each contract once, over the months wanted)"
        )
    rows: list[LedgerRow] = []
    named: list[tuple[str, AppliedOverride]] = []
    for results, plan in results_list:
        if plan.contract_id != results.contract_id:
            raise ValueError(
                f"results of {results.contract_id!r} paired with the plan of {plan.contract_id!r}"
            )
        for period in results.periods:
            key = (results.contract_id, period.period)
            against = (recorded or {}).get(key, ())
            if not has_note(period, against):
                continue
            closed = (issued or {}).get(key)
            note = period_note(results, plan, period, closed, against)
            plan_sha256 = results.plan_sha256 if closed is None else closed.plan_sha256
            rows.extend(_rows(results, period, note, plan_sha256))
            named.extend((results.contract_id, o) for o in note.overrides)
    rows.sort(key=lambda r: (r.contract_id, r.period, r.line))
    named.sort(key=lambda n: (n[0], n[1].period, n[1].recorded_at, n[1].id))
    return Ledger(tuple(rows), tuple(named))


def period_note(
    results: Results,
    plan: Plan,
    period: PeriodResult,
    issued: Issued | None = None,
    recorded: Sequence[Override] = (),
) -> CreditNote:
    """The credit note of one period of ``results`` (a draft unless ``issued``)."""
    currency = _currency(results, period)
    minor = minor_units(currency) if currency is not None else None
    terms = terms_on(plan, first_day(period.period))
    # The contract's mode rounds the lines as shown; the issued credit was rounded by the judge.
    mode = terms.commercials.rounding.mode if terms is not None else DEFAULT_ROUNDING
    return credit_note(
        period,
        contract_id=results.contract_id,
        minor_unit=DEFAULT_MINOR_UNIT if minor is None else minor,
        mode=mode,
        issued=issued,
        recorded=recorded,
    )


def _currency(results: Results, period: PeriodResult) -> str | None:
    return period.currency if period.currency is not None else results.currency


def _rows(
    results: Results, period: PeriodResult, note: CreditNote, plan_sha256: str
) -> list[LedgerRow]:
    return [
        LedgerRow(
            contract_id=results.contract_id,
            customer=results.customer,
            provider=results.provider,
            period=period.period,
            credit_note=note.number,
            state=note.state,
            revision=note.revision,
            line=line.line,
            line_kind=line.kind,
            objective=line.objective,
            scope=line.scope,
            tier=line.tier,
            tier_text=line.tier_text,
            percent=line.percent,
            amount=line.amount,
            currency=_currency(results, period),
            minor_unit=note.minor_unit,
            override=line.override,
            description=line.description,
            earn_back=note.earn_back,
            claim_deadline=note.claim_deadline,
            plan_sha256=plan_sha256,
        )
        for line in note.lines
    ]


def amount_text(row: LedgerRow) -> str:
    """The amount with exactly the currency's minor-unit digits (``12.50``, JPY ``500``)."""
    if not row.amount.is_finite() or not is_rounded(row.amount, row.minor_unit):
        raise ValueError(
            f"{row.contract_id} {row.period} line {row.line}: the amount {row.amount} has more"
            f" than {row.minor_unit} decimals; the ledger never rounds"
        )
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
        "credit_note": row.credit_note,
        "state": row.state,
        "revision": "" if row.revision is None else str(row.revision),
        "line": str(row.line),
        "line_kind": row.line_kind,
        "objective": row.objective,
        "scope": scope_text(row.scope),
        "tier": "" if row.tier is None else str(row.tier),
        "tier_text": row.tier_text,
        "credit_percent": percent_text(row.percent),
        "amount": amount_text(row),
        "currency": row.currency or "",
        "override": row.override,
        "description": row.description,
        "earn_back": row.earn_back,
        "claim_deadline": row.claim_deadline or "",
        "plan_sha256": row.plan_sha256,
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
        "credit_note": row.credit_note,
        "state": row.state,
        "revision": row.revision,
        "line": row.line,
        "line_kind": row.line_kind,
        "objective": row.objective,
        "scope": {str(k): plain_json(v) for k, v in row.scope},
        "tier": row.tier,
        "tier_text": row.tier_text,
        "credit_percent": None if row.percent is None else percent_text(row.percent),
        "amount": amount_text(row),
        "currency": row.currency,
        "minor_unit": row.minor_unit,
        "override": row.override or None,
        "description": row.description,
        "earn_back": row.earn_back,
        "claim_deadline": row.claim_deadline,
        "plan_sha256": row.plan_sha256,
    }


def json_override(contract_id: str, o: AppliedOverride) -> dict[str, Any]:
    return {
        "id": o.id,
        "contract_id": contract_id,
        "period": o.period,
        "target": o.target,
        "action": o.action,
        "value": o.value,
        "reason": o.reason,
        "author": o.author,
        "recorded_at": o.recorded_at,
        "effect": o.effect,
    }


def to_json(
    rows: Sequence[LedgerRow], overrides: Sequence[tuple[str, AppliedOverride]] = ()
) -> str:
    """The ledger as canonical JSON (sorted keys, amounts as strings), ending in a newline:
    ``{ledger_version, rows, overrides}``, ``overrides`` being those the rows name, in full
    (:attr:`Ledger.overrides`)."""
    return pretty(
        {
            "ledger_version": LEDGER_VERSION,
            "rows": [json_row(r) for r in rows],
            "overrides": [json_override(c, o) for c, o in overrides],
        }
    )
