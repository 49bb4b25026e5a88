"""Two tests read on the same units nested in patients: clustered McNemar and DeLong tests.

McNemar's test and DeLong's paired test assume independent units. With several nodes per
patient (or both neck sides), the units of one patient are correlated and those tests are
anticonservative. The tests here keep the unit of analysis and estimate the variance from
the patients (clusters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy.clustered import _cluster_column, cluster_components, obuchowski_covariance
from ceuslib.accuracy.roc import AucComparison, _compare, _directions, prepare

CLUSTERED_MCNEMAR_METHODS = ("obuchowski", "durkalski")


@dataclass(frozen=True)
class ClusteredMcNemar:
    """Comparison of the proportions of positive calls of two tests on clustered units.

    Attributes
    ----------
    p_a, p_b : float
        Proportions of units called positive by each test (sensitivities when the units
        are the diseased ones).
    diff : float
        ``p_a - p_b``.
    statistic : float
        Referred to chi-square with one degree of freedom.
    p_value : float
        Its p-value.
    se : float
        Ratio-estimator standard error of ``diff`` (``method="obuchowski"``; NaN for
        ``"durkalski"``).
    ci_low, ci_high : float
        Wald interval of ``diff`` at ``level`` (NaN for ``"durkalski"``).
    level : float
        Confidence level of the interval.
    b, c : int
        Discordant units: positive on A only, on B only.
    n_units, n_clusters : int
        Numbers of units and of clusters (patients).
    method : str
        ``"obuchowski"`` or ``"durkalski"``.
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    p_a: float
    p_b: float
    diff: float
    statistic: float
    p_value: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    b: int
    c: int
    n_units: int
    n_clusters: int
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


def _chi_square(numerator: float, denominator: float) -> tuple[float, float]:
    """numerator / denominator against chi-square(1); 0 (p = 1) when both are 0."""
    if denominator > 0:
        statistic = numerator / denominator
    else:  # no variation in the differences
        statistic = 0.0 if numerator == 0 else np.inf
    return float(statistic), float(stats.chi2.sf(statistic, 1))


