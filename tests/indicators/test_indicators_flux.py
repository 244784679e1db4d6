"""Gestion en flux: reserved stock, flow shares with the State caps, implied flow, attributions."""

from __future__ import annotations

import pandas as pd
import pytest

from cohorte.indicators.flux import flow_shares, flux_indicators

SITES = ["alpha"]


def stock() -> pd.DataFrame:
    # 20 dwellings: PPRIOR 6 (30 %), PFONCT 2 (10 %), COLACT 4 (20 %), COLTER 2 (10 %), AUCUN 6 (30 %)
    codes = ["PPRIOR"] * 6 + ["PFONCT"] * 2 + ["COLACT"] * 4 + ["COLTER"] * 2 + ["AUCUN"] * 6
    return pd.DataFrame({"epci": "alpha", "reserved_for": codes})


def attributions() -> pd.DataFrame:
    # 12 leases: PPRIOR 3, PFONCT 1, COLACT 2, COLTER 2, AUCUN 4 of which 1 mutation and 1 ANRU rehousing
    codes = ["PPRIOR"] * 3 + ["PFONCT"] + ["COLACT"] * 2 + ["COLTER"] * 2 + ["AUCUN"] * 4
    frame = pd.DataFrame({"epci": "alpha", "reservataire": codes, "mutation": False, "anru_rehousing": False})
    frame.loc[8, "mutation"] = True
    frame.loc[9, "anru_rehousing"] = True
    return frame


@pytest.fixture
def table() -> pd.DataFrame:
    out = flux_indicators(stock(), attributions(), state_max_share=30, state_staff_max_share=5, sites=SITES)
    return out.set_index(["site", "indicator", "breakdown"])


def value(table: pd.DataFrame, indicator: str, breakdown: str = "") -> float:
    return table.loc[("alpha", indicator, breakdown), "value"]


def test_when_stock_is_reserved_then_shares_are_of_the_whole_stock(table):
    assert value(table, "flux_reserved_stock_share", "PPRIOR") == 30.0
    assert value(table, "flux_reserved_stock_share", "AUTRES") == 0.0
    assert value(table, "flux_reserved_stock_share") == 70.0  # 14 reserved of 20


def test_when_state_shares_exceed_the_decree_caps_then_the_flow_is_capped_and_the_rest_goes_to_landlords(table):
    # staff: min(10, 5) = 5 ; State: min(30 + 5, 30) = 30 → PPRIOR 25 ; landlords 100 − 25 − 5 − 20 − 10 = 40
    assert value(table, "flux_flow_share", "PFONCT") == 5.0
    assert value(table, "flux_flow_share", "PPRIOR") == 25.0
    assert value(table, "flux_flow_share", "AUCUN") == 40.0
    assert bool(table.loc[("alpha", "flux_flow_share", "PPRIOR"), "estimated"])


def test_when_flow_is_estimated_then_mutations_and_anru_leave_the_base(table):
    assert value(table, "flux_implied_flow") == 10.0  # 12 leases − 1 mutation − 1 ANRU
    assert value(table, "flux_implied_flow", "PPRIOR") == pytest.approx(2.5)  # 25 % of 10
    assert value(table, "flux_implied_flow", "AUCUN") == pytest.approx(4.0)


def test_when_attributions_are_compared_with_the_flow_then_attainment_is_per_contingent(table):
    assert value(table, "flux_attributions", "AUCUN") == 4 and value(table, "flux_attributions") == 12
    assert value(table, "flux_attainment", "PPRIOR") == pytest.approx(120.0)  # 3 / 2.5
    assert value(table, "flux_attainment", "AUCUN") == pytest.approx(50.0)  # (4 − 2) / 4


def test_when_one_landlord_exceeds_the_state_cap_then_only_its_stock_is_capped():
    # landlord A: 10 dwellings, 5 PPRIOR (50 % > 30 %) ; landlord B: 10 dwellings, 1 PPRIOR (10 %)
    # the EPCI as a whole: 6 of 20 = 30 %, within the cap — but the ceiling binds each landlord
    codes = ["PPRIOR"] * 5 + ["AUCUN"] * 5 + ["PPRIOR"] + ["AUCUN"] * 9
    landlords = ["A"] * 10 + ["B"] * 10
    frame = pd.DataFrame({"epci": "alpha", "reserved_for": codes, "landlord": landlords})
    out = flux_indicators(frame, attributions(), state_max_share=30, state_staff_max_share=5, sites=SITES)
    table = out.set_index(["site", "indicator", "breakdown"])
    assert value(table, "flux_reserved_stock_share", "PPRIOR") == 30.0
    assert value(table, "flux_flow_share", "PPRIOR") == pytest.approx(20.0)  # (3 + 1) of 20
    assert value(table, "flux_flow_share", "AUCUN") == pytest.approx(80.0)


def test_when_state_is_under_the_caps_then_its_share_is_unchanged():
    shares = pd.DataFrame(
        {"PPRIOR": [20.0], "PFONCT": [3.0], "COLTER": [10.0], "COLACT": [30.0], "AUTRES": [0.0], "AUCUN": [37.0]}
    )
    flow = flow_shares(shares, 30, 5)
    assert flow.iloc[0].tolist() == [20.0, 3.0, 10.0, 30.0, 0.0, 37.0]
