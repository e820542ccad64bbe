"""Plan + loaded data → Measurements, in SQL: rows stay in the engine.

For each metric (as defined under the terms in force) one base table is built per group of
objectives that share it: the rows of its dataset that fall in any evaluated window, with
everything per item that the objectives need (business time elapsed, pauses subtracted).
Each objective then aggregates that table with its own filter, exclusions and threshold, so
a dataset is scanned once per metric, not once per objective. Python receives aggregates
only (counts, sums, a few order statistics) and turns them into exact Decimals.

Semantics: docs/semantics.md. The reference evaluator in tests/ implements the same page in
plain Python; property-based tests require exact agreement.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlglot import exp

from slac.evaluation.conditions import all_of, exclusion_case, from_params, predicate
from slac.evaluation.load import typed_table
from slac.evaluation.measurement import Measurement, Period, ScopeKey, exact_ratio
from slac.evaluation.periods import MONTHS_IN, add_months, first_day, period, period_id
from slac.evaluation.sqltext import Engine, col, lit, sql, subquery, table
from slac.evaluation.timegrid import Grid, build_grid
from slac.plan.types import Calendar, Exclusion, Metric, Objective, Plan, Terms

US = 1_000_000
_counter = itertools.count()


@dataclass(frozen=True)
class Task:
    """One objective judged over one window (a period, or a rolling window ending with it)."""

    terms: Terms
    objective: Objective
    period: Period
    month: str  # the evaluated month in which this period closes


def terms_on(plan: Plan, day: date) -> Terms | None:
    """The terms in force on ``day`` (None outside the contract's life)."""
    chosen = None
    for terms in plan.terms:
        if date.fromisoformat(terms.effective_from) <= day and (
            terms.effective_to is None or day <= date.fromisoformat(terms.effective_to)
        ):
            chosen = terms
    return chosen


def plan_tasks(plan: Plan, month_ids: Sequence[str]) -> list[Task]:
    """What to judge for the months asked: monthly objectives each month; quarterly and
    yearly ones in the month that closes their period; rolling ones each month."""
    return [task for month in month_ids for task in _objectives_for(plan, month)]


def _objectives_for(plan: Plan, month: str) -> Iterator[Task]:
    start = first_day(month)
    objective_terms = terms_on(plan, start)
    if objective_terms is not None:
        for obj in objective_terms.objectives:
            unit, rolling = obj.period.unit, obj.period.rolling
            if rolling > 1:
                yield Task(
                    objective_terms, obj, period(month, plan.timezone, "month", rolling), month
                )
                continue
            months = MONTHS_IN[unit]
            closes = add_months(start, 1)
            period_start = add_months(closes, -months)
            if period_id(period_start, unit) != period_id(start, unit):
                continue  # this month does not close the objective's period
            pid = period_id(period_start, unit)
            # The period is judged under the terms in force on its first day.
            terms = terms_on(plan, period_start) or objective_terms
            same = next((o for o in terms.objectives if o.id == obj.id), obj)
            yield Task(terms, same, period(pid, plan.timezone, unit), month)


# --------------------------------------------------------------------------------------
# Business-time grids


class Grids:
    """One lookup table per calendar (by its content), built on first use."""

    def __init__(self, engine: Engine, horizon: tuple[int, int]) -> None:
        self.engine = engine
        self.horizon = horizon
        self.built: dict[Calendar, tuple[str, Grid]] = {}

    def get(self, calendar: Calendar, earliest_us: int | None = None) -> tuple[str, Grid]:
        """The grid of ``calendar``, covering ``earliest_us`` too (items may start before the
        first window: with period_membership: end, or in rolling windows)."""
        known = self.built.get(calendar)
        start = self.horizon[0] if earliest_us is None else min(self.horizon[0], earliest_us)
        if known is None or known[1].start_us > start:
            name = known[0] if known else f"grid_{len(self.built)}"
            grid = build_grid(calendar, start, self.horizon[1])
            self._load(name, grid)
            self.built[calendar] = (name, grid)
        return self.built[calendar]

    def _load(self, name: str, grid: Grid) -> None:
        low, high = -(2**62), 2**62
        segments: list[tuple[int, int, int, int, int, int, int]] = []
        cum = 0
        intervals = grid.intervals
        first_day_index = intervals[0][2] if intervals else 0
        if intervals:
            segments.append(
                (
                    low,
                    intervals[0][0],
                    intervals[0][0],
                    intervals[0][0],
                    0,
                    first_day_index,
                    first_day_index,
                )
            )
        for i, (start, end, day) in enumerate(intervals):
            upper = intervals[i + 1][0] if i + 1 < len(intervals) else high
            next_day = intervals[i + 1][2] if i + 1 < len(intervals) else day + 1
            segments.append((start, upper, start, end, cum, day, next_day))
            cum += end - start
        if not intervals:
            segments.append((low, high, low, low, 0, 0, 0))
        seg_table = table(f"{name}_seg")
        values = exp.values(
            [tuple(lit(v) for v in row) for row in segments],
            alias="v",
            columns=["lo", "hi", "s", "e", "cum", "day_open", "day_next"],
        )
        self.engine.execute(
            sql("CREATE OR REPLACE TEMP TABLE :t AS SELECT * FROM :v", t=seg_table, v=values)
        )
        self.engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :g AS "
                "SELECT r.b AS b, "
                "s.cum + greatest(0, least(:g0 + r.b * :gs, s.e) - s.s) AS cum, "
                "CASE WHEN :g0 + r.b * :gs >= s.s AND :g0 + r.b * :gs < s.e THEN 1 ELSE 0 END AS open, "
                "CASE WHEN :g0 + r.b * :gs < s.e THEN s.day_open ELSE s.day_next END AS day "
                "FROM range(:n) AS r(b) JOIN :seg AS s ON :g0 + r.b * :gs >= s.lo AND :g0 + r.b * :gs < s.hi",
                g=table(name),
                g0=lit(grid.start_us),
                gs=lit(grid.bucket_us),
                n=lit(grid.buckets),
                seg=seg_table,
            )
        )
        days = exp.values(
            [tuple(lit(v) for v in row) for row in grid.days] or [(lit(0), lit(0), lit(0))],
            alias="v",
            columns=["day", "dcum", "dlen"],
        )
        self.engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :t AS SELECT * FROM :v",
                t=table(f"{name}_days"),
                v=days,
            )
        )


