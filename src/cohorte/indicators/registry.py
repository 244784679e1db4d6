"""The registry of indicator ids (id → French label, unit, legal definition) and the tidy-table helpers.

The display layer reads ``INDICATORS`` for labels and units; ``cohorte.indicators.disclosure`` reads
``unit`` (counts are checked cell by cell) and ``margin`` (which site-level row totals the
breakdown rows, for secondary suppression).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS = ["site", "indicator", "breakdown", "value", "numerator", "denominator", "target", "met", "estimated"]
UNITS = ("%", "mois", "€/UC", "nombre", "ratio", "points")


@dataclass(frozen=True)
class IndicatorSpec:
    """How an indicator id reads in a report and how its rows relate to each other."""

    label_fr: str
    unit: str
    definition: str
    breakdown: str = ""  # what the breakdown column holds: réservataire, typologie, commune, bailleur, tranche
    margin: str | None = None  # indicator whose site-level row totals this one's breakdown rows (None: itself)

    @property
    def landlord_level(self) -> bool:
        """Rows about a single landlord: never published (docs/domain.md §6)."""
        return self.breakdown == "bailleur"


_S = IndicatorSpec
INDICATORS: dict[str, IndicatorSpec] = {
    # --- attribution targets (indicators/targets.py) ---
    "q1_threshold": _S(
        "Seuil du 1er quartile",
        "€/UC",
        "Ressources annuelles par UC les plus élevées du quart le plus pauvre des demandeurs au 31/12 "
        "(arrêté annuel ; à défaut estimé au 25e centile du fichier de la demande).",
    ),
    "attributions_unknown_resources": _S(
        "Attributions aux ressources inconnues",
        "nombre",
        "Attributions sans ressources connues : ni Q1 ni hors Q1 (comptées au "
        "dénominateur, jamais au numérateur, des objectifs Q1).",
    ),
    "attributions_in_qpv": _S(
        "Attributions en QPV",
        "nombre",
        "Baux signés dans l'année pour un logement situé en QPV (0 : EPCI sans QPV, la règle "
        "Q1 s'applique alors à toutes les attributions).",
    ),
    "q1_outside_qpv": _S(
        "Attributions hors QPV au 1er quartile",
        "%",
        "CCH L441-1 : attributions hors QPV à des demandeurs du 1er quartile ou relogés ANRU, sur les "
        "attributions hors QPV (toutes les attributions si l'EPCI n'a pas de QPV) ; objectif 25 %.",
    ),
    "q1_outside_qpv_by_commune": _S(
        "Attributions hors QPV au 1er quartile, par commune",
        "%",
        "Le taux q1_outside_qpv restreint aux logements de la commune (objectif différencié).",
        breakdown="commune",
        margin="q1_outside_qpv",
    ),
    "q1_outside_qpv_by_landlord": _S(
        "Attributions hors QPV au 1er quartile, par bailleur",
        "%",
        "Le taux q1_outside_qpv restreint au bailleur (objectif différencié).",
        breakdown="bailleur",
        margin="q1_outside_qpv",
    ),
    "non_q1_in_qpv": _S(
        "Attributions en QPV hors 1er quartile",
        "%",
        "CCH L441-1 : attributions en QPV à des demandeurs des quartiles 2 à 4, sur les attributions "
        "en QPV ; objectif 50 % au moins.",
    ),
    "non_q1_in_qpv_by_commune": _S(
        "Attributions en QPV hors 1er quartile, par commune",
        "%",
        "Le taux non_q1_in_qpv restreint aux logements de la commune.",
        breakdown="commune",
        margin="non_q1_in_qpv",
    ),
    "non_q1_in_qpv_by_landlord": _S(
        "Attributions en QPV hors 1er quartile, par bailleur",
        "%",
        "Le taux non_q1_in_qpv restreint au bailleur.",
        breakdown="bailleur",
        margin="non_q1_in_qpv",
    ),
    "priority_publics": _S(
        "Attributions aux publics prioritaires",
        "%",
        "CCH L441-1 : attributions à des ménages DALO ou prioritaires, sur les attributions du "
        "contingent ; objectif 25 % pour les collectivités, Action Logement et le parc non réservé "
        "des bailleurs. Le contingent préfectoral, destiné en totalité aux publics prioritaires, et "
        "celui des autres réservataires sont montrés sans objectif ; le contingent des agents de "
        "l'État n'en porte aucun. La ligne d'ensemble n'a pas d'objectif.",
        breakdown="réservataire",
    ),
    "priority_publics_non_reserved_by_landlord": _S(
        "Publics prioritaires sur le parc non réservé, par bailleur",
        "%",
        "CCH L441-1 : attributions à des ménages DALO ou prioritaires sur le parc non réservé du bailleur.",
        breakdown="bailleur",
    ),
    # --- demand (indicators/demand.py) ---
    "active_demands": _S(
        "Demandes actives au 31/12",
        "nombre",
        "Demandes de logement social en cours de validité à la date de référence.",
    ),
    "attributions": _S(
        "Attributions de l'année", "nombre", "Attributions suivies d'un bail signé dans l'année civile."
    ),
    "pressure": _S(
        "Pression de la demande", "ratio", "Demandes actives au 31/12 rapportées aux attributions de l'année."
    ),
    "pressure_excl_mutations": _S(
        "Pression hors mutations",
        "ratio",
        "Demandes actives hors mutations rapportées aux attributions hors mutations.",
    ),
    "mutation_share": _S(
        "Part des mutations dans la demande",
        "%",
        "Demandes actives de ménages déjà locataires du parc social, sur les demandes actives.",
    ),
    "mutation_share_attributions": _S(
        "Part des mutations dans les attributions",
        "%",
        "Attributions à des ménages déjà locataires du parc social, sur les attributions.",
    ),
    "median_seniority_months": _S(
        "Ancienneté médiane des demandes actives",
        "mois",
        "Médiane des mois entiers écoulés entre le dépôt et le 31/12, par typologie demandée.",
        breakdown="typologie",
    ),
    "median_delay_months": _S(
        "Délai médian d'attribution",
        "mois",
        "Médiane des mois entiers écoulés entre le dépôt et la signature du bail, par typologie attribuée.",
        breakdown="typologie",
    ),
    "abnormal_delay_demands": _S(
        "Demandes au-delà du délai anormalement long",
        "nombre",
        "Demandes actives dont l'ancienneté atteint le délai anormalement long fixé par "
        "l'arrêté préfectoral du département (CCH L441-1-4).",
    ),
    "abnormal_delay_share": _S(
        "Part des demandes au-delà du délai anormalement long",
        "%",
        "Demandes actives ayant atteint le délai anormalement long, sur les demandes actives.",
    ),
    "poulidors": _S(
        "« Poulidors »",
        "nombre",
        "Demandes actives présentées au moins N fois en CAL dans l'année sans jamais être classées en "
        "premier pour une attribution ni signer de bail.",
    ),
    # --- stock accessibility (indicators/stock.py) ---
    "q1_affordable_stock_share": _S(
        "Logements hors QPV accessibles au 1er quartile",
        "%",
        "Logements hors QPV dont le loyer ne dépasse pas le loyer maximal supportable par "
        "un ménage du 1er quartile pour la typologie.",
        breakdown="typologie",
    ),
    "small_typology_supply_share": _S(
        "Part des T1-T2 dans le parc hors QPV",
        "%",
        "Logements d'une ou deux pièces hors QPV, sur les logements hors QPV.",
    ),
    "q1_small_typology_demand_share": _S(
        "Part des petites typologies dans la demande Q1",
        "%",
        "Demandes actives du 1er quartile portant sur une chambre, un T1 ou un T2, "
        "sur les demandes actives du 1er quartile.",
    ),
    # --- gestion en flux (indicators/flux.py) ---
    "flux_reserved_stock_share": _S(
        "Part du parc réservé",
        "%",
        "Logements réservés au réservataire, sur le parc social de l'EPCI (ligne d'ensemble : tout le parc réservé).",
        breakdown="réservataire",
    ),
    "flux_flow_share": _S(
        "Part du flux annuel",
        "%",
        "Décret 2020-145 : part du flux annuel de logements libérés revenant au réservataire, "
        "plafonnée pour l'État à 30 % dont 5 % pour ses agents ; le reste revient au bailleur.",
        breakdown="réservataire",
    ),
    "flux_implied_flow": _S(
        "Flux annuel estimé",
        "nombre",
        "Part du flux × logements libérés de l'année hors mutations et relogements ANRU (ligne "
        "d'ensemble : l'assiette du flux).",
        breakdown="réservataire",
    ),
    "flux_attributions": _S(
        "Attributions par contingent",
        "nombre",
        "Attributions de l'année par réservataire du logement.",
        breakdown="réservataire",
    ),
    "flux_attainment": _S(
        "Attributions rapportées au flux estimé",
        "%",
        "Attributions du contingent hors mutations et relogements ANRU, sur le flux annuel estimé du réservataire.",
        breakdown="réservataire",
    ),
    # --- cotation (indicators/cotation.py) ---
    "cotation_score_band": _S(
        "Demandes actives par tranche de score",
        "nombre",
        "Décret 2019-1378 : demandes actives au 31/12 selon leur score de cotation.",
        breakdown="tranche",
    ),
    "cotation_attributed_band": _S(
        "Ménages attributaires par tranche de score",
        "nombre",
        "Ménages ayant signé un bail dans l'année selon le score que la grille leur donne.",
        breakdown="tranche",
    ),
    "cotation_median_score_active": _S(
        "Score médian des demandes actives", "points", "Médiane des scores de cotation des demandes actives au 31/12."
    ),
    "cotation_median_score_attributed": _S(
        "Score médian des ménages attributaires",
        "points",
        "Médiane des scores de cotation des ménages attributaires de l'année.",
    ),
    "cotation_attributed_percentile": _S(
        "Rang médian des attributaires dans la demande",
        "%",
        "Médiane, sur les attributaires, de la part des demandes actives ayant un "
        "score inférieur (ex aequo comptés pour moitié).",
    ),
    "cotation_reordered_share": _S(
        "Attributions qu'un classement par score aurait données à d'autres",
        "%",
        "Par typologie, les n attributions de l'année données aux n meilleurs scores du "
        "vivier (demandes actives et attributaires) : part des attributaires hors de ce "
        "rang.",
        breakdown="typologie",
    ),
}


# --- tidy-table helpers ---------------------------------------------------------------------


# The input column an indicator cannot do without: read through a source that lacks it, the
# indicator's rows are left out and the report says it is not computable from that source.
NEEDS: dict[str, tuple[str, str]] = {
    "q1_affordable_stock_share": ("housing_stock", "monthly_rent_eur"),
    "flux_reserved_stock_share": ("housing_stock", "reserved_for"),
    "flux_flow_share": ("housing_stock", "reserved_for"),
    "flux_implied_flow": ("housing_stock", "reserved_for"),
    "flux_attainment": ("housing_stock", "reserved_for"),
}


def not_computable(lacking: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, str]]:
    """The indicators whose needed column a table's source lacks: indicator → (table, column)."""
    return {ind: need for ind, need in NEEDS.items() if need[1] in set(lacking.get(need[0], ()))}


