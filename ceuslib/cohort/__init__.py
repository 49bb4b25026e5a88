"""Cohorts: synthetic studies in the real files' format, and reading real files.

- :func:`simulate_cohort` builds a :class:`Cohort` (screening log, patients, target nodes,
  time-intensity curves) from a seed and a :class:`Scenario` of cited assumptions.
- :func:`read_cohort` reads and validates a folder of files against the data dictionary
  (:func:`data_dictionary`), reporting every problem at once.
"""

from ceuslib.cohort.dictionary import ColumnSpec, columns, data_dictionary
from ceuslib.cohort.model import Cohort
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
    "read_cohort",
    "simulate_cohort",
]
