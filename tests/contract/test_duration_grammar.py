"""One grammar for durations: the published schema and `parse_duration` accept the same texts.

The schema's patterns are built from the grammar in :mod:`slac.contract.units`; if this test
fails after a change to that grammar, write the patterns it prints into
``schemas/contract.schema.json`` (and describe the change in docs/language.md).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from slac import api
from slac.contract import units
from slac.contract.units import Duration, parse_duration

SCHEMA: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "contract.schema.json").read_text("utf-8")
)


def _validator(definition: str) -> Draft202012Validator:
    return Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{definition}"})


DURATION = _validator("duration")
ALLOWANCE = _validator("allowance")

ACCEPTED = {
    "90s": Duration(seconds=Decimal(90)),
    "1.5h": Duration(seconds=Decimal(5400)),
    "0.5d": Duration(seconds=Decimal(43200)),
    "2d 4h": Duration(seconds=Decimal(187200)),
    "2d  4h": Duration(seconds=Decimal(187200)),  # parts are separated by spaces
    "1w": Duration(seconds=Decimal(604800)),
    "0s": Duration(seconds=Decimal(0)),  # zero is a duration; R504 refuses it where it matters
    "PT4H": Duration(seconds=Decimal(14400)),
    "P1DT2H": Duration(seconds=Decimal(93600)),
    "PT1M30S": Duration(seconds=Decimal(90)),
    "PT0.5S": Duration(seconds=Decimal("0.5")),
    "PT0S": Duration(seconds=Decimal(0)),
    "P2W": Duration(seconds=Decimal(1209600)),
    "1 business day": Duration(business_days=Decimal(1), business=True),
    "3 business days": Duration(business_days=Decimal(3), business=True),
    "0 business days": Duration(business_days=Decimal(0), business=True),
    "4 business hours": Duration(seconds=Decimal(14400), business=True),
    "1 business hour": Duration(seconds=Decimal(3600), business=True),
    "90 business minutes": Duration(seconds=Decimal(5400), business=True),
    "123456789012h": Duration(seconds=Decimal(123456789012 * 3600)),
}
REFUSED = [
    # Business durations count whole days, hours or minutes (docs/language.md, "Units").
    "1.5 business days",
    "1.5 business hours",
    "0.5 business minutes",
    "1  business day",
    "1 business  day",
    "1business day",
    "2 business weeks",
    # Spacing, case and spelling.
    " 4h",
    "4h ",
    "4 h",
    "4H",
    "4hours",
    "4 hours",
    "1d\t4h",
    "1:30",
    ".5h",
    "1.h",
    "-4h",
    "4",
    "4x",
    "h",
    "",
    "４h",  # a full-width digit
    # ISO 8601: fractions only on seconds, weeks alone, no months (M is minutes after T).
    "P",
    "PT",
    "P1DT",
    "P1.5D",
    "PT1.5H",
    "P1W2D",
    "P1M",
]


def test_the_schema_patterns_are_the_grammar() -> None:
    defs = SCHEMA["$defs"]
    assert defs["duration"]["pattern"] == units.DURATION_PATTERN
    assert defs["comparison"]["pattern"] == units.COMPARISON_PATTERN
    assert defs["allowance"]["pattern"] == units.ALLOWANCE_PATTERN


@pytest.mark.parametrize("text", list(ACCEPTED))
def test_accepted_by_both(text: str) -> None:
    assert DURATION.is_valid(text)
    assert ALLOWANCE.is_valid(f"{text}/month")
    assert parse_duration(text) == ACCEPTED[text]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_by_both(text: str) -> None:
    assert not DURATION.is_valid(text)
    assert not ALLOWANCE.is_valid(f"{text}/month")
    assert parse_duration(text) is None


def test_a_fraction_of_business_time_is_a_finding(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "contact-centre" / "contract.yaml"
    text = example.read_text("utf-8")
    assert "    within: 1 business day\n" in text
    contract = tmp_path / "contract.yaml"
    contract.write_text(text.replace("within: 1 business day", "within: 1.5 business days"))
    [finding] = api.lint([str(contract)], today=date(2026, 11, 1)).diagnostics
    assert (finding.code, finding.location.line) == (
        "S204",
        text.count("\n", 0, text.index("within: 1 business")) + 1,
    )
    assert finding.message == "'1.5 business days' is not a valid duration"
    assert "'90 business minutes', not '1.5 business hours'" in finding.hint
