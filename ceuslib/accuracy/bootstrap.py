"""Bootstrap interval of the AUC of independent units (stratified by class).

A resample is a vector of counts, how many times each unit was drawn, and the AUC of every
resample of a block comes from one sort of the data and the counts at every threshold
(:func:`ceuslib.accuracy._counts.threshold_counts`), without rebuilding the data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy._counts import threshold_counts, tie_groups, weighted_auc
from ceuslib.accuracy.resample import (
    BLOCK_CELLS,
    N_RESAMPLES_INTERVAL,
    BootstrapInterval,
    cluster_counts,
    percentile_interval,
)
from ceuslib.accuracy.roc import prepare


def bootstrap_auc(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    n_resamples: int = N_RESAMPLES_INTERVAL,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
    return_replicates: bool = False,
) -> BootstrapInterval | tuple[BootstrapInterval, np.ndarray]:
    """Stratified bootstrap percentile interval of the AUC.

    Parameters
    ----------
    y_true, score : array_like
        Truth (1 = positive) and scores of independent units.
    n_resamples : int
        Number of bootstrap resamples.
    level : float
        Confidence level.
    seed : int or numpy.random.Generator
        Source of randomness; the same seed gives the same interval.
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means positive.
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`.
    return_replicates : bool
        Also return the array of bootstrap AUCs.

    Returns
    -------
    BootstrapInterval
        ``estimate`` (the AUC of the data), percentile ``ci_low``/``ci_high`` and the
        bootstrap standard error; with ``return_replicates``, also the replicates.

    Notes
    -----
    Positives and negatives are resampled separately, keeping their numbers fixed (the
    stratified bootstrap of pROC's ``ci.auc(method = "bootstrap")``; Carpenter and Bithell,
    Stat Med 2000;19:1141-1164): each resample draws m of the m positives and n of the n
    negatives with replacement (uniform integer draws, positives first, as in
    :mod:`ceuslib.accuracy.resample`). A resample costs O(N) after one sort.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1, 1, 1]
    >>> x = [0.1, 0.3, 0.2, 0.6, 0.5, 0.7, 0.8, 0.9]
    >>> result = bootstrap_auc(y, x, n_resamples=500, seed=1)
    >>> result.estimate
    0.9375
    >>> bool(result.ci_low < result.estimate <= result.ci_high <= 1.0)
    True
    """
    check.level(level)
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label, nan_policy=nan_policy
    )
    y, (x,) = data.y, data.scores
    m, n = check.both_classes(y, what="the AUC")
    n_resamples = check.n_resamples(n_resamples, minimum=2)
    rng = check.generator(seed)
    groups = tie_groups(y, x)
    estimate = float(weighted_auc(threshold_counts(groups))[0])
    # Unit i of the positives (negatives) is column i (m + i) of the stratified counts.
    rows = np.empty(y.size, dtype=np.int64)
    rows[y] = np.arange(m)
    rows[~y] = m + np.arange(n)
    highs = np.repeat([m, n], [m, n])
    block = max(1, BLOCK_CELLS // (m + n))
    parts = []
    for start in range(0, n_resamples, block):
        size = min(block, n_resamples - start)
        # Each resample draws m of the positives, then n of the negatives (row r of a block
        # is resample start + r whatever the block size).
        draws = rng.integers(0, highs, size=(size, m + n))
        draws[:, m:] += m
        weights = cluster_counts(draws, m + n).astype(float)  # exact integers
        counts = threshold_counts(groups, weights, rows=rows)
        parts.append(weighted_auc(counts))
    replicates = np.concatenate(parts)
    result = percentile_interval(
        estimate, replicates, level, "stratified bootstrap", n_omitted=data.n_omitted
    )
    return (result, replicates) if return_replicates else result
