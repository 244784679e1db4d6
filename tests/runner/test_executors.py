"""Executors: a worker process that dies mid-job (kill -9, the OOM killer) fails that job only."""

from __future__ import annotations

import os
import signal

import pytest

from cohorte.errors import ParamsError
from cohorte.runner.executors import LocalExecutor, OnDemand


def _kill_own_worker_on(item: str) -> str:
    if item == "boom":
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    return f"done {item}"


def _lost(item: str, reason: str) -> str:
    return f"lost {item}: {reason}"


def test_when_a_local_worker_is_killed_then_its_job_is_lost_with_a_reason_and_the_others_finish() -> None:
    items = ["a", "b", "boom", "c", "d"]
    results = list(LocalExecutor(2, warm_kernels=False).run(_kill_own_worker_on, items, lost=_lost))
    assert sorted(r for r in results if r.startswith("done")) == ["done a", "done b", "done c", "done d"]
    assert [r for r in results if r.startswith("lost")] == [
        "lost boom: its worker process died again when run alone (killed, or out of memory)"
    ]


def _pid_unless_boom(item: str) -> int:
    if item == "boom":
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def test_when_a_worker_dies_then_the_other_jobs_still_run_on_the_full_pool() -> None:
    items = ["boom", *[f"job{i}" for i in range(8)]]
    results = list(LocalExecutor(2, warm_kernels=False).run(_pid_unless_boom, items, lost=_lost))
    pids = [r for r in results if isinstance(r, int)]
    assert len(pids) == 8 and len(set(pids)) <= 4  # two pools of two, not a pool of one per job
    assert [r for r in results if isinstance(r, str)] == [
        "lost boom: its worker process died again when run alone (killed, or out of memory)"
    ]


def test_when_no_lost_handler_is_given_then_a_dead_worker_is_raised() -> None:
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        list(LocalExecutor(1, warm_kernels=False).run(_kill_own_worker_on, ["boom"]))


def test_when_an_on_demand_executor_gets_no_job_then_no_worker_starts_and_its_first_job_starts_them() -> None:
    executor = OnDemand("local", 1)
    executor.close()
    assert executor.started is None  # a no-op build starts no pool and no cluster
    assert list(executor.run(_kill_own_worker_on, ["a"])) == ["done a"]
    assert isinstance(executor.started, LocalExecutor)
    executor.close()


def test_when_the_executor_is_unknown_then_error_names_the_known_ones() -> None:
    with pytest.raises(ParamsError, match="unknown executor 'spark'; choose among local, dask"):
        OnDemand("spark")
