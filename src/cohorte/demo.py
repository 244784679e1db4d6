"""Deterministic demo data (« données fictives »): every input table of domain.md §4 for an edition.

Magnitudes follow the national orders of magnitude of domain.md §3, scaled on each site's
population. A site's *profile* (pressure, target rates, Q1 threshold, communes, landlords…) is
drawn from its slug only, so it is stable across seeds; its rows are drawn from a generator
seeded with ``(seed, slug)``, so adding a site never changes another site's data. Everything is
vectorised with numpy: the 12 sites of 2020 generate in a couple of seconds.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from . import __version__, codes, config
from .editions import Edition, Site
from .errors import CohorteError, ParamsError
from .files import replace_dir

TABLES = ("demands", "attributions", "housing_stock", "cal_presentations", "q1_thresholds")
FORMATS = ("csv", "parquet", "xlsx")
README_MARKER = config.DEMO_MARKER

_RESERVATAIRES = tuple(codes.RESERVATAIRES)  # PPRIOR, PFONCT, COLTER, COLACT, AUTRES, AUCUN
_RESERVED_MIX = np.array([0.25, 0.05, 0.20, 0.30, 0.02, 0.18])
_PRIORITY_BY_RESERVATAIRE = np.array([0.90, 0.05, 0.22, 0.14, 0.18, 0.26])
_MUTATION_BY_RESERVATAIRE = np.array([0.5, 0.9, 1.0, 1.0, 1.0, 1.5])
# Extra pressure of tight markets: ≈ 7 in Essonne and Montpellier against ≈ 5 nationally (domain.md §3).
_TIGHT_MARKETS = {"Île-de-France": 3.0, "Occitanie": 2.5, "Provence-Alpes-Côte d'Azur": 1.5}
_DAY_S = 86_400

# Typology indexes follow codes.TYPOLOGIES: C, T1, T2, T3, T4, T5, T6P.
# Requested typology by household size (1 … 6+).
_TYPOLOGY_BY_SIZE = np.array([
    [0.04, 0.30, 0.52, 0.14, 0.00, 0.00, 0.00],
    [0.00, 0.04, 0.56, 0.36, 0.04, 0.00, 0.00],
    [0.00, 0.00, 0.14, 0.62, 0.24, 0.00, 0.00],
    [0.00, 0.00, 0.00, 0.30, 0.60, 0.10, 0.00],
    [0.00, 0.00, 0.00, 0.00, 0.50, 0.45, 0.05],
    [0.00, 0.00, 0.00, 0.00, 0.15, 0.50, 0.35],
])
# Household size (1 … 8) of the household housed, by rooms of the dwelling (1 … 6+).
_SIZE_BY_ROOMS = np.array([
    [0.90, 0.10, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
    [0.55, 0.33, 0.12, 0.00, 0.00, 0.00, 0.00, 0.00],
    [0.08, 0.32, 0.38, 0.22, 0.00, 0.00, 0.00, 0.00],
    [0.00, 0.05, 0.27, 0.43, 0.25, 0.00, 0.00, 0.00],
    [0.00, 0.00, 0.05, 0.25, 0.45, 0.25, 0.00, 0.00],
    [0.00, 0.00, 0.00, 0.00, 0.25, 0.45, 0.20, 0.10],
])
_DEMAND_SIZE = np.array([0.44, 0.22, 0.15, 0.11, 0.05, 0.02, 0.01])
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
# Current housing of non-mutation demands (codes.CURRENT_HOUSING without HLM).
_HOUSING = ("LP", "CPE", "CP", "RS", "SH", "PROP", "LF", "HOT", "SD", "CAMP", "SQ", "AUT")
_HOUSING_P = np.array([0.44, 0.22, 0.12, 0.06, 0.05, 0.03, 0.01, 0.01, 0.02, 0.005, 0.003, 0.022])
_POORER_HOUSING = {"RS", "SH", "HOT", "SD", "CAMP", "SQ"}
_REASON_WEIGHTS = np.array([8, 3, 2, 2, 4, 5, 3, 2, 3, 9, 4, 6, 3, 10, 3, 2, 5, 4, 3, 2, 2, 1, 6], dtype=float)
_CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))
_LANDLORD_POOL = (
    "SA Hlm Les Toits {of_short}",
    "Société anonyme d'Hlm Familles et Foyers",
    "Entreprise sociale pour l'habitat Cités Nouvelles",
    "SA Hlm Le Logis Régional",
    "Coopérative Hlm L'Abri familial",
    "SEM d'habitat {of_short}",
    "SA Hlm Résidences Horizon",
    "Société immobilière Hlm du Val",
    "ESH Domaine et Habitat",
)


# --- site profiles ------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteProfile:
    """What a site's demo data look like, drawn from its slug and population (not the seed)."""

    slug: str
    departement: str
    epci_in_attributions: str  # the slug, or the SIREN for the sites exercising the mapping
    n_demands: int
    n_attributions: int
    n_dwellings: int
    pressure: float
    demand_mutation_share: float
    attribution_mutation_share: float
    seniority_median_months: float
    q1_threshold: float  # EUR/UC/year: the 25th percentile of the demands' resources per UC
    official_threshold: bool  # whether q1_thresholds.csv publishes it
    q1_outside_qpv: float
    non_q1_in_qpv: float
    qpv_stock_share: float
    anru_share: float
    dalo_share: float
    priority_share: float
    priority_by_reservataire: tuple[float, ...]
    reserved_mix: tuple[float, ...]
    rent_factor: float
    communes: tuple[str, ...]  # INSEE codes, the centre commune first, by decreasing weight
    commune_weights: tuple[float, ...]
    qpv_communes: int  # the first n communes hold the QPVs
    landlords: tuple[str, ...]
    landlord_weights: tuple[float, ...]


