"""What the synthesis notebook calls: every count and list across sites, computed from the grids
and the sites' key-figure JSON files (never from the notebooks), and the synthesis tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cohorte import config
from cohorte.editions import Edition, load_edition
from cohorte.files import atomic_write_csv
from cohorte.grids import ALLOWED, Grid, get_path, grids_table, load_grids
from cohorte.indicators.published import with_demo_flag
from cohorte.indicators.registry import INDICATORS
from cohorte.reference.calendar import legal_calendar
from cohorte.reference.legal_texts import texts_published_by
from cohorte.reference.national import NationalReference, cited_references, latest_reference
from cohorte.report import authored
from cohorte.report.display import callout_markdown
from cohorte.report.figures.style import illustrate
from cohorte.report.formatting import fmt_int, fmt_value, join_fr
from cohorte.report.placeholders import Placeholders, load_stated
from cohorte.report.text import Texts, authored_markdown, nom, texts, value_fr

if TYPE_CHECKING:  # pragma: no cover
    from cohorte.report.changes import CohortChanges

PUBLISHED_COLUMNS = ["site", "indicator", "breakdown", "value", "target", "met"]


@dataclass(frozen=True)
class SynthesisContext:
    edition: Edition
    grids: dict[str, Grid]
    indicators: pd.DataFrame  # published rows of every site whose key figures exist
    missing: list[str]  # sites without key figures (failed or not built)
    is_demo: bool  # any site's figures come from demo data
    wording: Texts
    places: Placeholders
    threshold_origins: dict[str, str] = field(default_factory=dict)  # site → official | fictitious | estimated

    def name(self, slug: str) -> str:
        return self.edition.site(slug).short_name

    @property
    def labels(self) -> dict[str, str]:
        """Short name of every site, for charts — « (fictif) » beside it when the figures are demo data,
        so that no fictitious figure stands next to a real EPCI's name without saying so."""
        mark = f" {self.fictitious_mark}" if self.is_demo else ""
        return {s.slug: s.short_name + mark for s in self.edition.sites}

    @property
    def fictitious_mark(self) -> str:
        return self.wording.label("demo", "mark")


def read_key_figures(sites_dir: Path, slugs: list[str]) -> dict[str, dict]:
    """The key-figure JSON of every site that has one (a failed or unbuilt site has none)."""
    found = {}
    for slug in slugs:
        path = sites_dir / slug / config.KEY_FIGURES_FILE
        if path.exists():
            found[slug] = json.loads(path.read_text(encoding="utf-8"))
    return found


def load_synthesis(edition: int | str, sites_dir: str | Path = "") -> SynthesisContext:
    params = load_edition(edition)
    folder = Path(sites_dir) if sites_dir else config.sites_output_dir(params.edition)
    figures = read_key_figures(folder, params.slugs)
    frames = [pd.DataFrame(f["indicators"]) for f in figures.values()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PUBLISHED_COLUMNS)
    table["breakdown"] = table["breakdown"].fillna("")
    missing = [s for s in params.slugs if s not in figures]
    is_demo = any(f["demo_data"] for f in figures.values()) if figures else params.uses_demo_data
    grids = load_grids(params.edition)
    wording = texts(params.edition)
    places = Placeholders(params, grids, wording, table, load_stated(params), is_demo=bool(is_demo))
    illustrate(wording.label("demo", "illustration") if is_demo else "")
    origins = {s: ((f.get("facts") or {}).get("q1_threshold") or {}).get("origin", "") for s, f in figures.items()}
    return SynthesisContext(params, grids, table, missing, is_demo, wording, places, origins)


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


def status_groups(ctx: SynthesisContext, path: str) -> list[tuple[str, list[str]]]:
    """(French label, sites) for every value at ``path``, in the schema's order, undocumented last."""
    groups = group_sites(ctx, path)
    ordered = [v for v in _order(path, groups) if v in groups] + ([None] if None in groups else [])
    return [(value_fr(v, ctx.wording), groups[v]) for v in ordered]


def _stated_for(ctx: SynthesisContext, path: str) -> list[tuple[str, int, list[str]]]:
    """(French value, stated count, named slugs) of every counted aggregate the source states on ``path``."""
    return [
        (value_fr(item.value, ctx.wording), item.count, item.named)
        for item in ctx.places.stated_aggregates.values()
        if item.field == path and item.count is not None and isinstance(item.value, str | bool)
    ]


