"""Every semantic rule, case by case (sqlfluff-style YAML cases, one file per rule).

Each case in ``cases/<CODE>.yaml`` is a *patch*: YAML merged onto ``base.yaml`` with the same
deep-merge rules as ``extends`` (mappings by key, id-lists by id, other lists replaced, ``null``
removes). Values keep their positions, so a case states exactly where the finding must point:
``patch:LINE:COL`` for a place in the patch text, ``base:LINE:COL`` for one in base.yaml.

```yaml
rule: R401
fail:
  - name: objective names an undefined metric
    patch: |
      objectives:
        - {id: frt-p1, metric: frist_response}
    at: [patch:2:26]           # every finding of this rule, in order
    message: "metric 'frist_response' is not defined"   # optional: a substring
    hint: "did you mean 'first_response'?"              # optional: a substring
pass:
  - name: a defined metric
    patch: |
      objectives:
        - {id: frt-p1, metric: first_response}
```
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from slac.api import rule_catalog
from slac.contract.checker import Checker
from slac.contract.extends import merge
from slac.contract.rules import REGISTRY
from slac.contract.source import SourceDocument, load_file, load_text
from slac.diagnostics import Diagnostic
from slac.kinds import KINDS

HERE = Path(__file__).parent
CASES = HERE / "cases"
TODAY = date(2026, 11, 23)


def _load(path: Path) -> SourceDocument:
    result = load_file(str(path))
    assert result.document is not None, result.diagnostics
    return result.document


BASE = _load(HERE / "base.yaml")


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        spec = _load(path).data
        for outcome in ("fail", "pass"):
            for case in spec.get(outcome, []):
                params.append(
                    pytest.param(
                        spec["rule"], outcome, case, id=f"{path.stem}-{outcome}-{case['name']}"
                    )
                )
    return params


def findings(patch_text: str) -> list[Diagnostic]:
    patch = load_text("patch", patch_text.encode())
    assert patch.document is not None, patch.diagnostics
    data, pos = merge(BASE.data, BASE.pos, patch.document.data, patch.document.pos)
    doc = SourceDocument(str(HERE / "base.yaml"), data, pos, "")
    return list(Checker(KINDS, TODAY).check_document(doc).diagnostics)


def _where(diag: Diagnostic) -> str:
    file = "patch" if diag.location.file == "patch" else "base"
    return f"{file}:{diag.location.line}:{diag.location.column}"


def test_base_contract_is_clean() -> None:
    assert Checker(KINDS, TODAY).check_file(str(HERE / "base.yaml")).diagnostics == ()


@pytest.mark.parametrize(("code", "outcome", "case"), _cases())
def test_rule_case(code: str, outcome: str, case: dict[str, Any]) -> None:
    found = findings(case["patch"])
    mine = [d for d in found if d.code == code]
    others = [d for d in found if d.code != code and d.severity.value == "error"]
    # A case must isolate its rule: other errors would mean the patch is wrong (or the schema
    # stopped the rules from running at all).
    assert not others, [f"{d.code} {_where(d)} {d.message}" for d in others]
    if outcome == "pass":
        assert not mine, [f"{_where(d)} {d.message}" for d in mine]
        return
    assert [_where(d) for d in mine] == case["at"], [f"{_where(d)} {d.message}" for d in mine]
    if "message" in case:
        assert any(case["message"] in d.message for d in mine), [d.message for d in mine]
    if "hint" in case:
        assert any(case["hint"] in d.hint for d in mine), [d.hint for d in mine]
    if "severity" in case:
        assert {d.severity.value for d in mine} == {case["severity"]}


def test_every_rule_has_failing_and_passing_cases() -> None:
    covered: dict[str, set[str]] = {}
    for path in CASES.glob("*.yaml"):
        spec = _load(path).data
        assert path.stem == spec["rule"], f"{path.name} holds cases for {spec['rule']}"
        covered[spec["rule"]] = {k for k in ("fail", "pass") if spec.get(k)}
    missing = {code for code in REGISTRY if covered.get(code) != {"fail", "pass"}}
    assert not missing, f"rules without both fail and pass cases: {sorted(missing)}"


def test_every_rule_is_documented() -> None:
    for code, info in rule_catalog().items():
        assert info.summary and info.name, code
        if code in REGISTRY:
            assert info.description, f"{code} needs a description in its docstring"
