"""The fiche's national positions and the national synthesis' counts, on tiny frames."""

from __future__ import annotations

import pandas as pd

from cohorte.editions import load_edition
from cohorte.indicators.national import sites_frame
from cohorte.report import fiche, national
from cohorte.report.text import texts


def _national() -> pd.DataFrame:
    rows = [
        ("a", "q1_outside_qpv", 30.0, 25.0, True),
        ("b", "q1_outside_qpv", 20.0, 25.0, False),
        ("c", "q1_outside_qpv", None, 25.0, None),
        ("d", "q1_outside_qpv", 26.0, 25.0, True),
    ]
    frame = pd.DataFrame(rows, columns=["site", "indicator", "value", "target", "met"])
    frame["met"] = frame["met"].astype("boolean")
    return frame.assign(numerator=None, denominator=None, suppressed=frame["value"].isna())


def _edition():
    base = load_edition(2020)
    sites = [
        base.sites[i].model_copy(update={"slug": s, "short_name": s.upper(), "epci_type": t})
        for i, (s, t) in enumerate([("a", "CA"), ("b", "CC"), ("c", "CC"), ("d", "METRO")])
    ]
    return base.model_copy(update={"sites": sites, "kind": "national"})


def test_when_a_figure_is_suppressed_then_the_epci_is_left_out_of_ranks_and_counts():
    edition = _edition()
    site_table = pd.DataFrame(
        {
            "site": "b",
            "indicator": ["q1_outside_qpv"],
            "breakdown": [""],
            "value": [20.0],
            "target": [25.0],
            "met": pd.array([False], "boolean"),
            "denominator": [40.0],
            "suppressed": [False],
        }
    )
    ctx = fiche.FicheContext(edition, edition.site("b"), site_table, _national(), True, texts())
    assert fiche.position(ctx, "q1_outside_qpv") == (3, 3, 26.0)
    assert fiche.reaching(ctx.national, "q1_outside_qpv") == (2, 3)
    table = fiche.indicator_table(ctx, ("q1_outside_qpv",))
    assert table.iloc[0].to_dict() == {
        "Indicateur": "Attributions hors QPV au 1er quartile",
        "Valeur": "20,0\u00a0%",
        "Objectif": "25\u00a0%",
        "Atteinte": "non atteint",
        "Médiane nationale": "26,0\u00a0%",
        "Rang": "3e sur 3",
    }


def test_national_counts_targets_by_type_and_names_top_and_bottom():
    edition = _edition()
    ctx = national.NationalContext(edition, sites_frame(edition), _national(), True)
    by_type = national.targets_reached(ctx, "epci_type")
    q1 = by_type[by_type["indicator"] == "Attributions hors QPV au 1er quartile"].set_index("group")
    assert q1.loc["Communauté de communes", ["epci", "published", "reached"]].tolist() == [2, 1, 0]
    assert q1.loc["Métropole", "reached"] == 1
    top = national.top_bottom(ctx, "q1_outside_qpv", count=1)
    assert top["EPCI"].tolist() == ["A", "B"]
    csv = national.epci_table(ctx).set_index("site")
    assert pd.isna(csv.loc["c", "q1_outside_qpv"]) and pd.isna(csv.loc["c", "q1_outside_qpv_met"])


def _threshold_fiche(edition_name: str, slug: str, estimated: bool) -> str:
    edition = load_edition(edition_name)
    table = pd.DataFrame(
        {
            "site": slug,
            "indicator": ["q1_threshold"],
            "breakdown": [""],
            "value": [11615.0],
            "target": [None],
            "met": pd.array([pd.NA], "boolean"),
            "estimated": [estimated],
            "suppressed": [False],
        }
    )
    ctx = fiche.FicheContext(edition, edition.site(slug), table, _national(), True, texts(edition.edition))
    return fiche.section_markdown(ctx, "targets").replace("\u00a0", " ").replace("\u202f", " ")


def test_when_the_arrete_lists_paris_then_its_fiche_names_the_official_threshold_and_the_arrete():
    text = _threshold_fiche("national-2024", "paris", estimated=False)
    assert (
        "Le seuil du premier quartile retenu pour l'EPCI est de 11 615 € par unité de consommation et par an : "
        "seuil officiel (arrêté du 13 mai 2024, Journal officiel du 11 juin 2024)." in text
    )
    identity = fiche.section_markdown(
        fiche.FicheContext(
            load_edition("national-2024"),
            load_edition("national-2024").site("plaine-commune"),
            pd.DataFrame(),
            _national(),
            True,
            texts(),
        ),
        "identity",
    ).replace("\u00a0", " ")
    assert "l'un des 425 territoires soumis à l'objectif d'attributions au premier quartile" in identity
    assert "tels que les liste l'arrêté du 13" in identity and "9 communes" in identity


def test_when_the_year_has_no_arrete_then_the_fiche_names_the_estimate_and_says_no_official_threshold_is_shipped():
    slug = load_edition("national-2020").sites[0].slug
    text = _threshold_fiche("national-2020", slug, estimated=True)
    assert (
        ": estimation (25e centile des ressources par unité de consommation des demandes actives) ; "
        "le kit ne fournit pas de seuil officiel pour 2020." in text
    )
    assert "officiel (arrêté" not in text


def test_when_the_edition_takes_the_arretes_list_then_the_synthesis_headline_says_so_not_the_plh_rule():
    decree_edition = load_edition("national-2024")
    sites = [
        decree_edition.site(slug).model_copy(update={"slug": new})
        for slug, new in (
            ("paris", "a"),
            ("plaine-commune", "b"),
            ("ca-de-blois-agglopolys", "c"),
            ("cc-faucigny-glieres", "d"),
        )
    ]
    edition = decree_edition.model_copy(update={"sites": sites})
    ctx = national.NationalContext(edition, sites_frame(edition), _national(), True)
    text = national.headline_markdown(ctx).replace("\u00a0", " ").replace("\u202f", " ")
    assert text.startswith(
        "L'édition couvre 4 territoires soumis à l'objectif d'attributions au premier quartile, tels que les liste "
        "l'arrêté du 13 mai 2024, soit 2 "
    )
    assert "2 sur 3 pour l'objectif « attributions hors qpv au 1er quartile »" in text
    rule = national.NationalContext(_edition(), sites_frame(_edition()), _national(), True)
    assert "EPCI tenus d'adopter un programme local de l'habitat" in national.headline_markdown(rule)