def status_table(ctx: SynthesisContext, path: str, caption_label: str = "Situation") -> pd.DataFrame:
    """Count of sites per coded value, with the sites named, in French; where the source states a
    total without naming every site (``stated.yml``), the row takes that total and the undocumented
    row gives up the sites it counts (the table and the sentences beside it then agree)."""
    w = ctx.wording
    names = {label: [ctx.name(s) for s in slugs] for label, slugs in status_groups(ctx, path)}
    counts = {label: len(found) for label, found in names.items()}
    which = {label: join_fr(found) for label, found in names.items()}
    undocumented = w.label("values", None)
    for value, count, named in _stated_for(ctx, path):
        unnamed = count - len(named)
        if unnamed <= 0 or undocumented not in counts:
            continue
        if value not in counts:  # a value no grid codes: placed before the undocumented row
            rest = counts.pop(undocumented), which.pop(undocumented), names.pop(undocumented)
            counts[value], names[value] = 0, []
            counts[undocumented], which[undocumented], names[undocumented] = rest
        counts[value] = count
        which[value] = w.sentence("synthesis/_stated_row.md", named=names[value], unnamed=unnamed)
        counts[undocumented] -= unnamed
        which[undocumented] = w.sentence(
            "synthesis/_stated_rest.md", sites=names[undocumented], taken=unnamed, value=value
        )
    table = [(label, counts[label], which[label]) for label in counts]
    return pd.DataFrame(table, columns=[caption_label, w.label("tables", "sites"), w.label("tables", "which")])


def status_counts(ctx: SynthesisContext, path: str) -> dict[str, int]:
    return {label: len(slugs) for label, slugs in status_groups(ctx, path)}


def documents_table(ctx: SynthesisContext) -> pd.DataFrame:
    """Sites per status of the three strategic documents (document-cadre, CIA, PPGDID)."""
    w = ctx.wording
    columns = [w.label("values", v) for v in ("adopted", "in_progress", "none", None)]
    rows = []
    for key in ("document_cadre", "cia", "ppgdid"):
        counts = status_counts(ctx, f"governance.{key}.status")
        rows.append([w.label("documents", key)] + [counts.get(c, 0) for c in columns] + [_stated_document(ctx, key)])
    header = [w.label("tables", "document")] + [c[:1].upper() + c[1:] for c in columns] + [w.label("tables", "stated")]
    return pd.DataFrame(rows, columns=header)


def _stated_document(ctx: SynthesisContext, key: str) -> str:
    """What the source says of a document without coding each site (« La plupart des sites selon la source »)."""
    path = f"governance.{key}.status"
    for name, item in ctx.places.stated_aggregates.items():
        if item.field == path:
            view = ctx.places.stated(name)
            return ctx.wording.sentence("synthesis/_stated_document.md", text=view.text, named=view.named)
    return "—"


def tools_table(ctx: SynthesisContext) -> pd.DataFrame:
    """Sites with each information tool for applicants (website, videos, statistics on anomalies)."""
    w = ctx.wording
    rows = []
    for path, label in w.vocabulary["tools"].items():
        yes = group_sites(ctx, path).get(True, [])
        rows.append((label, len(yes), join_fr([ctx.name(s) for s in yes]) or "—"))
    return pd.DataFrame(rows, columns=[w.label("tables", k) for k in ("tool", "sites", "which")])


def local_targets_above_law(ctx: SynthesisContext) -> list[tuple[str, str, float]]:
    """(site, indicator, local target) wherever a grid sets a target above the national one."""
    national = ctx.edition.indicators.national_targets.model_dump()
    found = []
    for slug in ctx.edition.slugs:
        for indicator, value in ctx.grids[slug].attribution_policy.targets.model_dump().items():
            if value is not None and value > national[indicator]:
                found.append((slug, indicator, value))
    return found


