"""Where a site's figures come from, as values the sentences state (never prose here).

- ``q1_threshold``: ``origin`` decree (the arrêté of the edition's year shipped in the kit,
  cohorte.reference.q1: its dates and JORF reference in ``decree``), official (the edition's
  ``q1_thresholds`` table, real data, with its ``source``), fictitious (a threshold that comes with
  demo data: never "fixé par arrêté") or estimated (25th percentile of the demand file, domain.md
  §3); ``year`` and ``decree`` (None when the kit ships no arrêté for the year: the sentence says so);
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
from cohorte.reference.q1 import decree_thresholds, q1_decree

ESTIMATE_METHOD = "25e centile des ressources annuelles par UC des demandes actives au 31/12 (estimation cohorte)"


def decree_facts(year: int) -> dict | None:
    """The arrêté of ``year`` as values (dates ISO, JORF reference, link); None when none is shipped."""
    decree = q1_decree(year)
    if decree is None:
        return None
    return {
        "signed": decree.signed.isoformat(),
        "published": decree.published.isoformat(),
        "jorf_id": decree.jorf_id,
        "url": decree.url,
    }


def threshold_origin(edition: Edition, slug: str, given: str | None, *, is_demo: bool) -> dict:
    """One site's threshold origin: the arrêté's when it lists the site for the edition's year, else
    the data file's (``given``: its source, "" without one; None when the file has no value) or the
    estimate."""
    year = edition.year
    decree = decree_facts(year)
    siren = edition.sirens.get(slug)
    if decree and siren and decree_thresholds(year, {slug: siren}):
        return {"origin": "decree", "source": None, "decree": decree, "year": year}
    if given is not None:
        origin = "fictitious" if is_demo else "official"
        return {"origin": origin, "source": given or None, "decree": decree, "year": year}
    return {"origin": "estimated", "source": ESTIMATE_METHOD, "decree": decree, "year": year}


def q1_threshold_origins(edition: Edition, official: pd.DataFrame | None, *, is_demo: bool) -> dict[str, dict]:
    """Per site: ``origin`` (decree | official | fictitious | estimated), ``source``, ``decree``, ``year``."""
    sources: dict[str, str] = {}
    if official is not None and len(official):
        this_year = official[official["year"].astype("int64") == edition.year]
        known = this_year[this_year["threshold_eur_per_uc"].notna()]
        sources = {
            str(k): ("" if pd.isna(v) else str(v))
            for k, v in known.groupby("epci", observed=True)["source"].last().items()
        }
    return {slug: threshold_origin(edition, slug, sources.get(slug), is_demo=is_demo) for slug in edition.slugs}


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
