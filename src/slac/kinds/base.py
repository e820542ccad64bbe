"""What a metric kind is to the engine, and the path shared by kinds with one row per item.

A kind reads its own params (a frozen dataclass with named fields, from the plan's params
mapping), asks the engine for the aggregates it needs, and turns a row of them into a
:class:`Measurement` by name, never by position. Its module holds the whole path
plan → SQL → Measurement; docs/semantics.md says what each kind means.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from sqlglot import exp

from slac.contract.kinds import FieldRef
from slac.contract.model import Metric as ContractMetric
from slac.contract.rules.base import Finding, RuleContext
from slac.contract.source import Path
from slac.evaluation.conditions import all_of, exclusion_case
from slac.evaluation.kind import Check
from slac.evaluation.measurement import Measurement, MissedItem, Misses, Period
from slac.evaluation.selection import (
    Group,
    MissSpec,
    Run,
    account,
    excluded_columns,
    exclusions_for,
    in_windows,
    incident_key,
    item_key,
    miss_columns,
    objective_filter,
    record,
    scope_key,
    temp_name,
    window_days,
    windows,
    with_empty,
)
from slac.evaluation.sqltext import Engine, col, lit, sql, typed_table
from slac.plan.explain.measures import Promise
from slac.plan.kinds import MetricContext
from slac.plan.types import Exclusion, Metric, Objective, Plan

P = TypeVar("P")

# The columns the SQL of a duration or per-row metric adds beside its dataset's fields, in
# relations that carry every field (`*`): its window and period, its times, its status and
# exclusion, its numbers for the row account and the evidence. SQL names ignore letter case
# and DuckDB reads the first of two equal names, so a field of such a name would be read in
# the place of slac's column, or slac's in the place of the field: wrong numbers, no error.
# Lint refuses such fields (R405); tests/evaluation/test_reserved_columns.py finds the names
# in the statements of every example and requires each of them here.
ROW_COLUMNS = frozenset(
    {
        *("pid", "w_start", "w_end", "asof", "w_before", "h_start", "wi"),
        *("s_us", "e_us", "upto_us", "bs_s", "bs_u", "day_s", "paused_us"),
        *("elapsed", "limit_us", "excl", "status", "v"),
        *("_iid", "_cycle", "_first", "_at_us", "_evkey", "_item", "_account"),
    }
)


class Kind(Generic[P]):
    """One metric kind, whole: what its body names and what its targets measure (lint), its
    params (compile), its SQL and measurement (evaluation). The defaults here: no thresholds,
    rows placed by the dataset's `time`, no other datasets, no data checks of its own."""

    name: ClassVar[str]
    thresholds: ClassVar[bool] = False
    own_clock: ClassVar[bool] = False
    field_keys: ClassVar[tuple[str, ...]] = ()  # body keys whose value names a field
    # Names a field of its metrics' dataset must not have (ROW_COLUMNS; lint: R405).
    internal_columns: ClassVar[frozenset[str]] = frozenset()

    # ---- lint (slac.contract.kinds.KindSyntax)

    def field_refs(self, body: Mapping[str, Any], path: Path) -> Iterator[FieldRef]:
        for key in self.field_keys:
            if isinstance(body.get(key), str):
                yield (*path, key), body[key], False

    def conditions(self, body: Mapping[str, Any], path: Path) -> Iterator[tuple[Path, Any]]:
        return iter(())

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        return "ratio"

    def value_range(self, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        return None

    def calendar(self, body: Mapping[str, Any]) -> str | None:
        return None

    def references(self, ctx: RuleContext, metric: ContractMetric) -> Iterator[Finding]:
        return iter(())

    # ---- compile (slac.plan.kinds.KindCompiler)

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        raise NotImplementedError

    # ---- wording (slac.plan.explain.measures.KindWording)

    def phrase(self, p: Promise) -> list[str]:
        raise NotImplementedError

    # ---- evaluation (slac.evaluation.kind.MeasuredKind)

    def params(self, metric: Metric) -> P:
        raise NotImplementedError

    def measure(self, run: Run, group: Group) -> list[Measurement]:
        raise NotImplementedError

    def reads(self, metric: Metric) -> tuple[str, ...]:
        return ()

    def row_checks(self, metric: Metric, fields: Set[str]) -> list[Check]:
        return []

    def linked_checks(self, engine: Engine, plan: Plan, metric: Metric, loaded: Set[str]) -> None:
        return None


class PerRowKind(Kind[P]):
    """Kinds whose rows are placed in periods by the dataset's time: one base table of the
    metric's rows in any evaluated window, then each objective's rows with its filter and
    exclusions, measured by :meth:`measure_objective`."""

    internal_columns: ClassVar[frozenset[str]] = ROW_COLUMNS

    def evidence_value(self, params: P) -> exp.Expr:
        """Each row's value in the evidence file (NULL for kinds without a per-row value)."""
        return exp.cast(exp.null(), "DECIMAL(38, 6)")

    def in_sample(self, params: P) -> exp.Expr:
        """Which of the objective's rows (kept by every `where` and no exclusion) its value is
        measured over: the evidence labels the others "not counted" and the row account counts
        them as filtered (a short abandon, an unrated survey answer)."""
        return exp.true()

    def measure_objective(
        self,
        engine: Engine,
        params: P,
        obj: Objective,
        periods: Sequence[Period],
        rows: exp.Expr,
        exclusions: Sequence[Exclusion],
    ) -> list[Measurement]:
        raise NotImplementedError

    def measure(self, run: Run, group: Group) -> list[Measurement]:
        metric, terms, engine = group.metric, group.terms, run.engine
        params = self.params(metric)
        dataset = run.dataset(metric.dataset)
        assert dataset.time is not None, f"dataset {dataset.name} has no time (lint rule R507)"
        days = window_days(engine, windows(engine, group.periods))
        base = temp_name("base")
        # Stored, or (too many to keep in memory) a view each objective computes again.
        width = len(dataset.fields) + 7  # _file, _row, pid, w_start, w_end, _at_us, _item
        rows = sql("SELECT * FROM :ds", ds=typed_table(metric.dataset))
        kind = "TABLE" if engine.stores(rows, width) else "VIEW"
        engine.execute(
            sql(
                # A row's instant and key travel as _at_us and _item: kinds that judge rows
                # as items date and name their breaches by them.
                f"CREATE OR REPLACE TEMP {kind} :base AS SELECT t.*, w.pid, w.w_start, w.w_end, :tm AS _at_us, "
                ":key AS _item FROM :ds AS t JOIN :days AS w ON :placed WHERE :cond",
                base=base,
                key=incident_key(dataset, "t"),
                ds=typed_table(metric.dataset),
                days=days.table,
                placed=days.join("w", col(dataset.time, "t")),
                tm=col(dataset.time, "t"),
                cond=all_of(metric.where, "t"),
            )
        )
        out: list[Measurement] = []
        for obj, obj_periods in group.each(engine):
            exclusions = exclusions_for(terms, obj)
            # `_evkey`: the row's key as the evidence names it (the breached-items annex too).
            rows = sql(
                "SELECT b.*, :excl AS excl, CAST(:key AS VARCHAR) AS _evkey FROM :base AS b "
                "WHERE :theirs AND :mine",
                excl=exclusion_case(exclusions, col(dataset.time, "b"), run.plan.timezone, "b"),
                key=item_key(run.plan, obj),
                base=base,
                theirs=in_windows(obj_periods),
                mine=objective_filter(terms, obj),
            )
            sample = self.in_sample(params)
            counted = (
                lit("counted")
                if sample is None
                else sql(
                    "CASE WHEN coalesce(:s, FALSE) THEN 'counted' ELSE 'not counted' END", s=sample
                )
            )
            record(
                engine,
                obj,
                sql(
                    "SELECT *, CASE WHEN excl IS NOT NULL THEN 'excluded' ELSE :counted END "
                    "AS status FROM (:rel) AS q",
                    rel=rows,
                    counted=counted,
                ),
                self.evidence_value(params),
                item_key(run.plan, obj),
            )
            account(
                engine,
                obj,
                sql("SELECT * FROM :ds", ds=typed_table(metric.dataset)),
                col(dataset.time, "t"),
                exp.and_(
                    exp.Paren(this=all_of(metric.where, "t")),
                    exp.Paren(this=objective_filter(terms, obj, "t")),
                ),
                sql(
                    "SELECT *, CASE WHEN excl IS NOT NULL THEN 'excluded' WHEN :c THEN 'judged' "
                    "ELSE 'filtered' END AS _account FROM (:rel) AS q",
                    c=exp.func("coalesce", self.in_sample(params), exp.false()),
                    rel=rows,
                ),
                obj_periods,
            )
            out.extend(self.measure_objective(engine, params, obj, obj_periods, rows, exclusions))
        engine.execute(sql(f"DROP {kind} IF EXISTS :t", t=base))
        return out


class AggregateKind(PerRowKind[P]):
    """Kinds measured by a few aggregates per period and scope value (ratio, service level,
    survey, SERVQUAL, count): :meth:`aggregates` names them; :meth:`value` turns one row of
    them, by name, into (sample, measured value)."""

    def aggregates(self, params: P, kept: exp.Expr) -> dict[str, exp.Expr]:
        """Named aggregates over the objective's rows; ``kept`` is true for rows that no
        exclusion removed."""
        raise NotImplementedError

    def value(self, params: P, row: Mapping[str, Any]) -> tuple[int, Decimal | None]:
        raise NotImplementedError

    def empty_value(self, params: P) -> Decimal | None:
        """What a period without any row of the objective measures (None: nothing to judge)."""
        return None

    def misses(self, params: P, kept: exp.Expr) -> MissSpec | None:
        """How a row misses on its own (None: the kind judges no row by itself, as a ratio of
        rows or a mean of scores does): listed in the breached-items annex by
        :meth:`missed_item`."""
        return None

    def missed_item(self, params: P, row: Mapping[str, Any]) -> MissedItem:
        raise NotImplementedError

    def misses_unit(self, params: P) -> str:
        return "seconds"

    def measure_objective(
        self,
        engine: Engine,
        params: P,
        obj: Objective,
        periods: Sequence[Period],
        rows: exp.Expr,
        exclusions: Sequence[Exclusion],
    ) -> list[Measurement]:
        scope = [col(f) for f in obj.scope]
        parts = self.aggregates(params, sql("excl IS NULL"))
        spec = self.misses(params, sql("excl IS NULL"))
        query = (
            exp.select(
                exp.column("pid"),
                *scope,
                *(expression.as_(name) for name, expression in parts.items()),
                *(miss_columns(spec, exp.column("_evkey")) if spec else []),
                *excluded_columns(exclusions),
            )
            .from_(exp.Paren(this=rows).as_("q"), copy=False)
            .group_by(exp.column("pid"), *scope, copy=False)
        )
        out: list[Measurement] = []
        for row in engine.rows_listing(query, "misses") if spec else engine.rows(query):
            pid, rest = row[0], row[1:]
            scope_values, rest = rest[: len(scope)], rest[len(scope) :]
            values, counts = rest[: len(parts)], rest[len(parts) :]
            misses = None
            if spec is not None:
                listed = tuple(self.missed_item(params, m) for m in counts[1] or ())
                misses = Misses(int(counts[0]), self.misses_unit(params), listed)
                counts = counts[2:]
            excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, counts, strict=True))
            sample, measured = self.value(params, dict(zip(parts, values, strict=True)))
            out.append(
                Measurement(
                    str(pid),
                    obj.id,
                    scope_key(obj, scope_values),
                    sample,
                    measured,
                    0,
                    0,
                    0,
                    excluded,
                    misses=misses,
                )
            )
        none_missed = Misses(0, self.misses_unit(params), ()) if spec else None
        return with_empty(out, obj, periods, exclusions, self.empty_value(params), none_missed)
