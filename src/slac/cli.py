"""The command line: options → one API call → a reporter → an exit code. Nothing else.

Options that several commands take are declared once, in the first part of this module, with
the checks of their values, so that they read and behave the same in every command.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from slac import __version__, api
from slac.contract.checker import CheckReport
from slac.contract.discovery import NOT_A_SLAC_DOCUMENT
from slac.diagnostics import ExitCode, Severity
from slac.evaluation.evaluate import Progress
from slac.files import OutputError, write_output
from slac.plan.canonical import pretty
from slac.reporters import OutputFormat, render, repository_root

FC = TypeVar("FC", bound=Callable[..., Any])
PERIOD_RE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?")
STATEMENT_FORMATS = ("md", "html", "txt", "pdf", "credit-note")


def _fail_usage(message: str) -> None:
    click.echo(f"slac: error: {message}", err=True)
    sys.exit(ExitCode.USAGE)


# ---------------------------------------------------------------- options shared by commands
# Their callbacks stop with slac's own one-line errors (`slac: error: …`), not click's usage.


def _existing_files(
    ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...]
) -> str | tuple[str, ...]:
    for path in (value,) if isinstance(value, str) else value:
        if not os.path.isfile(path):
            _fail_usage(f"no such file: {path}")
    return value


def _as_date(ctx: click.Context, param: click.Parameter, value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _a_period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not PERIOD_RE.fullmatch(value):
        _fail_usage(f"{param.opts[0]} {value!r} is not a period: write 2026-10, 2026-Q4 or 2026")
    return value


def _data_items(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    for item in value:
        if "=" not in item:
            _fail_usage(f"--data takes NAME=PATH, got {item!r}")
    return value


def _bindings_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not os.path.isfile(value):
        _fail_usage(f"no such bindings file: {value}")
    return value


def _template_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not os.path.isfile(value):
        # A template problem, like one that does not parse: exit 1, naming it.
        click.echo(f"slac: error: template not found: {value}", err=True)
        sys.exit(ExitCode.FINDINGS)
    return value


def _format(choices: tuple[str, ...], default: str, help: str | None = None) -> Callable[[FC], FC]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help,
    )


def _output(what: str) -> Callable[[FC], FC]:
    return click.option(
        "-o", "--output", default=None, help=f"Write {what} here (default, or -: stdout)."
    )


def _today(*, hidden: bool = True) -> Callable[[FC], FC]:
    # Hidden where it only fixes lint's review-date warnings printed before the output.
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=_as_date,
        hidden=hidden,
        help="Judge review dates as of this date (YYYY-MM-DD) for reproducible CI runs.",
    )


def _contract_argument(f: FC) -> FC:
    return click.argument("contract", callback=_existing_files)(f)


_period = click.option(
    "--period",
    default=None,
    callback=_a_period,
    help="First period: 2026-10 (month), 2026-Q4 or 2026. Default: every month the data covers.",
)
_through = click.option(
    "--through", default=None, callback=_a_period, help="Last period, inclusive."
)
_data = click.option(
    "--data",
    "data",
    multiple=True,
    metavar="NAME=PATH",
    callback=_data_items,
    help="Bind a dataset to files (globs allowed); repeatable.",
)
_bindings = click.option(
    "--bindings",
    default=None,
    callback=_bindings_file,
    help="A bindings file (default: bindings.yaml beside the contract).",
)


def _period_range(f: FC) -> FC:
    return _period(_through(f))


def _check_range(period: str | None, through: str | None) -> None:
    # Across two options, so here rather than in a callback (click runs those in argv order).
    if through and not period:
        _fail_usage("--through needs --period")


def _check_layout(template: str | None) -> None:
    # A user template lays the statement out itself: a --format beside it would be ignored.
    chosen = click.get_current_context().get_parameter_source("fmt")
    if template is not None and chosen is not ParameterSource.DEFAULT:
        _fail_usage("--template lays the statement out itself: leave out --format")


def _data_sources(f: FC) -> FC:
    return _data(_bindings(f))


_on_bad_rows = click.option(
    "--on-bad-rows",
    type=click.Choice(["error", "exclude"]),
    default="error",
    show_default=True,
    help="Stop on bad data, or leave bad rows out (counted and listed in the results).",
)
_template = click.option(
    "--template",
    default=None,
    type=click.Path(),
    callback=_template_file,
    help="Your own Jinja2 template (rendered in a sandbox).",
)
_timestamp = click.option(
    "--timestamp", is_flag=True, help="Say when it was generated (output then differs per run)."
)
_statement_format = _format(
    STATEMENT_FORMATS,
    "md",
    "pdf needs the optional extra slac[pdf]; credit-note is the credit note (Markdown).",
)


# ---------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slac")
def cli() -> None:
    """slac: write, check, compile and evaluate service level agreements."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_format(
    tuple(f.value for f in OutputFormat),
    OutputFormat.TEXT.value,
    "Output format: text for people, the others for CI.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@_today(hidden=False)
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
    result = api.lint(paths, today=today)
    report = result.report
    for path in report.missing:
        click.echo(f"slac: error: no such file or folder: {path}", err=True)
    diags = report.diagnostics
    unreadable = [d for d in diags if d.code == "L000"]
    if report.missing and not report.files:
        sys.exit(ExitCode.USAGE)
    if not report.files and not report.skipped:
        _fail_usage(f"no contract files (*.yaml, *.yml) found in: {', '.join(paths)}")
    named_files = [p for p in paths if not os.path.isdir(p)]
    if not report.files and not named_files:
        # A CI job pointed at the wrong folder must not pass by checking nothing.
        _fail_usage(f"no slac documents (contracts, templates, bindings) in: {', '.join(paths)}")
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
@_format(("text", "md"), "text")
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


