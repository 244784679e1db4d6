"""The official first-quartile thresholds (CCH L441-1): the annexes of the yearly ministerial arrêtés.

``q1_thresholds.csv`` holds one row per EPCI and year (2024, 2025, 2026: 425, 425, 424 EPCI), as
published, anomalies included; ``q1_decrees.csv`` each arrêté's date, JORF publication and
reference; ``q1_thresholds.json`` the method, the source and the anomalies. An edition whose year
has an arrêté takes its sites' thresholds from it (« officiel »); for other years no official figure
is shipped and the threshold is the data file's own or an estimate, named as such.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError

THRESHOLDS_FILE = Path(__file__).with_name("q1_thresholds.csv")
DECREES_FILE = Path(__file__).with_name("q1_decrees.csv")
PROVENANCE_FILE = Path(__file__).with_name("q1_thresholds.json")
TOLERANCE_EUR = 0.5  # a threshold within half a euro of the arrêté's (rounded to the euro) agrees with it


@dataclass(frozen=True)
class Q1Decree:
    """One yearly arrêté: when it was signed and published (JORF), and where to read it."""

    year: int
    signed: dt.date
    published: dt.date
    jorf_id: str
    url: str
    epci: int  # units listed in its annex


@dataclass(frozen=True)
class ListedEpci:
    """One row of an arrêté's annex, as published."""

    siren: str
    name: str
    departements: tuple[str, ...]
    q1_annual_eur: float


@cache
def q1_decrees(path: Path = DECREES_FILE) -> dict[int, Q1Decree]:
    """Every arrêté shipped, by year."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            int(r["year"]): Q1Decree(
                int(r["year"]),
                dt.date.fromisoformat(r["signed"]),
                dt.date.fromisoformat(r["published"]),
                r["jorf_id"],
                r["url"],
                int(r["epci"]),
            )
            for r in csv.DictReader(handle)
        }


def q1_decree(year: int) -> Q1Decree | None:
    """The arrêté of ``year``; None when the kit ships none for that year."""
    return q1_decrees().get(int(year))


@cache
def _annexes(path: Path = THRESHOLDS_FILE) -> dict[int, dict[str, ListedEpci]]:
    out: dict[int, dict[str, ListedEpci]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, r in enumerate(csv.DictReader(handle), start=2):
            try:
                row = ListedEpci(
                    r["siren"], r["epci_name"], tuple(r["departement_code"].split(";")), float(r["q1_annual_eur"])
                )
                out.setdefault(int(r["year"]), {})[row.siren] = row
            except (KeyError, ValueError) as exc:
                raise ParamsError(f"{path.name}, line {line}: cannot be read ({exc})") from None
    return out


def decree_listing(year: int) -> dict[str, ListedEpci]:
    """The units the arrêté of ``year`` lists, by SIREN (empty when no arrêté is shipped for that year)."""
    return dict(_annexes().get(int(year), {}))


def decree_thresholds(year: int, sirens: Mapping[str, str]) -> dict[str, float]:
    """The official threshold of each site (``sirens``: site key → SIREN) the arrêté of ``year`` lists."""
    listing = _annexes().get(int(year), {})
    return {key: listing[siren].q1_annual_eur for key, siren in sirens.items() if siren in listing}


def threshold_disagreements(
    year: int, sirens: Mapping[str, str], given: Mapping[str, float]
) -> list[tuple[str, float, float]]:
    """(site, threshold given, arrêté's) where a threshold of the data differs from the arrêté's by
    more than ``TOLERANCE_EUR`` (``given``: site → value for ``year``)."""
    official = decree_thresholds(year, sirens)
    return [
        (key, float(value), official[key])
        for key, value in sorted(given.items())
        if key in official and abs(float(value) - official[key]) > TOLERANCE_EUR
    ]


def provenance(path: Path = PROVENANCE_FILE) -> dict:
    """Method, source, anomalies of the thresholds file."""
    return json.loads(path.read_text(encoding="utf-8"))
