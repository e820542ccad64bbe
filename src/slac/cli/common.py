"""What the commands share: options declared once (with the checks of their values, so that
they read and behave the same in every command), findings shown as `slac lint` shows them, and
outputs written through slac.files."""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from slac import __version__, api
from slac.contract.checker import CheckReport
from slac.diagnostics import ExitCode, Severity
from slac.evaluation.asof import PERIOD_END, AsOf, parse_as_of
from slac.evaluation.evaluate import Progress, portfolio_engine_refused
from slac.files import OutputError, make_folder, write_output
from slac.reporters import OutputFormat, render

FC = TypeVar("FC", bound=Callable[..., Any])
PERIOD_RE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?")
STATEMENT_FORMATS = ("md", "html", "txt", "pdf", "credit-note")


def fail_usage(message: str) -> None:
    click.echo(f"slac: error: {message}", err=True)
    sys.exit(ExitCode.USAGE)


# ---------------------------------------------------------------- options shared by commands
# Their callbacks stop with slac's own one-line errors (`slac: error: …`), not click's usage.


def existing_files(
    ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...]
) -> str | tuple[str, ...]:
    for path in (value,) if isinstance(value, str) else value:
        if not os.path.isfile(path):
            fail_usage(f"no such file: {path}")
    return value


def as_date(ctx: click.Context, param: click.Parameter, value: datetime | None) -> date | None:
    return None if value is None else value.date()


def a_period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not PERIOD_RE.fullmatch(value):
        fail_usage(f"{param.opts[0]} {value!r} is not a period: write 2026-10, 2026-Q4 or 2026")
    return value


def data_items(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    for item in value:
        if "=" not in item:
            fail_usage(f"--data takes NAME=PATH, got {item!r}")
    return value


def bindings_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not os.path.isfile(value):
        fail_usage(f"no such bindings file: {value}")
    return value


def template_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not os.path.isfile(value):
        # A template problem, like one that does not parse: exit 1, naming it.
        click.echo(f"slac: error: template not found: {value}", err=True)
        sys.exit(ExitCode.FINDINGS)
    return value


def format_option(
    choices: tuple[str, ...], default: str, help: str | None = None
) -> Callable[[FC], FC]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help,
    )


def output_option(what: str) -> Callable[[FC], FC]:
    return click.option(
        "-o", "--output", default=None, help=f"Write {what} here (default, or -: stdout)."
    )


def today_option(*, hidden: bool = True) -> Callable[[FC], FC]:
    # Hidden where it only fixes lint's review-date warnings printed before the output.
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=as_date,
        hidden=hidden,
        help="Judge review dates as of this date (YYYY-MM-DD) for reproducible CI runs.",
    )


def contract_argument(f: FC) -> FC:
    return click.argument("contract", callback=existing_files)(f)


def contracts_argument(f: FC) -> FC:
    """Contracts of a portfolio: files, folders (searched as `slac lint` does) and globs; the
    paths that do not exist are named by the command (exit 2)."""
    return click.argument("contracts", nargs=-1, required=True)(f)


def refuse_portfolio_engine(engine: str) -> None:
    """A usage error when ``engine`` cannot run the portfolio asked for."""
    refused = portfolio_engine_refused(engine)
    if refused is not None:
        fail_usage(refused)


def single_contract(paths: tuple[str, ...]) -> bool:
    """One contract file, named: the command behaves as it always has (output to a file or
    stdout). Anything else is a portfolio."""
    if len(paths) != 1 or os.path.isdir(paths[0]):
        return False
    if not os.path.exists(paths[0]) and glob.has_magic(paths[0]):
        return False
    if not os.path.isfile(paths[0]):
        fail_usage(f"no such file: {paths[0]}")
    return True


PORTFOLIO_SUMMARY = "_portfolio.json"  # contract ids start with a letter or digit


