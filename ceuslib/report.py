"""The methods-supplement tables and figures of a study, without building the book.

:func:`build_report` computes, from a cohort in the book's format (the shipped synthetic
cohort or a study's own files read by :func:`ceuslib.cohort.read_cohort`):

- ``stard``: the STARD 2015 participant flow (:func:`ceuslib.cohort.eligibility.stard_flow`);
- ``accuracy``: sensitivity, specificity, predictive values, likelihood ratios and the other
  measures of :func:`ceuslib.accuracy.diagnostic_metrics` (Wilson intervals) for the
  qualitative CEUS reading and for the CT/MRI call, node by node (nodes matched to pathology)
  and patient by patient (a patient is positive when any CEUS-examined node is);
- ``roc``: the area under the ROC curve of quantitative descriptors, with DeLong's interval
  (nodes taken as independent) and Obuchowski's clustered interval (nodes within patients);
- ``decision``: per 100 patients, what observing every neck whose CEUS-examined nodes are all
  CEUS-negative would do (:func:`ceuslib.decision.evaluate_policy`).

:func:`write_report` writes them as CSV files, the figures as PNG and SVG
(:mod:`ceuslib.plots.report`), and one HTML page that needs nothing from the network
(:mod:`ceuslib.report_page`), all at once or not at all (:mod:`ceuslib.outputs`).
``ceuslib report DIR --out OUT`` does both from the command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ceuslib.analysis import (
    DEFAULT_SEED,
    accuracy_table,
    analysis_set,
    decision_table,
    exclusions_table,
    roc_table,
)
from ceuslib.cohort import Cohort
from ceuslib.cohort.eligibility import StardFlow, stard_flow
from ceuslib.outputs import Target, folder_target, staged_folder
from ceuslib.report_page import report_page


@dataclass(frozen=True)
class Report:
    """The supplement's tables (one ``DataFrame`` each) and what they were computed with.

    Attributes
    ----------
    stard : pandas.DataFrame
        The counts of the STARD flow diagram.
    accuracy : pandas.DataFrame
        Accuracy of the CEUS call at patient and node level.
    roc : pandas.DataFrame
        AUC of each fitted descriptor.
    decision : pandas.DataFrame
        The spare-the-neck policy per 100 patients, one row per measure.
    exclusions : pandas.DataFrame
        Every node left out of the analysis, with its reason.
    index_test : pandas.DataFrame
        CEUS results by reference standard at both levels, uninterpretable results
        included.
    roc_points : pandas.DataFrame
        The points of the ROC curves (``label, fpr, tpr``).
    flow : ceuslib.cohort.eligibility.StardFlow
        The STARD flow the diagram is drawn from.
    decision_patients : int
        Patients in the decision table.
    n_boot : int
        Bootstrap resamples of the decision table's intervals.
    seed : int
        Seed of that bootstrap.
    level : float
        Confidence level of every interval.
    """

    stard: pd.DataFrame
    accuracy: pd.DataFrame
    roc: pd.DataFrame
    decision: pd.DataFrame
    exclusions: pd.DataFrame
    index_test: pd.DataFrame
    roc_points: pd.DataFrame = field(repr=False)
    flow: StardFlow = field(repr=False)
    decision_patients: int = 0
    n_boot: int = 2000
    seed: int = 0
    level: float = 0.95

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file stem, in the order of the report.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``stard_flow``, ``index_test_results``, ``exclusions``, ``accuracy``, ``roc``
            and ``decision``.
        """
        return {
            "stard_flow": self.stard,
            "index_test_results": self.index_test,
            "exclusions": self.exclusions,
            "accuracy": self.accuracy,
            "roc": self.roc,
            "decision": self.decision,
        }


def _index_test_results(aset) -> pd.DataFrame:
    """CEUS results by reference standard at both levels, uninterpretable results included."""
    frames = []
    for unit in ("patient", "node"):
        table = aset.index_test_results(unit).reset_index()
        frames.append(table.assign(level=unit))
    out = pd.concat(frames, ignore_index=True)
    return out[["level", "result", "target_present", "target_absent", "total"]]


