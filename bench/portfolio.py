"""Portfolio throughput: many contracts over one shared ticket table against one contract.

Data: bench/evaluate.py's tickets (``--tickets``, default 10M; 1,000 customers, skewed;
first response in business hours Mon-Fri 09:00-17:00 America/New_York with pauses), written
as shared Parquet tables that carry the customer: tickets.parquet, and ticket_pauses.parquet
with each pause's customer (a warehouse's pause table carries it too), sorted by customer.

Contracts (``--contracts``, default 1,000): one per customer (C0000, C0001, …), in three
tiers (gold, silver, bronze: 1x/2x/4x the response times, targets 90/85/80%), each with four
objectives (P1-P4, monthly). One bindings file binds both datasets for all of them, each
contract taking its customer's rows: ``where: {customer: {contract: customer}}``.

Three whole processes, one after the other (wall, CPU and peak RSS from wait4, started by a
launcher as in bench/evaluate.py):

- portfolio: ``slac evaluate contracts/ --bindings shared.yaml -o out/``: every contract;
- one contract over the same table (the baseline): the median customer's contract bound to
  the whole shared table without a filter, so that it measures every ticket, as if one
  customer had them all: the work of the portfolio done by one contract;
- one contract, filtered: the same contract through the portfolio's binding, taking only its
  customer's rows: what evaluating that customer alone costs. Its results must equal the
  portfolio's for it, byte for byte.

Prints portfolio / one contract over the same table (goal: at most 5x), and, for context,
portfolio / one filtered contract and what 1,000 filtered single runs would cost. The filtered
contract is not the goal's baseline: it reads a thousandth of the data, so 5x of it would be
less than reading the table once (docs/portfolios.md, "Speed").

Run:  python bench/portfolio.py                          # 10M tickets, 1,000 contracts
      python bench/portfolio.py --tickets 1000000 --contracts 100
      python bench/portfolio.py --keep DIR               # generate into DIR and keep it
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import CUSTOMERS, ZONE, Run, make_tickets, run_child, tickets_definitions

TIERS = {"gold": (1, 90), "silver": (2, 85), "bronze": (4, 80)}  # hours x, target %
PRIORITIES = {"P1": 1, "P2": 4, "P3": 8, "P4": 16}  # business hours, gold


def customer(i: int) -> str:
    return f"C{i:04d}"  # as bench/evaluate.py names them


def contract_text(i: int) -> str:
    tier = list(TIERS)[i % len(TIERS)]
    times, target = TIERS[tier]
    objectives = "".join(
        f"""  - id: frt-{p.lower()}
    metric: first_response
    where: {{priority: {p}}}
    within: {hours * times} business hours
    target: ">= {target}%"
    period: month
    credit:
      tiers:
        - {{below: "{target}%", percent: "5%"}}
"""
        for p, hours in PRIORITIES.items()
    )
    return (
        f"""slac: 1
kind: contract
id: {customer(i).lower()}-support
title: Support SLA {customer(i)} ({tier})
version: "1"
effective: {{from: 2026-01-01, to: 2026-12-31}}
timezone: {ZONE}
parties:
  provider: {{name: Bench Provider}}
  customer: {{name: {customer(i)}}}
