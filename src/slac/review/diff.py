"""``slac diff``: two contract versions compiled, compared, and their exposure set side by side,
as text, Markdown (a pull-request comment) or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.plan.explain.credits import money_words
from slac.plan.types import Money, Plan
from slac.review.changes import Change, plan_changes
from slac.review.exposure import Exposure, max_exposure, worst_credit

AREAS = (
    "contract",
    "amendment",
    "objective",
    "exclusion",
    "calendar",
    "fees",
    "credits",
    "chronic failure",
    "escalation",
    "grades",
)
MARKS = {"tighter": "tightened", "looser": "loosened", "changed": "changed"}


@dataclass(frozen=True)
class ContractDiff:
    old: str  # labels: the paths (or REV:PATH) compared
    new: str
    old_version: str
    new_version: str
    contract_id: str
    changes: tuple[Change, ...]
    old_exposure: Exposure
    new_exposure: Exposure
    minor_unit: int

    @property
    def exposure_change(self) -> Decimal | None:
        a, b = self.old_exposure.credit, self.new_exposure.credit
        return None if a is None or b is None else b - a


def diff_plans(old: Plan, new: Plan, old_label: str, new_label: str) -> ContractDiff:
    changes = plan_changes(old, new, worst_credit)
    minor = next(
        (t.commercials.minor_unit for t in new.terms if t.commercials.minor_unit is not None), 2
    )
    return ContractDiff(
        old_label,
        new_label,
        old.version,
        new.version,
        new.contract_id,
        tuple(sorted(changes, key=lambda c: (c.terms_from, AREAS.index(c.area)))),
        max_exposure(old),
        max_exposure(new),
        minor,
    )


def amount_words(diff: ContractDiff, amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "unbounded (no cap limits it)"
    return money_words(Money(amount, currency or "", diff.minor_unit)).strip()


def exposure_amount(diff: ContractDiff, e: Exposure) -> str:
    if e.billed is not None:
        return f"not known from the contract (credits are shares of the charges in “{e.billed}”)"
    return amount_words(diff, e.credit, e.currency)


def exposure_words(diff: ContractDiff, e: Exposure) -> str:
    text = exposure_amount(diff, e)
    if e.credit is not None and e.cap is not None and e.credit < e.combined:
        text += f" (the cap; {amount_words(diff, e.combined, e.currency)} before it)"
    if e.amendment:
        text += f" under amendment {e.amendment}"
    return text


def change_words(diff: ContractDiff) -> str:
    delta = diff.exposure_change
    old, new = diff.old_exposure, diff.new_exposure
    if delta is None:
        if old.billed is not None or new.billed is not None:
            return "not known (fees from billing data)"
        if old.credit is None and new.credit is None:
            return "unchanged (unbounded)"
        return "now unbounded" if new.credit is None else "now bounded"
    if delta == 0:
        return "unchanged"
    sign = "+" if delta > 0 else "-"
    pct = f" ({sign}{abs(delta) * 100 / old.credit:.1f}%)" if old.credit else ""
    return f"{sign}{amount_words(diff, abs(delta), new.currency)}{pct}"


def _line(change: Change) -> tuple[str, str, str]:
    """(mark, subject, words) of one change."""
    subject = " ".join(x for x in (change.area, change.subject) if x)
    if change.what in ("added", "removed"):
        detail = change.new or change.old
        text = change.what + (f": {detail}" if detail else "")
        mark = {"tighter": "tightened", "looser": "loosened"}.get(change.direction, change.what)
        return mark, subject, text
    return (
        MARKS.get(change.direction, change.direction),
        subject,
        f"{change.what}: {change.old or 'none'} → {change.new or 'none'}",
    )


def render_text(diff: ContractDiff) -> str:
    out = [
        f"slac diff {diff.contract_id}: {diff.old} (version {diff.old_version}) → {diff.new} (version {diff.new_version})",
        "",
    ]
    if diff.changes:
        for change in diff.changes:
            mark, subject, text = _line(change)
            several = len({c.terms_from for c in diff.changes if c.terms_from}) > 1
            when = f" [terms from {change.terms_from}]" if several and change.terms_from else ""
            out.append(f"  {mark:<10} {subject}: {text}{when}")
    else:
        out.append("  no change in meaning")
    out += [
        "",
        "Maximum exposure per period:",
        f"  old     {exposure_words(diff, diff.old_exposure)}",
        f"  new     {exposure_words(diff, diff.new_exposure)}",
        f"  change  {change_words(diff)}",
    ]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(diff: ContractDiff) -> str:
    out = [
        f"### slac diff: `{diff.contract_id}` {diff.old_version} → {diff.new_version}",
        "",
        f"Maximum exposure per period: **{_md(change_words(diff))}** "
        f"({_md(exposure_amount(diff, diff.old_exposure))} → "
        f"{_md(exposure_amount(diff, diff.new_exposure))})",
        "",
    ]
    if diff.changes:
        out += ["| | what | change |", "|---|---|---|"]
        for change in diff.changes:
            mark, subject, text = _line(change)
            out.append(f"| {mark} | {_md(subject)} | {_md(text)} |")
    else:
        out.append("No change in meaning.")
    out += [
        "",
        "<details><summary>How the exposure is computed</summary>",
        "",
        "Every objective at its worst tier, for every scope value its dataset lists, combined by "
        "the contract's rule, limited by its pool and cap, minimum and rounding applied "
        "(docs/review.md).",
        "",
        f"- old ({_md(diff.old)}): {_md(exposure_words(diff, diff.old_exposure))}",
        f"- new ({_md(diff.new)}): {_md(exposure_words(diff, diff.new_exposure))}",
        "",
        "</details>",
    ]
    return "\n".join(out) + "\n"


def _money_json(amount: Decimal | None, minor: int) -> str | None:
    return None if amount is None else f"{amount.quantize(Decimal(1).scaleb(-minor)):f}"


def _exposure_json(e: Exposure, minor: int) -> dict[str, Any]:
    return {
        "terms_from": e.terms_from,
        "amendment": e.amendment,
        "month": e.month,
        "currency": e.currency,
        "combine": e.combine,
        "combined": _money_json(e.combined, minor),
        "pool_at_risk": _money_json(e.pool_at_risk, minor),
        "cap": _money_json(e.cap, minor),
        "max_credit": _money_json(e.credit, minor),
        # null: bounded by the contract; else the billing dataset the fees are read from
        # (max_credit is then null: not known from the contract).
        "fees_from": e.billed,
        "objectives": [
            {
                "objective": w.objective,
                "tier": w.tier,
                "tier_text": w.tier_text,
                "worst_credit": None if w.per_scope is None else f"{w.per_scope.normalize():f}",
                "scope_values": w.scopes,
                "per_incident": w.per_incident,
            }
            for w in e.objectives
        ],
    }


def render_json(diff: ContractDiff) -> str:
    body = {
        "old": {"path": diff.old, "version": diff.old_version},
        "new": {"path": diff.new, "version": diff.new_version},
        "contract_id": diff.contract_id,
        "changes": [change.__dict__ for change in diff.changes],
        "exposure": {
            "old": _exposure_json(diff.old_exposure, diff.minor_unit),
            "new": _exposure_json(diff.new_exposure, diff.minor_unit),
            "change": _money_json(diff.exposure_change, diff.minor_unit),
        },
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
