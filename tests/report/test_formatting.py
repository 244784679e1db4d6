"""French number, date and plural formatting (exact strings: U+00A0 is the only space used)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cohorte.report.formatting import (
    NBSP,
    fmt_date_fr,
    fmt_eur,
    fmt_int,
    fmt_months,
    fmt_num,
    fmt_pct,
    fmt_value,
    join_fr,
    plural_fr,
)

S = NBSP


def test_when_integer_has_thousands_then_groups_are_split_by_no_break_spaces():
    assert fmt_int(1146320) == f"1{S}146{S}320"
    assert fmt_int(np.int64(999)) == "999"


def test_when_rate_in_percent_then_one_decimal_comma_and_no_break_space_before_sign():
    assert fmt_pct(18.44) == f"18,4{S}%"
    assert fmt_pct(7) == f"7,0{S}%"


def test_when_half_then_rounded_up_not_to_even():
    assert fmt_pct(18.45) == f"18,5{S}%"
    assert fmt_int(2.5) == "3"


def test_when_target_is_whole_then_trim_drops_the_decimal():
    assert fmt_pct(25, trim=True) == f"25{S}%"
    assert fmt_pct(67.5, trim=True) == f"67,5{S}%"


def test_when_money_or_months_then_unit_follows_a_no_break_space():
    assert fmt_eur(8150) == f"8{S}150{S}€"
    assert fmt_months(14.2) == f"14{S}mois"
    assert fmt_num(1234567.891, 2) == f"1{S}234{S}567,89"


def test_when_rounding_to_zero_then_no_negative_zero():
    assert fmt_num(-0.04) == "0,0"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("%", f"18,4{S}%"),
        ("mois", f"18{S}mois"),
        ("€/UC", f"18{S}€/UC"),
        ("nombre", "18"),
        ("ratio", "18,4"),
        ("points", f"18{S}points"),
    ],
)
def test_when_unit_given_then_fmt_value_dispatches(unit, expected):
    assert fmt_value(18.44, unit) == expected


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_when_value_missing_or_suppressed_then_ns(missing):
    assert fmt_value(missing, "%") == "n.s."
    assert fmt_int(missing) == "n.s."
    assert fmt_pct(missing) == "n.s."


def test_when_unit_unknown_then_error_lists_units():
    with pytest.raises(ValueError, match="unknown unit 'km'"):
        fmt_value(1, "km")


def test_when_date_then_long_french_form_with_1er():
    assert fmt_date_fr(dt.date(2020, 12, 31)) == "31 décembre 2020"
    assert fmt_date_fr("2023-11-01") == "1er novembre 2023"
    assert fmt_date_fr(pd.Timestamp("2023-11-24 10:00")) == "24 novembre 2023"
    assert fmt_date_fr(dt.date(2021, 1, 11)) == "11 janvier 2021"


def test_when_count_below_two_then_singular():
    assert plural_fr(0, "site") == f"0{S}site"
    assert plural_fr(1, "site") == f"1{S}site"
    assert plural_fr(1.5, "mois", "mois") == f"1,5{S}mois"
    assert plural_fr(12, "site") == f"12{S}sites"
    assert plural_fr(3, "objectif atteint", "objectifs atteints") == f"3{S}objectifs atteints"
    assert plural_fr(1200, "demande") == f"1{S}200{S}demandes"
    assert plural_fr(2, "bureau", "bureaux", with_count=False) == "bureaux"


def test_when_list_then_joined_with_et():
    assert join_fr(["A"]) == "A"
    assert join_fr(["A", "B", "C"]) == "A, B et C"
