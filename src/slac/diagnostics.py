"""Findings as values.

Every stage reports problems as :class:`Diagnostic` values; only the CLI turns them into
output and exit codes. Positions are 1-based (line and column, in Unicode code points) and
are converted from the YAML parser's 0-based marks exactly once, in ``contract.source``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


STDIN_NAME = "<stdin>"  # the file name of a contract read from standard input


class Location(NamedTuple):
    """A place in a file: 1-based line and column; ``0`` means "unknown".

    A named tuple rather than a dataclass: the loader makes one for every key and value, and
    tuples are several times cheaper to create.
    """

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    """One finding: what is wrong, where, and how to fix it."""

    code: str
    severity: Severity
    message: str
    location: Location
    hint: str = ""
    # Path of keys/indices inside the document, for machine consumers (JSON output).
    path: tuple[str | int, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)


def sorted_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Stable order (file, line, column, code) so that output is deterministic."""
    unique = {(d.sort_key(), d.severity.value, d.hint): d for d in diags}
    return [unique[k] for k in sorted(unique)]


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


class ExitCode(enum.IntEnum):
    """Process exit codes, in order of priority: the highest applicable one wins."""

    OK = 0
    FINDINGS = 1  # the input has findings of error severity (or warnings under --strict)
    USAGE = 2  # bad command line, or a path that does not exist or cannot be read
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it (see slac.entry)


@dataclass(frozen=True)
class RuleInfo:
    """What a finding code means, for `slac rules`, docs/rules.md and SARIF rule metadata."""

    code: str
    name: str  # kebab-case, stable: e.g. "unresolved-reference"
    severity: Severity  # default severity
    summary: str  # one line
    description: str = ""  # Markdown: why it matters, and how to fix it