def clustered_mcnemar(
    test_a: ArrayLike,
    test_b: ArrayLike,
    cluster: ArrayLike,
    *,
    method: str = "obuchowski",
    level: float = 0.95,
    pos_label: object = None,
    nan_policy: str = "raise",
) -> ClusteredMcNemar:
    """Compare two binary tests read on the same units nested in clusters.

    This is McNemar's question for clustered data.

    Parameters
    ----------
    test_a, test_b : array_like
        The two tests' calls on the same units: True/False or 0/1 (1 = positive), or
        labels with ``pos_label``. Pass the diseased units to compare sensitivities, the
        non-diseased ones to compare specificities (the proportions of positive calls are
        then the false-positive rates; the difference of specificities is ``-diff``).
    cluster : array_like
        The cluster (patient) of each unit.
    method : str
        One of ``"obuchowski"``, ``"durkalski"``.
        ``"obuchowski"`` (default): the difference of the two ratio estimators divided by
        its clustered variance (Obuchowski 1998). ``"durkalski"``: Durkalski et al. (2003),
        which weights every cluster equally.
    level : float
        Confidence level of the interval of the difference (Obuchowski's method).
    pos_label : object, optional
        The label of the calls that means positive, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``; with ``"omit"`` a unit missing either call or its
        cluster is left out (``n_omitted``).

    Returns
    -------
    ClusteredMcNemar
        The two proportions, their difference, the test and (Obuchowski's method) the
        interval of the difference.

    Notes
    -----
    With K clusters, cluster k holding n_k units of which x_k are positive on test A, y_k
    on test B, b_k on A only and c_k on B only, and N = sum n_k:

    - Obuchowski NA. On the comparison of correlated proportions for clustered data. Stat
      Med 1998;17:1495-1507: p_A = sum x_k / N, p_B = sum y_k / N,
      var(p_A) = K / ((K - 1) N²) · sum (x_k - n_k p_A)², cov(p_A, p_B) likewise with the
      cross-products, and X² = (p_A - p_B)² / (var(p_A) + var(p_B) - 2 cov(p_A, p_B)).
    - Durkalski VL, Palesch YY, Lipsitz SR, Rust PF. Analysis of clustered matched-pair
      data. Stat Med 2003;22:2417-2428:
      X² = (sum_k (b_k - c_k)/n_k)² / sum_k ((b_k - c_k)/n_k)². With one unit per cluster
      it is McNemar's statistic (b - c)² / (b + c), without continuity correction.

    Both are referred to chi-square with 1 degree of freedom. With no discordant unit the
    statistic is 0 and p = 1.

    Examples
    --------
    Two readings of the ten diseased nodes of five patients:

    >>> a = [1, 1, 1, 0, 1, 1, 0, 1, 1, 0]
    >>> b = [1, 0, 0, 0, 1, 1, 1, 0, 1, 0]
    >>> patient = ["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4", "p5", "p5"]
    >>> result = clustered_mcnemar(a, b, patient)
    >>> print(f"{result.diff:.3f} {result.statistic:.3f} {result.p_value:.4f}")
    0.200 2.667 0.1025
    >>> result.b, result.c, result.n_clusters
    (3, 1, 5)
    >>> print(f"{clustered_mcnemar(a, b, patient, method='durkalski').statistic:.3f}")
    2.000
    """
    if method not in CLUSTERED_MCNEMAR_METHODS:
        raise ValueError(f"method must be one of {CLUSTERED_MCNEMAR_METHODS}, got {method!r}")
    z = check.z_value(level)
    columns, omitted = check.rows(
        {"test_a": test_a, "test_b": test_b, "cluster": _cluster_column(cluster)},
        nan_policy=nan_policy,
    )
    a = check.calls(columns["test_a"], pos_label=pos_label, name="test_a")
    b = check.calls(columns["test_b"], pos_label=pos_label, name="test_b")
    codes, uniques = check.cluster_codes(columns["cluster"])
    k = int(uniques.size)
    if k < 2:
        raise ValueError(f"a clustered McNemar test needs at least two clusters, got {k}")
    n_k = np.bincount(codes, minlength=k).astype(float)
    x_k = np.bincount(codes, weights=a, minlength=k)
    y_k = np.bincount(codes, weights=b, minlength=k)
    b_k = np.bincount(codes, weights=a & ~b, minlength=k)
    c_k = np.bincount(codes, weights=~a & b, minlength=k)
    total = float(n_k.sum())
    p_a, p_b = float(x_k.sum() / total), float(y_k.sum() / total)
    diff = p_a - p_b
    se = low = high = np.nan
    if method == "obuchowski":
        dev_a, dev_b = x_k - n_k * p_a, y_k - n_k * p_b
        factor = k / ((k - 1) * total**2)
        variance = factor * (
            np.sum(dev_a * dev_a) + np.sum(dev_b * dev_b) - 2 * np.sum(dev_a * dev_b)
        )
        statistic, p_value = _chi_square(diff**2, variance)
        se = float(np.sqrt(max(variance, 0.0)))
        low, high = max(-1.0, diff - z * se), min(1.0, diff + z * se)
    else:
        d = (b_k - c_k) / n_k
        statistic, p_value = _chi_square(float(np.sum(d) ** 2), float(np.sum(d * d)))
    return ClusteredMcNemar(
        p_a=p_a, p_b=p_b, diff=diff, statistic=statistic, p_value=p_value, se=float(se),
        ci_low=float(low), ci_high=float(high), level=float(level), b=int(b_k.sum()),
        c=int(c_k.sum()), n_units=int(total), n_clusters=k, method=method, n_omitted=omitted,
    )  # fmt: skip


