"""`duration`: the time from a start to an end event per item (ticket), on the metric's clock.

Each item is placed in the period of its start (or end, with `period_membership: end`); its
elapsed time is business time on the metric's calendar (through the engine's grid), minus the
business time inside its pauses, clipped to the measured interval and merged where they
overlap. An objective judges the share of items within a deadline (open items judged when
already overdue, by `open_items`) or a statistic of the closed items (docs/semantics.md).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlglot import exp

from slac.contract.kinds import FieldRef
from slac.contract.model import Metric as ContractMetric
from slac.contract.rules.base import Finding, RuleContext
from slac.contract.rules.references import BUILTIN_CALENDARS, missing, unknown_fields
from slac.contract.rules.walk import condition_fields
from slac.contract.source import Path
from slac.evaluation.conditions import all_of, exclusion_case, from_params
from slac.evaluation.grids import business_us
from slac.evaluation.kind import Check
from slac.evaluation.measurement import (
    Measurement,
    MissedItem,
    Misses,
    Period,
    exact_ratio,
)
from slac.evaluation.selection import (
    Group,
    MissSpec,
    Run,
    account,
    before_window,
    breach_columns,
    breach_values,
    earliest_asof,
    excluded_columns,
    exclusions_for,
    in_windows,
    incident_key,
    item_key,
    lists_breached_items,
    miss_columns,
    objective_filter,
    placed_in,
    record,
    scope_key,
    temp_name,
    window_days,
    window_key,
    windows,
    with_empty,
)
from slac.evaluation.sqltext import Engine, col, lit, sql, subquery, table, typed_table
from slac.evaluation.statistics import statistics
from slac.evaluation.tally import Tally, insert_tallies
from slac.evaluation.timegrid import Grid
from slac.kinds.base import ROW_COLUMNS, Kind
from slac.plan.calendars import ALWAYS
from slac.plan.canonical import to_json
from slac.plan.explain.measures import (
    Promise,
    deadline,
    statistic,
    threshold,
)
from slac.plan.kinds import MetricContext
from slac.plan.types import Cycles, Metric, Objective, Pause, Plan, Terms
from slac.plan.values import conditions
from slac.wording import (
    article,
    clauses,
    event_noun,
    rows_words,
    singular,
    words,
)

US = 1_000_000
# How far before the contract's first year business time reaches (items opened earlier and
# judged later, with period_membership: end); holidays before that first year are not known.
BUSINESS_REACH_YEARS = 10
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DurationParams:
    start: str  # the field of the start event ("from")
    end: str  # the field of the end event ("to")
    calendar: str
    pause: Pause | None
    reopened: str
    period_membership: str  # start | end
    cycles: Cycles | None = None  # one row per reopen of an item

    @property
    def member_field(self) -> str:
        """The field whose instant places an item in a period."""
        return self.start if self.period_membership == "start" else self.end

    @property
    def each_cycle(self) -> bool:
        """Each cycle of a reopened item is an item of its own. With `first-cycle` the reopen
        rows are still read (checked, counted in the results' inputs) but not judged."""
        return self.reopened == "each-cycle" and self.cycles is not None


class Duration(Kind[DurationParams]):
    name: ClassVar[str] = "duration"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    thresholds: ClassVar[bool] = True
    own_clock: ClassVar[bool] = True
    internal_columns: ClassVar[frozenset[str]] = ROW_COLUMNS
    field_keys: ClassVar[tuple[str, ...]] = ("from", "to")

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        pause = body.get("pause")
        cycles = body.get("cycles")
        # `cycles` only when declared, so that plans without reopen data keep their hash.
        declared = (
            {}
            if not cycles
            else {
                "cycles": {
                    "dataset": cycles["dataset"],
                    "start": cycles["start"],
                    "end": cycles["end"],
                    "parent_key": context.parent_keys.get(cycles["dataset"]),
                }
            }
        )
        return {
            **declared,
            "from": body["from"],
            "to": body["to"],
            "calendar": body.get("calendar", ALWAYS),
            "pause": None
            if not pause
            else {
                "dataset": pause["dataset"],
                "start": pause["start"],
                "end": pause["end"],
                "where": to_json(conditions(pause.get("where"))),
                "parent_key": context.parent_keys.get(pause["dataset"]),
            },
            "reopened": body.get("reopened", context.semantics["reopened"]),
            "period_membership": body.get(
                "period_membership", context.semantics["period_membership"]
            ),
        }

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        return "number" if statistic == "count" else "duration"

    def calendar(self, body: Mapping[str, Any]) -> str | None:
        cal = body.get("calendar")
        return cal if isinstance(cal, str) else None

    def references(self, ctx: RuleContext, metric: ContractMetric) -> Iterator[Finding]:
        yield from duration_references(ctx, metric)

    def params(self, metric: Metric) -> DurationParams:
        raw = dict(metric.params)
        pause = raw.get("pause")
        return DurationParams(
            raw["from"],
            raw["to"],
            raw["calendar"],
            None
            if not pause
            else Pause(
                pause["dataset"],
                pause["start"],
                pause["end"],
                from_params(pause["where"]),
                pause.get("parent_key"),
            ),
            raw["reopened"],
            raw.get("period_membership", "start"),
            _cycles(raw.get("cycles")),
        )

    def measure(self, run: Run, group: Group) -> list[Measurement]:
        return _measure(run, group, self.params(group.metric))

    def reads(self, metric: Metric) -> tuple[str, ...]:
        params = self.params(metric)
        read = [params.pause.dataset] if params.pause else []
        if params.cycles and params.cycles.dataset not in read:
            read.append(params.cycles.dataset)
        return tuple(read)

    def row_checks(self, metric: Metric, fields: Set[str]) -> list[Check]:
        params = self.params(metric)
        if not {params.start, params.end} <= fields:
            return []
        problem = sql(
            "CASE WHEN :e < :s THEN :what END",
            e=exp.column(params.end, "t", quoted=True),
            s=exp.column(params.start, "t", quoted=True),
            what=lit(f"{params.end} is before {params.start}"),
        )
        # Without its start an item has no elapsed time and, by start, no period: it would
        # vanish from the count. Read as text, so that an unreadable start is named once.
        empty = sql(
            "CASE WHEN :s IS NULL THEN :what END",
            s=exp.column(params.start, "r", quoted=True),
            what=lit(f"{params.start} is empty: the item has no start"),
        )
        return [(params.end, problem), (params.start, empty)]

    def linked_checks(self, engine: Engine, plan: Plan, metric: Metric, loaded: Set[str]) -> None:
        """A pause must start before it ends and name an item. Where it lies does not matter:
        a status history spans the item's whole life, and each metric takes the part inside
        the interval it measures (clipped when measuring), so nothing outside it is bad.
        Business time is counted from at most :data:`BUSINESS_REACH_YEARS` before the contract's
        first year: an item starting earlier is bad (a timestamp typo, most likely)."""
        params = self.params(metric)
        cycles, pause = params.cycles, params.pause
        if metric.dataset in loaded:
            _check_business_reach(
                engine, plan, params, metric.dataset, params.start, all_of(metric.where, "t")
            )
        if cycles is not None and params.each_cycle and cycles.dataset in loaded:
            # Each reopen is an item of its own, counted from its own start: the same bound
            # (an item of an earlier period may be judged in the run, so its clock is read).
            _check_business_reach(engine, plan, params, cycles.dataset, cycles.start, exp.true())
        if cycles is not None:
            # Checked under `first-cycle` as well: the rows are read either way, and bad data
            # is never passed over silently.
            _interval_rows_checks(
                engine,
                plan,
                metric,
                loaded,
                (cycles.dataset, cycles.parent_key, cycles.start, cycles.end),
                (
                    "reopen of an unknown item ",
                    "reopen without its start",
                    "cycle ends before it starts",
                    # Its item's row is bad and left out, so the cycle has no item to be
                    # judged with: it is bad too, named, rather than dropped unseen.
                    "reopen of item ",
                ),
            )
        if pause is not None:
            _interval_rows_checks(
                engine,
                plan,
                metric,
                loaded,
                (pause.dataset, pause.parent_key, pause.start, pause.end),
                ("pause for an unknown item ", None, "pause ends before it starts", None),
            )


def _interval_rows_checks(
    engine: Engine,
    plan: Plan,
    metric: Metric,
    loaded: Set[str],
    rows: tuple[str, str | None, str, str],
    problems: tuple[str, str | None, str, str | None],
) -> None:
    """Rows of intervals that belong to an item (pauses, reopened cycles: ``rows`` is their
    dataset, parent key, start and end): each must name a known item and not end before it
    starts (``problems``: the words for each; a missing start, and an item whose every row is
    bad, are problems only where they say)."""
    dataset, parent_key, start, end = rows
    unknown, no_start, backwards, bad_parent = problems
    if dataset not in loaded or metric.dataset not in loaded:
        return
    parent = next(d for d in plan.datasets if d.name == metric.dataset)
    if not parent.key or not parent_key:
        return
    # A check that does not apply is left out of the statement, not written `WHEN FALSE AND
    # …`: DuckDB would still build the hash table of its subquery (every item's key; 1.3 of
    # 4.4 s at 10M tickets).
    start_check = "WHEN c.cs IS NULL THEN :no_start " if no_start else ""
    parent_check = (
        "WHEN NOT EXISTS (SELECT 1 FROM :it AS i WHERE i.k = c.pk "
        "AND NOT EXISTS (SELECT 1 FROM bad_rows AS b WHERE b.dataset = :pds "
        "AND b._file = i._file AND b._row = i._row)) "
        "THEN :bad_parent || CAST(c.pk AS VARCHAR) || ', whose row is bad' "
        if bad_parent
        else ""
    )
    engine.execute(
        sql(
            "INSERT INTO bad_rows SELECT * FROM (SELECT :ds, c._file, c._row, :field, "
            "CASE WHEN c.pk IS NULL OR NOT EXISTS (SELECT 1 FROM :it AS i WHERE i.k = c.pk) "
            "THEN :unknown || coalesce(CAST(c.pk AS VARCHAR), '(empty)') "
            f"{start_check}WHEN c.ce < c.cs THEN :backwards {parent_check}END AS problem "
            "FROM (SELECT _file, _row, :pk AS pk, :cs AS cs, :ce AS ce FROM :ct) AS c) AS q "
            "WHERE problem IS NOT NULL",
            ds=lit(dataset),
            bad_parent=lit(bad_parent or ""),
            pds=lit(metric.dataset),
            field=lit(start),
            unknown=lit(unknown),
            no_start=lit(no_start or ""),
            backwards=lit(backwards),
            pk=exp.column(parent_key, quoted=True),
            cs=exp.column(start, quoted=True),
            ce=exp.column(end, quoted=True),
            ct=typed_table(dataset),
            it=sql(
                "(SELECT :k AS k, _file, _row FROM :t)",
                k=exp.column(parent.key, quoted=True),
                t=typed_table(metric.dataset),
            ),
        )
    )


def business_reach_us(plan: Plan) -> int:
    """The earliest instant business time is counted from (UTC midnight starting the year
    :data:`BUSINESS_REACH_YEARS` before the plan's first calendar year). The grid of business
    time is built from there on, day by day: a bound keeps a typo such as year 0002 from
    costing minutes and gigabytes."""
    first = min(int(c.horizon_from[:4]) for t in plan.terms for c in t.calendars)
    start = datetime(max(first - BUSINESS_REACH_YEARS, 2), 1, 1, tzinfo=UTC)
    return (start - EPOCH) // timedelta(microseconds=1)


def _check_business_reach(
    engine: Engine,
    plan: Plan,
    params: DurationParams,
    dataset: str,
    start: str,
    where: exp.Expr,
) -> None:
    calendars = [c for t in plan.terms for c in t.calendars if c.name == params.calendar]
    if not calendars or all(c.always_open for c in calendars):
        return
    reach = business_reach_us(plan)
    since = EPOCH + timedelta(microseconds=reach)
    engine.execute(
        sql(
            "INSERT INTO bad_rows SELECT :ds, t._file, t._row, :f, :what FROM :t AS t "
            "WHERE :s < :reach AND :w",
            ds=lit(dataset),
            f=lit(start),
            what=lit(
                f"{start} is before {since.date().isoformat()}: business time is counted "
                f"from {BUSINESS_REACH_YEARS} years before the contract's first year"
            ),
            t=typed_table(dataset),
            s=col(start, "t"),
            reach=lit(reach),
            w=where,
        )
    )


def duration_references(ctx: RuleContext, metric: ContractMetric) -> Iterator[Finding]:
    """The calendar a duration counts in, and its pause and cycle datasets and fields, must
    exist."""
    at: Path = (*metric.path, "duration")
    calendars = [*ctx.contract.calendars, *BUILTIN_CALENDARS]
    cal = metric.body.get("calendar")
    if cal is not None and cal not in calendars:
        yield missing("calendar", cal, (*at, "calendar"), calendars)
    for key in ("pause", "cycles"):
        linked = metric.body.get(key)
        if linked is None:
            continue
        path: Path = (*at, key)
        ds = linked["dataset"]
        fields = ctx.dataset_fields(ds)
        if fields is None:
            yield missing("dataset", ds, (*path, "dataset"), list(ctx.contract.datasets))
            continue
        refs: list[FieldRef] = [((*path, k), linked[k], False) for k in ("start", "end")]
        refs.extend(condition_fields(linked.get("where"), (*path, "where")))
        yield from unknown_fields(refs, fields, ds)


def _cycles(raw: Mapping[str, Any] | None) -> Cycles | None:
    if not raw:
        return None
    return Cycles(raw["dataset"], raw["start"], raw["end"], raw.get("parent_key"))


def _cycle_items(engine: Engine, run: Run, metric: Metric, params: DurationParams) -> exp.Table:
    """Every cycle as an item of its own: the item's row is cycle 1; each reopen row is the
    item's row with its start and end events replaced by the reopen's, numbered 2, 3, … in
    order of its start (Jira Service Management's completed and ongoing cycles)."""
    cycles = params.cycles
    key = run.dataset(metric.dataset).key
    assert cycles is not None and cycles.parent_key and key, "cycles need a parent (lint)"
    name = temp_name("cycles")
    # The columns by name, not `t.* REPLACE (…)`: PostgreSQL, Trino and Spark have no star
    # modifiers (docs/warehouse-sql.md).
    columns = ["_file", "_row", *(f.name for f in run.dataset(metric.dataset).fields)]
    replaced = {params.start: col(cycles.start, "c"), params.end: col(cycles.end, "c")}
    item = exp.select(*(col(c, "t") for c in columns), lit(1).as_("_cycle")).from_(
        typed_table(metric.dataset).as_("t"), copy=False
    )
    cycle = sql(
        "1 + row_number() OVER (PARTITION BY :pk ORDER BY :cs, :ce NULLS LAST, c._file, c._row)",
        pk=col(cycles.parent_key, "c"),
        cs=col(cycles.start, "c"),
        ce=col(cycles.end, "c"),
    )
    # The reopens on the right, to be hashed: fewer than the items as a rule, and narrow.
    reopen = sql(
        "SELECT 1 FROM :ds AS t JOIN :cds AS c ON :pk = :k",
        cds=typed_table(cycles.dataset),
        ds=typed_table(metric.dataset),
        pk=col(cycles.parent_key, "c"),
        k=col(key, "t"),
    )
    assert isinstance(reopen, exp.Select)
    reopen.set(
        "expressions",
        [
            *(
                replaced[c].copy().as_(c, quoted=True) if c in replaced else col(c, "t")
                for c in columns
            ),
            cycle.as_("_cycle"),
        ],
    )
    # `_iid` numbers the cycles in an order of their own (see _items).
    engine.execute(
        sql(
            "CREATE OR REPLACE TEMP TABLE :name AS SELECT *, "
            "row_number() OVER (ORDER BY _file, _row, _cycle) AS _iid FROM (:q) AS u",
            name=name,
            q=exp.union(item, reopen, distinct=False),
        )
    )
    return name


def _measure(run: Run, group: Group, params: DurationParams) -> list[Measurement]:
    metric, terms, engine, plan = group.metric, group.terms, run.engine, run.plan
    calendar = next(c for c in terms.calendars if c.name == params.calendar)
    business = not calendar.always_open
    ds = (
        _cycle_items(engine, run, metric, params)
        if params.each_cycle
        else typed_table(metric.dataset)
    )
    start, end = col(params.start, "t"), col(params.end, "t")
    member = start if params.period_membership == "start" else end
    rolling = {window_key(p) for o, ps in group.objectives if o.period.rolling > 1 for p in ps}
    before = [before_window(ps) for o, ps in group.objectives if o.period.rolling <= 1]
    win = windows(engine, group.periods, run.as_of_us, rolling, before)
    base = temp_name("base")
    key = run.dataset(metric.dataset).key
    # Each item joins its home window (the period its start, or end, falls in) and, when its
    # outcome was not known at that window's as-of instant, each later window of the same
    # calendar unit that knows more (carry-over): the objective judges it in the first window
    # that knows its outcome (docs/semantics.md, "As of"). `item` names a row (an item in a
    # window), `_iid` the item.
    links = sql(
        "SELECT h.wkey AS hkey, w.wkey AS wkey, h.wkey = w.wkey AS home FROM :win AS h "
        "JOIN :win AS w ON h.wkey = w.wkey OR (h.fam IS NOT NULL AND w.fam = h.fam "
        "AND w.w_start >= h.w_end AND w.asof > h.asof)",
        win=win,
    )
    days = window_days(engine, win)
    # The rows every objective reads: stored, or (too many to keep in memory) a view, which
    # each objective's statements compute again with their own `where` pushed down.
    # (Its columns: the dataset's fields, _file, _row, _iid and ten of its windows and times.)
    width = len(run.dataset(metric.dataset).fields) + 13
    kind = "TABLE" if engine.stores(sql("SELECT * FROM :ds", ds=ds), width) else "VIEW"
    if params.period_membership == "end":
        engine.execute(
            _by_end(kind, base, _items(ds, params), win, start, end, all_of(metric.where, "t"))
        )
    else:
        engine.execute(
            sql(
                f"CREATE OR REPLACE TEMP {kind} :base AS "
                "SELECT t.*, w.pid, w.w_start, w.w_end, w.asof, w.before AS w_before, "
                "h.w_start AS h_start, "
                ":s AS s_us, CASE WHEN :e <= w.asof THEN :e END AS e_us, "
                "coalesce(CASE WHEN :e <= w.asof THEN :e END, w.asof) AS upto_us, w.wi "
                "FROM (:items) AS t "
                "JOIN :days AS h ON :home "
                "JOIN (:links) AS l ON l.hkey = h.wkey "
                "JOIN :win AS w ON w.wkey = l.wkey "
                "WHERE :cond AND ((l.home AND NOT h.before) OR :e IS NULL OR :e > h.asof)",
                base=base,
                s=start,
                e=end,
                items=_items(ds, params),
                win=win,
                links=links,
                days=days.table,
                home=days.join("h", member),
                cond=all_of(metric.where, "t"),
            )
        )
    # Business time at the start and at the end (or the window's end, for open items).
    consts = sql("SELECT :g0 AS g0, :gs AS gs", g0=lit(0), gs=lit(1))
    grid_name = None
    deadlines = Deadlines(None)
    if business:
        # The earliest start among the rows an outcome reads (not those of the window before
        # the run: an item ended there is in none); or of any item, as early or earlier, which
        # gives the same business time (grids.py) for one scan of a column instead of every
        # row joined to its windows (0.65 s at 10M tickets).
        earliest = engine.earliest(
            sql("SELECT min(s_us) FROM :b WHERE NOT w_before", b=base),
            sql(
                "SELECT min(:s) FROM (:items) AS t WHERE :cond",
                s=start,
                items=_items(ds, params),
                cond=all_of(metric.where, "t"),
            ),
        )
        grid_name, grid = run.grids.get(calendar, int(earliest) if earliest is not None else None)
        deadlines = Deadlines(grid)
        consts = sql("SELECT :g0 AS g0, :gs AS gs", g0=lit(grid.start_us), gs=lit(grid.bucket_us))
    paused = _paused(engine, params.pause, base, key, grid_name, consts)
    # The items not known at their home window's as-of instant are the few that the second
    # stream of first_known reads (every later row is one of theirs): their rows, with a
    # condition on the item's own times that a row of any other item fails. The engine checks
    # it on the items as they are read, before they are joined to their windows: at 10M
    # tickets that stream then joins a quarter of the items instead of all of them.
    if params.period_membership == "start":
        # Known at home: ended by the home window's as-of instant, which is no earlier than
        # the earliest of the windows holding the item's start.
        unknown = sql(
            ":e IS NULL OR :e > :known",
            e=col(params.end, "b"),
            known=earliest_asof(col(params.start, "b"), [*group.periods, *before], run.as_of_us),
        )
    else:
        unknown = exp.true()
    # A subquery, not a view: a warehouse script has no temporary views (not every warehouse
    # has them); the engine pushes the condition down all the same.
    late = sql("SELECT * FROM :b AS b WHERE :u", b=base, u=unknown)

    def timed_rows(rows: exp.Expr) -> exp.Expr:
        """``rows`` (``base``, or a query of its rows) with their business times."""
        source = ":base AS b" if isinstance(rows, exp.Table) else "(:base) AS b"
        # The timed rows are read by each objective as a subquery, not stored (on DuckDB):
        # each objective takes its own rows (its `where`, its windows) before the joins, and
        # a stored copy of every row was the costliest statement and gigabytes of memory at
        # 10M tickets.
        if business:
            assert grid_name is not None
            return sql(
                "SELECT b.*, :bs_s AS bs_s, :bs_u AS bs_u, gs_.day AS day_s, coalesce(p.paused_us, 0) AS paused_us "
                f"FROM {source} CROSS JOIN (:consts) AS k "
                "JOIN :grid AS gs_ ON gs_.b = INTDIV(b.s_us - k.g0, k.gs) "
                "JOIN :grid AS gu_ ON gu_.b = INTDIV(b.upto_us - k.g0, k.gs) "
                "LEFT JOIN :paused AS p ON p._iid = b._iid AND p.wi = b.wi",
                base=rows,
                consts=consts,
                grid=table(grid_name),
                bs_s=business_us(exp.column("s_us", "b"), "gs_"),
                bs_u=business_us(exp.column("upto_us", "b"), "gu_"),
                paused=paused,
            )
        return sql(
            "SELECT b.*, b.s_us AS bs_s, b.upto_us AS bs_u, 0 AS day_s, coalesce(p.paused_us, 0) AS paused_us "
            f"FROM {source} LEFT JOIN :paused AS p ON p._iid = b._iid AND p.wi = b.wi",
            base=rows,
            paused=paused,
        )

    timed = timed_rows(base)
    timed_late = timed_rows(late)
    stored = temp_name("timed") if engine.stores_reread_rows else None
    if stored is not None:
        engine.execute(sql("CREATE OR REPLACE TEMP TABLE :t AS :q", t=stored, q=timed))
        timed = sql("SELECT * FROM :t", t=stored)
        timed_late = sql("SELECT * FROM :t AS b WHERE :u", t=stored, u=unknown)
    out: list[Measurement] = []
    tallies: list[Tally] = []
    counts = _Counts(
        sql("SELECT * FROM :ds", ds=ds),
        # By its end, an item without one is open in its start's period.
        member
        if params.period_membership == "start"
        else exp.func("coalesce", end.copy(), start.copy()),
        all_of(metric.where, "t"),
        ("_file", "_row", "_cycle") if params.each_cycle else ("_file", "_row"),
        (params.cycles.dataset,) if params.each_cycle and params.cycles else (),
    )
    for obj, obj_periods in group.each(engine):
        out.extend(
            _objective(
                engine,
                plan,
                terms,
                params,
                obj,
                obj_periods,
                timed,
                timed_late,
                grid_name,
                counts,
                deadlines,
                tallies,
            )
        )
    insert_tallies(engine, counts.items, tallies, counts.bad_from)
    # Each of these holds a copy of the metric's rows: free the memory before the next metric.
    engine.execute(sql(f"DROP {kind} IF EXISTS :t", t=base))
    for used in (
        *([stored] if stored is not None else []),
        paused,
        days.table,
        *([ds] if params.each_cycle else []),
    ):
        engine.execute(sql("DROP TABLE IF EXISTS :t", t=used))
    return out


def _items(ds: exp.Table, params: DurationParams) -> exp.Expr:
    """The items with ``_iid``, a number of each that every read of them gives alike (the rows
    are read again by each statement: no numbering in the order read). A cycle table numbers
    its cycles itself."""
    if params.each_cycle:
        return sql("SELECT * FROM :ds", ds=ds)
    # Row numbers stay below 2^40 per file: the file's number above them.
    return sql("SELECT *, _file * 1099511627776 + _row AS _iid FROM :ds", ds=ds)


def _excluded(params: DurationParams, case: exp.Expr) -> exp.Expr:
    """By its end, an item is excluded (or not) in the period of its end, where it is judged;
    open in its start's period, it is only open there."""
    if params.period_membership == "start":
        return case
    return sql("CASE WHEN b.e_us IS NOT NULL THEN :case END", case=case)


def _by_end(
    kind: str,
    base: exp.Table,
    items: exp.Expr,
    win: exp.Table,
    start: exp.Expr,
    end: exp.Expr,
    cond: exp.Expr,
) -> exp.Expr:
    """The rows of ``period_membership: end`` (docs/semantics.md, "Membership"): an item is
    judged in the window of its end event, known at that window's as-of instant; until then it
    is open in the window of its start (its end not known at that window's as-of), never judged
    there. Its judged row is carried over (``h_start`` the start window's) when it was open in
    an earlier window of the same unit, whether or not the run holds that window (the window
    before the run stands for them)."""
    known_end = sql(":e >= w.w_start AND :e < w.w_end AND :e <= w.asof", e=end)
    return sql(
        f"CREATE OR REPLACE TEMP {kind} :base AS "
        "SELECT t.*, w.pid, w.w_start, w.w_end, w.asof, w.before AS w_before, "
        "CASE WHEN :known AND hs.w_start IS NOT NULL AND :e > hs.asof THEN hs.w_start "
        "ELSE w.w_start END AS h_start, "
        ":s AS s_us, CASE WHEN :known THEN :e END AS e_us, "
        "CASE WHEN :known THEN :e ELSE w.asof END AS upto_us, w.wi "
        "FROM (:items) AS t "
        "JOIN :win AS w ON :known OR (:s >= w.w_start AND :s < w.w_end "
        "AND (:e IS NULL OR :e > w.asof)) "
        "LEFT JOIN :win AS hs ON hs.fam = w.fam AND :s >= hs.w_start AND :s < hs.w_end "
        "WHERE :cond",
        base=base,
        known=known_end,
        s=start,
        e=end,
        items=items,
        win=win,
        cond=cond,
    )


def _paused(
    engine: Engine,
    pause: Pause | None,
    base: exp.Table,
    key: str | None,
    grid_name: str | None,
    consts: exp.Expr,
) -> exp.Table:
    """Per item: business time inside its pause intervals, clipped to the measured interval
    and merged where they overlap (so no time is subtracted twice)."""
    name = temp_name("paused")
    if pause is None or not key or not pause.parent_key:
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :t AS SELECT CAST(NULL AS BIGINT) AS _iid, "
                "CAST(NULL AS INTEGER) AS wi, CAST(0 AS BIGINT) AS paused_us WHERE FALSE",
                t=name,
            )
        )
        return name

    clipped = sql(
        "SELECT b._iid, b.wi, greatest(:ps, b.s_us) AS a, least(:pe, b.upto_us) AS z "
        "FROM :base AS b JOIN :pds AS p ON :pk = :ik "
        "WHERE :cond AND least(:pe, b.upto_us) > greatest(:ps, b.s_us)",
        ps=col(pause.start, "p"),
        pe=col(pause.end, "p"),
        base=base,
        pds=typed_table(pause.dataset),
        pk=col(pause.parent_key, "p"),
        ik=col(key, "b"),
        cond=all_of(pause.where, "p"),
    )
    # Overlaps in one pass: each pause (in order of start) counts only from where the pauses
    # before it reached (a running maximum of their ends), so no time is counted twice.
    islands = sql(
        "SELECT _iid, wi, greatest(a, coalesce(prev_z, a)) AS a, z FROM ("
        "SELECT _iid, wi, a, z, max(z) OVER (PARTITION BY _iid, wi ORDER BY a, z ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_z "
        "FROM (:clipped) AS c) AS o WHERE z > greatest(a, coalesce(prev_z, a))",
        clipped=clipped,
    )
    if grid_name is None:
        total = sql(
            "SELECT _iid, wi, sum(z - a) AS paused_us FROM (:isl) AS i GROUP BY _iid, wi",
            isl=islands,
        )
    else:
        total = sql(
            "SELECT i._iid, i.wi, sum((:bz) - (:ba)) AS paused_us FROM (:isl) AS i CROSS JOIN (:consts) AS k "
            "JOIN :grid AS ga_ ON ga_.b = INTDIV(i.a - k.g0, k.gs) "
            "JOIN :grid AS gz_ ON gz_.b = INTDIV(i.z - k.g0, k.gs) GROUP BY i._iid, i.wi",
            isl=islands,
            consts=consts,
            grid=table(grid_name),
            ba=business_us(exp.column("a", "i"), "ga_"),
            bz=business_us(exp.column("z", "i"), "gz_"),
        )
    engine.execute(sql("CREATE OR REPLACE TEMP TABLE :t AS :q", t=name, q=total))
    return name


