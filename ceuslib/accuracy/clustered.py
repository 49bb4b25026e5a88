"""Several nodes per patient: clustered AUC, cluster bootstrap, patient-level aggregation.

Nodes of one patient share the patient's biology, treatment response and imaging
conditions, so they are not independent. Treating them as independent makes intervals too
narrow (Genders et al., Radiology 2012;265:910-916).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy import resample
from ceuslib.accuracy._counts import subject_placements, threshold_counts, tie_groups, weighted_auc
from ceuslib.accuracy.resample import (
    BLOCK_CELLS,
    N_RESAMPLES_INTERVAL,
    cluster_counts,
    draw_clusters,
    percentile_interval,
)
from ceuslib.accuracy.roc import _normal_ci, prepare


@dataclass(frozen=True)
class ClusterComponents:
    """Obuchowski's (1997) cluster sums of one score: the AUC and, per cluster i,
    V10_i - m_i·AUC and V01_i - n_i·AUC."""

    auc: float
    d10: np.ndarray
    d01: np.ndarray
    m: int
    n: int
    i10: int  # clusters with a positive unit
    i01: int  # clusters with a negative unit
    n_clusters: int
    v10: np.ndarray  # DeLong's placement values of the positives
    v01: np.ndarray  # and of the negatives


def cluster_components(y: np.ndarray, x: np.ndarray, codes: np.ndarray, k: int):
    """:class:`ClusterComponents` of the oriented score ``x`` (clusters coded 0..k-1)."""
    m, n = check.both_classes(y, what="the ROC")
    v10, v01 = subject_placements(y, x)
    auc = float(v10.mean())
    m_i = np.bincount(codes[y], minlength=k).astype(float)
    n_i = np.bincount(codes[~y], minlength=k).astype(float)
    i10, i01 = int(np.count_nonzero(m_i)), int(np.count_nonzero(n_i))
    if i10 < 2 or i01 < 2:
        raise ValueError(
            "Obuchowski's variance needs at least two clusters with a positive unit and two "
            f"with a negative unit, got {i10} and {i01}"
        )
    d10 = np.bincount(codes[y], weights=v10, minlength=k) - m_i * auc
    d01 = np.bincount(codes[~y], weights=v01, minlength=k) - n_i * auc
    return ClusterComponents(
        auc=auc, d10=d10, d01=d01, m=m, n=n, i10=i10, i01=i01, n_clusters=k, v10=v10, v01=v01
    )


def obuchowski_covariance(a: ClusterComponents, b: ClusterComponents) -> float:
    """Obuchowski's (1997) covariance of two AUCs on the same units (variance when a is b).

    S10 = I10/((I10 - 1) M) sum_i d10a_i d10b_i, S01 likewise over the negatives,
    S11 = I/(I - 1) sum_i d10a_i d01b_i; cov = S10/M + S01/N + (S11_ab + S11_ba)/(M N).
    """
    m, n, k = a.m, a.n, a.n_clusters
    s10 = a.i10 / ((a.i10 - 1) * m) * np.sum(a.d10 * b.d10)
    s01 = a.i01 / ((a.i01 - 1) * n) * np.sum(a.d01 * b.d01)
    s11_ab = k / (k - 1) * np.sum(a.d10 * b.d01)
    s11_ba = k / (k - 1) * np.sum(b.d10 * a.d01)
    return float(s10 / m + s01 / n + (s11_ab + s11_ba) / (m * n))


@dataclass(frozen=True)
class ClusteredRocAuc:
    """AUC with Obuchowski's clustered variance; ``se_independent`` ignores clustering.

    Attributes
    ----------
    auc : float
        Area under the empirical ROC curve, all units pooled.
    se : float
        Standard error from Obuchowski's (1997) clustered variance.
    ci_low, ci_high : float
        Normal interval at ``level``, clipped to [0, 1].
    level : float
        Confidence level of the interval.
    n_positive, n_negative : int
        Numbers of diseased and non-diseased units.
    n_clusters : int
        Number of clusters (patients).
    se_independent : float
        DeLong's standard error, as if the units were independent.
    method : str
        ``"obuchowski"``.
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
    n_clusters: int
    se_independent: float
    method: str = "obuchowski"
    n_omitted: int = 0

    @property
    def design_effect(self) -> float:
        """Variance ratio clustered / independent (above 1 when nodes of a patient agree).

        Returns
        -------
        float
            ``(se / se_independent)²``; NaN when the independent variance is zero (no
            variation in the placement values).
        """
        if self.se_independent == 0:
            return float("nan")
        return (self.se / self.se_independent) ** 2

    def to_frame(self) -> pd.DataFrame:
        """One row with every field and the design effect.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field and ``design_effect``.
        """
        return pd.DataFrame([{**self.__dict__, "design_effect": self.design_effect}])


