"""Worker processes: a stage run apart in a child process (``workers.in_child``), its result, its
errors, its end; a forked worker that inherits none of its parent's runner threads."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from cohorte import workers
from cohorte.editions import load_edition
from cohorte.errors import InputDataError, ParamsError
from cohorte.workers import in_child

# a build whose stage sleeps in its child: prints its pid, then waits
SLEEPING_BUILD = (
    "import os, time; from cohorte.workers import in_child; print(os.getpid(), flush=True); in_child(time.sleep, 120)"
)


def test_when_a_function_runs_in_a_child_then_it_runs_in_another_process_and_its_result_comes_back():
    assert in_child(os.getpid) != os.getpid()
    assert in_child(sorted, [3, 1, 2]) == [1, 2, 3]


def test_when_the_child_raises_a_cohorte_error_then_the_caller_gets_the_same_type_and_message():
    with pytest.raises(ParamsError) as here:
        load_edition("no-such-edition")
    with pytest.raises(ParamsError) as there:
        in_child(load_edition, "no-such-edition")
    assert str(there.value) == str(here.value)


def test_when_an_input_error_crosses_processes_then_it_keeps_every_problem():
    problems = ["demands.csv: column 'epci' missing", "attributions.csv: line 4: bad date"]
    with pytest.raises(InputDataError) as caught:
        in_child(_raise_input_error, problems)
    assert caught.value.problems == problems


def _raise_input_error(problems: list[str]) -> None:
    raise InputDataError(problems)


def _child_of(build: subprocess.Popen, timeout: float = 30) -> psutil.Process:
    """The child process ``in_child`` started for ``build``."""
    assert build.stdout is not None
    assert int(build.stdout.readline()) == build.pid
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [p for p in psutil.Process(build.pid).children() if "spawn_main" in " ".join(p.cmdline())]
        if children:
            return children[0]
        time.sleep(0.1)
    raise AssertionError("no child process started")


def _start() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SLEEPING_BUILD], stdout=subprocess.PIPE, text=True, start_new_session=True
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_when_the_build_is_killed_then_its_child_dies_too():
    build = _start()
    child = _child_of(build)
    try:
        os.kill(build.pid, signal.SIGKILL)
        build.wait(10)
        child.wait(10)  # raises psutil.TimeoutExpired if the child outlived the build
    finally:
        _kill(child)


def test_when_ctrl_c_then_the_build_stops_its_child_and_ends():
    build = _start()
    child = _child_of(build)
    time.sleep(1)  # the child's initializer has run: it ignores SIGINT, as a terminal's Ctrl-C reaches both
    started = time.monotonic()
    try:
        os.killpg(build.pid, signal.SIGINT)
        build.wait(20)
        child.wait(10)
    finally:
        _kill(child)
    assert build.returncode != 0 and time.monotonic() - started < 15


def _kill(process: psutil.Process) -> None:
    """A failed test leaves no process behind."""
    with contextlib.suppress(psutil.NoSuchProcess):
        process.kill()


async def _outer() -> int:
    from jupyter_core.utils import run_sync

    async def inner() -> int:
        return 7

    return run_sync(inner)()  # called under a running loop: jupyter_core uses a runner thread


def _nested_run_sync() -> int:
    import asyncio

    return asyncio.run(_outer())


def test_when_the_parent_has_jupyter_runner_threads_then_a_forked_worker_does_not_wait_on_them():
    """nbclient calls jupyter_core's run_sync inside a running loop; a worker forked from a process that
    did the same (a test run in-process, a build started from a Jupyter kernel) must not wait forever
    on its parent's runner thread, which the fork did not copy."""
    import threading

    from jupyter_core import utils

    async def seven() -> int:
        return 7

    runner = utils._runner_map.setdefault(threading.current_thread().name, utils._TaskRunner())
    assert runner.run(seven()) == 7  # this process now has a runner thread, as run_sync leaves one
    pool = workers.worker_pool(1)
    try:
        assert pool.submit(workers.call, _nested_run_sync).result(timeout=30) == 7
    finally:
        workers.stop(pool, grace=1)
