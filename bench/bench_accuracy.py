"""Speed of ceuslib.accuracy, measured side by side with its comparators in one run.

Targets (medians of repeats; the machine is shared, so ratios are the stable measure, and
each ratio is taken round by round with the two timings alternated):

1. AUC with DeLong's standard error on 1,000,000 scores: at most 4 times one ``numpy.sort``
   of the same scores.
2. Paired DeLong test on 100,000 scores: at most 0.05 s.
3. Cluster bootstrap of the AUC, 2,000 resamples of 1,000 nodes in 300 patients: at most 2 s.
4. Against a naive O(n^2) DeLong (every pair counted) at n = 5,000: faster (ratio printed).

If ``Rscript`` with pROC is installed, pROC's time for the first two tasks is printed too
(informative only; skipped without R).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable

import numpy as np

from ceuslib.accuracy import cluster_bootstrap_auc, delong_test, roc_auc

SEED = 20261126


def median_time(function: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def paired_ratio(
    function: Callable[[], object], baseline: Callable[[], object], repeats: int
) -> tuple[float, float, float]:
    """Median times of ``function`` and ``baseline`` run alternately, and the median of the
    per-round ratios (alternating keeps both under the same load on a shared machine)."""
    function()
    baseline()
    times, base_times, ratios = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        baseline()
        base = time.perf_counter() - start
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        base_times.append(base)
        ratios.append(elapsed / base)
    return float(np.median(times)), float(np.median(base_times)), float(np.median(ratios))


def naive_delong(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """DeLong's AUC and standard error by counting every positive-negative pair."""
    pos, neg = x[y], x[~y]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / v10.size + v01.var(ddof=1) / v01.size)
    return float(psi.mean()), float(se)


def scores(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = rng.random(n) < 0.4
    return y, rng.normal(size=n) + y


R_SCRIPT = r"""
suppressMessages(library(pROC))
set.seed(1)
med <- function(f, k) median(sapply(seq_len(k), function(i) system.time(f())[["elapsed"]]))
n <- 1e6; y <- rbinom(n, 1, 0.4); x <- rnorm(n) + y
t1 <- med(function() { r <- roc(y, x, levels = c(0, 1), direction = "<", quiet = TRUE)
                       var(r, method = "delong") }, 3)
n <- 1e5; y <- rbinom(n, 1, 0.4); a <- rnorm(n) + y; b <- a + rnorm(n)
t2 <- med(function() {
  ra <- roc(y, a, levels = c(0, 1), direction = "<", quiet = TRUE)
  rb <- roc(y, b, levels = c(0, 1), direction = "<", quiet = TRUE)
  roc.test(ra, rb, method = "delong", paired = TRUE) }, 3)
t3 <- med(function() sort(x), 5)
cat(sprintf("%.6f %.6f %.6f\n", t1, t2, t3))
"""


def proc_times() -> tuple[float, float, float] | None:
    """pROC's median times (AUC + var on 1e6, paired test on 1e5, R's sort), or None."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    try:
        done = subprocess.run(
            [rscript, "-e", R_SCRIPT], capture_output=True, text=True, timeout=300, check=True
        )
        t1, t2, t3 = (float(v) for v in done.stdout.split()[-3:])
    except (subprocess.SubprocessError, ValueError, OSError):
        return None
    return t1, t2, t3


def main() -> int:
    rng = np.random.default_rng(SEED)
    met = []

    y, x = scores(1_000_000, rng)
    t_auc, t_sort, ratio = paired_ratio(lambda: roc_auc(y, x), lambda: np.sort(x), 11)
    met.append(ratio <= 4.0)
    print(
        f"AUC + DeLong SE, n = 1,000,000: {t_auc * 1e3:.1f} ms; numpy.sort {t_sort * 1e3:.1f} ms;"
        f" median ratio {ratio:.2f} (target <= 4): {'met' if met[-1] else 'MISSED'}"
    )

    y, a = scores(100_000, rng)
    b = a + rng.normal(size=a.size)
    t_paired, _, ratio_small = paired_ratio(lambda: delong_test(y, a, b), lambda: np.sort(a), 11)
    met.append(t_paired <= 0.05)
    print(
        f"paired DeLong test, n = 100,000: {t_paired * 1e3:.1f} ms (target <= 50 ms; "
        f"{ratio_small:.1f} x numpy.sort of one score): "
        f"{'met' if met[-1] else 'MISSED'}"
    )

    patient = rng.integers(0, 300, size=1_000)
    effect = rng.normal(size=300)[patient]
    y_nodes = rng.random(1_000) < 1 / (1 + np.exp(-effect))
    x_nodes = y_nodes + effect + rng.normal(size=1_000)
    t_boot = median_time(
        lambda: cluster_bootstrap_auc(y_nodes, x_nodes, patient, n_resamples=2_000, seed=1), 5
    )
    met.append(t_boot <= 2.0)
    print(
        f"cluster bootstrap, 2,000 resamples of 1,000 nodes in 300 patients: "
        f"{t_boot * 1e3:.1f} ms (target <= 2000 ms): {'met' if met[-1] else 'MISSED'}"
    )

    y, x = scores(5_000, rng)
    t_naive = median_time(lambda: naive_delong(y, x), 3)
    t_fast = median_time(lambda: roc_auc(y, x), 21)
    fast, slow = roc_auc(y, x), naive_delong(y, x)
    agree = abs(fast.auc - slow[0]) < 1e-12 and abs(fast.se - slow[1]) < 1e-12
    met.append(t_naive > t_fast and agree)
    print(
        f"naive O(n^2) DeLong, n = 5,000: {t_naive * 1e3:.1f} ms; ceuslib {t_fast * 1e3:.2f} ms;"
        f" ceuslib {t_naive / t_fast:.0f} x faster, same AUC and SE to 1e-12: "
        f"{'met' if met[-1] else 'MISSED'}"
    )

    times = proc_times()
    if times is None:
        print("pROC timing skipped (Rscript with pROC not available)")
    else:
        t1, t2, t3 = times
        print(
            f"pROC 1.18 (same sizes, R's own data): AUC + DeLong var on 1,000,000: "
            f"{t1 * 1e3:.0f} ms ({t1 / t3:.1f} x R's sort); paired DeLong on 100,000: "
            f"{t2 * 1e3:.0f} ms; ceuslib is {t1 / t_auc:.1f} x and {t2 / t_paired:.1f} x faster"
        )
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
