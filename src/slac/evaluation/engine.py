"""Plan + loaded data → Measurements, in SQL: rows stay in the engine.

The objectives to judge are grouped by the metric they read (under the terms in force), so a
dataset is scanned once per metric, not once per objective; each group is measured by its
metric kind (evaluation/kinds/). Python receives aggregates only (counts, sums, a few order
statistics) and turns them into exact Decimals.

Semantics: docs/semantics.md. The reference evaluator in tests/ implements the same page in
plain Python; property-based tests require exact agreement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slac.evaluation.grids import Grids
from slac.evaluation.kind import MeasuredKinds
from slac.evaluation.measurement import Measurement, ScopeKey
from slac.evaluation.results import RowAccount
from slac.evaluation.selection import ROW_ACCOUNT, Group, Run, create_row_account
from slac.evaluation.sqltext import Engine, EngineUnsupported, sql
from slac.evaluation.tasks import plan_tasks
from slac.plan.types import Plan


def measure(
    engine: Engine,
    plan: Plan,
    month_ids: Sequence[str],
    kinds: MeasuredKinds,
    as_of_us: int | None = None,
) -> list[Measurement]:
    tasks = plan_tasks(plan, month_ids)
    create_row_account(engine)
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
    # Business time is looked up to the last instant known: an item closed (or still open) at
    # the as-of instant after the last period's end.
    last = max(t.period.end_us for t in tasks)
    horizon = (min(t.period.start_us for t in tasks), max(last, as_of_us or last))
    run = Run(engine, plan, Grids(engine, horizon), as_of_us)
    groups: dict[tuple[int, str], Group] = {}
    for task in tasks:
        key = (id(task.terms), task.objective.metric_id)
        group = groups.setdefault(key, Group(task.terms, task.objective.metric, []))
        for obj, periods in group.objectives:
            if obj is task.objective:
                periods.append(task.period)
                break
        else:
            group.objectives.append((task.objective, [task.period]))
    out: list[Measurement] = []
    for group in groups.values():
        ids = tuple(obj.id for obj, _ in group.objectives)
        with engine.measuring(ids):
            try:
                out.extend(kinds[group.metric.kind].measure(run, group))
            except EngineUnsupported as err:
                raise EngineUnsupported(f"objective {', '.join(ids)}: {err}") from None
    index = {o.id: i for terms in plan.terms for i, o in enumerate(terms.objectives)}
    return sorted(
        out, key=lambda m: (m.period, index.get(m.objective, 0), m.objective, _scope_sort(m.scope))
    )


def _scope_sort(scope: ScopeKey) -> tuple[tuple[int, str], ...]:
    return tuple((0 if v is None else 1, str(v)) for _, v in scope)


def row_accounts(
    engine: Engine,
    plan: Plan,
    bad: Mapping[str, int],
    by_binding: Mapping[str, int] | None = None,
) -> list[RowAccount]:
    """Each measured objective's rows over the run (after :func:`measure`), summed over the
    terms it was judged under; ``bad``: the bad rows left out of each dataset, counted for the
    objective's dataset and for each dataset its kind named as holding items too;
    ``by_binding``: the rows of a shared source its binding's ``where`` left out (other
    contracts' rows), counted as read and filtered, for the same datasets."""
    by_binding = by_binding or {}
    # Each set of terms an objective was judged under sees the same items (max), each over
    # its own periods (sum).
    found = engine.rows(
        sql(
            "SELECT objective, dataset, max(items), sum(in_window), sum(taken), sum(judged), "
            "sum(excluded), sum(pending), sum(left_out), list_distinct(flatten(list(bad_from))) "
            "FROM :t GROUP BY objective, dataset",
            t=ROW_ACCOUNT,
        )
    )
    index = {o.id: i for terms in plan.terms for i, o in enumerate(terms.objectives)}
    out = []
    for objective, dataset, items, in_window, taken, judged, excluded, pending, left, also in found:
        # Bad rows of the other datasets whose rows are items here too (reopens, as cycles).
        holding = {str(dataset), *(also or [])}
        bad_rows = sum(int(bad.get(d, 0)) for d in holding)
        others = sum(int(by_binding.get(d, 0)) for d in holding)
        out.append(
            RowAccount(
                objective=str(objective),
                dataset=str(dataset),
                input=int(items) + bad_rows + others,
                judged=int(judged),
                excluded=int(excluded),
                filtered=int(in_window) - int(taken) + int(left) + others,
                outside=int(items) - int(in_window),
                bad=bad_rows,
                pending=int(pending),
            )
        )
    return sorted(out, key=lambda a: (index.get(a.objective, 0), a.objective, a.dataset))