@dataclass(frozen=True)
class ClusteredAucComparison(AucComparison):
    """Difference of two AUCs on clustered units, with Obuchowski's (1997) variance.

    Attributes
    ----------
    n_clusters : int
        Number of clusters (patients); the other fields are those of
        :class:`~ceuslib.accuracy.AucComparison`.
    method : str
        ``"obuchowski"``.
    """

    n_clusters: int = 0
    method: str = "obuchowski"


def clustered_delong_test(
    y_true: ArrayLike,
    score_a: ArrayLike,
    score_b: ArrayLike,
    cluster: ArrayLike,
    *,
    level: float = 0.95,
    direction: str | tuple[str, str] = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> ClusteredAucComparison:
    """Compare two AUCs measured on the same units nested in clusters (nodes in patients).

    Parameters
    ----------
    y_true : array_like
        Truth of each unit (node).
    score_a, score_b : array of float
        The two scores of each unit.
    cluster : array_like
        Cluster (patient) of each unit; at least two clusters with a positive unit and two
        with a negative one.
    level : float
        Confidence level of the interval of ``auc_a - auc_b``.
    direction : str or (str, str)
        Direction of each score (one value for both, or a pair).
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`; with ``"omit"`` a unit missing its truth, a score or its
        cluster is left out.

    Returns
    -------
    ClusteredAucComparison
        The fields of :func:`delong_test` (``auc_a, auc_b, diff, se, z, p_value, ci_low,
        ci_high``, the correlation of the two AUCs) and ``n_clusters``.

    Notes
    -----
    Obuchowski NA. Nonparametric analysis of clustered ROC curve data. Biometrics
    1997;53:567-578, the two-curve form. With the cluster sums of DeLong's placement values
    of each score, d10_i = V10_i - m_i·AUC and d01_i = V01_i - n_i·AUC (as in
    :func:`clustered_roc_auc`), the covariance of the two AUCs is
    S10_ab/M + S01_ab/N + (S11_ab + S11_ba)/(M N), with
    S10_ab = I10/((I10 - 1) M) · sum_i d10a_i d10b_i, S01_ab likewise over the negatives
    and S11_ab = I/(I - 1) · sum_i d10a_i d01b_i. The difference has variance
    var_a + var_b - 2 cov_ab; z = diff / se against the standard normal, and the interval
    diff ± z·se is clipped to [-1, 1]. With one unit per cluster this is DeLong's paired
    test (:func:`delong_test`).

    Examples
    --------
    >>> y = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1]
    >>> a = [0.1, 0.9, 0.3, 0.8, 0.7, 0.2, 0.4, 0.6, 0.5, 0.95]
    >>> b = [0.2, 0.6, 0.5, 0.4, 0.9, 0.1, 0.3, 0.5, 0.6, 0.7]
    >>> patient = ["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4", "p5", "p5"]
    >>> test = clustered_delong_test(y, a, b, patient)
    >>> print(f"{test.auc_a:.2f} {test.auc_b:.2f} {test.diff:.2f} {test.se:.3f}")
    1.00 0.84 0.16 0.128
    """
    check.level(level)
    data = prepare(
        y_true, {"score_a": score_a, "score_b": score_b}, direction=_directions(direction),
        pos_label=pos_label, nan_policy=nan_policy, cluster=_cluster_column(cluster),
    )  # fmt: skip
    y, (xa, xb) = data.y, data.scores
    codes, uniques = check.cluster_codes(data.cluster)
    ca = cluster_components(y, xa, codes, uniques.size)
    cb = cluster_components(y, xb, codes, uniques.size)
    var_a, var_b = obuchowski_covariance(ca, ca), obuchowski_covariance(cb, cb)
    cov = obuchowski_covariance(ca, cb)
    denom = np.sqrt(var_a * var_b)
    correlation = cov / denom if denom > 0 else np.nan
    base = _compare(
        ca.auc, cb.auc, var_a + var_b - 2.0 * cov, level, paired=True, correlation=correlation,
        n_omitted=data.n_omitted,
    )  # fmt: skip
    return ClusteredAucComparison(**base.__dict__, n_clusters=int(uniques.size))
