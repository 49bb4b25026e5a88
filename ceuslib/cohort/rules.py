"""Consistency rules within and across the files of a cohort.

Column checks (:mod:`ceuslib.cohort.validation`) see one value at a time; these rules see
rows and files together: a pCR with residual tumour, a node smaller on its long axis than
on its short axis, a node with tumour in a patient without residual nodal disease.  The
curves' rules are in :mod:`ceuslib.cohort.curve_rules`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.eligibility import CRITERIA
from ceuslib.cohort.validation import Problems


def _has(frame: pd.DataFrame | None, *names: str) -> bool:
    return frame is not None and all(name in frame.columns for name in names)


def _yes(series: pd.Series) -> np.ndarray:
    return (series == "yes").to_numpy(dtype=bool)


def _no(series: pd.Series) -> np.ndarray:
    return (series == "no").to_numpy(dtype=bool)


def check_screening(t: pd.DataFrame | None, out: Problems) -> None:
    f = "screening.csv"
    if not _has(t, "patient_id"):
        return
    enrolled = t["patient_id"].notna().to_numpy()
    for c in CRITERIA:
        if c.column in t.columns:
            fails = enrolled & (t[c.column].notna() & (t[c.column] != c.passing_value)).to_numpy()
            out.add_rows(
                f,
                f"enrolled (has a patient_id) but fails the criterion: {c.reason}",
                t,
                fails,
                c.column,
            )


def check_patients(t: pd.DataFrame | None, screening: pd.DataFrame | None, out: Problems):
    f = "patients.csv"
    if t is None:
        return
    if _has(t, "pcr", "primary_rvt_percent"):
        rvt = t["primary_rvt_percent"].to_numpy(dtype=float)
        out.add_rows(
            f, "pcr is yes but primary_rvt_percent is not 0", t, _yes(t["pcr"]) & (rvt > 0), "pcr"
        )
        out.add_rows(
            f, "pcr is no but primary_rvt_percent is 0", t, _no(t["pcr"]) & (rvt == 0), "pcr"
        )
    if _has(t, "mpr", "primary_rvt_percent"):
        rvt = t["primary_rvt_percent"].to_numpy(dtype=float)
        known = ~np.isnan(rvt)
        out.add_rows(
            f,
            "mpr must be yes exactly when primary_rvt_percent is 10 or less",
            t,
            known & (_yes(t["mpr"]) != (rvt <= 10)) & t["mpr"].notna().to_numpy(),
            "mpr",
        )
    if _has(t, "pcr", "ypt"):
        out.add_rows(
            f,
            "pcr must be yes exactly when ypt is ypT0",
            t,
            t["pcr"].notna().to_numpy()
            & t["ypt"].notna().to_numpy()
            & (_yes(t["pcr"]) != (t["ypt"] == "ypT0").to_numpy()),
            "ypt",
        )
    if _has(t, "residual_nodal_disease", "ypn"):
        out.add_rows(
            f,
            "residual_nodal_disease must be no exactly when ypn is ypN0",
            t,
            t["ypn"].notna().to_numpy()
            & t["residual_nodal_disease"].notna().to_numpy()
            & (_no(t["residual_nodal_disease"]) != (t["ypn"] == "ypN0").to_numpy()),
            "ypn",
        )
    if _has(t, "residual_nodal_disease", "nodes_positive"):
        pos = t["nodes_positive"].to_numpy(dtype=float)
        out.add_rows(
            f,
            "residual_nodal_disease must be yes exactly when nodes_positive > 0",
            t,
            ~np.isnan(pos)
            & t["residual_nodal_disease"].notna().to_numpy()
            & (_yes(t["residual_nodal_disease"]) != (pos > 0)),
            "nodes_positive",
        )
    if _has(t, "nodes_positive", "nodes_dissected"):
        out.add_rows(
            f,
            "nodes_positive exceeds nodes_dissected",
            t,
            t["nodes_positive"].to_numpy(dtype=float) > t["nodes_dissected"].to_numpy(dtype=float),
            "nodes_positive",
        )
    if _has(t, "primary_site", "p16"):
        out.add_rows(
            f,
            "p16 must be positive or negative for an oropharyngeal primary",
            t,
            ((t["primary_site"] == "oropharynx") & (t["p16"] == "not_applicable")).to_numpy(
                dtype=bool
            ),
            "p16",
        )
    if _has(t, "patient_id") and _has(screening, "patient_id"):
        listed = set(t["patient_id"].dropna())
        enrolled = screening["patient_id"]
        missing = enrolled.notna().to_numpy() & ~enrolled.isin(listed).to_numpy()
        out.add_rows(
            "screening.csv",
            "enrolled patient is missing from patients.csv",
            screening,
            missing,
            "patient_id",
        )


def check_nodes(t: pd.DataFrame | None, patients: pd.DataFrame | None, out: Problems):
    f = "nodes.csv"
    if t is None:
        return
    for short, long in (
        ("short_axis_mm", "long_axis_mm"),
        ("short_axis_pre_mm", "long_axis_pre_mm"),
    ):
        if _has(t, short, long):
            out.add_rows(
                f,
                f"{short} is larger than {long}",
                t,
                t[short].to_numpy(dtype=float) > t[long].to_numpy(dtype=float),
                short,
            )
    if _has(t, "ls_ratio", "short_axis_mm", "long_axis_mm"):
        ratio = t["long_axis_mm"].to_numpy(dtype=float) / t["short_axis_mm"].to_numpy(dtype=float)
        off = np.abs(t["ls_ratio"].to_numpy(dtype=float) - ratio) > 0.0051 + 0.1 * ratio / 10
        out.add_rows(f, "ls_ratio must equal long_axis_mm / short_axis_mm", t, off, "ls_ratio")
    if _has(t, "viable_tumour", "rvt_percent"):
        rvt = t["rvt_percent"].to_numpy(dtype=float)
        out.add_rows(
            f,
            "viable_tumour must be yes exactly when rvt_percent > 0",
            t,
            ~np.isnan(rvt)
            & t["viable_tumour"].notna().to_numpy()
            & (_yes(t["viable_tumour"]) != (rvt > 0)),
            "viable_tumour",
        )
    if _has(t, "rvt_percent", "necrosis_percent", "fibrosis_percent"):
        total = t[["rvt_percent", "necrosis_percent", "fibrosis_percent"]].sum(axis=1)
        out.add_rows(
            f,
            "rvt_percent + necrosis_percent + fibrosis_percent exceeds 100",
            t,
            (total > 100.05).to_numpy(),
            "fibrosis_percent",
        )
    if _has(t, "ene", "viable_tumour"):
        out.add_rows(
            f,
            "ene is yes in a node without viable tumour",
            t,
            _yes(t["ene"]) & _no(t["viable_tumour"]),
            "ene",
        )
    if _has(t, "ceus_imaged", "ceus_missing_reason"):
        out.add_rows(
            f,
            "ceus_missing_reason is given for a node examined with CEUS",
            t,
            _yes(t["ceus_imaged"]) & t["ceus_missing_reason"].notna().to_numpy(),
            "ceus_missing_reason",
        )
    if _has(t, "patient_id") and _has(patients, "patient_id"):
        by_patient = patients.drop_duplicates("patient_id").set_index("patient_id")
        for column, rule in (
            (
                "viable_tumour",
                "node has viable tumour but its patient's residual_nodal_disease is no",
            ),
            ("ene", "node has ene but its patient's ene is no"),
        ):
            patient_column = "residual_nodal_disease" if column == "viable_tumour" else "ene"
            if column in t.columns and patient_column in by_patient.columns:
                theirs = t["patient_id"].map(by_patient[patient_column])
                out.add_rows(f, rule, t, _yes(t[column]) & _no(theirs), column)
