"""Execute notebooks with papermill: one kernel per site, in parallel, incrementally and atomically.

A site is re-executed only when something that produced it changed — the notebook, its parameters,
its grid, its data slice or the kit version — as recorded by content hashes in
``outputs/EDITION/manifest.json``. A failing site keeps its executed notebook (with the failing
cell) as ``monograph.failed.ipynb`` beside the last good one, and never stops the others.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from cohorte import config

if TYPE_CHECKING:  # pragma: no cover - rendering is imported only when a job renders
    from cohorte.runner.rendering import DocMeta

from cohorte.errors import ParamsError
from cohorte.files import fingerprint, os_error_sentence, temp_path_for
from cohorte.runner.executors import Executor, LocalExecutor
from cohorte.store.provenance import Manifest, git_commit, kit_fingerprint, provenance_block

KERNEL = "cohorte"
KERNEL_START_ATTEMPTS = 3  # a kernel that fails to start (ZMQ port race) is started again
NOTEBOOK_TIMEOUT = 600  # seconds: the longest a cell may run, and the longest a kernel may take to start


@dataclass(frozen=True)
class Render:
    """Documents a job renders from its executed notebook in the same worker (``base.FORMAT``)."""

    base: Path
    formats: tuple[str, ...]
    meta: DocMeta

    def outputs(self) -> list[Path]:
        return [self.base.with_name(f"{self.base.name}.{f}") for f in self.formats]


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: where from, where to, with which parameters and provenance."""

    name: str
    notebook: Path
    output: Path
    parameters: dict
    sources: dict[str, str] = field(default_factory=dict)  # what produced it: name → content hash
    products: tuple[Path, ...] = ()  # files the notebook writes beside itself (key figures, tables)
    render: Render | None = None  # documents rendered by the same task, right after execution
    timeout: int = NOTEBOOK_TIMEOUT

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
    failing_cell: int | None = None  # index of the cell that raised, when one did
    attempts: int = 0  # kernel starts tried
    timings: dict[str, float] = field(default_factory=dict)  # execute, cells, overhead, render, total (seconds)
    rendered: list[str] = field(default_factory=list)
    worker: str = ""  # host:pid of the process that ran it


def _stamp_provenance(path: Path, job: NotebookJob, commit: str) -> None:
    import nbformat  # imported here: a no-op build never pays for nbformat's start-up

    nb = nbformat.read(path, as_version=4)
    # papermill's paths without the build's folders: the same wherever it is built
    source = (
        job.notebook.relative_to(config.repo_dir())
        if job.notebook.is_relative_to(config.repo_dir())
        else job.notebook.name
    )
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
    """Execute one notebook into a temporary file, then move it into place (or aside on failure);
    then render its documents when the job says so. Never raises: the result says what happened.

    The kernel's own messages go to ``<output>.log`` beside the notebook. A folder that cannot be
    written (permissions, full disk) fails this job only, in one sentence.
    """
    try:
        with _stderr_to(job.output.with_suffix(".log")):
            result = _run_job(job, commit)
    except OSError as exc:
        return JobResult(job.name, "failed", error=os_error_sentence(exc, job.output.parent))
    import socket

    result.worker = f"{socket.gethostname()}:{os.getpid()}"
    return result


def _is_kernel_start_failure(exc: Exception) -> bool:
    """A kernel that died or timed out before running any cell (the ZMQ port race), not a failing cell."""
    import papermill

    if isinstance(exc, papermill.PapermillExecutionError):
        return False
    text = f"{type(exc).__name__}: {exc}"
    return any(
        k in text
        for k in (
            "Kernel died",
            "kernel_info",
            "ZMQ",
            "Address already in use",
            "DeadKernel",
            "Kernel didn't respond",
            "TimeoutError",
        )
    )


def _execute(job: NotebookJob, tmp: Path) -> int:
    """papermill, with the kernel started again when it fails to start; returns the attempts made."""
    import papermill

    from cohorte.runner import kernels

    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        warm = kernels.pool() if attempt == 1 else None  # a retry starts a kernel of its own
        km = None
        try:
            km = _warm_kernel(warm, job) if warm is not None else None
            papermill.execute_notebook(
                str(job.notebook),
                str(tmp),
                parameters=job.parameters,
                kernel_name=KERNEL,
                progress_bar=False,
                cwd=str(job.output.parent),
                execution_timeout=job.timeout,
                start_timeout=min(job.timeout, 120),
                **({"km": km} if km is not None else {}),
            )
            return attempt
        except Exception as exc:
            if attempt == KERNEL_START_ATTEMPTS or not _is_kernel_start_failure(exc) or _cells_ran(tmp):
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            time.sleep(0.2 * attempt)
        finally:
            if km is not None:  # a warm kernel serves one notebook only
                km.shutdown_kernel(now=True)
    raise AssertionError("unreachable")


def _warm_kernel(warm, job: NotebookJob):  # -> a started KernelManager, or None for papermill's own
    """A kernel from the worker's template; None (papermill starts one) when the template fails."""
    try:
        return warm.take(str(job.output.parent))
    except Exception as exc:  # a broken template must not fail the notebook: start a kernel as usual
        print(f"warm kernel unavailable ({type(exc).__name__}: {exc}); starting one", file=sys.stderr)
        warm.shutdown()
        return None


