"""`slac evaluate` from the command line: golden results, schema, hashes, determinism, numbers
checked by hand against the example data, and the command's behaviour.

Golden files live in ``tests/golden/results/<example>.json``: each example evaluated over
2026-09 … 2026-11. Regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/evaluation/test_cli_evaluate.py

and review the diff: every change there changes who is owed what.
"""

from __future__ import annotations

import copy
import csv
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from referencing import Registry

from slac.api import compile_plan, evaluate, plan_document
from slac.cli import cli
from slac.evaluation import load
from slac.evaluation.sqltext import Engine
from slac.plan.canonical import pretty, sha256_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/contract.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "results"
SCHEMA_PATH = ROOT / "schemas" / "results.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(
    SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER, registry=Registry()
)
SMALL = ROOT / "tests" / "data" / "evaluate"  # a four-ticket contract with bindings and data
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"
RANGE = ("--period", "2026-09", "--through", "2026-11")
TODAY = ("--today", "2026-11-01")  # lint's review-date check must not depend on the clock
STATUSES = {"met", "breached", "insufficient-data", "not-applicable"}


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def contract_path(example: str) -> str:
    return str(EXAMPLES_DIR / example / "contract.yaml")


@cache
def example_text(example: str) -> str:
    """The results of an example over 2026-09 … 2026-11, as `slac evaluate` prints them."""
    result = invoke("evaluate", contract_path(example), *RANGE)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def example_results(example: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_text(example))  # a fresh copy for each test
    return data


def small(*args: str, env: dict[str, str] | None = None) -> Result:
    return invoke("evaluate", str(SMALL / "contract.yaml"), *TODAY, *args, env=env)


def period_of(doc: dict[str, Any], month: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in doc["periods"] if p["period"] == month]
    assert len(found) == 1, month
    return found[0]


def objective_result(
    doc: dict[str, Any], month: str, objective: str, **scope: str
) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        o
        for o in period_of(doc, month)["objectives"]
        if o["objective"] == objective and o["scope"] == scope
    ]
    assert len(found) == 1, (month, objective, scope)
    return found[0]


def excluded(result: dict[str, Any]) -> dict[str, int]:
    return {e["exclusion"]: e["count"] for e in result["excluded"] if e["count"]}


def all_objective_results() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for example in EXAMPLES:
        for period in example_results(example)["periods"]:
            for result in period["objectives"]:
                yield example, period, result


def local_month(timestamp: str, zone: str) -> str:
    return datetime.fromisoformat(timestamp).astimezone(ZoneInfo(zone)).strftime("%Y-%m")


# ---------------------------------------------------------------- 1. golden results


