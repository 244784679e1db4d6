"""Every EPCI's site-level published figures in one table: the national positions of the fiches and
the national synthesis read it (``outputs/EDITION/national-indicators.csv``).

Only published (disclosure-controlled) rows go in: a suppressed cell stays empty here too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.files import atomic_write_text

COLUMNS = ("site", "indicator", "value", "numerator", "denominator", "target", "met", "suppressed")
SITE_COLUMNS = ("site", "siren", "name", "short_name", "epci_type", "region", "departement", "communes", "population")


def national_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The site-level rows (no breakdown) of a published table."""
    breakdown = table["breakdown"].astype("object").where(table["breakdown"].notna(), "")
    return table.loc[breakdown == "", list(COLUMNS)].reset_index(drop=True)


def sites_frame(edition: Edition) -> pd.DataFrame:
    """The edition's sites, one row each: identity, type, region, population."""
    return pd.DataFrame(
        [
            (
                s.slug,
                s.siren or "",
                s.name,
                s.short_name,
                s.epci_type or "",
                s.region,
                s.departement,
                s.communes,
                s.population_2017,
            )
            for s in edition.sites
        ],
        columns=list(SITE_COLUMNS),
    )


def write_national(table: pd.DataFrame, path: Path) -> Path:
    return atomic_write_text(path, national_rows(table).to_csv(index=False))


def read_national(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as exc:
        raise InputDataError(
            [f"{path}: cannot read the national indicators ({exc}); run cohorte build again"]
        ) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputDataError([f"{path}: lacks column(s) {', '.join(missing)}; delete it and run cohorte build again"])
    table["met"] = table["met"].astype("boolean")
    return table
