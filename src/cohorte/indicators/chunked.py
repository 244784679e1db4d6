"""The published indicators of a large edition, validated and computed a group of sites at a time.

A national edition has some 350 EPCI and millions of rows: read whole, its tables take several GB.
Here each table is read once, in blocks, and its rows are spilled to one Parquet file per group of
sites (about ``GROUP_POPULATION`` inhabitants each); then each group is validated and computed as a
small edition of its own, and only its published (disclosure-controlled) rows are kept. Memory is
bounded by one group, not by the country.

A row belongs to a group by its ``epci`` (slug or SIREN); a CAL presentation by its demand's group.
Rows naming no site of the edition go to the first group, whose validation then reports them. Each
row keeps its position in the file, so messages cite the same lines as a whole read. Identifiers that
must be unique (demand numbers, dwelling ids: ``UNIQUE_IDS``) are checked within each group by its
validation, and across groups while the tables are split (a 64-bit hash per row, then the rows of
the hashes found in two groups are read back to compare the identifiers themselves).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cohorte.editions import Edition, Site
from cohorte.errors import InputDataError
from cohorte.indicators import compute_indicators, disclosure
from cohorte.inputs.readers import (
    RawTable,
    _as_text,
    _describe,
    inputs_from_raw,
    outside_note,
    read_table,
    table_file,
)
from cohorte.inputs.schemas import OPTIONAL_TABLES, TABLES, schema_for
from cohorte.inputs.sources.mapping import map_frame, needed_columns, signature_problem
from cohorte.inputs.sources.model import Source, kit_source
from cohorte.inputs.sources.text import EncodingProblem, header_columns, header_line, text_format

GROUP_POPULATION = 6_000_000  # inhabitants per group: ~250 000 demands, ~500 000 dwellings
ROW = "_row"  # a row's position in its file (0 = first data row)
SITE_TABLES = ("demands", "attributions", "housing_stock")  # tables with an ``epci`` column
UNIQUE_IDS = {"demands": "demand_id", "attributions": "demand_id", "housing_stock": "dwelling_id"}


def site_groups(edition: Edition, population: int = GROUP_POPULATION) -> list[list[Site]]:
    """The sites in edition order, cut into groups of about ``population`` inhabitants."""
    groups: list[list[Site]] = [[]]
    total = 0
    for site in edition.sites:
        if groups[-1] and total + site.population_2017 > population:
            groups.append([])
            total = 0
        groups[-1].append(site)
        total += site.population_2017
    return groups


def _csv_blocks(path: Path, source: Source) -> Iterator[pa.Table]:
    """A CSV file in blocks of text columns (only those ``source`` reads, for a mapped layout). Its
    encoding is found on the whole file before any block is read (``sources.text``), so no block is
    ever read twice in two encodings."""
    try:
        found = text_format(path, source.encoding, source.delimiter)
    except EncodingProblem as exc:
        raise InputDataError([f"{path}: {exc}"]) from None
    columns = header_columns(header_line(path, found.encoding), found.delimiter)
    if not source.is_kit and (problem := signature_problem(path, columns, source)):
        raise InputDataError([problem])
    wanted = columns if source.is_kit else [c for c in needed_columns(source) if c in columns]
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(encoding=found.arrow_encoding, block_size=32 << 20),
            parse_options=pa_csv.ParseOptions(delimiter=found.delimiter),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()), include_columns=wanted
            ),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch])
    except pa.ArrowInvalid as exc:
        raise InputDataError(
            [f"{path}: is malformed ({exc}); expected fields separated by '{found.delimiter}'"]
        ) from None


class _Mapping:
    """A table's source applied block by block: the contract's columns, and what the blocks said."""

    def __init__(self, path: Path, source: Source, table: str, edition: Edition | None) -> None:
        self.path, self.source, self.edition = path, source, edition
        self.contract = [] if source.is_kit or edition is None else list(schema_for(table, edition).columns)
        self.origins: dict[str, str] = {}
        self.problems: list[str] = []
        self.outside = 0

    def apply(self, block: pa.Table, start: int) -> pa.Table:
        if self.source.is_kit:
            return block
        frame = block.to_pandas()
        frame.index = pd.RangeIndex(start, start + len(frame))
        edition = cast(Edition, self.edition)  # a mapped layout is always read for an edition
        mapped = map_frame(self.path, frame.apply(_as_text), self.source, self.contract, edition)
        self.origins.update(mapped.origins)
        self.problems += mapped.problems
        self.outside += mapped.outside
        table = pa.Table.from_pandas(mapped.frame.astype("string"), preserve_index=False)
        return table.append_column(ROW, pa.array(mapped.frame.index.to_numpy(), pa.int64()))

    def raw(self, frame: pd.DataFrame) -> RawTable:
        return RawTable(self.path, frame, self.origins, self.source.name)


def _blocks(path: Path, mapping: _Mapping | None = None) -> Iterator[pa.Table]:
    """A table file in blocks of text columns, with each row's position in ``_row`` (mapped onto the
    contract's columns by ``mapping``'s source)."""
    mapping = mapping or _Mapping(path, kit_source("demands"), "demands", None)
    if path.suffix == ".csv":
        blocks = _csv_blocks(path, mapping.source)
    else:  # Parquet and XLSX through the ordinary reader: text cells, then one block
        blocks = iter([pa.Table.from_pandas(read_table(path, mapping.source).frame, preserve_index=False)])
    start = 0
    for block in blocks:
        rows = len(block)
        if mapping.source.is_kit:
            yield block.append_column(ROW, pa.array(range(start, start + rows), pa.int64()))
        else:
            yield mapping.apply(block, start)
        start += rows


class _Spill:
    """One Parquet file per group and table, written block by block."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[tuple[str, int], pq.ParquetWriter] = {}

    def write(self, table: str, group: int, block: pa.Table) -> None:
        key = (table, group)
        if key not in self.writers:
            self.writers[key] = pq.ParquetWriter(self.folder / f"{table}.{group}.parquet", block.schema)
        self.writers[key].write_table(block.cast(self.writers[key].schema))

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def parts(self, table: str) -> list[Path]:
        return sorted(self.folder.glob(f"{table}.*.parquet"))

    def read(self, table: str, group: int) -> pd.DataFrame | None:
        path = self.folder / f"{table}.{group}.parquet"
        if not path.exists():
            return None
        frame = pq.read_table(path).to_pandas().set_index(ROW)
        frame.index.name = None
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame.apply(_as_text)


