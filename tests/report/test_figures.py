"""Charts: each returns a Figure with the expected artists; suppressed cells are marked, never drawn."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import partial
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from cohorte.report import figures
from published_tables import published

NA = np.nan


table = partial(published, columns=("indicator", "breakdown", "value"), site="lorient-agglomeration")


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_hatch()]


def gids(fig: Figure, gid: str) -> list:
    return fig.findobj(lambda artist: artist.get_gid() == gid)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


@pytest.fixture
def site_with_gaps() -> pd.DataFrame:
    """A site missing Q1 in one contingent, with n.s. cells in every chart."""
    return table(
        ("q1_outside_qpv", "", 18.44, {"target": 25, "met": False}),
        ("non_q1_in_qpv", "", 72.5, {"target": 50, "met": True, "denominator": 400}),
        ("priority_publics", "COLACT", 31.2, {"target": 25, "met": True, "denominator": 412}),
        ("priority_publics", "COLTER", 18.0, {"target": 25, "met": False, "denominator": 220}),
        ("priority_publics", "PFONCT", NA),
        ("priority_publics", "PPRIOR", 74.0, {"denominator": 300}),
        ("attributions", "", 3543),
        ("pressure", "", 7.06),
        ("pressure", "T1", 12.3),
        ("pressure", "T2", 8.1),
        ("pressure", "T6P", NA),
        ("median_delay_months", "", 14),
        ("median_delay_months", "T1", 8),
        ("median_delay_months", "T2", 12),
        ("median_delay_months", "T6P", NA),
        ("flux_reserved_stock_share", "PPRIOR", 22.0),
        ("flux_reserved_stock_share", "PFONCT", 5.5),
        ("flux_reserved_stock_share", "COLACT", 19.5),
        ("flux_attributions", "PPRIOR", 310),
        ("flux_attributions", "PFONCT", NA),
        ("flux_attributions", "COLACT", 412),
        ("cotation_score_band", "0-9", 3100),
        ("cotation_score_band", "10-19", 7200),
        ("cotation_score_band", "60+", NA),
        ("cotation_attributed_band", "0-9", 210),
        ("cotation_attributed_band", "10-19", 620),
        ("cotation_attributed_band", "60+", NA),
    )


def test_when_targets_chart_then_one_bar_per_published_rate_and_a_target_mark_each(site_with_gaps):
    fig = figures.targets_chart(site_with_gaps)
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert len(bars(ax)) == 5  # Q1, non-Q1, PPRIOR, COLACT, COLTER; PFONCT is n.s.
    assert len(gids(fig, "target")) == 4  # PPRIOR and PFONCT carry no target
    assert [t.get_text() for t in gids(fig, "ns")] == ["n.s."]
    assert "2 objectifs d'attribution atteints sur 4" in fig.get_suptitle().replace("\u00a0", " ").replace("\n", " ")
    assert "Source : " in fig.get_supxlabel()


def test_when_site_has_no_qpv_then_targets_chart_drops_the_qpv_bar():
    t = table(
        ("q1_outside_qpv", "", 26.0, {"target": 25, "met": True}),
        ("attributions_in_qpv", "", 0),
        ("non_q1_in_qpv", "", NA, {"denominator": 0, "suppressed": False}),
    )
    fig = figures.targets_chart(t)
    assert len(bars(fig.axes[0])) == 1
    assert not gids(fig, "ns")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["1er quartile (EPCI sans QPV)"]


def test_when_priority_chart_then_bars_a_target_tick_per_targeted_contingent_and_ns(site_with_gaps):
    fig = figures.priority_by_reservataire_chart(site_with_gaps)
    assert len(bars(fig.axes[0])) == 3  # PPRIOR (no target), COLTER, COLACT; PFONCT n.s.
    assert len(gids(fig, "target")) == 2  # COLTER and COLACT only: no line across the State's contingents
    assert "1 contingent sur 2" in fig.get_suptitle().replace("\u00a0", " ")
    assert len(gids(fig, "ns")) == 1
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0].startswith("État —")  # codes.RESERVATAIRES order
    assert "(412\u00a0attributions)" in ticks[-1]


def test_when_pressure_delay_chart_then_two_panels_by_typology(site_with_gaps):
    fig = figures.pressure_delay_chart(site_with_gaps)
    left, right = fig.axes
    assert len(bars(left)) == 2 and len(bars(right)) == 2
    assert len(gids(fig, "ns")) == 2
    assert [t.get_text() for t in left.get_yticklabels()] == ["T1", "T2", "T6 et +"]
    assert "T1" in fig.get_suptitle().replace("\n", " ")


def test_when_flux_chart_then_state_cap_marked_and_ns_attributions_not_drawn(site_with_gaps):
    fig = figures.flux_chart(site_with_gaps, state_cap=30)
    (cap,) = gids(fig, "cap")
    assert list(cap.get_xdata()) == [30, 30]
    # rows: État ensemble, PPRIOR, PFONCT, COLACT; stock bars 4, attribution bars 2 (PFONCT and the total n.s.)
    assert len(bars(fig.axes[0])) == 6
    assert len(gids(fig, "ns")) == 2
    assert "27,5\u00a0%" in texts(fig)


def test_when_cotation_chart_then_bars_markers_and_hatched_ns_band(site_with_gaps):
    fig = figures.cotation_chart(site_with_gaps)
    ax = fig.axes[0]
    assert len(bars(ax)) == 2
    assert len([p for p in ax.patches if p.get_hatch()]) == 1
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(markers) == 2
    assert [t.get_text() for t in gids(fig, "ns")] == ["n.s."]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0-9", "10-19", "60+"]


def test_when_milestones_have_undated_items_then_they_are_skipped_and_deadlines_added():
    fig = figures.milestones_timeline(
        [(2016, "CIL installée"), (None, "Lieu commun d'accueil"), (2019, "CIA signée"), (2019, "PPGDID adopté")],
        "Lorient Agglomération",
        deadlines=figures.legal_deadlines(dt.date(2020, 12, 31)),
    )
    assert len(gids(fig, "milestone")) == 2  # one point per year
    assert len(gids(fig, "deadline")) == 2
    assert len(gids(fig, "law")) == 3  # ALUR, Égalité et Citoyenneté, ELAN: every site's timeline has them
    labels = " ".join(texts(fig)).replace("\n", " ")
    assert "Lieu commun d'accueil" not in labels
    assert "1er septembre 2021" in labels and "24 novembre 2021" in labels and "2023" not in labels
    assert fig.get_suptitle().startswith("Lorient Agglomération : les étapes de la réforme depuis 2016")


def _drawn_boxes(fig: Figure) -> tuple[list, list]:
    """The label boxes and the stems (vertical lines) of a timeline, in display coordinates."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer, ax = canvas.get_renderer(), fig.axes[0]
    labels = [t.get_window_extent(renderer) for t in ax.texts]
    stems = [
        ax.transData.transform(np.column_stack(line.get_data())) for line in ax.lines if len(line.get_xdata()) == 2
    ]
    return labels, stems


