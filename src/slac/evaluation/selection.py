"""Which rows each objective takes, and what every kind records and reports alike.

Shared by the metric kinds (evaluation/kinds/): the evaluated windows, an objective's filter
(its `where`, scope matching), its exclusions and their counts, the scope key, evidence rows,
and the empty measurement of a period without rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlglot import exp

from slac.evaluation.conditions import all_of
from slac.evaluation.grids import Grids
from slac.evaluation.measurement import MISSES_SHOWN, Measurement, Misses, Period, ScopeKey
from slac.evaluation.sqltext import Engine, col, lit, sql, table
from slac.plan.intervals import merge_spans
from slac.plan.types import Dataset, Exclusion, Metric, Objective, Plan, Terms

_counter = itertools.count()


@dataclass(frozen=True)
class Run:
    """What every kind measures with: the engine, the plan, the business-time grids."""

    engine: Engine
    plan: Plan
    grids: Grids
    # What is known: events at or before this instant (UTC µs); None: each period as known at
    # its own end (docs/semantics.md, "As of").
    as_of_us: int | None = None

    def dataset(self, name: str) -> Dataset:
        return next(d for d in self.plan.datasets if d.name == name)


@dataclass
class Group:
    """The objectives (each with its periods) that share one metric under one set of terms:
    the metric's rows are read once for all of them."""

    terms: Terms
    metric: Metric
    objectives: list[tuple[Objective, list[Period]]]

    @property
    def periods(self) -> list[Period]:
        return [p for _, ps in self.objectives for p in ps]

    def each(self, engine: Engine) -> Iterator[tuple[Objective, list[Period]]]:
        """The objectives one by one, the engine measuring each in turn (Engine.measuring)."""
        for obj, periods in self.objectives:
            with engine.measuring((obj.id,)):
                yield obj, periods


def temp_name(prefix: str) -> exp.Table:
    """A fresh temp-table name (unique within the process)."""
    return table(f"{prefix}_{next(_counter)}")


def window_key(period: Period) -> str:
    """What tells a window from any other: a month and a rolling window ending with that month
    share their id (``2026-10``), not their bounds."""
    return f"{period.id}@{period.start_us}:{period.end_us}"


EARLIEST_US = -(2**62)


def before_window(periods: Sequence[Period]) -> Period:
    """Everything before the first of these calendar periods, as one window: its items whose
    outcome was still unknown when the run's first period began are judged in the run (carry-
    over); the others were judged in a period before the run."""
    first = min(periods, key=lambda p: p.start_us)
    return Period(f"before {first.id}", first.unit, EARLIEST_US, first.start_us)


def windows(
    engine: Engine,
    periods: Sequence[Period],
    as_of_us: int | None = None,
    rolling: Set[str] = frozenset(),
    before: Sequence[Period] = (),
) -> exp.Table:
    """A temp table of the evaluated windows: (pid, w_start, w_end) in UTC microseconds,
    ``wkey`` (:func:`window_key`), by which an objective picks its own windows, ``asof``: the
    instant up to which events are known when the window is judged (``as_of_us``, or the
    window's end), ``fam``: the unit of a calendar period (month, quarter, year), whose later
    periods judge what it left pending (carry-over), NULL for the windows whose keys are in
    ``rolling`` (they overlap, each judges all of its items); and ``before``: true for the
    :func:`before_window` windows, which are not judged themselves."""
    name = temp_name("win")

    def row(p: Period, is_before: bool) -> tuple[object, ...]:
        asof = window_asof(p, as_of_us)
        fam = None if window_key(p) in rolling else p.unit
        return (p.id, p.start_us, p.end_us, window_key(p), asof, fam, is_before)

    unique = sorted(
        {row(p, False) for p in periods} | {row(p, True) for p in before},
        key=lambda r: (r[1], r[2], str(r[0])),
    )
    # `wi` numbers the windows 0..n-1: an item's row in a window is named by (item, wi), not
    # by a window function over millions of rows.
    values = exp.values(
        [(*(lit(v) for v in r), lit(i)) for i, r in enumerate(unique)],
        alias="v",
        columns=["pid", "w_start", "w_end", "wkey", "asof", "fam", "before", "wi"],
    )
    engine.execute(sql("CREATE OR REPLACE TEMP TABLE :t AS SELECT * FROM :v", t=name, v=values))
    return name


