"""The author stage: files → findings (load, merge templates, JSON Schema, semantic rules).

Semantic rules run only on contracts that pass the schema: the rules may then rely on shapes
(a list is a list), and an author fixes structural mistakes first, as with a compiler.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from slac.contract import rules as _rules  # noqa: F401  (registers every rule)
from slac.contract import schema
from slac.contract.extends import Resolved, resolve
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
        resolved = resolve(document, self.load)
        diags = list(resolved.diagnostics)
        if has_errors(diags):
            return CheckedFile(document.path, tuple(sorted_diagnostics(diags)), None)
        merged = resolved.document
        # The merged contract must be complete on its own: `extends` is what relaxes the
        # published schema for a partial file in an editor, so it is left out here.
        data = merged.data
        if isinstance(data, dict) and "extends" in data:
            data = {k: v for k, v in data.items() if k != "extends"}
        self._checked += 1
        fast = self.fast_schema
        if fast is None:
            fast = self._checked > self.FAST_SCHEMA_AFTER
        diags.extend(schema.check(merged, data, fast=fast))
        if not has_errors(diags):
            is_template = isinstance(merged.data, dict) and merged.data.get("kind") == "template"
            ctx = RuleContext(merged, self.today, is_template)
            diags.extend(run_rules(ctx))
        return CheckedFile(document.path, tuple(sorted_diagnostics(diags)), resolved)

    def check_paths(self, paths: Sequence[str]) -> CheckReport:
        files, missing = discover(paths)
        return CheckReport(tuple(self.check_file(f) for f in files), tuple(missing))


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
