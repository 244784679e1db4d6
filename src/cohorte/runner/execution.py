"""Execute notebooks with papermill and render their documents, in the same task, incrementally and atomically.

A job is re-executed only when something it reads changed (its ``reads``, hashed here), its notebook,
its parameters or the kit, as recorded in ``outputs/EDITION/manifest.json``; its documents are
re-rendered alone when only they are out of date. A failing notebook is kept as ``*.failed.ipynb``
beside the last good one, and never stops the others.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from cohorte import config
from cohorte.errors import ParamsError
from cohorte.files import os_error_sentence, temp_path_for
from cohorte.runner.executors import Executor, LocalExecutor
from cohorte.runner.plan import NotebookJob
from cohorte.store.manifest import Manifest
from cohorte.store.provenance import git_commit, provenance_block
from cohorte.store.reads import hash_reads

if TYPE_CHECKING:  # pragma: no cover - rendering is imported only when a job renders
    from cohorte.runner.rendering import DocMeta

KERNEL = "cohorte"
KERNEL_START_ATTEMPTS = 3  # a kernel that fails to start (ZMQ port race) is started again


@dataclass
class JobResult:
    name: str
    status: str  # "executed", "rendered" (documents only), "unchanged" or "failed"
    seconds: float = 0.0
    error: str = ""
    output: str = ""
    failing_cell: int | None = None  # index of the cell that raised, when one did
    attempts: int = 0  # kernel starts tried
    timings: dict[str, float] = field(default_factory=dict)  # execute, cells, overhead, render, total (seconds)
    rendered: list[str] = field(default_factory=list)
    render_error: str = ""  # the documents failed, the notebook did not
    worker: str = ""  # host:pid of the process that ran it


def _stamp_provenance(path: Path, job: NotebookJob, commit: str) -> None:
    """Record what made the notebook, and drop what differs from one run to the next (timings, the
    build's folders, papermill's random cell id): two builds of the same inputs give the same bytes."""
    import nbformat  # imported here: a no-op build never pays for nbformat's start-up

    from cohorte.runner.reproducible import without_timings

    nb = without_timings(nbformat.read(path, as_version=4))
    # papermill's paths without the build's folders: the same wherever it is built
    source = Path(job.notebook.name)
    if not job.notebook.is_absolute():  # one of the kit's notebooks
        source = Path("notebooks") / job.notebook
    elif job.notebook.is_relative_to(config.repo_dir()):
        source = job.notebook.relative_to(config.repo_dir())
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


def run_job(job: NotebookJob, commit: str, execute: bool = True) -> JobResult:
    """Execute one notebook into a temporary file, then move it into place (or aside on failure);
    then render its documents when the job says so (``execute=False``: render only). Never raises:
    the result says what happened.

    The kernel's own messages go to ``<output>.log`` beside the notebook. A folder that cannot be
    written (permissions, full disk) fails this job only, in one sentence.
    """
    try:
        with _stderr_to(job.output.with_suffix(".log")):
            result = _run_job(job, commit) if execute else _render_only(job)
    except OSError as exc:
        sentence = os_error_sentence(exc, job.output.parent)
        if not execute:  # the notebook is still good: only its documents failed
            return JobResult(job.name, "rendered", render_error=sentence)
        return JobResult(job.name, "failed", error=sentence)
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
                str(job.source),
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
    rendered, error = _render(job)
    if job.render is not None:
        timings["render"] = time.perf_counter() - start - executed
    timings["total"] = time.perf_counter() - start
    return JobResult(
        job.name,
        "executed",
        timings["total"],
        output=str(job.output),
        attempts=attempts,
        timings=timings,
        rendered=rendered,
        render_error=error,
    )


def _render_only(job: NotebookJob) -> JobResult:
    start = time.perf_counter()
    rendered, error = _render(job)
    seconds = time.perf_counter() - start
    return JobResult(
        job.name,
        "rendered",
        seconds,
        output=str(job.output),
        timings={"render": seconds},
        rendered=rendered,
        render_error=error,
    )


def _provenance(nb: Path) -> str:
    """The kit version and commit the notebook was executed with, as its documents print them."""
    import nbformat

    info = nbformat.read(nb, as_version=4).metadata.get("cohorte", {})
    return f"cohorte {info.get('kit_version', '?')}, commit {info.get('git_commit', '?')}"


def _render(job: NotebookJob) -> tuple[list[str], str]:
    """Render the executed notebook's documents; (files, error)."""
    from cohorte.errors import RenderError
    from cohorte.runner.rendering import render_notebook

    if job.render is None:
        return [], ""
    if job.render.meta is None:
        return [], "no document settings were given for this job's documents (run_jobs(..., meta=…))"
    try:
        meta = dataclasses.replace(job.render.meta, provenance=_provenance(job.output))
        files = render_notebook(job.output, job.render.base, job.render.formats, meta)
    except RenderError as exc:
        return [], str(exc)
    except OSError as exc:  # an unwritable folder or a full disk fails this document only
        return [], os_error_sentence(exc, job.render.base.parent)
    except Exception as exc:  # any other failure is this document's, not the build's
        return [], f"{type(exc).__name__} while rendering {job.output}: {exc}"
    return [str(f) for f in files], ""