def _show_findings(report: CheckReport, *, to_stderr: bool) -> bool:
    """Print findings as `slac lint` does; True when any is an error."""
    diags = report.diagnostics
    for path in report.missing:
        click.echo(f"slac: error: no such file or folder: {path}", err=True)
    if diags:
        out = render(
            OutputFormat.TEXT,
            diags,
            rules=api.rule_catalog(),
            files=[f.path for f in report.files],
            tool_version=__version__,
        )
        click.echo(out, nl=False, err=to_stderr)
    if report.missing or any(d.code == "L000" for d in diags):
        sys.exit(ExitCode.USAGE)
    return any(d.severity is Severity.ERROR for d in diags)


def _emit_rendered(rendered: api.Result[str | bytes], output: str | None) -> None:
    """A statement, or its findings and errors (exit 1)."""
    if _show_findings(rendered.report, to_stderr=True):
        sys.exit(ExitCode.FINDINGS)
    if rendered.value is None:
        for line in rendered.errors:
            click.echo(f"slac: error: {line}", err=True)
        sys.exit(ExitCode.FINDINGS)
    _emit(rendered.value, output)


def _emit(text: str | bytes, output: str | None) -> None:
    try:
        write_output(output or "-", text)
    except OutputError as err:
        _fail_usage(str(err))


@cli.command(name="compile")
@click.argument("contract")
@_output("the plan")
@_today()
def compile_command(contract: str, output: str | None, today: date | None) -> None:
    """Compile a contract into its evaluation plan (canonical JSON, hashed).

    The contract is linted first: findings of error severity stop compilation (exit 1).
    """
    compiled = api.compile_plan(contract, today=today)
    if _show_findings(compiled.report, to_stderr=True) or compiled.value is None:
        sys.exit(ExitCode.FINDINGS)
    _emit(pretty(api.plan_document(compiled.value)), output)


@cli.command(name="explain")
@click.argument("contract")
@_format(("text", "md"), "text")
@_output("the explanation")
@_today()
def explain_command(contract: str, fmt: str, output: str | None, today: date | None) -> None:
    """Explain a contract in plain English, from its compiled plan (text or Markdown).

    The contract is linted first: findings of error severity stop it (exit 1).
    """
    explained = api.explain(contract, fmt=fmt, today=today)
    if _show_findings(explained.report, to_stderr=True) or explained.value is None:
        sys.exit(ExitCode.FINDINGS)
    _emit(explained.value, output)


def _progress(quiet: bool) -> Progress | None:
    # Progress only for a person at a terminal: never in CI logs or with --quiet.
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"slac: {message} …", err=True)


