"""Benchmark (not a test): what the maps cost — reading the contours, drawing each map, memory.

Prints the time to read each contour vintage, the time per national map (a choropleth of the
355 EPCI of national-2020 among the vintage's 1 255, drawn and saved as the notebooks' PNG), the
target map, a fiche's figure on the national map, the cohort's sites map, and a fiche's locator map
in a fresh process (cold: its contours read there) and again (warm), and the memory a worker gains
by holding the contours. Goal: a fiche's locator map adds ≤ 0.3 s.

    python benchmarks/bench_maps.py [--repeat 3]

The values are random (seeded) for the national edition's EPCI: no build is needed.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]


def _png(fig) -> None:
    from cohorte.report.display import FIGURE_DPI

    fig.savefig(io.BytesIO(), format="png", dpi=FIGURE_DPI, bbox_inches="tight")


def _national_context(seed: int = 1):
    import pandas as pd

    from cohorte.editions import load_edition
    from cohorte.indicators.national import sites_frame
    from cohorte.report.national import NationalContext

    params = load_edition("national-2020")
    rng = np.random.default_rng(seed)
    sites = sites_frame(params)
    rows = []
    for indicator, scale in (("q1_outside_qpv", 25), ("non_q1_in_qpv", 60), ("priority_publics", 30), ("pressure", 4)):
        values = rng.normal(scale, scale / 4, len(sites))
        hidden = rng.random(len(sites)) < 0.05  # a few suppressed figures
        for slug, value, secret in zip(sites["site"], values, hidden, strict=True):
            rows.append(
                {
                    "site": slug,
                    "indicator": indicator,
                    "value": None if secret else float(value),
                    "target": 25.0,
                    "met": None if secret else bool(value >= 25),
                    "suppressed": bool(secret),
                }
            )
    table = pd.DataFrame(rows)
    table["met"] = table["met"].astype("boolean")
    return params, NationalContext(params, sites, table, True)


def _warm_matplotlib() -> None:
    """What a fiche has drawn before its map: one chart (fonts, Agg and the kit's texts loaded)."""
    from cohorte.report.figures.style import finish, new_figure, with_rc
    from cohorte.report.text import texts

    @with_rc
    def chart():
        fig, (ax,) = new_figure(2)
        ax.bar([1, 2], [1, 2])
        return finish(fig, "t", "s")

    _png(chart())
    texts("national-2020").vocabulary  # noqa: B018 — the fiche's wording is loaded before its maps


def locator_once() -> dict[str, float]:
    """In this (fresh) process: a locator map cold, then warm (both drawn and saved)."""
    from cohorte.editions import load_edition
    from cohorte.report import maps

    params = load_edition("national-2020")
    _warm_matplotlib()
    runs = []
    for site in params.sites[::40]:  # one EPCI in 40, overseas included
        start, cpu = time.perf_counter(), time.process_time()
        fig, _, _ = maps.locator(params, site)
        drawn = time.perf_counter()
        _png(fig)
        runs.append((drawn - start, time.perf_counter() - start, time.process_time() - cpu))
    warm = runs[1:]
    return {
        "cold": runs[0][1],
        "cold_draw": runs[0][0],
        "cold_cpu": runs[0][2],
        "warm": statistics.median(r[1] for r in warm),
        "warm_draw": statistics.median(r[0] for r in warm),
        "warm_cpu": statistics.median(r[2] for r in warm),
        "count": len(warm),
    }


def _timed(build, repeat: int) -> str:
    """Median wall and CPU time of drawing and saving a map (CPU time: what the map costs a busy machine)."""
    runs = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        _png(build())
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    return f"{statistics.median(r[0] for r in runs):.3f} s ({statistics.median(r[1] for r in runs):.3f} s CPU)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--locator-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locator_only:
        print(json.dumps(locator_once()))
        return
    from cohorte.reference import contours

    print("reading the contours (once per process)")
    for kind, year in (("epci", 2022), ("epci", 2025), ("departements", 2025), ("regions", 2025)):
        rss = psutil.Process().memory_info().rss
        start = time.perf_counter()
        layer = contours.load_layer(kind, year)
        held = (psutil.Process().memory_info().rss - rss) / 2**20
        print(
            f"  {kind}-{year}: {len(layer.codes)} territories, {time.perf_counter() - start:.3f} s, +{held:.0f} MB RSS"
        )

    from cohorte.report import maps
    from cohorte.report.fiche import FicheContext
    from cohorte.report.text import texts

    params, ctx = _national_context()
    _warm_matplotlib()
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    wording = texts("national-2020")
    print(f"drawing (median of {args.repeat}, PNG at the notebooks' resolution)")
    for indicator in maps.INDICATOR_MAPS:
        print(
            f"  choropleth {indicator}: {_timed(lambda i=indicator: maps.indicator_map(ctx, i, wording)[0], args.repeat)}"
        )
    print(
        f"  target map q1_outside_qpv: {_timed(lambda: maps.targets_map(ctx, 'q1_outside_qpv', wording)[0], args.repeat)}"
    )
    fiche = FicheContext(params, params.site("ca-lorient-agglomeration"), ctx.table, ctx.table, True, wording)
    print(f"  a fiche's figure on the national map: {_timed(lambda: maps.position_map(fiche)[0], args.repeat)}")
    from cohorte.editions import load_edition

    cohort = type("Cohort", (), {"edition": load_edition(2020), "wording": texts(2020)})()
    print(f"  the cohort's sites map (2020): {_timed(lambda: maps.sites_map_figure(cohort)[0], args.repeat)}")
    gc.collect()
    rss_after = psutil.Process().memory_info().rss
    print(f"memory: drawing the maps, figures collected, added {(rss_after - rss_before) / 2**20:.0f} MB RSS")

    out = subprocess.run(
        [sys.executable, __file__, "--locator-only"], check=True, capture_output=True, text=True, cwd=REPO
    )
    times = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        "a fiche's locator map (drawn and saved as PNG), fresh process after one chart: "
        f"cold {times['cold']:.3f} s ({times['cold_cpu']:.3f} s CPU; drawing {times['cold_draw']:.3f} s), "
        f"then median of {times['count']} EPCI {times['warm']:.3f} s ({times['warm_cpu']:.3f} s CPU; "
        f"drawing {times['warm_draw']:.3f} s); goal ≤ 0.3 s"
    )


if __name__ == "__main__":
    main()
