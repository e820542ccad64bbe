"""`slac close`, `slac override`, `slac history` and `slac credits --ledger`, on both stores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from slac.cli import cli
from slac.ledger.store import open_store

FAST = "T-{n},2026-10-0{n}T09:00:00+02:00,2026-10-0{n}T09:30:00+02:00,provider\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def close(case: Path, ledger: str, *extra: str) -> tuple[int, str, str]:
    return run(
        "close", str(case / "contract.yaml"), "--period", "2026-10", "--ledger", ledger, *extra
    )


def credits(case: Path, ledger: str | None) -> list[dict[str, str]]:
    extra = ["--ledger", ledger] if ledger else []
    code, out, err = run("credits", str(case / "contract.yaml"), *extra)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def speed_up_every_ticket(case: Path) -> None:
    lines = ["id,created_at,resolved_at,cause\n"] + [FAST.format(n=n) for n in range(1, 5)]
    (case / "data" / "tickets.csv").write_text("".join(lines), encoding="utf-8")


def test_close_records_the_month_once(case: Path, ledger: str) -> None:
    code, _, err = close(case, ledger, "--by", "alice")
    assert code == 0, err
    assert "closed ledger-test 2026-10 (revision 1, credit 1000.00 EUR) by alice" in err
    code, out, err = close(case, ledger, "--by", "bob")
    assert (code, out) == (1, "")
    assert "ledger-test 2026-10 is closed (revision 1, by alice at 20" in err
    assert "--reopen --reason" in err and "Traceback" not in err
    with open_store(ledger) as store:
        (stored,) = store.revisions("ledger-test")
    assert stored.closed_by == "alice" and stored.state == "closed"
    document = json.loads(stored.results)
    assert document["results_sha256"] == stored.results_sha256
    assert [p["period"] for p in document["periods"]] == ["2026-10"]


def test_reopen_needs_a_reason_and_adds_a_revision(case: Path, ledger: str) -> None:
    assert close(case, ledger, "--reopen", "--reason", "x")[0] == 1  # nothing to reopen
    assert close(case, ledger, "--by", "alice")[0] == 0
    code, _, err = close(case, ledger, "--reopen")
    assert code == 2 and "--reopen needs --reason" in err
    assert close(case, ledger, "--reason", "why")[0] == 2
    speed_up_every_ticket(case)
    code, _, err = close(case, ledger, "--reopen", "--reason", "tickets re-exported", "--by", "bob")
    assert code == 0, err
    with open_store(ledger) as store:
        first, second = store.revisions("ledger-test", "2026-10")
    assert (first.revision, first.total_credit, first.reason) == (1, 1000, None)
    assert (second.revision, second.state, second.reason) == (2, "reopened", "tickets re-exported")
    assert second.total_credit == 0


def test_only_months_are_closed(case: Path, ledger: str) -> None:
    code, _, err = run(
        "close", str(case / "contract.yaml"), "--period", "2026-Q4", "--ledger", ledger
    )
    assert code == 2 and "is not a month" in err


def test_closed_months_are_never_recomputed(case: Path, ledger: str) -> None:
    assert close(case, ledger, "--by", "alice")[0] == 0
    before = credits(case, ledger)
    assert [(r["period"], r["amount"], r["state"]) for r in before] == [
        ("2026-10", "1000.00", "closed")
    ]
    speed_up_every_ticket(case)  # the data changes after the close
    assert credits(case, None) == []  # evaluated now, October owes nothing
    assert credits(case, ledger) == before  # as issued at the close


def test_unclosed_months_are_drafts(case: Path, ledger: str) -> None:
    assert close(case, ledger)[0] == 0  # creates the ledger; October is closed
    with (case / "data" / "tickets.csv").open("a", encoding="utf-8") as tickets:
        tickets.write("T-6,2026-11-06T09:00:00+01:00,2026-11-06T19:00:00+01:00,provider\n")
    rows = credits(case, ledger)
    assert [(r["period"], r["state"], r["credit_note"]) for r in rows] == [
        ("2026-10", "closed", "CN-ledger-test-202610"),
        ("2026-11", "draft", "CN-ledger-test-202611-DRAFT"),
    ]


def test_overrides_are_append_only_and_exported(case: Path, ledger: str) -> None:
    contract = str(case / "contract.yaml")
    base = ("override", contract, "--period", "2026-10", "--ledger", ledger)
    code, _, err = run(
        *base,
        "--target",
        "resolve-4h",
        "--action",
        "waive-credit",
        "--reason",
        "goodwill",
        "--by",
        "carol",
    )
    assert code == 0, err
    code, _, err = run(
        *base,
        "--target",
        "item:T-2",
        "--action",
        "exclude-item",
        "--value",
        "force-majeure",
        "--reason",
        "storm",
        "--by",
        "dave",
    )
    assert code == 0, err
    code, out, _ = run("history", contract, "--ledger", ledger, "--format", "json")
    assert code == 0
    listed = json.loads(out)["overrides"]
    assert [(o["author"], o["action"], o["target"]) for o in listed] == [
        ("carol", "waive-credit", "resolve-4h"),
        ("dave", "exclude-item", "item:T-2"),
    ]
    assert close(case, ledger)[0] == 0
    waiver, item = (o["id"] for o in listed)
    # Recorded before the close, the waiver is applied by it: the month is booked at 0.00,
    # 1000.00 withdrawn by the waiver, and the item's reclassification at 0 (not applied to
    # the figures), so that finance books both decisions.
    rows = credits(case, ledger)
    assert [(r["line_kind"], r["objective"], r["amount"], r["override"]) for r in rows] == [
        ("credit", "resolve-4h", "1000.00", ""),
        ("override", "resolve-4h", "-1000.00", waiver),
        ("override", "", "0.00", item),
    ]
    assert {(r["credit_note"], r["state"]) for r in rows} == {("CN-ledger-test-202610", "closed")}


def override(case: Path, ledger: str, target: str, action: str, *value: str) -> None:
    code, _, err = run(
        "override", str(case / "contract.yaml"), "--period", "2026-10", "--ledger", ledger,
        "--target", target, "--action", action, *value, "--reason", "agreed", "--by", "erin",
    )  # fmt: skip
    assert code == 0, err


def october(case: Path, ledger: str) -> dict[str, Any]:
    code, out, err = run(
        "evaluate", str(case / "contract.yaml"), "--period", "2026-10", "--ledger", ledger
    )
    assert code == 0, err
    (period,) = json.loads(out)["periods"]
    result: dict[str, Any] = period
    return result


def test_overrides_are_applied_to_the_credit_of_their_month(case: Path, ledger: str) -> None:
    """October owes 10% of 10000.00: 1000.00. Overrides apply oldest first: the line set to
    400.00, then the month's credit set to 250.00; an item reclassified is recorded but not
    applied (its exclusion belongs in the data). November is untouched."""
    assert close(case, ledger)[0] == 0  # creates the ledger; October as issued: 1000.00
    override(case, ledger, "resolve-4h", "set-amount", "--value", "400.00")
    period = october(case, ledger)
    (line,) = period["credit_lines"]
    assert (line["amount"], line["dropped"], period["credit"]) == ("400.00", None, "400.00")
    (applied,) = period["overrides"]
    assert applied["effect"] == "resolve-4h: 1000.00 set to 400.00"
    assert (applied["author"], applied["reason"]) == ("erin", "agreed")
    override(case, ledger, "*", "set-amount", "--value", "250.00")
    override(case, ledger, "item:T-2", "exclude-item", "--value", "force-majeure")
    period = october(case, ledger)
    assert period["credit"] == "250.00"
    assert [o["effect"] for o in period["overrides"]] == [
        "resolve-4h: 1000.00 set to 400.00",
        "the month's credit 400.00 set to 250.00",
        "not applied to the figures: an item is reclassified where its data is (its exclusion "
        "in the data), and the month evaluated again",
    ]
    # The closed October is never recomputed: as issued, until it is closed again; the
    # overrides recorded since are listed at 0.
    ids = [o["id"] for o in period["overrides"]]
    rows = credits(case, ledger)
    assert [(r["line_kind"], r["amount"], r["override"]) for r in rows] == [
        ("credit", "1000.00", ""),
        *(("override", "0.00", oid) for oid in ids),
    ]
    assert rows[1]["description"] == (
        "set-amount resolve-4h=400.00: recorded after the close: applied when the month is "
        "closed again"
    )
    assert {(r["credit_note"], r["state"]) for r in rows} == {("CN-ledger-test-202610", "closed")}
    assert close(case, ledger, "--reopen", "--reason", "overrides agreed")[0] == 0
    # Re-issued under a new number: the line set to 400.00, the month to 250.00 (-150.00).
    rows = credits(case, ledger)
    assert [(r["line_kind"], r["amount"], r["override"]) for r in rows] == [
        ("credit", "400.00", ids[0]),
        ("override", "-150.00", ids[1]),
        ("override", "0.00", ids[2]),
    ]
    assert {(r["credit_note"], r["revision"]) for r in rows} == {("CN-ledger-test-202610-R2", "2")}
    code, out, err = run(
        "statement", str(case / "contract.yaml"), "--period", "2026-10", "--ledger", ledger
    )
    assert code == 0, err
    assert "the month's credit 400.00 set to 250.00" in out
    assert "**Credit for the period: EUR 250.00**" in out


def test_a_waiver_drops_the_line_and_an_amount_keeps_the_currency(case: Path, ledger: str) -> None:
    assert close(case, ledger)[0] == 0
    override(case, ledger, "resolve-4h", "waive-credit")
    period = october(case, ledger)
    (line,) = period["credit_lines"]
    assert line["dropped"].startswith("waived by override ")
    assert (line["amount"], period["credit"]) == ("1000.00", "0.00")
    assert period["overrides"][0]["effect"] == "resolve-4h: 1000.00 waived"
    code, _, err = run(
        "override", str(case / "contract.yaml"), "--period", "2026-10", "--ledger", ledger,
        "--target", "*", "--action", "set-amount", "--value", "99.999", "--reason", "r",
    )  # fmt: skip
    assert code == 1 and "at most 2 decimal(s)" in err


def test_override_mistakes_are_refused(case: Path, ledger: str) -> None:
    contract = str(case / "contract.yaml")
    base = ("override", contract, "--period", "2026-10", "--ledger", ledger, "--reason", "r")
    cases = [
        (("--target", "nope", "--action", "waive-credit"), "'nope' is not an objective"),
        (
            ("--target", "resolve-4h", "--action", "set-amount", "--value", "1e999x"),
            "needs --value AMOUNT",
        ),
        (("--target", "item:T-1", "--action", "exclude-item", "--value", "storm"), "force-majeure"),
        (
            ("--target", "resolve-4h", "--action", "exclude-item", "--value", "force-majeure"),
            "needs an item",
        ),
    ]
    for args, message in cases:
        code, _, err = run(*base, *args)
        assert code == 1 and message in err, err
    code, _, err = run(*base, "--target", "resolve-4h", "--action", "delete")
    assert code == 2


def test_history_is_deterministic(case: Path, ledger: str) -> None:
    contract = str(case / "contract.yaml")
    assert close(case, ledger, "--by", "alice")[0] == 0
    assert close(case, ledger, "--by", "bob", "--reopen", "--reason", "late")[0] == 0
    first = run("history", contract, "--ledger", ledger)
    assert first == run("history", contract, "--ledger", ledger)
    code, out, _ = first
    assert code == 0
    assert "2026-10  1    closed, superseded" in out
    assert "2026-10  2    reopened" in out and "1000.00 EUR  late" in out
    code, out, _ = run("history", contract, "--ledger", ledger, "--format", "json")
    data = json.loads(out)
    assert out == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert [(p["revision"], p["in_force"]) for p in data["periods"]] == [(1, False), (2, True)]


def test_a_missing_ledger_is_named(case: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "none.duckdb")
    code, _, err = run("history", str(case / "contract.yaml"), "--ledger", missing)
    assert code == 1 and f"no ledger at {missing}" in err
    code, _, err = run("credits", str(case / "contract.yaml"), "--ledger", missing)
    assert code == 1 and "slac close creates it" in err


def test_the_default_ledger_is_beside_the_contract(case: Path) -> None:
    code, _, err = run("close", str(case / "contract.yaml"), "--period", "2026-10")
    assert code == 0, err
    assert (case / "ledger.duckdb").is_file()
    code, out, _ = run("history", str(case / "contract.yaml"))
    assert code == 0 and "2026-10  1    closed" in out


def test_close_takes_the_data_options_of_evaluate(case: Path, ledger: str) -> None:
    other = case / "data" / "fast.csv"
    other.write_text(
        "id,created_at,resolved_at,cause\n" + "".join(FAST.format(n=n) for n in range(1, 5)),
        encoding="utf-8",
    )
    bindings = case / "elsewhere.yaml"
    bindings.write_text("bindings: 1\ndatasets:\n  tickets: {path: data/fast.csv}\n", "utf-8")
    # --data wins over the bindings beside the contract; --bindings names another file.
    code, _, err = close(case, ledger, "--data", f"tickets={other}", "--quiet")
    assert code == 0, err
    assert err.count("\n") == 1 and "credit 0.00 EUR" in err  # --quiet: the result line only
    code, _, err = close(case, ledger, "--reopen", "--reason", "r", "--bindings", str(bindings))
    assert code == 0 and "credit 0.00 EUR" in err, err


def test_close_stops_on_bad_rows_unless_excluded(case: Path, ledger: str) -> None:
    with (case / "data" / "tickets.csv").open("a", encoding="utf-8") as tickets:
        tickets.write("T-9,not-a-time,2026-10-09T10:00:00+02:00,provider\n")
    code, _, err = close(case, ledger)
    assert code == 1 and "use --on-bad-rows exclude" in err
    with open_store(ledger) as store:
        assert store.revisions("ledger-test") == ()  # nothing recorded
    code, _, err = close(case, ledger, "--on-bad-rows", "exclude")
    assert code == 0, err


def test_today_judges_review_dates_in_the_ledger_commands(case: Path, ledger: str) -> None:
    # The review is due on 2027-06-30: overdue (a warning, R702) only on a later day.
    contract = str(case / "contract.yaml")
    overdue = "R702 warning: review was due on 2027-06-30"
    code, _, err = close(case, ledger, "--today", "2027-07-01")
    assert code == 0 and overdue in err
    target = ("--target", "resolve-4h", "--action", "waive-credit", "--reason", "r")
    code, _, err = run(
        "override",
        contract,
        "--period",
        "2026-10",
        "--ledger",
        ledger,
        *target,
        "--today",
        "2027-07-01",
    )
    assert code == 0 and overdue in err
    code, _, err = run("history", contract, "--ledger", ledger, "--today", "2027-06-30")
    assert code == 0 and "R702" not in err


def test_history_and_override_values_are_written(case: Path, ledger: str, tmp_path: Path) -> None:
    contract = str(case / "contract.yaml")
    code, _, err = run(
        "override",
        contract,
        "--period",
        "2026-10",
        "--ledger",
        ledger,
        "--target",
        "resolve-4h",
        "--action",
        "set-amount",
        "--value",
        "250.00",
        "--reason",
        "agreed",
        "--by",
        "erin",
    )
    assert code == 0, err
    target = tmp_path / "history.txt"
    code, out, _ = run("history", contract, "--ledger", ledger, "-o", str(target))
    assert (code, out) == (0, "")
    text = target.read_text("utf-8")
    assert "No closed periods." in text
    assert "erin  set-amount resolve-4h=250.00  agreed" in text


def test_closed_months_need_no_data(case: Path, ledger: str) -> None:
    assert close(case, ledger)[0] == 0
    (case / "data" / "tickets.csv").unlink()  # archived after the close
    contract = str(case / "contract.yaml")
    code, out, err = run("credits", contract, "--period", "2026-10", "--ledger", ledger)
    assert code == 0, err
    (row,) = csv.DictReader(io.StringIO(out))
    assert (row["amount"], row["state"]) == ("1000.00", "closed")
    code, _, err = run(
        "credits", contract, "--period", "2026-10", "--through", "2026-11", "--ledger", ledger
    )
    assert code == 1 and "tickets.csv" in err  # November is a draft: it needs its data


LOOK_BACK = """\
credits:
  cap: {percent: "15%", per: rolling-12-months}
