"""Perfusion parameters computed by another program (``parameters.csv``) as curve fits.

A study that quantified its clips in VueBox (or another program) and kept only the exported
parameters has a ``parameters.csv`` instead of curves.  :func:`parameter_fits` turns it into
the table :func:`ceuslib.cohort.fit_cohort_curves` gives, one row per node, so that
:func:`ceuslib.analysis.analysis_set` treats both routes alike: the same descriptor names, the
same ``analysable`` and ``flag`` columns, and the same ratios to the reference region of the
clip (:func:`ceuslib.cohort.fitting.with_ratios`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.fitting import with_ratios
from ceuslib.perfusion.flags import FLAGS

PARAMETER_COLUMNS = (
    "pe",
    "wiauc",
    "rt",
    "mttl",
    "ttp",
    "wir",
    "wipi",
    "woauc",
    "wiwoauc",
    "ft",
    "wor",
    "qof",
)
"""The parameters of ``parameters.csv`` in the library's names (VueBox's PE, WiAUC, RT, mTTl,
TTP, WiR, WiPI, WoAUC, WiWoAUC, FT, WoR, QOF); ``mtt`` may follow."""


def parameter_fits(parameters: pd.DataFrame, *, min_qof: float | None = None) -> pd.DataFrame:
    """One row per node from ``parameters.csv``, in the form of the curve fits.

    Parameters
    ----------
    parameters : pandas.DataFrame
        ``Cohort.parameters``: ``node_id``, ``roi`` (``node`` or ``reference``), the
        columns of :data:`PARAMETER_COLUMNS`, and optionally ``mtt`` and ``flag``.
    min_qof : float, optional
        The lowest quality of fit (percent) of an analysable region; by default no
        threshold (the program's own acceptance stands).

    Returns
    -------
    pandas.DataFrame
        ``node_id``, the parameters, ``analysable``, ``flag`` and the ratio columns
        (``pe_ratio``, ..., ``ratio_flag``), one row per node region in file order.

    Notes
    -----
    A region is **analysable** when its ``flag`` is empty, its peak enhancement (``pe``) is
    a positive number, its time to peak (``ttp``) and quality of fit (``qof``) are given,
    and ``qof`` is at least ``min_qof`` when one is set.  Otherwise ``flag`` says why: the
    file's own flag as written, or the first missing value.  An analysable region without
    a wash-out area (``woauc`` empty) carries the fitter's note "no wash-out within the
    acquisition" and stays analysable, as a fitted curve does.  Ratios are computed as the
    fit computes them: NaN when either region is not analysable.

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "node_id": ["A-N1", "A-N1", "B-N1"], "roi": ["node", "reference", "node"],
    ...     "pe": [0.3, 0.1, np.nan], "ttp": [25.0, 30.0, np.nan], "qof": [90.0, 85.0, np.nan],
    ...     "flag": ["", "", ""]})
    >>> fits = parameter_fits(table)
    >>> fits[["node_id", "analysable", "flag", "pe_ratio"]]
      node_id  analysable                       flag  pe_ratio
    0    A-N1        True  no wash-out within the acquisition       3.0
    1    B-N1       False       no peak enhancement       NaN
    """
    table = parameters.reset_index(drop=True).copy()
    for name in (*PARAMETER_COLUMNS, "mtt"):
        if name not in table:
            table[name] = np.nan
    given = table["flag"] if "flag" in table else pd.Series(np.nan, index=table.index)
    flag = given.astype(object).where(given.notna(), "").astype(str).str.strip()
    pe = table["pe"].to_numpy(dtype=float)
    checks = [
        (~(np.isfinite(pe) & (pe > 0)), "no peak enhancement"),
        (~np.isfinite(table["ttp"].to_numpy(dtype=float)), "no time to peak"),
        (~np.isfinite(table["qof"].to_numpy(dtype=float)), "no quality of fit"),
    ]
    if min_qof is not None:
        below = table["qof"].to_numpy(dtype=float) < float(min_qof)
        checks.append((below, f"quality of fit below {min_qof:g}%"))
    for failed, words in checks:
        flag = flag.where(~((flag == "") & failed), words)
    analysable = (flag == "").to_numpy()
    no_washout = analysable & ~np.isfinite(table["woauc"].to_numpy(dtype=float))
    flag = flag.where(~no_washout, FLAGS["no_washout"])
    table["analysable"] = analysable
    table["flag"] = flag.to_numpy()
    columns = ["node_id", *PARAMETER_COLUMNS, "mtt", "analysable", "flag"]
    roi = table["roi"] if "roi" in table else pd.Series("node", index=table.index)
    own = table.loc[roi.ne("reference").to_numpy(), columns]
    reference = table.loc[roi.eq("reference").to_numpy(), columns]
    out = with_ratios(own, reference if len(reference) else None)
    out["node_id"] = out["node_id"].astype("str")
    return out


def fitted_parameters(cohort: object, *, model: str = "lognormal") -> pd.DataFrame:
    """The ``parameters.csv`` of a cohort's own curves: every region fitted, as an export.

    What a quantification program would have exported for the study's clips: one row per
    node region and reference region, fitted as :func:`ceuslib.analysis.analysis_set` fits
    them, with the fit's ``flag`` on the regions it does not analyse (and an empty flag on
    the others), so that the parameter route gives the same analysis set as the curves.

    Parameters
    ----------
    cohort : ceuslib.cohort.Cohort
        A cohort with curves.
    model : str
        The bolus model.

    Returns
    -------
    pandas.DataFrame
        The columns of ``parameters.csv`` (``mtt`` and ``flag`` included): the node
        regions, then the reference regions.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> table = fitted_parameters(simulate_cohort(2, seed=3))
    >>> table["roi"].value_counts().to_dict()
    {'node': 2, 'reference': 2}
    """
    from ceuslib.cohort.fitting import acquisition, fit_cohort_curves

    settings = acquisition(cohort.nodes, getattr(cohort, "examinations", None))
    regions = [("node", cohort.tics)]
    reference = getattr(cohort, "reference_tics", None)
    if reference is not None and len(reference):
        regions.append(("reference", reference.assign(roi="node")))
    tables = []
    for roi, tics in regions:
        fits = fit_cohort_curves(tics, model=model, settings=settings)
        flag = fits["flag"].where(~fits["analysable"].astype(bool), "")
        table = fits[["node_id", *PARAMETER_COLUMNS, "mtt"]].assign(flag=flag.to_numpy())
        tables.append(table.assign(roi=roi))
    out = pd.concat(tables, ignore_index=True)
    return out[["node_id", "roi", *PARAMETER_COLUMNS, "mtt", "flag"]]


__all__ = ["PARAMETER_COLUMNS", "fitted_parameters", "parameter_fits"]
