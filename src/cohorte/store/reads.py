"""What a job reads, hashed by content in one place.

A job declares its reads as ``name → file, folder, several of them, or a literal value``; the
runner turns them into ``name → content hash`` with :func:`hash_reads`. A file's hash is kept for
the process while its size and modification time stay the same, so a file that many jobs read
(``edition.yml``, the national table) is read once per build.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cohorte.files import fingerprint, sha256_file

Read = Path | Sequence[Path] | str  # a file or folder, several of them, or a literal value (formats, a slug)

_HASHES: dict[Path, tuple[tuple[int, int, int], str]] = {}


def file_hash(path: Path) -> str:
    """The sha256 of ``path``, read again only when its size, inode or modification time changed."""
    stat = os.stat(path)
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    known = _HASHES.get(path)
    if known is not None and known[0] == key:
        return known[1]
    digest = sha256_file(path)
    _HASHES[path] = (key, digest)
    return digest


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path] if path.is_file() else []


def hash_read(read: Read, root: Path | None = None) -> str:
    """One read's content hash; an absent file hashes as ``absent``, so its appearance re-runs the job.

    Folders hash their files' paths relative to ``root`` (or the folder) with their contents."""
    if isinstance(read, str):
        return read
    paths = [read] if isinstance(read, Path) else list(read)
    if len(paths) == 1 and paths[0].is_file():
        return file_hash(paths[0])
    files = [f for p in paths for f in _files(p)]
    if not files:
        return "absent"
    base = root or (paths[0] if len(paths) == 1 else None)
    names = [f.relative_to(base).as_posix() if base and f.is_relative_to(base) else f.name for f in files]
    return fingerprint(names, [file_hash(f) for f in files])


def hash_reads(reads: Mapping[str, Read], root: Path | None = None) -> dict[str, str]:
    """Every read of a job as ``name → content hash``."""
    return {name: hash_read(read, root) for name, read in reads.items()}
