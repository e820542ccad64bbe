"""What an evaluation knows: the as-of instant (docs/semantics.md, "As of").

By default each period is judged as known at its own end (``period-end``): results are a
function of the data alone, and every item is judged in exactly one period (carry-over). An
instant judges every period with what had happened by then: an end event after a period's end
but at or before the instant counts with its real duration in the item's own period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from slac.evaluation.periods import to_us

PERIOD_END = "period-end"


@dataclass(frozen=True)
class AsOf:
    instant_us: int | None = None  # None: each period as known at its end

    @property
    def text(self) -> str:
        """``period-end`` or the instant in UTC (``2026-11-05T09:00:00Z``), as the results say."""
        if self.instant_us is None:
            return PERIOD_END
        seconds, micros = divmod(self.instant_us, 1_000_000)
        moment = datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=micros)
        return moment.isoformat().replace("+00:00", "Z")


def parse_as_of(text: str) -> AsOf:
    """``period-end``, or an ISO 8601 instant with its offset (``2026-11-05T09:00+01:00``,
    ``…Z``); a date or a time without an offset is refused (which zone would it be in?)."""
    if text == PERIOD_END:
        return AsOf()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not an instant: write period-end or a time with its offset, such as "
            "2026-11-05T09:00:00Z or 2026-11-05T10:00:00+01:00"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{text!r} has no offset: write it with one, such as {text}Z or {text}+01:00"
        )
    return AsOf(to_us(moment))


# The default (a module-level constant: frozen, so safe as an argument default).
AT_PERIOD_END = AsOf()
