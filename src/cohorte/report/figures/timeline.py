"""The reform's timeline on a site: its dated milestones above the line, the national laws and the
legal deadlines below, so that every site's timeline places it in the reform even when its grid
dates nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from cohorte.reference.calendar import measures_in_force
from cohorte.report.figures.style import (
    DEADLINE,
    INK,
    MET,
    MUTED,
    WIDTH_IN,
    finish,
    font_family,
    new_figure,
    with_rc,
    wrap,
)
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
UNIT_IN = 0.125  # a row unit: one line of label text (7 pt, line spacing 1.15) and a little air
FONT_PT = 7
AXES_IN = WIDTH_IN - 0.2  # the axes' width: the timeline has no y axis


def legal_deadlines(reference_date: dt.date) -> tuple[tuple[dt.date, str], ...]:
    """The deadlines in force at the edition's reference date (``reference/legal_calendar.csv``)."""
    return tuple(
        (m.deadline, f"{SHORT_MEASURES.get(m.measure, m.label)} : échéance légale ({fmt_date_fr(m.deadline)})")
        for m in measures_in_force(reference_date)
    )


@dataclass(frozen=True)
class Event:
    """A point on the timeline and its label, drawn above the line (the site's) or below (national)."""

    x: float
    label: str
    colour: str
    gid: str

    @property
    def lines(self) -> int:
        return self.label.count("\n") + 1


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
    edition's reference date (below, from :func:`legal_deadlines`); undated items skipped.

    Each label is a flag to the right of its stem; labels that would overlap go to the next row out,
    and the figure is as tall as its rows (no empty half when the grid dates nothing)."""
    by_year = _by_year(milestones)
    title = f"{site_name} : les étapes de la réforme" + (f" depuis {min(by_year)}" if by_year else "")
    above = [
        Event(year + 0.5, "\n".join(wrap(t, 24) for t in labels), MET, "milestone") for year, labels in by_year.items()
    ]
    below = [
        Event(_year_fraction(date), wrap(label, 26), colour, gid)
        for dates, colour, gid in ((laws, MUTED, "law"), (deadlines, DEADLINE, "deadline"))
        for date, label in dates
    ]
    years = [int(e.x) for e in (*above, *below)] or [2017, 2024]
    first, right = min(years), _right_edge(min(years), [*above, *below])
    top, bottom = _place(above, first, right, +1), _place(below, first, right, -1)
    low, high = _extent(below, bottom)[0] - 0.4, _extent(above, top)[1] + 0.4
    fig, (ax,) = new_figure(0.95 + (high - low) * UNIT_IN)
    for events, levels in ((above, top), (below, bottom)):
        for event, level in zip(events, levels, strict=True):
            _draw(ax, event, level)
    ax.set_ylim(low, high)
    _years_axis(ax, first, max(years) + 1, right)
    return finish(fig, title, source, from_figures=False)


def _label_width_in(label: str) -> float:
    """The label's width in inches as drawn (:func:`_flag`), measured with the kit's font at the
    figure's resolution, plus 5 % for other resolutions' hinting."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    dpi = float(mpl.rcParams["figure.dpi"])
    renderer, font = RendererAgg(10, 10, dpi), FontProperties(family=list(font_family()), size=FONT_PT)
    widths = [renderer.get_text_width_height_descent(line, font, ismath=False)[0] for line in _flag(label).split("\n")]
    return 1.05 * max(widths) / dpi


def _flag(label: str) -> str:
    """The label as drawn beside its stem: every line starts a space away from it."""
    return " " + label.replace("\n", "\n ")


def _right_edge(first: int, events: Sequence[Event]) -> float:
    """The axis' right end: past the last year and past every label (flags open to the right)."""
    left = first - 0.3
    span = max([max(e.x for e in events) + 1 - left] if events else [1.0])
    for event in events:
        share = min(0.9, (_label_width_in(event.label) + 0.05) / AXES_IN)
        span = max(span, (event.x - left) / (1 - share))
    return left + span


