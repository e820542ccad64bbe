"""Lint throughput: ``slac lint FOLDER`` over 1,000 contracts of example size.

The corpus is laid out like a repository (a ``.git`` marker at its root, the examples'
templates in ``templates/``, one folder per contract) and every copy differs from the others
(its own ``id`` and ``title``), so that it lints with the findings the examples have and no
per-content cache can help. Prints contracts per second

- in-process: :meth:`Checker.check_paths` over the folder (discovery, load, templates, schema,
  rules and the cross-file duplicate-id rule), after a warm-up, as the CLI calls it;
- whole process: ``python -m slac lint FOLDER``, start-up included;
- baseline, measured in the same run: PyYAML's C loader plus a jsonschema validation of the
  same files in one process (what a minimal schema-only checker would cost).

Run: python bench/lint.py [--count N] [--no-cli]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from slac.contract.checker import Checker, CheckReport
from slac.contract.schema import load_schema
from slac.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
_ID = re.compile(r"^id: *(\S+) *$", re.MULTILINE)
_TITLE = re.compile(r"^title: *(.+?) *$", re.MULTILINE)


def make_corpus(target: Path, count: int) -> list[str]:
    """``count`` contracts copied from the examples (templates alongside, ``.git`` marking the
    repository root that templates must stay inside), each with its own id and title."""
    (target / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLES / "templates", target / "templates")
    sources = sorted(EXAMPLES.glob("*/contract.yaml"))
    paths = []
    for i in range(count):
        src = sources[i % len(sources)]
        folder = target / f"c{i:04d}"
        folder.mkdir()
        text = src.read_text("utf-8")
        text, ids = _ID.subn(rf"id: \g<1>-c{i:04d}", text, count=1)
        text, titles = _TITLE.subn(rf"title: \g<1> (copy {i})", text, count=1)
        if not ids or not titles:
            raise SystemExit(f"{src}: no top-level id or title line to make unique")
        out = folder / "contract.yaml"
        out.write_text(text, "utf-8")
        paths.append(str(out))
    return paths


def run_slac(folder: str) -> tuple[float, CheckReport]:
    start = time.perf_counter()
    report = Checker(KINDS).check_paths([folder], keep_contracts=False)  # as `slac lint` does
    return time.perf_counter() - start, report


def run_cli(folder: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "slac", "lint", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"slac lint failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def run_baseline(paths: list[str]) -> float:
    validator = Draft202012Validator(load_schema("contract"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            data = yaml.load(handle, Loader=loader)
        # Dates become date objects in PyYAML: stringify so that the schema sees text.
        data = json.loads(json.dumps(data, default=str))
        for _ in validator.iter_errors(data):
            pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-process timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        paths = make_corpus(root, args.count)
        warm = Path(tmp) / "warm"  # a small repository of its own, for the warm-up
        make_corpus(warm, min(args.count, 50))
        size = sum(os.path.getsize(p) for p in paths) / len(paths)
        run_slac(str(warm))  # warm caches: schema validators, holiday tables, time zones
        slac_s, report = run_slac(str(root))
        cli_s = None if args.no_cli else run_cli(str(root))
        base_s = run_baseline(paths)
    checked = sum(1 for f in report.files if f.path.startswith(str(root / "c")))
    codes = collections.Counter(d.code for d in report.diagnostics)
    shown = ", ".join(f"{c}×{n}" for c, n in sorted(codes.items())) or "none"
    print(f"contracts: {checked} (mean {size / 1024:.1f} KiB, templates shared), findings: {shown}")
    print(
        f"slac lint:  {args.count / slac_s:8.0f} contracts/s  ({slac_s * 1000 / args.count:.2f} ms each,"
        " in-process check_paths)"
    )
    if cli_s is not None:
        print(
            f"slac CLI:   {args.count / cli_s:8.0f} contracts/s  ({cli_s:.2f} s for"
            " `python -m slac lint FOLDER`, start-up included)"
        )
    print(
        f"baseline:   {args.count / base_s:8.0f} contracts/s  (PyYAML C loader + jsonschema only)"
    )
    print(f"ratio slac/baseline time: {slac_s / base_s:.2f}")


if __name__ == "__main__":
    main()
