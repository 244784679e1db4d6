"""A Dask cluster of separate processes builds a cohort edition: a scheduler and two workers, each
running the kit from its wheel (not the checkout), execute and render every notebook (docs/cluster.md)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cohorte import config
from cohorte.runner.pipeline import BuildOptions, build_edition

REPO = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).with_name("dask")
SITES = ["lorient-agglomeration", "mel"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit built as a wheel and installed alone into a folder (its dependencies come from the venv)."""
    tmp = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp / "dist"), str(REPO)], check=True)
    (wheel,) = (tmp / "dist").glob("cohorte-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(tmp / "site"), str(wheel)], check=True)
    return tmp / "site"


def _wait(predicate, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.3)


@pytest.fixture
def cluster(tmp_path: Path, wheel_site: Path) -> Iterator[str]:
    """``dask scheduler`` and two ``dask worker`` processes, started as a user would, in a folder
    outside the checkout and with the wheel first on their path; yields the scheduler's address."""
    folder = tmp_path / "cluster"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("COHORTE_HOME", "PYTHONPATH")}
    env["PYTHONPATH"] = str(wheel_site)
    file = folder / "scheduler.json"
    common = {"cwd": folder, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", file],
            **common,
        )
    ]
    try:
        _wait(file.exists, "the scheduler")
        for name in ("w1", "w2"):
            processes.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        "--scheduler-file",
                        file,
                        "--nthreads",
                        "1",
                        "--name",
                        name,
                        "--no-dashboard",
                        "--local-directory",
                        folder / name,
                    ],
                    **common,
                )
            )
        address = json.loads(file.read_text())["address"]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            _wait(lambda: len(client.scheduler_info()["workers"]) == 2, "two workers")
        yield address
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_when_a_cluster_of_separate_processes_builds_2020_then_its_workers_execute_and_render(
    kit_home: Path, cluster: str, wheel_site: Path
) -> None:
    from distributed import Client

    with Client(cluster) as client:
        kits = set(client.run(lambda: __import__("cohorte").__file__).values())
        pids = {str(pid) for pid in client.run(os.getpid).values()}
    assert kits == {str(wheel_site / "cohorte" / "__init__.py")}  # the wheel, not the checkout

    options = BuildOptions(sites=SITES, formats="html,pdf", executor="dask", scheduler=cluster)
    report = build_edition(2020, options)
    assert report.ok, report.failures
    assert {r.name: r.status for r in report.notebooks} == {
        "synthesis": "executed",
        **{f"sites/{s}": "executed" for s in SITES},
    }
    assert {r.worker.split(":")[1] for r in report.notebooks} <= pids  # every job ran on a worker process
    for slug in SITES:
        for fmt in ("html", "pdf"):
            assert config.monograph_base(2020, slug).with_suffix(f".{fmt}").stat().st_size > 10_000
    assert all(r.rendered and r.timings["render"] > 0 for r in report.notebooks)  # rendered by the worker
    assert config.site_index(2020).exists()  # the site is assembled by the build itself

    again = build_edition(2020, options)
    assert {r.status for r in again.notebooks} == {"unchanged"}


def test_when_a_dask_worker_is_killed_mid_run_then_its_job_runs_elsewhere_and_the_build_finishes(
    kit_home: Path, cluster: str
) -> None:
    import threading

    from distributed import Client

    options = BuildOptions(sites=SITES, formats="html", executor="dask", scheduler=cluster)
    with Client(cluster) as client:
        pids = client.run(os.getpid)
        outcome: dict = {}
        build = threading.Thread(target=lambda: outcome.update(report=build_edition(2020, options)))
        build.start()
        _wait(lambda: any(client.processing().values()), "a job on a worker", timeout=300)
        busy = next(address for address, tasks in client.processing().items() if tasks)
        os.kill(pids[busy], signal.SIGKILL)  # as the OOM killer would
        build.join(timeout=900)
    report = outcome["report"]
    assert report.ok, report.failures
    assert {r.status for r in report.notebooks} == {"executed"}
    assert str(pids[busy]) not in {r.worker.split(":")[1] for r in report.notebooks}
    for slug in SITES:
        assert config.monograph_base(2020, slug).with_suffix(".html").stat().st_size > 10_000
