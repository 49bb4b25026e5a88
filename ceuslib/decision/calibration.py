"""Calibration of predicted risks: slope, intercept and a grouped table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy import proportion_ci


@dataclass(frozen=True)
class Calibration:
    """Logistic recalibration of predicted risks.

    Attributes
    ----------
    intercept : float
        The calibration-in-the-large: the intercept of a logistic model of the outcome
        with the predicted log-odds as offset (0 when the mean risk is right).
    slope : float
        The coefficient of the predicted log-odds in a logistic model of the outcome (1
        when risks are neither too extreme nor too modest; below 1 signals overfitting).
    n_omitted : int
        Rows left out for a missing value (``nan_policy="omit"``).
    """

    intercept: float
    slope: float
    n_omitted: int = 0


def _logit(risk: np.ndarray) -> np.ndarray:
    return np.log(risk) - np.log1p(-risk)


def _newton(x: np.ndarray, y: np.ndarray, offset: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """Maximum likelihood logistic coefficients for design ``x`` with an offset."""
    beta = np.zeros(x.shape[1])
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            eta = offset + x @ beta
            p = 1.0 / (1.0 + np.exp(-eta))
            gradient = x.T @ (y - p)
            hessian = (x * (p * (1 - p))[:, None]).T @ x
            try:
                step = np.linalg.solve(hessian, gradient)
            except np.linalg.LinAlgError:
                break
            beta = beta + step
            if not np.all(np.isfinite(beta)):
                break
            if np.max(np.abs(step)) < 1e-12:
                return beta
    raise ValueError(
        "the recalibration model did not converge (the outcome may be perfectly "
        "separated by the predicted risk)"
    )


def _outcome_and_risk(
    y_true: ArrayLike, risk: ArrayLike, pos_label: object, nan_policy: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Outcome as int64 0/1, risk as floats, and the number of rows left out."""
    columns, omitted = check.rows({"y_true": y_true, "risk": risk}, nan_policy=nan_policy)
    y = check.labels(columns["y_true"], pos_label=pos_label).astype(np.int64)
    if y.size == 0:
        raise ValueError("y_true must be a non-empty one-dimensional array of 0/1 outcomes")
    return y, check.scores(columns["risk"], name="risk"), omitted


def calibration_slope_intercept(
    y_true: ArrayLike, risk: ArrayLike, *, pos_label: object = None, nan_policy: str = "raise"
) -> Calibration:
    """Calibration slope and calibration-in-the-large of predicted risks.

    Parameters
    ----------
    y_true : array-like of int
        Observed outcome, 0 or 1 (booleans are accepted), or labels with ``pos_label``.
    risk : array-like of float
        Predicted probabilities, strictly between 0 and 1.
    pos_label : object, optional
        The label of ``y_true`` that means the event, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"`` (rows left out are counted in ``n_omitted``).

    Returns
    -------
    Calibration
        The calibration intercept and slope.

    Notes
    -----
    Cox (1958) recalibration: ``logit P(y = 1) = a + b * logit(risk)`` gives the slope
    ``b``; with ``b`` fixed at 1 (the log-odds as offset) the intercept ``a`` is the
    calibration-in-the-large (Steyerberg 2019, chapter 15; Van Calster et al. 2019).  Both
    are fitted by Newton-Raphson; values agree with R's ``glm`` (see the tests).

    Examples
    --------
    >>> c = calibration_slope_intercept([0, 0, 1, 1, 0, 1], [0.2, 0.4, 0.6, 0.8, 0.5, 0.3])
    >>> print(f"{c.intercept:.4f} {c.slope:.4f}")
    0.1581 1.4666
    """
    y, r, omitted = _outcome_and_risk(y_true, risk, pos_label, nan_policy)
    check.both_classes(y, what="the calibration slope")
    if not np.all((r > 0) & (r < 1)):
        raise ValueError("risk must lie strictly between 0 and 1 (predicted probabilities)")
    lp = _logit(r)
    ones = np.ones((y.size, 1))
    intercept = _newton(ones, y, lp)[0]
    slope = _newton(np.column_stack((ones, lp)), y, np.zeros(y.size))[1]
    return Calibration(intercept=float(intercept), slope=float(slope), n_omitted=omitted)


def calibration_table(
    y_true: ArrayLike,
    risk: ArrayLike,
    *,
    n_groups: int = 10,
    level: float = 0.95,
    pos_label: object = None,
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Observed against predicted risk in groups of similar predicted risk.

    Parameters
    ----------
    y_true : array-like of int
        Observed outcome, 0 or 1 (booleans are accepted).
    risk : array-like of float
        Predicted probabilities.
    n_groups : int
        Number of groups of (nearly) equal size, formed by the rank of the risk.
    level : float
        Level of the Wilson interval of each observed proportion.
    pos_label : object, optional
        As in :func:`calibration_slope_intercept`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`calibration_slope_intercept` (``attrs["n_omitted"]`` of the result).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, n, mean_risk, observed, ci_low, ci_high``.

    Notes
    -----
    Grouped calibration as in a Hosmer-Lemeshow table; the plot of ``observed`` against
    ``mean_risk`` is the calibration plot (Steyerberg 2019).  Intervals by
    ``ceuslib.accuracy.proportion_ci`` (Wilson).

    Examples
    --------
    >>> t = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], n_groups=2)
    >>> t[["n", "mean_risk", "observed"]].values.tolist()
    [[2.0, 0.15000000000000002, 0.0], [2.0, 0.8, 1.0]]
    """
    y, r, omitted = _outcome_and_risk(y_true, risk, pos_label, nan_policy)
    if not isinstance(n_groups, int) or not 1 <= n_groups <= y.size:
        raise ValueError(f"n_groups must be an integer from 1 to {y.size}, got {n_groups!r}")
    order = np.argsort(r, kind="stable")
    group = np.empty(y.size, dtype=np.int64)
    group[order] = np.arange(y.size) * n_groups // y.size
    frame = pd.DataFrame({"group": group, "y": y, "risk": r})
    table = frame.groupby("group").agg(
        n=("y", "size"), events=("y", "sum"), mean_risk=("risk", "mean")
    )
    low, high = proportion_ci(table.events.to_numpy(), table.n.to_numpy(), level=level)
    table = table.assign(observed=table.events / table.n, ci_low=low, ci_high=high).reset_index()
    table = table[["group", "n", "mean_risk", "observed", "ci_low", "ci_high"]].astype({"n": float})
    table.attrs["n_omitted"] = omitted
    return table
