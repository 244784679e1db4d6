"""A national edition's indicators, computed a group of sites at a time, are those of a whole read."""

from __future__ import annotations

import pandas as pd
import pytest

from cohorte.editions import load_edition
from cohorte.errors import InputDataError
from cohorte.indicators import chunked
from cohorte.indicators.published import published_indicators, site_targets
from cohorte.inputs import demo


@pytest.fixture(scope="module")
def three_sites():
    edition = load_edition(2020)
    sites = [
        edition.site(s).model_copy(update={"population_2017": 12_000, "communes": 8})
        for s in ("agglopolys", "caen-la-mer", "carene")
    ]
    return edition.model_copy(update={"sites": sites})


@pytest.fixture(scope="module")
def data(three_sites, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "demo"
    demo.write_tables(demo.generate(three_sites, seed=3), folder, "csv")  # the kit's layout
    return folder


def test_when_sites_are_cut_into_groups_then_the_published_table_is_the_whole_reads(three_sites, data):
    whole = published_indicators(three_sites, data, grids={})
    groups = chunked.site_groups(three_sites, population=20_000)
    assert [len(g) for g in groups] == [1, 1, 1]
    by_groups = chunked.published_by_groups(
        three_sites, data, lambda sub: site_targets(sub, {}), three_sites.cotation_grid_path(), population=20_000
    )
    pd.testing.assert_frame_equal(by_groups, whole)


def test_when_a_cell_is_bad_in_a_later_group_then_the_message_cites_its_line_in_the_file(three_sites, data, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for path in data.iterdir():
        (bad / path.name).write_bytes(path.read_bytes())
    frame = pd.read_csv(bad / "housing_stock.csv", dtype=str, keep_default_na=False)
    row = int(frame.index[frame["epci"] == "carene"][3])
    frame.loc[row, "monthly_rent_eur"] = "cher"
    frame.to_csv(bad / "housing_stock.csv", index=False)
    with pytest.raises(
        InputDataError,
        match=rf"housing_stock.csv: column 'monthly_rent_eur': expected a number; found at line {row + 2} \('cher'\)",
    ):
        chunked.published_by_groups(
            three_sites, bad, lambda sub: site_targets(sub, {}), three_sites.cotation_grid_path(), population=20_000
        )


def test_when_the_tables_are_parquet_then_groups_give_the_same_table(three_sites, data, tmp_path):
    parquet = tmp_path / "parquet"
    demo.write_demo_data(three_sites, parquet, seed=3, fmt="parquet")
    targets = lambda sub: site_targets(sub, {})  # noqa: E731
    by_groups = chunked.published_by_groups(
        three_sites, parquet, targets, three_sites.cotation_grid_path(), population=20_000
    )
    pd.testing.assert_frame_equal(by_groups, published_indicators(three_sites, data, grids={}))


@pytest.mark.parametrize(("table", "column"), [("demands", "demand_id"), ("housing_stock", "dwelling_id")])
def test_when_an_id_is_in_two_groups_then_it_is_reported_as_a_whole_read_reports_it(
    three_sites, data, tmp_path, table, column
):
    bad = tmp_path / "bad"
    bad.mkdir()
    for path in data.iterdir():
        (bad / path.name).write_bytes(path.read_bytes())
    frame = pd.read_csv(bad / f"{table}.csv", dtype=str, keep_default_na=False)
    referenced = set(pd.read_csv(bad / "attributions.csv", dtype=str)["demand_id"])
    referenced |= set(pd.read_csv(bad / "cal_presentations.csv", dtype=str)["demand_id"])
    first = int(frame.index[frame["epci"] == "agglopolys"][0])
    later = next(i for i in frame.index[frame["epci"] == "carene"] if frame.loc[i, column] not in referenced)
    number = frame.loc[first, column]
    frame.loc[later, column] = number  # a row of the third group takes the id of a row of the first
    frame.to_csv(bad / f"{table}.csv", index=False)
    with pytest.raises(InputDataError) as whole:
        published_indicators(three_sites, bad, grids={})
    with pytest.raises(InputDataError) as groups:
        chunked.published_by_groups(
            three_sites, bad, lambda sub: site_targets(sub, {}), three_sites.cotation_grid_path(), population=20_000
        )
    assert groups.value.problems == whole.value.problems
    assert groups.value.problems == [
        f"{bad / f'{table}.csv'}: column '{column}': expected unique values (duplicate); "
        f"found at line {first + 2} ('{number}'), line {later + 2} ('{number}')"
    ]


def _cp1252_file_accented_late(path, rows: int):
    """A cp1252 CSV whose first accented byte lies well past Arrow's first block."""
    lines = ["landlord;commune"] + [f"Office {i};41018" for i in range(rows)] + ["Société é;41018"]
    path.write_bytes("\n".join(lines).encode("cp1252") + b"\n")
    return path


def test_when_the_first_accent_of_a_cp1252_file_is_past_the_first_block_then_every_row_is_read_once(tmp_path):
    path = _cp1252_file_accented_late(tmp_path / "stock.csv", 3_000_000)  # ~45 MB: several 32 MB blocks
    rows = sum(len(block) for block in chunked._blocks(path))
    assert rows == 3_000_001
    last = list(chunked._blocks(path))[-1]
    assert last["landlord"][-1].as_py() == "Société é"


def test_when_a_file_mixes_utf8_and_cp1252_then_reading_it_fails_naming_the_line(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_bytes("landlord;commune\nSociété;41018\n".encode() + "Société;41018\n".encode("cp1252"))
    with pytest.raises(InputDataError, match=r"stock\.csv: mixes encodings.*line 3"):
        list(chunked._blocks(path))
