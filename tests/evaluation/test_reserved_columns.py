"""The names slac's SQL gives its own columns beside every field of a metric's rows must be
reserved (kinds/base.py ROW_COLUMNS, lint R405): a field of such a name would be read in the
place of slac's column (DuckDB reads the first of two equal names), or slac's in its place.
The statements of every example are read: each SELECT of `*` over a metric's rows adds
columns, and each name it adds must be one lint refuses for that metric's dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from slac import api
from slac.contract.rules.references import LOADER_COLUMNS
from slac.evaluation import sqltext
from slac.kinds import KINDS
from slac.kinds.base import ROW_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/contract.yaml"))


def _is_star(node: exp.Expr) -> bool:
    return isinstance(node, exp.Star) or (
        isinstance(node, exp.Column) and isinstance(node.this, exp.Star)
    )


def _added(statement: exp.Expr, rows: set[str]) -> set[str]:
    """The names each `*` SELECT over ``rows`` (tables of a metric's rows) adds to them."""
    names: set[str] = set()
    for select in statement.find_all(exp.Select):
        if not any(_is_star(e) for e in select.expressions):
            continue
        sources = [select.args.get("from_"), *(select.args.get("joins") or [])]
        tables = {t.name.lower() for s in sources if s is not None for t in s.find_all(exp.Table)}
        if not tables & rows and not any(
            t.startswith(("base_", "timed_", "cycles_")) for t in tables
        ):
            continue
        names.update(e.alias_or_name.lower() for e in select.expressions if not _is_star(e))
    return names


@pytest.mark.parametrize("contract", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_column_added_beside_a_metrics_rows_is_reserved(
    contract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = api.compile_plan(str(contract))
    assert compiled.value is not None, compiled.errors
    plan = compiled.value
    rows = {f"ds_{m.dataset}".lower() for m in plan.metrics if KINDS[m.kind].internal_columns}
    added: set[str] = set()
    original = dict(sqltext.Engine.__dict__)

    def watching(name: str) -> Any:
        method = original[name]

        def run(self: sqltext.Engine, expression: exp.Expr, *args: Any) -> Any:
            added.update(_added(expression, rows))
            return method(self, expression, *args)

        return run

    for name in ("execute", "rows", "scalar"):
        monkeypatch.setattr(sqltext.Engine, name, watching(name))
    assert api.evaluate(str(contract)).ok
    if not rows:  # availability alone: its statements name every column they read
        assert added == set()
        return
    assert added, "no statement read a metric's rows with `*`: the test sees nothing"
    assert added <= ROW_COLUMNS | LOADER_COLUMNS, sorted(added - ROW_COLUMNS - LOADER_COLUMNS)
