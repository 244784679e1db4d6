"""The published indicator table: how it is made, stored and read.

``published_indicators`` runs the whole chain (inputs → targets → indicators → disclosure control);
``write_site_slices`` writes one small file per site for ``cohorte build``, so that no notebook
re-reads the row-level tables. Only disclosure-controlled aggregates are ever written.

The readers below (``rows``, ``get_row``, ``is_suppressed``, ``target_met``…) are what charts,
sentences and the synthesis use to read one site's rows: suppressed cells are NA, optionally
flagged by a boolean ``suppressed`` column, and read as « n.s. ».
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TypeAlias, TypeGuard

import pandas as pd

from cohorte import config
from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.files import atomic_write_json, atomic_write_text
from cohorte.grids import Grid, load_grids
from cohorte.indicators import COLUMNS, build_targets, compute_indicators, disclosure
from cohorte.indicators.origins import site_facts
from cohorte.inputs import codes
from cohorte.inputs.readers import load_inputs

Row: TypeAlias = pd.Series
STATE_RESERVATAIRES = ("PPRIOR", "PFONCT")  # the State's contingents: préfectoral and its agents


def site_targets(edition: Edition, grids: dict[str, Grid]) -> pd.DataFrame:
    """Targets per site: national defaults, the grid's local overrides and differentiated targets."""
    overrides = {slug: grid.attribution_policy.targets.model_dump() for slug, grid in grids.items()}
    differentiated = {
        slug: [t.model_dump() for t in grid.attribution_policy.differentiated_targets] for slug, grid in grids.items()
    }
    return build_targets(edition, overrides, differentiated)