def _cells_ran(path: Path) -> bool:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # nothing written yet
        return False
    return any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def _cell_seconds(path: Path) -> float:
    """The time papermill recorded in the cells (what our code, figures and display cost)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return float(sum((c.metadata.get("papermill") or {}).get("duration") or 0 for c in nb.cells))


def _run_job(job: NotebookJob, commit: str) -> JobResult:
    import papermill

    start = time.perf_counter()
    tmp = temp_path_for(job.output)
    attempts = 0
    try:
        attempts = _execute(job, tmp)
        executed = time.perf_counter() - start
        cells = _cell_seconds(tmp)
        _stamp_provenance(tmp, job, commit)
        tmp.replace(job.output)
    except Exception as exc:  # reported per site; the other sites go on
        _keep_failed(tmp, job)
        cell = exc.cell_index if isinstance(exc, papermill.PapermillExecutionError) else None
        return JobResult(
            job.name,
            "failed",
            time.perf_counter() - start,
            _describe_failure(exc, job),
            failing_cell=cell,
            attempts=getattr(exc, "attempts", attempts),
        )
    finally:  # also when the build stops this worker (Ctrl-C): no temporary notebook is left behind
        tmp.unlink(missing_ok=True)
    timings = {"execute": executed, "cells": cells, "overhead": max(executed - cells, 0.0)}
    rendered: list[str] = []
    error = ""
    if job.render is not None:
        rendered, error = _render(job)
        timings["render"] = time.perf_counter() - start - executed
    timings["total"] = time.perf_counter() - start
    status = "failed" if error else "executed"
    return JobResult(
        job.name,
        status,
        timings["total"],
        error,
        output=str(job.output),
        attempts=attempts,
        timings=timings,
        rendered=rendered,
    )


def _render(job: NotebookJob) -> tuple[list[str], str]:
    """Render the executed notebook's documents; (files, error)."""
    from cohorte.errors import RenderError
    from cohorte.runner.rendering import render_notebook

    if job.render is None:
        return [], ""
    try:
        files = render_notebook(job.output, job.render.base, job.render.formats, job.render.meta)
    except RenderError as exc:
        return [], f"rendering: {exc}"
    except Exception as exc:  # any other failure is this document's, not the build's
        return [], f"rendering: {type(exc).__name__}: {exc}"
    return [str(f) for f in files], ""


def _keep_failed(tmp: Path, job: NotebookJob) -> None:
    """Keep the partly executed notebook as ``*.failed.ipynb`` when it can be (not on a full disk)."""
    try:
        if tmp.exists() and tmp.stat().st_size:
            tmp.replace(job.failed_output)
    except OSError:
        pass


def is_up_to_date(job: NotebookJob, manifest: Manifest) -> bool:
    """True when the manifest says this exact job produced the notebook, products and documents still in place."""
    documents = job.render.outputs() if job.render else []
    return manifest.is_current("notebooks", job.name, job.fingerprint, [job.output, *job.products, *documents])


def check_kernel() -> None:
    """The kit's Jupyter kernel must be registered before any notebook runs."""
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL not in KernelSpecManager().find_kernel_specs():
        raise ParamsError(
            f"the Jupyter kernel '{KERNEL}' is not registered; run `make install`, or "
            f"`python -m ipykernel install --sys-prefix --name {KERNEL}` in the kit's environment"
        )


def check_parameters(jobs: list[NotebookJob]) -> None:
    """Refuse missing, unknown and wrongly typed parameters (papermill itself only warns), naming notebook and key."""
    from cohorte.report.parameters import parameter_problems

    problems = [p for job in jobs for p in parameter_problems(job.notebook.name, job.parameters)]
    if problems:
        raise ParamsError("\n".join(dict.fromkeys(problems)))


def run_jobs(
    jobs: list[NotebookJob],
    manifest: Manifest,
    workers: int,
    force: bool = False,
    label: str = "notebooks",
    executor: Executor | None = None,
) -> list[JobResult]:
    """Run the jobs that are not up to date on ``executor`` (default: ``workers`` local processes), with a progress bar.

    Every job's parameters are checked first: a bad value stops the build before any kernel starts.
    """
    check_parameters(jobs)
    current = {j.name for j in jobs if not force and is_up_to_date(j, manifest)}
    results = [JobResult(j.name, "unchanged", output=str(j.output)) for j in jobs if j.name in current]
    todo = [j for j in jobs if j.name not in current]
    if todo:
        check_kernel()
        commit = git_commit()
        engine = executor or LocalExecutor(workers)
        try:
            for result in tqdm(engine.run(run_job, todo, commit), total=len(todo), desc=label, unit="nb"):
                results.append(result)
        except BaseException:  # Ctrl-C: record what finished, then let it through
            _record(jobs, results, manifest)
            raise
    _record(jobs, results, manifest)
    return sorted(results, key=lambda r: r.name)


def _record(jobs: list[NotebookJob], results: list[JobResult], manifest: Manifest) -> None:
    by_name = {r.name: r for r in results}
    for job in jobs:
        result = by_name.get(job.name)
        if result is None:  # interrupted before it finished: its last good outputs stay as recorded
            continue
        if result.status == "executed":
            documents = job.render.outputs() if job.render else []
            manifest.record(
                "notebooks",
                job.name,
                job.fingerprint,
                [job.output, *(p for p in job.products if p.exists()), *documents],
                sources=job.sources,
                parameters=job.parameters,
            )
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