def portfolio_evaluate(
    paths: tuple[str, ...], output: str | None, outcome: api.Result[api.Portfolio[Any]]
) -> None:
    """Write each contract's results to ``output``/<contract-id>.json (each atomically) and
    the summary, name the contracts that failed, and exit (1 when any failed)."""
    import json

    from slac.plan.canonical import pretty

    if output is None or output == "-":
        fail_usage("many contracts write their results to a folder: give -o DIR")
    assert output is not None
    show_findings(outcome.report, to_stderr=True)
    found_none(outcome.report, paths)
    portfolio = outcome.value
    if portfolio is None:
        show_errors(outcome.errors)
        sys.exit(ExitCode.FINDINGS)
    try:
        make_folder(output)
    except OutputError as err:
        fail_usage(str(err))
    evaluated = []
    for contract, results in portfolio.done:
        document = api.results_document(results)
        name = f"{results.contract_id}.json"
        emit(pretty(document), os.path.join(output, name))
        evaluated.append(
            {
                "contract": contract,
                "contract_id": results.contract_id,
                "results": name,
                "results_sha256": document["results_sha256"],
                "total_credit": document["total_credit"],
                "currency": results.currency,
            }
        )
    summary = {
        "evaluated": evaluated,
        "failed": [{"contract": c, "errors": list(e)} for c, e in portfolio.failed],
    }
    emit(
        json.dumps(summary, indent=2, sort_keys=True) + "\n",
        os.path.join(output, PORTFOLIO_SUMMARY),
    )
    finish_portfolio(outcome.errors, len(portfolio.done), len(portfolio.failed), "evaluated")


def found_none(report: CheckReport, paths: Sequence[str]) -> None:
    """A run pointed at folders without a contract must not pass by doing nothing (exit 2)."""
    if not report.files and not report.missing:
        fail_usage(f"no contracts found in: {', '.join(paths)}")


def finish_portfolio(errors: Sequence[str], done: int, failed: int, verb: str) -> None:
    """Name what failed, say how many were done, and exit: 1 when any contract failed."""
    show_errors(errors)
    click.echo(f"slac: {done} {verb}, {failed} failed", err=True)
    sys.exit(ExitCode.FINDINGS if failed or errors else ExitCode.OK)


period_opt = click.option(
    "--period",
    default=None,
    callback=a_period,
    help="First period: 2026-10 (month), 2026-Q4 or 2026. Default: every month the data covers (at most 120).",
)
through_opt = click.option(
    "--through", default=None, callback=a_period, help="Last period, inclusive."
)
data_opt = click.option(
    "--data",
    "data",
    multiple=True,
    metavar="NAME=PATH",
    callback=data_items,
    help="Bind a dataset to files (globs allowed); repeatable.",
)
bindings_opt = click.option(
    "--bindings",
    default=None,
    callback=bindings_file,
    help="A bindings file (default: bindings.yaml beside the contract).",
)


def period_range(f: FC) -> FC:
    return period_opt(through_opt(f))


def check_range(period: str | None, through: str | None) -> None:
    # Across two options, so here rather than in a callback (click runs those in argv order).
    if through and not period:
        fail_usage("--through needs --period")


def check_layout(template: str | None) -> None:
    # A user template lays the statement out itself: a --format beside it would be ignored.
    chosen = click.get_current_context().get_parameter_source("fmt")
    if template is not None and chosen is not ParameterSource.DEFAULT:
        fail_usage("--template lays the statement out itself: leave out --format")


def data_sources(f: FC) -> FC:
    return data_opt(bindings_opt(f))


def an_as_of(ctx: click.Context, param: click.Parameter, value: str) -> AsOf:
    try:
        return parse_as_of(value)
    except ValueError as err:
        fail_usage(f"{param.opts[0]}: {err}")
        raise  # not reached: fail_usage exits


as_of_opt = click.option(
    "--as-of",
    "as_of",
    default=PERIOD_END,
    show_default=True,
    metavar="INSTANT|period-end",
    callback=an_as_of,
    help="What is known: each period as at its end, or everything up to an instant with its "
    "offset (2026-11-05T09:00:00Z), end events after a period's end included.",
)
on_bad_rows_opt = click.option(
    "--on-bad-rows",
    type=click.Choice(["error", "exclude"]),
    default="error",
    show_default=True,
    help="Stop on bad data, or leave bad rows out (counted and listed in the results).",
)
engine_opt = click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Run the evaluation's SQL on embedded DuckDB, or on Apache Spark (pip install "
    "'slac[spark]'; Parquet files or Spark tables; SLAC_SPARK_MASTER, default local[2]; "
    "SLAC_SPARK_CONF).",
)
jobs_opt = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="A portfolio's contracts evaluated at the same time, each on a thread (default: one "
    "per processor); the results are the same for any N.",
)
template_opt = click.option(
    "--template",
    default=None,
    type=click.Path(),
    callback=template_file,
    help="Your own Jinja2 template (rendered in a sandbox).",
)
timestamp_opt = click.option(
    "--timestamp", is_flag=True, help="Say when it was generated (output then differs per run)."
)


