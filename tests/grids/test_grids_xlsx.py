"""Spreadsheet round-trip of the observation grids: lossless, and all-or-nothing on errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cohorte import grids
from cohorte.cli import main
from cohorte.errors import GridError
from cohorte.grids.xlsx import CODED, FINDINGS, HIGHLIGHTS, export_xlsx, import_xlsx, parse_cell
from cohorte.roundtrip import FORCE


def _snapshot(home: Path) -> dict[str, tuple[int, str]]:
    folder = home / "params/2020/sites"
    return {
        p.parent.name: (p.stat().st_mtime_ns, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/grid.yml"))
    }


def _row_of(sheet, slug: str, field: str) -> int:  # type: ignore[no-untyped-def]
    """Row of ``field`` (dotted, from the theme or within it) for ``slug`` in the Grilles sheet."""
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == slug and field in (row[2].value, f"{row[1].value}.{row[2].value}"):
            return row[0].row
    raise AssertionError(f"no row for {slug} / {field}")


def test_export_then_import_is_lossless(kit_home: Path, tmp_path: Path) -> None:
    before = grids.load_grids(2020)
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    for path in (kit_home / "params/2020/sites").glob("*/grid.yml"):  # force a full rewrite
        path.unlink()
    written = import_xlsx(2020, workbook, FORCE).written  # the files are gone: forced, as they changed
    assert len(written) == 12
    assert grids.load_grids(2020) == before


def test_import_of_an_unchanged_workbook_rewrites_nothing(kit_home: Path, tmp_path: Path) -> None:
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    before = _snapshot(kit_home)
    assert import_xlsx(2020, workbook).written == []
    assert _snapshot(kit_home) == before


def test_import_of_one_changed_value_rewrites_that_grid_and_keeps_its_header(kit_home: Path, tmp_path: Path) -> None:
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    sheet = workbook[CODED]
    sheet[f"D{_row_of(sheet, 'mel', 'cotation.stage')}"] = "principles"
    workbook.save(workbook_path)
    written = import_xlsx(2020, workbook_path).written
    assert [p.parent.name for p in written] == ["mel"]
    assert grids.load_grids(2020)["mel"].cotation.stage == "principles"
    assert "synthese-2020.md" in grids.comment_header(written[0])


def test_export_offers_allowed_values_as_drop_down_lists(tmp_path: Path) -> None:
    sheet = load_workbook(export_xlsx(2020, tmp_path / "grilles.xlsx"))[CODED]
    assert sheet.max_row == 1 + 12 * len(grids.coded_fields())
    cell = f"D{_row_of(sheet, 'mel', 'cotation.stage')}"
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list" and cell in v.sqref]
    assert len(lists) == 1
    column = lists[0].formula1.split("$")[1]
    hidden = sheet.parent["Listes"]
    values = [c.value for c in hidden[column] if c.value is not None]
    assert values == ["none", "observation", "reflection", "principles", "started", "about_to_finish", "operational"]


def test_when_import_has_errors_then_nothing_is_written_and_every_cell_is_named(kit_home: Path, tmp_path: Path) -> None:
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    sheet = workbook[CODED]
    stage, year = _row_of(sheet, "mel", "cotation.stage"), _row_of(sheet, "carene", "demand_service.shared_file_since")
    sheet[f"D{stage}"] = "operationel"
    sheet[f"D{year}"] = "vers 2010"
    sheet[f"D{_row_of(sheet, 'grand-besancon', 'targets.non_q1_in_qpv')}"] = 167
    workbook[HIGHLIGHTS]["B2"] = "gouvernance"
    for cell, value in (
        ("A2", "blois"),
        ("B2", "governance"),
        ("C2", "Un constat."),
    ):  # findings now live in prose: the sheet is empty
        workbook[FINDINGS][cell] = value
    sheet[f"D{_row_of(sheet, 'agglopolys', 'targets.non_q1_in_qpv')}"] = 60  # a valid change, not written either
    workbook.save(workbook_path)
    before = _snapshot(kit_home)
    with pytest.raises(GridError) as caught:
        import_xlsx(2020, workbook_path)
    message = str(caught.value)
    assert (
        f"grilles.xlsx: {CODED}!D{stage}: (mel, cotation.stage) 'operationel' is not allowed; allowed values: none"
        in message
    )
    assert f"{CODED}!D{year}: (carene, demand_service.shared_file_since) expected a year" in message
    assert "less than or equal to 100" in message
    assert f"{HIGHLIGHTS}!B2:" in message and "'gouvernance' is not allowed" in message
    assert f"{FINDINGS}!A2: unknown site 'blois'" in message
    assert len(caught.value.problems) == 5
    assert _snapshot(kit_home) == before


def test_when_a_row_is_deleted_then_import_names_the_missing_field(kit_home: Path, tmp_path: Path) -> None:
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    sheet = workbook[CODED]
    sheet.delete_rows(_row_of(sheet, "mel", "flux.epci_posture"))
    workbook.save(workbook_path)
    with pytest.raises(GridError, match=r"Grilles: no row for site 'mel', field flux\.epci_posture"):
        import_xlsx(2020, workbook_path)


def test_when_a_sheet_is_missing_then_import_says_which(kit_home: Path, tmp_path: Path) -> None:
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    del workbook["Perspectives"]
    workbook.save(workbook_path)
    with pytest.raises(GridError, match="sheet 'Perspectives' is missing"):
        import_xlsx(2020, workbook_path)


def test_when_file_is_not_a_workbook_then_error_names_it(tmp_path: Path) -> None:
    bogus = tmp_path / "grilles.xlsx"
    bogus.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(GridError, match=r"grilles\.xlsx: not a readable \.xlsx workbook"):
        import_xlsx(2020, bogus)


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("cil_installed", 2017.0, 2017),
        ("cil_installed", "2017", 2017),
        ("targets.non_q1_in_qpv", "55,5", 55.5),
        ("info_videos", "VRAI", True),
        ("info_videos", None, None),
        ("negotiations", "state; action_logement", ["state", "action_logement"]),
        ("technical_bodies", None, []),
        (
            "differentiated_targets",
            "indicator=q1_outside_qpv,commune=63113,target=20",
            [{"indicator": "q1_outside_qpv", "commune": "63113", "landlord": None, "target": 20.0}],
        ),
    ],
)
def test_parse_cell_reads_what_consultants_type(field: str, raw: object, expected: object) -> None:
    spec = next(s for s in grids.coded_fields() if s.field == field)
    assert parse_cell(spec, raw) == expected


def test_grids_cli_export_and_import(kit_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    workbook = tmp_path / "grilles.xlsx"
    result = runner.invoke(main, ["grids", "export", "2020", str(workbook)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["grids", "import", "2020", str(workbook)])
    assert result.exit_code == 0, result.output
    assert "0 grid(s) updated" in result.output


def test_grids_cli_import_with_errors_exits_1_and_lists_cells(kit_home: Path, tmp_path: Path) -> None:
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    sheet = workbook[CODED]
    row = _row_of(sheet, "mel", "flux.epci_posture")
    sheet[f"D{row}"] = "leader"
    workbook.save(workbook_path)
    result = CliRunner().invoke(main, ["grids", "import", "2020", str(workbook_path)])
    assert result.exit_code == 1
    assert f"{CODED}!D{row}" in result.output and "'leader' is not allowed" in result.output


# --- formula injection ---------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","clic")', "+1+cmd|' /C calc'!A0", "-2 points sur un an", "@SUM(A1:A9)"]


def _with_formula_like_findings(home: Path) -> None:
    import yaml

    path = home / "params/2020/sites/mel/grid.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["findings"]["flux"] = FORMULAS
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_when_grid_text_looks_like_a_formula_then_the_workbook_holds_it_as_text_and_reads_it_back(
    kit_home: Path, tmp_path: Path
) -> None:
    _with_formula_like_findings(kit_home)
    before = grids.load_grids(2020)
    path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    cells = [
        c
        for row in load_workbook(path)[FINDINGS].iter_rows(min_row=2)
        for c in row
        if c.value in [f"'{f}" for f in FORMULAS]
    ]
    assert len(cells) == len(FORMULAS) and all(c.data_type == "s" for c in cells)
    assert import_xlsx(2020, path).written == []  # the apostrophe is the kit's, not the consultant's
    assert grids.load_grids(2020) == before


def test_when_a_cell_holds_a_real_formula_then_import_names_sheet_and_cell(kit_home: Path, tmp_path: Path) -> None:
    path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(path)
    workbook[FINDINGS]["C7"] = "=1+1"
    workbook.save(path)
    before = _snapshot(kit_home)
    with pytest.raises(GridError) as caught:
        import_xlsx(2020, path)
    assert "grilles.xlsx: Constats!C7: cell C7 holds a formula; type the value" in caught.value.problems
    assert _snapshot(kit_home) == before


def test_published_csv_tables_neutralise_formula_like_text(kit_home: Path, tmp_path: Path) -> None:
    import pandas as pd

    from cohorte.files import csv_text

    frame = pd.DataFrame({"site": ["mel", "mel"], "value": ["=1+1", "texte"], "n": [-3, 4]})
    assert csv_text(frame).splitlines() == ["site,value,n", "mel,'=1+1,-3", "mel,texte,4"]
    _edit_technical_bodies(kit_home)
    result = CliRunner().invoke(main, ["grids", "table", "2020"])
    assert "mel,governance,technical_bodies,'=cmd|calc;CIL" in result.output


def _edit_technical_bodies(home: Path) -> None:
    import yaml

    path = home / "params/2020/sites/mel/grid.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["governance"]["technical_bodies"] = ["=cmd|calc", "CIL"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
