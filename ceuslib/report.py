"""The methods-supplement tables and figures of a study, without building the book.

:func:`build_report` computes, from a cohort in the book's format (the shipped synthetic
cohort or a study's own files read by :func:`ceuslib.cohort.read_cohort`):

- ``stard``: the STARD 2015 participant flow (:func:`ceuslib.eligibility.stard_flow`);
- ``accuracy``: sensitivity, specificity, predictive values, likelihood ratios and the other
  measures of :func:`ceuslib.accuracy.diagnostic_metrics` (Wilson intervals) for the
  qualitative CEUS reading and for the CT/MRI call, node by node (nodes matched to pathology)
  and patient by patient (a patient is positive when any CEUS-examined node is);
- ``roc``: the area under the ROC curve of quantitative descriptors, with DeLong's interval
  (nodes taken as independent) and Obuchowski's clustered interval (nodes within patients);
- ``decision``: per 100 patients, what observing every neck whose CEUS-examined nodes are all
  CEUS-negative would do (:func:`ceuslib.decision.evaluate_policy`).

:func:`write_report` writes them as CSV files, the figures as PNG and SVG, and one HTML page
that needs nothing from the network, all at once or not at all (:mod:`ceuslib.outputs`).
``ceuslib report DIR --out OUT`` does both from the command line.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ceuslib import __version__
from ceuslib.accuracy import (
    clustered_roc_auc,
    confusion_counts,
    diagnostic_metrics,
    roc_auc,
    roc_curve,
)
from ceuslib.cohort import Cohort
from ceuslib.cohort.fitting import fit_cohort_curves
from ceuslib.decision import evaluate_policy
from ceuslib.eligibility import stard_flow
from ceuslib.outputs import Target, folder_target, staged_folder

#: The qualitative CEUS reading: a node is positive when contrast fills it centripetally,
#: from the capsule inwards (metastatic pattern; benign nodes fill centrifugally, Ling 2020).
CEUS_POSITIVE = ("ceus_direction", "centripetal")

#: Quantitative descriptors of the ROC table: column, label, and which end means residual
#: tumour.  Direction is stated, never guessed from the data: perfusion is expected to stay
#: higher in viable tumour than in a fibrotic regression bed, and malignant nodes peak
#: earlier than benign ones (Dudau 2014); larger nodes are more suspicious.
ROC_DESCRIPTORS = (
    ("pe", "Peak enhancement (fitted, a.u.)", "higher"),
    ("wiauc", "Wash-in AUC (fitted, a.u. s)", "higher"),
    ("ttp", "Time to peak (s)", "lower"),
    ("short_axis_mm", "B-mode short axis (mm)", "higher"),
)

TESTS = {
    "CEUS (centripetal filling)": lambda nodes: nodes[CEUS_POSITIVE[0]] == CEUS_POSITIVE[1],
    "CT/MRI call": lambda nodes: nodes["ct_mri_call"] == "positive",
}


@dataclass(frozen=True)
class Report:
    """The supplement's tables (one ``DataFrame`` each) and what they were computed with."""

    stard: pd.DataFrame
    accuracy: pd.DataFrame
    roc: pd.DataFrame
    decision: pd.DataFrame
    roc_points: pd.DataFrame = field(repr=False)
    flow: object = field(repr=False)
    decision_patients: int = 0
    n_boot: int = 2000
    seed: int = 0
    level: float = 0.95

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file stem, in the order of the report."""
        return {
            "stard_flow": self.stard,
            "accuracy": self.accuracy,
            "roc": self.roc,
            "decision": self.decision,
        }


def _analysis_nodes(cohort: Cohort) -> pd.DataFrame:
    """CEUS-examined target nodes matched to pathology, with their fitted descriptors."""
    nodes = cohort.nodes
    imaged = nodes[(nodes["ceus_imaged"] == "yes") & nodes["viable_tumour"].isin(["yes", "no"])]
    fits = fit_cohort_curves(cohort.tics)
    if "converged" not in fits:
        fits = fits.assign(converged=pd.Series(dtype=bool))
    return imaged.merge(fits, on="node_id", how="left").reset_index(drop=True)


def _patient_calls(cohort: Cohort) -> pd.DataFrame:
    """Per patient with a CEUS-examined node: the reference standard and each test's call."""
    nodes = cohort.nodes[cohort.nodes["ceus_imaged"] == "yes"]
    calls = pd.DataFrame({name: rule(nodes) for name, rule in TESTS.items()})
    calls["patient_id"] = nodes["patient_id"].to_numpy()
    per_patient = calls.groupby("patient_id", sort=True).any()
    truth = cohort.patients.set_index("patient_id")[["residual_nodal_disease", "nodes_positive"]]
    return per_patient.join(truth, how="inner")


def _accuracy_rows(level_name: str, y: np.ndarray, calls: dict[str, np.ndarray], level: float):
    rows = []
    for test, positive in calls.items():
        cells = confusion_counts(y, positive)
        table = diagnostic_metrics(**cells, level=level)
        for measure, values in table.iterrows():
            rows.append({"level": level_name, "test": test, "measure": measure, **cells, **values})
    return rows


