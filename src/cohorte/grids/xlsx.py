"""Spreadsheet round-trip of the observation grids, for consultants who do not edit YAML.

``export_xlsx`` writes one workbook per edition: sheet ``Grilles`` has one row per site × coded field
(allowed values offered as drop-down lists), and ``Constats``, ``Encadrés`` and ``Perspectives`` hold
the free text, one row per item; a very hidden sheet records what the workbook was made from.
``import_xlsx`` validates the whole workbook first, reports every problem with its sheet and cell, and
writes the YAML grids only when everything is valid — and never over a grid changed since the export
unless told how (``--merge``, ``--force``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from cohorte.editions import load_edition
from cohorte.errors import GridError, ImportRefusedError
from cohorte.files import (
    check_zip_expansion,
    neutralise_formula,
    restore_formula_text,
    temp_path_for,
)
from cohorte.grids.fields import FieldSpec, coded_fields, field_help, format_value, get_path, plain_number
from cohorte.grids.loading import describe_error, grid_path, load_grid, load_grids
from cohorte.grids.merge import merge_grid, units
from cohorte.grids.models import FIELDWORK, LIST_SEPARATOR, THEMES, Grid
from cohorte.grids.record import Exported, RecordError, file_hashes, read_record, relative_name, write_record
from cohorte.grids.writing import dropped_comments, grid_text
from cohorte.inputs.codes import BOOLEAN_TOKENS
from cohorte.roundtrip import (
    CHECK,
    FORCE,
    MERGE,
    EarlierImports,
    ImportResult,
    Stale,
    file_sha,
    record_id,
    refuse_conflicts,
    refuse_stale,
    refuse_without_record,
    write_with_backup,
)
from cohorte.validation import display_path

CODED, FINDINGS, HIGHLIGHTS, PERSPECTIVES, LISTS = "Grilles", "Constats", "Encadrés", "Perspectives", "Listes"
HEADERS = {
    CODED: ("site", "thème", "champ", "valeur", "aide : valeurs admises", "à confirmer"),
    FINDINGS: ("site", "thème", "constat"),
    HIGHLIGHTS: ("site", "thème", "titre", "texte"),
    PERSPECTIVES: ("site", "perspective"),
}
RECORD_KEYS = ("indicator", "commune", "landlord", "target")
MAX_GRIDS_UNZIPPED_BYTES = 50_000_000  # the 2020 grids' workbook unzips to well under 1 MB
TO_CONFIRM = "oui"  # « à confirmer » column: the value was carried over from the previous edition


# --- export ----------------------------------------------------------------------------------


def _cell_value(spec: FieldSpec, value: object) -> object:
    """Numbers stay numbers; everything else is the text of ``format_value`` (None when empty)."""
    if value is None:
        return None
    if spec.kind in ("int", "float") and isinstance(value, int | float):
        return plain_number(value)
    return neutralise_formula(format_value(spec, value)) or None


def _append(sheet: Worksheet, row: tuple) -> None:
    """Append a row of values, text that would run as a formula neutralised."""
    sheet.append(tuple(neutralise_formula(value) for value in row))


def _sheet(workbook: Workbook, title: str, widths: tuple[int, ...]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(HEADERS[title])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _number_validation(kind: str) -> DataValidation:
    """Years are whole numbers 1990–2100, percents decimals 0–100; blank means not documented."""
    if kind == "int":
        return DataValidation(
            type="whole",
            operator="between",
            formula1="1990",
            formula2="2100",
            allow_blank=True,
            showErrorMessage=True,
            error="Une année (entier), ou vide si non documenté",
        )
    return DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        error="Un pourcentage entre 0 et 100, ou vide si non documenté",
    )


def _write_coded(workbook: Workbook, loaded: dict[str, Grid], slugs: tuple[str, ...]) -> None:
    """Sheet Grilles: one row per site × coded field, each value cell with its own validation."""
    sheet = _sheet(workbook, CODED, (34, 20, 30, 40, 90, 14))
    lists: dict[tuple[str, ...], list[str]] = {}
    numbers: dict[str, list[str]] = {"int": [], "float": []}
    specs = coded_fields()
    for slug, grid in loaded.items():
        data = grid.model_dump()
        for spec in specs:
            pending = TO_CONFIRM if f"{spec.theme}.{spec.field}" in grid.to_confirm else None
            sheet.append(
                (slug, spec.theme, spec.field, _cell_value(spec, get_path(data, spec.path)), field_help(spec), pending)
            )
            cell = f"D{sheet.max_row}"
            if spec.kind == "enum":
                lists.setdefault(spec.allowed, []).append(cell)
            elif spec.kind == "bool":
                lists.setdefault(("true", "false"), []).append(cell)
            elif spec.kind in numbers:
                numbers[spec.kind].append(cell)
    lists[slugs] = [f"A2:A{sheet.max_row}"]
    lists[(TO_CONFIRM,)] = [f"F2:F{sheet.max_row}"]
    _add_list_validations(workbook, sheet, lists)
    for kind, cells in numbers.items():
        validation = _number_validation(kind)
        validation.sqref = " ".join(cells)
        sheet.add_data_validation(validation)


def _add_list_validations(workbook: Workbook, sheet: Worksheet, lists: dict[tuple[str, ...], list[str]]) -> None:
    hidden = workbook[LISTS] if LISTS in workbook.sheetnames else _hidden_lists(workbook)
    for values, cells in lists.items():
        ref = _list_range(hidden, values)
        validation = DataValidation(
            type="list",
            formula1=ref,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Valeur non admise",
            error=("Choisir une valeur de la liste : " + ", ".join(values))[:250],
        )
        validation.sqref = " ".join(cells)
        sheet.add_data_validation(validation)


def _hidden_lists(workbook: Workbook) -> Worksheet:
    sheet = workbook.create_sheet(LISTS)
    sheet.sheet_state = "hidden"
    return sheet


def _list_range(hidden: Worksheet, values: tuple[str, ...]) -> str:
    """Write ``values`` in the next free column of the hidden sheet (once) and return its range."""
    for column in hidden.iter_cols(min_row=1, max_row=hidden.max_row):
        written = tuple(c.value for c in column if c.value is not None)
        if written == values:
            letter = column[0].column_letter
            break
    else:
        letter = get_column_letter(hidden.max_column + 1 if hidden["A1"].value is not None else 1)
        for row, value in enumerate(values, start=1):
            hidden[f"{letter}{row}"] = value
    return f"{quote_sheetname(LISTS)}!${letter}$1:${letter}${len(values)}"


def _write_free_text(workbook: Workbook, loaded: dict[str, Grid], slugs: tuple[str, ...]) -> None:
    findings = _sheet(workbook, FINDINGS, (34, 20, 120))
    highlights = _sheet(workbook, HIGHLIGHTS, (34, 20, 50, 120))
    perspectives = _sheet(workbook, PERSPECTIVES, (34, 120))
    for slug, grid in loaded.items():
        for theme in THEMES:
            for text in getattr(grid.findings, theme):
                _append(findings, (slug, theme, text))
        for item in grid.highlights:
            _append(highlights, (slug, item.theme, item.title, item.text))
        for text in grid.perspectives:
            _append(perspectives, (slug, text))
    for sheet in (findings, highlights, perspectives):
        last = max(sheet.max_row, 2) + 200  # room for new rows
        lists = {slugs: [f"A2:A{last}"]}
        if sheet is not perspectives:
            lists[THEMES] = [f"B2:B{last}"]
        _add_list_validations(workbook, sheet, lists)


def export_xlsx(edition: str | int, path: Path) -> Path:
    """Write every grid of the edition to one workbook (the grids must be valid), with the record of
    what it was made from in a very hidden sheet (:mod:`cohorte.grids.record`)."""
    hashes = file_hashes(edition, load_edition(edition).slugs)
    loaded = load_grids(edition)
    slugs = tuple(loaded)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_coded(workbook, loaded, slugs)
    _write_free_text(workbook, loaded, slugs)
    workbook.move_sheet(LISTS, offset=len(workbook.sheetnames))
    write_record(workbook, edition, hashes, loaded)
    tmp = temp_path_for(path)
    try:
        workbook.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- import: parsing cells -------------------------------------------------------------------------


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return "" if raw is None else str(raw).strip()


def _split(raw: object) -> list[str]:
    return [item.strip() for item in _text(raw).split(LIST_SEPARATOR) if item.strip()]


def _allowed(values: tuple[str, ...]) -> str:
    return "allowed values: " + ", ".join(values)


def _parse_enum(spec: FieldSpec, text: str) -> str | None:
    if text == "null" and spec.nullable:
        return None
    if text not in spec.allowed:
        raise ValueError(f"{text!r} is not allowed; {_allowed(spec.allowed)}")
    return text


def _parse_int(raw: object) -> int:
    if isinstance(raw, bool) or not (isinstance(raw, int | float) or _text(raw).isdigit()):
        raise ValueError(f"expected a year (integer), got {raw!r}")
    if isinstance(raw, float) and not raw.is_integer():
        raise ValueError(f"expected a year (integer), got {raw!r}")
    return int(raw) if isinstance(raw, int | float) else int(_text(raw))


def _parse_float(raw: object) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    try:
        return float(_text(raw).replace(",", ".").rstrip("%").strip())
    except ValueError:
        raise ValueError(f"expected a percent (number from 0 to 100), got {raw!r}") from None


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in BOOLEAN_TOKENS:
        return BOOLEAN_TOKENS[text]
    raise ValueError(f"expected true or false, got {raw!r}")


def _parse_enum_list(spec: FieldSpec, raw: object) -> list[str]:
    items = _split(raw)
    wrong = [i for i in items if i not in spec.allowed]
    if wrong:
        raise ValueError(f"{', '.join(map(repr, wrong))} not allowed; {_allowed(spec.allowed)} (separated by ';')")
    return items


def _parse_record(text: str) -> dict[str, object]:
    record: dict[str, object] = dict.fromkeys(RECORD_KEYS)
    for pair in text.split(","):
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or key not in RECORD_KEYS:
            raise ValueError(
                f"cannot read {pair.strip()!r}; write items as "
                "indicator=…,commune=INSEE,landlord=…,target=… separated by ';'"
            )
        record[key] = _parse_float(value) if key == "target" else value
    return record


def parse_cell(spec: FieldSpec, raw: object) -> object:
    """A spreadsheet cell as the grid value of ``spec``; raises ValueError with a plain message."""
    text = _text(raw)
    if spec.kind.endswith("_list"):
        if spec.kind == "enum_list":
            return _parse_enum_list(spec, raw)
        return [_parse_record(item) for item in _split(raw)] if spec.kind == "record_list" else _split(raw)
    if text in ("", "null"):
        if spec.nullable:
            return None
        raise ValueError(f"a value is required; {_allowed(spec.allowed)}")
    parsers = {"enum": lambda r: _parse_enum(spec, text), "int": _parse_int, "float": _parse_float, "bool": _parse_bool}
    return parsers[spec.kind](raw)


# --- import: reading sheets ------------------------------------------------------------------------


class _Reader:
    """Collects the grids' data from the workbook, the cell behind every value, and every problem."""

    def __init__(self, label: str, slugs: list[str]):
        self.label, self.slugs = label, slugs
        self.problems: list[str] = []
        self.data = {slug: _empty_grid_data() for slug in slugs}
        self.cells: dict[str, dict[tuple, str]] = {slug: {} for slug in slugs}
        self.bad_cells: set[str] = set()

    def problem(self, cell: str, message: str) -> None:
        self.problems.append(f"{self.label}: {cell}: {message}")

    def rows(self, sheet: Worksheet) -> Iterator[tuple[int, tuple]]:
        """Rows holding something, as values; a row with a formula is reported and skipped."""
        width = len(HEADERS[sheet.title])
        for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width), start=2):
            formulas = [c.coordinate for c in cells if c.data_type == "f"]
            for coordinate in formulas:
                self.problem(f"{sheet.title}!{coordinate}", f"cell {coordinate} holds a formula; type the value")
            row = tuple(restore_formula_text(c.value) for c in cells)
            if not formulas and any(_text(value) for value in row):
                yield number, row + (None,) * (width - len(row))

    def site(self, sheet: str, number: int, raw: object) -> str | None:
        slug = _text(raw)
        if slug not in self.slugs:
            self.problem(f"{sheet}!A{number}", f"unknown site {slug!r}; sites of the edition: {', '.join(self.slugs)}")
            return None
        return slug

    def theme(self, sheet: str, number: int, raw: object) -> str | None:
        theme = _text(raw)
        if theme not in THEMES:
            self.problem(f"{sheet}!B{number}", f"{theme!r} is not a theme; {_allowed(THEMES)}")
            return None
        return theme


