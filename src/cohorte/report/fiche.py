"""What the fiche notebook calls: one EPCI's quantitative fiche in a national edition.

A fiche has no observation grid: identity, attribution targets with the EPCI's national position,
demand, stock accessibility to Q1 households and priority publics, all from the published
(disclosure-controlled) indicators. The national position compares the EPCI with every EPCI of the
edition whose figure is published (``outputs/EDITION/national-indicators.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cohorte import config
from cohorte.editions import Edition, Site, load_edition
from cohorte.indicators import published
from cohorte.indicators.national import read_national
from cohorte.indicators.origins import threshold_origin
from cohorte.indicators.published import read_site_context, read_site_slice
from cohorte.indicators.registry import INDICATORS
from cohorte.report.formatting import fmt_int, fmt_value
from cohorte.report.text import Texts, texts

TARGETS = ("q1_outside_qpv", "non_q1_in_qpv", "priority_publics")
DEMAND = (
    "active_demands",
    "attributions",
    "pressure",
    "mutation_share",
    "median_seniority_months",
    "median_delay_months",
    "abnormal_delay_share",
)
STOCK = ("q1_affordable_stock_share", "small_typology_supply_share", "q1_small_typology_demand_share")
SECTIONS = ("identity", "targets", "demand", "stock", "priority", "sources")
TYPE_LABELS = {
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "METRO": "Métropole",
    "MET69": "Métropole de Lyon",
    "CC": "Communauté de communes",
    "EPT": "Établissement public territorial",
    "COM": "Commune (Ville de Paris)",
    "": "EPCI",
}


@dataclass(frozen=True)
class FicheContext:
    """One EPCI's published indicators, beside every EPCI's site-level figures."""

    edition: Edition
    site: Site
    table: pd.DataFrame
    national: pd.DataFrame
    is_demo: bool
    wording: Texts


def load_fiche(
    edition: int | str, site: str, prepared_dir: str | Path = "", national_file: str | Path = ""
) -> FicheContext:
    """The EPCI's fiche context; without folders, the build's prepared slice and national table."""
    params = load_edition(edition)
    identity = params.site(site)
    if prepared_dir:
        folder = Path(prepared_dir)
    else:
        from cohorte.store.prepared import ensure_prepared

        folder = ensure_prepared(params, site)
    national = read_national(Path(national_file) if national_file else config.national_prepared_path(params.edition))
    return FicheContext(
        params,
        identity,
        read_site_slice(folder),
        national,
        bool(read_site_context(folder)["demo_data"]),
        texts(params.edition),
    )


# --- text ------------------------------------------------------------------------------------


def text_context(ctx: FicheContext) -> dict[str, object]:
    reached = {t: reaching(ctx.national, t) for t in TARGETS}
    return {
        "site": ctx.site,
        "edition": ctx.edition,
        "settings": ctx.edition.indicators,
        "epci_type": TYPE_LABELS[ctx.site.epci_type or ""],
        "epci_count": len(ctx.edition.sites),
        "reached": reached,
        "threshold": _value(ctx.table, "q1_threshold"),
        "threshold_origin": threshold_facts(ctx),
    }


def threshold_facts(ctx: FicheContext) -> dict:
    """Where the EPCI's Q1 threshold comes from (``origins.threshold_origin``): the arrêté of the
    edition's year when it lists the EPCI, else an estimate or the data file's value."""
    row = published.get_row(ctx.table, "q1_threshold") if "breakdown" in ctx.table else None
    estimated = row is not None and not published.is_missing(row.get("estimated")) and bool(row.get("estimated"))
    return threshold_origin(ctx.edition, ctx.site.slug, None if estimated else "", is_demo=ctx.is_demo)


def title_markdown(ctx: FicheContext) -> str:
    return ctx.wording.render("fiche/title.md", **text_context(ctx))


def section_markdown(ctx: FicheContext, name: str) -> str:
    """A section's heading and sentences (``fiche/sections/NAME.md``)."""
    return ctx.wording.render(f"fiche/sections/{name}.md", **text_context(ctx))


