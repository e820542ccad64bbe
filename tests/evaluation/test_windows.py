"""Each objective judges its own windows, whatever other objectives of the same metric judge.

A month and a rolling window ending with that month share their period id (``2026-10``), not
their bounds. Until this was fixed, a monthly objective next to a rolling one over the same
rows took the rolling window's rows too, and the rolling one the month's: both were wrong.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from slac import api

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "it-outsourcing"

MONTHLY = """\
  - id: satisfaction-monthly
    title: Users rating their incident 4 or 5 out of 5, each month
    metric: satisfaction
    target: ">= 85%"
    period: month
    weight: 1
    responsible: provider
"""


def test_a_monthly_and_a_rolling_objective_over_one_metric_keep_their_own_windows(
    tmp_path: Path,
) -> None:
    """examples/it-outsourcing/EXPECTED.md, by hand from its data: the satisfaction survey has
    50 answers in each of September, October and November, of them 44, 44 and 34 rated 4 or 5.
    The rolling three months (user-satisfaction) are 44/50 (Jul–Sep), 88/100 (Aug–Oct) and
    122/150 (Sep–Nov); each month on its own is 44/50 = 88%, 44/50 = 88%, 34/50 = 68%."""
    folder = tmp_path / "it"
    shutil.copytree(EXAMPLE, folder)
    contract = folder / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    anchor = "  - id: user-satisfaction\n"
    assert anchor in text
    contract.write_text(text.replace(anchor, MONTHLY + anchor), encoding="utf-8")

    results = api.evaluate(str(contract), period="2026-09", through="2026-11").value
    assert results is not None
    found = {
        (p.period, m.objective): (m.measured, m.sample)
        for p in results.periods
        for m in p.objectives
        if m.objective in ("satisfaction-monthly", "user-satisfaction")
    }
    assert found == {
        ("2026-09", "satisfaction-monthly"): (Decimal(44) / 50, 50),
        ("2026-10", "satisfaction-monthly"): (Decimal(44) / 50, 50),
        ("2026-11", "satisfaction-monthly"): (Decimal(34) / 50, 50),
        ("2026-09", "user-satisfaction"): (Decimal(44) / 50, 50),
        ("2026-10", "user-satisfaction"): (Decimal(88) / 100, 100),
        ("2026-11", "user-satisfaction"): (Decimal(122) / 150, 150),
    }
