"""Disclosure control: no published count below the threshold, no rate on fewer cases, and no hidden
cell recoverable from its row or column total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorte.indicators import INDICATORS
from cohorte.indicators.disclosure import publish

T = 5


def tidy(rows: list[tuple]) -> pd.DataFrame:
    """(site, indicator, breakdown, value, numerator, denominator) → an unsuppressed indicator table."""
    frame = pd.DataFrame(rows, columns=["site", "indicator", "breakdown", "value", "numerator", "denominator"])
    frame[["value", "numerator", "denominator"]] = frame[["value", "numerator", "denominator"]].astype("float64")
    frame["target"] = 25.0
    frame["met"] = pd.array(frame["value"] >= 25, dtype="boolean")
    frame["estimated"] = False
    return frame


def shown(published: pd.DataFrame, indicator: str, breakdown: str = "") -> pd.Series:
    return published[(published["indicator"] == indicator) & (published["breakdown"] == breakdown)].iloc[0]


def assert_no_small_count_published(published: pd.DataFrame) -> None:
    counts = [published["numerator"], published["denominator"]]
    is_count = published["indicator"].map(lambda i: INDICATORS[i].unit == "nombre")
    counts.append(published["value"].where(is_count))
    for column in counts:
        visible = column.dropna()
        assert not ((visible > 0) & (visible < T)).any(), visible[(visible > 0) & (visible < T)]


def assert_no_hidden_cell_recoverable(raw: pd.DataFrame, published: pd.DataFrame) -> None:
    """For each family of breakdown rows whose raw counts add up to the site-level row: when the total
    is published, the hidden cells are none, all zero, or at least two non-zero adding up to ≥ T."""
    keys = ["site", "indicator", "breakdown"]
    merged = raw.merge(published[[*keys, "value", "numerator", "denominator"]], on=keys, suffixes=("", "_pub"))
    for (site, indicator), family in merged[merged["breakdown"] != ""].groupby(["site", "indicator"]):
        margin = INDICATORS[indicator].margin or indicator
        total = merged[(merged["site"] == site) & (merged["indicator"] == margin) & (merged["breakdown"] == "")]
        for column in ("numerator", "denominator", "value"):
            if column == "value" and INDICATORS[indicator].unit != "nombre":
                continue
            if total.empty or pd.isna(total[f"{column}_pub"].iloc[0]):
                continue
            if not np.isclose(family[column].sum(), total[column].iloc[0]):
                continue
            hidden = family.loc[family[f"{column}_pub"].isna(), column]
            ok = hidden.sum() == 0 or ((hidden > 0).sum() >= 2 and hidden.sum() >= T)
            assert ok, (site, indicator, column, hidden.tolist())


# --- the tidy table -----------------------------------------------------------------------


def test_when_a_count_is_below_the_threshold_then_it_is_not_published_but_zero_is():
    raw = tidy(
        [
            ("a", "poulidors", "", 3, None, None),
            ("a", "attributions_in_qpv", "", 0, None, None),
            ("a", "active_demands", "", 120, None, None),
        ]
    )
    out = publish(raw, T)
    assert out["suppressed"].tolist() == [True, False, False]
    assert pd.isna(out["value"][0]) and out["value"][1] == 0 and out["value"][2] == 120


def test_when_a_rate_is_on_fewer_cases_than_the_threshold_then_the_whole_row_is_secret():
    raw = tidy([("a", "q1_outside_qpv", "", 50.0, 2, 4), ("a", "median_delay_months", "", 7.0, None, 3)])
    out = publish(raw, T)
    assert out["suppressed"].all()
    assert out[["value", "numerator", "denominator"]].isna().all().all()
    assert out["met"].isna().all() and out["target"].tolist() == [25.0, 25.0]


def test_when_a_rate_has_a_small_numerator_then_rate_and_numerator_are_hidden_but_cases_shown():
    out = publish(tidy([("a", "priority_publics", "PFONCT", 5.0, 2, 40)]), T)
    row = out.iloc[0]
    assert row["suppressed"] and pd.isna(row["value"]) and pd.isna(row["numerator"]) and row["denominator"] == 40


def test_when_one_contingent_is_below_the_threshold_then_another_is_hidden_so_totals_do_not_reveal_it():
    raw = tidy(
        [
            ("a", "priority_publics", "", 30.0, 30, 100),
            ("a", "priority_publics", "PFONCT", 33.3, 1, 3),  # primary: 3 cases
            ("a", "priority_publics", "COLACT", 27.7, 13, 47),
            ("a", "priority_publics", "AUCUN", 32.0, 16, 50),
        ]
    )
    out = publish(raw, T)
    # PFONCT alone would be 100 − 47 − 50 = 3: COLACT (the smallest other contingent) is hidden too
    assert out["suppressed"].tolist() == [False, True, True, False]
    assert shown(out, "priority_publics")["value"] == 30.0
    assert_no_hidden_cell_recoverable(raw, out)


def test_when_mutations_are_few_then_pressure_excluding_mutations_is_hidden_too():
    raw = tidy(
        [
            ("a", "active_demands", "", 200, None, None),
            ("a", "attributions", "", 50, None, None),
            ("a", "mutation_share", "", 1.5, 3, 200),
            ("a", "pressure_excl_mutations", "", 197 / 50, 197, 50),
            ("a", "mutation_share_attributions", "", 20.0, 10, 50),
        ]
    )
    out = publish(raw, T)
    # 200 active − 197 non-mutations would give the 3 mutations back
    assert shown(out, "mutation_share")["suppressed"] and shown(out, "pressure_excl_mutations")["suppressed"]
    assert shown(out, "active_demands")["value"] == 200


def test_when_rows_are_about_one_landlord_then_they_are_not_published():
    raw = tidy(
        [("a", "q1_outside_qpv", "", 20.0, 20, 100), ("a", "q1_outside_qpv_by_landlord", "Habitat 56", 20.0, 20, 100)]
    )
    out = publish(raw, T)
    assert out["indicator"].tolist() == ["q1_outside_qpv"]


def test_when_the_full_table_of_small_sites_is_published_then_no_small_cell_and_nothing_recoverable():
    from test_indicators_table import edition, inputs  # a small two-site data set

    from cohorte.indicators import compute_indicators

    raw = compute_indicators(inputs(), edition())
    out = publish(raw, T)
    assert len(out) == len(raw[~raw["indicator"].str.endswith("_by_landlord")])
    assert_no_small_count_published(out)
    assert_no_hidden_cell_recoverable(raw, out)
