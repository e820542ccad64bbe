"""Business-time grids in the engine: one lookup table per calendar, built on first use.

A grid row per bucket holds the business microseconds elapsed before the bucket and whether
the bucket is open, so business time between two instants is two lookups and a subtraction
(exact on DST days: see timegrid.py).
"""

from __future__ import annotations

import weakref
from datetime import UTC, datetime

from sqlglot import exp

from slac.evaluation.sqltext import Engine, lit, sql, table
from slac.evaluation.timegrid import Grid, build_grid
from slac.plan.types import Calendar

# The grids built in each engine, by calendar and span: the contracts of a portfolio share
# one engine and, mostly, their calendars (building one is a fifth of a small contract's time).
_BUILT: weakref.WeakKeyDictionary[Engine, dict[tuple[Calendar, int, int], tuple[str, Grid]]] = (
    weakref.WeakKeyDictionary()
)


def _year_start(us: int) -> int:
    """The start of ``us``'s UTC year (at most a year of extra buckets), so that items starting
    in the same year need one grid."""
    try:
        year = datetime.fromtimestamp(us / 1_000_000, tz=UTC).year
    except (OverflowError, OSError, ValueError):
        return us
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000


class Grids:
    """One lookup table per calendar (by its content) and span, built on first use and kept
    for the engine's later runs."""

    def __init__(self, engine: Engine, horizon: tuple[int, int]) -> None:
        self.engine = engine
        self.horizon = horizon
        self.built = _BUILT.setdefault(engine, {})

    def get(self, calendar: Calendar, earliest_us: int | None = None) -> tuple[str, Grid]:
        """The grid of ``calendar``, covering ``earliest_us`` too (items may start before the
        first window: with period_membership: end, or in rolling windows)."""
        start = self.horizon[0] if earliest_us is None else min(self.horizon[0], earliest_us)
        end = self.horizon[1]
        # Business time is a difference of two lookups, so any grid from an earlier start gives
        # the same numbers (the end must be the same: a deadline past it is "none"): the
        # contracts of a portfolio, whose data start at different instants, share one.
        for (built, low, high), found in self.built.items():
            if built == calendar and low <= start and high == end:
                return found
        start = _year_start(start)
        name = f"grid_{len(self.built)}"
        grid = build_grid(calendar, start, end)
        self._load(name, grid)
        self.built[(calendar, start, end)] = (name, grid)
        return name, grid

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


def business_us(instant: exp.Expr, alias: str) -> exp.Expr:
    """Business microseconds at ``instant`` through the grid row joined as ``alias``."""
    return sql(
        ":a.cum + :a.open * (:x - (:g0 + :a.b * :gs))",
        a=exp.to_identifier(alias),
        x=instant,
        g0=exp.column("g0", "k"),
        gs=exp.column("gs", "k"),
    )


# --------------------------------------------------------------------------------------
