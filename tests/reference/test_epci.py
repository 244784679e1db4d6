"""EPCI identities checked against the snapshot of @etalab/decoupage-administratif."""

from __future__ import annotations

from pathlib import Path

from cohorte.editions import Edition, load_edition
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


def test_the_snapshot_has_the_1255_epci_with_its_provenance_and_agglopolys():
    referential = load_referential()
    assert len(referential) == 1255
    assert referential["200030385"].name == "CA de Blois ''Agglopolys''"
    assert len(referential["200030385"].communes) == 43
    meta = provenance()
    assert meta["package"] == "@etalab/decoupage-administratif" and meta["licence"] == "MIT" and meta["version"]


def test_when_the_2020_edition_is_checked_then_every_siren_and_name_matches():
    problems, notes = check_sites(load_edition(2020))
    assert problems == []
    assert len(notes) == 1  # only Grand Besançon's count moved since 2017 (68 → 67): a note, the seed's count stays
    assert "site 'grand-besancon': 68 communes in the edition, 67 in the referential" in notes[0]


def test_when_a_siren_is_wrong_then_check_names_the_site_and_the_siren():
    problems, _ = check_sites(edition(siren="200030385"), REFERENTIAL)
    expected = (
        "params/2020/edition.yml: site 'grand-avignon': SIREN 200030385 is not an EPCI of the referential "
        f"(@etalab/decoupage-administratif {provenance()['version']}); check the SIREN on BANATIC"
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
    path = write_snapshot(epci, {"package": "x", "version": "1"}, tmp_path)
    record = load_referential(path)["248400251"]
    assert record.name == 'CA du Grand Avignon, "COGA"' and record.communes == ("84007", "84031")
