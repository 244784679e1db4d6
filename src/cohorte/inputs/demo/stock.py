"""Columns of a site's housing_stock table, drawn as numpy arrays (indexes into the profile)."""

from __future__ import annotations

import numpy as np

from cohorte.inputs.demo.profiles import SiteProfile
from cohorte.inputs.demo.sampling import categorical, day_number

# Rooms 1 … 6 of the stock: fewer small dwellings outside QPV.
_ROOMS_IN_QPV = np.array([0.07, 0.19, 0.36, 0.28, 0.08, 0.02])
_ROOMS_OUTSIDE_QPV = np.array([0.03, 0.14, 0.38, 0.32, 0.10, 0.03])
_SURFACE_BY_ROOMS = np.array([30.0, 47.0, 65.0, 78.0, 92.0, 106.0])
# Financing by era (before 1977, 1977–1999, 2000 on) and location; columns follow codes.FINANCING.
_FINANCING = {
    ("old", True): [0.00, 0.90, 0.00, 0.00, 0.10],
    ("old", False): [0.00, 0.85, 0.00, 0.00, 0.15],
    ("mid", True): [0.06, 0.84, 0.00, 0.03, 0.07],
    ("mid", False): [0.12, 0.74, 0.00, 0.06, 0.08],
    ("new", True): [0.10, 0.78, 0.07, 0.02, 0.03],
    ("new", False): [0.18, 0.55, 0.19, 0.06, 0.02],
}
_RENT_PER_M2 = np.array([5.0, 5.9, 8.6, 10.4, 5.5])  # PLAI < PLUS < PLS < PLI; "other" ≈ old HLM


def _locations(rng: np.random.Generator, profile: SiteProfile) -> tuple[np.ndarray, np.ndarray]:
    """(commune index, in QPV) of each dwelling; every commune has some social housing."""
    n = profile.n_dwellings
    weights = np.array(profile.commune_weights)
    commune = categorical(rng, weights, n)
    commune[: min(n, len(weights))] = np.arange(min(n, len(weights)))
    qpv_weight = weights[: profile.qpv_communes].sum()
    p_qpv = min(0.85, profile.qpv_stock_share / qpv_weight)
    return commune, (commune < profile.qpv_communes) & (rng.random(n) < p_qpv)


def _construction_years(rng: np.random.Generator, in_qpv: np.ndarray, year: int) -> np.ndarray:
    """QPV: mostly the 1960s with some renewal since 2000; elsewhere older and recent stock."""
    n = len(in_qpv)
    old = np.clip(rng.normal(1967, 6, n), 1950, 1985)
    renewal = rng.uniform(2000, year + 1, n)
    outside_old = np.clip(rng.normal(1970, 9, n), 1950, 1990)
    recent = rng.uniform(1990, year + 1, n)
    return np.where(
        in_qpv, np.where(rng.random(n) < 0.88, old, renewal), np.where(rng.random(n) < 0.35, outside_old, recent)
    ).astype(np.int64)


def _rooms_and_surfaces(rng: np.random.Generator, in_qpv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(in_qpv)
    rooms = np.where(in_qpv, categorical(rng, _ROOMS_IN_QPV, n), categorical(rng, _ROOMS_OUTSIDE_QPV, n)) + 1
    surface = np.round(np.clip(_SURFACE_BY_ROOMS[rooms - 1] * rng.normal(1, 0.09, n), 14, 250), 1)
    return rooms, surface


def _financing(rng: np.random.Generator, built: np.ndarray, in_qpv: np.ndarray) -> np.ndarray:
    """Index into codes.FINANCING, by era of construction and location."""
    era = np.where(built < 1977, "old", np.where(built < 2000, "mid", "new"))
    financing = np.zeros(len(built), dtype=np.int64)
    for (e, qpv), probs in _FINANCING.items():
        mask = (era == e) & (in_qpv == qpv)
        financing[mask] = categorical(rng, np.array(probs), int(mask.sum()))
    return financing


def _rents(
    rng: np.random.Generator,
    profile: SiteProfile,
    built: np.ndarray,
    in_qpv: np.ndarray,
    financing: np.ndarray,
    surface: np.ndarray,
) -> np.ndarray:
    """Monthly rent: surface × rent per m² of the financing, by age and location, with some noise."""
    age_factor = np.where(built < 1977, 0.92, np.where(built < 2000, 1.0, 1.0 + 0.01 * (built - 2000)))
    per_m2 = _RENT_PER_M2[financing] * age_factor * np.where(in_qpv, 0.92, 1.0) * profile.rent_factor
    return np.round(surface * per_m2 * rng.lognormal(0, 0.07, len(built)), 2)


def _landlords(rng: np.random.Generator, profile: SiteProfile, in_qpv: np.ndarray) -> np.ndarray:
    """Landlord index; the public office (the first) holds more of the QPV stock."""
    n = len(in_qpv)
    landlords = np.array(profile.landlord_weights)
    in_qpv_weights = landlords * np.r_[1.8, np.ones(len(landlords) - 1)]
    return np.where(in_qpv, categorical(rng, in_qpv_weights, n), categorical(rng, landlords, n))


def housing_stock_columns(rng: np.random.Generator, profile: SiteProfile, year: int) -> dict[str, np.ndarray]:
    """Every dwelling's columns but its id and lease start (see ``lease_starts``)."""
    commune, in_qpv = _locations(rng, profile)
    built = _construction_years(rng, in_qpv, year)
    rooms, surface = _rooms_and_surfaces(rng, in_qpv)
    financing = _financing(rng, built, in_qpv)
    rent = _rents(rng, profile, built, in_qpv, financing, surface)
    landlord = _landlords(rng, profile, in_qpv)
    return {
        "commune": commune,
        "in_qpv": in_qpv,
        "rooms": rooms.astype(np.int64),
        "surface_m2": surface,
        "financing": financing,
        "monthly_rent_eur": rent,
        "construction_year": built,
        "landlord": landlord,
        "reserved_for": categorical(rng, np.array(profile.reserved_mix), profile.n_dwellings),
    }


def lease_starts(
    rng: np.random.Generator, stock: dict, let: np.ndarray, lease_day: np.ndarray, year: int
) -> np.ndarray:
    """Leases in force at 31/12: those signed this year are exactly the year's attributions."""
    n = len(stock["commune"])
    year_start = day_number(f"{year}-01-01")
    built_start = (stock["construction_year"] - 1970) * 365.25
    start = year_start - 1 - np.floor(rng.exponential(8 * 365.25, n))
    start = np.maximum(start, np.ceil(built_start)).astype(np.int64)
    vacant = (start >= year_start) | (rng.random(n) < 0.025)
    days = np.where(vacant, np.iinfo(np.int64).min, start)
    days[let] = lease_day
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[days == np.iinfo(np.int64).min] = np.datetime64("NaT")
    return out
