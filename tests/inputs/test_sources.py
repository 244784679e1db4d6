"""Sources: official and declared layouts read through one seam, with errors naming the file's own
column and line."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cohorte.editions import TableSource, load_edition
from cohorte.errors import InputDataError
from cohorte.grids import load_grids
from cohorte.indicators.published import published_with_facts
from cohorte.inputs import demo
from cohorte.inputs.readers import load_inputs
from cohorte.inputs.sources.layout import to_layout
from cohorte.inputs.sources.model import builtin_sources
from cohorte.reference.epci import epci_by_commune, load_referential

SLUG, SIREN = "agglopolys", "200030385"
LAYOUTS = {"demands": "sne-demandes", "attributions": "sne-attributions", "housing_stock": "demo-rpls"}


@pytest.fixture(scope="module")
def one_site():
    edition = load_edition(2020)
    return edition.model_copy(update={"sites": [edition.site(SLUG)]})


@pytest.fixture(scope="module")
def tables(one_site):
    return demo.generate(one_site, seed=7)


def _write_kit(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    demo.write_tables(tables, folder, "csv")
    return folder


def _write_layouts(tables: dict[str, pd.DataFrame], folder: Path, layouts: dict[str, str]) -> dict:
    """The tables in the given layouts (by table), the others in the kit's; returns edition.yml's ``tables``."""
    folder.mkdir(parents=True, exist_ok=True)
    declared = {}
    for table, frame in tables.items():
        name = layouts.get(table)
        if name is None:
            frame.to_csv(folder / f"{table}.csv", index=False)
            continue
        source = builtin_sources()[name]
        sirens = frame.assign(epci=frame["epci"].replace({SLUG: SIREN}))
        to_layout(sirens, source).to_csv(folder / f"{name}.csv", sep=";", index=False, encoding="utf-8-sig")
        declared[table] = TableSource(file=f"{name}.csv", source=name)
    return declared


def _published(edition, folder: Path) -> pd.DataFrame:
    grids = {SLUG: load_grids(2020)[SLUG]}
    return published_with_facts(edition, folder, grids)[0]


def test_when_the_same_rows_are_written_in_each_layout_then_every_published_figure_is_identical(
    one_site, tables, tmp_path
):
    kit = _published(one_site, _write_kit(tables, tmp_path / "kit"))
    declared = _write_layouts(tables, tmp_path / "official", LAYOUTS)
    official = _published(one_site.model_copy(update={"tables": declared}), tmp_path / "official")
    pd.testing.assert_frame_equal(kit, official)


def _rpls_public(tables: dict[str, pd.DataFrame], folder: Path) -> dict:
    """The stock in rpls-public, its fictitious communes replaced by Agglopolys' real ones."""
    stock = tables["housing_stock"]
    real = sorted(load_referential()[SIREN].communes)
    fake = sorted(stock["commune"].unique())
    frame = stock.assign(commune=stock["commune"].map(dict(zip(fake, real * len(fake), strict=False))))
    declared = _write_layouts({**tables, "housing_stock": frame}, folder, {"housing_stock": "rpls-public"})
    return declared


def test_when_the_stock_is_rpls_public_then_rent_figures_are_not_computable_and_said_so(one_site, tables, tmp_path):
    declared = _rpls_public(tables, tmp_path)
    edition = one_site.model_copy(update={"tables": declared})
    table, facts = published_with_facts(edition, tmp_path, {SLUG: load_grids(2020)[SLUG]})
    assert "q1_affordable_stock_share" not in set(table["indicator"])
    assert "flux_reserved_stock_share" not in set(table["indicator"])
    assert "small_typology_supply_share" in set(table["indicator"])
    assert facts[SLUG]["sources"]["housing_stock"] == "rpls-public"
    assert facts[SLUG]["not_computable"]["q1_affordable_stock_share"] == {
        "table": "housing_stock",
        "column": "monthly_rent_eur",
        "source": "rpls-public",
    }


def test_when_the_rent_is_not_computable_then_the_monograph_sentence_says_so():
    from cohorte.report.narrative import affordable_stock_sentence

    sentence = affordable_stock_sentence(pd.DataFrame(), not_computable={"source": "rpls-public"})
    assert "n'est pas calculable" in sentence
    assert "rpls-public" in sentence


def _stock_file(one_site, tables, tmp_path, edit) -> tuple:
    declared = _rpls_public(tables, tmp_path)
    path = tmp_path / "rpls-public.csv"
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    edit(frame)
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return one_site.model_copy(update={"tables": declared}), path


def _problems(edition, folder) -> str:
    with pytest.raises(InputDataError) as caught:
        load_inputs(edition, folder)
    return "\n".join(caught.value.problems)


