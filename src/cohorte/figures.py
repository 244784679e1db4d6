"""Charts of a monograph and of the synthesis, drawn from the published indicator table.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state,
no backend choice, never shown here: the notebook displays it). Sized for an A4 page (16 cm wide),
French labels and numbers (:mod:`cohorte.formatting`), a title that states the finding and a
« Source : … » line. Suppressed cells (NA or ``suppressed``) are never drawn as numbers: they are
marked « n.s. ».

Artists that tests look for carry a ``gid``: ``"target"`` (target marks), ``"ns"`` (« n.s. »
labels), ``"cap"`` (the State's flow cap), ``"milestone"`` / ``"deadline"`` (timeline points).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from . import codes
from .formatting import NS, fmt_int, fmt_num, fmt_pct, fmt_value, is_missing, plural_fr
from .narrative import (
    get_row,
    is_suppressed,
    reservataire_order,
    rows,
    site_has_qpv,
    state_share,
    target_met,
    typology_phrase,
    typology_range,
)

# --- style -------------------------------------------------------------------------------------

WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page
MET = "#1f5f99"  # target met
NOT_MET = "#e07b29"  # target not met
NEUTRAL = "#8c9aa8"  # no target
LIGHT = "#a9c6e3"  # secondary series
DEADLINE = "#b3261e"
INK = "#222222"
MUTED = "#5f6368"
GRID = "#e3e6e9"

SOURCE_ATTRIBUTIONS = "Source : attributions de l'année suivies d'un bail signé ; traitement cohorte."
SOURCE_DEMAND = "Source : fichier de la demande au 31 décembre et attributions de l'année ; traitement cohorte."
SOURCE_FLUX = "Source : parc social (type RPLS) et attributions de l'année ; estimations cohorte."
SOURCE_COTATION = "Source : fichier de la demande et grille de cotation du site ; traitement cohorte."
SOURCE_GRID = "Source : grille d'observation du site ; échéances légales (décrets 2019-1378 et 2020-145)."
SOURCE_SITES = "Source : indicateurs publiés des sites de la cohorte ; traitement cohorte."
SOURCE_GRIDS = "Source : grilles d'observation des sites de la cohorte."

LEGAL_DEADLINES: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2023, 11, 24), "Gestion en flux : échéance légale (24 novembre 2023)"),
    (dt.date(2023, 12, 31), "Cotation : échéance légale (31 décembre 2023)"),
)
TYPOLOGY_LABELS = {"C": "Chambre", "T6P": "T6 et +"}
_TITLE_WIDTH = 70


@functools.cache
def _font_family() -> tuple[str, ...]:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return ("Liberation Sans", "DejaVu Sans") if "Liberation Sans" in names else ("DejaVu Sans",)


def _rc() -> dict[str, object]:
    return {
        "font.family": list(_font_family()),
        "font.size": 8.5,
        "axes.titlesize": 9,
        "axes.labelsize": 8.5,
        "axes.labelcolor": MUTED,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "hatch.color": "#9aa3ad",
        "hatch.linewidth": 0.6,
        "figure.dpi": 150,
    }


def _new_figure(height: float, ncols: int = 1, **subplot_kw: object) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False, **subplot_kw)[0]
    for ax in axes:
        _style_axes(ax)
    return fig, list(axes)


def _style_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9aa3ad")
    ax.tick_params(labelsize=8, labelcolor=INK, color="#9aa3ad", length=3, labelfontfamily=list(_font_family()))
    ax.set_axisbelow(True)


def _finish(fig: Figure, title: str, source: str) -> Figure:
    """Left-aligned title (the finding) and the source line."""
    fig.suptitle(textwrap.fill(title, _TITLE_WIDTH), x=0.01, ha="left", fontsize=10, fontweight="bold", color=INK)
    fig.supxlabel(source, x=0.01, ha="left", fontsize=7, color=MUTED, fontstyle="italic")
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.04)
    return fig


def _pct_axis(ax: Axes, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, 0)))


def _value_axis(ax: Axes, unit: str, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    if unit == "%":
        _pct_axis(ax, axis)
    else:
        target.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 0)))


def _grid(ax: Axes, axis: str = "x") -> None:
    ax.grid(axis=axis, color=GRID, linewidth=0.6)


def _colour(row: pd.Series) -> str:
    met = target_met(row)
    return NEUTRAL if met is None else (MET if met else NOT_MET)


def _ns_text(ax: Axes, x: float, y: float, **kw: object) -> None:
    style = {"fontsize": 7.5, "color": MUTED, "fontstyle": "italic", "va": "center", "gid": "ns"}
    ax.text(x, y, NS, **(style | kw))


def _unavailable(title: str, source: str) -> Figure:
    fig, (ax,) = _new_figure(1.6)
    ax.set_axis_off()
    ax.text(0.5, 0.5, "Données non disponibles", ha="center", va="center", color=MUTED, transform=ax.transAxes)
    return _finish(fig, title, source)


def _wrap(label: str, width: int = 22) -> str:
    return textwrap.fill(label, width)


def _nice_max(values: Sequence[float], floor: float = 0) -> float:
    top = max([floor, *values]) if values else floor
    return top * 1.18 if top > 0 else 1


def _reservataire_label(code: str) -> str:
    return codes.RESERVATAIRES.get(code, code)


def _typology_label(code: str) -> str:
    return TYPOLOGY_LABELS.get(code, code)


def _target_legend(ax: Axes, with_neutral: bool, loc: str, *, dashed: bool = False, **kw: object) -> None:
    handles = [Patch(color=MET, label="Objectif atteint"), Patch(color=NOT_MET, label="Objectif non atteint")]
    if with_neutral:
        handles.append(Patch(color=NEUTRAL, label="Sans objectif"))
    style = {"linewidth": 1.2, "linestyle": (0, (4, 2))} if dashed else {"linewidth": 2}
    handles.append(Line2D([], [], color=INK, label="Objectif", **style))
    ax.legend(handles=handles, loc=loc, **kw)


def _with_rc(build: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw inside the kit's style without touching the caller's rcParams."""

    @functools.wraps(build)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with mpl.rc_context(_rc()):
            return build(*args, **kwargs)

    return wrapper


