"""Saved results: read a results.json back, refusing tampered files and other slac versions."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Any

from slac import __version__
from slac.evaluation import results as model
from slac.plan.canonical import sha256_of


class SavedResultsError(Exception):
    """The file is not results this slac can render (tampered, other version, malformed)."""


def read_results(path: str) -> model.Results:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as err:
        raise SavedResultsError(f"{path}: cannot read it: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise SavedResultsError(f"{path}: not JSON results: {err}") from None
    return results_from_text(text, path)


def results_from_text(text: str, path: str, *, any_version: bool = False) -> model.Results:
    """Results from the JSON text of a results document (``path`` names where it came from).
    ``any_version``: read results another slac version wrote (a ledger keeps closed periods
    for years; their figures are history, not something to evaluate again)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SavedResultsError(f"{path}: not JSON results: {err}") from None
    if not isinstance(data, dict) or "results_sha256" not in data:
        raise SavedResultsError(f"{path}: not slac results (no results_sha256)")
    claimed = data.pop("results_sha256")
    if sha256_of(data) != claimed:
        raise SavedResultsError(
            f"{path}: results_sha256 does not match the content: the file was changed after "
            "slac wrote it; evaluate again"
        )
    if not any_version and data.get("slac_version") != __version__:
        raise SavedResultsError(
            f"{path}: written by slac {data.get('slac_version')}, this is slac {__version__}: "
            "evaluate again with this version"
        )
    try:
        restored: model.Results = _build(model.Results, data)
    except (KeyError, TypeError, ValueError, InvalidOperation) as err:
        raise SavedResultsError(f"{path}: malformed results: {err}") from None
    return restored


def _build(kind: Any, value: Any) -> Any:
    """The value of type ``kind`` that ``slac.plan.canonical.to_json`` wrote as ``value``."""
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind, vars(model))
        return kind(
            **{
                f.name: _build(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                # Results saved before a field was added (row_accounts) read with its default.
                if f.name in value or f.default is dataclasses.MISSING
            }
        )
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        item_type = typing.get_args(kind)[0]
        if isinstance(value, dict):  # a scope: {field: value} written from (field, value) pairs
            return tuple((k, _scalar(v)) for k, v in value.items())
        return tuple(_build(item_type, item) for item in value)
    if kind is Decimal:
        return Decimal(value)
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    return value