def _empty_grid_data() -> dict:
    return {"findings": {theme: [] for theme in THEMES}, "highlights": [], "perspectives": []}


def _set_path(data: dict, path: tuple[str, ...], value: object) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def _read_coded(reader: _Reader, sheet: Worksheet) -> None:
    specs = {(s.theme, s.field): s for s in coded_fields()}
    seen: dict[tuple[str, str, str], int] = {}
    for number, (site, theme, field, value, _help, pending) in reader.rows(sheet):
        slug = reader.site(CODED, number, site)
        spec = specs.get((_text(theme), _text(field)))
        if spec is None:
            known = ", ".join(f for t, f in specs if t == _text(theme)) or "themes: " + ", ".join((*THEMES, FIELDWORK))
            reader.problem(f"{CODED}!C{number}", f"unknown field {_text(theme)!r} / {_text(field)!r}; known: {known}")
        if slug is None or spec is None:
            continue
        key = (slug, spec.theme, spec.field)
        if key in seen:
            reader.problem(f"{CODED}!C{number}", f"{slug} / {spec.field} already given in row {seen[key]}")
            continue
        seen[key] = number
        cell = f"{CODED}!D{number}"
        reader.cells[slug][spec.path] = cell
        _pending(reader, number, spec, pending, slug)
        try:
            _set_path(reader.data[slug], spec.path, parse_cell(spec, value))
        except ValueError as exc:
            reader.bad_cells.add(cell)
            reader.problem(cell, f"({slug}, {spec.theme}.{spec.field}) {exc}")
    _missing_rows(reader, list(specs.values()), seen)


