"""A spare-the-neck policy, counted per 100 patients, and how it moves with prevalence."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ceuslib.decision._checks import binary_outcome, probability_level
from ceuslib.decision.resample import bootstrap_weights, percentile_interval

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
    """What a spare-the-neck rule does to 100 patients.

    ``table`` is indexed by the measures (per 100 patients: ``dissections``,
    ``dissections_avoided``, ``unnecessary_dissections``, ``clear_necks_spared``,
    ``residual_patients_left``, ``residual_nodes_left``; proportions: ``sensitivity``,
    ``specificity``, ``risk_if_observed`` = residual disease among observed necks, 1 - NPV)
    with columns ``estimate, ci_low, ci_high``.  ``draws`` holds the bootstrap values used
    by :func:`prevalence_shift`.
    """

    n_patients: int
    n_boot: int
    level: float
    table: pd.DataFrame = field(repr=False)
    draws: dict[str, np.ndarray] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-100-patients table."""
        return self.table.copy()


def evaluate_policy(
    dissect: object,
    residual: object,
    *,
    residual_nodes: object = None,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
) -> PolicyResult:
    """Count what a spare-the-neck rule does, per 100 patients, with bootstrap intervals.

    Parameters
    ----------
    dissect : array-like of bool
        The rule's decision per patient: True = dissect the neck, False = observe it.
    residual : array-like of int
        Reference standard per patient, 0 or 1: 1 = residual nodal disease (ypN+).
    residual_nodes : array-like of int, optional
        Number of nodes with residual disease per patient (for example ``nodes_positive``
        of the cohort's patients table); counts left behind in observed necks are then
        reported.  Must be 0 where ``residual`` is 0.
    n_boot : int
        Number of bootstrap resamples of patients.
    seed : int or numpy.random.Generator
        Source of randomness.
    level : float
        Level of the percentile intervals.

    Returns
    -------
    PolicyResult

    Notes
    -----
    One row per patient: the decision to dissect is made per patient (or neck side), so
    patients are the unit of counting and of resampling.  "Per 100 patients" is the
    natural frequency format that makes such trade-offs readable (Gigerenzer & Hoffrage
    1995).  Intervals are percentile bootstrap intervals over patients.

    Examples
    --------
    >>> r = evaluate_policy([True, True, False, False], [1, 0, 0, 1],
    ...                     residual_nodes=[2, 0, 0, 3], n_boot=10, seed=0)
    >>> r.table.loc[["dissections_avoided", "residual_patients_left",
    ...              "residual_nodes_left"], "estimate"].tolist()
    [50.0, 25.0, 75.0]
    >>> float(r.table.loc["risk_if_observed", "estimate"])
    0.5
    """
    residual = binary_outcome(residual, "residual").astype(bool)
    d = np.asarray(dissect)
    if d.shape != residual.shape or not (d.dtype == bool or np.isin(d, (0, 1)).all()):
        raise ValueError("dissect must hold one True/False decision per patient, like residual")
    d = d.astype(bool)
    if residual_nodes is None:
        nodes = residual.astype(float)
    else:
        nodes = np.asarray(residual_nodes, dtype=float)
        if nodes.shape != residual.shape or not np.all(np.isfinite(nodes)) or (nodes < 0).any():
            raise ValueError("residual_nodes must hold one count >= 0 per patient")
        if (nodes[~residual] > 0).any() or (nodes[residual] < 1).any():
            raise ValueError(
                "residual_nodes must be 0 where residual is 0 and at least 1 where it is 1"
            )
    level = probability_level(level)
    point = _per_100(d, residual, nodes, np.ones((1, d.size), dtype=np.int64))
    weights = bootstrap_weights(None, d.size, n_boot=n_boot, seed=seed)
    draws = _per_100(d, residual, nodes, weights)
    rows = {}
    for name in (*MEASURES, *RATES):
        low, high = percentile_interval(draws[name][:, None], level)
        rows[name] = {"estimate": float(point[name][0]), "ci_low": low[0], "ci_high": high[0]}
    table = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    draws["nodes_per_missed_neck_estimate"] = point["nodes_per_missed_neck"]
    return PolicyResult(
        n_patients=int(d.size), n_boot=int(weights.shape[0]), level=level, table=table, draws=draws
    )


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


def prevalence_shift(result: PolicyResult, pcr_rates: object) -> pd.DataFrame:
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
    >>> r = evaluate_policy([True, True, False, False], [1, 0, 0, 1], n_boot=10, seed=0)
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
        table[f"{name}_low"], table[f"{name}_high"] = percentile_interval(draws[name], result.level)
    return table