def _bs(instant: exp.Expr, alias: str) -> exp.Expr:
    """Business microseconds at ``instant`` through the grid row joined as ``alias``."""
    return sql(
        ":a.cum + :a.open * (:x - (:g0 + :a.b * :gs))",
        a=exp.to_identifier(alias),
        x=instant,
        g0=exp.column("g0", "k"),
        gs=exp.column("gs", "k"),
    )


# --------------------------------------------------------------------------------------
# Measurement


@dataclass
class _Group:
    terms: Terms
    metric: Metric
    objectives: list[tuple[Objective, list[Period]]]


def measure(engine: Engine, plan: Plan, month_ids: Sequence[str]) -> list[Measurement]:
    tasks = plan_tasks(plan, month_ids)
    if not tasks:
        return []
    if engine.record_evidence:
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE evidence (period VARCHAR, objective VARCHAR, "
                "scope VARCHAR, item VARCHAR, source_row BIGINT, value DECIMAL(38, 6), "
                "outcome VARCHAR, exclusion VARCHAR)"
            )
        )
    horizon = (min(t.period.start_us for t in tasks), max(t.period.end_us for t in tasks))
    grids = Grids(engine, horizon)
    groups: dict[tuple[int, str], _Group] = {}
    order: dict[tuple[str, str], int] = {}
    for task in tasks:
        key = (id(task.terms), task.objective.metric_id)
        group = groups.setdefault(key, _Group(task.terms, task.objective.metric, []))
        for obj, periods in group.objectives:
            if obj is task.objective:
                periods.append(task.period)
                break
        else:
            group.objectives.append((task.objective, [task.period]))
        order.setdefault((task.period.id, task.objective.id), len(order))
    out: list[Measurement] = []
    for group in groups.values():
        out.extend(_measure_group(engine, plan, group, grids))
    index = {o.id: i for terms in plan.terms for i, o in enumerate(terms.objectives)}
    return sorted(
        out, key=lambda m: (m.period, index.get(m.objective, 0), m.objective, _scope_sort(m.scope))
    )


def _scope_sort(scope: ScopeKey) -> tuple[tuple[int, str], ...]:
    return tuple((0 if v is None else 1, str(v)) for _, v in scope)


def _windows(engine: Engine, periods: Sequence[Period]) -> exp.Table:
    name = table(f"win_{next(_counter)}")
    unique = sorted({(p.id, p.start_us, p.end_us) for p in periods})
    values = exp.values(
        [tuple(lit(v) for v in row) for row in unique],
        alias="v",
        columns=["pid", "w_start", "w_end"],
    )
    engine.execute(sql("CREATE OR REPLACE TEMP TABLE :t AS SELECT * FROM :v", t=name, v=values))
    return name


def _measure_group(engine: Engine, plan: Plan, group: _Group, grids: Grids) -> list[Measurement]:
    kind = group.metric.kind
    if kind == "duration":
        return _durations(engine, plan, group, grids)
    if kind == "availability":
        return _availability(engine, plan, group)
    return _row_kinds(engine, plan, group)


def _policy_filter(terms: Terms, obj: Objective) -> exp.Expr:
    """The rows this objective takes: its own `where`, minus rows an earlier objective of the
    same policy over the same metric took first (scope_matching: first)."""
    mine = all_of(obj.where)
    if obj.policy is None or terms.semantics.scope_matching != "first":
        return mine
    earlier: list[exp.Expr] = []
    for other in terms.objectives:
        if other.id == obj.id:
            break
        if other.policy == obj.policy and other.metric_id == obj.metric_id:
            earlier.append(exp.Paren(this=all_of(other.where)))
    if not earlier:
        return mine
    taken = exp.or_(*earlier)
    return exp.and_(
        exp.Paren(this=mine), exp.Not(this=exp.Paren(this=exp.func("coalesce", taken, exp.false())))
    )


