"""The manifest: what produced every output of an edition, and the one "is this output current?" check.

``outputs/EDITION/manifest.json`` records, per section (prepared slices, checks, notebooks, renders,
the book), the fingerprint of what produced each output and the content hash of every output, with
paths relative to the edition's output folder. :meth:`Manifest.is_current` is the check every stage
asks before reusing a cached file: the fingerprint must match and every recorded output must still
be there with the content it was written with.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from cohorte import __version__
from cohorte.files import atomic_write_json
from cohorte.store.reads import file_hash

MANIFEST_VERSION = 2
SECTIONS = ("prepared", "checks", "notebooks", "renders", "book")


class Entry(BaseModel):
    """One cached product of a stage: what made it (fingerprint) and what it wrote (path → sha256)."""

    model_config = ConfigDict(extra="forbid")

    fingerprint: str
    outputs: dict[str, str] = Field(default_factory=dict)  # path relative to the edition folder → sha256
    sources: dict[str, str] = Field(default_factory=dict)  # what produced it: name → content hash
    details: dict[str, object] = Field(default_factory=dict)  # parameters, engine, data folder…


class Manifest(BaseModel):
    """Every cached output of an edition, by stage; read and written atomically."""

    model_config = ConfigDict(extra="forbid")

    version: int = MANIFEST_VERSION
    edition: str = ""
    kit_version: str = __version__
    prepared: dict[str, Entry] = Field(default_factory=dict)
    checks: dict[str, Entry] = Field(default_factory=dict)
    notebooks: dict[str, Entry] = Field(default_factory=dict)
    renders: dict[str, Entry] = Field(default_factory=dict)
    book: dict[str, Entry] = Field(default_factory=dict)
    _root: Path = PrivateAttr(default=Path("."))

    @property
    def root(self) -> Path:
        """The edition's output folder: every recorded path is relative to it."""
        return self._root

    def relative(self, path: Path) -> str:
        path = Path(path)
        return path.relative_to(self._root).as_posix() if path.is_relative_to(self._root) else str(path)

    def absolute(self, name: str) -> Path:
        return self._root / name

    def record(
        self,
        section: str,
        name: str,
        key: str,
        outputs: Iterable[Path],
        sources: dict[str, str] | None = None,
        **details: object,
    ) -> Entry:
        """Record that ``key`` produced ``outputs`` (their content hashes are taken now)."""
        entry = Entry(
            fingerprint=key,
            outputs={self.relative(p): file_hash(p) for p in outputs},
            sources=dict(sources or {}),
            details=details,
        )
        getattr(self, section)[name] = entry
        return entry

    def forget(self, section: str, name: str) -> None:
        getattr(self, section).pop(name, None)

    def is_current(self, section: str, name: str, key: str, outputs: Iterable[Path] = ()) -> bool:
        """True when ``key`` made this entry and every output (recorded or expected) is intact.

        An output whose content differs from the recorded hash is reported on one printed line:
        the caller then re-makes it.
        """
        entry = getattr(self, section).get(name)
        if entry is None or entry.fingerprint != key:
            return False
        expected = {self.relative(p) for p in outputs} | set(entry.outputs)
        for rel in sorted(expected):
            path = self.absolute(rel)
            if not path.is_file() or rel not in entry.outputs:
                return False
            if file_hash(path) != entry.outputs[rel]:
                print(
                    f"{rel} differs from the file the build recorded (content hash changed): re-making it", flush=True
                )
                return False
        return True

    def forget_sites(self, slugs: Iterable[str]) -> None:
        """Drop the entries of sites no longer in the edition (``sites/SLUG``)."""
        keep = set(slugs)
        for section in SECTIONS:
            entries = getattr(self, section)
            for name in [n for n in entries if n.startswith("sites/") and n.split("/", 1)[1] not in keep]:
                del entries[name]


def read_manifest(path: Path) -> Manifest:
    """The manifest at ``path``; a missing one is empty, an unreadable or invalid one is reset (and said so)."""
    path = Path(path)
    manifest = Manifest()
    if path.exists():
        try:
            manifest = Manifest.model_validate_json(path.read_bytes())
        except (OSError, ValueError, ValidationError) as exc:
            reason = _first_problem(exc)
            print(
                f"{path}: not a valid manifest ({reason}); starting from an empty one: every output will be re-made",
                flush=True,
            )
    manifest._root = path.parent
    return manifest


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(map(str, error["loc"]))
        return f"{where}: {error['msg']}" if where else error["msg"]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def write_manifest(path: Path, manifest: Manifest) -> Path:
    return atomic_write_json(Path(path), manifest.model_dump(mode="json"))