def test_every_example_is_covered() -> None:
    assert EXAMPLES == [
        "contact-centre",
        "customer-support",
        "fulfilment",
        "hosting-availability",
        "it-outsourcing",
        "managed-services",
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_results_match_golden_file(example: str) -> None:
    text = example_text(example)
    golden = GOLDEN / f"{example}.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
        return
    assert golden.exists(), f"{golden} is missing: run with SLAC_UPDATE_GOLDEN=1"
    assert golden.read_bytes() == text.encode("utf-8"), (
        f"the results of {example} changed; if that is intended, regenerate with "
        "SLAC_UPDATE_GOLDEN=1 and review the diff"
    )


# (Availability measures probes by intervals: it keeps no copy of a metric's rows.)
@pytest.mark.parametrize("example", [e for e in EXAMPLES if e != "hosting-availability"])
def test_results_are_the_golden_files_with_the_rows_read_as_views(
    example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metric's rows too many to keep in memory are a view each statement computes again
    (Engine.stores): the examples are small, so they are stored; read as views, every example
    must give its golden results byte for byte."""
    asked: list[int] = []

    def never(self: Engine, rows: Any, columns: int) -> bool:
        asked.append(columns)
        return not self.rows_as_views

    monkeypatch.setattr(Engine, "stores", never)
    result = invoke("evaluate", contract_path(example), *RANGE)
    assert result.exit_code == 0, result.stderr
    assert asked, "no metric of the example asked whether to store its rows"
    assert result.stdout.encode("utf-8") == (GOLDEN / f"{example}.json").read_bytes()


def test_no_stray_golden_files() -> None:
    if UPDATE:
        return
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES)
def test_results_validate_against_schema(example: str) -> None:
    errors = sorted(VALIDATOR.iter_errors(example_results(example)), key=str)
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:10]]


@pytest.mark.parametrize("example", EXAMPLES)
def test_results_sha256_is_the_hash_of_the_rest(example: str) -> None:
    doc = example_results(example)
    claimed = doc.pop("results_sha256")
    assert claimed == sha256_of(doc)  # the compact canonical JSON without the hash itself
    # What is printed is the canonical pretty form: sorted keys, indent 2, a final newline.
    assert example_text(example) == pretty({**doc, "results_sha256": claimed})


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_input_file_is_named_with_its_own_hash(example: str) -> None:
    """The files are hashed on a thread of their own while the engine reads them: each hash
    must still be its own file's."""
    files = [f for i in example_results(example)["inputs"] for f in i["files"]]
    assert files
    for f in files:
        (path,) = (EXAMPLES_DIR / example).rglob(f["name"])
        assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), f["name"]


def test_an_error_in_the_load_does_not_wait_for_the_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A load that fails (bad data, Ctrl-C) returns at once, not after hashing every file
    queued: on multi-GB inputs, seconds. The hash in progress here holds until the test lets
    it go (or 10 s pass): a load that waited for it returns with the hash done."""
    release, started, hashed = threading.Event(), threading.Event(), threading.Event()

    def held_hash(path: str) -> str:
        started.set()
        release.wait(10)
        hashed.set()
        return ""

    def failing(*args: Any, **kwargs: Any) -> Any:
        # The first dataset's checks, after its files were queued for hashing.
        assert started.wait(30)
        raise RuntimeError("the load fails")

    monkeypatch.setattr(load._HASHES, "sha256", held_hash)
    monkeypatch.setattr(load, "_problems", failing)
    try:
        with pytest.raises(RuntimeError, match="the load fails"):
            evaluate(contract_path("customer-support"))
        assert not hashed.is_set()
    finally:
        release.set()


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_sha256_is_the_compiled_plans(example: str) -> None:
    compiled = compile_plan(contract_path(example))
    plan, report = compiled.value, compiled.report
    assert plan is not None, [str(d) for d in report.diagnostics]
    doc = example_results(example)
    assert doc["plan_sha256"] == plan_document(plan)["plan_sha256"]
    assert doc["source_sha256"] == plan.source.sha256
    compiled = invoke("compile", contract_path(example))
    assert compiled.exit_code == 0, compiled.stderr
    assert json.loads(compiled.stdout)["plan_sha256"] == doc["plan_sha256"]


# ---------------------------------------------------------------- 2. schema


def _walk(schema: Any, path: str = "#", in_if: bool = False) -> Iterator[tuple[str, Any, bool]]:
    if not isinstance(schema, dict):
        return
    yield path, schema, in_if
    for key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
        if key in schema:
            yield from _walk(schema[key], f"{path}/{key}", in_if or key == "if")
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from _walk(sub, f"{path}/{key}/{i}", in_if)
    for key in ("properties", "patternProperties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from _walk(sub, f"{path}/{key}/{name}", in_if)


def test_schema_is_draft_2020_12_and_editor_friendly() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "https://slac.dev/schemas/results/v1.json"
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"
    for keyword in ("unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "prefixItems"):
        assert f'"{keyword}"' not in text
    undescribed, open_shapes = [], []
    for path, sub, in_if in _walk(SCHEMA):
        if in_if:
            continue
        for name, prop in sub.get("properties", {}).items():
            if not (isinstance(prop, dict) and str(prop.get("description", "")).strip()):
                undescribed.append(f"{path}/properties/{name}")
        closed = sub.get("additionalProperties") is False
        # then/else refine a shape closed where it is defined (they state its type for ajv).
        refinement = "/then/" in path or "/else/" in path
        if sub.get("type") == "object" and "properties" in sub and not closed and not refinement:
            open_shapes.append(path)
    assert not undescribed, undescribed
    assert not open_shapes, open_shapes


def _mutated(change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(example_results("customer-support"))
    change(doc)
    return doc


@pytest.mark.parametrize(
    "what, change",
    [
        ("an unknown property", lambda d: d.update(extra=1)),
        ("an unknown status", lambda d: d["periods"][0]["objectives"][0].update(status="passed")),
        ("a share above 1", lambda d: d["periods"][1]["objectives"][0].update(measured="1.5")),
        ("a share as a number", lambda d: d["periods"][1]["objectives"][0].update(measured=1)),
        ("EUR with one decimal", lambda d: d["periods"][1].update(credit="1320.0")),
        ("EUR total without decimals", lambda d: d.update(total_credit="1920")),
        ("an unknown earn-back state", lambda d: d["periods"][0].update(earn_back="maybe")),
        ("a credit on a met objective", lambda d: _credit_on_met(d)),
        ("a due date without its offset", lambda d: _naive_due(d)),
        ("a missing hash", lambda d: d.pop("results_sha256")),
    ],
)
def test_schema_rejects(what: str, change: Any) -> None:
    assert not VALIDATOR.is_valid(_mutated(change)), what


def _credit_on_met(doc: dict[str, Any]) -> None:
    october = period_of(doc, "2026-10")
    met = next(o for o in october["objectives"] if o["status"] == "met")
    met["credit"] = october["credit_lines"][0]


def _naive_due(doc: dict[str, Any]) -> None:
    escalation = next(e for e in period_of(doc, "2026-10")["escalations"] if e["triggered"])
    escalation["due"] = escalation["due"][:19]


def test_schema_ties_money_decimals_to_the_currency() -> None:
    doc = example_results("customer-support")
    doc["currency"] = "JPY"
    assert not VALIDATOR.is_valid(doc)  # "1920.00" has decimals a yen amount cannot have
    doc["total_credit"] = "1920"
    assert VALIDATOR.is_valid(doc)


# ---------------------------------------------------------------- 3. determinism


def test_evaluating_twice_gives_identical_bytes() -> None:
    again = invoke("evaluate", contract_path("contact-centre"), *RANGE)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == example_text("contact-centre")


def test_identical_bytes_in_fresh_processes_in_any_time_zone() -> None:
    # contact-centre reads naive local timestamps in a declared zone and crosses a DST change:
    # the process's own zone and locale must not matter.
    outputs = []
    for zone, lang in (("Pacific/Kiritimati", "C"), ("America/Los_Angeles", "de_DE.UTF-8")):
        env = {**os.environ, "TZ": zone, "LANG": lang, "LC_ALL": lang, "CI": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "slac", "evaluate", contract_path("contact-centre"), *RANGE],
            capture_output=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == example_text("contact-centre").encode("utf-8")


# ---------------------------------------------------------------- 4. the examples show everything


def test_every_status_occurs_across_the_examples() -> None:
    seen = {result["status"] for _, _, result in all_objective_results()}
    assert seen == STATUSES


def test_the_examples_exercise_exclusions_open_items_and_every_credit_rule() -> None:
    results = [(e, p, r) for e, p, r in all_objective_results()]
    periods = [(e, p) for e in EXAMPLES for p in example_results(e)["periods"]]
    assert any(excluded(r) for _, _, r in results)
    assert any(r["open"] for _, _, r in results)
    assert any(r["scope"] for _, _, r in results)
    assert any(Decimal(r["credit"]["amount"]) > 0 for _, _, r in results if r["credit"])
    assert all(Decimal(example_results(e)["total_credit"]) > 0 for e in EXAMPLES)
    assert any(p["cap_applied"] for _, p in periods)
    assert any(p["pool_capped"] for _, p in periods)
    assert {p["earn_back"] for _, p in periods} >= {"none", "pending", "due"}
    assert any(t["triggered"] for _, p in periods for t in p["escalations"])
    assert {p["grade"] for _, p in periods} >= {"exceptional", "unsatisfactory"}


# ---------------------------------------------------------------- 5. numbers checked by hand
#
# Each test states the arithmetic, done by hand from the data files, that gives the numbers it
# asserts, and checks the data rows the arithmetic relies on (so that regenerated data that no
# longer shows the case fails here, with the reason, rather than silently).


def test_hand_customer_support_october_res_p1_breach_and_credit() -> None:
    tickets = {r["id"]: r for r in read_csv(_data("customer-support", "tickets.csv"))}
    p1_october = sorted(
        t["id"]
        for t in tickets.values()
        if t["priority"] == "P1"
        and t["resolved_at"]
        and local_month(t["resolved_at"], "Europe/Berlin") == "2026-10"
    )
    # Six P1 tickets resolved in October (Berlin), none with a pause interval:
    #   SR-24097  14:05 → 16:15            2 h 10
    #   SR-24103  22:50 → 00:30 next day   1 h 40
    #   SR-24109  02:10 → 08:10            6 h 00, tagged force-majeure: excluded
    #   SR-24129  03:40 → 06:45            3 h 05
    #   SR-24139  25 Oct 01:30 CEST → 04:45 CET: 3 h 15 on the wall clock, but the clocks went
    #             back at 03:00, so 4 h 15 of real time > 4 h: breached
    #   SR-24149  11:20 → 15:19            3 h 59
    # 5 judged, 4 within 4 h: 4 ÷ 5 = 0.8 < 90% → tier 2 ("at_least 75% below 85%") → 8% of the
    # monthly fee EUR 12,000.00 = EUR 960.00.
    assert p1_october == ["SR-24097", "SR-24103", "SR-24109", "SR-24129", "SR-24139", "SR-24149"]
    sr = tickets["SR-24139"]
    assert (sr["opened"], sr["resolved_at"]) == (
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T04:45:00+01:00",
    )
    assert tickets["SR-24109"]["tag"] == "force-majeure"
    doc = example_results("customer-support")
    res = objective_result(doc, "2026-10", "res-p1")
    assert (res["status"], res["measured"], res["sample"]) == ("breached", "0.8", 5)
    assert (res["met"], res["breached"], excluded(res)) == (4, 1, {"force-majeure": 1})
    line = res["credit"]
    assert (line["tier"], line["percent"], line["fee"], line["amount"]) == (
        2,
        "0.08",
        "12000.00",
        "960.00",
    )
    # With frt-p2 (17 of 18 = 94.44% → 3% = EUR 360.00): 960 + 360 = EUR 1,320.00, under the
    # cap of 15% × 12,000 = 1,800 and above the minimum of 50.
    october = period_of(doc, "2026-10")
    assert (october["combined"], october["credit"], october["cap"]) == (
        "1320.00",
        "1320.00",
        "1800.00",
    )
    assert not october["cap_applied"] and not october["minimum_applied"]


def test_hand_contact_centre_september_technical_support_per_scope() -> None:
    calls = [
        r
        for r in read_csv(_data("contact-centre", "contacts.csv"))
        if r["channel"] == "voice"
        and r["queue"] == "technical-support"
        and r["arrived_at"].startswith("2026-09")
    ]
    # Recounted from contacts.csv (naive New York times, so the date is the local date):
    # 133 technical-support calls in September; 7 arrived on 12-13 September (platform-migration,
    # `between`) → 126; 3 of them are short abandons (< 5 s) → 123 offered.
    # Answered A = 114, of which Aₜ = 90 within 20 s; abandoned B = 9, of which Bₜ = 4 within 20 s.
    # Service level (abandoned-after-ignored-within) = Aₜ ÷ (A + B − Bₜ) = 90 ÷ (114 + 9 − 4)
    # = 90 ÷ 119 = 0.7563… < 80% → tier 1 ("at_least 75% below 80%") → 2% × USD 85,000.00
    # = USD 1,700.00.
    migration = [r for r in calls if r["arrived_at"][:10] in ("2026-09-12", "2026-09-13")]
    rest = [r for r in calls if r not in migration]
    answered = [r for r in rest if r["outcome"] == "answered"]
    abandoned = [r for r in rest if r["outcome"] == "abandoned" and r["short_abandon"] == "false"]
    within = [r for r in answered if Decimal(r["wait_seconds"]) <= 20]
    abandoned_within = [r for r in abandoned if Decimal(r["wait_seconds"]) <= 20]
    assert (len(calls), len(migration)) == (133, 7)
    assert (len(answered), len(within), len(abandoned), len(abandoned_within)) == (114, 90, 9, 4)
    doc = example_results("contact-centre")
    sl = objective_result(doc, "2026-09", "service-level", queue="technical-support")
    assert sl["status"] == "breached"
    assert sl["sample"] == 119
    assert Decimal(sl["measured"]) == Decimal(90) / Decimal(119)
    assert excluded(sl) == {"platform-migration": 7}
    assert (sl["credit"]["percent"], sl["credit"]["amount"]) == ("0.02", "1700.00")
    # The same queue's abandonment: 9 ÷ 123 = 7.32% → tier "above 5% at_most 8%" → 1% = 850.00;
    # first-contact resolution: 82 ÷ 114 = 71.93% → 1% = 850.00; handle time 421.96 s > 360 s is
    # breached but has no credit table. September: 1,700 + 850 + 850 = USD 3,400.00.
    ab = objective_result(doc, "2026-09", "abandonment", queue="technical-support")
    assert Decimal(ab["measured"]) == Decimal(9) / Decimal(123)
    assert ab["credit"]["amount"] == "850.00"
    fcr = objective_result(doc, "2026-09", "first-contact-resolution", queue="technical-support")
    assert Decimal(fcr["measured"]) == Decimal(82) / Decimal(114)
    aht = objective_result(doc, "2026-09", "handle-time", queue="technical-support")
    assert (aht["status"], aht["credit"]) == ("breached", None)
    # Other queues of the same objective are judged on their own: billing met 112 ÷ 129.
    billing = objective_result(doc, "2026-09", "service-level", queue="billing")
    assert billing["status"] == "met"
    assert Decimal(billing["measured"]) == Decimal(112) / Decimal(129)
    assert period_of(doc, "2026-09")["credit"] == "3400.00"


def test_hand_contact_centre_september_grade() -> None:
    # Weighted service level, September (NPS's Q3 is insufficient data and left out):
    #   met:      SL billing 3 + abandonment billing 2 + AHT billing 1 + e-mail billing 1
    #             + e-mail technical-support 1 + CSAT billing 2 + CSAT technical-support 2
    #             + FCR billing 2 = 14
    #   judged:   the above + SL tech 3 + abandonment tech 2 + AHT tech 1 + FCR tech 2 = 22
    # 14 ÷ 22 = 63.64% → grade band "basic" (at_least 60% below 75%). EXPECTED.md says
    # "unsatisfactory", which in this contract is below 60%: the EXPECTED.md grade is wrong.
    september = period_of(example_results("contact-centre"), "2026-09")
    assert Decimal(september["service_level"]) == Decimal(14) / Decimal(22)
    assert (september["judged"], september["met"], september["grade"]) == (12, 8, "basic")


def test_hand_fulfilment_november_cap() -> None:
    berlin = "Europe/Berlin"
    orders = [
        r
        for path in sorted(glob.glob(str(_data("fulfilment", "orders-*.csv"))))
        for r in read_csv(Path(path))
        if r["warehouse"] == "DUS" and local_month(r["ordered_at"], berlin) == "2026-11"
    ]
    live = [r for r in orders if r["cancelled_by_customer"] == "false"]
    complete = [r for r in live if r["shipped_complete"] == "true"]
    cycles = [
        r
        for r in read_csv(_data("fulfilment", "inventory_cycles.csv"))
        if r["warehouse"] == "DUS" and local_month(r["cycle_end"], berlin) == "2026-11"
    ]
    # DUS, November. Order fill rate: 602 orders, 8 cancelled → 594; 581 shipped complete (9
    # incomplete, 4 not shipped yet) → 581 ÷ 594 = 97.81% → tier "97%–98.5%" → EUR 1,500.00.
    # Unit fill rate: 22,780 ÷ 23,127 units = 98.4996% → tier "98%–99%" → EUR 1,000.00.
    # On-time delivery: 469 ÷ 525 of November's own orders, plus the 27 October left open and
    # November's end knows (24 on time, 3 late; carried over): 493 ÷ 552 = 89.31% → tier
    # "below 90%" → EUR 5,000.00.
    # Sum 1,500 + 1,000 + 5,000 = EUR 7,500.00 > cap 15% × EUR 48,000.00 = EUR 7,200.00.
    assert (len(orders), len(live), len(complete)) == (602, 594, 581)
    filled = sum(int(r["filled_units"]) for r in cycles)
    demanded = sum(int(r["demand_units"]) for r in cycles)
    assert (filled, demanded) == (22780, 23127)
    doc = example_results("fulfilment")
    ofr = objective_result(doc, "2026-11", "order-fill-rate", warehouse="DUS")
    assert Decimal(ofr["measured"]) == Decimal(581) / Decimal(594)
    assert (ofr["status"], ofr["credit"]["amount"], ofr["credit"]["percent"]) == (
        "breached",
        "1500.00",
        None,
    )
    ufr = objective_result(doc, "2026-11", "unit-fill-rate", warehouse="DUS")
    assert Decimal(ufr["measured"]) == Decimal(22780) / Decimal(23127)
    assert ufr["credit"]["amount"] == "1000.00"
    otd = objective_result(doc, "2026-11", "on-time-delivery", warehouse="DUS")
    assert (otd["met"], otd["sample"], otd["open"], otd["carried"]) == (493, 552, 63, 27)
    assert otd["credit"]["amount"] == "5000.00"
    november = period_of(doc, "2026-11")
    assert (november["combined"], november["cap"], november["credit"]) == (
        "7500.00",
        "7200.00",
        "7200.00",
    )
    assert november["cap_applied"] is True


def test_hand_hosting_october_compute_us_east() -> None:
    # October in UTC: 31 × 1,440 = 44,640 one-minute intervals. MW-2026-031 (6 Oct 02:00-03:30,
    # announced 4 days ahead, within the 8 h allowance) leaves the total: 44,640 − 90 = 44,550.
    # Down: 2 minutes without any us-east probe (`missing: down`) and 12 minutes with a failed
    # probe (inside MW-2026-034, announced only 9 h ahead: not excluded) = 14.
    # (44,550 − 14) ÷ 44,550 = 44,536 ÷ 44,550 = 99.9686% < 99.99% → tier 1
    # ("at_least 99.0% below 99.99%") → 10% of the compute fee USD 18,000.00 = USD 1,800.00.
    probes = _data("hosting-availability", "probes.parquet")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    counts = con.execute(
        """
        WITH minutes AS (
          SELECT unnest(range(TIMESTAMPTZ '2026-10-01 00:00:00+00',
                              TIMESTAMPTZ '2026-11-01 00:00:00+00', INTERVAL 1 MINUTE)) AS m),
        probed AS (
          SELECT date_trunc('minute', checked_at) AS m, bool_and(result = 'up') AS ok
          FROM read_parquet(?) WHERE region = 'us-east' GROUP BY 1),
        marked AS (
          SELECT minutes.m, probed.m IS NULL AS no_probe, probed.ok,
                 minutes.m >= TIMESTAMPTZ '2026-10-06 02:00:00+00'
                 AND minutes.m < TIMESTAMPTZ '2026-10-06 03:30:00+00' AS in_window
          FROM minutes LEFT JOIN probed ON probed.m = minutes.m)
        SELECT count(*), count(*) FILTER (in_window),
               count(*) FILTER (NOT in_window AND no_probe),
               count(*) FILTER (NOT in_window AND NOT ok)
        FROM marked
        """,
        [str(probes)],
    ).fetchone()
    con.close()
    assert counts == (44640, 90, 2, 12)  # minutes, in the window, without a probe, failed
    doc = example_results("hosting-availability")
    uptime = objective_result(doc, "2026-10", "compute-uptime", region="us-east")
    assert uptime["sample"] == 44550
    assert Decimal(uptime["measured"]) == Decimal(44536) / Decimal(44550)
    assert uptime["status"] == "breached"
    # A maintenance exclusion counts the windows it excluded (one 90-minute window here).
    assert excluded(uptime) == {"scheduled-maintenance": 1}
    assert (uptime["credit"]["fee"], uptime["credit"]["amount"]) == ("18000.00", "1800.00")
    # The other region of the same objective met: 44,547 ÷ 44,550.
    eu = objective_result(doc, "2026-10", "compute-uptime", region="eu-central")
    assert (eu["status"], Decimal(eu["measured"])) == ("met", Decimal(44547) / Decimal(44550))


def test_hand_it_outsourcing_november_pool() -> None:
    outages = {r["id"]: r for r in read_csv(_data("it-outsourcing", "outages.csv"))}
    # November has 43,200 minutes. Payroll: OUT-0026 60 minutes → 43,140 ÷ 43,200 = 99.8611%
    # < 99.9% (the target under amendment amd-001) → breached. Reporting: OUT-0019 250 minutes
    # → 42,950 ÷ 43,200 = 99.4213% < 99.5% → breached.
    # Pool: at_risk 12% × GBP 250,000.00 = GBP 30,000.00. Breached service levels and their
    # allocations: incident-p1 30% + speed-to-answer 25% + availability-critical 30%
    # + availability-important 20% + user-satisfaction 20% = 125% → GBP 37,500.00, capped at
    # the pool: GBP 30,000.00. Earn-back: pending (December–February not evaluated); October's
    # GBP 18,000.00 is due because November was not clean.
    assert (outages["OUT-0026"]["application"], outages["OUT-0026"]["start"]) == (
        "payroll",
        "2026-11-25T17:30:00+00:00",
    )
    assert outages["OUT-0026"]["end"] == "2026-11-25T18:30:00+00:00"
    assert outages["OUT-0019"]["application"] == "reporting"
    doc = example_results("it-outsourcing")
    payroll = objective_result(doc, "2026-11", "availability-critical", application="payroll")
    assert Decimal(payroll["measured"]) == Decimal(43140) / Decimal(43200)
    reporting = objective_result(doc, "2026-11", "availability-important", application="reporting")
    assert Decimal(reporting["measured"]) == Decimal(42950) / Decimal(43200)
    november = period_of(doc, "2026-11")
    assert sorted(
        {o["objective"] for o in november["objectives"] if o["status"] == "breached"}
    ) == [
        "availability-critical",
        "availability-important",
        "incident-p1",
        "speed-to-answer",
        "user-satisfaction",
    ]
    assert (november["pool_at_risk"], november["pool_capped"], november["credit"]) == (
        "30000.00",
        True,
        "30000.00",
    )
    assert november["earn_back"] == "pending"
    assert (period_of(doc, "2026-10")["credit"], period_of(doc, "2026-10")["earn_back"]) == (
        "18000.00",
        "due",
    )


def test_hand_hosting_ap_preview_rows_are_excluded_once() -> None:
    # ap-preview has 31 × 288 = 8,928 five-minute rows in October, every one excluded
    # (preview-region); 18 of them also fall in the maintenance window MW-2026-031.
    result = objective_result(
        example_results("hosting-availability"),
        "2026-10",
        "storage-availability",
        region="ap-preview",
    )
    assert result["status"] == "not-applicable"
    # Rows are counted once, under their first exclusion; a maintenance exclusion counts the
    # windows it excluded (docs/semantics.md), here the one window MW-2026-031.
    assert excluded(result) == {"preview-region": 8928, "scheduled-maintenance": 1}


def test_hand_hosting_exclusion_counts_carry_their_unit() -> None:
    """Rows and maintenance windows are counted in their own unit, never added together
    (issue 10, item 11). ap-preview in October: 8,928 rows left out by preview-region
    (31 days × 288 five-minute probes) and 1 window (MW-2026-031) by scheduled-maintenance;
    the reason used to say "all 8929 rows", a row count plus a window count.

    A published availability SLA names both kinds side by side, Entrecloud's
    (https://entrecloud.com/service-level-agreement/, quotation marks straightened):
    "'Excused Downtime' refers to the length of time the services are unavailable due to:
    Scheduled Maintenance, Beta Services, Force Majeure events, ..." and "'Scheduled
    Maintenance' includes any maintenance performed during the windows for which we provide
    minimum 24 hours notice". Maintenance is excused window by window (here 1 window), a
    service left out (Beta Services; here the preview region) row by row (8,928 probe rows),
    while "'Covered Downtime', applies to the total duration in minutes of Downtime" is a third
    unit, minutes: no sum of the three means anything.
    """
    result = objective_result(
        example_results("hosting-availability"),
        "2026-10",
        "storage-availability",
        region="ap-preview",
    )
    assert [(e["exclusion"], e["count"], e["unit"]) for e in result["excluded"]] == [
        ("scheduled-maintenance", 1, "windows"),
        ("preview-region", 8928, "rows"),
    ]
    assert result["reason"] == "all 8928 rows were excluded, and 1 maintenance window"


def _data(example: str, name: str) -> Path:
    return EXAMPLES_DIR / example / "data" / name


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- 6. money as the contract rounds it


def test_amounts_shown_follow_the_contracts_rounding(tmp_path: Path) -> None:
    case = _copy_small(tmp_path)
    contract = case / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    text = text.replace(
        'monthly_fee: "10000.00"',
        'monthly_fee: "12344.50"\n  rounding: {mode: half-up, apply: total}',
    )
    contract.write_text(text.replace('percent: "10%"', 'percent: "1%"'), encoding="utf-8")
    # One ticket, 9 h: breached (0% < 50%) → 1% × 12,344.50 = 123.445 → half-up 123.45.
    (case / "data" / "tickets.csv").write_text(
        "id,created_at,resolved_at,priority,reopened\n"
        "T-1,2026-10-05T09:00:00+02:00,2026-10-05T18:00:00+02:00,P1,0\n",
        encoding="utf-8",
    )
    (case / "data" / "pauses.csv").write_text("ticket_id,start,end\n", encoding="utf-8")
    result = invoke("evaluate", str(contract), *TODAY, "--period", "2026-10")
    assert result.exit_code == 0, result.stderr
    october = json.loads(result.stdout)["periods"][0]
    # Rounding happens once, on the total (apply: total): the line and the combined amount
    # are shown exactly, never rounded for display; the credit issued is rounded half-up.
    assert october["credit"] == "123.45"
    assert october["credit_lines"][0]["amount"] == "123.445"
    assert october["combined"] == "123.445"


# ---------------------------------------------------------------- 7. command-line behaviour


def _copy_small(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    shutil.copytree(SMALL, case)
    return case


def test_exit_0_and_json_on_stdout() -> None:
    result = small("--period", "2026-10")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert VALIDATOR.is_valid(doc)
    assert [p["period"] for p in doc["periods"]] == ["2026-10"]
    # T-1 1 h, T-2 6 h, T-3 3 h, T-4 5 h minus its 2 h pause = 3 h: 3 of 4 within 4 h.
    resolve = objective_result(doc, "2026-10", "resolve-4h")
    assert (resolve["status"], resolve["measured"], resolve["met"]) == ("met", "0.75", 3)


def test_default_range_is_the_months_the_data_covers() -> None:
    result = small()
    assert result.exit_code == 0, result.stderr
    assert [p["period"] for p in json.loads(result.stdout)["periods"]] == ["2026-10"]


def test_output_file_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    target.write_text("old results\n", encoding="utf-8")
    result = small("--period", "2026-10", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == small("--period", "2026-10").stdout
    assert sorted(os.listdir(tmp_path)) == ["results.json"]  # no temporary file left behind


def test_output_file_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "results.json"
    target.write_text("old results\n", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("slac.files.os.replace", refuse)
    result = small("--period", "2026-10", "-o", str(target))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and str(target) in result.stderr
    assert target.read_text(encoding="utf-8") == "old results\n"
    assert sorted(os.listdir(tmp_path)) == ["results.json"]


def test_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "results.json"
    result = small("--period", "2026-10", "-o", str(target))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    "args, month",
    [
        (("--period", "2025-12"), "2025-12"),
        (("--period", "2027-12", "--through", "2028-01"), "2028-01"),
    ],
)
def test_period_outside_the_contracts_life(args: tuple[str, ...], month: str) -> None:
    result = small(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert month in result.stderr
    assert "outside the contract's life" in result.stderr
    assert "2026-01-01" in result.stderr and "2027-12-31" in result.stderr


def test_through_without_period_is_a_usage_error() -> None:
    result = small("--through", "2026-11")
    assert result.exit_code == 2
    assert "--through needs --period" in result.stderr


def test_a_period_that_is_not_one_is_named() -> None:
    result = small("--period", "October")
    assert result.exit_code != 0
    assert "'October' is not a period" in result.stderr


def test_contract_with_lint_errors_stops_with_the_finding(tmp_path: Path) -> None:
    case = _copy_small(tmp_path)
    contract = case / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.replace("metric: csat", "metric: no_such_metric"), encoding="utf-8")
    result = invoke("evaluate", str(contract), *TODAY, "--period", "2026-10")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "R401" in result.stderr and "no_such_metric" in result.stderr
    assert f"{contract}:" in result.stderr  # positioned: file:line:column


def test_data_option_overrides_a_binding() -> None:
    alternative = SMALL / "data" / "surveys-alt.csv"
    result = small("--period", "2026-10", "--data", f"surveys={alternative}")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    files = {i["dataset"]: [f["name"] for f in i["files"]] for i in doc["inputs"]}
    assert files == {
        "pauses": ["pauses.csv"],
        "surveys": ["surveys-alt.csv"],
        "tickets": ["tickets.csv"],
    }
    # surveys-alt.csv scores 1, 2, 3, 5: one good answer of four (the bound surveys.csv: 2 of 3).
    csat = objective_result(doc, "2026-10", "csat")
    assert (csat["measured"], csat["sample"], csat["status"]) == ("0.25", 4, "breached")


def test_bindings_option_replaces_the_file_beside_the_contract(tmp_path: Path) -> None:
    other = tmp_path / "other-bindings.yaml"
    other.write_text(
        (SMALL / "bindings.yaml")
        .read_text(encoding="utf-8")
        .replace("data/", f"{SMALL / 'data'}/")
        .replace("surveys.csv", "surveys-alt.csv"),
        encoding="utf-8",
    )
    result = small("--period", "2026-10", "--bindings", str(other))
    assert result.exit_code == 0, result.stderr
    csat = objective_result(json.loads(result.stdout), "2026-10", "csat")
    assert (csat["measured"], csat["sample"]) == ("0.25", 4)  # surveys-alt.csv, not surveys.csv


@pytest.mark.parametrize(
    "args, months",
    [
        (("--period", "2026-10"), ["2026-10"]),
        (("--period", "2026-09", "--through", "2026-11"), ["2026-09", "2026-10", "2026-11"]),
        (("--period", "2026-Q4"), ["2026-10", "2026-11", "2026-12"]),
        (
            ("--period", "2026-11", "--through", "2027"),
            [f"2026-{m}" for m in (11, 12)] + [f"2027-{m:02}" for m in range(1, 13)],
        ),
    ],
)
def test_period_and_through_choose_the_months(args: tuple[str, ...], months: list[str]) -> None:
    result = small(*args)
    assert result.exit_code == 0, result.stderr
    assert [p["period"] for p in json.loads(result.stdout)["periods"]] == months


def test_data_option_must_be_name_equals_path() -> None:
    result = small("--period", "2026-10", "--data", "surveys")
    assert result.exit_code != 0
    assert "--data takes NAME=PATH" in result.stderr


def test_missing_bindings_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = small("--period", "2026-10", "--bindings", str(missing))
    assert result.exit_code != 0
    assert result.stdout == ""
    assert f"no such bindings file: {missing}" in result.stderr


def test_missing_bindings_file_is_a_usage_error(tmp_path: Path) -> None:
    result = small("--period", "2026-10", "--bindings", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2


def test_missing_contract_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("evaluate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def _stderr_on_a_terminal(env: dict[str, str], *args: str) -> str:
    """Run `slac evaluate` on the small contract with stderr on a pseudo-terminal."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "slac", "evaluate", str(SMALL / "contract.yaml"), *TODAY, *args],
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=env,
            cwd=ROOT,
            check=False,
        )
    finally:
        os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal's other side is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0
    return b"".join(chunks).decode("utf-8")


def test_progress_only_for_a_person_at_a_terminal() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    assert "slac: loading data" in _stderr_on_a_terminal(env, "--period", "2026-10")
    assert _stderr_on_a_terminal({**env, "CI": "true"}, "--period", "2026-10") == ""
    assert _stderr_on_a_terminal(env, "--period", "2026-10", "--quiet") == ""


def test_no_progress_in_ci_logs() -> None:
    result = small("--period", "2026-10", env={"CI": "1"})
    assert result.exit_code == 0
    assert result.stderr == ""


EVIDENCE_COLUMNS = [
    ("period", "VARCHAR"),
    ("objective", "VARCHAR"),
    ("scope", "VARCHAR"),
    ("item", "VARCHAR"),
    ("source_row", "BIGINT"),
    ("value", "DECIMAL(38,6)"),
    ("outcome", "VARCHAR"),
    ("exclusion", "VARCHAR"),
]


def test_evidence_file_has_every_outcome(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    result = invoke(
        "evaluate", contract_path("fulfilment"), "--period", "2026-10", "--evidence", str(folder)
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(os.listdir(folder)) == ["evidence.parquet"]
    path = str(folder / "evidence.parquet")
    con = duckdb.connect()
    try:
        columns = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
        counts = con.execute(
            "SELECT objective, scope, outcome, count(*), count(exclusion), min(source_row) "
            "FROM read_parquet(?) GROUP BY ALL",
            [path],
        ).fetchall()
        item = con.execute(
            "SELECT period, scope, outcome, value FROM read_parquet(?) "
            "WHERE objective = 'dispatch' AND item = 'RR-700695'",
            [path],
        ).fetchall()
    finally:
        con.close()
    assert [(c[0], c[1]) for c in columns] == EVIDENCE_COLUMNS
    outcomes = {row[2] for row in counts}
    # Duration objectives record met, breached, open or excluded; the others counted or excluded.
    assert outcomes == {"met", "breached", "excluded", "open", "counted"}
    for _, _, outcome, rows, with_exclusion, first_row in counts:
        assert with_exclusion == (rows if outcome == "excluded" else 0)
        assert first_row >= 1
    # The rows agree with the results: per objective and warehouse, met / breached / open /
    # excluded counts are those of the JSON.
    doc = json.loads(result.stdout)
    by_key = {(o, s, out): n for o, s, out, n, _, _ in counts}
    for obj in period_of(doc, "2026-10")["objectives"]:
        if obj["objective"] not in ("dispatch", "on-time-delivery"):
            continue
        scope = obj["scope"]["warehouse"]
        for outcome in ("met", "breached", "open"):
            assert by_key.get((obj["objective"], scope, outcome), 0) == obj[outcome]
        assert by_key.get((obj["objective"], scope, "excluded"), 0) == sum(excluded(obj).values())
    # RR-700695 (Fri 2 Oct 15:00, shipped Mon 5 Oct 10:00): 7 h on Friday + 4 h on Monday (3 Oct,
    # a Saturday, is a holiday) = 11 business hours = 39,600 s, within 1 business day: met.
    assert item == [("2026-10", "DUS", "met", Decimal("39600"))]


def test_evidence_covers_every_credited_objective(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    result = invoke(
        "evaluate",
        contract_path("contact-centre"),
        "--period",
        "2026-09",
        "--evidence",
        str(folder),
    )
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect()
    try:
        objectives = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT objective FROM read_parquet(?)",
                [str(folder / "evidence.parquet")],
            ).fetchall()
        }
    finally:
        con.close()
    credited = {
        line["objective"] for line in json.loads(result.stdout)["periods"][0]["credit_lines"]
    }
    assert credited == {"service-level", "abandonment", "first-contact-resolution"}
    assert credited <= objectives


def test_database_bindings_read_tables_from_duckdb_files(tmp_path: Path) -> None:
    """`database:` + `table:` bindings (a table in a DuckDB database file, here two files and
    a schema-qualified table) give exactly the results of the same rows read from CSV (issue
    10, item 10; every such binding crashed before). DuckDB's documentation
    (https://duckdb.org/docs/stable/sql/statements/attach): "The ATTACH statement adds a new
    database file to the catalog that can be read from and written to."

    By hand, from the tickets table written below (the same rows as
    test_hand_customer_support_october_res_p1_breach_and_credit reads): six P1 tickets resolved
    in October (Berlin); SR-24109 is tagged force-majeure and excluded; of the other five,
    SR-24097 2 h 10, SR-24103 1 h 40, SR-24129 3 h 05 and SR-24149 3 h 59 are within 4 h and
    SR-24139 (01:30 CEST → 04:45 CET on 25 Oct, 4 h 15 of real time) is not: 4 ÷ 5 = 80.00%,
    below the 90% target, tier "at_least 75% below 85%" → 8% × EUR 12,000.00 = EUR 960.00.
    With frt-p2's 3% (EUR 360.00) the month's credit is EUR 1,320.00."""
    example = EXAMPLES_DIR / "customer-support"
    data = example / "data"
    with duckdb.connect(str(tmp_path / "tickets.duckdb")) as con:
        con.execute(
            "CREATE TABLE tickets AS SELECT * FROM read_csv(?, all_varchar = true)",
            [str(data / "tickets.csv")],
        )
    with duckdb.connect(str(tmp_path / "ops's pauses.duckdb")) as con:
        con.execute("CREATE SCHEMA ops")
        con.execute(
            "CREATE TABLE ops.ticket_pauses AS SELECT * FROM read_csv(?, all_varchar = true)",
            [str(data / "ticket_pauses.csv")],
        )
    bindings = tmp_path / "db-bindings.yaml"
    bindings.write_text(
        "bindings: 1\n"
        "datasets:\n"
        "  tickets:\n"
        "    database: tickets.duckdb\n"
        "    table: tickets\n"
        "    columns: {created_at: opened, first_responded_at: first_reply_at}\n"
        "  ticket_pauses:\n"
        '    database: "ops\'s pauses.duckdb"\n'
        "    table: ops.ticket_pauses\n",
        encoding="utf-8",
    )
    args = ["evaluate", str(example / "contract.yaml"), "--period", "2026-10", "--quiet"]
    from_csv = invoke(*args)
    from_db = invoke(*args, "--bindings", str(bindings))
    assert from_csv.exit_code == 0, from_csv.output
    assert from_db.exit_code == 0, from_db.output
    db_periods = json.loads(from_db.stdout)["periods"]
    res = next(o for o in db_periods[0]["objectives"] if o["objective"] == "res-p1")
    assert (res["status"], res["measured"], res["sample"]) == ("breached", "0.8", 5)
    assert (res["met"], res["breached"], excluded(res)) == (4, 1, {"force-majeure": 1})
    assert (res["credit"]["percent"], res["credit"]["amount"]) == ("0.08", "960.00")
    assert db_periods[0]["credit"] == "1320.00"
    csv_periods = json.loads(from_csv.stdout)["periods"]
    assert db_periods == csv_periods
    assert any(o["status"] == "breached" for o in db_periods[0]["objectives"])


def test_a_spark_table_binding_needs_the_spark_engine(tmp_path: Path) -> None:
    """A dataset bound to a table of the Spark catalog (`spark_table:`) is an error on DuckDB
    naming the binding, exit 1 and no traceback; `spark_table:` beside `path:` is refused by
    the bindings schema. (On Spark: tests/evaluation/test_spark_differential.py.)"""
    example = EXAMPLES_DIR / "customer-support"
    bindings = tmp_path / "bindings.yaml"
    bindings.write_text(
        "bindings: 1\n"
        "datasets:\n"
        f"  tickets: {{path: {example / 'data' / 'tickets.csv'}}}\n"
        "  ticket_pauses: {spark_table: ops.ticket_pauses}\n",
        encoding="utf-8",
    )
    args = ["evaluate", str(example / "contract.yaml"), "--period", "2026-10", "--quiet"]
    result = invoke(*args, "--bindings", str(bindings))
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"slac: error: {bindings}:4:3: dataset 'ticket_pauses' is bound to the Spark table "
        "ops.ticket_pauses: it needs --engine spark (docs/engines.md)\n"
    )
    bindings.write_text(
        "bindings: 1\ndatasets:\n  tickets: {path: t.csv, spark_table: tickets}\n",
        encoding="utf-8",
    )
    result = invoke(*args, "--bindings", str(bindings))
    assert result.exit_code == 1, result.output
    assert f"{bindings}:3:" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "spark.sql.session.timeZone=Europe/Berlin",
            "SLAC_SPARK_CONF: spark.sql.session.timeZone is set by slac",
        ),
        ("spark.driver.memory", "SLAC_SPARK_CONF: 'spark.driver.memory' is not spark.KEY=VALUE"),
        ("driver.memory=2g", "SLAC_SPARK_CONF: 'driver.memory=2g' is not spark.KEY=VALUE"),
    ],
)
def test_spark_settings_the_results_depend_on_are_refused(setting: str, message: str) -> None:
    """SLAC_SPARK_CONF passes the user's settings to Spark (docs/engines.md), never the
    session's time zone or ANSI mode: refused before Spark starts, exit 1."""
    result = invoke(
        *("evaluate", contract_path("customer-support"), "--period", "2026-10"),
        *("--engine", "spark", "--quiet"),
        env={"SLAC_SPARK_CONF": f"spark.executor.cores=1 {setting}"},
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"slac: error: {message}")
    assert "Traceback" not in result.output


