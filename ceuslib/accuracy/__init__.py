"""Diagnostic accuracy statistics: 2x2 tables, intervals, ROC and DeLong, clustered data.

One module per family:

- ``proportions``: intervals for one proportion (Wilson by default).
- ``metrics``: the 2x2 table, its measures and predictive values at
  another prevalence.
- ``roc``: the empirical ROC curve, the AUC with DeLong's interval, the
  paired and unpaired DeLong tests.
- ``partial``: partial AUC with McClish's correction.
- ``bootstrap``: stratified bootstrap interval of the AUC.
- ``resample``: the one way every bootstrap draws patients, and the
  percentile interval.
- ``clustered``: several nodes per patient (Obuchowski's AUC, cluster
  bootstrap, patient-level aggregation).
- ``paired``: two binary tests on the same units (McNemar, paired
  differences of sensitivity and specificity).
- ``clustered_compare``: two tests on units nested in patients (clustered
  McNemar after Obuchowski 1998 or Durkalski et al. 2003; clustered DeLong
  after Obuchowski 1997).
- ``indeterminate``: inconclusive results (the 3x2 table; accuracy with
  them counted as positive, as negative and excluded).
- ``agreement``: Cohen's kappa, weighted or not.
- ``sample_size``: Buderer's sample size, Hanley and McNeil's SE.

Scores are oriented by an explicit ``direction`` ("higher" or "lower" values mean the
positive class), never guessed from the data. Labels other than 0/1 need ``pos_label``;
missing values are an error unless ``nan_policy="omit"``, which leaves their rows out and
says how many (``n_omitted``).
"""

from ceuslib.accuracy.agreement import Kappa, agreement_weights, cohen_kappa, kappa_from_table
from ceuslib.accuracy.bootstrap import bootstrap_auc
from ceuslib.accuracy.clustered import (
    ClusteredRocAuc,
    aggregate_by_patient,
    cluster_bootstrap,
    cluster_bootstrap_auc,
    clustered_roc_auc,
)
from ceuslib.accuracy.clustered_compare import (
    ClusteredAucComparison,
    ClusteredMcNemar,
    clustered_delong_test,
    clustered_mcnemar,
)
from ceuslib.accuracy.indeterminate import IndeterminateAccuracy, indeterminate_accuracy
from ceuslib.accuracy.metrics import (
    METRICS,
    ConfusionCounts,
    confusion_counts,
    diagnostic_metrics,
    predictive_values,
)
from ceuslib.accuracy.paired import (
    McNemarTest,
    PairedDifference,
    compare_binary_tests,
    mcnemar_test,
    paired_proportion_difference,
)
from ceuslib.accuracy.partial import PartialAuc, partial_auc
from ceuslib.accuracy.proportions import PROPORTION_METHODS, proportion_ci
from ceuslib.accuracy.resample import BootstrapInterval
from ceuslib.accuracy.roc import (
    AucComparison,
    RocAuc,
    RocCurve,
    delong_test,
    delong_test_unpaired,
    roc_auc,
    roc_curve,
)
from ceuslib.accuracy.sample_size import SampleSize, buderer_sample_size, hanley_mcneil_se
from ceuslib.errors import DegenerateTableWarning, PartialAucWarning

__all__ = [
    "METRICS",
    "PROPORTION_METHODS",
    "AucComparison",
    "BootstrapInterval",
    "ClusteredAucComparison",
    "ClusteredMcNemar",
    "ClusteredRocAuc",
    "ConfusionCounts",
    "DegenerateTableWarning",
    "IndeterminateAccuracy",
    "Kappa",
    "McNemarTest",
    "PairedDifference",
    "PartialAuc",
    "PartialAucWarning",
    "RocAuc",
    "RocCurve",
    "SampleSize",
    "aggregate_by_patient",
    "agreement_weights",
    "bootstrap_auc",
    "buderer_sample_size",
    "cluster_bootstrap",
    "cluster_bootstrap_auc",
    "clustered_delong_test",
    "clustered_mcnemar",
    "clustered_roc_auc",
    "cohen_kappa",
    "compare_binary_tests",
    "confusion_counts",
    "delong_test",
    "delong_test_unpaired",
    "diagnostic_metrics",
    "hanley_mcneil_se",
    "indeterminate_accuracy",
    "kappa_from_table",
    "mcnemar_test",
    "paired_proportion_difference",
    "partial_auc",
    "predictive_values",
    "proportion_ci",
    "roc_auc",
    "roc_curve",
]
