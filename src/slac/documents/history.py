"""``slac history``: a contract's ledger for people (text) or programs (canonical JSON).

Both list every stored revision of every closed period (oldest period first, then revision),
with the revision in force marked, and every override (oldest first). Deterministic: the same
ledger prints the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from slac.contract.currencies import minor_units
from slac.ledger.model import ClosedPeriod, Override
from slac.ledger.records import override_text
from slac.plan.canonical import decimal_text, money_text, pretty

HISTORY_VERSION = 1
DEFAULT_MINOR_UNIT = 2


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: Decimal, currency: str | None) -> str:
    minor = minor_units(currency) if currency else None
    text = money_text(amount, DEFAULT_MINOR_UNIT if minor is None else minor)
    return f"{text} {currency}" if currency else text


def _in_force(periods: Sequence[ClosedPeriod]) -> set[tuple[str, int]]:
    latest: dict[str, int] = {}
    for record in periods:
        latest[record.period] = max(latest.get(record.period, 0), record.revision)
    return set(latest.items())


def history_json(
    contract_id: str, periods: Sequence[ClosedPeriod], overrides: Sequence[Override]
) -> str:
    in_force = _in_force(periods)
    data: dict[str, Any] = {
        "history_version": HISTORY_VERSION,
        "contract_id": contract_id,
        "periods": [
            {
                "period": p.period,
                "revision": p.revision,
                "state": p.state,
                "in_force": (p.period, p.revision) in in_force,
                "closed_at": _when(p.closed_at),
                "closed_by": p.closed_by,
                "reason": p.reason,
                "total_credit": decimal_text(p.total_credit),
                "currency": p.currency,
                "credit_lines": [
                    {
                        "line": line.line,
                        "objective": line.objective,
                        "scope": line.scope,
                        "tier": line.tier,
                        "percent": None if line.percent is None else decimal_text(line.percent),
                        "amount": decimal_text(line.amount),
                        "dropped": line.dropped,
                    }
                    for line in p.credit_lines
                ],
                "plan_sha256": p.plan_sha256,
                "source_sha256": p.source_sha256,
                "inputs_sha256": p.inputs_sha256,
                "results_sha256": p.results_sha256,
                "slac_version": p.slac_version,
            }
            for p in sorted(periods, key=lambda p: (p.period, p.revision))
        ],
        "overrides": [
            {
                "id": o.id,
                "period": o.period,
                "target": o.target,
                "action": o.action,
                "value": o.value,
                "reason": o.reason,
                "author": o.author,
                "created_at": _when(o.created_at),
            }
            for o in sorted(overrides, key=lambda o: (o.created_at, o.id))
        ],
    }
    return pretty(data)


def history_text(
    contract_id: str, periods: Sequence[ClosedPeriod], overrides: Sequence[Override]
) -> str:
    in_force = _in_force(periods)
    out = [f"Ledger of {contract_id}", ""]
    if not periods:
        out.append("No closed periods.")
    else:
        rows: list[tuple[str, ...]] = [
            ("period", "rev", "state", "closed (UTC)", "by", "credit", "reason")
        ]
        for p in sorted(periods, key=lambda p: (p.period, p.revision)):
            state = p.state if (p.period, p.revision) in in_force else f"{p.state}, superseded"
            rows.append(
                (
                    p.period,
                    str(p.revision),
                    state,
                    _when(p.closed_at),
                    p.closed_by,
                    _money(p.total_credit, p.currency),
                    p.reason or "",
                )
            )
        out.extend(_table(rows))
    out.append("")
    if not overrides:
        out.append("No overrides.")
    else:
        out.append("Overrides")
        listed: list[tuple[str, ...]] = [("period", "recorded (UTC)", "by", "override", "reason")]
        for o in sorted(overrides, key=lambda o: (o.created_at, o.id)):
            listed.append((o.period, _when(o.created_at), o.author, override_text(o), o.reason))
        out.extend(_table(listed))
    return "\n".join(out) + "\n"


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
