"""Figures of the diagnostic-accuracy statistics: ROC curves.

The computations live in :mod:`ceuslib.accuracy` and :mod:`ceuslib.analysis`; colours and
sizes come from :mod:`ceuslib.plots.style`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from ceuslib.plots.palette import SERIES
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
