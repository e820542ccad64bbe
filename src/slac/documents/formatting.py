"""Values as a statement shows them, formatted in Python from ``Decimal`` (never a float) for
the statement's :class:`~slac.documents.locales.Language`: money in the currency's ISO 4217
minor unit, rounded by the contract's rule and laid out by Babel; measured values precise
enough never to read as the target when they are not; targets, scopes and timestamps.

Every function takes the language last and defaults to English, whose output is what
:mod:`slac.wording` says (the checker, the explanation and the statements say a value alike).
Plain numbers are not grouped in any language, as slac's English never groups them; money is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.dates import format_date as babel_date
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_percent

from slac.contract.currencies import minor_units
from slac.documents.locales import Language, language
from slac.plan.money import round_money
from slac.wording import COMPARISON_SIGNS

# slac's English says "30 September 2026" in every English locale: day first, unambiguous.
ENGLISH_DATE = "d MMMM y"
_NUMBER_PART = re.compile(r"[#0,.]+")
# A space Babel puts between parts; plain text and Markdown tables read better with a plain one.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _english() -> Language:
    return language("en")


def _minor_unit(currency: str | None) -> int:
    """The currency's decimals; unknown or missing currencies keep two."""
    minor = minor_units(currency) if currency else None
    return 2 if minor is None else minor


def _fraction(places: int) -> str:
    return "." + "0" * places if places > 0 else ""


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_amount(amount: Decimal, currency: str | None, *, mode: str = "half-up") -> str:
    """An amount in the currency's minor unit, thousands separated: ``2.675`` EUR → ``2.68``.

    Unknown or missing currencies keep two decimals. ``mode`` is the contract's rounding.
    """
    places = _minor_unit(currency)
    return format(round_money(amount, places, mode), f",.{places}f")


def money_pattern(locale: str, places: int) -> str:
    """The locale's CLDR currency pattern with the ISO code for the symbol and ``places``
    decimals: ``¤¤ #,##0.00`` (en), ``#,##0.00 ¤¤`` (de), ``¤¤ #,##0.00;¤¤-#,##0.00`` (de_CH).

    CLDR puts a space between a letter currency sign and the digits (its currencySpacing),
    which Babel does not apply: the pattern carries it.
    """
    from babel import Locale

    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    pattern = re.sub(r"\.0+", _fraction(places), pattern)
    pattern = re.sub(r"¤(?=[#0])", "¤ ", pattern)
    pattern = re.sub(r"(?<=[#0])¤", " ¤", pattern)
    return pattern.replace("¤", "¤¤")


def format_money(
    amount: Decimal, currency: str | None, *, mode: str = "half-up", locale: str = "en"
) -> str:
    """``EUR 1,320.00`` (en), ``1.320,00 EUR`` (de); without a currency just the amount.

    The digits come from the pinned ISO 4217 table (Babel's CLDR data differs for some
    currencies), rounded by the contract's rule; Babel only lays the number out for the
    locale (its currency pattern, grouping, decimal sign), with the ISO code, never a symbol
    such as €, so that every statement names the currency as the contract and ledger do.
    """
    places = _minor_unit(currency)
    exact = round_money(amount, places, mode)
    if not currency:
        if locale == "en":
            return format_amount(amount, currency, mode=mode)
        return str(format_decimal(exact, format="#,##0" + _fraction(places), locale=locale))
    text: str = format_currency(
        exact,
        currency,
        format=money_pattern(locale, places),
        locale=locale,
        currency_digits=False,
    )
    return text.translate(_SPACES)


def format_number(value: Decimal, lang: Language | None = None) -> str:
    """An exact decimal without exponent or trailing zeros: ``4.50`` → ``4.5`` (de ``4,5``)."""
    return _digits(value.normalize(), _places(value), lang or _english())


def _digits(value: Decimal, places: int, lang: Language) -> str:
    """``value`` (already exact to ``places``) with the locale's decimal sign, ungrouped."""
    return str(format_decimal(value, format="0" + _fraction(places), locale=lang.locale))


def format_percent(ratio: Decimal, places: int | None = None, lang: Language | None = None) -> str:
    """A ratio as a percentage in the locale's pattern: exactly (``0.9999`` → ``99.99%``,
    de ``99,99 %``), or with ``places`` decimals, rounded half to even."""
    lang = lang or _english()
    if places is None:
        places = _places(ratio * 100)
    pattern = lang.locale.percent_formats[None].pattern.split(";")[0]
    pattern = _NUMBER_PART.sub("0" + _fraction(places), pattern, count=1)
    text: str = babel_percent(ratio, format=pattern, locale=lang.locale)
    return text.translate(_SPACES)