# --- horizontal bars with targets -------------------------------------------------------------


def _hbars_with_targets(ax: Axes, items: list[tuple[str, pd.Series | None]]) -> None:
    """One bar per (label, row); a row of None is a group heading. Top to bottom."""
    ys = list(range(len(items)))[::-1]
    values = [float(r["value"]) for _, r in items if r is not None and not is_suppressed(r)]
    targets = [float(r["target"]) for _, r in items if r is not None and not is_missing(r.get("target"))]
    right = _nice_max(values + targets, floor=25)
    for y, (_, row) in zip(ys, items, strict=True):
        if row is None:
            continue
        if is_suppressed(row):
            _ns_text(ax, right * 0.01, y)
        else:
            value = float(row["value"])
            ax.barh(y, value, height=0.62, color=_colour(row))
            ax.text(_label_x(value, row.get("target"), right), y, fmt_pct(value), va="center", fontsize=7.5, color=INK)
        if not is_missing(row.get("target")):
            ax.plot([row["target"]] * 2, [y - 0.42, y + 0.42], color=INK, linewidth=2, gid="target")
    ax.set_yticks(ys, [label for label, _ in items])
    for tick, (_, row) in zip(ax.get_yticklabels(), items, strict=True):
        if row is None:
            tick.set_fontweight("bold")
    ax.set_xlim(0, right)
    ax.set_ylim(-0.7, len(items) - 0.3)
    ax.tick_params(axis="y", length=0)
    _pct_axis(ax)
    _grid(ax)


def _label_x(value: float, target: object, right: float) -> float:
    """Where a bar's value label starts: after the bar, or after the target tick when it would overlap."""
    end = value
    if not is_missing(target) and value - right * 0.01 < float(target) < value + right * 0.09:  # type: ignore[arg-type]
        end = float(target)  # type: ignore[arg-type]
    return end + right * 0.015


