"""Diagnostic accuracy statistics: 2x2 tables, intervals, ROC and DeLong, clustered data.

One module per family:

- :mod:`~ceuslib.accuracy.proportions`: intervals for one proportion (Wilson by default).
- :mod:`~ceuslib.accuracy.metrics`: the 2x2 table, its measures and predictive values at
  another prevalence.
- :mod:`~ceuslib.accuracy.roc`: the empirical ROC curve, the AUC with DeLong's interval, the
  paired and unpaired DeLong tests.
"""

from ceuslib.accuracy._checks import DegenerateTableWarning
from ceuslib.accuracy.metrics import (
    METRICS,
    confusion_counts,
    diagnostic_metrics,
    predictive_values,
)
from ceuslib.accuracy.proportions import PROPORTION_METHODS, proportion_ci
from ceuslib.accuracy.roc import (
    AucComparison,
    RocAuc,
    RocCurve,
    delong_test,
    delong_test_unpaired,
    roc_auc,
    roc_curve,
)

__all__ = [
    "METRICS",
    "PROPORTION_METHODS",
    "AucComparison",
    "DegenerateTableWarning",
    "RocAuc",
    "RocCurve",
    "confusion_counts",
    "delong_test",
    "delong_test_unpaired",
    "diagnostic_metrics",
    "predictive_values",
    "proportion_ci",
    "roc_auc",
    "roc_curve",
]
