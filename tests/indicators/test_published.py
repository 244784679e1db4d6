"""Reading one site's rows of the published indicator table (what charts, sentences and the synthesis use)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pytest

from cohorte.indicators.published import (
    get_row,
    is_published,
    is_suppressed,
    reservataire_order,
    site_has_qpv,
    state_share,
    target_met,
)
from published_tables import published

table = partial(published, columns=("site", "indicator", "breakdown", "value", "target", "met", "denominator"))


def test_when_breakdown_is_na_then_get_row_reads_it_as_the_site_level_row() -> None:
    rows = table(("mel", "pressure", None, 6.6, None, None, 10), ("mel", "pressure", "T1", 9.0, None, None, 4))
    assert get_row(rows, "pressure")["value"] == 6.6
    assert get_row(rows, "pressure", "T1")["value"] == 9.0
    assert get_row(rows, "poulidors") is None


def test_when_value_is_na_or_flagged_then_the_row_is_suppressed() -> None:
    assert is_suppressed(pd.Series({"value": pd.NA}))
    assert is_suppressed(pd.Series({"value": 3.0, "suppressed": True}))
    assert not is_suppressed(pd.Series({"value": 3.0, "suppressed": False}))
    assert not is_published(None)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"value": 20.0, "target": 25.0, "met": pd.NA}, False),
        ({"value": 26.0, "target": 25.0, "met": pd.NA}, True),
        ({"value": 20.0, "target": 25.0, "met": True}, True),
        ({"value": 20.0, "target": None, "met": None}, None),
        ({"value": pd.NA, "target": 25.0, "met": pd.NA}, None),
    ],
)
def test_when_met_is_missing_then_it_is_judged_from_value_and_target(row: dict, expected: bool | None) -> None:
    assert target_met(pd.Series(row)) is expected


def test_when_zero_attributions_in_qpv_then_the_site_has_no_qpv() -> None:
    assert not site_has_qpv(table(("carene", "attributions_in_qpv", "", 0.0, None, None, None)))
    assert site_has_qpv(table(("carene", "attributions_in_qpv", "", 12.0, None, None, None)))


def test_when_a_state_contingent_is_suppressed_then_the_state_share_is_unknown() -> None:
    shares = table(
        ("mel", "flux_reserved_stock_share", "PPRIOR", 22.0, None, None, None),
        ("mel", "flux_reserved_stock_share", "PFONCT", 3.5, None, None, None),
    )
    assert state_share(shares) == 25.5
    shares.loc[1, "value"] = pd.NA
    assert state_share(shares) is None


def test_when_codes_are_unknown_then_they_come_after_the_known_reservataires() -> None:
    assert reservataire_order(["ZZZ", "AUCUN", "PPRIOR"]) == ["PPRIOR", "AUCUN", "ZZZ"]


def test_when_rows_of_two_sites_are_read_then_error_says_to_filter() -> None:
    with pytest.raises(ValueError, match="filter on `site` first"):
        get_row(
            table(("mel", "pressure", "", 1.0, None, None, None), ("carene", "pressure", "", 2.0, None, None, None)),
            "pressure",
        )
