"""The EPCI bound to adopt a PLH (CCH L302-1), from the kit's EPCI referential: the national edition's sites.

``epci_referential_YEAR.csv`` (cohorte.reference.epci) gives each EPCI's SIREN, name, type, population
and communes; ``epci_extent_YEAR.csv`` (this module, ``scripts/refresh_epci_referential.py YEAR``, same
npm package and version) adds the département and region of its most populous commune and that commune's population. An EPCI
is bound when it is a communauté d'agglomération, a communauté urbaine, a métropole (the Métropole
de Lyon included), or a communauté de communes of more than 30 000 inhabitants with a commune of
more than 10 000 ("more than": strictly).

Two approximations of the law's text, for want of data in the package: populations are the
*municipal* populations (the legal reference is the *total* population, which is a little larger,
so a few CC just under a threshold may be bound too), and a CC's competence in housing (which the
law also asks) is not checked.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError
from cohorte.files import atomic_write_json, atomic_write_text, rows_csv_text
from cohorte.reference.epci import _TYPE_PREFIX, FOLDER, EpciRecord, load_referential, referential_year

EXTENT_COLUMNS = ("siren", "departement", "region", "largest_commune_population")
PLH_TYPES = ("CA", "CU", "METRO", "MET69")  # bound whatever their size
CC_MIN_POPULATION, CC_MIN_COMMUNE = 30_000, 10_000
TYPE_NAMES = {
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "métropole",
    "CC": "communauté de communes",
    "EPT": "établissement public territorial",
    "COM": "commune",
}


@dataclass(frozen=True)
class Extent:
    siren: str
    departement: str
    region: str
    largest_commune_population: int


# --- building the snapshot (refresh script) -------------------------------------------------


def extent_rows(
    epci: Iterable[Mapping], communes: Iterable[Mapping], regions: Iterable[Mapping]
) -> list[dict[str, str]]:
    """One row per EPCI: département and region of its most populous commune, and that population."""
    by_code = {c["code"]: c for c in communes if c.get("type", "commune-actuelle") == "commune-actuelle"}
    region_names = {r["code"]: r["nom"] for r in regions}
    rows = []
    for e in epci:
        members = [by_code[m["code"]] for m in e["membres"] if m["code"] in by_code]
        if not members:
            continue
        largest = max(members, key=lambda c: (int(c.get("population") or 0), c["code"]))
        rows.append(
            {
                "siren": str(e["code"]),
                "departement": str(largest["departement"]),
                "region": region_names.get(largest.get("region", ""), ""),
                "largest_commune_population": str(int(largest.get("population") or 0)),
            }
        )
    return sorted(rows, key=lambda r: r["siren"])


def extent_file(year: int, folder: Path = FOLDER) -> Path:
    return folder / f"epci_extent_{year}.csv"


def write_extent(
    epci: Iterable[Mapping],
    communes: Iterable[Mapping],
    regions: Iterable[Mapping],
    provenance: Mapping[str, object],
    year: int,
    folder: Path = FOLDER,
) -> Path:
    """Write ``epci_extent_YEAR.csv`` and its provenance JSON atomically; returns the CSV path."""
    rows = extent_rows(epci, communes, regions)
    path = atomic_write_text(extent_file(year, folder), rows_csv_text(EXTENT_COLUMNS, rows))
    atomic_write_json(path.with_suffix(".json"), {**provenance, "year": year, "units": len(rows)})
    return path


# --- reading and selecting ------------------------------------------------------------------


def load_extent(year: int | None = None, path: Path | None = None) -> dict[str, Extent]:
    """Each EPCI's extent in the snapshot of ``year`` (default: the latest referential shipped)."""
    return _load_extent(path if path is not None else extent_file(referential_year(year)))


@cache
def _load_extent(path: Path) -> dict[str, Extent]:
    if not path.exists():
        raise ParamsError(f"{path}: no EPCI extent snapshot; run scripts/refresh_epci_referential.py YEAR")
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            r["siren"]: Extent(r["siren"], r["departement"], r["region"], int(r["largest_commune_population"]))
            for r in csv.DictReader(handle)
        }


def plh_bound(record: EpciRecord, extent: Extent) -> bool:
    """CCH L302-1: CA, CU, métropoles; CC of more than 30 000 inhabitants with a commune of more than 10 000."""
    if record.type in PLH_TYPES:
        return True
    return (
        record.type == "CC"
        and record.population > CC_MIN_POPULATION
        and extent.largest_commune_population > CC_MIN_COMMUNE
    )


def short_name(name: str) -> str:
    """The name without its type prefix: « CA de Blois ''Agglopolys'' » → « Blois ''Agglopolys'' »."""
    short = _TYPE_PREFIX.sub("", name).strip()
    return short[:1].upper() + short[1:] if short else name


def _slug_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe")).encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def epci_slug(record: EpciRecord) -> str:
    """A stable slug from type and name: « CA de Blois ''Agglopolys'' » → ``ca-de-blois-agglopolys``."""
    words = _slug_words(record.name)
    slug = "-".join(words)
    while len(slug) > 48 and len(words) > 2:
        words = words[:-1]
        slug = "-".join(words)
    return slug or f"epci-{record.siren}"


def bound_sirens(referential: Mapping[str, EpciRecord], extent: Mapping[str, Extent]) -> list[str]:
    """The SIREN of every EPCI the CCH L302-1 rule binds, in order."""
    return [s for s in sorted(referential) if s in extent and plh_bound(referential[s], extent[s])]


def national_sites(
    add_sirens: Iterable[str] = (),
    referential: Mapping[str, EpciRecord] | None = None,
    extent: Mapping[str, Extent] | None = None,
    year: int | None = None,
) -> list[dict[str, object]]:
    """Every bound EPCI of ``year``'s referential (plus ``add_sirens``) as edition site entries, by SIREN."""
    referential = load_referential(year) if referential is None else referential
    extent = load_extent(year) if extent is None else extent
    added = list(dict.fromkeys(add_sirens))
    unknown = [s for s in added if s not in referential or s not in extent]
    if unknown:
        raise ParamsError(f"add_sirens: {', '.join(unknown)} not in the EPCI referential; check the SIREN on BANATIC")
    chosen = sorted({*bound_sirens(referential, extent), *added})
    return site_entries(chosen, referential, extent)


def site_entries(
    chosen: Iterable[str], referential: Mapping[str, EpciRecord], extent: Mapping[str, Extent]
) -> list[dict[str, object]]:
    """Edition site entries of the SIREN ``chosen`` (all in the referential), slugs unique."""
    chosen = list(chosen)
    slugs = [epci_slug(referential[s]) for s in chosen]
    sites = []
    for siren, slug in zip(chosen, slugs, strict=True):
        record, where = referential[siren], extent[siren]
        sites.append(
            {
                "slug": slug if slugs.count(slug) == 1 else f"{slug}-{siren}",
                "name": record.name,
                "short_name": short_name(record.name),
                "siren": siren,
                "region": where.region,
                "departement": where.departement,
                "communes": len(record.communes),
                "population_2017": record.population,
                "epci_type": record.type,
            }
        )
    return sites
