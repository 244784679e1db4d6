"""EPCI identities checked against the snapshot of @etalab/decoupage-administratif."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohorte.editions import Edition, load_edition
from cohorte.errors import ParamsError
from cohorte.reference.epci import (
    EpciRecord,
    load_referential,
    names_match,
    provenance,
    write_snapshot,
)
from cohorte.runner.checks import check_sites


def edition(**site) -> Edition:
    base = {
        "slug": "grand-avignon",
        "name": "Communauté d'Agglomération du Grand Avignon",
        "short_name": "Grand Avignon",
        "siren": "248400251",
        "region": "Provence-Alpes-Côte d'Azur",
        "departement": "84",
        "communes": 16,
        "population_2017": 192785,
    }
    return Edition.model_validate(
        {"edition": 2020, "title": "t", "publisher": "p", "reference_date": "2020-12-31", "sites": [base | site]}
    )


REFERENTIAL = {
    "248400251": EpciRecord(
        "248400251", "CA du Grand Avignon (COGA)", "CA", 198133, tuple(f"84{i:03d}" for i in range(16))
    )
}


def test_the_snapshot_of_each_year_has_its_epci_with_its_provenance_and_agglopolys():
    for year, version, epci in ((2020, "0.8.0", 1255), (2021, "1.1.1", 1254), (2024, "4.1.0", 1255)):
        referential = load_referential(year)
        assert sum(r.type not in ("EPT", "COM") for r in referential.values()) == epci
        assert referential["200030385"].name == "CA de Blois ''Agglopolys''"
        meta = provenance(year)
        assert meta["package"] == "@etalab/decoupage-administratif" and meta["licence"] == "MIT"
        assert (meta["version"], meta["year"]) == (version, year)


def test_when_a_year_has_its_referential_then_its_epci_have_that_years_communes():
    # the MEL took in the CC de la Haute Deûle on 1 January 2020 (new SIREN, 95 communes); the package's
    # version of 2020 predates it, which its provenance says
    assert len(load_referential(2021)["200093201"].communes) == 95
    assert "200093201" not in load_referential(2020) and len(load_referential(2020)["245900410"].communes) == 90
    assert "245900410" in provenance(2020)["known_gap"]


def test_when_a_year_has_no_referential_then_the_error_names_the_refresh_script():
    with pytest.raises(
        ParamsError,
        match=r"no EPCI referential of 2019 in the kit \(years shipped: 2020, 2021, 2024\); "
        r"run scripts/refresh_epci_referential.py 2019",
    ):
        load_referential(2019)


def test_the_2024_referential_holds_paris_and_the_eleven_territories_of_the_grand_paris():
    referential = load_referential(2024)
    territories = [r for r in referential.values() if r.type == "EPT"]
    assert len(territories) == 11 and referential["217500016"].type == "COM"
    assert referential["217500016"].communes == ("75056",)
    assert len(referential["200057867"].communes) == 9  # Plaine Commune
    # Paris and the EPT hold every commune of the Métropole du Grand Paris, each once
    units = [c for r in [referential["217500016"], *territories] for c in r.communes]
    assert len(units) == len(set(units)) and set(units) == set(referential["200054781"].communes)


def test_when_the_2020_edition_is_checked_then_every_siren_and_name_matches_the_referential_of_2020():
    problems, notes = check_sites(load_edition(2020))
    assert problems == []  # the seed's 68 communes of Grand Besançon are those of 2020: no note
    assert notes == [
        "params/2020/edition.yml: site 'mel': SIREN 200093201 is not in the EPCI referential of 2020 (0.8.0, 2020) "
        "but is in that of 2021 (1.1.1): the package's version predates the EPCI's creation (see its provenance); "
        "check the SIREN on BANATIC"
    ]


def test_when_a_siren_is_wrong_then_check_names_the_site_and_the_siren():
    problems, _ = check_sites(edition(siren="200030385"), REFERENTIAL)
    expected = (
        "params/2020/edition.yml: site 'grand-avignon': SIREN 200030385 is not an EPCI of the referential "
        "(@etalab/decoupage-administratif 0.8.0, 2020); check the SIREN on BANATIC"
    )
    assert problems == [expected]


def test_when_an_epci_was_renamed_then_check_says_both_names():
    problems, _ = check_sites(edition(name="Communauté d'agglomération Rhône Sud"), REFERENTIAL)
    assert len(problems) == 1
    assert (
        "name \"Communauté d'agglomération Rhône Sud\" does not match the referential's 'CA du Grand Avignon (COGA)'"
        in problems[0]
    )


def test_when_communes_differ_then_it_is_a_note_not_a_problem():
    problems, notes = check_sites(edition(communes=15), REFERENTIAL)
    assert problems == [] and "15 communes in the edition, 16 in the referential" in notes[0]


def test_names_match_across_abbreviations_accents_and_spacing():
    assert names_match("GrandAngoulême", "CA du Grand Angoulême")
    assert names_match("Cœur d'Essonne Agglomération (CDEA)", "CA Coeur d'Essonne Agglomération")
    assert names_match("Agglopolys – Communauté d'agglomération de Blois", "CA de Blois ''Agglopolys''")
    assert not names_match("Lorient Agglomération", "CA du Grand Avignon (COGA)")


def test_when_the_snapshot_is_written_then_it_reads_back(tmp_path: Path):
    epci = [
        {
            "code": "248400251",
            "nom": 'CA du Grand Avignon, "COGA"',
            "type": "CA",
            "populationMunicipale": 5,
            "membres": [{"code": "84007"}, {"code": "84031"}],
        }
    ]
    path = write_snapshot(epci, {"package": "x", "version": "1"}, 2022, tmp_path)
    assert path.name == "epci_referential_2022.csv"
    record = load_referential(path=path)["248400251"]
    assert record.name == 'CA du Grand Avignon, "COGA"' and record.communes == ("84007", "84031")


def test_when_the_kit_ships_no_referential_of_the_editions_year_then_check_uses_the_nearest_and_says_so():
    later = load_edition(2020).model_copy(update={"edition": 2023})
    problems, notes = check_sites(later)
    assert problems == []
    assert notes[0] == (
        "params/2023/edition.yml: the kit ships no EPCI referential of 2023; sites checked against that of 2024 "
        "(scripts/refresh_epci_referential.py 2023 adds it)"
    )