def window_asof(period: Period, as_of_us: int | None) -> int:
    """The instant up to which a window's events are known when it is judged."""
    return period.end_us if as_of_us is None else as_of_us


def step_value(t: exp.Expr, steps: Sequence[tuple[int, int, int]]) -> exp.Expr:
    """The value of the step ``(start, end, value)`` (the steps do not overlap) whose
    ``[start, end)`` holds the instant ``t``, else NULL: a binary search written as CASE, a
    few comparisons a row however many steps."""
    ordered = sorted(steps)

    def search(ss: Sequence[tuple[int, int, int]]) -> exp.Expr:
        if len(ss) == 1:
            start, end, value = ss[0]
            return sql(
                "CASE WHEN :t >= :a AND :t < :b THEN :v END",
                t=t.copy(),
                a=lit(start),
                b=lit(end),
                v=lit(value),
            )
        mid = len(ss) // 2
        return sql(
            "CASE WHEN :t < :m THEN :lo ELSE :hi END",
            t=t.copy(),
            m=lit(ss[mid][0]),
            lo=search(ss[:mid]),
            hi=search(ss[mid:]),
        )

    return search(ordered) if ordered else exp.null()


def earliest_asof(t: exp.Expr, periods: Sequence[Period], as_of_us: int | None) -> exp.Expr:
    """The earliest as-of instant (:func:`window_asof`) of the ``periods`` that hold the
    instant ``t``, NULL when none holds it: a step function over the periods' bounds."""
    bounds = sorted({b for p in periods for b in (p.start_us, p.end_us)})
    steps = []
    for lo, hi in itertools.pairwise(bounds):
        holding = [window_asof(p, as_of_us) for p in periods if p.start_us <= lo and hi <= p.end_us]
        if holding:
            steps.append((lo, hi, min(holding)))
    return step_value(t, steps)


DAY_US = 86_400_000_000


def day_of(us: exp.Expr) -> exp.Expr:
    """The UTC day number of an instant in microseconds, floored also before 1970."""
    return sql("INTDIV(:x - ((:x % :d) + :d) % :d, :d)", x=us, d=lit(DAY_US))


@dataclass(frozen=True)
class WindowDays:
    """The windows of :func:`windows` once per UTC day they touch (``day``), so that rows
    find their windows by a hash join on the day and a check of the bounds, not by a range
    join, which costs more than the measurement on millions of rows. Days are clamped to
    ``lo``..``hi`` (a day before and after the run): the window before the run, which reaches
    back to the earliest instant, touches a few days, not millions."""

    table: exp.Table
    lo: int
    hi: int

    def join(self, alias: str, instant: exp.Expr) -> exp.Expr:
        """``JOIN`` condition of a row at ``instant`` with the window aliased ``alias``."""
        return sql(
            ":a.day = greatest(least(:d, :hi), :lo) AND :x >= :a.w_start AND :x < :a.w_end",
            a=exp.to_identifier(alias),
            d=day_of(instant.copy()),
            x=instant,
            lo=lit(self.lo),
            hi=lit(self.hi),
        )


def window_days(engine: Engine, win: exp.Table) -> WindowDays:
    row = engine.rows(
        sql("SELECT min(w_start) FILTER (WHERE NOT before), max(w_end) FROM :w", w=win)
    )[0]
    first, last = (int(row[0]), int(row[1])) if row[0] is not None else (0, DAY_US)
    lo, hi = first // DAY_US - 1, (last - 1) // DAY_US + 1
    name = temp_name("wdays")

    def clamped(x: str) -> exp.Expr:
        return sql("greatest(least(:d, :hi), :lo)", d=day_of(sql(x)), lo=lit(lo), hi=lit(hi))

    engine.execute(
        sql(
            "CREATE OR REPLACE TEMP TABLE :t AS SELECT w.*, "
            "unnest(range(:a, :z + 1)) AS day FROM :w AS w",
            t=name,
            w=win,
            a=clamped("w.w_start"),
            z=clamped("w.w_end - 1"),
        )
    )
    return WindowDays(name, lo, hi)


