"""The spreadsheet round-trip never loses newer work: a stale workbook is refused with the files named,
--merge merges field by field and refuses a conflict, --force backs up first, `cohorte grids history`
restores, and the YAML's comments and key order survive an import. Real workbooks, the real CLI."""

from __future__ import annotations

import difflib
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from cohorte import grids
from cohorte.cli import main
from cohorte.grids.merge import merge_grid
from cohorte.grids.record import SHEET
from cohorte.grids.xlsx import CODED, HIGHLIGHTS, export_xlsx
from conftest import REPO


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def grid_file(home: Path, slug: str = "mel") -> Path:
    return home / "params/2020/sites" / slug / "grid.yml"


def snapshot(home: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted((home / "params/2020/sites").glob("*/grid.yml"))}


def edit_yaml(home: Path, old: str, new: str, slug: str = "mel") -> None:
    """Edit the grid file as text, as someone would in an editor."""
    path = grid_file(home, slug)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_cell(workbook_path: Path, slug: str, field: str, value: object) -> None:
    workbook = load_workbook(workbook_path)
    sheet = workbook[CODED]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == slug and f"{r[1].value}.{r[2].value}" == field)
    row[3].value = value
    workbook.save(workbook_path)


def test_when_a_grid_changed_since_the_export_then_import_refuses_naming_it(kit_home: Path, tmp_path: Path) -> None:
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    edit_yaml(kit_home, "  stage: null", "  stage: principles")
    set_cell(workbook, "mel", "flux.epci_posture", "proactive")
    before = snapshot(kit_home)
    result = run("grids", "import", "2020", str(workbook))
    assert result.exit_code == 1
    assert "these files changed since grilles.xlsx was exported:" in result.output
    assert "params/2020/sites/mel/grid.yml (changed in grilles.xlsx too: fields flux.epci_posture)" in result.output
    assert "Nothing was written." in result.output and "--merge" in result.output
    assert snapshot(kit_home) == before


def test_when_the_two_sides_changed_different_fields_then_merge_keeps_both(kit_home: Path, tmp_path: Path) -> None:
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    edit_yaml(kit_home, "  stage: null", "  stage: principles  # corrigé après l'entretien du 3 mars")
    set_cell(workbook, "mel", "flux.epci_posture", "proactive")
    set_cell(workbook, "carene", "cotation.stage", "operational")
    result = run("grids", "import", "2020", str(workbook), "--merge")
    assert result.exit_code == 0, result.output
    assert "updated params/2020/sites/mel/grid.yml" in result.output
    assert "updated params/2020/sites/carene/grid.yml" in result.output
    after = grids.load_grids(2020)
    assert after["mel"].cotation.stage == "principles" and after["mel"].flux.epci_posture == "proactive"
    assert after["carene"].cotation.stage == "operational"
    assert "  stage: principles  # corrigé après l'entretien du 3 mars\n" in grid_file(kit_home).read_text("utf-8")


def test_when_both_sides_changed_the_same_field_then_merge_refuses_naming_it(kit_home: Path, tmp_path: Path) -> None:
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    edit_yaml(kit_home, "  stage: null", "  stage: principles")
    set_cell(workbook, "mel", "cotation.stage", "operational")
    set_cell(workbook, "carene", "flux.epci_posture", "pilot")
    before = snapshot(kit_home)
    result = run("grids", "import", "2020", str(workbook), "--merge")
    assert result.exit_code == 1
    assert (
        "params/2020/sites/mel/grid.yml, cotation.stage: exported null, now 'principles' in the file, "
        "'operational' in the workbook" in result.output
    )
    assert snapshot(kit_home) == before


def test_when_forced_then_the_grid_is_backed_up_and_restore_brings_it_back(kit_home: Path, tmp_path: Path) -> None:
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    edit_yaml(kit_home, "  stage: null", "  stage: principles")
    newer = grid_file(kit_home).read_bytes()
    result = run("grids", "import", "2020", str(workbook), "--force")
    assert result.exit_code == 0, result.output
    assert grids.load_grids(2020)["mel"].cotation.stage is None
    backup_id = result.output.split("saved as backup ")[1].split()[0]
    listing = run("grids", "history", "2020")
    assert f"{backup_id}  " in listing.output and "    sites/mel/grid.yml" in listing.output
    restored = run("grids", "history", "2020", "--restore", backup_id)
    assert restored.exit_code == 0, restored.output
    assert grid_file(kit_home).read_bytes() == newer
    assert len(run("grids", "history", "2020").output.split("cohorte grids ")) == 3  # the restore backed up too


def test_when_a_value_is_imported_then_the_yaml_keeps_its_comments_and_key_order(
    kit_home: Path, tmp_path: Path
) -> None:
    edit_yaml(kit_home, "  cia: {status: in_progress, year: null}", "  cia: {status: in_progress, year: null}  # CIET")
    edit_yaml(kit_home, "interviews:", "# Entretiens menés en novembre 2020.\ninterviews:")
    before = grid_file(kit_home).read_text(encoding="utf-8")
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    set_cell(workbook, "mel", "governance.cia.status", "adopted")
    set_cell(workbook, "mel", "governance.cia.year", 2021)
    result = run("grids", "import", "2020", str(workbook))
    assert result.exit_code == 0, result.output
    after = grid_file(kit_home).read_text(encoding="utf-8")
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    assert [" ".join(line.split()) for line in diff if line[:2] in ("+ ", "- ")] == [  # the comment keeps its column
        "- cia: {status: in_progress, year: null} # CIET",
        "+ cia: {status: adopted, year: 2021} # CIET",
    ]
    assert grids.load_grids(2020)["mel"].governance.cia.year == 2021


