"""Which nodes and patients enter each analysis, and why the others do not.

:func:`analysis_set` is the one definition of the analysis population that the chapters,
``ceuslib report`` and the tests use.  For every target node it records whether it was
examined with CEUS, matched to the specimen, read, and whether its time-intensity curve could
be analysed, and the first reason it falls out of an analysis.  STARD 2015 asks for exactly
this: the flow of participants and nodes, and the index-test results that were
uninterpretable, with how they were handled (Bossuyt et al. 2015, items 19 and 24).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceuslib.analysis.definitions import CEUS_READING, READINGS, Reading
from ceuslib.cohort.protocol_rules import intervals
from ceuslib.errors import CohortWarning, warn

#: The populations, from the widest to the narrowest.
POPULATIONS = {
    "patient": "patients with at least one CEUS-examined target node with a reading",
    "node": "CEUS-examined target nodes matched to the specimen, with a reading",
    "curve": "nodes of the node-level set whose time-intensity curve could be analysed",
}

#: Reasons a node leaves the analyses, in the order they are checked.
REASONS = {
    "not_imaged": "not examined with CEUS",
    "indeterminate": "CEUS reading indeterminate",
    "unmatched": "not matched to the specimen",
    "no_curve": "no time-intensity curve",
    "curve_flagged": "curve not analysable",
}


@dataclass(frozen=True)
class AnalysisSet:
    """The target nodes and patients of a cohort, each with the analyses it enters.

    Build it with :func:`analysis_set`.

    Attributes
    ----------
    nodes : pandas.DataFrame
        Every target node of ``nodes.csv`` (file order) with its columns, the fitted perfusion
        descriptors where it has a curve, and the status columns ``imaged``, ``readable``
        (a CEUS reading that is neither missing nor indeterminate), ``matched``, ``truth``
        (viable tumour in the matched specimen node; missing when unmatched), ``has_curve``,
        ``curve_ok``, ``side_dissected`` and ``side_residual`` (the pathology of the node's
        side of the neck, from ``neck_sides.csv``; missing without it), the reference ratios
        of the fit (``pe_ratio``, ``wiauc_ratio``, ...), one boolean ``positive_<reading>``
        per reading of
        :data:`~ceuslib.analysis.definitions.READINGS`, the populations ``in_node`` and
        ``in_curve``, and ``exclusion`` (the first reason the node is outside the curve
        set; ``""`` inside it).
    patients : pandas.DataFrame
        One row per enrolled patient, indexed by ``patient_id``: ``residual`` (the
        patient-level reference standard, residual nodal disease), ``nodes_positive``,
        ``n_imaged`` (CEUS-examined target nodes), ``n_read`` (those with a reading),
        ``in_patient`` (a CEUS call that is positive or negative), ``ceus_to_surgery_days``
        (the interval between index test and reference standard, STARD 2015 item 22; NaN
        without dates) and, per
        reading, ``call_<reading>``: ``"positive"`` when any read node is positive,
        ``"negative"`` when every read node is negative, ``"indeterminate"`` when no node
        is positive and one is indeterminate, missing for a patient without a reading.
    model : str or None
        The bolus model of the curve fits (``None`` when the cohort has no curves, also when
        its descriptors come from ``parameters.csv``, another program's fits).
    """

    nodes: pd.DataFrame = field(repr=False)
    patients: pd.DataFrame = field(repr=False)
    model: str | None = None

    def __repr__(self) -> str:
        return (
            f"AnalysisSet({int(self.patients['in_patient'].sum())} patients, "
            f"{int(self.nodes['in_node'].sum())} nodes, "
            f"{int(self.nodes['in_curve'].sum())} analysable curves)"
        )

    def node_level(self) -> pd.DataFrame:
        """The nodes of the node-level analyses of a reading (``in_node``).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`nodes` with a fresh index.
        """
        return self.nodes[self.nodes["in_node"]].reset_index(drop=True)

    def curve_level(self) -> pd.DataFrame:
        """The nodes of the analyses of fitted descriptors (``in_curve``).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`nodes` with a fresh index.
        """
        return self.nodes[self.nodes["in_curve"]].reset_index(drop=True)

    def patient_level(self) -> pd.DataFrame:
        """The patients of the patient-level analyses (``in_patient``).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`patients`, indexed by ``patient_id``.
        """
        return self.patients[self.patients["in_patient"]]

    def truth(self, level: str) -> np.ndarray:
        """The reference standard of one analysis set.

        Parameters
        ----------
        level : {"node", "curve", "patient"}
            The set: node-level readings, fitted curves, or patients.

        Returns
        -------
        numpy.ndarray of bool
            True where the unit has residual tumour, in the set's order.
        """
        if level == "patient":
            return self.patient_level()["residual"].to_numpy(dtype=bool)
        frame = {"node": self.node_level, "curve": self.curve_level}[level]()
        return frame["truth"].to_numpy(dtype=bool)

    def read_by(self, level: str, reading: Reading = CEUS_READING) -> np.ndarray:
        """Where a reading gave a call on one analysis set (not missing, not indeterminate).

        Every unit of the CEUS sets has a CEUS call; another reading (CT/MRI) may be absent
        for some units or, when the study did not record it, for all.  Its accuracy is
        computed on the units it read.

        Parameters
        ----------
        level : {"node", "curve", "patient"}
            The set, as in :meth:`truth`.
        reading : Reading
            The index test (CEUS by default).

        Returns
        -------
        numpy.ndarray of bool
            True where the reading called the unit positive or negative, in the set's order.
        """
        if level == "patient":
            calls = self.patient_level()[f"call_{reading.key}"]
            return calls.isin(["positive", "negative"]).to_numpy()
        frame = {"node": self.node_level, "curve": self.curve_level}[level]()
        return reading.interpretable(frame).to_numpy(dtype=bool)

    def calls(self, level: str, reading: Reading = CEUS_READING) -> np.ndarray:
        """A reading's positive calls on one analysis set.

        At patient level an indeterminate call is not positive; :meth:`exclusions` and
        :meth:`index_test_results` count the patients concerned.

        Parameters
        ----------
        level : {"node", "curve", "patient"}
            The set, as in :meth:`truth`.
        reading : Reading
            The index test (CEUS by default).

        Returns
        -------
        numpy.ndarray of bool
            True where the reading is positive, in the set's order.
        """
        if level == "patient":
            return (self.patient_level()[f"call_{reading.key}"] == "positive").to_numpy()
        frame = {"node": self.node_level, "curve": self.curve_level}[level]()
        return frame[f"positive_{reading.key}"].to_numpy(dtype=bool)

    def exclusions(self) -> pd.DataFrame:
        """Every target node outside the curve set, with the first reason.

        Returns
        -------
        pandas.DataFrame
            ``node_id, patient_id, reason, detail, in_patient, in_node``: ``reason`` is a
            key of :data:`REASONS` (``detail`` its words, with the curve's flags or the
            reason CEUS was not done); the booleans say which wider analyses the node still
            enters.
        """
        out = self.nodes.loc[
            ~self.nodes["in_curve"], ["node_id", "patient_id", "exclusion", "exclusion_detail"]
        ]
        out = out.rename(columns={"exclusion": "reason", "exclusion_detail": "detail"})
        in_patient = self.patients["in_patient"]
        out["in_patient"] = (
            out["patient_id"].map(in_patient).astype(bool)
            & self.nodes.loc[out.index, "readable"].to_numpy()
        )
        out["in_node"] = self.nodes.loc[out.index, "in_node"].to_numpy()
        return out.reset_index(drop=True)

    def index_test_results(self, level: str, reading: Reading = CEUS_READING) -> pd.DataFrame:
        """Index-test results by reference standard, uninterpretable results included.

        Parameters
        ----------
        level : {"node", "patient"}
            Nodes: every CEUS-examined node matched to the specimen; patients: every
            patient with a CEUS-examined target node.
        reading : Reading
            The index test.

        Returns
        -------
        pandas.DataFrame
            Rows ``positive, negative, indeterminate`` (the last also holds missing
            readings), columns ``target_present, target_absent, total``: the table STARD
            2015 item 23 asks for, with item 24's uninterpretable results in the last row.
        """
        if level == "node":
            frame = self.nodes[self.nodes["imaged"] & self.nodes["matched"]]
            truth = frame["truth"].astype(bool)
            readable = reading.interpretable(frame)
            result = np.where(
                ~readable,
                "indeterminate",
                np.where(frame[f"positive_{reading.key}"], "positive", "negative"),
            )
        elif level == "patient":
            frame = self.patients[self.patients["n_imaged"] > 0]
            truth = frame["residual"].astype(bool)
            result = frame[f"call_{reading.key}"].fillna("indeterminate").to_numpy()
        else:
            raise ValueError(f"level must be 'node' or 'patient', got {level!r}")
        rows = ["positive", "negative", "indeterminate"]
        table = pd.DataFrame(
            {
                "target_present": [int(((result == r) & truth).sum()) for r in rows],
                "target_absent": [int(((result == r) & ~truth).sum()) for r in rows],
            },
            index=pd.Index(rows, name="result"),
        )
        table["total"] = table.sum(axis=1)
        return table


def _curve_status(nodes: pd.DataFrame, fits: pd.DataFrame | None) -> pd.DataFrame:
    """Merge the fits into the node table and decide which curves can be analysed."""
    if fits is None or len(fits) == 0:
        out = nodes.copy()
        out["has_curve"] = False
        out["curve_ok"] = False
        out["curve_flag"] = ""
        return out
    fits = fits.copy()
    if "analysable" in fits:
        ok = fits["analysable"].astype(bool)
    else:
        ok = fits["converged"].fillna(False).astype(bool)
    fits["curve_ok"] = ok.to_numpy()
    fits["curve_flag"] = fits["flag"].fillna("").astype(str) if "flag" in fits else ""
    fits.loc[~fits["curve_ok"] & (fits["curve_flag"] == ""), "curve_flag"] = "did not converge"
    fits["has_curve"] = True
    out = nodes.merge(fits, on="node_id", how="left", validate="one_to_one")
    out["has_curve"] = out["has_curve"].eq(True)
    out["curve_ok"] = out["curve_ok"].eq(True)
    out["curve_flag"] = out["curve_flag"].fillna("").astype(str)
    return out


def _side_status(table: pd.DataFrame, sides: pd.DataFrame | None) -> pd.DataFrame:
    """Add the pathology of each node's side of the neck: ``side_dissected`` and
    ``side_residual`` (the side-level reference standard; missing without ``neck_sides``)."""
    table = table.copy()
    if sides is None or len(sides) == 0:
        table["side_dissected"] = pd.Series(pd.NA, index=table.index, dtype="boolean")
        table["side_residual"] = pd.Series(pd.NA, index=table.index, dtype="boolean")
        return table
    by_side = sides.drop_duplicates(["patient_id", "side"]).set_index(["patient_id", "side"])
    keys = pd.MultiIndex.from_arrays([table["patient_id"], table["side"]])
    for column, source in (("side_dissected", "dissected"), ("side_residual", "residual_disease")):
        values = by_side[source].reindex(keys).map({"yes": True, "no": False})
        table[column] = pd.array(values.to_numpy(dtype=object), dtype="boolean")
    return table


def analysis_set(
    cohort: object, *, fits: pd.DataFrame | None = None, model: str = "lognormal"
) -> AnalysisSet:
    """Decide which nodes and patients of a cohort enter each analysis.

    Parameters
    ----------
    cohort : ceuslib.cohort.Cohort
        From :func:`ceuslib.cohort.read_cohort` or :func:`ceuslib.cohort.simulate_cohort`.
    fits : pandas.DataFrame, optional
        The curve fits (:func:`ceuslib.cohort.fit_cohort_curves`), one row per
        ``node_id``; fitted here with ``model`` when omitted and the cohort has curves, with
        the reference-region curves and each examination's display settings.  A cohort
        without curves whose study has ``parameters.csv`` (perfusion parameters another
        program computed, e.g. VueBox) takes them from that file instead
        (:func:`ceuslib.cohort.parameter_fits`).
    model : str
        The bolus model used when the curves are fitted here.

    Returns
    -------
    AnalysisSet
        Every target node and enrolled patient with the analyses it enters.

    Warns
    -----
    CohortWarning
        When the cohort has both curves and ``parameters.csv`` (the curves are used).

    Notes
    -----
    The three populations, each inside the one before (:data:`POPULATIONS`):

    - **patient**: enrolled patients with a CEUS call: positive when any CEUS-examined
      target node reads positive, negative when every one reads negative.  A patient with
      no positive node and an indeterminate (or missing) reading has an indeterminate call
      and is left out of the primary analysis, and counted.  The reference standard is
      ``residual_nodal_disease`` (viable tumour in any dissected node), which needs no
      node-to-specimen match, so unmatched nodes count here.  A patient is CEUS-positive
      when any such node is.
    - **node**: CEUS-examined target nodes with a reading, matched to the specimen; the
      reference standard is ``viable_tumour`` of the matched node.  CT/MRI is evaluated on
      the same nodes, so that the two readings are compared on paired units.
    - **curve**: nodes of the node set whose time-intensity curve could be analysed: a curve
      exists and the fitter raised no flag that excludes it (clipping, no enhancement, too
      few frames, a fit that did not converge...; see ``ceuslib.perfusion``).  The
      descriptors of the ROC table are computed on this set.

    Nothing is dropped silently: :meth:`AnalysisSet.exclusions` lists every node outside
    the curve set with its first reason, in the order of :data:`REASONS`.

    With ``parameters.csv`` and no curves, a node's region is analysable when the file
    gives it no ``flag``, a positive peak enhancement, a time to peak and a quality of fit
    (a threshold on QOF: pass ``fits=parameter_fits(cohort.parameters, min_qof=...)``);
    the ratios to the reference region are computed as for fitted curves.  A study with
    both curves and ``parameters.csv`` fits its curves and warns that the file is not used
    (:class:`~ceuslib.errors.CohortWarning`).

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> aset = analysis_set(simulate_cohort(12, seed=5))
    >>> aset
    AnalysisSet(11 patients, 14 nodes, 14 analysable curves)
    >>> aset.exclusions()["reason"].value_counts().to_dict()
    {'unmatched': 2, 'not_imaged': 1}
    >>> int(aset.index_test_results("patient").loc["indeterminate", "total"])
    0
    """
    nodes = cohort.nodes.reset_index(drop=True)
    patients = cohort.patients
    parameters = getattr(cohort, "parameters", None)
    imported = False
    if fits is None and len(cohort.tics):
        from ceuslib.cohort.fitting import acquisition, fit_cohort_curves

        if parameters is not None:
            warn(
                CohortWarning,
                "the study has both curves (tics.csv) and parameters.csv: the curves are "
                "fitted and parameters.csv is not used",
            )
        fits = fit_cohort_curves(
            cohort.tics,
            model=model,
            reference=getattr(cohort, "reference_tics", None),
            settings=acquisition(nodes, getattr(cohort, "examinations", None)),
        )
    elif fits is None and parameters is not None:
        from ceuslib.cohort.parameters import parameter_fits

        fits = parameter_fits(parameters)
        imported = True
    elif fits is None:
        model = None
    table = _side_status(_curve_status(nodes, fits), getattr(cohort, "neck_sides", None))
    table["imaged"] = table["ceus_imaged"].eq("yes")
    table["readable"] = table["imaged"] & CEUS_READING.interpretable(table)
    table["matched"] = table["match_method"].ne("unmatched") & table["viable_tumour"].isin(
        ["yes", "no"]
    )
    table["truth"] = table["viable_tumour"].map({"yes": True, "no": False})
    for reading in READINGS:
        table[f"positive_{reading.key}"] = reading.calls(table) & table["imaged"]
    table["in_node"] = table["readable"] & table["matched"]
    table["in_curve"] = table["in_node"] & table["curve_ok"]
    table["exclusion"], table["exclusion_detail"] = _reasons(table)

    imaged = table[table["imaged"]]
    read = imaged[imaged["readable"]]
    out = pd.DataFrame(index=pd.Index(patients["patient_id"], name="patient_id"))
    out["residual"] = patients["residual_nodal_disease"].eq("yes").to_numpy()
    out["nodes_positive"] = patients["nodes_positive"].to_numpy()
    out["n_imaged"] = imaged.groupby("patient_id").size().reindex(out.index, fill_value=0)
    out["n_read"] = read.groupby("patient_id").size().reindex(out.index, fill_value=0)
    for reading in READINGS:
        # each reading calls a patient from the imaged nodes it could read (for CEUS, the
        # readable nodes; a study without CT/MRI reads no node with it)
        by_reading = imaged[reading.interpretable(imaged)]
        n_read = by_reading.groupby("patient_id").size().reindex(out.index, fill_value=0)
        positive = by_reading.groupby("patient_id")[f"positive_{reading.key}"].any()
        positive = positive.reindex(out.index, fill_value=False)
        undecided = (out["n_imaged"] > n_read) & ~positive
        call = np.where(positive, "positive", np.where(undecided, "indeterminate", "negative"))
        call = pd.Series(call, index=out.index, dtype=object)
        out[f"call_{reading.key}"] = call.where(out["n_imaged"] > 0, None)
    out["in_patient"] = out[f"call_{CEUS_READING.key}"].isin(["positive", "negative"])
    out["ceus_to_surgery_days"] = intervals(patients)["ceus_to_surgery_days"].to_numpy()
    model = model if fits is not None and not imported else None
    return AnalysisSet(nodes=table, patients=out, model=model)


def _reasons(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The first reason each node leaves the curve set, and its words."""
    missing = table["ceus_missing_reason"].fillna("reason not recorded").astype(str)
    checks = [
        ("not_imaged", ~table["imaged"], REASONS["not_imaged"] + ": " + missing),
        ("indeterminate", ~table["readable"], pd.Series(REASONS["indeterminate"], table.index)),
        ("unmatched", ~table["matched"], pd.Series(REASONS["unmatched"], table.index)),
        ("no_curve", ~table["has_curve"], pd.Series(REASONS["no_curve"], table.index)),
        (
            "curve_flagged",
            ~table["curve_ok"],
            REASONS["curve_flagged"] + ": " + table["curve_flag"].astype(str),
        ),
    ]
    reason = pd.Series("", index=table.index, dtype=object)
    detail = pd.Series("", index=table.index, dtype=object)
    for key, failed, words in checks:
        new = failed.to_numpy(dtype=bool) & (reason == "").to_numpy()
        reason[new] = key
        detail[new] = words[new]
    return reason, detail


__all__ = ["POPULATIONS", "REASONS", "AnalysisSet", "analysis_set"]