def build_report(
    cohort: Cohort, *, n_boot: int = 2000, seed: int = 20261126, level: float = 0.95
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

    Notes
    -----
    Nodes enter the node-level tables when they were examined with CEUS and matched to the
    dissected specimen; the ROC table also needs a converged curve fit.  Patients enter the
    patient-level tables when at least one target node was examined with CEUS; their
    reference standard is ``residual_nodal_disease`` (any dissected node with viable
    tumour), the quantity that decides the neck.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> report = build_report(simulate_cohort(40, seed=7), n_boot=50, seed=1)
    >>> sorted(report.tables())
    ['accuracy', 'decision', 'roc', 'stard_flow']
    >>> sorted(report.accuracy["level"].unique())
    ['node', 'patient']
    """
    flow = stard_flow(cohort.screening, cohort.patients, cohort.nodes)
    nodes = _analysis_nodes(cohort)
    y_nodes = (nodes["viable_tumour"] == "yes").to_numpy()
    node_calls = {name: rule(nodes).to_numpy() for name, rule in TESTS.items()}
    patients = _patient_calls(cohort)
    y_patients = (patients["residual_nodal_disease"] == "yes").to_numpy()
    patient_calls = {name: patients[name].to_numpy() for name in TESTS}
    accuracy = pd.DataFrame(
        _accuracy_rows("node", y_nodes, node_calls, level)
        + _accuracy_rows("patient", y_patients, patient_calls, level)
    )

    fitted = nodes[nodes["converged"].fillna(False).astype(bool)].reset_index(drop=True)
    y_fit = (fitted["viable_tumour"] == "yes").to_numpy()
    roc_rows, points = [], []
    for column, label, direction in ROC_DESCRIPTORS:
        score = fitted[column].to_numpy(dtype=float)
        plain = roc_auc(y_fit, score, level=level, direction=direction)
        clustered = clustered_roc_auc(
            y_fit, score, fitted["patient_id"].to_numpy(), level=level, direction=direction
        )
        roc_rows.append(
            {
                "descriptor": column,
                "label": label,
                "direction": direction,
                "n_nodes": len(score),
                "n_patients": clustered.n_clusters,
                "auc": plain.auc,
                "delong_ci_low": plain.ci_low,
                "delong_ci_high": plain.ci_high,
                "clustered_ci_low": clustered.ci_low,
                "clustered_ci_high": clustered.ci_high,
            }
        )
        curve = roc_curve(y_fit, score, direction=direction).to_frame()
        points.append(curve.assign(descriptor=column, label=label))

    ceus = patients["CEUS (centripetal filling)"].to_numpy()
    policy = evaluate_policy(
        ceus,
        y_patients.astype(int),
        residual_nodes=patients["nodes_positive"].to_numpy(),
        n_boot=n_boot,
        seed=seed,
        level=level,
    )
    decision = policy.to_frame().rename_axis("measure").reset_index()
    return Report(
        stard=flow.to_frame(),
        accuracy=accuracy,
        roc=pd.DataFrame(roc_rows),
        decision=decision,
        roc_points=pd.concat(points, ignore_index=True),
        flow=flow,
        decision_patients=policy.n_patients,
        n_boot=n_boot,
        seed=seed,
        level=level,
    )


def _html_page(report: Report, source: str, figures: dict[str, str]) -> str:
    def table(frame: pd.DataFrame) -> str:
        return frame.to_html(index=False, float_format=lambda x: f"{x:.3f}", border=0)

    accuracy = report.accuracy[
        report.accuracy["measure"].isin(
            ["sensitivity", "specificity", "ppv", "npv", "lr_positive", "lr_negative"]
        )
    ][["level", "test", "measure", "estimate", "ci_low", "ci_high", "tp", "fp", "fn", "tn"]]
    roc = report.roc.drop(columns=["descriptor"])
    sections = [
        ("Participant flow (STARD 2015)", table(report.stard), "stard_flow"),
        (
            f"Diagnostic accuracy ({report.level:.0%} Wilson intervals; log-method likelihood "
            "ratios)",
            table(accuracy),
            None,
        ),
        (
            "ROC analysis of quantitative descriptors (DeLong; clustered: Obuchowski)",
            table(roc),
            "roc",
        ),
        (
            "Observe the neck when every CEUS-examined node is CEUS-negative: per 100 patients "
            f"({report.decision_patients} patients; {report.n_boot} patient bootstrap "
            f"resamples, seed {report.seed})",
            table(report.decision),
            None,
        ),
    ]
    body = []
    for title, content, figure in sections:
        body.append(f"<h2>{html.escape(title)}</h2>")
        if figure:
            body.append(
                f'<figure><img src="{figure}.png" alt="{html.escape(figures[figure])}" '
                f'width="640"><figcaption>{html.escape(figures[figure])}</figcaption></figure>'
            )
        body.append(content)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>CEUS methods supplement</title><style>"
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#111;"
        "background:#fff;line-height:1.45}table{border-collapse:collapse;font-size:.85rem}"
        "td,th{padding:.2rem .5rem;border-bottom:1px solid #ccc;text-align:right}"
        "th{background:#f0f0f0}figcaption{font-size:.85rem;color:#333}</style></head><body>"
        "<h1>CEUS of cervical lymph nodes after NACI: methods supplement</h1>"
        f"<p>Data: <code>{html.escape(source)}</code>. Computed by ceuslib {__version__}; "
        "every table is also written as CSV beside this page.</p>"
        + "\n".join(body)
        + "</body></html>\n"
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
    """
    from ceuslib.plots_report import save_report_figures

    target = out if isinstance(out, Target) else folder_target(out, kind="report", force=force)
    with staged_folder(target) as staged:
        for stem, frame in report.tables().items():
            staged.write(f"{stem}.csv", _csv(frame))
        staged.write("roc_points.csv", _csv(report.roc_points))
        figures = save_report_figures(report, staged.path)
        staged.write("index.html", _html_page(report, source, figures))
    return target.path


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")
