"""One indicator across two editions: one line per site followed in both (synthesis)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from cohorte.indicators.published import is_missing
from cohorte.indicators.registry import INDICATORS
from cohorte.report.figures.style import INK, MET, MUTED, finish, grid, new_figure, unavailable, value_axis, with_rc
from cohorte.report.formatting import fmt_value

SOURCE_EDITIONS = (
    "Source : indicateurs publiés des deux éditions (sites suivis aux deux éditions) ; traitement cohorte."
)


@with_rc
def editions_chart(
    changes: pd.DataFrame,
    indicator: str,
    site_labels: Mapping[str, str],
    previous: int,
    edition: int,
    *,
    source: str = SOURCE_EDITIONS,
) -> Figure:
    """A slope chart: each site's site-level value at both editions; a hidden value is not drawn (« n.s. »)."""
    spec = INDICATORS[indicator]
    rows = changes[(changes["indicator"] == indicator) & (changes["breakdown"] == "")]
    title = f"{spec.label_fr} : éditions {previous} et {edition}"
    drawn = [r for _, r in rows.iterrows() if not (is_missing(r["before"]) and is_missing(r["after"]))]
    if not drawn:
        return unavailable(title, source)
    fig, (ax,) = new_figure(3.2)
    for row in drawn:
        name = site_labels.get(row["site"], row["site"])
        points = [(x, row[col]) for x, col in ((0, "before"), (1, "after")) if not is_missing(row[col])]
        xs, ys = [p[0] for p in points], [float(p[1]) for p in points]
        ax.plot(xs, ys, marker="o", color=MET if len(points) == 2 else MUTED, linewidth=1.2, markersize=4)
        ax.annotate(
            name, (xs[-1], ys[-1]), xytext=(6, 0), textcoords="offset points", va="center", fontsize=7, color=INK
        )
    ax.set_xticks([0, 1], [str(previous), str(edition)])
    ax.set_xlim(-0.15, 1.6)
    value_axis(ax, spec.unit, axis="y")
    grid(ax, "y")
    alt = (
        f"{title}. "
        + " ; ".join(
            f"{site_labels.get(r['site'], r['site'])} : {fmt_value(r['before'], spec.unit)} puis {fmt_value(r['after'], spec.unit)}"
            for r in drawn
        )
        + "."
    )
    return finish(fig, title, source, alt=alt)
