"""Maps of EPCI drawn with matplotlib alone: ``PolyCollection`` fills from the shipped contours
(:mod:`cohorte.reference.contours`), département outlines as a ``LineCollection``; no network, no tiles.

The functions draw what they are given: the classes (colour, hatch, legend label, EPCI), the
title, the source line and the alt text come from :mod:`cohorte.report.maps`, which computes them
and takes the words from ``templates/text/fr/maps/``. Artists tests look for carry a ``gid``:
``"class-N"`` (a class' fills), ``"ns"`` (hatched suppressed figures), ``"outside"`` (EPCI outside
the edition), ``"departements"`` (outlines), ``"highlight"`` (the EPCI of a fiche), ``"site-N"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cohorte.reference.contours import (
    OVERSEAS,
    Layer,
    departements_layer,
    epci_layer,
    epci_vintage,
    interior_point,
    region_of_departement,
    regions_layer,
    territory_polygons,
)
from cohorte.report.figures.style import INK, MET, MUTED, finish, new_figure, with_rc

# ColorBrewer YlGnBu (5 classes): colour-blind safe, lightness rising with the value (prints in grey).
SEQUENTIAL = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
OUTSIDE = "#e4e4e4"  # EPCI outside the edition
NS_HATCH = "/////"
EDGE = "#ffffff"
OUTLINE = "#4d4d4d"
REGION_FILL = "#f3f3f3"
MAP_HEIGHT = 5.0


@dataclass(frozen=True)
class MapClass:
    """One legend entry: the EPCI it holds (SIREN), how they are filled, what the legend says."""

    label: str
    codes: tuple[str, ...]
    colour: str = "#ffffff"
    hatch: str = ""
    gid: str = ""


# --- fixed layers, prepared once per process ----------------------------------------------------


@cache
def _exterior_index(year: int) -> dict[str, list[int]]:
    layer = epci_layer(year)
    positions: dict[str, list[int]] = {}
    for position, owner in enumerate(layer.exterior_owner):
        positions.setdefault(layer.codes[owner], []).append(position)
    return positions


def _rings_of(year: int, codes: Sequence[str]) -> list[np.ndarray]:
    """The EPCI's outer rings in drawing order (largest first), for the codes found in the vintage."""
    layer = epci_layer(year)
    positions = _exterior_index(year)
    chosen = sorted(p for code in codes for p in positions.get(code, []))
    return [layer.exteriors[p] for p in chosen]


def _layer(kind: str, year: int) -> Layer:
    return departements_layer(year) if kind == "departements" else regions_layer(year)


@cache
def _ring_boxes(kind: str, year: int, exteriors: bool) -> np.ndarray:
    layer = _layer(kind, year)
    return np.array([(*r.min(axis=0), *r.max(axis=0)) for r in (layer.exteriors if exteriors else layer.rings)])


def _near(kind: str, year: int, box: tuple[float, float, float, float], exteriors: bool = False) -> list[np.ndarray]:
    """The rings of a layer that reach into ``box`` (a locator map draws only what it shows)."""
    layer, boxes = _layer(kind, year), _ring_boxes(kind, year, exteriors)
    xmin, ymin, xmax, ymax = box
    near = (boxes[:, 0] < xmax) & (boxes[:, 2] > xmin) & (boxes[:, 1] < ymax) & (boxes[:, 3] > ymin)
    rings = layer.exteriors if exteriors else layer.rings
    return [ring for ring, keep in zip(rings, near, strict=True) if keep]


@cache
def _overview(year: int, region: str = "") -> tuple[np.ndarray, ...]:
    """Régions (or one région) with one vertex in six: the small France beside a locator map, prepared once."""
    layer = regions_layer(year)
    rings = layer.polygons_of(region) if region else list(layer.exteriors)
    return tuple(np.vstack([ring[:-1:6], ring[-1:]]) for ring in rings if len(ring) >= 24)


def _outlines(layer: Layer, *, linewidth: float, colour: str = OUTLINE, gid: str = "departements") -> LineCollection:
    return LineCollection(list(layer.rings), colors=colour, linewidths=linewidth, gid=gid, zorder=3)


def _fill(rings: list[np.ndarray], colour: str, *, hatch: str = "", gid: str = "", zorder: float = 2) -> PolyCollection:
    collection = PolyCollection(
        rings, facecolors=colour, edgecolors=MUTED if hatch else EDGE, linewidths=0.15, gid=gid, zorder=zorder
    )
    if hatch:
        collection.set_hatch(hatch)
    return collection


