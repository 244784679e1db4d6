"""What the monograph notebook calls: one site's context, its sections as text and tables, its key figures.

The notebook stays thin (parameters, narrative, calls); everything it shows is composed here from the
site's published indicators (already disclosure-controlled) and its observation grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cohorte import __version__, config
from cohorte.editions import Edition, Site, load_edition
from cohorte.grids import Grid, coded_fields, get_path, load_grids, submodel
from cohorte.indicators import published
from cohorte.indicators.published import read_site_context, read_site_slice
from cohorte.indicators.registry import INDICATORS
from cohorte.indicators.targets import PRIORITY_TARGET_CONTINGENTS
from cohorte.report import narrative
from cohorte.report.display import callout_markdown
from cohorte.report.figures.style import illustrate
from cohorte.report.formatting import fmt_int, fmt_value, is_missing
from cohorte.report.placeholders import Placeholders, load_stated, site_context
from cohorte.report.prose import render_prose
from cohorte.report.text import Texts, authored_markdown, texts, value_fr
from cohorte.store.provenance import provenance_block

if TYPE_CHECKING:  # pragma: no cover
    from cohorte.report.changes import SiteChanges

KEY_FIGURES_VERSION = 1
THEMES = ("governance", "demand_service", "attribution_policy", "cotation", "flux")


@dataclass(frozen=True)
class SiteContext:
    """Everything a monograph shows for one site: identity, grid and published indicators."""

    edition: Edition
    site: Site
    grid: Grid
    table: pd.DataFrame
    is_demo: bool
    wording: Texts
    places: Placeholders
    facts: dict  # where the site's figures come from (cohorte.indicators.origins.site_facts)
    inputs: dict[str, str] = field(default_factory=dict)  # input tables behind the figures: file name → sha256


def load_site(edition: int | str, site: str, prepared_dir: str | Path = "") -> SiteContext:
    """The site's context, read from its prepared slice.

    Without ``prepared_dir`` (the notebook opened on its own), the slice is the one the build uses
    (``config.prepared_dir``), prepared first by the build's own preparation when missing or stale.
    """
    params = load_edition(edition)
    identity = params.site(site)
    grids = load_grids(params.edition)
    wording = texts(params.edition)
    if prepared_dir:
        folder = Path(prepared_dir)
    else:
        from cohorte.store.prepared import ensure_prepared

        folder = ensure_prepared(params, site)
    context = read_site_context(folder)
    is_demo = bool(context["demo_data"])
    illustrate(wording.label("demo", "illustration") if is_demo else "")
    places = Placeholders(params, grids, wording, None, load_stated(params), is_demo=is_demo)
    return SiteContext(
        params,
        identity,
        grids[site],
        read_site_slice(folder),
        is_demo,
        wording,
        places,
        context.get("facts") or {},
        context.get("inputs", {}),
    )


# --- text ------------------------------------------------------------------------------------


def text_context(ctx: SiteContext) -> dict[str, object]:
    """What the site's templates and prose may use: the placeholders, ``site``, ``figure()``, ``settings``."""
    interviews = [ctx.wording.label("interviews", k) for k in ctx.grid.interviews]
    return {
        **site_context(ctx.places, ctx.site, ctx.table),
        "settings": ctx.edition.indicators,
        "site_interviews": interviews,
    }


def title_markdown(ctx: SiteContext) -> str:
    return ctx.wording.render("monograph/title.md", **text_context(ctx))


def section_markdown(ctx: SiteContext, name: str) -> str:
    """A section's heading and introduction (``monograph/sections/NAME.md``)."""
    return ctx.wording.render(f"monograph/sections/{name}.md", **text_context(ctx))


