"""Empirical ROC curve, AUC with DeLong's interval, and DeLong tests comparing two AUCs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy._counts import (
    auc_and_variance,
    subject_placements,
    threshold_counts,
    tie_groups,
)


@dataclass(frozen=True)
class Prepared:
    """Checked data of one call: labels, oriented scores, clusters, rows left out."""

    y: np.ndarray  # bool, True = positive
    scores: tuple[np.ndarray, ...]  # oriented: higher means positive
    directions: tuple[str, ...]
    cluster: np.ndarray | None  # raw cluster labels of the kept rows
    n_omitted: int


def prepare(
    y_true: ArrayLike,
    scores: dict[str, object],
    *,
    direction: str | tuple[str, ...] = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
    cluster: ArrayLike | None = None,
) -> Prepared:
    """Check truth, scores (and clusters) together; orient every score by its direction."""
    if isinstance(direction, str):
        directions = (direction,) * len(scores)
    else:
        directions = tuple(direction)
        if len(directions) != len(scores):
            raise ValueError(
                f"direction must be a string or {len(scores)} strings, got {direction!r}"
            )
    directions = tuple(check.direction(d) for d in directions)
    columns, omitted = check.rows(
        {"y_true": y_true, **scores, "cluster": cluster}, nan_policy=nan_policy
    )
    y = check.labels(columns["y_true"], pos_label=pos_label)
    oriented = tuple(
        check.oriented(columns[name], d, name=name)
        for name, d in zip(scores, directions, strict=True)
    )
    return Prepared(
        y=y, scores=oriented, directions=directions, cluster=columns.get("cluster"),
        n_omitted=omitted,
    )  # fmt: skip


def _normal_ci(estimate: float, se: float, z: float, low: float, high: float):
    return max(low, estimate - z * se), min(high, estimate + z * se)


@dataclass(frozen=True)
class RocCurve:
    """The empirical ROC curve: one point per distinct threshold.

    Attributes
    ----------
    thresholds : numpy.ndarray
        ``thresholds[k]`` calls a unit positive when its score is at least it (direction
        ``"higher"``) or at most it (``"lower"``); the first point is (0, 0) at an
        infinite threshold that calls nothing positive.
    fpr, tpr : numpy.ndarray
        False- and true-positive rates at each threshold.
    direction : str
        ``"higher"`` or ``"lower"``: which end of the score means positive.
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    thresholds: np.ndarray
    fpr: np.ndarray
    tpr: np.ndarray
    direction: str
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The curve as a table.

        Returns
        -------
        pandas.DataFrame
            Columns ``threshold, fpr, tpr, specificity, sensitivity``, one row per point.
        """
        return pd.DataFrame(
            {
                "threshold": self.thresholds,
                "fpr": self.fpr,
                "tpr": self.tpr,
                "specificity": 1.0 - self.fpr,
                "sensitivity": self.tpr,
            }
        )


def roc_curve(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> RocCurve:
    """Empirical ROC curve of a score against binary truth.

    Parameters
    ----------
    y_true : array_like
        Reference standard, 1 = positive (diseased).
    score : array of float
        The test's score, same length.
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means the positive class. Stated by the user, never guessed
        from the data: guessing it makes every AUC at least 0.5 and biases it upwards.
    pos_label : object, optional
        The label of ``y_true`` that means positive, for labels other than 0/1 or
        True/False (strings, categories), as in scikit-learn.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        A missing truth or score is an error, or its row is left out (counted in
        ``n_omitted``).

    Returns
    -------
    RocCurve
        Thresholds from most to least strict, with false- and true-positive rates; the
        straight segments between the points make the area equal to the Mann-Whitney AUC.

    Notes
    -----
    Tied scores produce a diagonal segment (the ties are broken by neither class), as in
    pROC (Robin et al. 2011) and the trapezoidal rule of Hanley and McNeil (1982).

    Examples
    --------
    >>> curve = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> curve.tpr.tolist(), curve.fpr.tolist()
    ([0.0, 0.5, 0.5, 1.0, 1.0], [0.0, 0.0, 0.5, 0.5, 1.0])
    """
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label, nan_policy=nan_policy
    )
    y, (x,) = data.y, data.scores
    check.both_classes(y, what="the ROC curve")
    groups = tie_groups(y, x)
    counts = threshold_counts(groups)
    sign = 1.0 if data.directions[0] == "higher" else -1.0
    return RocCurve(
        thresholds=sign * counts.thresholds,
        fpr=counts.fp[0] / groups.n,
        tpr=counts.tp[0] / groups.m,
        direction=data.directions[0],
        n_omitted=data.n_omitted,
    )


@dataclass(frozen=True)
class RocAuc:
    """AUC with DeLong's standard error and a normal interval clipped to [0, 1].

    Attributes
    ----------
    auc : float
        Area under the empirical ROC curve.
    se : float
        DeLong's standard error.
    ci_low, ci_high : float
        Normal interval at ``level``, clipped to [0, 1].
    level : float
        Confidence level.
    n_positive, n_negative : int
        Numbers of diseased and non-diseased units.
    method : str
        ``"delong"``.
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    auc: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    n_positive: int
    n_negative: int
    method: str = "delong"
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One row with every field.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field.
        """
        return pd.DataFrame([self.__dict__])


def roc_auc(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    level: float = 0.95,
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> RocAuc:
    """Area under the empirical ROC curve with DeLong's variance and interval.

    Parameters
    ----------
    y_true : array_like
        Reference standard, 1 = positive. At least two positives and two negatives.
    score : array of float
        Finite scores, same length.
    level : float
        Confidence level.
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means positive (see :func:`roc_curve`).
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`.

    Returns
    -------
    RocAuc
        ``auc``, ``se`` (DeLong), ``ci_low``, ``ci_high`` = auc ± z·se clipped to [0, 1]
        (as pROC's ``ci.auc(method = "delong")``).

    Notes
    -----
    The AUC is the Mann-Whitney probability P(X > Y) + P(X = Y)/2 for a random positive X
    and negative Y. Its variance is S10/m + S01/n, the sample variances of the placement
    values (DeLong, DeLong and Clarke-Pearson, Biometrics 1988;44:837-845), computed in
    O(N log N) from one sort of the pooled scores (Sun and Xu, IEEE Signal Process Lett
    2014;21:1389-1393).

    Examples
    --------
    Of the four positive-negative pairs, three are ordered correctly. The placement values
    are (1/2, 1) for the positives and (1, 1/2) for the negatives, each with sample variance
    1/8, so the variance is 1/8 / 2 + 1/8 / 2 = 1/8:

    >>> result = roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> result.auc
    0.75
    >>> print(f"{result.se:.4f} {result.se**2:.4f}")
    0.3536 0.1250
    """
    z = check.z_value(level)
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label, nan_policy=nan_policy
    )
    y, (x,) = data.y, data.scores
    m, n = _two_of_each(y)
    auc, s10, s01 = auc_and_variance(tie_groups(y, x))
    se = float(np.sqrt(s10 / m + s01 / n))
    low, high = _normal_ci(auc, se, z, 0.0, 1.0)
    return RocAuc(
        auc=auc, se=se, ci_low=low, ci_high=high, level=float(level), n_positive=m,
        n_negative=n, n_omitted=data.n_omitted,
    )  # fmt: skip


def _two_of_each(y: np.ndarray) -> tuple[int, int]:
    m, n = check.both_classes(y, what="the ROC")
    if m < 2 or n < 2:
        raise ValueError(
            f"DeLong's variance needs at least two positives and two negatives, got {m} and {n}"
        )
    return m, n


@dataclass(frozen=True)
class AucComparison:
    """Difference of two AUCs (a minus b) with its DeLong test and interval.

    Attributes
    ----------
    auc_a, auc_b : float
        The two AUCs.
    diff : float
        ``auc_a - auc_b``.
    se : float
        Standard error of the difference.
    z : float
        The test statistic ``diff / se`` (pROC's "D" for unpaired samples).
    p_value : float
        Two-sided p-value.
    ci_low, ci_high : float
        Interval of the difference at ``level``.
    level : float
        Confidence level.
    paired : bool
        Whether the AUCs were measured on the same units.
    correlation : float
        Correlation of the two AUC estimates (0 when unpaired).
    df : float
        Degrees of freedom of the t reference (infinite: the normal).
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    auc_a: float
    auc_b: float
    diff: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float
    paired: bool
    correlation: float
    df: float = np.inf
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One row with every field.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field.
        """
        return pd.DataFrame([self.__dict__])


def _compare(
    auc_a, auc_b, variance, level, *, paired, correlation, df=np.inf, n_omitted=0
) -> AucComparison:
    z_crit = check.z_value(level)
    if np.isfinite(df):
        z_crit = float(stats.t.ppf(0.5 + level / 2.0, df))
    diff = auc_a - auc_b
    se = float(np.sqrt(max(variance, 0.0)))
    if se > 0:
        z = diff / se
    else:  # identical rankings: no variation in the difference
        z = 0.0 if diff == 0 else float(np.copysign(np.inf, diff))
    reference = stats.norm if not np.isfinite(df) else stats.t(df)
    p_value = float(2.0 * reference.sf(abs(z)))
    low, high = _normal_ci(diff, se, z_crit, -1.0, 1.0)
    return AucComparison(
        auc_a=float(auc_a), auc_b=float(auc_b), diff=float(diff), se=se, z=float(z),
        p_value=p_value, ci_low=low, ci_high=high, level=float(level), paired=paired,
        correlation=float(correlation), df=float(df), n_omitted=n_omitted,
    )  # fmt: skip


def _directions(direction: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(direction, str):
        return direction, direction
    if len(direction) != 2:
        raise ValueError(f"direction must be a string or a pair of strings, got {direction!r}")
    return direction[0], direction[1]


def delong_test(
    y_true: ArrayLike,
    score_a: ArrayLike,
    score_b: ArrayLike,
    *,
    level: float = 0.95,
    direction: str | tuple[str, str] = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> AucComparison:
    """Paired DeLong test of two AUCs measured on the same units.

    The interval of the difference comes with the test.

    Parameters
    ----------
    y_true : array_like
        Reference standard, one value per unit.
    score_a, score_b : array of float
        Two scores of the same units (e.g. CEUS peak enhancement and B-mode short axis).
    level : float
        Confidence level of the interval of ``auc_a - auc_b``.
    direction : str or (str, str)
        Direction of each score (one value for both, or a pair).
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`; with ``"omit"`` a unit missing either score is left out.

    Returns
    -------
    AucComparison
        ``auc_a, auc_b, diff, se, z, p_value, ci_low, ci_high`` and the correlation of the
        two AUC estimates.

    Notes
    -----
    With V10 and V01 the placement values of both scores, S10 and S01 their 2x2 sample
    covariance matrices and S = S10/m + S01/n, the difference has variance
    S_aa + S_bb - 2 S_ab (DeLong, DeLong and Clarke-Pearson 1988); z = diff / se is compared
    with the standard normal, as pROC's ``roc.test(method = "delong", paired = TRUE)``.
    The interval is diff ± z·se, clipped to [-1, 1].

    Examples
    --------
    >>> y = [0, 0, 0, 1, 1, 1]
    >>> test = delong_test(y, [1, 2, 3, 4, 5, 6], [1, 4, 2, 3, 6, 5])
    >>> print(f"{test.auc_a:.3f} {test.auc_b:.3f} {test.diff:.3f}")
    1.000 0.889 0.111
    """
    data = prepare(
        y_true, {"score_a": score_a, "score_b": score_b}, direction=_directions(direction),
        pos_label=pos_label, nan_policy=nan_policy,
    )  # fmt: skip
    y, (xa, xb) = data.y, data.scores
    m, n = _two_of_each(y)
    v10a, v01a = subject_placements(y, xa)
    v10b, v01b = subject_placements(y, xb)
    auc_a, auc_b = float(v10a.mean()), float(v10b.mean())
    s10 = np.cov(v10a, v10b)
    s01 = np.cov(v01a, v01b)
    s = s10 / m + s01 / n
    variance = s[0, 0] + s[1, 1] - 2.0 * s[0, 1]
    denom = np.sqrt(s[0, 0] * s[1, 1])
    correlation = s[0, 1] / denom if denom > 0 else np.nan
    return _compare(
        auc_a, auc_b, variance, level, paired=True, correlation=correlation,
        n_omitted=data.n_omitted,
    )  # fmt: skip


def delong_test_unpaired(
    y_a: ArrayLike,
    score_a: ArrayLike,
    y_b: ArrayLike,
    score_b: ArrayLike,
    *,
    level: float = 0.95,
    direction: str | tuple[str, str] = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> AucComparison:
    """Compare two AUCs from independent samples (different patients).

    Parameters
    ----------
    y_a, score_a : array_like
        Truth and score of the first sample.
    y_b, score_b : array_like
        Truth and score of the second, independent sample.
    level : float
        Confidence level of the interval of ``auc_a - auc_b``.
    direction : str or (str, str)
        Direction of each score.
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`, for both samples.

    Returns
    -------
    AucComparison
        With ``paired=False``, ``correlation=0`` and the degrees of freedom ``df``; the
        statistic (pROC's "D") is in ``z``.

    Notes
    -----
    The AUCs are independent, so var(diff) = S_a + S_b with DeLong's variances. As in
    pROC's ``roc.test(method = "delong", paired = FALSE)`` (Robin et al. 2011),
    D = diff / sqrt(S_a + S_b) is referred to Student's t with Welch-Satterthwaite degrees
    of freedom (S_a + S_b)² / (S_a²/(N_a - 1) + S_b²/(N_b - 1)), N the sample sizes; the
    interval is diff ± t·se with the same quantile.

    Examples
    --------
    >>> test = delong_test_unpaired([0, 0, 1, 1], [1, 2, 3, 4], [0, 0, 1, 1], [1, 3, 2, 4])
    >>> print(f"{test.diff:.2f} {test.se:.4f}")
    0.25 0.3536
    """
    dir_a, dir_b = _directions(direction)
    options = {"level": level, "pos_label": pos_label, "nan_policy": nan_policy}
    a = roc_auc(y_a, score_a, direction=dir_a, **options)
    b = roc_auc(y_b, score_b, direction=dir_b, **options)
    var_a, var_b = a.se**2, b.se**2
    size_a, size_b = a.n_positive + a.n_negative, b.n_positive + b.n_negative
    if var_a + var_b > 0:
        df = (var_a + var_b) ** 2 / (var_a**2 / (size_a - 1) + var_b**2 / (size_b - 1))
    else:
        df = np.inf
    return _compare(
        a.auc, b.auc, var_a + var_b, level, paired=False, correlation=0.0, df=df,
        n_omitted=a.n_omitted + b.n_omitted,
    )  # fmt: skip
