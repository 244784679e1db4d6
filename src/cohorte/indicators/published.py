"""The aggregates each notebook receives: indicators for every site, computed once and published.

``published_indicators`` runs the whole chain (inputs → targets → indicators → disclosure control);
``write_site_slices`` writes one small file per site for ``cohorte build``, so that no notebook
re-reads the row-level tables. Only disclosure-controlled aggregates are ever written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cohorte import config
from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.files import atomic_write_json, atomic_write_text
from cohorte.grids import Grid, load_grids
from cohorte.indicators import COLUMNS, build_targets, compute_indicators, disclosure
from cohorte.indicators.origins import site_facts
from cohorte.inputs.readers import load_inputs

SLICE_FILE = config.PREPARED_FILE
CONTEXT_FILE = "context.json"


def site_targets(edition: Edition, grids: dict[str, Grid]) -> pd.DataFrame:
    """Targets per site: national defaults, the grid's local overrides and differentiated targets."""
    overrides = {slug: grid.attribution_policy.targets.model_dump() for slug, grid in grids.items()}
    differentiated = {
        slug: [t.model_dump() for t in grid.attribution_policy.differentiated_targets] for slug, grid in grids.items()
    }
    return build_targets(edition, overrides, differentiated)


def published_indicators(edition: Edition, data_dir: Path | None = None, grids: dict[str, Grid] | None = None) -> pd.DataFrame:
    """Every indicator of every site, after disclosure control (the only table that leaves the process)."""
    return published_with_facts(edition, data_dir, grids)[0]


def published_with_facts(edition: Edition, data_dir: Path | None = None,
                         grids: dict[str, Grid] | None = None) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The published indicators and, per site, where its figures come from (``origins.site_facts``)."""
    inputs = load_inputs(edition, data_dir)
    grids = load_grids(edition.edition) if grids is None else grids
    table = compute_indicators(inputs, edition, targets=site_targets(edition, grids), cotation_grid=None)
    is_demo = config.is_demo_folder(Path(data_dir)) if data_dir else edition.uses_demo_data
    facts = site_facts(edition, inputs.q1_thresholds, is_demo=is_demo)
    return disclosure.publish(table, edition.disclosure_threshold), facts


def with_demo_flag(frame: pd.DataFrame, is_demo: bool) -> pd.DataFrame:
    """The frame with a ``demo_data`` column (True: figures computed on demo data, fictitious), for
    every CSV that publishes figures."""
    return frame.assign(demo_data=bool(is_demo))


def write_site_slices(edition: Edition, table: pd.DataFrame, facts: dict[str, dict] | None = None) -> dict[str, Path]:
    """Write each site's published indicators to ``outputs/EDITION/sites/SLUG/prepared/``, with the
    facts its sentences state (``origins.site_facts``) in ``context.json``."""
    folders = {}
    for slug in edition.slugs:
        folder = config.prepared_dir(edition.edition, slug)
        atomic_write_text(folder / SLICE_FILE, table[table["site"] == slug].to_csv(index=False))
        context = {"demo_data": edition.uses_demo_data, "facts": (facts or {}).get(slug, {})}
        atomic_write_json(folder / CONTEXT_FILE, context)
        folders[slug] = folder
    return folders


def read_site_context(folder: Path) -> dict:
    """What the build knew of the data behind a slice (``demo_data``)."""
    try:
        return json.loads((Path(folder) / CONTEXT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputDataError([f"{folder / CONTEXT_FILE}: cannot be read ({exc}); delete the folder and run cohorte build again"]) from None


def read_site_slice(folder: Path) -> pd.DataFrame:
    """Read back a site's published indicators (as written by ``write_site_slices``)."""
    path = Path(folder) / SLICE_FILE
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"breakdown": str})
    except (OSError, ValueError) as exc:
        raise InputDataError([f"{path}: cannot read the site's prepared indicators ({exc}); delete it and run cohorte build again"]) from None
    missing = [c for c in (*COLUMNS, "suppressed") if c not in table.columns]
    if missing:
        raise InputDataError([f"{path}: prepared indicators lack column(s) {', '.join(missing)}; delete it and run cohorte build again"])
    table["breakdown"] = table["breakdown"].fillna("")
    table["met"] = table["met"].astype("boolean")
    return table