def _pending(reader: _Reader, number: int, spec: FieldSpec, raw: object, slug: str) -> None:
    """Column « à confirmer »: ``oui`` keeps the field in the grid's ``to_confirm``; empty confirms it."""
    text = _text(raw).lower()
    if text not in ("", TO_CONFIRM):
        reader.problem(
            f"{CODED}!F{number}",
            f"({slug}, {spec.theme}.{spec.field}) {text!r}: write "
            f"{TO_CONFIRM!r} while the value is to confirm, or leave the cell empty once confirmed",
        )
    if text == TO_CONFIRM and spec.theme != FIELDWORK:
        reader.data[slug].setdefault("to_confirm", []).append(f"{spec.theme}.{spec.field}")


def _missing_rows(reader: _Reader, specs: list[FieldSpec], seen: dict) -> None:
    for slug in reader.slugs:
        absent = [s for s in specs if (slug, s.theme, s.field) not in seen]
        if len(absent) == len(specs):
            reader.problems.append(f"{reader.label}: {CODED}: no row for site '{slug}'")
            continue
        reader.problems += [
            f"{reader.label}: {CODED}: no row for site '{slug}', field {s.theme}.{s.field}" for s in absent
        ]


def _read_findings(reader: _Reader, sheet: Worksheet) -> None:
    for number, (site, theme, text) in reader.rows(sheet):
        slug, theme_id = reader.site(FINDINGS, number, site), reader.theme(FINDINGS, number, theme)
        if slug and theme_id:
            items = reader.data[slug]["findings"][theme_id]
            reader.cells[slug][("findings", theme_id, len(items))] = f"{FINDINGS}!C{number}"
            items.append(_text(text))


