"""Canonical JSON text is written by orjson, and is byte for byte what the standard library
wrote before: a property over arbitrary canonical data, floats as Python writes them, and
what only the standard library can write (NaN refused, integers past 64 bits)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slac.plan.canonical import compact, pretty, sha256_of, to_json


def _stdlib_compact(data: Any) -> str:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _stdlib_pretty(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# Text without lone surrogates (no UTF-8 file can hold them), control characters included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
DATA = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(DATA)
def test_the_text_is_what_the_standard_library_writes(data: Any) -> None:
    canonical = to_json(data)
    assert compact(canonical) == _stdlib_compact(data)
    assert pretty(canonical) == _stdlib_pretty(data)


@pytest.mark.parametrize("value", [1e16, 1e-05, 0.1, -0.0, 1.7976931348623157e308, 5e-324])
def test_floats_are_written_as_python_writes_them(value: float) -> None:
    assert compact(to_json({"x": [value]})) == '{"x":[' + repr(value) + "]}"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_not_a_number_is_refused(value: float) -> None:
    for write in (compact, pretty, sha256_of):
        with pytest.raises(ValueError, match="not JSON compliant"):
            write(to_json({"x": value}))


def test_integers_past_64_bits_are_written_whole() -> None:
    big = 2**64 + 1
    assert compact({"n": big}) == '{"n":18446744073709551617}'
    assert pretty([big, -big]) == "[\n  18446744073709551617,\n  -18446744073709551617\n]\n"


def test_keys_sort_by_code_point_and_text_stays_unescaped() -> None:
    data = {"é": 1, "z": 2, "Z": 3, "\u2028": 4, "a\x01": "\n\t\x7f€"}
    assert compact(data) == _stdlib_compact(data)
    assert "€" in compact(data) and "\\u0001" in compact(data)
