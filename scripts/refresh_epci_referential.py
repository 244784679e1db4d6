"""Refresh src/cohorte/reference/epci_referential.csv from the npm package @etalab/decoupage-administratif.

Usage: python scripts/refresh_epci_referential.py [VERSION] [--tarball PATH]
Runs `npm pack @etalab/decoupage-administratif@VERSION` in a temporary folder (or reads a tarball
already downloaded), reads package/data/epci.json and writes the compact snapshot and its provenance
(package, version, licence, date, tarball SHA-256) beside cohorte/reference/epci.py.
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

from cohorte.reference.epci import write_snapshot

PACKAGE = "@etalab/decoupage-administratif"


def _pack(version: str, folder: Path) -> Path:
    spec = f"{PACKAGE}@{version}" if version else PACKAGE
    out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=folder, check=True, capture_output=True, text=True)
    return folder / out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", default="", help="package version (default: latest)")
    parser.add_argument("--tarball", type=Path, help="an already downloaded package tarball")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or _pack(args.version, Path(tmp))
        with tarfile.open(tarball) as archive:
            meta = json.load(archive.extractfile("package/package.json"))  # type: ignore[arg-type]
            epci = json.load(archive.extractfile("package/data/epci.json"))  # type: ignore[arg-type]
        digest = hashlib.sha256(Path(tarball).read_bytes()).hexdigest()
    path = write_snapshot(
        epci,
        {
            "package": PACKAGE,
            "version": meta["version"],
            "licence": meta.get("license", ""),
            "repository": meta.get("repository", ""),
            "retrieved": dt.date.today().isoformat(),
            "tarball_sha256": digest,
            "population": "populationMunicipale of data/epci.json",
        },
    )
    print(f"{path}: {len(epci)} EPCI from {PACKAGE} {meta['version']}")


if __name__ == "__main__":
    main()
