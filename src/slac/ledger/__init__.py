"""The period ledger: closed periods (the results as issued), their credit lines and the
overrides recorded against them, in a DuckDB file or on a PostgreSQL server (docs/ledger.md).

``model`` holds what is stored (frozen dataclasses), ``store`` the two stores behind one
protocol, ``records`` how a close turns results into what is stored. Nothing here evaluates:
the API evaluates a period and hands its results document to the store.
"""
