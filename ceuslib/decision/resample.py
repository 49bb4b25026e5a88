"""Patient-level (cluster) bootstrap weights.

A resample draws patients with replacement and keeps all the rows (nodes, necks) of each
drawn patient.  Instead of copying rows, a resample is a vector of weights: how many times
each row's patient was drawn.  Weighted counts on the original rows then equal plain counts
on the resampled rows, and many resamples are handled at once as a weight matrix.
"""

from __future__ import annotations

import numpy as np

from ceuslib.decision._checks import clusters, n_resamples


def bootstrap_weights(
    cluster: object, n_rows: int, *, n_boot: int, seed: int | np.random.Generator | None
) -> np.ndarray:
    """Row weights of ``n_boot`` patient-level bootstrap resamples.

    Parameters
    ----------
    cluster : array-like or None
        The patient of each row; ``None`` when each row is its own patient.
    n_rows : int
        Number of rows.
    n_boot : int
        Number of resamples.
    seed : int, numpy.random.Generator or None
        Source of randomness; the same seed gives the same weights.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(n_boot, n_rows)``: row ``b`` holds, for every row, how many
        times its patient was drawn in resample ``b``.

    Notes
    -----
    Each resample draws as many patients as there are, with replacement (the cluster
    bootstrap; Davison & Hinkley 1997, section 3.8; Field & Welsh 2007).  Resampling nodes
    instead of patients would treat nodes of one patient as independent and give intervals
    that are too narrow.

    Examples
    --------
    >>> w = bootstrap_weights(["a", "a", "b"], 3, n_boot=4, seed=1)
    >>> w.shape
    (4, 3)
    >>> bool((w[:, 0] == w[:, 1]).all())  # the two nodes of patient "a" move together
    True
    >>> [int(v) for v in w[:, [0, 2]].sum(axis=1)]  # two patients drawn each time
    [2, 2, 2, 2]
    """
    codes, k = clusters(cluster, n_rows)
    n_boot = n_resamples(n_boot)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, k, size=(n_boot, k))
    offsets = (np.arange(n_boot, dtype=np.int64) * k)[:, None]
    counts = np.bincount((draws + offsets).ravel(), minlength=n_boot * k).reshape(n_boot, k)
    return counts[:, codes]


def percentile_interval(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed percentile interval of bootstrap values per column, ignoring NaN.

    ``values`` has one row per resample; columns with no finite value get NaN ends.

    Examples
    --------
    >>> low, high = percentile_interval(np.array([[1.0, np.nan], [3.0, np.nan]]), 0.5)
    >>> float(low[0]), float(high[0]), bool(np.isnan(low[1]))
    (1.5, 2.5, True)
    """
    values = np.asarray(values, dtype=float)
    alpha = (1.0 - level) / 2.0
    shape = values.shape[1:]
    low = np.full(shape, np.nan)
    high = np.full(shape, np.nan)
    ok = np.isfinite(values).any(axis=0)
    if np.any(ok):
        low[ok], high[ok] = np.nanquantile(values[:, ok], [alpha, 1.0 - alpha], axis=0)
    return low, high
