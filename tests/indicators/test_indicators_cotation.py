"""Cotation: a YAML grid scores every demand; distribution, attributed households' place, reordering."""

from __future__ import annotations

import pandas as pd
import pytest

from cohorte.errors import ParamsError
from cohorte.indicators.cotation import cotation_indicators, load_cotation_grid, score

REF = pd.Timestamp("2020-12-31")
GRID = {
    "name": "test grid",
    "criteria": [
        {"id": "dalo", "label": "DALO", "field": "dalo", "equals": True, "points": 100},
        {"id": "street", "label": "sans domicile", "field": "current_housing", "in": ["SD", "HOT"], "points": 40},
        {
            "id": "violence",
            "label": "violences",
            "field": "reasons",
            "contains_any": ["06"],
            "points": 40,
            "group": "reasons",
        },
        {
            "id": "indecent",
            "label": "indécent",
            "field": "reasons",
            "contains_any": ["03"],
            "points": 30,
            "group": "reasons",
        },
    ],
    "seniority": {"points_per_month": 1, "max_points": 24},
    "caps": {"groups": {"reasons": 50}, "criteria": 120, "total": 130},
    "bands": [0, 50, 100],
}


def demands() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "demand_id": ["x1", "x2", "x3", "x4"],
            "epci": "alpha",
            "dalo": [True, False, False, False],
            "current_housing": ["SD", "LP", "LP", "HOT"],
            "reasons": ["06;03", "03", "", "13"],
            "requested_typology": ["T2", "T2", "T3", "T2"],
            "filing_date": pd.to_datetime(["2019-12-31", "2018-12-31", "2017-12-31", "2020-06-30"]),
        }
    )


def attributions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "demand_id": ["g1", "g2"],
            "epci": "alpha",
            "dalo": [True, False],
            "mutation": [False, True],
            "typology": ["T2", "T2"],
            "filing_date": pd.to_datetime(["2019-12-31", "2020-06-30"]),
        }
    )


def test_when_demands_are_scored_then_group_criteria_and_total_caps_apply():
    scores = score(demands(), load_cotation_grid(GRID), REF)
    # x1: 100 + 40 + min(40 + 30, 50) = 190 → criteria cap 120, + 12 months = 132 → total cap 130
    # x2: 30 + 24 months = 54 ; x3: 0 + min(36, 24) = 24 ; x4: 40 + 6 = 46 ("13" is not reason "03")
    assert scores.tolist() == [130, 54, 24, 46]


@pytest.fixture
def table() -> pd.DataFrame:
    out = cotation_indicators(
        demands(), attributions(), load_cotation_grid(GRID), reference_date=REF, sites=["alpha", "beta"]
    )
    return out.set_index(["site", "indicator", "breakdown"])


def test_when_scores_are_banded_then_active_and_attributed_households_are_counted_per_band(table):
    assert table.loc[("alpha", "cotation_score_band", "0-49"), "value"] == 2  # x3, x4
    assert table.loc[("alpha", "cotation_score_band", "50-99"), "value"] == 1  # x2
    assert table.loc[("alpha", "cotation_score_band", "100+"), "value"] == 1  # x1
    # g1: DALO 100 + 12 months = 112 ; g2: mutation, no criterion, 6 months = 6
    assert table.loc[("alpha", "cotation_attributed_band", "100+"), "value"] == 1
    assert table.loc[("alpha", "cotation_attributed_band", "0-49"), "value"] == 1
    assert table.loc[("alpha", "cotation_attributed_band", ""), "value"] == 2


def test_when_attributed_households_are_placed_in_the_distribution_then_medians_and_rank_follow(table):
    assert table.loc[("alpha", "cotation_median_score_active", ""), "value"] == 50  # (46 + 54) / 2
    assert table.loc[("alpha", "cotation_median_score_attributed", ""), "value"] == 59  # (112 + 6) / 2
    # g1 (112) is above 3 of 4 active scores → 75 % ; g2 (6) above none → 0 % ; median 37.5
    assert table.loc[("alpha", "cotation_attributed_percentile", ""), "value"] == 37.5


def test_when_allocation_follows_scores_then_reordered_share_counts_households_outside_the_top_n(table):
    # T2 pool: x1 130, g1 112, x2 54, x4 46, g2 6 ; 2 T2 leases → x1 and g1 ; g2 would not be housed
    row = table.loc[("alpha", "cotation_reordered_share", "")]
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    assert table.loc[("alpha", "cotation_reordered_share", "T2"), "value"] == 50.0
    assert bool(row["estimated"])


def test_when_site_has_no_attribution_then_cotation_rows_are_zero_or_na(table):
    assert table.loc[("beta", "cotation_attributed_band", ""), "value"] == 0
    assert pd.isna(table.loc[("beta", "cotation_reordered_share", ""), "value"])


def test_when_example_grid_ships_then_it_loads_with_dalo_priority_seniority_and_caps():
    grid = load_cotation_grid()
    ids = {c.id for c in grid.criteria}
    assert {"dalo", "labelled_priority"} <= ids
    assert grid.seniority.max_points and grid.caps.total and grid.caps.groups


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"criteria": [{"id": "a", "label": "a", "field": "dalo", "equals": True, "in": ["x"], "points": 1}]},
            "exactly one condition",
        ),
        (
            {"criteria": [{"id": "a", "label": "a", "field": "income", "equals": True, "points": 1}]},
            "not a demand column",
        ),
        ({"weights": {}}, "key 'weights'"),
        ({"bands": [10, 5]}, "bands must be increasing"),
    ],
)
def test_when_grid_is_invalid_then_error_names_the_key(change, message):
    with pytest.raises(ParamsError) as info:
        load_cotation_grid({**GRID, **change})
    assert message in str(info.value)
