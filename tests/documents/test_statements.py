"""Compliance statements: golden files per example and format, determinism, the view's shape,
the HTML's self-containment, and the sandbox around users' own templates.

Golden files live in ``tests/golden/statements/<example>.<md|txt|html>``: each example
evaluated over 2026-09 … 2026-11. Regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/documents/test_statements.py

In the HTML files each chart's SVG is reduced to its label (:func:`without_drawings`): the
drawing's coordinates are matplotlib's, and change with its releases, which CI also tests
against. What a chart must show is tested in test_charts.py, how it lays out in
test_html_in_browser.py.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import get_group_symbol
from jinja2.exceptions import SecurityError, UndefinedError
from statement_golden import without_drawings

from slac.api import compile_plan, evaluate
from slac.documents.formatting import format_amount, format_money
from slac.documents.statements import (
    TemplateProblem,
    render_statement,
    render_user_template,
    template_dirs,
)
from slac.documents.view import statement_view
from slac.wording import percent_words

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/contract.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "statements"
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"
TODAY = date(2026, 11, 1)
FORMATS = ("md", "txt", "html")


@cache
def _view_json(example: str) -> str:
    contract = str(ROOT / "examples" / example / "contract.yaml")
    outcome = evaluate(contract, period="2026-09", through="2026-11", today=TODAY)
    plan = compile_plan(contract, today=TODAY).value
    assert outcome.value is not None, outcome.errors
    assert plan is not None
    return json.dumps(statement_view(outcome.value, plan), ensure_ascii=False)


def view_of(example: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_view_json(example))  # a fresh copy for each test
    return data


def test_templates_are_found() -> None:
    assert any((path / "statement.html.j2").is_file() for path in template_dirs())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_statement_matches_golden_file(example: str, fmt: str) -> None:
    text = without_drawings(render_statement(view_of(example), fmt))
    golden = GOLDEN / f"{example}.{fmt}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
        return
    assert golden.exists(), f"{golden} is missing: run with SLAC_UPDATE_GOLDEN=1"
    assert golden.read_bytes() == text.encode("utf-8"), (
        f"the {fmt} statement of {example} changed; if that is intended, regenerate with "
        "SLAC_UPDATE_GOLDEN=1 and review the diff"
    )


def test_statements_are_deterministic() -> None:
    example = EXAMPLES[0]
    contract = str(ROOT / "examples" / example / "contract.yaml")
    results = evaluate(contract, period="2026-09", through="2026-11", today=TODAY).value
    plan = compile_plan(contract, today=TODAY).value
    assert results is not None and plan is not None
    fresh = statement_view(results, plan)
    assert json.dumps(fresh, ensure_ascii=False) == _view_json(example)
    for fmt in FORMATS:
        assert render_statement(fresh, fmt) == render_statement(view_of(example), fmt)


def _plain(node: Any) -> None:
    """Only JSON's own types, all the way down."""
    if isinstance(node, dict):
        for key, value in node.items():
            assert isinstance(key, str)
            _plain(value)
    elif isinstance(node, list):
        for value in node:
            _plain(value)
    else:
        assert node is None or type(node) in (str, int, bool), repr(node)


@pytest.mark.parametrize("example", EXAMPLES)
def test_view_is_plain_json(example: str) -> None:
    contract = str(ROOT / "examples" / example / "contract.yaml")
    results = evaluate(contract, period="2026-10", today=TODAY).value
    plan = compile_plan(contract, today=TODAY).value
    assert results is not None and plan is not None
    view = statement_view(results, plan)
    json.dumps(view)
    _plain(view)  # no Decimal, tuple, float or dataclass anywhere
    assert view["provenance"]["plan_sha256"] == results.plan_sha256
    assert view["provenance"]["inputs"], "each input file is listed with its sha256"


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "br", "link", "img", "hr", "input", "col", "area", "base", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svgs += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":  # pragma: no cover - our charts are never empty
            self.svgs += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


