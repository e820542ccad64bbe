"""`value`: a number per row (a field, or the sum of several), in the plan's unit.

Row values are scaled to plan units (minutes → seconds, percent → ratio). An objective either
takes a statistic of the values (mean, median, pNN, min, max, count, sum) or the share of rows
within a threshold (rows without a value are not judged).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from sqlglot import exp

from slac.contract.kinds import FieldRef
from slac.contract.source import Path
from slac.evaluation.measurement import Measurement, MissedItem, Misses, Period, exact_ratio
from slac.evaluation.selection import (
    MissSpec,
    breach_columns,
    breach_values,
    excluded_columns,
    miss_columns,
    scope_key,
    with_empty,
)
from slac.evaluation.sqltext import Engine, col, lit, sql, subquery
from slac.evaluation.statistics import statistics
from slac.kinds.base import PerRowKind
from slac.plan.explain.measures import (
    Promise,
    deadline,
    statistic,
    threshold,
)
from slac.plan.kinds import MetricContext
from slac.plan.types import Exclusion, Metric, Objective
from slac.wording import (
    article,
    words,
)


@dataclass(frozen=True)
class ValueParams:
    fields: tuple[str, ...]  # summed per row
    unit: str
    scale: Decimal  # row value × scale = plan units


class Value(PerRowKind[ValueParams]):
    name: ClassVar[str] = "value"

    def phrase(self, p: Promise) -> list[str]:
        return _phrase(p)

    thresholds: ClassVar[bool] = True
    field_keys: ClassVar[tuple[str, ...]] = ("field",)

    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        fields = body.get("fields") or [body["field"]]
        unit = body.get("unit", "seconds")
        # Row values become plan units: minutes → seconds, percent (0–100) → a ratio (0–1).
        scale = {"minutes": "60", "percent": "0.01"}.get(unit, "1")
        return {"fields": list(fields), "unit": unit, "scale": scale}

    def field_refs(self, body: Mapping[str, Any], path: Path) -> Iterator[FieldRef]:
        yield from super().field_refs(body, path)
        if isinstance(body.get("fields"), list):
            for i, name in enumerate(body["fields"]):
                if isinstance(name, str):
                    yield (*path, "fields", i), name, False

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        unit = body.get("unit", "seconds")
        if statistic == "count":
            return "number"
        if unit in ("seconds", "minutes"):
            return "duration"
        return "ratio" if unit == "percent" else "number"

    def params(self, metric: Metric) -> ValueParams:
        raw = dict(metric.params)
        return ValueParams(tuple(raw["fields"]), raw["unit"], Decimal(raw["scale"]))

    def evidence_value(self, params: ValueParams) -> exp.Expr:
        return exp.Mul(this=_row_value(params), expression=lit(params.scale))

    def in_sample(self, params: ValueParams) -> exp.Expr:
        # A row without a value has nothing to judge (status `none` in the evidence).
        return sql(":v IS NOT NULL", v=_row_value(params))

    def measure_objective(
        self,
        engine: Engine,
        params: ValueParams,
        obj: Objective,
        periods: Sequence[Period],
        rows: exp.Expr,
        exclusions: Sequence[Exclusion],
    ) -> list[Measurement]:
        value = _row_value(params)
        scale = Fraction(params.scale)
        if obj.judgement.kind == "threshold-share":
            unit = {"seconds": "seconds", "minutes": "seconds", "percent": "ratio"}.get(
                params.unit, "number"
            )
            return _threshold(engine, obj, periods, rows, value, scale, exclusions, unit)
        return statistics(
            engine, obj, periods, rows, exp.true(), exclusions, scale=scale, value=value
        )


def _row_value(params: ValueParams) -> exp.Expr:
    fields = [col(f) for f in params.fields]
    total: exp.Expr = fields[0]
    for f in fields[1:]:
        total = exp.Add(this=total, expression=f)
    return exp.cast(exp.Paren(this=total), "DECIMAL(38, 9)")


def _threshold(
    engine: Engine,
    obj: Objective,
    periods: Sequence[Period],
    rows: exp.Expr,
    value: exp.Expr,
    scale: Fraction,
    exclusions: Sequence[Exclusion],
    unit: str,
) -> list[Measurement]:
    """``unit``: what the values are in, once scaled (the breached-items annex says it)."""
    judge = obj.judgement
    assert judge.threshold_seconds is not None
    # value × scale ≤ T  ⟺  value ≤ T / scale (exact decimals).
    threshold = judge.threshold_seconds
    limit = exact_ratio(Fraction(threshold) / scale, 1)
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
            *breach_columns(exp.column("_item"), exp.column("_at_us")),
            # The threshold is one for all rows: the largest value missed by the most.
            *miss_columns(
                MissSpec(sql("status = 'breached'"), exp.Neg(this=value.copy()), {"v": value}),
                exp.column("_evkey"),
            ),
            *excluded_columns(exclusions),
        )
        .from_(
            subquery(
                sql("SELECT *, :status AS status FROM (:rel) AS q", status=status, rel=rows), "s"
            ),
            copy=False,
        )
        .group_by(exp.column("pid"), *scope, copy=False)
    )
    out = []
    for row in engine.rows_listing(query, "misses"):
        pid, rest = row[0], row[1:]
        scope_values, rest = rest[: len(scope)], rest[len(scope) :]
        met, breached = int(rest[0]), int(rest[1])
        evidence = breach_values(rest[2], rest[3])
        shown = tuple(_missed(m, scale, threshold) for m in rest[5] or ())
        misses = Misses(int(rest[4]), unit, shown)
        excluded = tuple((e.id, int(v)) for e, v in zip(exclusions, rest[6:], strict=True))
        judged = met + breached
        out.append(
            Measurement(
                str(pid),
                obj.id,
                scope_key(obj, scope_values),
                judged,
                exact_ratio(met, judged) if judged else None,
                met,
                breached,
                0,
                excluded,
                **evidence,
                misses=misses,
            )
        )
    return with_empty(out, obj, periods, exclusions, misses=Misses(0, unit, ()))


def _missed(row: Mapping[str, Any], scale: Fraction, threshold: Decimal) -> MissedItem:
    """A listed row of :func:`miss_columns`: its value scaled to plan units, exactly."""
    measured = exact_ratio(Fraction(row["v"]) * scale, 1)
    return MissedItem(str(row["item"]), measured, threshold, measured - threshold)


# ---- wording (slac explain)


def _phrase(p: Promise) -> list[str]:
    fields = [str(f) for f in p.params.get("fields") or []]
    suffixes = ("_seconds", "_minutes", "_time")
    if fields and all(f.endswith(suffixes) for f in fields):
        quantity = f"{' + '.join(words(f.rsplit('_', 1)[0]) for f in fields)} time"
    else:
        quantity = " + ".join(words(f) for f in fields) or "value"
    if p.judgement != "threshold-share":
        return statistic(p, quantity)
    how = "at most" if p.threshold_inclusive else "less than"
    tail = (
        "exactly at the deadline counts as met"
        if p.threshold_inclusive
        else "must come before the deadline (exactly at it is a breach)"
    )
    have = f"have {article(quantity)} of {how} {deadline(p)}"
    return threshold(p, have, f"{article(quantity)} {tail}")
