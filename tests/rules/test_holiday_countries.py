"""R713 asks the `holidays` package for its countries only for a contract that names one: the
list imports every country's module (about 0.08 s of each `slac` start-up). That an unknown
country is still found is the rule's own cases' (tests/rules/cases/R713.yaml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from slac.contract.checker import Checker
from slac.contract.rules import time as time_rules
from slac.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]


def _codes(path: Path) -> list[str]:
    checked = Checker(KINDS, date(2026, 12, 1)).check_file(str(path))
    return [d.code for d in checked.diagnostics]


def test_a_contract_without_holidays_never_lists_the_countries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse() -> dict[str, list[str]]:
        raise AssertionError("the holiday countries were listed")

    monkeypatch.setattr(time_rules, "_countries", refuse)
    path = ROOT / "examples" / "hosting-availability" / "contract.yaml"
    assert "holidays" not in path.read_text(encoding="utf-8")
    assert _codes(path) == []
