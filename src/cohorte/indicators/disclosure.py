"""Statistical disclosure control (docs/domain.md §6), applied to every table before it leaves the process.

Rules, with ``threshold`` t (edition parameter, default 5):
- **primary suppression**: a count between 1 and t − 1 is secret (0 is published: it identifies no
  one). In the tidy indicator table the counts are ``numerator``, ``denominator`` and the ``value``
  of count indicators. A figure on fewer than t cases (``denominator`` secret) is secret with its
  whole row; a rate whose numerator or denominator is hidden is hidden too (rate × denominator
  would give the numerator back);
- **secondary suppression**: wherever published cells add up to a published total — breakdown rows
  and their site-level row, and a few identities between indicators (``LINKS``) — the hidden cells of
  that total must be at least two non-zero cells adding up to t or more; otherwise the smallest
  published non-zero cell is hidden too, until no hidden cell can be recovered by subtraction;
- rows about a single landlord (breakdown = bailleur) are dropped.
Hidden cells are NA; ``suppressed`` = True where ``value`` (and ``met``) is hidden — the display
layer writes « n.s. »; ``site, indicator, breakdown, target`` are always kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from cohorte.indicators.registry import INDICATORS

COUNT_COLUMNS = ("numerator", "denominator", "value")
# Identities between indicators of a site: total = sum of cells; (indicator, breakdown, column).
LINKS: list[tuple[tuple[str, str, str], list[tuple[str, str, str]]]] = [
    (
        ("active_demands", "", "value"),
        [("mutation_share", "", "numerator"), ("pressure_excl_mutations", "", "numerator")],
    ),
    (
        ("attributions", "", "value"),
        [("mutation_share_attributions", "", "numerator"), ("pressure_excl_mutations", "", "denominator")],
    ),
    (("attributions", "", "value"), [("attributions_in_qpv", "", "value"), ("q1_outside_qpv", "", "denominator")]),
    (
        ("small_typology_supply_share", "", "numerator"),
        [("q1_affordable_stock_share", "T1", "denominator"), ("q1_affordable_stock_share", "T2", "denominator")],
    ),
]
# The same count published by two indicators with the same breakdowns: hidden in one, hidden in both.
SAME_CELLS = [
    ("priority_publics", "denominator", "flux_attributions", "value"),
    ("median_delay_months", "denominator", "cotation_reordered_share", "denominator"),
]


def _sensitive(values: np.ndarray, threshold: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (values > 0) & (values < threshold)


def _protect(
    values: np.ndarray,
    hidden: np.ndarray,
    relations: list[tuple[int, list[int]]],
    threshold: float,
    unit_of: Callable[[int], Iterable[int]],
) -> np.ndarray:
    """Secondary suppression over flat cells: for every relation (total, cells) with a published
    total, the hidden cells must be zero or at least two non-zero cells adding up to ``threshold`` or
    more; else hide the smallest published non-zero cell (or the total when none is left)."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for total, cells in relations:
            if hidden[total]:
                continue
            cells_arr = np.asarray(cells, dtype=int)
            secret = cells_arr[hidden[cells_arr]]
            if not len(secret):
                continue
            amounts = np.nan_to_num(values[secret])
            if amounts.sum() == 0 or ((amounts > 0).sum() >= 2 and amounts.sum() >= threshold):
                continue
            shown = cells_arr[~hidden[cells_arr] & (np.nan_to_num(values[cells_arr]) > 0)]
            pick = int(shown[np.argmin(values[shown])]) if len(shown) else total
            hidden[list(unit_of(pick))] = True
            changed = True
    return hidden


# --- the tidy indicator table ---------------------------------------------------------------


def _count_cells(table: pd.DataFrame) -> np.ndarray:
    """Matrix rows × (numerator, denominator, value) of the counts; NaN where a cell is not a count."""
    counts = np.full((len(table), 3), np.nan)
    counts[:, 0] = table["numerator"].to_numpy("float64", na_value=np.nan)
    counts[:, 1] = table["denominator"].to_numpy("float64", na_value=np.nan)
    is_count = table["indicator"].map(lambda i: INDICATORS[i].unit == "nombre" if i in INDICATORS else False)
    counts[:, 2] = np.where(is_count.to_numpy(bool), table["value"].to_numpy("float64", na_value=np.nan), np.nan)
    return counts


