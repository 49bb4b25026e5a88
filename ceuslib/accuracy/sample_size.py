"""Planning a diagnostic accuracy study: how many patients, and the AUC's expected precision."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ceuslib.accuracy import _validate as _checks


@dataclass(frozen=True)
class SampleSize:
    """Sample sizes for estimating sensitivity and specificity with a given precision.

    Attributes
    ----------
    n_total : int
        Patients needed: the larger of the two sample sizes.
    n_for_sensitivity, n_for_specificity : int
        Patients needed for each measure at the assumed prevalence.
    n_positive, n_negative : int
        Diseased and non-diseased patients needed.
    """

    n_total: int
    n_for_sensitivity: int
    n_for_specificity: int
    n_positive: int
    n_negative: int


def _fraction(value: float, name: str) -> float:
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
    return value


def buderer_sample_size(
    *,
    sensitivity: float,
    specificity: float,
    prevalence: float,
    precision: float,
    level: float = 0.95,
) -> SampleSize:
    """Patients needed to estimate sensitivity and specificity to ± ``precision``.

    Parameters
    ----------
    sensitivity, specificity : float
        Anticipated values (keyword-only).
    prevalence : float
        Anticipated prevalence of the target condition in the study sample.
    precision : float
        Half-width of the Wald interval wanted for each (absolute, e.g. 0.05).
    level : float
        Confidence level.

    Returns
    -------
    SampleSize
        ``n_for_sensitivity`` = ceil(z² Se(1-Se) / (W² p)), ``n_for_specificity`` =
        ceil(z² Sp(1-Sp) / (W² (1-p))), their maximum ``n_total``, and the numbers of
        positives ``ceil(z² Se(1-Se)/W²)`` and negatives ``ceil(z² Sp(1-Sp)/W²)`` needed.

    Notes
    -----
    Buderer NM, Acad Emerg Med 1996;3:895-900, the normal-approximation formula also
    used by epiR's ``epi.ssdxsesp`` (with ``error = "absolute"``). After neoadjuvant
    therapy the prevalence of residual nodal disease is uncertain (the pCR rate varies from
    about 37% to 52%), so plan for the least favourable value.

    Examples
    --------
    >>> size = buderer_sample_size(sensitivity=0.9, specificity=0.8, prevalence=0.46,
    ...                            precision=0.05)
    >>> size.n_for_sensitivity, size.n_for_specificity, size.n_total
    (301, 456, 456)
    """
    se = _fraction(sensitivity, "sensitivity")
    sp = _fraction(specificity, "specificity")
    p = _fraction(prevalence, "prevalence")
    w = float(precision)
    if not 0.0 < w < 1.0:
        raise ValueError(f"precision must be strictly between 0 and 1, got {precision}")
    z2 = _checks.z_value(level) ** 2
    positives = z2 * se * (1 - se) / w**2
    negatives = z2 * sp * (1 - sp) / w**2
    n_se = math.ceil(positives / p)
    n_sp = math.ceil(negatives / (1 - p))
    return SampleSize(
        n_total=max(n_se, n_sp),
        n_for_sensitivity=n_se,
        n_for_specificity=n_sp,
        n_positive=math.ceil(positives),
        n_negative=math.ceil(negatives),
    )


def hanley_mcneil_se(auc: float, *, n_positive: int, n_negative: int) -> float:
    """Standard error of an AUC from its value and the group sizes (Hanley and McNeil 1982).

    Parameters
    ----------
    auc : float
        The (anticipated or observed) AUC, strictly between 0 and 1.
    n_positive, n_negative : int
        Numbers of diseased and non-diseased units (keyword-only).

    Returns
    -------
    float
        The standard error of the AUC.

    Notes
    -----
    SE² = [A(1-A) + (m-1)(Q1 - A²) + (n-1)(Q2 - A²)] / (m n) with Q1 = A/(2-A) and
    Q2 = 2A²/(1+A), which assume exponential score distributions (Hanley JA, McNeil BJ,
    Radiology 1982;143:29-36, equation 2). Useful to plan a study; on data, DeLong's
    variance (:func:`ceuslib.accuracy.roc_auc`) needs no distributional assumption.

    Examples
    --------
    Hanley and McNeil's worked example: the ratings of 51 abnormal and 58 normal CT images
    have an area of 0.8932 (reported as 0.893) and SE 0.032:

    >>> print(f"{hanley_mcneil_se(0.8932, n_positive=51, n_negative=58):.3f}")
    0.032
    """
    a = _fraction(auc, "auc")
    m = _checks.count(n_positive, "n_positive")
    n = _checks.count(n_negative, "n_negative")
    if m < 1 or n < 1:
        raise ValueError(f"need at least one unit per group, got {m} and {n}")
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    variance = (a * (1 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n)
    return math.sqrt(variance)
