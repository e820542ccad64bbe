"""Statements in other languages: German golden files, the catalog covering every message, the
layout of numbers, money and dates for a locale, and independence from the process's locale.

German golden files live beside the English ones as ``<example>.de.<format>``; regenerate
them with ``SLAC_UPDATE_GOLDEN=1 pytest tests/documents/test_locales.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from statement_golden import without_drawings

from slac import api
from slac.documents.formatting import (
    format_date,
    format_duration,
    format_money,
    format_number,
    format_percent,
)
from slac.documents.locales import LocaleError, available, catalog_path, language
from slac.documents.phrases import translate_phrase
from slac.documents.statements import render_statement, render_user_template
from slac.documents.view import statement_view
from slac.wording import date_words, duration_words, number_words, percent_words

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "statements"
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
TODAY = date(2026, 11, 1)
RANGE = ("--period", "2026-09", "--through", "2026-11", "--today", "2026-11-23")
GERMAN = language("de")


@cache
def _view_json(example: str, locale: str) -> str:
    contract = str(ROOT / "examples" / example / "contract.yaml")
    outcome = api.evaluate(contract, period="2026-09", through="2026-11", today=TODAY)
    plan = api.compile_plan(contract, today=TODAY).value
    assert outcome.value is not None and plan is not None
    return json.dumps(statement_view(outcome.value, plan, locale), ensure_ascii=False)


def view_of(example: str, locale: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_view_json(example, locale))
    return data


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "credit-note"])
@pytest.mark.parametrize("example", ["customer-support", "hosting-availability"])
def test_german_statement_matches_golden_file(example: str, fmt: str) -> None:
    text = without_drawings(render_statement(view_of(example, "de"), fmt))
    golden = GOLDEN / f"{example}.de.{'credit-note.md' if fmt == 'credit-note' else fmt}"
    if UPDATE:
        golden.write_bytes(text.encode("utf-8"))
        return
    assert golden.exists(), f"{golden} is missing: run with SLAC_UPDATE_GOLDEN=1"
    assert golden.read_bytes() == text.encode("utf-8"), (
        f"the German {fmt} statement of {example} changed; if that is intended, regenerate "
        "with SLAC_UPDATE_GOLDEN=1 and review the diff"
    )


def test_the_view_names_its_locale_and_keeps_its_shape() -> None:
    english, german = view_of("customer-support", "en"), view_of("customer-support", "de")
    assert (english["locale"], german["locale"]) == ("en", "de")

    def shape(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: shape(value) for key, value in node.items()}
        if isinstance(node, list):
            return [shape(value) for value in node]
        return type(node).__name__

    assert shape(english) == shape(german)
    assert german["contract"]["title"] == english["contract"]["title"]  # the contract's words
    assert german["total_credit"] == "1.920,00 EUR"


def test_the_process_locale_does_not_matter() -> None:
    # Babel falls back to LANG/LC_* when it is given no locale: none of them may leak in.
    german = "de_DE.UTF-8"
    names = ("LANG", "LC_ALL", "LC_NUMERIC", "LC_TIME", "LC_MONETARY", "LC_MESSAGES", "LANGUAGE")
    env = {**os.environ, **dict.fromkeys(names, german), "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "slac", "statement", CONTRACT, *RANGE, "--locale", "en"],
        capture_output=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == (GOLDEN / "customer-support.md").read_bytes()


# ---------------------------------------------------------------- the catalogs


def _used_messages() -> dict[str | tuple[str, str], str]:
    """Every message the templates and the documents stage's Python ask for, and where."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[str | tuple[str, str], str] = {}
    sources = [("jinja2", p) for p in sorted((ROOT / "templates").glob("*.j2"))]
    sources += [("python", p) for p in sorted((ROOT / "src/slac/documents").glob("*.py"))]
    for method, path in sources:
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for line, message, _, _ in extract_from_file(
            method, str(path), keywords=keywords, options=options
        ):
            key = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, f"{path.relative_to(ROOT)}:{line}")
    return found


def test_messages_are_found_in_templates_and_python() -> None:
    used = _used_messages()
    assert "Compliance statement: %(title)s" in used  # a template's
    assert "Breached" in used  # the view's (N_)
    assert ("%(count)s hour", "%(count)s hours") in used  # a plural, from formatting


@pytest.mark.parametrize("lang", [lang for lang in available() if lang != "en"])
def test_every_message_is_translated(lang: str) -> None:
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    entries = {(m.id if isinstance(m.id, str) else (m.id[0], m.id[1])): m for m in catalog if m.id}
    used = _used_messages()
    missing = [f"{where}: {key!r}" for key, where in used.items() if key not in entries]
    assert not missing, f"not in the {lang} catalog (update it, see docs/locales.md): {missing}"
    for key, message in entries.items():
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(texts), f"{key!r} has no {lang} translation"
        assert not message.fuzzy, f"{key!r} is fuzzy in the {lang} catalog: check it"
    unused = sorted(str(key) for key in entries.keys() - used.keys())
    assert not unused, f"the {lang} catalog has messages nothing asks for: {unused}"
    # Placeholders: a translation must use exactly the names its message gives it.
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert not problems


# ---------------------------------------------------------------- choosing a locale


