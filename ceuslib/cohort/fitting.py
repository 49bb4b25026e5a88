"""Fit every time-intensity curve of a cohort: one row of perfusion descriptors per node.

With a reference-region curve in the same clip, each amplitude descriptor is also given as a
ratio to the reference region's (``pe_ratio``, ``wiauc_ratio``, ...): absolute echo-power
depends on the scanner, gain and depth, and does not transfer between machines; a ratio to a
region of the same clip does (Dietrich et al. 2012; :func:`ceuslib.perfusion.reference_ratios`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.perfusion import fit_tics, from_db, linearize, reference_ratios
from ceuslib.perfusion.roi import AMPLITUDE_DESCRIPTORS

RATIO_COLUMNS = (*(f"{name}_ratio" for name in AMPLITUDE_DESCRIPTORS), "ratio_flag")
"""The columns :func:`fit_cohort_curves` adds after the fit: ratios and why they are missing."""


def acquisition(nodes: pd.DataFrame, examinations: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each node's display settings from its examination: ``dynamic_range_db``,
    ``saturation_level``, indexed by ``node_id`` (``None`` without examinations).

    Examples
    --------
    >>> nodes = pd.DataFrame({"node_id": ["A-N1"], "exam_id": ["A-E1"]})
    >>> exams = pd.DataFrame({"exam_id": ["A-E1"], "dynamic_range_db": [60.0],
    ...                       "saturation_level": [1.0]})
    >>> acquisition(nodes, exams).loc["A-N1"].tolist()
    [60.0, 1.0]
    """
    if examinations is None or "exam_id" not in nodes:
        return None
    columns = ["dynamic_range_db", "saturation_level"]
    record = examinations.drop_duplicates("exam_id").set_index("exam_id")
    record = record.reindex(columns=columns).reindex(nodes["exam_id"])
    record.index = pd.Index(nodes["node_id"], name="node_id")
    return record.astype(float)


