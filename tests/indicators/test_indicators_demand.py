"""Demand indicators: volumes, pressure, mutations, seniority, delays, délai anormalement long, poulidors."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cohorte.indicators.demand import active_at, demand_indicators, poulidors

REF = pd.Timestamp("2020-12-31")
SITES = ["alpha", "beta"]


def demands() -> pd.DataFrame:
    rows = [
        ("d1", "alpha", "2020-12-31", "LP", "T1"),  # filed on the reference date: 0 months
        ("d2", "alpha", "2018-12-31", "HLM", "T2"),  # 24 months, mutation
        ("d3", "alpha", "2019-01-01", "LP", "T2"),  # 23 months: its 24th month ends on 1 January 2021
        ("d4", "alpha", "2020-06-15", "HLM", "T3"),  # 6 months, mutation
        ("d5", "alpha", "2021-01-05", "LP", "T3"),  # filed after the reference date: not active
        ("b1", "beta", "2019-12-31", "LP", "T2"),  # 12 months
        ("b2", "beta", "2020-01-01", "LP", "T2"),  # 11 months
    ]
    frame = pd.DataFrame(rows, columns=["demand_id", "epci", "filing_date", "current_housing", "requested_typology"])
    frame["filing_date"] = pd.to_datetime(frame["filing_date"])
    return frame


def attributions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "demand_id": ["a1", "a2"],
            "epci": ["alpha", "alpha"],
            "mutation": [True, False],
            "typology": ["T2", "T3"],
            "filing_date": pd.to_datetime(["2020-01-15", "2019-03-01"]),
            "lease_date": pd.to_datetime(["2020-07-14", "2020-03-01"]),  # 5 months (14 < 15), 12 months
        }
    )


def cal() -> pd.DataFrame:
    rows = [
        ("d3", "2020-02-01", 2, "ATTRIB"),
        ("d3", "2020-05-01", 2, "ATTRIB"),
        ("d3", "2020-09-01", 3, "ATTRIB"),  # poulidor
        ("d2", "2020-02-01", 2, "ATTRIB"),
        ("d2", "2020-05-01", 1, "ATTRIB"),
        ("d2", "2020-09-01", 2, "ATTRIB"),  # ranked 1st once
        ("d4", "2020-02-01", 2, "ATTRIB"),
        ("d4", "2020-05-01", 2, "ATTRIB"),  # only twice
        ("d1", "2019-11-01", 2, "ATTRIB"),
        ("d1", "2020-02-01", 2, "ATTRIB"),
        ("d1", "2020-05-01", 2, "NON_ATTRIB"),  # 2 in 2020
    ]
    frame = pd.DataFrame(rows, columns=["demand_id", "commission_date", "rank", "decision"])
    frame["commission_date"] = pd.to_datetime(frame["commission_date"])
    return frame


@pytest.fixture
def table() -> pd.DataFrame:
    return demand_indicators(
        active_at(demands(), REF),
        attributions(),
        cal(),
        reference_date=REF,
        year=2020,
        abnormal_delay_months={"alpha": 24, "beta": 12},
        poulidor_min_presentations=3,
        sites=SITES,
    )


def get(table: pd.DataFrame, site: str, indicator: str, breakdown: str = "") -> pd.Series:
    found = table[(table["site"] == site) & (table["indicator"] == indicator) & (table["breakdown"] == breakdown)]
    assert len(found) == 1
    return found.iloc[0]


def test_when_demand_is_filed_on_31_december_then_it_is_active_with_zero_months(table):
    assert get(table, "alpha", "active_demands")["value"] == 4  # d1..d4, not d5 (filed in 2021)
    assert get(table, "alpha", "median_seniority_months", "T1")["value"] == 0  # d1 alone


def test_when_demands_and_attributions_are_counted_then_pressure_is_their_ratio_also_without_mutations(table):
    assert get(table, "alpha", "pressure")["value"] == 2.0  # 4 / 2
    excl = get(table, "alpha", "pressure_excl_mutations")
    assert (excl["numerator"], excl["denominator"], excl["value"]) == (2, 1, 2.0)  # (4 − 2) / (2 − 1)
    assert get(table, "alpha", "mutation_share")["value"] == 50.0  # d2, d4 of 4
    assert get(table, "alpha", "mutation_share_attributions")["value"] == 50.0  # a1 of 2


def test_when_site_has_no_attribution_then_pressure_is_na_on_a_zero_denominator(table):
    r = get(table, "beta", "pressure")
    assert r["denominator"] == 0 and math.isnan(r["value"])
    assert get(table, "beta", "median_delay_months")["denominator"] == 0


def test_when_seniority_is_summarised_then_median_is_by_site_and_typology_with_case_counts(table):
    site = get(table, "alpha", "median_seniority_months")
    assert site["value"] == 14.5 and site["denominator"] == 4  # months 0, 6, 23, 24 → (6 + 23) / 2
    t2 = get(table, "alpha", "median_seniority_months", "T2")
    assert t2["value"] == 23.5 and t2["denominator"] == 2  # (24 + 23) / 2


def test_when_leases_are_signed_then_median_delay_is_in_whole_months_by_typology(table):
    assert get(table, "alpha", "median_delay_months")["value"] == 8.5  # (5 + 12) / 2
    assert get(table, "alpha", "median_delay_months", "T2")["value"] == 5
    assert get(table, "alpha", "median_delay_months", "T3")["value"] == 12


def test_when_site_overrides_the_abnormal_delay_then_its_own_months_apply(table):
    assert get(table, "alpha", "abnormal_delay_demands")["value"] == 1  # d2 reached 24 months, d3 has 23
    assert get(table, "alpha", "abnormal_delay_share")["value"] == 25.0
    assert get(table, "beta", "abnormal_delay_demands")["value"] == 1  # b1 reached beta's 12 months, b2 has 11


def test_when_demand_was_presented_three_times_never_first_then_it_is_a_poulidor(table):
    assert get(table, "alpha", "poulidors")["value"] == 1  # d3 only
    assert get(table, "beta", "poulidors")["value"] == 0


def test_when_a_poulidor_candidate_signed_a_lease_then_it_is_not_counted():
    leased = attributions().assign(demand_id=["d3", "a2"])
    rows = poulidors(active_at(demands(), REF), leased, cal(), year=2020, min_presentations=3, sites=SITES)
    assert rows[0].set_index("site").loc["alpha", "value"] == 0
    # with a threshold of 2 presentations, d4 (twice) and d1 (twice in 2020) count; d3 has a lease
    rows = poulidors(active_at(demands(), REF), leased, cal(), year=2020, min_presentations=2, sites=SITES)
    assert rows[0].set_index("site").loc["alpha", "value"] == 2
