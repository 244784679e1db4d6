"""What the synthesis notebook calls: every count and list across sites, computed from the grids
and the sites' key-figure JSON files (never from the notebooks), and the synthesis tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cohorte import config
from cohorte.reference.national import NationalReference, latest_reference
from cohorte.report import narrative
from cohorte.report.display import callout_markdown
from cohorte.editions import Edition, load_edition
from cohorte.files import atomic_write_text
from cohorte.report.formatting import fmt_int, fmt_value, join_fr
from cohorte.grids import ALLOWED, Grid, get_path, grids_table, load_grids
from cohorte.indicators.published import with_demo_flag
from cohorte.indicators.registry import INDICATORS
from cohorte.report.monograph import THEME_TITLES, value_fr

PUBLISHED_COLUMNS = ["site", "indicator", "breakdown", "value", "target", "met"]
FICTITIOUS_MARK = "(fictif)"
FICTITIOUS_NOTE = "chiffres fictifs, calculés sur des données de démonstration"


@dataclass(frozen=True)
class SynthesisContext:
    edition: Edition
    grids: dict[str, Grid]
    indicators: pd.DataFrame  # published rows of every site whose key figures exist
    missing: list[str]  # sites without key figures (failed or not built)
    is_demo: bool  # any site's figures come from demo data

    def name(self, slug: str) -> str:
        return self.edition.site(slug).short_name

    @property
    def labels(self) -> dict[str, str]:
        """Short name of every site, for charts — « (fictif) » beside it when the figures are demo data,
        so that no fictitious figure stands next to a real EPCI's name without saying so."""
        mark = f" {FICTITIOUS_MARK}" if self.is_demo else ""
        return {s.slug: s.short_name + mark for s in self.edition.sites}


def read_key_figures(sites_dir: Path, slugs: list[str]) -> dict[str, dict]:
    """The key-figure JSON of every site that has one (a failed or unbuilt site has none)."""
    found = {}
    for slug in slugs:
        path = sites_dir / slug / "key_figures.json"
        if path.exists():
            found[slug] = json.loads(path.read_text(encoding="utf-8"))
    return found


def load_synthesis(edition: int | str, sites_dir: str | Path = "") -> SynthesisContext:
    params = load_edition(edition)
    folder = Path(sites_dir) if sites_dir else config.outputs_dir(params.edition) / "sites"
    figures = read_key_figures(folder, params.slugs)
    frames = [pd.DataFrame(f["indicators"]) for f in figures.values()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PUBLISHED_COLUMNS)
    table["breakdown"] = table["breakdown"].fillna("")
    missing = [s for s in params.slugs if s not in figures]
    is_demo = any(f["demo_data"] for f in figures.values()) if figures else params.uses_demo_data
    return SynthesisContext(params, load_grids(params.edition), table, missing, is_demo)


# --- counting coded statuses -----------------------------------------------------------------


def group_sites(ctx: SynthesisContext, path: str) -> dict[object, list[str]]:
    """Sites grouped by the coded value at ``path`` (None = not documented), in edition order."""
    groups: dict[object, list[str]] = {}
    for slug in ctx.edition.slugs:
        groups.setdefault(get_path(ctx.grids[slug].model_dump(), tuple(path.split("."))), []).append(slug)
    return groups


def _order(path: str, groups: dict) -> list:
    allowed = ALLOWED.get(tuple(path.split(".")))
    return list(allowed) if allowed else [v for v in (True, False) if v in groups]


def sites_phrase(ctx: SynthesisContext, slugs: list[str]) -> str:
    """« 3 sites (Lorient, EMS et GrandAngoulême) » — or « aucun site »."""
    if not slugs:
        return "aucun site"
    noun = "site" if len(slugs) == 1 else "sites"
    return f"{len(slugs)} {noun} ({join_fr([ctx.name(s) for s in slugs])})"


