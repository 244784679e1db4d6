"""Where notebook jobs run: one interface, two engines.

- ``local`` (default): a process pool on this machine, one job per worker process at a time.
- ``dask``: Dask distributed, on an embedded ``LocalCluster`` of worker *processes* (one thread
  each: a papermill execution owns its process's event loop and stderr), or on an existing cluster
  given by its scheduler address (``--scheduler tcp://HOST:8786``).

Both take a picklable function and its items and yield the results as jobs finish. A job never
raises: it returns its own status (see ``cohorte.runner.execution.run_job``), so one failing site
never stops the others. Every path a job reads or writes must be visible to every worker: on a
cluster, the kit's folder (``params/``, ``outputs/``, ``data/``) on shared storage (docs/cluster.md).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

from cohorte import workers as worker_rules
from cohorte.errors import ParamsError

T = TypeVar("T")
R = TypeVar("R")
T_contra = TypeVar("T_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)


class Lost(Protocol[T_contra, R_co]):
    """What a job whose worker process died (killed, out of memory) becomes: ``lost(item, reason)``."""

    def __call__(self, item: T_contra, reason: str, /) -> R_co: ...


class Executor(Protocol):
    """Runs ``fn(item, *args)`` for every item, yielding results as they complete.

    A job whose worker dies is retried on another worker, then becomes ``lost(item, reason)``
    (without ``lost``, the death is raised): the other jobs go on."""

    name: str
    workers: int

    def run(self, fn: Callable[..., R], items: Iterable[T], *args: object, lost: Lost | None = None) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A pool of ``workers`` processes on this machine (today's behaviour)."""

    name = "local"

    def __init__(self, workers: int, warm_kernels: bool = True) -> None:
        self.workers = max(1, workers)
        self.warm_kernels = warm_kernels

    def run(self, fn: Callable[..., R], items: Iterable[T], *args: object, lost: Lost | None = None) -> Iterator[R]:
        # a worker's death breaks the pool and every job it had not finished: those are run again together,
        # then the ones that die again run one at a time, so a job that kills its worker harms only itself
        died = yield from self._round(fn, list(items), args, self.workers, lost is not None)
        died = yield from self._round(fn, died, args, self.workers, True)
        for item in died:
            if (yield from self._round(fn, [item], args, 1, True)) and lost is not None:
                yield lost(item, "its worker process died again when run alone (killed, or out of memory)")

    def _round(
        self, fn: Callable[..., R], todo: list, args: tuple, workers: int, keep_going: bool
    ) -> Generator[R, None, list]:
        """Run ``todo`` on a fresh pool; returns the items whose worker died (raised unless ``keep_going``)."""
        if not todo:
            return []
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(todo)),
            initializer=_init_local_worker,
            initargs=(os.getpid(), self.warm_kernels),
        )
        futures = {pool.submit(worker_rules.call, fn, item, *args): item for item in todo}
        died = []
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except BrokenProcessPool:  # a worker died (kill -9, the OOM killer): the pool's jobs are lost
                    if not keep_going:
                        raise
                    died.append(futures[future])
        except BaseException:  # Ctrl-C or the consumer gave up: queued jobs cancelled, running workers stopped
            worker_rules.stop(pool)
            raise
        pool.shutdown()
        return died

    def close(self) -> None:
        pass


