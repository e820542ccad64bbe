"""Render diagnostics in one of the output formats of ``slac lint``.

Every format is one small function taking a :class:`ReportContext` and returning the
complete output text (ending in a newline); :data:`REPORTERS` maps each
:class:`OutputFormat` to its function and :func:`render` is the entry point.

All output is deterministic: diagnostics are ordered with
:func:`~slac.diagnostics.sorted_diagnostics` and nothing depends on the clock. File names
appear exactly as given in ``Location.file``, except in SARIF when a ``source_root`` is given:
there they become URIs relative to it (code scanning resolves them against the repository).
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from slac.diagnostics import STDIN_NAME, Diagnostic, RuleInfo, Severity, sorted_diagnostics

__all__ = [
    "GITHUB_ANNOTATION_LIMIT",
    "REPORTERS",
    "SARIF_SCHEMA_URI",
    "OutputFormat",
    "ReportContext",
    "render",
    "repository_root",
]

TOOL_NAME = "slac"
TOOL_INFORMATION_URI = "https://github.com/slac-dev/slac"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SARIF_FINGERPRINT_KEY = "slacFindingHash/v1"
SRCROOT = "%SRCROOT%"
JSON_FORMAT_VERSION = 1
# GitHub shows at most this many annotations of each kind (error/warning/notice) per step.
GITHUB_ANNOTATION_LIMIT = 10


class OutputFormat(enum.StrEnum):
    """The ``--format`` choices of ``slac lint`` (a ``str`` subclass: ``"json" == JSON``)."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"


@dataclass(frozen=True)
class ReportContext:
    """Everything a reporter needs; ``diagnostics`` is already sorted and deduplicated."""

    diagnostics: tuple[Diagnostic, ...]
    rules: Mapping[str, RuleInfo]
    files: tuple[str, ...]
    tool_version: str
    color: bool = False
    strict: bool = False  # warnings fail too (JUnit counts them as failures)
    skipped: tuple[str, ...] = ()  # YAML files that are not slac documents
    source_root: str | None = None  # absolute: SARIF's %SRCROOT% (the repository's root)
    docs_url: str | None = None  # where docs/rules.md is published: SARIF rule helpUri

    @property
    def all_files(self) -> list[str]:
        """Checked files in order, then any file that only appears in a finding (sorted)."""
        seen = dict.fromkeys(self.files)
        extra = sorted({d.location.file for d in self.diagnostics} - seen.keys())
        return [*seen, *extra]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def fails(self, diag: Diagnostic) -> bool:
        """Whether the finding fails the run (an error; a warning too under ``--strict``)."""
        worst = Severity.WARNING if self.strict else Severity.ERROR
        return diag.severity.rank >= worst.rank


Reporter = Callable[[ReportContext], str]


def render(
    fmt: OutputFormat,
    diagnostics: Sequence[Diagnostic],
    *,
    rules: Mapping[str, RuleInfo],
    files: Sequence[str],
    tool_version: str,
    color: bool = False,
    strict: bool = False,
    skipped: Sequence[str] = (),
    source_root: str | None = None,
    docs_url: str | None = None,
) -> str:
    """Return the complete output of ``slac lint`` in format ``fmt`` (ends with a newline)."""
    context = ReportContext(
        diagnostics=tuple(sorted_diagnostics(diagnostics)),
        rules=rules,
        files=tuple(files),
        tool_version=tool_version,
        color=color,
        strict=strict,
        skipped=tuple(skipped),
        source_root=source_root,
        docs_url=docs_url,
    )
    return REPORTERS[OutputFormat(fmt)](context)


# --------------------------------------------------------------------------- helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ANSI: red, yellow, cyan, each bold; then reset. Plain codes, so only the CLI needs click.
_SEVERITY_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _text_line(diag: Diagnostic, *, color: bool = False) -> str:
    severity = diag.severity.value
    if color:
        severity = f"\x1b[{_SEVERITY_COLORS[diag.severity]}m\x1b[1m{severity}\x1b[0m"
    return f"{diag.location}: {diag.code} {severity}: {diag.message}"


def _text_hint(diag: Diagnostic) -> str:
    """The indented hint line(s); continuation lines align with the hint text."""
    return "    hint: " + diag.hint.replace("\n", "\n          ")


def _text_block(diag: Diagnostic, *, color: bool = False) -> str:
    line = _text_line(diag, color=color)
    return f"{line}\n{_text_hint(diag)}" if diag.hint else line


# --------------------------------------------------------------------------- text


