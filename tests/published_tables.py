"""One factory for the small published-indicator tables the tests build by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohorte.indicators.registry import COLUMNS

PUBLISHED = [*COLUMNS, "suppressed"]


def published(
    *rows: tuple, columns: Sequence[str] = ("site", "indicator", "breakdown", "value", "target", "met"), site: str = ""
) -> pd.DataFrame:
    """A published table from rows given as tuples of ``columns`` (``site``, when given, fills every row's).

    A row may end with a dict that sets any other column. Columns left out take the published
    defaults: figures NA, ``met`` NA, not estimated, suppressed where the value is NA."""
    records = []
    for row in rows:
        extra = row[-1] if row and isinstance(row[-1], dict) else {}
        record = dict(zip(columns, row[: len(row) - bool(extra)], strict=True))
        if site:
            record["site"] = site
        defaults = {"met": pd.NA, "estimated": False, "suppressed": pd.isna(record.get("value", np.nan))}
        records.append(dict.fromkeys(PUBLISHED, np.nan) | defaults | record | extra)
    frame = pd.DataFrame(records, columns=PUBLISHED)
    frame["met"] = frame["met"].astype("boolean")
    return frame
