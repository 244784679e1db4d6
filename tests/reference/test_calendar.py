"""The legal calendar: the deadline in force depends on the reference date."""

from __future__ import annotations

import datetime as dt

import pytest

from cohorte.errors import ParamsError
from cohorte.reference.calendar import measure_in_force, measures_in_force


@pytest.mark.parametrize(
    ("day", "cotation", "flux"),
    [
        (dt.date(2020, 12, 31), dt.date(2021, 9, 1), dt.date(2021, 11, 24)),  # the 2020 edition
        (dt.date(2021, 7, 31), dt.date(2021, 9, 1), dt.date(2021, 11, 24)),  # last day of décret 2019-1378's date
        (dt.date(2021, 8, 1), dt.date(2021, 12, 31), dt.date(2021, 11, 24)),  # décret 2021-1016
        (dt.date(2021, 12, 31), dt.date(2021, 12, 31), dt.date(2021, 11, 24)),
        (dt.date(2022, 2, 22), dt.date(2021, 12, 31), dt.date(2021, 11, 24)),  # 3DS published, not yet in force
        (dt.date(2022, 2, 23), dt.date(2023, 12, 31), dt.date(2023, 11, 24)),  # loi 3DS
        (dt.date(2025, 6, 30), dt.date(2023, 12, 31), dt.date(2023, 11, 24)),
    ],
)
def test_the_deadline_in_force_follows_the_reference_date(day, cotation, flux):
    assert measure_in_force("cotation", day).deadline == cotation
    assert measure_in_force("flux", day).deadline == flux
    assert len(measures_in_force(day)) == 2


def test_each_deadline_names_the_text_that_set_it():
    assert "2019-1378" in measure_in_force("cotation", dt.date(2020, 12, 31)).text
    assert "2022-217" in measure_in_force("flux", dt.date(2024, 1, 1)).text


def test_before_the_reform_no_cotation_deadline_is_in_force_and_the_error_says_so():
    with pytest.raises(ParamsError, match="no deadline for 'cotation' in force on 2018-01-01"):
        measure_in_force("cotation", dt.date(2018, 1, 1))