def _targets_title(shown: list[pd.Series]) -> str:
    judged = [target_met(r) for r in shown if target_met(r) is not None]
    if not judged:
        return "Objectifs d'attribution"
    met = sum(judged)
    if met == len(judged) == 1:
        return "L'objectif d'attribution est atteint"
    if met == len(judged):
        return f"Les {len(judged)} objectifs d'attribution mesurés sont atteints"
    if met == 0:
        return "Aucun objectif d'attribution n'est atteint"
    reached = plural_fr(met, "objectif d'attribution atteint", "objectifs d'attribution atteints")
    return f"{reached} sur {len(judged)}"


@_with_rc
def targets_chart(table_site: pd.DataFrame, *, source: str = SOURCE_ATTRIBUTIONS) -> Figure:
    """Achieved rates against targets: Q1 outside QPV, non-Q1 in QPV, priority publics by réservataire."""
    has_qpv = site_has_qpv(table_site)
    items: list[tuple[str, pd.Series | None]] = []
    if (row := get_row(table_site, "q1_outside_qpv")) is not None:
        items.append(("1er quartile hors QPV" if has_qpv else "1er quartile (EPCI sans QPV)", row))
    if has_qpv and (row := get_row(table_site, "non_q1_in_qpv")) is not None:
        items.append(("Hors 1er quartile en QPV", row))
    priority = _priority_rows(table_site)
    if priority:
        items.append(("Publics prioritaires :", None))
        items += [(_reservataire_label(code), row) for code, row in priority]
    shown = [r for _, r in items if r is not None and not is_suppressed(r)]
    title = _targets_title(shown)
    if not items:
        return _unavailable(title, source)
    fig, (ax,) = _new_figure(1.5 + 0.3 * len(items))
    _hbars_with_targets(ax, items)
    ax.set_xlabel("Part des attributions de l'année (en %)")
    _target_legend(ax, any(target_met(r) is None for r in shown), loc="lower right", fontsize=7)
    return _finish(fig, title, source)