def _group_of(values: pa.ChunkedArray, keys: pa.Array, groups: pa.Array) -> pa.Array:
    """Each value's group (first group when unknown)."""
    index = pc.index_in(values, value_set=keys)
    return pc.fill_null(pc.take(groups, index), 0)


class _Ids:
    """A table's identifiers while it is split: a 64-bit hash and the group of each (10 bytes a row)."""

    def __init__(self) -> None:
        self.hashes: list[np.ndarray] = []
        self.groups: list[np.ndarray] = []

    def add(self, values: pa.ChunkedArray, group: pa.Array) -> None:
        text = pc.utf8_trim_whitespace(values)  # as validation reads a cell: stripped, blank is missing
        keep = pc.fill_null(pc.not_equal(text, ""), False)
        self.hashes.append(_hashes(text.filter(keep)))
        self.groups.append(group.filter(keep).to_numpy().astype(np.int16))

    def shared(self) -> np.ndarray:
        """The hashes found in more than one group."""
        if not self.hashes:
            return np.array([], np.uint64)
        hashes, groups = np.concatenate(self.hashes), np.concatenate(self.groups)
        order = np.argsort(hashes, kind="stable")
        hashes, groups = hashes[order], groups[order]
        return np.unique(hashes[1:][(hashes[1:] == hashes[:-1]) & (groups[1:] != groups[:-1])])


