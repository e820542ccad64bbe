"""The commands of the period ledger: close a month, record an override, print the history.

Exit status of each: 0 done, 1 refused (lint errors, bad data, a closed period, a close that
lost a race, a ledger that cannot be opened or is newer than this slac), 2 usage errors.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from slac import api
from slac.cli.common import (
    as_of_opt,
    by_option,
    contract_argument,
    contracts_argument,
    data_sources,
    emit,
    engine_opt,
    fail_usage,
    finish_portfolio,
    format_option,
    found_none,
    jobs_opt,
    ledger_option,
    month_opt,
    on_bad_rows_opt,
    output_option,
    progress,
    refuse_portfolio_engine,
    show_errors,
    show_findings,
    single_contract,
    today_option,
    who,
)
from slac.diagnostics import ExitCode
from slac.evaluation.asof import AsOf
from slac.ledger.model import ClosedPeriod

DEFAULT_LEDGER = "Default: ledger.duckdb beside the contract, or $SLAC_LEDGER."


def _stop_unless(result: api.Result[Any]) -> None:
    if show_findings(result.report, to_stderr=True) or result.value is None:
        show_errors(result.errors)
        sys.exit(ExitCode.FINDINGS)


@click.command(name="close")
@contracts_argument
@month_opt
@ledger_option(DEFAULT_LEDGER)
@by_option
@click.option("--reopen", is_flag=True, help="Close a closed month again (a new revision).")
@click.option("--reason", default=None, help="Why the month is reopened (with --reopen).")
@data_sources
@on_bad_rows_opt
@as_of_opt
@engine_opt
@jobs_opt
@click.option("--quiet", is_flag=True, help="No progress messages.")
@today_option()
def close_command(
    contracts: tuple[str, ...],
    period: str,
    ledger: str | None,
    by: str | None,
    reopen: bool,
    reason: str | None,
    data: tuple[str, ...],
    bindings: str | None,
    on_bad_rows: str,
    as_of: AsOf,
    engine: str,
    jobs: int | None,
    quiet: bool,
    today: date | None,
) -> None:
    """Evaluate a month and record it in the ledger as closed (one transaction).

    A closed month is refused unless --reopen --reason TEXT, which records a new revision;
    the earlier one stays in the ledger. Many contracts (files, folders, globs): each is
    closed in its own transaction, and one refused stops none of the others. --engine spark
    evaluates one contract on Spark; the ledger is written as always. Exit status:
    0 closed, 1 refused (any contract: already closed, closed at the same time by someone
    else, lint errors, bad data, ledger problems), 2 usage errors.
    """
    if reopen and not (reason and reason.strip()):
        fail_usage("--reopen needs --reason TEXT (it is kept in the ledger)")
    if reason is not None and not reopen:
        fail_usage("--reason goes with --reopen")
    if not single_contract(contracts):
        refuse_portfolio_engine(engine)
        many = api.close_portfolio(
            contracts,
            period,
            closed_by=who(by),
            ledger=ledger,
            reopen=reopen,
            reason=reason,
            data=data,
            bindings=bindings,
            on_bad_rows=on_bad_rows,
            today=today,
            progress=progress(quiet),
            as_of=as_of,
            jobs=jobs,
        )
        show_findings(many.report, to_stderr=True)
        found_none(many.report, contracts)
        done = many.value.done if many.value is not None else ()
        for _, record in done:
            _say_closed(record)
        failed = len(many.value.failed) if many.value is not None else 1
        finish_portfolio(many.errors, len(done), failed, "closed")
    contract = contracts[0]
    closed = api.close_period(
        contract,
        period,
        closed_by=who(by),
        ledger=ledger,
        reopen=reopen,
        reason=reason,
        data=data,
        bindings=bindings,
        on_bad_rows=on_bad_rows,
        today=today,
        progress=progress(quiet),
        as_of=as_of,
        engine=engine,
    )
    _stop_unless(closed)
    assert closed.value is not None
    _say_closed(closed.value)


def _say_closed(record: ClosedPeriod) -> None:
    currency = f" {record.currency}" if record.currency else ""
    click.echo(
        f"slac: closed {record.contract_id} {record.period} (revision {record.revision}, "
        f"credit {record.total_credit}{currency}) by {record.closed_by} at "
        f"{record.closed_at:%Y-%m-%d %H:%M:%S} UTC",
        err=True,
    )


@click.command(name="override")
@contract_argument
@month_opt
@click.option(
    "--target",
    required=True,
    metavar="OBJECTIVE[/SCOPE]|*|item:ID",
    help="What it applies to: an objective (and scope), * for the whole month, or an item.",
)
@click.option(
    "--action",
    required=True,
    type=click.Choice(["waive-credit", "set-amount", "exclude-item"]),
    help="waive-credit; set-amount --value AMOUNT; exclude-item --value EXCLUSION.",
)
@click.option("--value", default=None, help="The amount, or the exclusion, the action needs.")
@click.option("--reason", required=True, help="Why (kept for the audit).")
@ledger_option(DEFAULT_LEDGER)
@by_option
@today_option()
def override_command(
    contract: str,
    period: str,
    target: str,
    action: str,
    value: str | None,
    reason: str,
    ledger: str | None,
    by: str | None,
    today: date | None,
) -> None:
    """Record an override against a month (append-only: nothing recorded is ever changed).

    Exit status: 0 recorded, 1 refused (an unknown objective or exclusion, a value that does
    not fit the action, ledger problems), 2 usage errors.
    """
    recorded = api.add_override(
        contract,
        period,
        target=target,
        action=action,
        value=value,
        reason=reason,
        author=who(by),
        ledger=ledger,
        today=today,
    )
    _stop_unless(recorded)
    override = recorded.value
    assert override is not None
    click.echo(
        f"slac: recorded override {override.id} on {override.contract_id} {override.period}",
        err=True,
    )


@click.command(name="history")
@contract_argument
@ledger_option(DEFAULT_LEDGER)
@format_option(("text", "json"), "text")
@output_option("the history")
@today_option()
def history_command(
    contract: str, ledger: str | None, fmt: str, output: str | None, today: date | None
) -> None:
    """Print the ledger of a contract: closed months, their revisions (who, when, why, the
    credit), and the overrides.

    Exit status: 0 printed, 1 the ledger cannot be read (or lint errors), 2 usage errors.
    """
    shown = api.history(contract, ledger=ledger, fmt=fmt, today=today)
    _stop_unless(shown)
    assert shown.value is not None
    emit(shown.value, output)