def _frame(ax: Axes, bounds: tuple[float, float, float, float], margin: float = 0.03) -> None:
    xmin, ymin, xmax, ymax = bounds
    pad = margin * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _france_bounds(year: int) -> tuple[float, float, float, float]:
    boxes = departements_layer(year).bounds
    return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())


def _inset_labels(ax: Axes, year: int, labels: Mapping[str, str]) -> None:
    """The overseas insets' names under each inset (their positions on the map are not real)."""
    layer = departements_layer(year)
    for code in OVERSEAS:
        if code in layer.codes and code in labels:
            xmin, ymin, xmax, _ = layer.bounds_of(code)
            ax.text((xmin + xmax) / 2, ymin - 12_000, labels[code], ha="center", va="top", fontsize=5.5, color=MUTED)


def _highlight(ax: Axes, year: int, siren: str) -> None:
    """A fiche's EPCI: outlined in black, and circled so that a small one is found at a glance."""
    outline = PolyCollection(_rings_of(year, [siren]), facecolors="none", edgecolors=INK, linewidths=1.2, zorder=4)
    outline.set_gid("highlight")
    ax.add_collection(outline)
    x, y = interior_point(epci_layer(year), siren)
    ax.scatter([x], [y], s=220, facecolors="none", edgecolors=INK, linewidths=1.4, zorder=5, gid="highlight-circle")


def _legend(ax: Axes, classes: Sequence[MapClass], title: str, extra: Sequence[Artist] = ()) -> None:
    handles: list[Artist] = [
        Patch(
            facecolor=c.colour,
            hatch=c.hatch,
            edgecolor=MUTED if c.hatch or c.colour == "#ffffff" else c.colour,
            linewidth=0.5,
            label=c.label,
        )
        for c in classes
    ]
    handles += extra
    ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
        title_fontsize=7.5,
        alignment="left",
        handlelength=1.6,
        borderaxespad=0,
    )


# --- maps ----------------------------------------------------------------------------------------


@with_rc
def national_map(
    year: int,
    classes: Sequence[MapClass],
    *,
    title: str,
    source: str,
    alt: str,
    legend_title: str,
    inset_labels: Mapping[str, str],
    outside_label: str,
    highlight: str | None = None,
    highlight_label: str = "",
) -> Figure:
    """Every EPCI of the vintage: the classes' fills, the rest light grey, département outlines,
    overseas insets named; ``highlight`` (a SIREN: a fiche's EPCI) outlined and circled."""
    fig, (ax,) = new_figure(MAP_HEIGHT)
    layer = epci_layer(year)
    shown = {code for c in classes for code in c.codes}
    outside = [code for code in layer.codes if code not in shown]
    ax.add_collection(_fill(_rings_of(year, outside), OUTSIDE, gid="outside", zorder=1))
    for c in classes:
        if c.codes:
            ax.add_collection(_fill(_rings_of(year, c.codes), c.colour, hatch=c.hatch, gid=c.gid))
    ax.add_collection(_outlines(departements_layer(year), linewidth=0.35))
    legend = [c for c in classes if c.codes]
    if outside:
        legend.append(MapClass(outside_label, tuple(outside), OUTSIDE, gid="outside"))
    if highlight and highlight in epci_layer(year).codes:
        _highlight(ax, year, highlight)
    _inset_labels(ax, year, inset_labels)
    _frame(ax, _france_bounds(year), margin=0.02)
    circle = Line2D(
        [],
        [],
        marker="o",
        markersize=9,
        markerfacecolor="none",
        markeredgecolor=INK,
        markeredgewidth=1.4,
        linestyle="none",
        label=highlight_label,
    )
    _legend(ax, legend, legend_title, extra=[circle] if highlight else [])
    return finish(fig, title, source, alt)


