"""Shared fixtures: a kit home in a temporary folder and a tiny valid input data set."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path

import pandas as pd
import pytest

# `executed` (rendered notebooks shared by the build tests); chromium through pytest-playwright
pytest_plugins = ["render_fixture", "browser"]

REPO = Path(__file__).resolve().parents[1]
_SESSION_HOME: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Run the whole session (nbval's kernels included) in a temporary COHORTE_HOME, so that no test
    writes data or outputs into the repository."""
    global _SESSION_HOME
    if "COHORTE_HOME" not in os.environ:
        _SESSION_HOME = Path(tempfile.mkdtemp(prefix="cohorte-tests-"))
        shutil.copytree(REPO / "params", _SESSION_HOME / "params")
        os.environ["COHORTE_HOME"] = str(_SESSION_HOME)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Generator[None, None, None]:
    """Notebooks run by nbval (``notebooks/*.ipynb``, ``tests/nbval/*.ipynb``) start kernels: slow.

    Tests then run in the order they were collected: pytest-playwright parametrizes every browser
    test with a session-scoped browser name, and pytest would regroup those tests across modules,
    tearing down a module's edition build in the middle of its tests and building it again."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
    collected = {id(item): i for i, item in enumerate(items)}
    result = yield
    items.sort(key=lambda item: collected.get(id(item), len(collected)))
    return result


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Notebooks run by nbval read the demo edition's data: generate it once, as a user would with
    `cohorte demo-data 2020` (the notebooks themselves never generate data)."""
    if type(item).__name__ == "IPyNbCell" and _SESSION_HOME is not None:
        from cohorte.editions import load_edition
        from cohorte.inputs.demo import ensure_demo_data

        ensure_demo_data(load_edition(2020))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_HOME is not None:
        shutil.rmtree(_SESSION_HOME, ignore_errors=True)
        os.environ.pop("COHORTE_HOME", None)


@pytest.fixture(scope="session")
def base_url() -> None:
    """pytest-playwright's base URL: none, the site is opened from disk. (Defined here, it replaces
    the plugin's own fixture, whose form pytest deprecates.)"""
    return None


@pytest.fixture
def kit_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of params/ under a temporary COHORTE_HOME, free to break."""
    shutil.copytree(REPO / "params", tmp_path / "params")
    monkeypatch.setenv("COHORTE_HOME", str(tmp_path))
    return tmp_path


def tiny_tables() -> dict[str, pd.DataFrame]:
    """A valid, hand-made data set: two sites, a few rows per table."""
    demands = pd.DataFrame(
        {
            "demand_id": ["056200300000001A", "056201900000002B", "059201500000003C", "059202012000004D"],
            "epci": ["lorient-agglomeration", "lorient-agglomeration", "mel", "200093201"],
            "commune": ["56121", "56121", "59350", "59350"],
            "filing_date": ["2020-03-01", "2019-11-15", "2015-06-30", "31/12/2020"],
            "household_size": [1, 3, 2, 4],
            "persons_14_plus": [1, 2, 2, 2],
            "children_under_14": [0, 1, 0, 2],
            "monthly_resources_eur": ["900", "1500,50", "", "2100"],
            "current_housing": ["LP", "HLM", "CPE", "HLM"],
            "requested_typology": ["T1", "T3", "T2", "T4"],
            "reasons": ["03", "12;15", "", "01"],
            "dalo": ["false", "false", "true", "non"],
            "priority": ["false", "true", "true", "oui"],
        }
    )
    attributions = pd.DataFrame(
        {
            "demand_id": ["056201900000010A", "059202000000011B", "059201800000012C"],
            "epci": ["lorient-agglomeration", "mel", "mel"],
            "commune": ["56121", "59350", "59350"],
            "in_qpv": ["false", "true", "false"],
            "lease_date": ["2020-05-01", "2020-07-15", "2020-12-31"],
            "filing_date": ["2019-02-01", "2020-01-10", "2018-04-04"],
            "household_size": [2, 1, 3],
            "persons_14_plus": [2, 1, 1],
            "children_under_14": [0, 0, 2],
            "monthly_resources_eur": [700, 1300, 1100],
            "typology": ["T2", "T1", "T3"],
            "reservataire": ["PPRIOR", "COLACT", "AUCUN"],
            "priority": ["true", "false", "false"],
            "dalo": ["true", "false", "false"],
            "anru_rehousing": ["false", "false", "true"],
            "mutation": ["false", "true", "false"],
            "landlord": ["Lorient Habitat", "Vilogia", "LMH"],
        }
    )
    stock = pd.DataFrame(
        {
            "dwelling_id": ["L1", "L2", "M1", "M2"],
            "epci": ["lorient-agglomeration", "lorient-agglomeration", "mel", "mel"],
            "commune": ["56121", "56121", "59350", "59350"],
            "in_qpv": ["true", "false", "true", "false"],
            "rooms": [2, 3, 1, 4],
            "surface_m2": [45.5, 68, 30, 85],
            "financing": ["PLUS", "PLAI", "PLS", "PLUS"],
            "monthly_rent_eur": [320, 290, 410, 480],
            "construction_year": [1972, 2005, 1965, 2012],
            "lease_start": ["2018-01-01", "", "2020-07-15", "2010-05-01"],
            "landlord": ["Lorient Habitat", "Bretagne Sud Habitat", "LMH", "Vilogia"],
            "reserved_for": ["PPRIOR", "AUCUN", "COLACT", "COLTER"],
        }
    )
    cal = pd.DataFrame(
        {
            "demand_id": ["056201900000010A", "059202000000011B", "056201900000002B"],
            "commission_date": ["2020-04-20", "2020-07-01", "2020-09-09"],
            "rank": [1, 1, 2],
            "decision": ["ATTRIB", "ATTRIB", "NON_ATTRIB"],
        }
    )
    thresholds = pd.DataFrame(
        {"year": [2020], "epci": ["mel"], "threshold_eur_per_uc": [7850.0], "source": ["arrêté (valeur fictive)"]}
    )
    return {
        "demands": demands,
        "attributions": attributions,
        "housing_stock": stock,
        "cal_presentations": cal,
        "q1_thresholds": thresholds,
    }


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False)
        elif fmt == "xlsx":
            frame.to_excel(folder / f"{name}.xlsx", index=False)
        else:
            frame.astype(str).to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A folder holding the tiny valid data set as CSV."""
    return write_tables(tiny_tables(), tmp_path / "data")


@pytest.fixture
def home_2020(kit_home: Path) -> Path:
    """``kit_home`` without the demonstration edition 2021, for tests that start it again from 2020."""
    shutil.rmtree(kit_home / "params/2021")
    return kit_home


@pytest.fixture(autouse=True)
def _charts_without_illustration_lead():
    """A demo document's loader leads chart titles with the illustration mark: no test inherits it."""
    from cohorte.report.figures.style import illustrate

    yield
    illustrate("")
