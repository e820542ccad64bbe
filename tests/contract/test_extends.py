"""Templates: the documented deep-merge rules, positions that point into the template, and
the relaxed/strict schema split between a partial file and the merged contract."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

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


# ---------------------------------------------------------------- what extends may name


def _findings(contract: Path, text: str) -> list[str]:
    contract.parent.mkdir(parents=True, exist_ok=True)
    contract.write_text(text)
    checked = Checker(KINDS, date(2026, 11, 1)).check_file(str(contract))
    return [
        f"{d.location.line}:{d.location.column} {d.code} {d.message}" for d in checked.diagnostics
    ]


SECRET = "slac: 1\nkind: template\npassword: hunter2\n"


def test_templates_outside_the_repository_are_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text(SECRET)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "templates").mkdir()
    (repo / "templates" / "gold.yaml").write_text("slac: 1\nkind: template\ntitle: gold\n")
    inside = _findings(repo / "acme" / "c.yaml", "slac: 1\nextends: ../templates/gold.yaml\n")
    assert not any(" X30" in f for f in inside)
    for written in ("../../secret.yaml", str(tmp_path / "secret.yaml"), "/etc/passwd"):
        found = _findings(repo / "acme" / "c.yaml", f"slac: 1\nextends: {written}\n")
        assert found == [
            f"2:10 X304 template '{written}' is outside the contract's repository ({repo})"
        ], found
        assert "hunter2" not in "".join(found) and "root:" not in "".join(found)


def test_without_a_repository_the_contract_folder_is_the_fence(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("slac: 1\nkind: template\ntitle: t\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "t.yaml").write_text("slac: 1\nkind: template\ntitle: t\n")
    below = _findings(tmp_path / "a" / "c.yaml", "slac: 1\nextends: b/t.yaml\n")
    assert not any(" X30" in f for f in below)
    above = _findings(tmp_path / "a" / "c.yaml", "slac: 1\nextends: ../t.yaml\n")
    assert [f.split(" ")[1] for f in above] == ["X304"]


def test_without_a_repository_the_working_directory_holding_the_contract_is_the_fence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of a repository without its .git (a release tarball), run from its root as the
    # README does: the examples' ../templates are inside. From elsewhere, the contract's folder.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.yaml").write_text("slac: 1\nkind: template\ntitle: t\n")
    contract, text = tmp_path / "acme" / "c.yaml", "slac: 1\nextends: ../templates/t.yaml\n"
    monkeypatch.chdir(tmp_path)
    assert not any(" X30" in f for f in _findings(contract, text))
    monkeypatch.chdir(tmp_path / "acme")
    assert [f.split(" ")[1] for f in _findings(contract, text)] == ["X304"]


def test_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text(SECRET)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "gold.yaml").symlink_to(tmp_path / "secret.yaml")
    found = _findings(repo / "c.yaml", "slac: 1\nextends: gold.yaml\n")
    assert [f.split(" ")[1] for f in found] == ["X304"]


def test_a_template_may_extend_only_inside_the_contracts_repository(tmp_path: Path) -> None:
    # The fence is the contract's: a template inside cannot reach out on its behalf.
    (tmp_path / "secret.yaml").write_text(SECRET)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "t.yaml").write_text("slac: 1\nkind: template\nextends: ../secret.yaml\n")
    found = _findings(repo / "c.yaml", "slac: 1\nextends: t.yaml\n")
    assert [f.split(" ")[1] for f in found] == ["X304"]


def test_the_environment_can_allow_outside_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.yaml").write_text("slac: 1\nkind: template\ntitle: shared\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "c.yaml").write_text("slac: 1\nextends: ../t.yaml\n")
    root = load_file(str(tmp_path / "a" / "c.yaml")).document
    assert root is not None
    assert resolve(root, load_file).diagnostics[0].code == "X304"
    assert resolve(root, load_file, allow_outside=True).document.data["title"] == "shared"
    monkeypatch.setenv("SLAC_ALLOW_EXTENDS_OUTSIDE", "1")
    assert resolve(root, load_file).document.data["title"] == "shared"


@pytest.mark.parametrize(
    "text",
    [
        "root:x:0:0:root:/root:/bin/bash\n",  # not a mapping
        "- a\n- b\n",
        "password: hunter2\nhost: db\n",  # a mapping, but not slac's
        "bindings: 1\ndatasets: {}\n",
        "key: [unclosed\npassword: hunter2\n",  # not even YAML
    ],
)
def test_a_target_that_is_not_a_slac_document_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "other.yaml").write_text(text)
    found = _findings(tmp_path / "c.yaml", "slac: 1\nextends: other.yaml\n")
    assert found == ["2:10 X305 template 'other.yaml' is not a slac contract or template"]


def test_a_template_with_a_yaml_error_still_gets_its_own_findings(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("slac: 1\nkind: template\ntitle: [unclosed\n")
    found = _findings(tmp_path / "c.yaml", "slac: 1\nextends: t.yaml\n")
    codes = {f.split(" ")[1] for f in found}
    assert "X303" in codes and any(code.startswith("L0") for code in codes), found
