"""The look every chart shares: palette, rcParams, figure frame, title and source line, « n.s. » marks.

Charts are drawn inside :func:`with_rc` so the kit's style never leaks into the caller's rcParams.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, Literal

import matplotlib as mpl
import pandas as pd
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import LegendLocType, RcKeyType

from cohorte.indicators.published import is_missing, target_met
from cohorte.inputs import codes
from cohorte.report.formatting import NS, fmt_num, fmt_pct

WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page
MET = "#1f5f99"  # target met
NOT_MET = "#e07b29"  # target not met
NEUTRAL = "#8c9aa8"  # no target
LIGHT = "#a9c6e3"  # secondary series
DEADLINE = "#b3261e"
INK = "#222222"
MUTED = "#5f6368"
GRID = "#e3e6e9"
_TITLE_WIDTH = 70
# The lead of every chart title while the figures come from demo data (set by the document's loader:
# a headline about a real EPCI drawn from fictitious figures is an illustration, never a finding).
_ILLUSTRATION = {"lead": ""}


def illustrate(lead: str) -> None:
    """Lead every chart title and description with ``lead`` (« Illustration sur données fictives »); "" stops."""
    _ILLUSTRATION["lead"] = lead


_SOURCE_WIDTH = 115  # characters of the 7 pt source line within the figure's width


@functools.cache
def font_family() -> tuple[str, ...]:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return ("Liberation Sans", "DejaVu Sans") if "Liberation Sans" in names else ("DejaVu Sans",)


def _rc() -> dict[RcKeyType, Any]:
    return {
        "font.family": list(font_family()),
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


def with_rc(build: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw inside the kit's style without touching the caller's rcParams."""

    @functools.wraps(build)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with mpl.rc_context(_rc()):
            return build(*args, **kwargs)

    return wrapper


# --- frame -------------------------------------------------------------------------------------


def new_figure(height: float, ncols: int = 1, **subplot_kw: Any) -> tuple[Figure, list[Axes]]:
    """A page-wide figure without pyplot, its axes styled."""
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
    ax.tick_params(labelsize=8, labelcolor=INK, color="#9aa3ad", length=3, labelfontfamily=list(font_family()))
    ax.set_axisbelow(True)


def finish(fig: Figure, title: str, source: str, alt: str = "", *, from_figures: bool = True) -> Figure:
    """Left-aligned title (the finding) and the source line.

    ``alt`` (default: the title) is what the chart shows, in words, for readers who cannot see
    it; :func:`cohorte.report.display.show_figure` makes it the image's alternative text.
    ``from_figures``: the chart draws figures (on demo data its title is led by the illustration
    mark, see :func:`illustrate`); a chart of the observations (timeline) is not.
    """
    lead = _ILLUSTRATION["lead"] if from_figures else ""
    if lead:
        title, alt = f"{lead} — {title}", f"{lead} — {alt or title}"
    fig.cohorte_alt = alt or title  # type: ignore[attr-defined]
    fig.suptitle(textwrap.fill(title, _TITLE_WIDTH), x=0.01, ha="left", fontsize=10, fontweight="bold", color=INK)
    fig.supxlabel(textwrap.fill(source, _SOURCE_WIDTH), x=0.01, ha="left", fontsize=7, color=MUTED, fontstyle="italic")
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(h_pad=0.06, w_pad=0.04)
    return fig


def unavailable(title: str, source: str) -> Figure:
    """The chart's frame with « Données non disponibles » when the table has nothing to draw."""
    fig, (ax,) = new_figure(1.6)
    ax.set_axis_off()
    ax.text(0.5, 0.5, "Données non disponibles", ha="center", va="center", color=MUTED, transform=ax.transAxes)
    return finish(fig, title, source)


# --- axes --------------------------------------------------------------------------------------


def pct_axis(ax: Axes, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, 0)))


def value_axis(ax: Axes, unit: str, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    if unit == "%":
        pct_axis(ax, axis)
    else:
        target.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 0)))


def grid(ax: Axes, axis: Literal["x", "y"] = "x") -> None:
    ax.grid(axis=axis, color=GRID, linewidth=0.6)


def nice_max(values: Sequence[float], floor: float = 0) -> float:
    """The value axis' end: some room after the largest value (or the floor)."""
    top = max([floor, *values]) if values else floor
    return top * 1.18 if top > 0 else 1


# --- marks and labels --------------------------------------------------------------------------


def colour(row: pd.Series) -> str:
    """Blue when the row's target is met, orange when not, grey without a target."""
    met = target_met(row)
    return NEUTRAL if met is None else (MET if met else NOT_MET)


def ns_text(ax: Axes, x: float, y: float, **kw: Any) -> None:
    """The « n.s. » mark drawn in place of a suppressed value."""
    style: dict[str, Any] = {"fontsize": 7.5, "color": MUTED, "fontstyle": "italic", "va": "center", "gid": "ns"}
    ax.text(x, y, NS, **(style | kw))


def label_x(value: float, target: float | None, right: float) -> float:
    """Where a bar's value label starts: after the bar, or after the target tick when it would overlap."""
    end = value
    if target is not None and not is_missing(target) and value - right * 0.01 < float(target) < value + right * 0.09:
        end = float(target)
    return end + right * 0.015


def wrap(label: str, width: int = 22) -> str:
    return textwrap.fill(label, width)


def reservataire_label(code: str) -> str:
    return codes.RESERVATAIRES.get(code, code)


def target_legend(ax: Axes, with_neutral: bool, loc: LegendLocType, *, dashed: bool = False, **kw: Any) -> None:
    """Met / not met (/ no target) swatches and the target mark: a tick, or a dashed line when shared."""
    handles: list[Artist] = [
        Patch(color=MET, label="Objectif atteint"),
        Patch(color=NOT_MET, label="Objectif non atteint"),
    ]
    if with_neutral:
        handles.append(Patch(color=NEUTRAL, label="Sans objectif"))
    style = {"linewidth": 1.2, "linestyle": (0, (4, 2))} if dashed else {"linewidth": 2}
    handles.append(Line2D([], [], color=INK, label="Objectif", **style))
    ax.legend(handles=handles, loc=loc, **kw)
