"""The demo tables as data frames: one builder per table, a site's draws in a fixed order, and
``generate`` for a whole edition.

Each site's rows come from a generator seeded with ``(seed, slug)``, so adding a site never changes
another site's data. The order of the draws in ``_draw`` is part of the data: changing it changes
every table generated for a seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorte.editions import Edition
from cohorte.errors import ParamsError
from cohorte.inputs import codes
from cohorte.inputs.demo.commissions import cal_columns
from cohorte.inputs.demo.households import attribution_columns, demand_columns
from cohorte.inputs.demo.profiles import SiteProfile, profiles, slug_key
from cohorte.inputs.demo.sampling import as_dates
from cohorte.inputs.demo.stock import housing_stock_columns, lease_starts

TABLES = ("demands", "attributions", "housing_stock", "cal_presentations", "q1_thresholds")

_RESERVATAIRES = np.array(tuple(codes.RESERVATAIRES))  # PPRIOR, PFONCT, COLTER, COLACT, AUTRES, AUCUN
_CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))


@dataclass(frozen=True)
class _Draws:
    """A site's drawn columns, before they become data frames."""

    stock: dict
    lease_start: np.ndarray
    demand: dict
    demand_ids: np.ndarray
    attributed: dict
    attributed_ids: np.ndarray
    cal: dict