def in_windows(periods: Sequence[Period], alias: str = "b") -> exp.Expr:
    """The rows (joined to :func:`windows`) of these windows and no other: a monthly objective
    and a rolling one over the same metric share the rows, each window judged on its own.
    A window is told by its id and bounds (what :func:`window_key` writes), read from the
    rows' ``pid``, ``w_start`` and ``w_end``: a key string on each of millions of rows would
    cost more memory than the rest of the row."""
    unique = sorted(
        {(p.id, p.start_us, p.end_us) for p in periods}, key=lambda k: (k[1], k[2], k[0])
    )
    if not unique:
        return exp.false()
    return exp.or_(
        *(
            sql(
                ":p = :i AND :s = :a AND :e = :b",
                p=col("pid", alias),
                s=col("w_start", alias),
                e=col("w_end", alias),
                i=lit(i),
                a=lit(a),
                b=lit(b),
            )
            for i, a, b in unique
        )
    )


def policy_filter(terms: Terms, obj: Objective) -> exp.Expr:
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


def exclusions_for(terms: Terms, obj: Objective) -> list[Exclusion]:
    return [e for e in terms.exclusions if e.id in obj.exclusions]


def scope_exprs(obj: Objective, alias: str = "b") -> list[exp.Expr]:
    return [col(field, alias) for field in obj.scope]


def excluded_columns(exclusions: Sequence[Exclusion]) -> list[exp.Expr]:
    return [
        sql("count_if(excl = :id)", id=lit(e.id)).as_(f"x_{i}") for i, e in enumerate(exclusions)
    ]


def breach_columns(key: exp.Expr, instant: exp.Expr, items: bool = True) -> list[exp.Expr]:
    """The latest breached item's instant (µs) and the breached items' keys, over rows whose
    ``status`` is judged: what claims from the incident and one credit per incident need.
    The list is as long as the period's breaches, which the credit already counts; without
    ``items`` (no credit of the plan is one per incident: :func:`lists_breached_items`) it is
    null, and the engine neither gathers nor sorts the keys (534k at 10M tickets)."""
    breached = "status = 'breached'"
    listed = (
        sql(
            f"list_sort(list_distinct(list(CAST(:k AS VARCHAR)) FILTER (WHERE {breached})))",
            k=key,
        )
        if items
        else exp.null()
    )
    return [
        sql(f"max(CASE WHEN {breached} THEN :t END)", t=instant).as_("last_breach_us"),
        listed.as_("breached_items"),
    ]


def lists_breached_items(plan: Plan) -> bool:
    """Whether a measurement's breached items are read: only to give one credit per incident
    (judge.py), under any of the plan's terms."""
    return any(t.credits.combine == "per-incident" for t in plan.terms)


def breach_values(last: Any, items: Any) -> dict[str, Any]:
    """The two :func:`breach_columns` of a result row as :class:`Measurement` fields."""
    return {
        "last_breach_us": int(last) if last is not None else None,
        "breached_items": tuple(str(i) for i in items or ()),
    }


@dataclass(frozen=True)
class MissSpec:
    """How a kind's rows miss their threshold one by one, for the breached-items annex: which
    rows missed (``missed``), what sorts the worst first (``worst``, ascending: how far under
    the threshold, negated), and the fields each listed row carries (``fields``, decoded by the
    kind, which knows their units)."""

    missed: exp.Expr
    worst: exp.Expr
    fields: dict[str, exp.Expr]


