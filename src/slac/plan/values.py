"""Values as written in a contract → plan values: conditions, durations in seconds, decimals.

Shared by the compiler and the metric kinds' compile steps, so a `where` or a duration means
the same wherever it is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slac.contract.units import parse_duration
from slac.plan.types import Condition


def decimal(value: Any) -> Decimal:
    """A number as written (int, float from YAML, or text) as an exact Decimal."""
    return Decimal(str(value))


def conditions(where: Any) -> tuple[Condition, ...]:
    """A ``where`` in either written form → a sorted tuple of explicit conditions."""
    out: list[Condition] = []
    if isinstance(where, dict):
        for name, value in where.items():
            if name.startswith("x-"):
                continue
            if isinstance(value, list):
                out.append(Condition(name, "in", tuple(value)))
            elif value is None:
                out.append(Condition(name, "is-null"))
            else:
                out.append(Condition(name, "=", value))
    elif isinstance(where, list):
        for cond in where:
            op = str(cond.get("op", "="))
            value = cond.get("value")
            if op in ("in", "not-in"):
                items = value if isinstance(value, list) else [value]
                out.append(Condition(str(cond["field"]), op, tuple(items)))
            elif op in ("is-null", "not-null"):
                out.append(Condition(str(cond["field"]), op))
            else:
                out.append(Condition(str(cond["field"]), op, value))
    return tuple(sorted(out, key=lambda c: (c.field, c.op, repr(c.value))))


def seconds(text: Any) -> Decimal | None:
    """A duration as written, in seconds (None when absent)."""
    if text is None:
        return None
    parsed = parse_duration(str(text))
    return parsed.seconds if parsed is not None else None
