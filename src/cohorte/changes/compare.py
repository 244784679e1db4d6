"""``cohorte compare A B``: the tidy table of what changed between two built editions.

One row per coded field and per main indicator of every site followed in both editions:
``site, theme, field, breakdown, before, after, change`` — ``change`` is the field's transition
status (advanced, regressed, changed, documented, unchanged, unconfirmed) or the indicator's
difference (« n.s. » when a value is hidden) — then the content hash of each edition's build
manifest, so the table says which builds it compared.
"""

from __future__ import annotations

import pandas as pd

from cohorte.changes.indicators import indicator_changes
from cohorte.changes.previous import load_published
from cohorte.changes.transitions import cohort_transitions, renewal
from cohorte.editions import load_edition
from cohorte.errors import ParamsError
from cohorte.grids import coded_fields, format_value, load_grids

COLUMNS = ["site", "theme", "field", "breakdown", "before", "after", "change", "before_build", "after_build"]
NS = "n.s."
INDICATORS_THEME = "indicators"


def _number(value: object) -> object:
    return NS if value is None or pd.isna(value) else round(float(value), 4)


def compare(first: int | str, second: int | str) -> pd.DataFrame:
    """The changes from edition ``first`` to edition ``second`` (both built); errors name what is missing."""
    a, b = load_edition(first), load_edition(second)
    if a.edition >= b.edition:
        raise ParamsError(f"compare an earlier edition with a later one: {a.edition} is not before {b.edition}")
    grids_a, grids_b = load_grids(a.edition), load_grids(b.edition)
    both = renewal(list(grids_a), list(grids_b)).both
    published_a, published_b = load_published(a.edition, both), load_published(b.edition, both)
    builds = {"before_build": published_a.manifest_sha256, "after_build": published_b.manifest_sha256}
    specs = {f"{s.theme}.{s.field}": s for s in coded_fields()}
    rows = []
    for r in cohort_transitions(grids_a, grids_b).itertuples():
        spec = specs[f"{r.theme}.{r.field}"]
        rows.append({"site": r.site, "theme": r.theme, "field": r.field, "breakdown": "",
                     "before": format_value(spec, r.before), "after": format_value(spec, r.after), "change": r.status})
    changes = indicator_changes(published_a.table, published_b.table, both, b.disclosure_threshold)
    for r in changes.itertuples():
        rows.append({"site": r.site, "theme": INDICATORS_THEME, "field": r.indicator, "breakdown": r.breakdown,
                     "before": _number(r.before), "after": _number(r.after), "change": _number(r.change)})
    frame = pd.DataFrame(rows, columns=COLUMNS[:-2])
    for column, value in builds.items():
        frame[column] = value
    return frame.reindex(columns=COLUMNS)
