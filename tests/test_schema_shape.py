"""Shape of the published JSON Schema ``schemas/contract.schema.json``.

The schema must be valid Draft 2020-12, editor friendly (every property described, every
object closed but open to ``x-`` extensions, only draft-07-compatible keywords) and accept
exactly the language of ``docs/language.md``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "contract.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

# Keywords whose values are subschemas (single, list or map).
_SUB_ONE = (
    "items",
    "additionalProperties",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contains",
)
_SUB_LIST = ("allOf", "anyOf", "oneOf")
_SUB_MAP = ("properties", "patternProperties", "$defs")


def _walk(
    schema: Any, path: str = "#", in_if: bool = False
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Yield (JSON pointer, subschema, inside an `if` condition) for every subschema."""
    if not isinstance(schema, dict):
        return
    yield path, schema, in_if
    for key in _SUB_ONE:
        if key in schema:
            yield from _walk(schema[key], f"{path}/{key}", in_if or key == "if")
    for key in _SUB_LIST:
        for i, sub in enumerate(schema.get(key, [])):
            yield from _walk(sub, f"{path}/{key}/{i}", in_if)
    for key in _SUB_MAP:
        for name, sub in schema.get(key, {}).items():
            yield from _walk(sub, f"{path}/{key}/{name}", in_if)


def _all_keys(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _all_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_keys(value)


def _resolve_local(pointer: str) -> Any:
    assert pointer.startswith("#/"), pointer
    node: Any = SCHEMA
    for part in pointer[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


# ---------------------------------------------------------------- 1. meta


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "https://slac.dev/schemas/contract/v1.json"
    assert SCHEMA["title"].strip()
    assert SCHEMA["description"].strip()


def test_file_is_formatted() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- 2. descriptions


def test_every_property_has_a_description() -> None:
    missing = []
    for path, sub, in_if in _walk(SCHEMA):
        if in_if:  # conditions of if/then are not shapes an editor shows
            continue
        for name, prop in sub.get("properties", {}).items():
            if prop is True:  # declares a key that a `required` beside it names (ajv strict)
                continue
            desc = prop.get("description") if isinstance(prop, dict) else None
            if not (isinstance(desc, str) and desc.strip()):
                missing.append(f"{path}/properties/{name}")
    assert not missing, missing


def test_every_def_has_a_description() -> None:
    missing = [name for name, sub in SCHEMA["$defs"].items() if not sub.get("description")]
    assert not missing, missing


# ---------------------------------------------------------------- 3. closed objects


def test_every_object_shape_is_closed_and_open_to_x_keys() -> None:
    problems = []
    for path, sub, in_if in _walk(SCHEMA):
        if in_if:
            continue
        if sub.get("type") != "object":
            continue
        # `key: true` only declares a key that a `required` beside it names (ajv strict).
        shaped = [p for p in sub.get("properties", {}).values() if p is not True]
        if not shaped and "additionalProperties" not in sub:
            continue
        extra = sub.get("additionalProperties", True)
        if extra is True:
            problems.append(f"{path}: not closed")
        elif extra is False and "^x-" not in sub.get("patternProperties", {}):
            problems.append(f"{path}: closed without ^x- extension keys")
    assert not problems, problems


def test_shapes_with_properties_are_object_typed() -> None:
    # refinements in then/else/not may carry `properties`; shapes must say type: object
    for path, sub, in_if in _walk(SCHEMA):
        if in_if or "additionalProperties" not in sub:
            continue
        assert sub.get("type") == "object", path


# ---------------------------------------------------------------- 4. keywords and refs


@pytest.mark.parametrize(
    "keyword",
    ["unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor", "prefixItems"],
)
def test_no_forbidden_keywords(keyword: str) -> None:
    assert keyword not in {key for key, _ in _all_keys(SCHEMA)}


def test_every_ref_is_local_and_resolves() -> None:
    refs = [value for key, value in _all_keys(SCHEMA) if key == "$ref"]
    assert refs
    for target in refs:
        assert isinstance(target, str) and target.startswith("#/$defs/"), target
        assert isinstance(_resolve_local(target), dict), target


def test_every_def_is_used() -> None:
    used = {value for key, value in _all_keys(SCHEMA) if key == "$ref"}
    unused = [n for n in SCHEMA["$defs"] if f"#/$defs/{n}" not in used]
    assert not unused, unused


def _examples() -> Iterator[Any]:
    """(pointer to a subschema, one of its examples or its default), for every subschema."""
    for path, sub, in_if in _walk(SCHEMA):
        if in_if:
            continue
        for i, example in enumerate(sub.get("examples", [])):
            yield pytest.param(path, example, id=f"{path}/examples/{i}")
        if "default" in sub:
            yield pytest.param(path, sub["default"], id=f"{path}/default")


_REGISTRY: Registry[Any] = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))


