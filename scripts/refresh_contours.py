"""Refresh src/cohorte/reference/geo/ (the maps' contours) from prepared gzip GeoJSON files.

Usage: python scripts/refresh_contours.py FOLDER [FILE ...]
Copies FOLDER/epci-YEAR.geojson.gz, departements-YEAR.geojson.gz, regions-YEAR.geojson.gz (the
named files, default: those already shipped) into the package after checking each one loads
(codes, polygons, the EPSG:2154 ``crs`` member), and rewrites geo/contours.json: per file its
source (repository, path, commit, COG year), feature count, bytes and SHA-256, with the licence.
See docs/maps.md for where the prepared files come from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from cohorte.files import atomic_write_json
from cohorte.reference.contours import GEO_DIR, PROVENANCE_FILE, load_layer

CRS = "urn:ogc:def:crs:EPSG::2154"
LICENCE = {
    "data": "IGN ADMIN EXPRESS COG CARTO, Licence Ouverte / Open Licence (Etalab) 2.0",
    "simplification": "COGiter package (MTES-MCT), MIT licence, github MaelTheuliere/COGiter, data/*_geo.rda",
    "credit": "Contours : IGN, ADMIN EXPRESS COG CARTO YEAR (simplifiés par COGiter)",
}


def describe(path: Path) -> dict:
    """A file's provenance entry, after checking it loads as contours in Lambert-93."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name")
    if crs != CRS:
        raise SystemExit(f"{path}: crs {crs!r}, expected {CRS}")
    kind, year = path.name.removesuffix(".geojson.gz").rsplit("-", 1)
    with tempfile.TemporaryDirectory() as tmp:
        layer = load_layer(kind, int(year), Path(shutil.copy(path, tmp)).parent)
    return {
        "file": path.name,
        "features": len(layer.codes),
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "source": data.get("source", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of the prepared *.geojson.gz files")
    parser.add_argument("files", nargs="*", help="file names to ship (default: those already shipped)")
    args = parser.parse_args()
    names = args.files or sorted(p.name for p in GEO_DIR.glob("*.geojson.gz"))
    entries = [describe(args.folder / name) for name in names]
    for name in names:
        shutil.copyfile(args.folder / name, GEO_DIR / name)
    for stale in {p.name for p in GEO_DIR.glob("*.geojson.gz")} - set(names):
        (GEO_DIR / stale).unlink()
    atomic_write_json(
        PROVENANCE_FILE,
        {
            "crs": "EPSG:2154 (RGF93 / Lambert-93); overseas départements moved, scaled and rotated into insets",
            "licence": LICENCE,
            "retrieved": dt.date.today().isoformat(),
            "files": entries,
        },
    )
    print(f"{PROVENANCE_FILE}: {len(entries)} files")


if __name__ == "__main__":
    main()