def check_fiche_texts(edition: Edition, wording: Texts) -> list[str]:
    """Render the fiche's templates for the edition's first site with empty figures; one line per problem."""
    empty = pd.DataFrame(
        columns=["site", "indicator", "value", "numerator", "denominator", "target", "met", "suppressed"]
    )
    table = pd.DataFrame(columns=["site", "indicator", "breakdown", "value", "target", "met", "suppressed"])
    ctx = FicheContext(edition, edition.sites[0], table, empty, True, wording)
    problems = []
    for name in ("title", *SECTIONS):
        try:
            title_markdown(ctx) if name == "title" else section_markdown(ctx, name)
        except Exception as exc:  # every template problem reported, not the first only
            problems.append(f"fiche/{'sections/' if name != 'title' else ''}{name}.md: {exc}")
    return problems


# --- national position -----------------------------------------------------------------------


def _value(table: pd.DataFrame, indicator: str) -> float | None:
    row = published.get_row(table, indicator) if "breakdown" in table else None
    return float(row["value"]) if published.is_published(row) else None


def published_values(national: pd.DataFrame, indicator: str) -> pd.Series:
    """Every EPCI's published value of a site-level indicator, by site."""
    rows = national[(national["indicator"] == indicator) & national["value"].notna()]
    return rows.set_index("site")["value"].astype(float)


def reaching(national: pd.DataFrame, indicator: str) -> tuple[int, int]:
    """(EPCI reaching the target, EPCI with a published figure and a target)."""
    rows = national[(national["indicator"] == indicator) & national["value"].notna() & national["target"].notna()]
    return int(rows["met"].fillna(False).astype(bool).sum()), len(rows)


def position(ctx: FicheContext, indicator: str) -> tuple[int, int, float] | None:
    """(rank from the highest value, EPCI ranked, national median); None when the EPCI's figure is not published."""
    values = published_values(ctx.national, indicator)
    if ctx.site.slug not in values.index:
        return None
    rank = int((values > values[ctx.site.slug]).sum()) + 1
    return rank, len(values), float(values.median())


def rank_fr(rank: int) -> str:
    """« 1er », « 2e », « 12e »."""
    return f"{rank}er" if rank == 1 else f"{rank}e"


def indicator_table(ctx: FicheContext, indicators: tuple[str, ...]) -> pd.DataFrame:
    """The EPCI's figures with target, national median and rank (« n.s. » where suppressed)."""
    rows = []
    for indicator in indicators:
        row = published.get_row(ctx.table, indicator)
        if row is None:
            continue
        spec = INDICATORS[indicator]
        target = "" if pd.isna(row["target"]) else fmt_value(row["target"], spec.unit, 0)
        met = published.target_met(row)
        status = "" if met is None else ctx.wording.label("target_status", "met" if met else "not_met")
        where = position(ctx, indicator)
        median = fmt_value(where[2], spec.unit) if where else "n.s."
        rank = f"{rank_fr(where[0])} sur {where[1]}" if where else "n.s."
        rows.append((spec.label_fr, fmt_value(row["value"], spec.unit), target, status, median, rank))
    return pd.DataFrame(rows, columns=["Indicateur", "Valeur", "Objectif", "Atteinte", "Médiane nationale", "Rang"])


def breakdown_table(ctx: FicheContext, indicator: str, label: str) -> pd.DataFrame:
    """One indicator by réservataire or typology: value and count (« n.s. » where suppressed)."""
    spec = INDICATORS[indicator]
    rows = []
    for code, row in published.by_breakdown(ctx.table, indicator).items():
        name = ctx.wording.label("reservataires", code, default=code)
        count = "n.s." if pd.isna(row["denominator"]) else fmt_int(row["denominator"])
        rows.append((name, fmt_value(row["value"], spec.unit), count))
    return pd.DataFrame(rows, columns=[label, spec.label_fr, "Effectif"])


def identity_table(ctx: FicheContext) -> pd.DataFrame:
    site = ctx.site
    rows = [
        ("Nature", TYPE_LABELS[site.epci_type or ""]),
        ("SIREN", site.siren or "non renseigné"),
        ("Région", site.region),
        ("Département", site.departement),
        ("Communes", fmt_int(site.communes)),
        ("Population municipale", fmt_int(site.population_2017)),
    ]
    return pd.DataFrame(rows, columns=["Caractéristique", site.short_name])


def targets_figure(ctx: FicheContext):  # -> matplotlib Figure
    """The EPCI's rates against the targets (the monograph's chart)."""
    from cohorte.report.figures import targets_chart

    return targets_chart(ctx.table, site_name=ctx.site.short_name)


def targets_alt(ctx: FicheContext) -> str:
    return f"Taux d'attribution de {ctx.site.short_name} comparés aux objectifs légaux"