@pytest.mark.parametrize("example", EXAMPLES)
def test_html_is_self_contained_and_well_formed(example: str) -> None:
    view = view_of(example)
    html = render_statement(view, "html")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    assert checker.svgs == len(view["objectives"]) > 0
    assert html.count("<svg") == len({o["id"] for p in view["periods"] for o in p["objectives"]})
    # Nothing to fetch: the only addresses are the SVG's XML namespace names, never loaded.
    fetched = re.sub(r'\sxmlns(?::\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    assert "http://" not in fetched and "https://" not in fetched
    assert "@page" in html
    for text in (view["contract"]["id"], view["provenance"]["plan_sha256"]):
        assert text in html


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_statement_names_its_essentials(fmt: str) -> None:
    view = view_of("customer-support")
    text = render_statement(view, fmt)
    for needed in (
        view["provider"],
        view["customer"],
        view["contract"]["version"],
        "2026-09",
        "2026-11",
        "EUR 1,320.00",  # October's credit
        "1 December 2026",  # October's claim deadline
        "esc-p1-breach",
        "report-via-portal",
        view["provenance"]["source_sha256"],
        view["provenance"]["slac_version"],
    ):
        assert needed in text, needed
    for period in view["periods"]:
        if period["grade"]:
            assert period["grade"] in text


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown statement format"):
        render_statement(view_of(EXAMPLES[0]), "pdf")


# ---------------------------------------------------------------- numbers


def test_money_is_formatted_in_python_half_up() -> None:
    assert format_amount(Decimal("2.675"), "EUR") == "2.68"  # a float would give 2.67
    assert format_amount(Decimal("2.665"), "EUR", mode="half-even") == "2.66"
    assert format_amount(Decimal("1234567.5"), "JPY") == "1,234,568"
    assert format_amount(Decimal("1.2345"), "BHD") == "1.235"
    assert format_money(Decimal("1320"), "EUR") == "EUR 1,320.00"


def test_percentages_are_exact() -> None:
    assert percent_words(Decimal("0.868217"), 2) == "86.82%"
    assert percent_words(Decimal("0.99995"), 3) == "99.995%"
    assert percent_words(Decimal("1"), 2) == "100.00%"


# ---------------------------------------------------------------- users' templates


def _user(tmp_path: Path, text: str, name: str = "mine.txt.j2") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_template_renders(tmp_path: Path) -> None:
    view = view_of("customer-support")
    path = _user(tmp_path, "{{ contract.id }}: {{ total_credit }}\n")
    assert render_user_template(view, path) == "acme-support-2026: EUR 1,920.00\n"


def test_user_html_template_is_autoescaped(tmp_path: Path) -> None:
    view = {"name": "<b>&</b>"}
    assert render_user_template(view, _user(tmp_path, "{{ name }}", "x.html")) == (
        "&lt;b&gt;&amp;&lt;/b&gt;"
    )
    assert render_user_template(view, _user(tmp_path, "{{ name }}", "x.txt")) == "<b>&</b>"


def test_user_template_typo_names_line_and_name(tmp_path: Path) -> None:
    path = _user(tmp_path, "line one\n{{ contract.id }}\n{{ resutls }}\n")
    with pytest.raises(TemplateProblem) as caught:
        render_user_template(view_of("customer-support"), path)
    problem = caught.value
    assert problem.line == 3
    assert problem.template == str(path)
    assert "resutls" in problem.message
    assert isinstance(problem.__cause__, UndefinedError)
    assert f"{path}:3" in str(problem)


def test_user_template_syntax_error_names_line(tmp_path: Path) -> None:
    path = _user(tmp_path, "ok\n{% for x in %}\n")
    with pytest.raises(TemplateProblem) as caught:
        render_user_template({}, path)
    assert caught.value.line == 2
    assert "syntax error" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ joiner.__init__.__globals__.os }}",
        "{% set x = periods.append(1) %}",
    ],
)
def test_user_template_cannot_escape_the_sandbox(tmp_path: Path, text: str) -> None:
    with pytest.raises(TemplateProblem) as caught:
        render_user_template({"periods": [1]}, _user(tmp_path, "\n" + text + "\n"))
    assert isinstance(caught.value.__cause__, SecurityError)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'a' * 100000000 }}",
        "{{ 2 ** 100000000 }}",
        "{% for i in range(100000000) %}{% endfor %}",
    ],
)
def test_user_template_cannot_build_huge_values(tmp_path: Path, text: str) -> None:
    with pytest.raises(TemplateProblem) as caught:
        render_user_template({}, _user(tmp_path, text))
    assert isinstance(caught.value.__cause__, SecurityError)