BUSY = [
    (2016, "CIL installée"),
    (2017, "Document-cadre adopté"),
    (2018, "CIA signée"),
    (2018, "PPGDID adopté"),
    (2019, "Fichier partagé de la demande"),
    (2020, "Cotation opérationnelle"),
]


@pytest.mark.parametrize("milestones", [[], [(2005, "Fichier partagé de la demande"), (2017, "Cotation")], BUSY])
def test_when_timeline_is_drawn_then_no_label_overlaps_a_label_or_crosses_a_stem(milestones):
    fig = figures.milestones_timeline(
        milestones, "Eurométropole de Strasbourg", deadlines=figures.legal_deadlines(dt.date(2020, 12, 31))
    )
    labels, stems = _drawn_boxes(fig)
    years = [t.get_window_extent() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(years)]
    assert min(gaps) >= 0.08 * fig.dpi, "year labels run together"
    assert len(labels) == len({y for y, _ in milestones}) + 5
    for i, a in enumerate(labels):
        assert not any(a.overlaps(b) for b in labels[i + 1 :]), "two labels overlap"
        for (x, y0), (_, y1) in stems:
            inside = a.x0 + 1 < x < a.x1 - 1 and a.y0 + 1 < max(y0, y1) and min(y0, y1) < a.y1 - 1
            assert not inside, f"a stem crosses « {fig.axes[0].texts[i].get_text()} »"
    fig_box = fig.bbox
    assert all(fig_box.x0 <= b.x0 and b.x1 <= fig_box.x1 for b in labels), "a label runs off the figure"


def test_when_the_grid_dates_nothing_then_the_timeline_has_no_empty_upper_half():
    deadlines = figures.legal_deadlines(dt.date(2020, 12, 31))
    empty = figures.milestones_timeline([], "Caen la Mer", deadlines=deadlines)
    busy = figures.milestones_timeline(BUSY, "Caen la Mer", deadlines=deadlines)
    low, high = empty.axes[0].get_ylim()
    assert high < 0.25 * (high - low), "space reserved above the line for milestones the grid does not date"
    assert empty.get_figheight() < busy.get_figheight()


