"""``cohorte build`` for a national edition: every EPCI's fiche and the national synthesis.

The same stages as a cohort edition — validate, prepare the published indicators once (a group
of sites at a time), execute the notebooks with papermill, render — with two differences: no
observation grid, and each task executes *and renders* its notebook in the same worker process
(HTML and PDF by default), so a fiche costs one task, locally or on a Dask cluster.
"""

from __future__ import annotations

import dataclasses
import sys
import time

from cohorte import __version__, config
from cohorte.editions import Edition
from cohorte.errors import ParamsError
from cohorte.files import fingerprint, sha256_file
from cohorte.runner.execution import JobResult, NotebookJob, Render, run_jobs
from cohorte.runner.executors import Executor, check_options, make_executor
from cohorte.runner.pipeline import BuildReport, _texts_hash, select_sites
from cohorte.store.prepared import prepare
from cohorte.store.provenance import git_commit, read_manifest, write_manifest

FICHE = config.FICHE_NOTEBOOK
NATIONAL = config.NATIONAL_NOTEBOOK
NATIONAL_FORMATS = ("html", "pdf")


def _meta(edition: Edition, slug: str | None, provenance: str):
    from cohorte.runner.rendering import document_meta

    meta = dataclasses.replace(document_meta(edition, slug, provenance), edition=str(edition.year))
    if slug is None:
        return dataclasses.replace(
            meta, subtitle=edition.subtitle or "Synthèse nationale", short_title="Synthèse nationale"
        )
    return dataclasses.replace(meta, subtitle="Fiche EPCI", short_title=f"Fiche nationale {edition.year}")


def fiche_jobs(edition: Edition, slugs: list[str], formats: tuple[str, ...]) -> list[NotebookJob]:
    """One job per EPCI: execute ``fiche.ipynb`` on its slice and render it."""
    national = config.national_prepared_path(edition.edition)
    provenance = f"cohorte {__version__}, commit {git_commit()}"
    common = {
        "edition.yml": sha256_file(config.params_dir(edition.edition) / "edition.yml"),
        "national": sha256_file(national),
        "texts": _texts_hash(config.text_override_dir(edition.edition)),
        "formats": ",".join(formats),
    }
    jobs = []
    for slug in slugs:
        folder, prepared = config.site_output_dir(edition.edition, slug), config.prepared_dir(edition.edition, slug)
        jobs.append(
            NotebookJob(
                name=f"sites/{slug}",
                notebook=config.notebooks_dir() / FICHE,
                output=folder / FICHE,
                parameters={
                    "edition": str(edition.edition),
                    "site": slug,
                    "prepared_dir": str(prepared),
                    "national_file": str(national),
                },
                sources={
                    **common,
                    "data_slice": fingerprint(prepared / config.PREPARED_FILE, prepared / config.CONTEXT_FILE),
                },
                render=Render(config.fiche_base(edition.edition, slug), formats, _meta(edition, slug, provenance))
                if formats
                else None,
            )
        )
    return jobs


def national_job(edition: Edition, formats: tuple[str, ...]) -> NotebookJob:
    """The national synthesis: counts, distributions, rankings and the CSV of all EPCI."""
    national = config.national_prepared_path(edition.edition)
    folder = config.national_output_dir(edition.edition)
    provenance = f"cohorte {__version__}, commit {git_commit()}"
    return NotebookJob(
        name="national",
        notebook=config.notebooks_dir() / NATIONAL,
        output=folder / NATIONAL,
        parameters={"edition": str(edition.edition), "national_file": str(national), "output_dir": str(folder)},
        products=(folder / config.NATIONAL_CSV,),
        sources={
            "edition.yml": sha256_file(config.params_dir(edition.edition) / "edition.yml"),
            "national": sha256_file(national),
            "texts": _texts_hash(config.text_override_dir(edition.edition)),
            "formats": ",".join(formats),
        },
        render=Render(folder / f"synthese-{edition.edition}", formats, _meta(edition, None, provenance))
        if formats
        else None,
    )


def build_national(
    edition: Edition,
    sites: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    formats: tuple[str, ...] = NATIONAL_FORMATS,
    executor: str = "local",
    scheduler: str | None = None,
    timings: dict[str, float] | None = None,
) -> BuildReport:
    """Validate, prepare once, then execute and render every fiche and the national synthesis on one executor.

    ``timings`` (when given) receives the seconds of each stage: data, preparation, execution."""
    from cohorte.inputs.demo import ensure_demo_data
    from cohorte.report.checks import check_texts

    check_options(executor, scheduler)
    if "docx" in formats:
        raise ParamsError(
            "a national edition renders HTML and PDF (--formats html,pdf); DOCX is for the cohort's monographs"
        )
    stages = timings if timings is not None else {}
    slugs = select_sites(edition, sites)
    texts = check_texts(edition)
    if texts.problems:
        raise ParamsError("\n".join(texts.problems))
    for warning in texts.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    start = time.perf_counter()
    data = ensure_demo_data(edition)
    stages["data"] = time.perf_counter() - start
    manifest_path = config.manifest_path(edition.edition)
    manifest = read_manifest(manifest_path)
    manifest.edition, manifest.kit_version = str(edition.edition), __version__
    report = BuildReport(edition, warnings=texts.warnings, engine="builtin")
    engine: Executor | None = None
    try:
        start = time.perf_counter()
        prepare(edition, data, manifest)
        stages["preparation"] = time.perf_counter() - start
        jobs = [national_job(edition, formats), *fiche_jobs(edition, slugs, formats)]
        start = time.perf_counter()
        engine = make_executor(executor, workers, scheduler)
        stages["executor_start"] = time.perf_counter() - start
        start = time.perf_counter()
        report.notebooks = run_jobs(jobs, manifest, engine.workers, force, "fiches", executor=engine)
        stages["execution_and_rendering"] = time.perf_counter() - start
        report.failures = {r.name: r.error for r in report.notebooks if r.status == "failed"}
        report.rendered = [config.root() / p for r in report.notebooks for p in r.rendered]
    finally:
        if engine is not None:
            engine.close()
        manifest.forget_sites(edition.slugs)
        write_manifest(manifest_path, manifest)
    return report


def summary(results: list[JobResult]) -> dict[str, float]:
    """Mean seconds per executed job: execution, cells, fixed overhead (kernel start, I/O), rendering."""
    done = [r for r in results if r.status == "executed" and r.timings]
    if not done:
        return {}
    keys = sorted({k for r in done for k in r.timings})
    return {k: sum(r.timings.get(k, 0.0) for r in done) / len(done) for k in keys} | {"jobs": float(len(done))}
