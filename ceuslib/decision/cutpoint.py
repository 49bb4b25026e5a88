"""Choosing a cut-point for a continuous CEUS score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy._counts import ThresholdCounts, threshold_counts, tie_groups
from ceuslib.accuracy.metrics import rates
from ceuslib.accuracy.roc import prepare
from ceuslib.decision.rules import RULES, TARGET_RULES, check_rule, guarded_measure, select
from ceuslib.errors import InfeasibleTargetError


@dataclass(frozen=True)
class CutpointResult:
    """A chosen cut-point and the test's accuracy at it.

    Attributes
    ----------
    rule : str
        The rule that chose the cut-point.
    target : float or None
        The required value of a constrained rule; None for the others.
    direction : str
        ``"higher"``: a row is called positive when ``score >= cutpoint``; ``"lower"``:
        when ``score <= cutpoint``.
    cutpoint : float
        The chosen cut-point: an observed score, or an infinite one that calls every row
        negative.
    sensitivity, specificity : float
        The test's accuracy at the cut-point.
    ppv, npv : float
        Predictive values at the cut-point; ``ppv`` is NaN when nobody is called positive
        and ``npv`` when nobody is called negative.
    tp, fp, fn, tn : int
        The 2x2 table at the cut-point.
    criterion : float
        The value the rule optimises (J, the distance to (0, 1), or the specificity).
    guarded : float
        The value of the constrained measure for the target rules (NaN otherwise).
    tied_cutpoints : tuple of float
        Every cut-point that is equally good on the criterion, in increasing order.
    n_omitted : int
        Rows left out for a missing value (``nan_policy="omit"``).
    """

    rule: str
    target: float | None
    direction: str
    cutpoint: float
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    tp: int
    fp: int
    fn: int
    tn: int
    criterion: float
    guarded: float
    tied_cutpoints: tuple[float, ...]
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the result.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field except ``tied_cutpoints``, whose number is in
            ``n_tied``.
        """
        row = {k: v for k, v in self.__dict__.items() if k != "tied_cutpoints"}
        row["n_tied"] = len(self.tied_cutpoints)
        return pd.DataFrame([row])


def _criterion_value(rule: str, se: float, sp: float) -> float:
    if rule == "youden":
        return se + sp - 1.0
    if rule == "closest_to_01":
        return float(np.hypot(1.0 - se, 1.0 - sp))
    return sp


def result_from_counts(
    c: ThresholdCounts,
    index: int,
    row: int,
    *,
    rule: str,
    target: float | None,
    direction: str,
    guarded: float = np.nan,
    tied: np.ndarray | None = None,
    n_omitted: int = 0,
) -> CutpointResult:
    """A :class:`CutpointResult` for candidate ``index`` of sample ``row``."""
    sign = 1.0 if direction == "higher" else -1.0
    tp, fp = int(c.tp[row, index]), int(c.fp[row, index])
    p, n = int(c.positives[row]), int(c.negatives[row])
    fn, tn = p - tp, n - fp
    r = {name: float(value) for name, value in rates(tp=tp, fp=fp, fn=fn, tn=tn).items()}
    se, sp = r["sensitivity"], r["specificity"]
    ties = () if tied is None else tuple(sorted(sign * float(t) for t in c.thresholds[tied]))
    return CutpointResult(
        rule=rule,
        target=target,
        direction=direction,
        cutpoint=sign * float(c.thresholds[index]),
        sensitivity=se,
        specificity=sp,
        ppv=r["ppv"],
        npv=r["npv"],
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        criterion=_criterion_value(rule, se, sp),
        guarded=float(guarded),
        tied_cutpoints=ties,
        n_omitted=n_omitted,
    )