def identity_card(ctx: SiteContext) -> pd.DataFrame:
    w = ctx.wording
    missing = "interviews_invented" if ctx.edition.fictitious_observations else "interviews_missing"
    interviews = ", ".join(w.label("interviews", k) for k in ctx.grid.interviews) or w.label("tables", missing)
    rows = [
        (w.label("tables", "region_row"), ctx.site.region),
        (w.label("tables", "communes_row"), fmt_int(ctx.site.communes)),
        (
            w.label("tables", "population_row_fictitious" if ctx.site.fictitious else "population_row"),
            fmt_int(ctx.site.population_2017),
        ),
        (
            w.label("tables", "siren_row"),
            ctx.site.siren or w.label("tables", "siren_fictitious" if ctx.site.fictitious else "siren_missing"),
        ),
        (w.label("tables", "interviews_row"), interviews),
    ]
    return pd.DataFrame(rows, columns=["Caractéristique", ctx.site.short_name])


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def coded_table(ctx: SiteContext, theme: str) -> pd.DataFrame:
    """The theme's coded fields as « élément / situation » rows, in French."""
    data = ctx.grid.model_dump()
    w = ctx.wording
    rows, seen = [], set()
    for spec in coded_fields():
        if spec.theme != theme or spec.field.startswith("differentiated_targets"):
            continue
        top = spec.field.split(".")[0]
        if top in ("document_cadre", "cia", "ppgdid"):
            if top in seen:
                continue
            seen.add(top)
            field = submodel(type(ctx.grid), theme).model_fields[top]
            rows.append((_capitalized(field.description or ""), value_fr(data[theme][top], w)))
            continue
        value = get_path(data, spec.path)
        shown = (
            w.label("tables", "national_target")
            if spec.field.startswith("targets.") and value is None
            else value_fr(value, w)
        )
        if spec.field.startswith("targets.") and value is not None:
            shown = fmt_value(value, "%", 0)
        rows.append((_capitalized(spec.description), shown))
    return pd.DataFrame(rows, columns=[w.label("tables", "element"), w.label("tables", "observed")])


def _where(ctx: SiteContext, key: str) -> str:
    return f"params/{ctx.edition.edition}/sites/{ctx.site.slug}/grid.yml: {key}"


def findings_markdown(ctx: SiteContext, theme: str) -> str:
    """The grid's findings for a theme as bullets ("" when there are none: the block is omitted)."""
    items = getattr(ctx.grid.findings, theme)
    return "\n".join(f"- {authored_markdown(item, _where(ctx, f'findings.{theme}'), 'line')}" for item in items)


def prose_markdown(ctx: SiteContext, theme: str) -> str:
    """The consultants' prose for a theme, placeholders filled ("" when there is none)."""
    text = render_prose(ctx.wording, ctx.edition.edition, ctx.site.slug, theme, text_context(ctx))
    return authored_markdown(text, f"params/{ctx.edition.edition}/sites/{ctx.site.slug}/prose/{theme}.md")


def highlights_markdown(ctx: SiteContext, theme: str) -> str:
    boxes = [
        callout_markdown(
            authored_markdown(h.title, _where(ctx, "highlights"), "line"),
            authored_markdown(h.text, _where(ctx, "highlights"), "paragraphs"),
        )
        for h in ctx.grid.highlights
        if h.theme == theme
    ]
    return "\n\n".join(boxes)


def perspectives_markdown(ctx: SiteContext) -> str:
    """The Perspectives section: the grid's bullets, then the prose; "" when both are empty."""
    items = "\n".join(f"- {authored_markdown(p, _where(ctx, 'perspectives'), 'line')}" for p in ctx.grid.perspectives)
    body = "\n\n".join(part for part in (items, prose_markdown(ctx, "perspectives")) if part)
    return f"{section_markdown(ctx, 'perspectives')}\n\n{body}" if body else ""


# The figure sentences that open a paragraph of the monograph notebook (the others follow one of them).
PARAGRAPH_LEADS = ("pressure", "q1_threshold", "q1_outside_qpv", "priority_publics", "cotation", "flux")


