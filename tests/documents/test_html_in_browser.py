"""The HTML statement, opened in a real browser (headless Chromium): every example's statement
draws a page, and nothing on it is wider than the printed column on A4 or US Letter.

Skipped when no Chromium is installed; `.ci/run` tries to install one.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac.api import compile_plan, evaluate
from slac.cli import cli
from slac.documents.statements import render_statement
from slac.documents.view import statement_view

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
RANGE = ("--period", "2026-09", "--through", "2026-11", "--today", "2026-11-23")
WIDTH, HEIGHT = 1000, 1400
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/contract.yaml"))
# The page's printable width in CSS pixels (96 per inch) with the statement's 15 mm margins:
# the window is that wide, so the body lays out as on paper (A4 is the narrower).
PAPERS = {"A4": round((210 - 2 * 15) / 25.4 * 96), "Letter": round((8.5 * 25.4 - 30) / 25.4 * 96)}
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",  # or the scroll bar takes 15 px of the page's width
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BYTES_PER_PIXEL = {2: 3, 6: 4}  # colour type -> bytes per pixel at bit depth 8 (RGB, RGBA)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed: neither `chromium` nor `chromium-browser` is on PATH")


def png_scanlines(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the (still filtered) scanlines of an 8-bit RGB/RGBA non-interlaced PNG.

    Each scanline is returned without its leading filter-type byte but is NOT unfiltered:
    a "not blank" check only needs to see varied bytes, and a uniform image stays uniform
    (a few distinct values) under every PNG filter, so reversing the filters is not needed.
    """
    assert data.startswith(PNG_SIGNATURE), "not a PNG file"
    pos, header, idat = len(PNG_SIGNATURE), b"", []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r} chunk"
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    assert depth == 8 and colour in BYTES_PER_PIXEL and interlace == 0, (depth, colour, interlace)
    raw = zlib.decompress(b"".join(idat))
    stride = 1 + width * BYTES_PER_PIXEL[colour]
    assert len(raw) == height * stride, "pixel data does not match the IHDR size"
    return width, height, [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]


