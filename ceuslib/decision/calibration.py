"""Calibration of predicted risks: slope, intercept and a grouped table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ceuslib.accuracy import proportion_ci
from ceuslib.decision._checks import binary_outcome, both_classes, finite_scores


@dataclass(frozen=True)
class Calibration:
    """Logistic recalibration of predicted risks.

    ``intercept`` is the calibration-in-the-large (the intercept of a logistic model of the
    outcome with the predicted log-odds as offset: 0 when the mean risk is right);
    ``slope`` the coefficient of the predicted log-odds in a logistic model of the outcome
    (1 when risks are neither too extreme nor too modest; below 1 signals overfitting).
    """

    intercept: float
    slope: float


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


def calibration_slope_intercept(y_true: object, risk: object) -> Calibration:
    """Calibration slope and calibration-in-the-large of predicted risks.

    Parameters
    ----------
    y_true : array-like of int
        Observed outcome, 0 or 1 (booleans are accepted).
    risk : array-like of float
        Predicted probabilities, strictly between 0 and 1.

    Returns
    -------
    Calibration

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
    y = binary_outcome(y_true)
    r = finite_scores(risk, y.size, "risk")
    both_classes(y)
    if not np.all((r > 0) & (r < 1)):
        raise ValueError("risk must lie strictly between 0 and 1 (predicted probabilities)")
    lp = _logit(r)
    ones = np.ones((y.size, 1))
    intercept = _newton(ones, y, lp)[0]
    slope = _newton(np.column_stack((ones, lp)), y, np.zeros(y.size))[1]
    return Calibration(intercept=float(intercept), slope=float(slope))


def calibration_table(
    y_true: object, risk: object, *, n_groups: int = 10, level: float = 0.95
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
    y = binary_outcome(y_true)
    r = finite_scores(risk, y.size, "risk")
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
    return table[["group", "n", "mean_risk", "observed", "ci_low", "ci_high"]].astype({"n": float})
