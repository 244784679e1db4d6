"""``cohorte build``: validate, prepare the aggregates once, execute the notebooks, render the book.

Everything before the first kernel is validation: params, grids and input tables. Indicators are
computed once for all sites (and cached on the inputs' content hashes); each site's notebook then
receives only its own published aggregates.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cohorte import __version__, config
from cohorte.changes.previous import confirmation_warnings
from cohorte.editions import Edition, load_edition
from cohorte.errors import GridError, ParamsError
from cohorte.files import fingerprint, remove_leftovers, sha256_file
from cohorte.grids import check_grids, grid_path, load_grids
from cohorte.report.checks import check_texts
from cohorte.runner.assembly import choose_engine, render_edition
from cohorte.runner.execution import JobResult, NotebookJob, run_jobs
from cohorte.runner.lock import edition_lock
from cohorte.runner.reproducible import fix_source_date
from cohorte.store.prepared import prepare
from cohorte.store.provenance import Manifest, read_manifest, write_manifest
from cohorte.validation import display_path

MONOGRAPH = config.MONOGRAPH_NOTEBOOK
SYNTHESIS = config.SYNTHESIS_NOTEBOOK


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
        raise ParamsError(
            f"unknown site(s) {', '.join(unknown)} in edition {edition.edition}; known sites: {', '.join(edition.slugs)}"
        )
    return sites


def _texts_hash(*folders_or_files: Path) -> str:
    """Content hash of authored text (templates overrides, prose, synthesis parts, stated aggregates)."""
    files = []
    for item in folders_or_files:
        files += (
            sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else ([item] if item.is_file() else [])
        )
    return fingerprint([display_path(p) for p in files], [sha256_file(p) for p in files])


_COHORT_PLACEHOLDER = re.compile(r"\b(count|sites|documented|stated|phrase|n_sites)\b")


def _cohort_grids(edition: Edition, slug: str) -> list[Path]:
    """Every grid of the edition when the site's prose counts across sites, else none: a grid change
    elsewhere then leaves this monograph alone."""
    folder = config.prose_dir(edition.edition, slug)
    prose = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))] if folder.is_dir() else []
    return [grid_path(edition.edition, s) for s in edition.slugs] if any(map(_COHORT_PLACEHOLDER.search, prose)) else []


def _previous_sources(edition: Edition, slugs: list[str]) -> dict[str, str]:
    """What a comparison with the previous edition reads: its grids and its sites' key figures."""
    if edition.previous_edition is None:
        return {}
    previous = edition.previous_edition
    sources = {}
    for slug in slugs:
        grid, figures = grid_path(previous, slug), config.site_output_dir(previous, slug) / config.KEY_FIGURES_FILE
        sources[f"previous/{slug}/grid"] = sha256_file(grid) if grid.is_file() else "absent"
        sources[f"previous/{slug}/key_figures"] = sha256_file(figures) if figures.is_file() else "absent"
    return sources


def check_previous_build(edition: Edition, slugs: list[str]) -> None:
    """Before any kernel: the previous edition's build holds the key figures of every site followed in both."""
    if edition.previous_edition is None:
        return
    from cohorte.changes.previous import load_published, previous_grids

    before = previous_grids(edition) or {}
    load_published(edition.previous_edition, [s for s in slugs if s in before])


def monograph_jobs(edition: Edition, slugs: list[str]) -> list[NotebookJob]:
    jobs = []
    for slug in slugs:
        folder, prepared = config.site_output_dir(edition.edition, slug), config.prepared_dir(edition.edition, slug)
        jobs.append(
            NotebookJob(
                name=f"sites/{slug}",
                notebook=config.notebooks_dir() / MONOGRAPH,
                output=folder / MONOGRAPH,
                # paths relative to the notebook's folder (its working directory): the same wherever it is built
                parameters={
                    "edition": edition.edition,
                    "site": slug,
                    "prepared_dir": os.path.relpath(prepared, folder),
                    "output_dir": ".",
                },
                products=(folder / config.KEY_FIGURES_FILE,),
                sources={
                    "edition.yml": sha256_file(config.params_dir(edition.edition) / "edition.yml"),
                    "grid": sha256_file(grid_path(edition.edition, slug)),
                    "data_slice": fingerprint(prepared / config.PREPARED_FILE, prepared / config.CONTEXT_FILE),
                    # the site's prose, the edition's templates and stated aggregates, and the cohort's grids
                    # when the prose counts across sites
                    "texts": _texts_hash(
                        config.prose_dir(edition.edition, slug),
                        config.text_override_dir(edition.edition),
                        config.stated_path(edition.edition),
                        *_cohort_grids(edition, slug),
                    ),
                    **_previous_sources(edition, [slug]),
                },
            )
        )
    return jobs


