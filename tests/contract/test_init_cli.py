"""`slac init`: a new contract on a template family, clean under `slac lint --strict`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the template family where `slac init` looks for it by name."""
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "examples" / "templates")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("template", ["gold", "silver", "bronze"])
def test_the_new_contract_passes_lint_strict_and_compiles(project: Path, template: str) -> None:
    (project / "acme").mkdir()  # like every output, into a folder that exists
    code, _, err = run(
        "init", "--template", template, "--id", "acme-support", "-o", "acme/contract.yaml"
    )
    assert code == 0, err
    assert err == "slac: wrote acme/contract.yaml and acme/bindings.yaml\n"
    text = (project / "acme" / "contract.yaml").read_text("utf-8")
    assert f"extends: ../examples/templates/{template}.yaml" in text
    assert "id: acme-support\n" in text
    code, out, _ = run("lint", "--strict", "acme")
    assert code == 0, out
    code, out, err = run("compile", "acme/contract.yaml")
    assert code == 0, err
    assert '"contract_id": "acme-support"' in out


def test_the_bindings_skeleton_names_every_dataset(project: Path) -> None:
    code, _, _ = run(
        "init", "--template", "gold", "--id", "x", "-o", "c.yaml", "--bindings", "b.yaml"
    )
    assert code == 0
    bindings = (project / "b.yaml").read_text("utf-8")
    assert "  tickets:\n    path: data/tickets.csv" in bindings
    assert "  ticket_pauses:\n" in bindings
    assert not (project / "bindings.yaml").exists()


def test_existing_files_are_kept_unless_forced(project: Path) -> None:
    (project / "contract.yaml").write_text("mine\n")
    code, _, err = run("init", "--template", "gold", "--id", "acme")
    assert code == 2
    assert "contract.yaml exists: use --force to replace it" in err
    assert (project / "contract.yaml").read_text() == "mine\n"
    assert not (project / "bindings.yaml").exists()
    code, _, _ = run("init", "--template", "gold", "--id", "acme", "--force")
    assert code == 0
    assert (project / "contract.yaml").read_text().startswith("# A contract on the gold.yaml")


def test_a_template_by_path_and_usage_errors(project: Path) -> None:
    path = str(project / "examples" / "templates" / "silver.yaml")
    code, _, err = run("init", "--template", path, "--id", "a", "-o", "a.yaml")
    assert code == 0, err
    code, _, err = run("init", "--template", "platinum", "--id", "a", "-o", "b.yaml")
    assert code == 2 and "no template 'platinum'" in err
    code, _, err = run("init", "--template", "gold", "--id", "Not An Id", "-o", "c.yaml")
    assert code == 2 and "--id 'Not An Id'" in err