def test_a_regional_locale_takes_its_language_catalog_and_its_own_layout() -> None:
    swiss = language("de-CH")
    assert swiss.tag == "de_CH" and language("de_DE").tag == "de_DE"
    assert swiss.gettext("Met") == "Erfüllt"
    assert format_percent(Decimal("0.9995"), lang=swiss) == "99.95%"  # CLDR de_CH
    assert format_money(Decimal("1320"), "CHF", locale=swiss.tag).startswith("CHF 1")


@pytest.mark.parametrize("text", ["xx", "tlh", "", "de_XX_YY_ZZ", "zh"])
def test_an_unknown_locale_names_the_ones_available(text: str) -> None:
    with pytest.raises(LocaleError, match="use one of en, de"):
        language(text)


def test_the_api_reports_an_unknown_locale_as_an_error() -> None:
    result = api.statement(CONTRACT, period="2026-10", today=date(2026, 11, 23), locale="klingon")
    assert result.value is None
    assert result.errors and "use one of en, de" in result.errors[0]
    assert "de" in api.statement_locales() and "en" in api.statement_locales()


def test_an_unknown_locale_is_reported_before_the_data_is_read() -> None:
    # A missing data file would be the first error if the data were read first.
    result = api.statement(
        CONTRACT, period="2026-10", data=["tickets=no/such/file.csv"], locale="klingon"
    )
    assert result.errors == ("unknown locale 'klingon': use one of en, de",)


# ---------------------------------------------------------------- values for a locale


def test_german_numbers_money_dates_and_durations() -> None:
    assert format_money(Decimal("1320"), "EUR", locale="de") == "1.320,00 EUR"
    assert format_percent(Decimal("0.9995"), lang=GERMAN) == "99,95 %"
    assert format_percent(Decimal("0.868217"), 2, GERMAN) == "86,82 %"
    assert format_number(Decimal("4.50"), GERMAN) == "4,5"
    assert format_date("2026-09-30", GERMAN) == "30. September 2026"
    assert format_duration(Decimal(14400), lang=GERMAN) == "4 Stunden"
    assert format_duration(Decimal(1800), lang=GERMAN) == "30 Minuten"
    assert format_duration(Decimal(3600), lang=GERMAN) == "1 Stunde"
    assert format_duration(Decimal(5400), lang=GERMAN) == "1 h 30 min"
    assert format_duration(Decimal(259200), lang=GERMAN) == "3 Tage"
    assert format_duration(Decimal(259200), business=True, lang=GERMAN) == (
        "72 Stunden Servicezeit"
    )
    assert format_duration(Decimal("4.5"), lang=GERMAN) == "4,5 Sekunden"


@pytest.mark.parametrize(
    "value",
    ["0", "1", "4.50", "59", "60", "90", "3600", "5400", "86400", "259200", "266400", "0.25"],
)
def test_english_says_values_as_slac_always_has(value: str) -> None:
    # English statements stay byte-identical: the locale-aware functions agree with wording.
    number = Decimal(value)
    assert format_number(number) == number_words(number)
    assert format_percent(number / 1000) == percent_words(number / 1000)
    assert format_percent(number / 7000, 2) == percent_words(number / 7000, 2)
    if number == number.to_integral_value() or number < 1:
        for business in (False, True):
            said = format_duration(number, business=business)
            assert said == duration_words(number, business=business)
    assert format_date("2026-07-01") == date_words("2026-07-01")


@pytest.mark.parametrize(
    ("phrase", "german"),
    [
        ("no data to judge", "keine Daten zur Bewertung"),
        ("no data to judge (3 open)", "keine Daten zur Bewertung (3 offen)"),
        (
            "17 judged, fewer than the minimum of 20",
            "17 bewertet, weniger als die Mindeststichprobe von 20",
        ),
        (
            "all 8640 rows were excluded, and 1 maintenance window",
            "alle 8640 Datensätze und 1 Wartungsfenster wurden ausgeschlossen",
        ),
        (
            "all of the time was excluded (2 maintenance windows)",
            "die gesamte Zeit war ausgeschlossen (2 Wartungsfenster)",
        ),
        (
            "breached in 2 of the last 3 periods (1 not known: neither in this run nor closed "
            "in the ledger)",
            "in 2 der letzten 3 Zeiträume verletzt (1 unbekannt: weder in dieser Auswertung "
            "enthalten noch im Periodenjournal abgeschlossen)",
        ),
        (">= 99% and < 99.9%", "≥ 99 % und < 99,9 %"),
        ("< 90%", "< 90 %"),
        ("pool allocation 30% of the at-risk amount", "Poolanteil 30 % des Risikobetrags"),
        ("a phrase slac does not know", "a phrase slac does not know"),
    ],
)
def test_fixed_phrases_of_the_results_in_german(phrase: str, german: str) -> None:
    assert translate_phrase(phrase, GERMAN) == german
    assert translate_phrase(phrase, language("en")) == phrase


# ---------------------------------------------------------------- users' own templates


def test_user_templates_translate_with_the_views_locale(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text(
        '{{ _("Met") }}, {{ ngettext("%(count)s row", "%(count)s rows", 3, count=3) }}, '
        '{{ _("Period %(period)s", period="2026-10") }}, {{ _("not in the catalog") }}\n',
        encoding="utf-8",
    )
    german = render_user_template({"locale": "de"}, template)
    assert german == "Erfüllt, 3 Datensätze, Zeitraum 2026-10, not in the catalog\n"
    assert render_user_template({"locale": "en"}, template).startswith("Met, 3 rows,")
