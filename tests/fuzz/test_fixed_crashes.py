"""Crashes found by fuzzing and fixed, end to end through lint (the loader's own tests are in
tests/contract/test_source.py, the data's in tests/evaluation/test_bad_data.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slac import api

from .contracts import ROOT
from .harness import TODAY

BASE = (ROOT / "tests" / "rules" / "base.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("number", ["9" * 4301, "-" + "9" * 5000, "1e400"])
def test_a_number_python_cannot_hold_is_a_finding(tmp_path: Path, number: str) -> None:
    # Was: ValueError (int() of more than 4,300 digits) escaping lint; 1e400 became infinity.
    assert "    min_sample: 10\n" in BASE
    path = tmp_path / "contract.yaml"
    path.write_text(BASE.replace("min_sample: 10", f"min_sample: {number}"), encoding="utf-8")
    (finding,) = api.lint([str(path)], today=TODAY).diagnostics
    assert (finding.code, finding.location.line) == ("S203", 86)
    assert finding.message.startswith("expected a whole number, found '")
    assert len(finding.message) < 200
    if len(number) > 100:
        assert "a number this long is read as text" in finding.hint