def _priority_rows(table_site: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    found = rows(table_site, "priority_publics")
    found = found.loc[found["breakdown"] != ""].set_index("breakdown", drop=False)
    return [(code, found.loc[code]) for code in reservataire_order(found.index)]


@_with_rc
def priority_by_reservataire_chart(table_site: pd.DataFrame, *, source: str = SOURCE_ATTRIBUTIONS) -> Figure:
    """Share of attributions to priority publics in each contingent, against the target."""
    priority = _priority_rows(table_site)
    if not priority:
        return _unavailable("Attributions aux publics prioritaires par réservataire", source)
    fig, (ax,) = _new_figure(3.3)
    xs = range(len(priority))
    values = [float(r["value"]) for _, r in priority if not is_suppressed(r)]
    targets = [float(r["target"]) for _, r in priority if not is_missing(r.get("target"))]
    top = _nice_max(values + targets, floor=25)
    for x, (_, row) in zip(xs, priority, strict=True):
        if is_suppressed(row):
            _ns_text(ax, x, top * 0.03, ha="center")
            continue
        ax.bar(x, float(row["value"]), width=0.62, color=_colour(row))
        ax.text(x, float(row["value"]) + top * 0.015, fmt_pct(row["value"]), ha="center", va="bottom", fontsize=7.5)
    _vertical_targets(ax, [r for _, r in priority])
    ax.set_xticks(list(xs), [_priority_tick(code, row) for code, row in priority], fontsize=7)
    ax.set_ylim(0, top)
    ax.set_ylabel("Part des attributions du contingent (en %)")
    _pct_axis(ax, "y")
    _grid(ax, "y")
    uniform = len({float(r["target"]) for _, r in priority if not is_missing(r.get("target"))}) == 1
    neutral = any(target_met(r) is None for _, r in priority if not is_suppressed(r))
    _target_legend(ax, neutral, loc="upper right", dashed=uniform)
    return _finish(fig, _priority_title(priority), source)


def _vertical_targets(ax: Axes, priority: list[pd.Series]) -> None:
    targets = {float(r["target"]) for r in priority if not is_missing(r.get("target"))}
    if len(targets) == 1:
        ax.axhline(targets.pop(), color=INK, linewidth=1.2, linestyle=(0, (4, 2)), gid="target")
        return
    for x, row in enumerate(priority):
        if not is_missing(row.get("target")):
            ax.plot([x - 0.4, x + 0.4], [row["target"]] * 2, color=INK, linewidth=2, gid="target")


def _priority_tick(code: str, row: pd.Series) -> str:
    label = _wrap(_reservataire_label(code), 16)
    denominator = row.get("denominator")
    if is_suppressed(row) or is_missing(denominator):
        return label
    return f"{label}\n({plural_fr(denominator, 'attribution')})"


def _priority_title(priority: list[tuple[str, pd.Series]]) -> str:
    judged = [target_met(r) for _, r in priority if not is_suppressed(r) and target_met(r) is not None]
    if not judged:
        return "Attributions aux publics prioritaires par réservataire"
    met = sum(judged)
    if met == len(judged):
        return "Publics prioritaires : l'objectif est atteint par tous les contingents publiés"
    if met == 0:
        return "Publics prioritaires : aucun contingent n'atteint l'objectif"
    verb = "atteint" if met < 2 else "atteignent"
    return f"Publics prioritaires : {plural_fr(met, 'contingent')} sur {len(judged)} {verb} l'objectif"


# --- demand: pressure and delays by typology --------------------------------------------------


def _by_typology(table_site: pd.DataFrame, indicator: str) -> list[tuple[str, pd.Series]]:
    found = rows(table_site, indicator)
    found = found.loc[found["breakdown"] != ""].set_index("breakdown", drop=False)
    order = [t for t in codes.TYPOLOGIES if t in found.index] + sorted(set(found.index) - set(codes.TYPOLOGIES))
    return [(t, found.loc[t]) for t in order]


_DEMAND_PANELS = (  # indicator, panel title, unit, colour
    ("pressure", "Demandes actives pour une attribution", "ratio", MET),
    ("median_delay_months", "Délai médian d'attribution", "mois", LIGHT),
    ("median_seniority_months", "Ancienneté médiane des demandes", "mois", NEUTRAL),
)


def _typology_panel(
    ax: Axes, items: list[tuple[str, pd.Series]], typologies: list[str], unit: str, colour: str, overall: pd.Series | None
) -> None:
    """Horizontal bars by typology (first typology on top), the site-level value as a dashed line."""
    by_code = dict(items)
    overall = None if overall is None or is_suppressed(overall) else overall
    values = [float(r["value"]) for _, r in items if not is_suppressed(r)]
    right = _nice_max(values + ([float(overall["value"])] if overall is not None else []))
    line = float(overall["value"]) if overall is not None else None
    for y, code in enumerate(typologies):
        row = by_code.get(code)
        if row is None:
            continue
        if is_suppressed(row):
            _ns_text(ax, right * 0.02, y)
            continue
        value = float(row["value"])
        ax.barh(y, value, height=0.62, color=colour)
        ax.text(_label_x(value, line, right), y, fmt_value(value, unit), va="center", fontsize=7.5)
    if line is not None:
        ax.axvline(line, color=INK, linewidth=1, linestyle=(0, (3, 2)))
        ax.text(line, -0.55, f"ensemble : {fmt_value(line, unit)}", ha="center", va="bottom", fontsize=7, color=INK)
    ax.set_xlim(0, right)
    ax.set_ylim(len(typologies) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 0)))
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
    _grid(ax)


@_with_rc
def pressure_delay_chart(table_site: pd.DataFrame, *, source: str = SOURCE_DEMAND) -> Figure:
    """Pressure and median delay to attribution by typology.

    When the table has no pressure by typology, the median seniority of active demands takes its
    panel (the site-level pressure is then in the title).
    """
    panels = [(spec, items) for spec in _DEMAND_PANELS if (items := _by_typology(table_site, spec[0]))][:2]
    typologies = [t for t in codes.TYPOLOGIES if any(t in dict(items) for _, items in panels)]
    title = _demand_title(table_site, dict((spec[0], items) for spec, items in panels))
    if not typologies:
        return _unavailable(title, source)
    fig, axes = _new_figure(1.6 + 0.3 * len(typologies), ncols=len(panels), sharey=True)
    for ax, ((indicator, panel_title, unit, colour), items) in zip(axes, panels, strict=True):
        _typology_panel(ax, items, typologies, unit, colour, get_row(table_site, indicator))
        ax.set_title(panel_title, loc="left", color=INK, pad=14)
    axes[0].set_yticks(range(len(typologies)), [_typology_label(t) for t in typologies])
    return _finish(fig, title, source)


