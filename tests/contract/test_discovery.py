"""Which YAML files `slac lint` checks: slac documents, told apart by content (issue 15).

A repository's other YAML files (CI workflows, docker-compose, Kubernetes manifests, Helm
templates) are skipped and said to be, so that the pre-commit hook passes in a real
repository; a contract, template or bindings file is always checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli
from slac.contract.discovery import is_slac_document

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "lint" / "good" / "contract.yaml"
TAB = ROOT / "tests" / "data" / "lint" / "bad" / "tab.yaml"

WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""
COMPOSE = "services:\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n"

SLAC_DOCUMENTS = {
    "contract": "slac: 1\nid: x\n",
    "template": "# Gold\nslac: 1\nkind: template\n",
    "quoted key": '"slac": 1\n',
    "byte order mark": "\ufeffslac: 1\n",
    "bindings": "bindings: 1\ndatasets: {}\n",
    "modeline without slac:": "# yaml-language-server: $schema=../schemas/contract.schema.json\nid: x\n",
    "modeline by URL": "# yaml-language-server: $schema=https://slac.dev/schemas/contract/v1.json\n",
    "bindings modeline": "# yaml-language-server: $schema=schemas/bindings.schema.json\n",
    "invalid YAML": "slac: 1\nid: x\n  version: [\n",
}
OTHER_YAML = {
    "GitHub workflow": WORKFLOW,
    "docker-compose": COMPOSE,
    "Kubernetes manifests": "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n",
    "Helm template": "apiVersion: v1\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
    "IAM policy with bindings": "bindings:\n- members: [user:a@example.com]\n  role: roles/owner\n",
    "nested slac key": "tools:\n  slac: 1\n",
    "other schema": "# yaml-language-server: $schema=https://x.test/datacontract.schema.json\n",
    "empty": "",
    "binary": "\x00\x01\x02",
}


@pytest.mark.parametrize("name", list(SLAC_DOCUMENTS))
def test_slac_documents_are_recognised(name: str) -> None:
    assert is_slac_document(SLAC_DOCUMENTS[name].encode("utf-8"))


@pytest.mark.parametrize("name", list(OTHER_YAML))
def test_other_yaml_is_not(name: str) -> None:
    assert not is_slac_document(OTHER_YAML[name].encode("utf-8"))


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "contract.yaml").write_text(GOOD.read_text())
    (tmp_path / "contracts" / "values.yaml").write_text("replicas: 3\n")
    return tmp_path


def test_a_named_workflow_is_skipped_not_an_error(repo: Path) -> None:
    # What pre-commit does: it names every staged YAML file.
    workflow = str(repo / ".github" / "workflows" / "ci.yml")
    code, out, err = run("lint", workflow, str(repo / "docker-compose.yml"))
    assert code == 0, out + err
    assert f"slac: skipped {workflow}: not a slac document" in err
    assert out == "0 files checked, no findings; 2 files skipped (not slac documents)\n"


def test_contracts_are_checked_among_other_yaml(repo: Path) -> None:
    named = [str(p) for p in sorted(repo.rglob("*.yml")) + sorted(repo.rglob("*.yaml"))]
    code, out, err = run("lint", *named)
    assert code == 0, out + err
    assert out == "1 file checked, no findings; 3 files skipped (not slac documents)\n"
    assert err == ""  # the skipped files are named with --verbose only
    bad = repo / "contracts" / "bad.yaml"
    bad.write_text(TAB.read_text())
    code, out, _ = run("lint", *named, str(bad))
    assert code == 1
    assert "L002 error" in out


def test_verbose_names_every_skipped_file(repo: Path) -> None:
    code, out, err = run("lint", "-v", str(repo / "contracts"), str(repo / "docker-compose.yml"))
    assert code == 0
    assert err.splitlines() == [
        f"slac: skipped {repo / 'contracts' / 'values.yaml'}: not a slac document (no top-level"
        " `slac:` key, `bindings: 1` line or slac `$schema` modeline)",
        f"slac: skipped {repo / 'docker-compose.yml'}: not a slac document (no top-level"
        " `slac:` key, `bindings: 1` line or slac `$schema` modeline)",
    ]
    assert out.endswith("; 2 files skipped (not slac documents)\n")


def test_a_folder_without_slac_documents_is_a_usage_error(repo: Path) -> None:
    # Pointed at the wrong folder, CI must not pass by checking nothing.
    folder = repo / ".github" / "workflows"
    code, _, err = run("lint", str(folder))
    assert code == 2
    assert err == f"slac: error: no slac documents (contracts, templates, bindings) in: {folder}\n"
    # A file named explicitly (as pre-commit does) is a choice, not a mistake.
    assert run("lint", str(folder), str(repo / "docker-compose.yml"))[0] == 0


def test_json_lists_the_skipped_files(repo: Path) -> None:
    code, out, _ = run("lint", "--format", "json", str(repo / "contracts"))
    assert code == 0
    data = json.loads(out)
    assert data["files"] == [str(repo / "contracts" / "contract.yaml")]
    assert data["skipped"] == [str(repo / "contracts" / "values.yaml")]


def test_compile_checks_the_file_it_is_given_whatever_it_holds(repo: Path) -> None:
    # Selection is for lint's many files; a contract named to compile is always read.
    code, _, err = run("compile", str(repo / "docker-compose.yml"))
    assert code == 1
    assert "S202 error: missing required key 'slac'" in err


# ---------------------------------------------------------------- standard input


def test_lint_reads_a_contract_from_stdin() -> None:
    code, out, _ = run("lint", "-", input=TAB.read_text())
    assert code == 1
    assert out.startswith("<stdin>:4:1: L002 error: tab character used for indentation")
    code, out, _ = run("lint", "-", input=GOOD.read_text())
    assert (code, out) == (0, "1 file checked, no findings\n")


def test_stdin_is_checked_beside_named_files() -> None:
    code, out, _ = run("lint", str(GOOD), "-", input=TAB.read_text())
    assert code == 1
    assert "<stdin>:4:1: L002" in out and "(2 files checked)" in out


def test_stdin_templates_are_found_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = ROOT / "examples"
    monkeypatch.chdir(examples / "customer-support")
    text = (examples / "customer-support" / "contract.yaml").read_text()
    code, out, _ = run("lint", "-", "--today", "2026-11-23", input=text)
    assert (code, out) == (0, "1 file checked, no findings\n")
    (tmp_path / ".git").mkdir()  # else ../templates is outside, and X304 says only that
    (tmp_path / "acme").mkdir()
    monkeypatch.chdir(tmp_path / "acme")
    code, out, _ = run("lint", "-", input=text)
    assert code == 1
    assert out.startswith("<stdin>:12:10: X301 error: template '../templates/gold.yaml' not found")


def test_stdin_in_sarif_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("lint", "-", "--format", "sarif", input=TAB.read_text())
    assert code == 1
    (artifact,) = json.loads(out)["runs"][0]["artifacts"]
    assert artifact["location"]["uri"] == "%3Cstdin%3E"