def a_locale(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from slac.documents.locales import LocaleError, language

    try:
        language(value)
    except LocaleError as err:
        fail_usage(f"--locale: {err}")
    return value


locale_opt = click.option(
    "--locale",
    default="en",
    show_default=True,
    callback=a_locale,
    metavar="LOCALE",
    help="The statement's language, and the layout of its numbers, money and dates: "
    "en, de, or a regional variant such as de_CH or de-AT.",
)
statement_format_opt = format_option(
    STATEMENT_FORMATS,
    "md",
    "pdf needs the optional extra slac[pdf]; credit-note is the credit note (Markdown).",
)


def show_findings(report: CheckReport, *, to_stderr: bool) -> bool:
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


def show_errors(errors: Sequence[str]) -> None:
    """What stopped an operation besides findings, one ``slac: error:`` line each."""
    for line in errors:
        click.echo(f"slac: error: {line}", err=True)


def emit_rendered(rendered: api.Result[str | bytes], output: str | None) -> None:
    """A statement, or its findings and errors (exit 1)."""
    if show_findings(rendered.report, to_stderr=True):
        sys.exit(ExitCode.FINDINGS)
    if rendered.value is None:
        show_errors(rendered.errors)
        sys.exit(ExitCode.FINDINGS)
    emit(rendered.value, output)


def emit(text: str | bytes, output: str | None) -> None:
    try:
        write_output(output or "-", text)
    except OutputError as err:
        fail_usage(str(err))


def ledger_option(default_text: str) -> Callable[[FC], FC]:
    return click.option(
        "--ledger",
        default=None,
        envvar="SLAC_LEDGER",
        metavar="PATH|URL",
        help=f"The period ledger: a DuckDB file, or postgresql://… (slac[postgres]). {default_text}",
    )


def history_ledger(f: FC) -> FC:
    """``--ledger`` and ``--no-ledger`` of the commands that evaluate (evaluate, statement):
    the months closed before the evaluated ones are read from the ledger."""
    f = click.option(
        "--no-ledger",
        is_flag=True,
        help="Read no ledger: earlier months are those of this run only.",
    )(f)
    return ledger_option(
        "Months closed there before the evaluated ones count for chronic failure, escalations "
        "and rolling caps. Default: ledger.duckdb beside the contract when it exists."
    )(f)


def ledger_read(contract: str, ledger: str | None, no_ledger: bool) -> str | None:
    if no_ledger:
        if ledger is not None and _ledger_source() == ParameterSource.COMMANDLINE:
            fail_usage("--ledger and --no-ledger exclude each other")
        return None
    if ledger is not None:
        return ledger
    # The default ledger beside the contract, when it exists: a contract never closed has none.
    beside = api.default_ledger(contract)
    return beside if os.path.isfile(beside) else None


def _ledger_source() -> ParameterSource | None:
    ctx = click.get_current_context(silent=True)
    return ctx.get_parameter_source("ledger") if ctx is not None else None


def a_month(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # A ledger closes months: a quarter's figures are the sum of its closed months.
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        fail_usage(f"{param.opts[0]} {value!r} is not a month: write 2026-10")
    return value


month_opt = click.option("--period", required=True, callback=a_month, help="The month: 2026-10.")


def by_option(f: FC) -> FC:
    return click.option(
        "--by",
        "by",
        default=None,
        metavar="NAME",
        help="Who does it, for the record (default: your user name).",
    )(f)


def who(by: str | None) -> str:
    """The name recorded for an action: --by, else the login name."""
    if by is not None:
        if not by.strip():
            fail_usage("--by needs a name")
        return by
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        fail_usage("cannot tell who you are: give --by NAME")
        raise  # not reached: fail_usage exits


def progress(quiet: bool) -> Progress | None:
    # Progress only for a person at a terminal: never in CI logs or with --quiet.
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"slac: {message} …", err=True)
