"""Cross-site charts of the synthesis: one indicator across the cohort, sites by coded status."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorte.indicators.published import is_missing, is_suppressed, target_met
from cohorte.indicators.registry import INDICATORS
from cohorte.reference.national import NationalReference
from cohorte.report.figures.style import (
    GRID,
    INK,
    MET,
    MUTED,
    colour,
    finish,
    grid,
    new_figure,
    nice_max,
    ns_text,
    target_legend,
    unavailable,
    value_axis,
    with_rc,
)
from cohorte.report.formatting import fmt_pct, fmt_value, plural_fr

SOURCE_SITES = "Source : indicateurs publiés des sites de la cohorte ; traitement cohorte."

# --- one indicator across sites ----------------------------------------------------------------


@with_rc
def sites_indicator_chart(
    table_all: pd.DataFrame,
    indicator: str,
    site_labels: Mapping[str, str],
    *,
    source: str = SOURCE_SITES,
    reference: NationalReference | None = None,
) -> Figure:
    """One dot per site (site-level row), sorted, coloured met / not met, with each site's target, and
    the national value (``reference``: year and source in its label) as a dotted line."""
    spec = INDICATORS.get(indicator)
    label, unit = (spec.label_fr, spec.unit) if spec else (indicator, "%")
    found = table_all.loc[(table_all["indicator"] == indicator) & (table_all["breakdown"].fillna("") == "")]
    shown = sorted((r for _, r in found.iterrows() if not is_suppressed(r)), key=lambda r: float(r["value"]))
    ordered = [r for _, r in found.iterrows() if is_suppressed(r)] + shown  # y = 0 at the bottom: n.s. sites below
    title = _sites_title(label, unit, shown, site_labels)
    if not ordered:
        return unavailable(title, source)
    fig, (ax,) = new_figure(1.4 + 0.27 * len(ordered))
    targets = [float(r["target"]) for r in ordered if not is_missing(r.get("target"))]
    right = nice_max([float(r["value"]) for r in shown] + targets + ([reference.value] if reference else []))
    for y, row in enumerate(ordered):
        _site_dot(ax, y, row, unit, right, colour(row) if targets else MET)
    one_line = _site_targets(ax, ordered)
    ax.set_yticks(range(len(ordered)), [site_labels.get(r["site"], r["site"]) for r in ordered])
    ax.set_ylim(-0.6, len(ordered) - 0.4)
    ax.set_xlim(0, right)
    ax.set_xlabel(f"{label} (en {unit})" if unit not in ("nombre", "ratio") else label)
    ax.tick_params(axis="y", length=0)
    value_axis(ax, unit)
    grid(ax)
    if targets:
        target_legend(ax, any(target_met(r) is None for r in shown), loc="lower right", fontsize=7, dashed=one_line)
    alt = _sites_alt(title, unit, ordered, site_labels)
    if reference is not None:
        _national_line(ax, reference, unit, len(ordered))
        page = "en ligne" if reference.page == "en ligne" else f"p. {reference.page}"
        partial = " (chiffre partiel)" if reference.partial else ""
        source = (
            f"{source} Référence nationale {reference.year}{partial} : {reference.publisher}, "
            f"{reference.title}, {reference.publication_year}, {page}."
        )
        about = "environ " if reference.approximate else ""
        alt = f"{alt} Référence nationale {reference.year} : {about}{fmt_value(reference.value, unit)}."
    return finish(fig, title, source, alt=alt)


def _sites_alt(title: str, unit: str, ordered: list[pd.Series], site_labels: Mapping[str, str]) -> str:
    """The title, then every site's value (and target) from the highest to the lowest."""
    parts = []
    for row in reversed(ordered):
        value = "n.s." if is_suppressed(row) else fmt_value(row["value"], unit)
        goal = fmt_pct(row["target"], trim=True) if unit == "%" else fmt_value(row["target"], unit)
        target = "" if is_missing(row.get("target")) else f" (objectif {goal})"
        parts.append(f"{site_labels.get(row['site'], row['site'])} : {value}{target}")
    return f"{title}. " + " ; ".join(parts) + "."


def _national_line(ax: Axes, reference: NationalReference, unit: str, rows: int) -> None:
    """The national value as a dotted line labelled with its year (and « environ » when approximate)."""
    ax.axvline(reference.value, color=MUTED, linewidth=1, linestyle=(0, (1, 2)), gid="national")
    about = "env. " if reference.approximate else ""
    ax.text(
        reference.value,
        rows - 0.45,
        f"France {reference.year} : {about}{fmt_value(reference.value, unit)}",
        ha="center",
        va="bottom",
        fontsize=6.5,
        color=MUTED,
    )


def _site_dot(ax: Axes, y: int, row: pd.Series, unit: str, right: float, fill: str) -> None:
    if is_suppressed(row):
        ns_text(ax, right * 0.01, y)
        return
    value = float(row["value"])
    ax.plot([0, value], [y, y], color=GRID, linewidth=2, zorder=1, solid_capstyle="butt")
    ax.plot(value, y, marker="o", markersize=7, color=fill, markeredgecolor="white", zorder=3)
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
    judged = [met for met in map(target_met, shown) if met is not None]
    if not judged and len(shown) >= 2:
        low, high = shown[0], shown[-1]  # sorted by value
        low_name, high_name = (site_labels.get(row["site"], row["site"]) for row in (low, high))
        return (
            f"{label} : de {fmt_value(low['value'], unit)} ({low_name}) "
            f"à {fmt_value(high['value'], unit)} ({high_name})"
        )
    if not judged:
        return label
    met = sum(judged)
    if met == 0:
        return f"{label} : aucun site n'atteint l'objectif"
    verb = "atteint" if met < 2 else "atteignent"
    return f"{label} : {plural_fr(met, 'site')} sur {len(judged)} {verb} l'objectif"
