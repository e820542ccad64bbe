"""Availability: from probes, outage intervals or request error rates (docs/semantics.md).

Probes and request counts are bucketed and aggregated in the engine; Python receives one
row per bucket at most (error rates) or per group (probes), and the few maintenance windows
and merged outage intervals, and does the exact arithmetic.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from sqlglot import exp

from slac.contract.kinds import FieldRef
from slac.contract.rules.walk import condition_fields
from slac.contract.source import Path
from slac.evaluation.conditions import all_of, excludes_rows, exclusion_case, from_params
from slac.evaluation.measurement import Measurement, Period
from slac.evaluation.measurement import exact_ratio as _ratio
from slac.evaluation.periods import add_months, local_midnight_us
from slac.evaluation.selection import (
    Group,
    Run,
    account,
    account_row,
    placed_in,
    step_value,
    temp_name,
    window_days,
    windows,
)
from slac.evaluation.sqltext import Engine, col, lit, sql, typed_table
from slac.kinds.base import Kind
from slac.plan.canonical import to_json
from slac.plan.explain.measures import (
    PERIOD_ADJECTIVE,
    Promise,
    named,
    optional_decimal,
)
from slac.plan.intervals import merge_spans
from slac.plan.kinds import MetricContext
from slac.plan.types import Condition, Exclusion, Metric, Objective, Plan, Terms
from slac.plan.values import conditions, seconds
from slac.wording import (
    article,
    clauses,
    condition_words,
    duration_adjective,
    duration_words,
    words,
)

US = 1_000_000
DAY_US = 86_400 * US


T = TypeVar("T")


@dataclass(frozen=True)
class AvailabilityParams:
    source: str  # probes | outages | requests
    availability_minutes: str  # calendar | nominal
    time: str | None = None  # probes, requests: the field of the instant
    interval_seconds: Decimal | None = None  # probes, requests: the bucket
    ok: tuple[Condition, ...] = ()  # probes: what a good probe is
    missing: str = "down"  # probes: a bucket without probes
    start: str | None = None  # outages
    end: str | None = None  # outages
    min_outage_seconds: Decimal = Decimal(0)  # outages: shorter ones do not count
    errors: str | None = None  # requests
    requests: str | None = None  # requests
    method: str = "interval-mean"  # requests: interval-mean | pooled
    empty_interval: str = "ok"  # requests: an interval without requests


class Availability(Kind[AvailabilityParams]):
    name: ClassVar[str] = "availability"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    own_clock: ClassVar[bool] = True
    field_keys: ClassVar[tuple[str, ...]] = ("time", "start", "end", "errors", "requests")

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        source = body["source"]
        params: dict[str, Any] = {
            "source": source,
            "availability_minutes": body.get(
                "availability_minutes", context.semantics["availability_minutes"]
            ),
        }
        if source == "probes":
            params.update(
                time=body["time"],
                ok=to_json(conditions(body["ok"])),
                interval_seconds=to_json(seconds(body["interval"])),
                missing=body.get("missing", "down"),
            )
        elif source == "outages":
            params.update(
                start=body["start"],
                end=body["end"],
                min_outage_seconds=to_json(seconds(body.get("min_outage")) or Decimal(0)),
            )
        else:
            params.update(
                time=body["time"],
                errors=body["errors"],
                requests=body["requests"],
                method=body.get("method", "interval-mean"),
                empty_interval=body.get("empty_interval", "ok"),
                interval_seconds=to_json(seconds(body.get("interval"))),
            )
        return params

    def field_refs(self, body: Mapping[str, Any], path: Path) -> Iterator[FieldRef]:
        yield from super().field_refs(body, path)
        yield from condition_fields(body.get("ok"), (*path, "ok"))

    def params(self, metric: Metric) -> AvailabilityParams:
        raw = dict(metric.params)
        seconds = {
            k: None if raw.get(k) is None else Decimal(raw[k])
            for k in ("interval_seconds", "min_outage_seconds")
        }
        return AvailabilityParams(
            source=raw["source"],
            availability_minutes=raw["availability_minutes"],
            time=raw.get("time"),
            interval_seconds=seconds["interval_seconds"],
            ok=from_params(raw.get("ok") or []),
            missing=raw.get("missing", "down"),
            start=raw.get("start"),
            end=raw.get("end"),
            min_outage_seconds=seconds["min_outage_seconds"] or Decimal(0),
            errors=raw.get("errors"),
            requests=raw.get("requests"),
            method=raw.get("method", "interval-mean"),
            empty_interval=raw.get("empty_interval", "ok"),
        )

    def measure(self, run: Run, group: Group) -> list[Measurement]:
        params = self.params(group.metric)
        return measure_availability(
            run.engine, run.plan, group.terms, group.objectives, group.metric, params
        )


def _required(value: T | None) -> T:
    assert value is not None, "the schema requires this field for the metric's source"
    return value


def measure_availability(
    engine: Engine,
    plan: Plan,
    terms: Terms,
    objectives: Sequence[tuple[Objective, list[Period]]],
    metric: Metric,
    params: AvailabilityParams,
) -> list[Measurement]:
    out: list[Measurement] = []
    for obj, periods in objectives:
        with engine.measuring((obj.id,)):
            out.extend(_objective(engine, plan, terms, obj, periods, metric, params))
    return out


def _objective(
    engine: Engine,
    plan: Plan,
    terms: Terms,
    obj: Objective,
    periods: Sequence[Period],
    metric: Metric,
    params: AvailabilityParams,
) -> list[Measurement]:
    out: list[Measurement] = []
    exclusions = [e for e in terms.exclusions if e.id in obj.exclusions]
    maint = [e for e in exclusions if e.maintenance_dataset]
    rows_excl = [e for e in exclusions if not e.maintenance_dataset]
    excluded = _MaintenanceTime.create(engine, plan, obj, metric, maint, periods)
    read: list[tuple[Period, _Maintenance]] = []
    # Probes in windows that do not overlap: each row lies in one interval of one window, so
    # one statement buckets them all, and its intervals count the row account (_probe_account).
    one_each = params.source == "probes" and _disjoint(periods)
    buckets: dict[str, dict[Any, _Buckets]] = {}
    if params.source == "probes":
        # One read of the rows for every window (5M probes, a year of months: 0.85 s against
        # 1.0 s for twelve); overlapping (rolling) windows each by its own, as a row lies in
        # several.
        groups = [list(periods)] if one_each else [[w] for w in periods]
        for group in (g for g in groups if g):
            buckets.update(
                _probe_buckets(engine, plan, obj, metric, params, group, rows_excl, excluded)
            )
    for window in periods:
        maintenance = excluded.of(window)
        read.append((window, maintenance))
        found = _one(
            engine,
            plan,
            obj,
            metric,
            params,
            window,
            rows_excl,
            maint,
            maintenance,
            buckets.get(window.id, {}),
        )
        if not found:  # no rows for any scope value in this window
            ids = {x.id for x in exclusions}
            counts = {e: 0 for e in obj.exclusions if e in ids}
            counts.update(maintenance.at(None)[1])
            found = [Measurement(window.id, obj.id, (), 0, None, 0, 0, 0, tuple(counts.items()))]
        out.extend(found)
    if one_each:
        _probe_account(engine, obj, metric, params, periods, buckets)
    else:
        _account(engine, plan, obj, metric, params, read, rows_excl, excluded)
    excluded.drop(engine)
    return out


def _disjoint(periods: Sequence[Period]) -> bool:
    spans = sorted((w.start_us, w.end_us) for w in periods)
    return all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def _probe_account(
    engine: Engine,
    obj: Objective,
    metric: Metric,
    params: AvailabilityParams,
    periods: Sequence[Period],
    buckets: Mapping[str, Mapping[Any, _Buckets]],
) -> None:
    """The row account of a probes objective whose windows do not overlap, from its
    measurement rather than a pass of its own over every row placed in its intervals (5M
    probes: 0.30 s of a 2.1 s evaluation). A probe row is judged when its interval is counted
    and excluded when its interval is left out (maintenance, or a row of it matches an
    exclusion): ``buckets`` (:func:`_probe_buckets`) hold the rows of each kind of interval,
    the same rows and intervals as :func:`_account` places (docs/semantics.md, "Row
    account"). The rows, those in the periods and those taken are counted over the dataset."""
    each = [b for per_scope in buckets.values() for b in per_scope.values()]
    placed = sql("coalesce(:p, FALSE)", p=placed_in(col(_required(params.time), "t"), periods))
    engine.execute(
        sql(
            "INSERT INTO :acc SELECT :obj, :ds, count(*), count_if(:p), "
            "count_if(:p AND coalesce(:taken, FALSE)), :judged, :excluded, 0, 0, :also "
            "FROM :t AS t",
            **account_row(obj, ()),
            p=placed,
            taken=_taken_rows(metric, obj),
            judged=lit(sum(b.judged_rows for b in each)),
            excluded=lit(sum(b.left_out_rows for b in each)),
            t=typed_table(metric.dataset),
        )
    )


def _account(
    engine: Engine,
    plan: Plan,
    obj: Objective,
    metric: Metric,
    params: AvailabilityParams,
    read: Sequence[tuple[Period, _Maintenance]],
    rows_excl: Sequence[Exclusion],
    excluded: _MaintenanceTime,
) -> None:
    """The objective's row account (docs/semantics.md, "Row account"), in the engine, with
    the categories the measurement above gives its rows: a probe or request row is judged when
    its interval is counted, excluded when it or another row of its interval matches an
    exclusion or its interval starts in excluded maintenance time (the interval is left out
    whole); an outage row is judged when it overlaps the period, lasts `min_outage` and is not
    wholly inside excluded maintenance time. The excluded maintenance time of each scope value
    is the table :class:`_MaintenanceTime` made for the measurement."""
    where = _taken_rows(metric, obj)
    scope = [col(f, "t") for f in obj.scope]
    scope_cols = exp.Tuple(expressions=scope) if scope else lit(0)
    ds = typed_table(metric.dataset)
    scopes, maint = excluded.targets, excluded.spans
    win = windows(engine, [w for w, _ in read])
    hold = False
    if params.source == "outages":
        start, end = col(_required(params.start), "t"), col(_required(params.end), "t")
        placed = sql(
            "SELECT t._file, t._row, w.pid, s.si, :excl AS xid, greatest(:s, w.w_start) AS a, "
            "least(coalesce(:e, w.w_end), w.w_end) AS z, "
            "coalesce(coalesce(:e, w.w_end) - :s >= :minlen, FALSE) AS long_enough "
            "FROM :ds AS t JOIN :win AS w ON :s < w.w_end AND coalesce(:e, w.w_end) > w.w_start "
            "JOIN :scopes AS s ON NOT s.every AND s.sc IS NOT DISTINCT FROM :sc WHERE :cond",
            excl=exclusion_case(rows_excl, start, plan.timezone, "t"),
            s=start,
            e=end,
            minlen=lit(int(params.min_outage_seconds * US)),
            ds=ds,
            win=win,
            scopes=scopes,
            sc=scope_cols.copy(),
            cond=where.copy(),
        )
        outcomes = sql(
            "SELECT _file, _row, CASE WHEN xid IS NOT NULL THEN 'excluded' "
            "WHEN NOT long_enough THEN 'filtered' "
            "WHEN EXISTS (SELECT 1 FROM :m AS m WHERE m.pid = q.pid AND m.si = q.si "
            "AND m.a <= q.a AND q.z <= m.z) THEN 'excluded' ELSE 'judged' END AS _account "
            "FROM (:placed) AS q",
            m=maint,
            placed=placed,
        )
        member, until = start, sql("coalesce(:e, w.w_end)", e=end)
    else:
        time_col = col(_required(params.time), "t")
        days = window_days(engine, win)
        size = lit(int(_required(params.interval_seconds) * US))
        excl = exclusion_case(rows_excl, time_col, plan.timezone, "t")
        bucket = sql("INTDIV(:tm - w.w_start, :size)", tm=time_col, size=size)
        within = "PARTITION BY w.pid, s.si, :bucket"
        skip = params.source == "error-rate" and (
            params.method != "pooled" and params.empty_interval == "skip"
        )
        requests = col(_required(params.requests), "t") if skip else lit(1)
        # The window functions sort every row by its interval: most of this statement's cost
        # (2.2 of 2.6 s on 5M probes). Without row exclusions no interval is excluded by one,
        # and the interval's requests only matter to `empty_interval: skip`.
        never = not excludes_rows(rows_excl)
        by_bucket = (
            "FALSE" if never else f"bool_or(:excl IS NOT NULL) OVER ({within})"
        ) + " AS bucket_excluded"
        if skip:
            by_bucket += (
                ", sum(CASE WHEN :excl IS NULL THEN CAST(:rq AS DECIMAL(38, 9)) ELSE 0 END) "
                f"OVER ({within}) AS bucket_requests"
            )
        # Each outcome row carries the item's columns the account reads (its instant, those of
        # `where`), so the account counts outcomes without joining every row back to them;
        # unless one is named as a column of this query (DuckDB's names ignore case).
        read_cols = [c for e in (time_col, where) for c in e.find_all(exp.Column)]
        held = sorted({c.name for c in read_cols} - {"_file", "_row"})
        hold = (
            all(c.table == "t" for c in read_cols)
            and not {h.lower() for h in held} & _PLACED_COLUMNS
        )
        placed = sql(
            "SELECT t._file, t._row, w.pid, s.si, :excl AS xid, "
            f"w.w_start + :bucket * :size AS b_start, {by_bucket} "
            "FROM :ds AS t JOIN :days AS w ON :placed "
            "JOIN :scopes AS s ON NOT s.every AND s.sc IS NOT DISTINCT FROM :sc WHERE :cond",
            days=days.table,
            placed=days.join("w", time_col.copy()),
            excl=excl,
            bucket=bucket,
            size=size,
            rq=requests,
            tm=time_col,
            ds=ds,
            win=win,
            scopes=scopes,
            sc=scope_cols.copy(),
            cond=where.copy(),
        )
        if hold:
            assert isinstance(placed, exp.Select)
            placed.select(*(col(c, "t") for c in held), copy=False)
        # An interval without requests is left out of the mean by `empty_interval: skip`:
        # its rows are filtered by the kind's own condition.
        empty = "WHEN coalesce(q.bucket_requests, 0) = 0 THEN 'filtered' " if skip else ""
        # The spans of a scope value in a period are merged (disjoint): an interval starts in
        # one at most, so a join finds it without repeating the row. (As EXISTS, DuckDB
        # grouped every row by its interval first: 1.1 of 1.5 s on 5M probes.)
        outcomes = sql(
            "SELECT q._file, q._row, CASE WHEN q.bucket_excluded THEN 'excluded' "
            "WHEN m.si IS NOT NULL THEN 'excluded' "
            f"{empty}ELSE 'judged' END AS _account FROM (:placed) AS q "
            "LEFT JOIN :m AS m ON m.pid = q.pid AND m.si = q.si "
            "AND q.b_start >= m.a AND q.b_start < m.z",
            m=maint,
            placed=placed,
        )
        if hold:
            assert isinstance(outcomes, exp.Select)
            outcomes.select(*(col(c, "q") for c in held), copy=False)
        member, until = time_col, None
    # A probe or request row lies in one interval of one window for one scope value, unless
    # the windows overlap (rolling): then it has an outcome in each.
    spans = sorted((w.start_us, w.end_us) for w, _ in read)
    disjoint = all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    account(
        engine,
        obj,
        sql("SELECT * FROM :ds", ds=ds),
        member,
        where,
        outcomes,
        [w for w, _ in read],
        until=until,
        outcomes_hold_items=hold,
        one_each=until is None and disjoint,
    )
    engine.execute(sql("DROP TABLE IF EXISTS :t", t=win))


_EVERY = ("every",)
# The columns the placed rows of a probe or request account add to the item's own.
_PLACED_COLUMNS = frozenset(
    {
        "_file",
        "_row",
        "pid",
        "si",
        "xid",
        "b_start",
        "bucket_excluded",
        "bucket_requests",
        "_account",
    }
)


@dataclass(frozen=True)
class _Maintenance:
    """Excluded maintenance time of one objective in one period, per scope value: the
    pieces of maintenance windows taken (as measured by :class:`_MaintenanceTime`), keyed
    by scope value (``_EVERY``: every window, for a period without rows)."""

    window: Period
    scope: tuple[str, ...]
    ids: tuple[str, ...]  # the maintenance exclusions, in the objective's order
    pieces: Mapping[Any, tuple[tuple[str, int, int, int], ...]]  # (exclusion, window, a, z)
    targets: exp.Table  # the tables of _MaintenanceTime
    spans: exp.Table

    def at(self, sc: Any) -> tuple[list[tuple[int, int]], dict[str, int]]:
        """The merged excluded time inside the period for one scope value (None: the
        measurement of a period without rows, which every window applies to), and how many
        windows of each exclusion had excluded time inside the period."""
        key = _EVERY if sc is None else _values(sc, len(self.scope))
        pieces = self.pieces.get(key, ())
        counts = {x: len({w for xid, w, _, _ in pieces if xid == x}) for x in self.ids}
        return merge_spans((a, z) for _, _, a, z in pieces), counts


@dataclass(frozen=True)
class _MaintenanceTime:
    """The excluded maintenance time of one objective over its periods, measured in the
    engine (docs/semantics.md, "Maintenance") into two tables: ``targets``, each scope value
    of the objective's dataset numbered (``si``; ``every``: a row for the windows of every
    scope value), and ``spans``, its merged excluded time in each period (``pid``, ``si``,
    ``a``, ``z``). The pieces taken are read once, for the counts of windows and the
    arithmetic of the measurement; nothing read steers the SQL.

    The allowance in SQL: windows are taken in order of start (then end), each unit of the
    allowance (a local day, week, month…) on its own. Taken in that order, what a window adds
    to the windows before it inside a unit is the single span from the later of its start and
    the latest end before it, to its end; the allowance left is the allowance minus what the
    windows before it added; the window takes that much of its span, from its beginning.
    """

    targets: exp.Table
    spans: exp.Table
    ids: tuple[str, ...]
    scope: tuple[str, ...]
    pieces: Mapping[str, Mapping[Any, tuple[tuple[str, int, int, int], ...]]]

    @classmethod
    def create(
        cls,
        engine: Engine,
        plan: Plan,
        obj: Objective,
        metric: Metric,
        exclusions: Sequence[Exclusion],
        periods: Sequence[Period],
    ) -> _MaintenanceTime:
        targets, spans = temp_name("scopes"), temp_name("maint")
        scope = [col(f, "t") for f in obj.scope]
        scope_cols = exp.Tuple(expressions=scope) if scope else lit(0)
        # Each scope field also as a column of its own (s0, s1, …), for the windows that
        # name a value of it.
        values = [c.copy().as_(f"s{i}") for i, c in enumerate(scope)]
        found_q = sql(
            "SELECT DISTINCT FALSE AS every, :sc AS sc FROM :ds AS t",
            sc=scope_cols,
            ds=typed_table(metric.dataset),
        )
        every_q = sql("SELECT TRUE AS every, NULL AS sc")
        assert isinstance(found_q, exp.Select) and isinstance(every_q, exp.Select)
        found_q.set("expressions", [*found_q.expressions, *values])
        every_q.set("expressions", [*every_q.expressions, *(exp.null() for _ in values)])
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :s AS SELECT row_number() OVER () AS si, d.* "
                "FROM (:q) AS d",
                s=targets,
                q=exp.union(found_q, every_q, distinct=False),
            )
        )
        ids = tuple(e.id for e in exclusions)
        pieces = temp_name("mpieces")
        taken = _taken(plan, obj, exclusions, periods, targets)
        engine.execute(sql("CREATE OR REPLACE TEMP TABLE :p AS :q", p=pieces, q=taken))
        engine.execute(
            sql(
                "CREATE OR REPLACE TEMP TABLE :m AS SELECT pid, si, min(a) AS a, max(z) AS z "
                "FROM (SELECT pid, si, a, z, sum(CASE WHEN a <= before THEN 0 ELSE 1 END) "
                "OVER (PARTITION BY pid, si ORDER BY a, z ROWS UNBOUNDED PRECEDING) AS island "
                "FROM (SELECT pid, si, a, z, max(z) OVER (PARTITION BY pid, si ORDER BY a, z "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM :p) AS q"
                ") AS r GROUP BY pid, si, island",
                m=spans,
                p=pieces,
            )
        )
        found: dict[str, dict[Any, list[tuple[str, int, int, int]]]] = {}
        if exclusions:
            rows = engine.rows(
                sql(
                    "SELECT p.pid, s.every, s.sc, p.xid, p.wid, p.a, p.z FROM :p AS p "
                    "JOIN :s AS s ON s.si = p.si",
                    p=pieces,
                    s=targets,
                )
            )
            for pid, every, sc, xid, wid, a, z in rows:
                key = _EVERY if every else _values(sc, len(obj.scope))
                found.setdefault(str(pid), {}).setdefault(key, []).append(
                    (str(xid), int(wid), int(a), int(z))
                )
        engine.execute(sql("DROP TABLE IF EXISTS :t", t=pieces))
        return cls(
            targets,
            spans,
            ids,
            obj.scope,
            {pid: {k: tuple(sorted(v)) for k, v in per.items()} for pid, per in found.items()},
        )

    def of(self, window: Period) -> _Maintenance:
        return _Maintenance(
            window,
            self.scope,
            self.ids,
            self.pieces.get(window.id, {}),
            self.targets,
            self.spans,
        )

    def drop(self, engine: Engine) -> None:
        for t in (self.spans, self.targets):
            engine.execute(sql("DROP TABLE IF EXISTS :t", t=t))


