"""Figures of the decision statistics: decision curves, calibration, cut-points, residual risk.

The computations live in :mod:`ceuslib.decision`.  Colours and line styles come from
:mod:`ceuslib.plots.style`: every strategy has its own colour and line style, so no meaning is
carried by colour alone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from ceuslib.decision import DecisionCurve, calibration_table
from ceuslib.plots.palette import BLACK, BLUE, SERIES
from ceuslib.plots.style import GREY, LINE_STYLES


def plot_decision_curve(
    curve: DecisionCurve,
    *,
    ax: Axes | None = None,
    show_ci: bool = True,
    ylim: tuple[float, float] | None = None,
) -> Axes:
    """Net benefit against threshold probability, one line per strategy.

    "dissect all" is drawn in grey (dash-dot), "dissect none" in black (dotted); the other
    strategies take the Okabe-Ito colours and distinct line styles, with their bootstrap
    bands when the curve has them.

    Parameters
    ----------
    curve : DecisionCurve
        From :func:`ceuslib.decision.decision_curve`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    show_ci : bool
        Draw the bootstrap bands.
    ylim : tuple of float, optional
        Limits of the net-benefit axis; by default from -0.05 to just above the largest
        net benefit.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> from ceuslib.decision import decision_curve
    >>> curve = decision_curve([1, 0, 1, 0], {"rule": [1, 0, 1, 1]}, [0.1, 0.2, 0.3])
    >>> ax = plot_decision_curve(curve)
    >>> ax.get_xlabel()
    'Threshold probability of residual disease (%)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2), facecolor="white")
    table = curve.table
    others = [s for s in table.strategy.unique() if s not in ("dissect all", "dissect none")]
    for name, colour, style in (
        ("dissect all", GREY, "-."),
        ("dissect none", BLACK, ":"),
        *zip(others, SERIES, LINE_STYLES, strict=False),
    ):
        rows = table[table.strategy == name]
        x = 100 * rows.threshold.to_numpy()
        ax.plot(x, rows.net_benefit, linestyle=style, color=colour, linewidth=2, label=name)
        if show_ci and name != "dissect none" and rows.ci_low.notna().all():
            ax.fill_between(x, rows.ci_low, rows.ci_high, color=colour, alpha=0.15, linewidth=0)
    ax.set_xlabel("Threshold probability of residual disease (%)")
    ax.set_ylabel("Net benefit (true positives per patient)")
    if ylim is None:
        top = table.net_benefit.max()
        ylim = (-0.05, top + 0.05)
    ax.set_ylim(*ylim)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_calibration(
    y_true: ArrayLike,
    risk: ArrayLike,
    *,
    n_groups: int = 10,
    ax: Axes | None = None,
    label: str = "groups",
) -> Axes:
    """Observed against predicted risk in groups, with Wilson intervals and the diagonal.

    Parameters
    ----------
    y_true : array_like of int
        Outcome per patient (1 = residual disease).
    risk : array_like of float
        Predicted risk per patient.
    n_groups : int
        Number of groups of predicted risk (see :func:`ceuslib.decision.calibration_table`).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    label : str
        Legend label of the groups.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_calibration([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9], n_groups=2)
    >>> ax.get_ylabel()
    'Observed share with residual disease (%)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.5), facecolor="white")
    table = calibration_table(y_true, risk, n_groups=n_groups)
    x = 100 * table.mean_risk.to_numpy()
    y = 100 * table.observed.to_numpy()
    err = np.vstack((y - 100 * table.ci_low.to_numpy(), 100 * table.ci_high.to_numpy() - y))
    ax.plot([0, 100], [0, 100], color=GREY, linestyle="--", label="perfect calibration")
    ax.errorbar(x, y, yerr=err, fmt="o", color=BLUE, capsize=3, label=label)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Predicted risk of residual disease (%)")
    ax.set_ylabel("Observed share with residual disease (%)")
    ax.legend(frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_cutpoint_accuracy(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    direction: str = "higher",
    target: float | None = None,
    cutpoints: dict[str, float] | None = None,
    xlabel: str = "Cut-point of the score",
    ax: Axes | None = None,
) -> Axes:
    """Sensitivity, specificity and NPV at every cut-point of a score.

    Parameters
    ----------
    y_true : array-like
        Reference standard per unit: 1 (or True) = residual disease.
    score : array-like
        The score per unit (float).
    direction : {"higher", "lower"}
        ``"higher"``: a unit is positive (dissect) when ``score >= cutpoint``; ``"lower"``:
        when ``score <= cutpoint``.
    target : float, optional
        A sensitivity target drawn as a dotted horizontal line.
    cutpoints : dict of str to float, optional
        Chosen cut-points drawn as vertical lines, in order dash-dot, dashed, solid grey.
    xlabel : str
        The name of the score, with its unit.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 6.5 x 4.2 inch figure when omitted. The legend stands to the
        right of the axes.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_cutpoint_accuracy([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], target=0.9,
    ...                             cutpoints={"a": 0.35})
    >>> ax.get_ylabel()
    'Accuracy (%)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2), facecolor="white", layout="constrained")
    y = np.asarray(y_true, dtype=bool)
    x = np.asarray(score, dtype=float)
    grid = np.unique(x)
    positive = (
        (x[None, :] >= grid[:, None]) if direction == "higher" else (x[None, :] <= grid[:, None])
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        sens = (positive & y).sum(axis=1) / max(int(y.sum()), 1)
        spec = (~positive & ~y).sum(axis=1) / max(int((~y).sum()), 1)
        npv = (~positive & ~y).sum(axis=1) / (~positive).sum(axis=1)
    where = "post" if direction == "higher" else "pre"
    for values, name, colour, style in (
        (sens, "sensitivity", BLUE, "-"),
        (spec, "specificity", SERIES[1], "--"),
        (npv, "NPV", SERIES[2], (0, (1, 1))),
    ):
        ax.step(grid, 100 * values, where=where, color=colour, linestyle=style, label=name)
    if target is not None:
        ax.axhline(100 * target, color=BLACK, linestyle=":", linewidth=1)
    for (name, cut), style, colour in zip(
        (cutpoints or {}).items(), ("-.", "--", "-"), (SERIES[4], BLACK, GREY), strict=False
    ):
        ax.axvline(cut, color=colour, linestyle=style, linewidth=1.2, label=name)
    if grid.size and grid.min() > 0 and grid.max() / grid.min() > 20:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Accuracy (%)")
    ax.set_ylim(0, 102)
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.02, 0.5))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_risk_by_prevalence(
    band: pd.DataFrame,
    *,
    assumed: tuple[float, float] | None = None,
    thresholds: tuple[float, ...] = (0.20, 0.10),
    ax: Axes | None = None,
) -> Axes:
    """Residual risk in observed necks against the prevalence of residual nodal disease.

    Parameters
    ----------
    band : pandas.DataFrame
        From :func:`ceuslib.decision.prevalence_shift`: ``prevalence, risk_if_observed,
        risk_if_observed_low, risk_if_observed_high``.
    assumed : (float, float), optional
        An assumed range of prevalences, drawn as two grey dash-dot lines.
    thresholds : tuple of float
        Risk thresholds drawn as horizontal lines (dotted, then dashed).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 6.5 x 4.2 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> band = pd.DataFrame({"prevalence": [0.3, 0.6], "risk_if_observed": [0.1, 0.2],
    ...     "risk_if_observed_low": [0.05, 0.1], "risk_if_observed_high": [0.2, 0.3]})
    >>> plot_risk_by_prevalence(band, assumed=(0.46, 0.63)).get_xlabel()
    'Prevalence of residual nodal disease (%, an assumption)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2), facecolor="white")
    band = band.sort_values("prevalence")
    x = 100 * band["prevalence"].to_numpy(dtype=float)
    ax.fill_between(x, 100 * band["risk_if_observed_low"], 100 * band["risk_if_observed_high"],
                    color=BLUE, alpha=0.2, linewidth=0, label="95% interval")  # fmt: skip
    ax.plot(x, 100 * band["risk_if_observed"], color=BLUE, label="risk if observed")
    for threshold, style in zip(thresholds, (":", "--"), strict=False):
        ax.axhline(100 * threshold, color=BLACK, linestyle=style, linewidth=1,
                   label=f"{threshold:.0%} threshold")  # fmt: skip
    for value in assumed or ():
        ax.axvline(100 * value, color=GREY, linestyle="-.", linewidth=1)
    ax.set_xlabel("Prevalence of residual nodal disease (%, an assumption)")
    ax.set_ylabel("Residual disease in observed necks (%)")
    ax.set_ylim(0, None)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
