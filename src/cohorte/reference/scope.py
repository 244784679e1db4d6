"""A national edition's scope from the first-quartile arrêté (``sites_from: q1_decree``), and the CCH
L302-1 rule kept as a check.

The arrêtés' annexes (cohorte.reference.q1) list by SIREN the units subject to the 25 % obligation
(CCH L441-1): the EPCI bound to adopt a PLH, the EPCI competent for housing with at least one QPV,
Paris and the 11 établissements publics territoriaux (EPT) of the Métropole du Grand Paris — the law's
units there, not the Métropole. Their identities (name, type, population, communes, département)
come from the EPCI referential of the same year, which holds the EPT and Paris from 2023.

``compare_scope`` sets the rule (cohorte.reference.plh) against the list: EPCI listed that the rule
does not bind (expected for the EPCI with a QPV and the housing competence, which the kit cannot
check), EPCI the rule binds that the list leaves out (a gap in the rule's approximations or in the
list), and the Métropole du Grand Paris, bound by the rule and listed as Paris and its EPT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cohorte.errors import ParamsError
from cohorte.reference.epci import EpciRecord, load_referential
from cohorte.reference.plh import Extent, bound_sirens, load_extent, site_entries
from cohorte.reference.q1 import ListedEpci, decree_listing, q1_decree

GRAND_PARIS = "200054781"  # Métropole du Grand Paris: the arrêtés list Paris and its EPT instead
GRAND_PARIS_TYPES = ("EPT", "COM")  # the law's units in the Métropole: its territories and Paris


@dataclass(frozen=True)
class ScopeComparison:
    """The CCH L302-1 rule against the arrêté's list, for one year (SIRENs, in order)."""

    year: int
    listed: int
    bound: int
    listed_not_bound: tuple[str, ...]  # EPCI of the list the rule does not bind (EPT and Paris left out)
    bound_not_listed: tuple[str, ...]  # EPCI the rule binds, absent from the list (the Métropole left out)
    grand_paris_units: tuple[str, ...]  # Paris and the EPT the list names for the Métropole du Grand Paris
    unknown: tuple[str, ...]  # SIRENs of the list absent from the year's referential

    @property
    def disagreements(self) -> int:
        return len(self.listed_not_bound) + len(self.bound_not_listed)


def decree_sites(
    year: int,
    add_sirens: Iterable[str] = (),
    referential: Mapping[str, EpciRecord] | None = None,
    extent: Mapping[str, Extent] | None = None,
) -> list[dict[str, object]]:
    """The units the arrêté of ``year`` lists (plus ``add_sirens``) as edition site entries, by SIREN."""
    if q1_decree(year) is None:
        raise ParamsError(
            f"sites_from: q1_decree: the kit ships no first-quartile arrêté for {year}; "
            "use sites_from: referential (the CCH L302-1 rule) for that year"
        )
    referential = load_referential(year) if referential is None else referential
    extent = load_extent(year) if extent is None else extent
    chosen = sorted({*decree_listing(year), *add_sirens})
    unknown = [s for s in chosen if s not in referential or s not in extent]
    if unknown:
        raise ParamsError(
            f"sites_from: q1_decree: {', '.join(unknown)} listed for {year} but not in the EPCI referential of "
            f"{year}; check the SIREN on BANATIC"
        )
    return site_entries(chosen, referential, extent)


def compare_scope(
    year: int,
    referential: Mapping[str, EpciRecord] | None = None,
    extent: Mapping[str, Extent] | None = None,
    listing: Mapping[str, ListedEpci] | None = None,
) -> ScopeComparison | None:
    """The rule against the arrêté of ``year``; None when the kit ships no arrêté for that year."""
    listing = decree_listing(year) if listing is None else listing
    if not listing:
        return None
    referential = load_referential(year) if referential is None else referential
    extent = load_extent(year) if extent is None else extent
    bound = bound_sirens(referential, extent)
    units = tuple(s for s in sorted(listing) if s in referential and referential[s].type in GRAND_PARIS_TYPES)
    return ScopeComparison(
        year=year,
        listed=len(listing),
        bound=len(bound),
        listed_not_bound=tuple(s for s in sorted(listing) if s not in units and s not in bound),
        bound_not_listed=tuple(s for s in bound if s not in listing and not (s == GRAND_PARIS and units)),
        grand_paris_units=units,
        unknown=tuple(s for s in sorted(listing) if s not in referential),
    )


def scope_messages(comparison: ScopeComparison, referential: Mapping[str, EpciRecord] | None = None) -> list[str]:
    """One line per disagreement between the rule and the list (for ``cohorte check`` and the build)."""
    referential = load_referential(comparison.year) if referential is None else referential
    listing = decree_listing(comparison.year)

    def name(siren: str) -> str:
        record = referential.get(siren)
        return f"{siren} {record.name if record else listing[siren].name if siren in listing else '?'}"

    where = f"arrêté of {comparison.year} ({comparison.listed} units) vs CCH L302-1 rule ({comparison.bound} EPCI)"
    lines = [
        f"{where}: {name(s)} is listed but not bound to a PLH by the rule "
        "(an EPCI competent for housing with a QPV, which the kit cannot check)"
        for s in comparison.listed_not_bound
        if s not in comparison.unknown
    ]
    lines += [
        f"{where}: {name(s)} is listed but not in the EPCI referential of {comparison.year}" for s in comparison.unknown
    ]
    lines += [
        f"{where}: {name(s)} is bound to a PLH by the rule but not listed by the arrêté"
        for s in comparison.bound_not_listed
    ]
    return lines


def scope_summary(comparison: ScopeComparison) -> str:
    """One line: how many units the list and the rule hold, and where they disagree."""
    return (
        f"Scope {comparison.year}: the arrêté lists {comparison.listed} units, the CCH L302-1 rule binds "
        f"{comparison.bound} EPCI; {len(comparison.listed_not_bound)} listed but not bound, "
        f"{len(comparison.bound_not_listed)} bound but not listed; the Métropole du Grand Paris is listed as "
        f"{len(comparison.grand_paris_units)} units (Paris and its établissements publics territoriaux)"
    )
