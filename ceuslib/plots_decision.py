"""Moved to :mod:`ceuslib.plots.decision`.

This name is deprecated and goes in the next release.
"""

from ceuslib.deprecation import warn_moved
from ceuslib.plots.decision import LINE_STYLES, plot_calibration, plot_decision_curve

__all__ = ["LINE_STYLES", "plot_calibration", "plot_decision_curve"]

warn_moved("ceuslib.plots_decision", "ceuslib.plots.decision")
