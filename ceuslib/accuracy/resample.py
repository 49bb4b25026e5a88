"""Bootstrap resampling: one way to draw patients, one interval type.

A resample draws patients (clusters) with replacement and keeps all the rows (nodes, neck
sides) of each drawn patient. Instead of copying rows, a resample is a vector of weights:
how many times each row's patient was drawn. Weighted counts on the original rows equal
plain counts on the resampled rows, so many resamples are handled at once as a weight
matrix.

Every bootstrap of the library draws from :func:`draw_clusters`: resample ``b`` draws
``rng.integers(0, k, size=k)`` after the ``b - 1`` before it, with clusters numbered in
sorted order of their labels. The same seed therefore draws the same patients in
:func:`ceuslib.accuracy.cluster_bootstrap_auc`, :func:`ceuslib.accuracy.cluster_bootstrap`,
:func:`ceuslib.decision.bootstrap_cutpoint`, :func:`ceuslib.decision.evaluate_policy`,
:func:`ceuslib.decision.decision_curve` and :func:`ceuslib.decision.fit_risk_model`,
whether the resamples are drawn in blocks or all at once.

Default numbers of resamples, one per kind of use: 2000 for percentile intervals (their
ends are tail quantiles: Carpenter and Bithell, Stat Med 2000;19:1141-1164, and Efron and
Tibshirani 1993, section 13.3, ask for 1000-2000) and 200 for an optimism correction (a
mean, whose Monte Carlo error is small already with 200 resamples: Steyerberg 2019,
chapter 5; Harrell 2015, section 5.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.errors import ResampleWarning, warn

N_RESAMPLES_INTERVAL = 2000
N_RESAMPLES_OPTIMISM = 200

# One block of resamples holds this many (resample, row) weights: about 2 MB per array, so
# that a block's counts stay in cache (measured in bench/bench_accuracy.py: 4,000,000 cells
# per block took twice as long).
BLOCK_CELLS = 250_000


def draw_clusters(
    n_clusters: int, n_resamples: int, rng: np.random.Generator, *, block: int | None = None
) -> Iterator[np.ndarray]:
    """The drawn clusters of each resample, in blocks of at most ``block`` resamples.

    Yields integer arrays of shape ``(b, n_clusters)``: row ``r`` lists the clusters drawn
    (with replacement) in one resample. The blocks concatenate to the array drawn in one
    call, whatever ``block`` is.
    """
    step = n_resamples if block is None else max(1, int(block))
    for start in range(0, n_resamples, step):
        size = min(step, n_resamples - start)
        yield rng.integers(0, n_clusters, size=(size, n_clusters))


def cluster_counts(draws: np.ndarray, n_clusters: int) -> np.ndarray:
    """How many times each cluster was drawn: shape ``(b, n_clusters)``, int64."""
    b = draws.shape[0]
    offsets = (np.arange(b, dtype=np.int64) * n_clusters)[:, None]
    flat = np.bincount((draws + offsets).ravel(), minlength=b * n_clusters)
    return flat.reshape(b, n_clusters)


@check.renamed(n_boot="n_resamples")
def bootstrap_weights(
    cluster: ArrayLike | None,
    n_rows: int,
    *,
    n_resamples: int = N_RESAMPLES_INTERVAL,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Row weights of patient-level (cluster) bootstrap resamples.

    Parameters
    ----------
    cluster : array-like or None
        The patient of each row; ``None`` when each row is its own patient.
    n_rows : int
        Number of rows.
    n_resamples : int
        Number of resamples.
    seed : int, numpy.random.Generator or None
        Source of randomness; the same seed gives the same weights.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(n_resamples, n_rows)``: row ``b`` holds, for every row,
        how many times its patient was drawn in resample ``b``.

    Notes
    -----
    Each resample draws as many patients as there are, with replacement (the cluster
    bootstrap; Davison & Hinkley 1997, section 3.8; Field & Welsh 2007). Resampling nodes
    instead of patients would treat nodes of one patient as independent and give intervals
    that are too narrow. Patients are numbered in sorted order of their labels.

    Examples
    --------
    >>> w = bootstrap_weights(["a", "a", "b"], 3, n_resamples=4, seed=1)
    >>> w.shape
    (4, 3)
    >>> bool((w[:, 0] == w[:, 1]).all())  # the two nodes of patient "a" move together
    True
    >>> [int(v) for v in w[:, [0, 2]].sum(axis=1)]  # two patients drawn each time
    [2, 2, 2, 2]
    """
    n_rows = check.count(n_rows, "n_rows")
    codes, k = clusters_of(cluster, n_rows)
    n_resamples = check.n_resamples(n_resamples)
    draws = next(draw_clusters(k, n_resamples, check.generator(seed)))
    return cluster_counts(draws, k)[:, codes]


