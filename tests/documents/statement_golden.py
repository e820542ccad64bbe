"""The golden HTML statements hold each chart's label, not matplotlib's drawing: its
coordinates change with matplotlib's releases, which CI also tests against. What a chart shows
is tested in test_charts.py, how the page lays out in test_html_in_browser.py."""

from __future__ import annotations

import re

CHART = re.compile(r'<svg class="chart-svg" role="img" (aria-label="[^"]*")[^>]*>.*?</svg>', re.S)


def without_drawings(text: str) -> str:
    """The statement with each chart's SVG replaced by its label, as the golden files hold it."""
    return CHART.sub(r"<svg \1><!-- drawn by matplotlib --></svg>", text)
