"""The tables that the chapters and ``ceuslib report`` share, computed in one place.

Each function takes an :class:`~ceuslib.analysis.sets.AnalysisSet` and returns a tidy
``DataFrame``; a chapter that shows one of these tables calls the same function as the report,
so the two agree to the last digit on the same data and seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.accuracy import (
    clustered_roc_auc,
    confusion_counts,
    diagnostic_metrics,
    proportion_ci,
    roc_auc,
    roc_curve,
)
from ceuslib.analysis.definitions import CEUS_READING, READINGS, SCORES, Score
from ceuslib.analysis.sets import AnalysisSet
from ceuslib.decision import PolicyResult, evaluate_policy
from ceuslib.errors import DegenerateTableWarning, warn, warning_context

#: The numeric columns of a row of the ROC table.
ROC_NUMBERS = (
    "auc",
    "delong_ci_low",
    "delong_ci_high",
    "clustered_ci_low",
    "clustered_ci_high",
)

#: The bootstrap seed of the report and of the chapters' copies of its tables.
DEFAULT_SEED = 20261126


def accuracy_table(aset: AnalysisSet, *, level: float = 0.95) -> pd.DataFrame:
    """Accuracy of every reading, node by node and patient by patient.

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.
    level : float
        Confidence level of the intervals (Wilson for proportions, log method for the
        likelihood ratios; :func:`ceuslib.accuracy.diagnostic_metrics`).

    Returns
    -------
    pandas.DataFrame
        One row per (``level``, ``test``, ``measure``): the cell counts ``tp, fp, fn, tn``
        and ``estimate, ci_low, ci_high``.  Node level: the ``node`` set; patient level:
        the ``patient`` set (see :func:`ceuslib.analysis.analysis_set`).  Each reading is
        scored on the units it read (:meth:`AnalysisSet.read_by`); a reading the study did
        not record (no ``ct_mri_call`` column) has no rows.

    Examples
    --------
    >>> from ceuslib.analysis import analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> table = accuracy_table(analysis_set(simulate_cohort(30, seed=5)))
    >>> sorted(table["level"].unique()), sorted(table["test"].unique())
    (['node', 'patient'], ['CEUS (centripetal filling)', 'CT/MRI call'])
    """
    rows = []
    for unit in ("node", "patient"):
        y = aset.truth(unit)
        for reading in READINGS:
            read = aset.read_by(unit, reading)
            if not read.any():  # a reading the study did not record has no table
                continue
            cells = confusion_counts(y[read], aset.calls(unit, reading)[read])
            with warning_context("accuracy table", f"{unit} level", reading.label):
                metrics = _metrics(cells, level)
            for measure, values in metrics.iterrows():
                rows.append(
                    {"level": unit, "test": reading.label, "measure": measure, **cells, **values}
                )
    return pd.DataFrame(rows)


def _metrics(cells: dict[str, int], level: float) -> pd.DataFrame:
    """:func:`diagnostic_metrics`, or its proportions alone when a class is empty.

    A study (or a subgroup) where every unit has residual disease, or none has, still gets
    the measures that are defined (sensitivity or specificity, predictive values, accuracy,
    prevalence, with Wilson intervals); the others are NaN and a warning says why.
    """
    tp, fp, fn, tn = (cells[k] for k in ("tp", "fp", "fn", "tn"))
    if tp + fn > 0 and fp + tn > 0:
        return diagnostic_metrics(**cells, level=level)
    missing = "with" if tp + fn == 0 else "without"
    warn(
        DegenerateTableWarning,
        f"no unit {missing} residual tumour on the reference standard: "
        f"{'sensitivity' if missing == 'with' else 'specificity'}, the likelihood ratios, the "
        "DOR and Youden's J are undefined (NaN)",
    )
    shares = {
        "sensitivity": (tp, tp + fn),
        "specificity": (tn, tn + fp),
        "ppv": (tp, tp + fp),
        "npv": (tn, tn + fn),
        "accuracy": (tp + tn, tp + fp + fn + tn),
        "prevalence": (tp + fn, tp + fp + fn + tn),
    }
    rows = {}
    for name, (k, n) in shares.items():
        if n > 0:
            low, high = proportion_ci(k, n, level=level)
            rows[name] = (k / n, float(low), float(high))
        else:
            rows[name] = (np.nan, np.nan, np.nan)
    for name in ("lr_positive", "lr_negative", "dor", "youden"):
        rows[name] = (np.nan, np.nan, np.nan)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "ci_low", "ci_high"])


def score_values(aset: AnalysisSet, score: Score) -> pd.DataFrame:
    """The nodes on which a score is analysed: the curve set for fitted descriptors.

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.
    score : Score
        A fitted descriptor (analysed on the curve set) or a ``nodes.csv`` column
        (analysed on the node set).

    Returns
    -------
    pandas.DataFrame
        ``patient_id``, ``truth`` and ``score`` for the nodes where the score is finite.

    Examples
    --------
    >>> from ceuslib.analysis import SCORES, analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> values = score_values(analysis_set(simulate_cohort(30, seed=5)), SCORES[0])
    >>> list(values.columns)
    ['patient_id', 'truth', 'score']
    """
    frame = aset.curve_level() if score.fitted else aset.node_level()
    if score.column not in frame:  # a cohort without curves has no fitted descriptors
        frame = frame.assign(**{score.column: np.nan})
    out = pd.DataFrame(
        {
            "patient_id": frame["patient_id"].to_numpy(),
            "truth": frame["truth"].to_numpy(dtype=bool),
            "score": frame[score.column].to_numpy(dtype=float),
        }
    )
    return out[np.isfinite(out["score"])].reset_index(drop=True)


def roc_table(
    aset: AnalysisSet, *, level: float = 0.95, scores: tuple[Score, ...] = SCORES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Area under the ROC curve of each quantitative score, plain and clustered.

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.
    level : float
        Confidence level of the intervals (DeLong; Obuchowski for the clustered one).
    scores : tuple of Score
        The scores, each with the direction that means residual tumour.

    Returns
    -------
    table : pandas.DataFrame
        One row per score: ``descriptor, label, direction, n_nodes, n_patients, auc,
        delong_ci_low, delong_ci_high`` (nodes taken as independent) and
        ``clustered_ci_low, clustered_ci_high`` (Obuchowski 1997, nodes within patients).
        A score with no node of either class has NaN in place of its numbers.
    points : pandas.DataFrame
        The empirical ROC curve of each score (``fpr, tpr, threshold, descriptor, label``).

    Examples
    --------
    >>> from ceuslib.analysis import analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> table, points = roc_table(analysis_set(simulate_cohort(30, seed=5)))
    >>> table["descriptor"].tolist()
    ['pe', 'wiauc', 'ttp', 'short_axis_mm']
    >>> bool(table["auc"].between(0, 1).all())
    True
    """
    rows, points = [], []
    for score in scores:
        data = score_values(aset, score)
        y = data["truth"].to_numpy()
        row = {
            "descriptor": score.column,
            "label": score.label,
            "direction": score.direction,
            "n_nodes": len(data),
            "n_patients": int(data["patient_id"].nunique()),
        }
        if min(int(y.sum()), int((~y).sum())) < 2:
            if len(y):  # with no node at all (no curves) the exclusions table says why
                with warning_context("ROC table", score.label):
                    warn(
                        DegenerateTableWarning,
                        f"{int(y.sum())} nodes with and {int((~y).sum())} without residual "
                        "tumour: the AUC and its intervals need at least two of each (NaN)",
                    )
            rows.append({**row, **dict.fromkeys(ROC_NUMBERS, float("nan"))})
            continue
        x = data["score"].to_numpy()
        with warning_context("ROC table", score.label):
            plain = roc_auc(y, x, level=level, direction=score.direction)
            clustered = clustered_roc_auc(
                y, x, data["patient_id"].to_numpy(), level=level, direction=score.direction
            )
        rows.append(
            {
                **row,
                "auc": plain.auc,
                "delong_ci_low": plain.ci_low,
                "delong_ci_high": plain.ci_high,
                "clustered_ci_low": clustered.ci_low,
                "clustered_ci_high": clustered.ci_high,
            }
        )
        curve = roc_curve(y, x, direction=score.direction).to_frame()
        points.append(curve.assign(descriptor=score.column, label=score.label))
    columns = ["fpr", "tpr", "threshold", "descriptor", "label"]
    points_frame = pd.concat(points, ignore_index=True) if points else pd.DataFrame(columns=columns)
    return pd.DataFrame(rows), points_frame


