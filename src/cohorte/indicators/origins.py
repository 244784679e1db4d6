"""Where a site's figures come from, as values the sentences state (never prose here).

- ``q1_threshold``: ``origin`` official (the edition's ``q1_thresholds`` table, real data, with its
  ``source``), fictitious (a threshold that comes with demo data: never "fixé par arrêté") or
  estimated (25th percentile of the demand file, domain.md §3);
- ``abnormal_delay``: months and ``origin`` site (set by the arrêté named in ``source``) or default
  (the kit's default, said to be one);
- ``cotation``: the grid scored for the site, its status (illustrative | adopted) and the fields it
  scores that attributions lack (the attributed households' scores are then estimates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from cohorte.editions import Edition
from cohorte.indicators.cotation import fields_unknown_for_attributions, load_cotation_grid
from cohorte.indicators.registry import not_computable

ESTIMATE_METHOD = "25e centile des ressources annuelles par UC des demandes actives au 31/12 (estimation cohorte)"


def q1_threshold_origins(edition: Edition, official: pd.DataFrame | None, *, is_demo: bool) -> dict[str, dict]:
    """Per site: ``origin`` (official | fictitious | estimated) and ``source`` of its Q1 threshold."""
    sources: dict[str, str] = {}
    if official is not None and len(official):
        this_year = official[official["year"].astype("int64") == edition.edition]
        known = this_year[this_year["threshold_eur_per_uc"].notna()]
        sources = {
            str(k): ("" if pd.isna(v) else str(v))
            for k, v in known.groupby("epci", observed=True)["source"].last().items()
        }
    out = {}
    for slug in edition.slugs:
        if slug in sources:
            out[slug] = {"origin": "fictitious" if is_demo else "official", "source": sources[slug] or None}
        else:
            out[slug] = {"origin": "estimated", "source": ESTIMATE_METHOD}
    return out


def abnormal_delay_origin(edition: Edition, slug: str) -> dict:
    months, source = edition.abnormal_delay(slug)
    return {"months": months, "origin": "site" if source else "default", "source": source}


def cotation_origin(edition: Edition, slug: str) -> dict:
    path = edition.cotation_grid_path(slug)
    grid = load_cotation_grid(path)
    return {
        "grid": grid.name,
        "file": path.name,
        "status": grid.status,
        "source": grid.source,
        "estimated_fields": fields_unknown_for_attributions(grid),
    }


def source_facts(sources: Mapping[str, str], lacking: Mapping[str, Iterable[str]]) -> dict:
    """The source each table was read through, and the indicators not computable from them."""
    missing = not_computable(lacking)
    return {
        "sources": dict(sorted(sources.items())),
        "not_computable": {
            ind: {"table": table, "column": column, "source": sources.get(table, "kit")}
            for ind, (table, column) in missing.items()
        },
    }


def site_facts(
    edition: Edition,
    official: pd.DataFrame | None,
    *,
    is_demo: bool,
    sources: Mapping[str, str] | None = None,
    lacking: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, dict]:
    """Every site's origins, keyed by slug (written beside its prepared indicators)."""
    thresholds = q1_threshold_origins(edition, official, is_demo=is_demo)
    read = source_facts(sources or {}, lacking or {})
    return {
        slug: {
            "q1_threshold": thresholds[slug],
            "abnormal_delay": abnormal_delay_origin(edition, slug),
            "cotation": cotation_origin(edition, slug),
            "demo_data": is_demo,
            **read,
        }
        for slug in edition.slugs
    }
