"""Demand: pressure and delays to attribution by typology, in side-by-side panels."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cohorte.indicators.published import get_row, is_suppressed, rows
from cohorte.inputs import codes
from cohorte.report.figures.style import (
    INK,
    LIGHT,
    MET,
    NEUTRAL,
    finish,
    grid,
    label_x,
    new_figure,
    nice_max,
    ns_text,
    unavailable,
    with_rc,
)
from cohorte.report.formatting import fmt_num, fmt_value
from cohorte.report.narrative import typology_phrase, typology_range

SOURCE_DEMAND = "Source : fichier de la demande au 31 décembre et attributions de l'année ; traitement cohorte."
TYPOLOGY_LABELS = {"C": "Chambre", "T6P": "T6 et +"}

_DEMAND_PANELS = (  # indicator, panel title, unit, colour
    ("pressure", "Demandes actives pour une attribution", "ratio", MET),
    ("median_delay_months", "Délai médian d'attribution", "mois", LIGHT),
    ("median_seniority_months", "Ancienneté médiane des demandes", "mois", NEUTRAL),
)


@with_rc
def pressure_delay_chart(table_site: pd.DataFrame, *, source: str = SOURCE_DEMAND) -> Figure:
    """Pressure and median delay to attribution by typology.

    When the table has no pressure by typology, the median seniority of active demands takes its
    panel (the site-level pressure is then in the title).
    """
    panels = [(spec, items) for spec in _DEMAND_PANELS if (items := _by_typology(table_site, spec[0]))][:2]
    typologies = [t for t in codes.TYPOLOGIES if any(t in dict(items) for _, items in panels)]
    title = _demand_title(table_site, {spec[0]: items for spec, items in panels})
    if not typologies:
        return unavailable(title, source)
    fig, axes = new_figure(1.6 + 0.3 * len(typologies), ncols=len(panels), sharey=True)
    rights = [_panel_right(items, get_row(table_site, spec[0])) for spec, items in panels]
    if len({spec[2] for spec, _ in panels}) == 1:  # same unit (months): one scale for both panels
        rights = [max(rights)] * len(rights)
    for ax, right, ((indicator, panel_title, unit, colour), items) in zip(axes, rights, panels, strict=True):
        _typology_panel(ax, items, typologies, unit, colour, get_row(table_site, indicator), right)
        ax.set_title(panel_title, loc="left", color=INK, pad=14)
    axes[0].set_yticks(range(len(typologies)), [TYPOLOGY_LABELS.get(t, t) for t in typologies])
    return finish(fig, title, source)


def _by_typology(table_site: pd.DataFrame, indicator: str) -> list[tuple[str, pd.Series]]:
    found = rows(table_site, indicator)
    found = found.loc[found["breakdown"] != ""].set_index("breakdown", drop=False)
    order = [t for t in codes.TYPOLOGIES if t in found.index] + sorted(set(found.index) - set(codes.TYPOLOGIES))
    return [(t, found.loc[t]) for t in order]


def _panel_right(items: list[tuple[str, pd.Series]], overall: pd.Series | None) -> float:
    values = [float(r["value"]) for _, r in items if not is_suppressed(r)]
    if overall is not None and not is_suppressed(overall):
        values.append(float(overall["value"]))
    return nice_max(values)


def _typology_panel(
    ax: Axes,
    items: list[tuple[str, pd.Series]],
    typologies: list[str],
    unit: str,
    colour: str,
    overall: pd.Series | None,
    right: float,
) -> None:
    """Horizontal bars by typology (first typology on top), the site-level value as a dashed line;
    a typology this panel has no published value for says « n.s. » (never an empty row)."""
    by_code = dict(items)
    line = None if overall is None or is_suppressed(overall) else float(overall["value"])
    for y, code in enumerate(typologies):
        row = by_code.get(code)
        if row is None or is_suppressed(row):
            ns_text(ax, right * 0.02, y)
            continue
        value = float(row["value"])
        ax.barh(y, value, height=0.62, color=colour)
        ax.text(label_x(value, line, right), y, fmt_value(value, unit), va="center", fontsize=7.5)
    if line is not None:
        ax.axvline(line, color=INK, linewidth=1, linestyle=(0, (3, 2)))
        ax.text(line, -0.55, f"ensemble : {fmt_value(line, unit)}", ha="center", va="bottom", fontsize=7, color=INK)
    ax.set_xlim(0, right)
    ax.set_ylim(len(typologies) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 0)))
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
    grid(ax)


def _demand_title(table_site: pd.DataFrame, panels: dict[str, list[tuple[str, pd.Series]]]) -> str:
    """The finding, from what the panels show only."""
    shown = [(t, float(r["value"])) for t, r in panels.get("pressure", []) if not is_suppressed(r)]
    if len(shown) >= 2:
        code, value = max(shown, key=lambda item: item[1])
        return (
            f"La pression est la plus forte pour {typology_phrase(code)} : "
            f"{fmt_num(value, 1)} demandes actives pour une attribution"
        )
    spread = ""
    if "median_delay_months" in panels:
        spread = typology_range(table_site, "median_delay_months", lambda v: fmt_value(v, "mois")).removeprefix(", ")
    if spread:
        return f"Délai médian d'attribution : {spread}"
    return "Pression de la demande et délai d'attribution selon la typologie"
