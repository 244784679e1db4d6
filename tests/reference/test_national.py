"""National references: published values with their full citation and their publication date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cohorte.errors import ParamsError
from cohorte.reference.national import cited_references, latest_reference, national_references, published_by

HEADER = (
    "indicator,year,value,unit,approximate,partial,label,publisher,title,publication_year,page,published,url,note\n"
)


def test_when_the_kit_ships_a_figure_then_it_carries_publisher_title_year_page_and_date():
    refs = national_references()
    assert all(r.publisher and r.title and r.publication_year and r.page and r.published for r in refs)
    q1 = {r.year: r for r in refs if r.indicator == "q1_outside_qpv"}
    assert {y: r.value for y, r in q1.items()} == {2017: 16.5, 2018: 14, 2019: 15.5, 2021: 18}
    # ANCOLS, annual activity report on 2019, p. 26 (42 000 of 272 000 attributions outside QPV in 2019)
    assert (q1[2019].publisher, q1[2019].title, q1[2019].page) == ("ANCOLS", "Rapport annuel d'activité 2019", "26")
    # « about 18 % in 2021 » is not an ANCOLS publication: a partial, rounded figure, cited as such
    assert q1[2021].publisher != "ANCOLS" and q1[2021].approximate and q1[2021].partial


def test_when_an_edition_asks_then_it_gets_the_latest_value_known_at_its_year_and_published_by_its_date():
    assert latest_reference("q1_outside_qpv", 2020).year == 2019
    assert latest_reference("q1_outside_qpv", 2022).year == 2021
    assert latest_reference("q1_outside_qpv", 2021, dt.date(2021, 11, 30)).year == 2019, "published 3 Dec 2021"
    assert latest_reference("q1_outside_qpv", 2020, dt.date(2020, 6, 30)) is None, "ANCOLS report: 2020"
    assert latest_reference("active_demands", 2020) is None


def test_when_a_publication_date_is_a_year_or_a_month_then_it_counts_as_its_last_day():
    assert published_by("2020") == dt.date(2020, 12, 31)
    assert published_by("2021-02") == dt.date(2021, 2, 28)
    assert published_by("2021-12-03") == dt.date(2021, 12, 3)


def test_when_an_edition_cites_its_references_then_each_publication_appears_once():
    titles = [r.title for r in cited_references(2020, dt.date(2021, 2, 28))]
    assert titles == ["Rapport annuel d'activité 2019"]


def test_when_a_row_lacks_part_of_its_citation_then_the_loader_refuses_it(tmp_path: Path):
    path = tmp_path / "refs.csv"
    path.write_text(
        HEADER + "q1_outside_qpv,2019,15.5,%,false,false,Q1,ANCOLS,Rapport,2020,26,2020,,\n"
        'attributions,2021,435000,nombre,true,false,Attributions,"USH, ANCOLS",,,,,,\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ParamsError, match=r"refs.csv, line 3: 'attributions' 2021 has no title, publication_year, page, published"
    ):
        national_references(path)


def test_when_texts_are_asked_at_a_date_then_later_texts_are_left_out():
    from cohorte.reference.legal_texts import texts_published_by

    keys = [t.key for t in texts_published_by(dt.date(2020, 12, 31))]
    assert "ELAN" in keys and "flux" in keys and "3DS" not in keys and "cotation-2021" not in keys
