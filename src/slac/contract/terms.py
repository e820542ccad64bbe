"""Terms in force: the contract as first signed, then as each amendment leaves it.

An amendment's ``changes`` merge like a template onto the terms before it, keeping positions,
so that a finding about amended terms points into the amendment. The linter checks each set of
terms as it is merged (a set that fails the schema is not read further); the compiler reads
them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from slac.contract.build import build_contract
from slac.contract.extends import merge
from slac.contract.model import Amendment, Contract
from slac.contract.source import SourceDocument


@dataclass(frozen=True)
class TermsInForce:
    amendment: Amendment | None  # None: the terms as first signed
    contract: Contract


def amendment_order(contract: Contract) -> list[Amendment]:
    """The amendments that change terms, by effective date (then as written)."""
    return sorted(contract.amendments, key=lambda a: (a.effective, a.path[-1]))


def amended_documents(contract: Contract) -> Iterator[tuple[Amendment, SourceDocument]]:
    """Each amendment in date order, with the merged document of the terms it puts in force."""
    document = contract.document
    current, pos = document.data, document.pos
    for amendment in amendment_order(contract):
        changes_pos, _ = document.pos.find((*amendment.path, "changes"))
        current, pos = merge(current, pos, amendment.changes, changes_pos)
        yield (
            amendment,
            SourceDocument(document.path, current, pos, document.sha256, document.lines),
        )


def terms_in_force(contract: Contract) -> list[TermsInForce]:
    """Every set of terms of a contract whose amended terms are all schema-valid."""
    terms = [TermsInForce(None, contract)]
    for amendment, document in amended_documents(contract):
        terms.append(TermsInForce(amendment, build_contract(document, contract.sources)))
    return terms
