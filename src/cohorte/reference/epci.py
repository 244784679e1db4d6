"""EPCI identities from the official referential (npm package ``@etalab/decoupage-administratif``,
MIT licence), one compact snapshot per year: ``epci_referential_YEAR.csv`` (SIREN, name, type,
municipal population, member communes' INSEE codes) with its provenance in ``epci_referential_YEAR.json``.

The package publishes one version per year (``YEAR_VERSIONS``, from its README « Millésimes et versions
de package »): an edition reads the snapshot of its own year, so its EPCI have that year's communes.
From 2023 the package also lists the établissements publics territoriaux of the Métropole du Grand
Paris (type ``EPT``); the snapshot adds them and Paris (type ``COM``, SIREN 217500016), the units the
first-quartile arrêtés list instead of the Métropole.

``cohorte check`` compares each site of an edition with it: an unknown SIREN and a name that does not
match are problems; a different number of communes is a note (the seed's counts are those of its
year and stay as published). Refresh with ``scripts/refresh_epci_referential.py YEAR``.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError
from cohorte.files import atomic_write_json, atomic_write_text, rows_csv_text

FOLDER = Path(__file__).parent
# The package's version of each year (its README, « Millésimes et versions de package »; 2020: « non
# disponible, sauf EPCI 2020 avec 0.8.0 » — the 2020 EPCI, with the communes that version holds).
YEAR_VERSIONS = {
    2020: "0.8.0",
    2021: "1.1.1",
    2022: "2.3.1",
    2023: "3.1.1",
    2024: "4.1.0",
    2025: "5.3.0",
    2026: "6.0.0",
}
# What a year's version is known to miss, written into its provenance by the refresh script.
YEAR_GAPS = {
    2020: "0.8.0 predates the merger of 1 January 2020 of the Métropole Européenne de Lille with the CC de la "
    "Haute Deûle: it lists the MEL under its former SIREN 245900410 (90 communes), not 200093201 (95 communes)",
}
PARIS_INSEE = "75056"
COLUMNS = ("siren", "name", "type", "population", "communes")
_TYPE_PREFIX = re.compile(
    r"^(CA|CC|CU|METRO|EPT|Métropole de|Métropole)\s+(de la |de l'|du |des |de |d')?", re.IGNORECASE
)
_STOPWORDS = {"de", "du", "des", "la", "le", "les", "et", "l", "d", "en", "sur"}


@dataclass(frozen=True)
class EpciRecord:
    siren: str
    name: str
    type: str
    population: int
    communes: tuple[str, ...]  # INSEE codes of the member communes


# --- building the snapshot (refresh script) -------------------------------------------------


def referential_file(year: int, folder: Path = FOLDER) -> Path:
    return folder / f"epci_referential_{year}.csv"


def shipped_years(folder: Path = FOLDER) -> list[int]:
    """The years whose referential the kit ships, in order."""
    return sorted(int(p.stem.rsplit("_", 1)[1]) for p in folder.glob("epci_referential_20[0-9][0-9].csv"))


def paris_unit(communes: Iterable[Mapping]) -> list[dict]:
    """Paris as a unit of the referential (``data/communes.json`` entry 75056), when the package gives its SIREN."""
    found = [c for c in communes if c.get("code") == PARIS_INSEE and c.get("siren")]
    return [
        {
            "code": c["siren"],
            "nom": c["nom"],
            "type": "COM",
            "populationMunicipale": c.get("population") or 0,
            "membres": [{"code": PARIS_INSEE}],
        }
        for c in found[:1]
    ]


def snapshot_rows(epci: Iterable[Mapping]) -> list[dict[str, str]]:
    """Rows of the snapshot from the package's ``data/epci.json`` (and ``ept.json``, Paris), sorted by SIREN."""
    rows = [
        {
            "siren": str(e["code"]),
            "name": str(e["nom"]),
            "type": str(e["type"]),
            "population": str(int(e.get("populationMunicipale") or 0)),
            "communes": ";".join(sorted(str(m["code"]) for m in e["membres"])),
        }
        for e in epci
    ]
    return sorted(rows, key=lambda r: r["siren"])


