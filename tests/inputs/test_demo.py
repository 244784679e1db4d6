"""The demo-data generator: contract, codes, magnitudes of docs/domain.md §3, determinism, CLI."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cohorte.cli import main
from cohorte.editions import Edition, load_edition
from cohorte.errors import CohorteError
from cohorte.inputs import codes, demo
from cohorte.inputs.demo import writing

COLUMNS = {  # docs/domain.md §4, in order
    "demands": [
        "demand_id",
        "epci",
        "commune",
        "filing_date",
        "household_size",
        "persons_14_plus",
        "children_under_14",
        "monthly_resources_eur",
        "current_housing",
        "requested_typology",
        "reasons",
        "dalo",
        "priority",
    ],
    "attributions": [
        "demand_id",
        "epci",
        "commune",
        "in_qpv",
        "lease_date",
        "filing_date",
        "household_size",
        "persons_14_plus",
        "children_under_14",
        "monthly_resources_eur",
        "typology",
        "reservataire",
        "priority",
        "dalo",
        "anru_rehousing",
        "mutation",
        "landlord",
    ],
    "housing_stock": [
        "dwelling_id",
        "epci",
        "commune",
        "in_qpv",
        "rooms",
        "surface_m2",
        "financing",
        "monthly_rent_eur",
        "construction_year",
        "lease_start",
        "landlord",
        "reserved_for",
    ],
    "cal_presentations": ["demand_id", "commission_date", "rank", "decision"],
    "q1_thresholds": ["year", "epci", "threshold_eur_per_uc", "source"],
}


@pytest.fixture(scope="module")
def edition() -> Edition:
    return load_edition(2020)


@pytest.fixture(scope="module")
def tables(edition) -> dict[str, pd.DataFrame]:
    return demo.generate(edition, seed=2020)


@pytest.fixture(scope="module")
def small_edition(edition) -> Edition:
    """Two sites shrunk to a few thousand inhabitants: fast enough for XLSX and full validation."""
    sites = [edition.site("agglopolys"), edition.site("lorient-agglomeration")]
    small = [s.model_copy(update={"population_2017": 15_000, "communes": min(s.communes, 12)}) for s in sites]
    return edition.model_copy(update={"sites": small})


def _by_slug(frame: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    slugs = {s.siren: s.slug for s in edition.sites if s.siren}
    return frame.assign(epci=frame["epci"].map(lambda v: slugs.get(v, v)))


def _per_uc(frame: pd.DataFrame) -> pd.Series:
    """Annual resources per consumption unit, modified OECD scale."""
    uc = 1 + 0.5 * (frame["persons_14_plus"] - 1) + 0.3 * frame["children_under_14"]
    return 12 * frame["monthly_resources_eur"] / uc


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- contract ---------------------------------------------------------------------------------


def test_every_table_has_the_columns_of_the_contract_in_order(tables):
    assert list(tables) == list(COLUMNS)
    for name, columns in COLUMNS.items():
        assert list(tables[name].columns) == columns, name
        assert len(tables[name]) > 0, name


def test_codes_are_taken_from_the_code_lists(tables):
    demands, attributions, stock, cal = (tables[t] for t in COLUMNS if t != "q1_thresholds")
    assert demands["current_housing"].isin(list(codes.CURRENT_HOUSING)).all()
    assert demands["requested_typology"].isin(codes.TYPOLOGIES).all()
    reasons = demands["reasons"].str.split(";").explode()
    assert reasons[reasons != ""].isin(codes.REASONS).all()
    assert attributions["typology"].isin(codes.TYPOLOGIES).all()
    assert attributions["reservataire"].isin(list(codes.RESERVATAIRES)).all()
    assert stock["reserved_for"].isin(list(codes.RESERVATAIRES)).all()
    assert stock["financing"].isin(codes.FINANCING).all()
    assert cal["decision"].isin(list(codes.CAL_DECISIONS)).all()
    assert cal["rank"].between(1, 3).all()
    for frame in (demands, attributions, stock):
        assert frame["commune"].str.fullmatch(codes.INSEE_COMMUNE_PATTERN[1:-1]).all()


def test_demand_ids_are_sne_like_and_unique_across_the_edition(tables):
    ids = pd.concat([tables["demands"]["demand_id"], tables["attributions"]["demand_id"]])
    assert ids.str.fullmatch(codes.DEMAND_ID_PATTERN[1:-1]).all()
    assert ids.is_unique
    assert tables["housing_stock"]["dwelling_id"].is_unique
    # YYMM of the id is the month of filing
    demands = tables["demands"]
    yymm = demands["filing_date"].dt.year % 100 * 100 + demands["filing_date"].dt.month
    assert (demands["demand_id"].str[3:7].astype(int) == yymm).all()
    assert tables["cal_presentations"]["demand_id"].isin(ids).all()


def test_households_add_up_and_resources_are_mostly_known(tables):
    for name in ("demands", "attributions"):
        frame = tables[name]
        assert (frame["household_size"] == frame["persons_14_plus"] + frame["children_under_14"]).all()
        assert (frame["persons_14_plus"] >= 1).all() and (frame["children_under_14"] >= 0).all()
        resources = frame["monthly_resources_eur"]
        assert (resources.dropna() >= 0).all()
        assert 0 < resources.isna().mean() < 0.02, name


def test_dates_fall_where_the_edition_says(edition, tables):
    reference = pd.Timestamp(edition.reference_date)
    year_start = pd.Timestamp(reference.year, 1, 1)
    demands, attributions, stock, cal = (tables[t] for t in COLUMNS if t != "q1_thresholds")
    assert (demands["filing_date"] < reference).all()
    assert attributions["lease_date"].between(year_start, reference).all()
    assert (attributions["lease_date"] >= attributions["filing_date"]).all()
    assert cal["commission_date"].between(year_start, reference).all()
    assert (stock["lease_start"].dropna() <= reference).all()
    assert (stock["construction_year"] <= reference.year).all()


def test_each_site_has_its_communes_and_one_or_two_write_their_siren(edition, tables):
    for site in edition.sites:
        communes = pd.concat(
            [
                t.loc[t["epci"].isin([site.slug, site.siren]), "commune"]
                for t in (tables["demands"], tables["attributions"], tables["housing_stock"])
            ]
        )
        assert communes.nunique() == site.communes, site.slug
        assert communes.str.startswith(site.departement).all()
    sirens = {s.siren for s in edition.sites if s.siren}
    assert 1 <= tables["attributions"]["epci"].isin(sirens).groupby(tables["attributions"]["epci"]).any().sum() <= 2
    assert set(tables["demands"]["epci"]) == set(edition.slugs)


# --- magnitudes (docs/domain.md §3) ------------------------------------------------------------------


def test_magnitudes_per_site_follow_the_domain_orders(edition, tables):
    demands = tables["demands"]
    attributions = _by_slug(tables["attributions"], edition)
    stock = tables["housing_stock"]
    official = tables["q1_thresholds"].set_index("epci")["threshold_eur_per_uc"]
    q1_outside = {}
    for site in edition.sites:
        d = demands[demands["epci"] == site.slug]
        a = attributions[attributions["epci"] == site.slug]
        s = stock[stock["epci"] == site.slug]
        assert 0.025 < len(d) / site.population_2017 < 0.045, site.slug
        assert 0.06 < len(s) / site.population_2017 < 0.10, site.slug
        assert 3 <= len(d) / len(a) <= 8, site.slug
        assert 0.25 <= (d["current_housing"] == codes.MUTATION_HOUSING).mean() <= 0.40, site.slug
        assert 0.25 <= a["mutation"].mean() <= 0.40, site.slug
        assert 0.18 <= s["in_qpv"].mean() <= 0.47, site.slug

        threshold = official.get(site.slug, _per_uc(d).quantile(0.25))
        known = a[a["monthly_resources_eur"].notna()]
        q1 = _per_uc(known) <= threshold
        in_qpv = known["in_qpv"]
        assert (~q1[in_qpv]).mean() > 0.50, site.slug
        q1_outside[site.slug] = (q1 | known["anru_rehousing"])[~in_qpv].mean()
    below = [slug for slug, rate in q1_outside.items() if rate < 0.25]
    assert len(edition.sites) - 3 <= len(below) < len(edition.sites), q1_outside
    assert all(0.08 < rate < 0.35 for rate in q1_outside.values()), q1_outside


def test_pressure_is_highest_in_montpellier_and_essonne(edition, tables):
    pressure = (
        tables["demands"].groupby("epci").size() / _by_slug(tables["attributions"], edition).groupby("epci").size()
    )
    assert pressure["montpellier-mediterranee-metropole"] > 6 and pressure["coeur-d-essonne"] > 6
    assert pressure["agglopolys"] < 4.5
    assert tables["demands"]["epci"].value_counts().idxmax() == "mel"


def test_q1_thresholds_cover_some_sites_and_match_the_demands(edition, tables):
    thresholds = tables["q1_thresholds"]
    assert 0 < len(thresholds) < len(edition.sites)
    assert thresholds["threshold_eur_per_uc"].between(6100, 10300).all()
    assert (thresholds["year"] == edition.reference_date.year).all()
    assert thresholds["source"].str.contains("fictives").all()
    demands = tables["demands"]
    for row in thresholds.itertuples():
        estimated = _per_uc(demands[demands["epci"] == row.epci]).quantile(0.25)
        assert abs(estimated / row.threshold_eur_per_uc - 1) < 0.03, row.epci


def test_seniority_is_long_tailed(edition, tables):
    months = (pd.Timestamp(edition.reference_date) - tables["demands"]["filing_date"]).dt.days / 30.44
    assert 12 <= months.median() <= 20
    assert 0.005 < (months > 60).mean() < 0.10


def test_priority_share_varies_by_reservataire(tables):
    share = tables["attributions"].groupby("reservataire")["priority"].mean()
    assert share["PPRIOR"] > 0.7
    assert share["COLACT"] < share["AUCUN"] < share["PPRIOR"]
    assert (tables["attributions"]["dalo"] <= tables["attributions"]["priority"]).all()


def test_stock_outside_qpv_has_fewer_small_and_cheap_dwellings(edition, tables):
    stock = tables["housing_stock"]
    small = stock["rooms"] <= 2
    assert small[~stock["in_qpv"]].mean() < small[stock["in_qpv"]].mean()
    per_m2 = (stock["monthly_rent_eur"] / stock["surface_m2"]).groupby(stock["financing"]).mean()
    assert per_m2["PLAI"] < per_m2["PLUS"] < per_m2["PLS"] < per_m2["PLI"]
    typology = stock["rooms"].map(codes.typology_from_rooms)
    affordable = stock["monthly_rent_eur"] <= typology.map(edition.indicators.q1_max_rent_eur)
    assert affordable[~stock["in_qpv"]].mean() < affordable[stock["in_qpv"]].mean()
    surface = stock.groupby("rooms")["surface_m2"].median()
    assert surface.is_monotonic_increasing
    mix = stock["reserved_for"].value_counts(normalize=True)
    assert 0.2 < mix["PPRIOR"] < 0.3 and 0.25 < mix["COLACT"] < 0.35 and mix["AUTRES"] < 0.05


def test_leases_signed_in_the_year_in_the_stock_are_the_attributions(edition, tables):
    stock = tables["housing_stock"]
    in_year = stock[stock["lease_start"].dt.year == edition.reference_date.year].groupby("epci").size()
    attributed = _by_slug(tables["attributions"], edition).groupby("epci").size()
    pd.testing.assert_series_equal(in_year, attributed, check_names=False)


def test_cal_has_two_to_three_rows_per_attribution_and_a_few_poulidors(edition, tables):
    cal = tables["cal_presentations"]
    assert 2 <= len(cal) / len(tables["attributions"]) <= 3
    attributed = set(tables["attributions"]["demand_id"])
    presentations = cal[~cal["demand_id"].isin(attributed)].groupby("demand_id").size()
    poulidors = presentations[presentations >= edition.indicators.poulidor_min_presentations]
    assert 0 < len(poulidors) < 0.02 * len(tables["demands"])
    site_of = tables["demands"].set_index("demand_id")["epci"]
    assert set(site_of[poulidors.index]) == set(edition.slugs)  # every site has some
    winners = cal[cal["demand_id"].isin(attributed)]
    assert winners["decision"].isin(["ATTRIB", "ATTRIB_COND"]).all()


# --- determinism and independence of sites -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_writes_byte_identical_files(small_edition, tmp_path, fmt):
    demo.write_demo_data(small_edition, tmp_path / "a", seed=7, fmt=fmt)
    demo.write_demo_data(small_edition, tmp_path / "b", seed=7, fmt=fmt)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_different_seed_gives_different_data(small_edition):
    first, second = demo.generate(small_edition, seed=1), demo.generate(small_edition, seed=2)
    assert not first["demands"].equals(second["demands"])
    assert not first["housing_stock"].equals(second["housing_stock"])
    # the site profiles do not depend on the seed: same sizes, same thresholds
    assert len(first["demands"]) == len(second["demands"])
    assert first["q1_thresholds"].equals(second["q1_thresholds"])


def test_when_a_site_is_removed_then_the_other_sites_demands_are_unchanged(edition, tables):
    fewer = edition.model_copy(update={"sites": [s for s in edition.sites if s.slug != "mel"]})
    again = demo.generate(fewer, seed=2020)["demands"]
    expected = tables["demands"][tables["demands"]["epci"] != "mel"].reset_index(drop=True)
    pd.testing.assert_frame_equal(again, expected)


def test_negative_seed_is_refused(small_edition):
    with pytest.raises(CohorteError, match="seed"):
        demo.generate(small_edition, seed=-1)


# --- writing ------------------------------------------------------------------------------------


def test_csv_cells_are_iso_dates_lowercase_booleans_and_empty_unknowns(small_edition, tmp_path):
    tables = demo.generate(small_edition, seed=3)  # the kit's layout
    readme = demo.readme_text(small_edition, 3, tables)
    paths = demo.write_tables(tables, tmp_path / "demo", fmt="csv", readme=readme)
    text = paths["demands"].read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    assert header.replace('"', "") == ",".join(COLUMNS["demands"])
    assert first.endswith(("true", "false"))
    raw = pd.read_csv(paths["demands"], dtype=str, keep_default_na=False)
    assert raw["filing_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(raw["dalo"]) <= {"true", "false"}
    assert (raw["monthly_resources_eur"] == "").any()
    assert raw["reasons"].str.contains(";").any()  # several reasons stay one quoted field
    readme = (tmp_path / "demo" / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("Données fictives") and "graine 3" in readme and "cohorte" in readme


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_other_formats_round_trip(small_edition, tmp_path, fmt):
    tables = demo.generate(small_edition, seed=5)
    paths = demo.write_tables(tables, tmp_path / fmt, fmt=fmt)
    assert {p.name for p in (tmp_path / fmt).iterdir()} == {f"{t}.{fmt}" for t in COLUMNS}
    read = pd.read_parquet(paths["attributions"]) if fmt == "parquet" else pd.read_excel(paths["attributions"])
    assert list(read.columns) == COLUMNS["attributions"]
    assert len(read) == len(tables["attributions"])


def test_an_interrupted_write_leaves_the_previous_folder_untouched(small_edition, tmp_path, monkeypatch):
    out = tmp_path / "demo"
    demo.write_demo_data(small_edition, out, seed=1)
    before = _digests(out)

    def broken(self, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(writing._StreamWriter, "write", broken)
    with pytest.raises(KeyboardInterrupt):
        demo.write_demo_data(small_edition, out, seed=2)
    assert _digests(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # no temporary folder left behind


def test_when_out_folder_holds_other_files_then_error_names_them(small_edition, tmp_path):
    (tmp_path / "demands.csv").write_text("real extract\n", encoding="utf-8")
    with pytest.raises(CohorteError, match=r"not cohorte demo data.*demands\.csv"):
        demo.write_demo_data(small_edition, tmp_path, seed=1)
    assert (tmp_path / "demands.csv").read_text(encoding="utf-8") == "real extract\n"


# --- CLI, timing, validation ----------------------------------------------------------------------


def test_cli_demo_data_lists_tables_and_row_counts(tmp_path):
    result = CliRunner().invoke(main, ["demo-data", "2020", "--out", str(tmp_path / "demo"), "--seed", "11"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.startswith("  ")}
    for table in COLUMNS:
        rows = len(pd.read_csv(tmp_path / "demo" / f"{table}.csv", usecols=[0]))
        assert f"{rows:,} rows" in lines[table], result.output
    assert "Données fictives (seed 11)" in result.output


def test_cli_demo_data_unknown_edition_is_a_plain_error(tmp_path):
    result = CliRunner().invoke(main, ["demo-data", "1999", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no such edition" in result.output and "Traceback" not in result.output


def test_twelve_sites_generate_and_write_quickly(edition, tmp_path):
    started = time.perf_counter()
    tables = demo.generate(edition, seed=2020)
    generated = time.perf_counter() - started
    demo.write_tables(tables, tmp_path / "demo", fmt="csv", readme=demo.readme_text(edition, 2020, tables))
    total = time.perf_counter() - started
    rows = sum(len(t) for t in tables.values())
    print(
        f"\ndemo data, 12 sites: {rows:,} rows generated in {generated:.1f} s, written (CSV) in {total - generated:.1f} s"
    )
    assert total < 60


def test_generated_small_edition_passes_input_validation(small_edition, tmp_path):
    from cohorte.inputs.readers import load_inputs

    demo.write_demo_data(small_edition, tmp_path / "demo", seed=2020)
    inputs = load_inputs(small_edition, tmp_path / "demo")
    assert set(inputs.attributions["epci"]) <= set(small_edition.slugs)  # SIRENs mapped back
    assert len(inputs.q1_thresholds) >= 1
    assert inputs.sources == {  # read through the official-like layouts the folder declares
        "demands": "sne-demandes",
        "attributions": "sne-attributions",
        "housing_stock": "demo-rpls",
        "cal_presentations": "kit",
        "q1_thresholds": "kit",
    }
    assert (tmp_path / "demo" / "housing_stock.csv").read_bytes().startswith(b'\xef\xbb\xbf"IDENT_REP";')


@pytest.mark.slow
def test_generated_2020_edition_passes_input_validation(edition, tmp_path):
    from cohorte.inputs.readers import load_inputs

    demo.write_demo_data(edition, tmp_path / "demo", seed=2020)
    inputs = load_inputs(edition, tmp_path / "demo")
    assert len(inputs.demands) > 100_000


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_when_written_piece_by_piece_then_the_files_hold_the_generated_tables(
    small_edition, tmp_path, monkeypatch, fmt
):
    from cohorte.inputs.demo import tables as demo_tables

    whole = demo.generate(small_edition, seed=4)
    one_site_chunks = demo_tables.generate_chunks
    monkeypatch.setattr(writing, "generate_chunks", lambda e, s: one_site_chunks(e, s, rows_per_chunk=1))
    paths = demo.write_demo_data(small_edition, tmp_path / "streamed", seed=4, fmt=fmt)
    demo.write_tables(
        whole, tmp_path / "whole", fmt=fmt, layouts=(small_edition, writing.demo_layouts(small_edition, fmt))
    )
    if fmt == "csv":
        assert all(p.read_bytes() == (tmp_path / "whole" / p.name).read_bytes() for p in paths.values())
    else:
        for path in paths.values():
            pd.testing.assert_frame_equal(pd.read_parquet(path), pd.read_parquet(tmp_path / "whole" / path.name))


def test_when_two_sites_share_a_departement_then_their_demand_numbers_never_collide(small_edition):
    same = [s.model_copy(update={"departement": "41"}) for s in small_edition.sites]
    tables = demo.generate(small_edition.model_copy(update={"sites": same}), seed=9)
    ids = pd.concat([tables["demands"]["demand_id"], tables["attributions"]["demand_id"]])
    assert ids.is_unique
    sequence = tables["demands"]["demand_id"].str[7:15].astype(int).groupby(tables["demands"]["epci"])
    first, second = (sequence.get_group(s.slug) for s in same)
    assert first.max() < second.min()  # laid out one after the other, not drawn at random over the same range


def test_when_the_arrete_lists_paris_and_a_territory_then_their_demo_data_pass_validation_with_the_real_thresholds(
    tmp_path,
):
    from cohorte.inputs.readers import load_inputs
    from cohorte.reference.q1 import decree_listing

    national = load_edition("national-2024")
    units = [national.site("paris"), national.site("plaine-commune"), national.site("est-ensemble")]
    small = [s.model_copy(update={"population_2017": 40_000}) for s in units]  # a few thousand rows each
    edition = national.model_copy(update={"sites": small})
    demo.write_demo_data(edition, tmp_path / "demo", seed=2024)
    inputs = load_inputs(edition, tmp_path / "demo")
    assert set(inputs.demands["epci"]) == set(edition.slugs)
    assert inputs.demands.loc[inputs.demands["epci"] == "paris", "commune"].str.startswith("75").all()
    assert inputs.q1_thresholds is None or inputs.q1_thresholds.empty  # the arrêté gives them, not the file
    for site in edition.sites:  # demands drawn around the real threshold of the arrêté
        official = decree_listing(2024)[site.siren].q1_annual_eur
        estimated = _per_uc(inputs.demands[inputs.demands["epci"] == site.slug]).quantile(0.25)
        assert abs(estimated / official - 1) < 0.03, site.slug
    readme = (tmp_path / "demo" / "README.txt").read_text(encoding="utf-8")
    assert "Seuils Q1 réels de l'arrêté de 2024 (livrés avec le kit, hors de ces tables) : 3 sites" in readme


def test_when_an_edition_follows_2020_then_its_demo_sites_drift_from_their_2020_profile():
    from cohorte.inputs.demo.profiles import evolved, profiles

    first = {p.slug: p for p in profiles(load_edition(2020))}
    second = {p.slug: p for p in profiles(load_edition(2021))}
    both = sorted(set(first) & set(second))
    assert both and all(first[s].n_demands != second[s].n_demands for s in both), "demand must move, not repeat"
    assert all(abs(second[s].n_demands / first[s].n_demands - 1) < 0.1 for s in both), "a year's drift, not a jump"
    assert evolved(first[both[0]], 2020) == first[both[0]], "the first edition's profile is unchanged"
