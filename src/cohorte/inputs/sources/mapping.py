"""Apply a source to a table read as text: its rows kept, its columns and codes mapped onto the data
contract, its units converted, its dates rewritten as ISO dates.

The frame's index stays each row's position in the file, so every later message cites the file's
own line; ``origins`` names the source column behind each contract column, so messages name it too.
Nothing here types a cell: the contract's validation (``readers``) does, on the mapped text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from cohorte.editions import Edition
from cohorte.inputs.sources.model import ColumnMap, Source, builtin_sources
from cohorte.inputs.sources.text import row_position
from cohorte.reference.epci import epci_by_commune

MAX_LISTED = 5


@dataclass
class Mapped:
    """A table in the contract's columns (text cells), with where each column came from."""

    frame: pd.DataFrame
    origins: dict[str, str] = field(default_factory=dict)  # contract column → source column
    problems: list[str] = field(default_factory=list)
    outside: int = 0  # rows of EPCI that are not sites of the edition, left out


def _cited(path: Path, cells: pd.Series) -> str:
    shown = ", ".join(f"{row_position(path, int(i))} ({v!r})" for i, v in cells.head(MAX_LISTED).items())
    more = f" and {len(cells) - MAX_LISTED:,} more" if len(cells) > MAX_LISTED else ""
    return f"{shown}{more}"


def _first_values(cells: pd.Series) -> str:
    values = list(dict.fromkeys(cells.astype(str)))
    more = f" … ({len(values):,} distinct)" if len(values) > MAX_LISTED else ""
    return ", ".join(repr(v) for v in values[:MAX_LISTED]) + more


def matching_sources(columns: list[str], table: str | None = None) -> list[str]:
    """The built-in sources whose signature columns are all in ``columns``."""
    present = set(columns)
    return [
        name
        for name, s in builtin_sources().items()
        if s.signature and set(s.signature) <= present and (table is None or s.table == table)
    ]


def signature_problem(path: Path, columns: list[str], source: Source) -> str | None:
    """The file is not of ``source`` when a column of its signature is missing: say which it looks like."""
    missing = [c for c in source.signature if c not in columns]
    if not missing:
        return None
    others = [n for n in matching_sources(columns) if n != source.name]
    looks = f"; it looks like a file of source {', '.join(others)}" if others else ""
    return (
        f"{path}: is not a file of source '{source.name}' ({source.layout}): column(s) {', '.join(missing)} "
        f"missing{looks}; columns found: {', '.join(map(str, columns[:20]))}"
    )


def _kept(path: Path, frame: pd.DataFrame, source: Source, problems: list[str]) -> pd.DataFrame:
    for column, values in source.keep.items():
        if column not in frame.columns:
            problems.append(f"{path}: column '{column}' missing; source '{source.name}' keeps rows by it")
            continue
        frame = frame[frame[column].str.strip().isin(values)]
    return frame


def _codes(path: Path, text: pd.Series, spec: ColumnMap, label: str, target: str) -> tuple[pd.Series, str | None]:
    codes = spec.codes or {}
    unknown = text.notna() & ~text.isin(list(codes))
    mapped = text.map(codes)
    if not unknown.any():
        return mapped, None
    return mapped, (
        f"{path}: column '{label}': code(s) {_first_values(text[unknown])} not in the mapping for {target}; "
        f"found at {_cited(path, text[unknown])}; expected one of {', '.join(codes)}"
    )


def _dates(path: Path, text: pd.Series, formats: list[str], label: str) -> tuple[pd.Series, str | None]:
    parsed = {f: pd.to_datetime(text, format=f, errors="coerce") for f in formats}
    used = [f for f, dates in parsed.items() if dates.notna().any()]
    if len(used) > 1:
        a, b = used[:2]
        first_a, first_b = parsed[a].notna().idxmax(), (parsed[b].notna() & parsed[a].isna()).idxmax()
        return text, (
            f"{path}: column '{label}': dates in two formats, {a} ({row_position(path, int(first_a))}: "
            f"{text[first_a]!r}) and {b} ({row_position(path, int(first_b))}: {text[first_b]!r}); "
            "write every date of a column in one format"
        )
    dates = parsed[used[0]] if used else parsed[formats[0]]
    bad = text.notna() & dates.isna()
    out = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None)
    if bad.any():
        return out, (
            f"{path}: column '{label}': expected a date written {' or '.join(formats)}; found at {_cited(path, text[bad])}"
        )
    return out, None


