"""A ``bindings.yaml`` compared with the contracts beside it, which ``slac evaluate`` binds
with it: every binding names a dataset of one of them (B102), and every dataset they read is
bound (B103; a warning, since ``--data NAME=PATH`` can bind it at evaluation time). And what
any bindings file says on its own that lint can check without the data: its time zones
(B101, the finding evaluation reports too)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from typing import Any

from slac.contract.discovery import YAML_SUFFIXES, is_slac_document
from slac.contract.extends import resolve
from slac.contract.rules.time import closest_zone, valid_zone
from slac.contract.source import LoadResult, SourceDocument, read_source
from slac.diagnostics import Diagnostic, Severity, has_errors

BINDINGS_FILE = "bindings.yaml"

Loader = Callable[[str], LoadResult]


def zone_finding(bindings: SourceDocument, name: str, zone: object) -> Diagnostic | None:
    """B101 for a binding whose `timezone` is not an IANA zone, at the value, with the closest
    known zone as a hint: one finding for lint and for evaluation alike."""
    if not isinstance(zone, str) or valid_zone(zone):
        return None
    close = closest_zone(zone)
    return Diagnostic(
        "B101",
        Severity.ERROR,
        f"unknown time zone '{zone}'",
        bindings.locate(("datasets", name, "timezone")),
        f"did you mean '{close}'?" if close else "an IANA zone name, e.g. Europe/Berlin",
        ("datasets", name, "timezone"),
    )


def check_binding_zones(bindings: SourceDocument) -> list[Diagnostic]:
    """The time zones of a bindings file (already valid against its schema), any name: a typo
    is found by lint rather than at the first evaluation."""
    found = []
    for name, spec in bindings.data["datasets"].items():
        if str(name).startswith("x-") or not isinstance(spec, dict):
            continue
        finding = zone_finding(bindings, str(name), spec.get("timezone"))
        if finding is not None:
            found.append(finding)
    return found


def check_bindings_against_contracts(bindings: SourceDocument, load: Loader) -> list[Diagnostic]:
    """Findings for ``bindings`` (already valid against its schema) named ``bindings.yaml``."""
    if os.path.basename(bindings.path) != BINDINGS_FILE:
        return []
    contracts = dict(_contracts_beside(bindings.path, load))
    if not contracts:
        return []
    bound = [n for n in bindings.data["datasets"] if not str(n).startswith("x-")]
    declared = sorted({d for names in contracts.values() for d in names})
    found: list[Diagnostic] = []
    for name in bound:
        if name in declared:
            continue
        close = difflib.get_close_matches(name, declared, n=1, cutoff=0.6)
        found.append(
            Diagnostic(
                "B102",
                Severity.ERROR,
                f"'{name}' is not a dataset of {_names(contracts)}",
                bindings.locate(("datasets", name), key=True),
                f"did you mean '{close[0]}'?" if close else f"datasets: {', '.join(declared)}",
                ("datasets", name),
            )
        )
    for contract, needed in contracts.items():
        for name in sorted(needed - set(bound)):
            found.append(
                Diagnostic(
                    "B103",
                    Severity.WARNING,
                    f"dataset '{name}' of {os.path.basename(contract)} has no binding here",
                    bindings.locate(("datasets",), key=True),
                    f"bind it here, or give `--data {name}=PATH` to slac evaluate",
                    ("datasets",),
                )
            )
    return found


def _names(contracts: dict[str, set[str]]) -> str:
    return " or ".join(os.path.basename(c) for c in contracts)


def _contracts_beside(path: str, load: Loader) -> Iterator[tuple[str, set[str]]]:
    """Each contract in the folder (not templates, not bindings) that merges cleanly, with the
    datasets it reads."""
    folder = os.path.dirname(path) or "."
    for name in sorted(os.listdir(folder)):
        candidate = os.path.join(folder, name)
        if candidate == path or not name.endswith(YAML_SUFFIXES) or not os.path.isfile(candidate):
            continue
        raw = read_source(candidate)
        if isinstance(raw, Diagnostic) or not is_slac_document(raw):
            continue
        loaded = load(candidate)
        data = loaded.document.data if loaded.document is not None else None
        if not isinstance(data, dict) or "slac" not in data or data.get("kind") == "template":
            continue
        assert loaded.document is not None
        merged = resolve(loaded.document, load)
        if has_errors(merged.diagnostics) or not isinstance(merged.document.data, dict):
            continue
        yield candidate, _datasets_read(merged.document.data)


def _datasets_read(data: dict[str, Any]) -> set[str]:
    """The datasets the contract's metrics, exclusions and billing fees (`commercials.fees_from`)
    read, and the parents of those."""
    declared = data.get("datasets") if isinstance(data.get("datasets"), dict) else {}
    read: set[str] = set()
    for section in ("metrics", "exclusions", "commercials"):
        read |= set(_dataset_values(data.get(section)))
    for name in list(read):
        spec = declared.get(name) if isinstance(declared, dict) else None
        parent = spec.get("parent") if isinstance(spec, dict) else None
        if isinstance(parent, dict) and isinstance(parent.get("dataset"), str):
            read.add(parent["dataset"])
    return {name for name in read if isinstance(declared, dict) and name in declared}


def _dataset_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "dataset" and isinstance(value, str):
                yield value
            else:
                yield from _dataset_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dataset_values(item)
