"""The public Python API: one result shape, everything public listed and documented."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import slac.api
from slac import api

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "data" / "lint" / "good" / "contract.yaml"
TAB = ROOT / "tests" / "data" / "lint" / "bad" / "tab.yaml"
SUPPORT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
# Look-ups and conversions that cannot fail return their data, not a Result.
CONVERTERS = {
    "rule_catalog",
    "plan_document",
    "results_document",
    "test_report",
    "default_ledger",
    "statement_locales",
}


def _public_functions() -> dict[str, object]:
    return {
        name: value
        for name, value in vars(slac.api).items()
        if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == "slac.api"
    }


def test_every_public_function_is_in_all_and_documented() -> None:
    functions = _public_functions()
    assert set(functions) <= set(api.__all__), set(functions) - set(api.__all__)
    for name in api.__all__:
        value = getattr(api, name)
        assert (value.__doc__ or "").strip(), f"slac.api.{name} has no docstring"


def test_every_operation_returns_a_result() -> None:
    for name, function in _public_functions().items():
        returned = typing.get_type_hints(function)["return"]
        if name in CONVERTERS:
            assert typing.get_origin(returned) is not api.Result, name
        else:
            assert typing.get_origin(returned) is api.Result, f"{name} returns {returned}"


def test_a_missing_path_is_not_a_success() -> None:
    result = api.lint(["typo"])
    assert not result.ok
    assert result.missing == ("typo",)
    assert result.value == ()
    assert api.lint([str(GOOD), "typo"]).missing == ("typo",)


def test_ok_value_and_diagnostics() -> None:
    clean = api.lint([str(GOOD)])
    assert clean.ok and clean.value == (str(GOOD),) and clean.diagnostics == []
    broken = api.lint([str(TAB)])
    assert not broken.ok
    assert [d.code for d in broken.diagnostics] == ["L002"]
    compiled = api.compile_plan(str(TAB))
    assert (compiled.ok, compiled.value, compiled.errors) == (False, None, ())
    assert [d.code for d in compiled.diagnostics] == ["L002"]
    explained = api.explain(SUPPORT, fmt="md")
    assert explained.ok and explained.value is not None
    assert explained.value.startswith("# Support Services SLA - ACME GmbH")


def test_errors_say_what_stopped_an_operation(tmp_path: Path) -> None:
    tickets = str(Path(SUPPORT).parent / "data" / "tickets.csv")
    evaluated = api.evaluate(SUPPORT, data=["ticket=" + tickets])
    assert not evaluated.ok and evaluated.value is None
    assert evaluated.errors and evaluated.report.ok  # the contract itself is fine
    # A path that does not exist is a usage error, as for a contract's path.
    absent = str(tmp_path / "none-*.csv")
    evaluated = api.evaluate(SUPPORT, data=["tickets=" + absent])
    assert evaluated.value is None and evaluated.report.missing == (absent,)
    assert api.statement(str(TAB)).errors == ("the contract has lint errors",)


def test_results_are_frozen() -> None:
    result = api.lint([str(GOOD)])
    try:
        result.value = ()  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Result is not frozen")