def _read_highlights(reader: _Reader, sheet: Worksheet) -> None:
    for number, (site, theme, title, text) in reader.rows(sheet):
        slug = reader.site(HIGHLIGHTS, number, site)
        if slug:
            items = reader.data[slug]["highlights"]
            for column, key in zip("BCD", ("theme", "title", "text"), strict=True):
                reader.cells[slug][("highlights", len(items), key)] = f"{HIGHLIGHTS}!{column}{number}"
            items.append({"title": _text(title), "theme": _text(theme), "text": _text(text)})


def _read_perspectives(reader: _Reader, sheet: Worksheet) -> None:
    for number, (site, text) in reader.rows(sheet):
        slug = reader.site(PERSPECTIVES, number, site)
        if slug:
            items = reader.data[slug]["perspectives"]
            reader.cells[slug][("perspectives", len(items))] = f"{PERSPECTIVES}!B{number}"
            items.append(_text(text))


READERS = {CODED: _read_coded, FINDINGS: _read_findings, HIGHLIGHTS: _read_highlights, PERSPECTIVES: _read_perspectives}


def _open(path: Path, label: str) -> Workbook:
    if not path.exists():
        raise GridError([f"{label}: file not found"])
    try:
        check_zip_expansion(path, MAX_GRIDS_UNZIPPED_BYTES)
    except ValueError as exc:
        raise GridError([f"{label}: {exc}"]) from None
    try:
        return load_workbook(path, data_only=False)  # formula cells are seen as such, and refused
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise GridError([f"{label}: not a readable .xlsx workbook ({exc})"]) from None