def test_when_a_code_is_unknown_then_the_error_names_the_file_column_lines_and_values(one_site, tables, tmp_path):
    def edit(frame):
        frame.loc[3, "FINAN_CODE"] = "18"

    edition, path = _stock_file(one_site, tables, tmp_path, edit)
    message = _problems(edition, tmp_path)
    assert f"{path}: column 'FINAN_CODE': code(s) '18' not in the mapping for financing" in message
    assert "line 5 ('18')" in message


def test_when_a_mapped_column_is_missing_then_the_error_says_what_the_mapping_expected(one_site, tables, tmp_path):
    edition, path = _stock_file(one_site, tables, tmp_path, lambda f: f.pop("QPV"))
    assert f"{path}: missing column(s) QPV (for in_qpv) that source 'rpls-public' maps" in _problems(edition, tmp_path)


def test_when_a_cell_is_bad_then_the_error_names_the_original_column(one_site, tables, tmp_path):
    def edit(frame):
        frame.loc[0, "NBPIECE"] = "beaucoup"

    edition, path = _stock_file(one_site, tables, tmp_path, edit)
    message = _problems(edition, tmp_path)
    assert f"{path}: column 'NBPIECE' (mapped onto rooms by source rpls-public): expected a whole number" in message
    assert "line 2 ('beaucoup')" in message


def test_when_a_commune_belongs_to_no_epci_then_it_is_reported_with_file_line_and_code(one_site, tables, tmp_path):
    def edit(frame):
        frame.loc[1, "DEPCOM"] = "41999"

    edition, path = _stock_file(one_site, tables, tmp_path, edit)
    message = _problems(edition, tmp_path)
    assert f"{path}: column 'DEPCOM': commune code(s) '41999' belong to no EPCI" in message
    assert "line 3 ('41999')" in message


def test_when_the_file_is_of_another_source_then_the_error_names_the_one_it_looks_like(one_site, tables, tmp_path):
    declared = _write_layouts(tables, tmp_path, {"housing_stock": "demo-rpls"})
    declared["housing_stock"] = TableSource(file="demo-rpls.csv", source="rpls-public")
    message = _problems(one_site.model_copy(update={"tables": declared}), tmp_path)
    assert "demo-rpls.csv: is not a file of source 'rpls-public'" in message
    assert "it looks like a file of source demo-rpls, rpls-loi" in message


def test_when_dates_are_in_two_formats_then_the_error_names_both(one_site, tables, tmp_path):
    declared = _write_layouts(tables, tmp_path, {"demands": "sne-demandes"})
    path = tmp_path / "sne-demandes.csv"
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame.loc[2, "DATE_DEPOT"] = "2019-03-04"
    frame.to_csv(path, sep=";", index=False)
    message = _problems(one_site.model_copy(update={"tables": declared}), tmp_path)
    assert f"{path}: column 'DATE_DEPOT': expected a date written %d/%m/%Y; found at line 4 ('2019-03-04')" in message


def test_when_the_declared_file_does_not_exist_then_the_error_names_it_and_the_table(one_site, tables, tmp_path):
    declared = _write_layouts(tables, tmp_path, {})
    declared["housing_stock"] = TableSource(file="rpls_2020.csv", source="rpls-public")
    message = _problems(one_site.model_copy(update={"tables": declared}), tmp_path)
    assert (
        f"{tmp_path / 'rpls_2020.csv'}: no such file; params/2020/edition.yml names it for table 'housing_stock'"
        in (message)
    )


def test_when_a_source_is_unknown_then_the_error_lists_the_known_ones(one_site, tables, tmp_path):
    declared = _write_layouts(tables, tmp_path, {})
    declared["housing_stock"] = TableSource(file="housing_stock.csv", source="rpls-2031")
    message = _problems(one_site.model_copy(update={"tables": declared}), tmp_path)
    assert "unknown source 'rpls-2031' for table 'housing_stock'; expected one of demo-rpls, kit, rpls-loi" in message


def test_when_communes_are_arrondissements_or_merged_then_they_map_to_their_epci():
    by_commune = epci_by_commune()
    assert by_commune["75101"] == by_commune["75056"]  # Paris 1er → Paris → Métropole du Grand Paris
    assert by_commune["13201"] == by_commune["13055"]  # Marseille 1er
    assert by_commune["69381"] == by_commune["69123"]  # Lyon 1er
    assert by_commune["01340"] == by_commune["01015"]  # merged into Arboys en Bugey


def _declare(folder: Path, text: str) -> Path:
    path = folder / "params" / "2020" / "sources" / "mine.yml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


MINE = """name: mine
table: housing_stock
layout: a landlord's export
columns:
  rooms: {column: PIECES}
  surface_m2: {column: PIECES}
"""