def _demand_title(table_site: pd.DataFrame, panels: dict[str, list[tuple[str, pd.Series]]]) -> str:
    shown = [(t, float(r["value"])) for t, r in panels.get("pressure", []) if not is_suppressed(r)]
    if len(shown) >= 2:
        code, value = max(shown, key=lambda item: item[1])
        return (
            f"La pression est la plus forte pour {typology_phrase(code)} : "
            f"{fmt_num(value, 1)} demandes actives pour une attribution"
        )
    spread = typology_range(table_site, "median_delay_months", lambda v: fmt_value(v, "mois")).removeprefix(", ")
    overall = get_row(table_site, "pressure")
    if spread and overall is not None and not is_suppressed(overall):
        words = plural_fr(overall["value"], "demande active", "demandes actives", with_count=False)
        return f"{fmt_num(overall['value'], 1)} {words} pour une attribution ; délai médian {spread}"
    if spread:
        return f"Délai médian d'attribution : {spread}"
    return "Pression de la demande et délai d'attribution selon la typologie"


# --- gestion en flux ---------------------------------------------------------------------------


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


class _Absent:
    """No row in the table: nothing is drawn (unlike None, a suppressed cell marked « n.s. »)."""


ABSENT = _Absent()
Cell = float | None | _Absent


def _flux_items(table_site: pd.DataFrame) -> list[tuple[str, Cell, Cell]]:
    """(label, reserved stock share, attributions share), with a State total first when computable."""
    stock_rows = rows(table_site, "flux_reserved_stock_share")
    stock = {r["breakdown"]: (None if is_suppressed(r) else float(r["value"])) for _, r in stock_rows.iterrows()}
    stock.pop("", None)
    attributed = _attribution_shares(table_site)
    order = reservataire_order(set(stock) | set(attributed))
    items: list[tuple[str, Cell, Cell]] = [
        (_reservataire_label(c), stock.get(c, ABSENT), attributed.get(c, ABSENT)) for c in order
    ]
    state = [c for c in ("PPRIOR", "PFONCT") if c in order]
    if len(state) == 2:
        shares = [attributed.get(c) for c in state]
        total_attr = None if None in shares else sum(shares)  # type: ignore[arg-type]
        items.insert(0, ("État, ensemble", state_share(table_site), total_attr))
    return items


@_with_rc
def flux_chart(table_site: pd.DataFrame, *, state_cap: float = 30.0, source: str = SOURCE_FLUX) -> Figure:
    """Reserved stock share against the share of attributions, by réservataire, with the State's cap."""
    items = _flux_items(table_site)
    title = _flux_title(table_site, state_cap)
    if not items:
        return _unavailable(title, source)
    fig, (ax,) = _new_figure(1.6 + 0.42 * len(items))
    values = [v for _, s, a in items for v in (s, a) if isinstance(v, float)]
    right = _nice_max(values, floor=state_cap)
    for y, (_, stock, attributed) in enumerate(items):
        for offset, value, colour in ((-0.19, stock, LIGHT), (0.19, attributed, MET)):
            if value is None:
                _ns_text(ax, right * 0.01, y + offset, fontsize=6.5)
            elif isinstance(value, float):
                ax.barh(y + offset, value, height=0.36, color=colour)
                ax.text(_label_x(value, state_cap, right), y + offset, fmt_pct(value), va="center", fontsize=7)
    ax.axvline(state_cap, color=DEADLINE, linewidth=1.1, linestyle=(0, (4, 2)), gid="cap")
    ax.set_yticks(range(len(items)), [_wrap(label, 24) for label, _, _ in items])
    ax.set_ylim(len(items) - 0.45, -0.55)
    ax.set_xlim(0, right)
    ax.tick_params(axis="y", length=0)
    _pct_axis(ax)
    _grid(ax)
    handles = [
        Patch(color=LIGHT, label="Parc réservé"),
        Patch(color=MET, label="Attributions de l'année"),
        Line2D([], [], color=DEADLINE, linewidth=1.1, linestyle=(0, (4, 2)),
               label=f"Plafond du flux de l'État ({fmt_pct(state_cap, trim=True)})"),
    ]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, borderaxespad=0.2, fontsize=7.5)
    return _finish(fig, title, source)


