"""Mutated data files never crash `slac evaluate`, with `--on-bad-rows error` or `exclude`
(issue 12).

Hypothesis drives the mutations of tests/fuzz/data.py over the examples' data (and the small
evaluate-test contract's), bounded and derandomized. The long run is ``python -m bench.fuzz``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from .choices import DrawChooser, chance, pick
from .data import data_seeds, mutate_data
from .harness import run_data
from .known import KNOWN
from .test_contract_fuzz import FUZZ, explain_crash


@settings(FUZZ, max_examples=20)
@given(st.data())
def test_mutated_data_never_crashes(data: st.DataObject) -> None:
    chooser = DrawChooser(data)
    item = mutate_data(chooser, pick(chooser, data_seeds()))
    crash = run_data(item, cli=chance(chooser, 4))
    assert crash is None or crash.signature in KNOWN, explain_crash(crash, item)
