"""The command line: options → one API call → a reporter → an exit code. Nothing else.

Options that several commands take are declared once (:mod:`.common`); the commands that
review contracts (test, diff, simulate, init) are in :mod:`.review`.
"""

from __future__ import annotations

import os
import sys
from datetime import date

import click

from slac import __version__, api
from slac.cli import ledger, review
from slac.cli.common import (
    as_of_opt,
    check_layout,
    check_range,
    contract_argument,
    contracts_argument,
    data_sources,
    emit,
    emit_rendered,
    engine_opt,
    existing_files,
    fail_usage,
    format_option,
    found_none,
    history_ledger,
    jobs_opt,
    ledger_option,
    ledger_read,
    locale_opt,
    on_bad_rows_opt,
    output_option,
    period_range,
    portfolio_evaluate,
    progress,
    refuse_portfolio_engine,
    show_errors,
    show_findings,
    single_contract,
    statement_format_opt,
    template_opt,
    timestamp_opt,
    today_option,
)
from slac.contract.discovery import NOT_A_SLAC_DOCUMENT
from slac.diagnostics import ExitCode, Severity
from slac.evaluation.asof import AsOf
from slac.files import OutputError
from slac.plan.canonical import pretty
from slac.reporters import OutputFormat, render, repository_root

# ---------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slac")
def cli() -> None:
    """slac: write, check, compile and evaluate service level agreements."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@format_option(
    tuple(f.value for f in OutputFormat),
    OutputFormat.TEXT.value,
    "Output format: text for people, the others for CI.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@today_option(hidden=False)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "--docs-url",
    default=None,
    metavar="URL",
    help="Where slac's docs/ folder is published, for the rule links in SARIF "
    "(default: the Documentation URL of the installed slac).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Name each YAML file skipped as not a slac document."
)
def lint(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    today: date | None,
    color: bool | None,
    docs_url: str | None,
    verbose: bool,
) -> None:
    """Check contracts, templates and bindings files (files, or folders searched for *.yaml
    and *.yml; - reads a contract from standard input).

    YAML files that are not slac documents (no top-level `slac:` key, `bindings: 1` line or
    slac `$schema` modeline) are skipped, so that a repository's other YAML files pass.

    Exit status: 0 clean (warnings allowed), 1 findings of error severity (or warnings with
    --strict), 2 a path that does not exist or cannot be read, or folders without a contract.
    """
    result = api.lint(paths, today=today, keep_contracts=False)  # findings are all it shows
    report = result.report
    for path in report.missing:
        click.echo(f"slac: error: no such file or folder: {path}", err=True)
    diags = report.diagnostics
    unreadable = [d for d in diags if d.code == "L000"]
    if report.missing and not report.files:
        sys.exit(ExitCode.USAGE)
    if not report.files and not report.skipped:
        fail_usage(f"no contract files (*.yaml, *.yml) found in: {', '.join(paths)}")
    named_files = [p for p in paths if not os.path.isdir(p)]
    if not report.files and not named_files:
        # A CI job pointed at the wrong folder must not pass by checking nothing.
        fail_usage(f"no slac documents (contracts, templates, bindings) in: {', '.join(paths)}")
    if verbose or not report.files:
        for path in report.skipped:
            click.echo(f"slac: skipped {path}: {NOT_A_SLAC_DOCUMENT}", err=True)
    use_color = _wants_color() if color is None else color
    out = render(
        OutputFormat(fmt),
        diags,
        rules=api.rule_catalog(),
        files=[f.path for f in report.files],
        tool_version=__version__,
        color=use_color and fmt == OutputFormat.TEXT,
        strict=strict,
        skipped=report.skipped,
        source_root=repository_root(os.getcwd()) or os.getcwd(),
        docs_url=docs_url or _documentation_url(),
    )
    # click.echo strips colour when stdout is not a terminal unless told: --color is for pipes.
    click.echo(out, nl=False, color=use_color)
    if report.missing or unreadable:
        sys.exit(ExitCode.USAGE)
    worst = max((d.severity.rank for d in diags), default=-1)
    if worst >= Severity.ERROR.rank or (strict and worst >= Severity.WARNING.rank):
        sys.exit(ExitCode.FINDINGS)
    sys.exit(ExitCode.OK)


def _wants_color() -> bool:
    # https://no-color.org: a non-empty NO_COLOR turns colour off unless --color asks for it.
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _documentation_url() -> str | None:
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls: list[str] = metadata("slac").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation":
            return url.strip()
    return None


@cli.command()
@format_option(("text", "md"), "text")
def rules(fmt: str) -> None:
    """List every finding code slac can report, with its meaning."""
    from slac.docs import rules_markdown, rules_text

    catalog = api.rule_catalog()
    click.echo(rules_markdown(catalog) if fmt == "md" else rules_text(catalog), nl=False)


@cli.command()
@click.argument("name", type=click.Choice(["contract", "plan", "results", "bindings", "tests"]))
def schema(name: str) -> None:
    """Print a published JSON Schema (for editors and other tools)."""
    from slac.contract.schema import schema_text

    click.echo(schema_text(name), nl=False)


@cli.command(name="compile")
@click.argument("contract")
@output_option("the plan")
@today_option()
@click.option(
    "--sql",
    "dialect",
    type=click.Choice(["duckdb", "postgres", "spark", "trino", "bigquery", "snowflake"]),
    help="Write the measurement SQL for this warehouse dialect instead of the plan "
    "(docs/warehouse-sql.md); needs --period.",
)
@click.option("--period", help="With --sql: the first month (2026-10), quarter or year.")
@click.option("--through", help="With --sql: the last month, quarter or year.")
@click.option(
    "--table",
    "tables",
    multiple=True,
    metavar="DATASET=TABLE",
    help="With --sql: the table a dataset is read from (default: the dataset's name).",
)
def compile_command(
    contract: str,
    output: str | None,
    today: date | None,
    dialect: str | None,
    period: str | None,
    through: str | None,
    tables: tuple[str, ...],
) -> None:
    """Compile a contract into its evaluation plan (canonical JSON, hashed).

    The contract is linted first: findings of error severity stop compilation (exit 1).
    With --sql DIALECT the output is the SQL script that measures the contract's objectives
    where the data lives: it reads one table per dataset (timestamps as TIMESTAMP WITH TIME
    ZONE) and ends its measurement reads with SELECTs of aggregates per period, objective
    and scope. An objective the dialect cannot express is named (exit 1).
    """
    if dialect is not None:
        if period is None:
            fail_usage("--sql needs --period (the periods are written into the SQL)")
            return
        made = api.warehouse_sql(
            contract, dialect, period=period, through=through, tables=tables, today=today
        )
        if show_findings(made.report, to_stderr=True) or made.value is None:
            show_errors(made.errors)
            sys.exit(ExitCode.FINDINGS)
        emit(made.value, output)
        return
    if period or through or tables:
        fail_usage("--period, --through and --table go with --sql")
    compiled = api.compile_plan(contract, today=today)
    if show_findings(compiled.report, to_stderr=True) or compiled.value is None:
        show_errors(compiled.errors)
        sys.exit(ExitCode.FINDINGS)
    emit(pretty(api.plan_document(compiled.value)), output)


@cli.command(name="explain")
@click.argument("contract")
@format_option(("text", "md"), "text")
@output_option("the explanation")
@today_option()
def explain_command(contract: str, fmt: str, output: str | None, today: date | None) -> None:
    """Explain a contract in plain English, from its compiled plan (text or Markdown).

    The contract is linted first: findings of error severity stop it (exit 1).
    """
    explained = api.explain(contract, fmt=fmt, today=today)
    if show_findings(explained.report, to_stderr=True) or explained.value is None:
        show_errors(explained.errors)
        sys.exit(ExitCode.FINDINGS)
    emit(explained.value, output)


@cli.command(name="evaluate")
@contracts_argument
@data_sources
@period_range
@output_option("the results")
@click.option(
    "--evidence",
    default=None,
    metavar="DIR",
    help="Write each row's outcome to DIR/evidence.parquet.",
)
@on_bad_rows_opt
@as_of_opt
@history_ledger
@engine_opt
@jobs_opt
@click.option("--quiet", is_flag=True, help="No progress messages.")
@today_option()
def evaluate_command(
    contracts: tuple[str, ...],
    data: tuple[str, ...],
    bindings: str | None,
    period: str | None,
    through: str | None,
    output: str | None,
    evidence: str | None,
    on_bad_rows: str,
    as_of: AsOf,
    ledger: str | None,
    no_ledger: bool,
    engine: str,
    jobs: int | None,
    quiet: bool,
    today: date | None,
) -> None:
    """Evaluate contracts over their measurement data: what was met, and what is owed.

    One contract file: its results (to stdout, or -o FILE). Many contracts (files, folders,
    globs: a portfolio): each contract's results to -o DIR/<contract-id>.json, and a
    summary to DIR/_portfolio.json; one that fails is reported and the others are still
    evaluated (docs/portfolios.md).

    Exit status: 0 evaluated, 1 lint errors in a contract or bad data (any contract), 2 usage
    errors.
    """
    check_range(period, through)
    if not single_contract(contracts):
        if evidence is not None:
            fail_usage("--evidence takes one contract")
        refuse_portfolio_engine(engine)
        portfolio_evaluate(
            contracts,
            output,
            api.evaluate_portfolio(
                contracts,
                data=data,
                bindings=bindings,
                period=period,
                through=through,
                on_bad_rows=on_bad_rows,
                today=today,
                progress=progress(quiet),
                as_of=as_of,
                ledger=None if no_ledger else ledger,
                ledgers_beside=not no_ledger and ledger is None,
                jobs=jobs,
            ),
        )
    contract = contracts[0]
    try:
        outcome = api.evaluate(
            contract,
            data=data,
            bindings=bindings,
            period=period,
            through=through,
            on_bad_rows=on_bad_rows,
            evidence=evidence,
            today=today,
            progress=progress(quiet),
            as_of=as_of,
            ledger=ledger_read(contract, ledger, no_ledger),
            engine=engine,
        )
    except OutputError as err:  # --evidence could not be written
        fail_usage(str(err))
    if show_findings(outcome.report, to_stderr=True):
        sys.exit(ExitCode.FINDINGS)
    if outcome.value is None:
        for line in outcome.errors:
            click.echo(f"slac: error: {line}" if not line.startswith(" ") else line, err=True)
        sys.exit(ExitCode.FINDINGS)
    emit(pretty(api.results_document(outcome.value)), output)


@cli.command(name="statement")
@contract_argument
@data_sources
@period_range
@statement_format_opt
@template_opt
@locale_opt
@output_option("the statement")
@on_bad_rows_opt
@as_of_opt
@history_ledger
@engine_opt
@timestamp_opt
@today_option()
def statement_command(
    contract: str,
    data: tuple[str, ...],
    bindings: str | None,
    period: str | None,
    through: str | None,
    fmt: str,
    template: str | None,
    locale: str,
    output: str | None,
    on_bad_rows: str,
    as_of: AsOf,
    ledger: str | None,
    no_ledger: bool,
    engine: str,
    timestamp: bool,
    today: date | None,
) -> None:
    """Evaluate a contract and render its compliance statement (Markdown, HTML or text).

    The statement is rendered from the same results `slac evaluate` writes, and carries the
    plan, contract and data hashes that reproduce it.
    """
    check_range(period, through)
    check_layout(template)
    rendered = api.statement(
        contract,
        fmt=fmt,
        template=template,
        data=data,
        bindings=bindings,
        period=period,
        through=through,
        on_bad_rows=on_bad_rows,
        today=today,
        timestamp=timestamp,
        as_of=as_of,
        ledger=ledger_read(contract, ledger, no_ledger),
        locale=locale,
        engine=engine,
    )
    emit_rendered(rendered, output)


@cli.command(name="render")
@click.argument("results", callback=existing_files)
@click.option(
    "--contract",
    required=True,
    callback=existing_files,
    help="The contract the results were evaluated for.",
)
@statement_format_opt
@template_opt
@locale_opt
@output_option("the statement")
@timestamp_opt
@today_option()
def render_command(
    results: str,
    contract: str,
    fmt: str,
    template: str | None,
    locale: str,
    output: str | None,
    timestamp: bool,
    today: date | None,
) -> None:
    """Render saved results (from `slac evaluate -o`) as a compliance statement.

    Results changed after slac wrote them, from another slac version, or evaluated with a
    different version of the contract are refused.
    """
    check_layout(template)
    rendered = api.render_saved(
        results,
        contract,
        fmt=fmt,
        template=template,
        today=today,
        timestamp=timestamp,
        locale=locale,
    )
    emit_rendered(rendered, output)


@cli.command(name="credits")
@contracts_argument
@period_range
@format_option(("csv", "json"), "csv")
@output_option("the ledger")
@on_bad_rows_opt
@as_of_opt
@ledger_option("Closed months come from it as issued; the others are drafts. Default: none.")
@engine_opt
@jobs_opt
@today_option()
def credits_command(
    contracts: tuple[str, ...],
    period: str | None,
    through: str | None,
    fmt: str,
    output: str | None,
    on_bad_rows: str,
    as_of: AsOf,
    ledger: str | None,
    engine: str,
    jobs: int | None,
    today: date | None,
) -> None:
    """The service-credit ledger of a portfolio for finance: one row per line of each
    month's credit note (contracts: files, folders, globs; each contract's data from the
    bindings.yaml beside it). A contract that fails is named (exit 1) and left out; the
    others are exported.

    A note's credit lines and its adjustments (cap, pool, combine, minimum, override,
    rounding) add up to the credit issued, rounded once by the contract's rule. Each cell
    holds one value; text a spreadsheet would run as a formula is neutralised; amounts are
    numbers in the currency's minor unit.

    With --ledger, the months closed there are taken as stored at their close (state closed,
    note CN-CONTRACT-YYYYMM, -R2 after a reopen), never evaluated again; the others are
    evaluated now (state draft, note …-DRAFT), as known at --as-of. --engine spark evaluates
    one contract on Spark (docs/engines.md).
    """
    check_range(period, through)
    if engine != "duckdb" and not single_contract(contracts):
        refuse_portfolio_engine(engine)
    exported = api.credits_ledger(
        contracts,
        period=period,
        through=through,
        fmt=fmt,
        on_bad_rows=on_bad_rows,
        today=today,
        ledger=ledger,
        as_of=as_of,
        engine=engine,
        jobs=jobs,
    )
    show_findings(exported.report, to_stderr=True)
    found_none(exported.report, contracts)
    # A contract that failed is left out, and named: the others are exported all the same.
    if exported.value is not None:
        emit(exported.value, output)
    show_errors(exported.errors)
    if exported.errors:
        sys.exit(ExitCode.FINDINGS)


for _command in (
    review.test_command,
    review.diff_command,
    review.simulate_command,
    review.init_command,
    ledger.close_command,
    ledger.override_command,
    ledger.history_command,
):
    cli.add_command(_command)