def test_evidence_counts_only_the_rows_in_the_sample(tmp_path: Path) -> None:
    """Rows the measure leaves out (short abandons, abandons after the formula ignores them,
    unrated surveys) are "not counted" in the evidence, so that the counted rows per objective
    and queue are the results' sample. Was: every kept row was labelled "counted"."""
    folder = tmp_path / "evidence"
    result = invoke(
        "evaluate",
        contract_path("contact-centre"),
        "--period",
        "2026-09",
        "--evidence",
        str(folder),
    )
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect()
    try:
        counts = con.execute(
            "SELECT objective, scope, count(*) FILTER (WHERE outcome = 'counted'), "
            "count(*) FILTER (WHERE outcome = 'not counted') "
            "FROM read_parquet(?) GROUP BY ALL",
            [str(folder / "evidence.parquet")],
        ).fetchall()
    finally:
        con.close()
    counted = {(o, s): n for o, s, n, _ in counts}
    left_out = {o: 0 for o, _, _, _ in counts}
    for o, _, _, n in counts:
        left_out[o] += n
    for obj in period_of(json.loads(result.stdout), "2026-09")["objectives"]:
        if obj["objective"] in ("service-level", "csat"):
            scope = obj["scope"].get("queue", "")
            assert counted[(obj["objective"], scope)] == obj["sample"], obj["objective"]
    assert left_out["service-level"] > 0  # short abandons are in the data
