"""The long fuzz run: many mutated contracts and data files, on every core, crashes grouped by
root cause, each with a small reproducer written to a folder.

The mutations and the harness are the ones of the bounded tests in tests/fuzz/ (driven here by
a seeded random source instead of Hypothesis): input ``i`` of a run with ``--seed S`` is the
same on every machine, so a crash is reproduced by its number alone.

A crash is an exception escaping slac's API, a command exit other than 0/1/2, a traceback in a
command's output, a call using more than its CPU time (10 s for lint, compile or explain, 30 s
for an evaluation; a worker that does not answer for 300 s is killed: a hang), more than 4 GB
of memory (a MemoryError), or a worker process dying. Crashes are grouped by root cause: the exception type and the innermost slac frame.

Run from the repository root:

    python -m bench.fuzz --contracts 100000 --data 10000            # see the rates below
    python -m bench.fuzz --contracts 2000 --data 200 --minutes 10   # a quick look
    python -m bench.fuzz --contracts 0 --data 1000 --out fuzz-data  # data only

Measured on 2 cores (2026-12): contracts about 36 a second on an idle machine (7 a second
beside other work), data files about 0.5 CPU seconds each (0.5 a second beside other work):
the full run takes about 1.5 h on an idle machine and many hours on a busy one. Start it
first, alone.

It prints the counts, the rate and one line per root cause, and writes ``OUT/summary.md`` and
one folder per root cause (``OUT/<n>-<error>/``: the reduced input's files and ``crash.txt``
with the traceback and the command that reproduces it).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WATCHDOG_S = 300
SLOW = ("hang", "worker died", "Timeout", "MemoryError", "OutOfMemoryException")


def make_input(kind: str, seed: int, index: int) -> Any:
    from tests.fuzz.choices import RandomChooser, pick
    from tests.fuzz.contracts import mutate_contract, pick_seed
    from tests.fuzz.data import data_seeds, mutate_data

    chooser = RandomChooser(f"{seed}:{kind}:{index}")
    if kind == "contracts":
        return mutate_contract(chooser, pick_seed(chooser))
    return mutate_data(chooser, pick(chooser, data_seeds()))


def run_input(kind: str, item: Any, cli: bool) -> Any:
    from tests.fuzz.harness import run_contract, run_data

    return run_contract(item, cli=cli) if kind == "contracts" else run_data(item, cli=cli)


def _worker(kind: str, seed: int, indexes: list[int], cli_every: int, out: Any, stop: Any) -> None:
    for index in indexes:
        if stop.is_set():
            break
        out.put(("start", os.getpid(), index))
        crash = run_input(kind, make_input(kind, seed, index), index % cli_every == 0)
        found = None if crash is None else {**crash.__dict__, "signature": crash.signature}
        out.put(("done", os.getpid(), index, found))
    out.put(("finished", os.getpid()))


@dataclass
class Tally:
    kind: str
    log: Path  # each crash as a JSON line, as it comes: a run stopped early keeps them
    run: int = 0
    seconds: float = 0.0
    crashes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, index: int, crash: dict[str, Any]) -> None:
        signature = crash.get("signature") or f"{crash['error']} in {crash['frame']}"
        self.crashes.setdefault(signature, []).append({**crash, "index": index})
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"signature": signature, "index": index, **crash}) + "\n")


def fuzz(
    kind: str, count: int, seed: int, workers: int, cli_every: int, deadline: float, out: Path
) -> Tally:
    """Run inputs ``0 … count-1`` on ``workers`` processes, restarting a worker that hangs or
    dies on the next input it had not started."""
    context = mp.get_context("fork")
    # Compiled once here, inherited by every forked worker: lint (and the check before each
    # evaluation) then validates valid contracts about 8x faster, with the same findings
    # (tests/fuzz/test_fast_schema.py).
    from slac.contract.schema import fast_validator

    fast_validator("contract")
    messages: Any = context.Queue()
    stop = context.Event()
    tally = Tally(kind, out / f"{kind}-crashes.jsonl")
    tally.log.unlink(missing_ok=True)
    pending = list(range(count))
    deaths = 0  # workers that died in a row, without an input done in between
    running: dict[int, tuple[Any, list[int], int | None, float]] = {}
    started = time.perf_counter()

    def launch(indexes: list[int]) -> None:
        process = context.Process(
            target=_worker, args=(kind, seed, indexes, cli_every, messages, stop), daemon=True
        )
        process.start()
        running[process.pid or 0] = (process, indexes, None, time.perf_counter())

    for w in range(workers):
        launch(pending[w::workers])
    while running:
        if time.time() > deadline:
            stop.set()
        try:
            message = messages.get(timeout=5)
        except queue.Empty:
            message = None
        if message is not None and message[1] in running:  # not from a worker killed since
            pid = message[1]
            process, indexes, _, _ = running[pid]
            if message[0] == "start":
                running[pid] = (process, indexes, message[2], time.perf_counter())
            elif message[0] == "done":
                tally.run += 1
                deaths = 0
                if message[3] is not None:
                    tally.add(message[2], message[3])
                running[pid] = (process, indexes, None, time.perf_counter())
                if tally.run % 500 == 0:
                    _progress(tally, started, count)
            else:
                process.join()
                del running[pid]
        for pid, (process, indexes, current, since) in list(running.items()):
            hung = current is not None and time.perf_counter() - since > WATCHDOG_S
            if current is None and not process.is_alive() and process.exitcode != 0:
                del running[pid]  # died between inputs (its "finished" never came)
                continue
            if current is None or not (hung or not process.is_alive()):
                continue
            if process.is_alive():
                process.kill()
            process.join()
            del running[pid]
            error = "hang (killed)" if hung else f"worker died (exit {process.exitcode})"
            deaths += 1
            if deaths > 2 * workers:  # every worker dies at once: slac cannot even be imported?
                stop.set()
                raise SystemExit(f"{kind}: workers keep dying (exit {process.exitcode}): see above")
            tally.run += 1
            tally.add(
                current, {"error": error, "frame": "?", "line": 0, "message": "", "trace": ""}
            )
            rest = indexes[indexes.index(current) + 1 :]
            if rest and not stop.is_set():
                launch(rest)
    tally.seconds = time.perf_counter() - started
    return tally


def _progress(tally: Tally, started: float, count: int) -> None:
    spent = time.perf_counter() - started
    found = sum(len(v) for v in tally.crashes.values())
    print(
        f"  {tally.kind}: {tally.run}/{count} in {spent:.0f} s ({tally.run / spent:.1f}/s), "
        f"{found} crashing, {len(tally.crashes)} root cause(s)",
        flush=True,
    )


def _again(kind: str, seed: int, index: int) -> bool:
    """Whether input ``index`` hangs, dies or times out again, alone in a fresh process."""
    context = mp.get_context("fork")
    answer: Any = context.Queue()
    process = context.Process(target=_rerun, args=(kind, seed, index, answer), daemon=True)
    process.start()
    process.join(WATCHDOG_S)
    if process.is_alive():
        process.kill()
        return True
    return process.exitcode != 0 or answer.get(timeout=5)


def _rerun(kind: str, seed: int, index: int, answer: Any) -> None:
    crash = run_input(kind, make_input(kind, seed, index), False)
    answer.put(crash is not None and crash.signature.startswith(SLOW))


def write_reproducers(tally: Tally, seed: int, out: Path) -> list[str]:
    """One folder per root cause with the reduced input; the summary lines."""
    from tests.fuzz.reduce import reduce_input

    lines = []
    for n, (signature, crashes) in enumerate(sorted(tally.crashes.items()), start=1):
        first = min(crashes, key=lambda c: c["index"])
        item = make_input(tally.kind, seed, first["index"])
        slow = signature.startswith(SLOW)
        if slow and not any(_again(tally.kind, seed, c["index"]) for c in crashes[:3]):
            # A stalled machine (a VM descheduled for minutes) is charged as CPU time too.
            signature += " — not reproduced on a re-run: the machine stalled?"
        # Hangs, deaths, timeouts and memory exhausted are not reduced: each try costs minutes.
        if not slow:
            try:
                runs = 400 if tally.kind == "contracts" else 60  # evaluations take seconds
                item = reduce_input(
                    item, lambda i: run_input(tally.kind, i, False), signature, runs
                )
            except Exception as err:  # a reducer's bug must not lose the run: keep the input
                print(f"  (not reduced: {type(err).__name__}: {err})", flush=True)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", first["error"]).strip("-")
        folder = out / f"{tally.kind}-{n}-{slug}"
        shutil.rmtree(folder, ignore_errors=True)
        paths = item.write(folder)
        command = (
            "slac lint / compile / explain " + " ".join(os.path.relpath(p, folder) for p in paths)
            if tally.kind == "contracts"
            else f"slac evaluate {item.contract}"
            + (f" --period {item.period}" if item.period else "")
            + " [--on-bad-rows exclude]"
        )
        (folder / "crash.txt").write_text(
            f"{signature}\n{len(crashes)} of {tally.run} inputs (first: --seed {seed} {tally.kind} "
            f"input {first['index']})\nsteps: {'; '.join(item.steps)}\nreproduce (in this "
            f"folder): {command}\n\n{first['trace']}",
            encoding="utf-8",
        )
        lines.append(f"{len(crashes):6d}  {signature}  ({first['message'][:100]})  → {folder}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--data", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--cli-every", type=int, default=25, help="every Nth input also via the CLI"
    )
    parser.add_argument("--minutes", type=float, default=None, help="stop each part after this")
    parser.add_argument("--out", default="fuzz-out")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = [f"# Fuzz run, seed {args.seed}, {args.workers} worker(s)", ""]
    results = {}
    for kind, count in (("contracts", args.contracts), ("data", args.data)):
        if count <= 0:
            continue
        budget = args.minutes * 60 if args.minutes else float("inf")
        print(f"{kind}: {count} inputs on {args.workers} worker(s)", flush=True)
        tally = fuzz(
            kind, count, args.seed, args.workers, args.cli_every, time.time() + budget, out
        )
        found = sum(len(v) for v in tally.crashes.values())
        head = (
            f"{kind}: {tally.run} inputs in {tally.seconds:.0f} s ({tally.run / tally.seconds:.1f}/s), "
            f"{found} crashing, {len(tally.crashes)} root cause(s)"
        )
        print(head, flush=True)
        lines = write_reproducers(tally, args.seed, out)
        print("\n".join(lines), flush=True)
        report += [f"## {head}", "", "```", *lines, "```", ""]
        results[kind] = {
            "inputs": tally.run,
            "seconds": round(tally.seconds, 1),
            "crashes": {k: len(v) for k, v in tally.crashes.items()},
        }
    (out / "summary.md").write_text("\n".join(report), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