def sentences(ctx: SiteContext) -> dict[str, str]:
    settings = ctx.edition.indicators
    months, delay_source = ctx.edition.abnormal_delay(ctx.site.slug)
    threshold = ctx.facts.get("q1_threshold") or {}
    # the national reference is a shared fact: the synthesis gives it once, with its citation
    national = {"q1_national": ""}
    figures = narrative.sentences(
        ctx.table,
        abnormal_delay_months=months,
        abnormal_delay_source=delay_source,
        min_presentations=settings.poulidor_min_presentations,
        state_cap=settings.flux_state_max_share,
        text=ctx.wording,
        q1_threshold_origin=threshold.get("origin"),
        q1_threshold_source=threshold.get("source"),
        cotation=ctx.facts.get("cotation"),
    )
    if ctx.is_demo:  # a finding drawn from fictitious figures is said to be an illustration, once a paragraph
        figures = {
            k: ctx.wording.sentence("monograph/figures/_illustration.md", sentence=v) if k in PARAGRAPH_LEADS else v
            for k, v in figures.items()
        }
    return deadline_sentences(ctx) | national | figures


def deadline_sentences(ctx: SiteContext) -> dict[str, str]:
    """The cotation and flux deadlines in force at the edition's reference date, for this site."""
    settings, cotation = ctx.edition.indicators, ctx.grid.cotation
    operational = cotation.stage == "operational"
    return {
        "cotation_deadline": narrative.cotation_deadline_sentence(
            ctx.edition.reference_date,
            operational=operational,
            operational_since=cotation.operational_since if operational else None,
            text=ctx.wording,
        ),
        "flux_deadline": narrative.flux_deadline_sentence(
            ctx.edition.reference_date,
            state_cap=settings.flux_state_max_share,
            state_staff_cap=settings.flux_state_staff_max_share,
            text=ctx.wording,
        ),
    }


def indicator_table(ctx: SiteContext, indicators: list[str]) -> pd.DataFrame:
    """Site-level figures with their targets, formatted in French (« n.s. » where suppressed)."""
    rows: list[tuple[str, str, str, str]] = []
    for indicator in indicators:
        row = published.get_row(ctx.table, indicator)
        if row is None:
            continue
        spec = INDICATORS[indicator]
        target = "" if pd.isna(row["target"]) else fmt_value(row["target"], spec.unit, 0)
        met = published.target_met(row)
        status = "" if met is None else ctx.wording.label("target_status", "met" if met else "not_met")
        rows.append((spec.label_fr, fmt_value(row["value"], spec.unit), target, status))
    w = ctx.wording
    return pd.DataFrame(rows, columns=[w.label("tables", k) for k in ("indicator", "value", "target", "status")])


