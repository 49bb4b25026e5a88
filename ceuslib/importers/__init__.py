"""Inputs written by other programs: per-ROI parameter exports and stand-alone curve files.

- :func:`read_vuebox_export` reads a VueBox-style export of perfusion parameters per region
  of interest into the rows of a study's ``parameters.csv`` (``ceuslib import-parameters``);
- :func:`read_curve_file` reads a curve file that is not a study folder (wide or long) into
  the long table :func:`ceuslib.cohort.fit_cohort_curves` fits (``ceuslib fit CURVES.csv``).
"""

from ceuslib.importers.curves import CurveFile, read_curve_file
from ceuslib.importers.vuebox import LABEL_PATTERN, VUEBOX_NAMES, read_roi_map, read_vuebox_export

__all__ = [
    "LABEL_PATTERN",
    "VUEBOX_NAMES",
    "CurveFile",
    "read_curve_file",
    "read_roi_map",
    "read_vuebox_export",
]
