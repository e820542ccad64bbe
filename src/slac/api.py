"""The public Python API. The CLI calls these same functions; so can notebooks and pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slac.contract.checker import Checker, CheckReport
from slac.contract.codes import FIXED_CODES
from slac.contract.rules import REGISTRY
from slac.diagnostics import RuleInfo
from slac.plan.compiler import compile_contract, plan_json
from slac.plan.types import Plan


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


def compile_plan(path: str, *, today: date | None = None) -> tuple[Plan | None, CheckReport]:
    """Lint the contract at ``path`` and, when it has no errors, compile its plan.

    Returns the plan (None when lint found errors) and the lint report, whose findings the
    caller shows either way (warnings do not stop compilation).
    """
    report = Checker(today).check_paths([path])
    checked = report.files[0] if report.files else None
    if checked is None or not checked.ok:
        return None, report
    return compile_contract(checked), report


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as canonical JSON data, with ``plan_sha256``."""
    return plan_json(plan)


def explain(
    path: str, *, fmt: str = "text", today: date | None = None
) -> tuple[str | None, CheckReport]:
    """Lint and compile the contract at ``path`` and explain its plan in plain English.

    ``fmt`` is ``text`` or ``md``. Returns the explanation (None when lint found errors) and
    the lint report, as :func:`compile_plan` does. The words are read from the plan only.
    """
    from slac.plan.explain import explain as explain_plan

    plan, report = compile_plan(path, today=today)
    return (None if plan is None else explain_plan(plan, fmt)), report
