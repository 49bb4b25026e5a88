"""Patient-level bootstrap of a chosen cut-point and of the accuracy at it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy._counts import threshold_counts, tie_groups
from ceuslib.accuracy.metrics import rates
from ceuslib.accuracy.resample import (
    N_RESAMPLES_INTERVAL,
    cluster_counts,
    clusters_of,
    draw_clusters,
    percentile_bounds,
)
from ceuslib.accuracy.roc import prepare
from ceuslib.decision.cutpoint import CutpointResult, choose_cutpoint
from ceuslib.decision.rules import select

METRICS = ("sensitivity", "specificity", "ppv", "npv", "youden")


def _metrics(tp, fp, positives, negatives) -> dict[str, np.ndarray]:
    tp = np.asarray(tp, dtype=float)
    fp = np.asarray(fp, dtype=float)
    return rates(tp=tp, fp=fp, fn=positives - tp, tn=negatives - fp)


@dataclass(frozen=True)
class CutpointBootstrap:
    """Bootstrap of a cut-point rule, resampling patients.

    Attributes
    ----------
    estimate : CutpointResult
        The cut-point chosen on the data.
    n_resamples : int
        Number of resamples of patients.
    n_clusters : int
        Number of patients (clusters) resampled.
    level : float
        Level of the percentile intervals.
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
    cutpoints : numpy.ndarray
        The cut-point chosen in each resample (NaN where the rule found none, or the
        resample held only one outcome class).
    n_omitted : int
        Rows left out for a missing value (``nan_policy="omit"``).
    """

    estimate: CutpointResult
    n_resamples: int
    n_clusters: int
    level: float
    n_failed: int
    cutpoint_ci: tuple[float, float]
    performance: pd.DataFrame = field(repr=False)
    cutpoints: np.ndarray = field(repr=False)
    n_omitted: int = 0

    @property
    def n_boot(self) -> int:
        """Deprecated name of ``n_resamples``."""
        check.deprecated("CutpointBootstrap.n_boot is deprecated: use n_resamples")
        return self.n_resamples

    def to_frame(self) -> pd.DataFrame:
        """The performance table.

        Returns
        -------
        pandas.DataFrame
            A copy of ``performance``.
        """
        return self.performance.copy()


@check.renamed(n_boot="n_resamples", ci_method="method")
def bootstrap_cutpoint(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    cluster: ArrayLike | None = None,
    rule: str = "youden",
    target: float | None = None,
    direction: str = "higher",
    n_resamples: int = N_RESAMPLES_INTERVAL,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    method: str = "wilson",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> CutpointBootstrap:
    """Bootstrap a cut-point rule by resampling patients, with optimism correction.

    Parameters
    ----------
    y_true, score : array-like
        Outcome (0/1) and score per row, as in :func:`choose_cutpoint`.
    cluster : array-like, optional
        The patient of each row.  Rows of one patient are resampled together; ``None``
        when every row is a patient.
    rule : str
        The rule, as in :func:`choose_cutpoint`.
    target : float, optional
        The required value of the constrained rules, as in :func:`choose_cutpoint`.
    direction : str
        One of ``"higher"``, ``"lower"``; as in :func:`choose_cutpoint`.
    n_resamples : int
        Number of resamples (formerly ``n_boot``); 2000 by default, as every percentile
        interval of the library.
    seed : int or numpy.random.Generator
        Source of randomness.
    level : float
        Confidence level of both the ``_lcb`` rules and the bootstrap intervals.
    method : str
        Interval method of the ``_lcb`` rules, as in :func:`choose_cutpoint`.
    pos_label : object, optional
        The label of ``y_true`` that means positive, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``; with ``"omit"`` a row missing its truth, score or
        cluster is left out before resampling (``n_omitted``).

    Returns
    -------
    CutpointBootstrap
        The cut-point of the data, the distribution of the resampled cut-points and the
        optimism-corrected accuracy at the chosen cut-point.

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
    >>> b = bootstrap_cutpoint(y, s, n_resamples=200, seed=1)
    >>> b.estimate.cutpoint
    4.0
    >>> b.cutpoint_ci[0] <= 4.0 <= b.cutpoint_ci[1]
    True
    >>> bool(b.performance.loc["youden", "optimism"] >= 0)
    True
    """
    level = check.level(level)
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label,
        nan_policy=nan_policy, cluster=None if cluster is None else np.asarray(cluster, object),
    )  # fmt: skip
    y, (oriented,), direction = data.y, data.scores, data.directions[0]
    sign = 1.0 if direction == "higher" else -1.0
    estimate = choose_cutpoint(
        y, sign * oriented, rule=rule, target=target, direction=direction, level=level,
        method=method,
    )  # fmt: skip
    codes, k = clusters_of(data.cluster, y.size)
    n_resamples = check.n_resamples(n_resamples)
    (draws,) = draw_clusters(k, n_resamples, check.generator(seed))
    groups = tie_groups(y, oriented)
    counts = threshold_counts(groups, cluster_counts(draws, k), rows=codes)
    chosen, _ = select(counts, rule, estimate.target, method=method, level=level)
    ok = chosen >= 0
    index = np.where(ok, chosen, 0)
    rows = np.arange(n_resamples)
    apparent = _metrics(
        counts.tp[rows, index], counts.fp[rows, index], counts.positives, counts.negatives
    )
    original = threshold_counts(groups)
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
        low, high = (v[0] for v in percentile_bounds(a[:, None], level))
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
        estimate=replace(estimate, n_omitted=data.n_omitted),
        n_omitted=data.n_omitted,
        n_resamples=n_resamples,
        n_clusters=k,
        level=level,
        n_failed=int((~ok).sum()),
        cutpoint_ci=ci,
        performance=pd.DataFrame.from_dict(table, orient="index"),
        cutpoints=cutpoints,
    )