def _slug_key(slug: str, salt: str = "") -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}{slug}".encode()).digest()[:8], "big")


def _rank(slugs: list[str], salt: str) -> list[str]:
    return sorted(slugs, key=lambda s: _slug_key(s, salt))


def _size_scale(population: int) -> float:
    """0 for 100 000 inhabitants, 1 for 1.2 million (log scale)."""
    return float(np.clip(np.log10(population / 1e5) / np.log10(12), 0.0, 1.0))


def _communes(rng: np.random.Generator, site: Site) -> tuple[tuple[str, ...], np.ndarray]:
    k, dep = site.communes, site.departement
    width = 3 if len(dep) == 2 else 2  # INSEE code = département + number, 5 characters
    upper = min(10**width - 1, max(3 * k, 150))
    if k > upper:
        raise ParamsError(f"site {site.slug}: {k} communes is more than département {dep} can number")
    numbers = np.sort(rng.choice(np.arange(1, upper + 1), size=k, replace=False))
    numbers = rng.permutation(numbers)  # the first one is the centre
    centre = rng.uniform(0.25, 0.5) if k > 1 else 1.0
    others = 1.0 / np.arange(1, k) ** 1.1
    weights = np.concatenate([[centre], (1 - centre) * others / others.sum()]) if k > 1 else np.array([1.0])
    order = np.argsort(-weights, kind="stable")
    names = tuple(f"{dep}{n:0{width}d}" for n in numbers[order])
    return names, weights[order]


def _of(name: str) -> str:
    """French « de » before a name: « d'Agglopolys », « du Grand Avignon », « de Lorient »."""
    if name.startswith("Grand"):
        return f"du {name}"
    return f"d'{name}" if name[:1].upper() in "AEIOUYÉÈÊÎÔŒ" else f"de {name}"


def _landlords(rng: np.random.Generator, site: Site) -> tuple[tuple[str, ...], np.ndarray]:
    k = int(np.clip(round(3 + 4.5 * _size_scale(site.population_2017) + rng.uniform(-0.5, 0.5)), 3, 8))
    pool = [_LANDLORD_POOL[i].format(of_short=_of(site.short_name)) for i in rng.permutation(len(_LANDLORD_POOL))]
    names = (f"Office public de l'habitat {_of(site.short_name)}", *pool[: k - 1])
    weights = np.concatenate([[rng.uniform(0.35, 0.5)], rng.dirichlet(np.full(k - 1, 2.0)) * 0.55])
    return names, weights / weights.sum()


