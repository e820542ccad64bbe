"""The statement's charts: round value axes in the objective's unit, matplotlib's SVG made
deterministic, and what a reader must see (target, legend, breaches, one period, twelve)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from slac.documents.axis import short_duration, value_axis
from slac.documents.charts import Chart, build_chart
from slac.documents.locales import language
from slac.documents.plot import chart_svg
from slac.evaluation.results import ObjectiveResult

ROOT = Path(__file__).resolve().parents[2]
MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 13))
LONG_SECONDS = Decimal("437.3646854204476709013914096")  # a mean handle time, as DuckDB gives it


def result(
    period: str,
    measured: str | None,
    *,
    status: str = "met",
    scope: tuple[tuple[str, object], ...] = (),
    unit: str = "ratio",
    target: str = "0.8",
    op: str = ">=",
    title: str = "Calls answered in 20 s",
) -> ObjectiveResult:
    return ObjectiveResult(
        period=period,
        objective="service-level",
        title=title,
        scope=scope,
        status=status,
        reason="",
        measured=None if measured is None else Decimal(measured),
        unit=unit,
        target_op=op,
        target=Decimal(target),
        sample=100,
        min_sample=0,
        met=0,
        breached=0,
        open=0,
        excluded=(),
        weight=Decimal(1),
        credit=None,
    )


def chart_of(results: Sequence[ObjectiveResult], periods: Sequence[str] | None = None) -> Chart:
    months = list(periods or sorted({r.period for r in results}))
    return build_chart("c1", months, [(months.index(r.period), r) for r in results])


def texts(svg: str) -> list[str]:
    """Every text the SVG shows, unescaped."""
    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def queues() -> list[ObjectiveResult]:
    rows = []
    for month, values in zip(
        MONTHS[8:11], (("0.86", "0.87", "0.75"), ("0.85", "0.88", "0.9")), strict=False
    ):
        for queue, value in zip(("billing", "sales", "technical-support"), values, strict=True):
            status = "met" if Decimal(value) >= Decimal("0.8") else "breached"
            rows.append(result(month, value, status=status, scope=(("queue", queue),)))
    return rows


# ---------------------------------------------------------------- the value axis


def test_ticks_of_a_long_decimal_are_round_durations() -> None:
    axis = value_axis(
        [LONG_SECONDS, Decimal("252.4621445856019358741681791"), Decimal(360)], "seconds"
    )
    labels = [label for _, label in axis.ticks]
    assert labels == ["3 min", "4 min", "5 min", "6 min", "7 min", "8 min"]
    assert axis.low <= Decimal("252.46") and axis.high >= LONG_SECONDS


@pytest.mark.parametrize(
    ("values", "unit", "labels"),
    [
        (["0.9999326599", "0.9889981273", "0.9999"], "ratio", ["98.5%", "99%", "99.5%", "100%"]),
        (["0.999", "0.9999231060"], "ratio", ["99.85%", "99.9%", "99.95%", "100%"]),
        (["1", "1", "0.95"], "ratio", ["94%", "96%", "98%", "100%"]),
        (["4.545454545454545454545454545", "30"], "number", ["0", "10", "20", "30", "40"]),
        (["-20", "30"], "number", ["-40", "-20", "0", "20", "40"]),
        (
            ["12000", "15000"],
            "number",
            ["11000", "12000", "13000", "14000", "15000", "16000"],
        ),
        (["3600", "14400"], "seconds", ["0", "1 h", "2 h", "3 h", "4 h", "5 h"]),
    ],
)
def test_ticks_are_round_in_the_unit(values: list[str], unit: str, labels: list[str]) -> None:
    axis = value_axis([Decimal(v) for v in values], unit)
    assert [label for _, label in axis.ticks] == labels
    assert axis.low == axis.ticks[0][0] and axis.high == axis.ticks[-1][0]


def test_short_durations() -> None:
    assert [short_duration(Decimal(s)) for s in (0, 30, 1800, 5400, 14400, 172800, 259200)] == [
        "0", "30 s", "30 min", "1 h 30 min", "4 h", "48 h", "3 d"
    ]  # fmt: skip
    assert short_duration(Decimal("0.5")) == "0.5 s"


# ---------------------------------------------------------------- what the chart shows


def test_no_label_carries_a_long_decimal() -> None:
    # The issue: "437.3646854204476709013914096 seconds" printed as an axis label, cut off.
    chart = chart_of(
        [
            result(
                "2026-09",
                str(LONG_SECONDS),
                status="breached",
                unit="seconds",
                target="360",
                op="<=",
            ),
            result(
                "2026-10", "252.4621445856019358741681791", unit="seconds", target="360", op="<="
            ),
        ]
    )
    shown = texts(chart_svg(chart))
    assert "4 min" in shown and "7 min" in shown
    for text in shown:
        assert not re.search(r"\d{5,}|\.\d{3,}", text), text
    assert not any("437.36" in text for text in shown)


def test_one_period_shows_target_marker_period_and_value() -> None:
    svg = chart_svg(chart_of([result("2026-10", "0.8682", status="met")]))
    shown = texts(svg)
    assert "2026-10" in shown
    assert "target ≥ 80%" in shown  # the target line's legend entry
    assert "86.82%" in shown  # one value is said beside its marker
    assert len(re.findall(r"stroke-dasharray: 4,3", svg)) >= 2  # the line and its legend sample
    assert _marker_uses(svg, "#0969da") == 1  # one marker, in the series' colour


def test_several_scope_values_have_a_legend_entry_each() -> None:
    svg = chart_svg(chart_of(queues()))
    shown = texts(svg)
    for queue in ("billing", "sales", "technical-support"):
        assert f"queue: {queue}" in shown
    assert "Breached" in shown


def test_one_scope_value_has_no_scope_legend() -> None:
    svg = chart_svg(chart_of([result("2026-09", "0.9"), result("2026-10", "0.85")]))
    assert not any(text.startswith("queue") or text == "all" for text in texts(svg))
    assert "Breached" not in texts(svg)


def test_breaches_are_marked_apart_from_met_points() -> None:
    rows = [
        result("2026-09", "0.9"),
        result("2026-10", "0.7", status="breached"),
        result("2026-11", "0.6", status="breached"),
    ]
    svg = chart_svg(chart_of(rows))
    # two breached markers on the plot and one in the legend, in red; the met one in blue
    assert _marker_uses(svg, "#cf222e") == 3
    assert _marker_uses(svg, "#0969da") == 1
    breach, met = _marker_shape(svg, "#cf222e"), _marker_shape(svg, "#0969da")
    assert breach != met  # a different shape, so it reads without colour


def test_each_point_has_a_tooltip_in_the_statements_language() -> None:
    svg = chart_svg(chart_of(queues()))
    tips = [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)]
    assert len(tips) == len(queues())
    assert "2026-09 queue: technical-support: 75.00% (breached)" in tips
    german = chart_svg(build_chart("c1", ["2026-09"], [(0, queues()[2])], language("de")))
    assert "2026-09 queue: technical-support: 75,00 % (nicht erfüllt)" in html.unescape(german)
    assert "Nicht erfüllt" in texts(german)  # the legend's word for a breach
    assert "75,00 %" in texts(german)  # one value, said beside its marker


def test_twelve_periods_turn_their_labels() -> None:
    rows = [result(month, "0.9") for month in MONTHS]
    svg = chart_svg(chart_of(rows))
    assert [t for t in texts(svg) if t.startswith("2026-")] == list(MONTHS)
    assert svg.count("rotate(-45") == 12


def test_user_text_is_escaped_and_not_read_as_tex() -> None:
    evil = '<script>alert("x")</script> & $x^2$'
    rows = [
        result("2026-09", "0.9", scope=(("queue", evil),)),
        result("2026-09", "0.7", scope=(("queue", "b"),), status="breached"),
    ]
    svg = chart_svg(chart_of(rows))
    assert "<script" not in svg
    assert f"queue: {evil}" in texts(svg)


def test_ids_are_unique_per_chart_and_every_reference_resolves() -> None:
    rows = queues()
    months = sorted({r.period for r in rows})
    first = chart_svg(chart_of(rows))
    second = chart_svg(build_chart("c2", months, [(months.index(r.period), r) for r in rows]))
    ids_first = set(re.findall(r'\sid="([^"]+)"', first))
    ids_second = set(re.findall(r'\sid="([^"]+)"', second))
    assert ids_first and not ids_first & ids_second
    for svg, ids in ((first, ids_first), (second, ids_second)):
        assert set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg)) == ids


# ---------------------------------------------------------------- deterministic


def test_the_svg_has_no_date_or_version() -> None:
    import matplotlib

    svg = chart_svg(chart_of(queues()))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<metadata" not in svg and "dc:date" not in svg
    assert not re.search(r"\d{4}-\d{2}-\d{2}", svg)  # no date; the months are 2026-09 …
    assert matplotlib.__version__ not in svg and "Matplotlib" not in svg


def test_the_same_chart_gives_the_same_bytes_in_another_process() -> None:
    here = chart_svg(chart_of(queues()))
    assert chart_svg(chart_of(queues())) == here
    code = (
        "import sys; from tests.documents.test_charts import chart_of, queues;"
        "from slac.documents.plot import chart_svg;"
        "sys.stdout.write(chart_svg(chart_of(queues())))"
    )
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout
    assert other == here


def test_a_user_matplotlibrc_changes_nothing(tmp_path: Path) -> None:
    here = chart_svg(chart_of(queues()))
    (tmp_path / "matplotlibrc").write_text(
        "font.family: serif\nfont.size: 20\naxes.prop_cycle: cycler('color', ['ff0000'])\n"
        "svg.fonttype: path\nsvg.hashsalt: other\naxes.facecolor: ff0000\n"
        "figure.facecolor: 00ff00\ngrid.linestyle: --\naxes.linewidth: 3\n",
        encoding="utf-8",
    )
    code = (
        "import sys; from tests.documents.test_charts import chart_of, queues;"
        "from slac.documents.plot import chart_svg;"
        "sys.stdout.write(chart_svg(chart_of(queues())))"
    )
    env = {
        **os.environ,
        "MPLCONFIGDIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout
    assert other == here


def test_matplotlib_is_not_imported_to_lint_or_evaluate() -> None:
    contract = str(ROOT / "examples" / "customer-support" / "contract.yaml")
    code = (
        "import sys, datetime, slac.cli; from slac.api import lint, evaluate;"
        f"lint([{contract!r}]);"
        f"evaluate({contract!r}, period='2026-10', today=datetime.date(2026, 11, 1));"
        "print('matplotlib' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.strip() == "False"


# ---------------------------------------------------------------- helpers


def _marker_uses(svg: str, colour: str) -> int:
    """How many markers (``<use>`` of a marker path) are filled with ``colour``."""
    return len(re.findall(rf'<use [^>]*style="fill: {colour}', svg))


def _marker_shape(svg: str, colour: str) -> str:
    """The path of the marker filled with ``colour``."""
    ref = re.search(rf'<use xlink:href="#([^"]+)"[^>]*style="fill: {colour}', svg)
    assert ref, colour
    path = re.search(rf'id="{ref.group(1)}" d="([^"]+)"', svg)
    assert path
    return path.group(1)


@pytest.mark.parametrize(("fmt", "drawn"), [("md", False), ("txt", False), ("html", True)])
def test_matplotlib_runs_only_for_statements_that_show_charts(fmt: str, drawn: bool) -> None:
    # Markdown and text statements show no chart: drawing them cost a second of matplotlib.
    code = (
        "import sys\n"
        "from slac import api\n"
        "r = api.statement('examples/customer-support/contract.yaml', period='2026-10', "
        f"fmt={fmt!r})\n"
        "assert r.value, r.errors\n"
        "print('matplotlib' in sys.modules, '<svg' in str(r.value))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(drawn), str(drawn)]
