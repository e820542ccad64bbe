"""Where a contract refers to fields, and what its conditions say: shared by several rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slac.contract.kinds import FieldRef
from slac.contract.source import Path


def condition_fields(where: Any, path: Path) -> Iterator[FieldRef]:
    """Each field a ``where`` names, with where it is written: in ``{priority: P1}`` the name
    is the key itself; in ``[{field: priority, ...}]`` it is a value."""
    if isinstance(where, dict):
        for name in where:
            if not name.startswith("x-"):
                yield (*path, name), name, True
    elif isinstance(where, list):
        for i, cond in enumerate(where):
            if isinstance(cond, dict) and isinstance(cond.get("field"), str):
                yield (*path, i, "field"), cond["field"], False


def equality_values(where: Any) -> dict[str, set[Any]]:
    """field → the values a row may have to satisfy ``where`` (equality and ``in`` only)."""
    out: dict[str, set[Any]] = {}
    if isinstance(where, dict):
        for name, value in where.items():
            if name.startswith("x-"):
                continue
            values = value if isinstance(value, list) else [value]
            out[name] = {_hashable(v) for v in values}
    elif isinstance(where, list):
        for cond in where:
            if not isinstance(cond, dict) or not isinstance(cond.get("field"), str):
                continue
            op, value = cond.get("op", "="), cond.get("value")
            if op == "=":
                out.setdefault(cond["field"], set()).add(_hashable(value))
            elif op == "in" and isinstance(value, list):
                out.setdefault(cond["field"], set()).update(_hashable(v) for v in value)
    return out


def condition_values(where: Any, path: Path) -> Iterator[tuple[Path, str, Any]]:
    """Each (path, field, value) compared for equality or membership in ``where``."""
    if isinstance(where, dict):
        for name, value in where.items():
            if name.startswith("x-"):
                continue
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield (*path, name, i), name, item
            else:
                yield (*path, name), name, value
    elif isinstance(where, list):
        for i, cond in enumerate(where):
            if not isinstance(cond, dict) or not isinstance(cond.get("field"), str):
                continue
            op, value = cond.get("op", "="), cond.get("value")
            # Only `=` and `in` name values a row must have; `!=`/`not-in` name values it must not.
            if op == "=" and "value" in cond:
                yield (*path, i, "value"), cond["field"], value
            elif op == "in" and isinstance(value, list):
                for j, item in enumerate(value):
                    yield (*path, i, "value", j), cond["field"], item


def _hashable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
