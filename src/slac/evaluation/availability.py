"""Availability: from probes, outage intervals or request error rates (docs/semantics.md).

Probes and request counts are bucketed and aggregated in the engine; Python receives one
row per bucket at most (error rates) or per group (probes), and the few maintenance windows
and merged outage intervals, and does the exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlglot import exp

from slac.evaluation.conditions import all_of, exclusion_case
from slac.evaluation.load import typed_table
from slac.evaluation.measurement import Measurement, Period
from slac.evaluation.periods import period_id
from slac.evaluation.sqltext import Engine, col, lit, sql
from slac.plan.types import Condition, Exclusion, Metric, Objective, Plan, Terms

US = 1_000_000
DAY_US = 86_400 * US
_PER_UNIT = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


def _conditions(items: Any) -> tuple[Condition, ...]:
    return tuple(
        Condition(
            c["field"],
            c["op"],
            tuple(c["value"]) if isinstance(c.get("value"), list) else c.get("value"),
        )
        for c in items
    )


def measure_availability(
    engine: Engine,
    plan: Plan,
    terms: Terms,
    objectives: Sequence[tuple[Objective, list[Period]]],
    metric: Metric,
) -> list[Measurement]:
    params = dict(metric.params)
    out: list[Measurement] = []
    for obj, periods in objectives:
        exclusions = [e for e in terms.exclusions if e.id in obj.exclusions]
        maint = [e for e in exclusions if e.maintenance_dataset]
        rows_excl = [e for e in exclusions if not e.maintenance_dataset]
        for window in periods:
            excluded_ivals = _maintenance(engine, plan, maint, window)
            found = _one(
                engine, plan, obj, metric, params, window, rows_excl, maint, excluded_ivals
            )
            if not found:  # no rows for any scope value in this window
                counts = tuple((e.id, 0) for e in [*rows_excl, *maint])
                found = [Measurement(window.id, obj.id, (), 0, None, 0, 0, 0, counts)]
            out.extend(found)
    return out


def _maintenance(
    engine: Engine, plan: Plan, exclusions: Sequence[Exclusion], window: Period
) -> dict[str, list[tuple[int, int]]]:
    """Per maintenance exclusion: the excluded intervals inside the window (merged)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for exc in exclusions:
        fields = dict(exc.maintenance_fields)
        rows = engine.rows(
            sql(
                "SELECT :s, :e, :a FROM :t WHERE :s IS NOT NULL AND :e IS NOT NULL AND :s < :we AND :e > :ws ORDER BY :s, :e",
                s=col(fields["start"]),
                e=col(fields["end"]),
                a=col(fields["announced_at"]),
                t=typed_table(exc.maintenance_dataset or ""),
                ws=lit(window.start_us),
                we=lit(window.end_us),
            )
        )
        notice = int((exc.notice_seconds or Decimal(0)) * US)
        allowance = int(exc.allowance_seconds * US) if exc.allowance_seconds is not None else None
        used: dict[str, int] = {}
        intervals: list[tuple[int, int]] = []
        for start, end, announced in rows:
            start, end = int(start), int(end)
            if announced is None or start - int(announced) < notice:
                continue  # unannounced or announced too late: not maintenance, downtime
            a, b = max(start, window.start_us), min(end, window.end_us)
            if b <= a:
                continue
            if allowance is not None:
                bucket = _allowance_period(start, exc.allowance_per or "month", plan.timezone)
                left = allowance - used.get(bucket, 0)
                if left <= 0:
                    continue
                b = min(b, a + left)
                used[bucket] = used.get(bucket, 0) + (b - a)
            intervals.append((a, b))
        found[exc.id] = _merge(intervals)
    return found