@with_rc
def locator_map(
    year: int,
    siren: str,
    region: str,
    *,
    title: str,
    source: str,
    alt: str,
    labels: Mapping[str, str],
) -> Figure:
    """The EPCI filled inside its région (``region``: INSEE code), the région's départements outlined
    and coded; a small France beside it with the région marked."""
    fig, (ax, overview) = new_figure(3.6, ncols=2, gridspec_kw={"width_ratios": [2.6, 1]})
    regions, departements = regions_layer(year), departements_layer(year)
    xmin, ymin, xmax, ymax = regions.bounds_of(region)
    pad = 0.1 * max(xmax - xmin, ymax - ymin)
    view = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    ax.add_collection(_fill(_near("regions", year, view, exteriors=True), REGION_FILL, zorder=1))
    ax.add_collection(_fill(regions.polygons_of(region), "#ffffff", zorder=1.5))
    rings = list(territory_polygons("epci", epci_vintage(year), siren))
    epci = PolyCollection(rings, facecolors=MET, edgecolors=INK, linewidths=0.6, zorder=2)
    epci.set_gid("highlight")
    ax.add_collection(epci)
    ax.add_collection(
        LineCollection(_near("departements", year, view), colors=MUTED, linewidths=0.4, gid="departements", zorder=3)
    )
    ax.add_collection(LineCollection(_near("regions", year, view), colors=INK, linewidths=0.9, gid="regions", zorder=3))
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    for code in departements_in(year, region):
        x, y = interior_point(departements, code)
        ax.text(x, y, code, fontsize=6.5, color=INK, ha="center", va="center", zorder=5, path_effects=halo)
    _frame(ax, regions.bounds_of(region), margin=0.04)
    overview.add_collection(_fill(list(_overview(year)), "#dddddd", zorder=1))
    overview.add_collection(_fill(list(_overview(year, region)) or regions.polygons_of(region), INK, zorder=2))
    _frame(overview, _france_bounds(year), margin=0.02)
    handles = [
        Patch(facecolor=MET, edgecolor=INK, linewidth=0.6, label=labels["epci"]),
        Patch(facecolor="#ffffff", edgecolor=MUTED, linewidth=0.6, label=labels["departements"]),
    ]
    overview.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.02), fontsize=7, borderaxespad=0)
    return finish(fig, title, source, alt)


def departements_in(year: int, region: str) -> list[str]:
    """The INSEE codes of a région's départements (found from the contours; boxes first, then polygons)."""
    layer = departements_layer(year)
    xmin, ymin, xmax, ymax = regions_layer(year).bounds_of(region)
    boxes = layer.bounds
    near = (boxes[:, 0] < xmax) & (boxes[:, 2] > xmin) & (boxes[:, 1] < ymax) & (boxes[:, 3] > ymin)
    return [
        code
        for code, close in zip(layer.codes, near, strict=True)
        if close and region_of_departement(code, year) == region
    ]


@with_rc
def sites_map(
    year: int,
    sites: Sequence[tuple[str, str, str]],
    *,
    title: str,
    source: str,
    alt: str,
    legend_title: str,
    inset_labels: Mapping[str, str],
) -> Figure:
    """The observed sites, numbered on the map and named in the legend with their région
    (``sites``: SIREN, legend label, région INSEE code); the régions they represent shaded."""
    fig, (ax,) = new_figure(MAP_HEIGHT)
    regions = regions_layer(year)
    represented = {region for _, _, region in sites if region}
    ax.add_collection(_fill(list(regions.exteriors), "#f0f0f0", zorder=1))
    shaded = [ring for code in sorted(represented) for ring in regions.polygons_of(code)]
    ax.add_collection(_fill(shaded, "#d6e4f0", zorder=1.5, gid="regions-represented"))
    ax.add_collection(_outlines(departements_layer(year), linewidth=0.25, colour="#b0b0b0"))
    ax.add_collection(_outlines(regions, linewidth=0.7, colour=MUTED, gid="regions"))
    layer = epci_layer(year)
    handles = []
    for number, (siren, label, _) in enumerate(sites, start=1):
        rings = _rings_of(year, [siren])
        ax.add_collection(
            PolyCollection(rings, facecolors=MET, edgecolors=INK, linewidths=0.4, gid=f"site-{number}", zorder=4)
        )
        if siren in layer.codes:
            x, y = interior_point(layer, siren)
            ax.annotate(
                str(number),
                (x, y),
                xytext=(5, 5),
                textcoords="offset points",
                fontsize=7,
                fontweight="bold",
                color=INK,
                zorder=6,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": MUTED, "lw": 0.4},
            )
        handles.append(Patch(facecolor="none", edgecolor="none", label=f"{number}. {label}"))
    _inset_labels(ax, year, inset_labels)
    _frame(ax, _france_bounds(year), margin=0.02)
    ax.legend(
        handles=handles,
        title=legend_title,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=6.5,
        title_fontsize=7.5,
        alignment="left",
        handlelength=0,
        handletextpad=0,
        borderaxespad=0,
    )
    return finish(fig, title, source, alt)
