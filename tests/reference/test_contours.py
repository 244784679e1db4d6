"""Contours: the shipped vintages load, an EPCI lands in its département, a missing vintage is named."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cohorte.errors import ParamsError
from cohorte.reference.contours import (
    GEO_DIR,
    containing,
    departements_layer,
    epci_layer,
    epci_vintage,
    interior_point,
    load_layer,
    nearest_vintage,
    provenance,
    region_of_departement,
    shipped,
)

LORIENT, STRASBOURG = "200042174", "246700488"


def test_when_an_edition_year_is_not_shipped_then_the_nearest_vintage_is_used() -> None:
    assert shipped("epci") == (2022, 2025)
    assert (epci_vintage(2020), epci_vintage(2022), epci_vintage(2024), epci_vintage(2031)) == (2022, 2022, 2025, 2025)


def test_when_an_epci_is_loaded_then_its_polygon_lies_in_its_departement_box() -> None:
    epci, departements = epci_layer(2020), departements_layer(2020)
    for siren, departement in ((LORIENT, "56"), (STRASBOURG, "67")):
        xmin, ymin, xmax, ymax = departements.bounds_of(departement)
        for ring in epci.polygons_of(siren):
            assert (ring[:, 0] >= xmin).all() and (ring[:, 0] <= xmax).all()
            assert (ring[:, 1] >= ymin).all() and (ring[:, 1] <= ymax).all()
        assert containing(departements, interior_point(epci, siren)) == departement


def test_when_a_departement_is_placed_then_its_region_is_found_from_the_contours() -> None:
    assert (region_of_departement("56", 2020), region_of_departement("67", 2020)) == ("53", "44")
    assert region_of_departement("974", 2020) == "04"


def test_when_a_vintage_is_loaded_twice_then_it_is_read_once() -> None:
    assert load_layer("epci", 2022) is epci_layer(2021)


def test_when_a_vintage_is_missing_then_the_error_names_the_file_and_the_shipped_years(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"epci-2019\.geojson\.gz: no epci contours for 2019 \(shipped: 2022, 2025\)"):
        load_layer("epci", 2019)
    with pytest.raises(ParamsError, match=r"no epci-YEAR\.geojson\.gz contours shipped"):
        nearest_vintage("epci", 2020, tmp_path)


def test_when_a_feature_has_no_code_then_the_error_names_the_file_and_the_feature(tmp_path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": None}]}
    with gzip.open(tmp_path / "regions-2030.geojson.gz", "wt", encoding="utf-8") as handle:
        json.dump(collection, handle)
    with pytest.raises(ParamsError, match=r"regions-2030\.geojson\.gz, feature 0: no 'code' property"):
        load_layer("regions", 2030, tmp_path)


def test_when_the_contours_are_shipped_then_their_provenance_and_licence_are_recorded() -> None:
    record = provenance()
    files = {f["file"]: f for f in record["files"]}
    assert set(files) == {p.name for p in GEO_DIR.glob("*.geojson.gz")}
    assert files["epci-2022.geojson.gz"]["source"]["repository"] == "MaelTheuliere/COGiter"
    assert "Licence Ouverte" in record["licence"]["data"]
