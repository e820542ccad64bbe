"""The evaluation plans of the examples: golden files, schema, determinism and worked values.

Golden files live in ``tests/golden/plans/<example>.json``; regenerate them with

    SLAC_UPDATE_GOLDEN=1 pytest tests/plan

and review the diff: every change there is a change of meaning (or of plan format).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from referencing import Registry

from slac.api import compile_plan, plan_document
from slac.cli import cli
from slac.plan.canonical import compact, decimal_text, pretty, sha256_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/contract.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "plans"
SCHEMA_PATH = ROOT / "schemas" / "plan.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
BASE_YAML = (ROOT / "tests" / "rules" / "base.yaml").read_text(encoding="utf-8")
UPDATE = os.environ.get("SLAC_UPDATE_GOLDEN") == "1"


def contract_path(example: str) -> Path:
    return EXAMPLES_DIR / example / "contract.yaml"


def compile_doc(path: Path) -> dict[str, Any]:
    compiled = compile_plan(str(path))
    plan, report = compiled.value, compiled.report
    assert plan is not None, [str(d) for d in report.diagnostics]
    return plan_document(plan)


@cache
def _example_text(example: str) -> str:
    return pretty(compile_doc(contract_path(example)))


def example_plan(example: str) -> dict[str, Any]:
    """A fresh copy of the example's plan (tests may not share mutable state)."""
    data: dict[str, Any] = json.loads(_example_text(example))
    return data


def compile_text(tmp_path: Path, text: str, name: str = "contract.yaml") -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return compile_doc(path)


def patched(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (fails loudly if absent)."""
    assert text.count(old) == 1, f"expected exactly one {old!r}"
    return text.replace(old, new)


def strings(node: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string in a JSON tree, keys included, with its JSON path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}", key
            yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def objective(terms: dict[str, Any], objective_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [o for o in terms["objectives"] if o["id"] == objective_id]
    assert len(found) == 1, objective_id
    return found[0]


def calendar(terms: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in terms["calendars"] if c["name"] == name]
    assert len(found) == 1, name
    return found[0]


def bound(value: str, inclusive: bool) -> dict[str, Any]:
    return {"value": value, "inclusive": inclusive}


# ---------------------------------------------------------------- 1. golden files


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
def test_plan_matches_golden_file(example: str) -> None:
    text = _example_text(example)
    golden = GOLDEN / f"{example}.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
        return
    assert golden.exists(), f"{golden} is missing: run with SLAC_UPDATE_GOLDEN=1"
    assert golden.read_bytes() == text.encode("utf-8"), (
        f"the plan of {example} changed; if that is intended, regenerate with "
        "SLAC_UPDATE_GOLDEN=1 and review the diff"
    )


def test_no_stray_golden_files() -> None:
    if UPDATE:
        return
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == EXAMPLES


# ---------------------------------------------------------------- 2. schema

_SUB_ONE = ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else")
_SUB_LIST = ("allOf", "anyOf", "oneOf")
_SUB_MAP = ("properties", "patternProperties", "$defs")


def _walk(
    schema: Any, path: str = "#", in_if: bool = False
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every subschema: (JSON pointer, subschema, inside an `if` condition)."""
    if not isinstance(schema, dict):
        return
    yield path, schema, in_if
    for key in _SUB_ONE:
        if key in schema:
            yield from _walk(schema[key], f"{path}/{key}", in_if or key == "if")
    for key in _SUB_LIST:
        for index, sub in enumerate(schema.get(key, [])):
            yield from _walk(sub, f"{path}/{key}/{index}", in_if)
    for key in _SUB_MAP:
        for name, sub in schema.get(key, {}).items():
            yield from _walk(sub, f"{path}/{key}/{name}", in_if)


def _validator() -> Draft202012Validator:
    # An empty registry: every $ref is local, nothing may be fetched.
    return Draft202012Validator(
        SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER, registry=Registry()
    )


def test_plan_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "https://slac.dev/schemas/plan/v1.json"
    assert SCHEMA["title"].strip()
    assert SCHEMA["description"].strip()
    assert SCHEMA["properties"]["plan_version"]["const"] == 1


def test_plan_schema_file_is_formatted() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


def test_every_property_in_the_plan_schema_has_a_description() -> None:
    missing = []
    for path, sub, in_if in _walk(SCHEMA):
        if in_if:  # the conditions of if/then select a shape; they are not shapes
            continue
        for name, prop in sub.get("properties", {}).items():
            if prop is True:  # declares a key that a `required` beside it names (ajv strict)
                continue
            desc = prop.get("description") if isinstance(prop, dict) else None
            if not (isinstance(desc, str) and desc.strip()):
                missing.append(f"{path}/properties/{name}")
    assert not missing, missing
    undescribed_defs = [n for n, d in SCHEMA["$defs"].items() if not d.get("description")]
    assert not undescribed_defs, undescribed_defs


def test_plan_schema_uses_only_plain_keywords() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    for keyword in ("unevaluatedProperties", "$dynamicRef", "prefixItems"):
        assert f'"{keyword}"' not in text


def test_every_object_in_the_plan_schema_is_closed() -> None:
    open_objects = []
    for path, sub, in_if in _walk(SCHEMA):
        shaped = [p for p in sub.get("properties", {}).values() if p is not True]
        if in_if or not shaped or sub.get("type") != "object":
            continue
        if sub.get("additionalProperties") is not False:
            open_objects.append(path)
    assert not open_objects, open_objects


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_validates_against_the_schema(example: str) -> None:
    errors = sorted(_validator().iter_errors(example_plan(example)), key=lambda e: e.json_path)
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:10]]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (["terms", 0, "commercials", "monthly_fee", "amount"], "25000.0"),  # EUR-style 2 digits
        (["terms", 0, "objectives", 0, "target", "quantity", "value"], 0.9999),  # a float
        (["metrics", 0, "params", "source"], "outages"),  # probes params under another source
        (["metrics", 0, "kind"], "survey"),  # availability params under another kind
        (["terms", 0, "objectives", 0, "judgement", "threshold_seconds"], "60"),
        (["effective_from"], "2026-02-30"),
        (["plan_sha256"], "77020A42"),
    ],
)
def test_schema_rejects_a_broken_plan(where: list[Any], value: Any) -> None:
    plan = example_plan("hosting-availability")
    node: Any = plan
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    assert list(_validator().iter_errors(plan))


