"""Which exclusions test rows: `excludes_rows` must agree with what `exclusion_case` builds, so
that availability can skip its per-interval exclusion test exactly when no row can be excluded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlglot import exp

from slac.evaluation.conditions import excludes_rows, exclusion_case
from slac.plan.types import Condition, Exclusion


def exclusion(
    id_: str,
    *,
    where: tuple[Condition, ...] = (),
    between: tuple[str | None, str | None] = (None, None),
    maintenance: str | None = None,
) -> Exclusion:
    return Exclusion(
        id=id_,
        reason="other",
        where=where,
        between_from=between[0],
        between_to=between[1],
        maintenance_dataset=maintenance,
        maintenance_fields=(),
        notice_seconds=Decimal(0) if maintenance else None,
        allowance_seconds=None,
        allowance_per=None,
        applies_to=(),
    )


TAGGED = exclusion("tagged", where=(Condition("cause", "=", "customer"),))
DATED = exclusion("freeze", between=("2026-12-20", None))
MAINTENANCE = exclusion("maint", maintenance="windows")
# A maintenance exclusion with a `where` still acts on time, never on rows.
MAINTENANCE_WHERE = exclusion(
    "maint-db", where=(Condition("service", "=", "db"),), maintenance="windows"
)


@pytest.mark.parametrize(
    ("exclusions", "expected"),
    [
        ((), False),
        ((MAINTENANCE,), False),
        ((MAINTENANCE_WHERE,), False),
        ((TAGGED,), True),
        ((DATED,), True),
        ((MAINTENANCE, DATED), True),
    ],
)
def test_excludes_rows_is_what_exclusion_case_can_name(
    exclusions: tuple[Exclusion, ...], expected: bool
) -> None:
    case = exclusion_case(exclusions, exp.column("t"), "Europe/Berlin")
    assert excludes_rows(exclusions) is expected
    assert isinstance(case, exp.Case) is expected
