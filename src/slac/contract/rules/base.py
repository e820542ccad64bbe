"""The semantic-rule machinery: a registry, the context a rule reads, and what it returns.

A rule is a function decorated with :func:`rule`. It reads a :class:`RuleContext` and yields
:class:`Finding` values that name a *path* in the contract; the registry alone turns paths
into file:line:col (sqlfluff's split: rules find, one place locates). The rule's docstring is
its documentation: the first line is the summary, the rest (Markdown) is shown by
``slac rules`` and generated into docs/rules.md.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slac.contract.model import Contract
from slac.contract.source import Path, SourceDocument
from slac.diagnostics import Diagnostic, RuleInfo, Severity


@dataclass(frozen=True)
class Finding:
    message: str
    path: Path
    hint: str = ""
    key: bool = False  # point at the key rather than the value
    severity: Severity | None = None  # None: the rule's default


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the merged contract (templates applied) and the facts it may need."""

    contract: Contract
    today: date
    # Facts several rules derive from the same contract, computed once (rules never mutate
    # the contract itself).
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def document(self) -> SourceDocument:
        return self.contract.document

    @property
    def is_template(self) -> bool:
        return self.contract.is_template

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data if isinstance(self.document.data, dict) else {}

    def mapping(self, key: str) -> dict[str, Any]:
        """A top-level mapping without its ``x-`` extension keys (slac ignores those)."""
        value = self.data.get(key)
        if not isinstance(value, dict):
            return {}
        return {k: v for k, v in value.items() if not k.startswith("x-")}

    def items(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        """The objects of a top-level list, with their index (non-objects skipped)."""
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    def objective_ids(self) -> list[str]:
        return [str(o["id"]) for _, o in self.items("objectives") if "id" in o]

    def dataset_fields(self, dataset: Any) -> dict[str, Any] | None:
        """The declared fields of a dataset, or None when the dataset is unknown."""
        if not isinstance(dataset, str):
            return None
        ds = self.mapping("datasets").get(dataset)
        if not isinstance(ds, dict):
            return None
        fields = ds.get("fields")
        return fields if isinstance(fields, dict) else {}


RuleFunc = Callable[[RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    check: RuleFunc
    templates: bool = True  # also run on `kind: template` files
    examples: tuple[str, ...] = field(default=())


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, *, templates: bool = True
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule. Its docstring (summary line, blank line, Markdown) documents it."""

    def register(func: RuleFunc) -> RuleFunc:
        doc = inspect.cleandoc(func.__doc__ or "")
        summary, _, description = doc.partition("\n\n")
        if not summary:
            raise ValueError(f"rule {code} has no docstring")
        if code in REGISTRY:
            raise ValueError(f"rule code {code} registered twice")
        info = RuleInfo(code, name, severity, " ".join(summary.split()), description.strip())
        REGISTRY[code] = Rule(info, func, templates)
        return func

    return register


def run_rules(ctx: RuleContext) -> Iterator[Diagnostic]:
    for code in sorted(REGISTRY):
        entry = REGISTRY[code]
        if ctx.is_template and not entry.templates:
            continue
        for finding in entry.check(ctx):
            yield Diagnostic(
                code,
                finding.severity or entry.info.severity,
                finding.message,
                ctx.document.locate(finding.path, key=finding.key),
                finding.hint,
                finding.path,
            )


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, or listing the choices."""
    options = sorted(set(choices))
    if isinstance(name, str):
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        if close:
            return f"did you mean '{close[0]}'?"
    if not options:
        return "nothing of that kind is defined"
    shown = ", ".join(options[:10]) + (" …" if len(options) > 10 else "")
    return f"defined: {shown}"
