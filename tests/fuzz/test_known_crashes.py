"""Crashes found by fuzzing whose fix belongs in code rewritten elsewhere at the time: each
reproducer, reduced by hand from the fuzzers' output, as a strict xfail. Fixing the cause makes
the test pass, which strict xfail reports as a failure: then remove the marker here and the
entry in known.py.
"""

from __future__ import annotations

import shutil
from decimal import InvalidOperation
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac import api
from slac.cli import cli

from .contracts import ROOT
from .harness import TODAY, Timeout, limits
from .known import KNOWN


def _fixed_by(where: str, raises: type[Exception]) -> pytest.MarkDecorator:
    # `raises`: failing any other way (a wrong fix, say) is a real failure, not the known one.
    return pytest.mark.xfail(
        strict=True, raises=raises, reason=f"crashes; the fix belongs in {where}"
    )


def test_every_known_crash_has_its_xfail_test() -> None:
    assert set(KNOWN.values()) <= set(globals())


def test_a_template_is_not_compiled(tmp_path: Path) -> None:
    # KeyError: 'effective' in compile_contract. A template lints clean (it may leave out what
    # a contract supplies), then `slac compile`/`explain`/`evaluate` compile it as a contract.
    path = tmp_path / "template.yaml"
    path.write_text("slac: 1\nkind: template\n", encoding="utf-8")
    plan = api.compile_plan(str(path), today=TODAY).value
    assert plan is None
    for command in ("compile", "explain", "evaluate", "statement", "credits"):
        result = CliRunner().invoke(cli, [command, str(path)], catch_exceptions=False)
        assert result.exit_code == 1, command
        assert f"{path}:2:7: a template (kind: template)" in result.stderr, command


@_fixed_by("slac.contract.extends._id_list (an id must be text to merge by it)", TypeError)
def test_a_list_as_id_under_extends(tmp_path: Path) -> None:
    # TypeError: unhashable type: 'list' in _merge_by_id, before the schema could say that an
    # id is text.
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    path = tmp_path / "acme" / "contract.yaml"
    path.parent.mkdir()
    path.write_text(
        "slac: 1\nextends: ../templates/gold.yaml\nobjectives:\n  - id: [frt-p1]\n",
        encoding="utf-8",
    )
    report = api.lint([str(path)], today=TODAY)
    assert any(d.code.startswith("S2") for d in report.diagnostics)


def _edited_example(tmp_path: Path, example: str, old: str, new: str) -> str:
    """The example contract (templates beside it, as in examples/) with one value changed."""
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    text = (ROOT / "examples" / example / "contract.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / example / "contract.yaml"
    path.parent.mkdir()
    path.write_text(text.replace(old, new), encoding="utf-8")
    return str(path)


@_fixed_by(
    "slac.plan.canonical.money_text (or a bound on money digits in the schema)", InvalidOperation
)
def test_a_27_digit_fee_compiles(tmp_path: Path) -> None:
    # decimal.InvalidOperation: quantizing 27 digits to cents needs 29 digits of precision,
    # one more than the default Decimal context's 28. Lint is clean.
    path = _edited_example(
        tmp_path,
        "hosting-availability",
        'monthly_fee: "25000.00"',
        'monthly_fee: "999999999999999999999999999"',
    )
    plan = api.compile_plan(path, today=TODAY).value
    assert plan is not None
    api.plan_document(plan)


@_fixed_by(
    "slac.plan.explain.money_share (or a bound on percentages in the schema/rules)",
    InvalidOperation,
)
def test_a_27_digit_credit_percentage_is_explained(tmp_path: Path) -> None:
    # decimal.InvalidOperation in money_share: the fee times 10^25 does not fit the Decimal
    # context when rounded to cents. Lint only warns (R604, more than the whole fee).
    path = _edited_example(
        tmp_path,
        "customer-support",
        '{below: "60%", percent: "15%"}',
        '{below: "60%", percent: "999999999999999999999999999%"}',
    )
    text = api.explain(path, today=TODAY).value
    assert text is not None


@_fixed_by(
    "slac.plan.calendars (horizon dates of year < 1000 are not zero-padded) / explain", ValueError
)
def test_a_contract_effective_from_year_1_is_explained(tmp_path: Path) -> None:
    # ValueError: invalid literal for int() with base 10: '1-01' in _country_holidays: the
    # calendar's horizon is written f"{year}-01-01", so year 1 gives '1-01-01', not '0001-01-01'.
    path = _edited_example(
        tmp_path,
        "customer-support",
        "effective: {from: 2026-01-01, to: 2027-12-31}",
        "effective: {from: 0001-01-01, to: 2027-12-31}",
    )
    text = api.explain(path, today=TODAY).value
    assert text is not None


@_fixed_by(
    "slac.evaluation.grids / timegrid (a business-time grid from the earliest item, day by day)",
    Timeout,
)
def test_a_ticket_opened_in_the_year_2_is_evaluated_in_seconds(tmp_path: Path) -> None:
    # A hang and a memory bomb: the grid of business time is built from the earliest ticket's
    # start, day by day in Python (0.1 s of CPU per year: a ticket opened in 1900 costs 15 s,
    # one in the year 2 minutes) and bucket by bucket in DuckDB (a ticket opened in 1700: over
    # 5 GB, then OutOfMemoryException). The example's evaluation takes about 1.5 s of CPU.
    (tmp_path / ".git").mkdir()  # a repository, as the examples are: its templates are inside
    shutil.copytree(ROOT / "examples" / "templates", tmp_path / "templates")
    folder = tmp_path / "customer-support"
    shutil.copytree(ROOT / "examples" / "customer-support", folder)
    tickets = folder / "data" / "tickets.csv"
    text = tickets.read_text(encoding="utf-8")
    # SR-24080 is resolved in October 2026 (and counts there: period_membership end).
    row = next(line for line in text.splitlines() if line.startswith("SR-24080,"))
    opened = row.split(",")[1]
    tickets.write_text(text.replace(row, row.replace(opened, "0002-01-01T00:00:00Z")), "utf-8")
    with limits(6):
        outcome = api.evaluate(str(folder / "contract.yaml"), period="2026-10", today=TODAY)
    assert outcome.value is not None
