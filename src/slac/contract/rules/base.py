"""The semantic-rule machinery: a registry, the context a rule reads, and what it returns.

A rule is a function decorated with :func:`rule`. It reads the typed Contract in a
:class:`RuleContext` and yields :class:`Finding` values that name a *path* in the contract: a
node's own ``path``, or a key below it (``(*objective.path, "target")``), since findings often
point at one value of a node. The registry alone turns paths into file:line:col (sqlfluff's
split: rules find, one place locates), exactly as the builder located the nodes, so a finding
about a node points where ``node.location`` does; the path is kept for machine consumers.

The rule's docstring is its documentation: the first line is the summary, the rest (Markdown)
is shown by ``slac rules`` and generated into docs/rules.md.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slac.contract.kinds import KindSyntaxes
from slac.contract.model import Contract, Field
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
    kinds: KindSyntaxes  # what each metric kind's body names and measures
    # Facts several rules derive from the same contract, computed once (rules never mutate
    # the contract itself).
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def document(self) -> SourceDocument:
        return self.contract.document

    @property
    def is_template(self) -> bool:
        return self.contract.is_template

    def objective_ids(self) -> list[str]:
        """Every objective id, including those of removals that removed nothing."""
        return [o.id for o in self.contract.entries("objectives")]

    def dataset_fields(self, dataset: str) -> Mapping[str, Field] | None:
        """The declared fields of a dataset, or None when the dataset is unknown."""
        ds = self.contract.datasets.get(dataset)
        return None if ds is None else ds.fields


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