def _check_headers(reader: _Reader, workbook: Workbook) -> list[str]:
    """Names of the sheets that are present with the expected header row."""
    usable = []
    for title, header in HEADERS.items():
        if title not in workbook.sheetnames:
            reader.problems.append(
                f"{reader.label}: sheet '{title}' is missing (expected sheets: {', '.join(HEADERS)})"
            )
            continue
        found = tuple(_text(c.value) for c in workbook[title][1][: len(header)])
        found += ("",) * (len(header) - len(found))
        if found != header and not (title == CODED and found == (*header[:-1], "")):  # before « à confirmer »
            reader.problem(f"{title}!A1", f"expected the header row {', '.join(header)}; found {', '.join(found)}")
            continue
        usable.append(title)
    return usable


def _cell_for(cells: dict[tuple, str], loc: tuple) -> str | None:
    """The cell behind a pydantic error location: the longest known prefix of ``loc``."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in cells:
            return cells[loc[:end]]
    return None


def _validate(reader: _Reader) -> dict[str, Grid]:
    """Validate every site; errors already reported while reading cells (or missing rows) are not repeated."""
    valid = {}
    for slug, data in reader.data.items():
        try:
            valid[slug] = Grid.model_validate(data)
        except ValidationError as exc:
            for item in exc.errors():
                cell = _cell_for(reader.cells[slug], tuple(item["loc"]))
                if item["type"] == "missing" or cell in reader.bad_cells:
                    continue
                key, message = describe_error(item)
                reader.problem(cell or f"(site {slug})", f"({slug}, {key}) {message}")
    return valid


def _read_workbook(edition: str | int, workbook: Workbook, label: str) -> dict[str, Grid]:
    reader = _Reader(label, load_edition(edition).slugs)
    for title in _check_headers(reader, workbook):
        READERS[title](reader, workbook[title])
    valid = _validate(reader)
    if reader.problems:
        raise GridError(reader.problems)
    return valid


def read_xlsx(edition: str | int, path: Path) -> dict[str, Grid]:
    """Every grid in the workbook, validated; raises GridError listing every problem with its cell."""
    return _read_workbook(edition, _open(path, path.name), path.name)


# --- import: what to write --------------------------------------------------------------------------


def _current(path: Path) -> Grid | None:
    """The grid in the file now (None when the file is absent or invalid)."""
    try:
        return load_grid(path) if path.is_file() else None
    except GridError:
        return None


def _changed_fields(before: Grid, after: Grid) -> str:
    old, new = units(before), units(after)
    return "fields " + ", ".join(name for name in new if new[name] != old[name])


class _Plan:
    """The grids to write, the files changed since the export and the merge conflicts, site by site."""

    def __init__(self, edition: str | int, mode: str, recorded: dict[str, Exported] | None, earlier: EarlierImports):
        self.edition, self.mode, self.recorded, self.earlier = edition, mode, recorded, earlier
        self.writes: dict[Path, Grid] = {}
        self.stale: list[Stale] = []
        self.conflicts: list[str] = []

    def site(self, slug: str, theirs: Grid) -> None:
        target = grid_path(self.edition, slug)
        ours = _current(target)
        if theirs == ours:  # the file already says what the workbook says: nothing to write, nothing lost
            return
        if self.recorded is None:  # --force
            self.writes[target] = theirs
            return
        exported = self.recorded.get(relative_name(self.edition, slug))
        if exported is None:  # a site the export did not cover: no base to merge from
            self.stale.append(Stale(target, True, "not in the workbook's record"))
            if self.mode == MERGE:
                self.conflicts.append(f"{display_path(target)}: not in the workbook's record, and different in it")
        elif file_sha(target) == exported.sha:
            if theirs != exported.grid:
                self.writes[target] = theirs
        elif self.earlier.wrote(target):  # as an earlier import of this workbook left it: nothing newer
            self.writes[target] = theirs
        elif theirs == exported.grid:
            self.stale.append(Stale(target, False))
        elif self.mode == CHECK:
            self.stale.append(Stale(target, True, _changed_fields(exported.grid, theirs)))
        else:
            self._merge(target, exported.grid, ours, theirs)

    def _merge(self, target: Path, base: Grid, ours: Grid | None, theirs: Grid) -> None:
        where = display_path(target)
        if ours is None:
            self.conflicts.append(f"{where}: deleted or made invalid since the export, and changed in the workbook")
            return
        merged = merge_grid(base, ours, theirs)
        if merged.grid is None:
            self.conflicts += [f"{where}, {conflict}" for conflict in merged.conflicts]
        elif merged.grid != ours:
            self.writes[target] = merged.grid


def _refuse_dropped(source: Path, dropped: dict[Path, list[str]], command: str) -> ImportRefusedError:
    lines = [f"importing {source.name} would drop YAML comments that the new values leave no place for:"]
    for path, found in dropped.items():
        lines += [f"  {display_path(path)}: {comment}" for comment in found]
    lines.append(
        "Nothing was written. Move these comments by hand (above their key, say), or import with "
        f"`{command} --force` (the files are saved first; `cohorte grids history` restores them)."
    )
    return ImportRefusedError("\n".join(lines))


def _texts(plan: _Plan, source: Path, command: str) -> dict[Path, str]:
    """The text of each grid to write (values updated in place); refuses to drop a comment unless forced."""
    texts, dropped = {}, {}
    for target, grid in plan.writes.items():
        header = f"# Grille d'observation — {target.parent.name}, édition {plan.edition} (importée de {source.name}).\n"
        texts[target] = grid_text(target, grid, header)
        if target.is_file() and (lost := dropped_comments(target.read_text(encoding="utf-8"), texts[target])):
            dropped[target] = lost
    if dropped and plan.mode != FORCE:
        raise _refuse_dropped(source, dropped, command)
    return texts


def _recorded(workbook: Workbook, edition: str | int, source: Path, command: str, mode: str) -> dict[str, Exported]:
    """The workbook's record ({} when it has none, under ``--force``); refused when absent or of another edition."""
    try:
        exported_from, recorded = read_record(workbook)
    except RecordError as exc:
        if mode == FORCE:
            return {}
        raise refuse_without_record(source, command, str(exc)) from None
    if exported_from != str(edition):
        raise ImportRefusedError(
            f"{source.name} holds the grids of edition {exported_from}, not {edition}; nothing was written"
        )
    return recorded


