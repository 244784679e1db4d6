"""Gestion en flux (décret 2020-145, docs/domain.md §3): the kit's estimate, per réservataire, of what the
conversion of stock reservations into a yearly flow implies.

Method (estimate, ``estimated`` = True on the flow rows):
1. reserved stock share = dwellings reserved for the réservataire / the site's social stock;
2. flow share = that share, with the State capped as CCH R441-5 says, **landlord by landlord** (the
   ceilings bind each organisme on its own stock, never the EPCI's whole stock): PFONCT (its staff)
   at most ``flux_state_staff_max_share`` (5 %), PPRIOR + PFONCT at most ``flux_state_max_share``
   (30 %) of each landlord's dwellings; what the caps remove goes back to that landlord (AUCUN); the
   site's flow share of a réservataire is then the landlords' capped flows over the site's stock, so
   the flow shares add up to 100 %;
3. flow base = the year's releases, estimated by its attributions, minus those for mutations and ANRU
   rehousing (left out of the flow by the décret);
4. implied flow = flow share × flow base, compared with the contingent's attributions net of
   mutations and ANRU rehousing (``flux_attainment``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohorte.indicators.registry import count_rows, per_site, rows, share_rows
from cohorte.inputs.codes import RESERVATAIRES

STATE, STATE_STAFF, LANDLORD = "PPRIOR", "PFONCT", "AUCUN"


def _grid(frame: pd.DataFrame, column: str, sites: Sequence[str], mask: pd.Series | None = None) -> pd.DataFrame:
    """Counts site × réservataire code (every code, 0 where none)."""
    data = frame if mask is None else frame[mask]
    codes = data[column].fillna(LANDLORD)
    counts = data.groupby([data["epci"], codes]).size().unstack(fill_value=0)
    return counts.reindex(index=pd.Index(list(sites), name="site"), columns=list(RESERVATAIRES), fill_value=0)


def flow_shares(reserved_share: pd.DataFrame, state_max: float, staff_max: float) -> pd.DataFrame:
    """Flow shares (percent) site × réservataire from the reserved-stock shares, State caps applied."""
    flow = reserved_share.copy()
    staff = reserved_share[STATE_STAFF].clip(upper=staff_max)
    state_total = (reserved_share[STATE] + staff).clip(upper=state_max)
    flow[STATE_STAFF] = staff
    flow[STATE] = state_total - staff
    others = [c for c in flow.columns if c != LANDLORD]
    flow[LANDLORD] = 100 - flow[others].sum(axis=1)
    return flow.where(reserved_share.notna())


def capped_flow_shares(stock: pd.DataFrame, sites: Sequence[str], state_max: float, staff_max: float) -> pd.DataFrame:
    """Flow shares (percent) site × réservataire, the State's caps applied to each landlord's stock."""
    landlord = stock["landlord"].fillna("") if "landlord" in stock else pd.Series("", index=stock.index)
    codes = stock["reserved_for"].fillna(LANDLORD)
    counts = stock.groupby([stock["epci"], landlord, codes]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(RESERVATAIRES), fill_value=0)
    per_landlord = counts.sum(axis=1)
    capped = flow_shares(counts.div(per_landlord, axis=0) * 100, state_max, staff_max)
    dwellings = capped.mul(per_landlord, axis=0).groupby(level=0).sum()
    dwellings = dwellings.reindex(index=pd.Index(list(sites), name="site"), columns=list(RESERVATAIRES))
    total = dwellings.sum(axis=1, min_count=1)
    return dwellings.div(total.where(total > 0), axis=0) * 100


def _long(frame: pd.DataFrame) -> pd.Series:
    series = frame.stack(future_stack=True)
    series.index = series.index.set_names(["site", "breakdown"])
    return series


def flux_indicators(
    stock: pd.DataFrame,
    attributions: pd.DataFrame,
    *,
    state_max_share: float,
    state_staff_max_share: float,
    sites: Sequence[str],
) -> pd.DataFrame:
    """Every gestion-en-flux row for all sites (see the module docstring for the method)."""
    reserved = _grid(stock, "reserved_for", sites)
    total_stock = reserved.sum(axis=1)
    flow = capped_flow_shares(stock, sites, state_max_share, state_staff_max_share)

    out_of_flow = attributions["mutation"].astype(bool) | attributions["anru_rehousing"].astype(bool)
    granted = _grid(attributions, "reservataire", sites)
    granted_net = _grid(attributions, "reservataire", sites, ~out_of_flow)
    base = granted_net.sum(axis=1).astype("float64")
    implied = flow.mul(base, axis=0) / 100

    contingents = [c for c in RESERVATAIRES if c != LANDLORD]
    reserved_any = reserved[contingents].sum(axis=1)
    parts = [
        share_rows("flux_reserved_stock_share", reserved_any, total_stock),
        share_rows(
            "flux_reserved_stock_share",
            _long(reserved[contingents]),
            _long(reserved[contingents].mul(0).add(total_stock, axis=0)),
        ),
        rows("flux_flow_share", per_site(flow.sum(axis=1, min_count=1), list(sites), np.nan), estimated=True),
        rows("flux_flow_share", _long(flow), estimated=True),
        rows("flux_implied_flow", base, estimated=True),
        rows("flux_implied_flow", _long(implied), estimated=True),
        count_rows("flux_attributions", granted.sum(axis=1)),
        count_rows("flux_attributions", _long(granted)),
        share_rows("flux_attainment", base, base, estimated=True),
        share_rows("flux_attainment", _long(granted_net), _long(implied), estimated=True),
    ]
    return pd.concat(parts, ignore_index=True)
