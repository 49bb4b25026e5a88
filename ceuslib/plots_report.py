"""Moved to :mod:`ceuslib.plots.report` and :mod:`ceuslib.plots.accuracy` (``plot_roc``).

This name is deprecated and goes in the next release.
"""

from ceuslib.deprecation import warn_moved
from ceuslib.plots.accuracy import ROC_COLOURS as COLOURS
from ceuslib.plots.accuracy import ROC_LINE_STYLES as LINE_STYLES
from ceuslib.plots.accuracy import plot_roc
from ceuslib.plots.report import save_report_figures

__all__ = ["COLOURS", "LINE_STYLES", "plot_roc", "save_report_figures"]

warn_moved("ceuslib.plots_report", "ceuslib.plots.report")
