"""Cotation (décret 2019-1378, docs/domain.md §3): score every demand with a grid read from YAML, then show
the score distribution, where attributed households stood in it, and what a score-ordered allocation
would have changed.

Method and its limits (the rows of attributed households are flagged ``estimated``):
- everyone is scored **at the reference date** (seniority = whole months from filing to 31/12): the
  pool of the year is the active demands plus the households housed during the year;
- the attributions table has no ``current_housing``, ``reasons`` nor ``requested_typology``: an
  attributed household's current housing is "HLM" when it was a mutation and unknown otherwise, its
  reasons are unknown (criteria on unknown fields give no points, so attributed households may be
  under-scored) and its requested typology is the typology let;
- score-ordered allocation: for each site and typology with n attributions, the n best scores of the
  pool (ties: older filing first, then demand id) would have been housed; ``cotation_reordered_share``
  is the share of attributed households outside those n.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, ValidationError, model_validator

from cohorte import config
from cohorte.errors import ParamsError
from cohorte.indicators.registry import complete_months, count_rows, per_site, rows, share_rows
from cohorte.inputs.codes import MUTATION_HOUSING
from cohorte.validation import Strict, format_validation_error, read_yaml

SCORABLE_FIELDS = (
    "dalo",
    "priority",
    "current_housing",
    "reasons",
    "requested_typology",
    "household_size",
    "persons_14_plus",
    "children_under_14",
    "monthly_resources_eur",
    "commune",
)

DEFAULT_BANDS: tuple[float, ...] = (0, 10, 20, 30, 40, 50, 75, 100, 150)  # lower bounds of the score bands


class _Strict(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Criterion(_Strict):
    id: str
    label: str
    field: str
    points: float
    equals: bool | int | float | str | None = None
    in_: list[str] | None = Field(None, alias="in")
    contains_any: list[str] | None = None
    min: float | None = None
    max: float | None = None
    group: str | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> Criterion:
        if self.field not in SCORABLE_FIELDS:
            raise ValueError(
                f"criterion {self.id!r}: field {self.field!r} is not a demand column; "
                f"expected one of {list(SCORABLE_FIELDS)}"
            )
        kinds = [
            k
            for k, v in (("equals", self.equals), ("in", self.in_), ("contains_any", self.contains_any))
            if v is not None
        ]
        if self.min is not None or self.max is not None:
            kinds.append("min/max")
        if len(kinds) != 1:
            raise ValueError(
                f"criterion {self.id!r}: give exactly one condition among equals, in, contains_any, "
                f"min/max (found {kinds or 'none'})"
            )
        return self


class Seniority(_Strict):
    points_per_month: float = Field(1, ge=0)
    max_points: float | None = Field(None, ge=0)


class Caps(_Strict):
    criteria: float | None = Field(None, ge=0)
    groups: dict[str, float] = Field(default_factory=dict)
    total: float | None = Field(None, ge=0)


class CotationGrid(_Strict):
    name: str
    version: int | str = 1
    # "illustrative": a grid the kit applies to show what a cotation would give, not the grid a site
    # adopted; "adopted": the site's grid as its CIL adopted it, named in ``source``.
    status: Literal["illustrative", "adopted"] = "illustrative"
    source: str | None = None
    criteria: list[Criterion] = Field(min_length=1)
    seniority: Seniority = Seniority()
    caps: Caps = Caps()
    bands: list[float] = Field(default_factory=lambda: list(DEFAULT_BANDS))

    @model_validator(mode="after")
    def _coherent(self) -> CotationGrid:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate criterion ids {sorted({i for i in ids if ids.count(i) > 1})}")
        groups = {c.group for c in self.criteria if c.group}
        unknown = sorted(set(self.caps.groups) - groups)
        if unknown:
            raise ValueError(f"caps.groups names groups no criterion belongs to: {unknown}")
        if self.status == "adopted" and not (self.source or "").strip():
            raise ValueError("status 'adopted' needs a 'source' naming the deliberation that adopted the grid")
        if self.bands != sorted(self.bands) or len(set(self.bands)) != len(self.bands) or self.bands[0] != 0:
            raise ValueError("bands must be increasing lower bounds starting at 0, e.g. [0, 10, 20]")
        return self

    def band_labels(self) -> list[str]:
        def fmt(x: float) -> str:
            return f"{x:g}"

        bounds = self.bands
        return [f"{fmt(lo)}-{fmt(hi - 1)}" for lo, hi in itertools.pairwise(bounds)] + [f"{fmt(bounds[-1])}+"]


def load_cotation_grid(source: str | Path | Mapping | CotationGrid | None = None) -> CotationGrid:
    """A validated grid from a YAML path, a mapping, or the kit's example ``templates/cotation-grid.yml``."""
    if isinstance(source, CotationGrid):
        return source
    path = Path(source) if isinstance(source, (str, Path)) else config.templates_dir() / "cotation-grid.yml"
    raw = source if isinstance(source, Mapping) else read_yaml(path)
    where = Path("<cotation grid>") if isinstance(source, Mapping) else path
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{where}: expected a mapping with name, criteria, seniority, caps, bands")
    try:
        return CotationGrid.model_validate(dict(raw))
    except ValidationError as exc:
        raise ParamsError("\n".join(format_validation_error(where, exc))) from None


