"""Refresh src/cohorte/reference/epci_extent.csv from the npm package @etalab/decoupage-administratif.

Usage: python scripts/refresh_epci_extent.py [VERSION] [--tarball PATH]
The EPCI referential (``epci_referential.csv``, scripts/refresh_epci_referential.py) holds identities;
this companion snapshot adds what the national edition needs per EPCI, read from the same package:
the département and region of its most populous commune and that commune's population (the CCH
L302-1 rule « communauté de communes of more than 30 000 inhabitants with a commune of more than
10 000 »). Provenance (package, version, licence, date, tarball SHA-256) goes beside it.
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

from cohorte.reference.plh import write_extent

PACKAGE = "@etalab/decoupage-administratif"


def _pack(version: str, folder: Path) -> Path:
    spec = f"{PACKAGE}@{version}" if version else PACKAGE
    out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=folder, check=True, capture_output=True, text=True)
    return folder / out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "version", nargs="?", default="6.0.0", help="package version (default: 6.0.0, the referential's)"
    )
    parser.add_argument("--tarball", type=Path, help="an already downloaded package tarball")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or _pack(args.version, Path(tmp))
        with tarfile.open(tarball) as archive:

            def read(name: str):
                return json.load(archive.extractfile(f"package/{name}"))  # type: ignore[arg-type]

            meta, epci, communes, regions = (
                read("package.json"),
                read("data/epci.json"),
                read("data/communes.json"),
                read("data/regions.json"),
            )
        digest = hashlib.sha256(Path(tarball).read_bytes()).hexdigest()
    path = write_extent(
        epci,
        communes,
        regions,
        {
            "package": PACKAGE,
            "version": meta["version"],
            "licence": meta.get("license", ""),
            "repository": meta.get("repository", ""),
            "retrieved": dt.date.today().isoformat(),
            "tarball_sha256": digest,
            "population": "population of data/communes.json (communes actuelles)",
        },
    )
    print(f"{path}: {len(epci)} EPCI from {PACKAGE} {meta['version']}")


if __name__ == "__main__":
    main()
