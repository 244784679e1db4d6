"""The main indicators' changes between editions, with disclosure control on the changes too."""

from __future__ import annotations

import math

import pandas as pd

from cohorte.changes.indicators import indicator_changes
from published_tables import published


def _table(rows: list[tuple]) -> pd.DataFrame:
    return published(
        *rows, columns=("site", "indicator", "breakdown", "value", "numerator", "denominator", "suppressed")
    )


def _change(frame: pd.DataFrame, indicator: str, breakdown: str = "") -> pd.Series:
    return frame[(frame["indicator"] == indicator) & (frame["breakdown"] == breakdown)].iloc[0]


def test_when_both_values_are_published_then_the_change_is_their_difference() -> None:
    before = _table(
        [
            ("s", "active_demands", "", 1000.0, None, None, False),
            ("s", "q1_outside_qpv", "", 18.0, 180.0, 1000.0, False),
        ]
    )
    after = _table(
        [
            ("s", "active_demands", "", 1100.0, None, None, False),
            ("s", "q1_outside_qpv", "", 21.5, 215.0, 1000.0, False),
        ]
    )
    frame = indicator_changes(before, after, ["s"], threshold=5)
    assert _change(frame, "active_demands")["change"] == 100.0
    assert math.isclose(_change(frame, "q1_outside_qpv")["change"], 3.5)


def test_when_this_year_s_cell_is_suppressed_then_last_year_s_value_and_a_change_would_reveal_it_so_the_change_is_hidden() -> (
    None
):
    # 2020: 6 priority households out of 18 by Action Logement (published); 2021: 1 out of 3 (suppressed, NA).
    before = _table([("s", "priority_publics", "COLACT", 33.3, 6.0, 18.0, False)])
    after = _table([("s", "priority_publics", "COLACT", None, None, None, True)])
    row = _change(indicator_changes(before, after, ["s"], threshold=5), "priority_publics", "COLACT")
    assert row["suppressed"] and pd.isna(row["change"]) and pd.isna(row["after"])
    assert row["before"] == 33.3  # last year's published value stays


def test_when_last_year_s_count_is_below_this_year_s_threshold_then_it_and_the_change_are_hidden() -> None:
    before = _table([("s", "priority_publics", "PFONCT", 50.0, 4.0, 8.0, False)])  # published under threshold 3
    after = _table([("s", "priority_publics", "PFONCT", 40.0, 20.0, 50.0, False)])
    row = _change(indicator_changes(before, after, ["s"], threshold=5), "priority_publics", "PFONCT")
    assert row["suppressed"] and pd.isna(row["before"]) and pd.isna(row["change"]) and row["after"] == 40.0


def test_when_a_site_or_indicator_is_in_one_edition_only_then_there_is_no_change_row() -> None:
    before = _table([("gone", "pressure", "", 3.0, 300.0, 100.0, False)])
    after = _table([("s", "pressure", "", 3.0, 300.0, 100.0, False)])
    assert indicator_changes(before, after, ["s"], threshold=5).empty
