"""The author stage: files → findings (load, merge templates, JSON Schema, semantic rules).

Semantic rules run only on contracts that pass the schema: the rules may then rely on shapes
(a list is a list), and an author fixes structural mistakes first, as with a compiler.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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


JOBS_ENV = "SLAC_JOBS"  # how many processes check files (1: this one only); default: the CPUs

# A contract's id and where it is written, for the cross-file rule P101 (None: no id to compare).
_Identity = tuple[str, Location] | None


class Checker:
    """Checks many files, reading each template once (per process: see :meth:`check_paths`)."""

    # Past this many files, compiling the fast schema validator pays for itself.
    FAST_SCHEMA_AFTER = 24
    # Past this many files, and when the typed contracts are not kept, checking them in
    # several processes pays for starting them.
    PARALLEL_AFTER = 64

    def __init__(
        self,
        kinds: KindSyntaxes,
        today: date | None = None,
        *,
        fast_schema: bool | None = None,
        jobs: int | None = None,
    ) -> None:
        self.kinds = kinds
        self.today = today or date.today()
        self.fast_schema = fast_schema
        self.jobs = jobs
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
        self,
        paths: Sequence[str],
        *,
        stdin: bytes = b"",
        every_file: bool = False,
        keep_contracts: bool = True,
    ) -> CheckReport:
        """Check files and folders. YAML files that are not slac documents are skipped
        (:mod:`slac.contract.discovery`) unless ``every_file``; ``-`` is the contract in
        ``stdin``, named ``<stdin>``, whose templates are found from the working directory.

        Without ``keep_contracts`` the files carry findings only (``contract`` is None), and
        many files are checked in several processes (:meth:`jobs_for`); the report is the same,
        in the same order, as from one process."""
        found = discover(paths)
        files = [p for p in found.files if p != STDIN]
        jobs = 1 if keep_contracts else self.jobs_for(len(files))
        with _frozen_heap():
            if jobs > 1:
                if len(files) > self.FAST_SCHEMA_AFTER and self.fast_schema is not False:
                    schema.fast_validator("contract")  # once, here, not in every process
                try:
                    results = _in_processes(self, files, every_file, jobs)
                except (OSError, BrokenProcessPool):  # no processes to be had: check here
                    jobs = 1
                else:
                    outcomes = dict(zip(files, results, strict=True))
            if jobs == 1:
                outcomes = {p: self._check_path(p, every_file, keep_contracts) for p in files}
        checked: list[tuple[CheckedFile, _Identity]] = []
        skipped: list[str] = []
        for path in found.files:
            if path == STDIN:
                one = self.check_text(STDIN_NAME, stdin)
                checked.append((_slim(one) if not keep_contracts else one, _identity(one)))
                continue
            outcome = outcomes[path]
            if outcome is None:
                skipped.append(path)
            else:
                checked.append(outcome)
        return CheckReport(tuple(_same_ids(checked)), found.missing, tuple(skipped))

    def jobs_for(self, count: int) -> int:
        """How many processes check ``count`` files: ``jobs`` if given, else ``SLAC_JOBS``, else
        one per CPU this process may use, and one for a few files (or where processes cannot
        be forked)."""
        jobs = self.jobs
        if jobs is None:
            setting = os.environ.get(JOBS_ENV, "").strip()
            jobs = int(setting) if setting.isdigit() else 0
        if jobs <= 0:
            jobs = _cpus() if count > self.PARALLEL_AFTER else 1
        if "fork" not in multiprocessing.get_all_start_methods():
            return 1
        return max(1, min(jobs, count))

    def _check_path(
        self, path: str, every_file: bool, keep_contracts: bool
    ) -> tuple[CheckedFile, _Identity] | None:
        """A file's findings and identity, or None for a file that is not a slac document."""
        raw = read_source(path)
        if isinstance(raw, Diagnostic):
            return CheckedFile(path, (raw,)), None
        if not (every_file or is_slac_document(raw)):
            return None
        checked = self.check_text(path, raw)
        return (checked if keep_contracts else _slim(checked)), _identity(checked)

    def check_text(self, path: str, raw: bytes) -> CheckedFile:
        """Check the bytes of the file ``path`` (a template it is, too, is read only once)."""
        loaded = load_text(path, raw)
        if path != STDIN_NAME and _is_template(loaded):
            # Kept for the files that extend it. Not every file: many files' trees kept alive
            # only make each garbage collection slower (a contract that another one extends is
            # read once more when it is).
            self._loaded.setdefault(os.path.normcase(os.path.abspath(path)), loaded)
        if loaded.document is None:
            return CheckedFile(path, loaded.diagnostics)
        return self.check_document(loaded.document)


def _is_template(loaded: LoadResult) -> bool:
    data = None if loaded.document is None else loaded.document.data
    return isinstance(data, dict) and data.get("kind") == "template"


def is_bindings(data: object) -> bool:
    return isinstance(data, dict) and "bindings" in data and "slac" not in data


def is_worked_examples(data: object) -> bool:
    return isinstance(data, dict) and "slac_tests" in data and "slac" not in data


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _identity(checked: CheckedFile) -> _Identity:
    contract = checked.contract
    if contract is None or contract.is_template or contract.id is None:
        return None
    return contract.id, contract.document.locate(("id",))


def _slim(checked: CheckedFile) -> CheckedFile:
    # The typed contract is most of what a result weighs: sent between processes, it would
    # cost as much as checking the file.
    return replace(checked, contract=None) if checked.contract is not None else checked


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Leave what exists before checking (modules, schemas, caches) out of garbage collections
    while checking: they are long-lived, and scanning them again and again only costs (and, in
    forked processes, copies memory pages that could have stayed shared)."""
    if gc.get_freeze_count():  # the caller froze objects of its own: leave that alone
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# The checker and options of this worker process, inherited from the parent when forked.
_worker: tuple[Checker, bool] | None = None


def _start_worker(checker: Checker, every_file: bool) -> None:
    global _worker
    _worker = (checker, every_file)
    # Ctrl-C is the parent's to handle (slac.entry): a worker just stops.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _check_in_worker(path: str) -> tuple[CheckedFile, _Identity] | None:
    assert _worker is not None
    checker, every_file = _worker
    return checker._check_path(path, every_file, False)


def _in_processes(
    checker: Checker, files: list[str], every_file: bool, jobs: int
) -> list[tuple[CheckedFile, _Identity] | None]:
    """:meth:`Checker._check_path` of each file, in order, in ``jobs`` forked processes (each
    reading a template once, the parent's caches and settings inherited)."""
    chunk = max(1, min(16, len(files) // (jobs * 4)))
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(checker, every_file),
    )
    try:
        return list(pool.map(_check_in_worker, files, chunksize=chunk))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _same_ids(checked: list[tuple[CheckedFile, _Identity]]) -> list[CheckedFile]:
    """P101 on every contract whose id an earlier one (in path order) already has."""
    first: dict[str, Location] = {}
    out: list[CheckedFile] = []
    for item, identity in checked:
        if identity is None:
            out.append(item)
            continue
        contract_id, where = identity
        seen = first.get(contract_id)
        if seen is None:
            first[contract_id] = where
            out.append(item)
            continue
        again = Diagnostic(
            "P101",
            Severity.ERROR,
            f"contract id '{contract_id}' is also the id of {seen.file}",
            where,
            f"first declared at {seen}; give each contract its own id",
            ("id",),
        )
        out.append(replace(item, diagnostics=tuple(sorted_diagnostics((*item.diagnostics, again)))))
    return out