def clusters_of(cluster: ArrayLike | None, n_rows: int) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 of the rows' clusters, and k; each row its own cluster when None."""
    if cluster is None:
        return np.arange(n_rows), n_rows
    values = np.asarray(cluster)
    if values.ndim != 1 or values.size != n_rows:
        raise ValueError(f"cluster must be one-dimensional with {n_rows} values, one per row")
    if pd.isna(pd.Series(values, dtype=object)).any():
        raise ValueError("cluster must not contain missing values")
    codes, uniques = check.cluster_codes(values)
    return codes, int(uniques.size)


@dataclass(frozen=True)
class BootstrapInterval:
    """Percentile bootstrap interval of a statistic.

    Attributes
    ----------
    estimate : float
        The statistic of the data.
    ci_low, ci_high : float
        Percentile interval at ``level``.
    se : float
        Standard deviation of the finite replicates (the bootstrap standard error).
    level : float
        Confidence level.
    n_resamples : int
        Number of resamples drawn.
    n_failed : int
        Resamples where the statistic was undefined (left out of the interval).
    method : str
        The bootstrap, e.g. ``"stratified bootstrap"`` or ``"cluster bootstrap"``.
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    level: float
    n_resamples: int
    n_failed: int
    method: str
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One row with every field.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field.
        """
        return pd.DataFrame([self.__dict__])


def percentile_bounds(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed percentile interval of bootstrap values per column, ignoring NaN.

    ``values`` has one row per resample; columns with no finite value get NaN ends.

    Examples
    --------
    >>> low, high = percentile_bounds(np.array([[1.0, np.nan], [3.0, np.nan]]), 0.5)
    >>> float(low[0]), float(high[0]), bool(np.isnan(low[1]))
    (1.5, 2.5, True)
    """
    values = np.asarray(values, dtype=float)
    tail = (1.0 - check.level(level)) / 2.0
    shape = values.shape[1:]
    low = np.full(shape, np.nan)
    high = np.full(shape, np.nan)
    finite = np.isfinite(values)
    ok = finite.any(axis=0)
    if np.all(finite):
        low[...], high[...] = np.quantile(values, [tail, 1.0 - tail], axis=0)
    elif np.any(ok):
        masked = np.where(finite, values, np.nan)[:, ok]
        low[ok], high[ok] = np.nanquantile(masked, [tail, 1.0 - tail], axis=0)
    return low, high


def percentile_interval(
    estimate: float, replicates: np.ndarray, level: float, method: str, *, n_omitted: int = 0
) -> BootstrapInterval:
    """A :class:`BootstrapInterval` from bootstrap replicates of one statistic.

    Replicates that are not finite (the statistic was undefined in that resample) are
    dropped, counted in ``n_failed`` and reported with a :class:`~ceuslib.errors.ResampleWarning`.
    """
    replicates = np.asarray(replicates, dtype=float)
    valid = replicates[np.isfinite(replicates)]
    failed = int(replicates.size - valid.size)
    if valid.size < 2:
        raise ValueError("fewer than two bootstrap resamples gave a defined statistic")
    if failed:
        warn(
            ResampleWarning,
            f"the statistic was undefined in {failed} of {replicates.size} bootstrap "
            "resamples (no positive or no negative unit); they were dropped",
        )
    low, high = percentile_bounds(valid[:, None], level)
    return BootstrapInterval(
        estimate=float(estimate), ci_low=float(low[0]), ci_high=float(high[0]),
        se=float(np.std(valid, ddof=1)), level=float(level), n_resamples=int(replicates.size),
        n_failed=failed, method=method, n_omitted=n_omitted,
    )  # fmt: skip
