"""Gestion en flux: each réservataire's share of the reserved stock against its share of attributions."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cohorte.indicators.published import get_row, is_suppressed, reservataire_order, rows, state_share
from cohorte.report.figures.style import (
    DEADLINE,
    LIGHT,
    MET,
    finish,
    grid,
    label_x,
    new_figure,
    nice_max,
    ns_text,
    pct_axis,
    reservataire_label,
    unavailable,
    with_rc,
    wrap,
)
from cohorte.report.formatting import fmt_pct

SOURCE_FLUX = "Source : parc social (type RPLS) et attributions de l'année ; estimations cohorte."


class _Absent:
    """No row in the table: nothing is drawn (unlike None, a suppressed cell marked « n.s. »)."""


ABSENT = _Absent()
Cell = float | None | _Absent


@with_rc
def flux_chart(table_site: pd.DataFrame, *, state_cap: float = 30.0, source: str = SOURCE_FLUX) -> Figure:
    """Reserved stock share against the share of attributions, by réservataire, with the State's cap."""
    items = _flux_items(table_site)
    title = _flux_title(table_site, state_cap)
    if not items:
        return unavailable(title, source)
    fig, (ax,) = new_figure(1.6 + 0.42 * len(items))
    values = [v for _, s, a in items for v in (s, a) if isinstance(v, float)]
    right = nice_max(values, floor=state_cap)
    for y, (_, stock, attributed) in enumerate(items):
        for offset, value, colour in ((-0.19, stock, LIGHT), (0.19, attributed, MET)):
            _flux_bar(ax, y + offset, value, colour, state_cap, right)
    ax.axvline(state_cap, color=DEADLINE, linewidth=1.1, linestyle=(0, (4, 2)), gid="cap")
    ax.set_yticks(range(len(items)), [wrap(label, 24) for label, _, _ in items])
    ax.set_ylim(len(items) - 0.45, -0.55)
    ax.set_xlim(0, right)
    ax.tick_params(axis="y", length=0)
    pct_axis(ax)
    grid(ax)
    _flux_legend(ax, state_cap)
    return finish(fig, title, source)


def _flux_bar(ax: Axes, y: float, value: Cell, colour: str, state_cap: float, right: float) -> None:
    """A labelled half-height bar, « n.s. » for a suppressed cell, nothing for an absent one."""
    if value is None:
        ns_text(ax, right * 0.01, y, fontsize=6.5)
    elif isinstance(value, float):
        ax.barh(y, value, height=0.36, color=colour)
        ax.text(label_x(value, state_cap, right), y, fmt_pct(value), va="center", fontsize=7)


def _flux_legend(ax: Axes, state_cap: float) -> None:
    handles = [
        Patch(color=LIGHT, label="Parc réservé"),
        Patch(color=MET, label="Attributions de l'année"),
        Line2D(
            [],
            [],
            color=DEADLINE,
            linewidth=1.1,
            linestyle=(0, (4, 2)),
            label=f"Plafond du flux de l'État ({fmt_pct(state_cap, trim=True)})",
        ),
    ]
    # anchored on the right: the legend runs left over the labels column, never past the page
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, borderaxespad=0.2, fontsize=7.5)


def _flux_items(table_site: pd.DataFrame) -> list[tuple[str, Cell, Cell]]:
    """(label, reserved stock share, attributions share), with a State total first when computable."""
    stock_rows = rows(table_site, "flux_reserved_stock_share")
    stock = {r["breakdown"]: (None if is_suppressed(r) else float(r["value"])) for _, r in stock_rows.iterrows()}
    stock.pop("", None)
    attributed = _attribution_shares(table_site)
    order = reservataire_order(set(stock) | set(attributed))
    items: list[tuple[str, Cell, Cell]] = [
        (reservataire_label(c), stock.get(c, ABSENT), attributed.get(c, ABSENT)) for c in order
    ]
    state = [c for c in ("PPRIOR", "PFONCT") if c in order]
    if len(state) == 2:
        shares = [share for c in state if (share := attributed.get(c)) is not None]
        total_attr = sum(shares) if len(shares) == len(state) else None
        items.insert(0, ("État, ensemble", state_share(table_site), total_attr))
    return items


def _attribution_shares(table_site: pd.DataFrame) -> dict[str, float | None]:
    """Each contingent's share of the year's attributions (None where n.s. or no total)."""
    found = rows(table_site, "flux_attributions")
    by_code = {r["breakdown"]: r for _, r in found.iterrows()}
    total = _attributions_total(table_site, by_code)
    return {
        code: None if is_suppressed(r) or total is None else 100 * float(r["value"]) / total
        for code, r in by_code.items()
        if code != ""
    }


def _attributions_total(table_site: pd.DataFrame, by_code: dict[str, pd.Series]) -> float | None:
    for row in (by_code.get(""), get_row(table_site, "attributions")):
        if row is not None and not is_suppressed(row) and float(row["value"]) > 0:
            return float(row["value"])
    parts = [r for code, r in by_code.items() if code != ""]
    if parts and not any(is_suppressed(r) for r in parts):
        return float(sum(float(r["value"]) for r in parts)) or None
    return None


def _flux_title(table_site: pd.DataFrame, state_cap: float) -> str:
    state = state_share(table_site)
    if state is None:
        return "Parc réservé et attributions par réservataire"
    return f"L'État réserve {fmt_pct(state)} du parc ; son plafond de {fmt_pct(state_cap, trim=True)} vaut par bailleur"