def format_date(iso: str, lang: Language | None = None) -> str:
    """``2026-09-30`` → ``30 September 2026`` (de ``30. September 2026``)."""
    lang = lang or _english()
    pattern = ENGLISH_DATE if lang.locale.language == "en" else lang.locale.date_formats["long"]
    return str(babel_date(date.fromisoformat(iso), pattern, locale=lang.locale))


# Each unit of a duration said with its count, plain and in business time (which has no days).
# The calls are written out so that the catalog's extraction sees every message.
Said = Callable[[Language, int], str]
_UNITS: tuple[tuple[str, int, Said, Said | None], ...] = (
    ("d", 86400, lambda lang, n: lang.ngettext("%(count)s day", "%(count)s days", n), None),
    (
        "h",
        3600,
        lambda lang, n: lang.ngettext("%(count)s hour", "%(count)s hours", n),
        lambda lang, n: lang.ngettext("%(count)s business hour", "%(count)s business hours", n),
    ),
    (
        "min",
        60,
        lambda lang, n: lang.ngettext("%(count)s minute", "%(count)s minutes", n),
        lambda lang, n: lang.ngettext("%(count)s business minute", "%(count)s business minutes", n),
    ),
    (
        "s",
        1,
        lambda lang, n: lang.ngettext("%(count)s second", "%(count)s seconds", n),
        lambda lang, n: lang.ngettext("%(count)s business second", "%(count)s business seconds", n),
    ),
)


def _seconds(text: str, business: bool, lang: Language) -> str:
    # A count that is not whole takes the plural in the languages slac has ("4.5 seconds").
    _, _, plain, in_business = _UNITS[-1]
    said = in_business if business and in_business else plain
    return said(lang, 2) % {"count": text}


def format_duration(
    seconds: Decimal, *, business: bool = False, lang: Language | None = None
) -> str:
    """A duration for people, as :func:`slac.wording.duration_words` says it: 3600 → ``1 hour``
    (de ``1 Stunde``), 5400 → ``1 h 30 min``; days from 3 days up; business time never in days.
    """
    lang = lang or _english()
    if seconds != seconds.to_integral_value():
        return _seconds(format_number(seconds, lang), business, lang)
    rest = int(seconds)
    parts: list[tuple[int, str, Said]] = []
    for short, size, plain, in_business in _UNITS:
        words = in_business if business else plain
        if words is None or (short == "d" and rest < 3 * size):
            continue
        count, rest = divmod(rest, size)
        if count:
            parts.append((count, short, words))
    if not parts:
        return _seconds("0", business, lang)
    if len(parts) == 1:
        count, _, said = parts[0]
        return said(lang, count) % {"count": count}
    text = " ".join(f"{count} {short}" for count, short, _ in parts)
    return lang.gettext("%(time)s business time") % {"time": text} if business else text


def format_value(
    value: Decimal, unit: str, *, business: bool = False, lang: Language | None = None
) -> str:
    """A value in its unit (``ratio``, ``seconds`` or a plain number), as a contract says it."""
    if unit == "ratio":
        return format_percent(value, lang=lang)
    if unit == "seconds":
        return format_duration(value, business=business, lang=lang)
    return format_number(value, lang)


def format_measured(
    measured: Decimal, unit: str, target: Decimal, lang: Language | None = None
) -> str:
    """A measured value, precise enough never to read as the target when it is not."""
    if unit == "ratio":
        places = max(2, _places(target * 100) + 1)
        while places < 12:
            shown = (measured * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
            if measured == target or shown != target * 100:
                break
            places += 1
        return format_percent(measured, places, lang)
    if unit == "seconds":
        whole = measured.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        if whole == target and measured != target:
            exact = measured.quantize(Decimal("0.001"))
            return _seconds(format_number(exact, lang), False, lang or _english())
        return format_duration(whole, lang=lang)
    shown = measured.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    if shown == target and measured != target:
        shown = measured.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    return format_number(shown, lang)


def format_target(op: str, value: Decimal, unit: str, lang: Language | None = None) -> str:
    """A target as the contract sets it: ``≥ 99.99%``, ``≤ 1 hour`` (de ``≤ 1 Stunde``)."""
    return f"{COMPARISON_SIGNS.get(op, op)} {format_value(value, unit, lang=lang)}"


def format_scope(scope: Sequence[tuple[str, Any]]) -> str:
    return ", ".join(f"{field}: {value}" for field, value in scope)


def format_timestamp(text: str | None, lang: Language | None = None) -> str:
    """``2026-10-31T00:00:00-04:00`` → ``31 October 2026 00:00 (UTC-04:00)``."""
    if not text:
        return ""
    day, _, rest = text.partition("T")
    if not rest:
        return format_date(day, lang)
    clock, offset = rest[:5], rest[8:]
    zone = "UTC" if offset in ("Z", "+00:00") else f"UTC{offset}"
    return f"{format_date(day, lang)} {clock} ({zone})"
