"""The author stage: files → findings (load, merge templates, JSON Schema, semantic rules).

Semantic rules run only on contracts that pass the schema: the rules may then rely on shapes
(a list is a list), and an author fixes structural mistakes first, as with a compiler.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from slac.contract import rules as _rules  # noqa: F401  (registers every rule)
from slac.contract import schema
from slac.contract.bindings_check import check_binding_zones, check_bindings_against_contracts
from slac.contract.build import build_contract
from slac.contract.discovery import STDIN, discover, is_slac_document
from slac.contract.extends import resolve
from slac.contract.kinds import KindSyntaxes
from slac.contract.model import Contract
from slac.contract.rules.base import RuleContext, run_rules
from slac.contract.source import LoadResult, SourceDocument, load_file, load_text, read_source
from slac.contract.terms import amended_documents
from slac.diagnostics import (
    STDIN_NAME,
    Diagnostic,
    Location,
    Severity,
    has_errors,
    sorted_diagnostics,
)


@dataclass(frozen=True)
class CheckedFile:
    path: str
    diagnostics: tuple[Diagnostic, ...]
    # The contract as first signed, read into types once it passed the schema (its amended
    # terms follow from it: contract.terms.terms_in_force).
    contract: Contract | None = None

    @property
    def ok(self) -> bool:
        return self.contract is not None and not has_errors(self.diagnostics)


@dataclass(frozen=True)
class CheckReport:
    files: tuple[CheckedFile, ...]
    missing: tuple[str, ...] = field(default=())  # paths that do not exist
    skipped: tuple[str, ...] = field(default=())  # YAML files that are not slac documents

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted_diagnostics(d for f in self.files for d in f.diagnostics)

    @property
    def ok(self) -> bool:
        """Every path found and no finding of error severity (an unreadable file is one)."""
        return not self.missing and not has_errors(self.diagnostics)


class Checker:
    """Checks many files in one process, reading each template once."""

    # Past this many files, compiling the fast schema validator pays for itself.
    FAST_SCHEMA_AFTER = 24

    def __init__(
        self,
        kinds: KindSyntaxes,
        today: date | None = None,
        *,
        fast_schema: bool | None = None,
    ) -> None:
        self.kinds = kinds
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
            if not found:
                found = check_binding_zones(document)
                found += check_bindings_against_contracts(document, self.load)
            return CheckedFile(document.path, tuple(sorted_diagnostics(found)))
        if is_worked_examples(document.data):
            # Worked examples (`slac test`) beside their contract: their shape is checked here,
            # what they refer to when `slac test` compiles the contract.
            found = schema.check(document, schema="tests")
            return CheckedFile(document.path, tuple(sorted_diagnostics(found)))
        resolved = resolve(document, self.load)
        diags = list(resolved.diagnostics)
        if has_errors(diags):
            return CheckedFile(document.path, tuple(sorted_diagnostics(diags)))
        self._checked += 1
        found, contract = self._check_version(resolved.document, resolved.sources)
        diags.extend(found)
        if contract is not None and not has_errors(found):
            for _, amended in amended_documents(contract):
                found, _ = self._check_version(amended, resolved.sources)
                diags.extend(found)
                if has_errors(found):
                    break  # later terms build on these: fix them first
        return CheckedFile(document.path, tuple(sorted_diagnostics(diags)), contract)

    def _check_version(
        self, merged: SourceDocument, sources: tuple[SourceDocument, ...]
    ) -> tuple[list[Diagnostic], Contract | None]:
        """Schema findings, then (for schema-valid terms) the rules' findings and the terms
        read into types."""
        # The merged contract must be complete on its own: `extends` is what relaxes the
        # published schema for a partial file in an editor, so it is left out here.
        data = merged.data
        if isinstance(data, dict) and "extends" in data:
            data = {k: v for k, v in data.items() if k != "extends"}
        fast = self.fast_schema
        if fast is None:
            fast = self._checked > self.FAST_SCHEMA_AFTER or schema.fast_validator_ready("contract")
        found = schema.check(merged, data, fast=fast)
        if has_errors(found):
            return found, None
        contract = build_contract(merged, sources)
        found.extend(run_rules(RuleContext(contract, self.today, self.kinds)))
        return found, contract

    def check_paths(
        self, paths: Sequence[str], *, stdin: bytes = b"", every_file: bool = False
    ) -> CheckReport:
        """Check files and folders. YAML files that are not slac documents are skipped
        (:mod:`slac.contract.discovery`) unless ``every_file``; ``-`` is the contract in
        ``stdin``, named ``<stdin>``, whose templates are found from the working directory."""
        found = discover(paths)
        checked: list[CheckedFile] = []
        skipped: list[str] = []
        for path in found.files:
            if path == STDIN:
                checked.append(self.check_text(STDIN_NAME, stdin))
                continue
            raw = read_source(path)
            if isinstance(raw, Diagnostic):
                checked.append(CheckedFile(path, (raw,)))
            elif every_file or is_slac_document(raw):
                checked.append(self.check_text(path, raw))
            else:
                skipped.append(path)
        return CheckReport(tuple(_same_ids(checked)), found.missing, tuple(skipped))

    def check_text(self, path: str, raw: bytes) -> CheckedFile:
        """Check the bytes of the file ``path`` (a template it is, too, is read only once)."""
        loaded = load_text(path, raw)
        if path != STDIN_NAME:
            self._loaded.setdefault(os.path.normcase(os.path.abspath(path)), loaded)
        if loaded.document is None:
            return CheckedFile(path, loaded.diagnostics)
        return self.check_document(loaded.document)


def is_bindings(data: object) -> bool:
    return isinstance(data, dict) and "bindings" in data and "slac" not in data


def is_worked_examples(data: object) -> bool:
    return isinstance(data, dict) and "slac_tests" in data and "slac" not in data


def _same_ids(checked: list[CheckedFile]) -> list[CheckedFile]:
    """P101 on every contract whose id an earlier one (in path order) already has."""
    first: dict[str, Location] = {}
    out: list[CheckedFile] = []
    for item in checked:
        contract = item.contract
        if contract is None or contract.is_template or contract.id is None:
            out.append(item)
            continue
        where = contract.document.locate(("id",))
        seen = first.get(contract.id)
        if seen is None:
            first[contract.id] = where
            out.append(item)
            continue
        again = Diagnostic(
            "P101",
            Severity.ERROR,
            f"contract id '{contract.id}' is also the id of {seen.file}",
            where,
            f"first declared at {seen}; give each contract its own id",
            ("id",),
        )
        out.append(replace(item, diagnostics=tuple(sorted_diagnostics((*item.diagnostics, again)))))
    return out
