"""Maps: drawn from the shipped contours, suppressed figures hatched, alt text naming the classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from cohorte.editions import Edition, load_edition
from cohorte.indicators.national import sites_frame
from cohorte.reference.contours import departements_layer, epci_layer
from cohorte.report import maps
from cohorte.report.fiche import FicheContext
from cohorte.report.national import NationalContext
from cohorte.report.text import texts

SITES = (  # slug, SIREN, short name, région, département
    ("lorient-agglomeration", "200042174", "Lorient", "Bretagne", "56"),
    ("eurometropole-strasbourg", "246700488", "EMS", "Grand Est", "67"),
    ("grand-avignon", "248400251", "Grand Avignon", "Provence-Alpes-Côte d'Azur", "84"),
    ("caen-la-mer", "200065597", "Caen la Mer", "Normandie", "14"),
)


def edition(kind: str = "cohort") -> Edition:
    sites = [
        {
            "slug": slug,
            "name": name,
            "short_name": name,
            "siren": siren,
            "region": region,
            "departement": dep,
            "communes": 10,
            "population_2017": 100000,
        }
        for slug, siren, name, region, dep in SITES
    ]
    return Edition.model_validate(
        {"edition": 2020, "title": "t", "publisher": "p", "reference_date": "2020-12-31", "sites": sites}
    )


def national(values: dict[str, float | None], indicator: str = "q1_outside_qpv") -> NationalContext:
    """A national context whose EPCI have ``values`` (None: suppressed) for ``indicator``."""
    params = edition()
    rows = [
        {
            "site": slug,
            "indicator": indicator,
            "value": value,
            "numerator": None,
            "denominator": None,
            "target": 25.0,
            "met": None if value is None else value >= 25,
            "suppressed": value is None,
        }
        for slug, value in values.items()
    ]
    table = pd.DataFrame(rows)
    table["met"] = table["met"].astype("boolean")
    return NationalContext(params, sites_frame(params), table, True)


def collections(fig: Figure, gid: str) -> list[PolyCollection]:
    return [c for c in fig.findobj(PolyCollection) if c.get_gid() == gid]


def inside_box(rings: list[np.ndarray], box: tuple[float, float, float, float]) -> bool:
    xmin, ymin, xmax, ymax = box
    points = np.vstack(rings)
    return bool(
        ((points[:, 0] >= xmin) & (points[:, 0] <= xmax) & (points[:, 1] >= ymin) & (points[:, 1] <= ymax)).all()
    )


VALUES = {"lorient-agglomeration": 12.0, "eurometropole-strasbourg": 30.0, "grand-avignon": 20.0, "caen-la-mer": None}
NBSP = "\u00a0"


def test_when_a_national_map_is_drawn_then_a_known_epci_lands_in_its_departement_box() -> None:
    fig, classified, _ = maps.indicator_map(national(VALUES), "q1_outside_qpv", texts())
    lowest = collections(fig, "class-0")
    assert classified.classes[0].codes == ("200042174",)
    rings = [path.vertices for path in lowest[0].get_paths()]
    assert inside_box(rings, departements_layer(2020).bounds_of("56"))
    assert not inside_box(rings, departements_layer(2020).bounds_of("67"))
    outside = collections(fig, "outside")[0]
    assert len(outside.get_paths()) > 1200  # the vintage's other EPCI, light grey


def test_when_a_figure_is_suppressed_then_its_epci_is_hatched_and_named_in_the_legend() -> None:
    fig, classified, _ = maps.indicator_map(national(VALUES), "q1_outside_qpv", texts())
    (hatched,) = collections(fig, "ns")
    assert hatched.get_hatch() and classified.suppressed == 1
    assert inside_box([p.vertices for p in hatched.get_paths()], departements_layer(2020).bounds_of("14"))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Non calculable (n.s., secret statistique)" in legend
    assert all(c.get_hatch() is None or c.get_gid() == "ns" for c in fig.findobj(PolyCollection))


def test_when_a_map_is_drawn_then_its_alt_text_names_the_highest_and_lowest_classes() -> None:
    fig, classified, words = maps.indicator_map(national(VALUES), "q1_outside_qpv", texts())
    assert classified.bounds[0].startswith("de 12,0") and classified.bounds[-1].endswith("30,0\u00a0%")
    alt = fig.cohorte_alt  # what show_figure makes the image's alternative text
    assert f"La classe la plus élevée, {classified.bounds[-1]}, compte 1{NBSP}EPCI ;" in alt
    assert f"la plus faible, {classified.bounds[0]}, en compte un." in alt
    assert f"1{NBSP}EPCI sans chiffre publié (secret statistique), hachuré. Les EPCI hors" in alt
    assert "ADMIN EXPRESS COG CARTO 2022" in words["caption"] and "plus proche de 2020" in words["caption"]


def test_when_classes_are_listed_then_the_table_holds_every_epci_and_the_csv_each_value(tmp_path: Path) -> None:
    ctx = national(VALUES)
    _, classified, _ = maps.indicator_map(ctx, "q1_outside_qpv", texts())
    table = maps.class_table(classified, texts())
    assert list(table.columns) == ["Classe", "Nombre d'EPCI"]
    assert sum(int(n) for n in table["Nombre d'EPCI"]) == len(VALUES)
    csv = maps.epci_csv_frame(classified, texts())
    assert csv.set_index("SIREN").loc["200065597", "Classe"] == "Non calculable (n.s., secret statistique)"
    assert csv.set_index("SIREN").loc["246700488", "Valeur"] == 30.0


def test_when_targets_are_mapped_then_reached_not_reached_and_not_computable_are_told_apart() -> None:
    fig, _frame, _words = maps.targets_map(national(VALUES), "q1_outside_qpv", texts())
    epci = epci_layer(2020)
    expected = {"reached": ["246700488"], "not-reached": ["200042174", "248400251"], "ns": ["200065597"]}
    for gid, sirens in expected.items():
        (drawn,) = collections(fig, gid)
        assert len(drawn.get_paths()) == sum(len(epci.polygons_of(s)) for s in sirens)
    assert f"1{NBSP}EPCI atteint l'objectif (en bleu), deux ne l'atteignent pas" in fig.cohorte_alt
    assert "un n'a pas de taux calculable (dont un par secret statistique, hachuré)" in fig.cohorte_alt


def test_when_a_site_is_located_then_its_epci_is_drawn_in_its_region_with_its_departements() -> None:
    params = edition()
    fig, table, _words = maps.locator(params, params.site("lorient-agglomeration"), texts())
    (epci,) = collections(fig, "highlight")
    assert inside_box([p.vertices for p in epci.get_paths()], departements_layer(2020).bounds_of("56"))
    assert "région Bretagne et de ses départements (22, 29, 35 et 56)" in fig.cohorte_alt
    assert table.iloc[0].tolist() == ["Lorient", "200042174", "56", "Bretagne", "2022"]


def test_when_a_site_has_no_siren_then_only_its_table_is_shown() -> None:
    params = edition()
    site = params.site("caen-la-mer").model_copy(update={"siren": None})
    fig, table, _ = maps.locator(params, site, texts())
    assert fig is None and table.iloc[0]["Région"] == "Normandie"


def test_when_the_cohort_is_mapped_then_each_site_is_numbered_with_its_region() -> None:
    params = edition()

    class Context:  # what sites_map_figure reads of a synthesis context
        edition, wording = params, texts()

    fig, table, _words = maps.sites_map_figure(Context())  # type: ignore[arg-type]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0] == "1. Lorient (Bretagne)" and len(legend) == len(SITES)
    assert collections(fig, "regions-represented")
    assert "quatre sites observés, numérotés : Lorient, EMS, Grand Avignon et Caen la Mer" in fig.cohorte_alt
    assert table["Région"].tolist() == [s[3] for s in SITES]


def test_when_a_fiche_is_placed_on_the_national_map_then_its_epci_is_outlined_and_its_class_named() -> None:
    ctx = national(VALUES)
    site = ctx.edition.site("lorient-agglomeration")
    fig, classified, _ = maps.position_map(FicheContext(ctx.edition, site, pd.DataFrame(), ctx.table, True, texts()))
    (outline,) = collections(fig, "highlight")
    assert inside_box([p.vertices for p in outline.get_paths()], departements_layer(2020).bounds_of("56"))
    assert f"Lorient est entouré de noir, dans la classe {classified.bounds[0]}." in fig.cohorte_alt
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][-1] == "Lorient"


def test_when_an_edition_breaks_a_map_template_or_label_then_check_names_the_file(kit_home: Path) -> None:
    folder = kit_home / "params/2020/text/maps"
    folder.mkdir(parents=True)
    (folder / "labels.yml").write_text("insets: {}\nlegend: {}\ncolumns: {}\n", encoding="utf-8")
    (folder / "sites.md").write_text("{{ unknown_field }}\n", encoding="utf-8")
    params = load_edition(2020)
    problems = maps.check_map_texts(params, texts(params.edition))
    assert any(p.startswith("maps/sites.md:") and "unknown_field" in p for p in problems)
    assert "maps/labels.yml: no legend.ns" in problems and "maps/labels.yml: no insets.971" in problems


def test_when_no_figure_is_published_then_the_map_hatches_them_all_and_says_so() -> None:
    fig, classified, _ = maps.indicator_map(national(dict.fromkeys(VALUES)), "q1_outside_qpv", texts())
    assert classified.bounds == () and classified.suppressed == len(VALUES)
    assert len(collections(fig, "ns")[0].get_paths()) >= len(VALUES)
    assert (
        "Aucun chiffre n'est publié. 4\u00a0EPCI sans chiffre publié (secret statistique), hachurés." in fig.cohorte_alt
    )


def test_when_a_unit_has_no_contour_then_its_locator_says_it_is_off_the_map_rather_than_drawn() -> None:
    from cohorte.editions import load_edition
    from cohorte.report.maps import locator

    edition = load_edition("national-2024")
    fig, _, words = locator(edition, edition.site("plaine-commune"))  # an EPT: the EPCI contours have none
    assert fig is None
    assert words["table"] == (
        "Situation de l'EPCI (hors carte : le fond de carte 2025 n'a pas de contour pour le SIREN 200057867)"
    )
    drawn, _, words = locator(edition, edition.site("ca-de-blois-agglopolys"))
    assert drawn is not None and "hors carte" not in words["table"]