class DaskExecutor:
    """Dask distributed: an embedded ``LocalCluster`` of ``workers`` processes, or the cluster at ``scheduler``."""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None, warm_kernels: bool = True) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - a dependency of the kit
            raise ParamsError(
                "--executor dask needs the 'distributed' package; install the kit's dependencies"
            ) from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise ParamsError(
                    f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc}); start it with "
                    "`dask scheduler` and its workers with `dask worker ADDRESS --nthreads 1`"
                ) from None
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)
        else:
            self.cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            )
            self.client = Client(self.cluster)
            self.workers = max(1, workers)
        self.environment = _forwarded_environment()
        if warm_kernels:
            try:
                self.client.run(_enable_warm_kernels)
            except Exception as exc:  # a worker without the kit, or with another version of it
                self.close()
                raise ParamsError(
                    f"the Dask workers cannot start the kit's kernels ({type(exc).__name__}: {exc}); install the "
                    "kit and register its kernel on every worker (docs/cluster.md)"
                ) from None

    def run(self, fn: Callable[..., R], items: Iterable[T], *args: object, lost: Lost | None = None) -> Iterator[R]:
        from distributed import as_completed as dask_completed

        todo = list(items)
        if not todo:
            return
        # pure=False: a job has side effects (files); a worker lost mid-job has its job rescheduled by
        # the scheduler, up to its ``allowed-failures``, then the job fails with KilledWorker
        task = functools.partial(_in_environment, self.environment, fn)  # also on a worker that joins mid-run
        futures = self.client.map(task, todo, *[[a] * len(todo) for a in args], pure=False, retries=0)
        items_of = dict(zip((f.key for f in futures), todo, strict=True))
        try:
            for future in dask_completed(futures):
                try:
                    yield future.result()
                except Exception as exc:  # the job never raises: this is its worker's death
                    if lost is None:
                        raise
                    yield lost(items_of[future.key], f"its Dask worker was lost ({type(exc).__name__}: {exc})")
        except BaseException:  # Ctrl-C: cancel what has not started
            self.client.cancel(futures)
            raise

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _forwarded_environment() -> dict[str, str]:
    """What a worker needs to work on the driver's edition: the kit's working folder (shared storage).
    The worker's own installation of the kit is left as it is."""
    from cohorte import config

    return {"COHORTE_HOME": str(config.root())}


def _init_local_worker(parent: int, warm_kernels: bool) -> None:
    """A local worker dies with the build, leaves Ctrl-C to it (cohorte.workers), and may keep a warm kernel."""
    worker_rules.init_worker(parent)
    if warm_kernels:
        _enable_warm_kernels()


def _enable_warm_kernels() -> None:
    """Run in each worker process: kernels started ahead of the notebooks (cohorte.runner.kernels)."""
    from cohorte.runner import kernels

    kernels.enable()


def _in_environment(values: dict[str, str], fn: Callable[..., R], *args: object) -> R:
    """Run on a worker: a job with the driver's kit root (kernels started by the worker inherit it)."""
    os.environ.update(values)
    return fn(*args)


EXECUTORS: dict[str, type[LocalExecutor] | type[DaskExecutor]] = {"local": LocalExecutor, "dask": DaskExecutor}


def check_options(engine: str, scheduler: str | None) -> None:
    """Refuse an unknown executor or a scheduler without Dask (before any work starts)."""
    if engine not in EXECUTORS:
        raise ParamsError(f"unknown executor {engine!r}; choose among {', '.join(EXECUTORS)}")
    if scheduler and engine != "dask":
        raise ParamsError("--scheduler is for --executor dask")


def make_executor(
    engine: str = "local", workers: int | None = None, scheduler: str | None = None, warm_kernels: bool = True
) -> Executor:
    """The executor named ``engine`` with ``workers`` processes (default: the machine's cores);
    ``warm_kernels``: each worker keeps a kernel started ahead (cohorte.runner.kernels)."""
    workers = workers or os.cpu_count() or 1
    check_options(engine, scheduler)
    if engine == "dask":
        return DaskExecutor(workers, scheduler, warm_kernels)
    return LocalExecutor(workers, warm_kernels)


class OnDemand:
    """An executor started at its first job: a build with nothing to run starts no worker or cluster."""

    def __init__(self, engine: str = "local", workers: int | None = None, scheduler: str | None = None) -> None:
        check_options(engine, scheduler)
        self.name, self.scheduler = engine, scheduler
        self.workers = workers or os.cpu_count() or 1
        self.started: Executor | None = None

    def run(self, fn: Callable[..., R], items: Iterable[T], *args: object, lost: Lost | None = None) -> Iterator[R]:
        if self.started is None:
            self.started = make_executor(self.name, self.workers, self.scheduler)
            self.workers = self.started.workers
        return self.started.run(fn, items, *args, lost=lost)

    def close(self) -> None:
        if self.started is not None:
            self.started.close()
            self.started = None