def rows(
    indicator: str,
    value: pd.Series,
    numerator: pd.Series | None = None,
    denominator: pd.Series | None = None,
    estimated: bool | pd.Series = False,
) -> pd.DataFrame:
    """Tidy rows of one indicator from series indexed by site or by (site, breakdown)."""
    if indicator not in INDICATORS:
        raise KeyError(f"indicator id {indicator!r} is not in the registry INDICATORS")
    index = value.index
    if isinstance(index, pd.MultiIndex):
        site, breakdown = index.get_level_values(0), index.get_level_values(1).astype(str)
    else:
        site, breakdown = index, np.full(len(index), "", dtype=object)
    nan = np.full(len(index), np.nan)
    frame = pd.DataFrame(
        {
            "site": np.asarray(site, dtype=object),
            "indicator": indicator,
            "breakdown": np.asarray(breakdown, dtype=object),
            "value": value.to_numpy(dtype="float64", na_value=np.nan),
            "numerator": nan if numerator is None else numerator.reindex(index).to_numpy("float64", na_value=np.nan),
            "denominator": nan
            if denominator is None
            else denominator.reindex(index).to_numpy("float64", na_value=np.nan),
            "target": nan,
            "met": pd.array([pd.NA] * len(index), dtype="boolean"),
            "estimated": estimated.reindex(index).to_numpy(bool)
            if isinstance(estimated, pd.Series)
            else bool(estimated),
        }
    )
    return frame


