"""Net benefit and decision curves for "dissect" against "observe"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceuslib.decision._checks import binary_outcome, finite_scores, probability_level
from ceuslib.decision.resample import bootstrap_weights, percentile_interval

ALL = "dissect all"
NONE = "dissect none"


def _thresholds(thresholds: object) -> np.ndarray:
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise ValueError("thresholds must be a non-empty one-dimensional array of probabilities")
    if not np.all((t > 0) & (t < 1)):
        raise ValueError("thresholds must lie strictly between 0 and 1 (threshold probabilities)")
    return t


def _counts(
    y: np.ndarray, risk: np.ndarray, t: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted true and false positives (B, T), positives and total (B, 1)."""
    treated = risk[:, None] >= t[None, :]
    w = weights.astype(float)
    tp = w @ (treated & (y[:, None] == 1)).astype(float)
    fp = w @ (treated & (y[:, None] == 0)).astype(float)
    positives = (w @ y.astype(float))[:, None]
    n = w.sum(axis=1)[:, None]
    return tp, fp, positives, n


def _net_benefit_matrix(
    y: np.ndarray, risk: np.ndarray, t: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Net benefit and net dissections avoided per 100, per weight row (B) and threshold (T).

    Dissections avoided are computed from the observed necks directly,
    ``100 * (TN - FN * (1 - p_t) / p_t) / n``, which equals
    ``100 * (NB - NB_all) * (1 - p_t) / p_t`` and is exactly 0 for "dissect all".
    """
    tp, fp, positives, n = _counts(y, risk, t, weights)
    fn = positives - tp
    tn = n - positives - fp
    net = (tp - fp * (t / (1 - t))[None, :]) / n
    avoided = 100 * (tn - fn * ((1 - t) / t)[None, :]) / n
    return net, avoided


def _treat_all_matrix(y: np.ndarray, t: np.ndarray, weights: np.ndarray) -> np.ndarray:
    n = weights.sum(axis=1).astype(float)
    prevalence = (weights @ y.astype(float)) / n
    return prevalence[:, None] - (1 - prevalence)[:, None] * (t / (1 - t))[None, :]


def net_benefit(y_true: object, risk: object, thresholds: object) -> pd.DataFrame:
    """Net benefit of treating (dissecting) when ``risk >= threshold``.

    Parameters
    ----------
    y_true : array-like of int
        0 or 1; 1 = residual disease, one row per patient (the unit of the decision).
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
            "net_benefit": _net_benefit_matrix(y, r, t, ones)[0][0],
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
    (0 for "dissect all" itself).  ``draws`` holds the bootstrap net benefits, one array of
    shape ``(n_boot, n_thresholds)`` per strategy.
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
    y_true : array-like of int
        0 or 1; 1 = residual disease, one row per unit of decision.
    strategies : mapping
        Strategy name (str) to an array-like of risks (a model's probability, or a
        rule's 0/1 call).  "dissect all" and "dissect none" are added.
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
    interventions"; dcurves' ``net_intervention_avoided``), computed as
    :math:`100\\,(TN - FN\\,(1 - p_t)/p_t)/n`, the same quantity without cancellation.
    Intervals: percentile bootstrap, resampling patients, with all strategies evaluated on
    the same resamples (Vickers et al. 2008).  The resamples are evaluated at once as a
    weight matrix.

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
    everyone = np.ones(y.size)
    nobody = np.zeros(y.size)
    evaluated = {ALL: everyone, NONE: nobody, **risks}
    point = {name: _net_benefit_matrix(y, r, t, ones) for name, r in evaluated.items()}
    draws: dict[str, np.ndarray] = {}
    draws_avoided: dict[str, np.ndarray] = {}
    if n_boot:
        weights = bootstrap_weights(cluster, y.size, n_boot=n_boot, seed=seed)
        for name, r in evaluated.items():
            draws[name], draws_avoided[name] = _net_benefit_matrix(y, r, t, weights)
    frames = []
    for name, (nb, avoided) in point.items():
        if draws:
            low, high = percentile_interval(draws[name], level)
            a_low, a_high = percentile_interval(draws_avoided[name], level)
        else:
            low = high = a_low = a_high = np.full(t.size, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "strategy": name,
                    "threshold": t,
                    "net_benefit": nb[0],
                    "ci_low": low,
                    "ci_high": high,
                    "avoided_per_100": avoided[0],
                    "avoided_ci_low": a_low,
                    "avoided_ci_high": a_high,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return DecisionCurve(n_boot=int(n_boot), level=level, table=table, draws=draws)
