"""Figures of the methods supplement (:mod:`ceuslib.report`): flow diagram and ROC curves.

Imported on demand, so ``import ceuslib`` stays free of matplotlib.  Files are written
reproducibly: no date in the SVG metadata, fixed SVG element ids, no software tag in PNGs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from ceuslib.palette import SERIES
from ceuslib.plots_study import plot_stard_flow

COLOURS = SERIES[:4]
LINE_STYLES = ("-", "--", "-.", ":")


def plot_roc(points, *, ax=None):
    """Empirical ROC curves, one per descriptor, with the chance diagonal.

    ``points`` has the columns ``label, fpr, tpr``, as the ``roc_points`` table of
    :class:`ceuslib.report.Report`.  Each curve has its own colour *and* line style.
    Returns the axes.

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
        points.groupby("label", sort=False), COLOURS * 2, LINE_STYLES * 2, strict=False
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
    ax.plot([0, 100], [0, 100], color="#7F7F7F", linestyle=(0, (1, 3)), label="Chance")
    ax.set_xlabel("1 - specificity (false-positive rate, %)")
    ax.set_ylabel("Sensitivity (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def save_report_figures(report, folder: Path) -> dict[str, str]:
    """Write ``stard_flow`` and ``roc`` as PNG and SVG into ``folder``; return their alt texts."""
    alts = {}
    with plt.rc_context({"svg.hashsalt": "ceuslib-report", "figure.facecolor": "white"}):
        figure = plot_stard_flow(report.flow)
        alts["stard_flow"] = (
            f"STARD flow diagram: {report.flow.referred} patients referred, "
            f"{report.flow.excluded} excluded, {report.flow.enrolled} enrolled, "
            f"{report.flow.index_test} examined with CEUS, {report.flow.target_positive} with "
            f"and {report.flow.target_negative} without residual nodal disease."
        )
        _save(figure, folder / "stard_flow")
        ax = plot_roc(report.roc_points)
        aucs = "; ".join(f"{row.label} AUC {row.auc:.2f}" for row in report.roc.itertuples())
        alts["roc"] = (
            "ROC curves, sensitivity against 1 - specificity in percent, of the quantitative "
            f"descriptors for viable tumour in a node: {aucs}."
        )
        _save(ax.figure, folder / "roc")
    return alts


def _save(figure, stem: Path) -> None:
    figure.savefig(
        stem.with_suffix(".png"), dpi=150, bbox_inches="tight", metadata={"Software": None}
    )
    figure.savefig(
        stem.with_suffix(".svg"), bbox_inches="tight", metadata={"Date": None, "Creator": None}
    )
    plt.close(figure)
