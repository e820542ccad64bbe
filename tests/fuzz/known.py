"""Crashes the fuzzers found whose fix belongs in code being rewritten elsewhere.

Each entry maps a root cause's signature (exception type + innermost slac function; the module,
for a timeout) to a strict-xfail test holding its reproducer, so that the fuzz tests let it pass
and keep catching new ones. When the fix lands, the xfail test passes, strict xfail turns that
into a failure, and both go; the fixed crash's test moves to test_fixed_crashes.py. Empty: every
crash found so far is fixed.
"""

from __future__ import annotations

KNOWN: dict[str, str] = {}
