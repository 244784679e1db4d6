"""``cohorte build``: validate, prepare the aggregates once, execute the notebooks, render the book.

Everything before the first kernel is validation: params, grids and input tables. Indicators are
computed once for all sites (and cached on the inputs' content hashes); each site's notebook then
receives only its own published aggregates.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cohorte import __version__, config
from cohorte.build.assembly import choose_engine, render_edition
from cohorte.build.execution import JobResult, NotebookJob, kit_fingerprint, read_manifest, run_jobs, write_manifest
from cohorte.editions import Edition, load_edition
from cohorte.errors import GridError, ParamsError
from cohorte.files import fingerprint, sha256_file
from cohorte.grids import check_grids, grid_path, load_grids
from cohorte.report.checks import check_texts
from cohorte.validation import display_path

MONOGRAPH = "monograph.ipynb"
SYNTHESIS = "synthesis.ipynb"


@dataclass
class BuildReport:
    edition: Edition
    notebooks: list[JobResult] = field(default_factory=list)
    rendered: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    engine: str = "builtin"  # who rendered the book: "quarto" or "builtin"

    @property
    def ok(self) -> bool:
        return not self.failures

    def executed(self) -> list[str]:
        return [r.name for r in self.notebooks if r.status == "executed"]


def select_sites(edition: Edition, sites: list[str] | None) -> list[str]:
    """The requested slugs (all by default); an unknown slug is an error naming the known ones."""
    if not sites:
        return edition.slugs
    unknown = [s for s in sites if s not in edition.slugs]
    if unknown:
        raise ParamsError(f"unknown site(s) {', '.join(unknown)} in edition {edition.edition}; known sites: {', '.join(edition.slugs)}")
    return sites


def _input_hashes(data_dir: Path) -> dict[str, str]:
    from cohorte.inputs.readers import find_table
    from cohorte.inputs.schemas import TABLES

    found = {t: find_table(data_dir, t) for t in TABLES} if data_dir.is_dir() else {}
    return {path.name: sha256_file(path) for path in found.values() if path}


def prepare(edition: Edition, data_dir: Path, manifest: dict) -> None:
    """Compute and publish every site's indicators, unless nothing they depend on changed since the last build.

    They depend on the input tables, the edition's params, the grids and the kit (content hashes).
    """
    params = config.params_dir(edition.edition)
    key = fingerprint(str(data_dir), edition.uses_demo_data, params / "edition.yml", sorted(sha256_file(p) if p.exists() else str(p) for p in set(edition.cotation_grid_paths().values())), [sha256_file(grid_path(edition.edition, s)) for s in edition.slugs],
                      _input_hashes(data_dir), kit_fingerprint())
    cached = manifest.get("prepared", {})
    slices_ok = all((config.prepared_dir(edition.edition, s) / config.PREPARED_FILE).exists() for s in edition.slugs)
    if cached.get("fingerprint") == key and slices_ok:
        return
    from cohorte.indicators.published import published_with_facts, write_site_slices

    print(f"Validating the tables of {data_dir} and computing the indicators of {len(edition.slugs)} sites …", flush=True)
    table, facts = published_with_facts(edition, data_dir, load_grids(edition.edition))
    write_site_slices(edition, table, facts)
    manifest["prepared"] = {"fingerprint": key, "data_dir": str(data_dir), "demo_data": edition.uses_demo_data,
                            "inputs": _input_hashes(data_dir)}


def _texts_hash(*folders_or_files: Path) -> str:
    """Content hash of authored text (templates overrides, prose, synthesis parts, stated aggregates)."""
    files = []
    for item in folders_or_files:
        files += sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else ([item] if item.is_file() else [])
    return fingerprint([display_path(p) for p in files], [sha256_file(p) for p in files])


def monograph_jobs(edition: Edition, slugs: list[str]) -> list[NotebookJob]:
    out = config.outputs_dir(edition.edition) / "sites"
    jobs = []
    for slug in slugs:
        folder, prepared = out / slug, config.prepared_dir(edition.edition, slug)
        jobs.append(NotebookJob(
            name=f"sites/{slug}",
            notebook=config.notebooks_dir() / MONOGRAPH,
            output=folder / MONOGRAPH,
            parameters={"edition": edition.edition, "site": slug, "prepared_dir": str(prepared), "output_dir": str(folder)},
            products=(folder / "key_figures.json",),
            sources={
                "edition.yml": sha256_file(config.params_dir(edition.edition) / "edition.yml"),
                "grid": sha256_file(grid_path(edition.edition, slug)),
                "data_slice": sha256_file(prepared / config.PREPARED_FILE),
                # prose may count across every site's grid, with the edition's templates and stated aggregates
                "texts": _texts_hash(config.prose_dir(edition.edition, slug), config.text_override_dir(edition.edition),
                                     config.stated_path(edition.edition),
                                     *(grid_path(edition.edition, s) for s in edition.slugs)),
            },
        ))
    return jobs


def synthesis_job(edition: Edition) -> NotebookJob:
    out = config.outputs_dir(edition.edition)
    figures = {s: out / "sites" / s / "key_figures.json" for s in edition.slugs}
    tables = out / "synthesis" / "tables"
    return NotebookJob(
        name="synthesis",
        notebook=config.notebooks_dir() / SYNTHESIS,
        output=out / "synthesis" / SYNTHESIS,
        parameters={"edition": edition.edition, "sites_dir": str(out / "sites"), "output_dir": str(out / "synthesis")},
        products=tuple(tables / name for name in ("sites.csv", "indicators.csv", "observations.csv")),
        sources={
            **{f"key_figures/{s}": sha256_file(p) if p.exists() else "missing" for s, p in figures.items()},
            **{f"grid/{s}": sha256_file(grid_path(edition.edition, s)) for s in edition.slugs},
            "texts": _texts_hash(config.synthesis_text_dir(edition.edition), config.text_override_dir(edition.edition),
                                 config.stated_path(edition.edition)),
        },
    )


def build_edition(
    edition_id: str | int,
    data_dir: Path | None = None,
    sites: list[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    formats: tuple[str, ...] = ("html", "pdf", "docx"),
    engine: str = "auto",
) -> BuildReport:
    """Build an edition: validate, prepare, execute monographs and synthesis, render the book."""
    edition = load_edition(edition_id)
    if data_dir:
        edition = edition.with_data_dir(data_dir)
    slugs = select_sites(edition, sites)
    engine = choose_engine(engine)  # before any kernel: --engine quarto without Quarto is an error now
    problems = check_grids(edition.edition)
    if problems:
        raise GridError(problems)
    texts = check_texts(edition)  # every template, prose file and synthesis part, before any kernel
    if texts.problems:
        raise ParamsError("\n".join(texts.problems))
    for warning in texts.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    from cohorte.inputs.demo import ensure_demo_data

    data = ensure_demo_data(edition)
    out = config.outputs_dir(edition.edition)
    manifest_path = out / "manifest.json"
    manifest = read_manifest(manifest_path)
    manifest.update({"edition": edition.edition, "kit_version": __version__})

    report = BuildReport(edition, warnings=texts.warnings, engine=engine)
    try:
        prepare(edition, data, manifest)
        workers = jobs or os.cpu_count() or 1
        report.notebooks = run_jobs(monograph_jobs(edition, slugs), manifest, workers, force, "monographies")
        if (config.notebooks_dir() / SYNTHESIS).exists():
            report.notebooks += run_jobs([synthesis_job(edition)], manifest, 1, force, "synthèse")
        report.failures = {r.name: r.error for r in report.notebooks if r.status == "failed"}
        report.rendered = render_outputs(edition, report, manifest, formats, engine, workers, force)
    finally:
        _forget_removed_sites(manifest, edition)
        write_manifest(manifest_path, manifest)
    return report


def _forget_removed_sites(manifest: dict, edition: Edition) -> None:
    """Drop the manifest entries of sites no longer in the edition."""
    for section in ("notebooks", "renders"):
        entries = manifest.get(section, {})
        for name in [n for n in entries if n.startswith("sites/") and n.split("/", 1)[1] not in edition.slugs]:
            del entries[name]


def render_outputs(edition: Edition, report: BuildReport, manifest: dict, formats, engine: str, workers: int, force: bool) -> list[Path]:
    """Render every notebook that did not fail: documents per site and for the synthesis, the site, the book."""
    out = config.outputs_dir(edition.edition)
    failed = set(report.failures)
    site_nbs = {s: out / "sites" / s / MONOGRAPH for s in edition.slugs
                if f"sites/{s}" not in failed and (out / "sites" / s / MONOGRAPH).exists()}
    synthesis_nb = out / "synthesis" / SYNTHESIS
    has_synthesis = "synthesis" not in failed and synthesis_nb.exists()
    rendered, failures = render_edition(edition, site_nbs, synthesis_nb if has_synthesis else None,
                                        manifest, formats, engine, workers, force)
    report.failures.update(failures)
    return rendered


def print_report(report: BuildReport) -> str:
    """The build's closing summary: what ran, what failed and why, where to open the results."""
    counts = {s: sum(r.status == s for r in report.notebooks) for s in ("executed", "unchanged", "failed")}
    lines = [f"Edition {report.edition.edition}: {counts['executed']} notebook(s) executed, "
             f"{counts['unchanged']} unchanged, {counts['failed']} failed."]
    for name, why in report.failures.items():
        lines.append(f"  FAILED {name}: {why}")
    out = config.outputs_dir(report.edition.edition)
    lines += [f"  Warning: {w}" for w in report.warnings]
    lines.append(f"{len(report.rendered)} file(s) rendered.")
    documents = [*sorted(out.glob("synthese-*.pdf")), *sorted(out.glob("synthese-*.docx")),
                 out / "sites" / "SLUG" / "monograph.{html,pdf,docx}"]
    lines.append("Open:")
    if report.engine == "quarto":
        book = sorted(p for p in (out / "book" / "_book").glob("*") if p.suffix in (".html", ".pdf", ".docx"))
        lines.append("  the Quarto book (rendered by Quarto):")
        lines += [f"    {path}" for path in book if path.name == "index.html" or path.suffix != ".html"]
        lines.append("  the documents (rendered by the built-in engine, pandoc + typst):")
    else:
        documents.insert(0, out / "site" / "index.html")
    lines += [f"  {path}" for path in documents if path.exists() or "SLUG" in path.parts]
    if report.edition.uses_demo_data:
        lines.append("Figures come from demo data (données fictives).")
    return "\n".join(lines)
