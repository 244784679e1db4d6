"""Computed French sentences, one site's published indicator rows at a time.

Expected sentences are exact; ``~`` stands for the no-break space U+00A0.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from cohorte.report import narrative
from cohorte.report.formatting import NBSP
from published_tables import published

NA = np.nan


def nb(text: str) -> str:
    return text.replace("~", NBSP)


table = partial(published, columns=("indicator", "breakdown", "value"), site="lorient-agglomeration")


# --- Q1 outside QPV ----------------------------------------------------------------------------


def test_when_q1_below_target_then_sentence_gives_rate_and_target():
    t = table(("q1_outside_qpv", "", 18.44, {"target": 25, "met": False}))
    assert narrative.q1_sentence(t) == nb(
        "18,4~% des attributions hors QPV sont allées à des ménages du premier quartile, pour un objectif de 25~%."
    )


def test_when_q1_target_met_then_sentence_says_so():
    t = table(("q1_outside_qpv", "", 27.96, {"target": 25, "met": True}))
    assert narrative.q1_sentence(t) == nb(
        "28,0~% des attributions hors QPV sont allées à des ménages du premier quartile : l'objectif de 25~% est atteint."
    )


def test_when_met_is_na_then_it_is_judged_from_value_and_target():
    t = table(("q1_outside_qpv", "", 25.0, {"target": 25}))
    assert narrative.q1_sentence(t).endswith(nb("l'objectif de 25~% est atteint."))


def test_when_site_has_no_qpv_then_q1_is_over_all_attributions_and_non_q1_does_not_apply():
    t = table(
        ("q1_outside_qpv", "", 21.3, {"target": 25, "met": False}),
        ("attributions_in_qpv", "", 0),
        ("non_q1_in_qpv", "", NA, {"denominator": 0, "suppressed": False}),
    )
    assert narrative.q1_sentence(t) == nb(
        "Le territoire ne comptant pas de QPV, l'objectif porte sur l'ensemble des attributions : "
        "21,3~% sont allées à des ménages du premier quartile, pour un objectif de 25~%."
    )
    assert narrative.non_q1_sentence(t) == (
        "Le territoire ne comptant pas de QPV, l'objectif d'attributions en QPV aux ménages des autres "
        "quartiles ne s'applique pas."
    )


def test_when_q1_suppressed_then_sentence_says_ns_without_a_number():
    t = table(("q1_outside_qpv", "", NA, {"target": 25}))
    assert narrative.q1_sentence(t) == (
        "La part des attributions hors QPV allant à des ménages du premier quartile n'est pas diffusée (n.s.), "
        "au titre du secret statistique."
    )


def test_when_q1_missing_then_sentence_says_not_available():
    assert narrative.q1_sentence(table(("pressure", "", 7.1))) == (
        "La part des attributions hors QPV allant à des ménages du premier quartile n'est pas disponible."
    )


def test_when_non_q1_in_qpv_met_then_sentence_names_quartiles_two_to_four():
    t = table(("non_q1_in_qpv", "", 72.5, {"target": 67, "met": True, "denominator": 400}))
    assert narrative.non_q1_sentence(t) == nb(
        "72,5~% des attributions en QPV sont allées à des ménages des deuxième, troisième et quatrième "
        "quartiles : l'objectif de 67~% est atteint."
    )


# --- priority publics --------------------------------------------------------------------------


def test_when_some_contingents_reach_25_then_sentence_splits_them_and_names_ns_ones():
    t = table(
        ("priority_publics", "COLACT", 31.2, {"target": 25}),
        ("priority_publics", "COLTER", 18.0, {"target": 25}),
        ("priority_publics", "AUCUN", 26.0, {"target": 25}),
        ("priority_publics", "AUTRES", 12.3),
        ("priority_publics", "PFONCT", NA),
    )
    assert narrative.priority_sentence(t) == nb(
        "L'objectif de 25~% d'attributions aux publics prioritaires est atteint pour Action Logement (31,2~%) "
        "et le parc non réservé des bailleurs (26,0~%), mais pas pour les collectivités (18,0~%). "
        "Les autres réservataires ne portent pas d'objectif légal de publics prioritaires ; ils leur ont consacré "
        "12,3~% de leurs attributions. La part n'est pas diffusée (n.s.) pour le contingent des agents de l'État."
    )


def test_when_no_contingent_reaches_target_then_sentence_says_none():
    t = table(
        ("priority_publics", "COLTER", 18.0, {"target": 25}), ("priority_publics", "COLACT", 20.0, {"target": 25})
    )
    assert narrative.priority_sentence(t) == nb(
        "L'objectif de 25~% d'attributions aux publics prioritaires n'est atteint pour aucun des contingents qui y "
        "sont soumis : "
        "les collectivités (18,0~%) et Action Logement (20,0~%)."
    )


def test_when_targets_differ_then_each_contingent_shows_its_own():
    t = table(
        ("priority_publics", "COLTER", 32.0, {"target": 30}), ("priority_publics", "COLACT", 26.0, {"target": 25})
    )
    assert narrative.priority_sentence(t) == nb(
        "L'objectif d'attributions aux publics prioritaires est atteint pour tous les contingents qui y sont soumis : "
        "les collectivités (32,0~% pour un objectif de 30~%) et Action Logement (26,0~% pour un objectif de 25~%)."
    )


def test_when_state_contingents_are_shown_then_they_carry_no_25_pct_target():
    t = table(
        ("priority_publics", "PPRIOR", 81.0),
        ("priority_publics", "PFONCT", 6.0),
        ("priority_publics", "COLTER", 26.0, {"target": 25}),
    )
    text = narrative.priority_sentence(t)
    assert text == nb(
        "L'objectif de 25~% d'attributions aux publics prioritaires est atteint pour tous les contingents qui y sont "
        "soumis : les collectivités (26,0~%). Le contingent préfectoral, destiné en totalité aux publics prioritaires, "
        "leur a consacré 81,0~% de ses attributions. Le contingent des agents de l'État ne porte pas d'objectif de "
        "publics prioritaires (6,0~%)."
    )


def test_when_priority_rows_missing_then_not_available():
    assert narrative.priority_sentence(table(("pressure", "", 7.1))) == (
        "Les parts d'attributions aux publics prioritaires par réservataire ne sont pas disponibles."
    )


# --- demand ------------------------------------------------------------------------------------


def test_when_pressure_and_counts_published_then_full_pressure_sentence():
    t = table(
        ("active_demands", "", 25012),
        ("attributions", "", 3543),
        ("pressure", "", 7.06),
        ("pressure_excl_mutations", "", 5.93),
        ("mutation_share", "", 34.2),
    )
    assert narrative.pressure_sentence(t) == nb(
        "Avec 25~012~demandes actives pour 3~543~attributions dans l'année, la pression s'établit à 7,1 demandes "
        "actives pour une attribution (5,9 hors mutations, c'est-à-dire sans les demandes ni les attributions de ménages "
        "déjà locataires du parc social). Les demandes de mutation représentent "
        "34,2~% des demandes actives."
    )


def test_when_only_pressure_then_short_sentence():
    assert narrative.pressure_sentence(table(("pressure", "", 1.46))) == (
        "La pression s'établit à 1,5 demande active pour une attribution."
    )


def test_when_pressure_missing_then_not_available():
    assert (
        narrative.pressure_sentence(table())
        == "Le nombre de demandes actives pour une attribution n'est pas disponible."
    )


def test_when_delays_by_typology_then_sentence_gives_the_range():
    t = table(
        ("median_delay_months", "", 14),
        ("median_delay_months", "T1", 8),
        ("median_delay_months", "T5", 26),
        ("median_delay_months", "T6P", NA),
        ("median_seniority_months", "", 11),
        ("abnormal_delay_demands", "", 1234),
        ("abnormal_delay_share", "", 4.93),
    )
    assert narrative.delay_sentence(t, abnormal_delay_months=24) == nb(
        "Le délai médian d'attribution est de 14~mois, de 8~mois pour les T1 à 26~mois pour les T5. "
        "Les demandes actives ont une ancienneté médiane de 11~mois. 1~234~demandes actives (4,9~% du total) "
        "atteignent le délai anormalement long (valeur par défaut du kit, 24~mois, faute de la valeur fixée par "
        "l'arrêté préfectoral du département)."
    )
    with_source = narrative.delay_sentence(t, abnormal_delay_months=30, abnormal_delay_source="arrêté du 3 mars 2017")
    assert with_source.endswith(nb("le délai anormalement long fixé à 30~mois (arrêté du 3 mars 2017)."))


def test_when_delay_suppressed_then_ns():
    assert narrative.delay_sentence(table(("median_delay_months", "", NA))) == (
        "Le délai médian d'attribution n'est pas diffusé (n.s.), au titre du secret statistique."
    )


def test_when_poulidors_counted_then_sentence_uses_the_parameter():
    t = table(("poulidors", "", 152))
    assert narrative.poulidors_sentence(t, min_presentations=4) == (
        "152 demandeurs ont été présentés au moins 4 fois en CAL dans l'année sans obtenir de logement."
    )


# --- Q1 threshold, stock -----------------------------------------------------------------------


def test_when_threshold_estimated_then_sentence_says_it_comes_from_the_demand_file():
    t = table(("q1_threshold", "", 8150.0, {"estimated": True}))
    assert narrative.q1_threshold_sentence(t) == nb(
        "Le seuil du premier quartile, estimé à partir du fichier de la demande (25e centile des ressources par unité "
        "de consommation des demandes actives), est de 8~150~€ par unité de consommation et par an ; ce n'est pas la "
        "valeur de l'arrêté."
    )


def test_when_threshold_official_then_sentence_cites_its_source():
    t = table(("q1_threshold", "", 10312.0, {"estimated": False}))
    assert narrative.q1_threshold_sentence(t, origin="official", source="arrêté du 17 mars 2021") == nb(
        "Le seuil du premier quartile est de 10~312~€ par unité de consommation et par an (source : arrêté du "
        "17 mars 2021)."
    )


def test_when_threshold_comes_with_demo_data_then_it_is_fictitious_never_fixed_by_arrete():
    t = table(("q1_threshold", "", 10312.0, {"estimated": False}))
    text = narrative.q1_threshold_sentence(t, origin="fictitious", source="arrêté annuel 2020 (valeurs fictives)")
    assert "fixé par arrêté" not in text and "valeur fictive" in text and "non celle de l'arrêté" in text
    # without any origin, a value that is not an estimate is never said to come from an arrêté either
    assert "sans source précisée" in narrative.q1_threshold_sentence(t)


def test_when_the_arrete_of_the_year_gives_the_threshold_then_it_is_official_with_its_date_and_publication():
    t = table(("q1_threshold", "", 9538.0, {"estimated": False}))
    decree = {"signed": "2024-05-13", "published": "2024-06-11", "jorf_id": "JORFTEXT000049690181"}
    assert narrative.q1_threshold_sentence(t, origin="decree", decree=decree, year=2024) == nb(
        "Le seuil du premier quartile est de 9~538~€ par unité de consommation et par an : c'est le seuil officiel, "
        "fixé par l'arrêté du 13 mai 2024 (Journal officiel du 11 juin 2024)."
    )


def test_when_the_kit_ships_no_arrete_for_the_year_then_the_sentence_says_so_after_the_estimate():
    t = table(("q1_threshold", "", 8150.0, {"estimated": True}))
    text = narrative.q1_threshold_sentence(t, origin="estimated", year=2020)
    assert text.endswith(nb("ce n'est pas la valeur de l'arrêté. Le kit ne fournit pas de seuil officiel pour 2020."))
    fictitious = narrative.q1_threshold_sentence(t, origin="fictitious", year=2021)
    assert "valeur fictive" in fictitious and fictitious.endswith("Le kit ne fournit pas de seuil officiel pour 2021.")


def test_when_affordable_share_by_typology_then_range_reads_des_t1():
    t = table(
        ("q1_affordable_stock_share", "", 23.5),
        ("q1_affordable_stock_share", "T1", 12.0),
        ("q1_affordable_stock_share", "C", 40.2),
    )
    assert narrative.affordable_stock_sentence(t) == nb(
        "Hors QPV, 23,5~% des logements sociaux ont un loyer accessible à un ménage du premier quartile, "
        "de 12,0~% des T1 à 40,2~% des chambres."
    )


# --- flux, cotation ----------------------------------------------------------------------------


def test_when_state_reserves_more_than_cap_of_the_epci_then_no_sentence_tests_the_epci_against_the_cap():
    t = table(
        ("flux_reserved_stock_share", "PPRIOR", 28.0),
        ("flux_reserved_stock_share", "PFONCT", 6.0),
        ("flux_implied_flow", "PPRIOR", 300),
        ("flux_implied_flow", "COLACT", 260),
        ("flux_implied_flow", "AUCUN", 900),
        ("flux_attributions", "PPRIOR", 310),
        ("flux_attributions", "COLACT", 412),
        ("flux_attributions", "AUCUN", 560),
    )
    assert narrative.flux_sentence(t) == nb(
        "L'État (contingent préfectoral et agents de l'État) réserve 34,0~% du parc social du territoire. Son "
        "plafond de 30~% s'applique au patrimoine de chaque bailleur, non à l'ensemble du parc de l'EPCI."
    )


def test_when_flows_are_compared_then_attributions_are_net_of_mutations_and_anru_like_the_flow():
    t = table(
        ("flux_reserved_stock_share", "PPRIOR", 28.0),
        ("flux_reserved_stock_share", "PFONCT", 6.0),
        ("flux_flow_share", "PPRIOR", 24.0),
        ("flux_flow_share", "PFONCT", 6.0),
        ("flux_implied_flow", "PPRIOR", 300),
        ("flux_implied_flow", "COLACT", 260),
        ("flux_implied_flow", "AUCUN", 900),
        ("flux_attributions", "PPRIOR", 310),
        ("flux_attributions", "COLACT", 412),
        # attributions net of mutations and ANRU rehousing are the numerators of flux_attainment
        ("flux_attainment", "PPRIOR", 80.0, {"numerator": 240}),
        ("flux_attainment", "COLACT", 100.0, {"numerator": 260}),
        ("flux_attainment", "AUCUN", 50.0, {"numerator": 450}),
    )
    assert narrative.flux_sentence(t) == nb(
        "L'État (contingent préfectoral et agents de l'État) réserve 34,0~% du parc social du territoire. Son "
        "plafond de 30~% s'applique au patrimoine de chaque bailleur, non à l'ensemble du parc de l'EPCI : appliqué "
        "bailleur par bailleur, il lui laisse 30,0~% du flux annuel estimé, la différence revenant au flux des "
        "bailleurs concernés. Converties en flux, les réservations "
        "correspondraient à environ 560 logements par an ; les contingents réservés ont reçu 500 attributions dans "
        "l'année. Les deux chiffres s'entendent hors mutations et hors relogements ANRU, que le décret exclut de "
        "l'assiette du flux."
    )


def test_when_state_share_ns_and_no_flows_then_flux_not_available():
    t = table(("flux_reserved_stock_share", "PPRIOR", NA), ("flux_reserved_stock_share", "PFONCT", 5.0))
    assert narrative.flux_sentence(t) == "Les estimations de la gestion en flux ne sont pas disponibles."


def test_when_flow_share_present_then_cap_is_checked_on_the_flow():
    t = table(("flux_flow_share", "PPRIOR", 25.0), ("flux_flow_share", "PFONCT", 5.0))
    assert narrative.flux_sentence(t) == nb(
        "L'État (contingent préfectoral et agents de l'État) disposerait de 30,0~% du flux annuel estimé, son "
        "plafond de 30~% appliqué au patrimoine de chaque bailleur."
    )


def test_when_cotation_bands_then_sentence_compares_modal_bands_and_reordering():
    t = table(
        ("cotation_score_band", "0-9", 3100),
        ("cotation_score_band", "10-19", 7200),
        ("cotation_score_band", "60+", NA),
        ("cotation_attributed_band", "10-19", 620),
        ("cotation_attributed_band", "20-29", 900),
        ("cotation_reordered_share", "", 38.2),
    )
    cotation = {"grid": "Grille d'exemple cohorte", "status": "illustrative", "estimated_fields": ["reasons"]}
    assert narrative.cotation_sentence(t, cotation=cotation) == nb(
        "La grille appliquée, « Grille d'exemple cohorte », est une grille illustrative : elle n'est pas la grille "
        "de cotation adoptée sur le site. "
        "La tranche de score la plus fréquente est de 20 à 29 points chez les ménages ayant obtenu un logement, "
        "et de 10 à 19 points dans l'ensemble des demandes actives. À titre d'illustration seulement — la cotation "
        "éclaire la décision de la CALEOL, elle ne classe pas les candidats à sa place —, un classement des "
        "attributions dans l'ordre des scores aurait donné 38,2~% des logements à d'autres ménages. Les scores des "
        "ménages attributaires sont estimés : les attributions ne renseignent pas les motifs de la demande, que la "
        "grille note."
    )


def test_when_median_scores_published_then_they_are_preferred():
    t = table(("cotation_median_score_active", "", 22), ("cotation_median_score_attributed", "", 34))
    assert narrative.cotation_sentence(t) == nb(
        "Le score médian des ménages ayant obtenu un logement est de 34~points, contre 22~points pour "
        "l'ensemble des demandes actives."
    )


def test_when_table_is_empty_then_every_sentence_is_a_not_available_one():
    result = narrative.sentences(table())
    assert set(result) == {
        "q1_outside_qpv",
        "non_q1_in_qpv",
        "priority_publics",
        "pressure",
        "delay",
        "poulidors",
        "q1_threshold",
        "affordable_stock",
        "flux",
        "cotation",
    }
    assert all("pas disponible" in s for s in result.values())


def test_when_table_has_two_sites_then_error_says_to_filter():
    t = pd.concat([table(("pressure", "", 7.1)), table(("pressure", "", 5.0), site="mel")])
    with pytest.raises(ValueError, match="filter on `site`"):
        narrative.pressure_sentence(t)


# --- legal deadlines ---------------------------------------------------------------------------


def test_when_edition_is_2020_then_sentences_state_the_2021_deadlines_not_2023():
    import datetime as dt

    cotation = narrative.cotation_deadline_sentence(dt.date(2020, 12, 31))
    flux = narrative.flux_deadline_sentence(dt.date(2020, 12, 31))
    assert "1er septembre 2021" in cotation and "2019-1378" in cotation
    assert "24 novembre 2021" in flux and "2020-145" in flux
    assert "2023" not in cotation + flux


def test_when_reference_date_is_after_the_3ds_law_then_the_2023_deadlines_apply():
    import datetime as dt

    assert "31 décembre 2023" in narrative.cotation_deadline_sentence(dt.date(2022, 12, 31))
    assert "24 novembre 2023" in narrative.flux_deadline_sentence(dt.date(2022, 12, 31))


def test_when_cotation_already_works_then_the_site_is_not_told_the_law_imposes_one():
    import datetime as dt

    text = narrative.cotation_deadline_sentence(dt.date(2020, 12, 31), operational=True, operational_since=2017)
    assert text.startswith("Un système de cotation de la demande fonctionne sur le site depuis 2017.")
    assert "doivent mettre en place" not in text and "impose" not in text


def test_when_edition_is_2020_then_the_national_q1_reference_is_2019_with_its_source():
    assert narrative.national_q1_sentence(2020) == nb(
        "Au niveau national, 15,5~% des attributions hors QPV sont allées à des ménages du premier quartile en 2019 "
        "; seuls 8~% des EPCI concernés atteignaient l'objectif de 25~% (source : ANCOLS, Rapport annuel "
        "d'activité 2019, 2020, p. 26)."
    )
    partial = narrative.national_q1_sentence(2021)
    assert "environ 18~%".replace("~", NBSP) in partial and "chiffre partiel" in partial
    assert "Union régionale pour l'habitat des Hauts-de-France" in partial
    assert narrative.national_q1_sentence(2016) == ""


def test_when_the_reference_date_is_past_a_deadline_then_the_sentence_says_it_has_passed():
    import datetime as dt

    flux = narrative.flux_deadline_sentence(dt.date(2021, 12, 31))
    assert flux.startswith("Les conventions de réservation devaient être converties") and "est passée" in flux
    cotation = narrative.cotation_deadline_sentence(dt.date(2021, 12, 31))
    assert cotation.startswith("Les EPCI devaient mettre en place") and "ne signale pas" in cotation
    assert narrative.flux_deadline_sentence(dt.date(2020, 12, 31)).startswith("Les conventions de réservation doivent")
