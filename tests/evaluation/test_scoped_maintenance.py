"""Maintenance windows matched to the scope value they belong to (issue 10, item 3).

Both evaluators, the engine and the plain reference, must give the hand-worked figures. The
semantic: a window that names a service removes time from that service only; a window without
one (or a maintenance dataset without the field) from every service. Provider SLAs announce
maintenance for the services it affects, e.g. "Crowdform will notify Client at least 48 hours
before any Scheduled Downtime that will affect the Services" (Scheduled Downtime definition,
https://www.markettransfer.info/dictionary/scheduled-downtime), and "this downtime will not be
taken into account when calculating the Availability of the different Services"
(https://www.markettransfer.info/clause/maintenance-window/_6).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from slac.evaluation.measurement import Measurement
from slac.evaluation.runner import measure_rows
from slac.kinds import KINDS

from .reference import reference_measure
from .test_reference import build, ratio, t

OUTAGE_DATASETS = """
outages:
  kind: outages
  fields:
    service: {type: string}
    start: {type: timestamp}
    end: {type: timestamp}
windows:
  kind: maintenance
  fields:
    service: {type: string}
    start: {type: timestamp}
    end: {type: timestamp}
    announced_at: {type: timestamp}
"""


def both(plan: Any, rows: dict[str, list[dict[str, Any]]]) -> list[Measurement]:
    engine = measure_rows(plan, rows, ["2026-10"], KINDS)
    reference = reference_measure(plan, rows, ["2026-10"])
    assert list(engine) == reference
    return reference


def test_each_service_loses_only_its_own_maintenance(tmp_path: Path) -> None:
    """October 2026 in UTC has 31 × 1,440 = 44,640 minutes.

    Windows (all announced on 1 October, well before the 48 h notice): api 5 Oct 02:00–04:00
    (120 min), web 12 Oct 01:00–02:00 (60 min), and one without a service, 20 Oct 00:00–00:30
    (30 min), which applies to both.
    Outages: api 5 Oct 02:00–05:00 (180 min, 120 of them in api's maintenance: 60 down);
    web 12 Oct 00:30–01:30 (60 min, 30 in web's maintenance: 30 down).

    api: total 44,640 − 120 − 30 = 44,490, down 60 → 44,430 / 44,490; 2 windows.
    web: total 44,640 − 60 − 30 = 44,550, down 30 → 44,520 / 44,550; 2 windows.
    (Before: every window left every service, total 44,430 for both: api 44,370 / 44,430.)
    """
    plan = build(
        tmp_path,
        "UTC",
        datasets=OUTAGE_DATASETS,
        metrics="uptime: {dataset: outages, availability: {source: outages, start: start, end: end}}",
        objectives='- {id: up, metric: uptime, target: ">= 99.9%", scope: [service]}',
        exclusions="- {id: planned, maintenance: {dataset: windows, notice: 48h}}",
    )
    announced = t("2026-10-01T00:00:00+00:00")
    rows = {
        "outages": [
            {
                "service": "api",
                "start": t("2026-10-05T02:00:00Z"),
                "end": t("2026-10-05T05:00:00Z"),
            },
            {
                "service": "web",
                "start": t("2026-10-12T00:30:00Z"),
                "end": t("2026-10-12T01:30:00Z"),
            },
        ],
        "windows": [
            {
                "service": "api",
                "start": t("2026-10-05T02:00:00Z"),
                "end": t("2026-10-05T04:00:00Z"),
                "announced_at": announced,
            },
            {
                "service": "web",
                "start": t("2026-10-12T01:00:00Z"),
                "end": t("2026-10-12T02:00:00Z"),
                "announced_at": announced,
            },
            {
                "service": None,
                "start": t("2026-10-20T00:00:00Z"),
                "end": t("2026-10-20T00:30:00Z"),
                "announced_at": announced,
            },
        ],
    }
    api, web = both(plan, rows)
    assert (api.scope, api.value, api.sample, api.excluded) == (
        (("service", "api"),),
        ratio(44_430, 44_490),
        44_490,
        (("planned", 2),),
    )
    assert (web.scope, web.value, web.sample, web.excluded) == (
        (("service", "web"),),
        ratio(44_520, 44_550),
        44_550,
        (("planned", 2),),
    )


def test_probes_each_service_its_own_allowance(tmp_path: Path) -> None:
    """Hourly probes (744 hours in October 2026, UTC); allowance 1 h a month, per service.

    api fails 5 Oct 02:00–04:00 (2 hours) under its own announced window 02:00–04:00: the
    allowance excludes the first hour, the second is down. web fails 5 Oct 02:00–03:00 with no
    window of its own: 1 hour down (before, api's window hid it).
    api: 744 − 1 = 743 hours counted, 1 down → 742 / 743, 1 window.
    web: 744 hours counted, 1 down → 743 / 744, 0 windows.
    """
    plan = build(
        tmp_path,
        "UTC",
        datasets="""
        probes:
          kind: probes
          fields: {service: {type: string}, at: {type: timestamp}, status: {type: string}}
        windows:
          kind: maintenance
          fields: {service: {type: string}, start: {type: timestamp}, end: {type: timestamp}, announced_at: {type: timestamp}}
        """,
        metrics="uptime: {dataset: probes, availability: {source: probes, time: at, ok: {status: ok}, interval: 1h}}",
        objectives='- {id: up, metric: uptime, target: ">= 99.9%", scope: [service]}',
        exclusions="- {id: planned, maintenance: {dataset: windows, allowance: 1h/month}}",
    )
    start = t("2026-10-01T00:00:00Z")
    failing = {
        "api": {t("2026-10-05T02:00:00Z"), t("2026-10-05T03:00:00Z")},
        "web": {t("2026-10-05T02:00:00Z")},
    }
    probes = []
    for service, down in failing.items():
        for hour in range(744):
            at = start + timedelta(hours=hour)
            probes.append(
                {"service": service, "at": at, "status": "failed" if at in down else "ok"}
            )
    window = {
        "service": "api",
        "start": t("2026-10-05T02:00:00Z"),
        "end": t("2026-10-05T04:00:00Z"),
    }
    rows = {"probes": probes, "windows": [{**window, "announced_at": t("2026-10-01T00:00:00Z")}]}
    api, web = both(plan, rows)
    assert (api.value, api.sample, api.excluded) == (ratio(742, 743), 743, (("planned", 1),))
    assert (web.value, web.sample, web.excluded) == (ratio(743, 744), 744, (("planned", 0),))


def test_maintenance_without_announced_at(tmp_path: Path) -> None:
    """A maintenance dataset without `announced_at` and no `notice`: every declared window is
    maintenance (before: a DuckDB BinderException). Hourly probes, October 2026 in UTC: the
    probes of 10 Oct 00:00–02:00 fail inside the window, so 744 − 2 = 742 hours are counted,
    none down: 100%.
    """
    plan = build(
        tmp_path,
        "UTC",
        datasets="""
        probes:
          kind: probes
          fields: {at: {type: timestamp}, status: {type: string}}
        windows:
          kind: maintenance
          fields: {start: {type: timestamp}, end: {type: timestamp}}
        """,
        metrics="uptime: {dataset: probes, availability: {source: probes, time: at, ok: {status: ok}, interval: 1h}}",
        objectives='- {id: up, metric: uptime, target: ">= 99.9%"}',
        exclusions="- {id: planned, maintenance: {dataset: windows}}",
    )
    start: datetime = t("2026-10-01T00:00:00Z")
    probes = [
        {"at": start + timedelta(hours=h), "status": "failed" if h in (216, 217) else "ok"}
        for h in range(744)
    ]
    rows = {
        "probes": probes,
        "windows": [{"start": t("2026-10-10T00:00:00Z"), "end": t("2026-10-10T02:00:00Z")}],
    }
    (m,) = both(plan, rows)
    assert (m.value, m.sample, m.excluded) == (ratio(742, 742), 742, (("planned", 1),))