def _hashes(text: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pd.util.hash_array(text.to_numpy(zero_copy_only=False), categorize=False)


def _split(
    mapping: _Mapping, table: str, spill: _Spill, keys: pa.Array, groups: pa.Array, ids: list[pa.Table], unique: _Ids
) -> None:
    for block in _blocks(mapping.path, mapping):
        column = "demand_id" if table == "cal_presentations" else "epci"
        if column not in block.column_names:  # a missing column: the first group reports it
            spill.write(table, 0, block)
            continue
        if table == "cal_presentations":
            known = (
                pa.concat_tables(ids)
                if ids
                else pa.table({"demand_id": pa.array([], pa.string()), "group": pa.array([], pa.int64())})
            )
            group = _group_of(block["demand_id"], known["demand_id"].combine_chunks(), known["group"].combine_chunks())
        else:
            group = _group_of(block["epci"], keys, groups)
            if "demand_id" in block.column_names:
                ids.append(pa.table({"demand_id": block["demand_id"], "group": group}))
            if UNIQUE_IDS[table] in block.column_names:
                unique.add(block[UNIQUE_IDS[table]], group)
        for g in pc.unique(group).to_pylist():
            spill.write(table, g, block.filter(pc.equal(group, g)))


def _shared_ids(spill: _Spill, table: str, path: Path, shared: np.ndarray) -> list[str]:
    """The rows whose identifier is in more than one group, worded and cited as a whole read's duplicates."""
    column, found = UNIQUE_IDS[table], []
    for part in spill.parts(table):
        if column not in pq.read_schema(part).names:
            continue
        rows = pq.read_table(part, columns=[column, ROW])
        text = pc.utf8_trim_whitespace(rows[column])
        mine = np.isin(_hashes(text), shared)
        found.append(
            pd.DataFrame(
                {
                    "row": rows[ROW].to_numpy()[mine],
                    "value": text.to_numpy(zero_copy_only=False)[mine],
                    "part": part.name,
                }
            )
        )
    if not found:
        return []
    rows = pd.concat(found, ignore_index=True)
    rows = rows[rows.groupby("value")["part"].transform("nunique") > 1].sort_values("row")  # the ids, not their hashes
    if rows.empty:
        return []
    where = RawTable(path, pd.DataFrame())
    return [
        _describe(where, column, rows["row"].tolist(), rows["value"].tolist(), "expected unique values (duplicate)")
    ]


def published_by_groups(
    edition: Edition,
    data_dir: Path,
    targets_of,
    cotation_grid: Path,
    population: int = GROUP_POPULATION,
    timings: dict[str, float] | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Every site's published indicators, validated and computed one group of sites at a time.

    ``targets_of(sub_edition)`` gives the targets of a group's sites. Every group's problems are
    collected and raised together, as for a whole read. ``timings`` (when given) receives the
    seconds spent reading and splitting, validating, and computing; ``notes`` (when given) the rows a
    source's geography left out (EPCI that are not sites), for ``cohorte check``."""
    clock = timings if timings is not None else {}
    for key in ("split", "validation", "indicators"):
        clock.setdefault(key, 0.0)
    start = time.perf_counter()
    groups = site_groups(edition, population)
    names = [(key, i) for i, group in enumerate(groups) for s in group for key in (s.slug, s.siren) if key]
    keys, group_index = pa.array([k for k, _ in names], pa.string()), pa.array([g for _, g in names], pa.int64())
    paths, sources, problems = {}, {}, []
    for table in TABLES:
        try:
            path, sources[table] = table_file(edition, data_dir, table)
        except InputDataError as exc:
            problems += exc.problems
            continue
        if path is None and table not in OPTIONAL_TABLES:
            problems.append(
                f"{data_dir}: missing table '{table}'; expected {table}.csv, {table}.xlsx or {table}.parquet"
            )
        elif path is not None:
            paths[table] = path
    if problems:
        raise InputDataError(problems)
    folder = Path(tempfile.mkdtemp(prefix=".cohorte-groups-"))
    try:
        spill, ids, unique = _Spill(folder), list[pa.Table](), {t: _Ids() for t in UNIQUE_IDS}
        mappings: dict[str, _Mapping] = {}
        try:
            for table in (*SITE_TABLES, "cal_presentations"):
                mappings[table] = _Mapping(paths[table], sources[table], table, edition)
                _split(mappings[table], table, spill, keys, group_index, ids, unique.get(table, _Ids()))
        finally:
            spill.close()
        del ids
        for table, found in unique.items():  # within a group, its validation checks them
            if len(shared := found.shared()):
                problems += _shared_ids(spill, table, paths[table], shared)
        del unique
        if notes is not None:
            notes += [outside_note(m.path, m.outside) for m in mappings.values() if m.outside]
        unmapped = [p for mapping in mappings.values() for p in mapping.problems]
        if unmapped:  # rows that could not be mapped: validating the groups would only repeat them
            raise InputDataError(problems + unmapped)
        thresholds = read_table(paths["q1_thresholds"]) if "q1_thresholds" in paths else None
        lacking = {t: s.lacking for t, s in sources.items() if s.lacking}
        clock["split"] += time.perf_counter() - start
        published = []
        for i, group in enumerate(groups):
            sub = edition.model_copy(update={"sites": group})
            raw = {
                t: mappings[t].raw(frame)
                for t in (*SITE_TABLES, "cal_presentations")
                if (frame := spill.read(t, i)) is not None
            }
            for t in (*SITE_TABLES, "cal_presentations"):  # a group without rows in a table: an empty one
                raw.setdefault(t, mappings[t].raw(_empty_like(spill, t)))
            if thresholds is not None and len(mine := _thresholds_of(thresholds, group, i == 0, keys).frame):
                raw["q1_thresholds"] = RawTable(thresholds.path, mine)
            start = time.perf_counter()
            try:
                inputs = inputs_from_raw(sub, raw, lacking=lacking)
            except InputDataError as exc:
                problems += exc.problems
                continue
            finally:
                clock["validation"] += time.perf_counter() - start
            start = time.perf_counter()
            table = compute_indicators(inputs, sub, targets=targets_of(sub), cotation_grid=cotation_grid)
            published.append(disclosure.publish(table, edition.disclosure_threshold))
            clock["indicators"] += time.perf_counter() - start
            del inputs, raw
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _give_back_memory()
    if problems:
        raise InputDataError(problems)
    return pd.concat(published, ignore_index=True)


def _give_back_memory() -> None:
    """Return the groups' freed memory to the system, so the build's workers have it (glibc only)."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the memory stays reserved by this process
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _empty_like(spill: _Spill, table: str) -> pd.DataFrame:
    for path in sorted(spill.folder.glob(f"{table}.*.parquet")):
        return pd.DataFrame(columns=[c for c in pq.read_schema(path).names if c != ROW], dtype="string")
    return pd.DataFrame(dtype="string")


def _thresholds_of(raw: RawTable, group: list[Site], first: bool, keys: pa.Array) -> RawTable:
    """The Q1 thresholds of a group's sites (the first group also gets those naming no site)."""
    epci = raw.frame["epci"] if "epci" in raw.frame else pd.Series(index=raw.frame.index, dtype="string")
    mine = {k for s in group for k in (s.slug, s.siren) if k}
    known = set(keys.to_pylist())
    keep = epci.isin(mine) | (first & ~epci.isin(known))
    return RawTable(raw.path, raw.frame[keep])