def _relations(table: pd.DataFrame, counts: np.ndarray) -> list[tuple[int, list[int]]]:
    """Flat cell ids (row * 3 + column) of every additive relation of the table."""
    position = {key: i for i, key in enumerate(zip(table["site"], table["indicator"], table["breakdown"], strict=True))}
    col = {c: k for k, c in enumerate(COUNT_COLUMNS)}
    relations: list[tuple[int, list[int]]] = []

    def add(total_row: int, total_col: int, rows_cols: list[tuple[int, int]]) -> None:
        total = counts[total_row, total_col]
        parts = np.array([counts[r, c] for r, c in rows_cols])
        if np.isnan(total) or np.isnan(parts).any() or not np.isclose(parts.sum(), total):
            return
        relations.append((total_row * 3 + total_col, [r * 3 + c for r, c in rows_cols]))

    families = (
        table[table["breakdown"] != ""].groupby(["site", "indicator"], sort=False).groups
    )  # index labels = positions
    for (site, indicator), members in families.items():
        spec = INDICATORS.get(indicator)
        total_row = position.get((site, (spec.margin if spec and spec.margin else indicator), ""))
        if total_row is None:
            continue
        for k in range(3):
            add(total_row, k, [(int(r), k) for r in members])
    for site in table["site"].unique():
        for (t_ind, t_b, t_col), cells in LINKS:
            keys = [(site, i, b) for i, b, _ in cells]
            if (site, t_ind, t_b) in position and all(k in position for k in keys):
                add(
                    position[(site, t_ind, t_b)],
                    col[t_col],
                    [(position[k], col[c]) for k, (_, _, c) in zip(keys, cells, strict=True)],
                )
    for ind_a, col_a, ind_b, col_b in SAME_CELLS:
        a = table[table["indicator"] == ind_a]
        for row_a, (site, breakdown) in zip(a.index, zip(a["site"], a["breakdown"], strict=True), strict=True):
            row_b = position.get((site, ind_b, breakdown))
            if row_b is None or row_b == row_a:
                continue
            add(row_a, col[col_a], [(row_b, col[col_b])])
            add(row_b, col[col_b], [(row_a, col[col_a])])
    return relations


def publish(table: pd.DataFrame, threshold: int = 5, *, keep_landlord_level: bool = False) -> pd.DataFrame:
    """The indicator table as it may be published (see the module docstring): secret cells are NA,
    and ``suppressed`` is True where the row's figure (``value``) is not published.
    ``keep_landlord_level`` is for the tests only."""
    out = table.reset_index(drop=True)
    if not keep_landlord_level:
        landlord = out["indicator"].map(lambda i: INDICATORS[i].landlord_level if i in INDICATORS else False)
        out = out[~landlord.to_numpy(bool)].reset_index(drop=True)
    counts = _count_cells(out)
    hidden = _sensitive(counts, threshold)
    few_cases = hidden[:, 1].copy()  # a figure on fewer cases than the threshold: the whole row is secret
    hidden[few_cases, :] = True
    hidden = _protect(counts.ravel(), hidden.ravel(), _relations(out, counts), threshold, unit_of=lambda c: [c])
    hidden = hidden.reshape(-1, 3)
    has_numerator = ~np.isnan(counts[:, 0])
    # a rate gives back its numerator from its denominator and vice versa: hide it with either
    value_hidden = hidden[:, 2] | few_cases | hidden[:, 0] | (hidden[:, 1] & has_numerator)
    out = out.copy()
    out["numerator"] = out["numerator"].mask(hidden[:, 0])
    out["denominator"] = out["denominator"].mask(hidden[:, 1])
    out["value"] = out["value"].mask(value_hidden)
    out["met"] = out["met"].astype("boolean").mask(value_hidden)
    out["suppressed"] = value_hidden
    return out
