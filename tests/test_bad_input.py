"""Issue 12's checklist of ordinary mistakes, end to end through the command line: each is a
clear message naming where (file:line:col, file and row, or the option), a non-zero exit, and
never a traceback. (The fuzzers' reproducers are in tests/fuzz/test_fixed_crashes.py, the
bad-data checks in tests/evaluation/test_bad_data.py, Ctrl-C in test_interrupt.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slac.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def support(tmp_path: Path) -> Path:
    """A copy of the customer-support example (its templates beside it, as in examples/)."""
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "examples" / "customer-support", tmp_path / "customer-support")
    return tmp_path / "customer-support"


def _run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _evaluate(support: Path, *args: str | Path) -> Result:
    out = support / "results.json"
    return _run("evaluate", support / "contract.yaml", "--quiet", "-o", out, *args)


def test_a_data_option_for_a_dataset_the_contract_lacks_is_an_error(support: Path) -> None:
    # Was: exit 0, evaluating the bindings file's data for the dataset the user meant.
    done = _evaluate(support, "--data", f"ticket={support / 'data' / 'tickets.csv'}")
    assert done.exit_code == 1
    assert done.stderr == (
        "slac: error: --data ticket: 'ticket' is not a dataset of the contract "
        "(its datasets: ticket_pauses, tickets)\n"
    )
    assert not (support / "results.json").exists()


def test_a_binding_of_a_dataset_no_contract_beside_it_has_is_an_error(support: Path) -> None:
    bindings = support / "bindings.yaml"
    bindings.write_text(bindings.read_text() + "  tickets_old:\n    path: data/tickets.csv\n")
    done = _evaluate(support)
    assert done.exit_code == 1
    line = bindings.read_text().splitlines().index("  tickets_old:") + 1
    assert f"bindings.yaml:{line}:3: B102 error: 'tickets_old' is not a dataset" in done.stderr


def test_a_data_path_that_does_not_exist_is_a_usage_error(support: Path) -> None:
    done = _evaluate(support, "--data", "tickets=nowhere/tickets.csv")
    assert (done.exit_code, done.stderr) == (
        2,
        "slac: error: no such file or folder: nowhere/tickets.csv\n",
    )


def test_a_bindings_file_that_does_not_exist_is_a_usage_error(support: Path) -> None:
    done = _evaluate(support, "--bindings", support / "nowhere.yaml")
    assert done.exit_code == 2
    assert "no such bindings file:" in done.stderr and "nowhere.yaml" in done.stderr


def test_a_misspelt_zone_in_the_bindings_is_named_where_it_is_written(support: Path) -> None:
    # Was: "cannot read the data: Not implemented Error: Unknown TimeZone 'Europe/Berln'!".
    bindings = support / "bindings.yaml"
    text = bindings.read_text()
    assert text.count("    format: csv\n") == 2
    bindings.write_text(text.replace("    format: csv\n", "    timezone: Europe/Berln\n", 1))
    done = _evaluate(support)
    assert done.exit_code == 1
    assert done.stderr == (
        "slac: error: "
        f"{support / 'bindings.yaml'}:7:15: B101 error: unknown time zone 'Europe/Berln' "
        "(did you mean 'Europe/Berlin'?)\n"
    )


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        (
            'below: "60%", percent: "15%"',
            'below: "60%", percent: "-10%"',
            "a percentage here is never negative",
        ),
        (
            'below: "60%", percent: "15%"',
            'below: "60%", percent: "10000%"',
            "at most 4 digits before the point",
        ),
    ],
)
def test_a_negative_or_absurd_credit_percentage_is_refused(
    support: Path, old: str, new: str, hint: str
) -> None:
    # Was: a -10% tier gave a ledger line of -1000.00 while the credit note said "No service
    # credit is owed".
    contract = support / "contract.yaml"
    text = contract.read_text()
    assert text.count(old) == 1
    contract.write_text(text.replace(old, new))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if old in t)
    done = _run("lint", contract)
    assert done.exit_code == 1
    assert f"contract.yaml:{line}:" in done.stdout and "S204 error:" in done.stdout
    assert f"hint: {hint}" in done.stdout
    assert _run("credits", contract).exit_code == 1


def test_the_same_contract_id_in_two_files_checked_together_is_an_error(tmp_path: Path) -> None:
    # Was: no finding, and `slac credits a b` booked both contracts' credits under one id.
    (tmp_path / ".git").mkdir()
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(ROOT / "examples" / "customer-support" / "contract.yaml", tmp_path / name)
    done = _run("lint", tmp_path / "a", tmp_path / "b")
    assert done.exit_code == 1
    second = tmp_path / "b" / "contract.yaml"
    assert f"{second}:13:5: P101 error: contract id 'acme-support-2026' is also the id of " in (
        done.stdout
    )
    assert done.stdout.count("P101") == 1


def test_evidence_on_a_full_disk_is_an_error_and_leaves_nothing(
    support: Path, tmp_path: Path
) -> None:
    # Was: a traceback (duckdb.IOException: No space left on device) out of the COPY.
    import subprocess

    full = tmp_path / "full"
    full.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(full)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("needs a small tmpfs (root)")
    try:
        (full / "fill").write_bytes(b"\0" * 6144)
        done = _evaluate(support, "--evidence", full / "evidence")
        assert done.exit_code == 2
        assert done.stderr.endswith(
            f"slac: error: cannot write {full / 'evidence' / 'evidence.parquet'}: "
            "no space left on the device\n"
        )
        assert sorted(p.name for p in full.rglob("*")) == ["evidence", "fill"]
        assert not (support / "results.json").exists()
    finally:
        subprocess.run(["umount", str(full)], check=True)