def _objective(
    engine: Engine,
    plan: Plan,
    terms: Terms,
    params: DurationParams,
    obj: Objective,
    periods: Sequence[Period],
    timed: exp.Expr,
    timed_late: exp.Expr,
    grid_name: str | None,
    counts: _Counts,
    deadlines: Deadlines,
    tallies: list[Tally],
) -> list[Measurement]:
    """The measurements of one objective; its row account added to ``tallies`` (or, rolling,
    counted on its own). ``timed_late``: the rows of ``timed`` that :func:`first_known`'s
    second stream may take, and more."""
    judge = obj.judgement
    exclusions = exclusions_for(terms, obj)
    elapsed = sql("b.bs_u - b.bs_s - b.paused_us")
    closed = sql("e_us IS NOT NULL")

    def taken(source: exp.Expr) -> exp.Expr:
        return sql(
            "SELECT b.*, :excl AS excl, :elapsed AS elapsed FROM (:timed) AS b WHERE :theirs AND :mine",
            excl=_excluded(
                params,
                exclusion_case(exclusions, col(params.member_field, "b"), plan.timezone, "b"),
            ),
            elapsed=elapsed,
            timed=source,
            # With the window before the run: what was judged there is no business of the
            # run's.
            theirs=in_windows(
                [*periods, *([] if obj.period.rolling > 1 else [before_window(periods)])]
            ),
            mine=objective_filter(terms, obj),
        )

    rows, late_rows = taken(timed), taken(timed_late)
    scope = [col(f) for f in obj.scope]
    if judge.kind == "threshold-share":
        if judge.threshold_business_days is not None:
            assert grid_name is not None
            n = int(judge.threshold_business_days)

            def limited(rel: exp.Expr) -> exp.Expr:
                # Deadline in business µs: the same business position N business days later
                # (clamped to that day's length), moved by the paused business time.
                return sql(
                    "SELECT r.*, d.dcum + least(r.bs_s - ds_.dcum, d.dlen) - r.bs_s AS limit_us "
                    "FROM (:rel) AS r LEFT JOIN :days AS ds_ ON ds_.day = r.day_s "
                    "LEFT JOIN :days AS d ON d.day = r.day_s + :n",
                    rel=rel,
                    days=table(f"{grid_name}_days"),
                    n=lit(n),
                )
        else:
            assert judge.threshold_seconds is not None
            limit = int(judge.threshold_seconds * US)

            def limited(rel: exp.Expr) -> exp.Expr:
                return sql("SELECT r.*, :lim AS limit_us FROM (:rel) AS r", rel=rel, lim=lit(limit))

        within = "<=" if judge.threshold_inclusive else "<"
        ok = sql(f"elapsed {within} limit_us")
        overdue = (
            sql("elapsed > limit_us") if judge.threshold_inclusive else sql("elapsed >= limit_us")
        )
        # By its end, an item is judged when it ends: open until then, overdue or not (judged
        # overdue at its start's window, it would be judged again when it ends).
        judge_open = obj.open_items == "judge-overdue" and params.period_membership == "start"
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
            # A breach is dated by its end, or (open and overdue) by the as-of instant; a
            # ticket's reopened cycles are one incident, so the key leaves the cycle out.
            *breach_columns(
                incident_key(next(d for d in plan.datasets if d.name == obj.metric.dataset)),
                sql("coalesce(e_us, asof)"),
                lists_breached_items(plan),
            ),
            sql("count_if(status IN ('met', 'breached') AND w_start > h_start)").as_("carried"),
            # The breached items, worst first: in this same aggregate, not another pass.
            *miss_columns(
                MissSpec(
                    sql("status = 'breached'"),
                    sql("limit_us - elapsed"),
                    {
                        "elapsed": sql("elapsed"),
                        "limit_us": sql("limit_us"),
                        "s_us": sql("s_us"),
                        "bs_s": sql("bs_s"),
                        "paused_us": sql("paused_us"),
                        "open": sql("e_us IS NULL"),
                    },
                ),
                _evidence_key(plan, obj, params),
            ),
            *excluded_columns(exclusions),
        ]

        def with_status(rel: exp.Expr) -> exp.Expr:
            return sql(
                "SELECT *, :status AS status FROM (:rel) AS q", status=status, rel=limited(rel)
            )

        judged_rows = first_known(with_status(rows), sql("status = 'open'"), with_status(late_rows))
        tally = counts.count(
            engine,
            terms,
            obj,
            periods,
            judged_rows,
            sql("CASE status WHEN 'excluded' THEN 1 WHEN 'open' THEN 2 ELSE 0 END"),
        )
        if tally is not None:
            select.extend(tally.columns())
            tallies.append(tally)
        record(
            engine,
            obj,
            judged_rows,
            sql("CAST(elapsed AS DECIMAL(38, 6)) / 1000000"),
            _evidence_key(plan, obj, params),
        )
        query = (
            exp.select(*select)
            .from_(subquery(judged_rows, "s"), copy=False)
            .group_by(exp.column("pid"), *scope, copy=False)
        )
        result = []
        for row in engine.rows_listing(query, "misses"):
            pid, rest = row[0], row[1:]
            scope_values, rest = rest[: len(scope)], rest[len(scope) :]
            met, breached, opened = int(rest[0]), int(rest[1]), int(rest[2])
            evidence = breach_values(rest[3], rest[4])
            carried = int(rest[5])
            misses = Misses(
                int(rest[6]),
                "seconds",
                tuple(deadlines.missed(m, plan.timezone) for m in rest[7] or ()),
                business=deadlines.grid is not None,
                business_days=judge.threshold_business_days,
            )
            rest, tallied = rest[: 8 + len(exclusions)], rest[8 + len(exclusions) :]
            excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, rest[8:], strict=True))
            if tally is not None:
                tally.add(tallied)
            judged = met + breached
            value = exact_ratio(met, judged) if judged else None
            result.append(
                Measurement(
                    str(pid),
                    obj.id,
                    scope_key(obj, scope_values),
                    judged,
                    value,
                    met,
                    breached,
                    opened,
                    excluded,
                    **evidence,
                    carried=carried,
                    misses=misses,
                )
            )
        none = Misses(
            0,
            "seconds",
            (),
            business=deadlines.grid is not None,
            business_days=judge.threshold_business_days,
        )
        return with_empty(result, obj, periods, exclusions, misses=none)
    # Statistics over closed, non-excluded items: open ones wait for their end, judged in the
    # first later period that knows it.
    rows = first_known(rows, sql("excl IS NULL AND NOT (:closed)", closed=closed), late_rows)
    tally = counts.count(
        engine,
        terms,
        obj,
        periods,
        rows,
        sql("CASE WHEN excl IS NOT NULL THEN 1 WHEN :closed THEN 0 ELSE 2 END", closed=closed),
    )
    if tally is not None:
        tallies.append(tally)
    return statistics(
        engine,
        obj,
        periods,
        rows,
        closed,
        exclusions,
        scale=Fraction(1, US),
        carried=sql("w_start > h_start"),
        tally=tally,
    )


