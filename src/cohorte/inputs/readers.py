"""Read the edition's input tables (CSV, XLSX, Parquet), parse them and validate them.

Every problem is collected — a missing file, an unreadable encoding, a cell that is not a date, a
code outside its list — and reported together, each naming the file, the column, the first
offending lines and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.inputs.codes import BOOLEAN_TOKENS
from cohorte.inputs.schemas import OPTIONAL_TABLES, TABLES, schema_for

EXTENSIONS = (".csv", ".xlsx", ".parquet")
MAX_LISTED = 5
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

    def tables(self) -> dict[str, pd.DataFrame]:
        return {t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}


@dataclass(frozen=True)
class RawTable:
    """A table as read from its file, every cell a string (or missing), with how to cite a row."""

    path: Path
    frame: pd.DataFrame

    def where(self, index: int) -> str:
        """Human position of a data row: the line of a CSV, the row of a sheet."""
        if self.path.suffix == ".csv":
            return f"line {index + 2}"
        if self.path.suffix == ".xlsx":
            return f"row {index + 2}"
        return f"row {index + 1}"


# --- finding and reading files ------------------------------------------------------------


def find_table(data_dir: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``data_dir`` (one of .csv, .xlsx, .parquet), or None."""
    found = [data_dir / f"{table}{ext}" for ext in EXTENSIONS if (data_dir / f"{table}{ext}").exists()]
    if len(found) > 1:
        raise InputDataError([f"{data_dir}: several files for table '{table}' ({', '.join(p.name for p in found)}); keep one"])
    return found[0] if found else None


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise ValueError("is a ZIP/XLSX file, not text; rename it .xlsx or export it as CSV")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise ValueError("is encoded in UTF-16 or is binary; expected CSV text in UTF-8 or Latin-1 (Windows-1252)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1")


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _read_csv(path: Path) -> pd.DataFrame:
    text = _decode(path)
    if not text.strip():
        raise ValueError("is empty; expected a header line and one row per record")
    lines = text.splitlines()
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    width = len(next(csv.reader(lines[:1], delimiter=sep)))
    last = list(csv.reader(lines[-1:], delimiter=sep))
    if len(lines) > 1 and last and len(last[0]) != width:
        raise ValueError(f"is malformed or truncated: line {len(lines)} has {len(last[0])} fields; "
                         f"expected {width} fields separated by '{sep}'")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise ValueError(f"is malformed: {exc}; expected {width} fields separated by '{sep}'") from None
    return frame


def _read_any(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        frame = _read_csv(path)
    elif path.stat().st_size == 0:
        raise ValueError("is empty")
    elif path.suffix == ".xlsx":
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


def read_table(path: Path) -> RawTable:
    """Read one table file into text cells (missing where blank); unreadable files raise InputDataError."""
    try:
        frame = _read_any(path)
    except ValueError as exc:
        raise InputDataError([f"{path}: {exc}"]) from None
    except Exception as exc:  # a corrupt XLSX or Parquet: the library's own words, once
        raise InputDataError([f"{path}: cannot be read as {path.suffix[1:].upper()} ({type(exc).__name__}: {exc})"]) from None
    if frame.empty:
        raise InputDataError([f"{path}: has a header but no rows; expected one row per record"])
    return RawTable(path, frame.reset_index(drop=True))


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


def _describe(raw: RawTable, column: str, indexes: list[int], values: list, expected: str) -> str:
    shown = ", ".join(f"{raw.where(i)} ({v!r})" for i, v in zip(indexes[:MAX_LISTED], values[:MAX_LISTED], strict=True))
    more = f" and {len(indexes) - MAX_LISTED} more" if len(indexes) > MAX_LISTED else ""
    return f"{raw.path}: column '{column}': {expected}; found at {shown}{more}"


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
        if failed.any():
            idx = list(failed[failed].index)
            problems.append(_describe(raw, name, idx, list(source[failed]), f"expected {_EXPECTED[dtype]}"))
            bad_cells.update((name, i) for i in idx)
    return frame, problems, bad_cells


# --- validation ---------------------------------------------------------------------------


def _schema_problems(raw: RawTable, errors: pa.errors.SchemaErrors, bad_cells: set) -> list[str]:
    cases = errors.failure_cases
    problems = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        group = group[group["index"].notna()] if group["index"].notna().any() else group
        pairs = [(int(i), v) for i, v in zip(group["index"], group["failure_case"], strict=True) if (column, int(i)) not in bad_cells]
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
            problems.append(f"{raw.path}: column '{label}': {expected}")
    return problems


def validate_table(raw: RawTable, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, list[str]]:
    """Parse and validate one raw table; returns the typed frame and every problem found."""
    frame, problems, bad_cells = parse_table(raw, schema)
    if problems and not bad_cells:  # missing columns: nothing more can be checked
        return frame, problems
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
        if str(frame[column].dtype) == "boolean":
            frame[column] = frame[column].astype(bool)
        elif str(frame[column].dtype) == "Int64":
            frame[column] = frame[column].astype("int64")
        elif frame[column].dtype == object:
            frame[column] = frame[column].astype("string" if column == "reasons" else object)
    if table == "demands":
        frame["reasons"] = frame["reasons"].fillna("").astype(object)
    return frame


def load_inputs(edition: Edition, data_dir: Path | None = None) -> Inputs:
    """Read, parse and validate every input table; raise InputDataError listing all problems."""
    data_dir = Path(data_dir) if data_dir else edition.input_dir()
    if not data_dir.is_dir():
        raise InputDataError([f"{data_dir}: no such data folder; give an existing folder (--data or data_dir in "
                               f"params/{edition.edition}/edition.yml), or run `cohorte demo-data {edition.edition}` for demo data"])
    raw: dict[str, RawTable] = {}
    problems = []
    for table in TABLES:
        try:
            path = find_table(data_dir, table)
            if path is None:
                if table not in OPTIONAL_TABLES:
                    problems.append(f"{data_dir}: missing table '{table}'; expected {table}.csv, {table}.xlsx or {table}.parquet")
                continue
            raw[table] = read_table(path)
        except InputDataError as exc:
            problems += exc.problems
    return inputs_from_raw(edition, raw, problems)


def inputs_from_raw(edition: Edition, raw: dict[str, RawTable], problems: list[str] | None = None) -> Inputs:
    """Validate tables already read (text cells); raise InputDataError listing every problem.

    A raw frame's index is its rows' position in the file, so messages cite the file's lines even
    when the frame holds only some of them (the national edition validates a few sites at a time)."""
    problems = list(problems or [])
    tables = {}
    for table in TABLES:
        if table not in raw:
            continue
        frame, table_problems = validate_table(raw[table], schema_for(table, edition))
        problems += table_problems
        tables[table] = frame
    if problems:
        raise InputDataError(problems)
    typed = {t: _finalise(t, f, edition) for t, f in tables.items()}
    return Inputs(**{t: typed.get(t) for t in TABLES})


def summarize(inputs: Inputs) -> pd.DataFrame:
    """Rows per site and table, for ``cohorte check``."""
    counts = {name: frame.groupby("epci").size() for name, frame in inputs.tables().items() if "epci" in frame}
    return pd.DataFrame(counts).fillna(0).astype(int).rename_axis("site")