def status_groups(ctx: SynthesisContext, path: str) -> list[tuple[str, list[str]]]:
    """(French label, sites) for every value at ``path``, in the schema's order, undocumented last."""
    groups = group_sites(ctx, path)
    ordered = [v for v in _order(path, groups) if v in groups] + ([None] if None in groups else [])
    return [(value_fr(v), groups[v]) for v in ordered]


def status_table(ctx: SynthesisContext, path: str, caption_label: str = "Situation") -> pd.DataFrame:
    """Count of sites per coded value, with the sites named, in French."""
    rows = [(label, len(slugs), join_fr([ctx.name(s) for s in slugs])) for label, slugs in status_groups(ctx, path)]
    return pd.DataFrame(rows, columns=[caption_label, "Sites", "Lesquels"])


def status_counts(ctx: SynthesisContext, path: str) -> dict[str, int]:
    return {label: len(slugs) for label, slugs in status_groups(ctx, path)}


def documents_table(ctx: SynthesisContext) -> pd.DataFrame:
    """Sites per status of the three strategic documents (document-cadre, CIA, PPGDID)."""
    labels = {"document_cadre": "Document-cadre", "cia": "CIA", "ppgdid": "PPGDID"}
    columns = ["adopté", "en cours", "aucun", "non documenté"]
    rows = []
    for key, label in labels.items():
        counts = status_counts(ctx, f"governance.{key}.status")
        rows.append([label] + [counts.get(c, 0) for c in columns])
    return pd.DataFrame(rows, columns=["Document"] + [c.capitalize() for c in columns])


def tools_table(ctx: SynthesisContext) -> pd.DataFrame:
    """Sites with each information tool for applicants (website, videos, statistics on anomalies)."""
    fields = {
        "demand_service.dedicated_website": "Site internet dédié",
        "demand_service.info_videos": "Vidéos pédagogiques",
        "demand_service.anomaly_statistics": "Statistiques sur les situations anormales",
        "attribution_policy.priority_ranking_local": "Priorisation locale des publics prioritaires",
    }
    rows = []
    for path, label in fields.items():
        yes = group_sites(ctx, path).get(True, [])
        rows.append((label, len(yes), join_fr([ctx.name(s) for s in yes]) or "—"))
    return pd.DataFrame(rows, columns=["Outil ou pratique", "Sites", "Lesquels"])


def phrase(ctx: SynthesisContext, path: str, *values: object) -> str:
    """« 2 sites (MEL et Clermont) » for the sites coded with any of ``values`` at ``path``."""
    groups = group_sites(ctx, path)
    return sites_phrase(ctx, [s for s in ctx.edition.slugs if any(s in groups.get(v, []) for v in values)])


def local_targets_above_law(ctx: SynthesisContext) -> list[tuple[str, str, float]]:
    """(site, indicator, local target) wherever a grid sets a target above the national one."""
    national = ctx.edition.indicators.national_targets.model_dump()
    found = []
    for slug in ctx.edition.slugs:
        for indicator, value in ctx.grids[slug].attribution_policy.targets.model_dump().items():
            if value is not None and value > national[indicator]:
                found.append((slug, indicator, value))
    return found


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def targets_above_law_phrase(ctx: SynthesisContext) -> str:
    above = local_targets_above_law(ctx)
    items = [f"{ctx.name(s)} ({_lower_first(INDICATORS[i].label_fr)} : {fmt_value(v, '%', 0)})" for s, i, v in above]
    return join_fr(items) or "aucun site"


# --- tables ----------------------------------------------------------------------------------


def sites_frame(edition: Edition) -> pd.DataFrame:
    return pd.DataFrame(
        [(s.slug, s.name, s.region, s.communes, s.population_2017) for s in edition.sites],
        columns=["site", "name", "region", "communes", "population"],
    )


def sites_table_fr(ctx: SynthesisContext) -> pd.DataFrame:
    """The seed's « Les 12 sites observés » table, with its total row."""
    frame = sites_frame(ctx.edition).sort_values("name")
    rows = [(r.name, r.region, fmt_int(r.communes), fmt_int(r.population)) for r in frame.itertuples()]
    rows.append(("Ensemble", "", fmt_int(frame["communes"].sum()), fmt_int(frame["population"].sum())))
    return pd.DataFrame(rows, columns=["EPCI", "Région", "Communes", "Population 2017"])


