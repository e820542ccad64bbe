"""The pre-commit hook, run the way pre-commit runs it: its entry, then the matching files."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
(HOOK,) = HOOKS


def _run_hook(folder: Path) -> subprocess.CompletedProcess[str]:
    files = sorted(str(p) for p in folder.rglob("*") if re.search(HOOK["files"], p.name))
    assert files, folder
    entry = shlex.split(HOOK["entry"])
    exe = shutil.which(entry[0], path=str(Path(sys.executable).parent))
    command = [exe, *entry[1:]] if exe else [sys.executable, "-m", "slac", *entry[1:]]
    return subprocess.run([*command, *files], capture_output=True, text=True, check=False)


def test_hook_metadata() -> None:
    assert HOOK["id"] == "slac-lint"
    assert HOOK["language"] == "python"
    assert HOOK["entry"].startswith("slac lint")


@pytest.mark.parametrize("folder", ["tests/data/lint/good", "examples"])
def test_hook_passes_good_folders(folder: str) -> None:
    proc = _run_hook(ROOT / folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hook_fails_bad_folder() -> None:
    proc = _run_hook(ROOT / "tests" / "data" / "lint" / "bad")
    assert proc.returncode == 1
    assert "L003 error: duplicate key" in proc.stdout


WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""
COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
    ports: ["5432:5432"]
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=slac", "-c", "user.email=slac@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _scratch_repository(path: Path) -> Path:
    """An ordinary repository: contracts, templates, bindings and other YAML side by side."""
    path.mkdir()
    shutil.copytree(ROOT / "examples" / "templates", path / "templates")
    support = path / "customer-support"
    support.mkdir()
    text = (ROOT / "examples" / "customer-support" / "contract.yaml").read_text("utf-8")
    (support / "contract.yaml").write_text(text, "utf-8")
    shutil.copy(ROOT / "examples" / "customer-support" / "bindings.yaml", support)
    (path / ".github" / "workflows").mkdir(parents=True)
    (path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, "utf-8")
    (path / "docker-compose.yml").write_text(COMPOSE, "utf-8")
    _git(path, "init", "-q")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "contracts")
    return path


def _try_repo(repository: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), HOOK["id"], "--all-files"],
        cwd=repository,
        capture_output=True,
        text=True,
        # Its own cache: pre-commit builds the hook's environment (pip-installs slac) there.
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"},
        check=False,
        timeout=900,
    )


def test_try_repo_in_an_ordinary_repository(tmp_path: Path) -> None:
    # As a new user would: `pre-commit try-repo` installs the hook from this repository (its
    # HEAD, or the working tree when it has changes) and runs it on every file of theirs.
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit works on git repositories only")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git repository: pre-commit try-repo installs from one")
    repository = _scratch_repository(tmp_path / "repo")
    home = tmp_path / "pre-commit-home"

    passed = _try_repo(repository, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"slac lint\.+Passed", passed.stdout), passed.stdout

    bad = repository / "customer-support" / "contract.yaml"
    bad.write_text(
        bad.read_text("utf-8").replace("timezone: Europe/Berlin", "timezon: x", 1), "utf-8"
    )
    _git(repository, "add", "-A")
    failed = _try_repo(repository, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"slac lint\.+Failed", failed.stdout), failed.stdout
    assert "customer-support/contract.yaml:23:1: S201 error: unknown key 'timezon'" in failed.stdout
    assert "ci.yml" not in failed.stdout and "docker-compose" not in failed.stdout
