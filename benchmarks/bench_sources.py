"""Benchmark (not a test): reading and mapping a national RPLS file through the ``rpls-public`` source,
against the same rows in the kit's layout, on the national reader (``cohorte.indicators.chunked``).

Generates a file of N rows (default 5.4 million, the national RPLS) and 73 columns in the open-data
layout (``;``, UTF-8 with BOM, real communes of every EPCI, arrondissements included) and the same
dwellings in the kit's 12 columns; then, each in a fresh process, reads every block and maps it onto
the contract (encoding check on the whole file, Arrow blocks, communes → EPCI through the
referential, codes, the rows of EPCI outside the edition left out). Prints the time and the peak
memory (RSS of the process) of each, and the ratio. Goal: mapped ≤ kit-layout time + 20 %, peak
within the national build's 2 GB.

    python benchmarks/bench_sources.py [--rows 5400000] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import codecs
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

REPO = Path(__file__).resolve().parents[1]
COLUMNS = 73
CHUNK = 400_000
FINAN = np.array(["10", "11", "12", "13", "14", "16", "17", "49", "50", "52", "53", "99"])
MAPPED = ["DEPCOM", "QPV", "NBPIECE", "SURFHAB", "CONSTRUCT", "FINAN_CODE"]
FILLERS = [
    "REG_CODE",
    "REG_LIBELLE",
    "DEP_CODE",
    "DEP_LIBELLE",
    "EPCI_CODE",
    "EPCI_LIBELLE",
    "DROIT_CODE",
    "DROIT_LIBELLE",
    "DEPCOM_LIBELLE",
    "CODEPOSTAL",
    "NUMVOIE",
    "INDREP",
    "TYPVOIE",
    "NOMVOIE",
    "NUMAPPT",
    "NUMBOITE",
    "ESC",
    "COULOIR",
    "ETAGE",
    "COMPLIDENT",
    "ENTREE",
    "BAT",
    "IMMEU",
    "COMPLGEO",
    "LIEUDIT",
    "TYPECONST_CODE",
    "TYPECONST_LIBELLE",
    "LOCAT",
    "PATRIMOINE",
    "ORIGINE_CODE",
    "ORIGINE_LIBELLE",
    "FINAN_LIBELLE",
    "FINANAUTRE",
    "CONV",
    "NUMCONV",
    "DATCONV",
    "SRU_EXPIR",
    "SRU_ALINEA",
    "NEWLOGT",
    "CUS",
    "DPEDATE",
    "DPEENERGIE",
    "DPESERRE",
    "CODSEGPATRIM",
    "LIBSEGPATRIM",
    "X",
    "Y",
    "EPSG",
    "QUALITE_XY",
    "PLG_IRIS",
    "QUALITE_IRIS",
    "PLG_QP",
    "QUALITE_QP",
    "DISTANCE_PRECISION",
    "PLG_CODE_COMMUNE",
    "MISCOMMERCIAL",
    "SORTIEPATRIM",
    "DUREE_VACANCE",
    "AGE",
    "TR_AGE",
    "NRESTH",
    "SRU",
    "ZRR",
    "TUR",
    "AGGLO",
    "ZONEPRIX",
    "POPCOM",
]


def _communes() -> tuple[np.ndarray, dict[str, str]]:
    from cohorte.reference.epci import commune_changes, epci_by_commune

    by_commune = epci_by_commune()
    arrondissements = [c for c, new in commune_changes().items() if new in ("75056", "69123", "13055")]
    return np.array(sorted(set(by_commune) - {"75056", "69123", "13055"}) + arrondissements), by_commune


def generate(folder: Path, rows: int) -> tuple[Path, Path]:
    """The same dwellings in the rpls-public layout (73 columns) and in the kit's (12 columns)."""
    communes, by_commune = _communes()
    public, kit = folder / "rpls_public.csv", folder / "housing_stock.csv"
    rng = np.random.default_rng(2020)
    columns = MAPPED + FILLERS[: COLUMNS - len(MAPPED)]
    with public.open("wb") as a, kit.open("wb") as b:
        a.write(codecs.BOM_UTF8)
        writers = None
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            commune = communes[rng.integers(0, len(communes), n)]
            rooms, built = rng.integers(1, 7, n), rng.integers(1950, 2020, n)
            surface, qpv = np.round(rng.normal(65, 15, n).clip(14, 250), 1), rng.random(n) < 0.2
            finan = FINAN[rng.integers(0, len(FINAN), n)]
            filler = pa.array(np.char.add("x", (np.arange(n) % 997).astype(str)))
            official = pa.table(
                {
                    "DEPCOM": commune,
                    "QPV": np.where(qpv, "1", "2"),
                    "NBPIECE": rooms.astype(str),
                    "SURFHAB": surface.astype(str),
                    "CONSTRUCT": built.astype(str),
                    "FINAN_CODE": finan,
                    **dict.fromkeys(columns[len(MAPPED) :], filler),
                }
            )
            siren = pd.Series(commune).map(by_commune).to_numpy()  # arrondissements included
            own = pa.table(
                {
                    "dwelling_id": np.char.add("L", np.arange(start, start + n).astype(str)),
                    "epci": siren.astype(str),
                    "commune": commune,
                    "in_qpv": np.where(qpv, "true", "false"),
                    "rooms": rooms.astype(str),
                    "surface_m2": surface.astype(str),
                    "financing": np.where(finan == "13", "PLUS", "other"),
                    "monthly_rent_eur": np.round(surface * 6.1, 2).astype(str),
                    "construction_year": built.astype(str),
                    "lease_start": np.full(n, "2015-06-01"),
                    "landlord": np.full(n, "Office public"),
                    "reserved_for": np.full(n, "AUCUN"),
                }
            )
            if writers is None:
                options = pa_csv.WriteOptions(quoting_style="needed")
                writers = (
                    pa_csv.CSVWriter(a, official.schema, write_options=pa_csv.WriteOptions(delimiter=";")),
                    pa_csv.CSVWriter(b, own.schema, write_options=options),
                )
            writers[0].write_table(official)
            writers[1].write_table(own)
        for writer in writers or ():
            writer.close()
    return public, kit