def test_schema_rejects_unknown_keys() -> None:
    plan = example_plan("hosting-availability")
    plan["terms"][0]["objectives"][0]["judgement"]["extra"] = None
    assert list(_validator().iter_errors(plan))


# ---------------------------------------------------------------- 3. determinism and hashes


def _compile_in_subprocess(path: str, cwd: Path, seed: str, tz: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz}
    result = subprocess.run(
        [sys.executable, "-m", "slac", "compile", path],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_compile_writes_the_plan_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    path = str(contract_path("fulfilment"))
    written = CliRunner().invoke(cli, ["compile", path, "-o", str(target)], catch_exceptions=False)
    assert (written.exit_code, written.stdout) == (0, "")
    assert target.read_text(encoding="utf-8") == _example_text("fulfilment")


@pytest.mark.parametrize("example", EXAMPLES)
def test_compilation_is_deterministic_across_processes(example: str, tmp_path: Path) -> None:
    # Different hash seeds, time zones, working directories and path spellings.
    relative = str(contract_path(example).relative_to(ROOT))
    first = _compile_in_subprocess(relative, ROOT, "0", "UTC")
    second = _compile_in_subprocess(
        str(contract_path(example)), tmp_path, "4242", "Pacific/Auckland"
    )
    assert first == second
    assert json.loads(first)["plan_sha256"] == json.loads(second)["plan_sha256"]
    # The CLI writes exactly what the API renders.
    assert first == _example_text(example).encode("utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_sha256_is_over_the_compact_canonical_form(example: str) -> None:
    plan = example_plan(example)
    body = {k: v for k, v in plan.items() if k != "plan_sha256"}
    assert plan["plan_sha256"] == sha256_of(body)
    assert plan["plan_sha256"] == hashlib.sha256(compact(body).encode("utf-8")).hexdigest()
    assert re.fullmatch("[0-9a-f]{64}", plan["plan_sha256"])
    # Indentation never changes the hash: the pretty file hashes like the compact form.
    assert sha256_of(json.loads(pretty(body))) == plan["plan_sha256"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_source_hashes_are_over_the_file_bytes(example: str) -> None:
    plan = example_plan(example)
    files = plan["source"]["files"]
    contract_bytes = contract_path(example).read_bytes()
    assert files["contract"] == hashlib.sha256(contract_bytes).hexdigest()
    ordered = [files["contract"]] + [files[f"template {i}"] for i in range(1, len(files))]
    assert plan["source"]["sha256"] == hashlib.sha256("".join(ordered).encode()).hexdigest()


def test_template_hashes_are_recorded() -> None:
    files = example_plan("customer-support")["source"]["files"]
    gold = (EXAMPLES_DIR / "templates" / "gold.yaml").read_bytes()
    assert files == {
        "contract": hashlib.sha256(contract_path("customer-support").read_bytes()).hexdigest(),
        "template 1": hashlib.sha256(gold).hexdigest(),
    }


# ---------------------------------------------------------------- 4. nothing machine-specific

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Where a date that happens to be today may legitimately appear: dates the contract wrote.
_DATE_FIELDS = re.compile(
    r"(effective_from|effective_to|review_due|horizon_from|horizon_to|between_from|"
    r"between_to|holidays\[\d+\])$"
)


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_holds_no_paths(example: str) -> None:
    plan = example_plan(example)
    here = contract_path(example).parent
    for path, text in strings(plan):
        assert str(ROOT) not in text, path
        assert "examples/" not in text and "templates/" not in text, path
        assert not text.endswith((".yaml", ".yml")), path
        if "/" in text:
            assert not (ROOT / text).exists(), path
            assert not (here / text).exists(), path
            assert not os.path.isabs(text), path


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_holds_no_timestamps_of_today(example: str) -> None:
    plan = example_plan(example)
    today = date.today()
    days = {(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}  # any zone's today
    for path, text in strings(plan):
        assert not _TIMESTAMP.search(text), path
        if any(day in text for day in days):
            assert _DATE_FIELDS.search(path), f"{path} holds today's date: {text}"


# ---------------------------------------------------------------- 5. metric identity


def _definition_hash(metric: dict[str, Any]) -> str:
    identity = {k: metric[k] for k in ("dataset", "where", "kind", "params")}
    return "m-" + sha256_of(identity)[:16]


@pytest.mark.parametrize("example", EXAMPLES)
def test_metric_ids_are_hashes_of_their_definitions(example: str) -> None:
    plan = example_plan(example)
    metrics = plan["metrics"]
    ids = [m["id"] for m in metrics]
    assert ids == sorted(set(ids))
    for metric in metrics:
        assert metric["id"] == _definition_hash(metric)
        assert metric["names"] == sorted(set(metric["names"]))
    definitions = [json.dumps({**m, "id": None, "names": None}, sort_keys=True) for m in metrics]
    assert len(set(definitions)) == len(definitions), "equal definitions must share one id"


@pytest.mark.parametrize("example", ["it-outsourcing", "customer-support"])
def test_objectives_refer_to_listed_metrics(example: str) -> None:
    plan = example_plan(example)
    by_id = {m["id"]: m for m in plan["metrics"]}
    used = set()
    for terms in plan["terms"]:
        for obj in terms["objectives"]:
            assert obj["metric_id"] in by_id
            assert obj["metric"] == by_id[obj["metric_id"]]
            assert obj["metric_name"] in obj["metric"]["names"]
            used.add(obj["metric_id"])
    assert used == set(by_id)


def test_equal_definitions_under_two_names_share_one_id(tmp_path: Path) -> None:
    text = patched(
        BASE_YAML,
        "metrics:\n",
        "metrics:\n"
        "  first_reply:\n"
        "    dataset: tickets\n"
        "    duration:\n"
        "      from: created_at\n"
        "      to: first_response_at\n"
        "      calendar: support\n"
        "      pause: {dataset: ticket_pauses, start: start, end: end,"
        " where: {status: waiting_on_customer}}\n",
    )
    text = patched(
        text,
        "objectives:\n  - id: frt-p1\n",
        "objectives:\n"
        "  - id: frt-email\n"
        "    metric: first_reply\n"
        "    where: {channel: email}\n"
        "    within: 4 business hours\n"
        '    target: ">= 90%"\n'
        "  - id: frt-p1\n",
    )
    plan = compile_text(tmp_path, text)
    shared = [m for m in plan["metrics"] if "first_reply" in m["names"]]
    assert len(shared) == 1
    assert shared[0]["names"] == ["first_reply", "first_response"]
    assert shared[0]["id"] == _definition_hash(shared[0])
    for terms in plan["terms"]:
        assert objective(terms, "frt-email")["metric_id"] == shared[0]["id"]
        assert objective(terms, "frt-p1")["metric_id"] == shared[0]["id"]
        assert objective(terms, "frt-email")["metric_name"] == "first_reply"
        assert objective(terms, "frt-p1")["metric_name"] == "first_response"
    assert {m["id"] for m in plan["metrics"]} == {shared[0]["id"], _uptime_id(plan)}


def _uptime_id(plan: dict[str, Any]) -> str:
    return str(next(m["id"] for m in plan["metrics"] if m["names"] == ["uptime"]))


def test_a_different_definition_gets_a_different_id(tmp_path: Path) -> None:
    text = patched(
        BASE_YAML,
        "metrics:\n",
        "metrics:\n"
        "  first_reply:\n"
        "    dataset: tickets\n"
        "    duration: {from: created_at, to: first_response_at, calendar: support}\n",
    )
    text = patched(
        text,
        "objectives:\n  - id: frt-p1\n",
        "objectives:\n"
        "  - id: frt-email\n"
        "    metric: first_reply\n"
        "    within: 4 business hours\n"
        '    target: ">= 90%"\n'
        "  - id: frt-p1\n",
    )
    plan = compile_text(tmp_path, text)
    ids = {name: m["id"] for m in plan["metrics"] for name in m["names"]}
    assert ids["first_reply"] != ids["first_response"]


# ---------------------------------------------------------------- 6. worked values


def test_hosting_availability_tiers_are_exact_intervals() -> None:
    plan = example_plan("hosting-availability")
    (terms,) = plan["terms"]
    compute = objective(terms, "compute-uptime")
    assert compute["target"] == {"op": ">=", "quantity": {"value": "0.9999", "unit": "ratio"}}
    assert compute["breach"] == {"low": None, "high": bound("0.9999", False), "unit": "ratio"}
    assert compute["credit"] == {
        "per_incident": None,
        "tiers": [
            {
                "interval": {
                    "low": bound("0.99", True),
                    "high": bound("0.9999", False),
                    "unit": "ratio",
                },
                "percent": "0.1",
                "amount": None,
            },
            {
                "interval": {
                    "low": bound("0.95", True),
                    "high": bound("0.99", False),
                    "unit": "ratio",
                },
                "percent": "0.3",
                "amount": None,
            },
            {
                "interval": {"low": None, "high": bound("0.95", False), "unit": "ratio"},
                "percent": "1",
                "amount": None,
            },
        ],
    }
    storage = objective(terms, "storage-availability")
    assert storage["target"]["quantity"]["value"] == "0.999"
    assert [t["percent"] for t in storage["credit"]["tiers"]] == ["0.1", "0.25", "1"]
    assert storage["fee"] == {"amount": "7000.00", "currency": "USD", "minor_unit": 2}
    assert compute["fee"] == {"amount": "18000.00", "currency": "USD", "minor_unit": 2}
    assert compute["judgement"]["kind"] == "value"
    assert compute["exclusions"] == ["scheduled-maintenance", "preview-region"]


def test_hosting_availability_durations_and_money() -> None:
    plan = example_plan("hosting-availability")
    (terms,) = plan["terms"]
    params = {m["names"][0]: m["params"] for m in plan["metrics"]}
    assert params["compute_uptime"]["interval_seconds"] == "60"  # 1m
    assert params["compute_uptime"]["ok"] == [{"field": "result", "op": "=", "value": "up"}]
    assert params["storage_availability"]["interval_seconds"] == "300"  # 5m
    assert params["storage_availability"]["method"] == "interval-mean"
    credits = terms["credits"]
    assert credits["claim_within_seconds"] == "5184000"  # 60d = 60 × 86400
    assert credits["caps"] == [{"percent": "1", "per": "period"}]  # 100%
    assert credits["minimum"] == {"amount": "1.00", "currency": "USD", "minor_unit": 2}
    maintenance = terms["exclusions"][0]
    assert maintenance["notice_seconds"] == "172800"  # 48h
    assert maintenance["allowance_seconds"] == "28800"  # 8h
    assert maintenance["allowance_per"] == "month"
    assert terms["escalations"][0]["within_seconds"] == "432000"  # 5d
    assert terms["commercials"]["rounding"] == {"mode": "down", "apply": "per-line"}


def test_open_ended_contract_has_a_five_year_holiday_horizon() -> None:
    plan = example_plan("hosting-availability")
    assert plan["effective_to"] is None
    (terms,) = plan["terms"]
    assert terms["effective_to"] is None
    for cal in terms["calendars"]:
        assert (cal["horizon_from"], cal["horizon_to"]) == ("2026-01-01", "2030-12-31")
    always = calendar(terms, "24x7")
    assert always["always_open"] is True
    assert always["timezone"] == plan["timezone"] == "UTC"
    assert always["weekly"] == {
        day: [{"start": "00:00", "end": "24:00"}]
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }


def test_business_durations_in_customer_support() -> None:
    (terms,) = example_plan("customer-support")["terms"]

    def threshold(objective_id: str) -> tuple[str | None, str | None, bool | None]:
        j = objective(terms, objective_id)["judgement"]
        assert j["kind"] == "threshold-share"
        return j["threshold_seconds"], j["threshold_business_days"], j["threshold_inclusive"]

    assert threshold("frt-p1") == ("900", None, True)  # 15m
    assert threshold("frt-p2") == ("3600", None, True)  # 1 business hour
    assert threshold("frt-p3") == ("14400", None, True)  # 4 business hours
    assert threshold("frt-p4") == (None, "1", True)  # 1 business day
    assert threshold("res-p2") == ("28800", None, True)  # 8 business hours
    assert threshold("res-p3") == (None, "3", True)  # 3 business days
    assert threshold("res-p4") == (None, "10", True)  # 10 business days
    assert objective(terms, "frt-p2")["metric"]["params"]["calendar"] == "support"
    assert objective(terms, "frt-p1")["metric"]["params"]["calendar"] == "24x7"


def test_customer_support_money_and_inherited_defaults() -> None:
    plan = example_plan("customer-support")
    (terms,) = plan["terms"]
    eur = {"currency": "EUR", "minor_unit": 2}
    assert terms["commercials"]["monthly_fee"] == {"amount": "12000.00", **eur}
    assert terms["commercials"]["currency"] == "EUR"
    assert terms["credits"]["minimum"] == {"amount": "50.00", **eur}
    assert (
        terms["credits"]["caps"][0]["percent"] == "0.15"
    )  # the contract's 15% overrides gold's 20%
    assert terms["credits"]["claim_within_seconds"] == "2592000"  # 30d, inherited
    assert terms["semantics"]["period_membership"] == "end"  # inherited from gold
    assert all(o["fee"] == {"amount": "12000.00", **eur} for o in terms["objectives"])
    assert objective(terms, "frt-p1")["weight"] == "3"
    assert [e["within_seconds"] for e in terms["escalations"]] == ["172800", "432000"]


def test_german_holidays_in_the_support_calendar() -> None:
    (terms,) = example_plan("customer-support")["terms"]
    support = calendar(terms, "support")
    assert support["timezone"] == "Europe/Berlin"
    assert support["holiday_country"] == "DE"
    assert support["holiday_subdivision"] is None
    assert support["always_open"] is False
    holidays = support["holidays"]
    assert holidays == sorted(set(holidays))
    for day in ("2026-12-25", "2027-01-01", "2026-10-03", "2027-12-26"):
        assert day in holidays  # public holidays
    for day in ("2026-12-24", "2026-12-31", "2027-12-24", "2027-12-31"):
        assert day in holidays  # the contract's own closed dates
    assert (support["horizon_from"], support["horizon_to"]) == ("2026-01-01", "2027-12-31")
    assert all("2026-01-01" <= d <= "2027-12-31" for d in holidays)
    weekday = [{"start": "08:00", "end": "18:00"}]
    assert support["weekly"] == {
        "mon": weekday,
        "tue": weekday,
        "wed": weekday,
        "thu": weekday,
        "fri": weekday,
        "sat": [],
        "sun": [],
    }


def test_contact_centre_kinds() -> None:
    plan = example_plan("contact-centre")
    (terms,) = plan["terms"]
    params = {m["names"][0]: m["params"] for m in plan["metrics"]}
    assert params["service_level"]["within_seconds"] == "20"
    assert params["service_level"]["short_abandon_seconds"] == "5"
    assert params["handle_time"] == {
        "fields": ["talk_seconds", "hold_seconds", "wrap_seconds"],
        "unit": "seconds",
        "scale": "1",
    }
    assert params["nps"]["promoters"] == ["9", "10"]
    assert params["nps"]["detractors"] == ["0", "6"]
    assert params["nps"]["scale"] == ["0", "10"]
    assert params["csat"]["good"] == ["4", "5"]
    assert params["csat"]["promoters"] is None
    handle = objective(terms, "handle-time")
    assert handle["target"] == {"op": "<=", "quantity": {"value": "360", "unit": "seconds"}}
    assert handle["breach"] == {"low": bound("360", False), "high": None, "unit": "seconds"}
    assert handle["judgement"]["statistic"] == "mean"
    assert handle["judgement"]["percentile"] is None
    email = objective(terms, "email-response")
    assert email["judgement"]["threshold_business_days"] == "1"
    nps = objective(terms, "nps")
    assert nps["target"]["quantity"] == {"value": "30", "unit": "number"}
    assert nps["period"] == {"unit": "quarter", "rolling": 1}
    assert terms["credits"]["caps"][0]["per"] == "rolling-12-months"


def test_it_outsourcing_amendment_splits_the_terms() -> None:
    plan = example_plan("it-outsourcing")
    first, second = plan["terms"]
    assert first["effective_from"] == plan["effective_from"] == "2026-01-01"
    assert first["effective_to"] == "2026-06-30"  # the day before the amendment
    assert first["amendment"] is None and first["amendment_summary"] is None
    assert second["effective_from"] == "2026-07-01"
    assert second["effective_to"] == plan["effective_to"]
    assert second["amendment"] == "amd-001"
    assert "99.9%" in second["amendment_summary"]
    end = date.fromisoformat(first["effective_to"])
    assert end + timedelta(days=1) == date.fromisoformat(second["effective_from"])
    before = objective(first, "availability-critical")["target"]["quantity"]
    after = objective(second, "availability-critical")["target"]["quantity"]
    assert (before["value"], after["value"]) == ("0.998", "0.999")
    # Only the target changed: the metric stays the same definition.
    assert (
        objective(first, "availability-critical")["metric_id"]
        == objective(second, "availability-critical")["metric_id"]
    )
    pool = second["credits"]["pool"]
    assert (pool["at_risk"], pool["allocation_limit"], pool["max_per_level"]) == (
        "0.12",
        "2.5",
        "0.3",
    )


def test_it_outsourcing_kinds() -> None:
    plan = example_plan("it-outsourcing")
    params = {m["names"][0]: m["params"] for m in plan["metrics"]}
    assert params["critical_availability"] == {
        "source": "outages",
        "availability_minutes": "actual",
        "start": "start",
        "end": "end",
        "min_outage_seconds": "60",
    }
    assert params["important_availability"]["min_outage_seconds"] == "300"
    assert params["speed_to_answer"]["formula"] == "abandoned-against"
    assert params["speed_to_answer"]["within_seconds"] == "30"
    assert params["satisfaction"]["scale"] == ["1", "5"]
    p3 = objective(plan["terms"][0], "incident-p3")["judgement"]
    assert (p3["threshold_seconds"], p3["threshold_business_days"]) == (None, "3")


def test_amendments_produce_abutting_terms(tmp_path: Path) -> None:
    plan = compile_text(tmp_path, BASE_YAML)
    first, second = plan["terms"]
    assert (first["effective_from"], first["effective_to"]) == ("2026-01-01", "2026-06-30")
    assert (second["effective_from"], second["effective_to"]) == ("2026-07-01", "2027-12-31")
    assert second["amendment"] == "amend-1"
    assert second["amendment_summary"] == "Faster P1 responses"
    assert objective(first, "frt-p1")["target"]["quantity"]["value"] == "0.95"
    assert objective(second, "frt-p1")["target"]["quantity"]["value"] == "0.97"
    assert [t["interval"]["high"] for t in objective(second, "frt-p1")["credit"]["tiers"]] == [
        bound("0.97", False),
        bound("0.9", False),
    ]


def test_human_and_iso_durations_become_seconds(tmp_path: Path) -> None:
    text = patched(BASE_YAML, "notice: 48h", "notice: 1h 30m")
    text = patched(text, "claim: {within: 30d,", "claim: {within: P1DT2H,")
    text = patched(text, "    within: 4h\n", "    within: 2d 4h\n")
    text = patched(text, "interval: 1m", "interval: 90s")
    (terms, _) = compile_text(tmp_path, text)["terms"]
    assert terms["exclusions"][0]["notice_seconds"] == "5400"  # 1h 30m
    assert terms["credits"]["claim_within_seconds"] == "93600"  # P1DT2H
    assert terms["escalations"][0]["within_seconds"] == "187200"  # 2d 4h = 2 × 86400 + 4 × 3600
    uptime = objective(terms, "availability")["metric"]["params"]
    assert uptime["interval_seconds"] == "90"


def test_money_has_exactly_the_currency_decimals(tmp_path: Path) -> None:
    kwd = patched(BASE_YAML, "currency: EUR", "currency: KWD")
    kwd = patched(kwd, 'monthly_fee: "12000.00"', 'monthly_fee: "12000.5"')
    (terms, _) = compile_text(tmp_path, kwd, "kwd.yaml")["terms"]
    assert terms["commercials"]["minor_unit"] == 3
    assert terms["commercials"]["monthly_fee"] == {
        "amount": "12000.500",
        "currency": "KWD",
        "minor_unit": 3,
    }
    assert terms["credits"]["minimum"]["amount"] == "50.000"
    jpy = patched(BASE_YAML, "currency: EUR", "currency: JPY")
    jpy = patched(jpy, 'monthly_fee: "12000.00"', 'monthly_fee: "12000"')
    jpy = patched(jpy, 'service_fees: {hosting: "4000.00"}', 'service_fees: {hosting: "4000"}')
    jpy = patched(jpy, 'minimum: "50.00"', 'minimum: "50"')
    (terms, _) = compile_text(tmp_path, jpy, "jpy.yaml")["terms"]
    assert terms["commercials"]["monthly_fee"] == {
        "amount": "12000",
        "currency": "JPY",
        "minor_unit": 0,
    }
    assert objective(terms, "availability")["fee"]["amount"] == "4000"


def test_calendar_range_crossing_midnight_is_split(tmp_path: Path) -> None:
    text = patched(
        BASE_YAML,
        '      sat: ["09:00-13:00"]\n',
        '      sat: ["09:00-13:00"]\n      sun: ["22:00-02:00"]\n      fri: ["20:00-23:30"]\n',
    )
    text = patched(text, 'mon-fri: ["08:00-18:00"]', 'mon-thu: ["08:00-18:00"]')
    plan = compile_text(tmp_path, text)
    for terms in plan["terms"]:
        weekly = calendar(terms, "support")["weekly"]
        assert weekly["sun"] == [{"start": "22:00", "end": "24:00"}]
        assert weekly["mon"] == [
            {"start": "00:00", "end": "02:00"},  # Sunday night, continued
            {"start": "08:00", "end": "18:00"},
        ]
        assert weekly["tue"] == [{"start": "08:00", "end": "18:00"}]
        assert weekly["fri"] == [{"start": "20:00", "end": "23:30"}]
        assert weekly["sat"] == [{"start": "09:00", "end": "13:00"}]


def test_condition_forms_are_normalised(tmp_path: Path) -> None:
    (terms, _) = compile_text(tmp_path, BASE_YAML)["terms"]
    assert objective(terms, "frt-other")["where"] == [
        {"field": "priority", "op": "in", "value": ["P2", "P3"]}
    ]
    pause = objective(terms, "frt-p1")["metric"]["params"]["pause"]
    assert pause == {
        "dataset": "ticket_pauses",
        "start": "start",
        "end": "end",
        "where": [{"field": "status", "op": "=", "value": "waiting_on_customer"}],
        "parent_key": "ticket_id",
    }


def test_plan_decimals_are_canonical() -> None:
    decimal_keys = re.compile(
        r"(value|percent|weight|cap|at_risk|_seconds|threshold_business_days|percentile)$"
    )
    for example in EXAMPLES:
        for path, text in strings(example_plan(example)):
            if decimal_keys.search(path) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
                assert decimal_text(Decimal(text)) == text, path
