"""Attribution targets (CCH L441-1, docs/domain.md §3): the Q1 threshold, Q1 outside QPV, non-Q1 in QPV,
priority publics — and the site targets they are compared with.

Choices, tested in tests/test_indicators_targets.py:
- resources per UC = 12 × monthly resources / UC, rounded to the cent, so a household exactly at the
  threshold (Q1 ⇔ resources per UC ≤ threshold) is not pushed out by floating-point error;
- **missing resources**: the household is neither Q1 nor non-Q1. It stays in the denominator of both
  Q1 targets and never enters a numerator (a target cannot be shown met on unknown data); the count
  is published as ``attributions_unknown_resources``. ANRU rehousing still counts for Q1 outside QPV;
- **a site with no QPV** (no attribution in QPV): "outside QPV" is then every attribution, which is
  exactly the legal rule; ``attributions_in_qpv`` = 0 says so and ``non_q1_in_qpv`` has value NA
  on a denominator of 0;
- the estimated threshold is the legal "highest value of the poorest quarter": the value of rank
  ⌈n/4⌉ among the demands with known resources (no interpolation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cohorte.editions import Edition, UcScale
from cohorte.errors import ParamsError
from cohorte.indicators.registry import count_rows, counts_by, per_site, rows, share_rows

TARGETED = ("q1_outside_qpv", "non_q1_in_qpv", "priority_publics")
# Contingents that carry the priority-publics target (CCH L441-1, L313-26-2; domain.md §3): local
# authorities, Action Logement and the landlords' non-reserved stock. Other réservataires (AUTRES)
# carry none: their share is shown, never judged. The préfectoral contingent (PPRIOR) is meant wholly
# for priority households: shown as its own share, no target; the State-staff contingent (PFONCT)
# has no priority target at all.
PRIORITY_TARGET_CONTINGENTS = ("COLTER", "COLACT", "AUCUN")
# Indicators whose breakdown rows take the site-level target of another indicator when they have none.
TARGET_FALLBACK = {
    "priority_publics": "priority_publics",  # each réservataire has the site's target
    "priority_publics_non_reserved_by_landlord": "priority_publics",  # each landlord's non-reserved stock too
}


# --- consumption units and the Q1 threshold -------------------------------------------------


def consumption_units(frame: pd.DataFrame, scale: UcScale | None = None) -> pd.Series:
    """UC of each household: first person, each other person aged 14+, each child under 14 (default:
    modified OECD scale 1 / 0.5 / 0.3). ``persons_14_plus`` includes the first person."""
    scale = scale or UcScale()
    others = (frame["persons_14_plus"].astype("float64") - 1).clip(lower=0)
    return (
        scale.first_person
        + scale.other_14_plus * others
        + scale.child_under_14 * frame["children_under_14"].astype("float64")
    )


def resources_per_uc(frame: pd.DataFrame, scale: UcScale | None = None) -> pd.Series:
    """Annual resources per UC (12 × monthly / UC), rounded to the cent; NaN where resources are unknown."""
    return (12 * frame["monthly_resources_eur"].astype("float64") / consumption_units(frame, scale)).round(2)


def estimate_q1_threshold(demands: pd.DataFrame, scale: UcScale | None = None) -> pd.DataFrame:
    """Per site: the ⌈n/4⌉-th lowest annual resources per UC of the active demands with known resources.

    Returns a frame indexed by site with ``threshold`` and ``cases`` (demands with known resources).
    """
    rpu = resources_per_uc(demands, scale)
    known = pd.DataFrame({"site": demands["epci"].to_numpy(), "rpu": rpu.to_numpy()}).dropna()
    known = known.sort_values(["site", "rpu"], kind="stable")
    rank = known.groupby("site", sort=False).cumcount()
    cases = known.groupby("site")["rpu"].transform("size")
    wanted = np.ceil(cases / 4).astype("int64") - 1
    picked = known[rank.to_numpy() == wanted.to_numpy()].set_index("site")["rpu"]
    out = pd.DataFrame({"threshold": picked, "cases": known.groupby("site").size()})
    out.index.name = "site"
    return out


def q1_thresholds(
    demands: pd.DataFrame,
    official: pd.DataFrame | None,
    *,
    year: int,
    sites: Sequence[str],
    scale: UcScale | None = None,
    decree: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The threshold per site: the arrêté's (``decree``: site → value, cohorte.reference.q1) when the
    kit ships one for the site and ``year``, else the data file's (``official``) for ``year``, else the
    estimate.

    Frame indexed by site: ``threshold`` (NaN when none exists), ``estimated`` bool, ``cases``
    (demands with known resources behind an estimate; NaN for a given value).
    """
    index = pd.Index(list(sites), name="site")
    estimate = estimate_q1_threshold(demands, scale).reindex(index)
    out = pd.DataFrame({"threshold": estimate["threshold"], "estimated": True, "cases": estimate["cases"].fillna(0)})
    if official is not None and len(official):
        this_year = official[official["year"].astype("int64") == int(year)]
        values = this_year.groupby("epci")["threshold_eur_per_uc"].last().reindex(index)
        has = values.notna()
        out.loc[has, "threshold"] = values[has]
        out.loc[has, "estimated"] = False
        out.loc[has, "cases"] = np.nan
    if decree:
        values = pd.Series(decree, dtype="float64").reindex(index)
        has = values.notna()
        out.loc[has, "threshold"] = values[has]
        out.loc[has, "estimated"] = False
        out.loc[has, "cases"] = np.nan
    out.loc[out["threshold"].isna(), "estimated"] = False
    return out