def test_when_a_source_maps_one_column_onto_two_then_it_is_refused(tmp_path, monkeypatch):
    from cohorte.errors import ParamsError
    from cohorte.inputs.sources.model import load_source

    monkeypatch.setenv("COHORTE_HOME", str(tmp_path))
    path = _declare(tmp_path, MINE)
    with pytest.raises(ParamsError, match=r"mine\.yml: .*column 'PIECES' is mapped onto rooms and surface_m2"):
        load_source("mine", "housing_stock", 2020)
    path.write_text(MINE.replace("  surface_m2: {column: PIECES}\n", "  rooms: {column: SURFACE}\n"))
    with pytest.raises(ParamsError, match=r"mine\.yml: not valid YAML: key 'rooms' appears twice"):
        load_source("mine", "housing_stock", 2020)


def test_when_a_file_is_inspected_then_its_format_source_and_a_skeleton_are_given(one_site, tables, tmp_path):
    from click.testing import CliRunner

    from cohorte.cli import main

    _rpls_public(tables, tmp_path)
    path, out = tmp_path / "rpls-public.csv", tmp_path / "mine.yml"
    result = CliRunner().invoke(main, ["data", "inspect", str(path), "--skeleton", str(out)])
    assert result.exit_code == 0, result.output
    rows = len(tables["housing_stock"])
    assert "encoding   utf-8-sig" in result.output
    assert "delimiter  ';'" in result.output
    assert f"rows       {rows:,}".replace(",", " ") in result.output
    assert "source     rpls-public" in result.output
    assert "in_qpv:\n    column: QPV\n    codes:\n      '1': 'true'" in out.read_text(encoding="utf-8")
    again = CliRunner().invoke(main, ["data", "inspect", str(path), "--skeleton", str(out)])
    assert again.exit_code == 1
    assert f"{out} already exists" in again.output


