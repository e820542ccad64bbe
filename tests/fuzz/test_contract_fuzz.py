"""Mutated contracts never crash lint, compile or explain (issue 12).

Hypothesis drives the mutations of tests/fuzz/contracts.py over the shipped examples, their
templates, the lint fixtures and the rule cases, with a bounded budget (derandomized: the same
inputs on every run). The long run is ``python -m bench.fuzz`` (see its docstring).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .choices import DrawChooser, chance
from .contracts import Input, mutate_contract, pick_seed
from .harness import Crash, run_contract
from .known import KNOWN

# No shrinking: an input runs for up to seconds (a timeout for 10), so shrinking would take
# minutes; a failure shows the whole input instead, and bench/fuzz.py reduces its own finds.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def explain_crash(crash: Crash, item: Input) -> str:
    shown = "\n".join(
        f"--- {rel}\n{content[:3000].decode('utf-8', 'replace')}"
        for rel, content in item.files
        if rel in item.check or rel == item.seed  # the mutated file
    )
    return f"{crash.signature}: {crash.message}\nsteps: {item.steps}\n{shown}\n{crash.trace}"


@settings(FUZZ, max_examples=150)
@given(st.data())
def test_mutated_contracts_never_crash(data: st.DataObject) -> None:
    chooser = DrawChooser(data)
    item = mutate_contract(chooser, pick_seed(chooser))
    crash = run_contract(item, cli=chance(chooser, 10))
    assert crash is None or crash.signature in KNOWN, explain_crash(crash, item)
