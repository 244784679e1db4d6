"""What the notebooks call to show what changed since the previous edition: a site's transitions in
words and its main indicators' changes (monograph), the cohort's transition tables and the
indicators across editions (synthesis). Words come from the templates and the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cohorte.changes.indicators import CHART_INDICATORS, indicator_changes
from cohorte.changes.previous import PublishedEdition, load_published, previous_grids
from cohorte.changes.transitions import HEADLINE_FIELDS, Renewal, Transition, moves, renewal, site_transitions
from cohorte.editions import Edition
from cohorte.grids import Grid, coded_fields
from cohorte.indicators.registry import INDICATORS
from cohorte.report.formatting import fmt_change, fmt_value, join_fr
from cohorte.report.text import Texts, value_fr

_DOCUMENT_STATUS = ("governance.document_cadre.status", "governance.cia.status", "governance.ppgdid.status")


# --- words -------------------------------------------------------------------------------------


def field_label(wording: Texts, key: str) -> str:
    """A coded field's French name (vocabulary ``field_labels``, else its description in the grid)."""
    labels = wording.vocabulary.get("field_labels") or {}
    if key in labels:
        return str(labels[key])
    return next(s.description for s in coded_fields() if f"{s.theme}.{s.field}" == key)


def _phrase(wording: Texts, key: str, value: object, side: str) -> str | None:
    phrases = wording.vocabulary.get("phrases") or {}
    by_value = phrases.get("document_status" if key in _DOCUMENT_STATUS else key) or {}
    entry = by_value.get(value) if isinstance(value, str) else None
    return str(entry[side]) if isinstance(entry, dict) and side in entry else None


def transition_sentence(wording: Texts, t: Transition, previous: int, edition: int) -> str:
    """« Cotation : des principes posés à une mise en œuvre engagée. »"""
    return wording.sentence(
        "monograph/changes/transition.md",
        field=field_label(wording, t.key),
        status=t.status,
        before=value_fr(t.before, wording),
        after=value_fr(t.after, wording),
        previous=previous,
        edition=edition,
        to=_phrase(wording, t.key, t.after, "to"),
        **{"from": _phrase(wording, t.key, t.before, "from")},
    )


def _label(indicator: str, breakdown: str, wording: Texts) -> str:
    label = INDICATORS[indicator].label_fr
    if breakdown:
        return f"{label} : {wording.label('reservataires', breakdown, default=breakdown)}"
    return label


# --- a site ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteChanges:
    """What changed on one site since the previous edition (``joined``: the site was not observed then)."""

    previous: int
    joined: bool
    transitions: list[Transition] = field(default_factory=list)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    published: PublishedEdition | None = None

    @property
    def changed(self) -> list[Transition]:
        return [t for t in self.transitions if t.changed]

    @property
    def unconfirmed(self) -> list[Transition]:
        return [t for t in self.transitions if t.status == "unconfirmed"]

    def provenance(self) -> dict[str, object]:
        return {
            "previous_edition": self.previous,
            "joined": self.joined,
            **({"previous_build": self.published.provenance()} if self.published else {}),
        }


def site_changes(edition: Edition, slug: str, grid: Grid, table: pd.DataFrame) -> SiteChanges | None:
    """The site's changes since ``edition.previous_edition`` (None when the edition follows none)."""
    if edition.previous_edition is None:
        return None
    before = previous_grids(edition) or {}
    if slug not in before:
        return SiteChanges(edition.previous_edition, joined=True)
    published = load_published(edition.previous_edition, [slug])
    frame = indicator_changes(published.table, table, [slug], edition.disclosure_threshold)
    return SiteChanges(edition.previous_edition, False, site_transitions(slug, before[slug], grid), frame, published)


def changes_markdown(edition: Edition, site_name: str, changes: SiteChanges, wording: Texts) -> str:
    """The heading, the introduction and one bullet per confirmed change; what is still to confirm."""
    years = {"previous": changes.previous, "edition": edition.edition}
    if changes.joined:
        return wording.render("monograph/changes/joined.md", site=site_name, **years)
    intro = wording.render(
        "monograph/changes/intro.md",
        changed=len(changes.changed),
        unchanged=sum(t.status == "unchanged" for t in changes.transitions),
        unconfirmed=len(changes.unconfirmed),
        **years,
    )
    bullets = "\n".join(f"- {transition_sentence(wording, t, changes.previous, edition.year)}" for t in changes.changed)
    parts = [intro, bullets]
    if changes.unconfirmed:
        parts.append(
            wording.sentence(
                "monograph/changes/unconfirmed.md",
                previous=changes.previous,
                unconfirmed=len(changes.unconfirmed),
                fields=[field_label(wording, t.key) for t in changes.unconfirmed],
            )
        )
    return "\n\n".join(p for p in parts if p)


