"""docs/templates.md is true: its example template renders what the page says it does, and
every variable the examples' statements have is listed there.

A variable is listed by its path as a template reaches it (``periods[].objectives[].measured``);
the shared shapes are listed once, under the names the page gives them (``credit_line.amount``
stands for ``periods[].credits.lines[].amount`` and ``periods[].objectives[].credit.amount``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac.api import compile_plan, evaluate
from slac.cli import cli
from slac.documents.view import statement_view

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "templates.md"
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/contract.yaml"))
# The shapes the page lists once, and every place they occur in the view.
SHARED = {
    "periods[].credits.lines[]": "credit_line",
    "periods[].objectives[].credit": "credit_line",
    "escalations[]": "trigger",
    "periods[].escalations[]": "trigger",
    "periods[].chronic_failures[]": "trigger",
}
MONTH_KEY = re.compile(r"\.\d{4}-\d{2}(?=\.|$)")
BLOCK = re.compile(r"<!-- (template|output): ([^>]*?) -->\n```[a-z]*\n(.*?)```\n", re.S)


def _blocks(kind: str) -> list[tuple[str, str]]:
    text = DOC.read_text("utf-8")
    return [(label, body) for k, label, body in BLOCK.findall(text) if k == kind]


def test_the_example_template_renders_what_the_page_shows(tmp_path: Path) -> None:
    ((name, template),) = _blocks("template")
    ((label, expected),) = _blocks("output")
    example, period, through, today = label.split()
    path = tmp_path / name
    path.write_text(template, "utf-8")
    contract = str(ROOT / "examples" / example / "contract.yaml")
    result = CliRunner().invoke(
        cli,
        [
            "statement",
            contract,
            "--period",
            period,
            "--through",
            through,
            "--today",
            today,
            "--template",
            str(path),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def _paths(value: Any, path: str, leaves: set[str], containers: set[str]) -> None:
    """Every path in ``value``: ``leaves`` hold values a template shows (text, numbers, lists
    of them), ``containers`` the mappings and lists of mappings around them."""
    if isinstance(value, dict):
        if path:
            containers.add(path)
        for key, item in value.items():
            _paths(item, f"{path}.{key}" if path else key, leaves, containers)
    elif isinstance(value, list):
        nested = not value or any(isinstance(item, dict | list) for item in value)
        (containers if nested else leaves).add(f"{path}[]")
        for item in value:
            _paths(item, f"{path}[]", leaves, containers)
    else:
        leaves.add(path)


def _documented_as(path: str) -> str:
    """The name the page lists ``path`` under: its shared shape's, where it has one; a month
    used as a key (``credit_notes.2026-10.number``) is listed as ``[period]``."""
    path = MONTH_KEY.sub("[period]", path)
    if path in _listed():
        return path
    for prefix, shape in SHARED.items():
        if path.startswith(prefix + ".") and path != prefix:
            return shape + path[len(prefix) :]
    return path


@cache
def _view_paths() -> tuple[frozenset[str], frozenset[str]]:
    """The leaves and the containers of the examples' statements' views."""
    leaves: set[str] = set()
    containers: set[str] = set()
    today = date(2026, 11, 1)
    for example in EXAMPLES:
        contract = str(ROOT / "examples" / example / "contract.yaml")
        outcome = evaluate(contract, period="2026-09", through="2026-11", today=today)
        plan = compile_plan(contract, today=today).value
        assert outcome.value is not None and plan is not None, outcome.errors
        _paths(statement_view(outcome.value, plan), "", leaves, containers)
    return frozenset(leaves), frozenset(containers)


@cache
def _listed() -> frozenset[str]:
    return frozenset(re.findall(r"^\| `([^`]+)` \|", DOC.read_text("utf-8"), re.M))


def test_every_variable_of_the_examples_statements_is_listed() -> None:
    leaves, _ = _view_paths()
    missing = sorted({_documented_as(p) for p in leaves} - _listed())
    assert not missing, f"docs/templates.md does not list: {missing}"


@pytest.mark.parametrize("shape", sorted(set(SHARED.values())))
def test_each_shared_shape_is_listed(shape: str) -> None:
    assert any(name.startswith(shape + ".") for name in _listed())


def test_every_listed_variable_is_in_the_view() -> None:
    """Nothing listed that the view no longer has. The examples never fill a few lists (no
    override is recorded, no month read from a ledger, no escalation fires): those are
    checked by the list itself being in the view."""
    paths = frozenset(MONTH_KEY.sub("[period]", p) for p in frozenset.union(*_view_paths()))
    seen = {_documented_as(p) for p in paths}
    unfilled = ("overrides[].", "provenance.earlier[].", "escalations[].")
    stale = sorted(
        name
        for name in _listed()
        if name not in seen
        and not (name.startswith(unfilled) and name[: name.index("[]") + 2] in paths)
    )
    assert not stale, f"docs/templates.md lists what the view does not have: {stale}"
