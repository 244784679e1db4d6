"""What the monograph notebook calls: one site's context, its sections as text and tables, its key figures.

The notebook stays thin (parameters, narrative, calls); everything it shows is composed here from the
site's published indicators (already disclosure-controlled) and its observation grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cohorte import __version__, config
from cohorte.report import narrative
from cohorte.report.display import callout_markdown
from cohorte.editions import Edition, Site, load_edition
from cohorte.report.formatting import fmt_int, fmt_value
from cohorte.grids import Grid, coded_fields, get_path, grid_path, load_grid
from cohorte.indicators.registry import INDICATORS
from cohorte.indicators.targets import PRIORITY_TARGET_CONTINGENTS
from cohorte.inputs.demo import ensure_demo_data
from cohorte.indicators.published import published_with_facts, read_site_context, read_site_slice

KEY_FIGURES_VERSION = 1
THEME_TITLES = {
    "governance": "Gouvernance",
    "demand_service": "Service au demandeur",
    "attribution_policy": "Politique d'attribution et objectifs",
    "cotation": "Cotation de la demande",
    "flux": "Gestion en flux",
}
VALUE_FR = {
    "none": "aucun", "in_progress": "en cours", "adopted": "adopté", "contributor": "contributrice",
    "copilot": "copilote", "shared_file": "fichier partagé", "sne": "SNE", "project": "en projet",
    "stalled": "à l'arrêt", "installed": "installé", "labelled_places": "lieux labellisés",
    "landlord_agencies": "agences des bailleurs", "hybrid": "mixte", "communes": "par commune",
    "communes_and_landlords": "par commune et par bailleur", "done": "réalisée", "to_update": "à actualiser",
    "planned": "prévus", "mapping": "cartographie", "operational": "opérationnelle", "observation": "observation",
    "reflection": "réflexion", "principles": "principes posés", "started": "engagée",
    "about_to_finish": "en voie d'achèvement", "sne_module": "module du SNE", "own_file": "outil local",
    "undecided": "non arrêté", "observer": "observateur", "waiting": "en attente", "proactive": "proactif",
    "pilot": "pilote", "not_documented": "non documenté", "delivered": "livrés", "state": "État",
    "action_logement": "Action Logement", "true": "oui", "false": "non",
}
INTERVIEWS_FR = {
    "epci": "EPCI", "communes": "communes", "landlords": "organismes Hlm", "ar_hlm": "AR/UR Hlm",
    "state_services": "services de l'État", "action_logement": "Action Logement",
    "shared_file_manager": "gestionnaire du fichier partagé",
}


@dataclass(frozen=True)
class SiteContext:
    """Everything a monograph shows for one site: identity, grid and published indicators."""

    edition: Edition
    site: Site
    grid: Grid
    table: pd.DataFrame
    is_demo: bool
    facts: dict  # where the site's figures come from (cohorte.indicators.origins.site_facts)


def load_site(edition: int | str, site: str, prepared_dir: str | Path = "") -> SiteContext:
    """The site's context: from the build's prepared slice, or computed from the edition's data."""
    params = load_edition(edition)
    identity = params.site(site)
    grid = load_grid(grid_path(params.edition, site))
    if prepared_dir:
        table = read_site_slice(Path(prepared_dir))
        context = read_site_context(Path(prepared_dir))
        is_demo, facts = context["demo_data"], context.get("facts") or {}
    else:
        ensure_demo_data(params)
        everything, all_facts = published_with_facts(params)
        table = everything[everything["site"] == site].reset_index(drop=True)
        is_demo, facts = params.uses_demo_data, all_facts[site]
    return SiteContext(params, identity, grid, table, is_demo, facts)


# --- text ------------------------------------------------------------------------------------


def title_markdown(ctx: SiteContext) -> str:
    return f"# {ctx.site.name}\n\n*Monographie — édition {ctx.edition.edition} · {ctx.site.region}*"


def identity_card(ctx: SiteContext) -> pd.DataFrame:
    interviews = ", ".join(INTERVIEWS_FR[k] for k in ctx.grid.interviews) or "non documentés"
    rows = [
        ("Région", ctx.site.region),
        ("Communes", fmt_int(ctx.site.communes)),
        ("Population (Insee, 2017)", fmt_int(ctx.site.population_2017)),
        ("SIREN", ctx.site.siren or "à compléter"),
        ("Interlocuteurs rencontrés", interviews),
    ]
    return pd.DataFrame(rows, columns=["", ctx.site.short_name])


