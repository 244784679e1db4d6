"""``cohorte new-edition``: an edition started from the previous one, its grids to confirm, a renewed cohort."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cohorte import grids
from cohorte.cli import main
from cohorte.editions import load_edition
from cohorte.errors import ParamsError
from cohorte.grids.xlsx import CODED, export_xlsx, import_xlsx
from cohorte.report.placeholders import Placeholders
from cohorte.report.text import texts
from cohorte.runner.new_edition import new_edition


def test_when_an_edition_starts_from_2020_then_settings_grids_and_prose_are_carried_over(home_2020: Path) -> None:
    done = new_edition(2021, 2020)
    edition = load_edition(2021)
    assert edition.reference_date.isoformat() == "2021-12-31"
    assert edition.previous_edition == 2020
    assert edition.slugs == load_edition(2020).slugs and done.carried == edition.slugs
    assert "Édition 2021" in edition.subtitle and "À COMPLÉTER" in edition.fieldwork
    mel = grids.load_grids(2021)["mel"]
    assert mel.to_confirm == list(grids.confirmable_fields())
    assert mel.interviews == [] and mel.cotation == grids.load_grids(2020)["mel"].cotation
    assert (home_2020 / "params/2021/sites/mel/prose/cotation.md").read_text(encoding="utf-8") == (
        home_2020 / "params/2020/sites/mel/prose/cotation.md"
    ).read_text(encoding="utf-8")
    assert not (home_2020 / "params/2021/stated.yml").exists() and not (home_2020 / "params/2021/synthesis").exists()


def test_when_new_edition_then_check_passes_and_warns_about_fields_to_confirm(home_2020: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["new-edition", "2021", "--from", "2020"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["demo-data", "2021"]).exit_code == 0
    result = runner.invoke(main, ["check", "2021"])
    assert result.exit_code == 0, result.output
    assert "All checks passed." in result.output
    assert (
        "params/2021/sites/mel/grid.yml: 31 coded field(s) carried over from edition 2020 still to confirm"
        in result.output
    )


def test_when_the_cohort_is_renewed_then_a_site_leaves_and_a_known_one_rejoins(home_2020: Path) -> None:
    new_edition(2021, 2020, drop=["agglopolys", "mel"])
    done = new_edition(2022, 2021, add=["mel"])
    edition = load_edition(2022)
    assert "agglopolys" not in edition.slugs and edition.slugs[-1] == "mel"
    assert done.joined == ["mel"] and done.to_complete == []  # identity found in edition 2020
    assert grids.load_grids(2022)["mel"].to_confirm == []  # a joining site starts from an empty grid


def test_when_a_new_site_joins_then_its_identity_is_to_complete_and_check_says_which_keys(home_2020: Path) -> None:
    done = new_edition(2021, 2020, add=["pays-de-test"])
    assert done.to_complete == ["pays-de-test"]
    assert (home_2020 / "params/2021/sites/pays-de-test/prose/flux.md").exists()
    with pytest.raises(ParamsError, match=r"sites\[12\]\.communes"):
        load_edition(2021)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drop", "nowhere"], "--drop nowhere: not a site of edition 2020"),
        (["--add", "mel"], "--add mel: already a site of edition 2020"),
        (["--add", "Bad_Slug"], "not a slug"),
    ],
)
def test_when_options_are_wrong_then_nothing_is_written(home_2020: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["new-edition", "2021", "--from", "2020", *args])
    assert result.exit_code == 1 and message in result.output
    assert not (home_2020 / "params/2021").exists()


def test_when_the_edition_exists_then_it_is_not_overwritten(home_2020: Path) -> None:
    new_edition(2021, 2020)
    with pytest.raises(ParamsError, match="params/2021: already exists"):
        new_edition(2021, 2020)


def test_when_fields_to_confirm_go_through_the_spreadsheet_then_confirmation_round_trips(
    home_2020: Path, tmp_path: Path
) -> None:
    new_edition(2021, 2020)
    path = export_xlsx(2021, tmp_path / "grilles.xlsx")
    workbook = load_workbook(path)
    sheet = workbook[CODED]
    assert sheet["F1"].value == "à confirmer"
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "mel" and row[1].value == "cotation" and row[2].value == "stage":
            row[5].value = None  # the consultant confirms the stage
    workbook.save(path)
    assert [p.parent.name for p in import_xlsx(2021, path).written] == ["mel"]
    mel = grids.load_grids(2021)["mel"]
    assert "cotation.stage" not in mel.to_confirm and len(mel.to_confirm) == len(grids.confirmable_fields()) - 1


def test_when_the_legal_calendar_is_read_for_2021_then_cotation_is_due_31_december_2021(home_2020: Path) -> None:
    new_edition(2021, 2020)
    edition = load_edition(2021)
    places = Placeholders(edition, grids.load_grids(2021), texts(2021), None, {})
    assert places.context()["deadline"]("cotation").isoformat() == "2021-12-31"
