"""What the compiler needs from a metric kind: its params, every default explicit. The kinds
live in :mod:`slac.kinds`; the caller passes them in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class MetricContext:
    """What a kind's params may depend on beyond its own body."""

    semantics: Mapping[str, str]  # the contract's defaults (reopened, period_membership, …)
    parent_keys: Mapping[str, str | None]  # dataset → the field naming its parent item


class KindCompiler(Protocol):
    def compile(self, body: Mapping[str, Any], context: MetricContext) -> dict[str, Any]:
        """The kind's params as plain JSON values (docs/plan.md), defaults made explicit."""
        ...


KindCompilers = Mapping[str, KindCompiler]
