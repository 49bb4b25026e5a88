"""Figures of the diagnostic-accuracy statistics: ROC curves, predictive values, intervals.

The computations live in :mod:`ceuslib.accuracy` and :mod:`ceuslib.analysis`; colours and
sizes come from :mod:`ceuslib.plots.style`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ceuslib.plots.palette import BLUE, SERIES, VERMILLION
from ceuslib.plots.style import GREY

#: Colours and line styles of the ROC curves, paired in order: each curve differs from the
#: next four in both, so no curve is told apart by colour alone.
ROC_COLOURS = SERIES[:4]
ROC_LINE_STYLES = ("-", "--", "-.", ":")


def plot_roc(points: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Empirical ROC curves, one per descriptor, with the chance diagonal.

    Parameters
    ----------
    points : pandas.DataFrame
        The columns ``label, fpr, tpr``, one row per point of each curve in order, as the
        ``roc_points`` table of :class:`ceuslib.report.Report`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 5.5 x 5 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Each curve has its own colour *and* line style (:data:`ROC_COLOURS`,
        :data:`ROC_LINE_STYLES`).

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"label": ["a"] * 3, "fpr": [0, .5, 1], "tpr": [0, .8, 1]})
    >>> plot_roc(pts).get_xlabel()
    '1 - specificity (false-positive rate, %)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5), facecolor="white")
    for (label, curve), colour, style in zip(
        points.groupby("label", sort=False), ROC_COLOURS * 2, ROC_LINE_STYLES * 2, strict=False
    ):
        ax.step(
            100 * curve["fpr"],
            100 * curve["tpr"],
            where="post",
            color=colour,
            linestyle=style,
            linewidth=2,
            label=label,
        )
    ax.plot([0, 100], [0, 100], color=GREY, linestyle=(0, (1, 3)), label="Chance")
    ax.set_xlabel("1 - specificity (false-positive rate, %)")
    ax.set_ylabel("Sensitivity (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_predictive_values(
    values: pd.DataFrame,
    *,
    band: tuple[float, float] | None = None,
    band_label: str = "assumed range",
    ax: Axes | None = None,
) -> Axes:
    """NPV and PPV against prevalence, each with its hatched confidence band.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`ceuslib.accuracy.predictive_values`: ``prevalence, npv, npv_low,
        npv_high, ppv, ppv_low, ppv_high``.
    band : (float, float), optional
        A range of prevalences to shade (proportions), such as an assumed range.
    band_label : str
        The legend entry of ``band``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 6.5 x 4 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: NPV solid blue with ``//`` hatching, PPV dashed vermillion with
        dots.

    Examples
    --------
    >>> from ceuslib.accuracy import predictive_values
    >>> pv = predictive_values(tp=40, fp=10, fn=5, tn=45, prevalence=[0.2, 0.5, 0.8])
    >>> plot_predictive_values(pv, band=(0.46, 0.63)).get_xlabel()
    'Prevalence of residual nodal disease (%)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4), facecolor="white")
    if band is not None:
        ax.axvspan(100 * band[0], 100 * band[1], color="0.88", label=band_label)
    x = 100 * values["prevalence"].to_numpy(dtype=float)
    for name, style, colour, hatch in (("npv", "-", BLUE, "//"), ("ppv", "--", VERMILLION, "..")):
        ax.fill_between(
            x,
            100 * values[f"{name}_low"],
            100 * values[f"{name}_high"],
            facecolor="none",
            edgecolor=colour,
            hatch=hatch,
            linewidth=0,
        )
        ax.plot(x, 100 * values[name], style, color=colour, linewidth=2, label=name.upper())
    ax.set_xlabel("Prevalence of residual nodal disease (%)")
    ax.set_ylabel("Predictive value (%)")
    ax.set_ylim(0, 100)
    ax.legend(frameon=False, loc="lower center")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_intervals(intervals: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Estimates with their intervals, one row each, marked by method.

    Parameters
    ----------
    intervals : pandas.DataFrame
        ``quantity, method, estimate, ci_low, ci_high`` (proportions), one row per interval;
        rows of the first quantity are blue, the others vermillion.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: a circle for methods that take the units as independent, a
        square for Obuchowski's, a triangle for the patient bootstrap.

    Examples
    --------
    >>> rows = pd.DataFrame({"quantity": ["AUC"], "method": ["patient bootstrap"],
    ...                      "estimate": [0.8], "ci_low": [0.7], "ci_high": [0.9]})
    >>> plot_intervals(rows).get_xlabel()
    'Estimate and 95% interval (%)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.6 * len(intervals) + 1.2), facecolor="white")
    first = intervals["quantity"].iloc[0] if len(intervals) else None
    positions = np.arange(len(intervals))[::-1]
    for position, row in zip(positions, intervals.itertuples(), strict=True):
        colour = BLUE if row.quantity == first else VERMILLION
        marker = "s" if "Obuchowski" in row.method else "^" if "bootstrap" in row.method else "o"
        ax.plot([100 * row.ci_low, 100 * row.ci_high], [position, position], color=colour)
        ax.plot(100 * row.estimate, position, marker, color=colour, markersize=8)
    labels = [f"{q}: {m}" for q, m in zip(intervals["quantity"], intervals["method"], strict=True)]
    ax.set_yticks(positions, labels)
    ax.set_xlabel("Estimate and 95% interval (%)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