def build_report(
    cohort: Cohort, *, n_boot: int = 2000, seed: int = DEFAULT_SEED, level: float = 0.95
) -> Report:
    """Compute the methods-supplement tables of a cohort.

    Parameters
    ----------
    cohort : Cohort
        From :func:`ceuslib.cohort.read_cohort` or :func:`ceuslib.cohort.simulate_cohort`.
    n_boot : int
        Bootstrap resamples of patients for the intervals of the decision table.
    seed : int
        Seed of that bootstrap: the same cohort and seed give the same numbers.
    level : float
        Confidence level of every interval.

    Returns
    -------
    Report
        The tables and the settings they were computed with.

    Notes
    -----
    Every table is computed by :mod:`ceuslib.analysis` on the analysis set of
    :func:`ceuslib.analysis.analysis_set`, as the book's chapters compute theirs: nodes
    enter the node-level tables when they were examined with CEUS, read and matched to the
    dissected specimen; the ROC table of fitted descriptors also needs a curve the fitter
    could analyse (no excluding flag).  Patients enter the patient-level tables when they
    have a CEUS call; their reference standard is ``residual_nodal_disease`` (any dissected
    node with viable tumour), the quantity that decides the neck.  Every node left out is
    listed with its reason in the ``exclusions`` table.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> report = build_report(simulate_cohort(40, seed=7), n_boot=50, seed=1)
    >>> sorted(report.tables())
    ['accuracy', 'decision', 'exclusions', 'index_test_results', 'roc', 'stard_flow']
    >>> sorted(report.accuracy["level"].unique())
    ['node', 'patient']
    """
    flow = stard_flow(cohort.screening, cohort.patients, cohort.nodes)
    aset = analysis_set(cohort)
    roc, points = roc_table(aset, level=level)
    policy = decision_table(aset, n_resamples=n_boot, seed=seed, level=level)
    return Report(
        stard=flow.to_frame(),
        accuracy=accuracy_table(aset, level=level),
        roc=roc,
        decision=policy.to_frame().rename_axis("measure").reset_index(),
        exclusions=exclusions_table(aset),
        index_test=_index_test_results(aset),
        roc_points=points,
        flow=flow,
        decision_patients=policy.n_patients,
        n_boot=n_boot,
        seed=seed,
        level=level,
    )


def write_report(
    report: Report,
    out: str | os.PathLike[str] | Target,
    *,
    source: str = "",
    force: bool = False,
) -> Path:
    """Write the report's tables (CSV), figures (PNG and SVG) and ``index.html`` into ``out``.

    The folder follows the output contract of :mod:`ceuslib.outputs`: it is assembled under
    a partial name beside ``out`` and put in place whole, with the marker
    ``.ceuslib-output`` listing its files.  ``out`` must be new or empty, or (with
    ``force``) an earlier report written by ceuslib that holds nothing else.

    Parameters
    ----------
    report : Report
        From :func:`build_report`.
    out : path-like or Target
        The folder to write (the command line passes a target it has checked).
    source : str
        Where the data came from, for the page's heading.
    force : bool
        Replace an earlier report written by ceuslib.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    ceuslib.outputs.OutputError
        When ``out`` may not be written (the message says why) or writing fails.

    Examples
    --------
    >>> import tempfile
    >>> from ceuslib.cohort import simulate_cohort
    >>> report = build_report(simulate_cohort(40, seed=7), n_boot=50, seed=1)
    >>> folder = write_report(report, Path(tempfile.mkdtemp()) / "report")
    >>> sorted(path.name for path in folder.glob("*.csv"))  # doctest: +NORMALIZE_WHITESPACE
    ['accuracy.csv', 'decision.csv', 'exclusions.csv', 'index_test_results.csv', 'roc.csv',
     'roc_points.csv', 'stard_flow.csv']
    >>> (folder / "index.html").exists()
    True
    """
    from ceuslib.plots.report import save_report_figures

    target = out if isinstance(out, Target) else folder_target(out, kind="report", force=force)
    with staged_folder(target) as staged:
        for stem, frame in report.tables().items():
            staged.write(f"{stem}.csv", _csv(frame))
        staged.write("roc_points.csv", _csv(report.roc_points))
        figures = save_report_figures(report, staged.path)
        staged.write("index.html", report_page(report, source=source, figures=figures))
    return target.path


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")