@cli.command(name="evaluate")
@_contract_argument
@_data_sources
@_period_range
@_output("the results")
@click.option(
    "--evidence",
    default=None,
    metavar="DIR",
    help="Write each row's outcome to DIR/evidence.parquet.",
)
@_on_bad_rows
@click.option("--quiet", is_flag=True, help="No progress messages.")
@_today()
def evaluate_command(
    contract: str,
    data: tuple[str, ...],
    bindings: str | None,
    period: str | None,
    through: str | None,
    output: str | None,
    evidence: str | None,
    on_bad_rows: str,
    quiet: bool,
    today: date | None,
) -> None:
    """Evaluate a contract over its measurement data: what was met, and what is owed.

    Exit status: 0 evaluated, 1 lint errors in the contract or bad data, 2 usage errors.
    """
    _check_range(period, through)
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
            progress=_progress(quiet),
        )
    except OutputError as err:  # --evidence could not be written
        _fail_usage(str(err))
    if _show_findings(outcome.report, to_stderr=True):
        sys.exit(ExitCode.FINDINGS)
    if outcome.value is None:
        for line in outcome.errors:
            click.echo(f"slac: error: {line}" if not line.startswith(" ") else line, err=True)
        sys.exit(ExitCode.FINDINGS)
    _emit(pretty(api.results_document(outcome.value)), output)


@cli.command(name="statement")
@_contract_argument
@_data_sources
@_period_range
@_statement_format
@_template
@_output("the statement")
@_on_bad_rows
@_timestamp
@_today()
def statement_command(
    contract: str,
    data: tuple[str, ...],
    bindings: str | None,
    period: str | None,
    through: str | None,
    fmt: str,
    template: str | None,
    output: str | None,
    on_bad_rows: str,
    timestamp: bool,
    today: date | None,
) -> None:
    """Evaluate a contract and render its compliance statement (Markdown, HTML or text).

    The statement is rendered from the same results `slac evaluate` writes, and carries the
    plan, contract and data hashes that reproduce it.
    """
    _check_range(period, through)
    _check_layout(template)
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
    )
    _emit_rendered(rendered, output)


@cli.command(name="render")
@click.argument("results", callback=_existing_files)
@click.option(
    "--contract",
    required=True,
    callback=_existing_files,
    help="The contract the results were evaluated for.",
)
@_statement_format
@_template
@_output("the statement")
@_timestamp
@_today()
def render_command(
    results: str,
    contract: str,
    fmt: str,
    template: str | None,
    output: str | None,
    timestamp: bool,
    today: date | None,
) -> None:
    """Render saved results (from `slac evaluate -o`) as a compliance statement.

    Results changed after slac wrote them, from another slac version, or evaluated with a
    different version of the contract are refused.
    """
    _check_layout(template)
    rendered = api.render_saved(
        results, contract, fmt=fmt, template=template, today=today, timestamp=timestamp
    )
    _emit_rendered(rendered, output)


@cli.command(name="credits")
@click.argument("contracts", nargs=-1, required=True, callback=_existing_files)
@_period_range
@_format(("csv", "json"), "csv")
@_output("the ledger")
@_on_bad_rows
@_today()
def credits_command(
    contracts: tuple[str, ...],
    period: str | None,
    through: str | None,
    fmt: str,
    output: str | None,
    on_bad_rows: str,
    today: date | None,
) -> None:
    """The service-credit ledger of a portfolio for finance: one row per contract × period
    with a credit (each contract's data from the bindings.yaml beside it).

    Text cells a spreadsheet would run as a formula are neutralised; amounts are numbers,
    rounded once by each contract's rule in its currency's minor unit.
    """
    _check_range(period, through)
    ledger = api.credits_ledger(
        contracts, period=period, through=through, fmt=fmt, on_bad_rows=on_bad_rows, today=today
    )
    _show_findings(ledger.report, to_stderr=True)
    if ledger.value is None:
        for line in ledger.errors:
            click.echo(f"slac: error: {line}", err=True)
        sys.exit(ExitCode.FINDINGS)
    _emit(ledger.value, output)