def test_user_template_output_is_bounded(tmp_path: Path) -> None:
    text = "{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}"
    with pytest.raises(TemplateProblem, match="larger than 100000 characters"):
        render_user_template({}, _user(tmp_path, text), max_output=100_000)


def test_user_template_time_is_bounded(tmp_path: Path) -> None:
    text = "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateProblem, match="out of time"):
        render_user_template({}, _user(tmp_path, text), max_output=10**12, max_seconds=0.2)


def test_user_template_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match="not found"):
        render_user_template({}, tmp_path / "nope.j2")


def test_money_is_laid_out_by_babel_with_iso_digits() -> None:
    # Digits from the pinned ISO 4217 table, rounded by the contract's rule; Babel only lays
    # the number out for the locale.
    assert format_money(Decimal("1320"), "EUR") == "EUR 1,320.00"
    assert format_money(Decimal("500"), "JPY") == "JPY 500"
    assert format_money(Decimal("12.3456"), "KWD") == "KWD 12.346"
    assert format_money(Decimal("2.675"), "EUR") == "EUR 2.68"
    # The locale's CLDR currency pattern, with the ISO code for the symbol: German puts it
    # after the amount, Swiss German before it, each with its own grouping.
    assert format_money(Decimal("1234567.5"), "USD", locale="de") == "1.234.567,50 USD"
    assert format_money(Decimal("-2.675"), "EUR", locale="de") == "-2,68 EUR"
    assert format_money(Decimal("500"), "JPY", locale="de") == "500 JPY"
    assert format_money(Decimal("1320"), "CHF", locale="de_CH") == "CHF 1’320.00".replace(
        "’", get_group_symbol("de_CH")
    )


def test_exclusions_are_listed_only_where_they_removed_something() -> None:
    contract = str(ROOT / "examples" / "hosting-availability" / "contract.yaml")
    results = evaluate(contract, period="2026-09", through="2026-11", today=TODAY).value
    plan = compile_plan(contract, today=TODAY).value
    assert results is not None and plan is not None
    view = statement_view(results, plan)
    rows = [(p, o) for p in results.periods for o in p.objectives]
    shown = [o for p in view["periods"] for o in p["objectives"]]
    assert len(rows) == len(shown)
    zero = 0
    for (_, result), row in zip(rows, shown, strict=True):
        removed = [(e.exclusion, e.count) for e in result.excluded if e.count > 0]
        zero += sum(1 for e in result.excluded if e.count == 0)
        assert [(e["id"], e["count"]) for e in row["exclusions"]] == removed
    assert zero > 0, "the example no longer has an exclusion that removed nothing"


@pytest.mark.parametrize("example", EXAMPLES)
def test_markdown_tables_start_a_block(example: str) -> None:
    """A table right under a line of text is that paragraph's text in CommonMark and in some
    GFM renderers: every table starts after a blank line."""
    lines = render_statement(view_of(example), "md").splitlines()
    glued = [
        f"line {n + 1}: {line}"
        for n, line in enumerate(lines)
        if n and line.startswith("|") and lines[n - 1] and not lines[n - 1].startswith("|")
    ]
    assert not glued, glued
