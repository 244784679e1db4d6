"""The previous edition as the reports compare with it: its grids, and its published values read from
its build outputs (each site's ``key_figures.json``), checked against its manifest's hashes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from cohorte import config
from cohorte.changes.transitions import unconfirmed
from cohorte.editions import Edition, load_edition
from cohorte.errors import ParamsError
from cohorte.files import sha256_file
from cohorte.grids import Grid, grid_path, load_grids
from cohorte.store.manifest import read_manifest
from cohorte.validation import display_path

PUBLISHED = ["site", "indicator", "breakdown", "value", "target", "met", "denominator", "estimated"]


@dataclass(frozen=True)
class PublishedEdition:
    """An edition's published indicators as its last build wrote them, with the hashes that identify it."""

    edition: Edition
    table: pd.DataFrame  # site, indicator, breakdown, value, … (after disclosure control)
    manifest_sha256: str
    key_figures: dict[str, str] = field(default_factory=dict)  # site → sha256 of its key_figures.json

    def provenance(self) -> dict[str, object]:
        return {
            "edition": self.edition.edition,
            "manifest": display_path(config.manifest_path(self.edition.edition)),
            "manifest_sha256": self.manifest_sha256,
            "key_figures_sha256": dict(self.key_figures),
        }


def not_built(edition: int | str, why: str) -> ParamsError:
    return ParamsError(f"edition {edition} has not been built ({why}); run `cohorte build {edition}` first")


def load_published(edition_id: int | str, slugs: list[str] | None = None) -> PublishedEdition:
    """The published indicators of ``slugs`` (default: every site) from the edition's build outputs.

    Each site's ``key_figures.json`` must be the one the manifest recorded (same content hash).
    """
    edition = load_edition(edition_id)
    manifest_file = config.manifest_path(edition.edition)
    if not manifest_file.is_file():
        raise not_built(edition.edition, f"no {display_path(manifest_file)}")
    manifest = read_manifest(manifest_file)
    frames, hashes = [], {}
    for slug in slugs if slugs is not None else edition.slugs:
        path = config.site_output_dir(edition.edition, slug) / config.KEY_FIGURES_FILE
        entry = manifest.notebooks.get(f"sites/{slug}")
        recorded = entry.outputs.get(manifest.relative(path)) if entry else None
        if recorded is None or not path.is_file():
            raise not_built(
                edition.edition, f"site {slug} has no key figures recorded in {display_path(manifest_file)}"
            )
        if sha256_file(path) != recorded:
            raise ParamsError(
                f"{display_path(path)} differs from the file the build of edition {edition.edition} "
                f"recorded; run `cohorte build {edition.edition}` again"
            )
        hashes[slug] = recorded
        frames.append(pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["indicators"]))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PUBLISHED)
    table = table.reindex(columns=PUBLISHED)
    table["breakdown"] = table["breakdown"].fillna("")
    return PublishedEdition(edition, table, sha256_file(manifest_file), hashes)


def built_sites(edition_id: int | str) -> list[str]:
    """Sites whose key figures the edition's last build recorded (none when it was never built)."""
    edition = load_edition(edition_id)
    manifest_file = config.manifest_path(edition.edition)
    if not manifest_file.is_file():
        return []
    manifest = read_manifest(manifest_file)
    return [
        s
        for s in edition.slugs
        if f"sites/{s}" in manifest.notebooks
        and (config.site_output_dir(edition.edition, s) / config.KEY_FIGURES_FILE).is_file()
    ]


def previous_grids(edition: Edition) -> dict[str, Grid] | None:
    """The grids of the edition ``edition`` follows (None when it follows none)."""
    if edition.previous_edition is None:
        return None
    if not (config.params_dir(edition.previous_edition) / "edition.yml").is_file():
        raise ParamsError(
            f"params/{edition.edition}/edition.yml: previous_edition {edition.previous_edition} "
            f"has no params/{edition.previous_edition}/edition.yml"
        )
    return load_grids(edition.previous_edition)


def confirmation_warnings(edition: Edition, grids: dict[str, Grid]) -> list[str]:
    """One warning per site whose grid still has fields carried over and not confirmed."""
    previous = previous_grids(edition) or {}
    warnings = []
    for slug, grid in grids.items():
        pending = unconfirmed(slug, grid, previous.get(slug))
        if pending:
            shown = ", ".join(pending[:4]) + (f" and {len(pending) - 4} more" if len(pending) > 4 else "")
            warnings.append(
                f"{display_path(grid_path(edition.edition, slug))}: {len(pending)} coded field(s) carried "
                f"over from edition {edition.previous_edition} still to confirm ({shown}); they are not "
                "reported as changes until confirmed (remove them from to_confirm)"
            )
    return warnings


def check_previous_build(edition: Edition, slugs: list[str]) -> None:
    """Before any kernel: the previous edition's build holds the key figures of every site followed in both."""
    if edition.previous_edition is None:
        return
    before = previous_grids(edition) or {}
    load_published(edition.previous_edition, [s for s in slugs if s in before])