@pytest.mark.parametrize(
    ("day", "cotation", "flux"),
    [
        (dt.date(2020, 12, 31), "1er septembre 2021", "24 novembre 2021"),  # the 2020 edition
        (dt.date(2021, 12, 31), "31 décembre 2021", "24 novembre 2021"),  # décret 2021-1016
        (dt.date(2022, 12, 31), "31 décembre 2023", "24 novembre 2023"),  # loi 3DS
    ],
)
def test_when_timeline_is_drawn_at_a_reference_date_then_it_shows_the_deadlines_then_in_force(day, cotation, flux):
    deadlines = figures.legal_deadlines(day)
    assert sorted(label for _, label in deadlines) == [
        f"Cotation : échéance légale ({cotation})",
        f"Gestion en flux : échéance légale ({flux})",
    ]
    fig = figures.milestones_timeline([], "Caen la Mer", deadlines=deadlines)
    labels = " ".join(texts(fig)).replace("\n", " ")
    assert cotation in labels and flux in labels


def test_when_sites_chart_then_sorted_dots_common_target_line_and_ns_site():
    t = pd.concat(
        [
            table(("q1_outside_qpv", "", 27.5, {"target": 25, "met": True}), site="caen"),
            table(("q1_outside_qpv", "", 12.1, {"target": 25, "met": False}), site="montpellier"),
            table(("q1_outside_qpv", "", NA, {"target": 25}), site="angouleme"),
            table(("q1_outside_qpv", "", 18.4, {"target": 25, "met": False}), site="lorient"),
        ]
    )
    labels = {"caen": "Caen la Mer", "montpellier": "Montpellier", "angouleme": "GrandAngoulême", "lorient": "Lorient"}
    fig = figures.sites_indicator_chart(t, "q1_outside_qpv", labels)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["GrandAngoulême", "Montpellier", "Lorient", "Caen la Mer"]
    assert len([line for line in ax.lines if line.get_marker() == "o"]) == 3
    assert len(gids(fig, "target")) == 1
    assert len(gids(fig, "ns")) == 1
    assert "1\u00a0site sur 3 atteint l'objectif" in fig.get_suptitle().replace("\n", " ")


def test_when_no_rows_then_charts_say_data_unavailable():
    empty = table()
    for chart in (figures.targets_chart, figures.pressure_delay_chart, figures.flux_chart, figures.cotation_chart):
        assert "Données non disponibles" in texts(chart(empty))


def test_when_charts_drawn_then_pyplot_and_rcparams_untouched(site_with_gaps):
    before = dict(mpl.rcParams)
    figures.targets_chart(site_with_gaps)
    assert plt.get_fignums() == []
    assert dict(mpl.rcParams) == before


def test_smoke_every_chart_writes_a_png_no_wider_than_the_page(site_with_gaps, tmp_path: Path):
    """Saved with bbox_inches="tight" (as the reports are), nothing may widen a chart past its 16 cm:
    a wider image is shrunk to the text width, and every label with it."""
    from cohorte.report.display import FIGURE_DPI

    charts = {
        "targets": figures.targets_chart(site_with_gaps),
        "priority": figures.priority_by_reservataire_chart(site_with_gaps),
        "pressure": figures.pressure_delay_chart(site_with_gaps),
        "flux": figures.flux_chart(site_with_gaps),
        "cotation": figures.cotation_chart(site_with_gaps),
        "timeline": figures.milestones_timeline(
            [(2018, "CIL installée")], "Caen la Mer", deadlines=[(dt.date(2023, 12, 31), "Cotation")]
        ),
        "sites": figures.sites_indicator_chart(site_with_gaps, "pressure", {}),
    }
    for name, fig in charts.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=FIGURE_DPI, bbox_inches="tight")
        with Image.open(path) as image:
            assert image.width <= 1.02 * fig.get_figwidth() * FIGURE_DPI, f"{name}: wider than the page"
        assert path.stat().st_size > 5_000, name


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_when_targets_chart_then_its_alt_text_states_each_rate_and_target(site_with_gaps):
    fig = figures.targets_chart(site_with_gaps, site_name="Lorient")
    alt = _plain(fig.cohorte_alt)
    assert alt.startswith("2 objectifs d'attribution atteints sur 4. Lorient : ")
    assert "1er quartile hors QPV : 18,4 %, objectif 25 %" in alt
    assert "publics prioritaires, " in alt
    assert "État — fonctionnaires : n.s. ;" in alt  # the suppressed contingent is said, not drawn
    assert "État — publics prioritaires : 74,0 % ;" in alt  # the préfectoral contingent carries no target


def test_when_sites_chart_then_its_alt_text_lists_every_site_from_highest(site_with_gaps):
    t = pd.concat(
        [
            table(("q1_outside_qpv", "", 27.5, {"target": 25, "met": True}), site="caen"),
            table(("q1_outside_qpv", "", 12.3, {"target": 25, "met": False}), site="lorient"),
        ]
    )
    fig = figures.sites_indicator_chart(t, "q1_outside_qpv", {"caen": "Caen la Mer", "lorient": "Lorient"})
    alt = _plain(fig.cohorte_alt)
    assert alt.index("Caen la Mer : 27,5 %") < alt.index("Lorient : 12,3 % (objectif 25 %)")


