"""The outcome of ``slac test``: text for people, JUnit XML for CI, and the exit code.

Exit codes follow pytest's: 0 every example passed, 1 some failed, 2 a usage error or a
worked-examples file that could not be run (its findings are shown), 5 no example collected.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from slac.diagnostics import Diagnostic, ExitCode
from slac.review.examples_run import ExampleOutcome, TestRun

NO_TESTS = 5  # pytest's "no tests collected"

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def exit_code(run: TestRun) -> int:
    if run.missing or any(f.broken for f in run.files):
        return int(ExitCode.USAGE)
    examples = run.examples
    if not examples:
        return NO_TESTS
    return int(ExitCode.FINDINGS) if any(not e.passed for e in examples) else int(ExitCode.OK)


def summary(run: TestRun) -> str:
    """``3 passed, 1 failed`` (pytest's closing line), with broken files counted as errors."""
    examples = run.examples
    passed = sum(1 for e in examples if e.passed)
    parts = [f"{passed} passed", f"{len(examples) - passed} failed"]
    broken = sum(1 for f in run.files if f.broken)
    if broken:
        parts.append(f"{broken} error{'s' if broken != 1 else ''}")
    return ", ".join(parts)


def finding_text(diag: Diagnostic) -> str:
    line = f"{diag.location}: {diag.code} {diag.severity.value}: {diag.message}"
    return line + (f"\n    hint: {diag.hint}" if diag.hint else "")


def report_text(run: TestRun) -> str:
    out: list[str] = []
    for file in run.files:
        out.append(f"{file.path}" + (f" ({file.contract})" if file.contract else ""))
        for diag in file.diagnostics:
            out.append("  " + finding_text(diag).replace("\n", "\n  "))
        for example in file.examples:
            out.append(f"  {'PASS' if example.passed else 'FAIL'}  {example.name}")
            for failure in example.failures:
                text = f"{failure.location}: {failure.message}"
                out.append("        " + text.replace("\n", "\n        "))
    if not run.examples and not any(f.broken for f in run.files):
        out.append("no worked examples found (files named *.tests.yaml)")
    out.append(summary(run))
    return "\n".join(out) + "\n"


def _xml(value: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", value)


def _case(suite: ET.Element, classname: str, example: ExampleOutcome) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": classname, "name": _xml(example.name), "time": f"{example.seconds:.3f}"},
    )
    if example.failures:
        first = example.failures[0]
        failure = ET.SubElement(case, "failure", {"message": _xml(first.message.splitlines()[0])})
        failure.text = _xml("\n".join(f"{f.location}: {f.message}" for f in example.failures))


def report_junit(run: TestRun) -> str:
    """One ``testsuite`` per worked-examples file, one ``testcase`` per example; a file that
    could not be run is one ``testcase`` with an ``error`` listing its findings."""
    examples = run.examples
    failed = sum(1 for e in examples if not e.passed)
    broken = sum(1 for f in run.files if f.broken)
    root = ET.Element(
        "testsuites",
        {
            "name": "slac test",
            "tests": str(len(examples) + broken),
            "failures": str(failed),
            "errors": str(broken),
        },
    )
    for file in run.files:
        fails = sum(1 for e in file.examples if not e.passed)
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _xml(file.path),
                "tests": str(len(file.examples) or int(file.broken)),
                "failures": str(fails),
                "errors": str(int(file.broken)),
                "skipped": "0",
            },
        )
        classname = "slac.test." + re.sub(r"[^A-Za-z0-9_-]+", ".", file.path).strip(".")
        if file.broken:
            case = ET.SubElement(
                suite, "testcase", {"classname": classname, "name": _xml(file.path)}
            )
            error = ET.SubElement(
                case, "error", {"message": "the worked examples could not be run"}
            )
            error.text = _xml("\n".join(finding_text(d) for d in file.diagnostics))
        for example in file.examples:
            _case(suite, classname, example)
    ET.indent(root)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{ET.tostring(root, encoding="unicode")}\n'
