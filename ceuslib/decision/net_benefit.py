"""Net benefit and decision curves for "dissect" against "observe"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy._counts import threshold_counts, tie_groups
from ceuslib.accuracy.resample import (
    N_RESAMPLES_INTERVAL,
    cluster_counts,
    clusters_of,
    draw_clusters,
    percentile_bounds,
)

ALL = "dissect all"
NONE = "dissect none"


def _thresholds(thresholds: ArrayLike) -> np.ndarray:
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise ValueError("thresholds must be a non-empty one-dimensional array of probabilities")
    if not np.all((t > 0) & (t < 1)):
        raise ValueError("thresholds must lie strictly between 0 and 1 (threshold probabilities)")
    return t


def _counts(
    y: np.ndarray, risk: np.ndarray, t: np.ndarray, weights: np.ndarray | None, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted true and false positives of ``risk >= t`` (B, T), positives and total (B, 1).

    From the counts at every observed risk (one sort; the same counts as the ROC and the
    cut-points): ``risk >= t`` calls positive the units at or above the smallest observed
    risk that is at least ``t``. ``weights`` has one column per patient (``rows`` maps
    the units to them); ``None`` for the data themselves.
    """
    counts = threshold_counts(tie_groups(y, risk), weights, rows=rows)
    index = counts.at(t)
    tp = counts.tp[:, index].astype(float)
    fp = counts.fp[:, index].astype(float)
    positives = counts.positives[:, None].astype(float)
    n = positives + counts.negatives[:, None]
    return tp, fp, positives, n