def clustered_roc_auc(
    y_true: ArrayLike,
    score: ArrayLike,
    cluster: ArrayLike,
    *,
    level: float = 0.95,
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> ClusteredRocAuc:
    """AUC of units nested in clusters (nodes in patients), Obuchowski (1997).

    Parameters
    ----------
    y_true : array_like
        Truth of each unit (node).
    score : array of float
        Score of each unit.
    cluster : array
        Cluster (patient) identifier of each unit; at least two clusters.
    level : float
        Confidence level.
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means positive.
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`; with ``"omit"`` a unit missing its truth, score or cluster
        is left out.

    Returns
    -------
    ClusteredRocAuc
        The AUC (the same as for independent units: every positive-negative pair, within
        and between patients, counts once), its clustered standard error and interval, and
        DeLong's standard error ``se_independent`` for comparison.

    Notes
    -----
    With clusters i = 1..I holding m_i positives and n_i negatives (M and N in total),
    V10_i and V01_i the sums over the cluster of DeLong's placement values, I10 and I01 the
    numbers of clusters with at least one positive and one negative:

    - S10 = I10 / ((I10 - 1) M) · sum_i (V10_i - m_i·AUC)²
    - S01 = I01 / ((I01 - 1) N) · sum_i (V01_i - n_i·AUC)²
    - S11 = I / (I - 1) · sum_i (V10_i - m_i·AUC)(V01_i - n_i·AUC)
    - var(AUC) = S10/M + S01/N + 2 S11/(M N)

    (Obuchowski NA, Biometrics 1997;53:567-578). With one unit per cluster S11 = 0 and the
    variance is DeLong's. The interval is AUC ± z·se, clipped to [0, 1].

    Examples
    --------
    One node per patient gives DeLong's answer:

    >>> y, x = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    >>> result = clustered_roc_auc(y, x, ["p1", "p2", "p3", "p4"])
    >>> print(f"{result.auc:.2f} {result.se:.4f} {result.se_independent:.4f}")
    0.75 0.3536 0.3536
    """
    z = check.z_value(level)
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label,
        nan_policy=nan_policy, cluster=_cluster_column(cluster),
    )  # fmt: skip
    y, (x,) = data.y, data.scores
    codes, uniques = check.cluster_codes(data.cluster)
    c = cluster_components(y, x, codes, uniques.size)
    se = float(np.sqrt(max(obuchowski_covariance(c, c), 0.0)))
    se_independent = float(np.sqrt(np.var(c.v10, ddof=1) / c.m + np.var(c.v01, ddof=1) / c.n))
    low, high = _normal_ci(c.auc, se, z, 0.0, 1.0)
    return ClusteredRocAuc(
        auc=c.auc, se=se, ci_low=low, ci_high=high, level=float(level), n_positive=c.m,
        n_negative=c.n, n_clusters=int(uniques.size), se_independent=se_independent,
        n_omitted=data.n_omitted,
    )  # fmt: skip


def _cluster_column(cluster: ArrayLike) -> np.ndarray:
    """The cluster labels as a one-dimensional array (object, so that None is missing)."""
    values = np.asarray(cluster)
    if values.ndim != 1:
        raise ValueError(f"cluster must be one-dimensional, got shape {values.shape}")
    return values if values.dtype.kind in "iub" else values.astype(object)


