"""Worker processes that stop when asked and never outlive the build.

Every pool of the build (notebooks, documents) comes from :func:`worker_pool`, and a stage run
apart in a child process of its own (the national preparation) from :func:`in_child`:

- a worker dies with its parent: on Linux the kernel sends it SIGTERM when the build process
  dies, even by SIGKILL (``prctl(PR_SET_PDEATHSIG)``); its Jupyter kernel follows within a second
  (ipykernel exits when its parent changes);
- Ctrl-C is the parent's alone (workers ignore SIGINT): the parent cancels what is queued and sends
  SIGTERM to the running workers (:func:`stop`);
- SIGTERM makes a busy worker unwind its job (``finally`` clauses remove temporary files, a
  ``subprocess.run`` kills its child) and exit; an idle worker exits at once. A worker that does
  not stop within the grace period is killed; a second Ctrl-C kills at once.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from cohorte.errors import CohorteError

T = TypeVar("T")
PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 10.0
_busy = False


class WorkerStopped(BaseException):
    """Raised in a busy worker by SIGTERM, so that its job unwinds before it exits."""


def _on_sigterm(signum: int, frame: object) -> None:
    if _busy:
        raise WorkerStopped
    os._exit(128 + signum)


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the line above: nobody will collect our results
        os._exit(1)


def _forget_inherited_runners() -> None:
    """jupyter_core runs a coroutine called under a running event loop on a runner thread of its own,
    kept per thread name. A fork copies that map but not the threads: the child's first such call
    would wait forever on a runner that does not exist (seen when the parent had a loop running, as a
    Jupyter kernel or playwright has). The child starts with none."""
    utils = sys.modules.get("jupyter_core.utils")
    runners = getattr(utils, "_runner_map", None)
    if isinstance(runners, dict):
        runners.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_runners)


def init_worker(parent: int) -> None:
    """Pool initializer: leave Ctrl-C to the parent, unwind on SIGTERM, die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    _die_with(parent)


def call(function: Callable[..., T], *args: object) -> T:
    """Run one job in a worker; a stop request (SIGTERM) unwinds it, then ends the worker."""
    global _busy
    _busy = True
    try:
        return function(*args)
    except WorkerStopped:
        os._exit(128 + signal.SIGTERM)  # the job's finally clauses have run
    finally:
        _busy = False


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers follow the rules of this module (submit jobs through :func:`call`)."""
    return ProcessPoolExecutor(max_workers=max(1, workers), initializer=init_worker, initargs=(os.getpid(),))


def stop(pool: ProcessPoolExecutor, grace: float = STOP_GRACE_SECONDS) -> None:
    """Cancel queued jobs, ask running workers to stop, kill those still alive after ``grace`` seconds."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    try:
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
    except KeyboardInterrupt:  # a second Ctrl-C: no more waiting
        pass
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(1)


def in_child(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` run in a child process that exits when done: its memory goes back to the system.

    The child is *spawned* (a fresh interpreter importing only what ``function`` needs), not forked:
    a fork would carry this process's pages, threads and locks, and its shared pages would be counted
    again in the child. It follows the rules of this module (dies with the build, leaves Ctrl-C to
    it, unwinds on SIGTERM). What it returns or raises is returned or raised here: a ``CohorteError``
    keeps its type and message (``InputDataError`` its problems)."""
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(os.getpid(),),
    )
    future = pool.submit(call, function, *args)
    try:
        return future.result()
    except BrokenProcessPool:
        raise CohorteError(
            f"the child process running {function.__module__}.{function.__qualname__} ended abruptly "
            "(killed, or out of memory); run the command again, with more memory free if it recurs"
        ) from None
    except BaseException:  # Ctrl-C: the child is stopped before the build ends; its own error: it has exited
        if not future.done():
            stop(pool)
        raise
    finally:
        pool.shutdown()