def miss_columns(spec: MissSpec, item: exp.Expr) -> list[exp.Expr]:
    """How many rows missed (``miss_count``) and the first :data:`MISSES_SHOWN` of them
    (``misses``: a list of structs with ``item`` and the spec's fields), worst first, ties by
    item key. Aggregates of the kind's own GROUP BY: a bounded heap per group, never another
    pass over the rows, and only the bounded lists leave the engine."""
    key = exp.cast(item, "VARCHAR")
    payload = exp.func(
        "struct_pack",
        exp.PropertyEQ(this=exp.to_identifier("item"), expression=key.copy()),
        *(exp.PropertyEQ(this=exp.to_identifier(n), expression=e) for n, e in spec.fields.items()),
    )
    order = exp.func(
        "struct_pack",
        exp.PropertyEQ(this=exp.to_identifier("w"), expression=spec.worst),
        exp.PropertyEQ(this=exp.to_identifier("k"), expression=key),
    )
    return [
        sql("count_if(:m)", m=spec.missed).as_("miss_count"),
        sql(
            "min_by(:p, :o, :n) FILTER (WHERE :m)",
            p=payload,
            o=order,
            n=lit(MISSES_SHOWN),
            m=spec.missed.copy(),
        ).as_("misses"),
    ]


def objective_filter(terms: Terms, obj: Objective, alias: str = "b") -> exp.Expr:
    """:func:`policy_filter` over the rows aliased ``alias``."""
    expression = policy_filter(terms, obj)
    for column in expression.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier(alias))
    return expression


def item_key(plan: Plan, obj: Objective) -> exp.Expr:
    """What names a row in the evidence: the dataset's key, else the source row number."""
    dataset = next(d for d in plan.datasets if d.name == obj.metric.dataset)
    return col(dataset.key) if dataset.key else exp.column("_row")


def incident_key(dataset: Dataset, alias: str | None = None) -> exp.Expr:
    """What names an incident: the dataset's key, else the row's file and line (a row number
    alone repeats across the files of one dataset)."""
    if dataset.key:
        return col(dataset.key, alias)
    return exp.func(
        "concat",
        exp.cast(exp.column("_file", alias), "VARCHAR"),
        lit(":"),
        exp.cast(exp.column("_row", alias), "VARCHAR"),
    )


def record(engine: Engine, obj: Objective, rows: exp.Expr, value: exp.Expr, key: exp.Expr) -> None:
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


def scope_key(obj: Objective, values: Sequence[Any]) -> ScopeKey:
    return tuple((field, _plain(v)) for field, v in zip(obj.scope, values, strict=True))


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def with_empty(
    found: list[Measurement],
    obj: Objective,
    periods: Sequence[Period],
    exclusions: Sequence[Exclusion],
    value: Decimal | None = None,
    misses: Misses | None = None,
) -> list[Measurement]:
    """A period with no rows still gets its measurement (``value``: none, except for kinds
    where no rows means something, such as a count of 0; ``misses``: none missed, for kinds
    that list them): without scope as usual, with scope as one measurement for all scope
    values (none of them had rows)."""
    seen = {m.period for m in found}
    for p in periods:
        if p.id not in seen:
            found.append(
                Measurement(
                    p.id,
                    obj.id,
                    (),
                    0,
                    value,
                    0,
                    0,
                    0,
                    tuple((e.id, 0) for e in exclusions),
                    misses=misses,
                )
            )
    return found


ROW_ACCOUNT = table("row_account")


def create_row_account(engine: Engine) -> None:
    """The table each kind adds its objectives' row counts to (one row per objective under one
    set of terms); the results sum them per objective (docs/semantics.md, "Row account")."""
    engine.execute(
        sql(
            "CREATE OR REPLACE TEMP TABLE :t (objective VARCHAR, dataset VARCHAR, items BIGINT, "
            "in_window BIGINT, taken BIGINT, judged BIGINT, excluded BIGINT, pending BIGINT, "
            "left_out BIGINT, bad_from VARCHAR[])",
            t=ROW_ACCOUNT,
        )
    )