def targets_above_law(ctx: SynthesisContext) -> list[str]:
    """« MEL (attributions hors QPV au 1er quartile : 30 %) » for every local target above the law."""
    return [
        ctx.wording.sentence(
            "synthesis/_target_above_law.md", site=ctx.name(s), indicator=INDICATORS[i].label_fr, target=v
        )
        for s, i, v in local_targets_above_law(ctx)
    ]


# --- tables ----------------------------------------------------------------------------------


def sites_frame(edition: Edition) -> pd.DataFrame:
    return pd.DataFrame(
        [(s.slug, s.name, s.region, s.communes, s.population_2017, s.fictitious) for s in edition.sites],
        columns=["site", "name", "region", "communes", "population", "fictitious"],
    )


def sites_table_fr(ctx: SynthesisContext) -> pd.DataFrame:
    """The seed's « Les 12 sites observés » table, with its total row."""
    frame = sites_frame(ctx.edition).sort_values("name")
    w = ctx.wording
    mark = f" {w.label('demo', 'mark')}"
    rows = [
        (r.name, r.region, fmt_int(r.communes), fmt_int(r.population) + (mark if r.fictitious else ""))
        for r in frame.itertuples()
    ]
    real = frame[~frame["fictitious"]]  # a fictitious EPCI has no Insee population to add up
    rows.append((w.label("tables", "total"), "", fmt_int(real["communes"].sum()), fmt_int(real["population"].sum())))
    return pd.DataFrame(rows, columns=[w.label("tables", k) for k in ("epci", "region", "communes", "population")])


def indicators_frame(ctx: SynthesisContext) -> pd.DataFrame:
    """The published indicators of every site (after disclosure control), flagged ``demo_data``."""
    return with_demo_flag(ctx.indicators.reindex(columns=PUBLISHED_COLUMNS), ctx.is_demo)


def indicators_table_fr(ctx: SynthesisContext, indicators: list[str]) -> pd.DataFrame:
    """Site × indicator (site level), formatted in French with « n.s. » where suppressed."""
    site_level = ctx.indicators[ctx.indicators["breakdown"] == ""]
    rows = []
    for slug in ctx.edition.slugs:
        if slug in ctx.missing:
            continue
        values = site_level[site_level["site"] == slug].set_index("indicator")["value"]
        rows.append([ctx.name(slug)] + [fmt_value(values.get(i), INDICATORS[i].unit) for i in indicators])
    suffix = f" {ctx.fictitious_mark}" if ctx.is_demo else ""
    return pd.DataFrame(
        rows, columns=[ctx.wording.label("tables", "site")] + [INDICATORS[i].label_fr + suffix for i in indicators]
    )


def national_reference(ctx: SynthesisContext, indicator: str) -> NationalReference | None:
    """The national value of ``indicator`` known at the edition's year (reference line of a chart)."""
    return latest_reference(indicator, ctx.edition.year, ctx.edition.published_by)


def write_tables(ctx: SynthesisContext, output_dir: str | Path = "") -> dict[str, Path]:
    """Write sites.csv, indicators.csv and observations.csv under ``synthesis/tables/``."""
    folder = config.synthesis_tables_dir(
        Path(output_dir) if output_dir else config.synthesis_output_dir(ctx.edition.edition)
    )
    frames = (sites_frame(ctx.edition), indicators_frame(ctx), grids_table(ctx.edition.edition))
    tables = dict(zip(config.SYNTHESIS_TABLES, frames, strict=True))
    return {name: atomic_write_csv(folder / name, frame) for name, frame in tables.items()}


# --- text ------------------------------------------------------------------------------------


def highlights_markdown(ctx: SynthesisContext, theme: str) -> str:
    """Every boxed example of a theme from the sites' grids ("" when there is none)."""
    return "\n\n".join(
        callout_markdown(
            authored_markdown(h.title, f"params/{ctx.edition.edition}/sites/{slug}/grid.yml: highlights", "line"),
            authored_markdown(h.text, f"params/{ctx.edition.edition}/sites/{slug}/grid.yml: highlights", "paragraphs"),
        )
        for slug in ctx.edition.slugs
        for h in ctx.grids[slug].highlights
        if h.theme == theme
    )


