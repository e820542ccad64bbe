"""The metric kinds, one module each, in one registry keyed by the plan's `kind`.

Adding a kind is one module here (its params, SQL and measurement) plus its tests.
"""

from __future__ import annotations

from typing import Any

from slac.kinds.availability import Availability
from slac.kinds.base import Kind
from slac.kinds.count import Count
from slac.kinds.duration import Duration
from slac.kinds.ratio import Ratio
from slac.kinds.service_level import ServiceLevel
from slac.kinds.servqual import Servqual
from slac.kinds.survey import Survey
from slac.kinds.value import Value

KINDS: dict[str, Kind[Any]] = {
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

__all__ = ["KINDS"]
