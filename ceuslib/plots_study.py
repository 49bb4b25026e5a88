"""Moved to :mod:`ceuslib.plots.study`.

This name is deprecated and goes in the next release.
"""

from ceuslib.deprecation import warn_moved
from ceuslib.plots.study import plot_stard_flow

__all__ = ["plot_stard_flow"]

warn_moved("ceuslib.plots_study", "ceuslib.plots.study")
