"""Byte-reproducible outputs: one source date for every document, no volatile metadata in what is published.

The build fixes ``SOURCE_DATE_EPOCH`` (kept when already set, else midnight UTC of the edition's
reference date) before any worker starts: pandoc dates DOCX from it, typst dates PDF from it
(:func:`source_timestamp`), and DOCX zip entries are rewritten with it (:func:`normalise_zip`).
:func:`without_timings` removes papermill's and Jupyter's timings from every executed notebook (the
build keeps them in its results and the benchmark's figures): an executed notebook, and so the
manifest that records its hash, is the same wherever and whenever it is built.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - nbformat costs seconds to import (jsonschema): a no-op build never pays it
    import nbformat

ENV = "SOURCE_DATE_EPOCH"


def source_timestamp() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds, or None when unset or not a number."""
    value = os.environ.get(ENV, "").strip()
    return int(value) if value.isdigit() else None


def fix_source_date(reference_date: dt.date) -> int:
    """Set ``SOURCE_DATE_EPOCH`` for this build and its workers (an existing value wins); return it."""
    epoch = source_timestamp()
    if epoch is None:
        epoch = int(dt.datetime.combine(reference_date, dt.time(), tzinfo=dt.UTC).timestamp())
        os.environ[ENV] = str(epoch)
    return epoch


def source_datetime() -> dt.datetime | None:
    epoch = source_timestamp()
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def normalise_zip(path: Path) -> None:
    """Rewrite a ZIP (DOCX) with its entries in the same order, dated from the source date, fixed attributes."""
    when = source_datetime()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second) if when else (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, info.compress_type, archive.read(info)) for info in archive.infolist()]
    tmp = path.with_name(path.name + ".zip-tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, compression, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = compression
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    os.replace(tmp, path)


_VOLATILE = ("start_time", "end_time", "duration")


def without_timings(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without execution timestamps and durations (papermill's and Jupyter's)."""
    for key in _VOLATILE:
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in _VOLATILE:
            cell.metadata.get("papermill", {}).pop(key, None)
    return nb
