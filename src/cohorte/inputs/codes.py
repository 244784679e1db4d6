"""Code lists of the input tables (docs/domain.md §4), shared by validation, demo data and indicators."""

from __future__ import annotations

TYPOLOGIES = ("C", "T1", "T2", "T3", "T4", "T5", "T6P")

# SNE codes of the applicant's current housing; HLM means the demand is a mutation.
CURRENT_HOUSING = {
    "HLM": "locataire du parc social",
    "LP": "locataire du parc privé",
    "LF": "logement de fonction",
    "PROP": "propriétaire occupant",
    "CPE": "chez parents ou enfants",
    "CP": "hébergé chez un particulier",
    "RS": "résidence sociale, foyer",
    "HOT": "hôtel",
    "SH": "structure d'hébergement",
    "SD": "sans domicile",
    "CAMP": "camping, caravane",
    "SQ": "squat",
    "AUT": "autre",
}
MUTATION_HOUSING = "HLM"

# SNE reasons for the demand, codes 01–23 (several per demand, joined with ';').
REASONS = tuple(f"{i:02d}" for i in range(1, 24))

RESERVATAIRES = {
    "PPRIOR": "État — publics prioritaires",
    "PFONCT": "État — fonctionnaires",
    "COLTER": "Collectivités (communes, EPCI)",
    "COLACT": "Action Logement",
    "AUTRES": "Autres réservataires",
    "AUCUN": "Parc non réservé des bailleurs",
}

FINANCING = ("PLAI", "PLUS", "PLS", "PLI", "other")

# Decisions of the CAL / CALEOL (CCH R441-3).
CAL_DECISIONS = {
    "ATTRIB": "attribution (rang 1 ou rang suivant)",
    "ATTRIB_COND": "attribution sous condition suspensive",
    "NON_ATTRIB": "non-attribution",
    "REJET": "rejet pour irrecevabilité",
}

# How a yes/no cell may be written, in exports from French tools and in spreadsheets.
BOOLEAN_TOKENS = {
    **dict.fromkeys(("true", "1", "1.0", "oui", "o", "vrai", "yes", "y"), True),
    **dict.fromkeys(("false", "0", "0.0", "non", "n", "faux", "no"), False),
}

# Demand id: département on 3 characters, year and month of filing, a sequence, a check letter
# (e.g. 056200300012345A), the shape of the SNE's numéro unique.
DEMAND_ID_PATTERN = r"^[0-9][0-9AB][0-9]\d{4}\d{5,10}[A-Z]$"
INSEE_COMMUNE_PATTERN = r"^(\d{5}|2[AB]\d{3})$"


def typology_from_rooms(rooms: int) -> str:
    """RPLS rooms → typology: 1 room is T1 (studios are not told apart), 6 and more is T6P."""
    return "T6P" if rooms >= 6 else f"T{max(int(rooms), 1)}"
