"""Cotation: score distribution of active demands against that of attributed households."""

from __future__ import annotations

import re

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from cohorte.indicators.published import get_row, is_published, is_suppressed, rows
from cohorte.report.figures.style import (
    LIGHT,
    NOT_MET,
    finish,
    grid,
    new_figure,
    nice_max,
    ns_text,
    pct_axis,
    unavailable,
    with_rc,
)

SOURCE_COTATION = "Source : fichier de la demande et grille de cotation du site ; traitement cohorte."

Shares = dict[str, float | None]  # band → share in %, None where n.s.


@with_rc
def cotation_chart(table_site: pd.DataFrame, *, source: str = SOURCE_COTATION) -> Figure:
    """Score distribution of active demands (bars) and of attributed households (markers)."""
    demand = _band_shares(table_site, "cotation_score_band")
    attributed = _band_shares(table_site, "cotation_attributed_band")
    bands = sorted(set(demand) | set(attributed), key=_band_key)
    title = _cotation_title(table_site, demand, attributed, bands)
    if not bands:
        return unavailable(title, source)
    fig, (ax,) = new_figure(3.2)
    top = nice_max([v for v in [*demand.values(), *attributed.values()] if v is not None])
    for x, band in enumerate(bands):
        _cotation_band(ax, x, top, (band in demand, demand.get(band)), (band in attributed, attributed.get(band)))
    ax.set_xticks(range(len(bands)), bands)
    ax.set_xlim(-0.6, len(bands) - 0.4)
    ax.set_ylim(0, top)
    ax.set_xlabel("Score de cotation (tranches de points)")
    ax.set_ylabel("Part de l'ensemble (en %)")
    pct_axis(ax, "y")
    grid(ax, "y")
    _cotation_legend(ax, with_ns=None in demand.values())
    return finish(fig, title, source)


def _band_key(label: str) -> tuple[float, str]:
    match = re.match(r"\s*(\d+)", label)
    return (float(match[1]) if match else float("inf"), label)


def _band_shares(table_site: pd.DataFrame, indicator: str) -> Shares:
    """Share (in %) of each published band; None where n.s."""
    found = rows(table_site, indicator)
    total_row = found.loc[found["breakdown"] == ""]
    bands = {r["breakdown"]: r for _, r in found.loc[found["breakdown"] != ""].iterrows()}
    total = None
    if not total_row.empty and not is_suppressed(total_row.iloc[0]):
        total = float(total_row.iloc[0]["value"])
    if total is None:
        total = sum(float(r["value"]) for r in bands.values() if not is_suppressed(r))
    return {b: None if is_suppressed(r) or not total else 100 * float(r["value"]) / total for b, r in bands.items()}


def _cotation_band(
    ax: Axes, x: int, top: float, demand_cell: tuple[bool, float | None], attributed_cell: tuple[bool, float | None]
) -> None:
    """One band: a bar (or a hatched « n.s. » column) for demands, a marker (or « n.s. ») for attributions."""
    (has_demand, demand), (has_attributed, attributed) = demand_cell, attributed_cell
    if demand is None and has_demand:
        placeholder = Rectangle((x - 0.36, 0), 0.72, top * 0.96, facecolor="none", edgecolor="#d3d8dd", linewidth=0.5)
        placeholder.set_hatch("////")
        ax.add_patch(placeholder)
        ns_text(ax, x, top * 0.04, ha="center", fontsize=7, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    elif demand is not None:
        ax.bar(x, demand, width=0.72, color=LIGHT)
    if attributed is not None:
        ax.plot(x, attributed, marker="o", markersize=6.5, color=NOT_MET, markeredgecolor="white", zorder=3)
    elif has_attributed and demand is not None:
        ns_text(ax, x, demand + top * 0.04, ha="center", color=NOT_MET, fontsize=7)


def _cotation_legend(ax: Axes, with_ns: bool) -> None:
    handles = [
        Patch(color=LIGHT, label="Demandes actives au 31 décembre"),
        Line2D(
            [],
            [],
            marker="o",
            color=NOT_MET,
            linestyle="none",
            markeredgecolor="white",
            label="Ménages attributaires de l'année",
        ),
    ]
    if with_ns:
        handles.append(Patch(facecolor="white", edgecolor="#9aa3ad", hatch="////", label="Non diffusé (n.s.)"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, borderaxespad=0.2)


def _mean_band(shares: Shares, bands: list[str]) -> float | None:
    known = [(bands.index(b), s) for b, s in shares.items() if s is not None]
    weight = sum(s for _, s in known)
    return sum(i * s for i, s in known) / weight if weight else None


def _cotation_title(table_site: pd.DataFrame, demand: Shares, attributed: Shares, bands: list[str]) -> str:
    """Compare attributed households with all demands: median scores when published, else mean band
    position, only when no band is suppressed (hidden bands would bias it)."""
    median_demand, median_attributed = (
        get_row(table_site, f"cotation_median_score_{kind}") for kind in ("active", "attributed")
    )
    mean_demand: float | None
    mean_attributed: float | None
    if is_published(median_demand) and is_published(median_attributed):
        mean_demand, mean_attributed = float(median_demand["value"]), float(median_attributed["value"])
        margin = 1.0  # points
    elif None in demand.values() or None in attributed.values():
        mean_demand = mean_attributed = None
    else:
        mean_demand, mean_attributed, margin = _mean_band(demand, bands), _mean_band(attributed, bands), 0.25
    if mean_demand is None or mean_attributed is None:
        return "Demandes actives et ménages attributaires selon leur score de cotation"
    if mean_attributed - mean_demand > margin:
        return "Les ménages attributaires ont des scores plus élevés que l'ensemble des demandeurs"
    if mean_demand - mean_attributed > margin:
        return "Les ménages attributaires ont des scores plus faibles que l'ensemble des demandeurs"
    return "Les ménages attributaires ont des scores proches de ceux de l'ensemble des demandeurs"
