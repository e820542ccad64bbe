"""The HTML statement, opened in a real browser (headless Chromium), draws a page.

Skipped when no Chromium is installed; `.ci/run` tries to install one.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
RANGE = ("--period", "2026-09", "--through", "2026-11", "--today", "2026-11-23")
WIDTH, HEIGHT = 1000, 1400

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
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={shot}",
        html.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert shot.is_file(), f"no screenshot (exit {run.returncode}):\n{run.stderr[-2000:]}"

    width, height, rows = png_scanlines(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    distinct = set().union(*(set(row) for row in rows))
    assert len(distinct) > 50, f"the page looks blank: only {len(distinct)} distinct byte values"
    assert len(set(rows)) > 10, "the page looks blank: almost every row is the same"