def first_known(rows: exp.Expr, unknown: exp.Expr, late: exp.Expr) -> exp.Expr:
    """Of each item's rows (its home window and the later windows it was carried to), the
    home row (open there when its outcome was not known yet) and the first later row whose
    window knows the outcome: an item is judged once, and reported open where it was.
    Both kinds of row keep ``_first`` (1): `* EXCLUDE` would drop it, and PostgreSQL, Trino and
    others have no such star (the warehouse SQL, docs/warehouse-sql.md).

    ``unknown`` holds only where the item's end is not known (``e_us`` null): a home row whose
    end is known is kept as it is and never ordered. So the rows are read twice, as two
    streams: those home rows, most of them, straight through; and the few others (home rows
    without an end, and every later row), kept aside for the window function and the
    semi-join. One stream kept aside for all rows would hold every row of the measurement
    (at 10M tickets 1.3 GB written to disk). The second stream reads ``late``: the same rows,
    narrowed by the caller to those of items that may be unknown at home (fewer to join to
    their windows than all of them); it must hold every row the stream takes."""
    return sql(
        "SELECT *, 1 AS _first FROM (:rel) AS k "
        "WHERE w_start = h_start AND e_us IS NOT NULL AND NOT w_before "
        "UNION ALL "
        "SELECT * FROM (WITH r AS (SELECT * FROM (:late) AS u "
        "WHERE w_start > h_start OR e_us IS NULL) "
        "SELECT *, 1 AS _first FROM r WHERE w_start = h_start AND NOT w_before "
        "UNION ALL "
        "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY _iid "
        "ORDER BY w_start) AS _first FROM r WHERE w_start > h_start AND NOT (:unknown) "
        "AND _iid IN (SELECT _iid FROM r WHERE w_start = h_start AND (:unknown))) AS f "
        "WHERE _first = 1 AND NOT w_before) AS c",
        unknown=unknown,
        rel=rows,
        late=late,
    )


