"""Site profiles of the demo data: what a site's tables look like (sizes, rates, Q1 threshold,
communes, landlords…), drawn from its slug and population only, so stable across seeds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from cohorte.editions import Edition, Site
from cohorte.errors import ParamsError
from cohorte.reference.q1 import decree_thresholds

_RESERVED_MIX = np.array([0.25, 0.05, 0.20, 0.30, 0.02, 0.18])
_PRIORITY_BY_RESERVATAIRE = np.array([0.90, 0.05, 0.22, 0.14, 0.18, 0.26])
# Extra pressure of tight markets: ≈ 7 in Essonne and Montpellier against ≈ 5 nationally (docs/domain.md §3).
_TIGHT_MARKETS = {"Île-de-France": 3.0, "Occitanie": 2.5, "Provence-Alpes-Côte d'Azur": 1.5}
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
    id_offset: int = 0  # where the site's demand numbers start in its département (after the sites before it)


def slug_key(slug: str, salt: str = "") -> int:
    """A stable 64-bit number from a slug: seeds a site's draws and ranks sites."""
    return int.from_bytes(hashlib.sha256(f"{salt}{slug}".encode()).digest()[:8], "big")


def _rank(slugs: list[str], salt: str) -> list[str]:
    return sorted(slugs, key=lambda s: slug_key(s, salt))


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


def site_profile(
    site: Site,
    *,
    official_threshold: bool,
    above_q1_target: bool,
    use_siren: bool,
    decree_threshold: float | None = None,
) -> SiteProfile:
    """Draw one site's profile from its slug; the three flags are chosen across the edition. A site
    the year's arrêté lists has its real threshold (``decree_threshold``) and none in the data file."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([slug_key(site.slug), 1])))
    scale = _size_scale(site.population_2017)
    tight = _TIGHT_MARKETS.get(site.region, 0.0)
    pressure = float(np.clip(3.2 + 1.6 * scale + tight + rng.uniform(-0.3, 0.6), 3.1, 7.8))
    n_demands = round(site.population_2017 * 0.033 * rng.uniform(0.9, 1.1))
    threshold = rng.uniform(6300, 9600) + (1000 if site.region == "Île-de-France" else 0)
    communes, weights = _communes(rng, site)
    landlords, landlord_weights = _landlords(rng, site)
    priority = np.minimum(_PRIORITY_BY_RESERVATAIRE * rng.uniform(0.75, 1.25, 6), 0.97)
    return SiteProfile(
        slug=site.slug,
        departement=site.departement,
        epci_in_attributions=site.siren if use_siren and site.siren else site.slug,
        n_demands=n_demands,
        n_attributions=round(n_demands / pressure),
        n_dwellings=round(site.population_2017 * rng.uniform(0.07, 0.09)),
        pressure=pressure,
        demand_mutation_share=rng.uniform(0.30, 0.37),
        attribution_mutation_share=rng.uniform(0.25, 0.33),
        seniority_median_months=9 + 1.5 * pressure,
        q1_threshold=float(decree_threshold or round(min(threshold, 10300))),
        official_threshold=official_threshold and decree_threshold is None,
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
    """Every site's profile. About 60 % of the sites get a Q1 threshold in the data file (never all nor
    none when there are two sites or more; never a site the year's arrêté lists: its threshold is the real one), about one in eight sites exceeds the 25 % Q1 target,
    and one or two sites write their SIREN instead of their slug in the attributions table."""
    slugs = edition.slugs
    n = len(slugs)
    n_official = min(max(round(0.6 * n), 1), max(n - 1, 1))
    official = set(_rank(slugs, "official")[:n_official])
    above = set(_rank(slugs, "above")[: round(n / 8)])
    with_siren = [s.slug for s in edition.sites if s.siren]
    siren = set(_rank(with_siren, "siren")[: min(2, max(1, round(n / 6)))])
    decree = decree_thresholds(edition.year, edition.sirens)
    drawn = [
        site_profile(
            s,
            official_threshold=s.slug in official,
            above_q1_target=s.slug in above,
            use_siren=s.slug in siren,
            decree_threshold=decree.get(s.slug),
        )
        for s in edition.sites
    ]
    return _with_id_offsets([evolved(p, edition.year) for p in drawn])


FIRST_YEAR = 2020  # the demo data's first edition: later years drift from it, a year at a time


def evolved(profile: SiteProfile, year: int) -> SiteProfile:
    """The profile ``year`` − 2020 years on: demand, attributions and the Q1 rate drift a little each
    year (a draw of its own per site and year), so that a second edition's figures move from the first's."""
    for step in range(FIRST_YEAR + 1, year + 1):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([slug_key(profile.slug), step, 7])))
        demands = round(profile.n_demands * rng.uniform(0.97, 1.09))
        attributions = round(profile.n_attributions * rng.uniform(0.93, 1.05))
        profile = replace(
            profile,
            n_demands=demands,
            n_attributions=attributions,
            pressure=demands / attributions,
            q1_outside_qpv=float(np.clip(profile.q1_outside_qpv + rng.uniform(-0.015, 0.03), 0.08, 0.34)),
            non_q1_in_qpv=float(np.clip(profile.non_q1_in_qpv + rng.uniform(-0.03, 0.03), 0.5, 0.8)),
        )
    return profile


def _with_id_offsets(site_profiles: list[SiteProfile]) -> list[SiteProfile]:
    """Sites sharing a département (the national edition) number their demands one after the other,
    so that no two demands share a numéro unique; the first site of a département starts at 0."""
    used: dict[str, int] = {}
    placed = []
    for profile in site_profiles:
        offset = used.get(profile.departement, 0)
        used[profile.departement] = offset + 5_000_000 + 14 * (profile.n_demands + profile.n_attributions)
        placed.append(replace(profile, id_offset=offset))
    return placed