@pytest.mark.parametrize(("pointer", "example"), list(_examples()))
def test_examples_and_defaults_match_their_schema(pointer: str, example: Any) -> None:
    validator = Draft202012Validator(
        {"$ref": SCHEMA["$id"] + pointer},
        registry=_REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    assert [e.message for e in validator.iter_errors(example)] == []


# ---------------------------------------------------------------- 5. instances

MINIMAL: dict[str, Any] = {
    "slac": 1,
    "id": "acme-support-2026",
    "version": "2.1",
    "effective": {"from": "2026-01-01"},
    "timezone": "Europe/Berlin",
    "parties": {"provider": {"name": "Example Support Ltd"}, "customer": {"name": "ACME GmbH"}},
    "datasets": {
        "tickets": {
            "kind": "tickets",
            "key": "id",
            "fields": {
                "id": {"type": "string"},
                "created_at": {"type": "timestamp"},
                "first_reply_at": {"type": "timestamp"},
            },
        }
    },
    "metrics": {
        "first_response": {
            "dataset": "tickets",
            "duration": {"from": "created_at", "to": "first_reply_at"},
        }
    },
    "objectives": [{"id": "frt", "metric": "first_response", "within": "4h", "target": ">= 95%"}],
}

FULL: dict[str, Any] = {
    "slac": 1,
    "kind": "contract",
    "id": "acme-support-2026",
    "title": "ACME support",
    "description": "Support for ACME.",
    "version": "2.1",
    "extends": ["../../templates/it-support.yaml"],
    "sla_type": "multi-level",
    "level": "customer",
    "effective": {"from": "2026-01-01", "to": "2026-12-31"},
    "review": {"due": "2026-10-01", "owner": "provider"},
    "timezone": "Europe/Berlin",
    "parties": {
        "provider": {
            "name": "Example Support Ltd",
            "contacts": [
                {"name": "Service Desk", "role": "service-desk", "email": "desk@example.com"}
            ],
        },
        "customer": {"name": "ACME GmbH"},
        "carrier": {"name": "FastFreight"},
    },
    "commercials": {
        "currency": "EUR",
        "monthly_fee": "12000.00",
        "service_fees": {"email": "4000.00"},
        "rounding": {"mode": "half-up", "apply": "total"},
    },
    "semantics": {
        "period_membership": "start",
        "open_items": "judge-overdue",
        "percentile": "linear",
        "availability_minutes": "actual",
        "reopened": "first-cycle",
        "scope_matching": "first",
    },
    "calendars": {
        "support": {
            "timezone": "Europe/Berlin",
            "hours": {
                "mon-fri": ["08:00-18:00"],
                "sat": ["09:00-13:00"],
                "sun": ["22:00-02:00"],
                "mon,wed": ["19:00-24:00"],
            },
            "holidays": {
                "country": "DE",
                "subdivision": "BY",
                "dates": ["2026-12-24", "2026-12-31"],
                "except": ["2026-05-01"],
            },
        },
        "always": {"timezone": "UTC", "hours": "24x7"},
    },
    "datasets": {
        "tickets": {
            "kind": "tickets",
            "key": "id",
            "fields": {
                "id": {"type": "string"},
                "created_at": {"type": "timestamp"},
                "first_reply_at": {"type": "timestamp"},
                "priority": {"type": "string", "values": ["P1", "P2", "P3", "P4"]},
                "score": {"type": "integer", "range": [1, 5]},
            },
        },
        "ticket_pauses": {
            "kind": "intervals",
            "parent": {"dataset": "tickets", "key": "ticket_id"},
            "fields": {
                "ticket_id": {"type": "string"},
                "start": {"type": "timestamp"},
                "end": {"type": "timestamp"},
                "status": {"type": "string"},
            },
        },
    },
    "metrics": {
        "first_response": {
            "description": "Time to the first reply.",
            "dataset": "tickets",
            "where": {"channel": ["email", "portal"]},
            "duration": {
                "from": "created_at",
                "to": "first_reply_at",
                "calendar": "support",
                "pause": {
                    "dataset": "ticket_pauses",
                    "start": "start",
                    "end": "end",
                    "where": {"status": "awaiting-customer"},
                },
                "reopened": "each-cycle",
            },
        },
    },
    "objectives": [
        {
            "id": "frt-p1",
            "title": "First response, P1",
            "metric": "first_response",
            "where": {"priority": "P1"},
            "policy": "response",
            "within": "1 business hour",
            "target": ">= 95%",
            "period": "month",
            "scope": ["service"],
            "min_sample": 20,
            "weight": 2,
            "responsible": "provider",
            "fee": "email",
            "credit": {
                "tiers": [
                    {"at_least": "90%", "below": "95%", "percent": "5%"},
                    {"below": "90%", "percent": "10%"},
                ]
            },
        },
        {
            "id": "frt-mean",
            "metric": "first_response",
            "statistic": "p90",
            "target": "<= 4h",
            "period": {"rolling": 3, "unit": "month"},
            "credit": {"per_incident": {"amount": "50.00"}},
        },
    ],
    "service_level": {"weighted": True},
    "grades": [
        {"name": "exceptional", "at_least": "100%"},
        {"name": "desired", "at_least": "95%", "below": "100%"},
        {"name": "average", "at_least": "85%", "below": "95%"},
        {"name": "basic", "at_least": "70%", "below": "85%"},
        {"name": "unsatisfactory", "below": "70%"},
    ],
    "responsibilities": [
        {
            "id": "report-via-portal",
            "party": "customer",
            "text": "Report incidents through the service portal.",
            "exclusions": ["not-via-portal"],
        },
        {
            "id": "meet-response-times",
            "party": "provider",
            "text": "Respond to tickets within the agreed times.",
            "objectives": ["frt-p1"],
        },
    ],
    "exclusions": [
        {
            "id": "maintenance",
            "maintenance": {
                "dataset": "maintenance_windows",
                "notice": "48h",
                "allowance": "8h/month",
            },
            "applies_to": ["availability"],
        },
        {"id": "force-majeure", "reason": "force-majeure", "where": {"cause": "force_majeure"}},
        {
            "id": "year-end-freeze",
            "reason": "other",
            "between": {"from": "2026-12-20", "to": "2027-01-02"},
        },
        {
            "id": "not-via-portal",
            "reason": "customer-caused",
            "where": [{"field": "channel", "op": "not-in", "value": ["portal"]}],
        },
    ],
    "credits": {
        "combine": "sum",
        "cap": "20%",
        "minimum": "50.00",
        "earn_back": {"periods": 3},
        "claim": {"within": "30d", "from": "period-end"},
        "pool": {
            "at_risk": "12%",
            "allocation_limit": "250%",
            "max_per_level": "30%",
            "allocations": {"frt-p1": "20%", "availability": "30%"},
        },
    },
    "chronic_failure": [
        {
            "id": "chronic-availability",
            "objectives": ["availability"],
            "breaches": 3,
            "periods": 6,
            "consequence": "termination-right",
        },
    ],
    "escalations": [
        {
            "id": "esc-1",
            "when": {"breach": ["frt-p1"], "consecutive": 1},
            "notify": ["provider.service-desk"],
            "within": "4h",
            "action": "Root-cause report",
        },
    ],
    "amendments": [
        {
            "id": "2026-07-fee",
            "effective": "2026-07-01",
            "summary": "New fee.",
            "changes": {
                "commercials": {"monthly_fee": "13000.00"},
                "semantics": {"percentile": "nearest"},
                "service_level": {"weighted": False},
            },
        },
    ],
    "x-owner": "team-sla",
}


def _with(base: dict[str, Any], *edits: tuple[tuple[str | int, ...], Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with each (path, value) set; value ``...`` deletes the key."""
    doc = copy.deepcopy(base)
    for path, value in edits:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        if value is ...:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return doc


def _metric(kind: str, body: Any, **extra: Any) -> dict[str, Any]:
    return _with(MINIMAL, (("metrics", "m"), {"dataset": "tickets", kind: body, **extra}))


# FULL extends a template, so the schema takes it as a partial file; without `extends` it is
# checked as complete.
COMPLETE: dict[str, Any] = _with(FULL, (("extends",), ...))

# A file that extends a template writes only what differs (docs/language.md, "extends").
EXTENDING: dict[str, Any] = {
    "slac": 1,
    "extends": "../templates/gold.yaml",
    "id": "acme",
    "metrics": {
        "resolution": {"duration": {"pause": {"where": {"status": ["waiting"]}}}},
        "first_response_24x7": None,
    },
    "objectives": [{"id": "res-p4", "remove": True}, {"id": "frt-p1", "credit": None}],
    "credits": {"cap": "10%"},
    "calendars": {"support": {"timezone": "Europe/Berlin"}},
}


def _errors(doc: Any) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(doc)]


VALID: dict[str, Any] = {
    "minimal contract": MINIMAL,
    "full contract": FULL,
    "full contract without extends": COMPLETE,
    "a file that extends: partial overrides and null removals": EXTENDING,
    "template with only slac and kind": {"slac": 1, "kind": "template"},
    "template with some sections": {
        "slac": 1,
        "kind": "template",
        "extends": "base.yaml",
        "parties": {"provider": {"name": "Example Support Ltd"}},
        "semantics": {"percentile": "nearest"},
    },
    "extends as a list": _with(MINIMAL, (("extends",), ["a.yaml", "b.yaml"])),
    "x- keys at top level and in objects": _with(
        MINIMAL,
        (("x-note",), "anything"),
        (("effective", "x-why"), {"free": ["form"]}),
        (("metrics", "x-draft"), {"whatever": 1}),
    ),
    "metric duration": _metric(
        "duration",
        {
            "from": "created_at",
            "to": "first_reply_at",
            "calendar": "24x7",
            "period_membership": "end",
        },
    ),
    "metric value field": _metric("value", {"field": "score", "unit": "number"}),
    "metric value fields": _metric(
        "value", {"fields": ["talk", "hold", "wrap"], "unit": "seconds"}
    ),
    "metric ratio": _metric(
        "ratio", {"numerator": {"where": {"resolved": True}}, "denominator": {"sum": "calls"}}
    ),
    "metric service level": _metric(
        "service_level",
        {
            "within": "20s",
            "wait": "wait_seconds",
            "outcome": "outcome",
            "answered": "answered",
            "abandoned": "abandoned",
            "formula": "abandoned-within-for",
            "short_abandon": "5s",
        },
    ),
    "metric availability probes": _metric(
        "availability",
        {
            "source": "probes",
            "time": "checked_at",
            "ok": {"status": "up"},
            "interval": "1m",
            "missing": "ignore",
            "availability_minutes": "nominal",
        },
    ),
    "metric availability outages": _metric(
        "availability", {"source": "outages", "start": "start", "end": "end", "min_outage": "1m"}
    ),
    "metric availability error rate": _metric(
        "availability",
        {
            "source": "error-rate",
            "time": "minute",
            "errors": "errors",
            "requests": "requests",
            "method": "interval-mean",
            "empty_interval": "skip",
            "interval": "5m",
        },
    ),
    "metric availability error rate pooled": _metric(
        "availability",
        {
            "source": "error-rate",
            "time": "minute",
            "errors": "errors",
            "requests": "requests",
            "method": "pooled",
        },
    ),
    "metric survey": _metric(
        "survey", {"score": "score", "measure": "csat", "scale": [1, 5], "good": [4, 5]}
    ),
    "metric servqual": _metric(
        "servqual", {"perception": "p", "expectation": "e", "dimension": "d"}
    ),
    "metric count": _metric("count", {}),
    "metric count distinct": _metric("count", {"distinct": "customer"}),
    "where as a list": _metric(
        "count",
        {},
        where=[
            {"field": "wait_seconds", "op": ">=", "value": 5},
            {"field": "queue", "op": "!=", "value": "test"},
            {"field": "closed_at", "op": "not-null"},
        ],
    ),
    "objective removed by id": _with(MINIMAL, (("objectives",), [{"id": "frt", "remove": True}])),
    "objective under": _with(
        MINIMAL, (("objectives", 0, "within"), ...), (("objectives", 0, "under"), "PT4H")
    ),
    "objective count statistic": _with(
        MINIMAL,
        (("objectives", 0, "within"), ...),
        (("objectives", 0, "statistic"), "count"),
        (("objectives", 0, "target"), "<= 3"),
    ),
    "objective number target (NPS)": _with(
        MINIMAL, (("objectives", 0, "within"), ...), (("objectives", 0, "target"), ">= 4.2")
    ),
    "tier with amount and exclusive bounds": _with(
        MINIMAL,
        (
            ("objectives", 0, "credit"),
            {"tiers": [{"above": "90%", "at_most": "95%", "amount": "500"}]},
        ),
    ),
    "credit cap per rolling 12 months": _with(
        FULL, (("credits", "cap"), {"percent": "20%", "per": "rolling-12-months"})
    ),
    "calendar 24x7 in a hours map value": _with(
        FULL, (("calendars", "support", "hours"), {"sun": []})
    ),
    "holidays country NO": _with(FULL, (("calendars", "support", "holidays"), {"country": "NO"})),
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_documents(name: str) -> None:
    assert _errors(VALID[name]) == []


@pytest.mark.parametrize(
    "duration",
    [
        "90s",
        "4h",
        "2d 4h",
        "1h 30m",
        "1.5h",
        "2w",
        "PT4H",
        "P1D",
        "P1DT2H",
        "PT1H30M",
        "PT0.5S",
        "P2W",
        "1 business day",
        "3 business days",
        "4 business hours",
        "30 business minutes",
        "1 business minute",
    ],
)
def test_durations_accepted(duration: str) -> None:
    assert _errors(_with(MINIMAL, (("objectives", 0, "within"), duration))) == []


@pytest.mark.parametrize(
    "duration",
    [
        "4 hours",
        "4",
        "h4",
        "1h30m",
        "P",
        "PT",
        "P1Y",
        "P1M",
        "pt4h",
        "1 business",
        "-4h",
        "1.5 business days",
        "4 HOURS",
        "",
    ],
)
def test_durations_refused(duration: str) -> None:
    assert _errors(_with(MINIMAL, (("objectives", 0, "within"), duration)))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("objectives", 0, "within"), "\u0663h"),  # ARABIC-INDIC DIGIT THREE
        (("objectives", 0, "target"), ">= \u0669\u0665%"),
        (("effective", "from"), "\u0662\u0660\u0662\u0666-01-01"),
    ],
)
def test_only_ascii_digits(path: tuple[str | int, ...], value: str) -> None:
    # Python's `\d` matches any Unicode digit, ECMA-262's (editors) only 0-9: patterns use
    # [0-9] so that slac and editors agree.
    assert _errors(_with(MINIMAL, (path, value)))


@pytest.mark.parametrize(
    "comparison",
    [">= 95%", ">=95%", "> 99.5%", "<= 4h", "< 2d 4h", ">= 4.2", "<= -10", "< 1 business day"],
)
def test_comparisons_accepted(comparison: str) -> None:
    doc = _with(
        MINIMAL, (("objectives", 0, "within"), ...), (("objectives", 0, "target"), comparison)
    )
    assert _errors(doc) == []


@pytest.mark.parametrize("comparison", ["95%", "== 95%", "=> 95%", ">= 95", ">= 4 hours"])
def test_comparisons_refused(comparison: str) -> None:
    doc = _with(
        MINIMAL, (("objectives", 0, "within"), ...), (("objectives", 0, "target"), comparison)
    )
    if comparison == ">= 95":  # a plain number is fine without `within`…
        assert _errors(doc) == []
        doc = _with(MINIMAL, (("objectives", 0, "target"), comparison))  # …not with it
    assert _errors(doc)


@pytest.mark.parametrize("hours_key", ["mon", "mon-fri", "fri-mon", "mon,wed,fri", "x-comment"])
def test_hours_keys_accepted(hours_key: str) -> None:
    doc = _with(FULL, (("calendars", "support", "hours"), {hours_key: ["08:00-18:00"]}))
    assert _errors(doc) == []


@pytest.mark.parametrize("hours_key", ["monday", "Mon", "mon-", "mon,", "mon, wed", "weekdays"])
def test_hours_keys_refused(hours_key: str) -> None:
    doc = _with(FULL, (("calendars", "support", "hours"), {hours_key: ["08:00-18:00"]}))
    assert _errors(doc)


@pytest.mark.parametrize(
    "time_range",
    ["24:00-08:00", "8:00-18:00", "08:00-24:01", "08:00 - 18:00", "25:00-26:00", "08:60-09:00"],
)
def test_time_ranges_refused(time_range: str) -> None:
    doc = _with(FULL, (("calendars", "support", "hours"), {"mon": [time_range]}))
    assert _errors(doc)


INVALID: dict[str, Any] = {
    "money as a float": _with(FULL, (("commercials", "monthly_fee"), 12000.0)),
    "money as an int": _with(FULL, (("credits", "minimum"), 50)),
    "money with a currency sign": _with(FULL, (("credits", "minimum"), "€50")),
    "percent as a number": _with(
        MINIMAL, (("objectives", 0, "credit"), {"tiers": [{"below": "90%", "percent": 3.5}]})
    ),
    "percent without %": _with(FULL, (("credits", "cap"), "20")),
    "unknown top-level key": _with(MINIMAL, (("colour",), "blue")),
    "unknown nested key": _with(MINIMAL, (("effective", "until"), "2027-01-01")),
    "unknown key in a metric": _with(
        MINIMAL, (("metrics", "first_response", "calendar"), "support")
    ),
    "metric missing in objective": _with(MINIMAL, (("objectives", 0, "metric"), ...)),
    "target missing in objective": _with(MINIMAL, (("objectives", 0, "target"), ...)),
    "removed objective with other keys": _with(
        MINIMAL, (("objectives",), [{"id": "frt", "remove": True, "target": ">= 90%"}])
    ),
    "remove false": _with(MINIMAL, (("objectives", 0, "remove"), False)),
    "two metric kinds at once": _with(MINIMAL, (("metrics", "first_response", "count"), {})),
    "no metric kind": _with(MINIMAL, (("metrics", "first_response", "duration"), ...)),
    "count as null": _metric("count", None),
    "dataset missing in metric": _with(MINIMAL, (("metrics", "first_response", "dataset"), ...)),
    "availability probes with an outages key": _metric(
        "availability",
        {
            "source": "probes",
            "time": "t",
            "ok": {"status": "up"},
            "interval": "1m",
            "start": "start",
        },
    ),
    "availability unknown source": _metric("availability", {"source": "pings", "time": "t"}),
    "availability without source": _metric("availability", {"time": "t"}),
    "availability error rate without interval": _metric(
        "availability", {"source": "error-rate", "time": "t", "errors": "e", "requests": "r"}
    ),
    "value with field and fields": _metric("value", {"field": "a", "fields": ["b"]}),
    "where op not-in with a scalar": _metric(
        "count", {}, where=[{"field": "queue", "op": "not-in", "value": "test"}]
    ),
    "where is-null with a value": _metric(
        "count", {}, where=[{"field": "queue", "op": "is-null", "value": "x"}]
    ),
    "where = without value": _metric("count", {}, where=[{"field": "queue", "op": "="}]),
    "where unknown op": _metric("count", {}, where=[{"field": "q", "op": "~", "value": 1}]),
    "where nested mapping": _metric("count", {}, where={"a": {"b": 1}}),
    "contract missing datasets": _with(MINIMAL, (("datasets",), ...)),
    "contract missing id": _with(MINIMAL, (("id",), ...)),
    "contract with kind contract missing version": _with(
        MINIMAL, (("kind",), "contract"), (("version",), ...)
    ),
    "contract without customer party": _with(MINIMAL, (("parties", "customer"), ...)),
    "slac 2": _with(MINIMAL, (("slac",), 2)),
    "slac as a string": _with(MINIMAL, (("slac",), "1")),
    "template without slac": {"kind": "template"},
    "unknown kind": {"slac": 1, "kind": "profile"},
    "version as a number": _with(MINIMAL, (("version",), 2.1)),
    "date not a date": _with(MINIMAL, (("effective", "from"), "2026-02-30")),
    "date with a time": _with(MINIMAL, (("effective", "from"), "2026-01-01T00:00")),
    "bad id": _with(MINIMAL, (("objectives", 0, "id"), "FRT P1")),
    "within and statistic": _with(MINIMAL, (("objectives", 0, "statistic"), "mean")),
    "bad statistic": _with(
        MINIMAL, (("objectives", 0, "within"), ...), (("objectives", 0, "statistic"), "average")
    ),
    "tier with percent and amount": _with(
        MINIMAL,
        (
            ("objectives", 0, "credit"),
            {"tiers": [{"below": "90%", "percent": "5%", "amount": "100"}]},
        ),
    ),
    "tier without credit": _with(
        MINIMAL, (("objectives", 0, "credit"), {"tiers": [{"below": "90%"}]})
    ),
    "tier with at_least and above": _with(
        MINIMAL,
        (
            ("objectives", 0, "credit"),
            {"tiers": [{"at_least": "80%", "above": "80%", "percent": "5%"}]},
        ),
    ),
    "tier with below and at_most": _with(
        MINIMAL,
        (
            ("objectives", 0, "credit"),
            {"tiers": [{"below": "90%", "at_most": "90%", "percent": "5%"}]},
        ),
    ),
    "credit with tiers and per_incident": _with(
        MINIMAL,
        (
            ("objectives", 0, "credit"),
            {"tiers": [{"below": "90%", "percent": "5%"}], "per_incident": {"amount": "10"}},
        ),
    ),
    "grade without name": _with(FULL, (("grades",), [{"at_least": "100%"}])),
    "period unknown": _with(MINIMAL, (("objectives", 0, "period"), "week")),
    "rolling period of zero": _with(
        MINIMAL, (("objectives", 0, "period"), {"rolling": 0, "unit": "month"})
    ),
    "weight zero": _with(MINIMAL, (("objectives", 0, "weight"), 0)),
    "min_sample negative": _with(MINIMAL, (("objectives", 0, "min_sample"), -1)),
    "boolean written yes": _with(FULL, (("service_level", "weighted"), "yes")),
    "rounding mode unknown": _with(FULL, (("commercials", "rounding", "mode"), "half_up")),
    "currency lower case": _with(FULL, (("commercials", "currency"), "eur")),
    "timezone with spaces": _with(MINIMAL, (("timezone",), "Central European Time")),
    "credits without commercials": _with(FULL, (("commercials",), ...), (("extends",), ...)),
    "multi-level without level": _with(FULL, (("level",), ...), (("extends",), ...)),
    "semantics unknown value": _with(FULL, (("semantics", "open_items"), "judge_overdue")),
    "semantics unknown key": _with(FULL, (("semantics", "rounding"), "up")),
    "amendment changes a forbidden section": _with(
        FULL, (("amendments", 0, "changes"), {"timezone": "UTC"})
    ),
    "amendment without changes": _with(COMPLETE, (("amendments", 0, "changes"), ...)),
    "allowance without period": _with(FULL, (("exclusions", 0, "maintenance", "allowance"), "8h")),
    "exclusion with nothing excluded": _with(
        COMPLETE, (("exclusions",), [{"id": "empty", "reason": "other"}])
    ),
    "exclusion reason unknown": _with(FULL, (("exclusions", 1, "reason"), "act-of-god")),
    "cap per unknown window": _with(
        FULL, (("credits", "cap"), {"percent": "20%", "per": "calendar-year"})
    ),
    "claim from unknown": _with(FULL, (("credits", "claim", "from"), "invoice")),
    "chronic consequence unknown": _with(
        FULL, (("chronic_failure", 0, "consequence"), "renegotiate")
    ),
    "escalation without notify": _with(COMPLETE, (("escalations", 0, "notify"), ...)),
    "escalation notify with two dots": _with(
        FULL, (("escalations", 0, "notify"), ["provider.desk.l2"])
    ),
    "list item without id": _with(COMPLETE, (("responsibilities", 0, "id"), ...)),
    "dataset kind unknown": _with(MINIMAL, (("datasets", "tickets", "kind"), "rows")),
    "field type unknown": _with(
        MINIMAL, (("datasets", "tickets", "fields", "id"), {"type": "text"})
    ),
    "range on a string field": _with(
        MINIMAL, (("datasets", "tickets", "fields", "id"), {"type": "string", "range": [1, 5]})
    ),
    "extends empty list": _with(MINIMAL, (("extends",), [])),
    "party name with a dot": _with(MINIMAL, (("parties", "third.party"), {"name": "X"})),
    "metric name starting with a digit": _with(
        MINIMAL, (("metrics", "1st"), {"dataset": "tickets", "count": {}})
    ),
    "calendar hours misspelt 24x7": _with(FULL, (("calendars", "always", "hours"), "24/7")),
    "extending: an unknown key": _with(EXTENDING, (("metrics", "resolution", "duraton"), {})),
    "extending: a wrong type": _with(EXTENDING, (("credits", "cap"), 10)),
    "extending: a typo in a partial metric": _with(
        EXTENDING, (("metrics", "resolution", "duration", "pause", "wher"), {})
    ),
    "extending: null for slac": _with(EXTENDING, (("slac",), None)),
    "extending: a tier list item is replaced whole, so complete": _with(
        EXTENDING, (("objectives", 1, "credit"), {"tiers": [{"below": "90%"}]})
    ),
    "subdivision without country": _with(
        COMPLETE, (("calendars", "support", "holidays"), {"subdivision": "BY"})
    ),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_documents(name: str) -> None:
    assert _errors(INVALID[name]), f"{name!r} was accepted"


def test_unknown_key_error_names_the_key() -> None:
    doc = INVALID["availability probes with an outages key"]
    messages = _errors(doc)
    # jsonschema says "'start' does not match any of the regexes: '^x-'" (closed + x- keys)
    assert messages == ["'start' does not match any of the regexes: '^x-'"], messages


def test_template_requires_nothing_more() -> None:
    assert _errors({"slac": 1, "kind": "template"}) == []
    missing = _errors({"slac": 1})
    for key in (
        "id",
        "version",
        "effective",
        "timezone",
        "parties",
        "datasets",
        "metrics",
        "objectives",
    ):
        assert any(f"'{key}' is a required property" in m for m in missing), key


def test_defaults_are_documented() -> None:
    defs = SCHEMA["$defs"]
    sem = defs["semantics"]["properties"]
    assert {k: v["default"] for k, v in sem.items()} == {
        "period_membership": "start",
        "open_items": "judge-overdue",
        "percentile": "linear",
        "availability_minutes": "actual",
        "reopened": "first-cycle",
        "scope_matching": "first",
    }
    for key, value in sem.items():
        enum = _resolve_local(value["$ref"])["enum"]
        assert enum[0] == value["default"], key  # "default first" in docs/language.md
    document = defs["document"]["properties"]
    assert document["kind"]["default"] == "contract"
    assert document["sla_type"]["default"] == "customer"
    assert defs["rounding"]["properties"]["mode"]["default"] == "half-up"
    assert defs["credits"]["properties"]["combine"]["default"] == "sum"
    assert defs["claim"]["properties"]["from"]["default"] == "period-end"
    assert defs["serviceLevelMetric"]["properties"]["formula"]["default"] == (
        "abandoned-after-ignored-within"
    )
    assert defs["durationMetric"]["properties"]["calendar"]["default"] == "24x7"