class Deadlines:
    """The wall-clock deadline of a missed item, from its clock start and its threshold in
    clock time: on calendar time the start plus the threshold; on business time the instant
    where the calendar's business time reaches the start's plus the threshold (an interval's
    close, when it ends exactly there: due by 18:00, not at 08:00 the next day). Only for the
    few items an annex lists, never per row. An item whose clock paused has none: where its
    deadline fell depends on where the pauses lay, which the annex does not keep."""

    def __init__(self, grid: Grid | None) -> None:
        self.grid = grid
        self.cums: list[int] = []
        cum = 0
        for start, end, _ in grid.intervals if grid else ():
            self.cums.append(cum)
            cum += end - start

    def due_us(self, s_us: int, bs_s: int, limit_us: int, paused_us: int) -> int | None:
        if paused_us or limit_us <= 0:
            return None
        if self.grid is None:
            return s_us + limit_us
        target = bs_s + limit_us
        # The first interval whose business time reaches the target: cum < target ≤ cum + len.
        i = bisect.bisect_left(self.cums, target) - 1
        if i < 0:
            return None
        start, end, _ = self.grid.intervals[i]
        if target - self.cums[i] > end - start:
            return None  # beyond the grid's horizon
        return start + target - self.cums[i]

    def missed(self, row: Mapping[str, Any], timezone: str) -> MissedItem:
        """One listed item of :func:`miss_columns` (times in µs) in seconds."""
        elapsed, limit = int(row["elapsed"]), int(row["limit_us"])
        due = self.due_us(int(row["s_us"]), int(row["bs_s"]), limit, int(row["paused_us"]))
        return MissedItem(
            str(row["item"]),
            _seconds(elapsed),
            _seconds(limit),
            _seconds(elapsed - limit),
            None if due is None else local_text(due, timezone),
            "open" if row["open"] else "",
        )