def test_html_statement_renders_in_chromium(tmp_path: Path) -> None:
    browser = chromium()
    html = tmp_path / "statement.html"
    result = CliRunner().invoke(
        cli,
        ["statement", CONTRACT, *RANGE, "--format", "html", "-o", str(html)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    profile.mkdir()
    command = [
        browser,
        *BROWSER_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={shot}",
        html.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert shot.is_file(), f"no screenshot (exit {run.returncode}):\n{run.stderr[-2000:]}"

    assert_not_blank(shot, WIDTH, HEIGHT)


def assert_not_blank(shot: Path, width: int, height: int) -> None:
    assert shot.is_file(), f"no screenshot at {shot}"
    assert png_scanlines(shot.read_bytes())[:2] == (width, height)
    rows = png_scanlines(shot.read_bytes())[2]
    distinct = set().union(*(set(row) for row in rows))
    assert len(distinct) > 50, f"the page looks blank: only {len(distinct)} distinct byte values"
    assert len(set(rows)) > 10, "the page looks blank: almost every row is the same"


# Measures the page as laid out, once with the screen's styles and once with the print styles
# applied (the same rules with "@media print" read as "@media all"), and writes the verdict into
# the page, which --dump-dom returns: every element whose box passes the body's content box,
# and every text of a chart that its SVG cuts off (an axis label too long for its margin).
MEASURE = r"""
<script>
(function () {
  function name(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    var cls = el.getAttribute("class");
    if (cls) s += "." + cls.trim().split(/\s+/).join(".");
    var part = el.closest("section, header, footer, figure");
    var head = part && part.querySelector("h1, h2, figcaption");
    if (head) s += " in '" + head.textContent.trim().replace(/\s+/g, " ").slice(0, 50) + "'";
    var text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return text ? s + ": " + text : s;
  }
  function measure() {
    var body = document.body, cs = getComputedStyle(body), box = body.getBoundingClientRect();
    var left = box.left + parseFloat(cs.paddingLeft) + parseFloat(cs.borderLeftWidth);
    var right = box.right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth);
    var wide = [], cut = [], all = body.querySelectorAll("*");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.tagName === "SCRIPT") continue;
      var r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      var over = Math.max(r.right - right, left - r.left);
      if (over > 0.5) wide.push([name(el), Math.round(over * 10) / 10]);
      var svg = el.tagName === "text" && el.ownerSVGElement;
      if (svg) {
        var s = svg.getBoundingClientRect();
        var out = Math.max(s.left - r.left, r.right - s.right, s.top - r.top, r.bottom - s.bottom);
        if (out > 0.5) cut.push([name(el), Math.round(out * 10) / 10]);
      }
    }
    var root = document.documentElement;
    return {
      content_width: Math.round((right - left) * 10) / 10,
      scroll_width: root.scrollWidth, client_width: root.clientWidth,
      text: (body.innerText || "").length,
      charts: Array.prototype.map.call(document.querySelectorAll("figure.chart svg"), function (s) {
        var r = s.getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height), s.querySelectorAll("path, use, circle, line, polyline, rect").length];
      }),
      wide: wide, cut: cut
    };
  }
  var verdict = {screen: measure()};
  var styles = document.querySelectorAll("style");
  for (var i = 0; i < styles.length; i++) {
    var copy = document.createElement("style");
    copy.className = "as-printed";
    copy.textContent = styles[i].textContent.replace(/@media print/g, "@media all");
    document.head.appendChild(copy);
  }
  verdict.print = measure();
  var pre = document.createElement("pre");
  pre.id = "verdict";
  pre.textContent = JSON.stringify(verdict);
  document.documentElement.appendChild(pre);
})();
</script>
"""


@cache
def statement_html(example: str, locale: str = "en") -> str:
    """The example's HTML statement over 2026-09 … 2026-11, as the golden files have it."""
    contract = str(ROOT / "examples" / example / "contract.yaml")
    today = date(2026, 11, 1)
    results = evaluate(contract, period="2026-09", through="2026-11", today=today).value
    plan = compile_plan(contract, today=today).value
    assert results is not None and plan is not None
    return render_statement(statement_view(results, plan, locale), "html")


def measured(browser: str, page: str, width: int, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """The verdict of :data:`MEASURE` on ``page`` in a window ``width`` CSS pixels wide, and a
    screenshot of the window (one Chromium run does both)."""
    assert page.count("</body>") == 1
    path = tmp_path / f"measured-{width}.html"
    path.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    profile = tmp_path / f"profile-{width}"
    profile.mkdir()
    command = [
        browser,
        *BROWSER_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={width},{HEIGHT}",
        f"--screenshot={tmp_path / 'shot.png'}",
        "--dump-dom",
        path.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    found = re.search(r'<pre id="verdict">(.*?)</pre>', run.stdout, re.S)
    assert found, f"no verdict from Chromium (exit {run.returncode}):\n{run.stderr[-2000:]}"
    verdict: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return verdict, tmp_path / "shot.png"


def _listed(items: list[list[Any]]) -> str:
    worst = sorted(items, key=lambda item: -item[1])[:8]
    more = f"\n  … and {len(items) - len(worst)} more" if len(items) > len(worst) else ""
    return "".join(f"\n  {over} px: {what}" for what, over in worst) + more


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_statement_fits_the_page(example: str, paper: str, tmp_path: Path) -> None:
    _check_fits(example, "en", paper, tmp_path)


@pytest.mark.parametrize("example", EXAMPLES)
def test_german_statement_fits_the_page(example: str, tmp_path: Path) -> None:
    """German words are longer (Servicegutschriften, Mindeststichprobe): on the narrower
    paper, A4, they must fit too."""
    _check_fits(example, "de", "A4", tmp_path)


def _check_fits(example: str, locale: str, paper: str, tmp_path: Path) -> None:
    browser = chromium()
    width = PAPERS[paper]
    verdict, shot = measured(browser, statement_html(example, locale), width, tmp_path)
    assert_not_blank(shot, width, HEIGHT)
    for media in ("screen", "print"):
        seen = verdict[media]
        where = f"{example} ({locale}) on {paper} ({width} px, {media} styles)"
        assert seen["text"] > 2000, f"{where}: the page looks blank ({seen['text']} characters)"
        assert seen["charts"], f"{where}: no chart"
        for chart_width, chart_height, marks in seen["charts"]:
            assert chart_width > 200 and chart_height > 100 and marks >= 3, (where, seen["charts"])
        assert not seen["wide"], f"{where}: wider than the page's column:" + _listed(seen["wide"])
        assert seen["scroll_width"] <= seen["client_width"], (where, seen)
        assert not seen["cut"], f"{where}: chart text cut off by its SVG:" + _listed(seen["cut"])