def _taken(
    plan: Plan,
    obj: Objective,
    exclusions: Sequence[Exclusion],
    periods: Sequence[Period],
    targets: exp.Table,
) -> exp.Expr:
    """The pieces of maintenance windows taken as excluded time, clipped to their period:
    (pid, si, xid, wid, a, z). Only the periods and the allowance units are literals."""
    declared = {d.name: {f.name for f in d.fields} for d in plan.datasets}
    units: list[tuple[Any, ...]] = []
    parts: list[exp.Expr] = []
    for exc in exclusions:
        for window in periods:
            if exc.allowance_seconds is not None and exc.allowance_per is not None:
                spans = _allowance_units(window, exc.allowance_per, plan.timezone)
                allowance = int(exc.allowance_seconds * US)
            else:
                spans, allowance = [(window.start_us, window.end_us)], 2**62
            units.extend(
                (window.id, exc.id, lo, hi, allowance, window.start_us, window.end_us)
                for lo, hi in spans
            )
    if not units:
        return sql(
            "SELECT CAST(NULL AS VARCHAR) AS pid, si, CAST(NULL AS VARCHAR) AS xid, "
            "CAST(NULL AS BIGINT) AS wid, CAST(NULL AS BIGINT) AS a, CAST(NULL AS BIGINT) AS z "
            "FROM :targets WHERE FALSE",
            targets=targets,
        )
    values = exp.values(
        [tuple(lit(v) for v in row) for row in units],
        alias="u",
        columns=["pid", "xid", "lo", "hi", "allowance", "ws", "we"],
    )
    for exc in exclusions:
        dataset = exc.maintenance_dataset or ""
        fields = dict(exc.maintenance_fields)
        has = declared.get(dataset, set())
        announced = fields.get("announced_at")
        notice = int((exc.notice_seconds or Decimal(0)) * US)
        start, end = col(fields["start"], "m"), col(fields["end"], "m")
        if announced is not None:
            # Unannounced or announced too late: not maintenance, downtime.
            announced_in_time: exp.Expr = sql(
                ":a IS NOT NULL AND :s - :a >= :n", a=col(announced, "m"), s=start, n=lit(notice)
            )
        else:
            # Without an announced_at field there is no notice to check (lint requires the
            # field when `notice` is set): every declared window is maintenance.
            announced_in_time = exp.Boolean(this=not notice)
        # Matched by name: a scope field the dataset lacks matches every value; a window
        # without a value applies to every value.
        matched = [
            sql(
                "(:w IS NULL OR :w = :v)",
                w=col(f, "w"),
                v=col(f"s{i}", "s"),
            )
            for i, f in enumerate(obj.scope)
            if f in has
        ]
        picked = [col(f, "m").as_(f, quoted=True) for f in obj.scope if f in has]
        windows_q = sql(
            "SELECT :s AS a0, :e AS z0, row_number() OVER (ORDER BY :s, :e, m._file, m._row) "
            "AS wid FROM :ds AS m WHERE :s IS NOT NULL AND :e IS NOT NULL AND :e > :s AND :ok",
            s=start,
            e=end,
            ds=typed_table(dataset),
            ok=announced_in_time,
        )
        assert isinstance(windows_q, exp.Select)
        windows_q.set("expressions", [*windows_q.expressions, *picked])
        parts.append(
            sql(
                "SELECT u.pid, s.si, u.xid, w.wid, w.a0, w.z0, u.lo, u.allowance, u.ws, u.we, "
                "greatest(w.a0, u.lo) AS a, least(w.z0, u.hi) AS z "
                "FROM (:wq) AS w JOIN :units ON u.xid = :xid AND w.a0 < u.hi AND w.z0 > u.lo "
                "JOIN :targets AS s ON s.every OR :match",
                wq=windows_q,
                units=values.copy(),
                xid=lit(exc.id),
                targets=targets,
                match=exp.and_(*matched) if matched else exp.true(),
            )
        )
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    within = "PARTITION BY pid, si, xid, lo ORDER BY a0, z0, wid"
    before = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    return sql(
        "SELECT pid, si, xid, wid, greatest(fa, ws) AS a, least(fa + took, we) AS z FROM ("
        "SELECT *, least(f, greatest(allowance - coalesce(sum(f) OVER "
        f"({within} {before}), 0), 0)) AS took FROM ("
        "SELECT *, greatest(a, coalesce(latest, a)) AS fa, "
        "greatest(z - greatest(a, coalesce(latest, a)), 0) AS f FROM ("
        f"SELECT *, max(z) OVER ({within} {before}) AS latest FROM (:pieces) AS p"
        ") AS q) AS r) AS t WHERE took > 0 AND least(fa + took, we) > greatest(fa, ws)",
        pieces=union,
    )