commercials: {{currency: USD, monthly_fee: "1000.00"}}
"""
        + tickets_definitions(customer_field=False)
        + f"objectives:\n{objectives}"
    )


def bindings_text(data: str, where: bool) -> str:
    by = ", where: {customer: {contract: customer}}" if where else ""
    return (
        "bindings: 1\ndatasets:\n"
        f"  tickets: {{path: {data}/tickets.parquet{by}}}\n"
        f"  ticket_pauses: {{path: {data}/ticket_pauses.parquet{by}}}\n"
    )


def generate(folder: Path, tickets: int, seed: int) -> tuple[int, int]:
    """The shared tables in folder/data; returns (tickets, pause rows)."""
    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    _, pauses = make_tickets(raw, tickets, seed, 1.4)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{raw / 'tickets.parquet'}') ORDER BY customer, id) "
        f"TO '{data / 'tickets.parquet'}' (FORMAT parquet)"
    )
    con.execute(
        f"""COPY (SELECT p.*, t.customer FROM read_parquet('{raw / "ticket_pauses.parquet"}') p
        JOIN read_parquet('{raw / "tickets.parquet"}') t ON t.id = p.ticket_id
        ORDER BY t.customer, p.ticket_id, p.start)
        TO '{data / "ticket_pauses.parquet"}' (FORMAT parquet)"""
    )
    con.close()
    shutil.rmtree(raw)
    return tickets, pauses


def median_customer(folder: Path, contracts: int) -> int:
    """The contract of the median customer by tickets (of those with a contract)."""
    con = duckdb.connect()
    counts = con.execute(
        f"SELECT customer, count(*) AS n FROM read_parquet('{folder / 'data' / 'tickets.parquet'}')"
        " GROUP BY customer ORDER BY n, customer"
    ).fetchall()
    con.close()
    mine = [c for c, _ in counts if int(str(c)[1:]) < contracts]
    return int(str(mine[len(mine) // 2])[1:])


def slac(*args: str) -> list[str]:
    return [sys.executable, "-m", "slac", "evaluate", *args, "--quiet", "--no-ledger"]


def show(label: str, run: Run) -> None:
    print(
        f"   {label:<34} wall {run.wall:8.2f} s   CPU {run.cpu:8.2f} s   "
        f"peak RSS {run.mib:7.0f} MiB   exit {run.code}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=10_000_000)
    parser.add_argument("--contracts", type=int, default=1000, help=f"at most {CUSTOMERS}")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--keep", default=None, help="generate into this folder and keep it")
    parser.add_argument(
        "--jobs", default=None, help="the portfolio's --jobs (default: slac's, one per processor)"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    count = min(args.contracts, CUSTOMERS)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="slac-portfolio-"))
    print(f"machine: {os.cpu_count()} cores, duckdb {duckdb.__version__}; data in {work}")
    start = time.perf_counter()
    if (work / "data" / "tickets.parquet").exists():
        print("   (data kept from an earlier run)")
    else:
        n, pauses = generate(work, args.tickets, args.seed)
        print(f"   {n:,} tickets, {pauses:,} pause rows in {time.perf_counter() - start:.1f} s")
    contracts = work / "contracts"
    shutil.rmtree(contracts, ignore_errors=True)
    contracts.mkdir()
    for i in range(count):
        (contracts / f"{customer(i).lower()}.yaml").write_text(contract_text(i), "utf-8")
    data = str(work / "data")
    (work / "shared.yaml").write_text(bindings_text(data, where=True), "utf-8")
    (work / "whole.yaml").write_text(bindings_text(data, where=False), "utf-8")
    chosen = median_customer(work, count)
    one = contracts / f"{customer(chosen).lower()}.yaml"
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    shared = str(work / "shared.yaml")
    jobs = ["--jobs", args.jobs] if args.jobs else []
    print(
        f"\n== {count:,} contracts over {args.tickets:,} shared tickets, {jobs or 'default jobs'}"
    )
    runs = {
        "portfolio": run_child(
            slac(str(contracts), "--bindings", shared, "-o", str(out), *jobs),
            work / "portfolio.err",
        ),
        "one": run_child(
            slac(str(one), "--bindings", shared, "-o", str(work / "one.json")), work / "one.err"
        ),
        "whole": run_child(
            slac(str(one), "--bindings", str(work / "whole.yaml"), "-o", str(work / "whole.json")),
            work / "whole.err",
        ),
    }
    show(f"portfolio ({count:,} contracts)", runs["portfolio"])
    show("one contract over the same table", runs["whole"])
    show(f"one contract ({customer(chosen)}, filtered)", runs["one"])
    ok = all(r.code == 0 for r in runs.values())
    mine = out / f"{customer(chosen).lower()}-support.json"
    same = mine.is_file() and mine.read_bytes() == (work / "one.json").read_bytes()
    if not same:
        print("!!!!!!!! MISMATCH: the portfolio's results for that contract differ !!!!!!!!")
    portfolio, whole, single = runs["portfolio"], runs["whole"], runs["one"]
    print(
        f"   portfolio / one contract over the same table: wall {portfolio.wall / whole.wall:.2f}x, "
        f"CPU {portfolio.cpu / whole.cpu:.2f}x (goal: at most 5x)"
    )
    print(
        f"   context: portfolio / one filtered contract: wall {portfolio.wall / single.wall:.1f}x, "
        f"CPU {portfolio.cpu / single.cpu:.1f}x; {count:,} filtered single runs would take "
        f"{count * single.cpu / portfolio.cpu:.1f}x the portfolio's CPU; "
        f"per contract {portfolio.cpu / count:.3f} s CPU"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok and same else 1)


if __name__ == "__main__":
    main()