def test_when_chart_shown_then_its_finding_is_the_alt_and_the_given_alt_the_caption(site_with_gaps, monkeypatch):
    from cohorte.report import display as display_module

    shown = []
    monkeypatch.setattr(display_module, "display", lambda bundle, **kw: shown.append((bundle, kw)))
    display_module.show_figure(
        figures.targets_chart(site_with_gaps, site_name="Lorient"), alt="Taux atteints et objectifs"
    )
    info = shown[0][1]["metadata"]["cohorte"]
    assert info["caption"] == "Taux atteints et objectifs"
    assert _plain(info["alt"]).startswith("2 objectifs d'attribution atteints sur 4")


def test_when_a_typology_is_missing_from_one_panel_then_it_says_ns_and_months_share_one_scale():
    t = table(
        ("median_delay_months", "", 14),
        ("median_delay_months", "T1", 8),
        ("median_delay_months", "T2", 12),
        ("median_seniority_months", "", 20),
        ("median_seniority_months", "C", 30),
        ("median_seniority_months", "T1", 18),
        ("median_seniority_months", "T2", 22),
        ("pressure", "", 6.2),
    )
    fig = figures.pressure_delay_chart(t)
    delay, seniority = fig.axes
    assert [t.get_text() for t in delay.get_yticklabels()] == ["Chambre", "T1", "T2"]
    assert [t.get_text() for t in gids(fig, "ns")] == ["n.s."]  # no empty « Chambre » row in the delay panel
    assert delay.get_xlim() == seniority.get_xlim()
    title = fig.get_suptitle().replace("\n", " ").replace("\u00a0", " ")
    assert "6,2" not in title and "demandes actives" not in title  # the pressure is not drawn
    assert title.startswith("Délai médian d'attribution")


def test_when_stock_accessibility_chart_then_ceilings_are_labelled_and_supply_faces_q1_demand():
    t = table(
        ("q1_affordable_stock_share", "", 41.0),
        ("q1_affordable_stock_share", "T1", 62.0),
        ("q1_affordable_stock_share", "T2", 48.0),
        ("q1_affordable_stock_share", "T5", NA),
        ("small_typology_supply_share", "", 21.0),
        ("q1_small_typology_demand_share", "", 44.0),
    )
    fig = figures.stock_accessibility_chart(t, {"T1": 280, "T2": 340, "T5": 490})
    left, right = fig.axes
    assert len(bars(left)) == 2 and len(gids(fig, "ns")) == 1
    ticks = [t.get_text().replace("\u00a0", " ").replace("\u202f", " ") for t in left.get_yticklabels()]
    assert ticks == ["T1 (≤ 280 €)", "T2 (≤ 340 €)", "T5 (≤ 490 €)"]
    assert len(bars(right)) == 2
    assert "41,0" in fig.get_suptitle()


def test_when_a_national_reference_is_given_then_the_sites_chart_draws_it_with_its_year_and_source():
    from cohorte.reference.national import latest_reference

    t = pd.concat(
        [
            table(("q1_outside_qpv", "", 18.0, {"target": 25, "met": False}), site="a"),
            table(("q1_outside_qpv", "", 27.0, {"target": 25, "met": True}), site="b"),
        ]
    )
    fig = figures.sites_indicator_chart(
        t, "q1_outside_qpv", {"a": "A", "b": "B"}, reference=latest_reference("q1_outside_qpv", 2020)
    )
    assert len(gids(fig, "national")) == 1
    assert any("France 2019" in text for text in texts(fig))
    assert (
        "Référence nationale 2019 : ANCOLS, Rapport annuel d'activité 2019, 2020, p. 26"
        in fig.get_supxlabel().replace("\n", " ")
    )


def test_when_figures_are_fictitious_then_a_chart_headline_is_an_illustration_not_a_finding(site_with_gaps):
    from cohorte.report.figures.style import illustrate

    real = figures.targets_chart(site_with_gaps).get_suptitle()
    illustrate("Illustration sur données fictives")
    demo = figures.targets_chart(site_with_gaps)
    assert demo.get_suptitle().replace("\n", " ").startswith("Illustration sur données fictives — ")
    assert demo.cohorte_alt.startswith("Illustration sur données fictives — ")
    assert not real.startswith("Illustration")
    # the timeline draws the observations (real), not figures: no illustration lead
    timeline = figures.milestones_timeline([(2016, "CIL installée")], "Lorient Agglomération", deadlines=[])
    assert timeline.get_suptitle().startswith("Lorient Agglomération")
