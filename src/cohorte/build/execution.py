"""Execute notebooks with papermill: one kernel per site, in parallel, incrementally and atomically.

A site is re-executed only when something that produced it changed — the notebook, its parameters,
its grid, its data slice or the kit version — as recorded by content hashes in
``outputs/EDITION/manifest.json``. A failing site keeps its executed notebook (with the failing
cell) as ``monograph.failed.ipynb`` beside the last good one, and never stops the others.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from cohorte import config
from cohorte.build import workers as pool_workers
from cohorte.build.provenance import Manifest, git_commit, kit_fingerprint, provenance_block
from cohorte.errors import ParamsError
from cohorte.files import fingerprint, os_error_sentence, temp_path_for

KERNEL = "cohorte"


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: where from, where to, with which parameters and provenance."""

    name: str
    notebook: Path
    output: Path
    parameters: dict
    sources: dict[str, str] = field(default_factory=dict)  # what produced it: name → content hash
    products: tuple[Path, ...] = ()  # files the notebook writes beside itself (key figures, tables)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.notebook, self.parameters, self.sources, kit_fingerprint())

    @property
    def failed_output(self) -> Path:
        return self.output.with_name(self.output.stem + ".failed.ipynb")


@dataclass
class JobResult:
    name: str
    status: str  # "executed", "unchanged" or "failed"
    seconds: float = 0.0
    error: str = ""
    output: str = ""


def _stamp_provenance(path: Path, job: NotebookJob, commit: str) -> None:
    import nbformat  # imported here: a no-op build never pays for nbformat's start-up

    nb = nbformat.read(path, as_version=4)
    # papermill's paths without the build's folders: the same wherever it is built
    source = job.notebook.relative_to(config.repo_dir()) if job.notebook.is_relative_to(config.repo_dir()) else job.notebook.name
    nb.metadata.get("papermill", {}).update(input_path=str(source), output_path=job.output.name)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
    block = provenance_block({}, commit)
    del block["inputs"]  # a notebook's inputs are its sources
    nb.metadata["cohorte"] = {**block, "job": job.name, "sources": job.sources, "fingerprint": job.fingerprint}
    nbformat.write(nb, path)


def _describe_failure(exc: Exception, job: NotebookJob) -> str:
    import papermill

    if isinstance(exc, papermill.PapermillExecutionError):
        detail = f"cell {exc.cell_index} raised {exc.ename}: {exc.evalue}"
        return f"{detail} (executed notebook kept at {job.failed_output})"
    if isinstance(exc, OSError):
        return os_error_sentence(exc, job.output)
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def _stderr_to(log: Path):
    """Send this process's stderr (and its kernels') to ``log`` while a job runs."""
    log.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with log.open("w") as handle:
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def run_job(job: NotebookJob, commit: str) -> JobResult:
    """Execute one notebook into a temporary file, then move it into place (or aside on failure).

    The kernel's own messages go to ``<output>.log`` beside the notebook. A folder that cannot be
    written (permissions, full disk) fails this job only, in one sentence.
    """
    try:
        with _stderr_to(job.output.with_suffix(".log")):
            return _run_job(job, commit)
    except OSError as exc:
        return JobResult(job.name, "failed", error=os_error_sentence(exc, job.output.parent))


def _run_job(job: NotebookJob, commit: str) -> JobResult:
    import papermill

    start = time.perf_counter()
    tmp = temp_path_for(job.output)
    try:
        papermill.execute_notebook(
            str(job.notebook), str(tmp), parameters=job.parameters, kernel_name=KERNEL,
            progress_bar=False, cwd=str(job.output.parent),
        )
        _stamp_provenance(tmp, job, commit)
        tmp.replace(job.output)
        return JobResult(job.name, "executed", time.perf_counter() - start, output=str(job.output))
    except Exception as exc:  # reported per site; the other sites go on
        _keep_failed(tmp, job)
        return JobResult(job.name, "failed", time.perf_counter() - start, _describe_failure(exc, job))
    finally:  # also when the build stops this worker (Ctrl-C): no temporary notebook is left behind
        tmp.unlink(missing_ok=True)


def _keep_failed(tmp: Path, job: NotebookJob) -> None:
    """Keep the partly executed notebook as ``*.failed.ipynb`` when it can be (not on a full disk)."""
    try:
        if tmp.exists() and tmp.stat().st_size:
            tmp.replace(job.failed_output)
    except OSError:
        pass


def is_up_to_date(job: NotebookJob, manifest: Manifest) -> bool:
    """True when the manifest says this exact job produced the notebook and products still in place."""
    return manifest.is_current("notebooks", job.name, job.fingerprint, [job.output, *job.products])


def check_kernel() -> None:
    """The kit's Jupyter kernel must be registered before any notebook runs."""
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL not in KernelSpecManager().find_kernel_specs():
        raise ParamsError(f"the Jupyter kernel '{KERNEL}' is not registered; run `make install`, or "
                          f"`python -m ipykernel install --sys-prefix --name {KERNEL}` in the kit's environment")


def check_parameters(jobs: list[NotebookJob]) -> None:
    """Refuse missing, unknown and wrongly typed parameters (papermill itself only warns), naming notebook and key."""
    from cohorte.report.parameters import parameter_problems

    problems = [p for job in jobs for p in parameter_problems(job.notebook.name, job.parameters)]
    if problems:
        raise ParamsError("\n".join(dict.fromkeys(problems)))


def run_jobs(jobs: list[NotebookJob], manifest: Manifest, workers: int, force: bool = False, label: str = "notebooks") -> list[JobResult]:
    """Run the jobs that are not up to date, ``workers`` kernels at a time, with a progress bar.

    Every job's parameters are checked first: a bad value stops the build before any kernel starts.
    """
    check_parameters(jobs)
    current = {j.name for j in jobs if not force and is_up_to_date(j, manifest)}
    results = [JobResult(j.name, "unchanged", output=str(j.output)) for j in jobs if j.name in current]
    todo = [j for j in jobs if j.name not in current]
    if todo:
        check_kernel()
        commit = git_commit()
        pool = pool_workers.worker_pool(min(workers, len(todo)))
        try:
            futures = [pool.submit(pool_workers.call, run_job, job, commit) for job in todo]
            for future in tqdm(as_completed(futures), total=len(futures), desc=label, unit="nb"):
                results.append(future.result())
        except BaseException:  # Ctrl-C: stop the workers now, record what finished, then let it through
            pool_workers.stop(pool)
            _record(jobs, results, manifest)
            raise
        pool.shutdown()
    _record(jobs, results, manifest)
    return sorted(results, key=lambda r: r.name)


def _record(jobs: list[NotebookJob], results: list[JobResult], manifest: Manifest) -> None:
    by_name = {r.name: r for r in results}
    for job in jobs:
        result = by_name.get(job.name)
        if result is None:  # interrupted before it finished: its last good outputs stay as recorded
            continue
        if result.status == "executed":
            manifest.record("notebooks", job.name, job.fingerprint, [job.output, *(p for p in job.products if p.exists())],
                            sources=job.sources, parameters=job.parameters)
        elif result.status == "failed":
            manifest.forget("notebooks", job.name)
            for product in job.products:  # stale results of an older run must not be read as current
                _set_aside(product)


def _set_aside(product: Path) -> None:
    """Rename a stale product (``key_figures.stale.json``); delete it when the folder refuses the rename."""
    try:
        if product.exists():
            product.replace(product.with_name(product.stem + ".stale" + product.suffix))
    except OSError:
        product.unlink(missing_ok=True)