def indicators_frame(ctx: SynthesisContext) -> pd.DataFrame:
    """The published indicators of every site (after disclosure control), flagged ``demo_data``."""
    return with_demo_flag(ctx.indicators.reindex(columns=PUBLISHED_COLUMNS), ctx.is_demo)


def _demo_note(ctx: SynthesisContext) -> str:
    """« (chiffres fictifs, …) » after site names carrying figures, on demo data; "" otherwise."""
    return f" ({FICTITIOUS_NOTE})" if ctx.is_demo else ""


def indicators_table_fr(ctx: SynthesisContext, indicators: list[str]) -> pd.DataFrame:
    """Site × indicator (site level), formatted in French with « n.s. » where suppressed."""
    site_level = ctx.indicators[ctx.indicators["breakdown"] == ""]
    rows = []
    for slug in ctx.edition.slugs:
        if slug in ctx.missing:
            continue
        values = site_level[site_level["site"] == slug].set_index("indicator")["value"]
        rows.append([ctx.name(slug)] + [fmt_value(values.get(i), INDICATORS[i].unit) for i in indicators])
    suffix = f" {FICTITIOUS_MARK}" if ctx.is_demo else ""
    return pd.DataFrame(rows, columns=["Site"] + [INDICATORS[i].label_fr + suffix for i in indicators])


def targets_met_phrase(ctx: SynthesisContext, indicator: str) -> str:
    """« l'objectif est atteint sur 3 des 12 sites (…) » from the published rows."""
    rows = ctx.indicators[(ctx.indicators["indicator"] == indicator) & (ctx.indicators["breakdown"] == "")]
    met = [s for s, m in zip(rows["site"], rows["met"]) if m is True]
    known = [s for s, m in zip(rows["site"], rows["met"]) if m in (True, False)]
    return f"l'objectif est atteint sur {len(met)} des {len(known)} sites où il est mesurable" + (
        f" ({join_fr([ctx.name(s) for s in met])})" if met else ""
    ) + _demo_note(ctx)


def priority_targets_met(ctx: SynthesisContext) -> tuple[int, int, list[str]]:
    """(contingents meeting the priority-publics target, contingents measured, sites where all measured
    ones meet it) over every site — only the contingents that carry the 25 % target (the préfectoral
    and State-staff contingents carry none)."""
    rows = ctx.indicators[(ctx.indicators["indicator"] == "priority_publics") & (ctx.indicators["breakdown"] != "")]
    judged = rows[rows["met"].isin([True, False]) & rows["target"].notna()]
    met = judged[judged["met"].isin([True])]
    all_met = [s for s in ctx.edition.slugs if (judged["site"] == s).any() and (met["site"] == s).sum() == (judged["site"] == s).sum()]
    return len(met), len(judged), all_met


def priority_targets_met_phrase(ctx: SynthesisContext) -> str:
    """« l'objectif de 25 % est atteint pour 21 des 40 contingents qui y sont soumis et mesurables (…) »."""
    met, judged, all_met = priority_targets_met(ctx)
    text = (f"l'objectif est atteint pour {met} des {judged} contingents qui y sont soumis et où il est mesurable "
            "(collectivités, Action Logement, autres réservataires et parc non réservé des bailleurs ; le contingent "
            "préfectoral, destiné aux publics prioritaires, et celui des agents de l'État n'ont pas d'objectif)")
    return text + (f" ; il l'est pour tous les contingents sur {sites_phrase(ctx, all_met)}" if all_met else "") + _demo_note(ctx)