def share_rows(indicator: str, numerator: pd.Series, denominator: pd.Series, estimated: bool = False) -> pd.DataFrame:
    """Rows of a rate in percent; NA where the denominator is 0."""
    numerator = numerator.reindex(denominator.index, fill_value=0)
    value = 100 * numerator / denominator.where(denominator > 0)
    return rows(indicator, value, numerator, denominator, estimated)


def ratio_rows(indicator: str, numerator: pd.Series, denominator: pd.Series) -> pd.DataFrame:
    value = numerator / denominator.where(denominator > 0)
    return rows(indicator, value, numerator, denominator)


def count_rows(indicator: str, counts: pd.Series, estimated: bool = False) -> pd.DataFrame:
    return rows(indicator, counts.astype("float64"), estimated=estimated)


def per_site(series: pd.Series, sites: list[str], fill: float = 0) -> pd.Series:
    """A site-indexed series covering every site of the edition (fill for sites with no row)."""
    return series.reindex(pd.Index(sites, name="site"), fill_value=fill)


def counts_by(frame: pd.DataFrame, keys: list[str], mask: pd.Series, like: pd.Series) -> pd.Series:
    """Counts of ``mask`` rows by keys, aligned on the index of ``like`` (0 where none)."""
    counts = frame[mask].groupby(keys, observed=True).size()
    if isinstance(like.index, pd.MultiIndex):
        counts.index = counts.index.set_names(like.index.names)
    else:
        counts.index = counts.index.set_names(like.index.name)
    return counts.reindex(like.index, fill_value=0)


def complete_months(start: pd.Series, end: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole calendar months elapsed from start to end (a demand filed on the reference date: 0)."""
    if isinstance(end, pd.Timestamp):
        ey, em, ed = end.year, end.month, end.day
    else:
        ey, em, ed = end.dt.year, end.dt.month, end.dt.day
    months = (ey - start.dt.year) * 12 + (em - start.dt.month) - (ed < start.dt.day).astype("float64")
    return months.astype("float64")