def _target_cell(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else fmt_value(value, "%", 0)


def targets_table(ctx: SiteContext) -> pd.DataFrame:
    """The site's attribution targets: national, local, differentiated, result, the attributions it is
    counted on, met — Q1 outside QPV, non-Q1 in QPV and priority publics by contingent (only those the
    law gives the 25 % target carry one): one table, so that no other repeats it."""
    from cohorte.inputs.codes import RESERVATAIRES

    w = ctx.wording
    national = ctx.edition.indicators.national_targets.model_dump()
    policy = ctx.grid.attribution_policy
    local = policy.targets.model_dump()
    differentiated: dict[str, int] = {}
    for item in policy.differentiated_targets:
        differentiated[item.indicator] = differentiated.get(item.indicator, 0) + 1
    items = [
        ("q1_outside_qpv", "", INDICATORS["q1_outside_qpv"].label_fr),
        ("non_q1_in_qpv", "", INDICATORS["non_q1_in_qpv"].label_fr),
    ]
    items += [
        (
            "priority_publics",
            code,
            w.sentence(
                "monograph/tables/priority_target_row.md", contingent=w.label("reservataires", code, default=code)
            ),
        )
        for code in RESERVATAIRES
    ]
    rows = []
    for indicator, breakdown, label in items:
        row = published.get_row(ctx.table, indicator, breakdown)
        carries = indicator != "priority_publics" or breakdown in PRIORITY_TARGET_CONTINGENTS
        if row is None and breakdown:
            continue
        count = differentiated.get(indicator, 0)
        # a site that differentiates its targets shows it, with the values when the grid has them
        differs = policy.targets_differentiated in ("communes", "communes_and_landlords") and not breakdown
        diff = (
            w.sentence(
                "monograph/tables/differentiated_targets.md",
                count=count,
                status=value_fr(policy.targets_differentiated, w),
            )
            if count or differs
            else "—"
        )
        result = "" if row is None else fmt_value(row["value"], "%")
        counted = "" if row is None or is_missing(row.get("denominator")) else fmt_int(row["denominator"])
        met = None if row is None else published.target_met(row)
        status = (
            ("" if met is None else w.label("target_status", "met" if met else "not_met"))
            if carries
            else w.label("target_status", "no_target")
        )
        rows.append(
            (
                label,
                _target_cell(national[indicator]) if carries else "—",
                _target_cell(local[indicator]) if carries else "—",
                diff if carries else "—",
                result,
                counted,
                status,
            )
        )
    columns = ("target", "national", "local", "differentiated", "result", "counted", "status")
    table = pd.DataFrame(rows, columns=[w.label("targets_table", k) for k in columns])
    return _without_empty_columns(table, [w.label("targets_table", k) for k in ("local", "differentiated")])


def _without_empty_columns(table: pd.DataFrame, optional: list[str]) -> pd.DataFrame:
    """The table without those optional columns that hold « — » on every row (no local target, no
    differentiated one): what the site has not set is said by the narrative, not by a column of dashes."""
    empty = [c for c in optional if (table[c] == "—").all()]
    return table.drop(columns=empty)


def stock_sentences(ctx: SiteContext) -> str:
    """Stock accessibility in words: affordable share, the rent ceilings used, small typologies vs Q1 demand."""
    ceilings = ctx.edition.indicators.q1_max_rent_eur
    text = " ".join(
        [
            narrative.affordable_stock_sentence(
                ctx.table,
                text=ctx.wording,
                not_computable=(ctx.facts.get("not_computable") or {}).get("q1_affordable_stock_share"),
            ),
            narrative.rent_ceilings_sentence(ceilings, text=ctx.wording),
            narrative.small_typology_sentence(ctx.table, text=ctx.wording),
        ]
    )
    return ctx.wording.sentence("monograph/figures/_illustration.md", sentence=text) if ctx.is_demo else text


def stock_source(ctx: SiteContext) -> str:
    """The stock chart's source line, naming the source the housing stock was read through."""
    source = (ctx.facts.get("sources") or {}).get("housing_stock", "kit")
    return ctx.wording.sentence("monograph/figures/stock_source.md", source=source)


def breakdown_table(ctx: SiteContext, indicator: str, label: str) -> pd.DataFrame:
    """One indicator by its breakdown (réservataire, typologie…), formatted in French."""
    spec = INDICATORS[indicator]
    part = ctx.table[(ctx.table["indicator"] == indicator) & (ctx.table["breakdown"].fillna("") != "")]
    rows = []
    for _, row in part.iterrows():
        name = ctx.wording.label("reservataires", row["breakdown"], default=str(row["breakdown"]))
        target = "" if pd.isna(row["target"]) else fmt_value(row["target"], spec.unit, 0)
        count = "" if pd.isna(row["denominator"]) else fmt_int(row["denominator"])
        rows.append((name, fmt_value(row["value"], spec.unit), count, target))
    w = ctx.wording
    return pd.DataFrame(rows, columns=[label, spec.label_fr, w.label("tables", "count"), w.label("tables", "target")])


def milestones(ctx: SiteContext) -> list[tuple[int | None, str]]:
    """Dated milestones of the reform for the site, from its grid."""
    g, label = ctx.grid, lambda key: ctx.wording.label("milestones", key)
    return [
        (g.governance.cil_installed, label("cil_installed")),
        (g.governance.document_cadre.year, label("document_cadre")),
        (g.governance.cia.year, label("cia")),
        (g.governance.ppgdid.year, label("ppgdid")),
        (g.demand_service.shared_file_since, label("shared_file_since")),
        (g.cotation.operational_since, label("operational_since")),
    ]


# --- key figures -----------------------------------------------------------------------------


def site_changes(ctx: SiteContext) -> SiteChanges | None:
    """What changed on the site since the previous edition (None when the edition follows none)."""
    from cohorte.report.changes import site_changes as changes_of

    return changes_of(ctx.edition, ctx.site.slug, ctx.grid, ctx.table)


def show_changes(ctx: SiteContext) -> None:
    """« Ce qui a changé depuis l'édition N−1 »: transitions in words, then the main indicators' changes."""
    from cohorte.report.changes import changes_markdown, changes_table, indicators_note
    from cohorte.report.display import show_markdown, show_table

    changes = site_changes(ctx)
    if changes is None:
        return
    show_markdown(changes_markdown(ctx.edition, ctx.site.short_name, changes, ctx.wording))
    if changes.joined or changes.indicators.empty:
        return
    show_markdown(indicators_note(changes, ctx.site.slug, ctx.edition, ctx.wording))
    show_table(changes_table(changes, ctx.edition, ctx.wording), caption=ctx.wording.label("changes", "changes_table"))


def key_figures(ctx: SiteContext) -> dict:
    """The site's aggregates for the synthesis: published indicators, coded fields, provenance."""
    table = ctx.table.astype(object).where(ctx.table.notna(), None)
    changes = site_changes(ctx)
    return {
        "schema_version": KEY_FIGURES_VERSION,
        "kit_version": __version__,
        "edition": ctx.edition.edition,
        "site": ctx.site.model_dump(),
        "demo_data": ctx.is_demo,
        "facts": ctx.facts,
        "indicators": table.to_dict(orient="records"),
        "sentences": sentences(ctx),
        "provenance": provenance_block(ctx.inputs),
        **({"comparison": changes.provenance()} if changes is not None else {}),
    }


def write_key_figures(ctx: SiteContext, output_dir: str | Path = "") -> Path:
    """Write ``key_figures.json`` beside the executed notebook (default: the site's output folder)."""
    from cohorte.files import atomic_write_json

    folder = Path(output_dir) if output_dir else config.site_output_dir(ctx.edition.edition, ctx.site.slug)
    return atomic_write_json(folder / config.KEY_FIGURES_FILE, key_figures(ctx))


def caption(ctx: SiteContext, key: str) -> str:
    """A table caption or a figure's alternative text, from the vocabulary's ``captions``."""
    return ctx.wording.label("captions", key)


def show_milestones(ctx: SiteContext) -> None:
    """The reform's timeline for the site, saying so when its grid dates no local milestone."""
    from cohorte.report.display import show_figure, show_markdown
    from cohorte.report.figures import legal_deadlines, milestones_timeline

    deadlines = legal_deadlines(ctx.edition.reference_date)
    show_figure(
        milestones_timeline(milestones(ctx), ctx.site.short_name, deadlines=deadlines),
        alt=caption(ctx, "milestones_chart"),
    )
    if not any(year for year, _ in milestones(ctx)):
        show_markdown(section_markdown(ctx, "milestones_none"))


def show_theme(ctx: SiteContext, theme: str) -> None:
    """A theme's coded situation, then the grid's findings, the consultants' prose and — only where the
    theme has no prose, which would say the same — the grid's boxed examples; what is empty is left out."""
    from cohorte.report.display import show_markdown, show_table

    w = ctx.wording
    show_table(coded_table(ctx, theme), caption=f"{w.label('themes', theme)} : {w.label('headings', 'observed')}")
    findings = findings_markdown(ctx, theme)
    if findings:
        show_markdown(f"### {w.label('headings', 'findings')}\n\n{findings}")
    prose = prose_markdown(ctx, theme)
    block = prose or highlights_markdown(ctx, theme)
    if block:
        show_markdown(block)


def show_perspectives(ctx: SiteContext) -> None:
    from cohorte.report.display import show_markdown

    text = perspectives_markdown(ctx)
    if text:
        show_markdown(text)