def account(
    engine: Engine,
    obj: Objective,
    items: exp.Expr,
    member: exp.Expr,
    taken: exp.Expr,
    outcomes: exp.Expr,
    periods: Sequence[Period],
    ident: Sequence[str] = ("_file", "_row"),
    until: exp.Expr | None = None,
    bad_from: Sequence[str] = (),
    carried_in: bool = False,
    outcomes_hold_items: bool = False,
    one_each: bool = False,
) -> None:
    """Count an objective's rows, in the engine: ``items`` (a relation aliased ``t``) are all
    the rows it could read; ``member`` places one in a period; ``taken`` (over ``t``) says it
    passes the metric's and the objective's `where`; ``outcomes`` (a relation with ``ident``
    and ``_account``: judged | excluded | pending | filtered, the last for a row the kind's own
    `where` leaves out, such as a ratio's denominator) holds what happened to each taken row in
    each period. A row in several periods of the objective (rolling windows) counts once, by
    its best outcome: judged in any period, else excluded, else pending, else filtered.
    With ``until`` (over ``t`` and the window ``w``) a row is an interval from ``member``: it
    is in a period when it overlaps it (an outage). ``bad_from``: other datasets whose bad
    rows are items of this account too (a duration's reopen rows, each a cycle).
    ``carried_in``: items placed before the periods but judged in them count as theirs.
    ``outcomes_hold_items``: each outcome row carries its item's own columns (a duration's
    rows do), so ``member`` and ``taken`` are read there and the items are only counted, not
    joined to their outcomes row by row. ``one_each``: no item has more than one outcome row
    (one window and one scope value each), so the outcomes are not grouped by item: a grouping
    of millions of rows, each a group of its own."""
    same = exp.and_(
        *(sql(":a IS NOT DISTINCT FROM :b", a=col(c, "t"), b=col(c, "o")) for c in ident)
    )
    order = sql(
        "CASE _account WHEN 'judged' THEN 0 WHEN 'excluded' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END"
    )
    rank = sql("min(:o)", o=order.copy())
    placed: exp.Expr
    best = exp.select(
        *(exp.column(c) for c in ident), exp.alias_(order if one_each else rank, "o")
    ).from_(
        exp.Subquery(this=outcomes, alias=exp.TableAlias(this=exp.to_identifier("r"))),
        copy=False,
    )
    if not one_each:
        best = best.group_by(*(exp.column(c) for c in ident), copy=False)
    if until is None:
        placed = placed_in(member, periods)
    else:
        placed = sql(
            "EXISTS (SELECT 1 FROM (:win) AS w WHERE :m < w.w_end AND :u > w.w_start)",
            win=_period_values(periods),
            m=member,
            u=until,
        )
    # Items of periods before the run judged in it (carry-over) belong to the run too, as do
    # items open in it whose end (by `period_membership: end`) is after it: taken, whatever
    # their own period.
    late = sql("o.o IN (0, 2)") if carried_in else exp.false()
    if outcomes_hold_items and until is None:
        _account_from_outcomes(
            engine,
            obj,
            items,
            placed,
            taken,
            outcomes,
            ident,
            order if one_each else rank,
            late,
            bad_from,
            one_each,
        )
        return
    rows = sql(
        "SELECT coalesce(:placed, FALSE) OR coalesce(:late, FALSE) AS inw, "
        "coalesce(:taken, FALSE) OR coalesce(:late, FALSE) AS tk, o.o "
        "FROM (:items) AS t LEFT JOIN (:best) AS o ON :same",
        placed=placed,
        late=late,
        taken=taken,
        items=items,
        best=best,
        same=same,
    )
    engine.execute(
        sql(
            "INSERT INTO :acc SELECT :obj, :ds, count(*), count_if(inw), count_if(inw AND tk), "
            "count_if(inw AND o = 0), count_if(inw AND o = 1), count_if(inw AND o = 2), "
            "count_if(inw AND o = 3), :also FROM (:rows) AS r",
            **account_row(obj, bad_from),
            rows=rows,
        )
    )


