"""The synthesis façade: key-figure files read, counted and written; its sentences on tiny published tables."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cohorte import config
from cohorte.editions import load_edition
from cohorte.grids import load_grids
from cohorte.report import synthesis
from cohorte.report.placeholders import Placeholders
from cohorte.report.text import flowed, texts
from published_tables import published


def write_figures(folder: Path, slug: str, rows: list[dict], demo: bool = True) -> None:
    path = folder / slug / config.KEY_FIGURES_FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"site": {"slug": slug}, "demo_data": demo, "indicators": rows}), encoding="utf-8")


def row(slug: str, indicator: str, value: float | None, target: float | None = None, met: bool | None = None) -> dict:
    return {"site": slug, "indicator": indicator, "breakdown": None, "value": value, "target": target, "met": met}


@pytest.fixture
def ctx(kit_home: Path, tmp_path: Path) -> synthesis.SynthesisContext:
    sites = tmp_path / "sites"
    write_figures(sites, "mel", [row("mel", "q1_outside_qpv", 27.0, 25.0, True), row("mel", "pressure", 6.6)])
    write_figures(
        sites,
        "carene",
        [row("carene", "q1_outside_qpv", 12.0, 25.0, False), row("carene", "pressure", None)],
        demo=False,
    )
    write_figures(sites, "agglopolys", [row("agglopolys", "q1_outside_qpv", None, 25.0, None)], demo=False)
    return synthesis.load_synthesis(2020, sites)


def test_when_some_sites_have_no_key_figures_then_they_are_listed_as_missing(ctx: synthesis.SynthesisContext) -> None:
    assert sorted(set(ctx.indicators["site"])) == ["agglopolys", "carene", "mel"]
    assert len(ctx.missing) == 9 and "mel" not in ctx.missing
    assert ctx.is_demo is True, "one site on demo data makes the synthesis a demo"
    assert "manquent" in synthesis.missing_markdown(ctx)


def test_met_counts_only_the_sites_where_the_target_is_measurable(ctx: synthesis.SynthesisContext) -> None:
    assert ctx.places.met("q1_outside_qpv") == 1
    assert ctx.places.measured("q1_outside_qpv") == 2, "agglopolys has no value: not measurable"


def test_indicators_table_shows_ns_where_a_site_figure_is_suppressed(ctx: synthesis.SynthesisContext) -> None:
    table = synthesis.indicators_table_fr(ctx, ["pressure"])
    shown = dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    assert shown[ctx.name("mel")] == "6,6" and shown[ctx.name("carene")] == "n.s."


def test_write_tables_writes_the_three_synthesis_tables_under_tables(
    ctx: synthesis.SynthesisContext, tmp_path: Path
) -> None:
    written = synthesis.write_tables(ctx, tmp_path / "out")
    assert list(written) == list(config.SYNTHESIS_TABLES)
    assert all(p.parent == tmp_path / "out" / "tables" for p in written.values())
    indicators = pd.read_csv(written["indicators.csv"])
    assert list(indicators.columns) == [*synthesis.PUBLISHED_COLUMNS, "demo_data"] and len(indicators) == 5
    assert len(pd.read_csv(written["sites.csv"])) == 12


def test_status_table_counts_every_site_from_the_grids(ctx: synthesis.SynthesisContext) -> None:
    table = synthesis.status_table(ctx, "governance.cia.status")
    assert table["Sites"].sum() == 12
    assert set(table["Situation"]) <= {"adopté", "en cours", "aucun", "non documenté"}


def context(table: pd.DataFrame, *, is_demo: bool) -> synthesis.SynthesisContext:
    edition, grids, wording = load_edition(2020), load_grids(2020), texts(2020)
    places = Placeholders(edition, grids, wording, table, {}, is_demo=is_demo)
    return synthesis.SynthesisContext(edition, grids, table, [], is_demo, wording, places)


def render(ctx: synthesis.SynthesisContext, name: str) -> str:
    extra = synthesis.text_extra(ctx)
    return (
        flowed(ctx.wording.render(name, **ctx.places.context(), **extra)).replace("\u00a0", " ").replace("\u202f", " ")
    )


@pytest.fixture
def table() -> pd.DataFrame:
    return published(
        ("mel", "q1_outside_qpv", "", 26.0, 25.0, True),
        ("lorient-agglomeration", "q1_outside_qpv", "", 18.0, 25.0, False),
        ("mel", "priority_publics", "PPRIOR", 90.0, None, None),  # no target: never counted
        ("mel", "priority_publics", "PFONCT", 3.0, None, None),
        ("mel", "priority_publics", "COLTER", 30.0, 25.0, True),
        ("mel", "priority_publics", "AUCUN", 26.0, 25.0, True),
        ("lorient-agglomeration", "priority_publics", "COLACT", 12.0, 25.0, False),
        ("lorient-agglomeration", "priority_publics", "AUCUN", 40.0, 25.0, True),
    )


def test_when_counting_priority_targets_then_only_contingents_with_the_25_pct_target_count(table):
    found = context(table, is_demo=False).places.priority_met()
    assert (found.met, found.measured, found.all_met) == (3, 4, ["MEL"])
    assert found.untargeted == ["PPRIOR", "PFONCT", "AUTRES"], "other réservataires carry no 25 % target"


def test_when_figures_are_demo_data_then_site_names_with_figures_say_they_are_fictitious(table):
    demo, real = context(table, is_demo=True), context(table, is_demo=False)
    text = render(demo, "synthesis/_attribution_figures.md")
    assert (
        "Attributions hors QPV au premier quartile : l'objectif est atteint sur 1 des 2 sites où il est "
        "mesurable (chiffres fictifs, calculés sur des données de démonstration)."
    ) in text
    assert (
        "Publics prioritaires : l'objectif est atteint pour 3 des 4 contingents qui y sont soumis et où il est "
        "mesurable (les collectivités, Action Logement et le parc non réservé des "
        "bailleurs ; le contingent préfectoral, destiné aux publics prioritaires, celui des agents de l'État "
        "et celui des autres réservataires n'ont pas d'objectif) ; il l'est pour tous les contingents sur 1 site (MEL) (chiffres fictifs"
    ) in text
    assert "fictifs" not in render(real, "synthesis/_attribution_figures.md")
    assert demo.labels["mel"] == "MEL (fictif)" and real.labels["mel"] == "MEL"
    assert all(c.endswith("(fictif)") for c in synthesis.indicators_table_fr(demo, ["q1_outside_qpv"]).columns[1:])
    assert synthesis.indicators_frame(demo)["demo_data"].all()
    assert not synthesis.indicators_frame(real)["demo_data"].any()


def test_when_the_synthesis_shows_the_q1_figures_then_the_national_reference_follows_with_its_source(table):
    text = render(context(table, is_demo=False), "synthesis/_attribution_figures.md")
    assert (
        "Au niveau national, 15,5 % des attributions hors QPV sont allées à des ménages du premier quartile en 2019"
        in text
    )
    assert "ANCOLS" in text


def test_when_the_2020_synthesis_states_deadlines_then_they_are_those_of_2021_and_ems_is_named(table):
    text = render(context(table, is_demo=False), "synthesis/40-cotation-et-flux.md")
    assert "1er septembre 2021" in text and "24 novembre 2021" in text and "2023" not in text
    assert "Un système de cotation fonctionne déjà sur 1 site (EMS)." in text
    assert "plafonnée à 30 % du patrimoine de chaque bailleur, dont 5 % pour ses agents" in text


def test_when_the_edition_names_its_cohort_then_the_title_block_says_it(table):
    text = render(context(table, is_demo=False), "synthesis/_title.md")
    assert "Observatoire conduit par l'Union sociale pour l'habitat depuis 2017" in text


def test_when_the_source_states_a_total_without_naming_every_site_then_the_table_carries_that_total(ctx):
    table = synthesis.status_table(ctx, "demand_service.demand_register", "Enregistrement")
    rows = {r["Enregistrement"]: (r["Sites"], r["Lesquels"]) for _, r in table.iterrows()}
    assert rows["SNE"][0] == 4, "stated.yml: « Sur les 4 sites utilisant le SNE »"
    assert "CDEA et Montpellier, et deux autres sites que la source ne nomme pas" in rows["SNE"][1]
    assert rows["non documenté"][0] == 1 and "sans qu'elle dise lesquels" in rows["non documenté"][1]
    assert table["Sites"].sum() == 12


def test_when_the_source_speaks_of_most_sites_then_the_documents_table_says_so_beside_the_counts(ctx):
    table = synthesis.documents_table(ctx).set_index("Document")
    assert table.loc["Document-cadre", "Ce qu'en dit la source"] == "La plupart des sites selon la source"
    assert table.loc["CIA", "Ce qu'en dit la source"].endswith("(site nommé : Caen la Mer)")
    assert table.loc["PPGDID", "Ce qu'en dit la source"] == "—"


def test_when_the_cohort_is_summed_up_then_each_site_has_a_dated_step_per_measure(ctx):
    matrix = synthesis.status_matrix(ctx).set_index("Site")
    assert list(matrix.columns) == [
        "CIL",
        "Document-cadre",
        "CIA",
        "PPGDID",
        "Lieu commun du SAID",
        "Cotation",
        "Flux (position de l'EPCI)",
    ]
    assert matrix.loc["EMS", "Cotation"] == "opérationnelle (2017)"
    assert matrix.loc["Clermont", "Cotation"] == "non documenté", "the seed places Clermont at no stage"
    assert set(matrix["CIL"]) == {"installée"}, "stated.yml: a CIL on all 12 sites, years not given"


def test_when_a_deadline_has_passed_at_the_reference_date_then_the_calendar_says_which_sites_met_it():
    ctx2021 = synthesis.load_synthesis(2021)
    box = synthesis.legal_calendar_markdown(ctx2021).replace("\u00a0", " ")
    assert "au plus tard le 31 décembre 2021" in box and "désormais échue. Elle est tenue sur 2 sites" in box
    assert "fixée du 19 décembre 2019 au 31 juillet 2021, puis modifiée" in box
    assert "2023" not in box, "the loi 3DS came after the edition"


def test_when_the_2020_edition_lists_its_texts_then_nothing_published_after_it_appears(ctx):
    from cohorte.report import authored

    text = synthesis.bibliography_markdown(ctx)
    assert (
        "Loi n° 2018-1021 du 23 novembre 2018" in text and "ANCOLS, Rapport annuel d'activité 2019, 2020, p. 26" in text
    )
    assert "2022-217" not in text and "2021-1016" not in text
    glossary = authored.glossary_markdown(ctx.places)
    assert "**ELAN**" in glossary and "3DS" not in glossary


def test_when_a_demonstration_edition_invents_its_observations_then_nothing_claims_real_interviews():
    from cohorte.report.display import demo_notice_markdown

    notice = demo_notice_markdown(texts(2021)).replace("\u00a0", " ")
    assert "aucun entretien n'a été conduit" in notice and "issues des entretiens" not in notice
    assert "issues des entretiens" in demo_notice_markdown(texts(2020))
    ctx2021 = synthesis.load_synthesis(2021)
    places = ctx2021.places.context()
    assert places["one_per_region"] is False, "2021: Bretagne twice, Centre-Val de Loire left"
    table = synthesis.sites_table_fr(ctx2021).set_index("EPCI")
    assert table.loc["Territoire de démonstration (EPCI fictif)", "Population 2017"].endswith("(fictif)")
    total = table.loc["Ensemble", "Population 2017"].replace("\u00a0", " ")
    assert total == f"{sum(s.population_2017 for s in ctx2021.edition.sites if not s.fictitious):,}".replace(",", " ")