# --- scoring --------------------------------------------------------------------------------


def _matches(criterion: Criterion, column: pd.Series) -> np.ndarray:
    if criterion.contains_any is not None:
        pattern = "(?:^|;)(?:" + "|".join(re.escape(c) for c in criterion.contains_any) + ")(?:;|$)"
        return column.astype(object).fillna("").astype(str).str.contains(pattern, regex=True).to_numpy(bool)
    if criterion.in_ is not None:
        return column.isin(criterion.in_).to_numpy(bool)
    if criterion.equals is not None:
        return (column == criterion.equals).fillna(False).to_numpy(bool)
    numbers = pd.to_numeric(column, errors="coerce")
    ok = numbers.notna()
    if criterion.min is not None:
        ok &= numbers >= criterion.min
    if criterion.max is not None:
        ok &= numbers <= criterion.max
    return ok.fillna(False).to_numpy(bool)


def score(frame: pd.DataFrame, grid: CotationGrid, reference_date: pd.Timestamp) -> pd.Series:
    """Score of each row: capped criteria points plus capped seniority points, within caps.total, ≥ 0.
    A criterion on a column the frame lacks, or on a missing value, gives no points."""
    groups: dict[str | None, np.ndarray] = {}
    for criterion in grid.criteria:
        if criterion.field not in frame.columns:
            continue
        points = np.where(_matches(criterion, frame[criterion.field]), criterion.points, 0.0)
        groups[criterion.group] = groups.get(criterion.group, 0.0) + points
    criteria = np.zeros(len(frame))
    for group, points in groups.items():
        cap = grid.caps.groups.get(group) if group else None
        criteria = criteria + (np.minimum(points, cap) if cap is not None else points)
    if grid.caps.criteria is not None:
        criteria = np.minimum(criteria, grid.caps.criteria)
    months = complete_months(frame["filing_date"], reference_date).fillna(0).clip(lower=0).to_numpy()
    seniority = months * grid.seniority.points_per_month
    if grid.seniority.max_points is not None:
        seniority = np.minimum(seniority, grid.seniority.max_points)
    total = criteria + seniority
    if grid.caps.total is not None:
        total = np.minimum(total, grid.caps.total)
    return pd.Series(np.maximum(total, 0.0), index=frame.index, name="score")


# Demand fields the attributions table does not carry (current housing is only known for mutations).
FIELDS_UNKNOWN_FOR_ATTRIBUTIONS = ("current_housing", "reasons")


