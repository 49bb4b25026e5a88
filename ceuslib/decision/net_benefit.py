"""Net benefit and decision curves for "dissect" against "observe"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceuslib.decision._checks import binary_outcome, finite_scores, probability_level
from ceuslib.decision.resample import bootstrap_weights

ALL = "dissect all"
NONE = "dissect none"


def _thresholds(thresholds: object) -> np.ndarray:
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise ValueError("thresholds must be a non-empty one-dimensional array of probabilities")
    if not np.all((t > 0) & (t < 1)):
        raise ValueError("thresholds must lie strictly between 0 and 1 (threshold probabilities)")
    return t


def _net_benefit_matrix(
    y: np.ndarray, risk: np.ndarray, t: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Net benefit for every weight row (B) and threshold (T): shape (B, T)."""
    treated = risk[:, None] >= t[None, :]
    n = weights.sum(axis=1).astype(float)[:, None]
    w = weights.astype(float)
    tp = w @ (treated & (y[:, None] == 1)).astype(float)
    fp = w @ (treated & (y[:, None] == 0)).astype(float)
    return tp / n - fp / n * (t / (1 - t))[None, :]


def _treat_all_matrix(y: np.ndarray, t: np.ndarray, weights: np.ndarray) -> np.ndarray:
    n = weights.sum(axis=1).astype(float)
    prevalence = (weights @ y.astype(float)) / n
    return prevalence[:, None] - (1 - prevalence)[:, None] * (t / (1 - t))[None, :]


def net_benefit(y_true: object, risk: object, thresholds: object) -> pd.DataFrame:
    """Net benefit of treating (dissecting) when ``risk >= threshold``.

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = residual disease, one row per patient (the unit of the decision).
    risk : array-like of float
        Predicted probability of residual disease; a binary rule enters as 0/1.
    thresholds : array-like of float
        Threshold probabilities, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold, net_benefit, treat_all, treat_none``.

    Notes
    -----
    Net benefit at threshold probability :math:`p_t` is
    :math:`TP/n - FP/n \\cdot p_t / (1 - p_t)`, the true positives net of false positives
    weighted by the odds at which a clinician is indifferent between dissecting and
    observing (Vickers & Elkin 2006).  Dissecting all gives
    :math:`\\pi - (1 - \\pi)\\,p_t/(1 - p_t)` with prevalence :math:`\\pi`; dissecting none
    gives 0.  A patient is treated when ``risk >= threshold``, as in dcurves.

    Examples
    --------
    >>> nb = net_benefit([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], [0.5])
    >>> [float(v) for v in nb.loc[0, ["net_benefit", "treat_all", "treat_none"]]]
    [0.0, 0.0, 0.0]
    >>> float(net_benefit([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], [0.2]).net_benefit[0])
    0.4375
    """
    y = binary_outcome(y_true)
    r = finite_scores(risk, y.size, "risk")
    t = _thresholds(thresholds)
    ones = np.ones((1, y.size), dtype=np.int64)
    return pd.DataFrame(
        {
            "threshold": t,
            "net_benefit": _net_benefit_matrix(y, r, t, ones)[0],
            "treat_all": _treat_all_matrix(y, t, ones)[0],
            "treat_none": np.zeros(t.size),
        }
    )


