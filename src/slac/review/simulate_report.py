"""``slac simulate`` output: credit-curve tables and scenario tables, as text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from slac.plan.explain.credits import money_words
from slac.plan.types import Money
from slac.review.simulate import Curve, ScenarioResult, Simulation
from slac.wording import COMPARISON_WORDS as COMPARISON
from slac.wording import duration_words, number_words, percent_words

Table = tuple[tuple[str, ...], list[tuple[str, ...]]]


def value_words(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "nothing"
    if unit == "ratio":
        return percent_words(value.quantize(Decimal("0.000001")).normalize())
    if unit == "seconds":
        return duration_words(value.quantize(Decimal(1)))
    return number_words(value)


def _money(sim: Simulation, amount: Decimal | None) -> str:
    if amount is None:
        return "-"
    return money_words(Money(amount, sim.currency or "", sim.minor_unit)).strip()


def curve_table(sim: Simulation, curve: Curve) -> Table:
    rows: list[tuple[str, ...]] = [
        (
            value_words(p.value, curve.unit),
            p.status,
            p.tier_text or "-",
            _money(sim, p.credit),
        )
        for p in curve.points
    ]
    return ("measured", "status", "tier", "credit"), rows


def scenario_table(sim: Simulation, scenario: ScenarioResult) -> Table:
    rows: list[tuple[str, ...]] = [
        (
            o.objective,
            value_words(o.value, o.unit),
            o.status + (f" ({o.reason})" if o.reason else ""),
            _money(sim, o.credit),
        )
        for o in scenario.objectives
    ]
    return ("objective", "measured", "status", "credit"), rows


def period_words(sim: Simulation, scenario: ScenarioResult) -> str:
    p = scenario.period
    text = f"credits combined ({p.combine}) {_money(sim, p.combined)}"
    if p.pool_at_risk is not None:
        text += f", pool {_money(sim, p.pool_at_risk)}" + (" (reached)" if p.pool_capped else "")
    if p.cap is not None:
        text += f", cap {_money(sim, p.cap)}" + (" (reached)" if p.cap_applied else "")
    if p.minimum_applied:
        text += ", below the minimum"
    return text + f" → credit for the period {_money(sim, p.credit)}"


def _heading(curve: Curve) -> str:
    target = f"{COMPARISON[curve.target_op]} {value_words(curve.target, curve.unit)}"
    return (
        f"{curve.objective}" + (f" ({curve.title})" if curve.title else "") + f": target {target}"
    )


def _text_table(table: Table, indent: str = "    ") -> list[str]:
    header, rows = table
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    return lines


def _intro(sim: Simulation) -> str:
    billed = (
        f"; fees by scope value are the charges in “{sim.billed}” (billing data): "
        "without the data, those credits have no amount"
        if sim.billed
        else ""
    )
    return (
        f"{sim.month} under the terms from {sim.terms_from}; "
        f"an objective with a scope is simulated for one scope value{billed}"
    )


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def render_text(sim: Simulation) -> str:
    out = [
        _intro(sim),
        "",
        "Credit curves (each objective alone; its credit before combining and the cap):",
    ]
    for curve in sim.curves:
        out += ["", f"  {_heading(curve)}", *_text_table(curve_table(sim, curve))]
    for scenario in sim.scenarios:
        out += [
            "",
            f"Scenario {scenario.name}: {scenario.description}",
            *_text_table(scenario_table(sim, scenario), "  "),
        ]
        out.append(f"  {period_words(sim, scenario)}")
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(table: Table) -> list[str]:
    header, rows = table
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(sim: Simulation) -> str:
    out = [
        f"## slac simulate: `{sim.contract_id}`",
        "",
        _intro(sim) + ".",
        "",
        "### Credit curves",
        "",
    ]
    for curve in sim.curves:
        out += [f"**{_md_cell(_heading(curve))}**", "", *_md_table(curve_table(sim, curve)), ""]
    for scenario in sim.scenarios:
        out += [f"### Scenario: {scenario.name}", "", f"{_first_upper(scenario.description)}.", ""]
        out += [
            *_md_table(scenario_table(sim, scenario)),
            "",
            _first_upper(_md_cell(period_words(sim, scenario))) + ".",
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _objects(items: Sequence[Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {k: (_dec(v) if isinstance(v, Decimal) else v) for k in keys for v in [getattr(item, k)]}
        for item in items
    ]


def render_json(sim: Simulation) -> str:
    body = {
        "contract_id": sim.contract_id,
        "month": sim.month,
        "terms_from": sim.terms_from,
        "currency": sim.currency,
        "curves": [
            {
                "objective": c.objective,
                "unit": c.unit,
                "target": f"{c.target_op} {_dec(c.target)}",
                "points": _objects(c.points, ("value", "status", "tier", "tier_text", "credit")),
            }
            for c in sim.curves
        ],
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "objectives": _objects(
                    s.objectives, ("objective", "unit", "value", "status", "reason", "credit")
                ),
                "combined": _dec(s.period.combined),
                "cap": _dec(s.period.cap),
                "credit": _dec(s.period.credit),
            }
            for s in sim.scenarios
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