def fields_unknown_for_attributions(grid: CotationGrid) -> list[str]:
    """The fields the grid scores that attributed households lack: their scores are then estimates."""
    return sorted({c.field for c in grid.criteria} & set(FIELDS_UNKNOWN_FOR_ATTRIBUTIONS))


def attributed_as_applicants(attributions: pd.DataFrame) -> pd.DataFrame:
    """The attributed households in the shape of demands (see the module docstring for the gaps)."""
    frame = attributions.copy()
    frame["current_housing"] = np.where(attributions["mutation"].astype(bool), MUTATION_HOUSING, None)  # type: ignore[call-overload]  # numpy stubs lack str/None
    frame["reasons"] = None
    frame["requested_typology"] = attributions["typology"]
    return frame


def band(scores: pd.Series, grid: CotationGrid) -> pd.Series:
    labels = grid.band_labels()
    codes = np.searchsorted(np.asarray(grid.bands, dtype=float), scores.to_numpy(float), side="right") - 1
    return pd.Series(np.asarray(labels, dtype=object)[codes], index=scores.index)


def percentile_in(sites_a: pd.Series, scores_a: pd.Series, sites_b: pd.Series, scores_b: pd.Series) -> pd.Series:
    """For each row of b: percent of the same site's rows of a with a lower score (ties count half).

    One sort of all sites at once: each score is offset by its site's position so that a single
    ``searchsorted`` finds, per site, the rows below and the ties."""
    all_sites = pd.Index(pd.unique(pd.concat([sites_a, sites_b], ignore_index=True)))
    span = float(max(scores_a.max(), scores_b.max(), 0) - min(scores_a.min(), scores_b.min(), 0)) + 1.0
    if np.isnan(span):
        return pd.Series(np.nan, index=scores_b.index)
    pos_a, pos_b = all_sites.get_indexer(sites_a), all_sites.get_indexer(sites_b)
    keys_a = np.sort(pos_a * span * 2 + scores_a.to_numpy(float))
    keys_b = pos_b * span * 2 + scores_b.to_numpy(float)
    below = np.searchsorted(keys_a, keys_b, side="left")
    upto = np.searchsorted(keys_a, keys_b, side="right")
    start = np.searchsorted(keys_a, pos_b * span * 2 - span, side="left")
    size = np.bincount(pos_a, minlength=len(all_sites))[pos_b]
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100 * ((below - start) + (upto - below) / 2) / size
    return pd.Series(np.where(size > 0, pct, np.nan), index=scores_b.index)


def reordered(pool: pd.DataFrame) -> pd.Series:
    """For each attributed row of the pool (``site, typology, score, filing_date, demand_id, attributed``):
    True when a score-ordered allocation of the same number of dwellings per site and typology would
    have housed someone else."""
    ordered = pool.sort_values(
        ["site", "typology", "score", "filing_date", "demand_id"],
        ascending=[True, True, False, True, True],
        kind="stable",
    )
    rank = ordered.groupby(["site", "typology"], sort=False).cumcount()
    quota = ordered.groupby(["site", "typology"], sort=False)["attributed"].transform("sum")
    housed = rank < quota
    out = ordered["attributed"] & ~housed
    return out[ordered["attributed"]].reindex(pool.index[pool["attributed"]])