def measure(path: Path, source_name: str) -> dict:
    """Read and map every block of ``path`` through ``source_name`` (in this process)."""
    from cohorte.editions import load_edition
    from cohorte.indicators import chunked
    from cohorte.inputs.sources.model import builtin_sources, kit_source

    edition = load_edition("national-2020")
    source = kit_source("housing_stock") if source_name == "kit" else builtin_sources()[source_name]
    start = time.perf_counter()
    mapping = chunked._Mapping(path, source, "housing_stock", edition)
    kept = 0
    for block in chunked._blocks(path, mapping):  # as a group reads them back: text cells, blanks missing
        kept += len(block.to_pandas().apply(chunked._as_text))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak_gb": peak / 2**30, "rows_kept": kept, "outside": mapping.outside}


def _in_child(path: Path, source_name: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(path), source_name], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_400_000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--measure", nargs=2, metavar=("FILE", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1])))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-sources-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        public, kit = generate(folder, args.rows)
        size = public.stat().st_size / 2**20, kit.stat().st_size / 2**20
        print(
            f"{args.rows:,} rows generated in {time.perf_counter() - started:.0f} s: "
            f"rpls-public {size[0]:,.0f} MB ({COLUMNS} columns), kit layout {size[1]:,.0f} MB (12 columns)"
        )
        kit_run, mapped = _in_child(kit, "kit"), _in_child(public, "rpls-public")
        for name, run in (("kit layout", kit_run), ("rpls-public", mapped)):
            print(
                f"  {name:<12} read and mapped in {run['seconds']:6.1f} s, peak {run['peak_gb']:.2f} GB (RSS), "
                f"{run['rows_kept']:,} rows kept, {run['outside']:,} outside the edition's EPCI"
            )
        print(f"  rpls-public / kit layout: {mapped['seconds'] / kit_run['seconds']:.2f} × the time")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