def _keep_failed(tmp: Path, job: NotebookJob) -> None:
    """Keep the partly executed notebook as ``*.failed.ipynb`` when it can be (not on a full disk)."""
    try:
        if tmp.exists() and tmp.stat().st_size:
            tmp.replace(job.failed_output)
    except OSError:
        pass


def _todo(job: NotebookJob, manifest: Manifest, force: bool) -> str:
    """What a job needs: "execute" (and render), "render" (documents only) or "" (nothing)."""
    if force or not manifest.is_current("notebooks", job.name, job.fingerprint, [job.output, *job.products]):
        return "execute"
    if job.render and not manifest.is_current("renders", job.name, job.render_key(), job.render.outputs()):
        return "render"
    return ""


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
    meta: Callable[[NotebookJob], DocMeta] | None = None,
) -> list[JobResult]:
    """Run the jobs that are not current on ``executor`` (default: ``workers`` local processes), with a progress bar.

    What each job reads is hashed here, once; every job's parameters are checked first: a bad value
    stops the build before any kernel starts. ``meta`` gives the documents' cover of a job that renders.
    """
    check_parameters(jobs)
    jobs = [dataclasses.replace(j, sources=hash_reads(j.reads, config.root())) for j in jobs]
    needs = {j.name: _todo(j, manifest, force) for j in jobs}
    results = [JobResult(j.name, "unchanged", output=str(j.output)) for j in jobs if not needs[j.name]]
    todo = [_with_meta(j, meta) for j in jobs if needs[j.name]]
    if todo:
        if any(needs[j.name] == "execute" for j in todo):
            check_kernel()
        commit = git_commit()
        engine = executor or LocalExecutor(workers)
        calls = [(j, commit, needs[j.name] == "execute") for j in todo]
        try:
            for result in tqdm(engine.run(_call, calls, lost=_lost), total=len(todo), desc=label, unit="nb"):
                results.append(result)
        except BaseException:  # Ctrl-C: record what finished, then let it through
            _record(jobs, results, manifest)
            raise
    _record(jobs, results, manifest)
    return sorted(results, key=lambda r: r.name)


def _call(args: tuple[NotebookJob, str, bool]) -> JobResult:
    return run_job(*args)


def _lost(args: tuple[NotebookJob, str, bool], reason: str) -> JobResult:
    """A job whose worker died: failed with the reason (only its documents, when it was only rendering)."""
    job, _, execute = args
    if not execute:
        return JobResult(job.name, "rendered", render_error=f"{reason}; out of memory?")
    return JobResult(job.name, "failed", error=f"{reason}; out of memory?")


def _with_meta(job: NotebookJob, meta: Callable[[NotebookJob], DocMeta] | None) -> NotebookJob:
    if job.render is None or meta is None:
        return job
    return dataclasses.replace(job, render=dataclasses.replace(job.render, meta=meta(job)))


def _record(jobs: list[NotebookJob], results: list[JobResult], manifest: Manifest) -> None:
    by_name = {r.name: r for r in results}
    for job in jobs:
        result = by_name.get(job.name)
        if result is None:  # interrupted before it finished: its last good outputs stay as recorded
            continue
        if result.status == "executed":
            manifest.record(
                "notebooks",
                job.name,
                job.fingerprint,
                [job.output, *(p for p in job.products if p.exists())],
                sources=job.sources,
                parameters=job.parameters,
            )
        if result.status in ("executed", "rendered") and job.render is not None:
            if result.render_error:
                manifest.forget("renders", job.name)
            else:
                manifest.record("renders", job.name, job.render_key(), job.render.outputs())
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


def mean_timings(results: list[JobResult]) -> dict[str, float]:
    """Mean seconds per executed job: execution, cells, fixed overhead (kernel start, I/O), rendering."""
    done = [r for r in results if r.status == "executed" and r.timings]
    if not done:
        return {}
    keys = sorted({k for r in done for k in r.timings})
    return {k: sum(r.timings.get(k, 0.0) for r in done) / len(done) for k in keys} | {"jobs": float(len(done))}
