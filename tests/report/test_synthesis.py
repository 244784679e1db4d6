"""Cross-site counts and sentences of the synthesis, from a tiny published table."""

from __future__ import annotations

import pandas as pd
import pytest

from cohorte.editions import load_edition
from cohorte.grids import load_grids
from cohorte.report import synthesis


def published(*rows: tuple) -> pd.DataFrame:
    """Rows (site, indicator, breakdown, value, target, met)."""
    return pd.DataFrame(rows, columns=["site", "indicator", "breakdown", "value", "target", "met"])


def context(table: pd.DataFrame, *, is_demo: bool) -> synthesis.SynthesisContext:
    return synthesis.SynthesisContext(load_edition(2020), load_grids(2020), table, [], is_demo)


@pytest.fixture
def table() -> pd.DataFrame:
    return published(
        ("mel", "q1_outside_qpv", "", 26.0, 25.0, True),
        ("lorient-agglomeration", "q1_outside_qpv", "", 18.0, 25.0, False),
        ("mel", "priority_publics", "PPRIOR", 90.0, None, None),      # no target: never counted
        ("mel", "priority_publics", "PFONCT", 3.0, None, None),
        ("mel", "priority_publics", "COLTER", 30.0, 25.0, True),
        ("mel", "priority_publics", "AUCUN", 26.0, 25.0, True),
        ("lorient-agglomeration", "priority_publics", "COLACT", 12.0, 25.0, False),
        ("lorient-agglomeration", "priority_publics", "AUCUN", 40.0, 25.0, True),
    )


def test_when_counting_priority_targets_then_only_contingents_with_the_25_pct_target_count(table):
    met, judged, all_met = synthesis.priority_targets_met(context(table, is_demo=False))
    assert (met, judged, all_met) == (3, 4, ["mel"])


def test_when_figures_are_demo_data_then_site_names_with_figures_say_they_are_fictitious(table):
    demo, real = context(table, is_demo=True), context(table, is_demo=False)
    assert synthesis.targets_met_phrase(demo, "q1_outside_qpv") == (
        "l'objectif est atteint sur 1 des 2 sites où il est mesurable (MEL) "
        "(chiffres fictifs, calculés sur des données de démonstration)")
    assert "fictifs" not in synthesis.targets_met_phrase(real, "q1_outside_qpv")
    assert demo.labels["mel"] == "MEL (fictif)" and real.labels["mel"] == "MEL"
    assert all(c.endswith("(fictif)") for c in synthesis.indicators_table_fr(demo, ["q1_outside_qpv"]).columns[1:])
    assert synthesis.indicators_frame(demo)["demo_data"].all()
    assert not synthesis.indicators_frame(real)["demo_data"].any()


def test_when_the_2020_synthesis_states_deadlines_then_they_are_those_of_2021_and_ems_is_named(table):
    text = synthesis.deadlines_markdown(context(table, is_demo=False))
    assert "1er septembre 2021" in text and "24 novembre 2021" in text and "2023" not in text
    assert "Un système de cotation fonctionne déjà sur 1 site (EMS)." in text
