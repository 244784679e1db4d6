"""Read the edition's input tables (CSV, XLSX, Parquet), parse them and validate them.

Every problem is collected — a missing file, an unreadable encoding, a cell that is not a date, a
code outside its list — and reported together, each naming the file, the column, the first
offending lines and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from cohorte.editions import Edition
from cohorte.errors import InputDataError, ParamsError
from cohorte.files import check_zip_expansion
from cohorte.inputs.codes import BOOLEAN_TOKENS
from cohorte.inputs.schemas import OPTIONAL_TABLES, TABLES, schema_for
from cohorte.inputs.sources.mapping import map_frame
from cohorte.inputs.sources.model import Source, folder_declarations, kit_source, load_source
from cohorte.inputs.sources.text import detect_delimiter, detect_encoding, row_position

EXTENSIONS = (".csv", ".xlsx", ".parquet")
MAX_LISTED = 5
MAX_FIELD_CHARS = 10_000  # an identifier, a code, a landlord's name: never near this
MAX_BAD_CELLS = 10_000  # past this many unreadable cells, the file is not that table: stop checking
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_FRENCH_NUMBER = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]?\d{3})*(,\d+)?$")


@dataclass(frozen=True)
class Inputs:
    """The validated, typed input tables of one edition (see docs/data-contract.md)."""

    demands: pd.DataFrame
    attributions: pd.DataFrame
    housing_stock: pd.DataFrame
    cal_presentations: pd.DataFrame
    q1_thresholds: pd.DataFrame | None
    sources: dict[str, str] = field(default_factory=dict)  # table → source it was read through
    lacking: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table → contract columns its source lacks
    notes: list[str] = field(default_factory=list)  # rows left out by a source's geography, said by check

    def tables(self) -> dict[str, pd.DataFrame]:
        return {t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}


@dataclass(frozen=True)
class RawTable:
    """A table as read from its file, every cell a string (or missing), with how to cite a row."""

    path: Path
    frame: pd.DataFrame
    origins: dict[str, str] = field(default_factory=dict)  # contract column → the file's own column
    source: str = "kit"

    def where(self, index: int) -> str:
        """Human position of a data row: the line of a CSV, the row of a sheet."""
        return row_position(self.path, index)

    def label(self, column: str) -> str:
        """A column as the file names it: « NBPIECE » (mapped onto rooms by source rpls-public)."""
        original = self.origins.get(column, column)
        return f"'{column}'" if original == column else f"'{original}' (mapped onto {column} by source {self.source})"


# --- finding and reading files ------------------------------------------------------------


def find_table(data_dir: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``data_dir`` (one of .csv, .xlsx, .parquet), or None."""
    found = [data_dir / f"{table}{ext}" for ext in EXTENSIONS if (data_dir / f"{table}{ext}").exists()]
    if len(found) > 1:
        raise InputDataError(
            [f"{data_dir}: several files for table '{table}' ({', '.join(p.name for p in found)}); keep one"]
        )
    return found[0] if found else None


def _decode(path: Path, encoding: str = "auto") -> str:
    """The file's text, in the encoding found on the whole file (``sources.text.detect_encoding``)."""
    return path.read_bytes().decode(detect_encoding(path, encoding))


def _read_csv(path: Path, source: Source | None = None) -> pd.DataFrame:
    text = _decode(path, source.encoding if source else "auto")
    if not text.strip():
        raise ValueError("is empty; expected a header line and one row per record")
    body = text.strip("\r\n")
    first, last_line = body.split("\n", 1)[0].rstrip("\r"), body.rsplit("\n", 1)[-1].rstrip("\r")
    sep = detect_delimiter(first, source.delimiter if source else None)
    width = len(next(csv.reader([first], delimiter=sep)))
    last = _fields(last_line, sep)
    if "\n" in body and last is not None and len(last) != width:
        raise ValueError(
            f"is malformed or truncated: line {body.count(chr(10)) + 1} has {len(last)} fields; "
            f"expected {width} fields separated by '{sep}'"
        )
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise ValueError(f"is malformed: {exc}; expected {width} fields separated by '{sep}'") from None
    return frame


def _fields(line: str, sep: str) -> list[str] | None:
    """The fields of one CSV line, or None when it cannot be read alone (a quoted field spans lines)."""
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return None


