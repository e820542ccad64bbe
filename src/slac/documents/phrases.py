"""The fixed phrases evaluation writes into results (why an objective was not judged, a credit
tier's band, an escalation's count of breaches), said in the statement's language.

Results store these phrases in English, as slac's other outputs do, so that saved results do
not depend on a language. Each phrase has one known shape: it is matched here and said again
through the catalog, its numbers laid out for the locale. A phrase of no known shape (a future
one, or text from the contract) is shown as it is, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from slac.documents.formatting import format_number, format_percent
from slac.documents.locales import SOURCE_LANGUAGE, Language

_NOT_KNOWN = re.compile(
    r"(?P<head>.*) \((?P<unknown>\d+) not known: neither in this run nor closed in the ledger\)"
)
_VALUE = r"-?\d+(?:\.\d+)?%?s?"
# The signs a band is written with in results, as the statement writes a target.
_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
_BOUND = re.compile(rf"(?P<sign>>=|<=|>|<) (?P<value>{_VALUE})")


def _value(text: str, lang: Language) -> str:
    """``99.9%``, ``14400s``, ``30`` (as results write a band's value) for the locale."""
    if text.endswith("%"):
        return format_percent(Decimal(text[:-1]) / 100, lang=lang)
    if text.endswith("s"):
        return format_number(Decimal(text[:-1]), lang) + " s"
    return format_number(Decimal(text), lang)


def _band(text: str, lang: Language) -> str | None:
    """``>= 99% and < 99.9%`` → ``≥ 99 % und < 99,9 %``."""
    parts = text.split(" and ")
    bounds = [_BOUND.fullmatch(part) for part in parts]
    if not 1 <= len(parts) <= 2 or any(b is None for b in bounds):
        return None
    said = [f"{_SIGNS[b['sign']]} {_value(b['value'], lang)}" for b in bounds if b is not None]
    if len(said) == 1:
        return said[0]
    return lang.gettext("%(low)s and %(high)s") % {"low": said[0], "high": said[1]}


def _windows(count: str, lang: Language) -> str:
    return lang.ngettext(
        "%(count)s maintenance window", "%(count)s maintenance windows", int(count)
    ) % {"count": count}


def _all_rows(m: re.Match[str], lang: Language) -> str:
    rows = int(m["rows"])
    if not m["windows"]:
        return lang.ngettext(
            "all %(count)s row was excluded", "all %(count)s rows were excluded", rows
        ) % {"count": m["rows"]}
    return lang.ngettext(
        "all %(count)s row was excluded, and %(windows)s",
        "all %(count)s rows were excluded, and %(windows)s",
        rows,
    ) % {"count": m["rows"], "windows": _windows(m["windows"], lang)}


def _breaches(m: re.Match[str], lang: Language) -> str:
    values = {"breaches": m["breaches"], "count": m["periods"]}
    if m["first"]:
        return (
            lang.ngettext(
                "breached in %(breaches)s of the last %(count)s period",
                "breached in %(breaches)s of the last %(count)s periods",
                int(m["periods"]),
            )
            % values
        )
    return (
        lang.ngettext(
            "%(breaches)s of the last %(count)s period breached",
            "%(breaches)s of the last %(count)s periods breached",
            int(m["periods"]),
        )
        % values
    )


Saying = Callable[[re.Match[str], Language], str]
# (the phrase's shape as evaluation writes it, how to say it again)
PHRASES: tuple[tuple[re.Pattern[str], Saying], ...] = (
    (re.compile(r"no data to judge"), lambda m, lang: lang.gettext("no data to judge")),
    (
        re.compile(r"no data to judge \((?P<open>\d+) open\)"),
        lambda m, lang: lang.gettext("no data to judge (%(open)s open)") % {"open": m["open"]},
    ),
    (
        re.compile(r"(?P<sample>\d+) judged, fewer than the minimum of (?P<minimum>\d+)"),
        lambda m, lang: (
            lang.gettext("%(sample)s judged, fewer than the minimum of %(minimum)s")
            % {"sample": m["sample"], "minimum": m["minimum"]}
        ),
    ),
    (
        re.compile(
            r"all (?P<rows>\d+) rows? (?:was|were) excluded"
            r"(?:, and (?P<windows>\d+) maintenance windows?)?"
        ),
        _all_rows,
    ),
    (
        re.compile(r"all of the time was excluded \((?P<windows>\d+) maintenance windows?\)"),
        lambda m, lang: (
            lang.gettext("all of the time was excluded (%(windows)s)")
            % {"windows": _windows(m["windows"], lang)}
        ),
    ),
    (
        re.compile(
            r"(?P<first>breached in )?(?P<breaches>\d+) of the last (?P<periods>\d+) "
            r"periods(?(first)| breached)"
        ),
        _breaches,
    ),
    (re.compile(r"per incident"), lambda m, lang: lang.gettext("per incident")),
    (re.compile(r"any result"), lambda m, lang: lang.gettext("any result")),
    (
        re.compile(rf"pool allocation (?P<share>{_VALUE}) of the at-risk amount"),
        lambda m, lang: (
            lang.gettext("pool allocation %(share)s of the at-risk amount")
            % {"share": _value(m["share"], lang)}
        ),
    ),
)


def translate_phrase(text: str, lang: Language) -> str:
    """``text`` in ``lang`` when it is a phrase of a known shape; otherwise ``text``."""
    if not text or lang.locale.language == SOURCE_LANGUAGE:
        return text
    head, suffix = text, ""
    unknown = _NOT_KNOWN.fullmatch(text)
    if unknown:
        head = unknown["head"]
        suffix = " " + lang.gettext(
            "(%(count)s not known: neither in this run nor closed in the ledger)"
        ) % {"count": unknown["unknown"]}
    for pattern, say in PHRASES:
        match = pattern.fullmatch(head)
        if match:
            return say(match, lang) + suffix
    band = _band(head, lang)
    return text if band is None else band + suffix
