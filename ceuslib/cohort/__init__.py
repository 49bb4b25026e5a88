"""Cohorts: synthetic studies in the real files' format, and reading real files.

- :func:`simulate_cohort` builds a :class:`Cohort` (screening log, patients, target nodes,
  time-intensity curves of the nodes and of reference regions, pathology per side of the neck,
  readers and their readings, examinations) from a seed and a :class:`Scenario` of cited
  assumptions.
- :func:`read_cohort` reads and validates a folder of files against the data dictionary
  (:func:`data_dictionary`; which files and columns are optional, and the Frictionless Data
  Package generated from it, in :mod:`ceuslib.cohort.dictionary` and
  :mod:`ceuslib.cohort.datapackage`), reporting every problem at once.
- :func:`fit_cohort_curves` fits every curve of a cohort with ``ceuslib.perfusion``, with
  amplitude ratios to the reference region of the same clip; :func:`parameter_fits` turns a
  study's ``parameters.csv`` (parameters another program computed) into the same table, and
  :func:`fitted_parameters` writes a cohort's own fits in that file's form.
"""

from ceuslib.cohort.dictionary import ColumnSpec, columns, data_dictionary
from ceuslib.cohort.fitting import fit_cohort_curves
from ceuslib.cohort.model import Cohort
from ceuslib.cohort.parameters import fitted_parameters, parameter_fits
from ceuslib.cohort.read import CohortWarning, read_cohort
from ceuslib.cohort.scenario import Scenario
from ceuslib.cohort.simulate import DEFAULT_PATIENTS, DEFAULT_SEED, simulate_cohort

__all__ = [
    "DEFAULT_PATIENTS",
    "DEFAULT_SEED",
    "Cohort",
    "CohortWarning",
    "ColumnSpec",
    "Scenario",
    "columns",
    "data_dictionary",
    "fit_cohort_curves",
    "fitted_parameters",
    "parameter_fits",
    "read_cohort",
    "simulate_cohort",
]