def fit_cohort_curves(
    tics: pd.DataFrame,
    *,
    model: str = "lognormal",
    method: str = "auto",
    saturation: float | None = None,
    reference: pd.DataFrame | None = None,
    settings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fit a bolus model to each node's curve of a long ``tics`` table.

    Parameters
    ----------
    tics : pandas.DataFrame
        Long format with ``node_id, time_s, intensity, unit`` and optionally ``roi`` (as
        :func:`ceuslib.cohort.read_cohort` returns it); rows whose ``roi`` is
        ``reference`` are reference-region curves.  One unit for the whole table,
        ``linear``, ``normalized``, ``db`` (converted to linear echo-power by
        :func:`ceuslib.perfusion.from_db`, ``10 ** (dB / 10)``) or ``gray`` (linearised
        with each node's ``dynamic_range_db`` from ``settings``).
    model : str
        A model of ``ceuslib.perfusion.MODELS``.
    method : {"auto", "exact", "binned"}
        As in ``ceuslib.perfusion.fit_tics`` (``"auto"``: each batch of curves of one
        length is fitted on every frame when it holds at most 240,000 frames in all).
    saturation : float or None
        Echo-power at which the display saturates, as ``fit_tics`` takes it, for every
        curve whose examination does not declare its own; ``None`` (default) when the data
        do not declare it (``normalized`` data declare 1.0).
    reference : pandas.DataFrame, optional
        More reference-region curves, as ``tics`` (``Cohort.reference_tics``).
    settings : pandas.DataFrame, optional
        Per ``node_id``: ``dynamic_range_db`` and ``saturation_level`` of its examination
        (``ceuslib.cohort.fitting.acquisition``), in the unit of ``tics``.

    Returns
    -------
    pandas.DataFrame
        ``node_id``, the columns of ``ceuslib.perfusion.fit_tics``, then
        :data:`RATIO_COLUMNS`: each amplitude descriptor divided by that of the reference
        region of the node's clip (NaN without a reference curve, or when either curve is
        flagged; ``ratio_flag`` says why).  One row per node curve, in the order the curves
        first appear; ``analysable`` says which curves an analysis may use.

    Raises
    ------
    ValueError
        If the intensities are gray levels without a dynamic range for each curve (they need
        the scanner's dynamic range: give ``settings`` from ``examinations.csv``, or
        linearise them first with ``ceuslib.perfusion.linearize``) or the units mix.

    Notes
    -----
    Curves with the same number of frames and the same saturation level are fitted
    together in one batch of ``ceuslib.perfusion.fit_tics``, each on its own time axis; the
    node curves and the reference curves are fitted in separate batches.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> cohort = simulate_cohort(2, seed=3)
    >>> fits = fit_cohort_curves(cohort.tics, reference=cohort.reference_tics)
    >>> list(fits.columns[:3])
    ['node_id', 'model', 'area']
    >>> bool(fits["ttp"].between(10, 60).all()), bool((fits["pe_ratio"] > 0).all())
    (True, True)
    """
    frames = [t for t in (tics, reference) if t is not None and len(t)]
    curves = pd.concat(frames, ignore_index=True) if frames else tics
    units = curves["unit"].dropna().unique() if len(curves) else []
    if len(units) > 1:
        raise ValueError(f"the curves mix units {sorted(units)}; one unit is needed")
    if len(curves) == 0:
        return pd.DataFrame({"node_id": pd.Series(dtype="str")})
    unit = units[0]
    roi = curves["roi"] if "roi" in curves else pd.Series("node", index=curves.index)
    is_reference = (roi == "reference").to_numpy()
    own = _fit(curves[~is_reference], unit, model, method, saturation, settings)
    ref = None
    if is_reference.any():
        ref = _fit(curves[is_reference], unit, model, method, saturation, settings)
    return with_ratios(own, ref)


def with_ratios(own: pd.DataFrame, reference: pd.DataFrame | None) -> pd.DataFrame:
    """The node regions' rows with :data:`RATIO_COLUMNS` added from the reference regions'.

    Parameters
    ----------
    own : pandas.DataFrame
        One row per node region: ``node_id``, the amplitude descriptors, ``analysable`` and
        ``flag``.
    reference : pandas.DataFrame or None
        The reference regions of the same clips, same columns (a reference whose node is
        not in ``own`` is ignored).

    Returns
    -------
    pandas.DataFrame
        ``own`` with a fresh index and the ratio columns: NaN without a reference region,
        or when either region is not analysable (``ratio_flag`` says why); a note that
        leaves a region analysable (e.g. no wash-out) leaves the ratios alone.

    Examples
    --------
    >>> own = pd.DataFrame({"node_id": ["A", "B"], "pe": [0.3, 0.2], "analysable": [True, True],
    ...                     "flag": ["", ""]})
    >>> ref = pd.DataFrame({"node_id": ["A"], "pe": [0.1], "analysable": [True], "flag": [""]})
    >>> with_ratios(own.assign(**{d: 1.0 for d in ("wiauc", "woauc", "wiwoauc", "wir", "wor",
    ...                                             "wipi")}),
    ...             ref.assign(**{d: 1.0 for d in ("wiauc", "woauc", "wiwoauc", "wir", "wor",
    ...                                             "wipi")}))[["pe_ratio", "ratio_flag"]]
       pe_ratio          ratio_flag
    0       3.0
    1       NaN  no reference curve
    """
    ratios = pd.DataFrame({"node_id": own["node_id"]})
    if reference is not None and len(reference):
        ref = reference[reference["node_id"].isin(set(own["node_id"]))]
        both = pd.concat([own.assign(roi="node"), ref.assign(roi="reference")])
        # a note such as "no wash-out" leaves the ratios of the other descriptors alone
        both["flag"] = both["flag"].where(~both["analysable"].astype(bool), "")
        with_ref = both[both["node_id"].isin(set(ref["node_id"]))]
        if len(with_ref):
            found = reference_ratios(with_ref, by="node_id").drop(columns="roi")
            found = found.rename(columns={"flag": "ratio_flag"})
            ratios = ratios.merge(found, on="node_id", how="left")
    for name in RATIO_COLUMNS:
        if name not in ratios:
            ratios[name] = np.nan
    ratios["ratio_flag"] = ratios["ratio_flag"].astype(object)
    no_reference = ratios["ratio_flag"].isna()
    ratios.loc[no_reference, "ratio_flag"] = "no reference curve"
    ratios["ratio_flag"] = ratios["ratio_flag"].astype("str")
    out = own.reset_index(drop=True)
    for name in RATIO_COLUMNS:
        out[name] = ratios[name].to_numpy()
    return out


def _fit(tics, unit, model, method, saturation, settings) -> pd.DataFrame:
    """One row per curve of ``tics`` (one region per node), batched by length and level."""
    if unit not in ("linear", "normalized", "db", "gray"):
        raise ValueError(f"cannot fit intensities in unit {unit!r}")
    node = tics["node_id"].to_numpy(dtype=object)
    order = pd.unique(node)
    codes = pd.Categorical(node, categories=order).codes
    lengths = np.bincount(codes, minlength=len(order))
    intensity = tics["intensity"].to_numpy(dtype=float)
    level = np.full(len(order), np.nan if saturation is None else float(saturation))
    if settings is not None:
        declared = settings["saturation_level"].reindex(order).to_numpy(dtype=float)
        level = np.where(np.isnan(declared), level, declared)
    if unit == "db":
        intensity = from_db(intensity)
        level = from_db(level)
    elif unit == "gray":
        dynamic = np.full(len(order), np.nan)
        if settings is not None:
            dynamic = settings["dynamic_range_db"].reindex(order).to_numpy(dtype=float)
        if np.isnan(dynamic).any():
            raise ValueError(
                "cannot fit gray intensities without the scanner's dynamic range: give each "
                "node's examination a dynamic_range_db in examinations.csv, or linearise them "
                "first with ceuslib.perfusion.linearize"
            )
        per_row = dynamic[codes]
        linear = np.empty_like(intensity)
        for value in np.unique(per_row):
            rows = per_row == value
            linear[rows] = linearize(intensity[rows], dynamic_range_db=float(value))
        intensity = linear
        level = np.ones(len(order))  # gray 255, the top of the display, is linear 1
    elif unit == "normalized":
        level = np.where(np.isnan(level), 1.0, level)
    results = []
    time = tics["time_s"].to_numpy(dtype=float)
    batch = pd.DataFrame({"length": lengths, "level": np.nan_to_num(level, nan=-1.0)})
    for (length, key), members in batch.groupby(["length", "level"], sort=True).groups.items():
        members = np.asarray(members)
        rows = np.flatnonzero(np.isin(codes, members))
        rows = rows[np.argsort(codes[rows], kind="stable")]
        shape = (members.size, int(length))
        fitted = fit_tics(
            time[rows].reshape(shape),
            intensity[rows].reshape(shape),
            model=model,
            method=method,
            saturation=None if key == -1.0 else float(key),
            progress=False,
        )
        fitted.insert(0, "node_id", order[members])
        fitted.index = members
        results.append(fitted)
    out = pd.concat(results).sort_index().reset_index(drop=True)
    out["node_id"] = out["node_id"].astype("str")
    return out