def indicators_note(changes: SiteChanges, slug: str, edition: Edition, wording: Texts) -> str:
    published = changes.published
    if published is None:  # a joining site: nothing was published for it
        return ""
    return wording.sentence(
        "monograph/changes/indicators.md",
        previous=changes.previous,
        edition=edition.edition,
        manifest=published.provenance()["manifest"],
        key_figures=published.key_figures[slug][:12],
    )


def changes_table(changes: SiteChanges, edition: Edition, wording: Texts) -> pd.DataFrame:
    """Indicator / previous value / current value / change, in French (« n.s. » where hidden)."""
    rows = []
    for r in changes.indicators.itertuples():
        unit = INDICATORS[r.indicator].unit
        rows.append(
            (
                _label(r.indicator, r.breakdown, wording),
                fmt_value(r.before, unit),
                fmt_value(r.after, unit),
                fmt_change(r.change, unit),
            )
        )
    columns = [
        wording.label("tables", "indicator"),
        str(changes.previous),
        str(edition.edition),
        wording.label("changes", "change"),
    ]
    return pd.DataFrame(rows, columns=columns)


# --- the cohort --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortChanges:
    previous: int
    cohort: Renewal
    transitions: pd.DataFrame  # cohort_transitions
    indicators: pd.DataFrame  # indicator_changes of the sites in both editions
    published: PublishedEdition


def transitions_table(ctx: CohortChanges, names: dict[str, str], wording: Texts) -> pd.DataFrame:
    """For cotation, flux and the SAID: how many sites advanced, regressed, stayed, are to confirm; which ones."""
    rows = []
    for key in HEADLINE_FIELDS:
        found = moves(ctx.transitions, key)
        for status in ("advanced", "regressed", "documented", "changed", "unchanged", "unconfirmed", "undocumented"):
            sites = found[status]
            if sites:
                rows.append(
                    (
                        field_label(wording, key),
                        wording.label("changes", status),
                        len(sites),
                        join_fr([names[s] for s in sites]),
                    )
                )
    columns = [
        wording.label("changes", "field"),
        wording.label("tables", "status"),
        wording.label("tables", "sites"),
        wording.label("tables", "which"),
    ]
    return pd.DataFrame(rows, columns=columns)


def site_transitions_list(ctx: CohortChanges, names: dict[str, str], wording: Texts, edition: int) -> list[str]:
    """« MEL — cotation : des principes posés à une mise en œuvre engagée. » for every headline change."""
    out = []
    frame = ctx.transitions
    for key in HEADLINE_FIELDS:
        theme, name = key.split(".", 1)
        part = frame[(frame["theme"] == theme) & (frame["field"] == name)]
        for r in part.itertuples():
            t = Transition(r.site, key, r.before, r.after, r.status)
            if t.changed:
                out.append(f"{names[r.site]} — {transition_sentence(wording, t, ctx.previous, edition)}")
    return out


def indicators_across_table(ctx: CohortChanges, names: dict[str, str], wording: Texts) -> pd.DataFrame:
    """Site × main indicator: previous value → current value (change)."""
    site_level = ctx.indicators[ctx.indicators["breakdown"] == ""]
    rows = []
    for slug in ctx.cohort.both:
        part = site_level[site_level["site"] == slug].set_index("indicator")
        cells = []
        for indicator in CHART_INDICATORS:
            unit = INDICATORS[indicator].unit
            if indicator not in part.index:
                cells.append("")
                continue
            r = part.loc[indicator]
            cells.append(
                f"{fmt_value(r['before'], unit)} → {fmt_value(r['after'], unit)} ({fmt_change(r['change'], unit)})"
            )
        rows.append([names[slug], *cells])
    return pd.DataFrame(
        rows, columns=[wording.label("tables", "site"), *(INDICATORS[i].label_fr for i in CHART_INDICATORS)]
    )


def cohort_changes(edition: Edition, grids: dict[str, Grid], table: pd.DataFrame) -> CohortChanges | None:
    """The cohort's changes since the previous edition (None when the edition follows none).

    Indicators are compared on the sites with figures in both builds (``table``: this edition's).
    """
    from cohorte.changes.previous import built_sites
    from cohorte.changes.transitions import cohort_transitions

    if edition.previous_edition is None:
        return None
    before = previous_grids(edition) or {}
    cohort = renewal(list(before), list(grids))
    with_figures = set(built_sites(edition.previous_edition)) & set(table["site"])
    published = load_published(edition.previous_edition, [s for s in cohort.both if s in with_figures])
    frame = indicator_changes(published.table, table, list(published.key_figures), edition.disclosure_threshold)
    return CohortChanges(edition.previous_edition, cohort, cohort_transitions(before, grids), frame, published)
