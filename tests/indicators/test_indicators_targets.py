"""Attribution targets: Q1 threshold, Q1 outside QPV, non-Q1 in QPV, priority publics, site targets.

Every expected value is worked out by hand in the test from frames of a few rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cohorte.editions import Edition
from cohorte.errors import ParamsError
from cohorte.indicators import build_targets
from cohorte.indicators.targets import (
    apply_targets,
    consumption_units,
    q1_status,
    q1_thresholds,
    target_indicators,
)

SITES = ["alpha", "beta", "gamma"]


def edition(**indicators) -> Edition:
    sites = [
        {
            "slug": s,
            "name": s.title(),
            "short_name": s.title(),
            "region": "Bretagne",
            "departement": "56",
            "communes": 3,
            "population_2017": 10000,
        }
        for s in SITES
    ]
    return Edition.model_validate(
        {
            "edition": 2020,
            "title": "t",
            "publisher": "p",
            "reference_date": "2020-12-31",
            "indicators": indicators,
            "sites": sites,
        }
    )


def household(adults: int = 1, children: int = 0) -> dict:
    return {"household_size": adults + children, "persons_14_plus": adults, "children_under_14": children}


def attributions(rows: list[dict]) -> pd.DataFrame:
    base = {
        "demand_id": "x",
        "commune": "56121",
        "in_qpv": False,
        "lease_date": pd.Timestamp("2020-06-01"),
        "filing_date": pd.Timestamp("2019-06-01"),
        **household(),
        "monthly_resources_eur": 1000.0,
        "typology": "T2",
        "reservataire": "AUCUN",
        "priority": False,
        "dalo": False,
        "anru_rehousing": False,
        "mutation": False,
        "landlord": "L1",
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["demand_id"] = [f"d{i}" for i in range(len(frame))]
    return frame


def official(values: dict[str, float], year: int = 2020) -> pd.DataFrame:
    return pd.DataFrame(
        {"year": year, "epci": list(values), "threshold_eur_per_uc": list(values.values()), "source": "arrêté"}
    )


def row(table: pd.DataFrame, site: str, indicator: str, breakdown: str = "") -> pd.Series:
    found = table[(table["site"] == site) & (table["indicator"] == indicator) & (table["breakdown"] == breakdown)]
    assert len(found) == 1, f"{site} {indicator} {breakdown!r}: {len(found)} rows"
    return found.iloc[0]


# --- consumption units and threshold ------------------------------------------------------


def test_when_household_has_two_adults_and_two_children_then_it_counts_2_1_uc():
    frame = pd.DataFrame([household(2, 2), household(1, 0), household(3, 1)])
    # 1 + 0.5 + 2 × 0.3 = 2.1 ; 1 ; 1 + 2 × 0.5 + 0.3 = 2.3
    assert consumption_units(frame).round(6).tolist() == [2.1, 1.0, 2.3]


def test_when_uc_scale_is_a_parameter_then_it_changes_the_units():
    from cohorte.editions import UcScale

    frame = pd.DataFrame([household(2, 2)])
    # 1 + 0.7 + 2 × 0.5 = 2.7 on an alternative scale
    assert consumption_units(frame, UcScale(first_person=1, other_14_plus=0.7, child_under_14=0.5)).round(
        6
    ).tolist() == [2.7]


def test_when_no_official_threshold_then_it_is_the_rank_n_over_4_value_and_flagged_estimated():
    demands = pd.DataFrame(
        [{"epci": "alpha", **household(), "monthly_resources_eur": m} for m in (900, 500, 700, float("nan"), 800, 600)]
    )
    # known annual resources per UC: 6000, 7200, 8400, 9600, 10800 (n = 5, NaN left out)
    # rank ⌈5/4⌉ = 2 → 7200
    result = q1_thresholds(demands, None, year=2020, sites=SITES)
    assert result.loc["alpha", "threshold"] == 7200
    assert bool(result.loc["alpha", "estimated"]) is True
    assert result.loc["alpha", "cases"] == 5
    assert math.isnan(result.loc["gamma", "threshold"])  # no demand, no official value


def test_when_edition_provides_the_threshold_then_the_official_value_of_the_year_wins():
    demands = pd.DataFrame(
        [
            {"epci": "alpha", **household(), "monthly_resources_eur": 500.0},
            {"epci": "beta", **household(), "monthly_resources_eur": 700.0},
        ]
    )
    thresholds = pd.concat([official({"alpha": 9100.0}), official({"beta": 1.0}, year=2019)])
    result = q1_thresholds(demands, thresholds, year=2020, sites=SITES)
    assert result.loc["alpha", "threshold"] == 9100 and not result.loc["alpha", "estimated"]
    # beta's official value is for 2019 only: estimated from its single demand, 12 × 700 = 8400
    assert result.loc["beta", "threshold"] == 8400 and result.loc["beta", "estimated"]


def test_when_household_is_exactly_at_the_threshold_then_it_is_q1_despite_float_rounding():
    frame = attributions(
        [
            {"epci": "alpha", "monthly_resources_eur": 500.0},  # 6000 → Q1
            {"epci": "alpha", "monthly_resources_eur": 501.0},  # 6012 → not Q1
            {"epci": "alpha", **household(3, 1), "monthly_resources_eur": 1150.0},  # 13800 / 2.3 = 6000(.000000000001)
            {"epci": "alpha", "monthly_resources_eur": float("nan")},  # unknown
        ]
    )
    status = q1_status(frame, pd.Series({"alpha": 6000.0}))
    assert status.tolist()[:3] == [True, False, True]
    assert status.isna().tolist() == [False, False, False, True]


# --- the legal rates ----------------------------------------------------------------------


@pytest.fixture
def scenario() -> pd.DataFrame:
    """alpha has QPV; beta has none; gamma has no attribution at all. Thresholds: 6000 €/UC."""
    rows = [
        {"epci": "alpha", "monthly_resources_eur": 500.0},  # a1 outside, Q1 (at threshold)
        {"epci": "alpha", "monthly_resources_eur": 501.0},  # a2 outside, not Q1
        {"epci": "alpha", **household(3, 1), "monthly_resources_eur": 1150.0},  # a3 outside, Q1
        {"epci": "alpha", "monthly_resources_eur": float("nan")},  # a4 outside, unknown
        {"epci": "alpha", "monthly_resources_eur": float("nan"), "anru_rehousing": True},  # a5 outside, ANRU
        {"epci": "alpha", "in_qpv": True, "monthly_resources_eur": 2000.0},  # a6 QPV, quartiles 2-4
        {"epci": "alpha", "in_qpv": True, "monthly_resources_eur": 400.0},  # a7 QPV, Q1
        {"epci": "alpha", "in_qpv": True, "monthly_resources_eur": float("nan")},  # a8 QPV, unknown
        {"epci": "beta", "monthly_resources_eur": 500.0},  # b1 Q1
        {"epci": "beta", "monthly_resources_eur": 2000.0},  # b2 not Q1
    ]
    demands = pd.DataFrame(
        columns=["epci", "household_size", "persons_14_plus", "children_under_14", "monthly_resources_eur"]
    )
    table, _ = target_indicators(
        demands, attributions(rows), official({"alpha": 6000.0, "beta": 6000.0}), year=2020, sites=SITES
    )
    return apply_targets(table, build_targets(edition()))


def test_when_site_has_qpv_then_q1_rate_counts_q1_and_anru_over_attributions_outside_qpv(scenario):
    r = row(scenario, "alpha", "q1_outside_qpv")
    # numerator a1, a3 (Q1) + a5 (ANRU, resources unknown) = 3 ; denominator a1..a5 = 5 → 60 %
    assert (r["numerator"], r["denominator"]) == (3, 5)
    assert r["value"] == pytest.approx(60.0)
    assert r["target"] == 25 and bool(r["met"]) is True


def test_when_resources_are_missing_then_the_attribution_is_in_denominators_but_no_numerator(scenario):
    assert row(scenario, "alpha", "attributions_unknown_resources")["value"] == 3  # a4, a5, a8
    r = row(scenario, "alpha", "non_q1_in_qpv")
    # only a6 is known to be above the threshold; a8 (unknown) stays in the denominator: 1 / 3
    assert (r["numerator"], r["denominator"]) == (1, 3)
    assert r["value"] == pytest.approx(100 / 3)
    assert bool(r["met"]) is False


def test_when_site_has_no_qpv_then_q1_rule_applies_to_all_its_attributions(scenario):
    r = row(scenario, "beta", "q1_outside_qpv")
    assert (r["numerator"], r["denominator"], r["value"]) == (1, 2, 50.0)  # b1 of b1, b2
    assert row(scenario, "beta", "attributions_in_qpv")["value"] == 0
    non_q1 = row(scenario, "beta", "non_q1_in_qpv")
    assert non_q1["denominator"] == 0 and math.isnan(non_q1["value"]) and pd.isna(non_q1["met"])


def test_when_site_has_no_attribution_then_rates_are_na_on_zero_and_no_target_is_met(scenario):
    for indicator in ("q1_outside_qpv", "non_q1_in_qpv", "priority_publics"):
        r = row(scenario, "gamma", indicator)
        assert r["denominator"] == 0 and math.isnan(r["value"]) and pd.isna(r["met"])
    assert math.isnan(row(scenario, "gamma", "q1_threshold")["value"])


def test_when_breakdown_by_commune_then_rows_add_up_to_the_site_rate():
    frame = attributions(
        [
            {"epci": "alpha", "commune": "56001", "monthly_resources_eur": 400.0},  # Q1
            {"epci": "alpha", "commune": "56001", "monthly_resources_eur": 900.0},
            {"epci": "alpha", "commune": "56002", "monthly_resources_eur": 900.0},
        ]
    )
    table, _ = target_indicators(
        frame.iloc[:0][["epci"]].assign(
            household_size=1, persons_14_plus=1, children_under_14=0, monthly_resources_eur=1.0
        ),
        frame,
        official({"alpha": 6000.0}),
        year=2020,
        sites=SITES,
    )
    assert row(table, "alpha", "q1_outside_qpv_by_commune", "56001")[["numerator", "denominator"]].tolist() == [1, 2]
    assert row(table, "alpha", "q1_outside_qpv_by_commune", "56002")[["numerator", "denominator"]].tolist() == [0, 1]


def test_when_contingents_differ_then_priority_share_is_given_per_reservataire_and_landlord():
    frame = attributions(
        [
            {"epci": "alpha", "reservataire": "PPRIOR", "priority": True},
            {"epci": "alpha", "reservataire": "PPRIOR", "dalo": True, "priority": True},
            {"epci": "alpha", "reservataire": "COLACT", "dalo": True},
            {"epci": "alpha", "reservataire": "COLACT"},
            {"epci": "alpha", "reservataire": "COLACT"},
            {"epci": "alpha", "reservataire": "AUCUN", "landlord": "L1", "priority": True},
            {"epci": "alpha", "reservataire": "AUCUN", "landlord": "L2"},
        ]
    )
    demands = frame.iloc[:0]
    table, _ = target_indicators(demands, frame, official({"alpha": 6000.0}), year=2020, sites=SITES)
    targets = build_targets(edition(), {"alpha": {"priority_publics": 30}})
    table = apply_targets(table, targets)
    # site: 4 of 7 = 57.1 % ; PPRIOR 2/2 ; COLACT 1/3 = 33.3 % ≥ 30 ; AUCUN 1/2 ; L1 1/1 ; L2 0/1
    assert row(table, "alpha", "priority_publics")["value"] == pytest.approx(400 / 7)
    colact = row(table, "alpha", "priority_publics", "COLACT")
    assert colact["value"] == pytest.approx(100 / 3) and colact["target"] == 30 and bool(colact["met"])
    assert row(table, "alpha", "priority_publics", "AUCUN")["value"] == 50
    l2 = row(table, "alpha", "priority_publics_non_reserved_by_landlord", "L2")
    assert l2["value"] == 0 and l2["target"] == 30 and not bool(l2["met"])


def test_when_targets_apply_then_only_local_authorities_action_logement_others_and_non_reserved_carry_25_pct():
    frame = attributions(
        [
            {"epci": "alpha", "reservataire": "PPRIOR", "priority": True},  # PPRIOR 1/2 = 50 %: no target
            {"epci": "alpha", "reservataire": "PPRIOR"},
            {"epci": "alpha", "reservataire": "PFONCT"},  # PFONCT 0/1: no target
            {"epci": "alpha", "reservataire": "COLTER", "dalo": True},  # COLTER 1/4 = 25 %: met
            {"epci": "alpha", "reservataire": "COLTER"},
            {"epci": "alpha", "reservataire": "COLTER"},
            {"epci": "alpha", "reservataire": "COLTER"},
            {"epci": "alpha", "reservataire": "COLACT"},  # COLACT 0/1: not met
            {"epci": "alpha", "reservataire": "AUTRES", "priority": True},  # AUTRES 1/1: no target
            {"epci": "alpha", "reservataire": "AUCUN"},  # AUCUN 0/2: not met
            {"epci": "alpha", "reservataire": "AUCUN"},
        ]
    )
    table, _ = target_indicators(frame.iloc[:0], frame, official({"alpha": 6000.0}), year=2020, sites=SITES)
    table = apply_targets(table, build_targets(edition()))
    got = {
        b: (row(table, "alpha", "priority_publics", b)["target"], row(table, "alpha", "priority_publics", b)["met"])
        for b in ("PPRIOR", "PFONCT", "COLTER", "COLACT", "AUTRES", "AUCUN")
    }
    assert row(table, "alpha", "priority_publics", "PPRIOR")["value"] == 50
    assert math.isnan(got["PPRIOR"][0]) and pd.isna(got["PPRIOR"][1])
    assert math.isnan(got["PFONCT"][0]) and pd.isna(got["PFONCT"][1])
    # other réservataires carry no legal 25 % target (CCH L441-1 names local authorities, Action
    # Logement and the landlords' non-reserved stock): their share is shown, never judged
    assert row(table, "alpha", "priority_publics", "AUTRES")["value"] == 100
    assert math.isnan(got["AUTRES"][0]) and pd.isna(got["AUTRES"][1])
    assert {b: (t, bool(m)) for b, (t, m) in got.items() if b not in ("PPRIOR", "PFONCT", "AUTRES")} == {
        "COLTER": (25, True),
        "COLACT": (25, False),
        "AUCUN": (25, False),
    }
    # the all-contingents share (3 of 11: PPRIOR, COLTER, AUTRES) is a figure, not a legal target
    whole = row(table, "alpha", "priority_publics")
    assert whole["value"] == pytest.approx(300 / 11) and math.isnan(whole["target"]) and pd.isna(whole["met"])


# --- targets ------------------------------------------------------------------------------


def test_when_site_sets_local_and_differentiated_targets_then_they_replace_the_national_defaults():
    targets = build_targets(
        edition(),
        {"alpha": {"non_q1_in_qpv": 67, "q1_outside_qpv": None}},
        {
            "alpha": [
                {"indicator": "q1_outside_qpv", "commune": "63113", "target": 30},
                {"indicator": "non_q1_in_qpv", "landlord": "L1", "target": 60},
            ]
        },
    )
    got = {tuple(r[:3]): r[3] for r in targets.itertuples(index=False)}
    assert got[("alpha", "non_q1_in_qpv", "")] == 67
    assert got[("alpha", "q1_outside_qpv", "")] == 25  # None keeps the national default
    assert got[("beta", "non_q1_in_qpv", "")] == 50
    assert got[("alpha", "q1_outside_qpv_by_commune", "63113")] == 30
    assert got[("alpha", "non_q1_in_qpv_by_landlord", "L1")] == 60
    assert len(targets) == 3 * 3 + 2


def test_when_differentiated_target_is_met_by_commune_then_met_is_true_for_that_commune_only():
    table = pd.DataFrame(
        {
            "site": "alpha",
            "indicator": "q1_outside_qpv_by_commune",
            "breakdown": ["63113", "63001"],
            "value": [31.0, 10.0],
            "numerator": [31.0, 1.0],
            "denominator": [100.0, 10.0],
            "target": float("nan"),
            "met": pd.array([pd.NA, pd.NA], dtype="boolean"),
            "estimated": False,
        }
    )
    targets = build_targets(
        edition(), {}, {"alpha": [{"indicator": "q1_outside_qpv", "commune": "63113", "target": 30}]}
    )
    out = apply_targets(table, targets)
    assert out["target"].tolist()[0] == 30 and bool(out["met"][0]) is True
    assert math.isnan(out["target"][1]) and pd.isna(out["met"][1])


@pytest.mark.parametrize(
    ("overrides", "differentiated", "message"),
    [
        ({"omega": {"q1_outside_qpv": 30}}, {}, "unknown site 'omega'"),
        ({"alpha": {"q1_rate": 30}}, {}, "unknown target(s) ['q1_rate']"),
        (
            {},
            {"alpha": [{"indicator": "q1_outside_qpv", "commune": "1", "landlord": "L", "target": 3}]},
            "give exactly one of 'commune'",
        ),
        ({}, {"alpha": [{"indicator": "pressure", "commune": "1", "target": 3}]}, "is not one of"),
        ({"alpha": {"q1_outside_qpv": 130}}, {}, "not a percent"),
    ],
)
def test_when_targets_are_invalid_then_error_names_site_and_key(overrides, differentiated, message):
    with pytest.raises(ParamsError, match=None) as info:
        build_targets(edition(), overrides, differentiated)
    assert message in str(info.value)
