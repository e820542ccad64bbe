"""The author stage: files → findings (load, merge templates, JSON Schema, semantic rules).

Semantic rules run only on contracts that pass the schema: the rules may then rely on shapes
(a list is a list), and an author fixes structural mistakes first, as with a compiler.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slac.contract import rules as _rules  # noqa: F401  (registers every rule)
from slac.contract import schema
from slac.contract.extends import Resolved, merge, resolve
from slac.contract.rules.base import RuleContext, run_rules
from slac.contract.source import LoadResult, SourceDocument, load_file
from slac.diagnostics import Diagnostic, has_errors, sorted_diagnostics

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class CheckedFile:
    path: str
    diagnostics: tuple[Diagnostic, ...]
    resolved: Resolved | None = None  # the merged contract, when it could be built

    @property
    def ok(self) -> bool:
        return self.resolved is not None and not has_errors(self.diagnostics)


@dataclass(frozen=True)
class CheckReport:
    files: tuple[CheckedFile, ...]
    missing: tuple[str, ...] = field(default=())  # paths that do not exist

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted_diagnostics(d for f in self.files for d in f.diagnostics)


class Checker:
    """Checks many files in one process, reading each template once."""

    # Past this many files, compiling the fast schema validator pays for itself.
    FAST_SCHEMA_AFTER = 24

    def __init__(self, today: date | None = None, *, fast_schema: bool | None = None) -> None:
        self.today = today or date.today()
        self.fast_schema = fast_schema
        self._checked = 0
        self._loaded: dict[str, LoadResult] = {}

    def load(self, path: str) -> LoadResult:
        key = os.path.normcase(os.path.abspath(path))
        if key not in self._loaded:
            self._loaded[key] = load_file(path)
        return self._loaded[key]

    def check_file(self, path: str) -> CheckedFile:
        loaded = self.load(path)
        if loaded.document is None:
            return CheckedFile(path, loaded.diagnostics)
        return self.check_document(loaded.document)

    def check_document(self, document: SourceDocument) -> CheckedFile:
        if is_bindings(document.data):
            # A bindings file (data sources for `slac evaluate`) found beside its contract.
            found = schema.check(document, schema="bindings")
            return CheckedFile(document.path, tuple(sorted_diagnostics(found)))
        if is_worked_examples(document.data):
            # Worked examples (`slac test`) beside their contract: their shape is checked here,
            # what they refer to when `slac test` compiles the contract.
            found = schema.check(document, schema="tests")
            return CheckedFile(document.path, tuple(sorted_diagnostics(found)))
        resolved = resolve(document, self.load)
        diags = list(resolved.diagnostics)
        if has_errors(diags):
            return CheckedFile(document.path, tuple(sorted_diagnostics(diags)), None)
        self._checked += 1
        for version in terms_in_force(resolved.document):
            found = self._check_version(version)
            diags.extend(found)
            if has_errors(found):
                break  # later versions build on this one: fix it first
        return CheckedFile(document.path, tuple(sorted_diagnostics(diags)), resolved)

    def _check_version(self, merged: SourceDocument) -> list[Diagnostic]:
        # The merged contract must be complete on its own: `extends` is what relaxes the
        # published schema for a partial file in an editor, so it is left out here.
        data = merged.data
        if isinstance(data, dict) and "extends" in data:
            data = {k: v for k, v in data.items() if k != "extends"}
        fast = self.fast_schema
        if fast is None:
            fast = self._checked > self.FAST_SCHEMA_AFTER
        found = schema.check(merged, data, fast=fast)
        if not has_errors(found):
            is_template = isinstance(merged.data, dict) and merged.data.get("kind") == "template"
            found.extend(run_rules(RuleContext(merged, self.today, is_template)))
        return found

    def check_paths(self, paths: Sequence[str]) -> CheckReport:
        files, missing = discover(paths)
        return CheckReport(tuple(self.check_file(f) for f in files), tuple(missing))


def is_bindings(data: object) -> bool:
    return isinstance(data, dict) and "bindings" in data and "slac" not in data


def is_worked_examples(data: object) -> bool:
    return isinstance(data, dict) and "slac_tests" in data and "slac" not in data


def amendment_order(data: object) -> list[tuple[int, dict[str, Any]]]:
    """The amendments that change terms, by effective date (then as written)."""
    amendments = data.get("amendments") if isinstance(data, dict) else None
    if not isinstance(amendments, list):
        return []
    entries = [
        (str(a.get("effective")), i, a)
        for i, a in enumerate(amendments)
        if isinstance(a, dict)
        and a.get("remove") is not True
        and isinstance(a.get("changes"), dict)
        and "effective" in a
    ]
    return [(i, a) for _, i, a in sorted(entries, key=lambda e: (e[0], e[1]))]


def terms_in_force(document: SourceDocument) -> Iterator[SourceDocument]:
    """The contract as first signed, then as each amendment leaves it, in date order.

    Each amendment's ``changes`` merge like a template onto the terms before it, keeping
    positions, so a finding about amended terms points into the amendment.
    """
    yield document
    data = document.data
    current, pos = data, document.pos
    for i, amendment in amendment_order(data):
        changes_pos, _ = document.pos.find(("amendments", i, "changes"))
        current, pos = merge(current, pos, amendment["changes"], changes_pos)
        yield SourceDocument(document.path, current, pos, document.sha256, document.lines)


def discover(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """YAML files named or found below folders (hidden folders skipped), in a stable order."""
    found: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    os.path.join(folder, n) for n in sorted(names) if n.endswith(YAML_SUFFIXES)
                )
        elif os.path.exists(path):
            found.append(path)
        else:
            missing.append(path)
    seen: set[str] = set()
    unique = [f for f in found if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
    return unique, missing