def write_tables(ctx: SynthesisContext, output_dir: str | Path = "") -> dict[str, Path]:
    """Write sites.csv, indicators.csv and observations.csv under ``synthesis/tables/``."""
    folder = (Path(output_dir) if output_dir else config.outputs_dir(ctx.edition.edition) / "synthesis") / "tables"
    tables = {
        "sites.csv": sites_frame(ctx.edition),
        "indicators.csv": indicators_frame(ctx),
        "observations.csv": grids_table(ctx.edition.edition),
    }
    return {name: atomic_write_text(folder / name, frame.to_csv(index=False)) for name, frame in tables.items()}


# --- text ------------------------------------------------------------------------------------


def title_markdown(ctx: SynthesisContext) -> str:
    e = ctx.edition
    cohort = f" {e.cohort[:1].upper()}{e.cohort[1:]}." if e.cohort else ""
    return f"# {e.title}\n\n*{e.subtitle}* — synthèse transversale\n\n{e.fieldwork.capitalize()}.{cohort}"


def missing_markdown(ctx: SynthesisContext) -> str:
    if not ctx.missing:
        return ""
    return (f"::: {{.callout-important}}\nLes chiffres de {sites_phrase(ctx, ctx.missing)} manquent : leur "
            "monographie n'a pas pu être produite. Les décomptes qualitatifs portent sur tous les sites.\n:::")


def summary_markdown(ctx: SynthesisContext) -> str:
    """The « En synthèse » bullets, every count computed from the grids and key figures."""
    n = len(ctx.edition.sites)
    population = sum(s.population_2017 for s in ctx.edition.sites)
    bullets = [
        f"**{n} EPCI** observés, un par région, soit {fmt_int(population)} habitants (Insee 2017).",
        f"**CIA** adoptée sur {phrase(ctx, 'governance.cia.status', 'adopted')}, "
        f"en cours sur {phrase(ctx, 'governance.cia.status', 'in_progress')}.",
        f"**Gestion partagée de la demande** : fichier partagé sur {phrase(ctx, 'demand_service.demand_register', 'shared_file')} ; "
        f"SNE sur {phrase(ctx, 'demand_service.demand_register', 'sne')}.",
        f"**Cotation** opérationnelle sur {phrase(ctx, 'cotation.stage', 'operational')}.",
        f"**Gestion en flux** : EPCI pilotes ou proactifs sur {phrase(ctx, 'flux.epci_posture', 'pilot', 'proactive')}, "
        f"en attente ou observateurs sur {phrase(ctx, 'flux.epci_posture', 'waiting', 'observer')}.",
        f"**Objectifs locaux plus exigeants que la loi** : {targets_above_law_phrase(ctx)}.",
        f"**Attributions hors QPV au premier quartile** : {targets_met_phrase(ctx, 'q1_outside_qpv')}.",
    ]
    return "\n".join(f"- {b}" for b in bullets)


def national_reference(ctx: SynthesisContext, indicator: str) -> NationalReference | None:
    """The national value of ``indicator`` known at the edition's year (reference line of a chart)."""
    return latest_reference(indicator, ctx.edition.edition)


def deadlines_markdown(ctx: SynthesisContext) -> str:
    """The cotation and flux deadlines in force at the edition's reference date (legal calendar), and
    the sites where a cotation already works (they are not told the law imposes one)."""
    day, settings = ctx.edition.reference_date, ctx.edition.indicators
    operational = group_sites(ctx, "cotation.stage").get("operational", [])
    already = (f" Un système de cotation fonctionne déjà sur {sites_phrase(ctx, operational)}." if operational else "")
    return (narrative.cotation_deadline_sentence(day) + already + " "
            + narrative.flux_deadline_sentence(day, state_cap=settings.flux_state_max_share,
                                               state_staff_cap=settings.flux_state_staff_max_share))


def highlights_markdown(ctx: SynthesisContext, theme: str) -> str:
    """Every boxed example of a theme, from the sites' grids."""
    boxes = [
        callout_markdown(h.title, h.text)
        for slug in ctx.edition.slugs
        for h in ctx.grids[slug].highlights
        if h.theme == theme
    ]
    return "\n\n".join(boxes) or f"*Aucun encadré consigné pour le thème « {THEME_TITLES[theme]} ».*"