@cli.command(name="test")
@click.argument("paths", nargs=-1)
@_format(("text", "junit"), "text", "junit: JUnit XML for CI test reports.")
@_output("the report")
def test_command(paths: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Run worked examples (*.tests.yaml beside a contract) through the real evaluation.

    PATHS are worked-example files, folders searched for them, or contracts (default: .).
    Exit status as pytest's: 0 all passed, 1 some failed, 2 a missing path or a file that
    could not be run, 5 no worked examples found.
    """
    tested = api.test_examples(paths or (".",))
    run = tested.value
    assert run is not None  # a run always comes back, with what it could not find
    for path in tested.missing:
        click.echo(f"slac: error: no such file or folder: {path}", err=True)
    text, code = api.test_report(run, fmt)
    _emit(text, output)
    sys.exit(code)


@cli.command(name="diff")
@click.argument("versions", nargs=-1, required=True, metavar="OLD NEW | --rev A [--rev B] PATH")
@click.option(
    "--rev",
    "revs",
    multiple=True,
    metavar="REV",
    help="A git revision of PATH; give one (compared with the working tree) or two.",
)
@_format(("text", "md", "json"), "text", "md: a pull-request comment.")
@_output("the diff")
@_today()
def diff_command(
    versions: tuple[str, ...],
    revs: tuple[str, ...],
    fmt: str,
    output: str | None,
    today: date | None,
) -> None:
    """What changed in meaning between two contract versions, and the change in maximum
    exposure per period. OLD and NEW are files or git revisions (HEAD~1:contract.yaml).

    Exit status: 0 compared, 1 a version has lint errors, 2 usage errors.
    """
    if revs:
        if len(revs) > 2 or len(versions) != 1:
            _fail_usage("--rev takes one or two revisions and one PATH")
        old, new = (
            f"{revs[0]}:{versions[0]}",
            (f"{revs[1]}:{versions[0]}" if len(revs) == 2 else versions[0]),
        )
    elif len(versions) != 2:
        _fail_usage("give OLD and NEW (files or REV:PATH), or --rev REV PATH")
    else:
        old, new = versions
    compared = api.diff(old, new, fmt=fmt, today=today)
    failed = _show_findings(compared.report, to_stderr=True)
    if compared.value is None:
        for line in compared.errors:
            click.echo(f"slac: error: {line}", err=True)
        sys.exit(ExitCode.FINDINGS if failed else ExitCode.USAGE)
    _emit(compared.value, output)


def _a_month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        _fail_usage(f"--period {value!r} is not a month: write 2026-10")
    return value


@cli.command(name="simulate")
@_contract_argument
@click.option("--period", default=None, callback=_a_month, help="The month to simulate.")
@click.option(
    "--attainment",
    multiple=True,
    metavar="-N",
    help="Every objective N points worse than its target (percentage points; repeatable).",
)
@click.option(
    "--outage",
    multiple=True,
    metavar="DURATION",
    help="An outage of this length (4h) for the availability objectives (repeatable).",
)
@click.option("--no-data", is_flag=True, help="A month without data: what each objective reports.")
@_format(("text", "md", "json"), "text")
@_output("the simulation")
@_today()
def simulate_command(
    contract: str,
    period: str | None,
    attainment: tuple[str, ...],
    outage: tuple[str, ...],
    no_data: bool,
    fmt: str,
    output: str | None,
    today: date | None,
) -> None:
    """What-if exposure: each objective's credit curve (measured value → credit), and
    scenarios: --attainment -2, --outage 4h, --no-data.

    Default month: the first of the latest terms that judges every objective.
    """
    simulated = api.simulate(
        contract,
        period=period,
        attainment=attainment,
        outage=outage,
        no_data=no_data,
        fmt=fmt,
        today=today,
    )
    if _show_findings(simulated.report, to_stderr=True):
        sys.exit(ExitCode.FINDINGS)
    if simulated.value is None:
        for line in simulated.errors:
            click.echo(f"slac: error: {line}", err=True)
        sys.exit(ExitCode.USAGE)
    _emit(simulated.value, output)


@cli.command(name="init")
@click.option(
    "--template", required=True, help="A template: a path, or a name such as gold or silver."
)
@click.option("--id", "contract_id", required=True, help="The new contract's id.")
@click.option(
    "-o", "--output", default="contract.yaml", show_default=True, help="Write the contract here."
)
@click.option(
    "--bindings", default=None, help="Write the bindings skeleton here (default: beside)."
)
@click.option("--force", is_flag=True, help="Replace files that exist.")
def init_command(
    template: str, contract_id: str, output: str, bindings: str | None, force: bool
) -> None:
    """Start a contract from a template family, ready for `slac lint --strict`, with a
    bindings.yaml skeleton beside it. Existing files are kept unless --force."""
    try:
        made = api.init(template, contract_id, output, bindings=bindings, force=force)
    except OutputError as err:
        _fail_usage(str(err))
    for line in made.errors:
        click.echo(f"slac: error: {line}", err=True)
    if made.value is None:
        sys.exit(ExitCode.USAGE)
    click.echo(f"slac: wrote {' and '.join(made.value)}", err=True)


def main() -> None:
    cli(prog_name="slac")
