"""Evidence: each row's outcome per objective and period, as Parquet, so that any credit can be
traced back to the records that caused it. Written by the engine (COPY), never row by row."""

from __future__ import annotations

import os
from collections.abc import Sequence

import duckdb

from slac.evaluation.sqltext import Engine, lit, sql
from slac.files import OutputError, make_folder, output_path
from slac.plan.types import Plan

EVIDENCE_TABLE = "evidence"


def write_evidence(engine: Engine, plan: Plan, tasks: Sequence[object], folder: str) -> None:
    """Copy the evidence the engine recorded while measuring into ``folder/evidence.parquet``.

    Raises :class:`~slac.files.OutputError` when it cannot be written there.
    """
    make_folder(folder)
    exists = engine.scalar(
        sql("SELECT count(*) FROM duckdb_tables() WHERE table_name = :t", t=lit(EVIDENCE_TABLE))
    )
    if not exists:
        engine.execute(
            sql(
                "CREATE TEMP TABLE evidence (period VARCHAR, objective VARCHAR, scope VARCHAR, "
                "item VARCHAR, source_row BIGINT, value DECIMAL(38, 6), outcome VARCHAR, exclusion VARCHAR)"
            )
        )
    target = os.path.join(folder, "evidence.parquet")
    with output_path(target) as staged:
        try:
            engine.execute(
                sql(
                    "COPY (SELECT * FROM evidence ORDER BY period, objective, scope, item) TO :p (FORMAT parquet)",
                    p=lit(staged),
                )
            )
        except duckdb.IOException as err:
            # A full disk or a quota: the engine's own message names the staged file; the user
            # named the folder.
            reason = "no space left on the device" if "No space left" in str(err) else str(err)
            raise OutputError(target, reason) from err