def published_indicators(
    edition: Edition,
    data_dir: Path | None = None,
    grids: dict[str, Grid] | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Every indicator of every site, after disclosure control (the only table that leaves the process);
    ``notes`` receives what the reading left out (a national edition's rows of EPCI that are not sites)."""
    return published_with_facts(edition, data_dir, grids, notes)[0]


def published_with_facts(
    edition: Edition,
    data_dir: Path | None = None,
    grids: dict[str, Grid] | None = None,
    notes: list[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The published indicators and, per site, where its figures come from (``origins.site_facts``).

    A national edition is read and computed a group of sites at a time (``cohorte.indicators.chunked``);
    its fiches state no per-site facts."""
    grids = load_grids(edition.edition) if grids is None else grids
    if edition.kind == "national":
        from cohorte.indicators.chunked import published_by_groups

        table = published_by_groups(
            edition,
            Path(data_dir) if data_dir else edition.input_dir(),
            lambda sub: site_targets(sub, grids),
            edition.cotation_grid_path(),
            notes=notes,
        )
        return table, {}
    inputs = load_inputs(edition, data_dir)
    table = compute_indicators(inputs, edition, targets=site_targets(edition, grids), cotation_grid=None)
    is_demo = config.is_demo_folder(Path(data_dir)) if data_dir else edition.uses_demo_data
    facts = site_facts(edition, inputs.q1_thresholds, is_demo=is_demo, sources=inputs.sources, lacking=inputs.lacking)
    return disclosure.publish(table, edition.disclosure_threshold), facts


def with_demo_flag(frame: pd.DataFrame, is_demo: bool) -> pd.DataFrame:
    """The frame with a ``demo_data`` column (True: figures computed on demo data, fictitious), for
    every CSV that publishes figures."""
    return frame.assign(demo_data=bool(is_demo))


def write_site_slices(
    edition: Edition, table: pd.DataFrame, inputs: dict[str, str] | None = None, facts: dict[str, dict] | None = None
) -> dict[str, Path]:
    """Write each site's published indicators to ``outputs/EDITION/sites/SLUG/prepared/``.

    Beside them, ``context.json`` says whether the data are demo data, which input tables (file
    name → sha256) they were computed from, and the facts its sentences state (``origins.site_facts``).
    """
    folders = {}
    for slug in edition.slugs:
        folder = config.prepared_dir(edition.edition, slug)
        atomic_write_text(folder / config.PREPARED_FILE, table[table["site"] == slug].to_csv(index=False))
        atomic_write_json(
            folder / config.CONTEXT_FILE,
            {
                "demo_data": edition.uses_demo_data,
                "inputs": dict(sorted((inputs or {}).items())),
                "facts": (facts or {}).get(slug, {}),
            },
        )
        folders[slug] = folder
    return folders


def read_site_context(folder: Path) -> dict:
    """What the build knew of the data behind a slice (``demo_data``, ``inputs``)."""
    try:
        return json.loads((Path(folder) / config.CONTEXT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputDataError(
            [f"{folder / config.CONTEXT_FILE}: cannot be read ({exc}); delete the folder and run cohorte build again"]
        ) from None


def read_site_slice(folder: Path) -> pd.DataFrame:
    """Read back a site's published indicators (as written by ``write_site_slices``)."""
    path = Path(folder) / config.PREPARED_FILE
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"breakdown": str})
    except (OSError, ValueError) as exc:
        raise InputDataError(
            [f"{path}: cannot read the site's prepared indicators ({exc}); delete it and run cohorte build again"]
        ) from None
    missing = [c for c in (*COLUMNS, "suppressed") if c not in table.columns]
    if missing:
        raise InputDataError(
            [f"{path}: prepared indicators lack column(s) {', '.join(missing)}; delete it and run cohorte build again"]
        )
    table["breakdown"] = table["breakdown"].fillna("")
    table["met"] = table["met"].astype("boolean")
    return table


# --- reading one site's rows -------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA: the cell prints as « n.s. »."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _one_site(table: pd.DataFrame) -> pd.DataFrame:
    if "site" in table.columns and table["site"].nunique() > 1:
        sites = ", ".join(sorted(map(str, table["site"].unique())))
        raise ValueError(f"narrative expects one site's rows, got several sites ({sites}); filter on `site` first")
    return table


def rows(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """All rows of one indicator, with ``breakdown`` as a string ("" for the site-level figure)."""
    selected = _one_site(table).loc[table["indicator"] == indicator].copy()
    selected["breakdown"] = selected["breakdown"].astype("object").where(selected["breakdown"].notna(), "").astype(str)
    return selected


def get_row(table: pd.DataFrame, indicator: str, breakdown: str = "") -> Row | None:
    """The row of one indicator × breakdown, or None when the table has none."""
    selected = rows(table, indicator)
    selected = selected.loc[selected["breakdown"] == breakdown]
    return None if selected.empty else selected.iloc[0]


def by_breakdown(table: pd.DataFrame, indicator: str) -> dict[str, Row]:
    """The breakdown rows of one indicator, keyed by breakdown (the site-level row left out)."""
    found = rows(table, indicator)
    return {r["breakdown"]: r for _, r in found.loc[found["breakdown"] != ""].iterrows()}


def is_suppressed(row: Row) -> bool:
    """A row shows « n.s. » when flagged ``suppressed`` or when its value is NA."""
    flag = row.get("suppressed", False)
    return (not is_missing(flag) and bool(flag)) or is_missing(row.get("value"))


def is_published(row: Row | None) -> TypeGuard[Row]:
    """The row exists and its value is shown."""
    return row is not None and not is_suppressed(row)


def target_met(row: Row) -> bool | None:
    """``met`` when given, else value ≥ target; None without a target or a value."""
    met = row.get("met")
    if not is_missing(met):
        return bool(met)
    target = row.get("target")
    if is_missing(target) or is_suppressed(row):
        return None
    return float(row["value"]) >= float(target)


def site_has_qpv(table: pd.DataFrame) -> bool:
    """False only when the table shows zero attributions in QPV (the EPCI has no QPV).

    Read from ``attributions_in_qpv`` (0) or the denominator of ``non_q1_in_qpv``; when the
    disclosure rules hide that zero, pass ``has_qpv`` explicitly.
    """
    count = get_row(table, "attributions_in_qpv")
    if is_published(count) and float(count["value"]) == 0:
        return False
    row = get_row(table, "non_q1_in_qpv")
    return row is None or is_missing(row.get("denominator")) or float(row["denominator"]) > 0


def reservataire_order(codes_seen: Iterable[str]) -> list[str]:
    """Réservataire codes in the order of ``codes.RESERVATAIRES``, unknown codes last."""
    known = list(codes.RESERVATAIRES)
    return sorted(set(codes_seen), key=lambda c: (known.index(c) if c in known else len(known), c))


def state_share(table: pd.DataFrame, indicator: str = "flux_reserved_stock_share") -> float | None:
    """The State's share (PPRIOR + PFONCT) of an indicator by réservataire; None when unknown or n.s."""
    shares = by_breakdown(table, indicator)
    state = [shares[c] for c in STATE_RESERVATAIRES if c in shares]
    if not state or any(is_suppressed(r) for r in state):
        return None
    return float(sum(float(r["value"]) for r in state))
