"""Canonical JSON for plans and results: the same value gives the same bytes everywhere.

Sorted keys, no insignificant whitespace in the hashed form, decimals as strings in their
shortest exact form, no NaN, UTF-8. Written files are indented for people; the hash is taken
over the compact form, so indentation never changes it.

The text is written by orjson: the standard library's encoder runs in Python whenever it
indents (2.7 s for the 27 MB of results of a million tickets, against 0.05 s), and the
indented file is what every evaluation writes. Both give the same bytes for what canonical
data holds (strings, integers, booleans, null, lists, objects with string keys). A float,
which only a condition value written as a YAML number brings, leaves :func:`to_json` as a
:class:`CanonicalFloat` and is written by Python's ``repr`` as before, so plans hash as they
did, and NaN or infinity is refused. Anything else orjson does not write (an integer past 64
bits, a key that is not a string) is written by the standard library, which raises what it
always raised. Give :func:`compact` and :func:`pretty` what :func:`to_json` makes: a plain
float would be written in orjson's own shortest form (``1e16``), and NaN as null.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from decimal import Decimal
from typing import Any

import orjson

from slac.plan.money import round_money
from slac.plan.types import Money

# Fields (Class.field) held as tuples of (name, value) pairs in memory, written as JSON objects.
MAPPING_FIELDS = frozenset(
    {
        "Calendar.weekly",
        "Commercials.service_fees",
        "Pool.allocations",
        "Metric.params",
        "Exclusion.maintenance_fields",
        "Source.files",
        "Plan.extensions",
        "Measurement.scope",
        "ObjectiveResult.scope",
        "CreditLine.scope",
    }
)


def decimal_text(value: Decimal) -> str:
    """``Decimal("0.9500")`` → ``"0.95"``; ``Decimal("3.6E+3")`` → ``"3600"``."""
    if not value:
        return "0"
    return format(value.normalize(), "f")


def money_text(amount: Decimal, minor_unit: int) -> str:
    """An amount with exactly the currency's decimals: 12000 EUR → "12000.00", JPY → "500"."""
    return format(round_money(amount, minor_unit), "f")


_LEAVES = (str, int, bool, float, type(None))
_FIELD_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def _field_names(cls: type) -> tuple[tuple[str, str], ...]:
    """(field, Class.field) of a dataclass, looked up once per class: results hold hundreds of
    thousands of nodes, and ``dataclasses.fields`` is slow."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = tuple((f.name, f"{cls.__name__}.{f.name}") for f in dataclasses.fields(cls))
        _FIELD_NAMES[cls] = names
    return names


_PLAIN = frozenset({str, int, bool, type(None)})  # written as they are (exact types only)


def to_json(value: Any, name: str = "") -> Any:
    """Plain JSON data for a plan (or any tree of frozen dataclasses)."""
    names = _FIELD_NAMES.get(type(value))
    if names is not None:  # a dataclass met before: the bulk of a large results tree
        return _dataclass_json(value, names)
    # Floats only come from condition values written as YAML numbers (`score: 4.5`); Python
    # prints them in the shortest form that reads back exactly, the same on every machine.
    if type(value) is float:
        return CanonicalFloat(value)
    if isinstance(value, _LEAVES):
        return value
    if isinstance(value, Money):
        return {
            "amount": money_text(value.amount, value.minor_unit),
            "currency": value.currency,
            "minor_unit": value.minor_unit,
        }
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, tuple | list):
        if name in MAPPING_FIELDS:
            return {str(k): to_json(v) for k, v in value}
        return [v if type(v) in _PLAIN else to_json(v) for v in value]
    if isinstance(value, dict):
        # User data (extensions, params): its keys are never taken for field names.
        return {str(k): to_json(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_json(value, _field_names(type(value)))
    return value


def _dataclass_json(value: Any, names: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    # Plain leaves are written here rather than through a call each: a million tickets' results
    # are 1.7 million nodes, most of them strings and integers.
    out: dict[str, Any] = {}
    for field, qualified in names:
        item = getattr(value, field)
        kind = type(item)
        if kind in _PLAIN:
            out[field] = item
        elif kind is Decimal:  # a breached-items annex alone holds a million of them
            out[field] = decimal_text(item)
        else:
            out[field] = to_json(item, qualified)
    return out


class CanonicalFloat(float):
    """A float of canonical data (:func:`to_json` makes them). orjson hands it to
    :func:`_fragment` instead of writing it itself, so that it is written as Python writes
    it (``1e+16``, where orjson would write ``1e16``) and refused when it is not a number."""


def _fragment(value: Any) -> orjson.Fragment:
    if isinstance(value, CanonicalFloat) and math.isfinite(value):
        return orjson.Fragment(float.__repr__(value))
    # NaN, infinity, anything else: the standard library raises what it always raised.
    raise TypeError(f"not written by orjson: {type(value).__name__}")


def _orjson(data: Any, option: int) -> str | None:
    """``data`` written by orjson, or None where only the standard library can write it."""
    try:
        return orjson.dumps(data, default=_fragment, option=option | orjson.OPT_SORT_KEYS).decode(
            "utf-8"
        )
    except orjson.JSONEncodeError:
        return None


def compact(data: Any) -> str:
    text = _orjson(data, 0)
    if text is not None:
        return text
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def pretty(data: Any) -> str:
    text = _orjson(data, orjson.OPT_INDENT_2)
    if text is not None:
        return text + "\n"
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def sha256_of(data: Any) -> str:
    return hashlib.sha256(compact(data).encode("utf-8")).hexdigest()
