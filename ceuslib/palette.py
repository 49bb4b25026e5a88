"""Moved to :mod:`ceuslib.plots.palette`.

This name is deprecated and goes in the next release.
"""

from ceuslib.deprecation import warn_moved
from ceuslib.plots.palette import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    OKABE_ITO,
    ORANGE,
    REDDISH_PURPLE,
    SERIES,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    contrast_ratio,
)

__all__ = [
    "BLACK",
    "BLUE",
    "BLUISH_GREEN",
    "OKABE_ITO",
    "ORANGE",
    "REDDISH_PURPLE",
    "SERIES",
    "SKY_BLUE",
    "VERMILLION",
    "YELLOW",
    "contrast_ratio",
]

warn_moved("ceuslib.palette", "ceuslib.plots.palette")
