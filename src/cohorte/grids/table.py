"""The edition's grids as one tidy table (``site, theme, field, value``) for the synthesis and the CLI."""

from __future__ import annotations

import pandas as pd

from cohorte.grids.fields import coded_fields, format_value, get_path
from cohorte.grids.loading import load_grids


def grids_table(edition: str | int) -> pd.DataFrame:
    """Every coded field of every site: columns ``site, theme, field, value`` (all text)."""
    specs = coded_fields()
    rows = []
    for slug, grid in load_grids(edition).items():
        data = grid.model_dump()
        for spec in specs:
            rows.append((slug, spec.theme, spec.field, format_value(spec, get_path(data, spec.path))))
    return pd.DataFrame(rows, columns=["site", "theme", "field", "value"], dtype="string")