def site_profile(site: Site, *, official_threshold: bool, above_q1_target: bool, use_siren: bool) -> SiteProfile:
    """Draw one site's profile from its slug; the three flags are chosen across the edition."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([_slug_key(site.slug), 1])))
    scale = _size_scale(site.population_2017)
    tight = _TIGHT_MARKETS.get(site.region, 0.0)
    pressure = float(np.clip(3.2 + 1.6 * scale + tight + rng.uniform(-0.3, 0.6), 3.1, 7.8))
    n_demands = int(round(site.population_2017 * 0.033 * rng.uniform(0.9, 1.1)))
    threshold = rng.uniform(6300, 9600) + (1000 if site.region == "Île-de-France" else 0)
    communes, weights = _communes(rng, site)
    landlords, landlord_weights = _landlords(rng, site)
    priority = np.minimum(_PRIORITY_BY_RESERVATAIRE * rng.uniform(0.75, 1.25, 6), 0.97)
    return SiteProfile(
        slug=site.slug,
        departement=site.departement,
        epci_in_attributions=site.siren if use_siren and site.siren else site.slug,
        n_demands=n_demands,
        n_attributions=int(round(n_demands / pressure)),
        n_dwellings=int(round(site.population_2017 * rng.uniform(0.07, 0.09))),
        pressure=pressure,
        demand_mutation_share=rng.uniform(0.30, 0.37),
        attribution_mutation_share=rng.uniform(0.25, 0.33),
        seniority_median_months=9 + 1.5 * pressure,
        q1_threshold=float(round(min(threshold, 10300))),
        official_threshold=official_threshold,
        q1_outside_qpv=rng.uniform(0.26, 0.31) if above_q1_target else rng.uniform(0.12, 0.24),
        non_q1_in_qpv=rng.uniform(0.55, 0.75),
        qpv_stock_share=rng.uniform(0.20, 0.45),
        anru_share=rng.uniform(0.01, 0.05),
        dalo_share=rng.uniform(0.01, 0.025) * (2.0 if tight >= 3 else 1.0),
        priority_share=rng.uniform(0.05, 0.12),
        priority_by_reservataire=tuple(float(p) for p in priority),
        reserved_mix=tuple(float(p) for p in rng.dirichlet(_RESERVED_MIX * 300)),
        rent_factor=rng.uniform(0.94, 1.08) * (1.2 if site.region == "Île-de-France" else 1.0),
        communes=communes,
        commune_weights=tuple(float(w) for w in weights),
        qpv_communes=max(1, round(len(communes) / 8)),
        landlords=landlords,
        landlord_weights=tuple(float(w) for w in landlord_weights),
    )


def profiles(edition: Edition) -> list[SiteProfile]:
    """Every site's profile. About 60 % of the sites get an official Q1 threshold (never all nor
    none when there are two sites or more), about one in eight sites exceeds the 25 % Q1 target,
    and one or two sites write their SIREN instead of their slug in the attributions table."""
    slugs = edition.slugs
    n = len(slugs)
    n_official = min(max(round(0.6 * n), 1), max(n - 1, 1))
    official = set(_rank(slugs, "official")[:n_official])
    above = set(_rank(slugs, "above")[: round(n / 8)])
    with_siren = [s.slug for s in edition.sites if s.siren]
    siren = set(_rank(with_siren, "siren")[: min(2, max(1, round(n / 6)))])
    return [
        site_profile(s, official_threshold=s.slug in official, above_q1_target=s.slug in above, use_siren=s.slug in siren)
        for s in edition.sites
    ]


# --- drawing helpers ----------------------------------------------------------------------


def _categorical(rng: np.random.Generator, probs: np.ndarray, n: int | None = None) -> np.ndarray:
    """Category indexes from probabilities: ``probs`` is (k,) with ``n`` draws, or (rows, k)."""
    cum = np.cumsum(probs, axis=-1)
    cum = cum / cum[..., -1:]
    if probs.ndim == 1:
        return np.searchsorted(cum, rng.random(n), side="right")
    return (rng.random(probs.shape[0])[:, None] >= cum).sum(axis=1)


def _split_household(rng: np.random.Generator, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Household size → (persons 14+, children under 14): couples or single parents, some teenagers."""
    adults = 1 + ((size >= 2) & (rng.random(size.shape) < 0.5))
    children = size - adults
    teens = rng.binomial(children, 0.2)
    return (adults + teens).astype(np.int64), (children - teens).astype(np.int64)


def _uc(edition: Edition, adults: np.ndarray, children: np.ndarray) -> np.ndarray:
    scale = edition.indicators.uc_scale
    return scale.first_person + scale.other_14_plus * (adults - 1) + scale.child_under_14 * children


def _days(value) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


def _dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]")


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
    sequence[order] = rng.integers(0, 5_000_000) + np.cumsum(1 + rng.poisson(12, len(filing)))
    yymm = np.char.zfill(_yymm(filing).astype(str), 4)
    seq = np.char.zfill(sequence.astype(str), 8)
    letters = _CHECK_LETTERS[(sequence * 7 + _yymm(filing)) % len(_CHECK_LETTERS)]
    return np.char.add(np.char.add(np.char.add(dep3, yymm), seq), letters)