def synthesis_job(edition: Edition) -> NotebookJob:
    figures = {s: config.site_output_dir(edition.edition, s) / config.KEY_FIGURES_FILE for s in edition.slugs}
    folder = config.synthesis_output_dir(edition.edition)
    tables = config.synthesis_tables_dir(folder)
    return NotebookJob(
        name="synthesis",
        notebook=config.notebooks_dir() / SYNTHESIS,
        output=folder / SYNTHESIS,
        parameters={
            "edition": edition.edition,
            "sites_dir": os.path.relpath(config.sites_output_dir(edition.edition), folder),
            "output_dir": ".",
        },
        products=tuple(tables / name for name in config.SYNTHESIS_TABLES),
        sources={
            **{f"key_figures/{s}": sha256_file(p) if p.exists() else "missing" for s, p in figures.items()},
            **{f"grid/{s}": sha256_file(grid_path(edition.edition, s)) for s in edition.slugs},
            "texts": _texts_hash(
                config.synthesis_text_dir(edition.edition),
                config.text_override_dir(edition.edition),
                config.stated_path(edition.edition),
            ),
            **_previous_sources(edition, edition.slugs),
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
    wait: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
) -> BuildReport:
    """Build an edition: validate, prepare, execute monographs and synthesis, render the book.

    One build per edition at a time (``outputs/EDITION/.lock``; ``wait`` queues behind the other);
    what an interrupted build left behind is removed first. A national edition builds its fiches and
    national synthesis instead (``cohorte.runner.national``).
    """
    from cohorte.runner.executors import check_options

    check_options(executor, scheduler)
    edition = load_edition(edition_id)
    if data_dir:
        edition = edition.with_data_dir(data_dir)
    if edition.kind == "national":
        from cohorte.runner.national import NATIONAL_FORMATS, build_national

        wanted = tuple(f for f in formats if f != "docx") if formats == ("html", "pdf", "docx") else formats
        fix_source_date(edition.reference_date)
        with edition_lock(config.outputs_dir(edition.edition), edition.edition, wait=wait):
            return build_national(edition, sites, jobs, force, wanted or NATIONAL_FORMATS, executor, scheduler)
    slugs = select_sites(edition, sites)
    engine = choose_engine(engine)  # before any kernel: --engine quarto without Quarto is an error now
    problems = check_grids(edition.edition)
    if problems:
        raise GridError(problems)
    texts = check_texts(edition)  # every template, prose file and synthesis part, before any kernel
    if texts.problems:
        raise ParamsError("\n".join(texts.problems))
    texts.warnings += confirmation_warnings(edition, load_grids(edition.edition))
    check_previous_build(edition, slugs)
    for warning in texts.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    out = config.outputs_dir(edition.edition)
    fix_source_date(edition.reference_date)  # every document dated alike, wherever and whenever it is built
    with edition_lock(out, edition.edition, wait=wait):
        leftovers = remove_leftovers(out)
        if leftovers:
            print(f"Removed {len(leftovers)} temporary file(s) left by an interrupted build.", flush=True)
        return _build_locked(edition, slugs, jobs, force, formats, engine, texts.warnings, executor, scheduler)


def _build_locked(
    edition: Edition,
    slugs: list[str],
    jobs: int | None,
    force: bool,
    formats,
    engine: str,
    warnings: list[str],
    executor: str,
    scheduler: str | None,
) -> BuildReport:
    from cohorte.inputs.demo import ensure_demo_data
    from cohorte.runner.executors import make_executor

    data = ensure_demo_data(edition)
    manifest_path = config.manifest_path(edition.edition)
    manifest = read_manifest(manifest_path)
    manifest.edition, manifest.kit_version = str(edition.edition), __version__
    report = BuildReport(edition, warnings=warnings, engine=engine)
    try:
        prepare(edition, data, manifest)
        workers = jobs or os.cpu_count() or 1
        pool = make_executor(executor, workers, scheduler)
        try:
            report.notebooks = run_jobs(
                monograph_jobs(edition, slugs), manifest, pool.workers, force, "monographies", pool
            )
            if (config.notebooks_dir() / SYNTHESIS).exists():
                report.notebooks += run_jobs([synthesis_job(edition)], manifest, 1, force, "synthèse", pool)
        finally:
            pool.close()
        report.failures = {r.name: r.error for r in report.notebooks if r.status == "failed"}
        report.rendered = render_outputs(edition, report, manifest, formats, engine, workers, force)
    finally:
        manifest.forget_sites(edition.slugs)
        write_manifest(manifest_path, manifest)
    return report


def render_outputs(
    edition: Edition, report: BuildReport, manifest: Manifest, formats, engine: str, workers: int, force: bool
) -> list[Path]:
    """Render every notebook that did not fail: documents per site and for the synthesis, the site, the book."""
    failed = set(report.failures)
    site_nbs = {
        s: config.site_output_dir(edition.edition, s) / MONOGRAPH
        for s in edition.slugs
        if f"sites/{s}" not in failed and (config.site_output_dir(edition.edition, s) / MONOGRAPH).exists()
    }
    synthesis_nb = config.synthesis_output_dir(edition.edition) / SYNTHESIS
    has_synthesis = "synthesis" not in failed and synthesis_nb.exists()
    rendered, failures = render_edition(
        edition, site_nbs, synthesis_nb if has_synthesis else None, manifest, formats, engine, workers, force
    )
    report.failures.update(failures)
    return rendered


def print_report(report: BuildReport) -> str:
    """The build's closing summary: what ran, what failed and why, where to open the results."""
    counts = {s: sum(r.status == s for r in report.notebooks) for s in ("executed", "unchanged", "failed")}
    lines = [
        f"Edition {report.edition.edition}: {counts['executed']} notebook(s) executed, "
        f"{counts['unchanged']} unchanged, {counts['failed']} failed."
    ]
    for name, why in report.failures.items():
        lines.append(f"  FAILED {name}: {why}")
    edition = report.edition.edition
    lines += [f"  Warning: {w}" for w in report.warnings]
    lines.append(f"{len(report.rendered)} file(s) rendered.")
    if report.edition.kind == "national":
        national = config.national_output_dir(edition)
        lines.append("Open:")
        lines += [
            f"  {national / f'synthese-{edition}.html'}",
            f"  {national / config.NATIONAL_CSV}",
            f"  {config.fiche_base(edition, 'SLUG').with_suffix('.{html,pdf}')}",
        ]
        if report.edition.uses_demo_data:
            lines.append("Figures come from demo data (données fictives).")
        return "\n".join(lines)
    synthesis = config.synthesis_base(edition)
    documents = [
        *(synthesis.with_name(f"{synthesis.name}.{ext}") for ext in ("pdf", "docx")),
        config.sites_output_dir(edition) / "SLUG" / f"{Path(config.MONOGRAPH_NOTEBOOK).stem}.{{html,pdf,docx}}",
    ]
    lines.append("Open:")
    if report.engine == "quarto":
        book = sorted(
            p for p in (config.book_dir(edition) / "_book").glob("*") if p.suffix in (".html", ".pdf", ".docx")
        )
        lines.append("  the Quarto book (rendered by Quarto):")
        lines += [f"    {path}" for path in book if path.name == "index.html" or path.suffix != ".html"]
        lines.append("  the documents (rendered by the built-in engine, pandoc + typst):")
    else:
        documents.insert(0, config.site_index(edition))
    lines += [f"  {path}" for path in documents if path.exists() or "SLUG" in path.parts]
    if report.edition.uses_demo_data:
        lines.append("Figures come from demo data (données fictives).")
    if report.edition.disclosure_note:
        lines.append(report.edition.disclosure_note)
    return "\n".join(lines)
