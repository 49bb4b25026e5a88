"""Cohort benchmark: simulation with and without curves, and reading the shipped cohort.

Targets: 100,000 patients with node features (no curves) in at most 5 s; 10,000 nodes with
curves in at most 10 s; ``read_cohort`` of the shipped cohort in at most 1 s.  The reader
is measured beside ``pandas.read_csv`` of the same four files (no validation), so the ratio
shows what validation costs.

Each measurement is the median of repeats, in wall-clock and in CPU time of this process.
The targets are judged on CPU time, because the machine is shared: other processes stretch
wall time unevenly (both are printed).
"""

from __future__ import annotations

import statistics
import time

import pandas as pd

from ceuslib.cohort import read_cohort, simulate_cohort
from ceuslib.cohort.dictionary import FILES
from ceuslib.datasets import SYNTHETIC_DIR


def measure(function, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeats`` calls, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = function()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(wall), statistics.median(cpu), result


def verdict(cpu: float, limit: float) -> str:
    return f"target <= {limit:g} s: {'met' if cpu <= limit else 'MISSED'}"


def main() -> int:
    ok = True
    wall, cpu, cohort = measure(lambda: simulate_cohort(100_000, seed=1, curves=False), 3)
    ok &= cpu <= 5.0
    print(
        f"simulate 100,000 patients ({len(cohort.nodes):,} nodes, no curves): "
        f"median CPU {cpu:.2f} s, wall {wall:.2f} s ({verdict(cpu, 5.0)})"
    )

    wall, cpu, cohort = measure(lambda: simulate_cohort(6_700, seed=1), 3)
    n_nodes, n_curves = len(cohort.nodes), cohort.tics["node_id"].nunique()
    ok &= cpu <= 10.0 and n_nodes >= 10_000
    print(
        f"simulate {n_nodes:,} nodes with {n_curves:,} curves ({len(cohort.tics):,} frames): "
        f"median CPU {cpu:.2f} s, wall {wall:.2f} s ({verdict(cpu, 10.0)})"
    )

    wall, cpu, _ = measure(lambda: read_cohort(SYNTHETIC_DIR), 7)
    present = [f for f in FILES if (SYNTHETIC_DIR / f).exists()]  # optional files may be absent
    _, plain_cpu, _ = measure(lambda: [pd.read_csv(SYNTHETIC_DIR / f) for f in present], 7)
    ok &= cpu <= 1.0
    print(
        f"read_cohort(shipped cohort): median CPU {cpu:.3f} s, wall {wall:.3f} s; "
        f"pandas.read_csv of the same files without validation: CPU {plain_cpu:.3f} s "
        f"(ratio {cpu / plain_cpu:.1f}) ({verdict(cpu, 1.0)})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