def _reasons(rng: np.random.Generator, n: int) -> np.ndarray:
    """0–3 distinct SNE reasons per demand, joined with ';' in code order."""
    count = _categorical(rng, np.array([0.02, 0.55, 0.30, 0.13]), n)
    keys = np.log(_REASON_WEIGHTS)[None, :] + rng.gumbel(size=(n, len(_REASON_WEIGHTS)))
    top = np.argpartition(-keys, 3, axis=1)[:, :3]
    top = np.sort(np.where(np.arange(3)[None, :] < count[:, None], top, len(codes.REASONS)), axis=1)
    labels = np.array([*codes.REASONS, ""])
    text = labels[top[:, 0]]
    for j in (1, 2):
        more = top[:, j] < len(codes.REASONS)
        text = np.where(more, np.char.add(np.char.add(text, ";"), labels[top[:, j]]), text)
    return text


def _weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indexes drawn with probability proportional to weights (Efraimidis–Spirakis)."""
    k = min(k, len(weights))
    keys = np.log(rng.random(len(weights))) / weights
    return np.sort(np.argpartition(-keys, k - 1)[:k]) if k else np.array([], dtype=np.int64)


# --- tables of one site -------------------------------------------------------------------


def _housing_stock(rng: np.random.Generator, profile: SiteProfile, year: int) -> dict[str, np.ndarray]:
    n = profile.n_dwellings
    weights = np.array(profile.commune_weights)
    commune = _categorical(rng, weights, n)
    commune[: min(n, len(weights))] = np.arange(min(n, len(weights)))  # every commune has some social housing
    qpv_weight = weights[: profile.qpv_communes].sum()
    p_qpv = min(0.85, profile.qpv_stock_share / qpv_weight)
    in_qpv = (commune < profile.qpv_communes) & (rng.random(n) < p_qpv)

    old = np.clip(rng.normal(1967, 6, n), 1950, 1985)
    renewal = rng.uniform(2000, year + 1, n)
    outside_old = np.clip(rng.normal(1970, 9, n), 1950, 1990)
    recent = rng.uniform(1990, year + 1, n)
    built = np.where(
        in_qpv, np.where(rng.random(n) < 0.88, old, renewal), np.where(rng.random(n) < 0.35, outside_old, recent)
    ).astype(np.int64)

    rooms = np.where(in_qpv, _categorical(rng, _ROOMS_IN_QPV, n), _categorical(rng, _ROOMS_OUTSIDE_QPV, n)) + 1
    surface = np.round(np.clip(_SURFACE_BY_ROOMS[rooms - 1] * rng.normal(1, 0.09, n), 14, 250), 1)

    era = np.where(built < 1977, "old", np.where(built < 2000, "mid", "new"))
    financing = np.zeros(n, dtype=np.int64)
    for (e, qpv), probs in _FINANCING.items():
        mask = (era == e) & (in_qpv == qpv)
        financing[mask] = _categorical(rng, np.array(probs), int(mask.sum()))
    age_factor = np.where(built < 1977, 0.92, np.where(built < 2000, 1.0, 1.0 + 0.01 * (built - 2000)))
    per_m2 = _RENT_PER_M2[financing] * age_factor * np.where(in_qpv, 0.92, 1.0) * profile.rent_factor
    rent = np.round(surface * per_m2 * rng.lognormal(0, 0.07, n), 2)

    landlords = np.array(profile.landlord_weights)
    in_qpv_weights = landlords * np.r_[1.8, np.ones(len(landlords) - 1)]
    landlord = np.where(in_qpv, _categorical(rng, in_qpv_weights, n), _categorical(rng, landlords, n))
    return {
        "commune": commune,
        "in_qpv": in_qpv,
        "rooms": rooms.astype(np.int64),
        "surface_m2": surface,
        "financing": financing,
        "monthly_rent_eur": rent,
        "construction_year": built,
        "landlord": landlord,
        "reserved_for": _categorical(rng, np.array(profile.reserved_mix), n),
    }


def _lease_starts(rng: np.random.Generator, stock: dict, let: np.ndarray, lease_day: np.ndarray, year: int) -> np.ndarray:
    """Leases in force at 31/12: those signed this year are exactly the year's attributions."""
    n = len(stock["commune"])
    year_start = _days(f"{year}-01-01")
    built_start = (stock["construction_year"] - 1970) * 365.25
    start = year_start - 1 - np.floor(rng.exponential(8 * 365.25, n))
    start = np.maximum(start, np.ceil(built_start)).astype(np.int64)
    vacant = (start >= year_start) | (rng.random(n) < 0.025)
    days = np.where(vacant, np.iinfo(np.int64).min, start)
    days[let] = lease_day
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[days == np.iinfo(np.int64).min] = np.datetime64("NaT")
    return out


