"""Writing a demo folder: README.txt, one writer per format, and an atomic write that never
replaces anything but an empty folder or a previous demo folder."""

from __future__ import annotations

import codecs
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cohorte import __version__, config
from cohorte.editions import Edition, TableSource
from cohorte.errors import CohorteError, ParamsError
from cohorte.files import replace_dir
from cohorte.inputs.demo.tables import TABLES, generate, generate_chunks
from cohorte.inputs.sources.layout import to_layout
from cohorte.inputs.sources.model import FOLDER_FILE, Source, builtin_sources, write_folder_declarations
from cohorte.reference.q1 import decree_thresholds

FORMATS = ("csv", "parquet", "xlsx")
README_MARKER = config.DEMO_MARKER
# The layouts a cohort edition's CSV demo is written in: official-like extracts that every build reads
# back through their sources (docs/sources.md); the other tables stay in the kit's layout.
DEMO_LAYOUTS = {"demands": "sne-demandes", "attributions": "sne-attributions", "housing_stock": "demo-rpls"}


def demo_layouts(edition: Edition, fmt: str) -> dict[str, Source]:
    """The source each table is written in (none: the kit's layout); Parquet, XLSX and national
    editions keep the kit's layout."""
    if fmt != "csv" or edition.kind != "cohort":
        return {}
    return {table: builtin_sources()[name] for table, name in DEMO_LAYOUTS.items()}


def _in_layout(frame: pd.DataFrame, source: Source, edition: Edition) -> pd.DataFrame:
    """A demo table in ``source``'s layout, its EPCI given by SIREN as official extracts give it."""
    sirens = {s.slug: s.siren for s in edition.sites if s.siren}
    return to_layout(frame.assign(epci=frame["epci"].astype(object).replace(sirens)), source)


def _declare(folder: Path, layouts: Mapping[str, Source]) -> None:
    if layouts:
        declared = {t: TableSource(file=f"{t}.csv", source=s.name) for t, s in layouts.items()}
        write_folder_declarations(folder, declared)


def readme_text(
    edition: Edition,
    seed: int,
    tables: Mapping[str, pd.DataFrame | int],
    fmt: str = "csv",
    official: list[str] | None = None,
) -> str:
    """The README.txt of a demo folder: says the data are fictitious, with seed and kit version.

    ``tables`` maps each table to its frame (or its row count)."""
    if official is None:
        official = sorted(tables["q1_thresholds"]["epci"]) if "q1_thresholds" in tables else []  # type: ignore[index]
    decree = decree_thresholds(edition.year, edition.sirens)
    estimated = sorted(set(edition.slugs) - set(official) - set(decree))
    lines = [
        f"{README_MARKER} — jeu de démonstration de cohorte",
        "",
        "Ces tables sont entièrement fictives : aucune ligne ne décrit un ménage, un logement, une",
        "commission ou un bailleur réels. Seuls les ordres de grandeur nationaux sont reproduits,",
        "proportionnés à la population de chaque site. Tout rapport construit sur elles doit le dire.",
        "",
        f"Édition : {edition.edition} (date de référence {edition.reference_date.isoformat()}), {len(edition.sites)} sites",
        f"Générateur : cohorte {__version__}, graine {seed}, format {fmt}",
        f"Pour les régénérer à l'identique : cohorte demo-data {edition.edition} --seed {seed} --format {fmt}",
        "",
        "Tables :",
        *(
            f"  {name + '.' + fmt:<26}{frame if isinstance(frame, int) else len(frame):>9,} lignes".replace(
                ",", "\u202f"
            )
            for name, frame in tables.items()
        ),
        "",
        f"Seuils Q1 « officiels » (fictifs) fournis pour : {', '.join(official) or 'aucun site'}",
        f"Seuils Q1 à estimer depuis la demande pour : {', '.join(estimated) or 'aucun site'}",
        f"Seuils Q1 réels de l'arrêté de {edition.year} (livrés avec le kit, hors de ces tables) : {len(decree)} sites",
        "",
    ]
    if edition.previous_edition is not None:
        lines += [
            f"Suite de l'édition {edition.previous_edition} : les demandes actives de l'édition précédente",
            "sont soit toujours en attente (même numéro, même date de dépôt, même ménage), soit satisfaites",
            "dans l'année (leur numéro et leur date de dépôt passent aux attributions), soit radiées ;",
            "les demandes déposées dans l'année sont nouvelles.",
            "",
        ]
    return "\n".join(lines)


def _csv_options(source: Source | None) -> pa_csv.WriteOptions:
    return pa_csv.WriteOptions(quoting_style="needed", delimiter=(source.delimiter if source else None) or ",")


def _write_csv(frame: pd.DataFrame, path: Path, source: Source | None = None) -> None:
    """UTF-8, comma, ISO dates, true/false, empty = unknown, text quoted (so « 01;14 » stays one
    field); in ``source``'s layout, delimiter and BOM when given. Arrow's writer is some 20 times
    faster than pandas' on these frames."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    with path.open("wb") as handle:
        if source is not None and source.encoding == "utf-8-sig":
            handle.write(codecs.BOM_UTF8)
        pa_csv.write_csv(table, handle, write_options=_csv_options(source))


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD") as writer:
        frame.to_excel(writer, index=False, sheet_name=path.stem[:31])


_WRITERS = {"csv": _write_csv, "parquet": _write_parquet, "xlsx": _write_xlsx}


def _check_replaceable(out_dir: Path) -> None:
    """Only an empty folder or a previous demo folder may be replaced: never real extracts."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise CohorteError(f"{out_dir} is a file; give --out a folder")
    entries = sorted(p.name for p in out_dir.iterdir())
    if not entries:
        return
    ours = {f"{t}.{ext}" for t in TABLES for ext in FORMATS} | {"README.txt", FOLDER_FILE}
    foreign = [e for e in entries if e not in ours]
    if foreign or not config.is_demo_folder(out_dir):
        shown = ", ".join((foreign or entries)[:5])
        raise CohorteError(
            f"{out_dir} already holds files that are not cohorte demo data ({shown}); "
            "choose a new or empty folder with --out, or move those files away"
        )


