"""Published national values (``national_references.csv``), each with its source and year.

Reports show them as reference lines and in sentences; an edition only uses the values of its own
year or earlier (a figure published later was not known at the edition's date). A row without a
source is refused: a figure whose origin cannot be named does not enter the file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError

REFERENCES_FILE = Path(__file__).with_name("national_references.csv")
COLUMNS = ("indicator", "year", "value", "unit", "approximate", "label", "source", "note")


@dataclass(frozen=True)
class NationalReference:
    indicator: str
    year: int
    value: float
    unit: str
    approximate: bool  # « environ » in a sentence
    label: str
    source: str
    note: str = ""


def _row(path: Path, line: int, row: dict[str, str]) -> NationalReference:
    where = f"{path.name}, line {line}"
    if not (row.get("source") or "").strip():
        raise ParamsError(
            f"{where}: {row.get('indicator')!r} {row.get('year')} has no source; "
            "a national value enters the file only with the publication it comes from"
        )
    try:
        return NationalReference(
            row["indicator"],
            int(row["year"]),
            float(row["value"]),
            row["unit"],
            row["approximate"].strip().lower() == "true",
            row["label"],
            row["source"].strip(),
            (row.get("note") or "").strip(),
        )
    except (KeyError, ValueError) as exc:
        raise ParamsError(f"{where}: cannot be read ({exc}); expected columns {', '.join(COLUMNS)}") from None


@cache
def national_references(path: Path = REFERENCES_FILE) -> tuple[NationalReference, ...]:
    """Every row of the file, each with its source (a row without one is an error naming its line)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ParamsError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return tuple(_row(path, number, row) for number, row in enumerate(reader, start=2))


def latest_reference(indicator: str, year: int, path: Path = REFERENCES_FILE) -> NationalReference | None:
    """The most recent national value of ``indicator`` for ``year`` or before (None when there is none)."""
    known = [r for r in national_references(path) if r.indicator == indicator and r.year <= year]
    return max(known, key=lambda r: r.year) if known else None