def _exclusions_for(terms: Terms, obj: Objective) -> list[Exclusion]:
    return [e for e in terms.exclusions if e.id in obj.exclusions]


def _scope_exprs(obj: Objective, alias: str = "b") -> list[exp.Expr]:
    return [col(field, alias) for field in obj.scope]


def _excluded_columns(exclusions: Sequence[Exclusion]) -> list[exp.Expr]:
    return [
        sql("count_if(excl = :id)", id=lit(e.id)).as_(f"x_{i}") for i, e in enumerate(exclusions)
    ]


def _durations(engine: Engine, plan: Plan, group: _Group, grids: Grids) -> list[Measurement]:
    metric, terms = group.metric, group.terms
    params = dict(metric.params)
    periods = [p for _, ps in group.objectives for p in ps]
    windows = _windows(engine, periods)
    calendar = next(c for c in terms.calendars if c.name == params["calendar"])
    business = not calendar.always_open
    ds = typed_table(metric.dataset)
    start, end = col(params["from"], "t"), col(params["to"], "t")
    member = start if params["period_membership"] == "start" else end
    base = table(f"base_{next(_counter)}")
    dataset = next(d for d in plan.datasets if d.name == metric.dataset)
    key = dataset.key
    engine.execute(
        sql(
            "CREATE OR REPLACE TEMP TABLE :base AS "
            "SELECT t.*, w.pid, w.w_start, w.w_end, :s AS s_us, "
            "CASE WHEN :e <= w.w_end THEN :e END AS e_us, "
            "coalesce(CASE WHEN :e <= w.w_end THEN :e END, w.w_end) AS upto_us, "
            "row_number() OVER () AS item "
            "FROM :ds AS t JOIN :win AS w ON :m >= w.w_start AND :m < w.w_end "
            "WHERE :s IS NOT NULL AND :cond",
            base=base,
            s=start,
            e=end,
            ds=ds,
            win=windows,
            m=member,
            cond=all_of(metric.where, "t"),
        )
    )
    # Business time at the start and at the end (or the window's end, for open items).
    consts = sql("SELECT :g0 AS g0, :gs AS gs", g0=lit(0), gs=lit(1))
    grid_name = None
    if business:
        earliest = engine.scalar(sql("SELECT min(s_us) FROM :b", b=base))
        grid_name, grid = grids.get(calendar, int(earliest) if earliest is not None else None)
        consts = sql("SELECT :g0 AS g0, :gs AS gs", g0=lit(grid.start_us), gs=lit(grid.bucket_us))
    paused = _paused(engine, plan, params, base, key, grid_name, consts)
    timed = table(f"timed_{next(_counter)}")
    if business:
        assert grid_name is not None
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :timed AS "
                "SELECT b.*, :bs_s AS bs_s, :bs_u AS bs_u, gs_.day AS day_s, coalesce(p.paused_us, 0) AS paused_us "
                "FROM :base AS b CROSS JOIN (:consts) AS k "
                "JOIN :grid AS gs_ ON gs_.b = INTDIV(b.s_us - k.g0, k.gs) "
                "JOIN :grid AS gu_ ON gu_.b = INTDIV(b.upto_us - k.g0, k.gs) "
                "LEFT JOIN :paused AS p ON p.item = b.item",
                timed=timed,
                base=base,
                consts=consts,
                grid=table(grid_name),
                bs_s=_bs(exp.column("s_us", "b"), "gs_"),
                bs_u=_bs(exp.column("upto_us", "b"), "gu_"),
                paused=paused,
            )
        )
    else:
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :timed AS "
                "SELECT b.*, b.s_us AS bs_s, b.upto_us AS bs_u, 0 AS day_s, coalesce(p.paused_us, 0) AS paused_us "
                "FROM :base AS b LEFT JOIN :paused AS p ON p.item = b.item",
                timed=timed,
                base=base,
                paused=paused,
            )
        )
    out: list[Measurement] = []
    for obj, obj_periods in group.objectives:
        out.extend(_duration_objective(engine, plan, terms, obj, obj_periods, timed, grid_name))
    # Each of these holds a copy of the metric's rows: free the memory before the next metric.
    for used in (timed, paused, base):
        engine.execute(sql("DROP TABLE IF EXISTS :t", t=used))
    return out


