"""Benchmark (not a test): the 12 demo monographs built to HTML the naive way — papermill CLI then
``jupyter nbconvert --to html --no-input``, site after site, each notebook reading the full tables —
against ``cohorte build --force`` (validation and indicators once, parallel kernels, built-in
rendering), in one run so that the machine's noise hits both; then a no-op rebuild.

    .venv/bin/python benchmarks/bench_build.py [--sites N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def naive(home: Path, slugs: list[str], env: dict) -> float:
    out = home / "naive"
    out.mkdir()
    seconds = 0.0
    for slug in slugs:
        nb = out / f"{slug}.ipynb"
        seconds += run(
            [
                str(BIN / "papermill"),
                str(REPO / "notebooks" / "monograph.ipynb"),
                str(nb),
                "-p",
                "site",
                slug,
                "-p",
                "output_dir",
                str(out / slug),
            ],
            env,
        )
        seconds += run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)], env)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=12, help="how many sites of the 2020 edition (default 12)")
    count = parser.parse_args().sites
    home = Path(tempfile.mkdtemp(prefix="cohorte-bench-"))
    shutil.copytree(REPO / "params", home / "params")
    env = {**os.environ, "COHORTE_HOME": str(home)}
    cohorte = str(BIN / "cohorte")
    run([cohorte, "demo-data", "2020"], env)
    from cohorte.editions import load_edition

    slugs = load_edition(2020).slugs[:count]
    sites = ",".join(slugs)
    try:
        naive_s = naive(home, slugs, env)
        kit_s = run([cohorte, "build", "2020", "--force", "--formats", "html", "--sites", sites], env)
        noop_s = run([cohorte, "build", "2020", "--formats", "html", "--sites", sites], env)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores; {len(slugs)} monographs to HTML")
    print(f"naive loop (papermill CLI + nbconvert, site after site): {naive_s:7.1f} s")
    print(f"cohorte build --force (incl. validation, indicators, synthesis, site): {kit_s:7.1f} s")
    print(f"speed-up (naive / kit):                                  {naive_s / kit_s:7.2f}x")
    print(f"no-op rebuild (nothing changed):                         {noop_s:7.2f} s")


if __name__ == "__main__":
    main()
