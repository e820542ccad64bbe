"""`slac render`: saved results back to a statement, and the files it must refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from statement_golden import without_drawings

from slac import __version__
from slac.cli import cli
from slac.plan.canonical import pretty, sha256_of

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
GOLDEN = ROOT / "tests" / "golden" / "statements"
TODAY = ("--today", "2026-11-23")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "results.json"
    code, _, err = run(
        "evaluate", CONTRACT, "--period", "2026-09", "--through", "2026-11", *TODAY, "-o", str(path)
    )
    assert code == 0, err
    return path


def _rewrite(source: Path, target: Path, change: dict[str, object], *, rehash: bool) -> Path:
    data = json.loads(source.read_text("utf-8"))
    data.update(change)
    if rehash:
        data.pop("results_sha256")
        data["results_sha256"] = sha256_of(data)
    target.write_text(pretty(data), encoding="utf-8")
    return target


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_saved_results_render_the_same_statement(saved: Path, fmt: str) -> None:
    code, out, err = run("render", str(saved), "--contract", CONTRACT, "--format", fmt, *TODAY)
    assert code == 0, err
    assert without_drawings(out) == (GOLDEN / f"customer-support.{fmt}").read_text("utf-8")


def test_locale_renders_saved_results_in_german(saved: Path) -> None:
    code, out, err = run("render", str(saved), "--contract", CONTRACT, "--locale", "de", *TODAY)
    assert code == 0, err
    assert out == (GOLDEN / "customer-support.de.md").read_text("utf-8")
    code, _, err = run("render", str(saved), "--contract", CONTRACT, "--locale", "xx", *TODAY)
    assert code == 2 and "use one of en, de" in err


def test_a_clock_only_when_asked_for(saved: Path) -> None:
    _, plain, _ = run("render", str(saved), "--contract", CONTRACT, "--format", "txt", *TODAY)
    code, stamped, err = run(
        "render", str(saved), "--contract", CONTRACT, "--format", "txt", *TODAY, "--timestamp"
    )
    assert code == 0, err
    assert "generated at" not in plain
    assert "generated at 20" in stamped


def test_user_template_renders(saved: Path, tmp_path: Path) -> None:
    template = tmp_path / "mine.txt.j2"
    template.write_text("{{ contract.id }}: {{ total_credit }}\n", encoding="utf-8")
    code, out, err = run("render", str(saved), "--contract", CONTRACT, "--template", str(template))
    assert code == 0, err
    assert out == "acme-support-2026: EUR 1,920.00\n"


def test_a_format_beside_a_template_is_a_usage_error(saved: Path, tmp_path: Path) -> None:
    template = tmp_path / "mine.txt.j2"
    template.write_text("{{ contract.id }}\n", encoding="utf-8")
    code, out, err = run(
        "render", str(saved), "--contract", CONTRACT, "--template", str(template), "--format", "md"
    )
    assert (code, out) == (2, "")
    assert err == "slac: error: --template lays the statement out itself: leave out --format\n"


def test_written_atomically_to_a_file(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "statement.txt"
    code, out, err = run(
        "render", str(saved), "--contract", CONTRACT, "--format", "txt", *TODAY, "-o", str(target)
    )
    assert (code, out) == (0, ""), err
    assert target.read_text("utf-8") == (GOLDEN / "customer-support.txt").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["statement.txt"]


def test_tampered_results_are_refused(saved: Path, tmp_path: Path) -> None:
    tampered = _rewrite(saved, tmp_path / "r.json", {"total_credit": "0.00"}, rehash=False)
    code, out, err = run("render", str(tampered), "--contract", CONTRACT, *TODAY)
    assert (code, out) == (1, "")
    assert "results_sha256 does not match" in err


def test_results_of_another_version_are_refused(saved: Path, tmp_path: Path) -> None:
    other = _rewrite(saved, tmp_path / "r.json", {"slac_version": "0.0.1"}, rehash=True)
    code, _, err = run("render", str(other), "--contract", CONTRACT, *TODAY)
    assert code == 1
    assert f"written by slac 0.0.1, this is slac {__version__}" in err


def test_results_of_another_contract_version_are_refused(saved: Path, tmp_path: Path) -> None:
    other = _rewrite(saved, tmp_path / "r.json", {"plan_sha256": "0" * 64}, rehash=True)
    code, _, err = run("render", str(other), "--contract", CONTRACT, *TODAY)
    assert code == 1
    assert "the contract changed" in err


def test_not_results_at_all(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("{not json", encoding="utf-8")
    code, _, err = run("render", str(path), "--contract", CONTRACT, *TODAY)
    assert code == 1
    assert "not JSON results" in err
    assert "Traceback" not in err


def test_missing_files_are_usage_errors(saved: Path) -> None:
    assert run("render", "nowhere.json", "--contract", CONTRACT)[0] == 2
    assert run("render", str(saved), "--contract", "nowhere.yaml")[0] == 2
