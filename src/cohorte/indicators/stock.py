"""Stock accessibility outside QPV (docs/domain.md §3) — why Q1 targets fail: rents out of reach of Q1
households, and a typology mix that does not match what Q1 applicants ask for.

A dwelling's typology comes from its rooms (``codes.typology_from_rooms``). A dwelling with an
unknown rent counts in the denominator and is never "affordable" (as unknown resources never make a
household Q1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cohorte.indicators.registry import counts_by, per_site, share_rows
from cohorte.inputs.codes import typology_from_rooms

SMALL_TYPOLOGIES_DEMANDED = ("C", "T1", "T2")
SMALL_ROOMS = 2


def dwelling_typology(stock: pd.DataFrame) -> pd.Series:
    rooms = stock["rooms"].astype("int64").clip(lower=1, upper=6)
    labels = {r: typology_from_rooms(r) for r in range(1, 7)}
    return rooms.map(labels)


def affordable_stock(stock: pd.DataFrame, max_rent: Mapping[str, float], sites: Sequence[str]) -> list[pd.DataFrame]:
    """Share of dwellings outside QPV whose monthly rent is at most the rent a Q1 household can bear
    for its typology (edition parameter ``q1_max_rent_eur``), by typology."""
    outside = stock[~stock["in_qpv"].astype(bool)].assign(typology=lambda f: dwelling_typology(f))
    limit = outside["typology"].map(dict(max_rent)).astype("float64")
    within = outside["monthly_rent_eur"] <= limit  # NaN rent or no limit: False
    den = per_site(outside.groupby("epci").size(), list(sites))
    num = per_site(outside[within].groupby("epci").size(), list(sites))
    den_t = outside.groupby(["epci", "typology"]).size()
    den_t = den_t[den_t.index.get_level_values(0).isin(sites)]
    return [
        share_rows("q1_affordable_stock_share", num, den),
        share_rows("q1_affordable_stock_share", counts_by(outside, ["epci", "typology"], within, den_t), den_t),
    ]


def typology_mix(
    stock: pd.DataFrame, demands: pd.DataFrame, q1_demand: pd.Series, sites: Sequence[str]
) -> list[pd.DataFrame]:
    """T1/T2 share of the stock outside QPV against the share of Q1 active demands asking for a
    room, a T1 or a T2 (Q1 demands: resources per UC at most the site's threshold)."""
    outside = stock[~stock["in_qpv"].astype(bool)]
    small = outside["rooms"] <= SMALL_ROOMS
    q1 = demands[q1_demand.fillna(False).astype(bool)]
    asks_small = q1["requested_typology"].isin(SMALL_TYPOLOGIES_DEMANDED)
    return [
        share_rows(
            "small_typology_supply_share",
            per_site(outside[small].groupby("epci").size(), list(sites)),
            per_site(outside.groupby("epci").size(), list(sites)),
        ),
        share_rows(
            "q1_small_typology_demand_share",
            per_site(q1[asks_small].groupby("epci").size(), list(sites)),
            per_site(q1.groupby("epci").size(), list(sites)),
        ),
    ]


def stock_indicators(
    stock: pd.DataFrame,
    demands: pd.DataFrame,
    q1_demand: pd.Series,
    *,
    max_rent: Mapping[str, float],
    sites: Sequence[str],
) -> pd.DataFrame:
    """Every stock-accessibility row for all sites; ``q1_demand`` is the Q1 status of each active demand."""
    return pd.concat(
        [*affordable_stock(stock, max_rent, sites), *typology_mix(stock, demands, q1_demand, sites)], ignore_index=True
    )
