"""Mutated data files: the examples' measurement data (and the small evaluate-test contract's)
with cells corrupted (empty, huge, NaN, extreme or naive timestamps, local times in a DST gap
or overlap, NUL bytes, quotes, line breaks, very long text), rows duplicated or dropped,
columns lost, renamed, added or reordered, rows of the wrong length, empty and header-only
files, and, for CSV, the byte-level mutations of contracts as well.

An :class:`DataInput` is the example's folder (contract, bindings, every data file) with one
data file replaced, and the period to evaluate.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slac.contract.source import load_text

from .choices import Chooser, chance, pick
from .contracts import ROOT, Input, dump
from .text import mutate_bytes

PARQUET_SAMPLE = 500  # rows of a Parquet seed that are mutated (the files hold 175,000)
MISSING = object()  # a JSON Lines key left out


@dataclass(frozen=True)
class DataSeed:
    name: str
    files: tuple[tuple[str, bytes], ...]  # the example's folder, templates included
    contract: str
    target: str  # the data file that is mutated
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class DataInput(Input):
    contract: str = ""
    period: str | None = None


@functools.cache
def data_seeds() -> tuple[DataSeed, ...]:
    folders = [*sorted(p.parent for p in (ROOT / "examples").glob("*/bindings.yaml"))]
    folders.append(ROOT / "tests/data/evaluate")
    templates = tuple(
        (f"templates/{p.name}", p.read_bytes())
        for p in sorted((ROOT / "examples/templates").glob("*.yaml"))
    )
    seeds: list[DataSeed] = []
    for folder in folders:
        name = folder.name
        files = dict(templates)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".csv", ".jsonl", ".parquet"):
                files[f"{name}/{path.relative_to(folder)}"] = path.read_bytes()
        for rel in sorted(files):
            if rel.startswith(f"{name}/data/"):
                header, rows = _table(rel, files[rel])
                seeds.append(
                    DataSeed(rel, tuple(files.items()), f"{name}/contract.yaml", rel, header, rows)
                )
    return tuple(seeds)


def _table(rel: str, raw: bytes) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    if rel.endswith(".csv"):
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
        return tuple(lines[0]), tuple(tuple(r) for r in lines[1:])
    if rel.endswith(".jsonl"):
        objects = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
        header = tuple(dict.fromkeys(k for o in objects for k in o))
        return header, tuple(tuple(o.get(k, MISSING) for k in header) for o in objects)
    import tempfile

    import duckdb

    con = duckdb.connect()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seed.parquet"
        path.write_bytes(raw)
        try:
            con.execute("SET TimeZone = 'UTC'")
            source = f"read_parquet('{path}')"
            header = tuple(
                str(row[0]) for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            )
            cast = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in header)
            rows = con.execute(f"SELECT {cast} FROM {source} LIMIT {PARQUET_SAMPLE}").fetchall()
        finally:
            con.close()
    return header, tuple(tuple(r) for r in rows)


TIMESTAMP_CELLS: tuple[Any, ...] = (
    "0001-01-01T00:00:00Z",
    "0002-01-01T00:00:00Z",  # the first instant slac reads
    "9998-12-31T23:59:59.999999Z",  # the last
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "294247-01-10T04:00:54Z",
    "infinity",
    "-infinity",
    "epoch",
    "2026-10-05T09:00:00",
    "2026-03-29T02:30:00",  # Europe/Berlin: a local time that never happened
    "2026-10-25T02:30:00",  # Europe/Berlin: one that happened twice
    "2026-03-08T02:30:00",  # America/New_York: the spring gap
    "2026-11-01T01:30:00",  # America/New_York: the autumn overlap
    "2026-02-30T00:00:00Z",
    "2026-10-05T24:00:00Z",
    "2026-10-05T09:00:00+25:00",
    "2026-10-05T09:00:00.123456789Z",
    "2026-10-05",
    "2026-10-05T09:00:00 Europe/Berlin",
    "1970-01-01T00:00:00Z",
    "2026-10-31T23:59:59.999999+01:00",
)
NUMBER_CELLS: tuple[Any, ...] = (
    "NaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "-0",
    "9" * 400,
    "9223372036854775808",
    "-9223372036854775809",
    "0x10",
    "4.5",
    "1,5",
    "-1",
    "1e-400",
    "0",
)
CELLS: tuple[Any, ...] = (
    "",
    " ",
    "NULL",
    "x" * 100_000,
    '"',
    "'",
    "a\x00b",
    "a\r\nb",
    "a,b",
    "\ufeff",
    "Ünïcødé ✓",
    "=1+1",
    "yes",
    "TRUE",
    "2",
    *NUMBER_CELLS[:6],
    *TIMESTAMP_CELLS[:6],
)
JSON_CELLS: tuple[Any, ...] = (
    None,
    MISSING,
    float("nan"),
    float("inf"),
    10**30,
    -(2**63) - 1,
    1.5,
    True,
    [],
    {},
    [1, 2],
    {"a": "b"},
)


def mutate_table(
    chooser: Chooser, header: list[str], rows: list[list[Any]], json_cells: bool
) -> list[str]:
    """1-4 changes to ``header`` and ``rows`` in place; what was done."""
    done: list[str] = []
    for _ in range(chooser.integer(1, 4)):
        op = pick(chooser, _OPS)
        r = chooser.integer(0, len(rows) - 1) if rows else 0
        c = chooser.integer(0, len(header) - 1) if header else 0
        if op == "cell" and rows and c < len(rows[r]):
            pool = CELLS + JSON_CELLS if json_cells else CELLS
            rows[r][c] = pick(chooser, pool)
        elif op == "same-kind" and rows and c < len(rows[r]):
            rows[r][c] = pick(chooser, _same_kind(rows[r][c]))
        elif op == "cell-from-column" and rows and header:
            other = chooser.integer(0, len(header) - 1)
            if c < len(rows[r]) and other < len(rows[r]):
                rows[r][c] = rows[r][other]
        elif op == "duplicate-row" and rows:
            rows.insert(r, list(rows[r]))
        elif op == "delete-row" and rows:
            del rows[r]
        elif op == "drop-column" and header:
            del header[c]
            for row in rows:
                if c < len(row):
                    del row[c]
        elif op == "rename-column" and header:
            header[c] = pick(chooser, ["", header[c].upper(), header[c] + " ", "x", header[-1]])
        elif op == "swap-columns" and header:
            other = chooser.integer(0, len(header) - 1)
            for line in (header, *rows):
                if max(c, other) < len(line):
                    line[c], line[other] = line[other], line[c]
        elif op == "add-column":
            header.append(pick(chooser, ["extra", header[0] if header else "id", ""]))
            for row in rows:
                row.append(pick(chooser, CELLS))
        elif op == "ragged-row" and rows:
            if chance(chooser, 2) and rows[r]:
                rows[r].pop()
            else:
                rows[r].append("extra")
        elif op == "header-only":
            rows.clear()
        elif op == "empty":
            header.clear()
            rows.clear()
        elif op == "keep-rows":
            del rows[chooser.integer(0, 20) :]
        done.append(f"{op} (row {r + 1}, column {c + 1})")
    return done


_OPS = (
    *("same-kind",) * 3,
    "cell",
    "cell-from-column",
    "duplicate-row",
    "delete-row",
    "keep-rows",
    "drop-column",
    "rename-column",
    "swap-columns",
    "add-column",
    "ragged-row",
    "header-only",
    "empty",
)


def _same_kind(value: Any) -> tuple[Any, ...]:
    text = str(value)
    if len(text) >= 10 and text[:4].isdigit() and text[4:5] == "-":
        return TIMESTAMP_CELLS
    if text.lstrip("-").replace(".", "", 1).isdigit():
        return NUMBER_CELLS
    return CELLS


def mutate_data(chooser: Chooser, seed: DataSeed) -> DataInput:
    files = dict(seed.files)
    header, rows = list(seed.header), [list(r) for r in seed.rows]
    fmt = seed.target.rsplit(".", 1)[-1]
    steps = mutate_table(chooser, header, rows, json_cells=fmt == "jsonl")
    raw = _write(fmt, header, rows)
    if fmt == "csv" and chance(chooser, 4):
        raw, done = mutate_bytes(chooser, raw)
        steps.extend(done)
    if fmt == "parquet" and chance(chooser, 8):
        raw, done = _damage(chooser, raw)
        steps.extend(done)
    files[seed.target] = raw
    if chance(chooser, 4):
        bindings = seed.contract.replace("contract.yaml", "bindings.yaml")
        zone = pick(chooser, [None, "Europe/Berlin", "America/New_York", "Etc/GMT-14"])
        files[bindings] = _with_zone(files[bindings], seed.target, zone)
        steps.append(f"bindings timezone {zone}")
    period = pick(chooser, [None, None, None, "2026-10", "2026-09", "2025-01"])
    contract = seed.contract
    return DataInput(seed.name, tuple(files.items()), (contract,), tuple(steps), contract, period)


def _write(fmt: str, header: list[str], rows: list[list[Any]]) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")
    if fmt == "jsonl":
        lines = [
            json.dumps({k: v for k, v in zip(header, row, strict=False) if v is not MISSING})
            for row in rows
        ]
        return "".join(line + "\n" for line in lines).encode("utf-8")
    return _parquet(header, rows)


def _parquet(header: list[str], rows: list[list[Any]]) -> bytes:
    """Text columns (the loader must then read every value), as DuckDB writes them."""
    import tempfile

    import duckdb

    names = [h or f"column{i}" for i, h in enumerate(header)] or ["empty"]
    names = [n if names.index(n) == i else f"{n}_{i}" for i, n in enumerate(names)]
    con = duckdb.connect()
    with tempfile.TemporaryDirectory() as folder:
        try:
            con.execute("CREATE TABLE t (" + ", ".join(f'"{n}" VARCHAR' for n in names) + ")")
            width = len(names)
            fitted = [[_text(v) for v in (row + [None] * width)[:width]] for row in rows]
            if fitted:
                con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", fitted)
            path = f"{folder}/out.parquet"
            con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
        finally:
            con.close()
        return Path(path).read_bytes()


def _text(value: Any) -> str | None:
    if value is None or value is MISSING:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _damage(chooser: Chooser, raw: bytes) -> tuple[bytes, list[str]]:
    at = chooser.integer(0, len(raw) - 1)
    if chance(chooser, 2):
        return raw[:at], [f"parquet cut at byte {at}"]
    return raw[:at] + bytes([chooser.integer(0, 255)]) + raw[at + 1 :], [f"parquet byte {at} set"]


def _with_zone(raw: bytes, target: str, zone: str | None) -> bytes:
    loaded = load_text("bindings.yaml", raw)
    assert loaded.document is not None
    data = loaded.document.data
    data_rel = target.split("/", 1)[1]
    for spec in data["datasets"].values():
        if isinstance(spec, dict) and str(spec.get("path", "")).split("*")[0] in data_rel:
            spec.pop("timezone", None)
            if zone is not None:
                spec["timezone"] = zone
    return dump(data)
