"""Patient-level inputs for the neck decision, built from a cohort's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

SUSPICIOUS_CEUS = {
    "ceus_enhancement": ("iso", "hyper"),
    "ceus_homogeneity": ("heterogeneous",),
    "ceus_direction": ("centripetal",),
    "ceus_perfusion_defect": ("lt50", "ge50"),
    "ceus_ring_enhancement": ("yes",),
}


def peak_enhancement(tics: pd.DataFrame, *, window: int = 9) -> pd.Series:
    """Model-free peak enhancement of each node's time-intensity curve.

    Parameters
    ----------
    tics : pandas.DataFrame
        Long format: ``node_id, time_s, intensity`` with linear (not log-compressed)
        intensity, as in the cohort's ``tics`` table; if a ``unit`` column is present it
        must read ``linear``.
    window : int
        Width, in frames, of the centred running median that tames speckle before the
        maximum is taken.

    Returns
    -------
    pandas.Series
        Peak enhancement (linear arbitrary units) indexed by ``node_id``.

    Notes
    -----
    The maximum of the running-median-smoothed curve: the model-free peak intensity of
    ``tican`` (R) and of VueBox's "PE" without curve fitting.  Without smoothing, the
    maximum of a speckled curve is biased upwards.

    Examples
    --------
    >>> tics = pd.DataFrame({"node_id": ["a"] * 5, "time_s": range(5),
    ...                      "intensity": [0.0, 1.0, 9.0, 2.0, 1.0]})
    >>> float(peak_enhancement(tics, window=3)["a"])
    2.0
    """
    needed = {"node_id", "time_s", "intensity"}
    if not needed <= set(tics.columns):
        raise ValueError(f"tics must have the columns {sorted(needed)}")
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a positive number of frames, got {window!r}")
    if "unit" in tics.columns:
        units = sorted(set(tics["unit"].astype(str)) - {"linear", "normalized"})
        if units:
            raise ValueError(
                f"peak enhancement needs linear intensity; tics has unit {units[0]!r} "
                "(convert it with ceuslib.perfusion.linearize first)"
            )
    ordered = tics.sort_values(["node_id", "time_s"], kind="stable")
    ids, starts, counts = np.unique(
        ordered["node_id"].to_numpy(), return_index=True, return_counts=True
    )
    order = np.argsort(starts)
    ids, starts, counts = ids[order], starts[order], counts[order]
    values = ordered["intensity"].to_numpy(dtype=float)
    # One row per node, padded with NaN: each frame's window runs from `window // 2` frames
    # before it to `window - 1 - window // 2` after it and shrinks at the ends of the curve,
    # as pandas' rolling(window, center=True, min_periods=1).median() does.
    before = window // 2
    padded = np.full((ids.size, counts.max() + window - 1), np.nan)
    rows = np.repeat(np.arange(ids.size), counts)
    cols = np.arange(values.size) - np.repeat(starts, counts) + before
    padded[rows, cols] = values
    windows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=1)
    inside = np.arange(windows.shape[1])[None, :] < counts[:, None]
    smooth = np.full(inside.shape, -np.inf)
    smooth[inside] = np.nanmedian(windows[inside], axis=-1)
    return pd.Series(
        smooth.max(axis=1), index=pd.Index(ids, name="node_id"), name="peak_enhancement"
    )


def patient_table(
    patients: pd.DataFrame, nodes: pd.DataFrame, *, peak: pd.Series | None = None
) -> pd.DataFrame:
    """One row per patient: the reference standard and the most suspicious imaged node.

    Parameters
    ----------
    patients, nodes : pandas.DataFrame
        The cohort's ``patients`` and ``nodes`` tables.
    peak : pandas.Series, optional
        A node-level score indexed by ``node_id`` (for example :func:`peak_enhancement`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``patient_id``: ``residual`` (1 = residual nodal disease),
        ``nodes_positive``, ``n_ceus_nodes`` (nodes examined with CEUS),
        ``max_short_axis_mm``, ``hilum_absent`` (1 if any imaged node lacks a hilum),
        ``ceus_suspicion`` (the largest number, over the patient's CEUS-examined nodes, of
        the five suspicious qualitative features: iso- or hyper-enhancement,
        heterogeneity, centripetal filling, a perfusion defect, ring enhancement) and,
        if given, ``max_peak``.  CEUS columns are NaN for a patient without a CEUS node.

    Notes
    -----
    The decision is per patient, so a node-level score becomes a patient-level one
    through the most suspicious node: a neck is called positive when any examined node
    is.  The suspicious qualitative features follow the cervical-node CEUS literature:
    centripetal filling and inhomogeneity (Ling et al. 2020), hyper-enhancement and ring
    enhancement (Front Endocrinol 2022), and non-enhancing areas read as necrosis.

    Examples
    --------
    >>> patients = pd.DataFrame({"patient_id": ["P1", "P2"], "residual_nodal_disease":
    ...                          ["yes", "no"], "nodes_positive": [2, 0]})
    >>> nodes = pd.DataFrame({"node_id": ["a", "b", "c"], "patient_id": ["P1", "P1", "P2"],
    ...     "short_axis_mm": [9.0, 6.0, 5.0], "hilum": ["absent", "present", "present"],
    ...     "ceus_imaged": ["yes", "yes", "no"], "ceus_enhancement": ["hyper", "none", None],
    ...     "ceus_homogeneity": ["heterogeneous", "homogeneous", None],
    ...     "ceus_direction": ["centripetal", "centrifugal", None],
    ...     "ceus_perfusion_defect": ["none", "none", None],
    ...     "ceus_ring_enhancement": ["no", "no", None]})
    >>> t = patient_table(patients, nodes)
    >>> t.loc["P1", ["residual", "ceus_suspicion", "max_short_axis_mm"]].tolist()
    [1.0, 3.0, 9.0]
    >>> bool(t["ceus_suspicion"].isna()["P2"])
    True
    """
    imaged = nodes["ceus_imaged"].eq("yes")
    suspicion = sum(nodes[col].isin(values).astype(int) for col, values in SUSPICIOUS_CEUS.items())
    frame = pd.DataFrame(
        {
            "patient_id": nodes["patient_id"],
            "short_axis": nodes["short_axis_mm"],
            "hilum_absent": nodes["hilum"].eq("absent").astype(int),
            "ceus_node": imaged.astype(int),
            "suspicion": suspicion.where(imaged),
        }
    )
    if peak is not None:
        frame["peak"] = nodes["node_id"].map(peak).where(imaged)
    grouped = frame.groupby("patient_id")
    table = pd.DataFrame(
        {
            "n_ceus_nodes": grouped["ceus_node"].sum(),
            "max_short_axis_mm": grouped["short_axis"].max(),
            "hilum_absent": grouped["hilum_absent"].max(),
            "ceus_suspicion": grouped["suspicion"].max(),
        }
    )
    if peak is not None:
        table["max_peak"] = grouped["peak"].max()
    ref = patients.set_index("patient_id")
    out = pd.DataFrame(
        {
            "residual": ref["residual_nodal_disease"].eq("yes").astype(int),
            "nodes_positive": ref["nodes_positive"].astype(int),
        }
    ).join(table, how="left")
    out["n_ceus_nodes"] = out["n_ceus_nodes"].fillna(0).astype(int)
    out.index.name = "patient_id"
    return out.astype({c: float for c in out.columns if c.startswith(("max_", "ceus_"))})


__all__ = ["SUSPICIOUS_CEUS", "patient_table", "peak_enhancement"]