def import_xlsx(edition: str | int, path: Path, mode: str = CHECK) -> ImportResult:
    """Validate the workbook, then write the grids changed in it; nothing is written on any error.

    A grid file changed since the export stops the import (``check``), is merged field by field
    (``merge``: refused on a conflict) or replaced (``force``). Values are updated in place, so the
    YAML's comments and key order survive; every file replaced is backed up first.
    """
    path = Path(path)
    workbook = _open(path, path.name)
    grids = _read_workbook(edition, workbook, path.name)
    command = f"cohorte grids import {edition} {path}"
    recorded = _recorded(workbook, edition, path, command, mode)
    export = (
        record_id([(name, e.sha, e.grid.model_dump(mode="json")) for name, e in recorded.items()]) if recorded else None
    )
    plan = _Plan(edition, mode, None if mode == FORCE else recorded, EarlierImports(edition, export))
    for slug, grid in grids.items():
        plan.site(slug, grid)
    if plan.stale and mode == CHECK:
        raise refuse_stale(path, plan.stale, command, edition, "fields")
    if plan.conflicts:
        raise refuse_conflicts(path, plan.conflicts, command)
    texts = _texts(plan, path, command)
    kept = [s.path for s in plan.stale if s.path not in texts]
    flag = "" if mode == CHECK else f" --{mode}"
    return write_with_backup(
        edition, texts, kind="grids", command=command + flag, source=path, kept=kept, export=export
    )
