"""Atomic writes and content hashes: an interrupted run never leaves half a file in place of a good one."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()  # read once: os.umask is process-wide
_FILE_MODE = 0o666 & ~_UMASK  # what open() would give: mkstemp's 0600 would hide published files
_DIR_MODE = 0o777 & ~_UMASK


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, _FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: object) -> Path:
    return atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def replace_dir(new: Path, target: Path) -> Path:
    """Put the folder ``new`` in place of ``target`` (same parent) with renames only."""
    os.chmod(new, _DIR_MODE)  # a folder from mkdtemp is private (0700); a published one is not
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def temp_path_for(path: Path) -> Path:
    """A fresh temporary path beside ``path`` (same file system, so ``os.replace`` is atomic).

    Unique (``.monograph.k3j9x.tmp.ipynb``), so concurrent writers never share one, and recognised by
    :func:`is_temp_name` when a crash leaves it behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.fchmod(fd, _FILE_MODE)
    os.close(fd)
    return Path(tmp)


TEMP_DIR_PREFIXES = (".render-", ".page-", ".site-", ".book-")  # scratch folders of the renderers


def is_temp_name(name: str) -> bool:
    """True for the names the kit gives its temporary files and folders (all start with a dot)."""
    if not name.startswith("."):
        return False
    return (
        name.endswith(".tmp")
        or ".tmp." in name
        or re.search(r"\.old-\d+$", name) is not None
        or name.startswith(TEMP_DIR_PREFIXES)
    )


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files and folders that an interrupted run left under ``folder``; return them.

    Only call it while holding the folder's lock: a running build's temporary files look the same.
    """
    removed: list[Path] = []
    for current, dirs, names in os.walk(folder):
        for name in [d for d in dirs if is_temp_name(d)]:
            shutil.rmtree(Path(current) / name, ignore_errors=True)
            removed.append(Path(current) / name)
            dirs.remove(name)
        for name in filter(is_temp_name, names):
            (Path(current) / name).unlink(missing_ok=True)
            removed.append(Path(current) / name)
    return removed


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(*parts: object) -> str:
    """A content hash of JSON-serialisable parts (paths are hashed by content)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(sha256_file(part).encode() if part.exists() else b"<missing>")
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


# --- file-system errors in words -------------------------------------------------------------

_ADVICE = {
    errno.ENOSPC: "free some space, then build again",
    errno.EDQUOT: "free some space, then build again",
    errno.EROFS: "the file system is read-only; build into a writable COHORTE_HOME",
    errno.EACCES: "check the folder's permissions",
    errno.EPERM: "check the folder's permissions",
}


def os_error_sentence(exc: OSError, where: Path | str | None = None) -> str:
    """One sentence naming the path and the cause: ``cannot write …/monograph.pdf: No space left on device; …``.

    ``where`` names the file or folder being written when the error itself does not (a failed write()).
    """
    path = exc.filename if exc.filename is not None else (where or "a file")
    cause = exc.strerror or str(exc)
    advice = _ADVICE.get(exc.errno or 0)
    return f"cannot write {path}: {cause}" + (f"; {advice}" if advice else "")


# --- bounds on what is read ---------------------------------------------------------------------

MAX_UNZIPPED_BYTES = 1_000_000_000  # an XLSX input of a large edition unzips to some 100 MB


def check_zip_expansion(path: Path, limit: int | None = None) -> None:
    """Refuse an XLSX (a ZIP) whose members declare more than ``limit`` bytes once unzipped.

    Checked before any XLSX reader opens it: the zip module never inflates a member past its
    declared size, so the declared sizes bound the work.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a ZIP at all: the XLSX reader says so in its own words
    limit = MAX_UNZIPPED_BYTES if limit is None else limit
    if total > limit:
        raise ValueError(
            f"unzips to {total:,} bytes, more than the limit of {limit:,} bytes for a workbook; "
            "export the table as CSV, or split it"
        )


# --- spreadsheets: text that would run as a formula ---------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # what Excel, LibreOffice and Sheets evaluate


def neutralise_formula(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore_formula_text(value: object) -> object:
    """The inverse of :func:`neutralise_formula`, for cells read back from a workbook the kit wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """A table as the kit publishes CSV: no index, text cells neutralised (:func:`neutralise_formula`)."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    safe = frame.copy()
    for column in safe.columns:
        if is_object_dtype(safe[column]) or is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula, na_action="ignore")
    return safe.to_csv(index=False)


def rows_csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """Rows of text as CSV with the ``csv`` module's quoting (reference snapshots; ``\n`` line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def atomic_write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as published CSV (:func:`csv_text`), atomically."""
    return atomic_write_text(path, csv_text(frame))
