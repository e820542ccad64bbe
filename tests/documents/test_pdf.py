"""PDF statements (optional extra slac[pdf]): checked by extracting their text."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
ARGS = ("--period", "2026-10", "--today", "2026-11-23", "--format", "pdf")

try:  # WeasyPrint also needs Pango from the system; without either the extra is unusable
    import weasyprint  # noqa: F401

    PDF_READY = ""
except (ImportError, OSError) as exc:
    PDF_READY = f"the pdf extra is not usable here: {exc}"

needs_pdf = pytest.mark.skipif(bool(PDF_READY), reason=PDF_READY or "ready")


def _pdf(tmp_path: Path, name: str) -> bytes:
    target = tmp_path / name
    result = CliRunner().invoke(
        cli, ["statement", CONTRACT, *ARGS, "-o", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return target.read_bytes()


@needs_pdf
def test_pdf_statement_says_what_the_results_say(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    data = _pdf(tmp_path, "s.pdf")
    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    for expected in ("acme-support-2026", "Example Support Ltd", "ACME GmbH", "1,320.00"):
        assert expected in text, expected


@needs_pdf
def test_pdf_is_byte_identical_for_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _pdf(tmp_path, "a.pdf")
    # fontTools stamps embedded font subsets with the current second: render in another one.
    time.sleep(1.1)
    assert _pdf(tmp_path, "b.pdf") == first
    assert "SOURCE_DATE_EPOCH" not in os.environ  # the process's environment is left as it was