def q1_threshold_rows(thresholds: pd.DataFrame) -> pd.DataFrame:
    """Indicator ``q1_threshold`` (€/UC); denominator = demands behind an estimate, for disclosure."""
    return rows(
        "q1_threshold",
        thresholds["threshold"],
        denominator=thresholds["cases"],
        estimated=thresholds["estimated"].astype(bool),
    )


def q1_status(frame: pd.DataFrame, thresholds: pd.Series, scale: UcScale | None = None) -> pd.Series:
    """Nullable boolean per row: Q1 ⇔ resources per UC ≤ the site's threshold; NA when resources or
    the threshold are unknown."""
    rpu = resources_per_uc(frame, scale)
    limit = frame["epci"].map(thresholds).astype("float64")
    status = pd.Series(pd.array(rpu <= limit, dtype="boolean"), index=frame.index)
    return status.mask(rpu.isna() | limit.isna())


# --- the three legal rates ------------------------------------------------------------------


def _rate_family(
    indicator: str, frame: pd.DataFrame, scope: pd.Series, hit: pd.Series, sites: Sequence[str], by: Mapping[str, str]
) -> list[pd.DataFrame]:
    """Site-level rate of ``hit`` among ``scope`` rows, then the same rate by each column of ``by``."""
    den = per_site(frame[scope].groupby("epci").size(), list(sites))
    num = per_site(frame[scope & hit].groupby("epci").size(), list(sites))
    out = [share_rows(indicator, num, den)]
    for suffix, column in by.items():
        den_b = frame[scope].groupby(["epci", column]).size()
        den_b = den_b[den_b.index.get_level_values(0).isin(sites)]
        out.append(
            share_rows(f"{indicator}_by_{suffix}", counts_by(frame, ["epci", column], scope & hit, den_b), den_b)
        )
    return out


def q1_outside_qpv(attributions: pd.DataFrame, q1: pd.Series, sites: Sequence[str]) -> list[pd.DataFrame]:
    """Q1 outside QPV (L441-1, ≥ 25 %): attributions outside QPV to Q1 applicants or ANRU rehousing,
    over attributions outside QPV — over all attributions where the EPCI has no QPV."""
    outside = ~attributions["in_qpv"].astype(bool)
    hit = q1.fillna(False).astype(bool) | attributions["anru_rehousing"].astype(bool)
    return _rate_family(
        "q1_outside_qpv", attributions, outside, hit, sites, {"commune": "commune", "landlord": "landlord"}
    )