def text_extra(ctx: SynthesisContext) -> dict[str, object]:
    """Placeholders beyond the contract's: ``population``, ``targets_above_law``, ``highlights(theme)``."""
    return {
        "population": sum(s.population_2017 for s in ctx.edition.sites if not s.fictitious),
        "targets_above_law": targets_above_law(ctx),
        "highlights": lambda theme: highlights_markdown(ctx, theme),
    }


def title_markdown(ctx: SynthesisContext) -> str:
    return ctx.wording.render("synthesis/_title.md", **ctx.places.context())


def missing_markdown(ctx: SynthesisContext) -> str:
    if not ctx.missing:
        return ""
    return ctx.wording.render(
        "synthesis/_missing.md", **ctx.places.context(), missing=[ctx.name(s) for s in ctx.missing]
    )


def parts(ctx: SynthesisContext) -> list[authored.Part]:
    """The parts of the synthesis in order: the edition's authored text, else the kit's default."""
    return authored.parts(ctx.edition.edition, ctx.wording)


def part_markdown(ctx: SynthesisContext, part: authored.Part) -> tuple[str, str]:
    """(title and introduction, the rest) of a part, placeholders filled."""
    return authored.split_intro(authored.render_part(part, ctx.places, text_extra(ctx)))


def _caption(ctx: SynthesisContext, key: str) -> str:
    return ctx.wording.label("synthesis_captions", key)


def _context_exhibits(ctx: SynthesisContext) -> None:
    from cohorte.report.display import show_table

    show_table(sites_table_fr(ctx), caption=_caption(ctx, "sites"))


def _governance_exhibits(ctx: SynthesisContext) -> None:
    from cohorte.report.display import show_table

    show_table(documents_table(ctx), caption=_caption(ctx, "documents"))


def _demand_exhibits(ctx: SynthesisContext) -> None:
    from cohorte.report.display import show_figure, show_table
    from cohorte.report.figures import sites_indicator_chart

    show_table(
        status_table(ctx, "demand_service.demand_register", _caption(ctx, "register_column")),
        caption=_caption(ctx, "register"),
    )
    show_table(
        status_table(ctx, "demand_service.said_common_place", _caption(ctx, "said_column")),
        caption=_caption(ctx, "said"),
    )
    show_table(tools_table(ctx), caption=_caption(ctx, "tools"))
    show_figure(sites_indicator_chart(ctx.indicators, "pressure", ctx.labels), alt=_caption(ctx, "pressure_chart"))


def _attribution_exhibits(ctx: SynthesisContext) -> None:
    from cohorte.report.display import show_figure, show_markdown, show_table
    from cohorte.report.figures import sites_indicator_chart
    from cohorte.report.figures.synthesis import SOURCE_SITES

    show_table(
        status_table(ctx, "attribution_policy.affordability_work", _caption(ctx, "affordability_column")),
        caption=_caption(ctx, "affordability"),
    )
    show_figure(
        sites_indicator_chart(
            ctx.indicators,
            "q1_outside_qpv",
            ctx.labels,
            reference=national_reference(ctx, "q1_outside_qpv"),
            source=f"{SOURCE_SITES} {q1_bases_note(ctx)}".strip(),
        ),
        alt=_caption(ctx, "q1_chart"),
    )
    show_markdown(ctx.wording.render("synthesis/_attribution_figures.md", **ctx.places.context()))
    show_table(
        indicators_table_fr(
            ctx, ["q1_outside_qpv", "non_q1_in_qpv", "pressure", "mutation_share", "median_delay_months"]
        ),
        caption=_caption(ctx, "indicators"),
    )


def q1_bases_note(ctx: SynthesisContext) -> str:
    """What the sites' Q1 rates rest on (thresholds official, fictitious or estimated) when their bases
    differ from one another or from the published national line: ranked together only with that said."""
    origins = sorted({o for o in ctx.threshold_origins.values() if o})
    if not origins or origins == ["official"]:
        return ""
    labels = [ctx.wording.label("threshold_origins", o) for o in origins]
    return ctx.wording.sentence("synthesis/_q1_bases.md", origins=labels)


def _elan_exhibits(ctx: SynthesisContext) -> None:
    """Cotation stages and flux postures: a table each (count and sites); a bar chart would repeat it."""
    from cohorte.report.display import show_table

    for path, key in (("cotation.stage", "cotation"), ("flux.epci_posture", "flux")):
        show_table(status_table(ctx, path, _caption(ctx, f"{key}_column")), caption=_caption(ctx, key))


