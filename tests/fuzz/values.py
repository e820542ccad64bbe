"""Values a mutation puts into a contract: extremes of each kind of quantity the language knows
(durations, percentages, money, dates, comparisons, time zones …), and values of other types.

A replacement of the same kind keeps the contract valid for the JSON Schema (its patterns
admit 31-digit durations and 27-digit money), so the semantic rules, the compiler and the
explanation see it; a replacement of another kind tests the schema's and the loaders' guards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .choices import Chooser, pick


@dataclass(frozen=True)
class Plain:
    """Text written into the YAML as it is, unquoted: the loader decides what it becomes
    (``1e400`` a float overflowing to infinity, 4,301 digits an integer Python refuses to
    convert from text by default)."""

    text: str


HUGE_DIGITS = "9" * 4301  # one digit past Python's int-string conversion limit (4,300)

KINDS: dict[str, tuple[Any, ...]] = {
    "duration": (
        "0s",
        "0.000001s",
        "9999999999999999999999999999999d",  # 31 digits
        "9999999999999999999999999999999w",
        "P9999999999999999999999999999999W",
        "PT0S",
        "P0D",
        "999999999999999999999999999 business days",
        "0 business hours",
        "1 business minute",
        "1d 1d",
        "0.5d 3h 2.25m",
        "1" + "0" * 60 + "s",
    ),
    "percent": (
        "0%",
        "100%",
        "-0%",
        "-100%",
        "100.00000000000000000000000001%",
        "99.99999999999999999999999999999%",
        "999999999999999999999999999%",
        "0.0000000000000000000000000001%",
    ),
    "money": (
        "0",
        "0.00",
        "-1.00",
        "123456789012345678901234567.89",  # 27 digits before the point
        "999999999999999999999999999",
        "0.000000000000000000000000001",
        "1" + "0" * 60,
    ),
    "date": (
        "0001-01-01",
        "9999-12-31",
        "2024-02-29",
        "1970-01-01",
        "2026-12-31",
        "2026-03-29",  # the spring DST change in Europe
        "0000-01-01",
        "2026-02-30",
    ),
    "comparison": (
        ">= 0%",
        "<= 0s",
        "> 100%",
        "< 9999999999999999999999999999999d",
        ">= -5",
        "<= 1" + "0" * 40,
        ">= 123456789012345678901234567.89",
        ">= 100.00000000000000000000000001%",
        "> 0.0000000000000000000000000001%",
        "<= 999999999999999999999999999 business days",
    ),
    "time_range": ("00:00-24:00", "00:00-00:00", "23:59-00:00", "12:00-12:00", "02:00-03:00"),
    "weekdays": ("mon-sun", "sun-mon", "sat-fri", "mon,mon", "sun"),
    "allowance": ("9999999999999999999999999999999d/day", "0s/month", "1h/year", "1w/day"),
    "zone": (
        "UTC",
        "Etc/GMT+12",
        "Etc/GMT-14",
        "Pacific/Kiritimati",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Europe/Dublin",  # negative daylight saving time in the database
        "Mars/Olympus",
        "Factory",
        "localtime",
        "posixrules",
        "Europe/Berlin/x",
    ),
    "currency": ("EUR", "JPY", "BHD", "CLF", "XXX", "ZZZ", "XAU"),
    "statistic": ("p0", "p100", "p50", "p99.99999999999999999", "mean", "p1e400", "median"),
    "number": (
        0,
        -1,
        1,
        2**63,
        -(2**63) - 1,
        10**30,
        0.1,
        1e-300,
        Plain(HUGE_DIGITS),
        Plain("-" + HUGE_DIGITS),
        Plain("1e400"),
        Plain("-1e400"),
        Plain("1e-400"),
        Plain("1" + "0" * 400 + ".5"),
    ),
    "text": (
        "",
        " ",
        "x" * 100_000,
        "Ünïcødé ✓ 漢字",
        "\u202eevil",  # right-to-left override
        "e\u0301",  # a combining accent
        "😀" * 50,
        "{{ 7 * 7 }}",
        "{% raw %}",
        "=cmd|' /C calc'!A0",
        "a\nb",
        "\u2028",
        "x-extension",
        "../../../etc/passwd",
    ),
}

_CLASSIFY = (
    ("comparison", re.compile(r"(>=|<=|>|<)\s*\S.*")),
    ("allowance", re.compile(r".+/(day|week|month|quarter|year)")),
    ("percent", re.compile(r"-?\d+(\.\d+)?\s*%")),
    ("duration", re.compile(r"(\d+(\.\d+)?[smhdw])( +\d+(\.\d+)?[smhdw])*|P\S+|\d+ business \w+")),
    ("date", re.compile(r"\d{4}-\d{2}-\d{2}")),
    ("time_range", re.compile(r"\d\d:\d\d-\d\d:\d\d")),
    ("money", re.compile(r"-?\d+(\.\d+)?")),
    ("currency", re.compile(r"[A-Z]{3}")),
    ("statistic", re.compile(r"p\d+(\.\d+)?|mean|median")),
    ("zone", re.compile(r"[A-Z][A-Za-z_]+/[A-Za-z_/+-]+|UTC")),
    ("weekdays", re.compile(r"(mon|tue|wed|thu|fri|sat|sun)([-,]\w+)*")),
)


def kind_of(value: Any) -> str:
    """The kind of quantity a contract value holds, as far as its text shows."""
    if isinstance(value, bool) or value is None:
        return "text"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        for kind, pattern in _CLASSIFY:
            if pattern.fullmatch(value):
                return kind
    return "text"


def same_kind(chooser: Chooser, value: Any, names: list[str]) -> Any:
    """A value of the kind of ``value``; for a name (an id, a reference), another name used in
    the same contract, so that references point at the wrong kind of thing."""
    kind = kind_of(value)
    if kind == "text" and isinstance(value, str) and value in names:
        return pick(chooser, [*names, value + "-x", value.upper()])
    return pick(chooser, KINDS[kind])


def other_type(chooser: Chooser, value: Any) -> Any:
    """A value of another type than ``value``: a list where a scalar is expected, and so on."""
    options: list[Any] = [None, True, [], {}, [value], {"x": value}, [value, value]]
    options.append(pick(chooser, KINDS[pick(chooser, sorted(KINDS))]))
    return pick(chooser, options)
