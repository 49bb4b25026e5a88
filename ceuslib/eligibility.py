"""Moved to :mod:`ceuslib.cohort.eligibility`.

This name is deprecated and goes in the next release.
"""

from ceuslib.cohort.eligibility import (
    CRITERIA,
    Criterion,
    ScreeningResult,
    StardFlow,
    screen,
    stard_flow,
)
from ceuslib.deprecation import warn_moved

__all__ = ["CRITERIA", "Criterion", "ScreeningResult", "StardFlow", "screen", "stard_flow"]

warn_moved("ceuslib.eligibility", "ceuslib.cohort.eligibility")
