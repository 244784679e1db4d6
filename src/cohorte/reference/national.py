"""Published national values (``national_references.csv``), each with its full citation.

Every row names the publisher, the title, the year of publication, the page (« en ligne » for a web
page) and the publication date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: a year alone or a month
alone means « at the latest by its end »). A row missing any of them is refused: a figure whose
origin cannot be cited does not enter the file. ``approximate`` (« environ ») and ``partial`` (a part
of the year, a part of the country) say how far the figure goes.

An edition uses only the values of its own year or earlier that were published by its publication
date: a figure published later was not known when it appeared.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError

REFERENCES_FILE = Path(__file__).with_name("national_references.csv")
COLUMNS = (
    "indicator",
    "year",
    "value",
    "unit",
    "approximate",
    "partial",
    "label",
    "publisher",
    "title",
    "publication_year",
    "page",
    "published",
    "url",
    "note",
)
CITATION = ("publisher", "title", "publication_year", "page", "published")


@dataclass(frozen=True)
class NationalReference:
    indicator: str
    year: int
    value: float
    unit: str
    approximate: bool  # « environ » in a sentence
    partial: bool  # a part of the year or of the country: said next to the figure
    label: str
    publisher: str
    title: str
    publication_year: int
    page: str
    published: dt.date  # at the latest (the end of the year or month when only those are known)
    url: str = ""
    note: str = ""

    @property
    def source(self) -> str:
        """The publisher (short form, for a chart's legend)."""
        return self.publisher

    def citation(self) -> dict[str, object]:
        """What a template needs to cite the figure."""
        return {
            "publisher": self.publisher,
            "title": self.title,
            "publication_year": self.publication_year,
            "page": self.page,
            "url": self.url,
            "note": self.note,
        }


def published_by(text: str) -> dt.date:
    """``2020`` → 2020-12-31, ``2020-09`` → 2020-09-30, ``2020-09-15`` → itself."""
    parts = [int(p) for p in text.strip().split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def _row(path: Path, line: int, row: dict[str, str]) -> NationalReference:
    where = f"{path.name}, line {line}"
    missing = [c for c in CITATION if not (row.get(c) or "").strip()]
    if missing:
        raise ParamsError(
            f"{where}: {row.get('indicator')!r} {row.get('year')} has no {', '.join(missing)}; "
            "a national value enters the file only with its full citation (publisher, title, year, page, date)"
        )
    try:
        return NationalReference(
            row["indicator"],
            int(row["year"]),
            float(row["value"]),
            row["unit"],
            row["approximate"].strip().lower() == "true",
            row["partial"].strip().lower() == "true",
            row["label"],
            row["publisher"].strip(),
            row["title"].strip(),
            int(row["publication_year"]),
            row["page"].strip(),
            published_by(row["published"]),
            (row.get("url") or "").strip(),
            (row.get("note") or "").strip(),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ParamsError(f"{where}: cannot be read ({exc}); expected columns {', '.join(COLUMNS)}") from None


@cache
def national_references(path: Path = REFERENCES_FILE) -> tuple[NationalReference, ...]:
    """Every row of the file, each with its citation (a row without one is an error naming its line)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ParamsError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return tuple(_row(path, number, row) for number, row in enumerate(reader, start=2))


def latest_reference(
    indicator: str, year: int, published: dt.date | None = None, path: Path = REFERENCES_FILE
) -> NationalReference | None:
    """The most recent national value of ``indicator`` for ``year`` or before, published by
    ``published`` (the edition's publication date; None: any date) — None when there is none."""
    known = [
        r
        for r in national_references(path)
        if r.indicator == indicator and r.year <= year and (published is None or r.published <= published)
    ]
    return max(known, key=lambda r: r.year) if known else None


def cited_references(year: int, published: dt.date | None = None) -> list[NationalReference]:
    """The references an edition can cite (its year or earlier, published by its date), one per publication."""
    seen: dict[tuple[str, str], NationalReference] = {}
    for ref in national_references():
        if ref.year <= year and (published is None or ref.published <= published):
            seen.setdefault((ref.publisher, ref.title), ref)
    return list(seen.values())
