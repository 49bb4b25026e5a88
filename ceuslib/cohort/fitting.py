"""Fit every time-intensity curve of a cohort: one row of perfusion descriptors per node."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.perfusion import fit_tics, from_db


def fit_cohort_curves(
    tics: pd.DataFrame,
    *,
    model: str = "lognormal",
    method: str = "auto",
    saturation: float | None = None,
) -> pd.DataFrame:
    """Fit a bolus model to each curve of a long ``tics`` table.

    Parameters
    ----------
    tics : pandas.DataFrame
        Long format with ``node_id, time_s, intensity, unit`` (as
        :func:`ceuslib.cohort.read_cohort` returns it); one unit for the whole table,
        ``linear``, ``normalized`` or ``db`` (converted to linear echo-power by
        :func:`ceuslib.perfusion.from_db`, ``10 ** (dB / 10)``).
    model : str
        A model of ``ceuslib.perfusion.MODELS``.
    method : {"auto", "exact", "binned"}
        As in ``ceuslib.perfusion.fit_tics`` (``"auto"``: each batch of curves of one
        length is fitted on every frame when it holds at most 240,000 frames in all).
    saturation : float or None
        Echo-power at which the display saturates, as ``fit_tics`` takes it; ``None``
        (default) when the data do not declare it (``normalized`` data declare 1.0).

    Returns
    -------
    pandas.DataFrame
        ``node_id`` then the columns of ``ceuslib.perfusion.fit_tics``, one row per
        curve, in the order the curves first appear; ``analysable`` says which curves an
        analysis may use.

    Raises
    ------
    ValueError
        If the intensities are gray levels (they need the scanner's dynamic range:
        linearise them first with ``ceuslib.perfusion.linearize``) or the units mix.

    Notes
    -----
    Curves with the same number of frames are fitted together in one batch of
    ``ceuslib.perfusion.fit_tics``, each on its own time axis.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> fits = fit_cohort_curves(simulate_cohort(2, seed=3).tics)
    >>> list(fits.columns[:3])
    ['node_id', 'model', 'area']
    >>> bool(fits["ttp"].between(10, 60).all())
    True
    """
    units = tics["unit"].dropna().unique()
    if len(units) > 1:
        raise ValueError(f"the curves mix units {sorted(units)}; one unit is needed")
    if len(tics) == 0:
        return pd.DataFrame({"node_id": pd.Series(dtype="str")})
    unit = units[0]
    if unit not in ("linear", "normalized", "db"):
        raise ValueError(
            f"cannot fit {unit} intensities: linearise gray levels first with "
            "ceuslib.perfusion.linearize and the scanner's dynamic range"
        )
    intensity = tics["intensity"].to_numpy(dtype=float)
    if unit == "db":
        intensity = from_db(intensity)
    node = tics["node_id"].to_numpy(dtype=object)
    order = pd.unique(node)
    codes = pd.Categorical(node, categories=order).codes
    lengths = np.bincount(codes, minlength=len(order))
    results = []
    time = tics["time_s"].to_numpy(dtype=float)
    for length in np.unique(lengths):
        members = np.flatnonzero(lengths == length)
        rows = np.flatnonzero(np.isin(codes, members))
        rows = rows[np.argsort(codes[rows], kind="stable")]
        shape = (members.size, int(length))
        fitted = fit_tics(
            time[rows].reshape(shape),
            intensity[rows].reshape(shape),
            model=model,
            method=method,
            saturation=saturation,
            progress=False,
        )
        fitted.insert(0, "node_id", order[members])
        fitted.index = members
        results.append(fitted)
    out = pd.concat(results).sort_index().reset_index(drop=True)
    out["node_id"] = out["node_id"].astype("str")
    return out