@check.renamed(ci_method="method")
def choose_cutpoint(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    rule: str = "youden",
    target: float | None = None,
    direction: str = "higher",
    level: float = 0.95,
    method: str = "wilson",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> CutpointResult:
    """Choose the cut-point of a score by a stated rule.

    Parameters
    ----------
    y_true : array-like
        Reference standard, 0/1 or True/False (1 = residual disease), or labels with
        ``pos_label``; one row per unit of decision, usually a patient or a neck.
    score : array-like of float
        The test's score (a CEUS parameter, a model's risk).
    rule : str
        ``"youden"`` (maximum J), ``"closest_to_01"`` (closest to the top-left corner of
        the ROC plot), ``"min_sensitivity"`` or ``"min_npv"`` (maximum specificity among the
        cut-points whose sensitivity or NPV is at least ``target``), and the conservative
        ``"min_sensitivity_lcb"`` and ``"min_npv_lcb"``, for which the *lower confidence
        bound* of sensitivity or NPV must reach ``target``.
    target : float, optional
        The required value, in (0, 1], for the four constrained rules; must be omitted
        for the others.
    direction : str
        One of ``"higher"``, ``"lower"``.
        ``"higher"`` (the default): positive (dissect) when ``score >= cutpoint``;
        ``"lower"``: positive when ``score <= cutpoint``.  Never guessed from the data.
        The old spellings ``">="`` and ``"<="`` still work, with a ``DeprecationWarning``.
    level : float
        Two-sided confidence level of the interval whose lower end the ``_lcb`` rules use
        (0.95 gives a one-sided 97.5% bound).
    method : str
        Interval method of ``ceuslib.accuracy.proportion_ci`` for the ``_lcb`` rules
        (formerly ``ci_method``).
    pos_label : object, optional
        The label of ``y_true`` that means positive, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        A missing truth or score is an error, or its row is left out (``n_omitted``).

    Returns
    -------
    CutpointResult
        The cut-point and the test's accuracy at it.

    Raises
    ------
    InfeasibleTargetError
        If no cut-point reaches the target; it is a ``ValueError`` whose message and
        attributes give the best value that can be reached.
    ValueError
        For an unknown rule, a missing or superfluous target, a single outcome class, or
        non-finite scores.

    Notes
    -----
    Candidate cut-points are the observed scores plus one cut-point beyond the largest
    (``+inf`` for ``"higher"``, ``-inf`` for ``"lower"``) that calls every row negative, as in
    cutpointr (Thiele & Hirschfeld 2021).  Youden's index is from Youden (1950); the
    distance to (0, 1) from Perkins & Schisterman (2006); constrained rules as in
    OptimalCutpoints' ``"MinValueSe"`` (López-Ratón et al. 2014) and cutpointr's
    ``metric_constrain``.  Ties: among equally good cut-points the one with the highest
    sensitivity is returned (the lowest cut-point for ``"higher"``), the same choice as
    OptimalCutpoints makes for ``"MinValueSe"``; all of them are in ``tied_cutpoints``.
    Criteria are compared exactly on integer counts.  The conservative rules require that
    the bound reaches the target, so that a small study cannot pass on a lucky estimate.

    Examples
    --------
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> s = [1, 2, 3, 4, 5, 6, 7, 8]
    >>> r = choose_cutpoint(y, s)
    >>> r.cutpoint, r.sensitivity, r.specificity
    (4.0, 1.0, 0.75)
    >>> r = choose_cutpoint(y, s, rule="min_npv", target=1.0)
    >>> r.cutpoint, r.npv
    (4.0, 1.0)
    >>> try:
    ...     choose_cutpoint(y, s, rule="min_sensitivity_lcb", target=0.9)
    ... except InfeasibleTargetError as err:
    ...     print(f"{err.best_value:.4f} at {err.best_cutpoint}")
    0.5101 at 4.0
    """
    target = check_rule(rule, target)
    level = check.level(level)
    data = prepare(
        y_true, {"score": score}, direction=direction, pos_label=pos_label, nan_policy=nan_policy
    )
    y, (oriented,), direction = data.y, data.scores, data.directions[0]
    _both_outcomes(y)
    sign = 1.0 if direction == "higher" else -1.0
    counts = threshold_counts(tie_groups(y, oriented))
    chosen, tied = select(counts, rule, target, method=method, level=level)
    guarded = np.nan
    if rule in TARGET_RULES:
        measure = guarded_measure(rule, counts, method, level)[0]
        if chosen[0] < 0:
            best = int(np.nanargmax(np.where(counts.present[0], measure, np.nan)))
            raise InfeasibleTargetError(
                rule, target, float(measure[best]), sign * float(counts.thresholds[best])
            )
        guarded = measure[chosen[0]]
    return result_from_counts(
        counts,
        int(chosen[0]),
        0,
        rule=rule,
        target=target,
        direction=direction,
        guarded=guarded,
        tied=tied[0],
        n_omitted=data.n_omitted,
    )


def _both_outcomes(y: np.ndarray) -> None:
    """Raise unless ``y`` holds at least one positive and one negative."""
    positives = int(np.count_nonzero(y))
    if positives == 0:
        raise ValueError("y_true has no positive (residual disease): sensitivity is undefined")
    if positives == y.size:
        raise ValueError("y_true has no negative (no residual disease): specificity is undefined")


__all__ = ["RULES", "CutpointResult", "InfeasibleTargetError", "choose_cutpoint"]
