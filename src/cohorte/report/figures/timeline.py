"""The reform's timeline on a site: its dated milestones above the line, the national laws and the
legal deadlines below, so that every site's timeline places it in the reform even when its grid
dates nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from cohorte.reference.calendar import measures_in_force
from cohorte.report.figures.style import DEADLINE, INK, MET, MUTED, finish, new_figure, with_rc, wrap
from cohorte.report.formatting import fmt_date_fr

SOURCE_GRID = (
    "Source : grille d'observation du site ; lois ALUR, Égalité et Citoyenneté, ELAN ; "
    "échéances légales en vigueur à la date de référence (calendrier légal du kit)."
)
NATIONAL_LAWS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2014, 3, 24), "Loi ALUR"),
    (dt.date(2017, 1, 27), "Loi Égalité et Citoyenneté"),
    (dt.date(2018, 11, 23), "Loi ELAN"),
)
SHORT_MEASURES = {"cotation": "Cotation", "flux": "Gestion en flux"}


def legal_deadlines(reference_date: dt.date) -> tuple[tuple[dt.date, str], ...]:
    """The deadlines in force at the edition's reference date (``reference/legal_calendar.csv``)."""
    return tuple(
        (m.deadline, f"{SHORT_MEASURES.get(m.measure, m.label)} : échéance légale ({fmt_date_fr(m.deadline)})")
        for m in measures_in_force(reference_date)
    )


@with_rc
def milestones_timeline(
    milestones: Sequence[tuple[int | None, str]],
    site_name: str,
    *,
    deadlines: Sequence[tuple[dt.date, str]],
    laws: Sequence[tuple[dt.date, str]] = NATIONAL_LAWS,
    source: str = SOURCE_GRID,
) -> Figure:
    """The site's milestones (by year, above the line), the laws and the legal deadlines in force at the
    edition's reference date (below, from :func:`legal_deadlines`); undated items skipped."""
    by_year = _by_year(milestones)
    title = f"{site_name} : les étapes de la réforme" + (f" depuis {min(by_year)}" if by_year else "")
    fig, (ax,) = new_figure(3.1)
    years = sorted(by_year) + [d.year for d, _ in (*laws, *deadlines)]
    ax.axhline(0, color="#9aa3ad", linewidth=1.2, zorder=1)
    for i, year in enumerate(sorted(by_year)):
        label = "\n".join(wrap(text, 20) for text in by_year[year])
        _timeline_point(ax, year + 0.5, 0.9 + 0.7 * (i % 2), label, MET, "milestone")
    for dates, colour, gid in ((laws, MUTED, "law"), (deadlines, DEADLINE, "deadline")):
        for i, (date, label) in enumerate(sorted(dates)):
            _timeline_point(ax, _year_fraction(date), -0.8 - 0.75 * (i % 2), wrap(label, 26), colour, gid)
    _years_axis(ax, *((min(years), max(years)) if years else (2017, 2024)))
    return finish(fig, title, source)


def _by_year(milestones: Sequence[tuple[int | None, str]]) -> dict[int, list[str]]:
    by_year: dict[int, list[str]] = {}
    for year, label in milestones:
        if year is not None:
            by_year.setdefault(int(year), []).append(label)
    return by_year


def _year_fraction(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / 365


def _timeline_point(ax: Axes, x: float, height: float, label: str, colour: str, gid: str) -> None:
    ax.plot([x, x], [0, height], color=colour, linewidth=0.8, zorder=1)
    ax.plot(x, 0, marker="o", markersize=6, color=colour, markeredgecolor="white", zorder=3, gid=gid)
    va = "bottom" if height > 0 else "top"
    ax.text(
        x, height + (0.05 if height > 0 else -0.05), label, ha="center", va=va, fontsize=7, color=INK, linespacing=1.15
    )


def _years_axis(ax: Axes, first: int, last: int) -> None:
    """The timeline itself: one tick per year on the x axis drawn at y = 0, no y axis."""
    ax.set_xlim(first - 0.3, last + 1.6)
    ax.set_ylim(-2.6, 2.9)
    ax.xaxis.set_major_locator(FixedLocator(range(first, last + 2)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_position(("data", 0))
    ax.tick_params(axis="x", labelsize=7.5, labelcolor=MUTED)
