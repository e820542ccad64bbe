"""A new contract from a template family (``slac init``), and a bindings skeleton for its data.

The contract ``extends`` the template and supplies what a template leaves out (docs/language.md,
"Templates"): its id, the parties, the dates, the contract time zone, the commercials and the
template's calendars with their real hours. Every value to change is marked ``CHANGE ME``;
as written it passes ``slac lint --strict``, so the first edit starts from a clean contract.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slac.contract.extends import resolve
from slac.contract.source import load_file, load_text

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
SEARCH = ("examples/templates", "templates", "contract-templates")


@dataclass(frozen=True)
class Scaffold:
    contract: str  # the contract's text
    bindings: str  # the bindings skeleton's text


def find_template(name: str, folders: Sequence[str] = SEARCH) -> str | None:
    """A template by path, or by name (``gold``) as ``NAME.yaml`` in the first folder holding it."""
    if os.path.isfile(name):
        return name
    for folder in folders:
        path = os.path.join(folder, f"{name}.yaml")
        if os.path.isfile(path):
            return path
    return None


def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _yaml(value: Any) -> str:
    """A plain value in YAML flow style, quoted where the safe loader would read it otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def contract_text(template: str, output: str, contract_id: str, today: date) -> str:
    start = _months_later(today, 1)
    end = _months_later(start, 24) - timedelta(days=1)
    review = _months_later(end, -2)
    extends = os.path.relpath(template, os.path.dirname(os.path.abspath(output)) or ".")
    merged = _merged(template, today)
    calendars = merged.get("calendars") or {}
    lines = [
        f"# A contract on the {os.path.basename(template)} template, written by `slac init`.",
        "# Change every value marked CHANGE ME; `slac lint --strict` checks it, `slac explain`",
        "# says what it promises, and worked examples beside it (contract.tests.yaml) pin the figures.",
        "slac: 1",
        "kind: contract",
        f"extends: {extends.replace(os.sep, '/')}",
        f"id: {contract_id}",
        f"title: {_yaml(f'{contract_id} service level agreement')}   # CHANGE ME",
        'version: "1.0"',
        "sla_type: customer",
        "",
        f"effective: {{from: {start.isoformat()}, to: {end.isoformat()}}}   # CHANGE ME",
        f"review: {{due: {review.isoformat()}, owner: provider}}",
        "timezone: UTC                     # CHANGE ME: the contract's IANA time zone",
        "",
        "parties:                          # CHANGE ME",
        "  provider:",
        "    name: Provider Ltd",
        "    contacts:",
        "      - {name: Service Desk, role: service-desk, email: desk@provider.example}",
        "  customer:",
        "    name: Customer Ltd",
        "    contacts:",
        "      - {name: IT Manager, role: it-manager, email: it@customer.example}",
        "",
        "commercials:                      # CHANGE ME",
        "  currency: EUR",
        '  monthly_fee: "10000.00"',
        "  rounding: {mode: half-up, apply: total}",
    ]
    if calendars:
        lines += ["", "calendars:                        # CHANGE ME: the real hours and holidays"]
        for name, calendar in calendars.items():
            lines.append(f"  {name}:")
            for key, value in calendar.items():
                if isinstance(value, dict):
                    lines.append(f"    {key}:")
                    lines += [f"      {k}: {_yaml(v)}" for k, v in value.items()]
                else:
                    lines.append(f"    {key}: {_yaml(value)}")
    return "\n".join(lines) + "\n"


def _merged(template: str, today: date) -> dict[str, Any]:
    """The template with everything it extends merged in (a template may extend another)."""
    loaded = load_file(template)
    if loaded.document is None:
        return {}
    merged = resolve(loaded.document, load_file).document.data
    return merged if isinstance(merged, dict) else {}


def bindings_text(contract: str, text: str, today: date) -> str:
    """A bindings skeleton: one binding per dataset of the contract, its fields listed."""
    loaded = load_text(contract, text.encode("utf-8"))
    datasets: dict[str, Any] = {}
    if loaded.document is not None:
        merged = resolve(loaded.document, load_file).document.data
        datasets = (merged or {}).get("datasets") or {}
    lines = [
        "# Where the data of each dataset of the contract lives (`slac evaluate` reads it).",
        "# CHANGE ME: point each path at your export; map fields to columns where names differ.",
        "bindings: 1",
        "datasets:",
    ]
    for name, spec in datasets.items():
        fields = list((spec or {}).get("fields") or {})
        lines += [
            f"  {name}:",
            f"    path: data/{name}.csv             # CSV, Parquet or JSON Lines; globs allowed",
            f"    # fields: {', '.join(fields)}",
            "    # columns: {field: column}",
            "    timezone: UTC                    # the zone of timestamps without an offset",
        ]
    if not datasets:
        lines[-1] = "datasets: {}"
    return "\n".join(lines) + "\n"


def scaffold(template: str, output: str, contract_id: str, today: date) -> Scaffold:
    text = contract_text(template, output, contract_id, today)
    return Scaffold(text, bindings_text(output, text, today))