def _scaled(text: pd.Series, spec: ColumnMap) -> pd.Series:
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    numbers = numbers / (spec.divide_by or 1) * (spec.multiply_by or 1)
    keep_text = numbers.isna() & text.notna()  # unreadable: left as written, the contract's check names it
    return numbers.round(6).astype(str).where(~keep_text, text).where(text.notna(), None)


@cache
def _sirens() -> pd.Series:
    """SIREN of each commune's EPCI, by INSEE code: current communes, arrondissements and communes
    merged into a commune nouvelle (``reference.epci.epci_by_commune``)."""
    return pd.Series(epci_by_commune(), dtype=object)


def _lookup(text: pd.Series, table: pd.Series) -> pd.Series:
    """``table``'s value for each cell, looked up once per distinct value (a national file repeats its
    35 000 communes over millions of rows); None where unknown or empty."""
    codes, uniques = pd.factorize(text)
    found = np.empty(len(uniques) + 1, dtype=object)  # the last slot: empty cells (code -1)
    found[:-1] = pd.Series(np.asarray(uniques, dtype=object)).map(table).to_numpy(dtype=object)
    return pd.Series(found[codes], index=text.index, dtype=object).where(lambda v: v.notna(), None)


def _epci(path: Path, text: pd.Series, edition: Edition, label: str) -> tuple[pd.Series, list[str], pd.Series]:
    """SIREN of each row's EPCI, the problems (a commune of no EPCI) and the rows of EPCI that are
    not sites of the edition."""
    siren = _lookup(text, _sirens())
    unknown = text.notna() & siren.isna()
    problems = []
    if unknown.any():
        problems.append(
            f"{path}: column '{label}': commune code(s) {_first_values(text[unknown])} belong to no EPCI of the "
            f"referential; found at {_cited(path, text[unknown])}; expected an INSEE commune code "
            "(arrondissements and merged communes are mapped to their commune)"
        )
    sites = {s.siren for s in edition.sites if s.siren}
    return siren, problems, siren.notna() & ~siren.isin(sites)


def map_frame(path: Path, frame: pd.DataFrame, source: Source, contract: list[str], edition: Edition) -> Mapped:
    """``frame`` (text cells, index = position in the file) in the contract's ``contract`` columns."""
    if source.is_kit:
        return Mapped(frame, {c: c for c in frame.columns})
    problem = signature_problem(path, list(frame.columns), source)
    if problem:
        return Mapped(frame, problems=[problem])
    problems: list[str] = []
    frame = _kept(path, frame, source, problems)
    columns = source.columns or {}
    out, origins = pd.DataFrame(index=frame.index), {}
    outside = pd.Series(False, index=frame.index)
    unmapped = [c for c in contract if c not in columns]
    if unmapped:
        problems.append(
            f"{path}: source '{source.name}' gives no rule for contract column(s) {', '.join(unmapped)}; "
            "map each to a column, a constant, or declare it lacking"
        )
    missing = []
    for target in contract:
        spec = columns.get(target)
        if spec is None:
            continue
        if spec.lacking:
            out[target] = pd.Series(pd.NA, index=frame.index, dtype="string")
            continue
        if spec.constant is not None:
            out[target] = pd.Series(spec.constant, index=frame.index, dtype="string")
            continue
        if spec.line_number:
            out[target] = pd.Series((frame.index + 2).astype(str), index=frame.index, dtype="string")
            continue
        present = [c for c in spec.candidates if c in frame.columns]
        if not present:
            missing.append(f"{' or '.join(spec.candidates)} (for {target})")
            continue
        label, text = present[0], frame[present[0]]  # cells already stripped, blanks missing (readers._as_text)
        origins[target] = label
        problem = None
        if spec.commune_column:
            text, found, outside = _epci(path, text, edition, label)
            problems += found
        elif spec.codes is not None:
            text, problem = _codes(path, text, spec, label, target)
        elif spec.date_formats:
            text, problem = _dates(path, text, spec.date_formats, label)
        elif spec.divide_by or spec.multiply_by:
            text = _scaled(text, spec)
        if problem:
            problems.append(problem)
        out[target] = text.astype("string")
    if missing:
        problems.append(
            f"{path}: missing column(s) {'; '.join(missing)} that source '{source.name}' maps; "
            f"columns found: {', '.join(map(str, frame.columns[:30]))}"
        )
    return Mapped(out[~outside], origins, problems, int(outside.sum()))


def needed_columns(source: Source) -> list[str]:
    """The source columns a mapping reads (the rest of a wide file need not be kept)."""
    names = [c for spec in (source.columns or {}).values() for c in spec.candidates]
    return list(dict.fromkeys([*names, *source.keep, *source.signature]))
