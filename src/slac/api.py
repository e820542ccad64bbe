"""The public Python API. The CLI calls these same functions; so can notebooks and pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slac.contract.checker import Checker, CheckReport
from slac.contract.codes import FIXED_CODES
from slac.contract.rules import REGISTRY
from slac.diagnostics import RuleInfo


def lint(paths: Sequence[str], *, today: date | None = None) -> CheckReport:
    """Check contract files (and folders, recursively) and return every finding.

    ``today`` fixes the date that "a review date has passed" is judged against, so that CI
    runs are reproducible; it defaults to the current date.
    """
    return Checker(today).check_paths(paths)


def rule_catalog() -> dict[str, RuleInfo]:
    """Every finding code slac can report: load, schema, template and semantic rules."""
    infos = {info.code: info for info in FIXED_CODES}
    infos.update({code: entry.info for code, entry in REGISTRY.items()})
    return dict(sorted(infos.items()))