def value_fr(value: object) -> str:
    """A coded value in French (« non documenté » for null)."""
    if value is None:
        return "non documenté"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(value_fr(v) for v in value) or "aucun"
    if isinstance(value, dict) and "status" in value:
        status = value_fr(value["status"])
        return f"{status} ({value['year']})" if value.get("year") else status
    return VALUE_FR.get(str(value), str(value))


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def coded_table(ctx: SiteContext, theme: str) -> pd.DataFrame:
    """The theme's coded fields as « élément / situation » rows, in French."""
    data = ctx.grid.model_dump()
    rows, seen = [], set()
    for spec in coded_fields():
        if spec.theme != theme or spec.field.startswith("differentiated_targets"):
            continue
        top = spec.field.split(".")[0]
        if top in ("document_cadre", "cia", "ppgdid"):
            if top in seen:
                continue
            seen.add(top)
            field = ctx.grid.model_fields[theme].annotation.model_fields[top]
            rows.append((_capitalized(field.description), value_fr(data[theme][top])))
            continue
        value = get_path(data, spec.path)
        shown = "objectif national" if spec.field.startswith("targets.") and value is None else value_fr(value)
        if spec.field.startswith("targets.") and value is not None:
            shown = fmt_value(value, "%", 0)
        rows.append((_capitalized(spec.description), shown))
    return pd.DataFrame(rows, columns=["Élément", "Situation observée"])


def findings_markdown(ctx: SiteContext, theme: str) -> str:
    items = getattr(ctx.grid.findings, theme)
    return "\n".join(f"- {item}" for item in items) if items else "*Pas d'enseignement consigné pour ce thème.*"


def highlights_markdown(ctx: SiteContext, theme: str) -> str:
    boxes = [
        callout_markdown(h.title, h.text)
        for h in ctx.grid.highlights
        if h.theme == theme
    ]
    return "\n\n".join(boxes)


def perspectives_markdown(ctx: SiteContext) -> str:
    items = ctx.grid.perspectives
    return "\n".join(f"- {p}" for p in items) if items else "*Pas de perspective consignée.*"


def sentences(ctx: SiteContext) -> dict[str, str]:
    settings = ctx.edition.indicators
    months, delay_source = ctx.edition.abnormal_delay(ctx.site.slug)
    threshold = ctx.facts.get("q1_threshold") or {}
    national = {"q1_national": narrative.national_q1_sentence(ctx.edition.edition)}
    return deadline_sentences(ctx) | national | narrative.sentences(
        ctx.table,
        abnormal_delay_months=months,
        abnormal_delay_source=delay_source,
        min_presentations=settings.poulidor_min_presentations,
        state_cap=settings.flux_state_max_share,
        q1_threshold_origin=threshold.get("origin"),
        q1_threshold_source=threshold.get("source"),
        cotation=ctx.facts.get("cotation"),
    )


def deadline_sentences(ctx: SiteContext) -> dict[str, str]:
    """The cotation and flux deadlines in force at the edition's reference date, for this site."""
    settings, cotation = ctx.edition.indicators, ctx.grid.cotation
    operational = cotation.stage == "operational"
    return {
        "cotation_deadline": narrative.cotation_deadline_sentence(
            ctx.edition.reference_date, operational=operational,
            operational_since=cotation.operational_since if operational else None),
        "flux_deadline": narrative.flux_deadline_sentence(ctx.edition.reference_date, state_cap=settings.flux_state_max_share,
                                                          state_staff_cap=settings.flux_state_staff_max_share),
    }


def indicator_table(ctx: SiteContext, indicators: list[str]) -> pd.DataFrame:
    """Site-level figures with their targets, formatted in French (« n.s. » where suppressed)."""
    rows = []
    for indicator in indicators:
        row = narrative.get_row(ctx.table, indicator)
        if row is None:
            continue
        spec = INDICATORS[indicator]
        target = "" if pd.isna(row["target"]) else fmt_value(row["target"], spec.unit, 0)
        met = narrative.target_met(row)
        status = "" if met is None else ("atteint" if met else "non atteint")
        rows.append((spec.label_fr, fmt_value(row["value"], spec.unit), target, status))
    return pd.DataFrame(rows, columns=["Indicateur", "Valeur", "Objectif", "Situation"])


