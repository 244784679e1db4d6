"""Preparation: every site's published indicators, computed once per edition and cached.

The build and the monograph notebook opened on its own (JupyterLab, papermill with defaults) both
call :func:`prepare`, so the notebook a consultant runs reads the very slice the build hands it.
The slices are re-made only when the input tables, the edition's params, the grids, the cotation
grid or the kit changed, or when a slice no longer has the content recorded in the manifest.
"""

from __future__ import annotations

from pathlib import Path

from cohorte import config
from cohorte.config import grid_path
from cohorte.editions import Edition
from cohorte.errors import InputDataError
from cohorte.files import fingerprint, sha256_file
from cohorte.store.manifest import Manifest, read_manifest, write_manifest
from cohorte.store.provenance import input_checksums, kit_fingerprint

ENTRY = "indicators"  # the preparation's name in the manifest's ``prepared`` section


def slice_files(edition: Edition) -> list[Path]:
    """Every file the preparation writes: each site's indicators and their context."""
    files = [
        config.prepared_dir(edition.edition, slug) / name
        for slug in edition.slugs
        for name in (config.PREPARED_FILE, config.CONTEXT_FILE)
    ]
    return [*files, config.national_prepared_path(edition.edition)] if edition.kind == "national" else files


def data_label(data_dir: Path) -> str:
    """The data folder as recorded: relative to the kit's root when inside it, so that two copies of
    the kit record the same manifest."""
    folder, root = Path(data_dir).resolve(), config.root()
    return folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)


def preparation_key(edition: Edition, data_dir: Path, inputs: dict[str, str]) -> str:
    """The fingerprint of everything the slices depend on (content hashes)."""
    params = config.params_dir(edition.edition)
    grids = [sha256_file(grid_path(edition.edition, slug)) for slug in edition.slugs] if edition.has_grids else []
    sites = [site.model_dump(mode="json") for site in edition.sites]  # generated from the referential in national mode
    cotation_grids = sorted(
        sha256_file(p) if p.exists() else str(p) for p in set(edition.cotation_grid_paths().values())
    )
    return fingerprint(
        data_label(data_dir),
        edition.uses_demo_data,
        params / "edition.yml",
        cotation_grids,
        grids,
        sites,
        inputs,
        kit_fingerprint(),
    )


def prepare(edition: Edition, data_dir: Path, manifest: Manifest) -> bool:
    """Compute and publish every site's indicators unless the recorded slices are current; True when computed.

    A national edition computes them in a child process of its own (``workers.in_child``): the
    memory of millions of rows then goes back to the system before the build starts its workers."""
    inputs = input_checksums(data_dir, edition)
    key = preparation_key(edition, data_dir, inputs)
    outputs = slice_files(edition)
    if manifest.is_current("prepared", ENTRY, key, outputs):
        return False
    print(
        f"Validating the tables of {data_dir} and computing the indicators of {len(edition.slugs)} sites …", flush=True
    )
    if edition.kind == "national":
        from cohorte.workers import in_child

        in_child(compute_slices, edition, data_dir, inputs)
    else:
        compute_slices(edition, data_dir, inputs)
    manifest.record(
        "prepared", ENTRY, key, outputs, sources=inputs, data_dir=data_label(data_dir), demo_data=edition.uses_demo_data
    )
    return True


def compute_slices(edition: Edition, data_dir: Path, inputs: dict[str, str]) -> None:
    """Validate the tables, compute the published indicators and write every site's slice
    (and, for a national edition, every EPCI's figures for the national positions and synthesis)."""
    from cohorte.grids import load_grids
    from cohorte.indicators.published import published_with_facts, write_site_slices

    table, facts = published_with_facts(edition, data_dir, load_grids(edition.edition))
    write_site_slices(edition, table, inputs, facts)
    if edition.kind == "national":
        from cohorte.indicators.national import write_national

        write_national(table, config.national_prepared_path(edition.edition))


def missing_data_message(edition: Edition) -> str:
    folder = edition.input_dir()
    if edition.data_dir is None:
        return (
            f"{folder}: no input data for edition {edition.edition}; run `cohorte demo-data {edition.edition}` "
            f"for demo data, or set data_dir in params/{edition.edition}/edition.yml to the folder of the extracts"
        )
    return (
        f"{folder}: no such data folder (data_dir in params/{edition.edition}/edition.yml); "
        f"correct data_dir, or remove it and run `cohorte demo-data {edition.edition}` for demo data"
    )


def ensure_prepared(edition: Edition, slug: str) -> Path:
    """The site's prepared folder, (re)made first when missing or stale; never generates demo data."""
    edition.site(slug)  # an unknown slug names the known ones
    data_dir = edition.input_dir()
    if not data_dir.is_dir():
        raise InputDataError([missing_data_message(edition)])
    path = config.manifest_path(edition.edition)
    manifest = read_manifest(path)
    if prepare(edition, data_dir, manifest):
        manifest.edition = str(edition.edition)
        write_manifest(path, manifest)
    return config.prepared_dir(edition.edition, slug)
