"""Validation of every text of an edition before any kernel starts (``cohorte check``, ``cohorte build``).

Each template is rendered against the edition's real context (each site's for the monograph's
templates and prose) and, for the figure sentences, against representative indicator tables that
reach every case. Problems are errors naming file and line; warnings (a headline count on a field
most sites leave undocumented) are printed but do not stop the build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

from cohorte.editions import Edition
from cohorte.errors import CohorteError
from cohorte.grids import FIELDWORK, THEMES, Grid, InterviewKind, coded_fields, load_grids
from cohorte.inputs import codes
from cohorte.report import authored, narrative
from cohorte.report.display import DEMO_DETAILS_TEMPLATE
from cohorte.report.placeholders import Placeholders, load_stated, site_context
from cohorte.report.prose import PROSE_THEMES, render_prose
from cohorte.report.text import VOCABULARY, Texts, shown_path, texts

REQUIRED_LABELS = {
    "themes": (*THEMES, "perspectives"),
    "values": tuple(
        sorted(
            {
                v
                for spec in coded_fields()
                if spec.theme != FIELDWORK and spec.kind in ("enum", "enum_list")
                for v in spec.allowed
            }
            | {"true", "false", "null", "empty_list"}
        )
    ),
    "interviews": InterviewKind.__args__,  # type: ignore[attr-defined]
    "reservataires": tuple(codes.RESERVATAIRES),
    "reservataires_in_sentence": tuple(codes.RESERVATAIRES),
}


T = TypeVar("T")


@dataclass
class TextReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def run(self, check: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        """Call ``check``; a CohorteError becomes one problem per line."""
        try:
            return check(*args, **kwargs)
        except CohorteError as exc:
            self.problems += [line for line in str(exc).splitlines() if line.strip()]
            return None


def _representative_tables() -> list[tuple[pd.DataFrame, bool | None]]:
    """Tables reaching every case of the figure sentences: empty, all published (met / missed), all n.s."""

    def row(
        indicator: str,
        breakdown: str = "",
        value: float | None = 10.0,
        target: float | None = None,
        met: bool | None = None,
        denominator: float | None = 100.0,
    ) -> dict:
        return {
            "site": "x",
            "indicator": indicator,
            "breakdown": breakdown,
            "value": value,
            "target": target,
            "met": met,
            "denominator": denominator,
            "estimated": False,
        }

    def full(met: bool, value: float | None) -> pd.DataFrame:
        rows = [
            row(i, value=value)
            for i in (
                "q1_threshold",
                "attributions_in_qpv",
                "pressure",
                "pressure_excl_mutations",
                "mutation_share",
                "active_demands",
                "attributions",
                "median_delay_months",
                "median_seniority_months",
                "abnormal_delay_demands",
                "abnormal_delay_share",
                "poulidors",
                "q1_affordable_stock_share",
                "cotation_median_score_active",
                "cotation_median_score_attributed",
                "cotation_reordered_share",
                "small_typology_supply_share",
                "q1_small_typology_demand_share",
            )
        ]
        rows += [
            row("q1_outside_qpv", value=value, target=25.0, met=met),
            row("non_q1_in_qpv", value=value, target=50.0, met=met),
        ]
        rows += [
            row("median_delay_months", t, value=None if value is None else v) for t, v in (("T1", 5.0), ("T5", 20.0))
        ]
        rows += [
            row("q1_affordable_stock_share", t, value=None if value is None else v)
            for t, v in (("C", 5.0), ("T6P", 20.0))
        ]
        for code, share in (("PPRIOR", 28.0), ("PFONCT", 6.0), ("COLACT", 20.0), ("AUCUN", 46.0)):
            shown = None if value is None else share
            rows += [
                row("priority_publics", code, shown, 25.0 if code not in ("PPRIOR", "PFONCT") else None, None),
                row("flux_reserved_stock_share", code, shown),
                row("flux_implied_flow", code, shown),
                row("flux_flow_share", code, shown),
                row("flux_attributions", code, shown),
                {**row("flux_attainment", code, shown), "numerator": shown},
            ]
        rows += [row("cotation_score_band", "10-19", value), row("cotation_attributed_band", "50+", value)]
        return pd.DataFrame(rows)

    empty = pd.DataFrame(
        columns=["site", "indicator", "breakdown", "value", "target", "met", "denominator", "estimated", "numerator"]
    )
    no_medians = full(True, 3.0)
    no_medians = no_medians[~no_medians["indicator"].str.startswith("cotation_median")]
    return [
        (empty, None),
        (full(True, 40.0), True),
        (full(False, 1.0), False),
        (full(True, None), True),
        (no_medians, True),
    ]


def check_vocabulary(wording: Texts) -> list[str]:
    """Every code the kit shows has its label."""
    vocabulary = wording.vocabulary
    where = shown_path(wording.source_path(VOCABULARY) or VOCABULARY)
    problems = []
    for section, keys in REQUIRED_LABELS.items():
        labels = vocabulary.get(section)
        if not isinstance(labels, dict):
            problems.append(f"{where}: section '{section}' is missing")
            continue
        missing = [k for k in keys if k not in labels]
        if missing:
            problems.append(f"{where}: section '{section}' has no label for {', '.join(missing)}")
    return problems


# The variants of the facts a sentence states (indicators.origins): every origin of the Q1 threshold,
# an abnormal delay with and without its arrêté, an illustrative grid with estimated scores and an adopted one.
_FACT_VARIANTS = (
    {
        "q1_threshold_origin": "official",
        "q1_threshold_source": "arrêté préfectoral",
        "abnormal_delay_source": "arrêté",
        "cotation": {"grid": "Grille", "status": "adopted", "source": "délibération", "estimated_fields": []},
    },
    {
        "q1_threshold_origin": "fictitious",
        "q1_threshold_source": None,
        "abnormal_delay_source": None,
        "cotation": {
            "grid": "Grille",
            "status": "illustrative",
            "source": None,
            "estimated_fields": ["current_housing", "reasons", "other"],
        },
    },
    {"q1_threshold_origin": "estimated", "q1_threshold_source": None, "abnormal_delay_source": None, "cotation": None},
    {"q1_threshold_origin": None, "q1_threshold_source": None, "abnormal_delay_source": None, "cotation": None},
)
# Reference dates on either side of each change of the legal calendar.
_CALENDAR_DATES = (dt.date(2020, 12, 31), dt.date(2021, 12, 31), dt.date(2022, 12, 31))


def _check_sentences(wording: Texts) -> None:
    for table, has_qpv in _representative_tables():
        for facts in _FACT_VARIANTS:
            for cap in (30.0, 5.0):  # within and over the State's cap
                narrative.sentences(
                    table, has_qpv=has_qpv, abnormal_delay_months=24, state_cap=cap, text=wording, **facts
                )
        narrative.rent_ceilings_sentence({"C": 250.0, "T1": 280.0, "T6P": 600.0}, text=wording)
        narrative.small_typology_sentence(table, text=wording)
    flow_only = pd.DataFrame(
        [{"site": "x", "indicator": "flux_flow_share", "breakdown": c, "value": 20.0} for c in ("PPRIOR", "PFONCT")]
    )
    narrative.flux_sentence(flow_only, text=wording)
    for day in _CALENDAR_DATES:
        for operational, since in ((False, None), (True, None), (True, 2017)):
            narrative.cotation_deadline_sentence(day, operational=operational, operational_since=since, text=wording)
        narrative.flux_deadline_sentence(day, text=wording)
    for year in (2016, 2020, 2023):
        narrative.national_q1_sentence(year, text=wording)
    for invented in (False, True):
        wording.sentence(DEMO_DETAILS_TEMPLATE, invented_observations=invented)
    for name in ("monograph/tables/priority_target_row.md",):
        wording.sentence(name, contingent="Action Logement")
    for count in (1, 2):
        wording.sentence("monograph/tables/differentiated_targets.md", count=count, status="par commune")


def _check_changes(wording: Texts, report: TextReport) -> None:
    """The « what changed » templates, in each of their cases, and every phrase of the vocabulary."""
    from cohorte.changes.transitions import STATUSES, Transition
    from cohorte.report.changes import transition_sentence

    years = {"previous": 2020, "edition": 2021}
    for changed, unconfirmed in ((0, 0), (1, 2), (3, 1)):
        report.run(
            wording.render, "monograph/changes/intro.md", changed=changed, unchanged=1, unconfirmed=unconfirmed, **years
        )
        if unconfirmed:
            report.run(
                wording.sentence,
                "monograph/changes/unconfirmed.md",
                previous=2020,
                unconfirmed=unconfirmed,
                fields=["cotation"] * unconfirmed,
            )
    report.run(wording.render, "monograph/changes/joined.md", site="A", **years)
    for left, joined, invented in (([], [], False), (["A"], ["B", "C"], True)):
        report.run(
            wording.render,
            "synthesis/changes/intro.md",
            observations_fictitious=invented,
            both=2,
            left=left,
            joined=joined,
            headline=[("cotation", 2, ["A", "B"]), ("flux", 0, [])],
            **years,
        )
    for count in (0, 3):
        report.run(wording.render, "synthesis/changes/transitions.md", count=count)
    report.run(
        wording.render,
        "synthesis/changes/indicators.md",
        compared=2,
        manifest="outputs/2020/manifest.json",
        manifest_hash="0123456789ab",
        **years,
    )
    report.run(
        wording.sentence,
        "monograph/changes/indicators.md",
        manifest="outputs/2020/manifest.json",
        key_figures="0123456789ab",
        **years,
    )
    for spec in coded_fields():
        if spec.theme == FIELDWORK:
            continue
        key = f"{spec.theme}.{spec.field}"
        values = (
            [*spec.allowed[:2]] if len(spec.allowed) >= 2 else [None, True] if spec.kind == "bool" else [None, 2021]
        )
        for status in STATUSES[:4]:
            report.run(transition_sentence, wording, Transition("x", key, values[0], values[-1], status), 2020, 2021)
    for section in ("field_labels", "phrases", "transition_status", "changes"):
        if not isinstance(wording.vocabulary.get(section), dict):
            report.problems.append(
                f"{shown_path(wording.source_path(VOCABULARY) or VOCABULARY)}: section '{section}' is missing"
            )


def _check_site(edition: Edition, wording: Texts, places: Placeholders, slug: str, report: TextReport) -> None:
    context = {**site_context(places, edition.site(slug), None), "settings": edition.indicators, "site_interviews": []}
    for name in (
        "monograph/title.md",
        *(f"monograph/sections/{p.stem}.md" for p in _kit_files(wording, "monograph/sections")),
    ):
        report.run(wording.render, name, **context)
    for theme in PROSE_THEMES:
        report.run(render_prose, wording, edition.edition, slug, theme, context)


def _kit_files(wording: Texts, folder: str) -> list[Path]:
    from cohorte import config

    return sorted((config.kit_text_dir() / folder).glob("*.md"))


def _priority_rows(edition: Edition) -> pd.DataFrame:
    """Every site met on one contingent and missed on another, and the first site met on all of them."""
    rows = []
    for i, slug in enumerate(edition.slugs):
        rows += [
            (slug, "q1_outside_qpv", "", 20.0, 25.0, i == 0),
            (slug, "priority_publics", "COLTER", 30.0, 25.0, True),
            (slug, "priority_publics", "AUCUN", 20.0, 25.0, i == 0),
            (slug, "priority_publics", "PPRIOR", 80.0, None, None),
        ]
    return pd.DataFrame(rows, columns=["site", "indicator", "breakdown", "value", "target", "met"])


def _check_synthesis(
    edition: Edition, grids: dict[str, Grid], wording: Texts, places: Placeholders, report: TextReport
) -> None:
    table = pd.DataFrame(columns=["site", "indicator", "breakdown", "value", "target", "met"])
    synth = Placeholders(edition, grids, wording, table, places.stated_aggregates)
    extra = {"population": 0, "targets_above_law": [], "highlights": lambda theme: ""}
    for name in ("synthesis/_title.md",):
        report.run(wording.render, name, **synth.context())
    report.run(wording.render, "synthesis/_missing.md", **synth.context(), missing=["A"])
    report.run(wording.render, "synthesis/_target_above_law.md", site="A", indicator="Indicateur", target=30.0)
    for is_demo in (False, True):
        variant = Placeholders(
            edition, grids, wording, _priority_rows(edition), places.stated_aggregates, is_demo=is_demo
        )
        report.run(wording.render, "synthesis/_attribution_figures.md", **variant.context())
    for part in report.run(authored.parts, edition.edition, wording) or []:
        problems, warnings = authored.check_part_source(part.path, synth)
        report.problems += problems
        report.warnings += warnings
        report.run(authored.render_part, part, synth, extra)
    report.run(authored.methods_markdown, synth)
    report.run(authored.glossary_markdown, synth)


def check_texts(edition: Edition, grids: dict[str, Grid] | None = None) -> TextReport:
    """Every template, prose file, synthesis part, stated aggregate and the vocabulary of ``edition``."""
    report = TextReport()
    wording = texts(edition.edition)
    if grids is None:
        grids = report.run(load_grids, edition.edition)
        if grids is None:
            return report
    vocabulary_ok = report.run(lambda: wording.vocabulary) is not None
    if not vocabulary_ok:
        return report
    report.problems += check_vocabulary(wording)
    stated = report.run(load_stated, edition)
    places = Placeholders(edition, grids, wording, None, stated or {})
    report.run(_check_sentences, wording)
    _check_changes(wording, report)
    from cohorte.report.maps import check_map_texts

    report.problems += check_map_texts(edition, wording)
    if not edition.has_grids:  # a national edition: fiches and national synthesis, checked by cohorte.report.fiche
        from cohorte.report.fiche import check_fiche_texts

        report.problems += check_fiche_texts(edition, wording)
        return report
    for slug in edition.slugs:
        _check_site(edition, wording, places, slug, report)
    _check_synthesis(edition, grids, wording, places, report)
    report.problems = list(dict.fromkeys(report.problems))
    report.warnings = list(dict.fromkeys(report.warnings))
    return report


def prose_validator(edition_id: str | int, slug: str):
    """A function ``(theme, text, path)`` that renders prose as the monograph would, raising on any error."""
    from cohorte.editions import load_edition

    edition = load_edition(edition_id)
    wording = texts(edition.edition)
    places = Placeholders(edition, load_grids(edition.edition), wording, None, load_stated(edition))
    context = {**site_context(places, edition.site(slug), None), "settings": edition.indicators, "site_interviews": []}

    def validate(theme: str, text: str, path: Path) -> None:
        wording.render_source(text, path, **context)

    return validate
