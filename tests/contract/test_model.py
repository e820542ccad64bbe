"""The Contract stage: every node located where it is written (into templates and amendments
too), removals kept for the linter, and the terms each amendment puts in force."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from slac.contract import model
from slac.contract.build import build_contract
from slac.contract.checker import Checker
from slac.contract.source import SourceDocument, load_text
from slac.contract.terms import amendment_order, terms_in_force
from slac.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/contract.yaml"))
TEMPLATES = sorted((ROOT / "examples" / "templates").glob("*.yaml"))
BASE = ROOT / "tests" / "rules" / "base.yaml"


def _checked(path: Path) -> model.Contract:
    checked = Checker(KINDS, date(2026, 11, 23)).check_file(str(path))
    assert checked.contract is not None, [str(d) for d in checked.diagnostics]
    return checked.contract


def _contract(text: str, name: str = "c.yaml") -> model.Contract:
    loaded = load_text(name, text.encode())
    assert loaded.document is not None
    return build_contract(loaded.document)


def _nodes(value: Any) -> Iterator[model.Node]:
    if isinstance(value, model.Node):
        yield value
        children = [getattr(value, f.name) for f in dataclasses.fields(value) if f.compare]
    elif isinstance(value, Mapping):
        children = list(value.values())
    elif isinstance(value, tuple):
        children = list(value)
    else:
        return
    for child in children:
        yield from _nodes(child)


def _assert_located(contract: model.Contract, document: SourceDocument) -> int:
    count = 0
    for node in _nodes(contract):
        assert node.location == document.locate(node.path), node.path
        count += 1
    return count


@pytest.mark.parametrize("path", [*EXAMPLES, *TEMPLATES, BASE], ids=lambda p: p.stem)
def test_every_node_is_located_at_its_path(path: Path) -> None:
    contract = _checked(path)
    for terms in terms_in_force(contract):
        assert _assert_located(terms.contract, terms.contract.document) > 20


def test_inherited_values_point_into_their_template() -> None:
    contract = _checked(ROOT / "examples" / "customer-support" / "contract.yaml")
    files = {Path(n.location.file).name for n in _nodes(contract)}
    assert "contract.yaml" in files and files & {p.name for p in TEMPLATES}


def test_a_template_is_partial_but_readable() -> None:
    contract = _checked(TEMPLATES[0])
    assert contract.is_template
    assert contract.effective is None and contract.parties == {}


def test_nodes_hold_what_is_written_and_leave_defaults_to_the_compiler() -> None:
    contract = _contract(
        "objectives:\n"
        "  - id: a\n"
        "    metric: m\n"
        "    target: '>= 90%'\n"
        "    credit: {tiers: [{below: 90%, percent: 5%}]}\n"
        "metrics:\n  m: {dataset: d, ratio: {numerator: {where: {ok: true}}}}\n"
        "  x-draft: {anything: 1}\n"
    )
    (objective,) = contract.objectives
    assert objective.period is None and objective.weight is None
    assert objective.location.line == 2  # the entry's value: its first key
    (tier,) = objective.credit.tiers if objective.credit else ()
    assert tier.bounds == model.Bounds(None, None, "90%", None)
    assert tier.path == ("objectives", 0, "credit", "tiers", 0)
    assert (tier.location.line, tier.location.column) == (5, 22)
    assert list(contract.metrics) == ["m"]  # `x-` entries are the user's own
    metric = contract.metrics["m"]
    assert metric.kind == "ratio" and metric.body == {"numerator": {"where": {"ok": True}}}
    assert contract.commercials.currency is None  # not written: still a node, located at 1:1
    assert contract.commercials.location.line == 1


def test_removals_that_removed_nothing_are_kept_in_order() -> None:
    contract = _contract(
        "exclusions:\n"
        "  - {id: a, where: {x: 1}}\n"
        "  - {id: gone, remove: true}\n"
        "  - {id: b, where: {x: 2}}\n"
    )
    assert [e.id for e in contract.exclusions] == ["a", "b"]
    (removal,) = contract.removals
    assert (removal.list, removal.id, removal.path) == ("exclusions", "gone", ("exclusions", 1))
    assert [e.id for e in contract.entries("exclusions")] == ["a", "gone", "b"]


def test_a_value_copied_by_an_alias_is_located_where_the_alias_is_named() -> None:
    contract = _contract(
        "datasets:\n  a: &shape {kind: events, fields: {t: {type: timestamp}}}\n  b: *shape\n"
    )
    field = contract.datasets["b"].fields["t"]
    # At `b:`, as SourceDocument.locate answers for a path with no recorded position.
    assert (field.location.line, field.location.column) == (3, 3)
    assert field.location == contract.document.locate(field.path)


AMENDED = """\
slac: 1
amendments:
  - id: later
    effective: 2026-09-01
    changes:
      objectives:
        - {id: a, target: ">= 99%"}
  - id: earlier
    effective: 2026-03-01
    summary: first
    changes:
      objectives:
        - {id: a, target: ">= 95%"}
objectives:
  - {id: a, metric: m, target: ">= 90%"}
"""


def test_amendments_apply_in_date_order_then_as_written() -> None:
    contract = _contract(AMENDED)
    assert [a.id for a in amendment_order(contract)] == ["earlier", "later"]
    terms = terms_in_force(contract)
    assert [t.amendment.id if t.amendment else None for t in terms] == [None, "earlier", "later"]
    targets = [t.contract.objectives[0].target for t in terms]
    assert targets == [">= 90%", ">= 95%", ">= 99%"]


def test_amended_terms_point_into_the_amendment() -> None:
    terms = terms_in_force(_contract(AMENDED))
    first, amended = terms[0].contract.objectives[0], terms[1].contract.objectives[0]
    assert first.location.line == 15
    # The entry is merged: its own position is the amendment's, where the new target is.
    assert amended.location.line == 13
    assert terms[1].contract.document.locate((*amended.path, "target")).line == 13
    assert terms[1].contract.document.locate((*amended.path, "metric")).line == 15
