"""Checking many files in several processes gives the report one process gives, in order."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from slac.contract.checker import Checker, CheckReport
from slac.kinds import KINDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 23)


def _repository(root: Path, count: int) -> tuple[list[str], list[str]]:
    """``count`` contracts in a repository-like folder: most valid with their own ids, some
    with an id an earlier one has (P101 depends on the order), some with findings or YAML
    errors, and YAML files that are not slac documents (skipped)."""
    (root / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLES / "templates", root / "templates")
    sources = sorted(EXAMPLES.glob("*/contract.yaml"))
    expected, duplicates, kept_ids = [], [], set()
    for i in range(count):
        text = sources[i % len(sources)].read_text("utf-8")
        if i % 5 == 1 and i % 17 != 8 and i % 13 != 6:  # the example's id (loads): twice, P101
            if i % len(sources) in kept_ids:
                duplicates.append(str(root / f"c{i:03d}" / "contract.yaml"))
            kept_ids.add(i % len(sources))
        else:
            text = re.sub(r"^id: *(\S+)", rf"id: \g<1>-{i}", text, count=1, flags=re.M)
        if i % 11 == 5:
            text = text.replace("timezone:", "timezone: Mars/Olympus_Mons\nx_zone:", 1)
        if i % 13 == 6:
            text = text.replace("\nkind:", "\nkind: contract\nkind:", 1)  # duplicate key
        if i % 17 == 8:
            text += "\n  broken: [\n"
        folder = root / f"c{i:03d}"
        folder.mkdir()
        (folder / "contract.yaml").write_text(text, "utf-8")
        expected.append(str(folder / "contract.yaml"))
        if i % 9 == 0:
            (folder / "ci.yml").write_text("on: push\njobs: {}\n", "utf-8")
    expected += sorted(str(p) for p in (root / "templates").glob("*.yaml"))  # checked too
    return expected, duplicates


def _check(root: Path, jobs: int, *, keep_contracts: bool = False) -> CheckReport:
    checker = Checker(KINDS, TODAY, jobs=jobs)
    return checker.check_paths([str(root)], keep_contracts=keep_contracts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    root = tmp_path_factory.mktemp("many") / "repo"
    return root, *_repository(root, 40)


def test_processes_give_the_report_of_one_process(
    corpus: tuple[Path, list[str], list[str]],
) -> None:
    root, _, _ = corpus
    one = _check(root, 1)
    assert _check(root, 2) == one
    assert _check(root, 3) == one
    # Keeping the typed contracts (always one process) finds the same.
    kept = _check(root, 2, keep_contracts=True)
    assert [(f.path, f.diagnostics) for f in kept.files] == [
        (f.path, f.diagnostics) for f in one.files
    ]
    assert all(f.contract is None for f in one.files)
    codes = {d.code for d in one.diagnostics}
    assert {"P101", "L003", "L001"} <= codes  # the corpus exercises cross-file and load findings


def test_processes_keep_the_order_of_the_files(corpus: tuple[Path, list[str], list[str]]) -> None:
    root, expected, duplicates = corpus
    report = _check(root, 2)
    assert [f.path for f in report.files] == expected
    assert report.skipped == tuple(sorted(str(p) for p in root.glob("*/ci.yml")))
    # P101 goes to the later file of each pair: the first with the example's id is not told.
    told = [f.path for f in report.files if any(d.code == "P101" for d in f.diagnostics)]
    assert told == duplicates != []


def test_jobs_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = Checker(KINDS, TODAY)
    monkeypatch.setenv("SLAC_JOBS", "1")
    assert checker.jobs_for(1000) == 1
    monkeypatch.setenv("SLAC_JOBS", "3")
    assert checker.jobs_for(1000) == 3
    assert checker.jobs_for(2) == 2  # never more processes than files
    monkeypatch.delenv("SLAC_JOBS")
    assert checker.jobs_for(3) == 1  # a few files: not worth starting processes
    assert Checker(KINDS, TODAY, jobs=1).jobs_for(1000) == 1
