"""How many CEUS-negative necks a study needs to show that the residual risk is low enough.

Sparing a neck is safe when the risk of residual disease in the necks that are observed,
1 - NPV, is below a threshold the team accepts (say 10%). A study shows it when the upper
confidence bound of that risk, estimated from the CEUS-negative necks, falls below the
threshold.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from ceuslib.accuracy import _validate as check


@dataclass(frozen=True)
class ResidualRiskSampleSize:
    """Sample size to show that the residual risk of CEUS-negative units is below a bound.

    See :func:`residual_risk_sample_size`.

    Attributes
    ----------
    n_negative : int
        CEUS-negative units (neck sides) to analyse, clustering included.
    n_effective : float
        The same for independent units, before rounding.
    design_effect : float
        ``1 + (cluster_size - 1) icc``.
    n_patients : int
        Patients contributing them, at ``cluster_size`` units each.
    n_total : int or None
        Units to examine, given the share that tests negative (None without it).
    anticipated_risk, threshold, level, power : float
        The inputs of :func:`residual_risk_sample_size`.
    """

    n_negative: int
    n_effective: float
    design_effect: float
    n_patients: int
    n_total: int | None
    anticipated_risk: float
    threshold: float
    level: float
    power: float

    def to_frame(self) -> pd.DataFrame:
        """One row with every field.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field.
        """
        return pd.DataFrame([self.__dict__])


def _probability(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def _design_effect(cluster_size: object, icc: object) -> float:
    if isinstance(cluster_size, bool) or not isinstance(cluster_size, numbers.Real):
        raise ValueError(f"cluster_size must be a number >= 1, got {cluster_size!r}")
    if not float(cluster_size) >= 1.0:
        raise ValueError(f"cluster_size must be a number >= 1, got {cluster_size!r}")
    if isinstance(icc, bool) or not isinstance(icc, numbers.Real) or not 0.0 <= float(icc) <= 1:
        raise ValueError(f"icc must be a number from 0 to 1, got {icc!r}")
    return 1.0 + (float(cluster_size) - 1.0) * float(icc)


def _quantiles(level: object, power: object) -> tuple[float, float]:
    z_alpha = check.z_value(level)
    return z_alpha, float(stats.norm.ppf(_probability(power, "power")))


def residual_risk_sample_size(
    anticipated_risk: float,
    threshold: float,
    *,
    level: float = 0.95,
    power: float = 0.8,
    cluster_size: float = 1.0,
    icc: float = 0.0,
    negative_share: float | None = None,
) -> ResidualRiskSampleSize:
    """Number of CEUS-negative units needed to show that the residual risk is below a bound.

    Parameters
    ----------
    anticipated_risk : float
        The residual risk (1 - NPV) expected among CEUS-negative units, in (0, 1).
    threshold : float
        The highest acceptable risk, above ``anticipated_risk``.
    level : float
        Confidence level: the upper bound is the upper end of the two-sided ``level``
        interval (0.95 gives a one-sided 97.5% bound), as in the ``_lcb`` cut-point rules.
    power : float
        Probability that the bound falls below ``threshold`` when the risk is
        ``anticipated_risk``.
    cluster_size : float
        Mean number of CEUS-negative units per patient (2 when both neck sides of every
        patient are observed); 1 when each patient contributes one unit.
    icc : float
        Intraclass correlation of residual disease between the units of one patient.
    negative_share : float, optional
        Share of examined units that test CEUS-negative; gives ``n_total``, the units to
        examine.

    Returns
    -------
    ResidualRiskSampleSize
        The units and patients needed, with the inputs.

    Notes
    -----
    The bound falls below the threshold p0 exactly when the one-sided score test of
    H0: risk >= p0 rejects, so the sample size is that of the one-sample test of a
    proportion (Fleiss JL, Levin B, Paik MC. Statistical Methods for Rates and
    Proportions, 3rd ed. Wiley 2003, section 2.5; Chow SC, Shao J, Wang H. Sample Size
    Calculations in Clinical Research, 2nd ed. 2008, section 4.1), with p1 the anticipated
    risk:

        n = ((z_a·sqrt(p0 (1 - p0)) + z_b·sqrt(p1 (1 - p1))) / (p0 - p1))²,

    z_a = z_{(1 + level)/2} and z_b = z_{power}. Units of one patient are correlated:
    n is multiplied by the design effect 1 + (m - 1)·ICC with m units per patient (Kish L.
    Survey Sampling. Wiley 1965; Donner A, Klar N. Design and Analysis of Cluster
    Randomization Trials. Arnold 2000) and rounded up.

    Examples
    --------
    Anticipated risk 5%, threshold 15%, both sides of each neck (ICC 0.3):

    >>> s = residual_risk_sample_size(0.05, 0.15, cluster_size=2, icc=0.3, negative_share=0.4)
    >>> s.n_negative, s.n_patients, s.n_total
    (102, 51, 255)
    >>> print(f"{s.n_effective:.2f} {s.design_effect:.1f}")
    78.02 1.3
    """
    p1 = _probability(anticipated_risk, "anticipated_risk")
    p0 = _probability(threshold, "threshold")
    if not p1 < p0:
        raise ValueError(
            f"threshold ({p0:g}) must be above the anticipated risk ({p1:g}): a bound below "
            "the threshold cannot be expected otherwise"
        )
    z_alpha, z_beta = _quantiles(level, power)
    effect = _design_effect(cluster_size, icc)
    root = z_alpha * math.sqrt(p0 * (1 - p0)) + z_beta * math.sqrt(p1 * (1 - p1))
    n_effective = (root / (p0 - p1)) ** 2
    n_negative = math.ceil(n_effective * effect)
    n_total = None
    if negative_share is not None:
        n_total = math.ceil(n_negative / _probability(negative_share, "negative_share"))
    return ResidualRiskSampleSize(
        n_negative=n_negative, n_effective=n_effective, design_effect=effect,
        n_patients=math.ceil(n_negative / float(cluster_size)), n_total=n_total,
        anticipated_risk=p1, threshold=p0, level=float(level), power=float(power),
    )  # fmt: skip


def detectable_residual_risk(
    n_negative: int,
    anticipated_risk: float,
    *,
    level: float = 0.95,
    power: float = 0.8,
    cluster_size: float = 1.0,
    icc: float = 0.0,
) -> float:
    """The lowest bound that ``n_negative`` CEUS-negative units can show the risk to be below.

    This is the inverse of :func:`residual_risk_sample_size`.

    Parameters
    ----------
    n_negative : int
        CEUS-negative units (neck sides) analysed.
    anticipated_risk : float
        The residual risk expected among CEUS-negative units, in (0, 1).
    level : float
        Confidence level of the two-sided interval whose upper end is the bound.
    power : float
        Probability that the bound falls below the threshold found.
    cluster_size : float
        Mean number of CEUS-negative units per patient.
    icc : float
        Intraclass correlation of residual disease between the units of one patient.

    Returns
    -------
    float
        The threshold p0 that solves the sample-size equation for the effective number of
        units n / (1 + (m - 1)·ICC); NaN when no threshold below 1 can be shown.

    Notes
    -----
    With n' the effective number, c = z_b·sqrt(p1 (1 - p1) / n'), k = z_a² / n' and
    a = p1 + c, the equation sqrt(n') (p0 - p1) = z_a sqrt(p0 (1 - p0)) + z_b sqrt(p1 (1 - p1))
    becomes, for u = p0 - a >= 0, (1 + k) u² + k (2a - 1) u - k a (1 - a) = 0, whose
    positive root gives p0 = a + u in closed form.

    Examples
    --------
    >>> print(f"{detectable_residual_risk(102, 0.05, cluster_size=2, icc=0.3):.4f}")
    0.1496
    """
    n = check.count(n_negative, "n_negative")
    if n < 1:
        raise ValueError("n_negative must be at least 1")
    p1 = _probability(anticipated_risk, "anticipated_risk")
    z_alpha, z_beta = _quantiles(level, power)
    n_effective = n / _design_effect(cluster_size, icc)
    c = z_beta * math.sqrt(p1 * (1 - p1) / n_effective)
    k = z_alpha**2 / n_effective
    a = p1 + c
    if a >= 1.0:
        return float("nan")
    b = k * (2 * a - 1)
    u = (-b + math.sqrt(b * b + 4 * (1 + k) * k * a * (1 - a))) / (2 * (1 + k))
    p0 = a + u
    return p0 if p0 < 1.0 else float("nan")
