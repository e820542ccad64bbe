"""Lint throughput: 1,000 contracts of example size in one process.

Prints contracts per second for slac's whole author stage (load, templates, schema, rules) and,
as a baseline measured in the same run, for PyYAML's C loader plus a jsonschema validation of
the same files (what a minimal schema-only checker would cost). Run: python bench/lint.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from slac.contract.checker import Checker
from slac.kinds import KINDS
from slac.contract.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def make_corpus(target: Path, count: int) -> list[str]:
    """``count`` contracts copied from the examples (templates alongside), ids made unique."""
    shutil.copytree(EXAMPLES / "templates", target / "templates")
    sources = sorted(EXAMPLES.glob("*/contract.yaml"))
    paths = []
    for i in range(count):
        src = sources[i % len(sources)]
        folder = target / f"c{i:04d}"
        folder.mkdir()
        text = src.read_text("utf-8").replace("../templates/", "../templates/")
        out = folder / "contract.yaml"
        out.write_text(text, "utf-8")
        paths.append(str(out))
    return paths


def run_slac(paths: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    checker = Checker(KINDS)
    findings = sum(len(checker.check_file(p).diagnostics) for p in paths)
    return time.perf_counter() - start, findings


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_corpus(Path(tmp), args.count)
        size = sum(os.path.getsize(p) for p in paths) / len(paths)
        run_slac(paths[:20])  # warm caches: schema validator, holiday tables, time zones
        slac_s, findings = run_slac(paths)
        base_s = run_baseline(paths)
    print(
        f"contracts: {args.count} (mean {size / 1024:.1f} KiB, templates shared), findings: {findings}"
    )
    print(
        f"slac lint:  {args.count / slac_s:8.0f} contracts/s  ({slac_s * 1000 / args.count:.2f} ms each)"
    )
    print(
        f"baseline:   {args.count / base_s:8.0f} contracts/s  (PyYAML C loader + jsonschema only)"
    )
    print(f"ratio slac/baseline time: {slac_s / base_s:.2f}")


if __name__ == "__main__":
    main()
