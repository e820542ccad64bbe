"""What the rules need from a metric kind: which fields and conditions its body names, what
its objectives' targets measure, and the references it checks. The kinds live in
:mod:`slac.kinds` (one module each); the caller passes them in, so this stage depends on the
protocol only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from slac.contract.source import Path

if TYPE_CHECKING:  # the rules' types, for annotations only (rules import this module)
    from slac.contract.model import Metric
    from slac.contract.rules.base import Finding, RuleContext

FieldRef = tuple[Path, str, bool]  # where the name is written, the name, whether it is a key


class KindSyntax(Protocol):
    @property
    def thresholds(self) -> bool:
        """`within` / `under` (a share of items within a threshold) apply to its metrics."""
        ...

    @property
    def own_clock(self) -> bool:
        """It places rows in periods by its own fields (the dataset needs no `time`)."""
        ...

    @property
    def internal_columns(self) -> frozenset[str]:
        """Names (lower case) its SQL gives columns of its own beside every field of its
        metrics' dataset: a field of such a name, in any letter case, is refused (R405)."""
        ...

    def field_refs(self, body: Mapping[str, Any], path: Path) -> Iterator[FieldRef]:
        """Every field of the metric's own dataset that its body names (``path``: the body's)."""
        ...

    def conditions(self, body: Mapping[str, Any], path: Path) -> Iterator[tuple[Path, Any]]:
        """Each `where` inside the body over the metric's own dataset, with its path."""
        ...

    def target_kind(self, body: Mapping[str, Any], statistic: str | None) -> str:
        """What an objective's target compares without `within`/`under`: ratio, duration or
        number (given the objective's statistic)."""
        ...

    def value_range(self, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        """The values the metric can take, where they are bounded (a survey's scale)."""
        ...

    def calendar(self, body: Mapping[str, Any]) -> str | None:
        """The business calendar the metric's durations are counted in, if any."""
        ...

    def references(self, ctx: RuleContext, metric: Metric) -> Iterator[Finding]:
        """Findings about names the body refers to beyond its own dataset's fields."""
        ...


KindSyntaxes = Mapping[str, KindSyntax]