def test_when_an_import_would_drop_a_comment_then_it_is_refused_naming_it_unless_forced(
    kit_home: Path, tmp_path: Path
) -> None:
    edit_yaml(kit_home, "    theme: flux\n", "    theme: flux  # encadré repris de la partie IV\n")
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    sheet = workbook[HIGHLIGHTS]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "mel" and r[1].value == "flux")
    sheet.delete_rows(row)
    workbook.save(workbook_path)
    before = snapshot(kit_home)
    result = run("grids", "import", "2020", str(workbook_path))
    assert result.exit_code == 1
    assert "would drop YAML comments that the new values leave no place for:" in result.output
    assert "params/2020/sites/mel/grid.yml: # encadré repris de la partie IV" in result.output
    assert snapshot(kit_home) == before
    forced = run("grids", "import", "2020", str(workbook_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert len(grids.load_grids(2020)["mel"].highlights) == 3
    backup_id = forced.output.split("saved as backup ")[1].split()[0]
    saved = kit_home / "params/2020/.history" / backup_id / "files/sites/mel/grid.yml"
    assert "# encadré repris de la partie IV" in saved.read_text(encoding="utf-8")


def test_when_a_workbook_has_no_record_then_import_refuses_unless_forced(kit_home: Path, tmp_path: Path) -> None:
    workbook_path = export_xlsx(2020, tmp_path / "grilles.xlsx")
    workbook = load_workbook(workbook_path)
    del workbook[SHEET]  # as an older cohorte exported it
    workbook.save(workbook_path)
    set_cell(workbook_path, "mel", "cotation.stage", "operational")
    before = snapshot(kit_home)
    result = run("grids", "import", "2020", str(workbook_path))
    assert result.exit_code == 1
    assert "grilles.xlsx carries no record of the files it was exported from" in result.output
    assert snapshot(kit_home) == before
    forced = run("grids", "import", "2020", str(workbook_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert grids.load_grids(2020)["mel"].cotation.stage == "operational"


def test_when_the_record_sheet_is_very_hidden_then_consultants_do_not_see_it(tmp_path: Path) -> None:
    workbook = load_workbook(export_xlsx(2020, tmp_path / "grilles.xlsx"))
    assert workbook[SHEET].sheet_state == "veryHidden"
    assert workbook[SHEET]["B3"].value is not None and len(workbook[SHEET]["B3"].value) == 64


def _changed(grid: grids.Grid, theme: str, **values: object) -> grids.Grid:
    data = grid.model_dump()
    data[theme].update(values)
    return grids.Grid.model_validate(data)


def test_when_merged_changes_break_a_rule_together_then_the_merge_is_a_conflict() -> None:
    base = grids.load_grid(REPO / "params/2020/sites/carene/grid.yml")
    assert base.demand_service.demand_register == "shared_file"
    ours = _changed(base, "demand_service", shared_file_since=2015)
    theirs = _changed(base, "demand_service", demand_register="sne")
    merged = merge_grid(base, ours, theirs)
    assert merged.grid is None
    assert merged.conflicts[0].startswith(
        "demand_service.demand_register taken from the workbook make the grid invalid"
    )
    assert "shared_file_since" in merged.conflicts[0]
    fine = merge_grid(base, ours, _changed(base, "cotation", stage="operational"))
    assert fine.grid is not None and fine.taken == ["cotation.stage"]
    assert fine.grid.demand_service.shared_file_since == 2015 and fine.grid.cotation.stage == "operational"


def test_when_a_workbook_is_imported_again_after_more_edits_then_its_own_earlier_import_is_no_obstacle(
    kit_home: Path, tmp_path: Path
) -> None:
    workbook = export_xlsx(2020, tmp_path / "grilles.xlsx")
    set_cell(workbook, "mel", "flux.epci_posture", "proactive")
    assert run("grids", "import", "2020", str(workbook)).exit_code == 0
    again = run("grids", "import", "2020", str(workbook))
    assert again.exit_code == 0 and "0 grid(s) updated" in again.output, again.output
    set_cell(workbook, "mel", "cotation.stage", "operational")
    result = run("grids", "import", "2020", str(workbook))
    assert result.exit_code == 0, result.output
    mel = grids.load_grids(2020)["mel"]
    assert mel.flux.epci_posture == "proactive" and mel.cotation.stage == "operational"
    edit_yaml(kit_home, "  stage: operational", "  stage: principles")  # newer work after the imports
    set_cell(workbook, "mel", "flux.epci_posture", "pilot")
    refused = run("grids", "import", "2020", str(workbook))
    assert refused.exit_code == 1 and "params/2020/sites/mel/grid.yml (changed in grilles.xlsx too" in refused.output