def report_text(ctx: ReportContext) -> str:
    lines = [_text_block(d, color=ctx.color) for d in ctx.diagnostics]
    checked = len(ctx.all_files)
    if not ctx.diagnostics:
        lines.append(f"{_plural(checked, 'file')} checked, no findings")
    else:
        counts = [
            _plural(ctx.count(Severity.ERROR), "error"),
            _plural(ctx.count(Severity.WARNING), "warning"),
        ]
        if infos := ctx.count(Severity.INFO):
            counts.append(_plural(infos, "info"))
        with_findings = len({d.location.file for d in ctx.diagnostics})
        lines.append(
            f"{', '.join(counts)} in {_plural(with_findings, 'file')}"
            f" ({_plural(checked, 'file')} checked)"
        )
    if ctx.skipped:
        lines[-1] += f"; {_plural(len(ctx.skipped), 'file')} skipped (not slac documents)"
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- json


def _json_diagnostic(d: Diagnostic) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        "file": d.location.file,
        "line": d.location.line,
        "column": d.location.column,
    }
    # An end is given only where it is known; 0 would read as a position before line 1.
    if d.location.end_line:
        entry["end_line"] = d.location.end_line
        if d.location.end_column:
            entry["end_column"] = d.location.end_column
    entry["path"] = list(d.path)
    return entry


def report_json(ctx: ReportContext) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": ctx.tool_version},
        "files": ctx.all_files,
        "skipped": list(ctx.skipped),
        "summary": {
            "errors": ctx.count(Severity.ERROR),
            "warnings": ctx.count(Severity.WARNING),
            "infos": ctx.count(Severity.INFO),
        },
        "diagnostics": [_json_diagnostic(d) for d in ctx.diagnostics],
    }
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- sarif

_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def _pascal_case(name: str) -> str:
    """``unresolved-reference`` → ``UnresolvedReference`` (SARIF §3.49.7 recommends this)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name))


def repository_root(start: str) -> str | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder, or the file of a
    worktree or submodule): the root that code scanning resolves SARIF URIs against."""
    folder = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _file_uri(absolute: str) -> str:
    path = absolute.replace("\\", "/")
    if not path.startswith("/"):
        path = "/" + path  # C:/x → file:///C:/x
    return "file://" + quote(path, safe="/:")


def _artifact_location(file: str, root: str | None = None) -> dict[str, str]:
    """A SARIF artifactLocation: a percent-encoded URI reference with forward slashes.

    With a ``root``, a file below it gets a URI relative to it (against ``%SRCROOT%``, no
    ``./``) and a file elsewhere an absolute ``file:`` URI. Without one, relative paths stay
    relative as given and absolute ones become ``file:`` URIs.
    """
    if root is not None and file != STDIN_NAME:
        absolute = os.path.abspath(file)
        try:
            inside = os.path.commonpath([absolute, root]) == root
        except ValueError:  # another drive
            inside = False
        if not inside:
            return {"uri": _file_uri(absolute)}
        file = os.path.relpath(absolute, root)
    path = file.replace("\\", "/")
    if path.startswith("/") or _WINDOWS_DRIVE.match(path):
        return {"uri": _file_uri(path)}
    # ":" is escaped so that a first segment like "c:d.yaml" is not read as a scheme.
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _sarif_rule(rule: RuleInfo, docs_url: str | None) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": _pascal_case(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description or rule.summary},
    }
    if docs_url:
        # docs/rules.md has a heading per code; its anchor is the code in lower case.
        descriptor["helpUri"] = f"{docs_url.rstrip('/')}/rules.md#{rule.code.lower()}"
    if rule.description:
        descriptor["help"] = {"text": rule.description, "markdown": rule.description}
    descriptor["defaultConfiguration"] = {"level": _SARIF_LEVELS[rule.severity]}
    return descriptor


def _fingerprint(diag: Diagnostic) -> str:
    """Stable across runs; uses the position only when there is no path in the document."""
    where = "/".join(str(p) for p in diag.path)
    if not where:
        where = f"@{diag.location.line}:{diag.location.column}"
    data = "\x1f".join((diag.code, diag.location.file, where, diag.message))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _sarif_region(diag: Diagnostic) -> dict[str, int] | None:
    loc = diag.location
    if not loc.line:
        return None
    region = {"startLine": loc.line}
    if loc.column:
        region["startColumn"] = loc.column
    if loc.end_line:
        region["endLine"] = loc.end_line
    if loc.end_column:
        region["endColumn"] = loc.end_column
    return region


