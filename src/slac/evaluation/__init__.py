"""The evaluate stage: Plan + measurement data → Results (DuckDB by default)."""
