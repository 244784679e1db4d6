"""Drawing helpers shared by the demo tables: categorical draws, households, days and dates."""

from __future__ import annotations

import numpy as np

from cohorte.editions import Edition


def categorical(rng: np.random.Generator, probs: np.ndarray, n: int | None = None) -> np.ndarray:
    """Category indexes from probabilities: ``probs`` is (k,) with ``n`` draws, or (rows, k)."""
    cum = np.cumsum(probs, axis=-1)
    cum = cum / cum[..., -1:]
    if probs.ndim == 1:
        return np.searchsorted(cum, rng.random(n), side="right")
    return (rng.random((probs.shape[0], 1)) >= cum).sum(axis=1)


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indexes drawn with probability proportional to weights (Efraimidis–Spirakis)."""
    k = min(k, len(weights))
    keys = np.log(rng.random(len(weights))) / weights
    return np.sort(np.argpartition(-keys, k - 1)[:k]) if k else np.array([], dtype=np.int64)


def split_household(rng: np.random.Generator, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Household size → (persons 14+, children under 14): couples or single parents, some teenagers."""
    adults = 1 + ((size >= 2) & (rng.random(size.shape) < 0.5))
    children = size - adults
    teens = rng.binomial(children, 0.2)
    return (adults + teens).astype(np.int64), (children - teens).astype(np.int64)


def consumption_units(edition: Edition, adults: np.ndarray, children: np.ndarray) -> np.ndarray:
    """UC of each household on the edition's scale."""
    scale = edition.indicators.uc_scale
    return scale.first_person + scale.other_14_plus * (adults - 1) + scale.child_under_14 * children


def monthly_resources(rng: np.random.Generator, per_uc: np.ndarray, uc: np.ndarray, missing_share: float) -> np.ndarray:
    """Monthly resources from annual resources per UC, a share of them missing."""
    monthly = np.round(per_uc * uc / 12)
    return np.where(rng.random(len(monthly)) < missing_share, np.nan, monthly)


def day_number(value) -> int:
    """Days since 1970-01-01."""
    return int(np.datetime64(value, "D").astype(np.int64))


def as_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers as datetime64[ns]."""
    return days.astype("datetime64[D]").astype("datetime64[ns]")
