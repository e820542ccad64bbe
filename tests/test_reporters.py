"""Output formats of ``slac lint``: exact text, structure, determinism, SARIF schema validity."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import click
import pytest
import referencing
from jsonschema import Draft4Validator

from slac.diagnostics import Diagnostic, Location, RuleInfo, Severity
from slac.reporters import REPORTERS, OutputFormat, render

SARIF_SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
VERSION = "1.2.3"

RULES = {
    "E101": RuleInfo(
        code="E101",
        name="unresolved-reference",
        severity=Severity.ERROR,
        summary="A reference points at nothing.",
        description="References must name a defined **service**.\n\nDefine it, or fix the name.",
    ),
    "E102": RuleInfo(
        code="E102",
        name="empty-document",
        severity=Severity.ERROR,
        summary="The file contains no contract.",
    ),
    "E103": RuleInfo(
        code="E103",
        name="invalid-value",
        severity=Severity.ERROR,
        summary="A value has the wrong form.",
        description="See the schema.",
    ),
    "W201": RuleInfo(
        code="W201",
        name="strict-objective",
        severity=Severity.WARNING,
        summary="The objective is unusually strict.",
    ),
    "I301": RuleInfo(
        code="I301",
        name="default-window",
        severity=Severity.INFO,
        summary="The default window is used.",
    ),
}

ERR = Diagnostic(
    code="E101",
    severity=Severity.ERROR,
    message="unknown reference 'x'",
    location=Location("contracts/a.yaml", 3, 5, 3, 12),
    hint="define x under services",
    path=("slos", 0, "ref"),
)
WARN = Diagnostic(
    code="W201",
    severity=Severity.WARNING,
    message="objective 99.999% is unusually strict",
    location=Location("contracts/a.yaml", 7, 3),
    path=("slos", 1, "objective"),
)
INFO = Diagnostic(
    code="I301",
    severity=Severity.INFO,
    message="no window given, using 30d",
    location=Location("contracts/b.yaml", 2, 1),
)
NOPOS = Diagnostic(
    code="E102",
    severity=Severity.ERROR,
    message="file is empty",
    location=Location("contracts/c.yaml"),
)
SPECIAL = Diagnostic(
    code="E103",
    severity=Severity.ERROR,
    message="bad value: 50%, expected a, b\nsecond line",
    location=Location("contracts/we,ird.yaml", 10, 2),
    path=("window",),
)

# Deliberately not in sorted order: every reporter must sort.
DIAGS = [SPECIAL, NOPOS, INFO, WARN, ERR]
FILES = [
    "contracts/a.yaml",
    "contracts/b.yaml",
    "contracts/c.yaml",
    "contracts/clean.yaml",
    "contracts/we,ird.yaml",
]


def _render(
    fmt: OutputFormat,
    diags: list[Diagnostic] | None = None,
    files: list[str] | None = None,
    **kwargs: Any,
) -> str:
    return render(
        fmt,
        DIAGS if diags is None else diags,
        rules=RULES,
        files=FILES if files is None else files,
        tool_version=VERSION,
        **kwargs,
    )


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(
        schema,
        format_checker=Draft4Validator.FORMAT_CHECKER,
        registry=referencing.Registry(),  # nothing is retrieved over the network
    )


def _validate_sarif(validator: Draft4Validator, output: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(output)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return log


# --------------------------------------------------------------------------- registry


def test_every_format_has_a_reporter() -> None:
    assert set(REPORTERS) == set(OutputFormat)
    assert OutputFormat("sarif") is OutputFormat.SARIF


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_output_is_deterministic(fmt: OutputFormat) -> None:
    first = _render(fmt)
    assert first == _render(fmt)
    assert first == _render(fmt, list(reversed(DIAGS)))
    assert first == _render(fmt, DIAGS + DIAGS)  # duplicates are dropped
    assert first.endswith("\n")


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_no_findings_renders(fmt: OutputFormat) -> None:
    output = _render(fmt, [])
    assert output == _render(fmt, [])
    # No annotations at all for GitHub; every other format says something.
    assert output.endswith("\n") or (fmt is OutputFormat.GITHUB and output == "")


# --------------------------------------------------------------------------- text


def test_text_exact() -> None:
    assert _render(OutputFormat.TEXT) == (
        "contracts/a.yaml:3:5: E101 error: unknown reference 'x'\n"
        "    hint: define x under services\n"
        "contracts/a.yaml:7:3: W201 warning: objective 99.999% is unusually strict\n"
        "contracts/b.yaml:2:1: I301 info: no window given, using 30d\n"
        "contracts/c.yaml: E102 error: file is empty\n"
        "contracts/we,ird.yaml:10:2: E103 error: bad value: 50%, expected a, b\n"
        "second line\n"
        "3 errors, 1 warning, 1 info in 4 files (5 files checked)\n"
    )


def test_text_singular_and_no_infos() -> None:
    assert _render(OutputFormat.TEXT, [NOPOS], ["contracts/c.yaml"]) == (
        "contracts/c.yaml: E102 error: file is empty\n"
        "1 error, 0 warnings in 1 file (1 file checked)\n"
    )


def test_text_clean() -> None:
    assert _render(OutputFormat.TEXT, []) == "5 files checked, no findings\n"
    assert _render(OutputFormat.TEXT, [], ["a.yaml"]) == "1 file checked, no findings\n"


def test_text_color() -> None:
    plain = _render(OutputFormat.TEXT)
    colored = _render(OutputFormat.TEXT, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in colored
    assert click.unstyle(colored) == plain
    assert click.style("error", fg="red", bold=True) in colored
    assert click.style("warning", fg="yellow", bold=True) in colored


# --------------------------------------------------------------------------- github


def test_github_exact() -> None:
    assert _render(OutputFormat.GITHUB) == (
        "::error file=contracts/a.yaml,line=3,col=5,endLine=3,endColumn=12,title=E101"
        "::unknown reference 'x'%0Ahint: define x under services\n"
        "::warning file=contracts/a.yaml,line=7,col=3,title=W201"
        "::objective 99.999%25 is unusually strict\n"
        "::notice file=contracts/b.yaml,line=2,col=1,title=I301::no window given, using 30d\n"
        "::error file=contracts/c.yaml,title=E102::file is empty\n"
        "::error file=contracts/we%2Cird.yaml,line=10,col=2,title=E103"
        "::bad value: 50%25, expected a, b%0Asecond line\n"
    )


def test_github_escaping_of_properties_and_data() -> None:
    diag = Diagnostic(
        code="E1:2,3",
        severity=Severity.ERROR,
        message="a%b\r\nc:d,e",
        location=Location("x%y:z,w\n.yaml", 1, 1),
    )
    assert _render(OutputFormat.GITHUB, [diag], []) == (
        "::error file=x%25y%3Az%2Cw%0A.yaml,line=1,col=1,title=E1%3A2%2C3::a%25b%0D%0Ac:d,e\n"
    )


def test_github_clean_is_empty() -> None:
    assert _render(OutputFormat.GITHUB, []) == ""


def test_github_overflow_notice() -> None:
    errors = [
        Diagnostic("E101", Severity.ERROR, f"problem {i:02d}", Location("a.yaml", i + 1, 1))
        for i in range(12)
    ]
    warnings = [
        Diagnostic("W201", Severity.WARNING, f"warning {i}", Location("b.yaml", i + 1, 1))
        for i in range(3)
    ]
    lines = _render(OutputFormat.GITHUB, errors + warnings, ["a.yaml", "b.yaml"]).splitlines()
    assert len(lines) == 12 + 3 + 1
    assert sum(line.startswith("::error ") for line in lines) == 12
    assert lines[-1] == (
        "::notice::2 more findings not shown as annotations (GitHub shows at most 10 of each"
        " kind per step); see the log above, or use --format sarif for all findings."
    )
    ten = _render(OutputFormat.GITHUB, errors[:10], ["a.yaml"])
    assert "::notice::" not in ten


# --------------------------------------------------------------------------- json


def test_json_structure() -> None:
    output = _render(OutputFormat.JSON)
    doc = json.loads(output)
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "slac", "version": VERSION}
    assert doc["files"] == FILES
    assert doc["summary"] == {"errors": 3, "warnings": 1, "infos": 1}
    assert [d["code"] for d in doc["diagnostics"]] == ["E101", "W201", "I301", "E102", "E103"]
    assert doc["diagnostics"][0] == {
        "code": "E101",
        "severity": "error",
        "message": "unknown reference 'x'",
        "hint": "define x under services",
        "file": "contracts/a.yaml",
        "line": 3,
        "column": 5,
        "end_line": 3,
        "end_column": 12,
        "path": ["slos", 0, "ref"],
    }
    nopos = doc["diagnostics"][3]
    assert (nopos["line"], nopos["column"], nopos["path"]) == (0, 0, [])
    # sort_keys + indent=2 + trailing newline
    assert output == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_json_keeps_non_ascii() -> None:
    diag = Diagnostic("E101", Severity.ERROR, "Dienst „Zahlung“ fehlt", Location("ä.yaml", 1, 1))
    output = _render(OutputFormat.JSON, [diag], ["ä.yaml"])
    assert "Dienst „Zahlung“ fehlt" in output
    assert json.loads(output)["files"] == ["ä.yaml"]


# --------------------------------------------------------------------------- junit


def test_junit_structure() -> None:
    output = _render(OutputFormat.JUNIT)
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ET.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "slac", "tests": "5", "failures": "3", "errors": "0"}
    (suite,) = root
    assert suite.tag == "testsuite"
    assert list(suite.attrib.items()) == [
        ("name", "slac lint"),
        ("tests", "5"),
        ("failures", "3"),
        ("errors", "0"),
        ("skipped", "0"),
    ]
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == FILES
    assert all(case.get("classname") == "slac.lint" for case in cases.values())

    a = cases["contracts/a.yaml"]
    (failure,) = a.findall("failure")
    assert failure.get("type") == "E101"
    assert failure.get("message") == "unknown reference 'x'"
    assert failure.text == (
        "contracts/a.yaml:3:5: E101 error: unknown reference 'x'\n    hint: define x under services"
    )
    assert a.findtext("system-out") == (
        "contracts/a.yaml:7:3: W201 warning: objective 99.999% is unusually strict"
    )

    b = cases["contracts/b.yaml"]  # only an info: passes, the finding is in system-out
    assert b.find("failure") is None
    assert "I301 info" in (b.findtext("system-out") or "")

    assert len(cases["contracts/clean.yaml"]) == 0
    assert cases["contracts/c.yaml"].find("failure") is not None

    special = cases["contracts/we,ird.yaml"].find("failure")
    assert special is not None
    assert special.get("message") == "bad value: 50%, expected a, b\nsecond line"


def test_junit_multiple_failures_and_illegal_xml_characters() -> None:
    diags = [
        Diagnostic("E101", Severity.ERROR, "first\x00one", Location("a.yaml", 1, 1)),
        Diagnostic("E103", Severity.ERROR, "second", Location("a.yaml", 2, 1)),
    ]
    root = ET.fromstring(_render(OutputFormat.JUNIT, diags, ["a.yaml"]).encode("utf-8"))
    assert root.get("failures") == "1"
    failures = root.findall("./testsuite/testcase/failure")
    assert [f.get("type") for f in failures] == ["E101", "E103"]
    assert failures[0].get("message") == "first\ufffdone"


def test_junit_clean() -> None:
    root = ET.fromstring(_render(OutputFormat.JUNIT, []).encode("utf-8"))
    assert root.get("tests") == "5"
    assert root.get("failures") == "0"
    assert root.findall(".//failure") == []


# --------------------------------------------------------------------------- sarif


def test_sarif_schema_is_the_official_one() -> None:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert "sarif-schema-2.1.0.json" in schema["id"]


def test_sarif_validates_and_has_expected_content(sarif_validator: Draft4Validator) -> None:
    log = _validate_sarif(sarif_validator, _render(OutputFormat.SARIF))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("slac", VERSION)
    assert driver["informationUri"] == "https://github.com/slac-dev/slac"

    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    e101 = rules[[r["id"] for r in rules].index("E101")]
    assert e101 == {
        "id": "E101",
        "name": "UnresolvedReference",
        "shortDescription": {"text": "A reference points at nothing."},
        "fullDescription": {"text": RULES["E101"].description},
        "help": {"text": RULES["E101"].description, "markdown": RULES["E101"].description},
        "defaultConfiguration": {"level": "error"},
    }
    e102 = rules[[r["id"] for r in rules].index("E102")]
    assert e102["fullDescription"] == {"text": "The file contains no contract."}
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels == {
        "E101": "error",
        "E102": "error",
        "E103": "error",
        "I301": "note",
        "W201": "warning",
    }

    assert [a["location"] for a in run["artifacts"]] == [
        {"uri": "contracts/a.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "contracts/b.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "contracts/c.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "contracts/clean.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "contracts/we%2Cird.yaml", "uriBaseId": "%SRCROOT%"},
    ]

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["E101", "W201", "I301", "E102", "E103"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (fingerprint,) = result["partialFingerprints"].values()
        assert len(fingerprint) == 64
    assert [r["level"] for r in results] == ["error", "warning", "note", "error", "error"]

    first = results[0]
    assert first["message"] == {"text": "unknown reference 'x' Hint: define x under services"}
    (location,) = first["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "contracts/a.yaml", "uriBaseId": "%SRCROOT%", "index": 0},
        "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 12},
    }
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 3,
    }
    nopos = results[3]["locations"][0]["physicalLocation"]
    assert "region" not in nopos
    assert nopos["artifactLocation"]["index"] == 2


def test_sarif_empty_results(sarif_validator: Draft4Validator) -> None:
    log = _validate_sarif(sarif_validator, _render(OutputFormat.SARIF, []))
    (run,) = log["runs"]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(RULES)
    assert len(run["artifacts"]) == len(FILES)

    bare = render(OutputFormat.SARIF, [], rules={}, files=[], tool_version=VERSION)
    log = _validate_sarif(sarif_validator, bare)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_unknown_code_gets_a_minimal_rule(sarif_validator: Draft4Validator) -> None:
    stray = Diagnostic("X999", Severity.WARNING, "from a plugin", Location("contracts/a.yaml", 1))
    log = _validate_sarif(sarif_validator, _render(OutputFormat.SARIF, [*DIAGS, stray]))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [*sorted(RULES), "X999"]
    (result,) = [r for r in run["results"] if r["ruleId"] == "X999"]
    assert rules[result["ruleIndex"]] == {"id": "X999"}
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_sarif_uris(sarif_validator: Draft4Validator) -> None:
    files = ["/abs/dir/my file.yaml", "C:\\work\\x.yaml", "sub\\dir\\ü.yaml", "c:d.yaml"]
    diags = [Diagnostic("E101", Severity.ERROR, "m", Location(f, 1, 1)) for f in files]
    log = _validate_sarif(sarif_validator, _render(OutputFormat.SARIF, diags, files))
    locations = [a["location"] for a in log["runs"][0]["artifacts"]]
    assert locations == [
        {"uri": "file:///abs/dir/my%20file.yaml"},
        {"uri": "file:///C:/work/x.yaml"},
        {"uri": "sub/dir/%C3%BC.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "c%3Ad.yaml", "uriBaseId": "%SRCROOT%"},
    ]


def _fingerprint(diag: Diagnostic) -> str:
    log = json.loads(_render(OutputFormat.SARIF, [diag]))
    (result,) = log["runs"][0]["results"]
    value: str = result["partialFingerprints"]["slacFindingHash/v1"]
    return value


def test_sarif_fingerprint_is_stable_across_line_moves() -> None:
    moved = Diagnostic(
        ERR.code, ERR.severity, ERR.message, Location("contracts/a.yaml", 40, 1), ERR.hint, ERR.path
    )
    assert _fingerprint(ERR) == _fingerprint(moved)
    other_path = Diagnostic(
        ERR.code, ERR.severity, ERR.message, ERR.location, ERR.hint, ("slos", 2, "ref")
    )
    assert _fingerprint(ERR) != _fingerprint(other_path)
    other_message = Diagnostic(ERR.code, ERR.severity, "other", ERR.location, ERR.hint, ERR.path)
    assert _fingerprint(ERR) != _fingerprint(other_message)
    # Without a path in the document, the position is all that tells findings apart.
    assert _fingerprint(NOPOS) != _fingerprint(
        Diagnostic(NOPOS.code, NOPOS.severity, NOPOS.message, Location("contracts/c.yaml", 2, 1))
    )


def test_sarif_validator_is_not_vacuous(sarif_validator: Draft4Validator) -> None:
    log = json.loads(_render(OutputFormat.SARIF))
    log["runs"][0]["results"][0]["level"] = "fatal"  # checked through a "$ref"
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    paths = {tuple(e.absolute_path) for e in sarif_validator.iter_errors(log)}
    assert ("runs", 0, "results", 0, "level") in paths
    assert ("runs", 0, "results", 1, "locations", 0, "physicalLocation", "region", "startLine") in (
        paths
    )


def test_sarif_uris_relative_to_the_repository_root(
    sarif_validator: Draft4Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As code scanning needs them: relative to the repository root (%SRCROOT%), whatever the
    # working directory, forward slashes, no "./"; a file outside the root gets a file: URI.
    root = tmp_path / "repo"
    (root / "ci").mkdir(parents=True)
    monkeypatch.chdir(root / "ci")
    files = ["./x.yaml", "../contracts/bad.yaml", str(tmp_path / "elsewhere.yaml")]
    diags = [Diagnostic("E101", Severity.ERROR, "m", Location(f, 1, 1)) for f in files]
    output = _render(OutputFormat.SARIF, diags, files, source_root=str(root))
    run = _validate_sarif(sarif_validator, output)["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.as_uri() + "/"}}
    assert [a["location"] for a in run["artifacts"]] == [
        {"uri": "ci/x.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "contracts/bad.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": (tmp_path / "elsewhere.yaml").as_uri()},
    ]
    located = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert sorted((a["uri"], a["index"]) for a in located) == sorted(
        [
            ("ci/x.yaml", 0),
            ("contracts/bad.yaml", 1),
            ((tmp_path / "elsewhere.yaml").as_uri(), 2),
        ]
    )


def test_sarif_rules_link_to_their_documentation(sarif_validator: Draft4Validator) -> None:
    output = _render(OutputFormat.SARIF, docs_url="https://example.org/slac/docs/")
    rules = _validate_sarif(sarif_validator, output)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["helpUri"] for r in rules} == {
        code: f"https://example.org/slac/docs/rules.md#{code.lower()}" for code in RULES
    }


def test_junit_strict_counts_warnings_as_failures() -> None:
    # Under --strict a warning fails the run (exit 1), so the report must say so too.
    root = ET.fromstring(_render(OutputFormat.JUNIT, [WARN], strict=True).encode("utf-8"))
    assert root.get("failures") == "1"
    (failure,) = root.findall(".//failure")
    assert failure.get("type") == "W201"
    lenient = ET.fromstring(_render(OutputFormat.JUNIT, [WARN]).encode("utf-8"))
    assert lenient.get("failures") == "0"
    assert lenient.findall(".//failure") == []


def test_json_gives_an_end_only_where_it_is_known() -> None:
    diagnostics = json.loads(_render(OutputFormat.JSON))["diagnostics"]
    ends = {d["code"]: (d.get("end_line"), d.get("end_column")) for d in diagnostics}
    assert ends == {
        "E101": (3, 12),
        "W201": (None, None),
        "I301": (None, None),
        "E102": (None, None),
        "E103": (None, None),
    }
