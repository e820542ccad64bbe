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
from slac.evaluation.results import ObjectiveResult


@dataclass(frozen=True)
class Point:
    """One measured value: its period (index into :attr:`Chart.periods`) and series."""

    period: int
    series: int
    measured: Decimal
    status: str
    text: str  # the measured value as the statement's tables say it


@dataclass(frozen=True)
class Chart:
    """An objective's chart: exact values; the drawing converts them to floats, nothing else."""

    key: str  # unique within the statement: the SVG's element ids start with it
    title: str
    unit: str
    target: Decimal
    target_text: str  # "≥ 80%"
    periods: tuple[str, ...]
    series: tuple[str, ...]  # one per scope value, in order of first appearance
    legend_title: str  # the scope's field names when every series shares them ("queue")
    points: tuple[Point, ...]
    axis: Axis


def build_chart(
    key: str, periods: Sequence[str], rows: Sequence[tuple[int, ObjectiveResult]]
) -> Chart:
    """The chart of one objective from its results (``rows``: period index and result)."""
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
            format_measured(o.measured, o.unit, o.target),
        )
        for index, o in rows
        if o.measured is not None
    )
    fields = {tuple(field for field, _ in scope) for scope in scopes}
    shared = len(fields) == 1 and () not in fields
    if shared:
        labels = [", ".join(str(value) for _, value in scope) for scope in scopes]
    else:
        labels = [format_scope(scope) or "all" for scope in scopes]
    values = [p.measured for p in points] + [last.target]
    return Chart(
        key=key,
        title=last.title or last.objective,
        unit=last.unit,
        target=last.target,
        target_text=format_target(last.target_op, last.target, last.unit),
        periods=tuple(periods),
        series=tuple(labels),
        legend_title=", ".join(next(iter(fields))) if shared else "",
        points=points,
        axis=value_axis(values, last.unit),
    )
