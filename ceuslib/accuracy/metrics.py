"""Accuracy of a binary test against a reference standard: the 2x2 table and its measures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.accuracy._checks import count, labels, warn_degenerate, z_value
from ceuslib.accuracy.proportions import proportion_ci

METRICS = (
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "accuracy",
    "prevalence",
    "lr_positive",
    "lr_negative",
    "dor",
    "youden",
)


def confusion_counts(y_true: object, test_positive: object) -> dict[str, int]:
    """The four cells of the 2x2 table, as keywords for :func:`diagnostic_metrics`.

    Parameters
    ----------
    y_true : array_like
        Reference standard (1 = diseased, e.g. viable tumour in the node on pathology).
    test_positive : array_like
        The test's call (1 = positive), same length.

    Returns
    -------
    dict
        ``{"tp": ..., "fp": ..., "fn": ..., "tn": ...}`` as Python ints.

    Examples
    --------
    >>> confusion_counts([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    {'tp': 1, 'fp': 1, 'fn': 1, 'tn': 2}
    """
    y = labels(y_true)
    t = labels(test_positive, name="test_positive")
    if t.size != y.size:
        raise ValueError(f"test_positive has {t.size} values but y_true has {y.size}")
    return {
        "tp": int(np.count_nonzero(y & t)),
        "fp": int(np.count_nonzero(~y & t)),
        "fn": int(np.count_nonzero(y & ~t)),
        "tn": int(np.count_nonzero(~y & ~t)),
    }


def _cells(tp: object, fp: object, fn: object, tn: object) -> tuple[int, int, int, int]:
    cells = (count(tp, "tp"), count(fp, "fp"), count(fn, "fn"), count(tn, "tn"))
    tp_, fp_, fn_, tn_ = cells
    if tp_ + fn_ == 0:
        raise ValueError(
            "tp + fn = 0: sensitivity is undefined when no unit is positive on the reference "
            "standard"
        )
    if fp_ + tn_ == 0:
        raise ValueError(
            "fp + tn = 0: specificity is undefined when no unit is negative on the reference "
            "standard"
        )
    return cells


def _log_ratio(
    numerator: tuple[float, float], denominator: tuple[float, float], z: float
) -> tuple[float, float, float]:
    """Ratio of two proportions a/n1 over c/n0 with the log-method interval (Katz 1978)."""
    (a, n1), (c, n0) = numerator, denominator
    ratio = (a / n1) / (c / n0)
    se_log = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return ratio, ratio * np.exp(-z * se_log), ratio * np.exp(z * se_log)


def _corrected(cells: tuple[int, int, int, int], used: tuple[int, ...], what: str) -> tuple:
    """Cells with 0.5 added to each when any of the ``used`` cells is zero (with a warning)."""
    if all(cells[i] > 0 for i in used):
        return tuple(float(c) for c in cells)
    warn_degenerate(
        f"a zero cell makes the {what} or its interval undefined: 0.5 was added to every cell "
        "of the 2x2 table (Haldane-Anscombe correction) for this measure"
    )
    return tuple(c + 0.5 for c in cells)


def diagnostic_metrics(
    *,
    tp: int,
    fp: int,
    fn: int,
    tn: int,
    level: float = 0.95,
    method: str = "wilson",
) -> pd.DataFrame:
    """Sensitivity, specificity, predictive values, likelihood ratios, DOR and Youden's J.

    Parameters
    ----------
    tp, fp, fn, tn : int
        Cells of the 2x2 table, keyword-only so that ``fp`` and ``fn`` cannot be swapped by
        position: true positives (test +, disease +), false positives (test +, disease -),
        false negatives (test -, disease +), true negatives (test -, disease -).
    level : float
        Confidence level of every interval.
    method : str
        Interval for the proportions (sensitivity to prevalence); see :func:`proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sensitivity, specificity, ppv, npv, accuracy, prevalence, lr_positive,
        lr_negative, dor, youden`` with columns ``estimate, ci_low, ci_high``.

    Raises
    ------
    ValueError
        For a negative or non-integer count, or a table without positives or negatives on
        the reference standard (sensitivity or specificity undefined).

    Warns
    -----
    DegenerateTableWarning
        When a zero cell makes a likelihood ratio, the DOR or its interval undefined (0.5 is
        then added to every cell for that measure), or when no unit tests positive (or
        negative) so that PPV (or NPV) is undefined (reported as NaN).

    Notes
    -----
    - Proportions (sensitivity, specificity, PPV, NPV, accuracy, prevalence) use
      :func:`proportion_ci`, Wilson by default. PPV and NPV here assume the study's
      prevalence; :func:`predictive_values` carries them to another one.
    - Likelihood ratios: LR+ = Se / (1 - Sp), LR- = (1 - Se) / Sp, with the log-method
      interval (Katz et al. 1978; Simel, Samsa and Matchar 1991), as in epiR's ``epi.tests``.
    - Diagnostic odds ratio: tp·tn / (fp·fn) with Woolf's (1955) logit interval,
      exp(log DOR ± z·sqrt(1/tp + 1/fp + 1/fn + 1/tn)) (Glas et al. 2003).
    - Zero cells: when a cell used by a ratio is zero, the ratio or its interval is
      undefined; 0.5 is then added to all four cells for that measure (Haldane 1956;
      Anscombe 1956) and a :class:`DegenerateTableWarning` says so.
    - Youden's J = Se + Sp - 1 (Youden 1950) with the Wald interval from
      var(J) = Se(1-Se)/(tp+fn) + Sp(1-Sp)/(fp+tn), clipped to [-1, 1].

    Examples
    --------
    >>> table = diagnostic_metrics(tp=42, fp=7, fn=8, tn=60)
    >>> print(f"{table.loc['sensitivity', 'estimate']:.2f}")
    0.84
    >>> print(f"{table.loc['lr_positive', 'estimate']:.2f}")
    8.04
    >>> list(table.columns)
    ['estimate', 'ci_low', 'ci_high']
    """
    cells = _cells(tp, fp, fn, tn)
    tp_, fp_, fn_, tn_ = cells
    z = z_value(level)
    positives, negatives, total = tp_ + fn_, fp_ + tn_, sum(cells)
    rows: dict[str, tuple[float, float, float]] = {}

    def proportion(name: str, successes: int, trials: int) -> None:
        if trials == 0:
            warn_degenerate(f"{name} is undefined: its denominator is zero (reported as NaN)")
            rows[name] = (np.nan, np.nan, np.nan)
            return
        low, high = proportion_ci(successes, trials, method=method, level=level)
        rows[name] = (successes / trials, low, high)

    proportion("sensitivity", tp_, positives)
    proportion("specificity", tn_, negatives)
    proportion("ppv", tp_, tp_ + fp_)
    proportion("npv", tn_, tn_ + fn_)
    proportion("accuracy", tp_ + tn_, total)
    proportion("prevalence", positives, total)

    a, b, c, d = _corrected(cells, (0, 1), "positive likelihood ratio")
    rows["lr_positive"] = _log_ratio((a, a + c), (b, b + d), z)
    a, b, c, d = _corrected(cells, (2, 3), "negative likelihood ratio")
    rows["lr_negative"] = _log_ratio((c, a + c), (d, b + d), z)
    a, b, c, d = _corrected(cells, (0, 1, 2, 3), "diagnostic odds ratio")
    dor = a * d / (b * c)
    se_log_dor = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    rows["dor"] = (dor, dor * np.exp(-z * se_log_dor), dor * np.exp(z * se_log_dor))

    se, sp = tp_ / positives, tn_ / negatives
    j = se + sp - 1.0
    half = z * np.sqrt(se * (1 - se) / positives + sp * (1 - sp) / negatives)
    rows["youden"] = (j, max(-1.0, j - half), min(1.0, j + half))

    frame = pd.DataFrame.from_dict(
        {key: [float(v) for v in value] for key, value in rows.items()},
        orient="index",
        columns=["estimate", "ci_low", "ci_high"],
    )
    return frame.loc[list(METRICS)]


def predictive_values(
    *,
    tp: int,
    fp: int,
    fn: int,
    tn: int,
    prevalence: float | np.ndarray,
    level: float = 0.95,
) -> pd.DataFrame:
    """PPV and NPV carried to another prevalence by Bayes' theorem, with intervals.

    Sensitivity and specificity are estimated from the table; the prevalence is taken as
    known (the setting where the test will be used, such as a pCR rate of 37-52% after
    neoadjuvant chemo-immunotherapy).

    Parameters
    ----------
    tp, fp, fn, tn : int
        Cells of the study's 2x2 table (keyword-only).
    prevalence : float or array of float
        One or more prevalences strictly between 0 and 1.
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per prevalence: ``prevalence, ppv, ppv_low, ppv_high, npv, npv_low,
        npv_high``.

    Warns
    -----
    DegenerateTableWarning
        When a zero cell makes a likelihood ratio undefined (0.5 added to every cell).

    Notes
    -----
    The posterior odds are the prior odds times the likelihood ratio:
    odds(PPV) = p/(1-p) · LR+ and odds(NPV) = (1-p)/p / LR-. The interval is the "standard
    logit" interval of Mercaldo, Lau and Zhou (Stat Med 2007;26:2170-2183): the log-method
    interval of the likelihood ratio (Simel et al. 1991) carried through the logit, so it
    stays inside (0, 1) and agrees with the likelihood-ratio row of
    :func:`diagnostic_metrics`.

    Examples
    --------
    >>> pv = predictive_values(tp=42, fp=7, fn=8, tn=60, prevalence=[0.3, 0.5])
    >>> print(f"{pv.loc[1, 'npv']:.3f}")
    0.848
    >>> bool((pv["npv"] > pv["npv_low"]).all())
    True
    """
    cells = _cells(tp, fp, fn, tn)
    z = z_value(level)
    p = np.atleast_1d(np.asarray(prevalence, dtype=float))
    if p.ndim != 1 or not np.all((p > 0) & (p < 1)):
        raise ValueError(f"prevalence must be strictly between 0 and 1, got {prevalence!r}")
    columns: dict[str, np.ndarray] = {"prevalence": p}
    prior = np.log(p / (1 - p))
    a, b, c, d = _corrected(cells, (0, 1), "positive likelihood ratio")
    lr, low, high = _log_ratio((a, a + c), (b, b + d), z)
    for suffix, value in (("", lr), ("_low", low), ("_high", high)):
        columns[f"ppv{suffix}"] = 1 / (1 + np.exp(-(prior + np.log(value))))
    a, b, c, d = _corrected(cells, (2, 3), "negative likelihood ratio")
    lr, low, high = _log_ratio((c, a + c), (d, b + d), z)
    # A larger LR- gives a smaller NPV: the upper LR- bound gives the lower NPV bound.
    for suffix, value in (("", lr), ("_low", high), ("_high", low)):
        columns[f"npv{suffix}"] = 1 / (1 + np.exp(prior + np.log(value)))
    return pd.DataFrame(columns)
