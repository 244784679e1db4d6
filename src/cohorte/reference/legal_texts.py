"""The laws and décrets the reports cite (``legal_texts.csv``), each with its signature and its
publication date: an edition lists only those published by its own publication date."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cohorte.errors import ParamsError

TEXTS_FILE = Path(__file__).with_name("legal_texts.csv")
COLUMNS = ("key", "kind", "title", "signed", "published", "about")


@dataclass(frozen=True)
class LegalText:
    key: str
    kind: str  # loi, décret
    title: str
    signed: dt.date
    published: dt.date  # in the Journal officiel
    about: str


@cache
def legal_texts(path: Path = TEXTS_FILE) -> tuple[LegalText, ...]:
    """Every text of the file, in its order; a row that cannot be read is an error naming its line."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ParamsError(f"{path.name}: missing column(s) {', '.join(missing)}")
        found = []
        for line, row in enumerate(reader, start=2):
            try:
                signed, published = dt.date.fromisoformat(row["signed"]), dt.date.fromisoformat(row["published"])
            except (TypeError, ValueError) as exc:
                raise ParamsError(f"{path.name}, line {line}: {exc}; expected dates as YYYY-MM-DD") from None
            found.append(LegalText(row["key"], row["kind"], row["title"], signed, published, row["about"]))
        return tuple(found)


def texts_published_by(day: dt.date, path: Path = TEXTS_FILE) -> list[LegalText]:
    """The texts published on or before ``day`` (an edition cites nothing that came later)."""
    return [t for t in legal_texts(path) if t.published <= day]
