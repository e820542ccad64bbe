"""The four published schemas work in other tools: ajv's strict mode, check-jsonschema on
every example and template, and editors (yaml-language-server) (issue 15).

ajv runs when Node.js and `.ci/node` hold it (`.ci/run` installs them); the rest always runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slac.contract.partial_schema import derive, render

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))
CONTRACT = ROOT / "schemas" / "contract.schema.json"
AJV = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "ajv"
EXAMPLES = sorted((ROOT / "examples").glob("*/contract.yaml")) + sorted(
    (ROOT / "examples" / "templates").glob("*.yaml")
)


def _nodes(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default"):
                yield from _nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, f"{path}/{i}")


def _load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def test_the_partial_shape_is_derived_from_the_complete_one() -> None:
    text = CONTRACT.read_text("utf-8")
    assert text == render(derive(json.loads(text))), (
        "schemas/contract.schema.json changed: run `python -m slac.contract.partial_schema`"
    )


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_every_required_key_is_declared_beside_it(schema: Path) -> None:
    # ajv's strictRequired: a key `required` names is in the same object's `properties`.
    undeclared = [
        f"{path}: {key}"
        for path, node in _nodes(_load(schema))
        for key in node.get("required", [])
        if isinstance(node.get("required"), list)
        if key not in node.get("properties", {})
    ]
    assert not undeclared, undeclared


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_no_type_lists(schema: Path) -> None:
    # ajv's strictTypes refuses `type: [a, b]`: the schemas say `anyOf` of single types.
    lists = [path for path, node in _nodes(_load(schema)) if isinstance(node.get("type"), list)]
    assert not lists, lists


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_examples_and_defaults_are_plain_values(schema: Path) -> None:
    # Editors offer examples and defaults as completions: an object shows as [object Object].
    def plain(value: Any) -> bool:
        if isinstance(value, list):
            return all(isinstance(v, (str, int, float, bool)) for v in value)
        return value is None or isinstance(value, (str, int, float, bool))

    found = [
        f"{path}/{key}"
        for path, node in _nodes(_load(schema))
        for key in ("examples", "default")
        if key in node
        and not all(plain(v) for v in (node[key] if key == "examples" else [node[key]]))
    ]
    assert not found, found


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_check_jsonschema_accepts_every_example_and_template(example: Path) -> None:
    # Files that `extends` a template are partial: the published schema takes them as such.
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(CONTRACT), str(example)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_jsonschema_still_finds_mistakes_in_a_partial_file(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "templates" / "silver.yaml").read_text("utf-8")
    bad = tmp_path / "silver.yaml"
    bad.write_text(text.replace("cap:", "kap:"), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(CONTRACT), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "kap" in proc.stdout, proc.stdout


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_ajv_strict_mode_compiles_every_schema(schema: Path) -> None:
    if shutil.which("node") is None or not AJV.exists():
        pytest.skip(
            "ajv is not installed: npm install --no-save --prefix .ci/node "
            "ajv-cli@5.0.0 ajv-formats@3.0.1 (as .ci/run does)"
        )
    proc = subprocess.run(
        [
            *(str(AJV), "compile", "--strict=true", "--spec=draft2020", "-c", "ajv-formats"),
            "-s",
            str(schema),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=AJV.parents[2],  # where `-c ajv-formats` is found
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "is valid" in proc.stdout + proc.stderr
