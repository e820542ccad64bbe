"""An annex item's deadline as local ISO 8601 text: the same as converting the instant from
UTC with its microseconds and cutting them off (the reference evaluator's way), in zones with
daylight saving, half-hour and 45-minute offsets, before 1970 and after 2038."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from slac.kinds.duration import local_text

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Europe/Dublin",  # winter is its "daylight saving" (a negative one)
    "Australia/Lord_Howe",  # a 30-minute shift
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30
    "Pacific/Chatham",  # +12:45, +13:45
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LOW = (datetime(1900, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
HIGH = (datetime(2200, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)


def by_hand(us: int, zone: str) -> str:
    return (
        (EPOCH + timedelta(microseconds=us))
        .astimezone(ZoneInfo(zone))
        .isoformat(timespec="seconds")
    )


@settings(max_examples=400, deadline=None)
@given(st.integers(LOW, HIGH), st.sampled_from(ZONES))
@example(-1, "UTC")  # 1969-12-31T23:59:59: the second before, not the one after
@example(-1_500_000, "Europe/Berlin")
@example(1_792_889_999_999_999, "Europe/Berlin")  # 02:59:59+02:00, the last second of summer
@example(1_792_890_000_000_000, "Europe/Berlin")  # 2026-10-25 01:00Z: 02:00:00+01:00
def test_local_text_is_the_instant_in_the_zone_to_the_second(us: int, zone: str) -> None:
    assert local_text(us, zone) == by_hand(us, zone)


def test_a_worked_example() -> None:
    # 2026-10-05 12:00:00.75Z is 14:00:00 in Berlin (summer time, +02:00).
    us = (datetime(2026, 10, 5, 12, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1) + 750_000
    assert local_text(us, "Europe/Berlin") == "2026-10-05T14:00:00+02:00"
    assert local_text(us, "America/New_York") == "2026-10-05T08:00:00-04:00"
