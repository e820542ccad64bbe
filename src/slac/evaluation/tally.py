"""An objective's row account summed from its own measurement, not counted in a pass of its own.

A duration objective's outcome rows are what its measurement groups: counting them again, by
item, recomputed every join of the measurement (a third of the SQL time at 10M tickets). Its
measurement therefore sums, beside its aggregates, what the account needs of the outcome rows
(:meth:`Tally.columns`); one pass over the items per metric counts the rest
(:func:`insert_tallies`). The counts are those of :func:`slac.evaluation.selection.account`
with ``carried_in`` and outcome rows that hold their items' columns (docs/semantics.md,
"Row account").

That account counts an item once, by its best outcome: judged, else excluded, else pending.
Without a grouping by item this holds when an item has at most two outcome rows, its home
row and the first later row whose window knows its outcome (carry-over, of a period that is
not rolling: :func:`slac.kinds.duration.first_known`). The home row is then pending and the
later one judged or excluded, so the item's best outcome is the later row's, and the home
row is counted as the later row's item would be if it were pending, then taken off (``dup``
tells a later row whose home row is among the outcomes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from slac.evaluation.selection import ROW_ACCOUNT, account_row
from slac.evaluation.sqltext import Engine, lit, sql
from slac.plan.types import Objective

_NAMES = ("late_only", "late_not_pt", "j0", "j1", "j2")
# The measurement columns that are the account's, not measurement aggregates: the warehouse
# script leaves them out of its reads (docs/warehouse-sql.md).
TALLY_COLUMNS = frozenset(f"_tally_{n}" for n in _NAMES)


@dataclass
class Tally:
    """One objective's row account in the making. ``placed`` (an item's instant in one of the
    objective's periods) and ``taken`` (the metric's and the objective's `where`) are over the
    item's columns, unqualified or of ``t``; ``order`` over an outcome row: 0 judged,
    1 excluded, 2 pending; ``dup``: a later row whose home row is an outcome row too."""

    obj: Objective
    placed: exp.Expr
    taken: exp.Expr
    order: exp.Expr
    dup: exp.Expr
    sums: list[int] = field(default_factory=lambda: [0] * len(_NAMES))

    def columns(self) -> list[exp.Expr]:
        """The aggregates to add to the measurement's SELECT, over its outcome rows."""
        p = _unqualified(sql("coalesce(:p, FALSE)", p=self.placed.copy()))
        pt = _unqualified(
            sql(
                "coalesce(:p, FALSE) AND coalesce(:t, FALSE)",
                p=self.placed.copy(),
                t=self.taken.copy(),
            )
        )
        o, dup = self.order, self.dup
        # Per item: late (judged or pending in the run, carried in) = o IN (0, 2);
        # late_only = late and not placed; late_not_pt = late and not (placed and taken);
        # j_k = (placed or late) and o = k. A dup row's home row adds to late_only and
        # late_not_pt only if its item is not placed and taken; but it is both (its home
        # window, where its instant lies, is one of the objective's, and an outcome row
        # passed the `where`), so only pending (j2) takes the home rows off.
        counted = {
            "late_only": sql("count_if(NOT :p AND :o IN (0, 2))", p=p, o=o),
            "late_not_pt": sql("count_if(NOT (:pt) AND :o IN (0, 2))", pt=pt, o=o),
            "j0": sql("count_if(:o = 0)", o=o),
            "j1": sql("count_if(:p AND :o = 1)", p=p, o=o),
            "j2": sql("count_if(:o = 2) - count_if(:dup)", o=o, dup=dup),
        }
        return [counted[n].as_(f"_tally_{n}") for n in _NAMES]

    def add(self, values: Sequence[Any]) -> None:
        """The tally columns of one group of the measurement."""
        for i, v in enumerate(values):
            self.sums[i] += int(v or 0)


def insert_tallies(
    engine: Engine, items: exp.Expr, tallies: Sequence[Tally], bad_from: Sequence[str] = ()
) -> None:
    """The objectives' rows of the account: one pass over ``items`` (aliased ``t``) counts the
    items, those in each objective's periods and those it takes; the tallies give the rest."""
    if not tallies:
        return
    counts: list[exp.Expr] = [sql("count(*)").as_("n")]
    for k, t in enumerate(tallies):
        p = sql("coalesce(:p, FALSE)", p=t.placed.copy())
        counts.append(sql("count_if(:p)", p=p).as_(f"p{k}"))
        counts.append(
            sql("count_if(:p AND coalesce(:t, FALSE))", p=p.copy(), t=t.taken.copy()).as_(f"pt{k}")
        )

    def pick(prefix: str) -> exp.Expr:
        return exp.Case(
            this=exp.column("k", "v"),
            ifs=[
                exp.If(this=lit(k), true=exp.column(f"{prefix}{k}", "i"))
                for k in range(len(tallies))
            ],
        )

    values = exp.values(
        [tuple(lit(v) for v in (k, t.obj.id, *t.sums)) for k, t in enumerate(tallies)],
        alias="v",
        columns=["k", "objective", *_NAMES],
    )
    row = account_row(tallies[0].obj, bad_from)
    counted = exp.select(*counts).from_(
        exp.Subquery(this=items, alias=exp.TableAlias(this=exp.to_identifier("t"))), copy=False
    )
    rows = (
        exp.select(
            exp.column("objective", "v"),
            row["ds"],
            exp.column("n", "i"),
            sql(":p + v.late_only", p=pick("p")),
            sql(":pt + v.late_not_pt", pt=pick("pt")),
            *(exp.column(n, "v") for n in ("j0", "j1", "j2")),
            lit(0),  # left out by a kind's own `where`: a duration has none
            row["also"],
        )
        .from_(exp.Subquery(this=counted, alias=exp.TableAlias(this=exp.to_identifier("i"))))
        .join(values, join_type="cross", copy=False)
    )
    engine.execute(exp.insert(rows, ROW_ACCOUNT))


def _unqualified(node: exp.Expr) -> exp.Expr:
    """``node`` with the columns of ``t`` unqualified: read in the measurement's own FROM."""
    for c in node.find_all(exp.Column):
        if c.table == "t":
            c.set("table", None)
    return node