# Tables and charts shown after the introduction of the part of the same file name.
EXHIBITS = {
    "01-demarche-et-contexte": _context_exhibits,
    "10-gouvernance": _governance_exhibits,
    "20-demande": _demand_exhibits,
    "30-attributions": _attribution_exhibits,
    "40-cotation-et-flux": _elan_exhibits,
}


def show_part(ctx: SynthesisContext, part: authored.Part) -> None:
    """A part: its title and introduction, its tables and charts, then its sub-sections."""
    from cohorte.report.display import show_markdown

    intro, rest = part_markdown(ctx, part)
    show_markdown(intro)
    if part.stem in EXHIBITS:
        EXHIBITS[part.stem](ctx)
    if rest.strip():
        show_markdown(rest)


# --- the cohort at a glance: dated status matrix, legal calendar, bibliography -----------------

MATRIX_DOCUMENTS = ("governance.document_cadre", "governance.cia", "governance.ppgdid")


def _cell(ctx: SynthesisContext, value: object, year: int | None = None) -> str:
    return ctx.wording.sentence("synthesis/_matrix_cell.md", value=value_fr(value, ctx.wording), year=year)


def _site_steps(ctx: SynthesisContext, slug: str) -> list[str]:
    """One site's row: each step of the reform in French, with its year where the grid has it."""
    grid = ctx.grids[slug]
    g = grid.governance
    every_cil = any(
        a.field == "governance.cil_installed" and a.qualifier == "all" for a in ctx.places.stated_aggregates.values()
    )
    installed = ctx.wording.label("matrix", "cil_installed")
    if g.cil_installed is None and not every_cil:
        cells = [_cell(ctx, None)]
    else:  # installed on every site according to the source, the year where the grid has it
        cells = [ctx.wording.sentence("synthesis/_matrix_cell.md", value=installed, year=g.cil_installed)]
    for document in (g.document_cadre, g.cia, g.ppgdid):
        cells.append(_cell(ctx, document.status, document.year))
    cells.append(_cell(ctx, grid.demand_service.said_common_place))
    cells.append(_cell(ctx, grid.cotation.stage, grid.cotation.operational_since))
    cells.append(_cell(ctx, grid.flux.epci_posture))
    return cells


def status_matrix(ctx: SynthesisContext) -> pd.DataFrame:
    """Site × step of the reform (CIL, document-cadre, CIA, PPGDID, SAID, cotation, flux), dated."""
    w = ctx.wording
    columns = [w.label("tables", "site"), *w.vocabulary["matrix_columns"].values()]
    rows = [[ctx.name(slug), *_site_steps(ctx, slug)] for slug in ctx.edition.slugs]
    return pd.DataFrame(rows, columns=columns)


def legal_calendar_markdown(ctx: SynthesisContext) -> str:
    """The box of legal deadlines known at the edition's date, the one in force at its reference date
    marked, and — when that deadline has passed — which sites met it according to the grids."""
    day, published = ctx.edition.reference_date, ctx.edition.published_by
    operational = [ctx.name(s) for s in ctx.edition.slugs if ctx.grids[s].cotation.stage == "operational"]
    measures = [
        {
            "label": m.label,
            "deadline": m.deadline,
            "text": m.text,
            "in_force_from": m.in_force_from,
            "in_force_until": m.in_force_until,
            "current": m.in_force_on(day),
            "passed": m.deadline <= day,
            "met": operational if m.measure == "cotation" else None,
        }
        for m in legal_calendar()
        if m.in_force_from <= published
    ]
    return ctx.wording.render("synthesis/_legal_calendar.md", measures=measures, reference_date=day)


def show_cohort_status(ctx: SynthesisContext) -> None:
    """The dated status matrix of the cohort and the legal calendar box."""
    from cohorte.report.display import show_markdown, show_table

    show_markdown(ctx.wording.render("synthesis/_cohort_status.md", **ctx.places.context()))
    show_table(status_matrix(ctx), caption=_caption(ctx, "matrix"))
    show_markdown(legal_calendar_markdown(ctx))


