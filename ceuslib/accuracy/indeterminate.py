"""Indeterminate (inconclusive) test results: the 3x2 table and accuracy three ways.

A CEUS reading can be inconclusive (a node too small to judge, motion, poor contrast).
Dropping such readings silently inflates accuracy; Shinkins et al. recommend reporting the
3x2 table and the accuracy with the indeterminate results counted as positive, as negative
and excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy.metrics import diagnostic_metrics
from ceuslib.accuracy.proportions import proportion_ci

HANDLINGS = ("as_positive", "as_negative", "excluded")
RESULTS = ("positive", "indeterminate", "negative")


@dataclass(frozen=True)
class IndeterminateAccuracy:
    """The 3x2 table of a test with indeterminate results and its accuracy three ways.

    Attributes
    ----------
    table : pandas.DataFrame
        Counts indexed by the test result (``positive, indeterminate, negative``) with
        columns ``diseased, not_diseased``.
    metrics : pandas.DataFrame
        Indexed by (``handling``, ``measure``): handling ``as_positive``, ``as_negative``
        or ``excluded``, measure as in :func:`diagnostic_metrics`; columns
        ``estimate, ci_low, ci_high``.
    indeterminate : pandas.DataFrame
        The share of indeterminate results among the diseased, the non-diseased and all
        units, with Wilson intervals.
    level : float
        Confidence level of the intervals.
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    table: pd.DataFrame = field(repr=False)
    metrics: pd.DataFrame = field(repr=False)
    indeterminate: pd.DataFrame = field(repr=False)
    level: float = 0.95
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The accuracy table, one row per handling and measure.

        Returns
        -------
        pandas.DataFrame
            A copy of ``metrics``.
        """
        return self.metrics.copy()


def indeterminate_accuracy(
    y_true: ArrayLike,
    result: ArrayLike,
    *,
    positive: object = "positive",
    negative: object = "negative",
    indeterminate: object = "indeterminate",
    level: float = 0.95,
    method: str = "wilson",
    correction: str | None = None,
    pos_label: object = None,
    nan_policy: str = "raise",
) -> IndeterminateAccuracy:
    """Accuracy of a test whose results can be indeterminate (Shinkins et al. 2013).

    Parameters
    ----------
    y_true : array_like
        Reference standard: 0/1 or True/False (1 = diseased), or labels with ``pos_label``.
    result : array_like
        The test's result per unit: one of the labels ``positive``, ``negative`` and
        ``indeterminate``.
    positive, negative, indeterminate : object
        The labels of the three results in ``result``.
    level : float
        Confidence level of every interval.
    method : str
        Interval for the proportions; see :func:`proportion_ci`.
    correction : str or None
        One of ``None``, ``"haldane"``; as in :func:`diagnostic_metrics`.
    pos_label : object, optional
        The label of ``y_true`` that means diseased, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``. A missing result is not an indeterminate one:
        record it as ``indeterminate`` when the test was done but gave no answer.

    Returns
    -------
    IndeterminateAccuracy
        The 3x2 table, the accuracy with the indeterminate results counted as positive,
        as negative and left out, and the share of indeterminate results.

    Notes
    -----
    Shinkins B, Thompson M, Mallett S, Perera R. Diagnostic accuracy studies: how to
    report and analyse inconclusive test results. BMJ 2013;346:f2778. The 3x2 table is
    collapsed to a 2x2 table three ways: indeterminate results counted as positive (the
    lowest specificity, as when an unclear neck is dissected), as negative (the lowest
    sensitivity, as when it is observed) and excluded (the accuracy among conclusive
    results, which overstates what the test achieves in practice). Each 2x2 table is
    analysed by :func:`diagnostic_metrics`.

    Examples
    --------
    >>> y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    >>> r = ["positive", "positive", "indeterminate", "negative", "negative", "negative",
    ...      "indeterminate", "positive", "negative", "negative"]
    >>> out = indeterminate_accuracy(y, r)
    >>> out.table.loc["indeterminate"].tolist()
    [1, 1]
    >>> [round(float(out.metrics.loc[(h, "sensitivity"), "estimate"]), 2) for h in
    ...  ("as_positive", "as_negative", "excluded")]
    [0.75, 0.5, 0.67]
    """
    labels = (positive, negative, indeterminate)
    if len(set(map(repr, labels))) != 3:
        raise ValueError(f"positive, negative and indeterminate must differ, got {labels!r}")
    columns, omitted = check.rows({"y_true": y_true, "result": result}, nan_policy=nan_policy)
    y = check.labels(columns["y_true"], pos_label=pos_label)
    r = pd.Series(columns["result"], dtype=object)
    known = r.isin(labels).to_numpy()
    if not known.all():
        where = int(np.flatnonzero(~known)[0])
        raise ValueError(
            f"result must hold {positive!r}, {negative!r} or {indeterminate!r}; position "
            f"{where} holds {r.iloc[where]!r}"
        )
    is_pos = (r == positive).to_numpy()
    is_neg = (r == negative).to_numpy()
    is_ind = (r == indeterminate).to_numpy()
    counts = {
        name: [int(np.sum(mask & y)), int(np.sum(mask & ~y))]
        for name, mask in zip(RESULTS, (is_pos, is_ind, is_neg), strict=True)
    }
    table = pd.DataFrame.from_dict(counts, orient="index", columns=["diseased", "not_diseased"])
    (tp, fp), (ip, in_), (fn, tn) = counts["positive"], counts["indeterminate"], counts["negative"]
    collapsed = {
        "as_positive": {"tp": tp + ip, "fp": fp + in_, "fn": fn, "tn": tn},
        "as_negative": {"tp": tp, "fp": fp, "fn": fn + ip, "tn": tn + in_},
        "excluded": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }
    frames = {
        handling: diagnostic_metrics(**cells, level=level, method=method, correction=correction)
        for handling, cells in collapsed.items()
    }
    metrics = pd.concat(frames, names=["handling", "measure"])
    shares = {}
    for name, k, n in (
        ("diseased", ip, ip + tp + fn),
        ("not_diseased", in_, in_ + fp + tn),
        ("all", ip + in_, y.size),
    ):
        if n == 0:
            shares[name] = (np.nan, np.nan, np.nan)
            continue
        low, high = proportion_ci(k, n, method=method, level=level)
        shares[name] = (k / n, low, high)
    share = pd.DataFrame.from_dict(
        shares, orient="index", columns=["estimate", "ci_low", "ci_high"]
    )
    return IndeterminateAccuracy(
        table=table, metrics=metrics, indeterminate=share, level=float(level), n_omitted=omitted
    )


__all__ = ["HANDLINGS", "IndeterminateAccuracy", "indeterminate_accuracy"]
