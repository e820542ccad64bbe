"""Contracts from files or from git revisions (``HEAD~1:examples/x/contract.yaml``).

A contract read from a revision reads its templates (``extends``) from the same revision:
the checker's file loader is replaced by one that asks git for each file, so nothing is
checked out. Paths are relative to the current folder, as in ``git show REV:./PATH``.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import date

from slac.contract.checker import CheckedFile, Checker
from slac.contract.source import LoadResult, load_text
from slac.diagnostics import Diagnostic, Location, Severity
from slac.kinds import KINDS


@dataclass(frozen=True)
class Version:
    """A contract version: a path, read from disk (``rev`` None) or from a git revision."""

    path: str
    rev: str | None = None

    @property
    def label(self) -> str:
        return self.path if self.rev is None else f"{self.rev}:{self.path}"


def parse_version(spec: str) -> Version:
    """``PATH`` when such a file exists, else ``REV:PATH``."""
    if os.path.exists(spec) or ":" not in spec:
        return Version(spec)
    rev, path = spec.split(":", 1)
    return Version(path, rev)


class RevisionChecker(Checker):
    """A checker that reads every file (the contract and its templates) from ``rev``."""

    def __init__(self, rev: str, today: date | None = None) -> None:
        super().__init__(KINDS, today)
        self.rev = rev

    def load(self, path: str) -> LoadResult:
        relative = os.path.relpath(os.path.normpath(path))
        try:
            shown = subprocess.run(
                ["git", "show", f"{self.rev}:./{relative}"],
                capture_output=True,
                check=False,
            )
        except OSError as err:
            return _unreadable(path, f"cannot run git: {err.strerror or err}")
        if shown.returncode != 0:
            reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
            return _unreadable(
                path, f"not in git revision {self.rev}: {reason[-1] if reason else ''}"
            )
        return load_text(path, shown.stdout)


def _unreadable(path: str, message: str) -> LoadResult:
    return LoadResult(None, (Diagnostic("L000", Severity.ERROR, message, Location(path)),))


def check_version(version: Version, today: date | None = None) -> CheckedFile | None:
    """Lint one contract version; None when the file does not exist (on disk)."""
    if version.rev is None:
        if not os.path.isfile(version.path):
            return None
        return Checker(KINDS, today).check_file(version.path)
    return RevisionChecker(version.rev, today).check_file(version.path)
