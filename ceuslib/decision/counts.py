"""Weighted confusion counts at every candidate cut-point, for many samples at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CandidateCounts:
    """Confusion counts at every candidate cut-point (one row per sample or resample).

    Candidates run from the cut-point that calls everyone negative (``+inf`` on the oriented
    scale) down to the smallest observed score, which calls everyone positive.  A candidate
    is ``present`` in a sample when some row with that exact score has positive weight;
    only present candidates are cut-points of that sample.
    """

    thresholds: np.ndarray  # (K + 1,) oriented scale, descending, thresholds[0] = +inf
    tp: np.ndarray  # (B, K + 1) int64
    fp: np.ndarray  # (B, K + 1) int64
    present: np.ndarray  # (B, K + 1) bool

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


def candidate_counts(y: np.ndarray, oriented: np.ndarray, weights: np.ndarray) -> CandidateCounts:
    """Counts of ``oriented >= t`` against ``y`` for every distinct ``t``, per weight row.

    ``oriented`` is the score times +1 (direction ">=") or -1 (direction "<="), so a row is
    positive at candidate ``t`` when ``oriented >= t`` in both directions.  ``weights`` has
    shape ``(B, n)``: integer row weights (ones for the data themselves).
    """
    order = np.argsort(-oriented, kind="stable")
    s_sorted = oriented[order]
    new_group = np.concatenate(([True], s_sorted[1:] != s_sorted[:-1]))
    starts = np.flatnonzero(new_group)
    thresholds = np.concatenate(([np.inf], s_sorted[starts]))
    w = weights[:, order]
    y_sorted = y[order].astype(bool)
    pos = np.add.reduceat(np.where(y_sorted, w, 0), starts, axis=1)
    neg = np.add.reduceat(np.where(y_sorted, 0, w), starts, axis=1)
    b = weights.shape[0]
    zero = np.zeros((b, 1), dtype=np.int64)
    tp = np.concatenate((zero, np.cumsum(pos, axis=1, dtype=np.int64)), axis=1)
    fp = np.concatenate((zero, np.cumsum(neg, axis=1, dtype=np.int64)), axis=1)
    present = np.concatenate((np.ones((b, 1), dtype=bool), (pos + neg) > 0), axis=1)
    return CandidateCounts(thresholds=thresholds, tp=tp, fp=fp, present=present)
