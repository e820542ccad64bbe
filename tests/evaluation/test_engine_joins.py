"""The engine hashes the right side of a join, as slac writes it: DuckDB's estimates would
swap the sides (sqltext.Engine, why), which decides the memory and time of the duration
statements at 10M tickets (bench/evaluate.py), never their rows."""

from __future__ import annotations

from slac.evaluation.sqltext import Engine


def join_type(engine: Engine, query: str) -> str:
    row = engine.con.execute(f"EXPLAIN {query}").fetchone()
    assert row is not None
    types = [line for line in str(row[1]).splitlines() if "Join Type:" in line]
    assert len(types) == 1, types
    return types[0].split("Join Type:")[1].strip(" │")


def test_a_left_join_hashes_its_right_side_even_when_that_is_the_larger() -> None:
    engine = Engine()
    try:
        engine.con.execute("CREATE TEMP TABLE few AS SELECT range AS k FROM range(1000)")
        engine.con.execute("CREATE TEMP TABLE many AS SELECT range AS k, 0 AS v FROM range(100000)")
        # A RIGHT join would be DuckDB's swap: the thousand rows hashed, the others probing.
        assert join_type(engine, "SELECT * FROM few AS f LEFT JOIN many AS m ON m.k = f.k") == (
            "LEFT"
        )
        rows = engine.con.execute(
            "SELECT count(*), count(m.v) FROM few AS f LEFT JOIN many AS m ON m.k = f.k"
        ).fetchone()
        assert rows == (1000, 1000)
    finally:
        engine.close()