def non_q1_in_qpv(attributions: pd.DataFrame, q1: pd.Series, sites: Sequence[str]) -> list[pd.DataFrame]:
    """Non-Q1 in QPV (L441-1, ≥ 50 %): attributions in QPV to applicants of quartiles 2–4, over
    attributions in QPV (unknown resources: in the denominator only)."""
    inside = attributions["in_qpv"].astype(bool)
    hit = (q1 == False).fillna(False).astype(bool)  # noqa: E712 — NA (unknown) is not "non-Q1"
    return _rate_family(
        "non_q1_in_qpv", attributions, inside, hit, sites, {"commune": "commune", "landlord": "landlord"}
    )


def priority_publics(attributions: pd.DataFrame, sites: Sequence[str]) -> list[pd.DataFrame]:
    """Priority publics (L441-1, ≥ 25 % per contingent): attributions to DALO or labelled priority
    households over the contingent's attributions, by réservataire (AUCUN = landlords' non-reserved
    stock, all landlords together) and per landlord on the non-reserved stock."""
    hit = attributions["priority"].astype(bool) | attributions["dalo"].astype(bool)
    every = pd.Series(True, index=attributions.index)
    site_den = per_site(attributions.groupby("epci").size(), list(sites))
    site_num = per_site(attributions[hit].groupby("epci").size(), list(sites))
    den = attributions.groupby(["epci", "reservataire"]).size()
    den = den[den.index.get_level_values(0).isin(sites)]
    non_reserved = attributions["reservataire"] == "AUCUN"
    den_l = attributions[non_reserved].groupby(["epci", "landlord"]).size()
    den_l = den_l[den_l.index.get_level_values(0).isin(sites)]
    return [
        share_rows("priority_publics", site_num, site_den),
        share_rows("priority_publics", counts_by(attributions, ["epci", "reservataire"], every & hit, den), den),
        share_rows(
            "priority_publics_non_reserved_by_landlord",
            counts_by(attributions, ["epci", "landlord"], non_reserved & hit, den_l),
            den_l,
        ),
    ]