def cluster_bootstrap_auc(
    y_true: ArrayLike,
    score: ArrayLike,
    cluster: ArrayLike,
    *,
    n_resamples: int = N_RESAMPLES_INTERVAL,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> resample.BootstrapInterval:
    """Percentile interval of the AUC from resampling whole clusters (patients).

    Parameters
    ----------
    y_true, score, cluster : array_like
        Truth, score and cluster identifier of each unit.
    n_resamples : int
        Number of resamples.
    level : float
        Confidence level.
    seed : int or numpy.random.Generator
        Source of randomness.
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means positive.
    pos_label : object, optional
        As in :func:`clustered_roc_auc`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`clustered_roc_auc`.

    Returns
    -------
    BootstrapInterval
        Resamples without a positive or without a negative unit are dropped and counted
        (``n_failed``), with a warning.

    Notes
    -----
    Each resample draws I clusters with replacement out of I and keeps every unit of a
    drawn cluster (Davison and Hinkley 1997, section 3.8; Field and Welsh, J R Stat Soc B
    2007;69:369-390). A unit's weight is the number of times its cluster was drawn, and the
    weighted AUC is computed for a block of resamples at once. The clusters are drawn as in
    every bootstrap of the library (:mod:`ceuslib.accuracy.resample`): the same seed draws
    the same patients as :func:`cluster_bootstrap`.

    Examples
    --------
    >>> y = [0, 1, 0, 1, 0, 0, 1, 1]
    >>> x = [0.2, 0.9, 0.1, 0.6, 0.5, 0.3, 0.4, 0.8]
    >>> patient = ["a", "a", "b", "b", "c", "c", "d", "d"]
    >>> result = cluster_bootstrap_auc(y, x, patient, n_resamples=200, seed=5)
    >>> result.estimate
    0.9375
    """
    check.level(level)
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label,
        nan_policy=nan_policy, cluster=_cluster_column(cluster),
    )  # fmt: skip
    y, (x,) = data.y, data.scores
    codes, uniques = check.cluster_codes(data.cluster)
    check.both_classes(y, what="the AUC")
    n_resamples = check.n_resamples(n_resamples, minimum=2)
    n_clusters = uniques.size
    groups = tie_groups(y, x)
    estimate = float(weighted_auc(threshold_counts(groups))[0])
    block = max(1, BLOCK_CELLS // (y.size + n_clusters))
    parts = []
    for draws in draw_clusters(n_clusters, n_resamples, check.generator(seed), block=block):
        weights = cluster_counts(draws, n_clusters).astype(float)  # exact: small integers
        counts = threshold_counts(groups, weights, rows=codes)
        parts.append(weighted_auc(counts))
    return percentile_interval(
        estimate, np.concatenate(parts), level, "cluster bootstrap", n_omitted=data.n_omitted
    )


def cluster_bootstrap(
    statistic: Callable[[pd.DataFrame], float],
    data: pd.DataFrame,
    *,
    cluster: str,
    n_resamples: int = N_RESAMPLES_INTERVAL,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> resample.BootstrapInterval:
    """Percentile interval of any statistic of a node table, resampling whole patients.

    Parameters
    ----------
    statistic : callable
        ``statistic(frame) -> float``, e.g. the sensitivity of a binary call. It may return
        NaN when a resample leaves it undefined (such resamples are dropped and counted).
    data : pandas.DataFrame
        One row per unit.
    cluster : str
        Name of the column holding the cluster (patient) identifier.
    n_resamples : int
        Number of bootstrap resamples.
    level : float
        Confidence level.
    seed : int, numpy.random.Generator or None
        Source of randomness; the same seed gives the same interval.

    Returns
    -------
    BootstrapInterval
        The statistic of ``data``, the percentile interval of its patient-level bootstrap
        and the resamples where it was undefined (``n_failed``).

    Notes
    -----
    The same cluster (patient) bootstrap as :func:`cluster_bootstrap_auc`; the statistic
    is evaluated on the rows of the drawn clusters, a cluster drawn twice appearing twice.
    Slower (one call per resample) but general. With the same seed it draws the same
    patients as :func:`cluster_bootstrap_auc` (clusters numbered in sorted order). Rows
    with a missing cluster are an error; missing values elsewhere are the statistic's
    business.

    Examples
    --------
    >>> frame = pd.DataFrame({"patient": ["a", "a", "b", "c", "c", "d"],
    ...                       "malignant": [1, 0, 1, 1, 1, 0],
    ...                       "ceus_positive": [1, 0, 0, 1, 1, 1]})
    >>> def sensitivity(f):
    ...     diseased = f[f["malignant"] == 1]
    ...     return diseased["ceus_positive"].mean() if len(diseased) else float("nan")
    >>> result = cluster_bootstrap(sensitivity, frame, cluster="patient", n_resamples=50,
    ...                            seed=0)
    >>> result.estimate
    0.75
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if cluster not in data.columns:
        raise ValueError(f"cluster column {cluster!r} is not in data ({list(data.columns)})")
    check.level(level)
    n_resamples = check.n_resamples(n_resamples, minimum=2)
    columns, _ = check.rows({"cluster": _cluster_column(data[cluster].to_numpy())})
    codes, uniques = check.cluster_codes(columns["cluster"])
    rows_of = [np.flatnonzero(codes == k) for k in range(uniques.size)]
    estimate = float(statistic(data))
    replicates = np.empty(n_resamples)
    (draws,) = draw_clusters(uniques.size, n_resamples, check.generator(seed))
    for b, drawn in enumerate(draws):
        rows = np.concatenate([rows_of[k] for k in drawn])
        replicates[b] = float(statistic(data.iloc[rows]))
    return percentile_interval(estimate, replicates, level, "cluster bootstrap")


def aggregate_by_patient(
    y_true: ArrayLike,
    score: ArrayLike,
    cluster: ArrayLike,
    *,
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Patient-level truth and score from node-level data.

    A patient is positive if any of the nodes is (the neck holds residual disease), and the
    patient's score is the most suspicious node's: the maximum for direction ``"higher"``,
    the minimum for ``"lower"``. For a binary call (0/1) this is "positive if any node is
    called positive".

    Parameters
    ----------
    y_true, score, cluster : array_like
        Truth, score and patient of each node.
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means positive.
    pos_label : object, optional
        As in :func:`clustered_roc_auc`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`clustered_roc_auc` (``attrs["n_omitted"]`` of the result counts the
        nodes left out).

    Returns
    -------
    pandas.DataFrame
        Indexed by cluster, columns ``y_true`` (0/1), ``score`` and ``n_units``.

    Notes
    -----
    This is approach 1 of Genders et al. (Radiology 2012;265:910-916): analysis at the
    level of the clinical decision, here whether the neck is dissected.

    Examples
    --------
    >>> table = aggregate_by_patient([0, 1, 0, 0], [0.2, 0.9, 0.4, 0.1], ["a", "a", "b", "b"])
    >>> table["y_true"].tolist(), table["score"].tolist(), table["n_units"].tolist()
    ([1, 0], [0.9, 0.4], [2, 2])
    """
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label,
        nan_policy=nan_policy, cluster=_cluster_column(cluster),
    )  # fmt: skip
    y, (x,), direction = data.y, data.scores, data.directions[0]
    if direction == "lower":
        x = -x
    codes, uniques = check.cluster_codes(data.cluster)
    frame = pd.DataFrame({"code": codes, "y_true": y.astype(int), "score": x})
    grouped = frame.groupby("code", sort=True)
    result = pd.DataFrame(
        {
            "y_true": grouped["y_true"].max().to_numpy(),
            "score": (
                grouped["score"].max() if direction == "higher" else grouped["score"].min()
            ).to_numpy(),
            "n_units": grouped.size().to_numpy(),
        },
        index=pd.Index(uniques, name="cluster"),
    )
    result.attrs["n_omitted"] = data.n_omitted
    return result
