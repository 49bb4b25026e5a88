"""Patient-level bootstrap of a chosen cut-point and of the accuracy at it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceuslib.decision._checks import (
    binary_outcome,
    clusters,
    direction_sign,
    finite_scores,
    probability_level,
)
from ceuslib.decision.counts import candidate_counts
from ceuslib.decision.cutpoint import CutpointResult, choose_cutpoint
from ceuslib.decision.resample import bootstrap_weights, percentile_interval
from ceuslib.decision.rules import select

METRICS = ("sensitivity", "specificity", "ppv", "npv", "youden")


def _metrics(tp, fp, positives, negatives) -> dict[str, np.ndarray]:
    tp = np.asarray(tp, dtype=float)
    fp = np.asarray(fp, dtype=float)
    fn = positives - tp
    tn = negatives - fp
    with np.errstate(invalid="ignore", divide="ignore"):
        se = tp / positives
        sp = tn / negatives
        ppv = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        npv = np.where(tn + fn > 0, tn / (tn + fn), np.nan)
    return {"sensitivity": se, "specificity": sp, "ppv": ppv, "npv": npv, "youden": se + sp - 1}


@dataclass(frozen=True)
class CutpointBootstrap:
    """Bootstrap of a cut-point rule, resampling patients.

    Attributes
    ----------
    estimate : CutpointResult
        The cut-point chosen on the data.
    cutpoints : numpy.ndarray
        The cut-point chosen in each resample (NaN where the rule found none, or the
        resample held only one outcome class).
    n_failed : int
        Resamples without a cut-point; the intervals use the others.
    cutpoint_ci : tuple of float
        Percentile interval of the resampled cut-points (inverted empirical CDF, so the
        ends are observed scores).
    performance : pandas.DataFrame
        Indexed by ``sensitivity, specificity, ppv, npv, youden``; columns ``apparent``
        (on the data, at the chosen cut-point), ``optimism``, ``corrected`` (apparent minus
        optimism) and ``ci_low, ci_high`` (percentile interval of the apparent value over
        the resamples, each at its own cut-point).
    """

    estimate: CutpointResult
    n_boot: int
    n_clusters: int
    level: float
    n_failed: int
    cutpoint_ci: tuple[float, float]
    performance: pd.DataFrame = field(repr=False)
    cutpoints: np.ndarray = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The performance table."""
        return self.performance.copy()


def bootstrap_cutpoint(
    y_true: object,
    score: object,
    *,
    cluster: object = None,
    rule: str = "youden",
    target: float | None = None,
    direction: str = ">=",
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    ci_method: str = "wilson",
) -> CutpointBootstrap:
    """Bootstrap a cut-point rule by resampling patients, with optimism correction.

    Parameters
    ----------
    y_true, score : array-like
        Outcome (0/1) and score per row, as in :func:`choose_cutpoint`.
    cluster : array-like, optional
        The patient of each row.  Rows of one patient are resampled together; ``None``
        when every row is a patient.
    rule, target, direction, ci_method : see :func:`choose_cutpoint`
        ``level`` serves both the ``_lcb`` rules and the bootstrap intervals.
    n_boot : int
        Number of resamples.
    seed : int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    CutpointBootstrap

    Notes
    -----
    Each resample re-runs the whole rule: the cut-point is chosen again on the resample
    (its *apparent* accuracy) and then applied to the original data (its *test*
    accuracy).  The mean of apparent minus test is the optimism of choosing a cut-point on
    the same data that judge it; the corrected accuracy is the apparent one minus the
    optimism (Efron & Tibshirani 1993, section 17.6; Harrell 2015, section 5.3).  Cut-point
    uncertainty is rarely reported; Fluss et al. (2005) and Thiele & Hirschfeld (2021)
    bootstrap it the same way.  Patients, not nodes, are resampled (the decision is per
    patient, and nodes of one patient are correlated).

    Examples
    --------
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1, 0, 1]
    >>> s = [1, 2, 3, 4, 5, 6, 7, 8, 2.5, 9]
    >>> b = bootstrap_cutpoint(y, s, n_boot=200, seed=1)
    >>> b.estimate.cutpoint
    4.0
    >>> b.cutpoint_ci[0] <= 4.0 <= b.cutpoint_ci[1]
    True
    >>> bool(b.performance.loc["youden", "optimism"] >= 0)
    True
    """
    y = binary_outcome(y_true)
    s = finite_scores(score, y.size)
    level = probability_level(level)
    estimate = choose_cutpoint(
        y, s, rule=rule, target=target, direction=direction, level=level, ci_method=ci_method
    )
    sign = direction_sign(direction)
    oriented = sign * s
    _, k = clusters(cluster, y.size)
    weights = bootstrap_weights(cluster, y.size, n_boot=n_boot, seed=seed)
    counts = candidate_counts(y, oriented, weights)
    chosen, _ = select(counts, rule, estimate.target, ci_method=ci_method, level=level)
    ok = chosen >= 0
    index = np.where(ok, chosen, 0)
    rows = np.arange(weights.shape[0])
    apparent = _metrics(
        counts.tp[rows, index], counts.fp[rows, index], counts.positives, counts.negatives
    )
    original = candidate_counts(y, oriented, np.ones((1, y.size), dtype=np.int64))
    test = _metrics(
        original.tp[0, index], original.fp[0, index], original.positives, original.negatives
    )
    cutpoints = np.where(ok, sign * counts.thresholds[index], np.nan)
    alpha = (1.0 - level) / 2.0
    table = {}
    for name in METRICS:
        a = np.where(ok, apparent[name], np.nan)
        t = np.where(ok, test[name], np.nan)
        point = float(
            estimate.sensitivity + estimate.specificity - 1
            if name == "youden"
            else getattr(estimate, name)
        )
        optimism = float(np.nanmean(a - t)) if np.isfinite(a - t).any() else np.nan
        low, high = (v[0] for v in percentile_interval(a[:, None], level))
        table[name] = {
            "apparent": point,
            "optimism": optimism,
            "corrected": point - optimism,
            "ci_low": float(low),
            "ci_high": float(high),
        }
    valid = cutpoints[ok]
    if valid.size:
        ci = tuple(float(v) for v in np.quantile(valid, [alpha, 1 - alpha], method="inverted_cdf"))
    else:
        ci = (np.nan, np.nan)
    return CutpointBootstrap(
        estimate=estimate,
        n_boot=int(weights.shape[0]),
        n_clusters=k,
        level=level,
        n_failed=int((~ok).sum()),
        cutpoint_ci=ci,
        performance=pd.DataFrame.from_dict(table, orient="index"),
        cutpoints=cutpoints,
    )
