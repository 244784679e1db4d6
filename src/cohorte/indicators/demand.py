"""Demand indicators (docs/domain.md §3): active demands, pressure, mutations, seniority and delays,
demands past the "délai anormalement long", poulidors.

Durations are whole calendar months elapsed (a demand filed on 31 December has 0 months of
seniority on 31 December); a demand has reached the délai anormalement long when its seniority in
whole months is at least the délai.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cohorte.indicators.registry import complete_months, count_rows, per_site, ratio_rows, rows, share_rows
from cohorte.inputs.codes import MUTATION_HOUSING

ATTRIBUTION_DECISIONS = ("ATTRIB", "ATTRIB_COND")


def active_at(demands: pd.DataFrame, reference_date: pd.Timestamp) -> pd.DataFrame:
    """Demands filed on or before the reference date (a missing filing date is kept)."""
    return demands[~(demands["filing_date"] > reference_date)]


def _counts(frame: pd.DataFrame, sites: Sequence[str], mask: pd.Series | None = None) -> pd.Series:
    data = frame if mask is None else frame[mask]
    return per_site(data.groupby("epci").size(), list(sites))


def volume_and_pressure(demands: pd.DataFrame, attributions: pd.DataFrame, sites: Sequence[str]) -> list[pd.DataFrame]:
    """Active demands at 31/12, attributions of the year, pressure (active demands / attributions,
    also without mutations) and the share of mutations in demands and in attributions."""
    demand_mutation = demands["current_housing"] == MUTATION_HOUSING
    attribution_mutation = attributions["mutation"].astype(bool)
    active, granted = _counts(demands, sites), _counts(attributions, sites)
    active_mut, granted_mut = (
        _counts(demands, sites, demand_mutation),
        _counts(attributions, sites, attribution_mutation),
    )
    return [
        count_rows("active_demands", active),
        count_rows("attributions", granted),
        ratio_rows("pressure", active, granted),
        ratio_rows("pressure_excl_mutations", active - active_mut, granted - granted_mut),
        share_rows("mutation_share", active_mut, active),
        share_rows("mutation_share_attributions", granted_mut, granted),
    ]


def _median_rows(
    indicator: str, frame: pd.DataFrame, months: pd.Series, typology: str, sites: Sequence[str]
) -> list[pd.DataFrame]:
    """Median months per site and per (site, typology); denominator = cases with a known duration."""
    data = pd.DataFrame({"epci": frame["epci"], "typology": frame[typology], "months": months}).dropna(
        subset=["months"]
    )
    site = data.groupby("epci")["months"].agg(["median", "size"]).reindex(pd.Index(list(sites), name="site"))
    by = data.groupby(["epci", "typology"])["months"].agg(["median", "size"])
    by = by[by.index.get_level_values(0).isin(sites)]
    return [
        rows(indicator, site["median"], denominator=site["size"].fillna(0)),
        rows(indicator, by["median"], denominator=by["size"]),
    ]


def median_seniority(demands: pd.DataFrame, reference_date: pd.Timestamp, sites: Sequence[str]) -> list[pd.DataFrame]:
    """Median seniority of active demands (whole months from filing to the reference date), by
    requested typology."""
    months = complete_months(demands["filing_date"], reference_date)
    return _median_rows("median_seniority_months", demands, months, "requested_typology", sites)


def median_delay(attributions: pd.DataFrame, sites: Sequence[str]) -> list[pd.DataFrame]:
    """Median delay to attribution (whole months from filing to lease signature), by typology let."""
    months = complete_months(attributions["filing_date"], attributions["lease_date"])
    return _median_rows("median_delay_months", attributions, months, "typology", sites)


def abnormal_delay(
    demands: pd.DataFrame, reference_date: pd.Timestamp, delay_months: int | Mapping[str, int], sites: Sequence[str]
) -> list[pd.DataFrame]:
    """Active demands whose seniority reached the département's "délai anormalement long" (CCH
    L441-1-4), given per site or for all sites, as a count and a share of active demands."""
    months = complete_months(demands["filing_date"], reference_date)
    if isinstance(delay_months, Mapping):
        limit = demands["epci"].map(delay_months).astype("float64")
    else:
        limit = pd.Series(float(delay_months), index=demands.index)
    late = _counts(demands, sites, months >= limit)
    return [
        count_rows("abnormal_delay_demands", late),
        share_rows("abnormal_delay_share", late, _counts(demands, sites)),
    ]


def poulidors(
    demands: pd.DataFrame,
    attributions: pd.DataFrame,
    cal_presentations: pd.DataFrame,
    *,
    year: int,
    min_presentations: int,
    sites: Sequence[str],
) -> list[pd.DataFrame]:
    """Poulidors: active demands presented at least ``min_presentations`` times to a CAL during the
    year, never ranked first with an attribution decision, and with no lease signed in the year."""
    cal = cal_presentations[cal_presentations["commission_date"].dt.year == int(year)]
    first = (cal["rank"] == 1) & cal["decision"].isin(ATTRIBUTION_DECISIONS)
    per_demand = (
        pd.DataFrame({"demand_id": cal["demand_id"], "first": first}).groupby("demand_id")["first"].agg(["size", "any"])
    )
    candidates = per_demand[(per_demand["size"] >= min_presentations) & ~per_demand["any"]].index
    is_poulidor = demands["demand_id"].isin(candidates) & ~demands["demand_id"].isin(attributions["demand_id"])
    return [count_rows("poulidors", _counts(demands, sites, is_poulidor))]


def demand_indicators(
    demands: pd.DataFrame,
    attributions: pd.DataFrame,
    cal_presentations: pd.DataFrame,
    *,
    reference_date: pd.Timestamp,
    year: int,
    abnormal_delay_months: int | Mapping[str, int],
    poulidor_min_presentations: int,
    sites: Sequence[str],
) -> pd.DataFrame:
    """Every demand row for all sites; ``demands`` must already be the active demands."""
    parts = [
        *volume_and_pressure(demands, attributions, sites),
        *median_seniority(demands, reference_date, sites),
        *median_delay(attributions, sites),
        *abnormal_delay(demands, reference_date, abnormal_delay_months, sites),
        *poulidors(
            demands,
            attributions,
            cal_presentations,
            year=year,
            min_presentations=poulidor_min_presentations,
            sites=sites,
        ),
    ]
    return pd.concat(parts, ignore_index=True)
