"""Each objective's measured values over the periods of a statement, as a chart: a series per
scope value, exact ``Decimal`` values and a round value axis (:class:`Chart`), for
:mod:`slac.documents.plot` to draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.documents.axis import Axis, value_axis
from slac.documents.formatting import format_measured, format_scope, format_target
from slac.documents.locales import N_, Language, language
from slac.evaluation.results import ObjectiveResult

# A marker's tooltip names its status as results do; other languages say it in words.
STATUS_WORDS = {
    "met": N_("met"),
    "breached": N_("breached"),
    "insufficient-data": N_("insufficient-data"),
    "not-applicable": N_("not-applicable"),
}
# The legend's words for the statuses a chart marks apart (met is the series' own marker).
STATUS_LEGEND = {
    "breached": N_("Breached"),
    "insufficient-data": N_("Insufficient data"),
    "not-applicable": N_("Not applicable"),
}


@dataclass(frozen=True)
class Point:
    """One measured value: its period (index into :attr:`Chart.periods`) and series."""

    period: int
    series: int
    measured: Decimal
    status: str
    text: str  # the measured value as the statement's tables say it
    tooltip: str  # "2026-10 queue: sales: 86.82% (met)"


@dataclass(frozen=True)
class Chart:
    """An objective's chart: exact values and every text already in the statement's language;
    the drawing converts the values to floats and places the texts, nothing else."""

    key: str  # unique within the statement: the SVG's element ids start with it
    title: str
    unit: str
    target: Decimal
    target_text: str  # "≥ 80%"
    target_label: str  # "target ≥ 80%", the target line's legend entry
    label: str  # what the chart shows, for screen readers
    periods: tuple[str, ...]
    series: tuple[str, ...]  # one per scope value, in order of first appearance
    legend_title: str  # the scope's field names when every series shares them ("queue")
    points: tuple[Point, ...]
    status_labels: tuple[tuple[str, str], ...]  # (status, legend entry) for those shown apart
    axis: Axis


def build_chart(
    key: str,
    periods: Sequence[str],
    rows: Sequence[tuple[int, ObjectiveResult]],
    lang: Language | None = None,
) -> Chart:
    """The chart of one objective from its results (``rows``: period index and result), its
    texts in ``lang`` (English by default)."""
    lang = lang or language()
    last = rows[-1][1]  # the latest terms set the title and the target line
    scopes: list[tuple[tuple[str, Any], ...]] = []
    for _, o in rows:
        if tuple(o.scope) not in scopes:
            scopes.append(tuple(o.scope))
    points = tuple(
        Point(
            index,
            scopes.index(tuple(o.scope)),
            o.measured,
            o.status,
            format_measured(o.measured, o.unit, o.target, lang),
            f"{periods[index]} {format_scope(o.scope)}: "
            f"{format_measured(o.measured, o.unit, o.target, lang)} "
            f"({lang.gettext(STATUS_WORDS.get(o.status, o.status))})".replace(" :", ":"),
        )
        for index, o in rows
        if o.measured is not None
    )
    fields = {tuple(field for field, _ in scope) for scope in scopes}
    shared = len(fields) == 1 and () not in fields
    if shared:
        labels = [", ".join(str(value) for _, value in scope) for scope in scopes]
    else:
        labels = [format_scope(scope) or "–" for scope in scopes]  # "–" as the tables say
    title = last.title or last.objective
    target = format_target(last.target_op, last.target, last.unit, lang)
    shown = {p.status for p in points}
    return Chart(
        key=key,
        title=title,
        unit=last.unit,
        target=last.target,
        target_text=target,
        target_label=lang.gettext("target %(target)s") % {"target": target},
        label=lang.gettext("%(title)s: measured against target %(target)s")
        % {"title": title, "target": target},
        periods=tuple(periods),
        series=tuple(labels),
        legend_title=", ".join(next(iter(fields))) if shared else "",
        points=points,
        status_labels=tuple(
            (status, lang.gettext(label))
            for status, label in STATUS_LEGEND.items()
            if status in shown
        ),
        axis=value_axis([p.measured for p in points] + [last.target], last.unit, lang),
    )