def test_when_an_unknown_export_is_inspected_then_the_skeleton_maps_what_it_can(tmp_path):
    from click.testing import CliRunner

    from cohorte.cli import main

    path, out = tmp_path / "bailleur.csv", tmp_path / "bailleur.yml"
    path.write_bytes("commune;Pièces;loyer\n41018;3;412,5\n41018;2;350\n".encode("cp1252"))
    result = CliRunner().invoke(
        main, ["data", "inspect", str(path), "--table", "housing_stock", "--skeleton", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "encoding   cp1252" in result.output
    assert re.search(r"Pièces +3, 2\n", result.output)
    assert "no built-in source matches" in result.output
    skeleton = out.read_text(encoding="utf-8")
    assert "commune:\n    column: commune" in skeleton
    assert "rooms:\n    lacking: true" in skeleton


def test_when_check_reads_an_official_layout_then_it_names_the_source_and_what_it_cannot_compute(
    one_site, tables, tmp_path, monkeypatch
):
    from cohorte.runner.checks import _inputs_summary

    declared = _rpls_public(tables, tmp_path)
    inputs = load_inputs(one_site.model_copy(update={"tables": declared}), tmp_path)
    text = "\n".join(_inputs_summary(inputs, tmp_path))
    assert "Sources: housing_stock through rpls-public" in text
    assert (
        "q1_affordable_stock_share: not computable from source rpls-public (housing_stock has no monthly_rent_eur)"
        in (text)
    )


def _by_groups(edition, folder: Path) -> pd.DataFrame:
    from cohorte.indicators import chunked
    from cohorte.indicators.published import site_targets

    grids = {SLUG: load_grids(2020)[SLUG]}
    return chunked.published_by_groups(
        edition, folder, lambda sub: site_targets(sub, grids), edition.cotation_grid_path()
    )


def test_when_groups_read_official_layouts_then_they_give_the_whole_reads_table(one_site, tables, tmp_path):
    edition = one_site.model_copy(update={"tables": _write_layouts(tables, tmp_path, LAYOUTS)})
    pd.testing.assert_frame_equal(_by_groups(edition, tmp_path), _published(edition, tmp_path))


def test_when_groups_read_a_national_file_then_rows_outside_the_sites_are_counted_not_silently_dropped(
    one_site, tables, tmp_path
):
    from cohorte.indicators import chunked
    from cohorte.indicators.published import site_targets

    declared = _rpls_public(tables, tmp_path)
    path = tmp_path / "rpls-public.csv"
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].replace('"', "").split(";")
    dwelling = {"DEPCOM": "56121", "QPV": "2", "NBPIECE": "3", "SURFHAB": "60.0", "CONSTRUCT": "1990"}
    line = ";".join(dwelling.get(column, "13") for column in header)  # FINAN_CODE 13
    with path.open("a", encoding="utf-8") as handle:  # two dwellings of Lorient Agglomération (56121)
        handle.write(f"{line}\n{line}\n")
    edition, notes = one_site.model_copy(update={"tables": declared}), []
    grids = {SLUG: load_grids(2020)[SLUG]}
    chunked.published_by_groups(
        edition, tmp_path, lambda sub: site_targets(sub, grids), edition.cotation_grid_path(), notes=notes
    )
    assert notes == [f"{path}: 2 rows in EPCI that are not sites of the edition, left out"]


def test_when_groups_read_rpls_public_then_bad_cells_are_cited_in_the_files_own_column(one_site, tables, tmp_path):
    def edit(frame):
        frame.loc[4, "SURFHAB"] = "grand"

    edition, path = _stock_file(one_site, tables, tmp_path, edit)
    with pytest.raises(InputDataError) as caught:
        _by_groups(edition, tmp_path)
    message = "\n".join(caught.value.problems)
    assert f"{path}: column 'SURFHAB' (mapped onto surface_m2 by source rpls-public): expected a number" in message
    assert "line 6 ('grand')" in message


def test_when_the_stock_has_no_rent_then_the_stock_chart_draws_what_remains(one_site, tables, tmp_path):
    from cohorte.report.figures import stock_accessibility_chart

    declared = _rpls_public(tables, tmp_path)
    table, _ = published_with_facts(
        one_site.model_copy(update={"tables": declared}), tmp_path, {SLUG: load_grids(2020)[SLUG]}
    )
    figure = stock_accessibility_chart(table[table["site"] == SLUG], one_site.indicators.q1_max_rent_eur)
    assert len(figure.axes) == 1  # the typology mix alone: no affordable-share panel, never 0 %


def test_when_a_user_declares_a_source_then_the_edition_reads_through_it(one_site, tables, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("COHORTE_HOME", str(home))
    text = (Path(__file__).parents[2] / "src/cohorte/inputs/sources/builtin/sne-demandes.yml").read_text()
    _declare(home, text.replace("name: sne-demandes", "name: mine").replace("example: true\n", ""))
    declared = _write_layouts(tables, tmp_path / "data", {"demands": "sne-demandes"})
    declared["demands"] = TableSource(file="sne-demandes.csv", source="mine")
    inputs = load_inputs(one_site.model_copy(update={"tables": declared}), tmp_path / "data")
    assert inputs.sources["demands"] == "mine"
    assert len(inputs.demands) == len(tables["demands"])


def test_when_the_cohort_reader_meets_mixed_encodings_then_it_names_the_file_and_line(one_site, tables, tmp_path):
    declared = _rpls_public(tables, tmp_path)
    path = tmp_path / "rpls-public.csv"
    path.write_bytes(path.read_bytes() + "41018;2;3;50.0;1990;13;Société\n".encode("cp1252"))
    message = _problems(one_site.model_copy(update={"tables": declared}), tmp_path)
    line = len(tables["housing_stock"]) + 2
    assert f"{path}: mixes encodings: UTF-8 accented letters before line {line}" in message


def test_when_the_stock_is_read_through_a_source_then_the_chart_source_names_it():
    from cohorte.report.text import texts

    line = texts().sentence("monograph/figures/stock_source.md", source="rpls-public")
    assert line.startswith("Source : parc social (RPLS, lu par la source « rpls-public »)")
    assert "lu par" not in texts().sentence("monograph/figures/stock_source.md", source="kit")


def test_when_a_source_keeps_rows_converts_units_and_sets_constants_then_the_mapped_frame_says_so(one_site):
    from cohorte.inputs.sources.mapping import map_frame
    from cohorte.inputs.sources.model import Source

    source = Source.model_validate(
        {
            "name": "bailleur",
            "table": "q1_thresholds",
            "layout": "a test layout",
            "keep": {"STATUT": ["valide"]},
            "columns": {
                "year": {"column": "ANNEE"},
                "epci": {"column": "SIREN"},
                "threshold_eur_per_uc": {"column": "SEUIL_CENTIMES", "divide_by": 100},
                "source": {"constant": "arrêté 2020"},
            },
        }
    )
    frame = pd.DataFrame(
        {
            "ANNEE": ["2020", "2020"],
            "SIREN": [SIREN, SIREN],
            "SEUIL_CENTIMES": ["987654", "1"],
            "STATUT": ["valide", "brouillon"],
        }
    )
    mapped = map_frame(Path("seuils.csv"), frame, source, ["year", "epci", "threshold_eur_per_uc", "source"], one_site)
    assert mapped.problems == []
    assert mapped.frame.to_dict("records") == [
        {"year": "2020", "epci": SIREN, "threshold_eur_per_uc": "9876.54", "source": "arrêté 2020"}
    ]
    assert mapped.origins["threshold_eur_per_uc"] == "SEUIL_CENTIMES"
