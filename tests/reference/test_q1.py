"""Official first-quartile thresholds (the yearly arrêtés) and the scope they give a national edition."""

from __future__ import annotations

import pandas as pd
import pytest

from cohorte.editions import Edition, load_edition
from cohorte.errors import ParamsError
from cohorte.indicators.origins import q1_threshold_origins
from cohorte.indicators.targets import q1_thresholds
from cohorte.reference.epci import EpciRecord
from cohorte.reference.plh import Extent
from cohorte.reference.q1 import ListedEpci, decree_listing, q1_decree, threshold_disagreements
from cohorte.reference.scope import GRAND_PARIS, compare_scope, decree_sites, scope_messages
from cohorte.runner.checks import scope_warnings, threshold_warnings

BLOIS, LORIENT = "200030385", "200042174"


def _edition(year: int, sirens: dict[str, str]) -> Edition:
    sites = [
        {
            "slug": slug,
            "name": slug,
            "short_name": slug,
            "siren": siren,
            "region": "Centre-Val de Loire",
            "departement": "41",
            "communes": 3,
            "population_2017": 100_000,
        }
        for slug, siren in sirens.items()
    ]
    return Edition.model_validate(
        {"edition": year, "title": "t", "publisher": "p", "reference_date": f"{year}-12-31", "sites": sites}
    )


def test_the_arretes_of_2024_to_2026_are_shipped_with_their_date_publication_and_listing():
    decree = q1_decree(2024)
    assert decree is not None and decree.signed.isoformat() == "2024-05-13"
    assert decree.published.isoformat() == "2024-06-11" and decree.jorf_id == "JORFTEXT000049690181"
    assert [len(decree_listing(y)) for y in (2024, 2025, 2026)] == [425, 425, 424]
    assert decree_listing(2024)[BLOIS].q1_annual_eur == 9538
    # anomaly kept as published: a 2026 SIREN that does not start with 2
    assert "992367730" in decree_listing(2026)
    assert q1_decree(2020) is None and decree_listing(2020) == {}


def test_when_the_year_has_an_arrete_then_the_threshold_is_the_arretes_and_named_official():
    edition = _edition(2024, {"blois": BLOIS, "lorient": LORIENT})
    demands = pd.DataFrame(
        {
            "epci": ["blois"] * 4,
            "monthly_resources_eur": [500.0, 600, 700, 800],
            "persons_14_plus": 1,
            "children_under_14": 0,
        }
    )
    data = pd.DataFrame({"year": [2024], "epci": ["blois"], "threshold_eur_per_uc": [7000.0], "source": ["fichier"]})
    out = q1_thresholds(demands, data, year=2024, sites=["blois"], decree={"blois": 9538.0})
    assert out.loc["blois", "threshold"] == 9538 and not out.loc["blois", "estimated"]
    origins = q1_threshold_origins(edition, data, is_demo=True)
    assert origins["blois"]["origin"] == "decree" and origins["blois"]["decree"]["signed"] == "2024-05-13"


def test_when_the_year_has_no_arrete_then_the_data_files_threshold_or_the_estimate_is_used_and_named():
    edition = _edition(2020, {"blois": BLOIS, "lorient": LORIENT})
    data = pd.DataFrame({"year": [2020], "epci": ["blois"], "threshold_eur_per_uc": [7000.0], "source": ["fichier"]})
    origins = q1_threshold_origins(edition, data, is_demo=False)
    assert origins["blois"] == {"origin": "official", "source": "fichier", "decree": None, "year": 2020}
    assert origins["lorient"]["origin"] == "estimated" and origins["lorient"]["decree"] is None


def test_when_a_threshold_of_the_data_differs_from_the_arrete_then_check_warns_naming_both_values():
    edition = _edition(2024, {"blois": BLOIS, "lorient": LORIENT})
    data = pd.DataFrame(
        {
            "year": ["2024", "2024", "2023"],
            "epci": ["blois", LORIENT, "blois"],
            "threshold_eur_per_uc": ["9538", "7000", "1"],
        }
    )
    assert threshold_disagreements(2024, edition.sirens, {"blois": 9538.4, "lorient": 7000.0}) == [
        ("lorient", 7000.0, decree_listing(2024)[LORIENT].q1_annual_eur)
    ]
    assert threshold_warnings(edition, data) == [
        f"q1_thresholds: site 'lorient': 7000 €/UC in the data for 2024, {decree_listing(2024)[LORIENT].q1_annual_eur:g} "
        "in the arrêté of 2024-05-13 (JORFTEXT000049690181); the arrêté's value is used"
    ]
    assert threshold_warnings(_edition(2020, {"lorient": LORIENT}), data.assign(year="2020")) == []


