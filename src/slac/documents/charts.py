"""Each objective's measured values over the periods evaluated, laid out for an SVG chart in
the statement (coordinates as strings, so templates only place them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from slac.documents.formatting import (
    format_measured,
    format_percent,
    format_scope,
    format_target,
    format_value,
)
from slac.documents.locales import N_, Language, language
from slac.evaluation.results import ObjectiveResult, Results
from slac.plan.types import Terms

# Chart geometry, in SVG user units.
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 320, 120, 48, 12, 10, 22
COLOURS = {
    "met": "#1a7f37",
    "breached": "#cf222e",
    "insufficient-data": "#9a6700",
    "not-applicable": "#6e7781",
}

# A dot's tooltip names its status as results do; other languages say it in words.
STATUS_WORDS = {
    "met": N_("met"),
    "breached": N_("breached"),
    "insufficient-data": N_("insufficient-data"),
    "not-applicable": N_("not-applicable"),
}


def _coordinate(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN):f}"


def objective_charts(
    results: Results,
    terms: Sequence[Terms],
    names: Mapping[str, str],
    lang: Language | None = None,
) -> list[dict[str, Any]]:
    """Per objective: its measured values over the periods evaluated, laid out for an SVG."""
    lang = lang or language()
    months = [p.period for p in results.periods]
    responsible = {
        o.id: names.get(o.responsible, o.responsible) for t in terms for o in t.objectives
    }
    order: list[str] = []
    rows: dict[str, list[tuple[int, ObjectiveResult]]] = {}
    for index, period in enumerate(results.periods):
        for o in period.objectives:
            if o.objective not in rows:
                order.append(o.objective)
                rows[o.objective] = []
            rows[o.objective].append((index, o))
    charts = []
    for objective_id in order:
        points = rows[objective_id]
        first = points[-1][1]
        values = [o.measured for _, o in points if o.measured is not None] + [first.target]
        low, high = min(values), max(values)
        if low == high:
            low, high = low - (abs(low) or Decimal(1)) / 10, high + (abs(high) or Decimal(1)) / 10
        span = high - low
        low, high = low - span / 10, high + span / 10
        if first.unit == "ratio":  # a share stays within 0% … 100%
            low, high = max(low, Decimal(0)), min(high, Decimal(1))
        plot_w, plot_h = Decimal(WIDTH - LEFT - RIGHT), Decimal(HEIGHT - TOP - BOTTOM)

        def x_of(index: int, plot_w: Decimal = plot_w) -> Decimal:
            if len(months) == 1:
                return LEFT + plot_w / 2
            return LEFT + plot_w * index / (len(months) - 1)

        def y_of(
            value: Decimal, low: Decimal = low, high: Decimal = high, plot_h: Decimal = plot_h
        ) -> Decimal:
            return TOP + plot_h * (high - value) / (high - low)

        series: dict[str, list[dict[str, str]]] = {}
        dots = []
        for index, o in points:
            if o.measured is None:
                continue
            x, y = _coordinate(x_of(index)), _coordinate(y_of(o.measured))
            series.setdefault(format_scope(o.scope), []).append({"x": x, "y": y})
            dots.append(
                {
                    "x": x,
                    "y": y,
                    "colour": COLOURS.get(o.status, "#6e7781"),
                    "label": f"{months[index]} {format_scope(o.scope)}: "
                    f"{format_measured(o.measured, o.unit, o.target, lang)} "
                    f"({lang.gettext(STATUS_WORDS.get(o.status, o.status))})".replace(" :", ":"),
                }
            )
        charts.append(
            {
                "id": objective_id,
                "title": first.title or objective_id,
                "target": format_target(first.target_op, first.target, first.unit, lang),
                "unit": first.unit,
                "responsible": responsible.get(objective_id, ""),
                "chart": {
                    "width": str(WIDTH),
                    "height": str(HEIGHT),
                    "left": str(LEFT),
                    "right": str(WIDTH - RIGHT),
                    "top": str(TOP),
                    "plot_width": str(WIDTH - LEFT - RIGHT),
                    "plot_height": str(HEIGHT - TOP - BOTTOM),
                    "bottom": str(HEIGHT - BOTTOM),
                    "target_y": _coordinate(y_of(first.target)),
                    "high_label": format_value(high, first.unit, lang=lang)
                    if first.unit != "ratio"
                    else format_percent(high, 2, lang),
                    "low_label": format_value(low, first.unit, lang=lang)
                    if first.unit != "ratio"
                    else format_percent(low, 2, lang),
                    "months": [
                        {"x": _coordinate(x_of(i)), "label": month}
                        for i, month in enumerate(months)
                    ],
                    "lines": [
                        " ".join(f"{p['x']},{p['y']}" for p in line)
                        for line in series.values()
                        if len(line) > 1
                    ],
                    "dots": dots,
                },
            }
        )
    return charts