def write_snapshot(epci: Iterable[Mapping], provenance: Mapping[str, object], year: int, folder: Path = FOLDER) -> Path:
    """Write ``epci_referential_YEAR.csv`` and its provenance JSON atomically; returns the CSV path."""
    rows = snapshot_rows(epci)
    path = atomic_write_text(referential_file(year, folder), rows_csv_text(COLUMNS, rows))
    atomic_write_json(path.with_suffix(".json"), {**provenance, "year": year, "units": len(rows)})
    return path


# --- reading and checking -------------------------------------------------------------------


def referential_year(year: int | None) -> int:
    """``year`` when the kit ships its referential (None: the latest shipped); an error naming the refresh otherwise."""
    years = shipped_years()
    if year is None and years:
        return years[-1]
    if year not in years:
        raise ParamsError(
            f"no EPCI referential of {year} in the kit (years shipped: {', '.join(map(str, years)) or 'none'}); "
            f"run scripts/refresh_epci_referential.py {year}"
        )
    return year


def nearest_year(year: int) -> int:
    """``year`` when its referential is shipped, else the nearest shipped year (the earlier one on a tie)."""
    years = shipped_years()
    if not years:
        raise ParamsError("no EPCI referential in the kit; run scripts/refresh_epci_referential.py YEAR")
    return min(years, key=lambda y: (abs(y - year), y))


def _path(year: int | None, path: Path | None) -> Path:
    return path if path is not None else referential_file(referential_year(year))


def load_referential(year: int | None = None, path: Path | None = None) -> dict[str, EpciRecord]:
    """The snapshot of ``year`` (default: the latest shipped) by SIREN; ``path`` reads another file."""
    return _load(_path(year, path))


@cache
def _load(path: Path) -> dict[str, EpciRecord]:
    if not path.exists():
        raise ParamsError(f"{path}: no EPCI referential; run scripts/refresh_epci_referential.py YEAR")
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            r["siren"]: EpciRecord(
                r["siren"],
                r["name"],
                r["type"],
                int(r["population"] or 0),
                tuple(c for c in r["communes"].split(";") if c),
            )
            for r in csv.DictReader(handle)
        }


def provenance(year: int | None = None, path: Path | None = None) -> dict:
    """The snapshot's provenance (package, version, licence, date, tarball SHA-256)."""
    source = _path(year, path).with_suffix(".json")
    return json.loads(source.read_text(encoding="utf-8")) if source.exists() else {}


def _letters(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9 ]+", " ", text)


def distinctive_words(referential_name: str) -> list[str]:
    """The words that identify an EPCI in the referential's name (type prefix, acronym in brackets
    and articles left out): « CA de Blois ''Agglopolys'' » → blois, agglopolys."""
    name = _TYPE_PREFIX.sub("", re.sub(r"\([^)]*\)", " ", referential_name).strip())
    return [w for w in _letters(name).split() if w not in _STOPWORDS]


def names_match(site_name: str, referential_name: str) -> bool:
    """True when every distinctive word of the referential's name appears in the site's name (spaces
    ignored, so « GrandAngoulême » matches « CA du Grand Angoulême »)."""
    squeezed = _letters(site_name).replace(" ", "")
    words = distinctive_words(referential_name)
    return bool(words) and all(w in squeezed for w in words)


# --- communes → EPCI (reading official extracts) ---------------------------------------------

COMMUNE_CHANGES_FILE = Path(__file__).with_name("commune_changes.csv")


@cache
def commune_changes(path: Path = COMMUNE_CHANGES_FILE) -> dict[str, str]:
    """Old or infra-communal INSEE code → the commune of the referential: Paris, Lyon and Marseille
    arrondissements (75101 → 75056) and communes merged into a commune nouvelle (``anciensCodes``
    of the same package and version as the EPCI snapshot, see ``commune_changes.json``)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["code"]: r["current"] for r in csv.DictReader(handle)}


@cache
def epci_by_commune(year: int | None = None) -> dict[str, str]:
    """INSEE code of a commune (current, old or arrondissement) → SIREN of its EPCI in ``year``'s
    referential (default: the latest shipped)."""
    current = {c: r.siren for r in load_referential(year).values() for c in r.communes}
    former = {old: current[new] for old, new in commune_changes().items() if new in current}
    return {**former, **current}