def target_indicators(
    demands: pd.DataFrame,
    attributions: pd.DataFrame,
    official_thresholds: pd.DataFrame | None,
    *,
    year: int,
    sites: Sequence[str],
    scale: UcScale | None = None,
    decree: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Every attribution-target row for all sites, and the threshold per site (used by stock.py)."""
    thresholds = q1_thresholds(demands, official_thresholds, year=year, sites=sites, scale=scale, decree=decree)
    q1 = q1_status(attributions, thresholds["threshold"], scale)
    in_qpv = attributions["in_qpv"].astype(bool)
    parts = [
        q1_threshold_rows(thresholds),
        count_rows(
            "attributions_unknown_resources",
            per_site(attributions[attributions["monthly_resources_eur"].isna()].groupby("epci").size(), list(sites)),
        ),
        count_rows("attributions_in_qpv", per_site(attributions[in_qpv].groupby("epci").size(), list(sites))),
        *q1_outside_qpv(attributions, q1, sites),
        *non_q1_in_qpv(attributions, q1, sites),
        *priority_publics(attributions, sites),
    ]
    return pd.concat(parts, ignore_index=True), thresholds["threshold"]


# --- targets --------------------------------------------------------------------------------


def build_targets(
    edition: Edition,
    overrides: Mapping[str, Mapping[str, float | None]] | None = None,
    differentiated: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> pd.DataFrame:
    """Frame ``site, indicator, breakdown, target``: the national defaults, a site's overrides (None
    keeps the default), and differentiated targets by commune (``<indicator>_by_commune``, breakdown =
    INSEE code) or by landlord (``<indicator>_by_landlord``, breakdown = landlord)."""
    overrides, differentiated = overrides or {}, differentiated or {}
    national = edition.indicators.national_targets.model_dump()
    known_sites = set(edition.slugs)
    for slug in [*overrides, *differentiated]:
        if slug not in known_sites:
            raise ParamsError(
                f"targets given for unknown site {slug!r}; sites of edition {edition.edition}: "
                f"{', '.join(edition.slugs)}"
            )
    records = []
    for slug in edition.slugs:
        local = dict(overrides.get(slug) or {})
        unknown = sorted(set(local) - set(TARGETED))
        if unknown:
            raise ParamsError(f"site {slug!r}: unknown target(s) {unknown}; expected among {list(TARGETED)}")
        for indicator in TARGETED:
            value = local.get(indicator)
            records.append((slug, indicator, "", float(national[indicator] if value is None else value)))
        for number, item in enumerate(differentiated.get(slug) or [], start=1):
            records.append(_differentiated_record(slug, number, item))
    frame = pd.DataFrame(records, columns=["site", "indicator", "breakdown", "target"])
    bad = frame[(frame["target"] < 0) | (frame["target"] > 100)]
    if len(bad):
        row = bad.iloc[0]
        raise ParamsError(
            f"site {row['site']!r}: target {row['indicator']} = {row['target']} is not a percent between 0 and 100"
        )
    duplicated = frame[frame.duplicated(["site", "indicator", "breakdown"], keep=False)]
    if len(duplicated):
        row = duplicated.iloc[0]
        raise ParamsError(
            f"site {row['site']!r}: several targets for {row['indicator']} {row['breakdown']!r}; keep one"
        )
    return frame


def _differentiated_record(slug: str, number: int, item: Mapping[str, object]) -> tuple[str, str, str, float]:
    where = f"site {slug!r}, differentiated target #{number}"
    unknown = sorted(set(item) - {"indicator", "commune", "landlord", "target"})
    if unknown:
        raise ParamsError(f"{where}: unknown key(s) {unknown}; expected indicator, commune or landlord, target")
    indicator = item.get("indicator")
    if indicator not in TARGETED:
        raise ParamsError(f"{where}: indicator {indicator!r} is not one of {list(TARGETED)}")
    commune, landlord = item.get("commune"), item.get("landlord")
    if (commune is None) == (landlord is None):
        raise ParamsError(
            f"{where}: give exactly one of 'commune' (INSEE code) or 'landlord'; "
            "write two entries for a target by commune and another by landlord"
        )
    target = item.get("target")
    if target is None:
        raise ParamsError(f"{where}: 'target' (percent) is missing")
    if isinstance(target, bool) or not isinstance(target, int | float):
        raise ParamsError(f"{where}: 'target' must be a percent (a number), got {target!r}")
    suffix, key = ("by_commune", commune) if commune is not None else ("by_landlord", landlord)
    name = (
        f"{indicator}_{suffix}"
        if indicator != "priority_publics" or suffix == "by_commune"
        else "priority_publics_non_reserved_by_landlord"
    )
    return slug, name, str(key), float(target)


def apply_targets(table: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Fill ``target`` and ``met`` (value ≥ target; NA without a target or a value).

    A row takes its exact (site, indicator, breakdown) target, else — for the contingents of
    ``priority_publics`` and each landlord's non-reserved stock — the site-level target. The law
    sets the priority-publics target per contingent: only ``PRIORITY_TARGET_CONTINGENTS`` carry it,
    never the all-contingents row, the préfectoral contingent nor the State-staff one."""
    keys = ["site", "indicator", "breakdown"]
    exact = table[keys].merge(targets[[*keys, "target"]], on=keys, how="left")["target"].to_numpy()
    fallback_ids = table["indicator"].map(TARGET_FALLBACK)
    site_level = targets[targets["breakdown"] == ""].set_index(["site", "indicator"])["target"]
    lookup = pd.MultiIndex.from_arrays([table["site"], fallback_ids.fillna("")])
    fallback = site_level.reindex(lookup).to_numpy()
    target = np.where(np.isnan(exact), fallback, exact)
    untargeted = (table["indicator"] == "priority_publics") & ~table["breakdown"].isin(PRIORITY_TARGET_CONTINGENTS)
    target = np.where(untargeted.to_numpy(bool), np.nan, target)
    out = table.copy()
    out["target"] = target.astype("float64")
    met = pd.array(out["value"] >= out["target"], dtype="boolean")
    out["met"] = pd.Series(met, index=out.index).mask(out["value"].isna() | out["target"].isna())
    return out