def _net_benefit_matrix(
    y: np.ndarray,
    risk: np.ndarray,
    t: np.ndarray,
    weights: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Net benefit and net dissections avoided per 100, per weight row (B) and threshold (T).

    Dissections avoided are computed from the observed necks directly,
    ``100 * (TN - FN * (1 - p_t) / p_t) / n``, which equals
    ``100 * (NB - NB_all) * (1 - p_t) / p_t`` and is exactly 0 for "dissect all".
    """
    tp, fp, positives, n = _counts(y, risk, t, weights, rows)
    fn = positives - tp
    tn = n - positives - fp
    net = (tp - fp * (t / (1 - t))[None, :]) / n
    avoided = 100 * (tn - fn * ((1 - t) / t)[None, :]) / n
    return net, avoided


def _treat_all_matrix(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    n = float(y.size)
    prevalence = np.array([np.count_nonzero(y) / n])
    return prevalence[:, None] - (1 - prevalence)[:, None] * (t / (1 - t))[None, :]


def net_benefit(
    y_true: ArrayLike,
    risk: ArrayLike,
    thresholds: ArrayLike,
    *,
    pos_label: object = None,
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Net benefit of treating (dissecting) when ``risk >= threshold``.

    Parameters
    ----------
    y_true : array-like of int
        0 or 1; 1 = residual disease, one row per patient (the unit of the decision).
    risk : array-like of float
        Predicted probability of residual disease; a binary rule enters as 0/1.
    thresholds : array-like of float
        Threshold probabilities, strictly between 0 and 1.
    pos_label : object, optional
        The label of ``y_true`` that means residual disease, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``; rows left out are counted in
        ``attrs["n_omitted"]`` of the result.

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
    columns, omitted = check.rows({"y_true": y_true, "risk": risk}, nan_policy=nan_policy)
    y = _outcome(columns["y_true"], pos_label)
    r = check.scores(columns["risk"], name="risk")
    t = _thresholds(thresholds)
    table = pd.DataFrame(
        {
            "threshold": t,
            "net_benefit": _net_benefit_matrix(y, r, t)[0][0],
            "treat_all": _treat_all_matrix(y, t)[0],
            "treat_none": np.zeros(t.size),
        }
    )
    table.attrs["n_omitted"] = omitted
    return table


def _outcome(values: np.ndarray, pos_label: object) -> np.ndarray:
    y = check.labels(values, pos_label=pos_label)
    if y.size == 0:
        raise ValueError("y_true must be a non-empty one-dimensional array of 0/1 outcomes")
    return y


@dataclass(frozen=True)
class DecisionCurve:
    """Decision curves of several strategies, with bootstrap intervals.

    Attributes
    ----------
    n_resamples : int
        Number of bootstrap resamples of patients.
    level : float
        Level of the percentile intervals.
    table : pandas.DataFrame
        One row per strategy and threshold: ``strategy, threshold, net_benefit, ci_low,
        ci_high`` and ``avoided_per_100, avoided_ci_low, avoided_ci_high``, the net
        reduction in unnecessary dissections per 100 patients compared with dissecting all
        (0 for "dissect all" itself).
    draws : dict of str to numpy.ndarray
        The bootstrap net benefits, one array of shape ``(n_resamples, n_thresholds)`` per
        strategy.
    n_omitted : int
        Rows left out for a missing value (``nan_policy="omit"``).
    """

    n_resamples: int
    level: float
    table: pd.DataFrame = field(repr=False)
    draws: dict[str, np.ndarray] = field(repr=False)
    n_omitted: int = 0

    @property
    def n_boot(self) -> int:
        """Deprecated name of ``n_resamples``."""
        check.deprecated("DecisionCurve.n_boot is deprecated: use n_resamples")
        return self.n_resamples

    def to_frame(self) -> pd.DataFrame:
        """The long table.

        Returns
        -------
        pandas.DataFrame
            A copy of ``table``.
        """
        return self.table.copy()


@check.renamed(n_boot="n_resamples")
def decision_curve(
    y_true: ArrayLike,
    strategies: Mapping[str, object],
    thresholds: ArrayLike,
    *,
    cluster: ArrayLike | None = None,
    n_resamples: int = N_RESAMPLES_INTERVAL,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    pos_label: object = None,
    nan_policy: str = "raise",
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
    n_resamples : int
        Number of bootstrap resamples (formerly ``n_boot``): 2000 by default, as every
        percentile interval of the library; 0 gives no intervals (NaN).
    seed : int or numpy.random.Generator
        Source of randomness for the resamples.
    level : float
        Level of the percentile intervals.
    pos_label : object, optional
        The label of ``y_true`` that means residual disease, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``; with ``"omit"`` a row missing the outcome, a risk
        or its cluster is left out of every strategy (``n_omitted``).

    Returns
    -------
    DecisionCurve
        Net benefit of every strategy at every threshold, with intervals.

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
    >>> curve = decision_curve(y, {"rule": [1, 0, 1, 1, 0, 0]}, [0.25, 0.5], n_resamples=0)
    >>> t = curve.table
    >>> [round(float(v), 4) for v in t[t.strategy == "rule"].net_benefit]
    [0.2778, 0.1667]
    >>> [round(float(v), 1) for v in t[t.strategy == "rule"].avoided_per_100]
    [-16.7, 16.7]
    """
    t = _thresholds(thresholds)
    level = check.level(level)
    n_resamples = check.n_resamples(n_resamples, minimum=0)
    if not isinstance(strategies, Mapping) or not strategies:
        raise ValueError("strategies must be a non-empty mapping of name to risk")
    for reserved in (ALL, NONE):
        if reserved in strategies:
            raise ValueError(f"{reserved!r} is added automatically; use another name")
    names = {f"risk of {name!r}": name for name in strategies}
    columns, omitted = check.rows(
        {"y_true": y_true, **{key: strategies[name] for key, name in names.items()},
         "cluster": None if cluster is None else np.asarray(cluster, dtype=object)},
        nan_policy=nan_policy,
    )  # fmt: skip
    y = _outcome(columns["y_true"], pos_label)
    risks = {name: check.scores(columns[key], name=key) for key, name in names.items()}
    everyone = np.ones(y.size)
    nobody = np.zeros(y.size)
    evaluated = {ALL: everyone, NONE: nobody, **risks}
    point = {name: _net_benefit_matrix(y, r, t) for name, r in evaluated.items()}
    draws: dict[str, np.ndarray] = {}
    draws_avoided: dict[str, np.ndarray] = {}
    if n_resamples:
        codes, k = clusters_of(columns.get("cluster"), y.size)
        (drawn,) = draw_clusters(k, n_resamples, check.generator(seed))
        weights = cluster_counts(drawn, k)
        for name, r in evaluated.items():
            draws[name], draws_avoided[name] = _net_benefit_matrix(y, r, t, weights, codes)
    frames = []
    for name, (nb, avoided) in point.items():
        if draws:
            low, high = percentile_bounds(draws[name], level)
            a_low, a_high = percentile_bounds(draws_avoided[name], level)
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
    return DecisionCurve(
        n_resamples=n_resamples, level=level, table=table, draws=draws, n_omitted=omitted
    )