def _target_cell(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else fmt_value(value, "%", 0)


def targets_table(ctx: SiteContext) -> pd.DataFrame:
    """The site's attribution targets: national, local, differentiated, result, met — Q1 outside QPV,
    non-Q1 in QPV and priority publics by contingent (only those the law gives the 25 % target)."""
    from cohorte.inputs.codes import RESERVATAIRES

    national = ctx.edition.indicators.national_targets.model_dump()
    policy = ctx.grid.attribution_policy
    local = policy.targets.model_dump()
    differentiated: dict[str, int] = {}
    for item in policy.differentiated_targets:
        differentiated[item.indicator] = differentiated.get(item.indicator, 0) + 1
    items = [("q1_outside_qpv", "", INDICATORS["q1_outside_qpv"].label_fr),
             ("non_q1_in_qpv", "", INDICATORS["non_q1_in_qpv"].label_fr)]
    items += [("priority_publics", code, f"Publics prioritaires — {name}") for code, name in RESERVATAIRES.items()]
    rows = []
    for indicator, breakdown, label in items:
        row = narrative.get_row(ctx.table, indicator, breakdown)
        carries = indicator != "priority_publics" or breakdown in PRIORITY_TARGET_CONTINGENTS
        if row is None and breakdown:
            continue
        count = differentiated.get(indicator, 0)
        diff = f"{count} objectif{'s' if count > 1 else ''} ({value_fr(policy.targets_differentiated)})" if count else "—"
        result = "" if row is None else fmt_value(row["value"], "%")
        met = None if row is None else narrative.target_met(row)
        status = "sans objectif" if not carries else ("" if met is None else ("atteint" if met else "non atteint"))
        rows.append((label, _target_cell(national[indicator]) if carries else "—",
                     _target_cell(local[indicator]) if carries else "—", diff if carries else "—", result, status))
    return pd.DataFrame(rows, columns=["Objectif", "National", "Local", "Différencié", "Résultat", "Situation"])


def stock_sentences(ctx: SiteContext) -> str:
    """Stock accessibility in words: affordable share, the rent ceilings used, small typologies vs Q1 demand."""
    ceilings = ctx.edition.indicators.q1_max_rent_eur
    return " ".join([
        narrative.affordable_stock_sentence(ctx.table),
        narrative.rent_ceilings_sentence(ceilings),
        narrative.small_typology_sentence(ctx.table),
    ])


def breakdown_table(ctx: SiteContext, indicator: str, label: str) -> pd.DataFrame:
    """One indicator by its breakdown (réservataire, typologie…), formatted in French."""
    from cohorte.inputs.codes import RESERVATAIRES

    spec = INDICATORS[indicator]
    part = ctx.table[(ctx.table["indicator"] == indicator) & (ctx.table["breakdown"].fillna("") != "")]
    rows = []
    for _, row in part.iterrows():
        name = RESERVATAIRES.get(row["breakdown"], row["breakdown"])
        target = "" if pd.isna(row["target"]) else fmt_value(row["target"], spec.unit, 0)
        count = "" if pd.isna(row["denominator"]) else fmt_int(row["denominator"])
        rows.append((name, fmt_value(row["value"], spec.unit), count, target))
    return pd.DataFrame(rows, columns=[label, spec.label_fr, "Effectif", "Objectif"])


def milestones(ctx: SiteContext) -> list[tuple[int | None, str]]:
    """Dated milestones of the reform for the site, from its grid."""
    g = ctx.grid
    items = [
        (g.governance.cil_installed, "Installation de la CIL"),
        (g.governance.document_cadre.year, "Document-cadre"),
        (g.governance.cia.year, "CIA"),
        (g.governance.ppgdid.year, "PPGDID"),
        (g.demand_service.shared_file_since, "Fichier partagé de la demande"),
        (g.cotation.operational_since, "Cotation opérationnelle"),
    ]
    return items


# --- key figures -----------------------------------------------------------------------------


def key_figures(ctx: SiteContext) -> dict:
    """The site's aggregates for the synthesis: published indicators, coded fields, provenance."""
    table = ctx.table.astype(object).where(ctx.table.notna(), None)
    return {
        "schema_version": KEY_FIGURES_VERSION,
        "kit_version": __version__,
        "edition": ctx.edition.edition,
        "site": ctx.site.model_dump(),
        "demo_data": ctx.is_demo,
        "facts": ctx.facts,
        "indicators": table.to_dict(orient="records"),
        "sentences": sentences(ctx),
    }


def write_key_figures(ctx: SiteContext, output_dir: str | Path = "") -> Path:
    """Write ``key_figures.json`` beside the executed notebook (default: the site's output folder)."""
    from cohorte.files import atomic_write_json

    folder = Path(output_dir) if output_dir else config.outputs_dir(ctx.edition.edition) / "sites" / ctx.site.slug
    return atomic_write_json(folder / "key_figures.json", key_figures(ctx))


def show_milestones(ctx: SiteContext) -> None:
    """The reform's timeline for the site, saying so when its grid dates no local milestone."""
    from cohorte.report.display import show_figure, show_markdown
    from cohorte.report.figures import legal_deadlines, milestones_timeline

    deadlines = legal_deadlines(ctx.edition.reference_date)
    show_figure(milestones_timeline(milestones(ctx), ctx.site.short_name, deadlines=deadlines),
                alt="Frise des étapes de la réforme sur le site")
    if not any(year for year, _ in milestones(ctx)):
        show_markdown("*Aucune étape locale n'est datée dans la grille d'observation du site : la frise ne montre que "
                      "les lois et les échéances nationales.*")


def show_theme(ctx: SiteContext, theme: str) -> None:
    """Display a theme's coded situation, the consultants' findings and its boxed examples."""
    from cohorte.report.display import show_markdown, show_table

    show_table(coded_table(ctx, theme), caption=f"{THEME_TITLES[theme]} : situation observée")
    show_markdown("**Enseignements des entretiens**\n\n" + findings_markdown(ctx, theme))
    boxes = highlights_markdown(ctx, theme)
    if boxes:
        show_markdown(boxes)
