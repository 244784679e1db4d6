"""Refresh the EPCI referential of one year from the npm package @etalab/decoupage-administratif.

Usage: python scripts/refresh_epci_referential.py YEAR [--version VERSION] [--tarball PATH]
Runs `npm pack @etalab/decoupage-administratif@VERSION` in a temporary folder (VERSION: the package's
version of YEAR, ``cohorte.reference.epci.YEAR_VERSIONS``; or a tarball already downloaded) and writes,
beside cohorte/reference/epci.py, with their provenance (package, version, licence, date, SHA-256):
- ``epci_referential_YEAR.csv``: SIREN, name, type, municipal population, communes of every EPCI
  (``data/epci.json``), of the établissements publics territoriaux (``data/ept.json``, from 2023) and
  of Paris (``data/communes.json``, when the package gives its SIREN);
- ``epci_extent_YEAR.csv``: the département and region of each unit's most populous commune and that
  commune's population (the CCH L302-1 rule « a commune of more than 10 000 »).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from cohorte.reference.epci import YEAR_GAPS, YEAR_VERSIONS, paris_unit, write_snapshot
from cohorte.reference.plh import write_extent

PACKAGE = "@etalab/decoupage-administratif"


def _pack(version: str, folder: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=folder, check=True, capture_output=True, text=True
    )
    return folder / out.stdout.strip().splitlines()[-1]


def _read(archive: tarfile.TarFile, name: str) -> list | dict:
    try:
        return json.load(archive.extractfile(f"package/{name}"))  # type: ignore[arg-type]
    except KeyError:
        return []  # ept.json: from 2023 only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("year", type=int, help=f"the referential's year ({', '.join(map(str, YEAR_VERSIONS))})")
    parser.add_argument("--version", help="package version (default: the year's, from YEAR_VERSIONS)")
    parser.add_argument("--tarball", type=Path, help="an already downloaded package tarball")
    args = parser.parse_args()
    version = args.version or YEAR_VERSIONS.get(args.year)
    if version is None and args.tarball is None:
        parser.error(f"no package version known for {args.year}; give --version")
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or _pack(str(version), Path(tmp))
        with tarfile.open(tarball) as archive:
            meta, epci, ept = (
                _read(archive, "package.json"),
                _read(archive, "data/epci.json"),
                _read(archive, "data/ept.json"),
            )
            communes, regions = _read(archive, "data/communes.json"), _read(archive, "data/regions.json")
        digest = hashlib.sha256(Path(tarball).read_bytes()).hexdigest()
    units = [*epci, *ept, *paris_unit(communes)]  # type: ignore[misc]
    provenance = {
        "package": PACKAGE,
        "version": meta["version"],  # type: ignore[call-overload]
        "licence": meta.get("license", ""),  # type: ignore[union-attr]
        "repository": meta.get("repository", ""),  # type: ignore[union-attr]
        "retrieved": dt.date.today().isoformat(),
        "tarball_sha256": digest,
        **({"known_gap": YEAR_GAPS[args.year]} if args.year in YEAR_GAPS else {}),
    }
    path = write_snapshot(
        units, {**provenance, "population": "populationMunicipale of data/epci.json and data/ept.json"}, args.year
    )
    extent = write_extent(
        units,
        communes,  # type: ignore[arg-type]
        regions,  # type: ignore[arg-type]
        {**provenance, "population": "population of data/communes.json (communes actuelles)"},
        args.year,
    )
    print(f"{path}, {extent}: {len(epci)} EPCI, {len(ept)} EPT from {PACKAGE} {meta['version']}")  # type: ignore[call-overload]


if __name__ == "__main__":
    main()