def _flux_title(table_site: pd.DataFrame, state_cap: float) -> str:
    state = state_share(table_site)
    if state is None:
        return "Parc réservé et attributions par réservataire"
    where = "dans la limite du" if state <= state_cap else "au-delà du"
    return f"L'État réserve {fmt_pct(state)} du parc, {where} plafond de {fmt_pct(state_cap, trim=True)} fixé pour le flux"


# --- cotation ----------------------------------------------------------------------------------


def _band_key(label: str) -> tuple[float, str]:
    match = re.match(r"\s*(\d+)", label)
    return (float(match[1]) if match else float("inf"), label)


def _band_shares(table_site: pd.DataFrame, indicator: str) -> dict[str, float | None]:
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


@_with_rc
def cotation_chart(table_site: pd.DataFrame, *, source: str = SOURCE_COTATION) -> Figure:
    """Score distribution of active demands (bars) and of attributed households (markers)."""
    demand = _band_shares(table_site, "cotation_score_band")
    attributed = _band_shares(table_site, "cotation_attributed_band")
    bands = sorted(set(demand) | set(attributed), key=_band_key)
    title = _cotation_title(table_site, demand, attributed, bands)
    if not bands:
        return _unavailable(title, source)
    fig, (ax,) = _new_figure(3.2)
    top = _nice_max([v for v in [*demand.values(), *attributed.values()] if v is not None])
    for x, band in enumerate(bands):
        _cotation_band(ax, x, top, (band in demand, demand.get(band)), (band in attributed, attributed.get(band)))
    ax.set_xticks(range(len(bands)), bands)
    ax.set_xlim(-0.6, len(bands) - 0.4)
    ax.set_ylim(0, top)
    ax.set_xlabel("Score de cotation (tranches de points)")
    ax.set_ylabel("Part de l'ensemble (en %)")
    _pct_axis(ax, "y")
    _grid(ax, "y")
    handles = [
        Patch(color=LIGHT, label="Demandes actives au 31 décembre"),
        Line2D([], [], marker="o", color=NOT_MET, linestyle="none", markeredgecolor="white",
               label="Ménages attributaires de l'année"),
    ]
    if None in demand.values():
        handles.append(Patch(facecolor="white", edgecolor="#9aa3ad", hatch="////", label="Non diffusé (n.s.)"))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=3,
        borderaxespad=0.2,
    )
    return _finish(fig, title, source)


