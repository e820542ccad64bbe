"""The compile stage: Contract → Plan (types, compiler, calendars, canonical JSON, explain)."""
