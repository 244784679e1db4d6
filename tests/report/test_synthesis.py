"""The synthesis façade on tiny key-figure files: what is read, counted and written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cohorte import config
from cohorte.report import synthesis


def write_figures(folder: Path, slug: str, rows: list[dict], demo: bool = True) -> None:
    path = folder / slug / config.KEY_FIGURES_FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"site": {"slug": slug}, "demo_data": demo, "indicators": rows}), encoding="utf-8")


def row(slug: str, indicator: str, value: float | None, target: float | None = None, met: bool | None = None) -> dict:
    return {"site": slug, "indicator": indicator, "breakdown": None, "value": value, "target": target, "met": met}


@pytest.fixture
def ctx(kit_home: Path, tmp_path: Path) -> synthesis.SynthesisContext:
    sites = tmp_path / "sites"
    write_figures(sites, "mel", [row("mel", "q1_outside_qpv", 27.0, 25.0, True), row("mel", "pressure", 6.6)])
    write_figures(sites, "carene", [row("carene", "q1_outside_qpv", 12.0, 25.0, False), row("carene", "pressure", None)], demo=False)
    write_figures(sites, "agglopolys", [row("agglopolys", "q1_outside_qpv", None, 25.0, None)], demo=False)
    return synthesis.load_synthesis(2020, sites)


def test_when_some_sites_have_no_key_figures_then_they_are_listed_as_missing(ctx: synthesis.SynthesisContext) -> None:
    assert sorted(set(ctx.indicators["site"])) == ["agglopolys", "carene", "mel"]
    assert len(ctx.missing) == 9 and "mel" not in ctx.missing
    assert ctx.is_demo is True, "one site on demo data makes the synthesis a demo"
    assert "manquent" in synthesis.missing_markdown(ctx)


def test_met_counts_only_the_sites_where_the_target_is_measurable(ctx: synthesis.SynthesisContext) -> None:
    assert ctx.places.met("q1_outside_qpv") == 1
    assert ctx.places.measured("q1_outside_qpv") == 2, "agglopolys has no value: not measurable"


def test_indicators_table_shows_ns_where_a_site_figure_is_suppressed(ctx: synthesis.SynthesisContext) -> None:
    table = synthesis.indicators_table_fr(ctx, ["pressure"])
    shown = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    assert shown[ctx.name("mel")] == "6,6" and shown[ctx.name("carene")] == "n.s."


def test_write_tables_writes_the_three_synthesis_tables_under_tables(ctx: synthesis.SynthesisContext, tmp_path: Path) -> None:
    written = synthesis.write_tables(ctx, tmp_path / "out")
    assert list(written) == list(config.SYNTHESIS_TABLES)
    assert all(p.parent == tmp_path / "out" / "tables" for p in written.values())
    indicators = pd.read_csv(written["indicators.csv"])
    assert list(indicators.columns) == synthesis.PUBLISHED_COLUMNS and len(indicators) == 5
    assert len(pd.read_csv(written["sites.csv"])) == 12


def test_status_table_counts_every_site_from_the_grids(ctx: synthesis.SynthesisContext) -> None:
    table = synthesis.status_table(ctx, "governance.cia.status")
    assert table["Sites"].sum() == 12
    assert set(table["Situation"]) <= {"adopté", "en cours", "aucun", "non documenté"}
