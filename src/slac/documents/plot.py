"""A :class:`~slac.documents.charts.Chart` drawn as inline SVG by matplotlib, the same bytes
for the same chart on every machine.

matplotlib is imported here only, when a chart is drawn, so that commands without a
statement never load it. No pyplot: a ``Figure`` with its own SVG canvas, and the settings
that matter set from matplotlib's defaults for each drawing (a user's ``matplotlibrc`` or
style changes nothing). Deterministic by construction: no date or version in the file, a
fixed ``svg.hashsalt`` for the ids matplotlib derives, and every text measured with the
DejaVu Sans that ships inside matplotlib (``font.sans-serif`` alone would let an installed
copy of another version win on some machines and move the layout).

Text stays text (``svg.fonttype: none``): a label can be selected, searched and read by a
screen reader, the chart is a third of the size of one with glyph outlines, and it prints
crisply. A browser without DejaVu Sans falls back to its sans-serif, which is narrower than
DejaVu Sans on every common system, so labels laid out for DejaVu still fit.
"""

from __future__ import annotations

import html
import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slac.documents.charts import Chart, Point

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.typing import RcKeyType

STATUS_MARKERS: dict[str, dict[str, Any]] = {
    # The face colours are the statement's status colours; a breach is also a different shape,
    # so that it reads without colour.
    "breached": {
        "marker": "X",
        "markersize": 7.5,
        "markerfacecolor": "#cf222e",
        "markeredgecolor": "#ffffff",
        "markeredgewidth": 0.6,
    },
    "insufficient-data": {
        "marker": "o",
        "markersize": 5,
        "markerfacecolor": "#ffffff",
        "markeredgecolor": "#9a6700",
        "markeredgewidth": 1.3,
    },
    "not-applicable": {
        "marker": "s",
        "markersize": 4.5,
        "markerfacecolor": "#ffffff",
        "markeredgecolor": "#6e7781",
        "markeredgewidth": 1.2,
    },
}
# One colour per scope value; none of them is the breach red or the "met" green.
SERIES_COLOURS = ("#0969da", "#bc4c00", "#8250df", "#1b7c83", "#bf3989", "#4d2d00", "#6e7781")
SINGLE_COLOUR = "#0969da"
TARGET_COLOUR = "#57606a"
GRID_COLOUR = "#d0d7de"
TEXT_COLOUR = "#57606a"

WIDTH_IN, HEIGHT_IN, LEGEND_ROW_IN = 3.6, 1.9, 0.17
FONT_SIZE = 7.0
LEGEND_COLUMNS = 3
LEGEND_STYLE = {"handlelength": 1.8, "columnspacing": 1.2}  # in font sizes
ROTATE_FROM = 7  # periods: from this many on, their labels are turned so as not to overlap
DODGE = 0.14  # one period: how far apart (in periods) the scope values' markers stand

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "slac",
    "svg.id": None,
    "text.parse_math": False,  # a "$" in a scope value is a dollar sign, not TeX
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "figure.dpi": 72,
    "savefig.dpi": 72,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": GRID_COLOUR,
    "xtick.color": GRID_COLOUR,
    "ytick.color": GRID_COLOUR,
    "xtick.labelcolor": TEXT_COLOUR,
    "ytick.labelcolor": TEXT_COLOUR,
}
# Without these matplotlib writes the date and its own version into every file.
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}


def chart_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element for an HTML page: no XML prolog, every id prefixed
    with the chart's key (a page holds many charts), labelled for screen readers."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_RC)
        font = FontProperties(
            fname=str(Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")),
            size=FONT_SIZE,
        )
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
        FigureCanvasSVG(figure)
        _draw(figure.add_subplot(), chart, font)
        _legend(figure, _legend_handles(chart), font)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata=_METADATA)
    return _inline(out.getvalue(), chart)


def _draw(axes: Axes, chart: Chart, font: FontProperties) -> None:
    periods = len(chart.periods)
    single = periods == 1
    colours = _colours(chart)

    def x_of(point: Point) -> float:
        if single:  # side by side around the one period, so that none hides another
            return (point.series - (len(chart.series) - 1) / 2) * DODGE
        return float(point.period)

    axes.axhline(float(chart.target), color=TARGET_COLOUR, linewidth=1, linestyle=(0, (4, 3)))
    for series, colour in enumerate(colours):
        mine = [p for p in chart.points if p.series == series]
        if not single:  # a line through the periods, broken where a period has no value
            ys = [math.nan] * periods
            for p in mine:
                ys[p.period] = float(p.measured)
            axes.plot(range(periods), ys, color=colour, linewidth=1.4, zorder=2)
        for status in sorted({p.status for p in mine}):
            style = STATUS_MARKERS.get(
                status,
                {
                    "marker": "o",
                    "markersize": 4.5,
                    "markerfacecolor": colour,
                    "markeredgecolor": "#ffffff",
                    "markeredgewidth": 0.6,
                },
            )
            for number, p in enumerate(chart.points):
                if p.series == series and p.status == status:
                    axes.plot(
                        [x_of(p)],
                        [float(p.measured)],
                        linestyle="none",
                        clip_on=False,  # a value on the axis's edge (100%) shows whole
                        zorder=3,
                        gid=f"point{number}",  # its tooltip goes there
                        **style,
                    )
    if single and len(chart.points) == 1:  # one value: say it beside its marker
        point = chart.points[0]
        axes.annotate(
            point.text,
            (x_of(point), float(point.measured)),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            color=TEXT_COLOUR,
            fontproperties=font,
        )
    axes.set_xlim(*((-0.5, 0.5) if single else (-0.4, periods - 0.6)))
    turned = periods >= ROTATE_FROM
    axes.set_xticks(
        range(periods),
        chart.periods,
        fontproperties=font,
        rotation=45 if turned else 0,
        ha="right" if turned else "center",
        rotation_mode="anchor",
    )
    axes.set_ylim(float(chart.axis.low), float(chart.axis.high))
    axes.set_yticks(
        [float(value) for value, _ in chart.axis.ticks],
        [label for _, label in chart.axis.ticks],
        fontproperties=font,
    )
    axes.tick_params(length=2.5, width=0.6, pad=2)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.5)
    axes.set_axisbelow(True)


