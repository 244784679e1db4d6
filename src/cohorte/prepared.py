"""The aggregates each notebook receives: indicators for every site, computed once and published.

``published_indicators`` runs the whole chain (inputs → targets → indicators → disclosure control);
``write_site_slices`` writes one small file per site for ``cohorte build``, so that no notebook
re-reads the row-level tables. Only disclosure-controlled aggregates are ever written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import config, disclosure
from .editions import Edition
from .files import atomic_write_text
from .grids import Grid, load_grids
from .indicators import build_targets, compute_indicators
from .inputs import load_inputs

SLICE_FILE = "indicators.csv"


def site_targets(edition: Edition, grids: dict[str, Grid]) -> pd.DataFrame:
    """Targets per site: national defaults, the grid's local overrides and differentiated targets."""
    overrides = {slug: grid.attribution_policy.targets.model_dump() for slug, grid in grids.items()}
    differentiated = {
        slug: [t.model_dump() for t in grid.attribution_policy.differentiated_targets] for slug, grid in grids.items()
    }
    return build_targets(edition, overrides, differentiated)


def published_indicators(edition: Edition, data_dir: Path | None = None, grids: dict[str, Grid] | None = None) -> pd.DataFrame:
    """Every indicator of every site, after disclosure control (the only table that leaves the process)."""
    inputs = load_inputs(edition, data_dir)
    grids = load_grids(edition.edition) if grids is None else grids
    table = compute_indicators(inputs, edition, targets=site_targets(edition, grids))
    return disclosure.publish(table, edition.disclosure_threshold)


def slice_dir(edition: Edition, slug: str) -> Path:
    return config.outputs_dir(edition.edition) / "sites" / slug / "prepared"


def write_site_slices(edition: Edition, table: pd.DataFrame) -> dict[str, Path]:
    """Write each site's published indicators to ``outputs/EDITION/sites/SLUG/prepared/``."""
    folders = {}
    for slug in edition.slugs:
        folder = slice_dir(edition, slug)
        atomic_write_text(folder / SLICE_FILE, table[table["site"] == slug].to_csv(index=False))
        folders[slug] = folder
    return folders


def read_site_slice(folder: Path) -> pd.DataFrame:
    """Read back a site's published indicators (as written by ``write_site_slices``)."""
    return pd.read_csv(folder / SLICE_FILE, keep_default_na=False, na_values=[""], dtype={"breakdown": str})
