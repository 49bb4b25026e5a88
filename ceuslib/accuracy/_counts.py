"""Counts at every threshold and DeLong's placement values, from one sort (private).

Everything the ROC curve, the AUC and its variances, the cut-point rules and the bootstraps
need comes from one sort of the pooled scores (oriented so that higher means positive):

- :func:`tie_groups` sorts once and finds every tie group with its numbers of positives and
  negatives;
- :func:`threshold_counts` gives the true- and false-positive counts at every distinct
  threshold, for the data (unit weights) or for many resamples at once (a weight matrix);
- :func:`weighted_auc` is the area under the ROC curve of each such row of counts;
- :func:`auc_and_variance` and :func:`subject_placements` give DeLong's placement values.

For positives X_1..X_m and negatives Y_1..Y_n, with psi(x, y) = 1 if x > y, 1/2 if x = y and
0 otherwise, the placement values are

    V10(X_i) = (1/n) sum_j psi(X_i, Y_j),     V01(Y_j) = (1/m) sum_i psi(X_i, Y_j).

Sun and Xu (IEEE Signal Process Lett 2014;21:1389-1393) obtain them from midranks in
O(N log N) instead of the O(m n) pairs of DeLong, DeLong and Clarke-Pearson (1988). Here a
single sort of the pooled scores gives every tie group g with its a_g positives and b_g
negatives, in increasing order of score. With A_g positives and B_g negatives strictly below
the group, every positive of the group has V10 = (B_g + b_g/2)/n and every negative has
V01 = (m - A_g - a_g/2)/m. These are Sun and Xu's midrank differences written with counts
(the midrank of a positive in the pooled sample minus its midrank among the positives is
B_g + b_g/2), so no second sort within the classes is needed. The counts at the thresholds
are the same numbers read from the top: calling positive every unit at or above group g
gives m - A_g true and n - B_g false positives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TieGroups:
    """Tie groups of the pooled scores, in increasing order of score."""

    sorted_scores: np.ndarray  # the pooled scores in increasing order
    starts: np.ndarray  # index in sorted_scores where each group starts
    positives: np.ndarray  # a_g
    negatives: np.ndarray  # b_g
    positives_below: np.ndarray  # A_g
    negatives_below: np.ndarray  # B_g
    order: np.ndarray  # the permutation that sorts the pooled scores
    starts_group: np.ndarray  # True where a sorted element starts a new tie group
    positive_mask_sorted: np.ndarray  # labels in the sorted order
    m: int
    n: int

    @property
    def values(self) -> np.ndarray:
        """The distinct score values, one per group."""
        return self.sorted_scores[self.starts]

    @property
    def group_of_sorted(self) -> np.ndarray:
        """Group index of each element of the sorted pooled scores."""
        return np.cumsum(self.starts_group) - 1

    @property
    def v10(self) -> np.ndarray:
        """Placement value of a positive in each group."""
        return (self.negatives_below + 0.5 * self.negatives) / self.n

    @property
    def v01(self) -> np.ndarray:
        """Placement value of a negative in each group."""
        return 1.0 - (self.positives_below + 0.5 * self.positives) / self.m


def tie_groups(y: np.ndarray, x: np.ndarray) -> TieGroups:
    """Group the pooled scores ``x`` (labels ``y``, bool) with one sort."""
    order = np.argsort(x)
    xs = x[order]
    ys = y[order]
    size = xs.size
    new = np.empty(size, dtype=bool)
    new[0] = True
    np.not_equal(xs[1:], xs[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = size
    positives_through = np.cumsum(ys, dtype=np.int64)[ends - 1]
    positives_below = np.empty_like(positives_through)
    positives_below[0] = 0
    positives_below[1:] = positives_through[:-1]
    a = positives_through - positives_below
    b = (ends - starts) - a
    m = int(positives_through[-1])
    return TieGroups(
        sorted_scores=xs,
        starts=starts,
        positives=a,
        negatives=b,
        positives_below=positives_below,
        negatives_below=starts - positives_below,
        order=order,
        starts_group=new,
        positive_mask_sorted=ys,
        m=m,
        n=size - m,
    )


def auc_and_variance(groups: TieGroups) -> tuple[float, float, float]:
    """The AUC and DeLong's S10 and S01 (sample variances of V10 and V01), group-wise.

    Written with in-place operations on one work array: at a million scores the temporary
    arrays of the plain expressions cost as much as the arithmetic.
    """
    m, n = groups.m, groups.n
    a = groups.positives.astype(np.float64)
    b = groups.negatives.astype(np.float64)
    work = np.multiply(b, 0.5)  # V10 of each group: (B_g + b_g / 2) / n
    work += groups.negatives_below
    work /= n
    auc = float(np.dot(a, work)) / m
    work -= auc
    work *= work
    s10 = float(np.dot(a, work)) / (m - 1)
    np.multiply(a, 0.5, out=work)  # V01 of each group: 1 - (A_g + a_g / 2) / m
    work += groups.positives_below
    work *= -1.0 / m
    work += 1.0 - auc
    work *= work
    s01 = float(np.dot(b, work)) / (n - 1)
    return auc, s10, s01


def subject_placements(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """V10 of each positive and V01 of each negative, in the original order of each class."""
    groups = tie_groups(y, x)
    group = np.empty(x.size, dtype=np.intp)
    group[groups.order] = groups.group_of_sorted
    return groups.v10[group[y]], groups.v01[group[~y]]


@dataclass(frozen=True)
class ThresholdCounts:
    """Confusion counts at every distinct threshold (one row per sample or resample).

    Thresholds run from the one that calls everyone negative (``+inf`` on the oriented
    scale) down to the smallest score, which calls everyone positive; a unit is positive at
    threshold ``t`` when its oriented score is at least ``t``. A threshold is ``present`` in
    a row when some unit with exactly that score has positive weight there: only present
    thresholds are cut-points of that sample.
    """

    thresholds: np.ndarray  # (K + 1,) oriented scale, descending, thresholds[0] = +inf
    tp: np.ndarray  # (B, K + 1) true positives (weighted counts)
    fp: np.ndarray  # (B, K + 1) false positives

    @property
    def positives(self) -> np.ndarray:
        return self.tp[:, -1]

    @property
    def negatives(self) -> np.ndarray:
        return self.fp[:, -1]

    @property
    def fn(self) -> np.ndarray:
        return self.positives[:, None] - self.tp

    @property
    def tn(self) -> np.ndarray:
        return self.negatives[:, None] - self.fp

    @property
    def present(self) -> np.ndarray:
        steps = (np.diff(self.tp, axis=1) + np.diff(self.fp, axis=1)) > 0
        return np.concatenate((np.ones((steps.shape[0], 1), dtype=bool), steps), axis=1)

    def at(self, threshold: np.ndarray) -> np.ndarray:
        """Index of the counts of ``oriented >= t`` for each ``t`` (oriented scale)."""
        ascending = self.thresholds[:0:-1]
        return ascending.size - np.searchsorted(ascending, threshold, side="left")


def threshold_counts(
    groups: TieGroups, weights: np.ndarray | None = None, *, rows: np.ndarray | None = None
) -> ThresholdCounts:
    """True and false positives at every threshold of ``groups``, per weight row.

    Parameters
    ----------
    groups : TieGroups
        The sorted pooled scores.
    weights : numpy.ndarray, optional
        Integer (or float) weights of shape ``(B, n_units)``: how many times each unit was
        drawn in each of B resamples. ``None`` gives the data themselves (one row).
    rows : numpy.ndarray, optional
        When given, ``weights`` has one column per cluster and unit ``i`` takes the weight
        of column ``rows[i]`` (a cluster bootstrap without a ``(B, n_units)`` copy).

    Notes
    -----
    With the positives in increasing order of score and C_b(j) the weight of the first j
    of them in resample b, the weighted positives at or above group g are
    C_b(m) - C_b(A_g): one cumulative sum per class and resample, and a gather at the
    unweighted counts A_g (and B_g for the negatives).
    """
    if weights is None:
        tp = (groups.m - groups.positives_below)[::-1]
        fp = (groups.n - groups.negatives_below)[::-1]
        zero = np.zeros(1, dtype=tp.dtype)
        return ThresholdCounts(
            thresholds=np.concatenate(([np.inf], groups.values[::-1])),
            tp=np.concatenate((zero, tp))[None, :],
            fp=np.concatenate((zero, fp))[None, :],
        )
    sorted_positive = groups.positive_mask_sorted
    columns = groups.order if rows is None else rows[groups.order]
    counts = []
    for mask, below in (
        (sorted_positive, groups.positives_below),
        (~sorted_positive, groups.negatives_below),
    ):
        w = weights[:, columns[mask]]
        cumulative = np.zeros((w.shape[0], w.shape[1] + 1), dtype=w.dtype)
        np.cumsum(w, axis=1, out=cumulative[:, 1:])
        # At or above group g, from the top: the total minus the weight strictly below g;
        # the first column (everything below the total) is the +inf threshold's 0.
        index = np.empty(below.size + 1, dtype=np.intp)
        index[0] = w.shape[1]
        index[1:] = below[::-1]
        at_or_above = cumulative[:, index]
        np.subtract(cumulative[:, -1:], at_or_above, out=at_or_above)
        counts.append(at_or_above)
    return ThresholdCounts(
        thresholds=np.concatenate(([np.inf], groups.values[::-1])), tp=counts[0], fp=counts[1]
    )


def weighted_auc(counts: ThresholdCounts) -> np.ndarray:
    """Area under the empirical ROC curve of each row of counts; NaN without both classes.

    The trapezoids between successive thresholds, sum_k (FP_k - FP_k-1)(TP_k + TP_k-1) / 2,
    divided by P N: the Mann-Whitney AUC of the weighted sample, ties counting one half.
    """
    tp = np.asarray(counts.tp, dtype=float)
    fp = np.asarray(counts.fp, dtype=float)
    steps = np.diff(fp, axis=1)
    area = (np.einsum("bk,bk->b", steps, tp[:, 1:]) + np.einsum("bk,bk->b", steps, tp[:, :-1])) / 2
    denominator = tp[:, -1] * fp[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, area / denominator, np.nan)
