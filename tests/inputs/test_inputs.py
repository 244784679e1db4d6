"""Input validation: every bad input gives a sentence naming file, column, line and expectation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cohorte.cli import main
from cohorte.editions import load_edition
from cohorte.inputs.readers import load_inputs
from conftest import tiny_tables, write_tables


def run_check(data_dir: Path):
    return CliRunner().invoke(main, ["check", "2020", "--data", str(data_dir)])


def test_when_data_is_valid_then_check_summarises_sites_rows_and_period(tiny_data: Path):
    result = run_check(tiny_data)
    assert result.exit_code == 0, result.output
    assert "Edition 2020: 12 sites" in result.output
    assert "demands                    4 rows" in result.output
    assert "leases signed 2020-05-01 → 2020-12-31" in result.output
    assert "All checks passed." in result.output


def test_when_epci_is_a_siren_then_it_is_mapped_to_the_slug(tiny_data: Path):
    inputs = load_inputs(load_edition(2020), tiny_data)
    assert set(inputs.demands["epci"]) == {"lorient-agglomeration", "mel"}
    assert inputs.demands["dalo"].dtype == bool
    assert inputs.demands.loc[1, "monthly_resources_eur"] == pytest.approx(1500.50)
    assert inputs.demands.loc[3, "filing_date"] == pd.Timestamp("2020-12-31")


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_when_tables_are_xlsx_or_parquet_then_they_are_read_alike(tmp_path: Path, fmt: str):
    inputs = load_inputs(load_edition(2020), write_tables(tiny_tables(), tmp_path / fmt, fmt))
    assert len(inputs.attributions) == 3
    assert inputs.housing_stock["rooms"].tolist() == [2, 3, 1, 4]


def test_when_csv_is_latin1_with_semicolons_then_it_is_read(tiny_data: Path):
    frame = tiny_tables()["attributions"].assign(landlord=["Habitat Léger", "Société Hlm Été", "LMH"])
    frame.to_csv(tiny_data / "attributions.csv", sep=";", index=False, encoding="latin-1")
    inputs = load_inputs(load_edition(2020), tiny_data)
    assert inputs.attributions["landlord"].tolist()[:2] == ["Habitat Léger", "Société Hlm Été"]


def _mutate(table: str, column: str, row: int, value):
    def apply(tables):
        tables[table][column] = tables[table][column].astype(object)
        tables[table].loc[row, column] = value

    return apply


def _drop_column(table: str, column: str):
    def apply(tables):
        tables[table] = tables[table].drop(columns=column)

    return apply


BAD_CELLS = {
    "wrong type": (
        _mutate("demands", "household_size", 1, "deux"),
        ["demands.csv: column 'household_size': expected a whole number", "line 3 ('deux')"],
    ),
    "unknown code": (
        _mutate("demands", "current_housing", 0, "XYZ"),
        ["demands.csv: column 'current_housing': expected an SNE housing code: one of HLM, LP", "line 2 ('XYZ')"],
    ),
    "negative resources": (
        _mutate("attributions", "monthly_resources_eur", 2, -50),
        ["attributions.csv: column 'monthly_resources_eur': expected resources ≥ 0 €", "line 4"],
    ),
    "lease before filing": (
        _mutate("attributions", "filing_date", 0, "2020-06-01"),
        ["attributions.csv", "expected lease_date on or after filing_date", "line 2"],
    ),
    "impossible date": (
        _mutate("demands", "filing_date", 2, "2020-02-30"),
        ["demands.csv: column 'filing_date': expected a date YYYY-MM-DD or DD/MM/YYYY", "line 4 ('2020-02-30')"],
    ),
    "duplicate ids": (
        _mutate("demands", "demand_id", 1, "056200300000001A"),
        ["demands.csv: column 'demand_id': expected unique values (duplicate)", "line 2", "line 3"],
    ),
    "unknown EPCI": (
        _mutate("housing_stock", "epci", 3, "metropole-inconnue"),
        [
            "housing_stock.csv: column 'epci': expected a site of the edition (slug or SIREN)",
            "line 5 ('metropole-inconnue')",
        ],
    ),
    "malformed attributed demand id": (
        _mutate("attributions", "demand_id", 1, "ABC"),
        ["attributions.csv: column 'demand_id': expected a well-formed demand id", "line 3 ('ABC')"],
    ),
    "bad boolean": (
        _mutate("attributions", "in_qpv", 0, "peut-être"),
        ["attributions.csv: column 'in_qpv': expected true/false", "line 2 ('peut-être')"],
    ),
    "household does not add up": (
        _mutate("demands", "children_under_14", 0, 2),
        ["demands.csv", "expected household_size = persons_14_plus + children_under_14", "line 2"],
    ),
    "lease outside the year": (
        _mutate("attributions", "lease_date", 1, "2021-01-05"),
        ["attributions.csv: column 'lease_date': expected a lease date within 2020-01-01 – 2020-12-31", "line 3"],
    ),
    "filing in the future": (
        _mutate("demands", "filing_date", 0, "2021-03-01"),
        ["demands.csv: column 'filing_date': expected a filing date on or before 2020-12-31", "line 2"],
    ),
    "empty required cell": (
        _mutate("housing_stock", "landlord", 0, None),
        ["housing_stock.csv: column 'landlord': expected a value (empty cell)", "line 2"],
    ),
    "unknown reason code": (
        _mutate("demands", "reasons", 1, "12;99"),
        ["demands.csv: column 'reasons': expected SNE reason codes 01–23", "line 3 ('12;99')"],
    ),
    "missing column": (
        _drop_column("attributions", "dalo"),
        ["attributions.csv: missing column(s) dalo; columns found: demand_id"],
    ),
    "bad CAL decision": (
        _mutate("cal_presentations", "decision", 2, "MAYBE"),
        ["cal_presentations.csv: column 'decision': expected a CAL decision code", "line 4 ('MAYBE')"],
    ),
    "threshold not a number": (
        _mutate("q1_thresholds", "threshold_eur_per_uc", 0, "beaucoup"),
        ["q1_thresholds.csv: column 'threshold_eur_per_uc': expected a number", "line 2 ('beaucoup')"],
    ),
}


@pytest.mark.parametrize("case", BAD_CELLS, ids=list(BAD_CELLS))
def test_when_a_cell_is_bad_then_check_names_file_column_line_and_expectation(tmp_path: Path, case: str):
    mutate, fragments = BAD_CELLS[case]
    tables = tiny_tables()
    mutate(tables)
    result = run_check(write_tables(tables, tmp_path / "data"))
    assert result.exit_code == 1
    for fragment in fragments:
        assert fragment in result.output
    assert "Traceback" not in result.output


def test_when_a_file_is_missing_then_check_names_the_table_and_expected_files(tiny_data: Path):
    (tiny_data / "attributions.csv").unlink()
    result = run_check(tiny_data)
    assert result.exit_code == 1
    assert (
        "missing table 'attributions'; expected attributions.csv, attributions.xlsx or attributions.parquet"
        in result.output
    )


def test_when_the_optional_thresholds_are_absent_then_check_passes(tiny_data: Path):
    (tiny_data / "q1_thresholds.csv").unlink()
    assert run_check(tiny_data).exit_code == 0


def test_when_a_file_is_empty_then_check_says_so(tiny_data: Path):
    (tiny_data / "demands.csv").write_bytes(b"")
    result = run_check(tiny_data)
    assert "demands.csv: is empty" in result.output


def test_when_a_file_has_only_a_header_then_check_says_no_rows(tiny_data: Path):
    (tiny_data / "housing_stock.csv").write_text("dwelling_id,epci\n", encoding="utf-8")
    assert "housing_stock.csv: has a header but no rows" in run_check(tiny_data).output


def test_when_a_file_is_truncated_then_check_names_the_short_line(tiny_data: Path):
    path = tiny_data / "attributions.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 40], encoding="utf-8")
    output = run_check(tiny_data).output
    assert "attributions.csv: is malformed or truncated: line 4 has" in output
    assert "expected 17 fields separated by ','" in output


def test_when_a_csv_is_utf16_then_check_names_the_expected_encodings(tiny_data: Path):
    path = tiny_data / "demands.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert (
        "demands.csv: is encoded in UTF-16 or is binary; expected CSV text in UTF-8 or Latin-1"
        in run_check(tiny_data).output
    )


def test_when_an_xlsx_is_corrupt_then_check_says_it_cannot_be_read(tiny_data: Path):
    (tiny_data / "cal_presentations.csv").unlink()
    (tiny_data / "cal_presentations.xlsx").write_text("not a spreadsheet", encoding="utf-8")
    assert "cal_presentations.xlsx: cannot be read as XLSX" in run_check(tiny_data).output


def test_when_a_table_has_two_files_then_check_asks_to_keep_one(tiny_data: Path):
    tiny_tables()["demands"].to_excel(tiny_data / "demands.xlsx", index=False)
    assert "several files for table 'demands' (demands.csv, demands.xlsx); keep one" in run_check(tiny_data).output


def test_when_the_data_folder_does_not_exist_then_check_says_how_to_create_it(tmp_path: Path):
    output = run_check(tmp_path / "nowhere").output
    assert "no such data folder; give an existing folder" in output and "`cohorte demo-data 2020`" in output


def test_when_several_tables_are_bad_then_check_lists_every_problem(tmp_path: Path):
    tables = tiny_tables()
    _mutate("demands", "current_housing", 0, "XYZ")(tables)
    _mutate("attributions", "reservataire", 0, "ETAT")(tables)
    _mutate("housing_stock", "rooms", 1, "trois")(tables)
    result = run_check(write_tables(tables, tmp_path / "data"))
    assert "3 problem(s) found" in result.output
    for name in ("demands.csv", "attributions.csv", "housing_stock.csv"):
        assert name in result.output


def test_when_the_edition_is_unknown_then_check_lists_the_editions(kit_home: Path):
    result = CliRunner().invoke(main, ["check", "1999"])
    assert result.exit_code == 1
    assert "no such edition '1999'; editions available: 2020" in result.output


def test_when_edition_params_have_an_unknown_key_then_error_names_file_and_key(kit_home: Path):
    path = kit_home / "params" / "2020" / "edition.yml"
    path.write_text(path.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "2020"])
    assert "edition.yml: key 'colour': Extra inputs are not permitted" in result.output


def test_when_a_siren_fails_luhn_then_error_names_the_site_key(kit_home: Path):
    path = kit_home / "params" / "2020" / "edition.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('"200042174"', '"200042175"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "2020"])
    assert "key 'sites[9].siren'" in result.output
    assert "valid Luhn checksum" in result.output


def test_when_edition_yml_repeats_a_key_then_error_names_file_key_and_line(kit_home: Path):
    path = kit_home / "params" / "2020" / "edition.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\ntitle: again\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "2020"])
    assert result.exit_code != 0
    assert "edition.yml" in result.output and "'title' appears twice" in result.output and "line" in result.output
