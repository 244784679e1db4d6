"""What a grids workbook was exported from, in a very hidden sheet: each grid file's SHA-256 and the
grid as exported (JSON), so that an import can tell a file changed since from a field changed in the
workbook, and merge the two field by field (:mod:`cohorte.grids.merge`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from openpyxl import Workbook
from pydantic import ValidationError

from cohorte import config
from cohorte.grids.loading import grid_path
from cohorte.grids.models import Grid
from cohorte.roundtrip import file_sha

SHEET = "Export"
MARK = "cohorte-export"  # A1 of the sheet; B1 "grids", C1 the edition
ABSENT = "absent"
_CHUNK = 32_000  # a cell holds at most 32,767 characters: long grids span several cells


@dataclass(frozen=True)
class Exported:
    """One grid file as exported: its SHA-256 (None: absent) and its content."""

    sha: str | None
    grid: Grid


def relative_name(edition: str | int, slug: str) -> str:
    """A grid file's name in the record, relative to params/EDITION (``sites/mel/grid.yml``)."""
    return grid_path(edition, slug).relative_to(config.params_dir(edition)).as_posix()


def file_hashes(edition: str | int, slugs: list[str]) -> dict[str, str | None]:
    """Each site's grid file hash, read before the grids are (a file changed in between reads as changed)."""
    return {slug: file_sha(grid_path(edition, slug)) for slug in slugs}


def write_record(workbook: Workbook, edition: str | int, hashes: dict[str, str | None], grids: dict[str, Grid]) -> None:
    """Add the very hidden sheet recording what the workbook was made from."""
    sheet = workbook.create_sheet(SHEET)
    sheet.sheet_state = "veryHidden"
    sheet.append((MARK, "grids", str(edition)))
    sheet.append(("fichier", "sha256", "grille exportée (JSON)"))
    for slug, grid in grids.items():
        text = json.dumps(grid.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)]
        sheet.append((relative_name(edition, slug), hashes[slug] or ABSENT, *chunks))


class RecordError(ValueError):
    """The record sheet is missing or was altered."""


def read_record(workbook: Workbook) -> tuple[str, dict[str, Exported]]:
    """The edition the workbook was exported from and each file's record; RecordError when there is none."""
    if SHEET not in workbook.sheetnames:
        raise RecordError("an export by an older cohorte, or a workbook made by hand")
    rows = [tuple(c.value for c in row) for row in workbook[SHEET].iter_rows()]
    if not rows or rows[0][:2] != (MARK, "grids"):
        raise RecordError(f"its sheet {SHEET} was altered")
    found = {}
    for row in rows[2:]:
        name, sha, *chunks = row
        try:
            grid = Grid.model_validate(json.loads("".join(c for c in chunks if c)))
        except (TypeError, ValueError, ValidationError):
            raise RecordError(f"its sheet {SHEET} was altered (row of {name})") from None
        found[str(name)] = Exported(None if sha == ABSENT else str(sha), grid)
    return str(rows[0][2]), found
