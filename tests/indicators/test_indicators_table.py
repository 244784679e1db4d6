"""compute_indicators: one tidy table for every site in one pass, every id documented in the registry."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.indicators import COLUMNS, INDICATORS, compute_indicators

UNITS = {"%", "mois", "€/UC", "nombre", "ratio", "points"}


def edition() -> Edition:
    sites = [
        {
            "slug": s,
            "name": s,
            "short_name": s,
            "region": "Bretagne",
            "departement": "56",
            "communes": 2,
            "population_2017": 1000,
            **extra,
        }
        for s, extra in (
            ("alpha", {}),
            ("beta", {"abnormal_delay_months": 12, "abnormal_delay_source": "arrêté préfectoral fictif"}),
            ("gamma", {}),
        )
    ]
    return Edition.model_validate(
        {"edition": 2020, "title": "t", "publisher": "p", "reference_date": "2020-12-31", "sites": sites}
    )


def inputs() -> types.SimpleNamespace:
    """alpha: 6 demands, 6 attributions (3 in QPV); beta: 2 demands, 1 attribution, no QPV; gamma: nothing."""
    n_d = 8
    demands = pd.DataFrame(
        {
            "demand_id": [f"d{i}" for i in range(n_d)],
            "epci": ["alpha"] * 6 + ["beta"] * 2,
            "commune": "56121",
            "filing_date": pd.to_datetime(
                [
                    "2020-12-31",
                    "2019-01-15",
                    "2018-06-01",
                    "2020-03-01",
                    "2017-01-01",
                    "2020-11-30",
                    "2019-12-31",
                    "2020-02-02",
                ]
            ),
            "household_size": 1,
            "persons_14_plus": 1,
            "children_under_14": 0,
            "monthly_resources_eur": [500.0, 650.0, 900.0, float("nan"), 1200.0, 700.0, 600.0, 800.0],
            "current_housing": ["LP", "HLM", "SD", "HLM", "CPE", "LP", "LP", "HLM"],
            "requested_typology": ["T1", "T2", "T2", "T3", "T3", "T1", "T2", "T2"],
            "reasons": ["03", "", "06;03", "", "", "09", "", ""],
            "dalo": [False, False, True] + [False] * 5,
            "priority": [False, True, True] + [False] * 5,
        }
    )
    attributions = pd.DataFrame(
        {
            "demand_id": [f"a{i}" for i in range(7)],
            "epci": ["alpha"] * 6 + ["beta"],
            "commune": "56121",
            "in_qpv": [True, True, True, False, False, False, False],
            "lease_date": pd.to_datetime(["2020-03-01"] * 7),
            "filing_date": pd.to_datetime(["2019-03-01"] * 7),
            "household_size": 1,
            "persons_14_plus": 1,
            "children_under_14": 0,
            "monthly_resources_eur": [400.0, 900.0, 1500.0, 450.0, 2000.0, float("nan"), 500.0],
            "typology": ["T2", "T2", "T3", "T1", "T2", "T3", "T2"],
            "reservataire": ["PPRIOR", "AUCUN", "COLACT", "AUCUN", "PFONCT", "AUCUN", "COLTER"],
            "priority": [True, False, False, False, False, True, False],
            "dalo": False,
            "anru_rehousing": [False, False, False, False, False, True, False],
            "mutation": [False, True, False, False, False, False, False],
            "landlord": ["L1", "L1", "L2", "L2", "L1", "L2", "L3"],
        }
    )
    stock = pd.DataFrame(
        {
            "dwelling_id": [f"s{i}" for i in range(6)],
            "epci": ["alpha"] * 5 + ["beta"],
            "commune": "56121",
            "in_qpv": [True, False, False, False, False, False],
            "rooms": [1, 2, 3, 1, 4, 2],
            "surface_m2": 50.0,
            "financing": "PLUS",
            "monthly_rent_eur": [200.0, 300.0, 500.0, 250.0, 420.0, 330.0],
            "construction_year": 1980,
            "lease_start": pd.NaT,
            "landlord": "L1",
            "reserved_for": ["PPRIOR", "AUCUN", "COLACT", "AUCUN", "PFONCT", "AUCUN"],
        }
    )
    cal = pd.DataFrame(
        {
            "demand_id": ["d1"] * 3,
            "commission_date": pd.to_datetime(["2020-02-01", "2020-04-01", "2020-06-01"]),
            "rank": [2, 2, 2],
            "decision": "ATTRIB",
        }
    )
    return types.SimpleNamespace(
        demands=demands, attributions=attributions, housing_stock=stock, cal_presentations=cal, q1_thresholds=None
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compute_indicators(inputs(), edition())


def test_when_indicators_are_computed_then_the_table_has_the_contract_columns_and_registered_ids(table):
    assert list(table.columns) == COLUMNS
    assert set(table["indicator"]) <= set(INDICATORS)
    assert table.duplicated(["site", "indicator", "breakdown"]).sum() == 0
    assert str(table["met"].dtype) == "boolean" and table["estimated"].dtype == bool


def test_when_a_site_has_no_data_then_it_still_has_every_site_level_figure(table):
    required = {
        "q1_threshold",
        "q1_outside_qpv",
        "non_q1_in_qpv",
        "priority_publics",
        "pressure",
        "mutation_share",
        "median_seniority_months",
        "median_delay_months",
    }
    for site in ("alpha", "beta", "gamma"):
        assert required <= set(table.loc[(table["site"] == site) & (table["breakdown"] == ""), "indicator"])


def test_when_no_official_threshold_then_the_estimate_drives_q1_and_is_flagged(table):
    row = table[(table["site"] == "alpha") & (table["indicator"] == "q1_threshold")].iloc[0]
    # alpha's known resources per UC: 6000, 7800, 8400, 10800, 14400 → rank ⌈5/4⌉ = 2 → 7800
    assert row["value"] == 7800 and bool(row["estimated"]) and row["denominator"] == 5
    q1 = table[(table["site"] == "alpha") & (table["indicator"] == "q1_outside_qpv") & (table["breakdown"] == "")].iloc[
        0
    ]
    # outside QPV: a3 (5400, Q1), a4 (24000), a5 (unknown, ANRU) → 2 / 3
    assert (q1["numerator"], q1["denominator"], q1["target"], bool(q1["met"])) == (2, 3, 25, True)


def test_when_site_overrides_the_abnormal_delay_then_it_applies_to_that_site_only(table):
    late = table[(table["indicator"] == "abnormal_delay_demands")].set_index("site")["value"]
    # alpha (24 months): d2 (30 months), d4 (47) → 2 ; beta (12 months): d6 (12 months) → 1
    assert late.to_dict() == {"alpha": 2, "beta": 1, "gamma": 0}


def test_when_a_row_names_a_site_outside_the_edition_then_error_names_table_and_fix():
    data = inputs()
    data.attributions.loc[0, "epci"] = "omega"
    with pytest.raises(InputDataError, match="attributions: epci \\['omega'\\] are not sites of the edition"):
        compute_indicators(data, edition())


def test_when_registry_is_read_then_every_id_has_a_french_label_a_unit_and_a_definition():
    for name, spec in INDICATORS.items():
        assert spec.label_fr and spec.definition and spec.unit in UNITS, name
        assert spec.margin is None or spec.margin in INDICATORS