def placed_in(member: exp.Expr, periods: Sequence[Period]) -> exp.Expr:
    """Whether ``member`` (an instant) falls in one of ``periods``. The periods are merged into
    spans: a row lies in one span at most, so the test needs no join (a range join of millions
    of rows costs more than the measurement)."""
    spans = merge_spans(sorted({(p.start_us, p.end_us) for p in periods}))
    if not spans:
        return exp.false()
    return exp.or_(
        *(sql(":m >= :a AND :m < :b", m=member.copy(), a=lit(a), b=lit(b)) for a, b in spans)
    )


def account_row(obj: Objective, bad_from: Sequence[str]) -> dict[str, exp.Expr]:
    """The placeholders of a row-account insert besides its counts: the table, the objective,
    its dataset and the other datasets whose bad rows are its items."""
    return {
        "acc": ROW_ACCOUNT,
        "obj": lit(obj.id),
        "ds": lit(obj.metric.dataset),
        "also": exp.cast(exp.Array(expressions=[lit(d) for d in bad_from]), "VARCHAR[]"),
    }


def _account_from_outcomes(
    engine: Engine,
    obj: Objective,
    items: exp.Expr,
    placed: exp.Expr,
    taken: exp.Expr,
    outcomes: exp.Expr,
    ident: Sequence[str],
    rank: exp.Expr,
    late: exp.Expr,
    bad_from: Sequence[str],
    one_each: bool = False,
) -> None:
    """:func:`account` without a join of every item to its outcome: the items give the counts
    of rows, rows in the periods and rows taken (P, P and T); the outcome rows, which carry
    their item's columns, give the rest. With L (judged or pending in the run, carried in):
    in the run = P + (L and not P); taken = (P and T) + (L and not (P and T)); each outcome
    counts where P or L. With ``one_each`` each outcome row is its item's only one (``rank``
    then the row's own order): nothing to group."""
    p, tk = placed.copy(), taken.copy()
    if not one_each:
        p, tk = sql("bool_or(coalesce(:p, FALSE))", p=p), sql("bool_or(coalesce(:t, FALSE))", t=tk)
    best = exp.select(
        *(exp.column(c) for c in ident),
        exp.alias_(rank, "o"),
        exp.alias_(exp.func("coalesce", p, exp.false()) if one_each else p, "p"),
        exp.alias_(exp.func("coalesce", tk, exp.false()) if one_each else tk, "tk"),
    ).from_(
        exp.Subquery(this=outcomes, alias=exp.TableAlias(this=exp.to_identifier("t"))),
        copy=False,
    )
    if not one_each:
        best = best.group_by(*(exp.column(c) for c in ident), copy=False)
    engine.execute(
        sql(
            "INSERT INTO :acc SELECT :obj, :ds, i.n, i.p + b.late_only, i.pt + b.late_not_pt, "
            "b.j0, b.j1, b.j2, b.j3, :also FROM ("
            "SELECT count(*) AS n, count_if(coalesce(:placed, FALSE)) AS p, "
            "count_if(coalesce(:placed, FALSE) AND coalesce(:taken, FALSE)) AS pt "
            "FROM (:items) AS t) AS i CROSS JOIN ("
            "SELECT count_if(NOT p AND l) AS late_only, count_if(l AND NOT (p AND tk)) AS late_not_pt, "
            "count_if((p OR l) AND o = 0) AS j0, count_if((p OR l) AND o = 1) AS j1, "
            "count_if((p OR l) AND o = 2) AS j2, count_if((p OR l) AND o = 3) AS j3 "
            "FROM (SELECT *, coalesce(:late, FALSE) AS l FROM (:best) AS o) AS q) AS b",
            **account_row(obj, bad_from),
            placed=placed,
            taken=taken,
            items=items,
            late=late,
            best=best,
        )
    )


def _period_values(periods: Sequence[Period]) -> exp.Expr:
    unique = sorted({(p.start_us, p.end_us) for p in periods})
    return exp.select("*").from_(
        exp.values(
            [tuple(lit(v) for v in row) for row in unique], alias="v", columns=["w_start", "w_end"]
        )
    )