def _paused(
    engine: Engine,
    plan: Plan,
    params: dict[str, Any],
    base: exp.Table,
    key: str | None,
    grid_name: str | None,
    consts: exp.Expr,
) -> exp.Table:
    """Per item: business time inside its pause intervals, clipped to the measured interval
    and merged where they overlap (so no time is subtracted twice)."""
    name = table(f"paused_{next(_counter)}")
    pause = params.get("pause")
    if not pause or not key or not pause.get("parent_key"):
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :t AS SELECT CAST(NULL AS BIGINT) AS item, CAST(0 AS BIGINT) AS paused_us WHERE FALSE",
                t=name,
            )
        )
        return name

    where = from_params(pause["where"])
    clipped = sql(
        "SELECT b.item, greatest(:ps, b.s_us) AS a, least(:pe, b.upto_us) AS z "
        "FROM :base AS b JOIN :pds AS p ON :pk = :ik "
        "WHERE :cond AND least(:pe, b.upto_us) > greatest(:ps, b.s_us)",
        ps=col(pause["start"], "p"),
        pe=col(pause["end"], "p"),
        base=base,
        pds=typed_table(pause["dataset"]),
        pk=col(pause["parent_key"], "p"),
        ik=col(key, "b"),
        cond=all_of(where, "p"),
    )
    # Overlaps in one pass: each pause (in order of start) counts only from where the pauses
    # before it reached (a running maximum of their ends), so no time is counted twice.
    islands = sql(
        "SELECT item, greatest(a, coalesce(prev_z, a)) AS a, z FROM ("
        "SELECT item, a, z, max(z) OVER (PARTITION BY item ORDER BY a, z ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_z "
        "FROM (:clipped) AS c) AS o WHERE z > greatest(a, coalesce(prev_z, a))",
        clipped=clipped,
    )
    if grid_name is None:
        total = sql(
            "SELECT item, sum(z - a) AS paused_us FROM (:isl) AS i GROUP BY item", isl=islands
        )
    else:
        total = sql(
            "SELECT i.item, sum((:bz) - (:ba)) AS paused_us FROM (:isl) AS i CROSS JOIN (:consts) AS k "
            "JOIN :grid AS ga_ ON ga_.b = INTDIV(i.a - k.g0, k.gs) "
            "JOIN :grid AS gz_ ON gz_.b = INTDIV(i.z - k.g0, k.gs) GROUP BY i.item",
            isl=islands,
            consts=consts,
            grid=table(grid_name),
            ba=_bs(exp.column("a", "i"), "ga_"),
            bz=_bs(exp.column("z", "i"), "gz_"),
        )
    engine.execute(sql("CREATE OR REPLACE TEMP TABLE :t AS :q", t=name, q=total))
    return name


def _duration_objective(
    engine: Engine,
    plan: Plan,
    terms: Terms,
    obj: Objective,
    periods: Sequence[Period],
    timed: exp.Table,
    grid_name: str | None,
) -> list[Measurement]:
    judge = obj.judgement
    exclusions = _exclusions_for(terms, obj)
    pids = exp.Tuple(expressions=[lit(p.id) for p in periods])
    elapsed = sql("b.bs_u - b.bs_s - b.paused_us")
    closed = sql("e_us IS NOT NULL")
    rows = sql(
        "SELECT b.*, :excl AS excl, :elapsed AS elapsed FROM :timed AS b WHERE b.pid IN :pids AND :mine",
        excl=exclusion_case(exclusions, col(_member_field(obj), "b"), plan.timezone, "b"),
        elapsed=elapsed,
        timed=timed,
        pids=pids,
        mine=_policy_filter_aliased(terms, obj),
    )
    scope = [col(f) for f in obj.scope]
    if judge.kind == "threshold-share":
        if judge.threshold_business_days is not None:
            assert grid_name is not None
            n = int(judge.threshold_business_days)
            # Deadline in business µs: the same business position N business days later
            # (clamped to that day's length), moved by the paused business time.
            rows = sql(
                "SELECT r.*, d.dcum + least(r.bs_s - ds_.dcum, d.dlen) - r.bs_s AS limit_us "
                "FROM (:rel) AS r LEFT JOIN :days AS ds_ ON ds_.day = r.day_s "
                "LEFT JOIN :days AS d ON d.day = r.day_s + :n",
                rel=rows,
                days=table(f"{grid_name}_days"),
                n=lit(n),
            )
        else:
            assert judge.threshold_seconds is not None
            limit = int(judge.threshold_seconds * US)
            rows = sql("SELECT r.*, :lim AS limit_us FROM (:rel) AS r", rel=rows, lim=lit(limit))
        within = "<=" if judge.threshold_inclusive else "<"
        ok = sql(f"elapsed {within} limit_us")
        overdue = (
            sql("elapsed > limit_us") if judge.threshold_inclusive else sql("elapsed >= limit_us")
        )
        judge_open = obj.open_items == "judge-overdue"
        status = sql(
            "CASE WHEN excl IS NOT NULL THEN 'excluded' "
            "WHEN e_us IS NOT NULL THEN CASE WHEN :ok THEN 'met' ELSE 'breached' END "
            "WHEN :judge AND :overdue THEN 'breached' ELSE 'open' END",
            ok=ok,
            overdue=overdue,
            judge=exp.Boolean(this=judge_open),
        )
        select = [
            exp.column("pid"),
            *scope,
            sql("count_if(status = 'met')").as_("met"),
            sql("count_if(status = 'breached')").as_("breached"),
            sql("count_if(status = 'open')").as_("open"),
            *_excluded_columns(exclusions),
        ]
        judged_rows = sql("SELECT *, :status AS status FROM (:rel) AS q", status=status, rel=rows)
        _record(
            engine,
            obj,
            judged_rows,
            sql("CAST(elapsed AS DECIMAL(38, 6)) / 1000000"),
            _item_key(plan, obj),
        )
        query = (
            exp.select(*select)
            .from_(subquery(judged_rows, "s"))
            .group_by(exp.column("pid"), *scope)
        )
        result = []
        for row in engine.rows(query):
            pid, rest = row[0], row[1:]
            scope_values, rest = rest[: len(scope)], rest[len(scope) :]
            met, breached, opened = int(rest[0]), int(rest[1]), int(rest[2])
            excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, rest[3:], strict=True))
            judged = met + breached
            value = _ratio(met, judged) if judged else None
            result.append(
                Measurement(
                    str(pid),
                    obj.id,
                    _scope_key(obj, scope_values),
                    judged,
                    value,
                    met,
                    breached,
                    opened,
                    excluded,
                )
            )
        return _with_empty(result, obj, periods, exclusions)
    # Statistics over closed, non-excluded items.
    return _statistics(engine, obj, periods, rows, closed, exclusions, scale=Fraction(1, US))


