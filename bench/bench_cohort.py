"""Cohort benchmark: simulation with and without curves, and reading the shipped cohort.

Targets: 100,000 patients with node features (no curves) in at most 5 s; 10,000 nodes with
curves in at most 10 s; ``read_cohort`` of the shipped cohort in at most 1 s.  The reader
is measured beside ``pandas.read_csv`` of the same four files (no validation), so the ratio
shows what validation costs.
"""

from __future__ import annotations

import statistics
import time

import pandas as pd

from ceuslib.cohort import read_cohort, simulate_cohort
from ceuslib.cohort.dictionary import FILES
from ceuslib.datasets import SYNTHETIC_DIR


def median_time(function, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    ok = True
    seconds, cohort = median_time(lambda: simulate_cohort(100_000, seed=1, curves=False), 3)
    met = seconds <= 5.0
    ok &= met
    print(
        f"simulate 100,000 patients ({len(cohort.nodes):,} nodes, no curves): "
        f"median {seconds:.2f} s (target <= 5 s: {'met' if met else 'MISSED'})"
    )

    seconds, cohort = median_time(lambda: simulate_cohort(6_700, seed=1), 3)
    n_nodes, n_curves = len(cohort.nodes), cohort.tics["node_id"].nunique()
    met = seconds <= 10.0 and n_nodes >= 10_000
    ok &= met
    print(
        f"simulate {n_nodes:,} nodes with {n_curves:,} curves ({len(cohort.tics):,} frames): "
        f"median {seconds:.2f} s (target <= 10 s: {'met' if met else 'MISSED'})"
    )

    seconds, _ = median_time(lambda: read_cohort(SYNTHETIC_DIR), 5)
    plain, _ = median_time(lambda: [pd.read_csv(SYNTHETIC_DIR / f) for f in FILES], 5)
    met = seconds <= 1.0
    ok &= met
    print(
        f"read_cohort(shipped cohort): median {seconds:.3f} s; pandas.read_csv of the same "
        f"files without validation {plain:.3f} s (ratio {seconds / plain:.1f}) "
        f"(target <= 1 s: {'met' if met else 'MISSED'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