def _resources_per_uc_q1(rng: np.random.Generator, threshold: float, n: int) -> np.ndarray:
    """Annual resources per UC of Q1 households: well below the threshold, some at zero."""
    values = threshold * (0.12 + 0.80 * rng.beta(2.0, 1.2, n))
    return np.where(rng.random(n) < 0.04, 0.0, values)


def _resources_per_uc_other(rng: np.random.Generator, threshold: float, n: int) -> np.ndarray:
    return threshold * (1.08 + rng.lognormal(np.log(0.55), 0.55, n))


def _monthly(rng: np.random.Generator, per_uc: np.ndarray, uc: np.ndarray, missing_share: float) -> np.ndarray:
    monthly = np.round(per_uc * uc / 12)
    return np.where(rng.random(len(monthly)) < missing_share, np.nan, monthly)


def _demands(rng: np.random.Generator, profile: SiteProfile, edition: Edition) -> dict[str, np.ndarray]:
    n = profile.n_demands
    reference = _days(edition.reference_date)
    months = rng.lognormal(np.log(profile.seniority_median_months), 0.8, n)
    filing = reference - np.clip(np.round(months * 30.44), 1, 15 * 365).astype(np.int64)

    size = _categorical(rng, _DEMAND_SIZE, n) + 1
    adults, children = _split_household(rng, size)
    typology = _categorical(rng, _TYPOLOGY_BY_SIZE[np.minimum(size, 6) - 1])

    mutation = rng.random(n) < profile.demand_mutation_share
    housing = np.where(mutation, codes.MUTATION_HOUSING, np.array(_HOUSING)[_categorical(rng, _HOUSING_P, n)])
    dalo = rng.random(n) < profile.dalo_share
    priority = dalo | (rng.random(n) < profile.priority_share)

    z = rng.normal(0, 1, n) - 0.45 * priority - 0.6 * np.isin(housing, list(_POORER_HOUSING))
    per_uc = np.where(rng.random(n) < 0.02, 0.0, np.exp(0.62 * z))
    per_uc *= profile.q1_threshold / np.quantile(per_uc, 0.25)  # the 25th percentile is the threshold
    commune = _categorical(rng, np.array(profile.commune_weights), n)
    return {
        "filing": filing,
        "commune": commune,
        "size": size,
        "adults": adults,
        "children": children,
        "resources": _monthly(rng, per_uc, _uc(edition, adults, children), 0.01),
        "housing": housing,
        "typology": np.array(codes.TYPOLOGIES)[typology],
        "reasons": _reasons(rng, n),
        "dalo": dalo,
        "priority": priority,
    }


def _attributions(rng: np.random.Generator, profile: SiteProfile, edition: Edition, stock: dict) -> dict[str, np.ndarray]:
    year = edition.reference_date.year
    n = profile.n_attributions
    new_build = stock["construction_year"] == year
    weights = (1 + 0.25 * stock["in_qpv"]) * (1 + 0.3 * (stock["rooms"] <= 2)) * np.where(new_build, 40.0, 1.0)
    dwelling = _weighted_sample(rng, weights, n)
    in_qpv = stock["in_qpv"][dwelling]
    rooms = stock["rooms"][dwelling]
    reservataire = stock["reserved_for"][dwelling]

    year_start, year_end = _days(f"{year}-01-01"), _days(edition.reference_date)
    lease = rng.integers(year_start + 1, year_end + 1, n)  # not on New Year's Day

    priority_p = np.array(profile.priority_by_reservataire)[reservataire]
    priority = rng.random(n) < priority_p
    dalo_p = np.minimum(np.where(reservataire == 0, 0.35, 0.08) * profile.dalo_share / 0.0175, 1.0)
    dalo = priority & (rng.random(n) < dalo_p)
    anru = rng.random(n) < profile.anru_share * np.where(in_qpv, 0.5, 1.3)
    modifier = _MUTATION_BY_RESERVATAIRE[reservataire]
    mutation = anru | (rng.random(n) < profile.attribution_mutation_share * modifier / modifier.mean())

    # Q1 outside QPV counts Q1 households and ANRU rehousing: draw Q1 so the rate lands on target.
    anru_out = (anru & ~in_qpv).sum() / max((~in_qpv).sum(), 1)
    p_out = max(profile.q1_outside_qpv - anru_out, 0.0) / max(1 - anru_out, 1e-9)
    q1_p = np.where(in_qpv, 1 - profile.non_q1_in_qpv, np.where(anru, 0.55, p_out))
    q1 = rng.random(n) < q1_p

    size = _categorical(rng, _SIZE_BY_ROOMS[np.minimum(rooms, 6) - 1]) + 1
    adults, children = _split_household(rng, size)
    per_uc = np.where(
        q1, _resources_per_uc_q1(rng, profile.q1_threshold, n), _resources_per_uc_other(rng, profile.q1_threshold, n)
    )
    delay_months = rng.lognormal(np.log(0.75 * profile.seniority_median_months), 0.8, n)
    delay_months *= np.where(priority, 0.5, 1.0) * np.where(mutation, 1.3, 1.0)
    filing = lease - 45 - np.minimum(np.round(delay_months * 30.44), 12 * 365).astype(np.int64)
    return {
        "dwelling": dwelling,
        "commune": stock["commune"][dwelling],
        "in_qpv": in_qpv,
        "lease": lease,
        "filing": filing,
        "size": size,
        "adults": adults,
        "children": children,
        "resources": _monthly(rng, per_uc, _uc(edition, adults, children), 0.005),
        "typology": np.array([codes.typology_from_rooms(r) for r in range(1, 7)])[np.minimum(rooms, 6) - 1],
        "reservataire": reservataire,
        "priority": priority,
        "dalo": dalo,
        "anru": anru,
        "mutation": mutation,
        "landlord": stock["landlord"][dwelling],
    }


