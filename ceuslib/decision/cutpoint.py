"""Choosing a cut-point for a continuous CEUS score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ceuslib.decision._checks import (
    binary_outcome,
    both_classes,
    direction_sign,
    finite_scores,
    probability_level,
)
from ceuslib.decision.counts import CandidateCounts, candidate_counts
from ceuslib.decision.rules import RULES, TARGET_RULES, check_rule, guarded_measure, select


class InfeasibleTargetError(ValueError):
    """No cut-point reaches the target of a constrained rule.

    Attributes ``rule``, ``target``, ``best_value`` (the highest value of the constrained
    measure that any cut-point reaches) and ``best_cutpoint`` (where it is reached; the
    most specific such cut-point).
    """

    def __init__(self, rule: str, target: float, best_value: float, best_cutpoint: float):
        self.rule = rule
        self.target = target
        self.best_value = best_value
        self.best_cutpoint = best_cutpoint
        measure = {
            "min_sensitivity": "sensitivity",
            "min_npv": "NPV",
            "min_sensitivity_lcb": "the lower confidence bound of sensitivity",
            "min_npv_lcb": "the lower confidence bound of NPV",
        }[rule]
        super().__init__(
            f"no cut-point reaches {measure} >= {target:g} (rule {rule!r}); the highest "
            f"value reached is {best_value:.4g}, at cut-point {best_cutpoint:g}"
        )


@dataclass(frozen=True)
class CutpointResult:
    """A chosen cut-point and the test's accuracy at it.

    A row is called positive when ``score >= cutpoint`` (direction ``">="``) or
    ``score <= cutpoint`` (direction ``"<="``).  ``ppv`` is NaN when nobody is called
    positive and ``npv`` when nobody is called negative.  ``criterion`` is the value the rule
    optimises (J, the distance to (0, 1), or the specificity); ``guarded`` the value of the
    constrained measure for the target rules (NaN otherwise).  ``tied_cutpoints`` lists every
    cut-point that is equally good on the criterion, in increasing order.
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

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the result (without the tied cut-points)."""
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
    c: CandidateCounts,
    index: int,
    row: int,
    *,
    rule: str,
    target: float | None,
    direction: str,
    guarded: float = np.nan,
    tied: np.ndarray | None = None,
) -> CutpointResult:
    """A :class:`CutpointResult` for candidate ``index`` of sample ``row``."""
    sign = direction_sign(direction)
    tp, fp = int(c.tp[row, index]), int(c.fp[row, index])
    p, n = int(c.positives[row]), int(c.negatives[row])
    fn, tn = p - tp, n - fp
    se, sp = tp / p, tn / n
    ppv = tp / (tp + fp) if tp + fp else np.nan
    npv = tn / (tn + fn) if tn + fn else np.nan
    ties = () if tied is None else tuple(sorted(sign * float(t) for t in c.thresholds[tied]))
    return CutpointResult(
        rule=rule,
        target=target,
        direction=direction,
        cutpoint=sign * float(c.thresholds[index]),
        sensitivity=se,
        specificity=sp,
        ppv=ppv,
        npv=npv,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        criterion=_criterion_value(rule, se, sp),
        guarded=float(guarded),
        tied_cutpoints=ties,
    )


def choose_cutpoint(
    y_true: object,
    score: object,
    *,
    rule: str = "youden",
    target: float | None = None,
    direction: str = ">=",
    level: float = 0.95,
    ci_method: str = "wilson",
) -> CutpointResult:
    """Choose the cut-point of a score by a stated rule.

    Parameters
    ----------
    y_true : array-like of int
        Reference standard, 0 or 1; 1 = residual disease (one row per unit of decision, usually a
        patient or a neck).
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
        ``">="`` (the default): positive (dissect) when ``score >= cutpoint``; ``"<="``:
        positive when ``score <= cutpoint``.  Never guessed from the data.
    level : float
        Two-sided confidence level of the interval whose lower end the ``_lcb`` rules use
        (0.95 gives a one-sided 97.5% bound).
    ci_method : str
        Interval method of ``ceuslib.accuracy.proportion_ci`` for the ``_lcb`` rules.

    Returns
    -------
    CutpointResult

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
    (``+inf`` for ``">="``, ``-inf`` for ``"<="``) that calls every row negative, as in
    cutpointr (Thiele & Hirschfeld 2021).  Youden's index is from Youden (1950); the
    distance to (0, 1) from Perkins & Schisterman (2006); constrained rules as in
    OptimalCutpoints' ``"MinValueSe"`` (López-Ratón et al. 2014) and cutpointr's
    ``metric_constrain``.  Ties: among equally good cut-points the one with the highest
    sensitivity is returned (the lowest cut-point for ``">="``), the same choice as
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
    y = binary_outcome(y_true)
    s = finite_scores(score, y.size)
    both_classes(y)
    target = check_rule(rule, target)
    level = probability_level(level)
    sign = direction_sign(direction)
    counts = candidate_counts(y, sign * s, np.ones((1, y.size), dtype=np.int64))
    chosen, tied = select(counts, rule, target, ci_method=ci_method, level=level)
    guarded = np.nan
    if rule in TARGET_RULES:
        measure = guarded_measure(rule, counts, ci_method, level)[0]
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
    )


__all__ = ["RULES", "CutpointResult", "InfeasibleTargetError", "choose_cutpoint"]
