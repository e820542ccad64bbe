"""The listed items of a measurement (the worst breached items of each group, a list of structs
per row) are fetched by ``Engine.rows_listing``: the rows stored, read back without the lists,
and the lists' items as flat rows (DuckDB converts a list of structs to Python a struct at a
time, slowly). It must give what the plain fetch gives: the same rows, each list in its order,
NULL where a group listed nothing, whatever the listed column's place in the row."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slac.evaluation.sqltext import Engine, sql


def _query(rows: list[tuple[int, int, int]], listed_first: bool) -> Any:
    values = ", ".join(f"({g}, {k}, {v})" for g, k, v in rows)
    listed = (
        "min_by(struct_pack(item := CAST(k AS VARCHAR), v := v, "
        "d := CAST(v AS DECIMAL(18, 3)) / 7, open := v % 2 = 0), "
        "struct_pack(w := -v, k := CAST(k AS VARCHAR)), 3) FILTER (WHERE v > 2) AS misses"
    )
    plain = "count(*) AS n, sum(v) AS total"
    columns = f"{listed}, g, {plain}" if listed_first else f"g, {plain}, {listed}, max(k) AS m"
    return sql(f"SELECT {columns} FROM (VALUES {values}) AS t(g, k, v) GROUP BY g")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 50), st.integers(-5, 9)),
        min_size=1,
        max_size=80,
    ),
    listed_first=st.booleans(),
)
def test_listed_rows_are_the_plain_rows(
    rows: list[tuple[int, int, int]], listed_first: bool
) -> None:
    engine = Engine(threads=1)
    try:
        query = _query(rows, listed_first)
        key = 1 if listed_first else 0  # the group
        plain = sorted(engine.rows(query), key=lambda r: r[key])
        listed = sorted(engine.rows_listing(query, "misses"), key=lambda r: r[key])
        left = engine.rows(sql("SELECT count(*) FROM duckdb_tables() WHERE temporary"))
    finally:
        engine.close()
    assert listed == plain
    assert left == [(0,)]  # the stored rows are dropped


def test_a_list_keeps_its_order() -> None:
    engine = Engine(threads=1)
    try:
        rows = [(0, k, 9 - k % 10) for k in range(40)]
        (row,) = engine.rows_listing(_query(rows, False), "misses")
    finally:
        engine.close()
    assert [m["item"] for m in row[3]] == ["0", "10", "20"]  # worst (9) first, ties by key


def test_a_group_that_lists_nothing_has_null() -> None:
    engine = Engine(threads=1)
    try:
        found = engine.rows_listing(_query([(0, 1, 1), (1, 2, 5), (2, 3, 0)], True), "misses")
    finally:
        engine.close()
    assert sorted((r[1], r[0]) for r in found if r[0] is None) == [(0, None), (2, None)]
    assert [m["v"] for r in found if r[1] == 1 for m in r[0]] == [5]


def test_a_column_of_the_same_name_is_not_the_list() -> None:
    """A scope field may be named as the listed column (`scope: [misses]`): the list is the
    column aliased so, wherever it stands, and a payload field that is itself a list stays one
    value."""
    engine = Engine(threads=1)
    try:
        for name in ("misses", "Misses", "__slac_r"):
            # As slac writes a scope field: a plain column (the list is the aliased one).
            query = sql(
                f'SELECT "{name}", min_by(struct_pack(item := CAST(k AS VARCHAR), '
                "l := [k, v]), v, 2) AS misses, count(*) AS n "
                f'FROM (VALUES (1, 1, 5), (1, 2, 4), (2, 3, 1)) AS t("{name}", k, v) '
                f'GROUP BY "{name}"'
            )
            found = sorted(engine.rows_listing(query, "misses"), key=lambda r: r[0])
            assert found == sorted(engine.rows(query), key=lambda r: r[0])
            assert found[0] == (1, [{"item": "2", "l": [2, 4]}, {"item": "1", "l": [1, 5]}], 2)
    finally:
        engine.close()