def decision_table(
    aset: AnalysisSet,
    *,
    n_resamples: int = 2000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> PolicyResult:
    """Observe every neck whose CEUS call is negative: what happens per 100 patients.

    Patients of the ``patient`` set; the neck is dissected when the CEUS call is positive.

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.
    n_resamples : int
        Bootstrap resamples of patients.
    seed : int
        Seed of the bootstrap (:data:`DEFAULT_SEED`, the report's).
    level : float
        Level of the percentile intervals.

    Returns
    -------
    ceuslib.decision.PolicyResult
        From :func:`ceuslib.decision.evaluate_policy`.

    Examples
    --------
    >>> from ceuslib.analysis import analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> result = decision_table(analysis_set(simulate_cohort(30, seed=5)), n_resamples=50)
    >>> "dissections_avoided" in result.to_frame().index
    True
    """
    patients = aset.patient_level()
    with warning_context("decision table", "patient level", CEUS_READING.label):
        return evaluate_policy(
            patients["residual"].to_numpy(dtype=int),
            dissect=aset.calls("patient", CEUS_READING),
            residual_nodes=patients["nodes_positive"].to_numpy(),
            n_resamples=n_resamples,
            seed=seed,
            level=level,
        )


def exclusions_table(aset: AnalysisSet) -> pd.DataFrame:
    """Every target node left out of an analysis, with its reason (STARD 2015 item 24).

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.

    Returns
    -------
    pandas.DataFrame
        ``node_id, patient_id, reason, in_patient_analysis, in_node_analysis``: the reason
        in words, with the fitter's flags for a curve that was not analysable; the last two
        say (``yes``/``no``) which wider analyses the node still enters.

    Examples
    --------
    >>> from ceuslib.analysis import analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> table = exclusions_table(analysis_set(simulate_cohort(12, seed=5)))
    >>> table["reason"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['not examined with CEUS: technical_failure', 'not matched to the specimen',
     'not matched to the specimen']
    """
    excluded = aset.exclusions()
    return pd.DataFrame(
        {
            "node_id": excluded["node_id"].astype(str),
            "patient_id": excluded["patient_id"].astype(str),
            "reason": excluded["detail"].astype(str),
            "in_patient_analysis": excluded["in_patient"].map({True: "yes", False: "no"}),
            "in_node_analysis": excluded["in_node"].map({True: "yes", False: "no"}),
        }
    )


__all__ = [
    "DEFAULT_SEED",
    "accuracy_table",
    "decision_table",
    "exclusions_table",
    "roc_table",
    "score_values",
]