def write_tables(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    fmt: str = "csv",
    readme: str | None = None,
    layouts: tuple[Edition, Mapping[str, Source]] | None = None,
) -> dict[str, Path]:
    """Write the tables (and README.txt) into out_dir atomically: all of them or none. ``layouts``
    (an edition and a source per table, CSV only) writes those tables in official-like layouts and
    declares them in the folder's sources.yml."""
    if fmt not in _WRITERS:
        raise ParamsError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir).absolute()
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)
        edition, sources = layouts or (None, {})
        for name, frame in tables.items():
            if name in sources and edition is not None:
                _write_csv(_in_layout(frame, sources[name], edition), tmp / f"{name}.csv", sources[name])
            else:
                _WRITERS[fmt](frame, tmp / f"{name}.{fmt}")
        _declare(tmp, sources)
        if readme is not None:
            (tmp / "README.txt").write_text(readme, encoding="utf-8")
        replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {name: out_dir / f"{name}.{fmt}" for name in tables}


def _arrow(frame: pd.DataFrame, schema: pa.Schema | None, fmt: str) -> pa.Table:
    """A frame as the Arrow table the writers write (CSV: dates as dates), cast to the first piece's schema."""
    if fmt != "csv":
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return table if schema is None else table.cast(schema)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    return table if schema is None else table.cast(schema)


class _StreamWriter:
    """One table written piece by piece (CSV header once, Parquet one row group per piece)."""

    def __init__(self, path: Path, fmt: str, layout: tuple[Edition, Source] | None = None) -> None:
        self.path, self.fmt, self.rows, self.layout = path, fmt, 0, layout
        self.schema: pa.Schema | None = None
        self.writer: pa_csv.CSVWriter | pq.ParquetWriter | None = None
        self.handle: BinaryIO | None = None

    def _open(self, schema: pa.Schema) -> pa_csv.CSVWriter | pq.ParquetWriter:
        if self.fmt != "csv":
            return pq.ParquetWriter(self.path, schema)
        source = self.layout[1] if self.layout else None
        self.handle = self.path.open("wb")
        if source is not None and source.encoding == "utf-8-sig":
            self.handle.write(codecs.BOM_UTF8)
        return pa_csv.CSVWriter(self.handle, schema, write_options=_csv_options(source))

    def write(self, frame: pd.DataFrame) -> None:
        rows = len(frame)
        if self.layout is not None:
            frame = _in_layout(frame, self.layout[1], self.layout[0])
        table = _arrow(frame, self.schema, self.fmt)
        if self.writer is None:
            self.schema = table.schema
            self.writer = self._open(table.schema)
        self.writer.write_table(table)
        self.rows += rows

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.handle is not None:
            self.handle.close()


def _write_streamed(edition: Edition, seed: int, out_dir: Path, fmt: str) -> dict[str, int]:
    """Generate and write a few sites at a time (bounded memory on a national edition); rows per table."""
    out_dir = Path(out_dir).absolute()
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    layouts = demo_layouts(edition, fmt)
    writers = {
        name: _StreamWriter(tmp / f"{name}.{fmt}", fmt, (edition, layouts[name]) if name in layouts else None)
        for name in TABLES
    }
    try:
        tmp.chmod(0o755)
        official: list[str] = []
        for chunk in generate_chunks(edition, seed):
            for name, frame in chunk.items():
                writers[name].write(frame)
            if "q1_thresholds" in chunk:
                official = sorted(chunk["q1_thresholds"]["epci"])
        for writer in writers.values():
            writer.close()
        rows = {name: writer.rows for name, writer in writers.items() if writer.writer is not None}
        _declare(tmp, layouts)
        (tmp / "README.txt").write_text(readme_text(edition, seed, rows, fmt, official), encoding="utf-8")
        replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return rows


def write_demo_folder(
    edition: Edition, out_dir: Path | None = None, seed: int = 2020, fmt: str = "csv"
) -> dict[str, int]:
    """Generate the edition's demo tables and write them (default ``data/EDITION-demo/``); rows per table.

    CSV and Parquet are generated and written a few sites at a time, so memory stays bounded on a
    national edition; the files are the same as from ``write_tables(generate(…))``."""
    target = Path(out_dir) if out_dir is not None else config.demo_data_dir(edition.edition)
    if fmt not in _WRITERS:
        raise ParamsError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        tables = generate(edition, seed)
        write_tables(tables, target, fmt=fmt, readme=readme_text(edition, seed, tables, fmt))
        return {name: len(frame) for name, frame in tables.items()}
    return _write_streamed(edition, seed, target, fmt)


def write_demo_data(
    edition: Edition, out_dir: Path | None = None, seed: int = 2020, fmt: str = "csv"
) -> dict[str, Path]:
    """``write_demo_folder``, returning the path of each table."""
    target = Path(out_dir) if out_dir is not None else config.demo_data_dir(edition.edition)
    rows = write_demo_folder(edition, target, seed, fmt)
    return {name: target.absolute() / f"{name}.{fmt}" for name in rows}


def ensure_demo_data(edition: Edition) -> Path:
    """The edition's input folder, generating the demo data first when it is used and missing."""
    folder = edition.input_dir()
    if edition.data_dir is None and not folder.exists():
        print(f"Demo data for {edition.edition} not found: generating {folder} …")
        write_demo_data(edition, folder)
    return folder
