"""``cohorte compare A B``: the tidy table of what changed between two built editions.

One row per coded field and per main indicator of every site followed in both editions:
``site, theme, field, breakdown, before, after, change`` — ``change`` is the field's transition
status (advanced, regressed, changed, documented, unchanged, unconfirmed) or the indicator's
difference (« n.s. » when a value is hidden) — then the content hash of each edition's build
manifest, so the table says which builds it compared. Sites built in one edition only (``--sites``)
are left out and named.
"""

from __future__ import annotations

import pandas as pd

from cohorte.changes.indicators import indicator_changes
from cohorte.changes.previous import built_sites, load_published, not_built
from cohorte.changes.transitions import cohort_transitions, renewal
from cohorte.editions import load_edition
from cohorte.errors import ParamsError
from cohorte.grids import coded_fields, format_value, load_grids

COLUMNS = ["site", "theme", "field", "breakdown", "before", "after", "change", "before_build", "after_build"]
NS = "n.s."
INDICATORS_THEME = "indicators"


def _number(value: float | None) -> float | str:
    return NS if value is None or pd.isna(value) else round(float(value), 4)


def compare(first: int | str, second: int | str) -> pd.DataFrame:
    """The changes from edition ``first`` to edition ``second`` (both built); errors name what is missing."""
    a, b = load_edition(first), load_edition(second)
    if a.year >= b.year:
        raise ParamsError(f"compare an earlier edition with a later one: {a.edition} is not before {b.edition}")
    grids_a, grids_b = load_grids(a.edition), load_grids(b.edition)
    followed = renewal(list(grids_a), list(grids_b)).both
    for edition in (a, b):
        if not built_sites(edition.edition):
            raise not_built(edition.edition, "no site has key figures")
    built = set(built_sites(a.edition)) & set(built_sites(b.edition))
    both = [s for s in followed if s in built]
    published_a, published_b = load_published(a.edition, both), load_published(b.edition, both)
    builds = {"before_build": published_a.manifest_sha256, "after_build": published_b.manifest_sha256}
    specs = {f"{s.theme}.{s.field}": s for s in coded_fields()}
    rows = []
    for r in cohort_transitions({s: grids_a[s] for s in both}, {s: grids_b[s] for s in both}).itertuples():
        spec = specs[f"{r.theme}.{r.field}"]
        rows.append(
            {
                "site": r.site,
                "theme": r.theme,
                "field": r.field,
                "breakdown": "",
                "before": format_value(spec, r.before),
                "after": format_value(spec, r.after),
                "change": r.status,
            }
        )
    changes = indicator_changes(published_a.table, published_b.table, both, b.disclosure_threshold)
    for r in changes.itertuples():
        rows.append(
            {
                "site": r.site,
                "theme": INDICATORS_THEME,
                "field": r.indicator,
                "breakdown": r.breakdown,
                "before": _number(r.before),
                "after": _number(r.after),
                "change": _number(r.change),
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS[:-2])
    for column, value in builds.items():
        frame[column] = value
    frame = frame.reindex(columns=COLUMNS)
    frame.attrs["not_built"] = [s for s in followed if s not in built]  # followed in both, not built in both
    return frame