chronic_failure:
  - id: chronic
    objectives: [resolve-4h]
    breaches: 2
    periods: 2
    consequence: termination-right
"""
SLOW_NOVEMBER = (
    "T-6,2026-11-06T09:00:00+01:00,2026-11-06T19:00:00+01:00,provider\n"
    "T-7,2026-11-09T09:00:00+01:00,2026-11-09T19:00:00+01:00,provider\n"
)


def look_back(case: Path) -> None:
    """October: 2 of 4 tickets in time (50%, 10% credit: 1000.00 of the 10000.00 fee).
    November: T-5 in time, T-6 and T-7 not (33.3%, 20%: 2000.00). The rolling cap is 15% of
    the fees of the last 12 months: alone, November's cap is 1500.00; after October, it is
    15% of 20000.00 less October's 1000.00, 2000.00. Chronic failure: both months breached."""
    path = case / "contract.yaml"
    text = path.read_text("utf-8").replace(
        '        - {below: "75%", percent: "10%"}\n',
        '        - {at_least: "50%", below: "75%", percent: "10%"}\n'
        '        - {below: "50%", percent: "20%"}\n',
    )
    path.write_text(text + LOOK_BACK, encoding="utf-8")
    with (case / "data" / "tickets.csv").open("a", encoding="utf-8") as handle:
        handle.write(SLOW_NOVEMBER)


