"""Placement values of DeLong's method from one sort of the pooled scores (private).

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
B_g + b_g/2), so no second sort within the classes is needed.
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