def bibliography_markdown(ctx: SynthesisContext) -> str:
    """The laws and décrets, and the publications of the national figures, known at the edition's date."""
    published = ctx.edition.published_by
    texts_cited = [{"title": t.title, "about": t.about} for t in texts_published_by(published)]
    reports = [r.citation() for r in cited_references(ctx.edition.year, published)]
    return ctx.wording.render("annexes/bibliography.md", texts=texts_cited, reports=reports)


def annexes_markdown(ctx: SynthesisContext) -> str:
    """The methods annex, the glossary (when the edition or the kit has one) and the bibliography."""
    blocks = [
        authored.methods_markdown(ctx.places),
        authored.glossary_markdown(ctx.places),
        bibliography_markdown(ctx),
    ]
    return "\n\n".join(b for b in blocks if b)


def cohort_changes(ctx: SynthesisContext) -> CohortChanges | None:
    """The cohort's changes since the previous edition (None when the edition follows none)."""
    from cohorte.report import changes

    return changes.cohort_changes(ctx.edition, ctx.grids, ctx.indicators)


def show_changes(ctx: SynthesisContext) -> None:
    """« Ce qui a changé depuis l'édition N−1 »: the renewal, transition tables, indicators across editions."""
    from cohorte.changes.indicators import CHART_INDICATORS
    from cohorte.changes.transitions import HEADLINE_FIELDS, moves
    from cohorte.report import changes
    from cohorte.report.display import show_figure, show_markdown, show_table
    from cohorte.report.figures.editions import editions_chart

    found = cohort_changes(ctx)
    if found is None:
        return
    # qualitative transitions name the sites plainly; figures (fictitious on demo data) carry the mark
    w, names, labels = ctx.wording, {s.slug: s.short_name for s in ctx.edition.sites}, ctx.labels
    previous_names = {s.slug: s.short_name for s in found.published.edition.sites}
    headline = [
        (
            changes.field_label(w, key),
            len(moves(found.transitions, key)["advanced"]),
            [names[s] for s in moves(found.transitions, key)["advanced"]],
        )
        for key in HEADLINE_FIELDS
    ]
    show_markdown(
        w.render(
            "synthesis/changes/intro.md",
            observations_fictitious=ctx.edition.fictitious_observations,
            previous=found.previous,
            edition=ctx.edition.edition,
            both=len(found.cohort.both),
            left=[nom(found.published.edition.site(s)) for s in found.cohort.left if s in previous_names],
            joined=[nom(ctx.edition.site(s)) for s in found.cohort.joined],
            headline=headline,
        )
    )
    show_table(changes.transitions_table(found, names, w), caption=w.label("changes", "transitions_caption"))
    moved = changes.site_transitions_list(found, names, w, ctx.edition.year)
    title = w.render("synthesis/changes/transitions.md", count=len(moved))
    if moved:
        show_markdown(title + "\n\n" + "\n".join(f"- {line}" for line in moved))
    info = found.published.provenance()
    show_markdown(
        w.render(
            "synthesis/changes/indicators.md",
            previous=found.previous,
            edition=ctx.edition.edition,
            compared=len(found.published.key_figures),
            manifest=info["manifest"],
            manifest_hash=found.published.manifest_sha256[:12],
        )
    )
    show_table(changes.indicators_across_table(found, labels, w), caption=w.label("changes", "indicators_caption"))
    for indicator in CHART_INDICATORS:
        figure = editions_chart(found.indicators, indicator, labels, found.previous, ctx.edition.edition)
        show_figure(figure, alt=f"{w.label('changes', 'chart_alt')} {INDICATORS[indicator].label_fr}")


def show_parts(ctx: SynthesisContext) -> None:
    """Every part in order, what changed since the previous edition after the first."""
    for index, part in enumerate(parts(ctx)):
        show_part(ctx, part)
        if index == 0:
            show_changes(ctx)


def show_annexes(ctx: SynthesisContext) -> None:
    from cohorte.report.display import show_markdown

    show_markdown(annexes_markdown(ctx))


def show_synthesis(ctx: SynthesisContext) -> None:
    """Every part, the cohort's status matrix and legal calendar, then the annexes."""
    show_parts(ctx)
    show_cohort_status(ctx)
    show_annexes(ctx)