def _weekday_before(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday (1970-01-01 was a Thursday)."""
    weekday = (days + 3) % 7
    return days - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))


def _cal_presentations(rng: np.random.Generator, edition: Edition, demand: dict, attributed: dict) -> dict[str, np.ndarray]:
    """Winners presented before their lease, 0–2 other candidates from the active demands on the
    same commission, and a few poulidors presented 3–5 times without attribution."""
    year_start = _days(f"{edition.reference_date.year}-01-01")
    n_a, n_d = len(attributed["lease"]), len(demand["filing"])
    commission = _weekday_before(attributed["lease"] - rng.integers(7, 40, n_a))
    commission = np.maximum(commission, np.maximum(year_start + 1, attributed["filing"]))  # within the year, after filing
    winner_rank = np.where(rng.random(n_a) < 0.88, 1, 2)
    others = np.maximum(_categorical(rng, np.array([0.15, 0.35, 0.50]), n_a), winner_rank - 1)
    winner_decision = np.where(rng.random(n_a) < 0.93, "ATTRIB", "ATTRIB_COND")

    slot = np.arange(2)[None, :]
    valid = slot < others[:, None]
    rank = np.where(winner_rank[:, None] == 1, slot + 2, np.where(slot == 0, 1, 3))
    decision = _categorical(rng, np.array([0.55, 0.38, 0.07]), 2 * n_a).reshape(n_a, 2)
    decision = np.array(["ATTRIB", "NON_ATTRIB", "REJET"])[decision]
    decision = np.where(rank == 1, "ATTRIB", decision)  # a rank-1 candidate who then declined
    seniority = (year_start - demand["filing"]).clip(0) / 365.25
    p = (1 + 0.3 * seniority) * np.where(demand["priority"], 1.5, 1.0)
    candidate = rng.choice(n_d, size=(n_a, 2), p=p / p.sum())
    dates = np.repeat(commission[:, None], 2, axis=1)
    valid &= demand["filing"][candidate] <= dates

    n_p = max(3, round(0.003 * n_d))
    eligible = np.flatnonzero(demand["filing"] < year_start - 90)
    poulidor = rng.choice(eligible, size=min(n_p, len(eligible)), replace=False)
    times = rng.integers(3, 6, len(poulidor))
    p_index = np.repeat(poulidor, times)
    p_dates = _weekday_before(rng.integers(year_start + 3, _days(edition.reference_date) + 1, len(p_index)))
    return {
        "winner": (commission, winner_rank, winner_decision),
        "candidate": (candidate[valid], dates[valid], rank[valid], decision[valid]),
        "poulidor": (p_index, p_dates, rng.integers(2, 4, len(p_index)), np.where(rng.random(len(p_index)) < 0.7, "ATTRIB", "NON_ATTRIB")),
    }


def _site_tables(profile: SiteProfile, edition: Edition, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _slug_key(profile.slug)])))
    year = edition.reference_date.year
    communes = np.array(profile.communes)
    landlords = np.array(profile.landlords)
    reservataires = np.array(_RESERVATAIRES)

    stock = _housing_stock(rng, profile, year)
    demand = _demands(rng, profile, edition)
    attributed = _attributions(rng, profile, edition, stock)
    ids = _demand_ids(rng, profile, np.concatenate([demand["filing"], attributed["filing"]]))
    demand_ids, attributed_ids = ids[: profile.n_demands], ids[profile.n_demands :]
    cal = _cal_presentations(rng, edition, demand, attributed)

    tag = f"{_slug_key(profile.slug) % 10_000:04d}"
    dwelling_ids = np.char.add(f"L{profile.departement}{tag}", np.char.zfill(np.arange(1, profile.n_dwellings + 1).astype(str), 7))
    housing_stock = pd.DataFrame({
        "dwelling_id": dwelling_ids,
        "epci": profile.slug,
        "commune": communes[stock["commune"]],
        "in_qpv": stock["in_qpv"],
        "rooms": stock["rooms"],
        "surface_m2": stock["surface_m2"],
        "financing": np.array(codes.FINANCING)[stock["financing"]],
        "monthly_rent_eur": stock["monthly_rent_eur"],
        "construction_year": stock["construction_year"],
        "lease_start": _lease_starts(rng, stock, attributed["dwelling"], attributed["lease"], year),
        "landlord": landlords[stock["landlord"]],
        "reserved_for": reservataires[stock["reserved_for"]],
    })
    demands = pd.DataFrame({
        "demand_id": demand_ids,
        "epci": profile.slug,
        "commune": communes[demand["commune"]],
        "filing_date": _dates(demand["filing"]),
        "household_size": demand["size"].astype(np.int64),
        "persons_14_plus": demand["adults"],
        "children_under_14": demand["children"],
        "monthly_resources_eur": demand["resources"],
        "current_housing": demand["housing"],
        "requested_typology": demand["typology"],
        "reasons": demand["reasons"],
        "dalo": demand["dalo"],
        "priority": demand["priority"],
    }).sort_values(["filing_date", "demand_id"], kind="stable")
    attributions = pd.DataFrame({
        "demand_id": attributed_ids,
        "epci": profile.epci_in_attributions,
        "commune": communes[attributed["commune"]],
        "in_qpv": attributed["in_qpv"],
        "lease_date": _dates(attributed["lease"]),
        "filing_date": _dates(attributed["filing"]),
        "household_size": attributed["size"].astype(np.int64),
        "persons_14_plus": attributed["adults"],
        "children_under_14": attributed["children"],
        "monthly_resources_eur": attributed["resources"],
        "typology": attributed["typology"],
        "reservataire": reservataires[attributed["reservataire"]],
        "priority": attributed["priority"],
        "dalo": attributed["dalo"],
        "anru_rehousing": attributed["anru"],
        "mutation": attributed["mutation"],
        "landlord": landlords[attributed["landlord"]],
    }).sort_values(["lease_date", "demand_id"], kind="stable")

    w_dates, w_rank, w_decision = cal["winner"]
    c_index, c_dates, c_rank, c_decision = cal["candidate"]
    p_index, p_dates, p_rank, p_decision = cal["poulidor"]
    cal_presentations = pd.DataFrame({
        "demand_id": np.concatenate([attributed_ids, demand_ids[c_index], demand_ids[p_index]]),
        "commission_date": _dates(np.concatenate([w_dates, c_dates, p_dates])),
        "rank": np.concatenate([w_rank, c_rank, p_rank]).astype(np.int64),
        "decision": np.concatenate([w_decision, c_decision, p_decision]),
    })
    cal_presentations = cal_presentations.drop_duplicates(["demand_id", "commission_date"]).sort_values(
        ["commission_date", "demand_id"], kind="stable"
    )
    return {
        "demands": demands.reset_index(drop=True),
        "attributions": attributions.reset_index(drop=True),
        "housing_stock": housing_stock,
        "cal_presentations": cal_presentations.reset_index(drop=True),
    }


def _q1_thresholds(edition: Edition, site_profiles: list[SiteProfile]) -> pd.DataFrame:
    published = [p for p in site_profiles if p.official_threshold]
    year = edition.reference_date.year
    return pd.DataFrame({
        "year": np.full(len(published), year, dtype=np.int64),
        "epci": [p.slug for p in published],
        "threshold_eur_per_uc": np.array([p.q1_threshold for p in published], dtype=np.float64),
        "source": f"arrêté annuel {year} fixant les seuils du premier quartile (valeurs fictives)",
    })


def generate(edition: Edition, seed: int = 2020) -> dict[str, pd.DataFrame]:
    """Every input table of domain.md §4 for the edition's sites, the same for the same seed."""
    if seed < 0:
        raise ParamsError(f"seed {seed} is negative; use a whole number ≥ 0 (default 2020)")
    site_profiles = profiles(edition)
    per_site = [_site_tables(p, edition, seed) for p in site_profiles]
    tables = {name: pd.concat([t[name] for t in per_site], ignore_index=True) for name in TABLES[:-1]}
    tables["q1_thresholds"] = _q1_thresholds(edition, site_profiles)
    return tables


# --- writing ------------------------------------------------------------------------------


def readme_text(edition: Edition, seed: int, tables: dict[str, pd.DataFrame], fmt: str = "csv") -> str:
    """The README.txt of a demo folder: says the data are fictitious, with seed and kit version."""
    official = sorted(tables["q1_thresholds"]["epci"]) if "q1_thresholds" in tables else []
    estimated = sorted(set(edition.slugs) - set(official))
    lines = [
        f"{README_MARKER} — jeu de démonstration de cohorte",
        "",
        "Ces tables sont entièrement fictives : aucune ligne ne décrit un ménage, un logement, une",
        "commission ou un bailleur réels. Seuls les ordres de grandeur nationaux sont reproduits,",
        "proportionnés à la population de chaque site. Tout rapport construit sur elles doit le dire.",
        "",
        f"Édition : {edition.edition} (date de référence {edition.reference_date.isoformat()}), {len(edition.sites)} sites",
        f"Générateur : cohorte {__version__}, graine {seed}, format {fmt}",
        f"Pour les régénérer à l'identique : cohorte demo-data {edition.edition} --seed {seed} --format {fmt}",
        "",
        "Tables :",
        *(f"  {name + '.' + fmt:<26}{len(frame):>9,} lignes".replace(",", "\u202f") for name, frame in tables.items()),
        "",
        f"Seuils Q1 « officiels » (fictifs) fournis pour : {', '.join(official) or 'aucun site'}",
        f"Seuils Q1 à estimer depuis la demande pour : {', '.join(estimated) or 'aucun site'}",
        "",
    ]
    return "\n".join(lines)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, comma, ISO dates, true/false, empty = unknown, text quoted (so « 01;14 » stays one
    field). Arrow's writer is some 20 times faster than pandas' on these frames."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    pa_csv.write_csv(table, path, write_options=pa_csv.WriteOptions(quoting_style="needed"))


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD") as writer:
        frame.to_excel(writer, index=False, sheet_name=path.stem[:31])


_WRITERS = {"csv": _write_csv, "parquet": _write_parquet, "xlsx": _write_xlsx}


def _check_replaceable(out_dir: Path) -> None:
    """Only an empty folder or a previous demo folder may be replaced: never real extracts."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise CohorteError(f"{out_dir} is a file; give --out a folder")
    entries = sorted(p.name for p in out_dir.iterdir())
    if not entries:
        return
    ours = {f"{t}.{ext}" for t in TABLES for ext in FORMATS} | {"README.txt"}
    foreign = [e for e in entries if e not in ours]
    if foreign or not config.is_demo_folder(out_dir):
        shown = ", ".join((foreign or entries)[:5])
        raise CohorteError(
            f"{out_dir} already holds files that are not cohorte demo data ({shown}); "
            "choose a new or empty folder with --out, or move those files away"
        )


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path, fmt: str = "csv", readme: str | None = None) -> dict[str, Path]:
    """Write the tables (and README.txt) into out_dir atomically: all of them or none."""
    if fmt not in _WRITERS:
        raise ParamsError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir).absolute()
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)
        for name, frame in tables.items():
            _WRITERS[fmt](frame, tmp / f"{name}.{fmt}")
        if readme is not None:
            (tmp / "README.txt").write_text(readme, encoding="utf-8")
        replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {name: out_dir / f"{name}.{fmt}" for name in tables}


def write_demo_data(edition: Edition, out_dir: Path | None = None, seed: int = 2020, fmt: str = "csv") -> dict[str, Path]:
    """Generate the edition's demo tables and write them (default ``data/EDITION-demo/``)."""
    tables = generate(edition, seed)
    target = Path(out_dir) if out_dir is not None else config.demo_data_dir(edition.edition)
    return write_tables(tables, target, fmt=fmt, readme=readme_text(edition, seed, tables, fmt))


def ensure_demo_data(edition: Edition) -> Path:
    """The edition's input folder, generating the demo data first when it is used and missing."""
    folder = edition.input_dir()
    if edition.data_dir is None and not folder.exists():
        print(f"Demo data for {edition.edition} not found: generating {folder} …")
        write_demo_data(edition, folder)
    return folder