def test_when_the_rule_and_the_list_disagree_then_each_epci_is_named_and_the_grand_paris_is_not_one():
    record = lambda siren, kind, pop: EpciRecord(siren, f"X {siren}", kind, pop, ("01001",))  # noqa: E731
    referential = {
        "1": record("1", "CA", 50_000),  # bound, listed: agreement
        "2": record("2", "CA", 60_000),  # bound, not listed
        "3": record("3", "CC", 12_000),  # listed, not bound (a QPV and the housing competence)
        GRAND_PARIS: record(GRAND_PARIS, "METRO", 7_000_000),
        "217500016": record("217500016", "COM", 2_100_000),
        "200057867": record("200057867", "EPT", 450_000),
    }
    extent = {s: Extent(s, "01", "Auvergne-Rhône-Alpes", 20_000) for s in referential}
    listing = {s: ListedEpci(s, f"X {s}", ("01",), 9000.0) for s in ("1", "3", "217500016", "200057867")}
    comparison = compare_scope(2024, referential, extent, listing)
    assert comparison is not None
    assert (comparison.listed_not_bound, comparison.bound_not_listed) == (("3",), ("2",))
    assert comparison.grand_paris_units == ("200057867", "217500016") and comparison.disagreements == 2
    messages = scope_messages(comparison, referential)
    assert len(messages) == 2
    assert messages[0].endswith(
        "3 X 3 is listed but not bound to a PLH by the rule (an EPCI competent for housing with a QPV, which the kit cannot check)"
    )
    assert messages[1].endswith("2 X 2 is bound to a PLH by the rule but not listed by the arrêté")
    assert compare_scope(2020) is None


def test_national_2024_has_the_425_units_of_the_arrete_with_paris_and_its_eleven_territories():
    edition = load_edition("national-2024")
    assert len(edition.sites) == 425 and set(edition.sirens.values()) == set(decree_listing(2024))
    by_siren = {s.siren: s for s in edition.sites}
    assert GRAND_PARIS not in by_siren
    paris = by_siren["217500016"]
    assert (paris.slug, paris.epci_type, paris.departement, paris.communes) == ("paris", "COM", "75", 1)
    territories = [s for s in edition.sites if s.epci_type == "EPT"]
    assert len(territories) == 11 and all(s.region == "Île-de-France" for s in territories)
    assert by_siren["200057867"].name == "Plaine Commune" and by_siren["200057867"].communes == 9


def test_when_national_2024_is_checked_then_the_rule_and_the_list_disagree_on_named_epci():
    warnings, notes = scope_warnings(load_edition("national-2024"))
    assert notes == [
        "Scope 2024: the arrêté lists 425 units, the CCH L302-1 rule binds 355 EPCI; 65 listed but not bound, "
        "6 bound but not listed; the Métropole du Grand Paris is listed as 12 units (Paris and its établissements "
        "publics territoriaux)"
    ]
    assert len(warnings) == 71
    assert any(
        "245701362 CA Portes de France-Thionville is bound to a PLH by the rule but not listed" in w for w in warnings
    )
    assert scope_warnings(load_edition(2020)) == ([], [])  # a cohort edition: no scope to compare


def test_when_an_edition_asks_the_arrete_of_a_year_without_one_then_the_error_says_to_use_the_rule():
    with pytest.raises(ParamsError, match="ships no first-quartile arrêté for 2021; use sites_from: referential"):
        decree_sites(2021)


def test_when_the_data_folder_holds_thresholds_then_the_builds_hook_reads_and_compares_them(tmp_path):
    from cohorte.runner.checks import data_threshold_warnings

    edition = _edition(2024, {"blois": BLOIS})
    (tmp_path / "q1_thresholds.csv").write_text(
        f"year,epci,threshold_eur_per_uc,source\n2024,{BLOIS},9000,fichier local\n", encoding="utf-8"
    )
    assert data_threshold_warnings(edition, tmp_path) == [
        "q1_thresholds: site 'blois': 9000 €/UC in the data for 2024, 9538 in the arrêté of 2024-05-13 "
        "(JORFTEXT000049690181); the arrêté's value is used"
    ]
    assert data_threshold_warnings(edition, tmp_path / "none") == []


def test_paris_enters_the_referential_only_when_the_package_gives_its_siren():
    from cohorte.reference.epci import paris_unit, snapshot_rows

    paris = {"code": "75056", "nom": "Paris", "siren": "217500016", "population": 2_113_705}
    rows = snapshot_rows(paris_unit([{"code": "01001", "nom": "X"}, paris]))
    assert rows == [
        {"siren": "217500016", "name": "Paris", "type": "COM", "population": "2113705", "communes": "75056"}
    ]
    assert paris_unit([{**paris, "siren": None}]) == []  # versions before 2022 have no SIREN for communes


def test_when_a_decree_edition_also_lists_sites_then_the_error_names_its_sites_from(tmp_path, monkeypatch):
    folder = tmp_path / "params" / "national-2024"
    folder.mkdir(parents=True)
    (folder / "edition.yml").write_text(
        "edition: national-2024\nkind: national\ntitle: T\npublisher: P\nreference_date: 2024-12-31\n"
        "sites_from: q1_decree\nsites: [{slug: a}]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COHORTE_HOME", str(tmp_path))
    with pytest.raises(ParamsError, match=r"sites_from: q1_decree generates the sites; remove the 'sites' list"):
        load_edition("national-2024")
