"""EPCI identities from the official referential (npm package ``@etalab/decoupage-administratif``,
MIT licence): a compact snapshot ``epci_referential.csv`` (SIREN, name, type, municipal population,
member communes' INSEE codes) with its provenance in ``epci_referential.json``.

``cohorte check`` compares each site of an edition with it: an unknown SIREN and a name that does not
match are problems; a different number of communes is a note (the seed's counts are those of its
year and stay as published). Refresh with ``scripts/refresh_epci_referential.py``.
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
from cohorte.files import atomic_write_json, atomic_write_text

REFERENTIAL_FILE = Path(__file__).with_name("epci_referential.csv")
PROVENANCE_FILE = Path(__file__).with_name("epci_referential.json")
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


def snapshot_rows(epci: Iterable[Mapping]) -> list[dict[str, str]]:
    """Rows of the snapshot from the package's ``data/epci.json``, sorted by SIREN."""
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


def write_snapshot(
    epci: Iterable[Mapping], provenance: Mapping[str, object], folder: Path = REFERENTIAL_FILE.parent
) -> Path:
    """Write ``epci_referential.csv`` and its provenance JSON atomically; returns the CSV path."""
    rows = snapshot_rows(epci)
    lines = [",".join(COLUMNS)]
    with_quotes = [
        {k: '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v for k, v in r.items()} for r in rows
    ]
    lines += [",".join(r[c] for c in COLUMNS) for r in with_quotes]
    path = atomic_write_text(folder / REFERENTIAL_FILE.name, "\n".join(lines) + "\n")
    atomic_write_json(folder / PROVENANCE_FILE.name, {**provenance, "epci": len(rows)})
    return path


# --- reading and checking -------------------------------------------------------------------


@cache
def load_referential(path: Path = REFERENTIAL_FILE) -> dict[str, EpciRecord]:
    """The snapshot by SIREN."""
    if not path.exists():
        raise ParamsError(f"{path}: no EPCI referential; run scripts/refresh_epci_referential.py")
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


def provenance(path: Path = PROVENANCE_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


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
def epci_by_commune(path: Path = REFERENTIAL_FILE) -> dict[str, str]:
    """INSEE code of a commune (current, old or arrondissement) → SIREN of its EPCI."""
    current = {c: r.siren for r in load_referential(path).values() for c in r.communes}
    former = {old: current[new] for old, new in commune_changes().items() if new in current}
    return {**former, **current}
