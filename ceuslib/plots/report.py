"""Figures of the methods supplement (:mod:`ceuslib.report`), saved as PNG and SVG.

The flow diagram (:func:`ceuslib.plots.study.plot_stard_flow`) and the ROC curves
(:func:`ceuslib.plots.accuracy.plot_roc`), drawn in the style of
:mod:`ceuslib.plots.style`.  Files are written reproducibly: no date in the SVG metadata,
fixed SVG element ids, no software tag in PNGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import matplotlib.pyplot as plt
import pandas as pd

from ceuslib.cohort.eligibility import StardFlow
from ceuslib.plots.accuracy import plot_roc
from ceuslib.plots.study import plot_stard_flow
from ceuslib.plots.style import style_context


class _ReportFigures(Protocol):
    """What the figures are drawn from: a :class:`ceuslib.report.Report` (which imports this
    module, so it is named here by what it holds)."""

    flow: StardFlow
    roc: pd.DataFrame
    roc_points: pd.DataFrame


def save_report_figures(report: _ReportFigures, folder: Path) -> dict[str, str]:
    """Write ``stard_flow`` and ``roc`` as PNG and SVG into ``folder``; return their alt texts.

    Parameters
    ----------
    report : ceuslib.report.Report
        The tables to draw.
    folder : pathlib.Path
        An existing folder.

    Returns
    -------
    dict of str to str
        The alt text of each figure, by file stem.

    Examples
    --------
    >>> import tempfile
    >>> from ceuslib.cohort import simulate_cohort
    >>> from ceuslib.report import build_report
    >>> report = build_report(simulate_cohort(40, seed=7), n_boot=50, seed=1)
    >>> folder = Path(tempfile.mkdtemp())
    >>> sorted(save_report_figures(report, folder))
    ['roc', 'stard_flow']
    >>> sorted(path.name for path in folder.iterdir())
    ['roc.png', 'roc.svg', 'stard_flow.png', 'stard_flow.svg']
    """
    alts = {}
    with style_context():
        figure = plot_stard_flow(report.flow)
        alts["stard_flow"] = (
            "STARD flow diagram: "
            + (
                "no screening log, "
                if report.flow.referred is None
                else f"{report.flow.referred} patients referred, {report.flow.excluded} excluded, "
            )
            + f"{report.flow.enrolled} enrolled, "
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
