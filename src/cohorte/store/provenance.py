"""Provenance of everything a build makes: the kit's fingerprint, the git commit, the inputs' hashes."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from cohorte import __version__, config
from cohorte.files import fingerprint, sha256_file


@cache
def kit_fingerprint() -> str:
    """The kit's version plus the content of its code, reference data and templates: a change to any
    re-runs outputs (a new official threshold, a corrected contour re-makes what used it)."""
    package = Path(__file__).parents[1]  # the whole cohorte package
    shipped = [config.templates_dir(), package / "reference"]
    files = sorted(package.rglob("*.py")) + sorted(p for d in shipped for p in d.rglob("*") if p.is_file())
    return fingerprint(__version__, [sha256_file(p) for p in files])


def git_commit() -> str:
    """The repository's commit (with ``-dirty`` when the tree has changes), or 'unknown'."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=config.repo_dir(), capture_output=True, text=True, timeout=10
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + ("-dirty" if dirty else "")) if commit else "unknown"


def input_checksums(data_dir: Path) -> dict[str, str]:
    """The content hash of every input table found in ``data_dir`` (file name → sha256)."""
    from cohorte.inputs.readers import find_table
    from cohorte.inputs.schemas import TABLES

    if not Path(data_dir).is_dir():
        return {}
    found = [find_table(Path(data_dir), table) for table in TABLES]
    return {path.name: sha256_file(path) for path in found if path}


def provenance_block(inputs: dict[str, str], commit: str | None = None) -> dict[str, object]:
    """What every published file says about its origin: kit version, git commit, input checksums."""
    return {"kit_version": __version__, "git_commit": commit or git_commit(), "inputs": dict(sorted(inputs.items()))}