def _yymm(days: np.ndarray) -> np.ndarray:
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return ((months // 12 + 70) % 100) * 100 + months % 12 + 1


def _demand_ids(rng: np.random.Generator, profile: SiteProfile, filing: np.ndarray) -> np.ndarray:
    """SNE-like numéro unique: département on 3 characters, YYMM of filing, a sequence in filing
    order (with gaps, as other EPCIs of the département register too), a check letter."""
    dep = profile.departement
    dep3 = dep if len(dep) == 3 else f"{dep}0" if dep in ("2A", "2B") else f"0{dep}"
    order = np.argsort(filing, kind="stable")
    sequence = np.empty(len(filing), dtype=np.int64)
    sequence[order] = profile.id_offset + rng.integers(0, 5_000_000) + np.cumsum(1 + rng.poisson(12, len(filing)))
    yymm = np.char.zfill(_yymm(filing).astype(str), 4)
    seq = np.char.zfill(sequence.astype(str), 8)
    letters = _CHECK_LETTERS[(sequence * 7 + _yymm(filing)) % len(_CHECK_LETTERS)]
    return np.char.add(np.char.add(np.char.add(dep3, yymm), seq), letters)


def _dwelling_ids(profile: SiteProfile) -> np.ndarray:
    tag = f"{slug_key(profile.slug) % 10_000:04d}"
    numbers = np.char.zfill(np.arange(1, profile.n_dwellings + 1).astype(str), 7)
    return np.char.add(f"L{profile.departement}{tag}", numbers)


def _draw(profile: SiteProfile, edition: Edition, seed: int) -> _Draws:
    """Every random column of a site, always in the same order (see the module docstring)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, slug_key(profile.slug)])))
    year = edition.reference_date.year
    stock = housing_stock_columns(rng, profile, year)
    demand = demand_columns(rng, profile, edition)
    attributed = attribution_columns(rng, profile, edition, stock)
    ids = _demand_ids(rng, profile, np.concatenate([demand["filing"], attributed["filing"]]))
    cal = cal_columns(rng, edition, demand, attributed)
    lease_start = lease_starts(rng, stock, attributed["dwelling"], attributed["lease"], year)
    return _Draws(
        stock=stock,
        lease_start=lease_start,
        demand=demand,
        demand_ids=ids[: profile.n_demands],
        attributed=attributed,
        attributed_ids=ids[profile.n_demands :],
        cal=cal,
    )


def _housing_stock(profile: SiteProfile, draws: _Draws) -> pd.DataFrame:
    stock = draws.stock
    return pd.DataFrame(
        {
            "dwelling_id": _dwelling_ids(profile),
            "epci": profile.slug,
            "commune": np.array(profile.communes)[stock["commune"]],
            "in_qpv": stock["in_qpv"],
            "rooms": stock["rooms"],
            "surface_m2": stock["surface_m2"],
            "financing": np.array(codes.FINANCING)[stock["financing"]],
            "monthly_rent_eur": stock["monthly_rent_eur"],
            "construction_year": stock["construction_year"],
            "lease_start": draws.lease_start,
            "landlord": np.array(profile.landlords)[stock["landlord"]],
            "reserved_for": _RESERVATAIRES[stock["reserved_for"]],
        }
    )


def _demands(profile: SiteProfile, draws: _Draws) -> pd.DataFrame:
    demand = draws.demand
    return (
        pd.DataFrame(
            {
                "demand_id": draws.demand_ids,
                "epci": profile.slug,
                "commune": np.array(profile.communes)[demand["commune"]],
                "filing_date": as_dates(demand["filing"]),
                "household_size": demand["size"].astype(np.int64),
                "persons_14_plus": demand["adults"],
                "children_under_14": demand["children"],
                "monthly_resources_eur": demand["resources"],
                "current_housing": demand["housing"],
                "requested_typology": demand["typology"],
                "reasons": demand["reasons"],
                "dalo": demand["dalo"],
                "priority": demand["priority"],
            }
        )
        .sort_values(["filing_date", "demand_id"], kind="stable")
        .reset_index(drop=True)
    )


def _attributions(profile: SiteProfile, draws: _Draws) -> pd.DataFrame:
    attributed = draws.attributed
    return (
        pd.DataFrame(
            {
                "demand_id": draws.attributed_ids,
                "epci": profile.epci_in_attributions,
                "commune": np.array(profile.communes)[attributed["commune"]],
                "in_qpv": attributed["in_qpv"],
                "lease_date": as_dates(attributed["lease"]),
                "filing_date": as_dates(attributed["filing"]),
                "household_size": attributed["size"].astype(np.int64),
                "persons_14_plus": attributed["adults"],
                "children_under_14": attributed["children"],
                "monthly_resources_eur": attributed["resources"],
                "typology": attributed["typology"],
                "reservataire": _RESERVATAIRES[attributed["reservataire"]],
                "priority": attributed["priority"],
                "dalo": attributed["dalo"],
                "anru_rehousing": attributed["anru"],
                "mutation": attributed["mutation"],
                "landlord": np.array(profile.landlords)[attributed["landlord"]],
            }
        )
        .sort_values(["lease_date", "demand_id"], kind="stable")
        .reset_index(drop=True)
    )


def _cal_presentations(draws: _Draws) -> pd.DataFrame:
    """Winners, other candidates and poulidors; one row per demand and commission."""
    w_dates, w_rank, w_decision = draws.cal["winner"]
    c_index, c_dates, c_rank, c_decision = draws.cal["candidate"]
    p_index, p_dates, p_rank, p_decision = draws.cal["poulidor"]
    frame = pd.DataFrame(
        {
            "demand_id": np.concatenate([draws.attributed_ids, draws.demand_ids[c_index], draws.demand_ids[p_index]]),
            "commission_date": as_dates(np.concatenate([w_dates, c_dates, p_dates])),
            "rank": np.concatenate([w_rank, c_rank, p_rank]).astype(np.int64),
            "decision": np.concatenate([w_decision, c_decision, p_decision]),
        }
    )
    frame = frame.drop_duplicates(["demand_id", "commission_date"])
    return frame.sort_values(["commission_date", "demand_id"], kind="stable").reset_index(drop=True)


def _site_tables(profile: SiteProfile, edition: Edition, seed: int) -> dict[str, pd.DataFrame]:
    draws = _draw(profile, edition, seed)
    return {
        "demands": _demands(profile, draws),
        "attributions": _attributions(profile, draws),
        "housing_stock": _housing_stock(profile, draws),
        "cal_presentations": _cal_presentations(draws),
    }


def _q1_thresholds(edition: Edition, site_profiles: list[SiteProfile]) -> pd.DataFrame:
    published = [p for p in site_profiles if p.official_threshold]
    year = edition.reference_date.year
    return pd.DataFrame(
        {
            "year": np.full(len(published), year, dtype=np.int64),
            "epci": [p.slug for p in published],
            "threshold_eur_per_uc": np.array([p.q1_threshold for p in published], dtype=np.float64),
            "source": f"arrêté annuel {year} fixant les seuils du premier quartile (valeurs fictives)",
        }
    )


def previous_edition(edition: Edition) -> Edition | None:
    """The edition this one follows, when it has params (its demo data are continued from it)."""
    from cohorte import config
    from cohorte.editions import load_edition

    previous = edition.previous_edition
    if previous is None or not (config.params_dir(previous) / "edition.yml").is_file():
        return None
    return load_edition(previous)


def _continued(
    per_site: list[dict[str, pd.DataFrame]],
    site_profiles: list[SiteProfile],
    edition: Edition,
    previous: Edition,
    seed: int,
) -> list[dict[str, pd.DataFrame]]:
    """Sites observed in both editions keep last year's households (``continuation``)."""
    from cohorte.inputs.demo.continuation import continue_site

    before = {p.slug: p for p in profiles(previous)}
    year_start = pd.Timestamp(edition.reference_date.year, 1, 1)
    out = []
    for profile, tables in zip(site_profiles, per_site, strict=True):
        if profile.slug in before:
            last_year = _site_tables(before[profile.slug], previous, seed)
            tables = continue_site(last_year, tables, year_start, seed, profile.slug)
        out.append(tables)
    return out


def generate_chunks(
    edition: Edition, seed: int = 2020, rows_per_chunk: int = 150_000
) -> Iterator[dict[str, pd.DataFrame]]:
    """The tables of ``generate`` in pieces of a few sites (about ``rows_per_chunk`` demands each),
    then ``q1_thresholds`` alone (when it has rows): concatenated, they are ``generate``'s tables, row for row."""
    if seed < 0:
        raise ParamsError(f"seed {seed} is negative; use a whole number ≥ 0 (default 2020)")
    site_profiles = profiles(edition)
    group: list[SiteProfile] = []
    for i, profile in enumerate(site_profiles):
        group.append(profile)
        if sum(p.n_demands for p in group) >= rows_per_chunk or i == len(site_profiles) - 1:
            per_site = [_site_tables(p, edition, seed) for p in group]
            yield {name: pd.concat([t[name] for t in per_site], ignore_index=True) for name in TABLES[:-1]}
            group = []
    thresholds = _q1_thresholds(edition, site_profiles)
    if len(thresholds):  # an optional table: none when the arrêté gives every site's threshold
        yield {"q1_thresholds": thresholds}


def generate(edition: Edition, seed: int = 2020) -> dict[str, pd.DataFrame]:
    """Every input table of docs/domain.md §4 for the edition's sites, the same for the same seed."""
    if seed < 0:
        raise ParamsError(f"seed {seed} is negative; use a whole number ≥ 0 (default 2020)")
    site_profiles = profiles(edition)
    per_site = [_site_tables(p, edition, seed) for p in site_profiles]
    previous = previous_edition(edition)
    if previous is not None:
        per_site = _continued(per_site, site_profiles, edition, previous, seed)
    tables = {name: pd.concat([t[name] for t in per_site], ignore_index=True) for name in TABLES[:-1]}
    thresholds = _q1_thresholds(edition, site_profiles)
    if len(thresholds):  # an optional table: none when the arrêté gives every site's threshold
        tables["q1_thresholds"] = thresholds
    return tables