def _legend(figure: Figure, handles: list[Line2D], font: FontProperties) -> None:
    """The legend under the plot, in as many columns as fit the figure's width (long scope
    values take fewer), the figure made taller by its rows. The width is worked out from the
    labels' glyphs rather than by drawing the figure once per try, which took longer than
    drawing the chart."""
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    size = font.get_size_in_points()
    entries = [
        (LEGEND_STYLE["handlelength"] + 0.8) * size  # the handle and the pad after it
        + measure.get_text_width_height_descent(str(h.get_label()), font, ismath=False)[0]
        for h in handles
    ]
    for columns in range(min(LEGEND_COLUMNS, len(handles)), 0, -1):
        # matplotlib fills the columns in order, the first ones one entry longer
        rows, longer = divmod(len(entries), columns)
        sizes = [rows + 1] * longer + [rows] * (columns - longer)
        starts = [sum(sizes[:i]) for i in range(columns)]
        width = sum(max(entries[i : i + n]) for i, n in zip(starts, sizes, strict=True))
        width += (columns - 1) * LEGEND_STYLE["columnspacing"] * size + 2 * 0.4 * size
        if width <= WIDTH_IN * 72 - 6:
            break
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=columns,
        frameon=False,
        prop=font,
        **LEGEND_STYLE,
    )
    figure.set_size_inches(WIDTH_IN, HEIGHT_IN + math.ceil(len(handles) / columns) * LEGEND_ROW_IN)


def _colours(chart: Chart) -> list[str]:
    if len(chart.series) == 1:
        return [SINGLE_COLOUR]
    return [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(chart.series))]


def _legend_handles(chart: Chart) -> list[Line2D]:
    """The target, each scope value when there are several, then each status other than met
    that the chart shows."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            color=TARGET_COLOUR,
            linewidth=1,
            linestyle=(0, (4, 3)),
            label=chart.target_label,
        )
    ]
    if len(chart.series) > 1:
        prefix = f"{chart.legend_title}: " if chart.legend_title else ""
        for label, colour in zip(chart.series, _colours(chart), strict=True):
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    linewidth=1.4,
                    marker="o",
                    markersize=4,
                    markeredgecolor="#ffffff",
                    markeredgewidth=0.6,
                    label=prefix + label,
                )
            )
    for status, label in chart.status_labels:
        handles.append(Line2D([], [], linestyle="none", label=label, **STATUS_MARKERS[status]))
    return handles


_TAG = re.compile(r"<[^>]*>")
_POINT = re.compile(r'<g id="point(\d+)">')
_ID = re.compile(r'\s(?:id="([^"]*)")')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]*)')


def _inline(svg: str, chart: Chart) -> str:
    """matplotlib's SVG file as an element of a page: no prolog or metadata, no indentation,
    a tooltip on each point, only the ids something refers to (markers, clip paths),
    prefixed with the chart's key since a page holds many charts. Only tags are rewritten:
    the text between them (scope values, labels) stays as matplotlib escaped it, and the
    texts added here are escaped here."""
    body = svg[svg.index("<svg") :].strip()
    body = _POINT.sub(
        lambda m: f"<g><title>{html.escape(chart.points[int(m.group(1))].tooltip)}</title>", body
    )
    body = re.sub(r"\s*<metadata>.*?</metadata>", "", body, count=1, flags=re.S)
    body = re.sub(r"\n\s+", "\n", body)
    used = {m.group(2) for tag in _TAG.findall(body) for m in _REFERENCE.finditer(tag)}

    def tag(match: re.Match[str]) -> str:
        text = _ID.sub(
            lambda m: f' id="{chart.key}-{m.group(1)}"' if m.group(1) in used else "",
            match.group(),
        )
        return _REFERENCE.sub(rf"\g<1>{chart.key}-\g<2>", text)

    body = _TAG.sub(tag, body)
    return body.replace(
        "<svg ", f'<svg class="chart-svg" role="img" aria-label="{html.escape(chart.label)}" ', 1
    )
