"""Semantic rules, one module per group; importing this package registers them all.

| codes | module | about |
|---|---|---|
| R40x | references | names that must resolve, ids that must be unique, unused metrics |
| R50x | objectives | targets that fit their metric, rows that can match |
| R60x | credits | tiers, caps, the at-risk pool, money, grade bands |
| R70x | time | dates, time zones, business hours, holidays, allowances |
| R80x | moot | settings that silently do nothing |
"""

from __future__ import annotations

from slac.contract.rules import base, credits, moot, objectives, references, time

REGISTRY = base.REGISTRY

__all__ = ["REGISTRY", "credits", "moot", "objectives", "references", "time"]
