"""What every import of an exported file shares: refusing to lose newer work, and backing up first.

An export (``texts export``, ``grids export``) records the SHA-256 of each file it covers. On import,
a file whose hash changed since is newer than the export: the import refuses (mode ``check``), keeps
it where the imported file left its part as exported (mode ``merge``, refused on a true conflict),
or replaces it anyway (mode ``force``). Whatever an import replaces is backed up first
(:mod:`cohorte.history`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cohorte import history
from cohorte.errors import ImportRefusedError
from cohorte.files import atomic_write_text, sha256_bytes, sha256_file
from cohorte.validation import display_path

CHECK, MERGE, FORCE = "check", "merge", "force"  # refuse on files changed since the export; merge; replace


def file_sha(path: Path) -> str | None:
    """The file's SHA-256, or None when it does not exist (an export records absent files too)."""
    return sha256_file(path) if path.is_file() else None


def record_id(record: object) -> str:
    """An export's identity: the hash of its record (two exports of the same files share it)."""
    return sha256_bytes(json.dumps(record, sort_keys=True, default=str).encode("utf-8"))


class EarlierImports:
    """What earlier imports of one export wrote: a file still holding that has nothing newer than the export."""

    def __init__(self, edition: str | int, export: str | None):
        self.hashes = history.imported_hashes(edition, export) if export else {}

    def wrote(self, path: Path) -> bool:
        """The file is exactly as an earlier import of this export left it."""
        return file_sha(path) in self.hashes.get(path, set())


@dataclass(frozen=True)
class Stale:
    """A file changed since the export, and whether the imported file changes its part too."""

    path: Path
    touched: bool  # the imported file changes it as well: a conflict unless both made the same change
    detail: str = ""  # where, for a conflict (a section, the fields)


@dataclass
class ImportResult:
    """What an import did: files written, files kept because they are newer, the backup made."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    backup: history.Backup | None = None


def _suggest(command: str, edition: str | int, parts: str) -> str:
    return (
        f"Nothing was written. Either:\n"
        f"  {command} --merge   takes its changes to the {parts} that did not change in the files since the "
        f"export and keeps the files' changes elsewhere (refused where both changed the same one);\n"
        f"  {command} --force   replaces the files with its content (the current ones are saved first in "
        f"{display_path(history.history_dir(edition))}/);\n"
        f"  or export again and carry the changes over."
    )


def refuse_without_record(source: Path, command: str, why: str) -> ImportRefusedError:
    """An export that carries no record: the kit cannot tell whether the files changed since."""
    return ImportRefusedError(
        f"{source.name} carries no record of the files it was exported from ({why}), so the kit cannot tell "
        f"whether they changed since; nothing was written. Export again, or import it anyway with "
        f"`{command} --force` (the files it replaces are saved first and `history --restore` brings them back)."
    )


def refuse_stale(
    source: Path, stale: list[Stale], command: str, edition: str | int, parts: str = "sections"
) -> ImportRefusedError:
    """Files changed since the export (mode ``check``): named, with the ways out (``parts``: what merges)."""
    lines = [f"these files changed since {source.name} was exported:"]
    for item in stale:
        side = (
            f"changed in {source.name} too{': ' + item.detail if item.detail else ''}"
            if item.touched
            else f"left as exported in {source.name}"
        )
        gone = "" if item.path.exists() else "deleted since; "
        lines.append(f"  {display_path(item.path)} ({gone}{side})")
    return ImportRefusedError("\n".join([*lines, _suggest(command, edition, parts)]))


def refuse_conflicts(source: Path, conflicts: list[str], command: str) -> ImportRefusedError:
    """A merge where both sides changed the same part differently: named, nothing written."""
    return ImportRefusedError(
        "\n".join(
            [
                f"cannot merge {source.name}: both it and the files changed the same part since the export:",
                *(f"  {line}" for line in conflicts),
                "Nothing was written. Settle these by hand (edit the file, or export again and carry the "
                f"changes of {source.name} over), or keep {source.name}'s version with `{command} --force` "
                "(the current files are saved first).",
            ]
        )
    )


def write_with_backup(
    edition: str | int,
    texts: dict[Path, str],
    *,
    kind: str,
    command: str,
    source: Path,
    site: str | None = None,
    kept: list[Path] | None = None,
    export: str | None = None,
) -> ImportResult:
    """Back up the files about to be replaced, then write them (each atomically).

    ``export`` (the id of the import's record) and the hashes of what is written go into the backup,
    so that a later import of the same export sees these files as its own work (:class:`EarlierImports`).
    """
    result = ImportResult(kept=list(kept or []))
    if not texts:
        return result
    written = {path: sha256_bytes(text.encode("utf-8")) for path, text in texts.items()}
    result.backup = history.back_up(
        edition, texts, kind=kind, command=command, source=str(source), site=site, export=export, written=written
    )
    result.written = [atomic_write_text(path, text) for path, text in texts.items()]
    return result
