"""Rules for the protocol records: dates, pathology per side, readers and readings, examinations.

Each rule runs only where its files and columns are there (an optional file or column a study
does not have is not checked), and sees rows and files together:

- dates: NACI end <= CEUS <= surgery, and no interval longer than
  :data:`MAX_CEUS_TO_SURGERY_DAYS` or :data:`MAX_NACI_TO_SURGERY_DAYS` (STARD 2015 item 22
  asks for the interval between the index test and the reference standard);
- ``neck_sides.csv``: one row per side of each patient, counts and ypN consistent within a
  side, sums over the sides equal to the patient's totals, and every node with viable tumour
  on a side with residual disease;
- ``readings.csv``: one reading per node, reader and session, of a node examined with CEUS; the
  primary reader's session-1 reading equal to the primary reading in ``nodes.csv``;
- ``examinations.csv``: the examination of a node is one of its patient's, its focus no deeper
  than its depth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.validation import Problems

MAX_CEUS_TO_SURGERY_DAYS = 90
"""Longest plausible interval from the CEUS examination to the neck dissection (days).

ASSUMPTION: NACI protocols operate 3-6 weeks after the last cycle and image shortly before; a
longer wait than three months is far more often a mistyped date than a delayed operation, and
the pathology would no longer describe the node CEUS saw."""

MAX_NACI_TO_SURGERY_DAYS = 180
"""Longest plausible interval from the end of NACI to the neck dissection (days; ASSUMPTION:
six months is no longer neoadjuvant treatment followed by surgery)."""

CEUS_FIELDS = (
    "ceus_enhancement",
    "ceus_homogeneity",
    "ceus_direction",
    "ceus_perfusion_defect",
    "ceus_ring_enhancement",
)
"""The columns of a CEUS reading, in ``nodes.csv`` and ``readings.csv``."""


def _has(frame: pd.DataFrame | None, *names: str) -> bool:
    return frame is not None and all(name in frame.columns for name in names)


def _is(series: pd.Series, value: str) -> np.ndarray:
    return (series == value).to_numpy(dtype=bool)


def check_protocol(tables: dict[str, pd.DataFrame | None], out: Problems) -> None:
    """Add the problems of the protocol records of a study's tables to a collector.

    Parameters
    ----------
    tables : dict
        ``{file name: table or None}``, the typed tables of the study (text as text, dates as
        dates), each indexed by the data row numbers of its file (the header is row 0); a file
        left out, or ``None``, is not checked, nor is a column a table does not have.
    out : ceuslib.cohort.validation.Problems
        The collector the problems are added to, one per row and rule broken.

    Examples
    --------
    >>> from ceuslib.cohort.validation import Problems
    >>> patients = pd.DataFrame({"patient_id": ["P1", "P2"],
    ...                          "naci_end_date": ["2024-09-01", "2024-09-01"],
    ...                          "ceus_date": ["2024-09-20", "2024-09-20"],
    ...                          "surgery_date": ["2024-09-25", "2024-09-10"]}, index=[1, 2])
    >>> out = Problems()
    >>> check_protocol({"patients.csv": patients}, out)
    >>> for problem in out.result():
    ...     print(problem)
    patients.csv, row 2, column 'surgery_date': value '2024-09-10': surgery_date is before
    ceus_date: the order is NACI end, CEUS, surgery
    """
    patients, nodes = tables.get("patients.csv"), tables.get("nodes.csv")
    check_dates(patients, nodes, out)
    check_sides(tables.get("neck_sides.csv"), patients, nodes, out)
    check_readings(tables.get("readings.csv"), nodes, out)
    check_examinations(tables.get("examinations.csv"), nodes, out)
    if _has(nodes, "marking", "match_method"):
        out.add_rows(
            "nodes.csv",
            "marking is given for a node whose match_method is not marked",
            nodes,
            nodes["marking"].notna().to_numpy() & ~_is(nodes["match_method"], "marked"),
            "marking",
        )
    if _has(nodes, "ceus_reading_basis", "ceus_reader_id"):
        out.add_rows(
            "nodes.csv",
            "ceus_reader_id is given for a consensus reading",
            nodes,
            _is(nodes["ceus_reading_basis"], "consensus") & nodes["ceus_reader_id"].notna(),
            "ceus_reader_id",
        )


def intervals(patients: pd.DataFrame) -> pd.DataFrame:
    """Days from the end of NACI to CEUS, from CEUS to surgery and from NACI end to surgery.

    Parameters
    ----------
    patients : pandas.DataFrame
        ``patient_id`` and the date columns of ``patients.csv`` (missing dates give NaN).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``patient_id``: ``naci_to_ceus_days``, ``ceus_to_surgery_days`` (the
        interval between index test and reference standard, STARD 2015 item 22) and
        ``naci_to_surgery_days``.

    Examples
    --------
    >>> p = pd.DataFrame({"patient_id": ["P1"], "naci_end_date": ["2024-09-01"],
    ...                   "ceus_date": ["2024-09-20"], "surgery_date": ["2024-09-25"]})
    >>> intervals(p).iloc[0].tolist()
    [19.0, 5.0, 24.0]
    """
    out = pd.DataFrame(index=pd.Index(patients["patient_id"], name="patient_id"))
    dates = {}
    for name in ("naci_end_date", "ceus_date", "surgery_date"):
        values = patients[name] if name in patients else pd.Series(pd.NaT, index=patients.index)
        dates[name] = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    pairs = {
        "naci_to_ceus_days": ("naci_end_date", "ceus_date"),
        "ceus_to_surgery_days": ("ceus_date", "surgery_date"),
        "naci_to_surgery_days": ("naci_end_date", "surgery_date"),
    }
    for name, (first, last) in pairs.items():
        days = (dates[last] - dates[first]).astype("timedelta64[D]")
        out[name] = np.where(np.isnat(days), np.nan, days.astype(float))
    return out


def check_dates(patients: pd.DataFrame | None, nodes: pd.DataFrame | None, out: Problems):
    f = "patients.csv"
    names = ("naci_end_date", "ceus_date", "surgery_date")
    if patients is None or not any(_has(patients, n) for n in names):
        return
    days = intervals(patients)
    for column, first, second in (
        ("naci_to_ceus_days", "naci_end_date", "ceus_date"),
        ("ceus_to_surgery_days", "ceus_date", "surgery_date"),
        ("naci_to_surgery_days", "naci_end_date", "surgery_date"),
    ):
        value = days[column].to_numpy()
        out.add_rows(
            f,
            f"{second} is before {first}: the order is NACI end, CEUS, surgery",
            patients,
            value < 0,
            second,
        )
    for column, limit, words in (
        ("ceus_to_surgery_days", MAX_CEUS_TO_SURGERY_DAYS, "CEUS to surgery"),
        ("naci_to_surgery_days", MAX_NACI_TO_SURGERY_DAYS, "the end of NACI to surgery"),
    ):
        out.add_rows(
            f,
            f"{words} takes more than {limit} days (a mistyped date?)",
            patients,
            days[column].to_numpy() > limit,
            "surgery_date",
        )
    if _has(patients, "ceus_date") and _has(nodes, "patient_id", "ceus_imaged"):
        imaged = set(nodes.loc[_is(nodes["ceus_imaged"], "yes"), "patient_id"])
        was = patients["patient_id"].isin(imaged).to_numpy()
        dated = patients["ceus_date"].notna().to_numpy()
        out.add_rows(
            f,
            "ceus_date is given but no target node of the patient was examined with CEUS",
            patients,
            dated & ~was,
            "ceus_date",
        )
        if dated.any():
            out.add_rows(
                f,
                "ceus_date is empty but a target node of the patient was examined with CEUS",
                patients,
                ~dated & was,
                "ceus_date",
            )


def check_sides(
    t: pd.DataFrame | None,
    patients: pd.DataFrame | None,
    nodes: pd.DataFrame | None,
    out: Problems,
) -> None:
    f = "neck_sides.csv"
    names = ("dissected", "nodes_examined", "nodes_positive", "ypn", "residual_disease")
    if not _has(t, "patient_id", "side", *names):
        return
    t = t.assign(  # counts are whole numbers, shown so, although a missing one makes them float
        **{
            c: pd.Series([None if pd.isna(v) else int(v) for v in t[c]], t.index, dtype=object)
            for c in names[1:3]
        }
    )
    out.add_rows(
        f,
        "the patient has two rows for this side",
        t,
        t.duplicated(["patient_id", "side"]).to_numpy() & t["side"].notna().to_numpy(),
        "side",
    )
    dissected = _is(t["dissected"], "yes")
    for column in names[1:]:
        out.add_rows(
            f,
            f"{column} is given for a side that was not dissected",
            t,
            t[column].notna().to_numpy() & _is(t["dissected"], "no"),
            column,
        )
    positive = t["nodes_positive"].to_numpy(dtype=float)
    examined = t["nodes_examined"].to_numpy(dtype=float)
    out.add_rows(
        f, "nodes_positive exceeds nodes_examined", t, positive > examined, "nodes_positive"
    )
    residual = t["residual_disease"]
    known = residual.notna().to_numpy() & ~np.isnan(positive)
    out.add_rows(
        f,
        "residual_disease must be yes exactly when nodes_positive > 0",
        t,
        known & (_is(residual, "yes") != (positive > 0)),
        "residual_disease",
    )
    out.add_rows(
        f,
        "residual_disease must be no exactly when ypn is ypN0",
        t,
        residual.notna().to_numpy()
        & t["ypn"].notna().to_numpy()
        & (_is(residual, "no") != _is(t["ypn"], "ypN0")),
        "ypn",
    )
    if not _has(patients, "patient_id"):
        return
    listed = set(zip(t["patient_id"], t["side"], strict=True))
    for side in ("left", "right"):
        lacking = ~np.array([(pid, side) in listed for pid in patients["patient_id"]], bool)
        out.add_rows(
            "patients.csv",
            f"neck_sides.csv has no row for the {side} side of this patient",
            patients,
            lacking & patients["patient_id"].notna().to_numpy(),
            "patient_id",
        )
    by_patient = t.groupby("patient_id")
    for side_column, patient_column in (
        ("nodes_examined", "nodes_dissected"),
        ("nodes_positive", "nodes_positive"),
    ):
        if patient_column not in patients:
            continue
        total = by_patient[side_column].sum(min_count=1)
        given = t[side_column].notna().to_numpy() == dissected
        complete = pd.Series(given, index=t.index).groupby(t["patient_id"]).all()
        theirs = patients["patient_id"].map(total.where(complete))
        mine = patients[patient_column].to_numpy(dtype=float)
        off = theirs.notna().to_numpy() & (theirs.to_numpy(dtype=float) != mine)
        out.add_rows(
            "patients.csv",
            f"{patient_column} must equal the sum of {side_column} over the sides in "
            "neck_sides.csv",
            patients,
            off,
            patient_column,
        )
    if "residual_nodal_disease" in patients:
        any_side = (t["residual_disease"] == "yes").groupby(t["patient_id"]).any()
        known = patients["patient_id"].isin(any_side.index).to_numpy()
        theirs = patients["patient_id"].map(any_side).to_numpy(dtype=object)
        out.add_rows(
            "patients.csv",
            "residual_nodal_disease must be yes exactly when a side in neck_sides.csv has "
            "residual_disease yes",
            patients,
            known
            & patients["residual_nodal_disease"].notna().to_numpy()
            & (_is(patients["residual_nodal_disease"], "yes") != (theirs == True)),  # noqa: E712
            "residual_nodal_disease",
        )
    if _has(nodes, "patient_id", "side", "viable_tumour"):
        index = t.drop_duplicates(["patient_id", "side"]).set_index(["patient_id", "side"])
        keys = pd.MultiIndex.from_arrays([nodes["patient_id"], nodes["side"]])
        side_residual = index["residual_disease"].reindex(keys).to_numpy(dtype=object)
        side_dissected = index["dissected"].reindex(keys).to_numpy(dtype=object)
        out.add_rows(
            "nodes.csv",
            "node has viable tumour but its side's residual_disease in neck_sides.csv is no",
            nodes,
            _is(nodes["viable_tumour"], "yes") & (side_residual == "no"),
            "viable_tumour",
        )
        out.add_rows(
            "nodes.csv",
            "node is matched to the specimen but its side was not dissected (neck_sides.csv)",
            nodes,
            nodes["viable_tumour"].notna().to_numpy() & (side_dissected == "no"),
            "side",
        )


def check_readings(t: pd.DataFrame | None, nodes: pd.DataFrame | None, out: Problems) -> None:
    f = "readings.csv"
    if not _has(t, "node_id", "reader_id", "session"):
        return
    key = ["node_id", "reader_id", "session"]
    out.add_rows(
        f,
        "a reading of this node by this reader in this session appears earlier",
        t,
        t.duplicated(key).to_numpy() & t[key].notna().all(axis=1).to_numpy(),
        "session",
    )
    once = t[t["session"] == 1]
    first = set(zip(once["node_id"], once["reader_id"], strict=True))
    later = (t["session"] > 1).to_numpy()
    pairs = zip(t["node_id"], t["reader_id"], strict=True)
    out.add_rows(
        f,
        "a later session of a reader who has no session 1 for this node",
        t,
        later & ~np.array([pair in first for pair in pairs], dtype=bool),
        "session",
    )
    if not _has(nodes, "node_id", "ceus_imaged"):
        return
    imaged = nodes.drop_duplicates("node_id").set_index("node_id")["ceus_imaged"]
    out.add_rows(
        f,
        "reading of a node whose ceus_imaged is no",
        t,
        (t["node_id"].map(imaged) == "no").to_numpy(dtype=bool),
        "node_id",
    )
    if not _has(nodes, "ceus_reader_id", *CEUS_FIELDS) or not _has(t, *CEUS_FIELDS):
        return
    session1 = t[t["session"] == 1].drop_duplicates(["node_id", "reader_id"])
    session1 = session1.set_index(["node_id", "reader_id"])[list(CEUS_FIELDS)]
    keys = pd.MultiIndex.from_arrays([nodes["node_id"], nodes["ceus_reader_id"]])
    theirs = session1.reindex(keys)
    read = theirs.notna().any(axis=1).to_numpy()
    mine = nodes[list(CEUS_FIELDS)].to_numpy(dtype=object)
    other = theirs.to_numpy(dtype=object)
    same = (mine == other) | (pd.isna(mine) & pd.isna(other))
    out.add_rows(
        "nodes.csv",
        "the CEUS reading differs from its reader's session-1 reading in readings.csv",
        nodes,
        read & ~same.all(axis=1),
        "ceus_reader_id",
    )


def check_examinations(t: pd.DataFrame | None, nodes: pd.DataFrame | None, out: Problems) -> None:
    f = "examinations.csv"
    if _has(t, "focus_cm", "depth_cm"):
        out.add_rows(
            f,
            "focus_cm is deeper than depth_cm",
            t,
            t["focus_cm"].to_numpy(dtype=float) > t["depth_cm"].to_numpy(dtype=float),
            "focus_cm",
        )
    if not _has(nodes, "exam_id", "patient_id", "ceus_imaged"):
        return
    out.add_rows(
        "nodes.csv",
        "exam_id is given for a node not examined with CEUS",
        nodes,
        _is(nodes["ceus_imaged"], "no") & nodes["exam_id"].notna().to_numpy(),
        "exam_id",
    )
    if not _has(t, "exam_id", "patient_id"):
        return
    owner = t.drop_duplicates("exam_id").set_index("exam_id")["patient_id"]
    theirs = nodes["exam_id"].map(owner)
    out.add_rows(
        "nodes.csv",
        "exam_id names an examination of another patient",
        nodes,
        (theirs.notna() & (theirs != nodes["patient_id"])).to_numpy(dtype=bool),
        "exam_id",
    )


__all__ = [
    "CEUS_FIELDS",
    "MAX_CEUS_TO_SURGERY_DAYS",
    "MAX_NACI_TO_SURGERY_DAYS",
    "check_protocol",
    "intervals",
]