def report_sarif(ctx: ReportContext) -> str:
    descriptors = {code: _sarif_rule(rule, ctx.docs_url) for code, rule in ctx.rules.items()}
    for diag in ctx.diagnostics:  # codes without RuleInfo still need a rule to point at
        descriptors.setdefault(diag.code, {"id": diag.code})
    rules = [descriptors[code] for code in sorted(descriptors)]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}

    files = ctx.all_files
    artifact_index = {f: i for i, f in enumerate(files)}
    root = ctx.source_root
    artifacts = [{"location": _artifact_location(f, root)} for f in files]

    results: list[dict[str, Any]] = []
    for diag in ctx.diagnostics:
        text = f"{diag.message} Hint: {diag.hint}" if diag.hint else diag.message
        physical: dict[str, Any] = {
            "artifactLocation": {
                **_artifact_location(diag.location.file, root),
                "index": artifact_index[diag.location.file],
            }
        }
        if (region := _sarif_region(diag)) is not None:
            physical["region"] = region
        results.append(
            {
                "ruleId": diag.code,
                "ruleIndex": rule_index[diag.code],
                "level": _SARIF_LEVELS[diag.severity],
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {SARIF_FINGERPRINT_KEY: _fingerprint(diag)},
            }
        )

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": ctx.tool_version,
                "informationUri": TOOL_INFORMATION_URI,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _file_uri(root).rstrip("/") + "/"}}
    run["artifacts"] = artifacts
    run["results"] = results
    log = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- github

_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(value: str) -> str:
    """As ``escapeData`` in actions/toolkit ``packages/core/src/command.ts``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    """As ``escapeProperty`` in actions/toolkit ``packages/core/src/command.ts``."""
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _github_command(command: str, properties: Mapping[str, str | int], message: str) -> str:
    props = ",".join(f"{key}={_escape_property(str(val))}" for key, val in properties.items())
    return f"::{command}{' ' + props if props else ''}::{_escape_data(message)}"


def report_github(ctx: ReportContext) -> str:
    lines: list[str] = []
    for diag in ctx.diagnostics:
        loc = diag.location
        props: dict[str, str | int] = {"file": loc.file}
        if loc.line:
            props["line"] = loc.line
            if loc.column:
                props["col"] = loc.column
            if loc.end_line:
                props["endLine"] = loc.end_line
            if loc.end_column:
                props["endColumn"] = loc.end_column
        props["title"] = diag.code
        message = f"{diag.message}\nhint: {diag.hint}" if diag.hint else diag.message
        lines.append(_github_command(_GITHUB_COMMANDS[diag.severity], props, message))

    hidden = sum(max(0, ctx.count(s) - GITHUB_ANNOTATION_LIMIT) for s in Severity)
    if hidden:
        lines.append(
            _github_command(
                "notice",
                {},
                f"{_plural(hidden, 'more finding')} not shown as annotations (GitHub shows at"
                f" most {GITHUB_ANNOTATION_LIMIT} of each kind per step); see the log above, or"
                " use --format sarif for all findings.",
            )
        )
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------- junit

# Characters that XML 1.0 does not allow at all, not even escaped.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", value)


def report_junit(ctx: ReportContext) -> str:
    by_file: dict[str, list[Diagnostic]] = {}
    for diag in ctx.diagnostics:
        by_file.setdefault(diag.location.file, []).append(diag)

    files = ctx.all_files
    failing = sum(1 for f in files if any(ctx.fails(d) for d in by_file.get(f, [])))
    counts = {"tests": str(len(files)), "failures": str(failing), "errors": "0"}

    root = ET.Element("testsuites", {"name": TOOL_NAME, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": f"{TOOL_NAME} lint", **counts})
    suite.set("skipped", "0")
    for file in files:
        case = ET.SubElement(
            suite, "testcase", {"classname": f"{TOOL_NAME}.lint", "name": _xml_text(file)}
        )
        other: list[str] = []
        for diag in by_file.get(file, []):
            if ctx.fails(diag):
                failure = ET.SubElement(
                    case, "failure", {"type": diag.code, "message": _xml_text(diag.message)}
                )
                failure.text = _xml_text(_text_block(diag))
            else:
                other.append(_xml_text(_text_block(diag)))
        if other:
            ET.SubElement(case, "system-out").text = "\n".join(other)

    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


REPORTERS: dict[OutputFormat, Reporter] = {
    OutputFormat.TEXT: report_text,
    OutputFormat.JSON: report_json,
    OutputFormat.SARIF: report_sarif,
    OutputFormat.GITHUB: report_github,
    OutputFormat.JUNIT: report_junit,
}
