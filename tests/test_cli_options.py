"""Every option of every command does what it says: each has a test, named in ``TESTED``.

A new option (or argument) without an entry fails `test_every_option_has_a_test`, so an
option that is accepted and silently ignored cannot reach a release untested. The tests
for options several commands share, and for `--help` and `--version`, live here too.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from slac import __version__
from slac.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "evaluate"  # review due 2027-06-30; data in October 2026
SMALL_CONTRACT = str(SMALL / "contract.yaml")

CLI = "tests/test_cli.py"
OPTIONS = "tests/test_cli_options.py"
PLANS = "tests/plan/test_plans.py"
EXPLAIN = "tests/plan/test_explain.py"
EVALUATE = "tests/evaluation/test_cli_evaluate.py"
BAD_DATA = "tests/evaluation/test_bad_data.py"
AS_OF = "tests/evaluation/test_as_of.py"
PORTFOLIO = "tests/test_portfolio.py"
STATEMENT = "tests/documents/test_statement_cli.py"
RENDER = "tests/documents/test_render_cli.py"
CREDITS = "tests/documents/test_credits_cli.py"
DISCOVERY = "tests/contract/test_discovery.py"
WORKED = "tests/review/test_examples_cli.py"
DIFF = "tests/review/test_diff_cli.py"
SIMULATE = "tests/review/test_simulate_cli.py"
INIT = "tests/contract/test_init_cli.py"
LEDGER = "tests/ledger/test_close_cli.py"
SPARK = "tests/evaluation/test_spark_differential.py"

HELP = f"{OPTIONS}::test_help_on_every_command"
TODAY = f"{OPTIONS}::test_today_fixes_the_day_review_dates_are_judged_by"

# (command, parameter as spelled on the command line) → the test that shows it works.
WAREHOUSE = "tests/warehouse/test_warehouse_sql.py"
TESTED: dict[tuple[str, str], str] = {
    ("slac", "--version"): f"{OPTIONS}::test_version",
    ("slac", "--help"): HELP,
    ("lint", "paths"): f"{CLI}::test_bad_input_gives_a_positioned_finding_and_exit_1",
    ("lint", "--format"): f"{CLI}::test_json_format",
    ("lint", "--strict"): f"{CLI}::test_warnings_pass_unless_strict",
    ("lint", "--today"): TODAY,
    ("lint", "--color"): f"{CLI}::test_color_on_request_even_in_a_pipe",
    ("lint", "--docs-url"): f"{CLI}::test_sarif_uris_are_relative_to_the_repository_root",
    ("lint", "--verbose"): f"{DISCOVERY}::test_verbose_names_every_skipped_file",
    ("lint", "--help"): HELP,
    ("rules", "--format"): f"{CLI}::test_docs_rules_md_is_current",
    ("rules", "--help"): HELP,
    ("schema", "name"): f"{CLI}::test_schema_command_prints_the_published_schema",
    ("schema", "--help"): HELP,
    ("compile", "contract"): f"{PLANS}::test_compilation_is_deterministic_across_processes",
    ("compile", "--output"): f"{PLANS}::test_compile_writes_the_plan_to_a_file",
    ("compile", "--today"): TODAY,
    ("compile", "--sql"): f"{WAREHOUSE}::test_cli_writes_the_postgres_script",
    ("compile", "--period"): f"{WAREHOUSE}::test_cli_sql_needs_a_period_and_period_needs_sql",
    ("compile", "--through"): f"{WAREHOUSE}::test_cli_sql_needs_a_period_and_period_needs_sql",
    ("compile", "--table"): f"{WAREHOUSE}::test_cli_writes_the_postgres_script",
    ("compile", "--help"): HELP,
    ("explain", "contract"): f"{EXPLAIN}::test_cli_explains_an_example",
    ("explain", "--format"): f"{EXPLAIN}::test_cli_markdown_to_a_file",
    ("explain", "--output"): f"{EXPLAIN}::test_cli_markdown_to_a_file",
    ("explain", "--today"): TODAY,
    ("explain", "--help"): HELP,
    ("evaluate", "contracts"): (
        f"{PORTFOLIO}::test_a_folder_of_contracts_gives_each_the_results_it_gets_alone"
    ),
    ("evaluate", "--data"): f"{EVALUATE}::test_data_option_overrides_a_binding",
    ("evaluate", "--bindings"): (
        f"{EVALUATE}::test_bindings_option_replaces_the_file_beside_the_contract"
    ),
    ("evaluate", "--period"): f"{EVALUATE}::test_period_and_through_choose_the_months",
    ("evaluate", "--through"): f"{EVALUATE}::test_period_and_through_choose_the_months",
    ("evaluate", "--output"): f"{EVALUATE}::test_output_file_is_written_atomically",
    ("evaluate", "--evidence"): f"{EVALUATE}::test_evidence_file_has_every_outcome",
    ("evaluate", "--engine"): f"{SPARK}::test_cli_evaluates_and_states_on_spark",
    (
        "evaluate",
        "--jobs",
    ): f"{PORTFOLIO}::test_any_number_of_jobs_evaluates_each_contract_as_alone",
    ("close", "--jobs"): f"{PORTFOLIO}::test_close_on_several_jobs_writes_each_ledger_once",
    ("credits", "--jobs"): f"{PORTFOLIO}::test_credits_on_several_jobs_equal_credits_on_one",
    ("statement", "--engine"): f"{SPARK}::test_cli_evaluates_and_states_on_spark",
    ("close", "--engine"): f"{SPARK}::test_close_and_credits_on_spark_give_the_rows_of_duckdb",
    ("credits", "--engine"): f"{SPARK}::test_close_and_credits_on_spark_give_the_rows_of_duckdb",
    ("evaluate", "--on-bad-rows"): f"{BAD_DATA}::test_exclude_leaves_bad_rows_out_and_lists_them",
    ("evaluate", "--as-of"): f"{AS_OF}::test_an_instant_judges_october_with_what_was_known_then",
    ("statement", "--as-of"): f"{AS_OF}::test_the_statement_is_judged_as_of_the_instant_given",
    ("close", "--as-of"): f"{AS_OF}::test_a_close_records_what_it_knew",
    ("credits", "--as-of"): f"{AS_OF}::test_the_credit_export_is_evaluated_as_of_the_instant_given",
    ("evaluate", "--quiet"): f"{EVALUATE}::test_progress_only_for_a_person_at_a_terminal",
    ("evaluate", "--today"): TODAY,
    ("evaluate", "--help"): HELP,
    ("statement", "contract"): f"{STATEMENT}::test_statement_matches_the_golden_file",
    ("statement", "--data"): f"{STATEMENT}::test_data_option_overrides_a_binding",
    ("statement", "--bindings"): (
        f"{STATEMENT}::test_bindings_option_replaces_the_file_beside_the_contract"
    ),
    ("statement", "--period"): f"{STATEMENT}::test_period_and_through_choose_the_months",
    ("statement", "--through"): f"{STATEMENT}::test_period_and_through_choose_the_months",
    ("statement", "--format"): f"{STATEMENT}::test_statement_matches_the_golden_file",
    ("statement", "--template"): f"{STATEMENT}::test_user_template_renders",
    ("statement", "--output"): f"{STATEMENT}::test_written_atomically_to_a_file",
    ("statement", "--on-bad-rows"): (
        f"{STATEMENT}::test_bad_rows_stop_the_statement_unless_excluded"
    ),
    ("statement", "--timestamp"): f"{STATEMENT}::test_a_clock_only_when_asked_for",
    ("statement", "--locale"): f"{STATEMENT}::test_locale_writes_the_statement_in_german",
    ("statement", "--today"): TODAY,
    ("statement", "--help"): HELP,
    ("render", "results"): f"{RENDER}::test_saved_results_render_the_same_statement",
    ("render", "--contract"): f"{RENDER}::test_results_of_another_contract_version_are_refused",
    ("render", "--format"): f"{RENDER}::test_saved_results_render_the_same_statement",
    ("render", "--template"): f"{RENDER}::test_user_template_renders",
    ("render", "--output"): f"{RENDER}::test_written_atomically_to_a_file",
    ("render", "--timestamp"): f"{RENDER}::test_a_clock_only_when_asked_for",
    ("render", "--locale"): f"{RENDER}::test_locale_renders_saved_results_in_german",
    ("render", "--today"): TODAY,
    ("render", "--help"): HELP,
    ("credits", "contracts"): f"{CREDITS}::test_portfolio_ledger_matches_the_golden_export",
    ("credits", "--period"): f"{CREDITS}::test_period_and_through_choose_the_months",
    ("credits", "--through"): f"{CREDITS}::test_period_and_through_choose_the_months",
    ("credits", "--format"): f"{CREDITS}::test_json_format_and_output_file",
    ("credits", "--output"): f"{CREDITS}::test_json_format_and_output_file",
    ("credits", "--on-bad-rows"): f"{CREDITS}::test_bad_rows_stop_the_ledger_unless_excluded",
    ("credits", "--today"): TODAY,
    ("credits", "--help"): HELP,
    ("credits", "--ledger"): f"{LEDGER}::test_closed_months_are_never_recomputed",
    ("evaluate", "--ledger"): f"{LEDGER}::test_evaluate_reads_the_months_closed_before",
    ("evaluate", "--no-ledger"): f"{LEDGER}::test_evaluate_reads_the_months_closed_before",
    ("statement", "--ledger"): f"{LEDGER}::test_the_ledger_beside_the_contract_is_read_by_default",
    (
        "statement",
        "--no-ledger",
    ): f"{LEDGER}::test_the_ledger_beside_the_contract_is_read_by_default",
    ("close", "contracts"): (
        f"{PORTFOLIO}::test_close_closes_the_good_contracts_each_in_its_transaction"
    ),
    ("close", "--period"): f"{LEDGER}::test_only_months_are_closed",
    ("close", "--ledger"): f"{LEDGER}::test_close_records_the_month_once",
    ("close", "--by"): f"{LEDGER}::test_close_records_the_month_once",
    ("close", "--reopen"): f"{LEDGER}::test_reopen_needs_a_reason_and_adds_a_revision",
    ("close", "--reason"): f"{LEDGER}::test_reopen_needs_a_reason_and_adds_a_revision",
    ("close", "--data"): f"{LEDGER}::test_close_takes_the_data_options_of_evaluate",
    ("close", "--bindings"): f"{LEDGER}::test_close_takes_the_data_options_of_evaluate",
    ("close", "--quiet"): f"{LEDGER}::test_close_takes_the_data_options_of_evaluate",
    ("close", "--on-bad-rows"): f"{LEDGER}::test_close_stops_on_bad_rows_unless_excluded",
    ("close", "--today"): f"{LEDGER}::test_today_judges_review_dates_in_the_ledger_commands",
    ("close", "--help"): HELP,
    ("override", "contract"): f"{LEDGER}::test_overrides_are_append_only_and_exported",
    ("override", "--period"): f"{LEDGER}::test_overrides_are_append_only_and_exported",
    ("override", "--target"): f"{LEDGER}::test_override_mistakes_are_refused",
    ("override", "--action"): f"{LEDGER}::test_override_mistakes_are_refused",
    ("override", "--value"): f"{LEDGER}::test_history_and_override_values_are_written",
    ("override", "--reason"): f"{LEDGER}::test_overrides_are_append_only_and_exported",
    ("override", "--by"): f"{LEDGER}::test_overrides_are_append_only_and_exported",
    ("override", "--ledger"): f"{LEDGER}::test_overrides_are_append_only_and_exported",
    ("override", "--today"): f"{LEDGER}::test_today_judges_review_dates_in_the_ledger_commands",
    ("override", "--help"): HELP,
    ("history", "contract"): f"{LEDGER}::test_history_is_deterministic",
    ("history", "--ledger"): f"{LEDGER}::test_history_is_deterministic",
    ("history", "--format"): f"{LEDGER}::test_history_is_deterministic",
    ("history", "--output"): f"{LEDGER}::test_history_and_override_values_are_written",
    ("history", "--today"): f"{LEDGER}::test_today_judges_review_dates_in_the_ledger_commands",
    ("history", "--help"): HELP,
    ("test", "paths"): f"{WORKED}::test_a_contract_path_finds_its_worked_examples",
    ("test", "--format"): f"{WORKED}::test_junit_has_one_case_per_example_and_the_failure_text",
    ("test", "--output"): f"{WORKED}::test_junit_written_to_a_file",
    ("test", "--help"): HELP,
    ("diff", "versions"): f"{DIFF}::test_diff_matches_the_golden_file",
    ("diff", "--rev"): f"{DIFF}::test_git_revisions_read_the_contract_and_its_templates",
    ("diff", "--format"): f"{DIFF}::test_diff_matches_the_golden_file",
    ("diff", "--output"): f"{DIFF}::test_markdown_to_a_file",
    ("diff", "--today"): f"{DIFF}::test_today_fixes_the_day_review_dates_are_judged_by",
    ("diff", "--help"): HELP,
    ("simulate", "contract"): f"{SIMULATE}::test_simulation_matches_the_golden_file",
    (
        "simulate",
        "--period",
    ): f"{SIMULATE}::test_an_outage_gives_the_availability_and_credit_worked_out_by_hand",
    (
        "simulate",
        "--attainment",
    ): f"{SIMULATE}::test_attainment_two_points_below_every_target_hits_the_cap",
    (
        "simulate",
        "--outage",
    ): f"{SIMULATE}::test_an_outage_gives_the_availability_and_credit_worked_out_by_hand",
    (
        "simulate",
        "--no-data",
    ): f"{SIMULATE}::test_no_data_reports_what_each_kind_reports_without_rows",
    ("simulate", "--format"): f"{SIMULATE}::test_simulation_matches_the_golden_file",
    ("simulate", "--output"): f"{SIMULATE}::test_written_to_a_file",
    ("simulate", "--today"): f"{SIMULATE}::test_today_fixes_the_day_review_dates_are_judged_by",
    ("simulate", "--help"): HELP,
    ("init", "--template"): f"{INIT}::test_the_new_contract_passes_lint_strict_and_compiles",
    ("init", "--id"): f"{INIT}::test_the_new_contract_passes_lint_strict_and_compiles",
    ("init", "--output"): f"{INIT}::test_the_new_contract_passes_lint_strict_and_compiles",
    ("init", "--bindings"): f"{INIT}::test_the_bindings_skeleton_names_every_dataset",
    ("init", "--force"): f"{INIT}::test_existing_files_are_kept_unless_forced",
    ("init", "--help"): HELP,
}


def _spelling(param: click.Parameter) -> str:
    # Options by their long name (-o/--output → --output); arguments by their name.
    return max(param.opts, key=len) if isinstance(param, click.Option) else str(param.name)


def _every_param() -> set[tuple[str, str]]:
    # With the group's settings: click caches each command's help option from the first context.
    group = click.Context(cli, info_name="slac", **cli.context_settings)
    found = {("slac", _spelling(p)) for p in cli.get_params(group)}
    for name, command in cli.commands.items():
        context = click.Context(command, info_name=name, parent=group)
        found |= {(name, _spelling(p)) for p in command.get_params(context)}  # hidden ones too
    return found


@cache
def _test_names(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))


def test_every_option_has_a_test() -> None:
    untested = sorted(_every_param() - TESTED.keys())
    assert not untested, f"add a test for each of these and name it in TESTED: {untested}"
    stale = sorted(TESTED.keys() - _every_param())
    assert not stale, f"TESTED names parameters no command has: {stale}"


def test_the_tests_named_exist() -> None:
    missing = []
    for where in sorted(set(TESTED.values())):
        path, name = where.split("::")
        if name not in _test_names(path):
            missing.append(where)
    assert not missing


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="slac", catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    assert run("--version") == (0, f"slac, version {__version__}\n", "")


@pytest.mark.parametrize("command", ["", *sorted(cli.commands)])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_on_every_command(command: str, flag: str) -> None:
    code, out, err = run(*([command] if command else []), flag)
    assert (code, err) == (0, "")
    assert out.startswith(f"Usage: slac {command}".rstrip() + " [OPTIONS]")


def _args(command: str, tmp_path: Path) -> list[str]:
    """The small contract, in the form each command takes it (render: its saved results)."""
    if command in ("lint", "compile", "explain"):
        return [command, SMALL_CONTRACT]
    if command != "render":
        return [command, SMALL_CONTRACT, "--period", "2026-10"]
    saved = tmp_path / "results.json"
    code, _, err = run("evaluate", SMALL_CONTRACT, "--period", "2026-10", "-o", str(saved))
    assert code == 0, err
    return ["render", str(saved), "--contract", SMALL_CONTRACT]


@pytest.mark.parametrize(
    "command", ["lint", "compile", "explain", "evaluate", "statement", "render", "credits"]
)
def test_today_fixes_the_day_review_dates_are_judged_by(command: str, tmp_path: Path) -> None:
    # The review is due on 2027-06-30: overdue (a warning, R702) only on a later day.
    args = _args(command, tmp_path)
    code, early_out, early_err = run(*args, "--today", "2027-06-30")
    assert code == 0, early_err
    assert "R702" not in early_out + early_err
    code, late_out, late_err = run(*args, "--today", "2027-07-01")
    assert code == 0, late_err
    assert "R702 warning: review was due on 2027-06-30 (1 day ago)" in late_out + late_err
    if command != "lint":
        # Only the findings change: what the command writes stays the same.
        assert late_out == early_out
