"""What the engine needs from a metric kind. The kinds themselves live in :mod:`slac.kinds`
(one module each: params, lint, compile, wording, SQL); the caller passes them in, so this
stage depends on the protocol only."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Protocol

from sqlglot import exp

from slac.evaluation.measurement import Measurement
from slac.evaluation.selection import Group, Run
from slac.evaluation.sqltext import Engine
from slac.plan.types import Metric, Plan

Check = tuple[str, exp.Expr]  # (field, a CASE that yields the problem text or NULL)


class MeasuredKind(Protocol):
    def measure(self, run: Run, group: Group) -> list[Measurement]:
        """Every objective of ``group`` over each of its periods (and scope values)."""
        ...

    def reads(self, metric: Metric) -> tuple[str, ...]:
        """Datasets the metric reads besides its own (a duration's pauses)."""
        ...

    def row_checks(self, metric: Metric, fields: Set[str]) -> list[Check]:
        """Bad-data checks on the metric's own rows, written over `t.field` (typed) and
        `r.field` (as read)."""
        ...

    def linked_checks(self, engine: Engine, plan: Plan, metric: Metric, loaded: Set[str]) -> None:
        """Bad-data checks across datasets (rows inserted into the `bad_rows` table)."""
        ...


MeasuredKinds = Mapping[str, MeasuredKind]