def _place(events: list[Event], first: int, right: float, side: int) -> list[float]:
    """The height of each event's label (its edge nearest the line), in rows filled from the line
    outwards. Placed right to left, a label takes the first row where it overlaps no label and no
    stem going further out: labels never overlap and stems never cross a label."""
    years_per_in = (right - (first - 0.3)) / AXES_IN
    rows: list[list[tuple[float, float]]] = []  # per row, the (start, end) of its labels
    row_of: dict[int, int] = {}
    for i in sorted(range(len(events)), key=lambda i: -events[i].x):
        start = events[i].x
        end = start + (_label_width_in(events[i].label) + 0.12) * years_per_in
        row = next(r for r in range(len(rows) + 1) if _free(rows, r, start, end, events, row_of))
        if row == len(rows):
            rows.append([])
        rows[row].append((start, end))
        row_of[i] = row
    depth = [max(events[i].lines for i in row_of if row_of[i] == r) for r in range(len(rows))]
    first_row = 0.7 if side > 0 else 1.7  # below the line, the year labels come first
    offsets = [first_row + sum(d + 0.6 for d in depth[:r]) for r in range(len(rows))]
    return [side * offsets[row_of[i]] for i in range(len(events))]


def _free(
    rows: list[list[tuple[float, float]]],
    row: int,
    start: float,
    end: float,
    events: list[Event],
    row_of: dict[int, int],
) -> bool:
    if row == len(rows):
        return True
    overlaps = any(start < e and end > s for s, e in rows[row])
    crossed = any(start <= events[j].x <= end for j, r in row_of.items() if r > row)
    return not (overlaps or crossed)


def _extent(events: list[Event], levels: list[float]) -> tuple[float, float]:
    """The lowest and highest points the labels reach, in row units (one unit per text line)."""
    reach = [level + (e.lines if level > 0 else -e.lines) for e, level in zip(events, levels, strict=True)]
    return min([0.0, *reach]), max([0.0, *reach])


def _draw(ax: Axes, event: Event, level: float) -> None:
    ax.plot([event.x, event.x], [0, level], color=event.colour, linewidth=0.8, zorder=1)
    ax.plot(event.x, 0, marker="o", markersize=6, color=event.colour, markeredgecolor="white", zorder=3, gid=event.gid)
    ax.text(
        event.x,
        level,
        _flag(event.label),
        ha="left",
        va="bottom" if level > 0 else "top",
        fontsize=FONT_PT,
        color=INK,
        linespacing=1.15,
        clip_on=False,
    ).set_in_layout(False)


def _by_year(milestones: Sequence[tuple[int | None, str]]) -> dict[int, list[str]]:
    by_year: dict[int, list[str]] = {}
    for year, label in milestones:
        if year is not None:
            by_year.setdefault(int(year), []).append(label)
    return by_year


def _year_fraction(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / 365


def _years_axis(ax: Axes, first: int, last: int, right: float) -> None:
    """The timeline itself: one tick per year from ``first`` to ``last`` on the x axis drawn at y = 0
    (running on to ``right`` under the labels), no y axis."""
    ax.set_xlim(first - 0.3, right)
    inches_per_year = AXES_IN / (right - first + 0.3)
    step = next((s for s in (1, 2, 5) if s * inches_per_year >= 0.42), 10)  # room for « 2020 »
    ax.xaxis.set_major_locator(FixedLocator([y for y in range(first, last + 1) if y % step == 0]))
    ax.xaxis.set_minor_locator(FixedLocator(range(first, last + 1)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_position(("data", 0))
    ax.spines["bottom"].set_bounds(first - 0.3, last + 0.5)
    ax.spines["bottom"].set_linewidth(1.2)
    ax.tick_params(axis="x", labelsize=7.5, labelcolor=MUTED)
