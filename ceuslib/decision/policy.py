"""A spare-the-neck policy, counted per 100 patients (or neck sides), and how it moves with
prevalence."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy.resample import (
    N_RESAMPLES_INTERVAL,
    cluster_counts,
    clusters_of,
    draw_clusters,
    percentile_bounds,
)

MEASURES = {
    "dissections": "necks dissected",
    "dissections_avoided": "necks observed (dissection avoided)",
    "unnecessary_dissections": "necks dissected without residual disease",
    "clear_necks_spared": "necks observed without residual disease",
    "residual_patients_left": "necks observed with residual disease",
    "residual_nodes_left": "nodes with residual disease left in observed necks",
}
RATES = ("sensitivity", "specificity", "risk_if_observed")


def _per_100(dissect, residual, nodes, weights):
    """Per-100 counts and rates for every weight row."""
    w = weights.astype(float)
    n = w.sum(axis=1)
    observe = ~dissect
    counts = {
        "dissections": w @ dissect,
        "dissections_avoided": w @ observe,
        "unnecessary_dissections": w @ (dissect & ~residual),
        "clear_necks_spared": w @ (observe & ~residual),
        "residual_patients_left": w @ (observe & residual),
        "residual_nodes_left": w @ np.where(observe, nodes, 0.0),
    }
    out = {name: 100 * value / n for name, value in counts.items()}
    positives = w @ residual
    with np.errstate(invalid="ignore", divide="ignore"):
        out["sensitivity"] = (w @ (dissect & residual)) / positives
        out["specificity"] = counts["clear_necks_spared"] / (n - positives)
        out["risk_if_observed"] = counts["residual_patients_left"] / counts["dissections_avoided"]
        out["nodes_per_missed_neck"] = counts["residual_nodes_left"] / np.where(
            counts["residual_patients_left"] > 0, counts["residual_patients_left"], np.nan
        )
    return out


@dataclass(frozen=True)
class PolicyResult:
    """What a spare-the-neck rule does to 100 units of decision (patients or neck sides).

    Attributes
    ----------
    n_patients : int
        The patients resampled.
    n_resamples : int
        Number of bootstrap resamples of patients.
    level : float
        Level of the percentile intervals.
    table : pandas.DataFrame
        Indexed by the measures (per 100 units: ``dissections``, ``dissections_avoided``,
        ``unnecessary_dissections``, ``clear_necks_spared``, ``residual_patients_left``,
        ``residual_nodes_left``; proportions: ``sensitivity``, ``specificity``,
        ``risk_if_observed`` = residual disease among observed necks, 1 - NPV) with
        columns ``estimate, ci_low, ci_high``.
    draws : dict of str to numpy.ndarray
        The bootstrap values used by :func:`prevalence_shift`.
    n_units : int
        The units of decision (rows); equal to ``n_patients`` when each row is a patient.
    n_omitted : int
        Rows left out for a missing value (``nan_policy="omit"``).
    """

    n_patients: int
    n_resamples: int
    level: float
    table: pd.DataFrame = field(repr=False)
    draws: dict[str, np.ndarray] = field(repr=False)
    n_units: int = 0
    n_omitted: int = 0

    @property
    def n_boot(self) -> int:
        """Deprecated name of ``n_resamples``."""
        check.deprecated("PolicyResult.n_boot is deprecated: use n_resamples")
        return self.n_resamples

    def to_frame(self) -> pd.DataFrame:
        """The per-100 table.

        Returns
        -------
        pandas.DataFrame
            A copy of ``table``.
        """
        return self.table.copy()


def _old_order(first: object, args: tuple, dissect: object, old: dict) -> tuple[object, object]:
    """(y_true, dissect) of a call in the old order ``(dissect, residual)``, with a warning."""
    if len(args) > 1 or (args and "residual" in old):
        raise TypeError("evaluate_policy() takes y_true and, by keyword, dissect=...")
    residual = args[0] if args else old.pop("residual")
    if dissect is None:
        dissect = first
    elif first is not None:
        raise TypeError(
            "evaluate_policy() got dissect twice; call evaluate_policy(y_true, dissect=...)"
        )
    check.deprecated(
        "evaluate_policy(dissect, residual) is deprecated: call "
        "evaluate_policy(y_true, dissect=...), truth first"
    )
    return residual, dissect


@check.renamed(n_boot="n_resamples")
def evaluate_policy(
    y_true: ArrayLike | None = None,
    *args: object,
    dissect: ArrayLike | None = None,
    cluster: ArrayLike | None = None,
    residual_nodes: ArrayLike | None = None,
    n_resamples: int = N_RESAMPLES_INTERVAL,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    pos_label: object = None,
    nan_policy: str = "raise",
    **old: object,
) -> PolicyResult:
    """Count what a spare-the-neck rule does, per 100 units, with bootstrap intervals.

    Parameters
    ----------
    y_true : array-like
        Reference standard per unit of decision: 0/1 or True/False (1 = residual nodal
        disease, ypN+), or labels with ``pos_label``.
    *args : object
        Deprecated: ``residual`` of the old order ``evaluate_policy(dissect, residual)``.
    dissect : array-like of bool
        Keyword-only. The rule's decision per unit: True = dissect the neck, False =
        observe it.  The old order ``evaluate_policy(dissect, residual)`` still works for
        one release, with a ``DeprecationWarning``.
    cluster : array-like, optional
        The patient of each row when the unit of decision is the neck side (two rows per
        patient with both sides assessed): patients are then resampled with both their
        sides, and the counts are per 100 sides.  ``None`` when each row is a patient.
    residual_nodes : array-like of int, optional
        Number of nodes with residual disease per unit (for example ``nodes_positive``
        of the cohort's patients table); counts left behind in observed necks are then
        reported.  Must be 0 where ``y_true`` is negative and at least 1 where positive.
    n_resamples : int
        Number of bootstrap resamples of patients (formerly ``n_boot``).
    seed : int or numpy.random.Generator
        Source of randomness.
    level : float
        Level of the percentile intervals.
    pos_label : object, optional
        The label of ``y_true`` that means residual disease, for labels other than 0/1.
    nan_policy : str
        One of ``"raise"``, ``"omit"``; with ``"omit"`` a row missing any input is left out
        (``n_omitted``).
    **old : object
        Deprecated: ``residual=`` of the old order; any other keyword is an error.

    Returns
    -------
    PolicyResult
        The rule's consequences per 100 units, with percentile intervals.

    Notes
    -----
    The decision to dissect is made per patient or per neck side, so that unit is the unit
    of counting; patients are the unit of resampling (the sides of one patient share the
    response to treatment).  "Per 100" is the natural frequency format that makes such
    trade-offs readable (Gigerenzer & Hoffrage 1995).  Intervals are percentile bootstrap
    intervals over patients (Davison & Hinkley 1997, section 3.8; Field & Welsh 2007).

    Examples
    --------
    >>> r = evaluate_policy([1, 0, 0, 1], dissect=[True, True, False, False],
    ...                     residual_nodes=[2, 0, 0, 3], n_resamples=10, seed=0)
    >>> r.table.loc[["dissections_avoided", "residual_patients_left",
    ...              "residual_nodes_left"], "estimate"].tolist()
    [50.0, 25.0, 75.0]
    >>> float(r.table.loc["risk_if_observed", "estimate"])
    0.5

    Neck sides of two patients, resampled by patient:

    >>> sides = evaluate_policy([1, 0, 0, 0], dissect=[True, False, False, True],
    ...                         cluster=["p1", "p1", "p2", "p2"], n_resamples=10, seed=0)
    >>> sides.n_units, sides.n_patients
    (4, 2)
    """
    if args or "residual" in old:
        y_true, dissect = _old_order(y_true, args, dissect, old)
    if old:
        raise TypeError(f"evaluate_policy() got unexpected keyword(s) {sorted(old)}")
    if y_true is None or dissect is None:
        raise TypeError("evaluate_policy() needs y_true and dissect=...")
    level = check.level(level)
    n_resamples = check.n_resamples(n_resamples)
    columns, omitted = check.rows(
        {"y_true": y_true, "dissect": dissect, "residual_nodes": residual_nodes,
         "cluster": None if cluster is None else np.asarray(cluster, dtype=object)},
        nan_policy=nan_policy,
    )  # fmt: skip
    residual = check.labels(columns["y_true"], pos_label=pos_label)
    d = check.calls(columns["dissect"], name="dissect")
    if residual_nodes is None:
        nodes = residual.astype(float)
    else:
        nodes = check.scores(columns["residual_nodes"], name="residual_nodes")
        if (nodes < 0).any():
            raise ValueError("residual_nodes must hold one count >= 0 per unit")
        if (nodes[~residual] > 0).any() or (nodes[residual] < 1).any():
            raise ValueError(
                "residual_nodes must be 0 where y_true is negative and at least 1 where it is "
                "positive"
            )
    if d.size == 0:
        raise ValueError("evaluate_policy needs at least one unit")
    codes, k = clusters_of(columns.get("cluster"), d.size)
    point = _per_100(d, residual, nodes, np.ones((1, d.size), dtype=np.int64))
    (drawn,) = draw_clusters(k, n_resamples, check.generator(seed))
    draws = _per_100(d, residual, nodes, cluster_counts(drawn, k)[:, codes])
    rows = {}
    for name in (*MEASURES, *RATES):
        low, high = percentile_bounds(draws[name][:, None], level)
        rows[name] = {"estimate": float(point[name][0]), "ci_low": low[0], "ci_high": high[0]}
    table = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    draws["nodes_per_missed_neck_estimate"] = point["nodes_per_missed_neck"]
    return PolicyResult(
        n_patients=k, n_resamples=n_resamples, level=level, table=table, draws=draws,
        n_units=int(d.size), n_omitted=omitted,
    )  # fmt: skip


def _shift(se, sp, nodes_per_missed, p):
    """Per-100 consequences at prevalence p of residual disease (arrays broadcast)."""
    missed = p * (1 - se)
    spared = (1 - p) * sp
    with np.errstate(invalid="ignore", divide="ignore"):
        risk = missed / (missed + spared)
    return {
        "dissections_avoided": 100 * (missed + spared),
        "unnecessary_dissections": 100 * (1 - p) * (1 - sp),
        "residual_patients_left": 100 * missed,
        "residual_nodes_left": np.where(missed > 0, 100 * missed * nodes_per_missed, 0.0),
        "risk_if_observed": risk,
    }


def prevalence_shift(result: PolicyResult, pcr_rates: ArrayLike) -> pd.DataFrame:
    """The same rule in populations with other response rates.

    Parameters
    ----------
    result : PolicyResult
        From :func:`evaluate_policy`; its sensitivity and specificity (and their bootstrap
        draws) are carried over.
    pcr_rates : array-like of float
        Shares of patients whose neck is free of tumour after NACI, in (0, 1).  The
        prevalence of residual nodal disease is taken as ``1 - pcr_rate``.

    Returns
    -------
    pandas.DataFrame
        One row per rate: ``pcr_rate, prevalence`` and, for ``dissections_avoided,
        unnecessary_dissections, residual_patients_left, residual_nodes_left`` (per 100
        patients) and ``risk_if_observed`` (a proportion), the estimate and ``_low`` /
        ``_high`` interval ends.

    Notes
    -----
    Sensitivity and specificity are assumed to transport to the new population (no
    spectrum effect) while the prevalence changes; predictive values then follow from
    Bayes' theorem (Altman & Bland 1994).  Equating the neck's clearance with the pCR rate
    is an assumption: nodal and primary responses differ (Ning et al. 2025 report nodal CR
    53.7% against primary CR 41.5%).  Residual nodes per missed neck are held at the
    cohort's value.  Intervals carry the bootstrap draws of sensitivity, specificity and
    nodes per missed neck through the formulas.

    Examples
    --------
    >>> r = evaluate_policy([1, 0, 0, 1], dissect=[True, True, False, False], n_resamples=10,
    ...                     seed=0)
    >>> t = prevalence_shift(r, [0.5])
    >>> float(t.residual_patients_left[0]), float(t.dissections_avoided[0])
    (25.0, 50.0)
    """
    rates = np.atleast_1d(np.asarray(pcr_rates, dtype=float))
    if rates.ndim != 1 or rates.size == 0 or not np.all((rates > 0) & (rates < 1)):
        raise ValueError("pcr_rates must be proportions strictly between 0 and 1")
    est = result.table["estimate"]
    npm = result.draws["nodes_per_missed_neck_estimate"][0]
    point = _shift(est["sensitivity"], est["specificity"], npm, 1 - rates)
    draws = _shift(
        result.draws["sensitivity"][:, None],
        result.draws["specificity"][:, None],
        result.draws["nodes_per_missed_neck"][:, None],
        (1 - rates)[None, :],
    )
    table = pd.DataFrame({"pcr_rate": rates, "prevalence": 1 - rates})
    for name, value in point.items():
        table[name] = value
        table[f"{name}_low"], table[f"{name}_high"] = percentile_bounds(draws[name], result.level)
    return table