def _item_key(plan: Plan, obj: Objective) -> exp.Expr:
    dataset = next(d for d in plan.datasets if d.name == obj.metric.dataset)
    return col(dataset.key) if dataset.key else exp.column("_row")


def _record(engine: Engine, obj: Objective, rows: exp.Expr, value: exp.Expr, key: exp.Expr) -> None:
    """Keep each row's outcome for --evidence (in the engine: rows never come to Python)."""
    if not engine.record_evidence:
        return
    scope = (
        exp.func("concat_ws", lit(","), *[exp.cast(col(f), "VARCHAR") for f in obj.scope])
        if obj.scope
        else lit("")
    )
    engine.execute(
        sql(
            "INSERT INTO evidence SELECT pid, :obj, :scope, CAST(:key AS VARCHAR), _row, :v, "
            "status, excl FROM (:rel) AS r",
            obj=lit(obj.id),
            scope=scope,
            key=key,
            v=value,
            rel=rows,
        )
    )


def _member_field(obj: Objective) -> str:
    params = dict(obj.metric.params)
    if obj.metric.kind == "duration":
        return str(
            params["from"] if params.get("period_membership", "start") == "start" else params["to"]
        )
    return ""


def _policy_filter_aliased(terms: Terms, obj: Objective) -> exp.Expr:
    expression = _policy_filter(terms, obj)
    for column in expression.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier("b"))
    return expression


_ratio = exact_ratio


def _scope_key(obj: Objective, values: Sequence[Any]) -> ScopeKey:
    return tuple((field, _plain(v)) for field, v in zip(obj.scope, values, strict=True))


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _with_empty(
    found: list[Measurement],
    obj: Objective,
    periods: Sequence[Period],
    exclusions: Sequence[Exclusion],
) -> list[Measurement]:
    """A period with no rows still gets its (empty) measurement: without scope as usual, with
    scope as one measurement for all scope values (none of them had rows)."""
    seen = {m.period for m in found}
    for p in periods:
        if p.id not in seen:
            found.append(
                Measurement(
                    p.id, obj.id, (), 0, None, 0, 0, 0, tuple((e.id, 0) for e in exclusions)
                )
            )
    return found


def _statistics(
    engine: Engine,
    obj: Objective,
    periods: Sequence[Period],
    rows: exp.Expr,
    closed: exp.Expr,
    exclusions: Sequence[Exclusion],
    *,
    scale: Fraction,
    value: exp.Expr | None = None,
) -> list[Measurement]:
    judge = obj.judgement
    scope = [col(f) for f in obj.scope]
    value = value if value is not None else exp.column("elapsed")
    counted = sql("excl IS NULL AND :closed AND :v IS NOT NULL", closed=closed, v=value)
    select = [
        exp.column("pid"),
        *scope,
        sql("count_if(:c)", c=counted).as_("n"),
        sql("sum(CASE WHEN :c THEN :v END)", c=counted, v=value).as_("total"),
        sql("min(CASE WHEN :c THEN :v END)", c=counted, v=value).as_("lo"),
        sql("max(CASE WHEN :c THEN :v END)", c=counted, v=value).as_("hi"),
        sql("count_if(excl IS NULL AND NOT (:closed))", closed=closed).as_("open"),
        *_excluded_columns(exclusions),
    ]
    query = (
        exp.select(*select).from_(exp.Paren(this=rows).as_("q")).group_by(exp.column("pid"), *scope)
    )
    groups = engine.rows(query)
    order_stats: dict[tuple[Any, ...], dict[int, Any]] = {}
    if judge.percentile is not None and groups:
        p = judge.percentile
        partition = [exp.column("pid"), *scope]
        ranked = exp.select(
            *partition,
            exp.column("v"),
            sql("row_number() OVER (ORDER BY v) - 1").as_("idx"),
            sql("count(*) OVER ()").as_("n"),
        ).from_(
            subquery(
                sql("SELECT *, :v AS v FROM (:rel) AS q WHERE :c", v=value, rel=rows, c=counted),
                "x",
            )
        )
        for window in ranked.find_all(exp.Window):
            window.set("partition_by", [p.copy() for p in partition])
        picked = sql(
            "SELECT * FROM (:ranked) AS r WHERE idx = CAST(floor((n - 1) * :p) AS BIGINT) OR idx = CAST(ceil((n - 1) * :p) AS BIGINT)",
            ranked=ranked,
            p=lit(p),
        )
        for row in engine.rows(picked):
            key, v, idx = tuple(row[: 1 + len(scope)]), row[1 + len(scope)], row[2 + len(scope)]
            order_stats.setdefault(key, {})[int(idx)] = v
    out: list[Measurement] = []
    for row in groups:
        pid, rest = row[0], row[1:]
        scope_values, rest = rest[: len(scope)], rest[len(scope) :]
        n, total, lo, hi, opened = int(rest[0]), rest[1], rest[2], rest[3], int(rest[4])
        excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, rest[5:], strict=True))
        measured: Decimal | None = None
        if n:
            stat = judge.statistic
            if stat == "count":
                measured = Decimal(n)
            elif stat == "sum":
                measured = _scaled(Fraction(_exact(total)), scale)
            elif stat == "mean":
                measured = _scaled(Fraction(_exact(total)) / n, scale)
            elif stat == "min":
                measured = _scaled(Fraction(_exact(lo)), scale)
            elif stat == "max":
                measured = _scaled(Fraction(_exact(hi)), scale)
            else:
                stats = order_stats.get((pid, *scope_values), {})
                measured = _scaled(
                    _percentile(
                        stats,
                        n,
                        judge.percentile or Decimal(0),
                        judge.percentile_method or "linear",
                    ),
                    scale,
                )
        out.append(
            Measurement(
                str(pid), obj.id, _scope_key(obj, scope_values), n, measured, 0, 0, opened, excluded
            )
        )
    return _with_empty(out, obj, periods, exclusions)


