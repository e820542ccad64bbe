"""The compiled schema validator changes speed, never findings (issue 12's long fuzz run and
big lint runs use it).

``schema.check(fast=True)`` only confirms that a valid document is valid and hands every
invalid one to jsonschema, so both ways must give the same findings for any input: here the
mutated contracts of the fuzzer (valid and invalid ones), checked both ways.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

from slac.contract import schema
from slac.contract.checker import Checker
from slac.contract.source import load_file
from slac.kinds import KINDS

from .choices import RandomChooser
from .contracts import mutate_contract, pick_seed


def _documents(count: int) -> list[tuple[str, object]]:
    found = []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            chooser = RandomChooser(f"fast-schema:{index}")
            item = mutate_contract(chooser, pick_seed(chooser))
            sub = Path(folder) / str(index)
            sub.mkdir()
            for path in item.write(sub):
                loaded = load_file(path)
                if loaded.document is not None:
                    found.append((f"{index}:{Path(path).name}", loaded.document))
    return found


def test_fast_and_full_validation_give_the_same_findings() -> None:
    documents = _documents(300)
    valid = 0
    for name, document in documents:
        data = document.data  # type: ignore[attr-defined]
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "extends"}
        slow = schema.check(document, data)  # type: ignore[arg-type]
        fast = schema.check(document, data, fast=True)  # type: ignore[arg-type]
        assert fast == slow, name
        valid += not slow
    # Both kinds are exercised: schema-valid mutations and schema-invalid ones.
    assert 0 < valid < len(documents)


def test_a_process_that_compiled_the_fast_validator_uses_it_from_the_first_file() -> None:
    schema.fast_validator("contract")
    assert schema.fast_validator_ready("contract")
    checker = Checker(KINDS)
    calls: list[object] = []
    compiled = schema._COMPILED["contract"]
    schema._COMPILED["contract"] = lambda instance: calls.append(instance)
    try:
        checker.check_file("examples/customer-support/contract.yaml")
    finally:
        schema._COMPILED["contract"] = compiled
    assert calls, "the first file was validated by jsonschema alone"


def test_the_fast_validator_leaves_the_document_as_written() -> None:
    # fastjsonschema fills in schema defaults unless told not to: every later contract of the
    # process then had semantics.open_items, and lint warned about it (R803).
    data = load_file("examples/hosting-availability/contract.yaml").document.data  # type: ignore[union-attr]
    before = copy.deepcopy(data)
    schema.fast_validator("contract")(data)
    assert data == before