def _cotation_band(
    ax: Axes, x: int, top: float, demand_cell: tuple[bool, float | None], attributed_cell: tuple[bool, float | None]
) -> None:
    """One band: a bar (or a hatched « n.s. » column) for demands, a marker (or « n.s. ») for attributions."""
    (has_demand, demand), (has_attributed, attributed) = demand_cell, attributed_cell
    if demand is None and has_demand:
        placeholder = Rectangle((x - 0.36, 0), 0.72, top * 0.96, facecolor="none", edgecolor="#d3d8dd", linewidth=0.5)
        placeholder.set_hatch("////")
        ax.add_patch(placeholder)
        _ns_text(ax, x, top * 0.04, ha="center", fontsize=7, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    elif demand is not None:
        ax.bar(x, demand, width=0.72, color=LIGHT)
    if attributed is not None:
        ax.plot(x, attributed, marker="o", markersize=6.5, color=NOT_MET, markeredgecolor="white", zorder=3)
    elif has_attributed and demand is not None:
        _ns_text(ax, x, demand + top * 0.04, ha="center", color=NOT_MET, fontsize=7)


def _mean_band(shares: dict[str, float | None], bands: list[str]) -> float | None:
    known = [(bands.index(b), s) for b, s in shares.items() if s is not None]
    weight = sum(s for _, s in known)
    return sum(i * s for i, s in known) / weight if weight else None


def _cotation_title(
    table_site: pd.DataFrame, demand: dict[str, float | None], attributed: dict[str, float | None], bands: list[str]
) -> str:
    """Compare attributed households with all demands: median scores when published, else mean band
    position, only when no band is suppressed (hidden bands would bias it)."""
    medians = [get_row(table_site, f"cotation_median_score_{kind}") for kind in ("active", "attributed")]
    if all(row is not None and not is_suppressed(row) for row in medians):
        mean_demand, mean_attributed = (float(row["value"]) for row in medians)  # type: ignore[index]
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


# --- timeline ----------------------------------------------------------------------------------


def _year_fraction(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / 365


@_with_rc
def milestones_timeline(
    milestones: Sequence[tuple[int | None, str]],
    site_name: str,
    *,
    deadlines: Sequence[tuple[dt.date, str]] = LEGAL_DEADLINES,
    source: str = SOURCE_GRID,
) -> Figure:
    """The site's milestones (by year, above the line) and the legal deadlines (below); undated items skipped."""
    by_year: dict[int, list[str]] = {}
    for year, label in milestones:
        if year is not None:
            by_year.setdefault(int(year), []).append(label)
    title = f"{site_name} : les étapes de la réforme" + (f" depuis {min(by_year)}" if by_year else "")
    fig, (ax,) = _new_figure(3.1)
    years = sorted(by_year) + [d.year for d, _ in deadlines]
    first, last = (min(years), max(years)) if years else (2017, 2024)
    ax.axhline(0, color="#9aa3ad", linewidth=1.2, zorder=1)
    for i, year in enumerate(sorted(by_year)):
        label = "\n".join(_wrap(text, 20) for text in by_year[year])
        _timeline_point(ax, year + 0.5, 0.9 + 0.7 * (i % 2), label, MET, "milestone")
    for i, (date, label) in enumerate(sorted(deadlines)):
        _timeline_point(ax, _year_fraction(date), -0.8 - 0.75 * (i % 2), _wrap(label, 26), DEADLINE, "deadline")
    ax.set_xlim(first - 0.3, last + 1.6)
    ax.set_ylim(-2.6, 2.9)
    ax.xaxis.set_major_locator(FixedLocator(range(first, last + 2)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_position(("data", 0))
    ax.tick_params(axis="x", labelsize=7.5, labelcolor=MUTED)
    return _finish(fig, title, source)


def _timeline_point(ax: Axes, x: float, height: float, label: str, colour: str, gid: str) -> None:
    ax.plot([x, x], [0, height], color=colour, linewidth=0.8, zorder=1)
    ax.plot(x, 0, marker="o", markersize=6, color=colour, markeredgecolor="white", zorder=3, gid=gid)
    va = "bottom" if height > 0 else "top"
    ax.text(x, height + (0.05 if height > 0 else -0.05), label, ha="center", va=va, fontsize=7, color=INK, linespacing=1.15)


# --- synthesis: cross-site charts --------------------------------------------------------------


def _indicator_meta(indicator: str) -> tuple[str, str]:
    """(French label, unit) from the indicator registry; the id and '%' when it is not there."""
    try:
        from .indicators.registry import INDICATORS
    except ImportError:  # pragma: no cover - registry being written
        return indicator, "%"
    spec = INDICATORS.get(indicator)
    return (spec.label_fr, spec.unit) if spec else (indicator, "%")


@_with_rc
def sites_indicator_chart(
    table_all: pd.DataFrame, indicator: str, site_labels: Mapping[str, str], *, source: str = SOURCE_SITES
) -> Figure:
    """One dot per site (site-level row), sorted, coloured met / not met, with each site's target."""
    label, unit = _indicator_meta(indicator)
    found = table_all.loc[(table_all["indicator"] == indicator) & (table_all["breakdown"].fillna("") == "")]
    shown = sorted((r for _, r in found.iterrows() if not is_suppressed(r)), key=lambda r: float(r["value"]))
    hidden = [r for _, r in found.iterrows() if is_suppressed(r)]
    ordered = hidden + shown  # y = 0 at the bottom: n.s. sites below, highest value on top
    title = _sites_title(label, unit, shown, site_labels)
    if not ordered:
        return _unavailable(title, source)
    fig, (ax,) = _new_figure(1.4 + 0.27 * len(ordered))
    values = [float(r["value"]) for r in shown]
    targets = [float(r["target"]) for r in ordered if not is_missing(r.get("target"))]
    right = _nice_max(values + targets)
    for y, row in enumerate(ordered):
        _site_dot(ax, y, row, unit, right, _colour(row) if targets else MET)
    one_line = _site_targets(ax, ordered)
    ax.set_yticks(range(len(ordered)), [site_labels.get(r["site"], r["site"]) for r in ordered])
    ax.set_ylim(-0.6, len(ordered) - 0.4)
    ax.set_xlim(0, right)
    ax.set_xlabel(f"{label} (en {unit})" if unit not in ("nombre", "ratio") else label)
    ax.tick_params(axis="y", length=0)
    _value_axis(ax, unit)
    _grid(ax)
    if targets:
        _target_legend(ax, any(target_met(r) is None for r in shown), loc="lower right", fontsize=7, dashed=one_line)
    return _finish(fig, title, source)


def _site_dot(ax: Axes, y: int, row: pd.Series, unit: str, right: float, colour: str) -> None:
    if is_suppressed(row):
        _ns_text(ax, right * 0.01, y)
        return
    value = float(row["value"])
    ax.plot([0, value], [y, y], color=GRID, linewidth=2, zorder=1, solid_capstyle="butt")
    ax.plot(value, y, marker="o", markersize=7, color=colour, markeredgecolor="white", zorder=3)
    ax.text(value + right * 0.02, y, fmt_value(value, unit), va="center", fontsize=7)


def _site_targets(ax: Axes, ordered: list[pd.Series]) -> bool:
    """One dashed line when every site has the same target (returns True), else a tick per site."""
    targets = {float(r["target"]) for r in ordered if not is_missing(r.get("target"))}
    if len(targets) == 1 and all(not is_missing(r.get("target")) for r in ordered):
        ax.axvline(targets.pop(), color=INK, linewidth=1.1, linestyle=(0, (4, 2)), gid="target")
        return True
    for y, row in enumerate(ordered):
        if not is_missing(row.get("target")):
            ax.plot([row["target"]] * 2, [y - 0.32, y + 0.32], color=INK, linewidth=2, gid="target")
    return False


def _sites_title(label: str, unit: str, shown: list[pd.Series], site_labels: Mapping[str, str]) -> str:
    """How many sites meet the target; without targets, the range from the lowest to the highest site."""
    judged = [target_met(r) for r in shown if target_met(r) is not None]
    if not judged and len(shown) >= 2:
        low, high = shown[0], shown[-1]  # sorted by value
        name = lambda row: site_labels.get(row["site"], row["site"])  # noqa: E731
        return (
            f"{label} : de {fmt_value(low['value'], unit)} ({name(low)}) "
            f"à {fmt_value(high['value'], unit)} ({name(high)})"
        )
    if not judged:
        return label
    met = sum(judged)
    if met == 0:
        return f"{label} : aucun site n'atteint l'objectif"
    verb = "atteint" if met < 2 else "atteignent"
    return f"{label} : {plural_fr(met, 'site')} sur {len(judged)} {verb} l'objectif"


@_with_rc
def status_count_chart(counts: Mapping[str, int], title: str, *, source: str = SOURCE_GRIDS) -> Figure:
    """How many sites are at each coded status, in the order given (e.g. the cotation stages)."""
    if not counts:
        return _unavailable(title, source)
    labels, values = list(counts), [int(v) for v in counts.values()]
    fig, (ax,) = _new_figure(1.3 + 0.3 * len(labels))
    ys = range(len(labels))
    ax.barh(list(ys), values, height=0.62, color=MET)
    right = max(values + [1]) * 1.15
    for y, value in zip(ys, values, strict=True):
        ax.text(value + right * 0.015, y, fmt_int(value), va="center", fontsize=7.5)
    ax.set_yticks(list(ys), [_wrap(label, 32) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, right)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Nombre de sites")
    return _finish(fig, title, source)
