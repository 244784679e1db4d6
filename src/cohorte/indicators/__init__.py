"""The indicators of docs/domain.md §3, for every site of an edition in one pass.

``compute_indicators`` returns the **unsuppressed** tidy table (docs/data-contract.md): it must go
through ``cohorte.indicators.disclosure.publish`` before anything is written or shown. Each family lives in its
own module (targets, demand, stock, flux, cotation); ids, labels and units are in ``INDICATORS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

import pandas as pd

from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.indicators import cotation, demand, flux, stock
from cohorte.indicators import targets as attribution_targets
from cohorte.indicators.cotation import CotationGrid, load_cotation_grid
from cohorte.indicators.registry import COLUMNS, INDICATORS, IndicatorSpec, not_computable
from cohorte.indicators.targets import apply_targets, build_targets
from cohorte.reference.q1 import decree_thresholds

__all__ = [
    "COLUMNS",
    "INDICATORS",
    "CotationGrid",
    "IndicatorSpec",
    "build_targets",
    "compute_indicators",
    "load_cotation_grid",
]


class InputsLike(Protocol):
    """The input tables, read-only (``cohorte.inputs.Inputs`` or any object with these attributes)."""

    @property
    def demands(self) -> pd.DataFrame: ...
    @property
    def attributions(self) -> pd.DataFrame: ...
    @property
    def housing_stock(self) -> pd.DataFrame: ...
    @property
    def cal_presentations(self) -> pd.DataFrame: ...
    @property
    def q1_thresholds(self) -> pd.DataFrame | None: ...


def _check_sites(inputs: InputsLike, sites: list[str]) -> None:
    problems = []
    for table in ("demands", "attributions", "housing_stock"):
        unknown = sorted(set(getattr(inputs, table)["epci"].dropna().unique()) - set(sites))
        if unknown:
            problems.append(
                f"{table}: epci {unknown[:5]} are not sites of the edition; "
                f"map them to a site slug or add the site to edition.yml"
            )
    if problems:
        raise InputDataError(problems)


class _Tables(NamedTuple):
    demands: pd.DataFrame
    attributions: pd.DataFrame
    housing_stock: pd.DataFrame
    cal_presentations: pd.DataFrame
    q1_thresholds: pd.DataFrame | None


def _with_site_codes(frame: pd.DataFrame, sites: list[str]) -> pd.DataFrame:
    return frame.assign(epci=pd.Categorical(frame["epci"].astype(object), categories=sites))


def _cotation_by_grid(
    active: pd.DataFrame,
    attributions: pd.DataFrame,
    edition: Edition,
    grid: CotationGrid | str | Path | Mapping | None,
    reference: pd.Timestamp,
) -> list[pd.DataFrame]:
    """Cotation rows, each site scored with its grid: ``grid`` for every site when given, else each
    site's own grid from the edition (``Edition.cotation_grid_path``)."""
    if grid is not None:
        return [
            cotation.cotation_indicators(
                active, attributions, load_cotation_grid(grid), reference_date=reference, sites=edition.slugs
            )
        ]
    by_path: dict[Path, list[str]] = {}
    for slug, path in edition.cotation_grid_paths().items():
        by_path.setdefault(path, []).append(slug)
    return [
        cotation.cotation_indicators(
            active, attributions, load_cotation_grid(path), reference_date=reference, sites=slugs
        )
        for path, slugs in by_path.items()
    ]


def compute_indicators(
    inputs: InputsLike,
    edition: Edition,
    targets: pd.DataFrame | None = None,
    cotation_grid: CotationGrid | str | Path | Mapping | None = None,
) -> pd.DataFrame:
    """Every indicator for every site of ``edition``, unsuppressed, compared with ``targets``
    (``build_targets`` output; national defaults when None). ``cotation_grid`` scores every site
    when given; by default each site is scored with its own grid (``Edition.cotation_grid_path``)."""
    sites = edition.slugs
    _check_sites(inputs, sites)
    inputs_given = inputs
    settings = edition.indicators
    reference = pd.Timestamp(edition.reference_date)
    year = edition.year
    # factorize each table's site column once: every grouping below then works on integer codes
    frames = {
        name: _with_site_codes(getattr(inputs, name), sites) for name in ("demands", "attributions", "housing_stock")
    }
    inputs = _Tables(**frames, cal_presentations=inputs.cal_presentations, q1_thresholds=inputs.q1_thresholds)
    active = demand.active_at(inputs.demands, reference)
    delays = {s.slug: s.abnormal_delay_months or settings.abnormal_delay_months for s in edition.sites}

    target_rows, thresholds = attribution_targets.target_indicators(
        active,
        inputs.attributions,
        inputs.q1_thresholds,
        year=year,
        sites=sites,
        scale=settings.uc_scale,
        decree=decree_thresholds(year, edition.sirens),
    )
    q1_demand = attribution_targets.q1_status(active, thresholds, settings.uc_scale)
    table = pd.concat(
        [
            target_rows,
            demand.demand_indicators(
                active,
                inputs.attributions,
                inputs.cal_presentations,
                reference_date=reference,
                year=year,
                abnormal_delay_months=delays,
                poulidor_min_presentations=settings.poulidor_min_presentations,
                sites=sites,
            ),
            stock.stock_indicators(
                inputs.housing_stock, active, q1_demand, max_rent=settings.q1_max_rent_eur, sites=sites
            ),
            flux.flux_indicators(
                inputs.housing_stock,
                inputs.attributions,
                state_max_share=settings.flux_state_max_share,
                state_staff_max_share=settings.flux_state_staff_max_share,
                sites=sites,
            ),
            *_cotation_by_grid(active, inputs.attributions, edition, cotation_grid, reference),
        ],
        ignore_index=True,
    )
    table = table[~table["indicator"].isin(not_computable(getattr(inputs_given, "lacking", {})))]
    table = apply_targets(table, build_targets(edition) if targets is None else targets)
    order = {name: i for i, name in enumerate(INDICATORS)}
    table = table.assign(
        _site=table["site"].map({s: i for i, s in enumerate(sites)}), _ind=table["indicator"].map(order)
    )
    table = table.sort_values(["_site", "_ind", "breakdown"], kind="stable").drop(columns=["_site", "_ind"])
    return table[COLUMNS].reset_index(drop=True)