def _values(sc: Any, n: int) -> tuple[Any, ...]:
    """A scope value as DuckDB returns it (a value, a tuple, or a struct) as a tuple."""
    if isinstance(sc, dict):
        return tuple(sc.values())
    if isinstance(sc, tuple):
        return sc
    return (sc,) if n else ()


def _allowance_units(window: Period, unit: str, zone: str) -> list[tuple[int, int]]:
    """The calendar units (local days, ISO weeks, months…) that overlap the window."""
    tz = ZoneInfo(zone)
    first = datetime.fromtimestamp(window.start_us / US, tz=tz).date()
    last = datetime.fromtimestamp((window.end_us - 1) / US, tz=tz).date()
    if unit == "day":
        day, step = first, None
    elif unit == "week":
        day, step = first - timedelta(days=first.weekday()), None
    else:
        months = {"month": 1, "quarter": 3, "year": 12}.get(unit, 1)
        index = (first.year * 12 + first.month - 1) // months * months
        day, step = date(index // 12, index % 12 + 1, 1), months
    out = []
    while day <= last:
        if step is None:
            after = day + timedelta(days=1 if unit == "day" else 7)
        else:
            after = add_months(day, step)
        out.append((local_midnight_us(day, zone), local_midnight_us(after, zone)))
        day = after
    return out


def _minus(spans: list[tuple[int, int]], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        cursor = a
        for x, y in taken:
            if y <= cursor or x >= b:
                continue
            if x > cursor:
                out.append((cursor, x))
            cursor = max(cursor, y)
        if cursor < b:
            out.append((cursor, b))
    return out


def _clip(spans: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    return [(max(a, lo), min(b, hi)) for a, b in spans if min(b, hi) > max(a, lo)]


def _total_us(window: Period, minutes: str) -> int:
    if minutes == "nominal":
        start = datetime.fromtimestamp(window.start_us / US, tz=ZoneInfo("UTC"))
        end = datetime.fromtimestamp(window.end_us / US, tz=ZoneInfo("UTC"))
        # Whole local days of the window: the DST hour does not change the count of days.
        days = round((end - start).total_seconds() / 86_400)
        return days * DAY_US
    return window.end_us - window.start_us


def _buckets_in(intervals: list[tuple[int, int]], window: Period, size: int) -> set[int]:
    """Bucket indexes whose start lies inside one of ``intervals``."""
    found: set[int] = set()
    for a, b in intervals:
        first = -(-(a - window.start_us) // size)
        last = -(-(b - window.start_us) // size)
        found.update(range(max(first, 0), last))
    return found


def _one(
    engine: Engine,
    plan: Plan,
    obj: Objective,
    metric: Metric,
    params: AvailabilityParams,
    window: Period,
    rows_excl: Sequence[Exclusion],
    maint: Sequence[Exclusion],
    maintenance: _Maintenance,
    buckets: Mapping[Any, _Buckets],
) -> list[Measurement]:
    """One window of an objective; ``buckets``: a probes objective's (:func:`_probe_buckets`)."""
    source = params.source
    where = _taken_rows(metric, obj)
    scope = [col(f, "t") for f in obj.scope]
    all_excl = sorted([*rows_excl, *maint], key=lambda e: obj.exclusions.index(e.id))
    if source == "outages":
        return _outages(
            engine,
            plan,
            obj,
            metric,
            params,
            window,
            rows_excl,
            maint,
            maintenance,
            where,
            scope,
        )
    size = int(_required(params.interval_seconds) * US)
    time_col = col(_required(params.time), "t")
    excl = exclusion_case(rows_excl, time_col, plan.timezone, "t")
    # Rows each exclusion removed, per scope value (each row under its first exclusion).
    row_counts: dict[Any, dict[str, int]] = {}
    # Grouped over a subquery of its own columns: a field named `sc` or `xid` (in any case)
    # would be what GROUP BY reads, not the alias.
    counted_rows = sql(
        "SELECT sc, xid, count(*) FROM (SELECT :scope_cols AS sc, :excl AS xid FROM :ds AS t "
        "WHERE :tm >= :ws AND :tm < :we AND :cond) AS q WHERE xid IS NOT NULL GROUP BY sc, xid",
        scope_cols=exp.Tuple(expressions=scope) if scope else lit(0),
        excl=excl,
        ds=typed_table(metric.dataset),
        tm=time_col,
        ws=lit(window.start_us),
        we=lit(window.end_us),
        cond=where,
    )
    for sc, xid, n in engine.rows(counted_rows):
        row_counts.setdefault(sc, {})[str(xid)] = int(n)
    total_buckets = -(-(window.end_us - window.start_us) // size)
    if source == "probes":
        return _probes(obj, params, window, all_excl, maintenance, row_counts, buckets)
    # error-rate
    errors, requests = col(_required(params.errors), "t"), col(_required(params.requests), "t")
    query = sql(
        "SELECT sc, bucket, sum(CASE WHEN NOT xd THEN er ELSE 0 END) AS e, "
        "sum(CASE WHEN NOT xd THEN rq ELSE 0 END) AS r, "
        "count_if(NOT xd) AS kept, count_if(xd) AS x FROM ("
        "SELECT :scope_cols AS sc, INTDIV(:tm - :ws, :size) AS bucket, :excl IS NOT NULL AS xd, "
        "CAST(:er AS DECIMAL(38, 9)) AS er, CAST(:rq AS DECIMAL(38, 9)) AS rq "
        "FROM :ds AS t WHERE :tm >= :ws AND :tm < :we AND :cond) AS q GROUP BY sc, bucket",
        scope_cols=exp.Tuple(expressions=scope) if scope else lit(0),
        tm=time_col,
        ws=lit(window.start_us),
        we=lit(window.end_us),
        size=lit(size),
        excl=excl,
        er=errors,
        rq=requests,
        ds=typed_table(metric.dataset),
        cond=where,
    )
    per_scope_e: dict[Any, dict[int, tuple[Fraction, Fraction, int]]] = {}
    rows_kept: dict[Any, dict[int, int]] = {}
    for sc, bucket, e, r, kept, x in engine.rows(query):
        per_scope_e.setdefault(sc, {})[int(bucket)] = (Fraction(e or 0), Fraction(r or 0), int(x))
        rows_kept.setdefault(sc, {})[int(bucket)] = int(kept)
    out = []
    for sc, ebuckets in sorted(per_scope_e.items(), key=lambda kv: str(kv[0])):
        maint_union, maint_counts = maintenance.at(sc)
        maint_buckets = _buckets_in(maint_union, window, size)
        excluded_counts = {e.id: 0 for e in all_excl}
        excluded_counts.update(row_counts.get(sc, {}))
        excluded_counts.update(maint_counts)
        usable = {b: v for b, v in ebuckets.items() if b not in maint_buckets and not v[2]}
        if ebuckets and not usable:
            out.append(_measurement(window, obj, sc, 0, None, all_excl, excluded_counts))
            continue
        if params.method == "pooled":
            total_r = sum((v[1] for v in usable.values()), Fraction(0))
            total_e = sum((v[0] for v in usable.values()), Fraction(0))
            value = _ratio(total_r - total_e, total_r) if total_r else None
            # The sample of a pooled rate is the rows summed.
            sample = sum(rows_kept[sc][b] for b in usable)
        else:
            rates = [v[0] / v[1] for v in usable.values() if v[1] > 0]
            if params.empty_interval == "ok":
                row_excluded = {b for b, v in ebuckets.items() if v[2]}
                counted = total_buckets - len(
                    (maint_buckets | row_excluded) & set(range(total_buckets))
                )
            else:
                counted = len(rates)
            value = _ratio(counted - sum(rates, Fraction(0)), counted) if counted else None
            sample = counted
        out.append(_measurement(window, obj, sc, sample, value, all_excl, excluded_counts))
    return out


@dataclass(frozen=True)
class _Buckets:
    """One scope value's intervals in one window, outside the maintenance ones: those with
    probes, failed and row-excluded ones; its rows not excluded; and, for the row account,
    the rows of counted intervals and of intervals left out."""

    probed: int
    failed: int
    row_excluded: int
    kept: int
    judged_rows: int
    left_out_rows: int


def _window_start(time_col: exp.Expr, windows: Sequence[Period]) -> exp.Expr:
    """The start of the window (of ``windows``, which do not overlap) that holds the instant,
    else NULL."""
    return step_value(time_col, [(w.start_us, w.end_us, w.start_us) for w in windows])


def _probe_buckets(
    engine: Engine,
    plan: Plan,
    obj: Objective,
    metric: Metric,
    params: AvailabilityParams,
    windows: Sequence[Period],
    rows_excl: Sequence[Exclusion],
    excluded: _MaintenanceTime,
) -> dict[str, dict[Any, _Buckets]]:
    """The intervals of a probes objective in ``windows`` (which do not overlap), per window
    and scope value, in one statement: the engine buckets the probes and counts the buckets
    with probes, failed and row-excluded ones outside the maintenance buckets; Python sees a
    row per window and scope value, never a row per bucket."""
    size = int(_required(params.interval_seconds) * US)
    time_col = col(_required(params.time), "t")
    ok = _aliased(all_of(params.ok), "t")
    where = _taken_rows(metric, obj)
    scope = [col(f, "t") for f in obj.scope]
    excl = exclusion_case(rows_excl, time_col, plan.timezone, "t")
    starts = {w.start_us: w.id for w in windows}
    # Only the columns named here, never `t.*`: a field may be named as one of them (in any
    # case, the same name to DuckDB) and would be read instead.
    placed = sql(
        "SELECT :scope_cols AS sc, :ws AS ws, :tm AS tm, coalesce(:ok, FALSE) AS up, "
        ":excl IS NOT NULL AS xd FROM :ds AS t WHERE :tm >= :lo AND :tm < :hi AND :cond",
        scope_cols=exp.Tuple(expressions=scope) if scope else lit(0),
        ws=_window_start(time_col, windows),
        tm=time_col,
        ok=exp.Paren(this=ok),
        excl=excl,
        ds=typed_table(obj.metric.dataset),
        lo=lit(min(starts)),
        hi=lit(max(w.end_us for w in windows)),
        cond=where,
    )
    buckets = sql(
        "SELECT sc, ws, INTDIV(tm - ws, :size) AS bucket, bool_and(up) AS up, "
        "count_if(xd) > 0 AS rx, count_if(NOT xd) AS kept, count(*) AS n "
        "FROM (:placed) AS p WHERE ws IS NOT NULL GROUP BY sc, ws, bucket",
        size=lit(size),
        placed=placed,
    )
    # A bucket is left out when its start lies in excluded maintenance time of its scope
    # value (the spans of _MaintenanceTime). Those of one scope value in one period are
    # merged, disjoint: a bucket meets at most one, and the outer join keeps one row per
    # bucket. One statement, joined rather than asked with EXISTS for each bucket (5M probes:
    # 0.85 s against 1.2 s for a year of months).
    # The rows of counted buckets and of left-out ones are the row account's (_tally_: not a
    # measurement, docs/warehouse-sql.md).
    starts_of = exp.values(
        [(lit(w.id), lit(w.start_us)) for w in windows], alias="pw", columns=["pid", "ws"]
    )
    out: dict[str, dict[Any, _Buckets]] = {}
    for ws, sc, probed, failed, rx, kept, judged, left_out in engine.rows(
        sql(
            "SELECT ws, sc, count_if(NOT m AND NOT rx), count_if(NOT m AND NOT rx AND NOT up), "
            "count_if(NOT m AND rx), sum(kept), sum(n) FILTER (WHERE NOT m AND NOT rx) "
            "AS _tally_j0, sum(n) FILTER (WHERE m OR rx) AS _tally_j1 FROM ("
            "SELECT b.ws, b.sc, b.up, b.rx, b.kept, b.n, x.a IS NOT NULL AS m FROM (:b) AS b "
            "LEFT JOIN (SELECT pw.ws, s.sc, r.a, r.z FROM :spans AS r JOIN :s AS s ON s.si = r.si "
            "JOIN :starts ON pw.pid = r.pid WHERE NOT s.every) AS x ON x.ws = b.ws "
            "AND x.sc IS NOT DISTINCT FROM b.sc "
            "AND b.ws + b.bucket * :size >= x.a AND b.ws + b.bucket * :size < x.z"
            ") AS q GROUP BY ws, sc",
            b=buckets,
            s=excluded.targets,
            spans=excluded.spans,
            starts=starts_of,
            size=lit(size),
        )
    ):
        out.setdefault(starts[int(ws)], {})[sc] = _Buckets(
            int(probed),
            int(failed),
            int(rx),
            int(kept or 0),
            int(judged or 0),
            int(left_out or 0),
        )
    return out


def _probes(
    obj: Objective,
    params: AvailabilityParams,
    window: Period,
    all_excl: Sequence[Exclusion],
    maintenance: _Maintenance,
    row_counts: Mapping[Any, Mapping[str, int]],
    buckets: Mapping[Any, _Buckets],
) -> list[Measurement]:
    """One window of a probes objective, from its intervals (:func:`_probe_buckets`) and its
    few maintenance spans."""
    size = int(_required(params.interval_seconds) * US)
    total_buckets = -(-(window.end_us - window.start_us) // size)
    nominal_buckets = _total_us(window, params.availability_minutes) // size
    # No probe at all in the window is missing data, not a month of downtime: the caller
    # reports it as insufficient data (docs/semantics.md).
    out = []
    for sc, b in sorted(buckets.items(), key=lambda kv: str(kv[0])):
        probed, failed, row_excluded, kept = b.probed, b.failed, b.row_excluded, b.kept
        spans, maint_counts = maintenance.at(sc)
        excluded_counts = {e.id: 0 for e in all_excl}
        excluded_counts.update(row_counts.get(sc, {}))
        excluded_counts.update(maint_counts)
        if not kept:
            # Every probe of this scope was excluded: nothing is left to judge.
            out.append(_measurement(window, obj, sc, 0, None, all_excl, excluded_counts))
            continue
        gone = sum(hi - lo for lo, hi in _bucket_ranges(spans, window, size)) + row_excluded
        if params.missing == "down":
            base = nominal_buckets if params.availability_minutes == "nominal" else total_buckets
            counted = total_buckets - gone
            total = base - gone
            down = failed + (counted - probed)
        else:
            counted = total = probed
            down = failed
        value = _ratio(total - down, total) if total > 0 else None
        # The sample is the real intervals counted, also when the total is nominal.
        out.append(_measurement(window, obj, sc, counted, value, all_excl, excluded_counts))
    return out


def _bucket_ranges(
    intervals: list[tuple[int, int]], window: Period, size: int
) -> list[tuple[int, int]]:
    """The buckets whose start lies inside one of ``intervals`` (merged, in order), as
    disjoint ranges of bucket indexes [lo, hi), within the window's buckets."""
    out: list[tuple[int, int]] = []
    for a, b in intervals:
        lo = max(-(-(a - window.start_us) // size), 0)
        hi = -(-(b - window.start_us) // size)
        if out and lo <= out[-1][1]:
            lo = out[-1][0]
            hi = max(hi, out.pop()[1])
        if hi > lo:
            out.append((lo, hi))
    return out


def _outages(
    engine: Engine,
    plan: Plan,
    obj: Objective,
    metric: Metric,
    params: AvailabilityParams,
    window: Period,
    rows_excl: Sequence[Exclusion],
    maint: Sequence[Exclusion],
    maintenance: _Maintenance,
    where: exp.Expr,
    scope: Sequence[exp.Expr],
) -> list[Measurement]:
    start, end = col(_required(params.start), "t"), col(_required(params.end), "t")
    min_len = int(params.min_outage_seconds * US)
    excl = exclusion_case(rows_excl, start, plan.timezone, "t")
    query = sql(
        "SELECT :scope_cols AS sc, greatest(:s, :ws) AS a, least(coalesce(:e, :we), :we) AS z, :excl AS xid, "
        "coalesce(:e, :we) - :s >= :minlen AS counted "
        "FROM :ds AS t WHERE :s < :we AND coalesce(:e, :we) > :ws AND :cond "
        "ORDER BY sc, a, z",
        scope_cols=exp.Tuple(expressions=scope) if scope else lit(0),
        s=start,
        e=end,
        ws=lit(window.start_us),
        we=lit(window.end_us),
        excl=excl,
        ds=typed_table(metric.dataset),
        minlen=lit(min_len),
        cond=where,
    )
    all_excl = sorted([*rows_excl, *maint], key=lambda e: obj.exclusions.index(e.id))
    per_scope: dict[Any, list[tuple[int, int]]] = {}
    kept: dict[Any, int] = {}
    counts: dict[Any, dict[str, int]] = {}
    for sc, a, z, xid, counted in engine.rows(query):
        # Every scope value with an outage record is reported; an outage shorter than
        # min_outage does not count as downtime (100% if it was the only one).
        counts.setdefault(sc, {e.id: 0 for e in all_excl})
        per_scope.setdefault(sc, [])
        if xid is not None:
            counts[sc][xid] += 1
            continue
        kept[sc] = kept.get(sc, 0) + 1
        if counted:
            per_scope[sc].append((int(a), int(z)))
    if not per_scope:
        # No outage record at all: no downtime, for every scope value alike (100%).
        per_scope[()], counts[()], kept[()] = [], {e.id: 0 for e in all_excl}, 0
    out = []
    for sc, intervals in sorted(per_scope.items(), key=lambda kv: str(kv[0])):
        # The measurement of a period without outage records takes every window.
        maint_union, maint_counts = maintenance.at(None if sc == () else sc)
        total = _total_us(window, params.availability_minutes) - sum(b - a for a, b in maint_union)
        down = 0
        for a, b in merge_spans(intervals):
            down += (b - a) - sum(max(0, min(b, mb) - max(a, ma)) for ma, mb in maint_union)
        counts[sc].update(maint_counts)
        if sc != () and not kept.get(sc):
            # Every outage row of this scope value was excluded: nothing to judge.
            out.append(_measurement(window, obj, sc, 0, None, all_excl, counts[sc]))
            continue
        value = _ratio(total - down, total) if total > 0 else None
        out.append(_measurement(window, obj, sc, total // (60 * US), value, all_excl, counts[sc]))
    return out


def _taken_rows(metric: Metric, obj: Objective) -> exp.Expr:
    """The metric's and the objective's `where`, over the rows aliased ``t``."""
    return exp.and_(
        exp.Paren(this=all_of(metric.where, "t")), exp.Paren(this=_aliased(all_of(obj.where), "t"))
    )


def _aliased(expression: exp.Expr, alias: str) -> exp.Expr:
    for column in expression.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier(alias))
    return expression


def _measurement(
    window: Period,
    obj: Objective,
    sc: Any,
    sample: int,
    value: Decimal | None,
    exclusions: Sequence[Exclusion],
    counts: dict[str, int],
) -> Measurement:
    values = sc if isinstance(sc, tuple) else (() if not obj.scope else (sc,))
    if isinstance(sc, dict):
        values = tuple(sc.values())
    scope = tuple((f, v) for f, v in zip(obj.scope, values, strict=False))
    return Measurement(
        window.id,
        obj.id,
        scope,
        sample,
        value,
        0,
        0,
        0,
        tuple((e.id, counts.get(e.id, 0)) for e in exclusions),
    )


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    params, rows, unit = p.params, p.rows, p.period_unit
    adjective = PERIOD_ADJECTIVE.get(unit, "")
    if p.rolling > 1:
        adjective = f"rolling {p.rolling}-{unit}"
    notes: list[str] = []
    if params.get("availability_minutes") == "nominal":
        notes.append(f"a {unit} counts as its number of days × 1,440 minutes")
    elif p.timezone not in ("UTC", "Etc/UTC"):
        notes.append(
            f"a {unit} has its real number of minutes in {p.timezone}, so daylight-saving "
            "changes count"
        )
    source = params.get("source")
    interval = optional_decimal(params.get("interval_seconds"))
    step = f"{duration_adjective(interval)} " if interval else ""
    if source == "probes":
        up = " and ".join(condition_words(c) for c in clauses(params.get("ok"))) or "check passes"
        definition = (
            f"the share of {step}intervals in which all {rows} succeeded "
            f"(a probe succeeds when its {up})"
        )
        if params.get("missing") == "ignore":
            notes.insert(0, "intervals without a probe result are left out")
        else:
            notes.insert(0, "an interval without a probe result counts as down")
        return named(p, f"{article(adjective)} uptime", definition) + notes
    if source == "outages":
        minimum = optional_decimal(params.get("min_outage_seconds")) or Decimal(0)
        if minimum:
            notes.insert(0, f"{rows} shorter than {duration_words(minimum)} are not counted")
        definition = f"the share of the {unit}'s minutes outside {rows}"
        return named(p, f"{article(adjective)} uptime", definition) + notes
    errors, requests = words(str(params.get("errors"))), words(str(params.get("requests")))
    if params.get("method") == "pooled":
        definition = f"100% minus all {errors} divided by all {requests} of {rows}"
    else:
        definition = (
            f"100% minus the average error rate ({errors} divided by {requests}) of the "
            f"{step}intervals of {rows}"
        )
        if params.get("empty_interval") == "skip":
            notes.insert(0, "intervals without requests are left out")
        else:
            notes.insert(0, "an interval without requests counts as free of errors")
    return named(p, f"{article(adjective)} availability", definition) + notes
