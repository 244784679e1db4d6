"""The main indicators' changes between two editions, under disclosure control.

Both editions' values are their *published* rows (already disclosure-controlled). A change is
published only when both values are: showing a change beside one published value would give the
hidden one back by addition. The previous edition's counts are re-checked against the current
edition's threshold (a count published under a lower threshold is hidden now, and so its change).
"""

from __future__ import annotations

import pandas as pd

from cohorte.indicators.published import is_missing
from cohorte.indicators.registry import INDICATORS

# (indicator, breakdown) followed across editions; "*" = every breakdown present in both editions.
MAIN_INDICATORS: tuple[tuple[str, str], ...] = (
    ("active_demands", ""),
    ("pressure", ""),
    ("q1_outside_qpv", ""),
    ("non_q1_in_qpv", ""),
    ("priority_publics", ""),
    ("priority_publics", "*"),
    ("median_delay_months", ""),
    ("abnormal_delay_share", ""),
)
CHART_INDICATORS = (
    "active_demands",
    "pressure",
    "q1_outside_qpv",
    "non_q1_in_qpv",
    "priority_publics",
    "median_delay_months",
)
COLUMNS = ["site", "indicator", "breakdown", "before", "after", "change", "suppressed"]


def _hidden(row: pd.Series | None, threshold: int) -> bool:
    """A published row's value is hidden (NA or flagged), or rests on a count now below ``threshold``."""
    if row is None or is_missing(row.get("value")):
        return True
    flag = row.get("suppressed", False)
    if not is_missing(flag) and bool(flag):
        return True
    counts = [row.get("denominator"), row.get("numerator")]
    if INDICATORS[str(row["indicator"])].unit == "nombre":
        counts.append(row.get("value"))
    return any(not is_missing(c) and 0 < float(c) < threshold for c in counts)


def _rows(table: pd.DataFrame, site: str, indicator: str, breakdown: str) -> dict[str, pd.Series]:
    part = table[(table["site"] == site) & (table["indicator"] == indicator)]
    part = (
        part[part["breakdown"].fillna("") != ""]
        if breakdown == "*"
        else part[part["breakdown"].fillna("") == breakdown]
    )
    return {str(r["breakdown"] or ""): r for _, r in part.iterrows()}


def indicator_changes(before: pd.DataFrame, after: pd.DataFrame, sites: list[str], threshold: int) -> pd.DataFrame:
    """One row per site × main indicator (× breakdown) present in both editions: before, after, change.

    ``before`` and ``after`` are published tables (``site, indicator, breakdown, value, numerator,
    denominator[, suppressed]``); a hidden value is NA and so is any change involving it.
    """
    out = []
    for site in sites:
        for indicator, breakdown in MAIN_INDICATORS:
            old, new = _rows(before, site, indicator, breakdown), _rows(after, site, indicator, breakdown)
            for key in [k for k in new if k in old]:
                old_hidden, new_hidden = _hidden(old[key], threshold), _hidden(new[key], threshold)
                b = None if old_hidden else float(old[key]["value"])
                a = None if new_hidden else float(new[key]["value"])
                change = None if b is None or a is None else a - b
                out.append((site, indicator, key, b, a, change, old_hidden or new_hidden))
    return pd.DataFrame(out, columns=COLUMNS)
