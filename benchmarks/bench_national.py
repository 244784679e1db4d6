"""Benchmark (not a test): the national demo edition, stage by stage, on the local engine and on Dask.

Prints the time of each stage (demo data, splitting, validation, indicators, execution and
rendering), a fiche's fixed cost against an empty notebook's kernel round trip (cold and with a
kernel started ahead), the peak memory of the whole process tree (this process, its workers and
their kernels), and the local engine against a Dask LocalCluster in the same run.

    python benchmarks/bench_national.py [--workers 2] [--sites N] [--formats html,pdf]

Everything runs in a temporary COHORTE_HOME (a copy of params/), removed at the end. Goals:
≈370 fiches (HTML + PDF) and the national synthesis in ≤ 10 min on 2 cores with ≤ 2 GB peak (sum of
the RSS of the process tree, the conservative figure; the sum of PSS is printed beside it); a
fixed cost per fiche ≤ 1 s; Dask within 10 % of the local engine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]


class PeakMemory:
    """Samples the memory of this process and all its descendants: the peak of the sum of their RSS
    and the peak of the sum of their PSS.

    RSS counts a page shared by several processes (a worker's copy-on-write pages, shared libraries)
    once in each of them: its sum overstates the tree's memory, and is the conservative figure the
    goal is judged on. PSS (Linux) splits each shared page between the processes sharing it: its sum
    is the memory the tree really holds."""

    def __init__(self, every: float = 0.25) -> None:
        self.every, self.peak, self.peak_pss, self._stop = every, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process that ended meanwhile
                    info = proc.memory_full_info()
                    rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self._stop.wait(self.every)

    def __str__(self) -> str:
        return f"peak {self.peak / 2**30:.2f} GB (sum of RSS; sum of PSS {self.peak_pss / 2**30:.2f} GB)"

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def empty_round_trip(folder: Path, warm: bool, runs: int = 3) -> float:
    """Median seconds of executing a notebook with one empty cell, in one worker process."""
    import nbformat

    from cohorte.runner.execution import NotebookJob, run_job
    from cohorte.runner.executors import LocalExecutor

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    nb.metadata["kernelspec"] = {"name": "cohorte", "display_name": "cohorte", "language": "python"}
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    jobs = [
        NotebookJob(f"empty/{i}", path, folder / f"empty-{warm}" / str(i) / "empty.ipynb", {}) for i in range(runs + 1)
    ]
    results = sorted(LocalExecutor(1, warm_kernels=warm).run(run_job, jobs, "bench"), key=lambda r: r.name)
    return statistics.median(r.timings["execute"] for r in results[1:])  # the first one starts the process


def preparation_alone(edition) -> dict[str, float]:
    """Validation and indicators of the whole edition, without writing anything; seconds per step."""
    from cohorte.indicators.chunked import published_by_groups
    from cohorte.indicators.published import site_targets

    clock: dict[str, float] = {}
    published_by_groups(
        edition, edition.input_dir(), lambda sub: site_targets(sub, {}), edition.cotation_grid_path(), timings=clock
    )
    return clock


def build(
    edition, executor: str, workers: int, formats: tuple[str, ...], sites: list[str] | None
) -> tuple[float, dict, list]:
    from cohorte.runner.national import build_national

    start = time.perf_counter()
    stages: dict[str, float] = {}
    report = build_national(edition, sites, workers, force=True, formats=formats, executor=executor, timings=stages)
    if report.failures:
        print(f"  {len(report.failures)} failure(s), e.g. {next(iter(report.failures.items()))}", file=sys.stderr)
    return time.perf_counter() - start, stages, report.notebooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sites", type=int, default=0, help="build only the first N fiches (default: all)")
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cohorte-bench-national-"))
    shutil.copytree(REPO / "params", home / "params")
    os.environ["COHORTE_HOME"] = str(home)
    formats = tuple(f for f in args.formats.split(",") if f)
    try:
        run(home, args.workers, args.sites, formats)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(home: Path, workers: int, count: int, formats: tuple[str, ...]) -> None:
    from cohorte import config
    from cohorte.runner.national import summary
    from cohorte.runner.workers import in_child
    from cohorte.editions import load_edition
    from cohorte.inputs.demo import write_demo_folder

    edition = load_edition("national-2020")
    sites = edition.slugs[:count] if count else None
    lines = [
        f"National demo edition: {len(edition.sites)} EPCI, {sum(s.population_2017 for s in edition.sites):,} inhabitants; "
        f"{workers} worker(s), {os.cpu_count()} core(s), load average {os.getloadavg()[0]:.1f} at start (shared machine)"
    ]
    with PeakMemory() as data_mem:
        start = time.perf_counter()
        # in a child process, as `cohorte demo-data` is a command of its own: the builds below start small
        rows = in_child(write_demo_folder, edition, config.demo_data_dir(edition.edition))
        data_s = time.perf_counter() - start
    lines.append(f"data: {data_s:7.1f} s   {data_mem}   " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    with PeakMemory() as prep_mem:  # in a child process, as the build does: this process stays small
        start = time.perf_counter()
        clock = in_child(preparation_alone, edition)
        prep_s = time.perf_counter() - start
    lines.append(
        f"validation + indicators: {prep_s:7.1f} s   {prep_mem}   "
        f"(read and split {clock['split']:.1f} s, validation {clock['validation']:.1f} s, indicators {clock['indicators']:.1f} s)"
    )
    results = {}
    for executor in ("local", "dask"):
        with PeakMemory() as mem:
            wall, stages, notebooks = build(edition, executor, workers, formats, sites)
        results[executor] = (wall, stages, notebooks, mem.peak)
        means = summary(notebooks)
        executed = sum(r.status == "executed" for r in notebooks)
        lines.append(
            f"{executor:>5}: build {wall:7.1f} s (preparation {stages.get('preparation', 0):.1f} s, cluster start "
            f"{stages.get('executor_start', 0):.1f} s, execution + rendering {stages.get('execution_and_rendering', 0):.1f} s) "
            f"for {executed} notebooks in {'+'.join(formats)}; {mem}"
        )
        lines.append(
            f"       per notebook (mean, one worker's view): execute {means.get('execute', 0):.2f} s = cells "
            f"{means.get('cells', 0):.2f} s + fixed {means.get('overhead', 0):.2f} s; render {means.get('render', 0):.2f} s"
        )
    local, dask = results["local"][1]["execution_and_rendering"], results["dask"][1]["execution_and_rendering"]
    lines.append(f"dask / local (execution + rendering): {dask / local:.2f}")
    cold, warm = empty_round_trip(home, warm=False), empty_round_trip(home, warm=True)
    fixed = summary(results["local"][2]).get("overhead", 0)
    lines.append(
        f"empty notebook round trip: cold kernel {cold:.2f} s, kernel started ahead {warm:.2f} s; "
        f"a fiche's fixed cost (execute − cells) {fixed:.2f} s"
    )
    total = data_s + results["local"][0]  # the local build prepares the indicators itself
    lines.append(f"national edition end to end (data + local build, its preparation included): {total / 60:.1f} min")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
