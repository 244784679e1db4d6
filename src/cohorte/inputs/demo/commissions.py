"""Columns of a site's cal_presentations table: who was presented to which commission, at what rank."""

from __future__ import annotations

import numpy as np

from cohorte.editions import Edition
from cohorte.inputs.demo.sampling import categorical, day_number


def _weekday_before(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday (1970-01-01 was a Thursday)."""
    weekday = (days + 3) % 7
    return days - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))


def _poulidors(rng: np.random.Generator, edition: Edition, demand: dict, year_start: int) -> tuple[np.ndarray, ...]:
    """(demand index, date, rank, decision) of a few demands presented 3–5 times without attribution."""
    n_d = len(demand["filing"])
    n_p = max(3, round(0.003 * n_d))
    eligible = np.flatnonzero(demand["filing"] < year_start - 90)
    poulidor = rng.choice(eligible, size=min(n_p, len(eligible)), replace=False)
    times = rng.integers(3, 6, len(poulidor))
    p_index = np.repeat(poulidor, times)
    p_dates = _weekday_before(rng.integers(year_start + 3, day_number(edition.reference_date) + 1, len(p_index)))
    p_rank = rng.integers(2, 4, len(p_index))
    return p_index, p_dates, p_rank, np.where(rng.random(len(p_index)) < 0.7, "ATTRIB", "NON_ATTRIB")


def cal_columns(rng: np.random.Generator, edition: Edition, demand: dict, attributed: dict) -> dict[str, tuple]:
    """Winners presented before their lease, 0–2 other candidates from the active demands on the
    same commission, and a few poulidors presented 3–5 times without attribution."""
    year_start = day_number(f"{edition.reference_date.year}-01-01")
    n_a, n_d = len(attributed["lease"]), len(demand["filing"])
    commission = _weekday_before(attributed["lease"] - rng.integers(7, 40, n_a))
    commission = np.maximum(
        commission, np.maximum(year_start + 1, attributed["filing"])
    )  # within the year, after filing
    winner_rank = np.where(rng.random(n_a) < 0.88, 1, 2)
    others = np.maximum(categorical(rng, np.array([0.15, 0.35, 0.50]), n_a), winner_rank - 1)
    winner_decision = np.where(rng.random(n_a) < 0.93, "ATTRIB", "ATTRIB_COND")

    slot = np.arange(2)[None, :]
    valid = slot < others[:, None]
    rank = np.where(winner_rank[:, None] == 1, slot + 2, np.where(slot == 0, 1, 3))
    decision = categorical(rng, np.array([0.55, 0.38, 0.07]), 2 * n_a).reshape(n_a, 2)
    decision = np.array(["ATTRIB", "NON_ATTRIB", "REJET"])[decision]
    decision = np.where(rank == 1, "ATTRIB", decision)  # a rank-1 candidate who then declined
    seniority = (year_start - demand["filing"]).clip(0) / 365.25
    p = (1 + 0.3 * seniority) * np.where(demand["priority"], 1.5, 1.0)
    candidate = rng.choice(n_d, size=(n_a, 2), p=p / p.sum())
    dates = np.repeat(commission[:, None], 2, axis=1)
    valid &= demand["filing"][candidate] <= dates
    return {
        "winner": (commission, winner_rank, winner_decision),
        "candidate": (candidate[valid], dates[valid], rank[valid], decision[valid]),
        "poulidor": _poulidors(rng, edition, demand, year_start),
    }
