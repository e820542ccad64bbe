"""Bindings: which physical source holds each logical dataset of a contract.

A bindings file (``bindings: 1``, schema ``schemas/bindings.schema.json``) is read with the
same safe loader and positioned findings as a contract; ``--data NAME=PATH`` binds one
dataset to files for the simple case.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from slac.contract import schema
from slac.contract.bindings_check import zone_finding
from slac.contract.source import SourceDocument, load_file
from slac.diagnostics import Diagnostic, Location, Severity

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# What a binding's `where` may take from each contract: its id, or its customer's name.
CONTRACT_KEYS = ("id", "customer")


@dataclass(frozen=True)
class RowFilter:
    """One condition of a binding's ``where``: the source's ``column`` (as named in the source),
    read as text, equals ``value``, or the contract's ``id`` or customer name (``contract``),
    which :func:`for_contract` puts in ``value`` for each contract."""

    column: str
    value: str | None = None
    contract: str | None = None


@dataclass(frozen=True)
class Source:
    """One dataset's data: files (``paths``), a table in a DuckDB database, or a table of the
    Spark catalog (``spark_table``, read by ``--engine spark`` only)."""

    dataset: str
    paths: tuple[str, ...] = ()
    format: str | None = None
    database: str | None = None
    table: str | None = None
    columns: tuple[tuple[str, str], ...] = ()
    timezone: str | None = None
    repeated_hour: str = "first"  # first | second: a naive time in the hour DST repeats
    origin: Location = field(default=Location("--data"))
    # A shared table holding the rows of many contracts: only the rows matching every
    # condition are this contract's (the others are counted as filtered by the binding).
    where: tuple[RowFilter, ...] = ()
    spark_table: str | None = None

    def column(self, name: str) -> str:
        return dict(self.columns).get(name, name)

    @property
    def label(self) -> str:
        if self.spark_table:
            return f"spark:{self.spark_table}"
        if self.table:
            return f"{self.database}:{self.table}"
        return self.paths[0] if len(self.paths) == 1 else f"{len(self.paths)} files"


@dataclass(frozen=True)
class BindingsResult:
    sources: tuple[Source, ...]
    diagnostics: tuple[Diagnostic, ...]


def _finding(message: str, location: Location, hint: str = "") -> Diagnostic:
    return Diagnostic("B101", Severity.ERROR, message, location, hint)


def read_bindings(path: str) -> BindingsResult:
    """Read and check a bindings file; paths in it are relative to it."""
    loaded = load_file(path)
    if loaded.document is None:
        return BindingsResult((), loaded.diagnostics)
    doc = loaded.document
    diags = schema.check(doc, schema="bindings")
    if diags:
        return BindingsResult((), tuple(diags))
    base = os.path.dirname(path)
    sources: list[Source] = []
    for name, spec in doc.data["datasets"].items():
        if name.startswith("x-"):
            continue
        source, found = _source(doc, base, name, spec)
        diags.extend(found)
        if source is not None:
            sources.append(source)
    return BindingsResult(tuple(sources), tuple(diags))


def _source(
    doc: SourceDocument, base: str, name: str, spec: dict[str, object]
) -> tuple[Source | None, list[Diagnostic]]:
    where_at = doc.locate(("datasets", name), key=True)
    columns = tuple(sorted((str(k), str(v)) for k, v in dict(spec.get("columns") or {}).items()))  # type: ignore[call-overload]
    zone = spec.get("timezone")
    repeated = str(spec.get("repeated_hour") or "first")
    where = _filters(spec.get("where"))
    bad_zone = zone_finding(doc, name, zone)
    if bad_zone is not None:
        return None, [bad_zone]
    # What every kind of binding has; each adds where its rows are.
    bound = Source(
        name,
        columns=columns,
        timezone=_opt(zone),
        repeated_hour=repeated,
        origin=where_at,
        where=where,
    )
    if isinstance(spec.get("spark_table"), str):
        return dataclasses.replace(bound, spark_table=str(spec["spark_table"])), []
    if isinstance(spec.get("database"), str):
        database = os.path.join(base, str(spec["database"]))
        if not os.path.isfile(database):
            return None, [
                _finding(
                    f"database file '{spec['database']}' not found",
                    doc.locate(("datasets", name, "database")),
                )
            ]
        return dataclasses.replace(bound, database=database, table=str(spec["table"])), []
    pattern = os.path.join(base, str(spec["path"]))
    paths = tuple(sorted(glob.glob(pattern)))
    if not paths:
        return None, [
            _finding(
                f"no file matches '{spec['path']}'",
                doc.locate(("datasets", name, "path")),
                "paths are relative to the bindings file",
            )
        ]
    fmt = _opt(spec.get("format")) or _format_of(paths[0])
    if fmt is None:
        return None, [
            _finding(
                f"cannot tell the format of '{spec['path']}'",
                doc.locate(("datasets", name, "path")),
                "add format: csv, parquet or jsonl",
            )
        ]
    return dataclasses.replace(bound, paths=paths, format=fmt), []


def _filters(spec: object) -> tuple[RowFilter, ...]:
    """A binding's ``where`` (checked by the schema): column → a value, or {contract: KEY}."""
    if not isinstance(spec, dict):
        return ()
    out: list[RowFilter] = []
    for column, value in sorted(spec.items()):
        if isinstance(value, dict):
            out.append(RowFilter(str(column), contract=str(value["contract"])))
        else:
            out.append(RowFilter(str(column), value=str(value)))
    return tuple(out)


def for_contract(source: Source, contract_id: str, customer: str) -> Source:
    """The source as one contract reads it: each ``{contract: KEY}`` of its ``where`` replaced
    by that contract's value."""
    if not any(f.contract for f in source.where):
        return source
    values = {"id": contract_id, "customer": customer}
    where = tuple(
        RowFilter(f.column, values[f.contract]) if f.contract else f for f in source.where
    )
    return dataclasses.replace(source, where=where)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _format_of(path: str) -> str | None:
    return FORMATS.get(os.path.splitext(path)[1].lower())


def parse_data_options(options: Sequence[str]) -> tuple[list[Source], list[str], list[str]]:
    """``--data NAME=PATH`` options → sources, error messages for the command line, and the
    patterns that match no file."""
    sources: list[Source] = []
    errors: list[str] = []
    missing: list[str] = []
    for option in options:
        name, sep, pattern = option.partition("=")
        if not sep or not name or not pattern:
            errors.append(f"--data takes NAME=PATH, got '{option}'")
            continue
        paths = tuple(sorted(glob.glob(pattern)))
        if not paths:
            missing.append(pattern)
            continue
        fmt = _format_of(paths[0])
        if fmt is None:
            errors.append(
                f"--data {name}: cannot tell the format of '{pattern}' (.csv, .parquet, .jsonl)"
            )
            continue
        sources.append(Source(name, paths, fmt, origin=Location(f"--data {name}")))
    return sources, errors, missing


def merge_sources(*groups: Iterable[Source]) -> dict[str, Source]:
    """Later groups win: ``--data`` overrides a bindings file's entry for the same dataset."""
    out: dict[str, Source] = {}
    for group in groups:
        for source in group:
            out[source.dataset] = source
    return out
