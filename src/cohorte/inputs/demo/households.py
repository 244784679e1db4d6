"""Columns of a site's demands and attributions tables, drawn as numpy arrays."""

from __future__ import annotations

import numpy as np

from cohorte.editions import Edition
from cohorte.inputs import codes
from cohorte.inputs.demo.profiles import SiteProfile
from cohorte.inputs.demo.sampling import (
    categorical,
    consumption_units,
    day_number,
    monthly_resources,
    split_household,
    weighted_sample,
)

_MUTATION_BY_RESERVATAIRE = np.array([0.5, 0.9, 1.0, 1.0, 1.0, 1.5])
# Typology indexes follow codes.TYPOLOGIES: C, T1, T2, T3, T4, T5, T6P.
# Requested typology by household size (1 … 6+).
_TYPOLOGY_BY_SIZE = np.array(
    [
        [0.04, 0.30, 0.52, 0.14, 0.00, 0.00, 0.00],
        [0.00, 0.04, 0.56, 0.36, 0.04, 0.00, 0.00],
        [0.00, 0.00, 0.14, 0.62, 0.24, 0.00, 0.00],
        [0.00, 0.00, 0.00, 0.30, 0.60, 0.10, 0.00],
        [0.00, 0.00, 0.00, 0.00, 0.50, 0.45, 0.05],
        [0.00, 0.00, 0.00, 0.00, 0.15, 0.50, 0.35],
    ]
)
# Household size (1 … 8) of the household housed, by rooms of the dwelling (1 … 6+).
_SIZE_BY_ROOMS = np.array(
    [
        [0.90, 0.10, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
        [0.55, 0.33, 0.12, 0.00, 0.00, 0.00, 0.00, 0.00],
        [0.08, 0.32, 0.38, 0.22, 0.00, 0.00, 0.00, 0.00],
        [0.00, 0.05, 0.27, 0.43, 0.25, 0.00, 0.00, 0.00],
        [0.00, 0.00, 0.05, 0.25, 0.45, 0.25, 0.00, 0.00],
        [0.00, 0.00, 0.00, 0.00, 0.25, 0.45, 0.20, 0.10],
    ]
)
_DEMAND_SIZE = np.array([0.44, 0.22, 0.15, 0.11, 0.05, 0.02, 0.01])
# Current housing of non-mutation demands (codes.CURRENT_HOUSING without HLM).
_HOUSING = ("LP", "CPE", "CP", "RS", "SH", "PROP", "LF", "HOT", "SD", "CAMP", "SQ", "AUT")
_HOUSING_P = np.array([0.44, 0.22, 0.12, 0.06, 0.05, 0.03, 0.01, 0.01, 0.02, 0.005, 0.003, 0.022])
_POORER_HOUSING = {"RS", "SH", "HOT", "SD", "CAMP", "SQ"}
_REASON_WEIGHTS = np.array([8, 3, 2, 2, 4, 5, 3, 2, 3, 9, 4, 6, 3, 10, 3, 2, 5, 4, 3, 2, 2, 1, 6], dtype=float)


def _reasons(rng: np.random.Generator, n: int) -> np.ndarray:
    """0–3 distinct SNE reasons per demand, joined with ';' in code order."""
    count = categorical(rng, np.array([0.02, 0.55, 0.30, 0.13]), n)
    keys = np.log(_REASON_WEIGHTS)[None, :] + rng.gumbel(size=(n, len(_REASON_WEIGHTS)))
    top = np.argpartition(-keys, 3, axis=1)[:, :3]
    top = np.sort(np.where(np.arange(3)[None, :] < count[:, None], top, len(codes.REASONS)), axis=1)
    labels = np.array([*codes.REASONS, ""])
    text = labels[top[:, 0]]
    for j in (1, 2):
        more = top[:, j] < len(codes.REASONS)
        text = np.where(more, np.char.add(np.char.add(text, ";"), labels[top[:, j]]), text)
    return text


def _resources_per_uc_q1(rng: np.random.Generator, threshold: float, n: int) -> np.ndarray:
    """Annual resources per UC of Q1 households: well below the threshold, some at zero."""
    values = threshold * (0.12 + 0.80 * rng.beta(2.0, 1.2, n))
    return np.where(rng.random(n) < 0.04, 0.0, values)


def _resources_per_uc_other(rng: np.random.Generator, threshold: float, n: int) -> np.ndarray:
    return threshold * (1.08 + rng.lognormal(np.log(0.55), 0.55, n))


def demand_columns(rng: np.random.Generator, profile: SiteProfile, edition: Edition) -> dict[str, np.ndarray]:
    """Every active demand's columns but its id; ``filing`` in day numbers."""
    n = profile.n_demands
    reference = day_number(edition.reference_date)
    months = rng.lognormal(np.log(profile.seniority_median_months), 0.8, n)
    filing = reference - np.clip(np.round(months * 30.44), 1, 15 * 365).astype(np.int64)

    size = categorical(rng, _DEMAND_SIZE, n) + 1
    adults, children = split_household(rng, size)
    typology = categorical(rng, _TYPOLOGY_BY_SIZE[np.minimum(size, 6) - 1])

    mutation = rng.random(n) < profile.demand_mutation_share
    housing = np.where(mutation, codes.MUTATION_HOUSING, np.array(_HOUSING)[categorical(rng, _HOUSING_P, n)])
    dalo = rng.random(n) < profile.dalo_share
    priority = dalo | (rng.random(n) < profile.priority_share)

    z = rng.normal(0, 1, n) - 0.45 * priority - 0.6 * np.isin(housing, list(_POORER_HOUSING))
    per_uc = np.where(rng.random(n) < 0.02, 0.0, np.exp(0.62 * z))
    per_uc *= profile.q1_threshold / np.quantile(per_uc, 0.25)  # the 25th percentile is the threshold
    commune = categorical(rng, np.array(profile.commune_weights), n)
    return {
        "filing": filing,
        "commune": commune,
        "size": size,
        "adults": adults,
        "children": children,
        "resources": monthly_resources(rng, per_uc, consumption_units(edition, adults, children), 0.01),
        "housing": housing,
        "typology": np.array(codes.TYPOLOGIES)[typology],
        "reasons": _reasons(rng, n),
        "dalo": dalo,
        "priority": priority,
    }


def _let_dwellings(rng: np.random.Generator, stock: dict, year: int, n: int) -> np.ndarray:
    """Indexes of the n dwellings let in the year: QPV, small and new dwellings more often."""
    new_build = stock["construction_year"] == year
    weights = (1 + 0.25 * stock["in_qpv"]) * (1 + 0.3 * (stock["rooms"] <= 2)) * np.where(new_build, 40.0, 1.0)
    return weighted_sample(rng, weights, n)


def _statuses(
    rng: np.random.Generator, profile: SiteProfile, reservataire: np.ndarray, in_qpv: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(priority, DALO, ANRU rehousing, mutation) of each attributed household."""
    n = len(reservataire)
    priority_p = np.array(profile.priority_by_reservataire)[reservataire]
    priority = rng.random(n) < priority_p
    dalo_p = np.minimum(np.where(reservataire == 0, 0.35, 0.08) * profile.dalo_share / 0.0175, 1.0)
    dalo = priority & (rng.random(n) < dalo_p)
    anru = rng.random(n) < profile.anru_share * np.where(in_qpv, 0.5, 1.3)
    modifier = _MUTATION_BY_RESERVATAIRE[reservataire]
    mutation = anru | (rng.random(n) < profile.attribution_mutation_share * modifier / modifier.mean())
    return priority, dalo, anru, mutation


def _q1_households(rng: np.random.Generator, profile: SiteProfile, in_qpv: np.ndarray, anru: np.ndarray) -> np.ndarray:
    """Q1 outside QPV counts Q1 households and ANRU rehousing: draw Q1 so the rate lands on target."""
    anru_out = (anru & ~in_qpv).sum() / max((~in_qpv).sum(), 1)
    p_out = max(profile.q1_outside_qpv - anru_out, 0.0) / max(1 - anru_out, 1e-9)
    q1_p = np.where(in_qpv, 1 - profile.non_q1_in_qpv, np.where(anru, 0.55, p_out))
    return rng.random(len(in_qpv)) < q1_p


def _filing_days(
    rng: np.random.Generator, profile: SiteProfile, lease: np.ndarray, priority: np.ndarray, mutation: np.ndarray
) -> np.ndarray:
    """Filing day of the attributed demands: shorter waits for priority, longer for mutations."""
    delay_months = rng.lognormal(np.log(0.75 * profile.seniority_median_months), 0.8, len(lease))
    delay_months *= np.where(priority, 0.5, 1.0) * np.where(mutation, 1.3, 1.0)
    return lease - 45 - np.minimum(np.round(delay_months * 30.44), 12 * 365).astype(np.int64)


def attribution_columns(
    rng: np.random.Generator, profile: SiteProfile, edition: Edition, stock: dict
) -> dict[str, np.ndarray]:
    """Every attribution's columns but its demand id; ``dwelling`` indexes the stock."""
    year = edition.reference_date.year
    n = profile.n_attributions
    dwelling = _let_dwellings(rng, stock, year, n)
    in_qpv, rooms, reservataire = stock["in_qpv"][dwelling], stock["rooms"][dwelling], stock["reserved_for"][dwelling]
    year_start, year_end = day_number(f"{year}-01-01"), day_number(edition.reference_date)
    lease = rng.integers(year_start + 1, year_end + 1, n)  # not on New Year's Day
    priority, dalo, anru, mutation = _statuses(rng, profile, reservataire, in_qpv)
    q1 = _q1_households(rng, profile, in_qpv, anru)
    size = categorical(rng, _SIZE_BY_ROOMS[np.minimum(rooms, 6) - 1]) + 1
    adults, children = split_household(rng, size)
    per_uc = np.where(
        q1, _resources_per_uc_q1(rng, profile.q1_threshold, n), _resources_per_uc_other(rng, profile.q1_threshold, n)
    )
    filing = _filing_days(rng, profile, lease, priority, mutation)
    return {
        "dwelling": dwelling,
        "commune": stock["commune"][dwelling],
        "in_qpv": in_qpv,
        "lease": lease,
        "filing": filing,
        "size": size,
        "adults": adults,
        "children": children,
        "resources": monthly_resources(rng, per_uc, consumption_units(edition, adults, children), 0.005),
        "typology": np.array([codes.typology_from_rooms(r) for r in range(1, 7)])[np.minimum(rooms, 6) - 1],
        "reservataire": reservataire,
        "priority": priority,
        "dalo": dalo,
        "anru": anru,
        "mutation": mutation,
        "landlord": stock["landlord"][dwelling],
    }
