"""Charts of a monograph and of the synthesis, drawn from the published indicator table.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state,
no backend choice, never shown here: the notebook displays it). Sized for an A4 page (16 cm wide),
French labels and numbers (:mod:`cohorte.report.formatting`), a title that states the finding and a
« Source : … » line. Suppressed cells (NA or ``suppressed``) are never drawn as numbers: they are
marked « n.s. ».

Artists that tests look for carry a ``gid``: ``"target"`` (target marks), ``"ns"`` (« n.s. »
labels), ``"cap"`` (the State's flow cap), ``"milestone"`` / ``"deadline"`` (timeline points).

One module per family: :mod:`.style` (what every chart shares), :mod:`.attribution`,
:mod:`.demand`, :mod:`.stock`, :mod:`.flux`, :mod:`.cotation`, :mod:`.timeline` and :mod:`.synthesis` (cross-site).
"""

from __future__ import annotations

from cohorte.report.figures.attribution import SOURCE_ATTRIBUTIONS, priority_by_reservataire_chart, targets_chart
from cohorte.report.figures.cotation import SOURCE_COTATION, cotation_chart
from cohorte.report.figures.demand import SOURCE_DEMAND, TYPOLOGY_LABELS, pressure_delay_chart
from cohorte.report.figures.flux import ABSENT, SOURCE_FLUX, Cell, flux_chart
from cohorte.report.figures.stock import SOURCE_STOCK, stock_accessibility_chart
from cohorte.report.figures.style import DEADLINE, GRID, INK, LIGHT, MET, MUTED, NEUTRAL, NOT_MET, WIDTH_IN
from cohorte.report.figures.synthesis import SOURCE_SITES, sites_indicator_chart
from cohorte.report.figures.timeline import SOURCE_GRID, legal_deadlines, milestones_timeline

__all__ = [
    "ABSENT",
    "DEADLINE",
    "GRID",
    "INK",
    "LIGHT",
    "MET",
    "MUTED",
    "NEUTRAL",
    "NOT_MET",
    "SOURCE_ATTRIBUTIONS",
    "SOURCE_COTATION",
    "SOURCE_DEMAND",
    "SOURCE_FLUX",
    "SOURCE_GRID",
    "SOURCE_SITES",
    "SOURCE_STOCK",
    "TYPOLOGY_LABELS",
    "WIDTH_IN",
    "Cell",
    "cotation_chart",
    "flux_chart",
    "legal_deadlines",
    "milestones_timeline",
    "pressure_delay_chart",
    "priority_by_reservataire_chart",
    "sites_indicator_chart",
    "stock_accessibility_chart",
    "targets_chart",
]
