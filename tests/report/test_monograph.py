"""The monograph façade on a tiny prepared slice: context, tables, key figures and their provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorte import __version__, config
from cohorte.editions import load_edition
from cohorte.errors import InputDataError
from cohorte.indicators.published import write_site_slices
from cohorte.report import monograph
from cohorte.report.formatting import NBSP
from published_tables import published

NA = np.nan


def published_rows() -> pd.DataFrame:
    return published(
        ("mel", "q1_outside_qpv", "", 18.4, 30, 163, 25.0, False),
        ("mel", "non_q1_in_qpv", "", NA, NA, NA, 50.0, pd.NA),
        ("mel", "pressure", "", 6.6, 12480, 1905, NA, pd.NA),
        ("mel", "priority_publics", "PPRIOR", 41.0, 41, 100, 25.0, True),
        ("carene", "pressure", "", 4.2, 420, 100, NA, pd.NA),
        columns=("site", "indicator", "breakdown", "value", "numerator", "denominator", "target", "met"),
    )


@pytest.fixture
def ctx(kit_home: Path) -> monograph.SiteContext:
    edition = load_edition(2020)
    folders = write_site_slices(edition, published_rows(), {"demands.csv": "d" * 64})
    return monograph.load_site(2020, "mel", folders["mel"])


def test_when_loaded_from_a_slice_then_the_context_holds_only_the_site_rows_and_the_inputs(
    ctx: monograph.SiteContext,
) -> None:
    assert set(ctx.table["site"]) == {"mel"} and len(ctx.table) == 4
    assert ctx.is_demo is True and ctx.inputs == {"demands.csv": "d" * 64}
    assert ctx.site.slug == "mel"


def test_indicator_table_formats_values_targets_and_status_in_french(ctx: monograph.SiteContext) -> None:
    table = monograph.indicator_table(ctx, ["q1_outside_qpv", "non_q1_in_qpv", "poulidors"])
    assert table.values.tolist() == [
        [table.iloc[0, 0], f"18,4{NBSP}%", f"25{NBSP}%", "non atteint"],
        [table.iloc[1, 0], "n.s.", f"50{NBSP}%", ""],
    ], "an indicator without a row is left out"


def test_when_the_site_sets_no_local_or_differentiated_target_then_the_targets_table_has_no_column_of_dashes(
    ctx: monograph.SiteContext,
) -> None:
    table = monograph.targets_table(ctx)
    columns = list(table.columns)
    for column in columns:
        assert not (table[column] == "—").all(), column
    assert columns[0] == "Objectif" and columns[-1] == "Situation"


def test_breakdown_table_names_the_reservataire_with_its_count_and_target(ctx: monograph.SiteContext) -> None:
    table = monograph.breakdown_table(ctx, "priority_publics", "Réservataire")
    assert table.iloc[0].tolist()[1:] == [f"41,0{NBSP}%", "100", f"25{NBSP}%"]


def test_key_figures_carry_the_published_rows_and_the_provenance_block(
    ctx: monograph.SiteContext, tmp_path: Path
) -> None:
    path = monograph.write_key_figures(ctx, tmp_path)
    assert path == tmp_path / config.KEY_FIGURES_FILE
    figures = json.loads(path.read_text(encoding="utf-8"))
    assert figures["site"]["slug"] == "mel" and figures["demo_data"] is True
    assert figures["provenance"]["kit_version"] == __version__
    assert figures["provenance"]["inputs"] == {"demands.csv": "d" * 64} and figures["provenance"]["git_commit"]
    q1 = next(r for r in figures["indicators"] if r["indicator"] == "q1_outside_qpv")
    assert q1["value"] == 18.4 and q1["met"] is False
    assert next(r for r in figures["indicators"] if r["indicator"] == "non_q1_in_qpv")["value"] is None
    assert "18,4" in figures["sentences"]["q1_outside_qpv"]


def test_when_opened_without_a_slice_or_data_then_it_says_what_to_run(kit_home: Path) -> None:
    with pytest.raises(InputDataError, match=r"run `cohorte demo-data 2020`"):
        monograph.load_site(2020, "mel")


def test_when_a_monograph_is_built_on_demo_data_then_its_findings_read_as_illustrations(ctx) -> None:
    from dataclasses import replace

    demo, real = monograph.sentences(replace(ctx, is_demo=True)), monograph.sentences(replace(ctx, is_demo=False))
    assert demo["q1_outside_qpv"].startswith("Illustration sur données fictives : 18,4")
    assert not real["q1_outside_qpv"].startswith("Illustration")
    assert not demo["cotation_deadline"].startswith("Illustration"), "the law is not fictitious"
