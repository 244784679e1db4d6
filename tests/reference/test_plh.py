"""The national edition: its sites generated from the EPCI referential (CCH L302-1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohorte.editions import load_edition
from cohorte.errors import ParamsError
from cohorte.reference.epci import EpciRecord
from cohorte.reference.plh import Extent, national_sites, plh_bound


def _record(siren: str, kind: str, population: int, name: str = "CC du Val") -> EpciRecord:
    return EpciRecord(siren, name, kind, population, ("01001",))


def test_when_a_cc_has_30000_inhabitants_and_a_commune_of_10000_then_it_is_bound_to_a_plh():
    big_town = Extent("1", "01", "Auvergne-Rhône-Alpes", 12_000)
    small_towns = Extent("1", "01", "Auvergne-Rhône-Alpes", 9_000)
    assert plh_bound(_record("1", "CC", 31_000), big_town)
    assert not plh_bound(_record("1", "CC", 31_000), small_towns)
    assert not plh_bound(_record("1", "CC", 29_000), big_town)
    assert plh_bound(_record("1", "CA", 20_000), small_towns)


def test_when_a_cc_is_exactly_at_a_threshold_then_it_is_not_bound_as_the_law_says_more_than():
    # CCH L302-1: « de plus de 30 000 habitants comprenant au moins une commune de plus de 10 000 habitants »
    assert not plh_bound(_record("1", "CC", 30_000), Extent("1", "01", "Auvergne-Rhône-Alpes", 12_000))
    assert not plh_bound(_record("1", "CC", 31_000), Extent("1", "01", "Auvergne-Rhône-Alpes", 10_000))
    assert plh_bound(_record("1", "CC", 30_001), Extent("1", "01", "Auvergne-Rhône-Alpes", 10_001))


def test_the_metropoles_of_lyon_and_of_grand_paris_are_sites_of_the_national_edition():
    # Lyon is its own type (MET69); the Grand Paris's PMHH stands for its PLH
    sites = {s.siren: s.epci_type for s in load_edition("national-2020").sites}
    assert sites["200046977"] == "MET69" and sites["200054781"] == "METRO"


def test_when_an_epci_is_added_by_siren_then_it_joins_the_bound_ones():
    referential = {"1": _record("1", "CA", 80_000, "CA de Dax"), "2": _record("2", "CC", 5_000, "CC du Val")}
    extent = {s: Extent(s, "40", "Nouvelle-Aquitaine", 100) for s in referential}
    assert [s["slug"] for s in national_sites((), referential, extent)] == ["ca-de-dax"]
    assert [s["slug"] for s in national_sites(["2"], referential, extent)] == ["ca-de-dax", "cc-du-val"]
    with pytest.raises(ParamsError, match="999999999 not in the EPCI referential"):
        national_sites(["999999999"], referential, extent)


def test_national_2020_has_the_epci_bound_to_a_plh_without_grids():
    edition = load_edition("national-2020")
    assert edition.kind == "national" and not edition.has_grids and edition.year == 2020
    assert 340 <= len(edition.sites) <= 400
    assert 45e6 < sum(s.population_2017 for s in edition.sites) < 56e6
    assert {s.epci_type for s in edition.sites} == {"CA", "CU", "METRO", "MET69", "CC"}
    assert len(set(edition.slugs)) == len(edition.slugs)


def test_when_a_referential_edition_also_lists_sites_then_error_says_to_use_add_sirens(tmp_path: Path, monkeypatch):
    folder = tmp_path / "params" / "national-2021"
    folder.mkdir(parents=True)
    (folder / "edition.yml").write_text(
        "edition: national-2021\nkind: national\ntitle: T\npublisher: P\nreference_date: 2021-12-31\n"
        "sites_from: referential\nsites: [{slug: a}]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COHORTE_HOME", str(tmp_path))
    with pytest.raises(ParamsError, match=r"remove the 'sites' list.*add_sirens"):
        load_edition("national-2021")