# An annex lists up to hundreds of thousands of items, and many of them share their figures:
# one threshold per objective, the elapsed time of items open at the same as-of instant, the
# deadline of items due when a business day opens. Bounded: a portfolio run goes on for long.
@functools.lru_cache(maxsize=1 << 16)
def _seconds(us: int) -> Decimal:
    return Decimal(us).scaleb(-6).normalize() if us else Decimal(0)


@functools.lru_cache(maxsize=1 << 16)
def local_text(us: int, timezone: str) -> str:
    """An instant as ISO 8601 in ``timezone``, to the second (``2026-10-05T14:00:00+02:00``)."""
    # From the whole second at or before the instant (what `timespec="seconds"` keeps): no
    # timedelta and no conversion from UTC, 2.4 against 1.5 µs for each of the 136k deadlines
    # an annex of 10M tickets does not find in the cache.
    return datetime.fromtimestamp(us // US, ZoneInfo(timezone)).isoformat()


@dataclass(frozen=True)
class _Counts:
    """What the row account of a duration objective reads: every item (each cycle, with
    `each-cycle`), the instant placing it in a period, the metric's `where`, what names
    an item, and the other datasets whose bad rows are items (the reopens, with `each-cycle`)."""

    items: exp.Expr
    member: exp.Expr
    where: exp.Expr
    ident: tuple[str, ...]
    bad_from: tuple[str, ...] = ()

    def _taken(self, terms: Terms, obj: Objective) -> exp.Expr:
        return exp.and_(
            exp.Paren(this=self.where.copy()),
            exp.Paren(this=objective_filter(terms, obj, "t")),
        )

    def count(
        self,
        engine: Engine,
        terms: Terms,
        obj: Objective,
        periods: Sequence[Period],
        outcomes: exp.Expr,
        order: exp.Expr,
    ) -> Tally | None:
        """The objective's row account, from its ``outcomes`` rows and ``order`` over one of
        them (0 judged, 1 excluded, 2 pending): the :meth:`tally` its measurement sums, or,
        where there is none, counted now by a pass of its own (None)."""
        tally = self.tally(terms, obj, periods, order)
        if tally is None:
            account(
                engine,
                obj,
                self.items,
                self.member,
                self._taken(terms, obj),
                sql(
                    "SELECT *, CASE :order WHEN 0 THEN 'judged' WHEN 1 THEN 'excluded' "
                    "ELSE 'pending' END AS _account FROM (:rel) AS q",
                    order=order,
                    rel=outcomes,
                ),
                periods,
                self.ident,
                bad_from=self.bad_from,
                carried_in=True,
                outcomes_hold_items=True,
            )
        return tally

    def tally(
        self, terms: Terms, obj: Objective, periods: Sequence[Period], order: exp.Expr
    ) -> Tally | None:
        """The objective's account summed by its measurement (``order`` as for :meth:`count`),
        or None when it must be counted on its own: an item may then have rows in several
        windows, not only a home and a first-known one."""
        if obj.period.rolling > 1 or len({p.unit for p in periods}) > 1:
            # Periods of two units (a monthly objective amended to quarterly: the quarter is
            # judged under the monthly terms) give an item a home row in each.
            return None
        starts = sorted({p.start_us for p in periods})
        # A later row's home row is an outcome when its window is one of the objective's
        # (then not the window before the run, whose rows are no outcome of the run): the
        # later row's window is one, and the two are of the same calendar unit.
        dup = (
            sql(
                "w_start > h_start AND :home",
                home=exp.column("h_start").isin(*(lit(v) for v in starts)),
            )
            if starts
            else exp.false()
        )
        return Tally(obj, placed_in(self.member, periods), self._taken(terms, obj), order, dup)


def _evidence_key(plan: Plan, obj: Objective, params: DurationParams) -> exp.Expr:
    """What names an item in the evidence: with `each-cycle`, its key and cycle (`T-1#2`)."""
    key = item_key(plan, obj)
    if not params.each_cycle:
        return key
    return exp.func(
        "concat", exp.cast(key, "VARCHAR"), lit("#"), exp.cast(exp.column("_cycle"), "VARCHAR")
    )


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    start, end = event_noun(str(p.params["from"])), event_noun(str(p.params["to"]))
    if p.judgement == "threshold-share":
        how = "within" if p.threshold_inclusive else "in under"
        clock = "" if p.calendar is None else f" ({p.calendar})"
        tail = (
            f"{article(end)} exactly at the deadline counts as met"
            if p.threshold_inclusive
            else f"the {end} must come before the deadline (exactly at it is a breach)"
        )
        sentences = threshold(p, f"have their {end} {how} {deadline(p)} of {start}{clock}", tail)
    else:
        sentences = statistic(p, f"time from {start} to {end}")
    return sentences + _duration_details(p, start, end)


def _duration_details(p: Promise, start: str, end: str) -> list[str]:
    one = singular(p.noun)
    noun, unit = p.noun, p.period_unit
    out = []
    pause = p.params.get("pause")
    if isinstance(pause, dict):
        dataset = str(pause["dataset"])
        pause_rows = rows_words(p.nouns.get(dataset, words(dataset)), clauses(pause.get("where")))
        out.append(f"the clock stops during {pause_rows}")
    if p.params.get("period_membership") == "end":
        # By its end (docs/semantics.md, "Membership"): open where it started until it ends.
        out.append(
            f"{article(one)} counts in the {unit} of its {end}; until then it is open in the "
            f"{unit} it started in, and not judged there"
        )
    else:
        # Carry-over (docs/semantics.md): calendar periods judge later what they left open.
        later = (
            f", and judged in the first later {unit} whose end knows how it ended"
            if p.rolling <= 1
            else ""
        )
        if p.open_items == "exclude":
            out.append(
                f"{article(one)} counts in the {unit} of its {start}; {noun} still open at the "
                f"end of the {unit} are left out there{later}"
            )
        elif p.judgement == "threshold-share":
            out.append(
                f"{article(one)} counts in the {unit} of its {start}; one still open at the end "
                f"of the {unit} is a breach if its deadline has passed, otherwise it is reported "
                f"as open{later or ' and not judged'}"
            )
        else:
            out.append(
                f"{article(one)} counts in the {unit} of its {start}; {noun} still open at the "
                f"end of the {unit} are left out of its statistic{later}"
            )
    cycles = p.params.get("cycles")
    if isinstance(cycles, dict):
        reopens = rows_words(p.nouns.get(str(cycles["dataset"]), words(str(cycles["dataset"]))), [])
        if p.params.get("reopened") == "each-cycle":
            out.append(
                f"a reopened {one} is judged again for each cycle: each of the {reopens} is a "
                f"cycle of its own, from its {event_noun(str(cycles['start']))} to its "
                f"{event_noun(str(cycles['end']))}, in the {unit} it belongs to"
            )
        else:
            out.append(
                f"a reopened {one} counts with its first cycle only: the {reopens} are read "
                "but not judged"
            )
    elif p.params.get("reopened") == "each-cycle":
        # No reopen rows to judge (lint warns, R510): only the first cycle is there.
        out.append(
            f"a reopened {one} would be judged again for each cycle, but no cycles are given"
        )
    else:
        out.append(f"a reopened {one} counts with its first cycle only")
    return out
