"""Provenance of everything a build makes: the kit's fingerprint, the git commit, the inputs' hashes."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cohorte import __version__, config
from cohorte.files import fingerprint, sha256_file

if TYPE_CHECKING:  # pragma: no cover
    from cohorte.editions import Edition


@cache
def kit_fingerprint() -> str:
    """The kit's version plus the content of its code, reference data and templates: a change to any
    re-runs outputs (a new official threshold, a corrected contour re-makes what used it)."""
    package = Path(__file__).parents[1]  # the whole cohorte package
    shipped = [config.templates_dir(), package / "reference"]
    data = [p for d in shipped for p in d.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files = sorted(package.rglob("*.py")) + sorted(p for p in data if p.suffix != ".py")
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


def input_checksums(data_dir: Path, edition: Edition | None = None) -> dict[str, str]:
    """The content hash of every input the preparation reads (file name → sha256): each table's file
    (as ``edition.yml`` or the folder's ``sources.yml`` declares it, else ``TABLE.csv|xlsx|parquet``)
    and the source declarations that map them."""
    from cohorte.errors import InputDataError
    from cohorte.inputs.readers import find_table, table_file
    from cohorte.inputs.schemas import TABLES

    folder = Path(data_dir)
    if not folder.is_dir():
        return {}
    found: list[Path | None] = []
    for table in TABLES:
        try:
            found.append(table_file(edition, folder, table)[0] if edition else find_table(folder, table))
        except InputDataError:  # a declared file that is missing: the validation names it
            continue
    declarations = [folder / "sources.yml"]
    if edition is not None:
        declarations += sorted((config.params_dir(edition.edition) / "sources").glob("*.yml"))
    files = [p for p in (*found, *declarations) if p is not None and p.is_file()]
    return {path.name: sha256_file(path) for path in files}


def provenance_block(inputs: dict[str, str], commit: str | None = None) -> dict[str, object]:
    """What every published file says about its origin: kit version, git commit, input checksums."""
    return {"kit_version": __version__, "git_commit": commit or git_commit(), "inputs": dict(sorted(inputs.items()))}
