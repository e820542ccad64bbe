"""The pre-commit hook, run the way pre-commit runs it: its entry, then the matching files."""

from __future__ import annotations

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
