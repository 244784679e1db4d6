"""The command line: help everywhere, and the published indicator table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cohorte.cli import main

COMMANDS = [
    [],
    ["demo-data"],
    ["check"],
    ["indicators"],
    ["build"],
    ["new-site"],
    ["grids"],
    ["grids", "export"],
    ["grids", "import"],
    ["grids", "table"],
    ["grids", "history"],
    ["texts", "export"],
    ["texts", "import"],
    ["texts", "history"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "cohorte")
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_indicators_writes_the_published_table_for_every_site(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "indicators.csv"
    result = CliRunner().invoke(main, ["indicators", "2020", "--data", str(tiny_data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "rows for 12 sites written to" in result.output
    table = pd.read_csv(out)
    for column in ("site", "indicator", "breakdown", "value", "numerator", "denominator", "target", "met"):
        assert column in table.columns
    counts = table[["numerator", "denominator"]].stack()
    assert not ((counts > 0) & (counts < 5)).any(), "a count below the disclosure threshold was published"
    assert table["suppressed"].any(), "a two-site toy edition must suppress its small cells"


@pytest.mark.slow
def test_indicators_on_the_demo_edition_fall_in_the_national_ranges(kit_home: Path) -> None:
    assert CliRunner().invoke(main, ["demo-data", "2020"]).exit_code == 0
    result = CliRunner().invoke(main, ["indicators", "2020"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(kit_home / "outputs" / "2020" / "indicators.csv", keep_default_na=False, na_values=[""])
    site_level = table[table["breakdown"].isna()].pivot(index="site", columns="indicator", values="value")
    assert len(site_level) == 12
    assert site_level["pressure"].between(3, 8).all()
    assert site_level["q1_outside_qpv"].between(5, 35).all() and (site_level["q1_outside_qpv"] < 25).mean() > 0.5
    assert (site_level["non_q1_in_qpv"] > 50).all()
    assert site_level["mutation_share"].between(25, 40).all()
    assert site_level["q1_threshold"].between(6000, 10500).all()


def test_when_the_edition_names_a_broken_cotation_grid_then_indicators_name_its_file(
    kit_home: Path, tiny_data: Path
) -> None:
    (kit_home / "grille.yml").write_text("name: grille locale\ncriteria: 12\n", encoding="utf-8")
    params = kit_home / "params" / "2020" / "edition.yml"
    params.write_text(
        params.read_text(encoding="utf-8").replace("cotation_grid: null", "cotation_grid: grille.yml"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["indicators", "2020", "--data", str(tiny_data)])
    assert result.exit_code == 1
    assert f"{kit_home / 'grille.yml'}: key 'criteria'" in result.output
