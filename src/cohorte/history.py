"""Backups of the files an import replaces: ``params/EDITION/.history/ID/``, listed and restored.

Every import (``cohorte texts import``, ``cohorte grids import``) copies the files it is about to
replace into a new folder ``ID`` (a UTC timestamp, ``20261206T024626Z``) before writing anything; the
folder's ``backup.json`` says when, which command, from which file, and which files did not exist yet
(a restore removes those). A restore backs up the current state first, so it can be undone too.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cohorte import config
from cohorte.errors import ParamsError
from cohorte.files import atomic_write_bytes, atomic_write_json

HISTORY = ".history"
RECORD = "backup.json"
FILES = "files"


@dataclass(frozen=True)
class Backup:
    """One backup: the files as they were before ``command`` replaced them."""

    id: str
    folder: Path
    when: str  # ISO 8601, UTC
    kind: str  # "texts" or "grids": the command group that made it
    site: str | None  # the site of a texts backup
    command: str
    source: str  # the file imported (or the backup restored) when the backup was made
    files: tuple[str, ...]  # saved, relative to params/EDITION
    absent: tuple[str, ...]  # did not exist yet, relative to params/EDITION
    export: str | None = None  # the id of the export record the import came from
    written: dict[str, str] = field(default_factory=dict)  # relative name → SHA-256 of what the import wrote

    def describe(self) -> str:
        """One line for ``history`` listings."""
        saved = len(self.files) + len(self.absent)
        when = datetime.fromisoformat(self.when).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{self.id}  {when}  {saved} file(s)  {self.command}  (from {self.source})"


def history_dir(edition: str | int) -> Path:
    return config.params_dir(edition) / HISTORY


def _relative(edition: str | int, path: Path) -> str:
    base = config.params_dir(edition).resolve()
    try:
        return Path(path).resolve().relative_to(base).as_posix()
    except ValueError:
        raise ParamsError(f"{path}: not a file of edition {edition} (outside {base})") from None


def _new_folder(edition: str | int, now: datetime) -> Path:
    """A fresh, empty, uniquely named backup folder (a suffix -2, -3… when two share a second)."""
    root = history_dir(edition)
    root.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for number in range(1, 1000):
        name = stamp if number == 1 else f"{stamp}-{number}"
        try:
            (root / name).mkdir()
        except FileExistsError:
            continue
        return root / name
    raise ParamsError(f"{root}: too many backups made within one second")


def back_up(
    edition: str | int,
    paths: Iterable[Path],
    *,
    kind: str,
    command: str,
    source: str,
    site: str | None = None,
    export: str | None = None,
    written: dict[Path, str] | None = None,
) -> Backup:
    """Copy ``paths`` (files of params/EDITION; absent ones are recorded as such) into a new backup.

    An import also records which export it came from (``export``, an id of its record) and the
    SHA-256 of what it writes (``written``), so that a later import of the same export knows
    those files hold nothing newer than that export (:func:`imported_hashes`).
    """
    now = datetime.now(UTC)
    relative = sorted({_relative(edition, p) for p in paths})
    base = config.params_dir(edition)
    files = tuple(r for r in relative if (base / r).is_file())
    absent = tuple(r for r in relative if r not in files)
    folder = _new_folder(edition, now)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".files-", suffix=".tmp"))
    for name in files:
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(base / name, target)
    os.replace(staging, folder / FILES)
    record = {
        "when": now.isoformat(timespec="microseconds"),
        "kind": kind,
        "site": site,
        "command": command,
        "source": source,
        "files": list(files),
        "absent": list(absent),
        "export": export,
        "written": {_relative(edition, path): sha for path, sha in (written or {}).items()},
    }
    atomic_write_json(folder / RECORD, record)  # written last: a folder without it is not a backup
    return _read(folder)


def _read(folder: Path) -> Backup:
    data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    return Backup(
        id=folder.name,
        folder=folder,
        when=data["when"],
        kind=data["kind"],
        site=data.get("site"),
        command=data["command"],
        source=data["source"],
        files=tuple(data["files"]),
        absent=tuple(data["absent"]),
        export=data.get("export"),
        written=data.get("written") or {},
    )


def backups(edition: str | int, kind: str | None = None, site: str | None = None) -> list[Backup]:
    """The edition's backups, oldest first; only those of ``kind`` (and of ``site``) when given."""
    root = history_dir(edition)
    found = [_read(p) for p in root.iterdir() if (p / RECORD).is_file()] if root.is_dir() else []
    found = [b for b in found if (kind is None or b.kind == kind) and (site is None or b.site == site)]
    return sorted(found, key=lambda b: (b.when, b.id))


def imported_hashes(edition: str | int, export: str) -> dict[Path, set[str]]:
    """What earlier imports of the export ``export`` wrote: file → the SHA-256s it had right after.

    A file whose hash is among them holds nothing newer than that export (only the import's own work).
    """
    base = config.params_dir(edition)
    found: dict[Path, set[str]] = {}
    for backup in backups(edition):
        if backup.export == export:
            for name, sha in backup.written.items():
                found.setdefault(base / name, set()).add(sha)
    return found


def find_backup(edition: str | int, backup_id: str, kind: str) -> Backup:
    """The backup ``backup_id`` of ``kind``; a clear error listing the known ones otherwise."""
    known = backups(edition, kind)
    for backup in known:
        if backup.id == backup_id:
            return backup
    listing = ", ".join(b.id for b in known[-5:]) or "none yet"
    raise ParamsError(
        f"{history_dir(edition)}: no {kind} backup {backup_id!r}; "
        f"`cohorte {kind} history {edition}` lists them (latest: {listing})"
    )


def restore(edition: str | int, backup_id: str, *, kind: str, command: str) -> tuple[Backup, Backup]:
    """Put back the files of backup ``backup_id`` (removing those it records as absent).

    The files it touches are backed up first; returns (that new backup, the one restored).
    """
    chosen = find_backup(edition, backup_id, kind)
    base = config.params_dir(edition)
    touched = [base / name for name in (*chosen.files, *chosen.absent)]
    saved = back_up(edition, touched, kind=kind, command=command, source=f"backup {chosen.id}", site=chosen.site)
    for name in chosen.files:
        atomic_write_bytes(base / name, (chosen.folder / FILES / name).read_bytes())
    for name in chosen.absent:
        (base / name).unlink(missing_ok=True)
    return saved, chosen
