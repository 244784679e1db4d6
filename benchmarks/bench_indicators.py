"""Benchmark (not a test): time to compute every indicator for the demo edition, then for the same
data replicated ten times (ids suffixed per copy, sites kept), and the ratio of the two.

    .venv/bin/python benchmarks/bench_indicators.py [EDITION] [--seed N] [--copies 10]
"""

from __future__ import annotations

import argparse
import time
import types

import pandas as pd

from cohorte.editions import Edition, load_edition
from cohorte.indicators import compute_indicators, disclosure
from cohorte.inputs import demo

ID_COLUMNS = {
    "demands": "demand_id",
    "attributions": "demand_id",
    "housing_stock": "dwelling_id",
    "cal_presentations": "demand_id",
}


def demo_inputs(edition: Edition, seed: int) -> types.SimpleNamespace:
    """The demo tables as ``load_inputs`` hands them over: SIRENs mapped to site slugs, text columns
    as Python objects (cohorte.inputs.readers._finalise)."""
    tables = demo.generate(edition, seed)
    by_siren = {s.siren: s.slug for s in edition.sites if s.siren}
    for name, frame in tables.items():
        if "epci" in frame:
            frame = frame.assign(epci=frame["epci"].map(lambda v: by_siren.get(v, v)))
        text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]) and frame[c].dtype != object]
        tables[name] = frame.astype(dict.fromkeys(text, object))
    return types.SimpleNamespace(**{name: tables.get(name) for name in (*ID_COLUMNS, "q1_thresholds")})


def replicate(inputs: types.SimpleNamespace, copies: int) -> types.SimpleNamespace:
    """``copies`` copies of every row table, ids suffixed ``-k`` so that copies stay distinct."""
    out = {}
    for name, column in ID_COLUMNS.items():
        frame = getattr(inputs, name)
        parts = [frame.assign(**{column: frame[column] + f"-{k}"}) for k in range(copies)]
        out[name] = pd.concat(parts, ignore_index=True)
    return types.SimpleNamespace(**out, q1_thresholds=inputs.q1_thresholds)


def rows(inputs: types.SimpleNamespace) -> int:
    return sum(len(getattr(inputs, name)) for name in ID_COLUMNS)


def timed(inputs: types.SimpleNamespace, edition: Edition) -> tuple[float, float, int]:
    start = time.perf_counter()
    table = compute_indicators(inputs, edition)
    computed = time.perf_counter() - start
    start = time.perf_counter()
    disclosure.publish(table, edition.disclosure_threshold)
    return computed, time.perf_counter() - start, len(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", nargs="?", default="2020")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()

    edition = load_edition(args.edition)
    start = time.perf_counter()
    base = demo_inputs(edition, args.seed)
    print(
        f"demo data generated in {time.perf_counter() - start:.1f} s ({len(edition.sites)} sites, {rows(base):,} rows)"
    )
    compute_indicators(base, edition)  # warm-up: imports, the grid file, pandas caches

    results = []
    for label, data in (("demo edition", base), (f"× {args.copies}", replicate(base, args.copies))):
        seconds, publish_s, out_rows = timed(data, edition)
        n = rows(data)
        results.append(seconds)
        print(
            f"{label:<14} {n:>11,} input rows  indicators {seconds:6.2f} s  ({n / seconds:>12,.0f} rows/s)  "
            f"publish {publish_s:5.2f} s  → {out_rows} table rows"
        )
    print(f"ratio ×{args.copies} / ×1: {results[1] / results[0]:.1f} (linear would be {args.copies})")


if __name__ == "__main__":
    main()
