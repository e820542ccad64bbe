"""Templates: the documented deep-merge rules, positions that point into the template, and
the relaxed/strict schema split between a partial file and the merged contract."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from slac.contract.checker import Checker
from slac.contract.extends import merge, resolve
from slac.contract.source import load_file, load_text
from slac.kinds import KINDS


def _doc(name: str, text: str):
    result = load_text(name, text.encode())
    assert result.document is not None
    return result.document


def test_mappings_merge_by_key_and_null_removes() -> None:
    base = _doc("t.yaml", "a: {x: 1, y: 2}\nb: 1\nc: 3\n")
    over = _doc("c.yaml", "a: {y: 20, z: 30}\nc: null\n")
    data, _ = merge(base.data, base.pos, over.data, over.pos)
    assert data == {"a": {"x": 1, "y": 20, "z": 30}, "b": 1}


def test_id_lists_merge_by_id_other_lists_replace() -> None:
    base = _doc(
        "t.yaml",
        "objectives:\n  - {id: a, target: '>= 90%', weight: 1}\n  - {id: b, target: x}\n"
        "grades: [{name: g1}, {name: g2}]\n",
    )
    over = _doc(
        "c.yaml",
        "objectives:\n  - {id: c, target: new}\n  - {id: a, target: '>= 95%'}\n  - {id: b, remove: true}\n"
        "grades: [{name: only}]\n",
    )
    data, _ = merge(base.data, base.pos, over.data, over.pos)
    assert data["objectives"] == [
        {"id": "a", "target": ">= 95%", "weight": 1},
        {"id": "c", "target": "new"},
    ]
    assert data["grades"] == [{"name": "only"}]


def test_positions_follow_values_into_the_template() -> None:
    base = _doc("t.yaml", "objectives:\n  - {id: a, target: t, weight: 1}\n")
    over = _doc("c.yaml", "objectives:\n  - {id: a, target: u}\n")
    _, pos = merge(base.data, base.pos, over.data, over.pos)
    weight = pos.find(("objectives", 0, "weight"))[0].value
    target = pos.find(("objectives", 0, "target"))[0].value
    assert (weight.file, weight.line) == ("t.yaml", 2)
    assert (target.file, target.line) == ("c.yaml", 2)


def test_remove_that_matches_nothing_is_kept_for_the_linter() -> None:
    base = _doc("t.yaml", "objectives:\n  - {id: a}\n")
    over = _doc("c.yaml", "objectives:\n  - {id: zz, remove: true}\n")
    data, _ = merge(base.data, base.pos, over.data, over.pos)
    assert data["objectives"] == [{"id": "a"}, {"id": "zz", "remove": True}]


def test_kind_and_extends_are_not_inherited(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("slac: 1\nkind: template\ntitle: from template\n")
    (tmp_path / "c.yaml").write_text("slac: 1\nextends: t.yaml\n")
    root = load_file(str(tmp_path / "c.yaml")).document
    assert root is not None
    merged = resolve(root, load_file).document.data
    assert merged == {"slac": 1, "title": "from template", "extends": "t.yaml"}


def test_chains_apply_in_order_and_each_template_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "gold.yaml").write_text("slac: 1\nkind: template\ntitle: gold\nversion: '1'\n")
    (tmp_path / "silver.yaml").write_text(
        "slac: 1\nkind: template\nextends: gold.yaml\ntitle: silver\n"
    )
    (tmp_path / "c.yaml").write_text("slac: 1\nextends: [gold.yaml, silver.yaml]\nid: c\n")
    calls: list[str] = []

    def counting_load(path: str):
        calls.append(Path(path).name)
        return load_file(path)

    root = load_file(str(tmp_path / "c.yaml")).document
    assert root is not None
    resolved = resolve(root, counting_load)
    assert resolved.document.data["title"] == "silver"
    assert calls == ["gold.yaml", "silver.yaml"]
    assert [Path(s.path).name for s in resolved.sources] == ["c.yaml", "gold.yaml", "silver.yaml"]


def test_finding_in_an_inherited_value_points_into_the_template(tmp_path: Path) -> None:
    # The template's tier table has a gap; the contract that extends it gets the finding at
    # the template's line, where it has to be fixed.
    good = Path(__file__).resolve().parent.parent / "rules" / "base.yaml"
    template = good.read_text().replace("kind: template\n", "")
    template = template.replace("slac: 1\n", "slac: 1\nkind: template\n", 1)
    template = template.replace(
        "{at_least: 95.0%, below: 99.0%, percent: 30%}",
        "{at_least: 95.0%, below: 98.0%, percent: 30%}",
    )
    (tmp_path / "t.yaml").write_text(template)
    (tmp_path / "c.yaml").write_text("slac: 1\nextends: t.yaml\nid: child\n")
    checked = Checker(KINDS, date(2026, 11, 23)).check_file(str(tmp_path / "c.yaml"))
    gaps = [d for d in checked.diagnostics if d.code == "R602"]
    assert gaps and all(d.location.file.endswith("t.yaml") for d in gaps)


def test_partial_file_is_valid_for_editors_but_merged_contract_must_be_complete(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.yaml").write_text("slac: 1\nkind: template\ntitle: nothing else\n")
    (tmp_path / "c.yaml").write_text("slac: 1\nextends: t.yaml\nid: c\nobjectives:\n  - {id: a}\n")
    checked = Checker(KINDS, date(2026, 11, 23)).check_file(str(tmp_path / "c.yaml"))
    missing = {d.message for d in checked.diagnostics if d.code == "S202"}
    assert "missing required key 'datasets'" in missing
    assert "missing required key 'metric' in objectives[0]" in missing