def _allowance_period(instant_us: int, unit: str, zone: str) -> str:
    local = datetime.fromtimestamp(instant_us / US, tz=ZoneInfo(zone))
    if unit == "day":
        return local.date().isoformat()
    if unit == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return period_id(local.date(), _PER_UNIT.get(unit, "month"))


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


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
    params: dict[str, Any],
    window: Period,
    rows_excl: Sequence[Exclusion],
    maint: Sequence[Exclusion],
    excluded_ivals: dict[str, list[tuple[int, int]]],
) -> list[Measurement]:
    source = params["source"]
    where = exp.and_(
        exp.Paren(this=all_of(metric.where, "t")), exp.Paren(this=_aliased(all_of(obj.where), "t"))
    )
    scope = [col(f, "t") for f in obj.scope]
    all_excl = [e for e in rows_excl] + list(maint)
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
            excluded_ivals,
            where,
            scope,
        )
    size = int(Decimal(params["interval_seconds"]) * US)
    time_col = col(params["time"], "t")
    excl = exclusion_case(rows_excl, time_col, plan.timezone, "t")
    maint_union = _merge([iv for e in maint for iv in excluded_ivals[e.id]])
    maint_buckets = _buckets_in(maint_union, window, size)
    total_buckets = -(-(window.end_us - window.start_us) // size)
    nominal_buckets = _total_us(window, params["availability_minutes"]) // size
    if source == "probes":
        ok = _aliased(all_of(_conditions(params["ok"])), "t")
        query = sql(
            "SELECT :scope_cols AS sc, INTDIV(:tm - :ws, :size) AS bucket, bool_and(:ok) AS up, "
            "count_if(:excl IS NOT NULL) AS x, first(:excl) FILTER (WHERE :excl IS NOT NULL) AS xid "
            "FROM :ds AS t WHERE :tm >= :ws AND :tm < :we AND :cond GROUP BY sc, bucket",
            scope_cols=exp.Tuple(expressions=scope) if scope else lit(0),
            tm=time_col,
            ws=lit(window.start_us),
            we=lit(window.end_us),
            size=lit(size),
            ok=exp.func("coalesce", exp.Paren(this=ok), exp.false()),
            excl=excl,
            ds=typed_table(metric.dataset),
            cond=where,
        )
        per_scope: dict[Any, dict[int, tuple[bool, int, Any]]] = {}
        for sc, bucket, up, x, xid in engine.rows(query):
            per_scope.setdefault(sc, {})[int(bucket)] = (bool(up), int(x), xid)
        if not per_scope and not scope:
            per_scope[0] = {}
        out = []
        for sc, buckets in sorted(per_scope.items(), key=lambda kv: str(kv[0])):
            excluded_counts = {e.id: 0 for e in all_excl}
            row_excluded = {b for b, (_, x, _) in buckets.items() if x}
            for b, (_, x, xid) in buckets.items():
                if x and b not in maint_buckets and xid in excluded_counts:
                    excluded_counts[xid] += 1
            for e in maint:
                excluded_counts[e.id] = len(_buckets_in(excluded_ivals[e.id], window, size))
            gone = maint_buckets | row_excluded
            with_probes = {b for b in buckets if b not in gone}
            if buckets and not with_probes:
                # Every probe of this scope was excluded: nothing is left to judge.
                out.append(_measurement(window, obj, sc, 0, None, all_excl, excluded_counts))
                continue
            failed = {b for b in with_probes if not buckets[b][0]}
            if params["missing"] == "down":
                base = (
                    nominal_buckets
                    if params["availability_minutes"] == "nominal"
                    else total_buckets
                )
                total = base - len(gone & set(range(total_buckets)))
                down = len(failed) + (
                    total_buckets - len(gone & set(range(total_buckets))) - len(with_probes)
                )
            else:
                total = len(with_probes)
                down = len(failed)
            value = _ratio(total - down, total) if total > 0 else None
            out.append(_measurement(window, obj, sc, total, value, all_excl, excluded_counts))
        return out
    # error-rate
    errors, requests = col(params["errors"], "t"), col(params["requests"], "t")
    query = sql(
        "SELECT :scope_cols AS sc, INTDIV(:tm - :ws, :size) AS bucket, "
        "sum(CASE WHEN :excl IS NULL THEN CAST(:er AS DECIMAL(38, 9)) ELSE 0 END) AS e, "
        "sum(CASE WHEN :excl IS NULL THEN CAST(:rq AS DECIMAL(38, 9)) ELSE 0 END) AS r, "
        "count_if(:excl IS NOT NULL) AS x, first(:excl) FILTER (WHERE :excl IS NOT NULL) AS xid "
        "FROM :ds AS t WHERE :tm >= :ws AND :tm < :we AND :cond GROUP BY sc, bucket",
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
    per_scope_e: dict[Any, dict[int, tuple[Fraction, Fraction, int, Any]]] = {}
    for sc, bucket, e, r, x, xid in engine.rows(query):
        per_scope_e.setdefault(sc, {})[int(bucket)] = (
            Fraction(e or 0),
            Fraction(r or 0),
            int(x),
            xid,
        )
    if not per_scope_e and not scope:
        per_scope_e[0] = {}
    out = []
    for sc, ebuckets in sorted(per_scope_e.items(), key=lambda kv: str(kv[0])):
        excluded_counts = {e.id: 0 for e in all_excl}
        for _, (_, _, x, xid) in ebuckets.items():
            if x and xid in excluded_counts:
                excluded_counts[xid] += x
        for e in maint:
            excluded_counts[e.id] = len(_buckets_in(excluded_ivals[e.id], window, size))
        usable = {b: v for b, v in ebuckets.items() if b not in maint_buckets and not v[2]}
        if ebuckets and not usable:
            out.append(_measurement(window, obj, sc, 0, None, all_excl, excluded_counts))
            continue
        if params["method"] == "pooled":
            total_r = sum((v[1] for v in usable.values()), Fraction(0))
            total_e = sum((v[0] for v in usable.values()), Fraction(0))
            value = _ratio(total_r - total_e, total_r) if total_r else None
            sample = int(total_r)
        else:
            rates = [v[0] / v[1] for v in usable.values() if v[1] > 0]
            if params["empty_interval"] == "ok":
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


def _outages(
    engine: Engine,
    plan: Plan,
    obj: Objective,
    metric: Metric,
    params: dict[str, Any],
    window: Period,
    rows_excl: Sequence[Exclusion],
    maint: Sequence[Exclusion],
    excluded_ivals: dict[str, list[tuple[int, int]]],
    where: exp.Expr,
    scope: Sequence[exp.Expr],
) -> list[Measurement]:
    start, end = col(params["start"], "t"), col(params["end"], "t")
    min_len = int(Decimal(params["min_outage_seconds"]) * US)
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
    all_excl = list(rows_excl) + list(maint)
    per_scope: dict[Any, list[tuple[int, int]]] = {}
    counts: dict[Any, dict[str, int]] = {}
    for sc, a, z, xid, counted in engine.rows(query):
        # Every scope value with an outage record is reported; an outage shorter than
        # min_outage does not count as downtime (100% if it was the only one).
        counts.setdefault(sc, {e.id: 0 for e in all_excl})
        per_scope.setdefault(sc, [])
        if not counted:
            continue
        if xid is not None:
            counts[sc][xid] += 1
            continue
        per_scope[sc].append((int(a), int(z)))
    if not per_scope and not scope:
        per_scope[0], counts[0] = [], {e.id: 0 for e in all_excl}
    maint_union = _merge([iv for e in maint for iv in excluded_ivals[e.id]])
    maint_us = sum(b - a for a, b in maint_union)
    total = _total_us(window, params["availability_minutes"]) - maint_us
    out = []
    for sc, intervals in sorted(per_scope.items(), key=lambda kv: str(kv[0])):
        down = 0
        for a, b in _merge(intervals):
            down += (b - a) - sum(max(0, min(b, mb) - max(a, ma)) for ma, mb in maint_union)
        for e in maint:
            counts[sc][e.id] = len(excluded_ivals[e.id])
        value = _ratio(total - down, total) if total > 0 else None
        out.append(_measurement(window, obj, sc, total // (60 * US), value, all_excl, counts[sc]))
    return out


def _aliased(expression: exp.Expr, alias: str) -> exp.Expr:
    for column in expression.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier(alias))
    return expression


def _ratio(numerator: int | Fraction, denominator: int | Fraction) -> Decimal:
    from slac.evaluation.engine import _ratio as exact

    return exact(numerator, denominator)


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