def november(case: Path, *extra: str) -> dict[str, object]:
    code, out, err = run("evaluate", str(case / "contract.yaml"), "--period", "2026-11", *extra)
    assert code == 0, err
    results: dict[str, object] = json.loads(out)
    return results


def test_evaluate_reads_the_months_closed_before(case: Path, ledger: str) -> None:
    look_back(case)
    code, _, err = close(case, ledger)
    assert code == 0, err
    assert "credit 1000.00 EUR" in err
    known = november(case, "--ledger", ledger)
    (period,) = known["periods"]  # type: ignore[attr-defined]
    assert (period["credit"], period["cap"], period["cap_applied"]) == ("2000.00", "2000.00", False)
    (chronic,) = period["chronic_failure"]
    assert chronic["triggered"] and chronic["detail"] == "2 of the last 2 periods breached"
    (earlier,) = known["earlier"]  # type: ignore[attr-defined]
    with open_store(ledger) as store:
        (october,) = store.revisions("ledger-test")
    assert earlier == {
        "breached": ["resolve-4h"],
        "credit": "1000.00",
        "fee": "10000.00",
        "period": "2026-10",
        "results_sha256": october.results_sha256,
        "revision": 1,
    }
    # The close of November records the same figures.
    code, _, err = run(
        "close", str(case / "contract.yaml"), "--period", "2026-11", "--ledger", ledger
    )
    assert code == 0, err
    assert "credit 2000.00 EUR" in err
    # Without the ledger November knows only itself: the cap of one month binds.
    alone = november(case, "--no-ledger")
    (period,) = alone["periods"]  # type: ignore[attr-defined]
    assert (period["credit"], period["cap_applied"], alone["earlier"]) == ("1500.00", True, [])
    (chronic,) = period["chronic_failure"]
    assert not chronic["triggered"]
    assert chronic["detail"] == (
        "1 of the last 2 periods breached (1 not known: neither in this run nor closed in the "
        "ledger)"
    )


