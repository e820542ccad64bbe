"""SQL built from cached template trees (evaluation/sqltext.py)."""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from slac.evaluation.sqltext import Engine, lit, sql


def test_filling_a_template_never_changes_the_cached_template() -> None:
    first = sql("SELECT :a + 1 AS x FROM :t", a=lit(1), t=exp.to_table("one"))
    second = sql("SELECT :a + 1 AS x FROM :t", a=lit(2), t=exp.to_table("two"))
    engine = Engine()
    try:
        assert engine.text(first) == "SELECT 1 + 1 AS x FROM one"
        assert engine.text(second) == "SELECT 2 + 1 AS x FROM two"
    finally:
        engine.close()


def test_a_substituted_expression_stays_one_operand() -> None:
    engine = Engine()
    try:
        tree = sql("SELECT :a * 2", a=sql("SELECT 3 - 1").find(exp.Sub))
        assert engine.scalar(tree) == 4
        assert engine.scalar(sql("SELECT :d", d=Decimal("0.10"))) == Decimal("0.10")
    finally:
        engine.close()