def _exact(value: Any) -> Fraction:
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(int(value))


def _scaled(value: Fraction, scale: Fraction) -> Decimal:
    return _ratio(value * scale, 1)


def _percentile(stats: dict[int, Any], n: int, p: Decimal, method: str) -> Fraction:
    h = Fraction(n - 1) * Fraction(p)
    lo = int(h.numerator // h.denominator)
    hi = lo if h == lo else lo + 1
    x_lo, x_hi = _exact(stats[lo]), _exact(stats[hi])
    if method == "lower":
        return x_lo
    if method == "higher":
        return x_hi
    if method == "nearest":
        frac = h - lo
        if frac < Fraction(1, 2) or (frac == Fraction(1, 2) and lo % 2 == 0):
            return x_lo
        return x_hi
    return x_lo + (h - lo) * (x_hi - x_lo)


# --------------------------------------------------------------------------------------
# Metrics with one value per period: value, ratio, service level, survey, servqual, count


def _row_kinds(engine: Engine, plan: Plan, group: _Group) -> list[Measurement]:
    metric, terms = group.metric, group.terms
    params = dict(metric.params)
    dataset = next(d for d in plan.datasets if d.name == metric.dataset)
    assert dataset.time is not None, f"dataset {dataset.name} has no time (lint rule R507)"
    periods = [p for _, ps in group.objectives for p in ps]
    windows = _windows(engine, periods)
    base = table(f"base_{next(_counter)}")
    engine.execute(
        sql(
            "CREATE OR REPLACE TEMP TABLE :base AS SELECT t.*, w.pid FROM :ds AS t JOIN :win AS w "
            "ON :tm >= w.w_start AND :tm < w.w_end WHERE :cond",
            base=base,
            ds=typed_table(metric.dataset),
            win=windows,
            tm=col(dataset.time, "t"),
            cond=all_of(metric.where, "t"),
        )
    )
    out: list[Measurement] = []
    for obj, obj_periods in group.objectives:
        exclusions = _exclusions_for(terms, obj)
        pids = exp.Tuple(expressions=[lit(p.id) for p in obj_periods])
        rows = sql(
            "SELECT b.*, :excl AS excl FROM :base AS b WHERE b.pid IN :pids AND :mine",
            excl=exclusion_case(exclusions, col(dataset.time, "b"), plan.timezone, "b"),
            base=base,
            pids=pids,
            mine=_policy_filter_aliased(terms, obj),
        )
        row_value = (
            exp.Mul(this=_value_expr(params), expression=lit(Decimal(params["scale"])))
            if metric.kind == "value"
            else exp.cast(exp.null(), "DECIMAL(38, 6)")
        )
        _record(
            engine,
            obj,
            sql(
                "SELECT *, CASE WHEN excl IS NOT NULL THEN 'excluded' ELSE 'counted' END AS status "
                "FROM (:rel) AS q",
                rel=rows,
            ),
            row_value,
            _item_key(plan, obj),
        )
        if metric.kind == "value":
            value = _value_expr(params)
            scale = Fraction(Decimal(params["scale"]))
            if obj.judgement.kind == "threshold-share":
                out.extend(
                    _value_threshold(engine, obj, obj_periods, rows, value, scale, exclusions)
                )
            else:
                out.extend(
                    _statistics(
                        engine,
                        obj,
                        obj_periods,
                        rows,
                        exp.true(),
                        exclusions,
                        scale=scale,
                        value=value,
                    )
                )
            continue
        out.extend(_aggregate_kind(engine, metric, params, obj, obj_periods, rows, exclusions))
    return out


def _value_expr(params: dict[str, Any]) -> exp.Expr:
    fields = [col(f) for f in params["fields"]]
    total: exp.Expr = fields[0]
    for f in fields[1:]:
        total = exp.Add(this=total, expression=f)
    return exp.cast(exp.Paren(this=total), "DECIMAL(38, 9)")


def _value_threshold(
    engine: Engine,
    obj: Objective,
    periods: Sequence[Period],
    rows: exp.Expr,
    value: exp.Expr,
    scale: Fraction,
    exclusions: Sequence[Exclusion],
) -> list[Measurement]:
    judge = obj.judgement
    assert judge.threshold_seconds is not None
    # value × scale ≤ T  ⟺  value ≤ T / scale (exact decimals).
    limit = _ratio(Fraction(judge.threshold_seconds) / scale, 1)
    cmp = "<=" if judge.threshold_inclusive else "<"
    scope = [col(f) for f in obj.scope]
    status = sql(
        f"CASE WHEN excl IS NOT NULL THEN 'excluded' WHEN :v IS NULL THEN 'none' WHEN :v {cmp} :lim THEN 'met' ELSE 'breached' END",
        v=value,
        lim=lit(limit),
    )
    query = (
        exp.select(
            exp.column("pid"),
            *scope,
            sql("count_if(status = 'met')").as_("met"),
            sql("count_if(status = 'breached')").as_("breached"),
            *_excluded_columns(exclusions),
        )
        .from_(
            subquery(
                sql("SELECT *, :status AS status FROM (:rel) AS q", status=status, rel=rows), "s"
            )
        )
        .group_by(exp.column("pid"), *scope)
    )
    out = []
    for row in engine.rows(query):
        pid, rest = row[0], row[1:]
        scope_values, rest = rest[: len(scope)], rest[len(scope) :]
        met, breached = int(rest[0]), int(rest[1])
        excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, rest[2:], strict=True))
        judged = met + breached
        out.append(
            Measurement(
                str(pid),
                obj.id,
                _scope_key(obj, scope_values),
                judged,
                _ratio(met, judged) if judged else None,
                met,
                breached,
                0,
                excluded,
            )
        )
    return _with_empty(out, obj, periods, exclusions)


