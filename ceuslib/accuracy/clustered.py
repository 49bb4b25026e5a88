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

from ceuslib.accuracy import _checks
from ceuslib.accuracy._placements import subject_placements
from ceuslib.accuracy.bootstrap import (
    _BLOCK_CELLS,
    BootstrapInterval,
    WeightedAuc,
    _n_resamples,
    percentile_interval,
)
from ceuslib.accuracy.roc import _normal_ci, prepare


def _cluster_codes(cluster: object, size: int) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(cluster)
    if values.ndim != 1 or values.size != size:
        raise ValueError(
            f"cluster must be one-dimensional with one value per unit ({size}), "
            f"got shape {values.shape}"
        )
    if pd.isna(pd.Series(values, dtype=object)).any():
        raise ValueError("cluster must not contain missing values")
    codes, uniques = pd.factorize(values, sort=True)
    return codes, np.asarray(uniques)


@dataclass(frozen=True)
class ClusteredRocAuc:
    """AUC with Obuchowski's clustered variance; ``se_independent`` ignores clustering."""

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

    @property
    def design_effect(self) -> float:
        """Variance ratio clustered / independent (above 1 when nodes of a patient agree).

        NaN when the independent variance is zero (no variation in the placement values).
        """
        if self.se_independent == 0:
            return float("nan")
        return (self.se / self.se_independent) ** 2

    def to_frame(self) -> pd.DataFrame:
        """One row with every field and the design effect."""
        return pd.DataFrame([{**self.__dict__, "design_effect": self.design_effect}])


def clustered_roc_auc(
    y_true: object,
    score: object,
    cluster: object,
    *,
    level: float = 0.95,
    direction: str = "higher",
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
    y, x = prepare(y_true, score, direction)
    codes, uniques = _cluster_codes(cluster, y.size)
    m, n = _checks.both_classes(y)
    n_clusters = uniques.size
    v10, v01 = subject_placements(y, x)
    auc = float(v10.mean())
    m_i = np.bincount(codes[y], minlength=n_clusters).astype(float)
    n_i = np.bincount(codes[~y], minlength=n_clusters).astype(float)
    i10, i01 = int(np.count_nonzero(m_i)), int(np.count_nonzero(n_i))
    if i10 < 2 or i01 < 2:
        raise ValueError(
            "Obuchowski's variance needs at least two clusters with a positive unit and two "
            f"with a negative unit, got {i10} and {i01}"
        )
    d10 = np.bincount(codes[y], weights=v10, minlength=n_clusters) - m_i * auc
    d01 = np.bincount(codes[~y], weights=v01, minlength=n_clusters) - n_i * auc
    s10 = i10 / ((i10 - 1) * m) * np.sum(d10**2)
    s01 = i01 / ((i01 - 1) * n) * np.sum(d01**2)
    s11 = n_clusters / (n_clusters - 1) * np.sum(d10 * d01)
    variance = s10 / m + s01 / n + 2.0 * s11 / (m * n)
    se = float(np.sqrt(max(variance, 0.0)))
    se_independent = float(np.sqrt(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n))
    low, high = _normal_ci(auc, se, _checks.z_value(level), 0.0, 1.0)
    return ClusteredRocAuc(auc, se, low, high, float(level), m, n, int(n_clusters), se_independent)


def cluster_bootstrap_auc(
    y_true: object,
    score: object,
    cluster: object,
    *,
    n_resamples: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    direction: str = "higher",
) -> BootstrapInterval:
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
    weighted AUC is computed for a block of resamples at once.

    Examples
    --------
    >>> y = [0, 1, 0, 1, 0, 0, 1, 1]
    >>> x = [0.2, 0.9, 0.1, 0.6, 0.5, 0.3, 0.4, 0.8]
    >>> patient = ["a", "a", "b", "b", "c", "c", "d", "d"]
    >>> result = cluster_bootstrap_auc(y, x, patient, n_resamples=200, seed=3)
    >>> result.estimate
    0.9375
    """
    y, x = prepare(y_true, score, direction)
    codes, uniques = _cluster_codes(cluster, y.size)
    _checks.both_classes(y)
    n_resamples = _n_resamples(n_resamples)
    rng = np.random.default_rng(seed)
    n_clusters = uniques.size
    engine = WeightedAuc(x[y], x[~y])
    pos_codes, neg_codes = codes[y], codes[~y]
    estimate = float(engine(np.ones((1, pos_codes.size)), np.ones((1, neg_codes.size)))[0])
    block = max(1, _BLOCK_CELLS // (y.size + n_clusters))
    parts = []
    for start in range(0, n_resamples, block):
        size = min(block, n_resamples - start)
        drawn = rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=size)
        drawn = drawn.astype(float)
        parts.append(engine(drawn[:, pos_codes], drawn[:, neg_codes]))
    return percentile_interval(estimate, np.concatenate(parts), level, "cluster bootstrap")


def cluster_bootstrap(
    statistic: Callable[[pd.DataFrame], float],
    data: pd.DataFrame,
    *,
    cluster: str,
    n_resamples: int = 2000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> BootstrapInterval:
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
    n_resamples, level, seed
        As in :func:`cluster_bootstrap_auc`.

    Returns
    -------
    BootstrapInterval

    Notes
    -----
    The same cluster (patient) bootstrap as :func:`cluster_bootstrap_auc`; the statistic
    is evaluated on the rows of the drawn clusters, a cluster drawn twice appearing twice.
    Slower (one call per resample) but general.

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
    n_resamples = _n_resamples(n_resamples)
    rng = np.random.default_rng(seed)
    codes, uniques = _cluster_codes(data[cluster].to_numpy(), len(data))
    rows_of = [np.flatnonzero(codes == k) for k in range(uniques.size)]
    estimate = float(statistic(data))
    replicates = np.empty(n_resamples)
    for b in range(n_resamples):
        drawn = rng.integers(0, uniques.size, size=uniques.size)
        rows = np.concatenate([rows_of[k] for k in drawn])
        replicates[b] = float(statistic(data.iloc[rows]))
    return percentile_interval(estimate, replicates, level, "cluster bootstrap")


def aggregate_by_patient(
    y_true: object,
    score: object,
    cluster: object,
    *,
    direction: str = "higher",
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
    y = _checks.labels(y_true)
    x = _checks.scores(score, y.size)
    _checks.direction(direction)
    codes, uniques = _cluster_codes(cluster, y.size)
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
    return result