def _by_band(frame: pd.DataFrame, grid: CotationGrid, site_list: list[str]) -> pd.Series:
    """Row counts by (site, score band), every site and band present."""
    counts = frame.groupby(["site", "band"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=pd.Index(site_list, name="site"), columns=grid.band_labels(), fill_value=0)
    long = counts.stack(future_stack=True)
    long.index = long.index.set_names(["site", "breakdown"])
    return long


def _median(frame: pd.DataFrame, site_list: list[str]) -> tuple[pd.Series, pd.Series]:
    """Median score and row count of each site."""
    stats = frame.groupby("site")["score"].agg(["median", "size"]).reindex(pd.Index(site_list, name="site"))
    return stats["median"], stats["size"].fillna(0)


def _pool(
    demands: pd.DataFrame, attributions: pd.DataFrame, active_score: pd.Series, granted_score: pd.Series
) -> pd.DataFrame:
    """The pool of the year in the shape ``reordered`` expects: active demands, then attributed households."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "site": demands["epci"].to_numpy(),
                    "typology": demands["requested_typology"].to_numpy(),
                    "score": active_score.to_numpy(),
                    "filing_date": demands["filing_date"].to_numpy(),
                    "demand_id": demands["demand_id"].to_numpy(),
                    "attributed": False,
                }
            ),
            pd.DataFrame(
                {
                    "site": attributions["epci"].to_numpy(),
                    "typology": attributions["typology"].to_numpy(),
                    "score": granted_score.to_numpy(),
                    "filing_date": attributions["filing_date"].to_numpy(),
                    "demand_id": attributions["demand_id"].to_numpy(),
                    "attributed": True,
                }
            ),
        ],
        ignore_index=True,
    )


def _reordered_rows(pool: pd.DataFrame, site_list: list[str]) -> list[pd.DataFrame]:
    """``cotation_reordered_share`` rows: per site, then per site and typology."""
    housed = pool[pool["attributed"]].assign(moved=reordered(pool))
    den_t = housed.groupby(["site", "typology"]).size()
    num_t = housed[housed["moved"]].groupby(["site", "typology"]).size().reindex(den_t.index, fill_value=0)
    den_t.index = num_t.index = den_t.index.set_names(["site", "breakdown"])
    den = per_site(housed.groupby("site").size(), site_list)
    num = per_site(housed[housed["moved"]].groupby("site").size(), site_list)
    return [
        share_rows("cotation_reordered_share", num, den, estimated=True),
        share_rows(
            "cotation_reordered_share",
            num_t[num_t.index.get_level_values(0).isin(site_list)],
            den_t[den_t.index.get_level_values(0).isin(site_list)],
            estimated=True,
        ),
    ]


def cotation_indicators(
    demands: pd.DataFrame,
    attributions: pd.DataFrame,
    grid: CotationGrid,
    *,
    reference_date: pd.Timestamp,
    sites: Sequence[str],
) -> pd.DataFrame:
    """Every cotation row for all sites (see the module docstring for the method)."""
    site_list = list(sites)
    active_score = score(demands, grid, reference_date)
    granted_score = score(attributed_as_applicants(attributions), grid, reference_date)
    active = pd.DataFrame({"site": demands["epci"], "band": band(active_score, grid), "score": active_score})
    granted = pd.DataFrame({"site": attributions["epci"], "band": band(granted_score, grid), "score": granted_score})
    med_a, n_a = _median(active, site_list)
    med_g, n_g = _median(granted, site_list)
    granted["percentile"] = percentile_in(active["site"], active["score"], granted["site"], granted["score"])
    pct = granted.groupby("site")["percentile"].median().reindex(pd.Index(site_list, name="site"))
    pool = _pool(demands, attributions, active_score, granted_score)
    return pd.concat(
        [
            count_rows("cotation_score_band", per_site(active.groupby("site").size(), site_list)),
            count_rows("cotation_score_band", _by_band(active, grid, site_list)),
            count_rows("cotation_attributed_band", per_site(granted.groupby("site").size(), site_list), estimated=True),
            count_rows("cotation_attributed_band", _by_band(granted, grid, site_list), estimated=True),
            rows("cotation_median_score_active", med_a, denominator=n_a),
            rows("cotation_median_score_attributed", med_g, denominator=n_g, estimated=True),
            rows("cotation_attributed_percentile", pct, denominator=n_g, estimated=True),
            *_reordered_rows(pool, site_list),
        ],
        ignore_index=True,
    )
