"""The language a statement is written in: a locale identifier chosen by the user, parsed by
Babel, and the gettext catalog slac ships for its language.

Catalogs are the ``.po`` files in ``slac/locales/<language>/LC_MESSAGES/slac.po``, read when
first needed (no compiled ``.mo`` is shipped, so there is no binary that could drift from its
source). English is the catalog's source language: its messages are the English text itself,
so English needs no file. The full locale (``de_CH``) decides how numbers, money and dates are
laid out; its language (``de``) decides the catalog. Nothing here reads the process's own
locale (``LANG``, ``LC_ALL``): the same request gives the same statement everywhere.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "slac"
DEFAULT = "en"
SOURCE_LANGUAGE = "en"  # the language the messages are written in (the msgids)
CATALOGS = Path(__file__).resolve().parents[1] / "locales"


class LocaleError(ValueError):
    """A locale slac cannot write statements in; the message names the ones it can."""


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; it is translated where used."""
    return message


@dataclass(frozen=True)
class Language:
    """A parsed locale and the catalog of its language."""

    tag: str  # Babel's identifier: "de_CH"
    locale: Locale
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)


def available() -> tuple[str, ...]:
    """The languages slac has statements in: English, then each shipped catalog's."""
    shipped = {p.parents[1].name for p in CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return (SOURCE_LANGUAGE, *sorted(shipped - {SOURCE_LANGUAGE}))


def catalog_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def language(identifier: str = DEFAULT) -> Language:
    """The :class:`Language` for ``de``, ``de_DE``, ``de-CH``…; :class:`LocaleError` for a
    locale Babel does not know or whose language slac has no catalog for."""
    choices = ", ".join(available())
    text = identifier.strip()
    try:
        locale = Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise LocaleError(f"unknown locale {identifier!r}: use one of {choices}") from None
    if locale.language not in available():
        raise LocaleError(f"no statements in {identifier!r}: use one of {choices}")
    return Language(str(locale), locale, _translations(locale.language))


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation yet
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
