"""The analysis population and the tables the chapters and the report share.

- :mod:`ceuslib.analysis.definitions`: the readings, the CEUS-positive rule, the scores and
  their directions, stated once;
- :mod:`ceuslib.analysis.sets`: :func:`analysis_set`, which nodes and patients enter each
  analysis and why the others do not;
- :mod:`ceuslib.analysis.tables`: the accuracy, ROC, decision and exclusion tables;
- :mod:`ceuslib.analysis.sides`: the side of the neck as the unit of the decision, and the
  pre-specified primary score.
"""

from ceuslib.analysis.definitions import (
    CEUS_READING,
    CT_MRI_READING,
    READINGS,
    SCORES,
    SUSPICIOUS_CEUS,
    Reading,
    Score,
    suspicion_score,
)
from ceuslib.analysis.sets import POPULATIONS, REASONS, AnalysisSet, analysis_set
from ceuslib.analysis.sides import PRIMARY_SCORES, primary_score, side_level
from ceuslib.analysis.tables import (
    DEFAULT_SEED,
    accuracy_table,
    decision_table,
    exclusions_table,
    roc_table,
    score_values,
)

__all__ = [
    "CEUS_READING",
    "CT_MRI_READING",
    "DEFAULT_SEED",
    "POPULATIONS",
    "PRIMARY_SCORES",
    "READINGS",
    "REASONS",
    "SCORES",
    "SUSPICIOUS_CEUS",
    "AnalysisSet",
    "Reading",
    "Score",
    "accuracy_table",
    "analysis_set",
    "decision_table",
    "exclusions_table",
    "primary_score",
    "roc_table",
    "score_values",
    "side_level",
    "suspicion_score",
]