def _aggregate_kind(
    engine: Engine,
    metric: Metric,
    params: dict[str, Any],
    obj: Objective,
    periods: Sequence[Period],
    rows: exp.Expr,
    exclusions: Sequence[Exclusion],
) -> list[Measurement]:
    scope = [col(f) for f in obj.scope]
    kept = sql("excl IS NULL")
    parts: list[exp.Expr]
    if metric.kind == "ratio":
        num, den = params["numerator"], params["denominator"]
        den_where = all_of(from_params(den["where"]))
        num_where = exp.and_(
            exp.Paren(this=den_where), exp.Paren(this=all_of(from_params(num["where"])))
        )
        parts = [
            _side(num, num_where, kept).as_("a"),
            _side(den, den_where, kept).as_("b"),
            sql("count_if(:k AND :w)", k=kept, w=den_where).as_("n"),
        ]
    elif metric.kind == "service_level":
        wait, outcome = col(params["wait"]), col(params["outcome"])
        within = lit(Decimal(params["within_seconds"]))
        short = params["short_abandon_seconds"]
        answered = sql(":o = :v", o=outcome, v=lit(params["answered"]))
        abandoned = sql(":o = :v", o=outcome, v=lit(params["abandoned"]))
        offered = sql(":k AND (:ans OR :ab)", k=kept, ans=answered, ab=abandoned)
        if short is not None:
            offered = sql(
                ":off AND NOT (:ab AND :w < :short)",
                off=offered,
                ab=abandoned,
                w=wait,
                short=lit(Decimal(short)),
            )
        parts = [
            sql("count_if(:off AND :ans)", off=offered, ans=answered).as_("a_all"),
            sql(
                "count_if(:off AND :ans AND :w <= :t)", off=offered, ans=answered, w=wait, t=within
            ).as_("a_in"),
            sql("count_if(:off AND :ab)", off=offered, ab=abandoned).as_("b_all"),
            sql(
                "count_if(:off AND :ab AND :w <= :t)", off=offered, ab=abandoned, w=wait, t=within
            ).as_("b_in"),
        ]
    elif metric.kind == "survey":
        score = col(params["score"])
        rated = sql(":k AND :s IS NOT NULL", k=kept, s=score)
        parts = [
            sql("count_if(:r)", r=rated).as_("n"),
            sql("sum(CASE WHEN :r THEN CAST(:s AS DECIMAL(38, 9)) END)", r=rated, s=score).as_(
                "total"
            ),
        ]
        good = params["good"]
        if good is not None:
            parts.append(
                sql(
                    "count_if(:r AND :s >= :lo AND :s <= :hi)",
                    r=rated,
                    s=score,
                    lo=lit(Decimal(good[0])),
                    hi=lit(Decimal(good[1])),
                ).as_("good")
            )
        else:
            parts.append(lit(0).as_("good"))
        parts.append(sql("count_if(:r AND :s >= 9)", r=rated, s=score).as_("promoters"))
        parts.append(sql("count_if(:r AND :s <= 6)", r=rated, s=score).as_("detractors"))
    elif metric.kind == "servqual":
        gap = sql(
            "CAST(:p AS DECIMAL(38, 9)) - CAST(:e AS DECIMAL(38, 9))",
            p=col(params["perception"]),
            e=col(params["expectation"]),
        )
        dim = col(params["dimension"]) if params.get("dimension") else lit("")
        usable = sql(":k AND :g IS NOT NULL", k=kept, g=gap)
        parts = [
            sql(
                "list(CASE WHEN :u THEN struct_pack(d := CAST(:dim AS VARCHAR), g := :g) END)",
                u=usable,
                dim=dim,
                g=gap,
            ).as_("gaps"),
        ]
    else:  # count
        distinct = params.get("distinct")
        rows_kept = sql("count_if(:k)", k=kept).as_("rows")
        if distinct:
            distinct_kept = sql("count(DISTINCT CASE WHEN :k THEN :d END)", k=kept, d=col(distinct))
            parts = [rows_kept, distinct_kept.as_("n")]
        else:
            parts = [rows_kept, sql("count_if(:k)", k=kept).as_("n")]
    query = (
        exp.select(exp.column("pid"), *scope, *parts, *_excluded_columns(exclusions))
        .from_(exp.Paren(this=rows).as_("q"))
        .group_by(exp.column("pid"), *scope)
    )
    out: list[Measurement] = []
    for row in engine.rows(query):
        pid, rest = row[0], row[1:]
        scope_values, rest = rest[: len(scope)], rest[len(scope) :]
        values, counts = rest[: len(parts)], rest[len(parts) :]
        excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, counts, strict=True))
        sample, measured = _kind_value(metric.kind, params, values)
        out.append(
            Measurement(
                str(pid), obj.id, _scope_key(obj, scope_values), sample, measured, 0, 0, 0, excluded
            )
        )
    return _with_empty(out, obj, periods, exclusions)


