"""National references: published values with their source and year."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohorte.errors import ParamsError
from cohorte.reference.national import latest_reference, national_references


def test_every_shipped_value_has_a_source_and_the_issue_values_are_there():
    refs = national_references()
    assert all(r.source for r in refs)
    q1 = {r.year: r.value for r in refs if r.indicator == "q1_outside_qpv"}
    assert q1 == {2017: 16.5, 2018: 14, 2019: 15.5, 2021: 18}
    assert {(r.indicator, r.year): r.value for r in refs if r.indicator in ("active_demands", "attributions")} == {
        ("active_demands", 2021): 2_260_000,
        ("active_demands", 2022): 2_420_000,
        ("attributions", 2021): 435_000,
        ("attributions", 2022): 420_000,
    }


def test_when_an_edition_asks_then_it_gets_the_latest_value_known_at_its_year():
    assert latest_reference("q1_outside_qpv", 2020).year == 2019
    assert latest_reference("q1_outside_qpv", 2022).year == 2021
    assert latest_reference("active_demands", 2020) is None


def test_when_a_row_has_no_source_then_the_loader_refuses_it(tmp_path: Path):
    path = tmp_path / "refs.csv"
    path.write_text(
        "indicator,year,value,unit,approximate,label,source,note\n"
        "q1_outside_qpv,2019,15.5,%,false,Q1,ANCOLS,\n"
        "attributions,2021,435000,nombre,true,Attributions,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match=r"refs.csv, line 3: 'attributions' 2021 has no source"):
        national_references(path)
