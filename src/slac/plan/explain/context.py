"""One set of terms being explained (the plan's names looked up for the sections), and the
plan's quantities and intervals in words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from slac.plan.explain.measures import KindWordings
from slac.plan.types import Calendar, Dataset, Interval, Objective, Party, Plan, Quantity, Terms
from slac.wording import bounds_words, join_words, value_words, words

ACRONYMS = frozenset({"it", "vp", "cx", "cio", "cto", "ceo", "cfo", "coo", "hr", "qa", "ops"})


@dataclass
class Context:
    plan: Plan
    terms: Terms
    kinds: KindWordings  # each metric kind words its own promise
    parties: dict[str, Party] = field(init=False)
    datasets: dict[str, Dataset] = field(init=False)
    calendars: dict[str, Calendar] = field(init=False)
    objectives: dict[str, Objective] = field(init=False)

    def __post_init__(self) -> None:
        self.parties = {p.key: p for p in self.plan.parties}
        self.datasets = {d.name: d for d in self.plan.datasets}
        self.calendars = {c.name: c for c in self.terms.calendars}
        self.objectives = {o.id: o for o in self.terms.objectives}

    def party(self, key: str) -> str:
        party = self.parties.get(key)
        return party.name if party else key

    def noun(self, dataset: str) -> str:
        """The rows of a dataset in words: ``tickets``, ``desk calls``, ``satisfaction surveys``."""
        spec = self.datasets.get(dataset)
        name = words(dataset)
        if spec is not None and not name.endswith("s"):
            kind = words(spec.kind).replace("-", " ")
            if kind.endswith("s") and kind not in name:
                return f"{name} {kind}"
        return name

    def calendar(self, objective: Objective) -> Calendar | None:
        """The calendar the objective's clock runs in: a metric's ``calendar`` param (only
        kinds measuring time between events have one), None for every other metric."""
        params = dict(objective.metric.params)
        return self.calendars.get(str(params["calendar"])) if "calendar" in params else None

    def business(self, objective: Objective) -> bool:
        """Whether the objective's durations are business time (a calendar with closed hours)."""
        calendar = self.calendar(objective)
        return calendar is not None and not calendar.always_open

    def objective_name(self, objective_id: str) -> str:
        objective = self.objectives.get(objective_id)
        if objective is None or objective.title is None:
            return f"“{objective_id}”"
        return f"“{objective.title}”"

    def objectives_words(self, ids: Sequence[str], last: str = "and") -> str:
        if len(self.terms.objectives) > 1 and set(ids) >= set(self.objectives):
            return "any promise" if last == "or" else "all promises"
        return join_words([self.objective_name(i) for i in ids], last)

    def period_unit(self, ids: Iterable[str]) -> str:
        """``month`` when all these objectives are monthly, else ``period``."""
        units = {self.objectives[i].period.unit for i in ids if i in self.objectives}
        return units.pop() if len(units) == 1 else "period"

    def contact(self, ref: str) -> str:
        """``provider.service-manager`` → ``Jana Krüger (service manager, Example Support Ltd, …)``."""
        key, _, who = ref.partition(".")
        party = self.parties.get(key)
        if party is None:
            return ref
        if not who:
            return party.name
        for contact in party.contacts:
            if who in (contact.role, contact.name):
                details = []
                role = role_words(contact.role or "")
                name = set(contact.name.lower().split())
                if role and not name & set(role.lower().split()):
                    details.append(role)
                details.append(party.name)
                if contact.email:
                    details.append(contact.email)
                return f"{contact.name} ({', '.join(details)})"
        return f"{role_words(who)} ({party.name})"


def role_words(role: str) -> str:
    """``it-manager`` → ``IT manager``."""
    parts = role.replace("_", " ").replace("-", " ").split()
    return " ".join(p.upper() if p in ACRONYMS else p for p in parts)


def quantity_words(quantity: Quantity, *, business: bool = False) -> str:
    return value_words(quantity.value, quantity.unit, business=business)


def interval_words(interval: Interval, *, business: bool = False) -> str:
    """A band of measured values with each side's inclusiveness stated exactly.

    ``at least 99% and below 99.99%``, ``above 5% and at most 8%``, ``below 95%``.
    """

    def show(value: Decimal) -> str:
        return value_words(value, interval.unit, business=business)

    return bounds_words(interval.low, interval.high, show)
