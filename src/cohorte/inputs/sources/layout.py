"""A contract frame written back in a source's layout: the demo generator writes its tables in the
official layouts with it, and tests read them back through the same source.

Each mapped column is inverted: renamed to the source's first column, codes to the first source
code of each contract code, dates in the source's first format, units multiplied back. Lacking,
constant and line-number columns are not written (the source does not carry them).
"""

from __future__ import annotations

import pandas as pd

from cohorte.inputs.sources.model import ColumnMap, Source


def _as_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"})
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    return series.astype("string")


def _inverted(series: pd.Series, spec: ColumnMap) -> pd.Series:
    if spec.codes is not None:
        back: dict[str, str] = {}
        for code, value in spec.codes.items():
            back.setdefault(value, code)
        return _as_text(series).map(back)
    if spec.date_formats:
        return pd.to_datetime(series).dt.strftime(spec.date_formats[0])
    if spec.divide_by or spec.multiply_by:
        numbers = series.astype("float64") * (spec.divide_by or 1) / (spec.multiply_by or 1)
        return numbers.round(6).astype("string").where(series.notna(), None)
    return _as_text(series)


def to_layout(frame: pd.DataFrame, source: Source, extra: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """``frame`` (contract columns) in ``source``'s columns, with ``extra`` columns of its own
    (those a source reads but the contract does not hold, such as the commune of an EPCI)."""
    if source.is_kit:
        return frame
    out = {}
    for target, spec in (source.columns or {}).items():
        if spec.column is not None and target in frame:
            out[spec.candidates[0]] = _inverted(frame[target], spec)
    for name, values in (extra or {}).items():
        out.setdefault(name, values)
    return pd.DataFrame(out, index=frame.index).astype("string")