def test_the_ledger_beside_the_contract_is_read_by_default(case: Path) -> None:
    look_back(case)
    contract = str(case / "contract.yaml")
    assert november(case)["earlier"] == []  # no ledger yet: none is created by reading
    assert not (case / "ledger.duckdb").exists()
    code, _, err = run("close", contract, "--period", "2026-10")
    assert code == 0, err
    assert [e["period"] for e in november(case)["earlier"]] == ["2026-10"]  # type: ignore[union-attr]
    assert november(case, "--no-ledger")["earlier"] == []
    code, out, err = run("statement", contract, "--period", "2026-11", "--format", "txt")
    assert code == 0, err
    assert "chronic: 2 of the last 2 periods breached" in out
    assert "2026-10 (ledger, revision 1)" in out
    code, _, err = run(
        "override", contract, "--period", "2026-11", "--target", "resolve-4h",
        "--action", "waive-credit", "--reason", "goodwill after the review", "--by", "carol",
    )  # fmt: skip
    assert code == 0, err
    for fmt in ("md", "txt", "html"):
        code, out, err = run("statement", contract, "--period", "2026-11", "--format", fmt)
        assert code == 0, err
        assert "waive-credit" in out and "goodwill after the review" in out and "carol" in out
        assert "earlier month 2026-10" in out
    code, out, err = run(
        "statement", contract, "--period", "2026-11", "--format", "txt", "--no-ledger"
    )
    assert code == 0, err
    assert "chronic: " not in out and "(ledger, revision" not in out
    assert "goodwill" not in out
    code, _, err = run("evaluate", contract, "--ledger", str(case / "x.duckdb"), "--no-ledger")
    assert code == 2 and "--ledger and --no-ledger exclude each other" in err
    code, _, err = run("statement", contract, "--ledger", str(case / "nowhere.duckdb"))
    assert code == 1 and "no ledger at" in err and "nowhere.duckdb" in err
