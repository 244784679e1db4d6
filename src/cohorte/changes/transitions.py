"""Coded fields compared between two editions' grids: advanced, regressed, changed, or to confirm.

A field carried over by ``cohorte new-edition`` stays in the grid's ``to_confirm`` until a consultant
confirms it; while its value is the previous one it is *unconfirmed* and never counts as a change.
A field whose value differs from the previous edition's counts as confirmed, listed or not; a field the
new grid leaves undocumented is *undocumented*: losing a value is not a change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cohorte.grids import Grid, coded_fields, confirmable_fields, get_path

# Ordered stages of the fields where a change is a step forward or back (docs/domain.md §5);
# equal ranks are different situations at the same stage. Other fields simply change.
_STATUS: dict[object, int] = {"none": 0, "in_progress": 1, "adopted": 2}
PROGRESSIONS: dict[str, dict[object, int]] = {
    "governance.document_cadre.status": _STATUS,
    "governance.cia.status": _STATUS,
    "governance.ppgdid.status": _STATUS,
    "demand_service.said_common_place": {"none": 0, "project": 1, "stalled": 1, "installed": 2},
    "attribution_policy.affordability_work": {"none": 0, "planned": 1, "mapping": 2, "operational": 3},
    "cotation.stage": {
        "none": 0,
        "observation": 1,
        "reflection": 2,
        "principles": 3,
        "started": 4,
        "about_to_finish": 5,
        "operational": 6,
    },
    "flux.epci_posture": {"observer": 0, "waiting": 1, "proactive": 2, "pilot": 3},
    "flux.landlord_inventories": {"none": 0, "in_progress": 1, "delivered": 2},
    "demand_service.dedicated_website": {False: 0, True: 1},
    "demand_service.info_videos": {False: 0, True: 1},
    "demand_service.anomaly_statistics": {False: 0, True: 1},
}
# The fields the synthesis counts advances on (cotation, flux, the SAID), in the order shown.
HEADLINE_FIELDS = ("cotation.stage", "flux.epci_posture", "demand_service.said_common_place")
STATUSES = ("advanced", "regressed", "changed", "documented", "unchanged", "unconfirmed", "undocumented")
COLUMNS = ["site", "theme", "field", "before", "after", "status"]


@dataclass(frozen=True)
class Transition:
    site: str
    key: str  # theme.field, e.g. cotation.stage
    before: object
    after: object
    status: str  # one of STATUSES

    @property
    def theme(self) -> str:
        return self.key.split(".")[0]

    @property
    def changed(self) -> bool:
        """A confirmed change of value (the only kind the reports state as a new fact)."""
        return self.status in ("advanced", "regressed", "changed", "documented")


def _missing(value: object) -> bool:
    return value is None or value == "not_documented"


def classify(key: str, before: object, after: object, to_confirm: bool) -> str:
    """The status of one field's transition from ``before`` to ``after``."""
    if before == after:
        return "unconfirmed" if to_confirm else "unchanged"
    if _missing(before) and not _missing(after):
        return "documented"
    if _missing(after):  # a value the new grid does not give: not known to have changed
        return "undocumented"
    order = PROGRESSIONS.get(key, {})
    if before in order and after in order and order[before] != order[after]:
        return "advanced" if order[after] > order[before] else "regressed"
    return "changed"


def _values(grid: Grid) -> dict[str, object]:
    data = grid.model_dump()
    return {f"{s.theme}.{s.field}": get_path(data, s.path) for s in coded_fields() if f"{s.theme}.{s.field}" in _KEYS}


_KEYS = frozenset(confirmable_fields())


def site_transitions(slug: str, before: Grid, after: Grid) -> list[Transition]:
    """Every coded field of a site present in both editions, in schema order."""
    old, new = _values(before), _values(after)
    pending = set(after.to_confirm)
    return [
        Transition(slug, key, old[key], new[key], classify(key, old[key], new[key], key in pending))
        for key in confirmable_fields()
    ]


def unconfirmed(slug: str, grid: Grid, previous: Grid | None) -> list[str]:
    """Fields still to confirm: listed in ``to_confirm`` and (when known) unchanged since ``previous``."""
    if previous is None:
        return list(grid.to_confirm)
    return [t.key for t in site_transitions(slug, previous, grid) if t.status == "unconfirmed"]


@dataclass(frozen=True)
class Renewal:
    """The cohort's renewal between two editions."""

    both: list[str]  # followed in both editions, in the later edition's order
    joined: list[str]
    left: list[str]


def renewal(previous_slugs: list[str], slugs: list[str]) -> Renewal:
    return Renewal(
        [s for s in slugs if s in previous_slugs],
        [s for s in slugs if s not in previous_slugs],
        [s for s in previous_slugs if s not in slugs],
    )


def cohort_transitions(previous: dict[str, Grid], current: dict[str, Grid]) -> pd.DataFrame:
    """Every coded field of every site present in both editions (site, theme, field, before, after, status)."""
    rows = []
    for slug in renewal(list(previous), list(current)).both:
        for t in site_transitions(slug, previous[slug], current[slug]):
            rows.append((slug, t.theme, t.key.split(".", 1)[1], t.before, t.after, t.status))
    return pd.DataFrame(rows, columns=COLUMNS)


def moves(frame: pd.DataFrame, key: str) -> dict[str, list[str]]:
    """Sites per status of one field (``cotation.stage``), from :func:`cohort_transitions`."""
    theme, name = key.split(".", 1)
    part = frame[(frame["theme"] == theme) & (frame["field"] == name)]
    return {status: part.loc[part["status"] == status, "site"].tolist() for status in STATUSES}
