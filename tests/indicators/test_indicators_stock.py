"""Stock accessibility outside QPV: rents within reach of Q1 households, T1/T2 supply vs Q1 demand."""

from __future__ import annotations

import pandas as pd
import pytest

from cohorte.indicators.stock import stock_indicators

SITES = ["alpha", "beta"]
MAX_RENT = {"C": 250.0, "T1": 300.0, "T2": 350.0, "T3": 400.0, "T4": 450.0, "T5": 500.0, "T6P": 550.0}


def stock() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "epci": "alpha",
            "in_qpv": [False, False, False, False, False, True],
            "rooms": [1, 1, 2, 3, 3, 1],
            "monthly_rent_eur": [290.0, 310.0, 350.0, float("nan"), 380.0, 100.0],
        }
    )
    # s1 T1 within reach; s2 T1 above 300; s3 T2 exactly 350; s4 T3 unknown rent; s5 T3 within; s6 in QPV


def demands() -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.DataFrame({"epci": "alpha", "requested_typology": ["T1", "T4", "T1", "C"]})
    q1 = pd.Series(pd.array([True, True, False, pd.NA], dtype="boolean"))
    return frame, q1


@pytest.fixture
def table() -> pd.DataFrame:
    frame, q1 = demands()
    return stock_indicators(stock(), frame, q1, max_rent=MAX_RENT, sites=SITES).set_index(
        ["site", "indicator", "breakdown"]
    )


def test_when_rents_are_compared_with_q1_limits_then_share_is_by_typology_outside_qpv(table):
    site = table.loc[("alpha", "q1_affordable_stock_share", "")]
    # s1, s3 (at the limit), s5 of s1..s5; s4's unknown rent stays in the denominator → 3 / 5
    assert (site["numerator"], site["denominator"], site["value"]) == (3, 5, 60.0)
    assert table.loc[("alpha", "q1_affordable_stock_share", "T1"), "value"] == 50.0  # s1 of s1, s2
    assert table.loc[("alpha", "q1_affordable_stock_share", "T2"), "value"] == 100.0
    assert table.loc[("alpha", "q1_affordable_stock_share", "T3"), "value"] == 50.0  # s5 of s4, s5


def test_when_typology_mix_is_compared_then_t1_t2_supply_faces_q1_small_demand(table):
    assert table.loc[("alpha", "small_typology_supply_share", ""), "value"] == 60.0  # s1, s2, s3 of 5
    demand = table.loc[("alpha", "q1_small_typology_demand_share", "")]
    # Q1 demands: T1 and T4 (the unknown-resources C demand is not Q1) → 1 / 2
    assert (demand["numerator"], demand["denominator"], demand["value"]) == (1, 2, 50.0)


def test_when_site_has_no_stock_then_shares_are_na_on_zero():
    frame, q1 = demands()
    table = stock_indicators(stock(), frame, q1, max_rent=MAX_RENT, sites=SITES)
    beta = table[(table["site"] == "beta") & (table["indicator"] == "q1_affordable_stock_share")]
    assert len(beta) == 1 and beta["denominator"].iloc[0] == 0 and beta["value"].isna().all()
