"""Stock accessibility outside QPV — why Q1 targets fail: the share of dwellings a Q1 household can
afford, by typology (with the rent ceiling used), and the T1/T2 supply against Q1 demand for them."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorte.indicators.published import get_row, is_published, is_suppressed, rows
from cohorte.inputs import codes
from cohorte.report.figures.style import (
    INK,
    LIGHT,
    MET,
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
from cohorte.report.formatting import fmt_eur, fmt_pct

SOURCE_STOCK = (
    "Source : parc social (RPLS) et fichier de la demande au 31 décembre ; loyers maximaux d'un ménage "
    "du premier quartile : paramètre de l'édition ; traitement cohorte."
)
TYPOLOGY_LABELS = {"C": "Chambre", "T6P": "T6 et +"}


@with_rc
def stock_accessibility_chart(
    table_site: pd.DataFrame, max_rent: Mapping[str, float], *, source: str = SOURCE_STOCK
) -> Figure:
    """Left: affordable share outside QPV by typology (ceiling in the label); right: T1–T2 share of the
    stock outside QPV against the share of Q1 applicants asking for a room, a T1 or a T2."""
    by_typology = _affordable_by_typology(table_site)
    supply, demand = (
        get_row(table_site, "small_typology_supply_share"),
        get_row(table_site, "q1_small_typology_demand_share"),
    )
    overall = get_row(table_site, "q1_affordable_stock_share")
    title = _title(overall)
    if not by_typology and not (is_published(supply) or is_published(demand)):
        return unavailable(title, source)
    if not by_typology:  # no rent in the stock's source: the typology mix alone, no affordable share
        fig, (alone,) = new_figure(2.2)
        _mix_panel(alone, supply, demand)
        return finish(fig, title, source)
    fig, (left, right) = new_figure(2.2 + 0.22 * max(len(by_typology), 2), ncols=2)
    _affordable_panel(left, by_typology, max_rent)
    _mix_panel(right, supply, demand)
    return finish(fig, title, source)


def _title(overall: pd.Series | None) -> str:
    if not is_published(overall):
        return "Parc hors QPV accessible aux ménages du premier quartile"
    return (
        f"Hors QPV, {fmt_pct(overall['value'])} des logements sociaux sont accessibles à un ménage du premier quartile"
    )


def _affordable_by_typology(table_site: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    found = rows(table_site, "q1_affordable_stock_share")
    found = found.loc[found["breakdown"] != ""].set_index("breakdown", drop=False)
    return [(t, found.loc[t]) for t in codes.TYPOLOGIES if t in found.index]


def _affordable_panel(ax: Axes, items: list[tuple[str, pd.Series]], max_rent: Mapping[str, float]) -> None:
    labels = [
        f"{TYPOLOGY_LABELS.get(t, t)} (≤ {fmt_eur(max_rent[t])})" if t in max_rent else TYPOLOGY_LABELS.get(t, t)
        for t, _ in items
    ]
    for y, (_, row) in enumerate(items):
        if is_suppressed(row):
            ns_text(ax, 2, y)
            continue
        ax.barh(y, float(row["value"]), height=0.62, color=MET)
        ax.text(float(row["value"]) + 1.5, y, fmt_pct(row["value"]), va="center", fontsize=7.5, color=INK)
    ax.set_yticks(range(len(items)), labels)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlim(0, 118)
    ax.tick_params(axis="y", length=0)
    ax.set_title("Logements hors QPV au loyer accessible\n(loyer maximal retenu)", loc="left", color=INK, fontsize=8)
    pct_axis(ax)
    grid(ax)


def _mix_panel(ax: Axes, supply: pd.Series | None, demand: pd.Series | None) -> None:
    bars = [("T1–T2 dans le parc\nhors QPV", supply, LIGHT), ("Demandes Q1 d'une\nchambre, T1 ou T2", demand, NOT_MET)]
    values = [float(r["value"]) for _, r, _ in bars if is_published(r)]
    top = nice_max(values, floor=10)
    for x, (_, row, colour) in enumerate(bars):
        if not is_published(row):
            ns_text(ax, x, top * 0.05, ha="center")
            continue
        ax.bar(x, float(row["value"]), width=0.6, color=colour)
        ax.text(x, float(row["value"]) + top * 0.02, fmt_pct(row["value"]), ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(range(len(bars)), [label for label, _, _ in bars], fontsize=7)
    ax.set_ylim(0, top)
    ax.set_title("Petits logements : offre et demande\ndu 1er quartile", loc="left", color=INK, fontsize=8)
    pct_axis(ax, "y")
    grid(ax, "y")