def _read_any(path: Path, source: Source | None = None) -> pd.DataFrame:
    if path.suffix == ".csv":
        frame = _read_csv(path, source)
    elif path.stat().st_size == 0:
        raise ValueError("is empty")
    elif path.suffix == ".xlsx":
        check_zip_expansion(path)
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    else:
        frame = pd.read_parquet(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(_as_text)


def _as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped strings, blanks as missing: every format then parses alike."""
    if pd.api.types.is_datetime64_any_dtype(series):
        series = series.dt.strftime("%Y-%m-%d")
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def read_table(path: Path, source: Source | None = None) -> RawTable:
    """Read one table file into text cells (missing where blank); unreadable files raise InputDataError.
    ``source`` gives the file's encoding and delimiter (found from the file when not declared)."""
    try:
        frame = _read_any(path, source)
    except ValueError as exc:
        raise InputDataError([f"{path}: {exc}"]) from None
    except Exception as exc:  # a corrupt XLSX or Parquet: the library's own words, once
        raise InputDataError(
            [f"{path}: cannot be read as {path.suffix[1:].upper()} ({type(exc).__name__}: {exc})"]
        ) from None
    if frame.empty:
        raise InputDataError([f"{path}: has a header but no rows; expected one row per record"])
    raw = RawTable(path, frame.reset_index(drop=True))
    _check_field_sizes(raw)
    return raw


def _check_field_sizes(raw: RawTable) -> None:
    """Refuse the table when a cell is longer than :data:`MAX_FIELD_CHARS` (first such cell per column)."""
    problems = []
    for column in raw.frame.columns:
        lengths = raw.frame[column].str.len()
        longest = lengths.max(skipna=True)
        if pd.notna(longest) and longest > MAX_FIELD_CHARS:  # a column of blanks has no length
            index = (
                int(lengths.idxmax())
                if not (lengths > MAX_FIELD_CHARS).any()
                else int((lengths > MAX_FIELD_CHARS).idxmax())
            )
            problems.append(
                f"{raw.path}: {raw.where(index)}: column {raw.label(column)}: a field of {int(lengths[index]):,} "
                f"characters, more than the limit of {MAX_FIELD_CHARS:,}; is the file's separator or quoting wrong?"
            )
    if problems:
        raise InputDataError(problems)


# --- parsing text into the schema's dtypes (vectorised) --------------------------------------


def _parse_bool(text: pd.Series) -> pd.Series:
    return text.str.lower().map(BOOLEAN_TOKENS).astype("boolean")


def _parse_number(text: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(text, errors="coerce")
    retry = numbers.isna() & text.notna()
    if retry.any():  # French-formatted numbers (« 1 234,5 »): the regex only on the cells not yet read
        retry[retry] = text[retry].str.match(_FRENCH_NUMBER).fillna(False).astype(bool)
    if retry.any():
        french = text[retry].str.replace(r"[ \u00a0\u202f]", "", regex=True).str.replace(",", ".")
        numbers = numbers.astype("float64")
        numbers[retry] = pd.to_numeric(french, errors="coerce")
    return numbers.astype("float64")


def _parse_date(text: pd.Series) -> pd.Series:
    iso = text.str.replace(_DMY, lambda m: f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}", regex=True)
    iso = iso.str.replace(r"[ T]00:00:00(\.0+)?$", "", regex=True)
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


_EXPECTED = {
    "boolean": "true/false (or oui/non, 1/0)",
    "Int64": "a whole number",
    "float64": "a number",
    "datetime64[ns]": "a date YYYY-MM-DD or DD/MM/YYYY",
}


def _parse_column(text: pd.Series, dtype: str) -> pd.Series:
    if dtype == "boolean":
        return _parse_bool(text)
    if dtype == "datetime64[ns]":
        return _parse_date(text)
    if dtype == "Int64":
        numbers = _parse_number(text)
        return numbers.where(numbers % 1 == 0).astype("Int64")
    if dtype == "float64":
        return _parse_number(text)
    return text.astype(object).where(text.notna(), None)


def _describe(
    raw: RawTable, column: str, indexes: list[int], values: list, expected: str, total: int | None = None
) -> str:
    shown = ", ".join(
        f"{raw.where(i)} ({_short(v)!r})" for i, v in zip(indexes[:MAX_LISTED], values[:MAX_LISTED], strict=True)
    )
    total = len(indexes) if total is None else total
    more = f" and {total - MAX_LISTED:,} more" if total > MAX_LISTED else ""
    return f"{raw.path}: column {raw.label(column)}: {expected}; found at {shown}{more}"


def parse_table(raw: RawTable, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, list[str], set]:
    """Cast the raw cells to the schema's dtypes; returns the frame, problems and the bad cells."""
    missing = [c for c in schema.columns if c not in raw.frame.columns]
    if missing:
        found = ", ".join(raw.frame.columns)
        return raw.frame, [f"{raw.path}: missing column(s) {', '.join(missing)}; columns found: {found}"], set()
    frame, problems = pd.DataFrame(index=raw.frame.index), []
    bad_cells: set[tuple[str, int]] = set()
    for name, column in schema.columns.items():
        dtype = str(column.dtype)
        source = raw.frame[name]
        frame[name] = _parse_column(source, dtype)
        failed = source.notna() & frame[name].isna()
        count = int(failed.sum())
        if count:
            first = failed[failed].index[:MAX_LISTED]
            problems.append(
                _describe(raw, name, list(first), list(source[first]), f"expected {_EXPECTED[dtype]}", total=count)
            )
            bad_cells.update((name, i) for i in failed[failed].index[: MAX_BAD_CELLS + 1])
            if len(bad_cells) > MAX_BAD_CELLS:
                break  # not this table: the remaining columns would only cost memory
    return frame, problems, bad_cells


def _short(value: object) -> object:
    return value[:60] + "…" if isinstance(value, str) and len(value) > 60 else value


# --- validation ---------------------------------------------------------------------------


def _schema_problems(raw: RawTable, errors: pa.errors.SchemaErrors, bad_cells: set) -> list[str]:
    cases = errors.failure_cases
    problems = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        group = group[group["index"].notna()] if group["index"].notna().any() else group
        pairs = [
            (int(i), v)
            for i, v in zip(group["index"], group["failure_case"], strict=True)
            if (column, int(i)) not in bad_cells
        ]
        if not pairs and group["index"].notna().any():
            continue
        label = column if isinstance(column, str) else "(row)"
        if check == "not_nullable":
            expected = "expected a value (empty cell)"
        elif check == "field_uniqueness":
            expected = "expected unique values (duplicate)"
        else:
            expected = str(check)
        if pairs:
            problems.append(_describe(raw, label, [p[0] for p in pairs], [p[1] for p in pairs], expected))
        else:
            problems.append(f"{raw.path}: column {raw.label(label)}: {expected}")
    return problems


def validate_table(raw: RawTable, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, list[str]]:
    """Parse and validate one raw table; returns the typed frame and every problem found."""
    frame, problems, bad_cells = parse_table(raw, schema)
    if problems and not bad_cells:  # missing columns: nothing more can be checked
        return frame, problems
    if len(bad_cells) > MAX_BAD_CELLS:  # not this table at all: listing more would cost more than reading it
        return frame, [
            *problems,
            f"{raw.path}: more than {MAX_BAD_CELLS:,} unreadable cells; checking stopped there "
            "(is it the right file, with the right separator?)",
        ]
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        problems += _schema_problems(raw, errors, bad_cells)
    return frame, problems


def _to_slugs(frame: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    if "epci" not in frame:
        return frame
    by_siren = {s.siren: s.slug for s in edition.sites if s.siren}
    return frame.assign(epci=frame["epci"].map(lambda v: by_siren.get(v, v)))


def _finalise(table: str, frame: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    frame = _to_slugs(frame, edition)
    for column in frame.columns:
        if str(frame[column].dtype) in ("boolean", "Int64") and frame[column].isna().all() and len(frame):
            continue  # a column the source lacks stays empty
        if str(frame[column].dtype) == "boolean":
            frame[column] = frame[column].astype(bool)
        elif str(frame[column].dtype) == "Int64":
            frame[column] = frame[column].astype("int64")
        elif frame[column].dtype == object:
            frame[column] = frame[column].astype("string" if column == "reasons" else object)
    if table == "demands":
        frame["reasons"] = frame["reasons"].fillna("").astype(object)
    return frame


def table_file(edition: Edition, data_dir: Path, table: str) -> tuple[Path | None, Source]:
    """The file holding ``table`` and its source: as edition.yml's ``tables`` declares it, else the data
    folder's ``sources.yml``, else ``TABLE.csv|xlsx|parquet`` in the kit's layout. A declared file that
    does not exist is an error."""
    try:
        declared = edition.tables.get(table) or folder_declarations(data_dir).get(table)  # type: ignore[call-overload]
    except ParamsError as exc:
        raise InputDataError([str(exc)]) from None
    if declared is None:
        return find_table(data_dir, table), kit_source(table)
    path = data_dir / declared.file
    try:
        source = load_source(declared.source, table, edition.edition)
    except ParamsError as exc:
        raise InputDataError([str(exc)]) from None
    where = f"params/{edition.edition}/edition.yml" if table in edition.tables else str(data_dir / "sources.yml")
    if not path.is_file():
        raise InputDataError(
            [
                f"{path}: no such file; {where} names it for table '{table}' "
                f"(source '{declared.source}'); correct the file name or add the file"
            ]
        )
    return path, source


def read_source(path: Path, source: Source, edition: Edition, table: str) -> tuple[RawTable, list[str]]:
    """Read a file through its source: text cells in the contract's columns, each row at its file
    position; returns the table and notes (rows left out by the source's geography)."""
    raw = read_table(path, source)
    if source.is_kit:
        return raw, []
    mapped = map_frame(path, raw.frame, source, list(schema_for(table, edition).columns), edition)
    if mapped.problems:
        raise InputDataError(mapped.problems)
    notes = [outside_note(path, mapped.outside)] if mapped.outside else []
    return RawTable(path, mapped.frame, mapped.origins, source.name), notes


def outside_note(path: Path, rows: int) -> str:
    """What check says of the rows a source's geography left out (EPCI that are not sites)."""
    count = f"{rows:,}".replace(",", " ")
    return f"{path}: {count} rows in EPCI that are not sites of the edition, left out"


def load_inputs(edition: Edition, data_dir: Path | None = None) -> Inputs:
    """Read, parse and validate every input table; raise InputDataError listing all problems."""
    data_dir = Path(data_dir) if data_dir else edition.input_dir()
    if not data_dir.is_dir():
        raise InputDataError(
            [
                f"{data_dir}: no such data folder; give an existing folder (--data or data_dir in "
                f"params/{edition.edition}/edition.yml), or run `cohorte demo-data {edition.edition}` for demo data"
            ]
        )
    raw: dict[str, RawTable] = {}
    problems, notes, lacking = [], [], {}
    for table in TABLES:
        try:
            path, source = table_file(edition, data_dir, table)
            if path is None:
                if table not in OPTIONAL_TABLES:
                    problems.append(
                        f"{data_dir}: missing table '{table}'; expected {table}.csv, {table}.xlsx or {table}.parquet"
                    )
                continue
            raw[table], table_notes = read_source(path, source, edition, table)
            notes += table_notes
            if source.lacking:
                lacking[table] = source.lacking
        except InputDataError as exc:
            problems += exc.problems
    inputs = inputs_from_raw(edition, raw, problems, lacking)
    return replace(inputs, notes=notes)


def inputs_from_raw(
    edition: Edition,
    raw: dict[str, RawTable],
    problems: list[str] | None = None,
    lacking: dict[str, tuple[str, ...]] | None = None,
) -> Inputs:
    """Validate tables already read (text cells); raise InputDataError listing every problem.

    A raw frame's index is its rows' position in the file, so messages cite the file's lines even
    when the frame holds only some of them (the national edition validates a few sites at a time).
    ``lacking`` names, per table, the contract columns its source does not have (left empty)."""
    problems, lacking = list(problems or []), dict(lacking or {})
    tables = {}
    for table in TABLES:
        if table not in raw:
            continue
        frame, table_problems = validate_table(raw[table], schema_for(table, edition, lacking.get(table, ())))
        problems += table_problems
        tables[table] = frame
    if problems:
        raise InputDataError(problems)
    typed = {t: _finalise(t, f, edition) for t, f in tables.items()}
    sources = {t: r.source for t, r in raw.items()}
    return Inputs(
        demands=typed["demands"],
        attributions=typed["attributions"],
        housing_stock=typed["housing_stock"],
        cal_presentations=typed["cal_presentations"],
        q1_thresholds=typed.get("q1_thresholds"),
        sources=sources,
        lacking=lacking,
    )


def summarize(inputs: Inputs) -> pd.DataFrame:
    """Rows per site and table, for ``cohorte check``."""
    counts = {name: frame.groupby("epci").size() for name, frame in inputs.tables().items() if "epci" in frame}
    return pd.DataFrame(counts).fillna(0).astype(int).rename_axis("site")
