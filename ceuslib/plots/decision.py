"""Figures of the decision statistics: decision curves and calibration plots.

The computations live in :mod:`ceuslib.decision`.  Colours and line styles come from
:mod:`ceuslib.plots.style`: every strategy has its own colour and line style, so no meaning is
carried by colour alone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
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
