"""Spark local mode against DuckDB: the same plan over the same generated tickets.

The tickets workload of bench/evaluate.py (business-hours first response with pauses, four
objectives, 1,000 customers, every month of a year), Parquet with typed columns, evaluated in
this process by ``evaluate_plan`` on DuckDB and on Spark (``local[2]`` unless
SLAC_SPARK_MASTER says otherwise). Reported: DuckDB's time, Spark's cold time (the session
started inside it), Spark's warm time (session started, one evaluation done before), the
warm/DuckDB ratio (goal: at most 10), and whether the results are identical apart from the
engine (MISMATCH and exit code 1 otherwise).

Run:  python bench/spark.py                 # 1M tickets
      python bench/spark.py --tickets 100000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import make_tickets, write_case

from slac.api import _resolve_sources, compile_plan
from slac.evaluation.evaluate import evaluate_plan, results_json
from slac.kinds import KINDS


def run(contract: Path, engine: str) -> tuple[float, dict[str, Any]]:
    plan = compile_plan(str(contract)).value
    assert plan is not None
    sources, errors, missing = _resolve_sources(str(contract), (), None)
    assert not errors and not missing, (errors, missing)
    start = time.perf_counter()
    evaluation = evaluate_plan(plan, sources, kinds=KINDS, engine_name=engine)
    seconds = time.perf_counter() - start
    assert evaluation.results is not None, evaluation.errors
    document = results_json(evaluation.results)
    del document["results_sha256"], document["engine"]
    return seconds, document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tickets, pauses = make_tickets(folder, args.tickets, args.seed, 1.4)
        contract = write_case(folder, "tickets")
        print(f"{tickets:,} tickets, {pauses:,} pause rows")
        duck, expected = run(contract, "duckdb")
        print(f"duckdb:      {duck:8.1f} s")
        cold, first = run(contract, "spark")
        print(f"spark cold:  {cold:8.1f} s  (session start included)")
        warm, second = run(contract, "spark")
        print(f"spark warm:  {warm:8.1f} s")
        print(f"spark warm / duckdb: {warm / duck:.1f}x (goal: at most 10x)")
        same = json.dumps(first, sort_keys=True) == json.dumps(expected, sort_keys=True)
        same = same and json.dumps(second, sort_keys=True) == json.dumps(expected, sort_keys=True)
        print("results identical apart from the engine" if same else "MISMATCH")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