@dataclass(frozen=True)
class DecisionCurve:
    """Decision curves of several strategies, with bootstrap intervals.

    ``table`` has one row per strategy and threshold: ``strategy, threshold, net_benefit,
    ci_low, ci_high`` and ``avoided_per_100, avoided_ci_low, avoided_ci_high``, the net
    reduction in unnecessary dissections per 100 patients compared with dissecting all
    (NaN for "dissect all" itself, whose reduction is 0 by definition, it is shown as 0).
    """

    n_boot: int
    level: float
    table: pd.DataFrame = field(repr=False)
    draws: dict[str, np.ndarray] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The long table."""
        return self.table.copy()


def decision_curve(
    y_true: object,
    strategies: Mapping[str, object],
    thresholds: object,
    *,
    cluster: object = None,
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
) -> DecisionCurve:
    """Decision curves with patient-level bootstrap intervals.

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = residual disease, one row per unit of decision.
    strategies : mapping of str to array-like
        Name to risk (a model's probability, or a rule's 0/1 call).  "dissect all" and
        "dissect none" are added.
    thresholds : array-like of float
        Threshold probabilities in (0, 1).
    cluster : array-like, optional
        Resampling unit of each row (patient), when rows are necks.
    n_boot : int
        Number of bootstrap resamples; 0 gives no intervals (NaN).
    seed : int or numpy.random.Generator
        Source of randomness for the resamples.
    level : float
        Level of the percentile intervals.

    Returns
    -------
    DecisionCurve

    Notes
    -----
    Net benefit as in :func:`net_benefit` (Vickers & Elkin 2006).  The net reduction in
    unnecessary dissections per 100 patients is
    :math:`100\\,(NB - NB_{all})\\,(1 - p_t)/p_t` (Vickers et al. 2008, "net reduction in
    interventions"; dcurves' ``net_intervention_avoided``).  Intervals: percentile
    bootstrap, resampling patients, with all strategies evaluated on the same resamples
    (Vickers et al. 2008).  The resamples are evaluated at once as a weight matrix.

    Examples
    --------
    >>> y = [1, 0, 1, 0, 1, 0]
    >>> curve = decision_curve(y, {"rule": [1, 0, 1, 1, 0, 0]}, [0.25, 0.5])
    >>> t = curve.table
    >>> [round(float(v), 4) for v in t[t.strategy == "rule"].net_benefit]
    [0.2778, 0.1667]
    >>> [round(float(v), 1) for v in t[t.strategy == "rule"].avoided_per_100]
    [-16.7, 16.7]
    """
    y = binary_outcome(y_true)
    t = _thresholds(thresholds)
    level = probability_level(level)
    if not isinstance(strategies, Mapping) or not strategies:
        raise ValueError("strategies must be a non-empty mapping of name to risk")
    for reserved in (ALL, NONE):
        if reserved in strategies:
            raise ValueError(f"{reserved!r} is added automatically; use another name")
    risks = {name: finite_scores(r, y.size, f"risk of {name!r}") for name, r in strategies.items()}
    ones = np.ones((1, y.size), dtype=np.int64)
    odds = t / (1 - t)
    point = {ALL: _treat_all_matrix(y, t, ones)[0], NONE: np.zeros(t.size)}
    for name, r in risks.items():
        point[name] = _net_benefit_matrix(y, r, t, ones)[0]
    draws: dict[str, np.ndarray] = {}
    if n_boot:
        weights = bootstrap_weights(cluster, y.size, n_boot=n_boot, seed=seed)
        draws[ALL] = _treat_all_matrix(y, t, weights)
        draws[NONE] = np.zeros((weights.shape[0], t.size))
        for name, r in risks.items():
            draws[name] = _net_benefit_matrix(y, r, t, weights)
    alpha = (1 - level) / 2
    frames = []
    for name, nb in point.items():
        avoided = 100 * (nb - point[ALL]) / odds
        if draws:
            boot = draws[name]
            low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0)
            boot_avoided = 100 * (boot - draws[ALL]) / odds
            a_low, a_high = np.quantile(boot_avoided, [alpha, 1 - alpha], axis=0)
        else:
            low = high = a_low = a_high = np.full(t.size, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "strategy": name,
                    "threshold": t,
                    "net_benefit": nb,
                    "ci_low": low,
                    "ci_high": high,
                    "avoided_per_100": avoided,
                    "avoided_ci_low": a_low,
                    "avoided_ci_high": a_high,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return DecisionCurve(n_boot=int(n_boot), level=level, table=table, draws=draws)