def _side(side: dict[str, Any], where: exp.Expr, kept: exp.Expr) -> exp.Expr:
    if side.get("sum"):
        return sql(
            "sum(CASE WHEN :k AND :w THEN CAST(:f AS DECIMAL(38, 9)) END)",
            k=kept,
            w=where,
            f=col(side["sum"]),
        )
    return sql("count_if(:k AND :w)", k=kept, w=where)


def _kind_value(
    kind: str, params: dict[str, Any], values: Sequence[Any]
) -> tuple[int, Decimal | None]:
    if kind == "ratio":
        # The sample is the number of denominator rows, also when the ratio is of sums.
        a, b, n = values
        a, b = _exact(a or 0), _exact(b or 0)
        return (int(n or 0), _ratio(a, b) if b else None)
    if kind == "service_level":
        a_all, a_in, b_all, b_in = (int(v or 0) for v in values)
        formula = params["formula"]
        if formula == "abandoned-ignored":
            num, den = a_in, a_all
        elif formula == "abandoned-against":
            num, den = a_in, a_all + b_all
        elif formula == "abandoned-within-for":
            num, den = a_in + b_in, a_all + b_all
        else:
            num, den = a_in, a_all + b_all - b_in
        return den, (_ratio(num, den) if den else None)
    if kind == "survey":
        n, total, good, promoters, detractors = values
        n = int(n or 0)
        if not n:
            return 0, None
        measure = params["measure"]
        if measure in ("csat", "ces-share"):
            return n, _ratio(int(good), n)
        if measure == "nps":
            return n, _ratio(100 * (int(promoters) - int(detractors)), n)
        return n, _ratio(_exact(total), n)
    if kind == "servqual":
        (gaps,) = values
        by_dim: dict[str, list[Fraction]] = {}
        for item in gaps or []:
            if item is None:
                continue
            by_dim.setdefault(str(item["d"]), []).append(_exact(item["g"]))
        if not by_dim:
            return 0, None
        means = [sum(v, Fraction(0)) / len(v) for v in by_dim.values()]
        sample = sum(len(v) for v in by_dim.values())
        return sample, _ratio(sum(means, Fraction(0)), len(means))
    # The sample is the rows counted; like every kind, no rows (or only excluded ones) is
    # nothing to judge.
    rows, n = values
    return int(rows or 0), (Decimal(int(n or 0)) if rows else None)


# --------------------------------------------------------------------------------------
# Availability


def _availability(engine: Engine, plan: Plan, group: _Group) -> list[Measurement]:
    from slac.evaluation.availability import measure_availability

    return measure_availability(engine, plan, group.terms, group.objectives, group.metric)


__all__ = ["Task", "measure", "plan_tasks", "predicate", "terms_on"]
