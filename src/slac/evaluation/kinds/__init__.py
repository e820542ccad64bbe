"""The metric kinds, one module each, in one registry keyed by the plan's `kind`.

Adding a kind is one module here (its params, SQL and measurement) plus its tests.
"""

from __future__ import annotations

from slac.evaluation.kinds.availability import Availability
from slac.evaluation.kinds.base import MetricKind
from slac.evaluation.kinds.count import Count
from slac.evaluation.kinds.duration import Duration
from slac.evaluation.kinds.ratio import Ratio
from slac.evaluation.kinds.service_level import ServiceLevel
from slac.evaluation.kinds.servqual import Servqual
from slac.evaluation.kinds.survey import Survey
from slac.evaluation.kinds.value import Value

KINDS: dict[str, MetricKind] = {
    kind.name: kind
    for kind in (
        Duration(),
        Value(),
        Ratio(),
        ServiceLevel(),
        Availability(),
        Survey(),
        Servqual(),
        Count(),
    )
}

__all__ = ["KINDS", "MetricKind"]
