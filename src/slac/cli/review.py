"""The commands that review contracts like code: worked examples (test), semantic diff with
the change in exposure (diff), what-if exposure (simulate), a new contract from a template
(init)."""

from __future__ import annotations

import re
import sys
from datetime import date

import click

from slac import api
from slac.cli.common import (
    contract_argument,
    emit,
    fail_usage,
    format_option,
    output_option,
    show_findings,
    today_option,
)
from slac.diagnostics import ExitCode
from slac.files import OutputError


@click.command(name="test")
@click.argument("paths", nargs=-1)
@format_option(("text", "junit"), "text", "junit: JUnit XML for CI test reports.")
@output_option("the report")
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
    emit(text, output)
    sys.exit(code)


@click.command(name="diff")
@click.argument("versions", nargs=-1, required=True, metavar="OLD NEW | --rev A [--rev B] PATH")
@click.option(
    "--rev",
    "revs",
    multiple=True,
    metavar="REV",
    help="A git revision of PATH; give one (compared with the working tree) or two.",
)
@format_option(("text", "md", "json"), "text", "md: a pull-request comment.")
@output_option("the diff")
@today_option()
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
            fail_usage("--rev takes one or two revisions and one PATH")
        old, new = (
            f"{revs[0]}:{versions[0]}",
            (f"{revs[1]}:{versions[0]}" if len(revs) == 2 else versions[0]),
        )
    elif len(versions) != 2:
        fail_usage("give OLD and NEW (files or REV:PATH), or --rev REV PATH")
    else:
        old, new = versions
    compared = api.diff(old, new, fmt=fmt, today=today)
    failed = show_findings(compared.report, to_stderr=True)
    if compared.value is None:
        for line in compared.errors:
            click.echo(f"slac: error: {line}", err=True)
        sys.exit(ExitCode.FINDINGS if failed else ExitCode.USAGE)
    emit(compared.value, output)


def _a_month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        fail_usage(f"--period {value!r} is not a month: write 2026-10")
    return value


@click.command(name="simulate")
@contract_argument
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
@format_option(("text", "md", "json"), "text")
@output_option("the simulation")
@today_option()
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
    if show_findings(simulated.report, to_stderr=True):
        sys.exit(ExitCode.FINDINGS)
    if simulated.value is None:
        for line in simulated.errors:
            click.echo(f"slac: error: {line}", err=True)
        sys.exit(ExitCode.USAGE)
    emit(simulated.value, output)


@click.command(name="init")
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
        fail_usage(str(err))
    for line in made.errors:
        click.echo(f"slac: error: {line}", err=True)
    if made.value is None:
        sys.exit(ExitCode.USAGE)
    click.echo(f"slac: wrote {' and '.join(made.value)}", err=True)
