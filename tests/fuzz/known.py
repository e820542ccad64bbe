"""Crashes the fuzzers found whose fix belongs in code being rewritten elsewhere.

Each is pinned by a strict xfail test in test_known_crashes.py, with its reproducer; the fuzz
tests let these root causes pass (by signature: exception type + innermost slac function; the
module, for a timeout) so that they keep catching new ones. When a fix lands, its xfail test passes, strict xfail turns
that into a failure, and both the marker and the entry here go.
"""

from __future__ import annotations

KNOWN: dict[str, str] = {
    # An `id` that is a list or mapping in an id-list merged by `extends` is hashed.
    "TypeError in slac/contract/extends.py:_merge_by_id": "test_a_list_as_id_under_extends",
    # Money and percentages with 27 digits overflow the Decimal context when rounded.
    "InvalidOperation in slac/plan/canonical.py:money_text": "test_a_27_digit_fee_compiles",
    "InvalidOperation in slac/plan/explain.py:money_share": (
        "test_a_27_digit_credit_percentage_is_explained"
    ),
    # A calendar horizon in year 1 is written '1-01-01' and read back as a 4-digit year.
    "ValueError in slac/plan/explain.py:_country_holidays": (
        "test_a_contract_effective_from_year_1_is_explained"
    ),
    # The business-time grid is built from the earliest item, day by day in Python and bucket
    # by bucket in the engine: centuries take minutes and gigabytes.
    "Timeout in slac/evaluation/timegrid.py": (
        "test_a_ticket_opened_in_the_year_2_is_evaluated_in_seconds"
    ),
    "OutOfMemoryException in slac/evaluation/sqltext.py:execute": (
        "test_a_ticket_opened_in_the_year_2_is_evaluated_in_seconds"
    ),
}
