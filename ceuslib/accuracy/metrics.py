"""Accuracy of a binary test against a reference standard: the 2x2 table and its measures."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.accuracy import _validate as check
from ceuslib.accuracy.proportions import proportion_ci
from ceuslib.errors import DegenerateTableWarning, warn

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


@dataclass(frozen=True)
class ConfusionCounts(Mapping):
    """The four cells of a 2x2 table, and how many rows were left out.

    A mapping of ``tp, fp, fn, tn``, so that ``diagnostic_metrics(**cells)`` works.

    Attributes
    ----------
    tp, fp, fn, tn : int
        True positives, false positives, false negatives, true negatives.
    n_omitted : int
        Rows left out for a missing value (``nan_policy="omit"``).
    """

    tp: int
    fp: int
    fn: int
    tn: int
    n_omitted: int = 0

    def __getitem__(self, key: str) -> int:
        if key not in ("tp", "fp", "fn", "tn"):
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(("tp", "fp", "fn", "tn"))

    def __len__(self) -> int:
        return 4


def confusion_counts(
    y_true: ArrayLike,
    test_positive: ArrayLike,
    *,
    pos_label: object = None,
    nan_policy: str = "raise",
) -> ConfusionCounts:
    """The four cells of the 2x2 table, as keywords for :func:`diagnostic_metrics`.

    Parameters
    ----------
    y_true : array_like
        Reference standard (1 = diseased, e.g. viable tumour in the node on pathology).
    test_positive : array_like
        The test's call, same length: True/False or 0/1 (1 = positive), or the same labels
        as ``y_true`` when ``pos_label`` is given.
    pos_label : object, optional
        The label that means positive, for labels other than 0/1 or True/False (strings,
        categories), as in scikit-learn.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        A missing truth or call is an error, or its row is left out (``n_omitted``).

    Returns
    -------
    ConfusionCounts
        ``tp, fp, fn, tn`` as Python ints, usable as ``**cells``, and ``n_omitted``.

    Examples
    --------
    >>> cells = confusion_counts([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    >>> dict(cells)
    {'tp': 1, 'fp': 1, 'fn': 1, 'tn': 2}
    >>> cells = confusion_counts(["yes", "yes", "no", None], ["pos", "neg", "neg", "pos"],
    ...                          pos_label="yes", nan_policy="omit")
    Traceback (most recent call last):
    ...
    ValueError: pos_label='yes' is not one of the labels of test_positive: ['neg', 'pos']
    >>> cells = confusion_counts(["yes", "yes", "no", None], [True, False, False, True],
    ...                          pos_label="yes", nan_policy="omit")
    >>> cells.tp, cells.fn, cells.tn, cells.n_omitted
    (1, 1, 1, 1)
    """
    columns, omitted = check.rows(
        {"y_true": y_true, "test_positive": test_positive}, nan_policy=nan_policy
    )
    y = check.labels(columns["y_true"], pos_label=pos_label)
    t = check.calls(columns["test_positive"], pos_label=pos_label)
    return ConfusionCounts(
        tp=int(np.count_nonzero(y & t)),
        fp=int(np.count_nonzero(~y & t)),
        fn=int(np.count_nonzero(y & ~t)),
        tn=int(np.count_nonzero(~y & ~t)),
        n_omitted=omitted,
    )


def rates(*, tp: object, fp: object, fn: object, tn: object) -> dict[str, np.ndarray]:
    """Point estimates of sensitivity, specificity, PPV, NPV and Youden's J.

    Vectorised over arrays of 2x2 tables (any broadcastable shapes, counts may be weighted);
    a measure whose denominator is zero is NaN.

    Examples
    --------
    >>> r = rates(tp=[9, 0], fp=[2, 0], fn=[1, 5], tn=[8, 5])
    >>> r["sensitivity"].tolist(), r["ppv"].tolist()
    ([0.9, 0.0], [0.8181818181818182, nan])
    """
    tp, fp, fn, tn = (np.asarray(v, dtype=float) for v in (tp, fp, fn, tn))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = tp / (tp + fn)
        sp = tn / (tn + fp)
        ppv = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        npv = np.where(tn + fn > 0, tn / (tn + fn), np.nan)
    return {"sensitivity": se, "specificity": sp, "ppv": ppv, "npv": npv, "youden": se + sp - 1}


def _cells(tp: object, fp: object, fn: object, tn: object) -> tuple[int, int, int, int]:
    cells = tuple(check.count(v, k) for k, v in (("tp", tp), ("fp", fp), ("fn", fn), ("tn", tn)))
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


CORRECTIONS = (None, "haldane")


def _log_ratio(
    numerator: tuple[float, float], denominator: tuple[float, float], z: float
) -> tuple[float, float, float]:
    """Ratio of two proportions a/n1 over c/n0 with the log-method interval (Katz 1978).

    In IEEE arithmetic, as epiR: a zero cell gives an infinite, zero or NaN ratio or limit.
    """
    (a, n1), (c, n0) = (np.float64(v) for v in numerator), (np.float64(v) for v in denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a / n1) / (c / n0)
        se_log = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
        return float(ratio), float(ratio * np.exp(-z * se_log)), float(ratio * np.exp(z * se_log))


def _odds_ratio(cells: tuple[float, ...], z: float) -> tuple[float, float, float]:
    """Diagnostic odds ratio a·d/(b·c) with Woolf's logit interval, IEEE arithmetic."""
    a, b, c, d = (np.float64(v) for v in cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        dor = a * d / (b * c)
        se_log = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        return float(dor), float(dor * np.exp(-z * se_log)), float(dor * np.exp(z * se_log))


def _check_correction(correction: object) -> str | None:
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be None or 'haldane', got {correction!r}")
    return correction  # type: ignore[return-value]


def _cells_for(
    cells: tuple[int, int, int, int], used: tuple[int, ...], what: str, correction: str | None
) -> tuple[float, ...]:
    """The cells for one ratio: with 0.5 added to each when ``correction="haldane"`` and a
    ``used`` cell is zero (with a warning), otherwise unchanged."""
    if correction is None or all(cells[i] > 0 for i in used):
        return tuple(float(c) for c in cells)
    warn(
        DegenerateTableWarning,
        f"a zero cell makes the {what} or its interval undefined: 0.5 was added to every cell "
        "of the 2x2 table (Haldane-Anscombe correction) for this measure",
    )
    return tuple(c + 0.5 for c in cells)


def _warn_undefined(what: str, values: tuple[float, float, float]) -> None:
    """Warn when a zero cell left a ratio or a limit infinite or undefined."""
    if all(np.isfinite(values)):
        return
    estimate, low, high = values
    shown = ", ".join(
        f"{name} {value:g}" for name, value in (("estimate", estimate), ("lower", low),
                                                ("upper", high))
    )  # fmt: skip
    warn(
        DegenerateTableWarning,
        f"{what} is infinite or undefined because of a zero cell ({shown}), as epiR reports "
        "it; correction='haldane' gives 0.5-corrected values instead",
    )


_RATIOS = {"lr_positive": ("LR+", (0, 1)), "lr_negative": ("LR-", (2, 3)),
           "dor": ("the DOR", (0, 1, 2, 3))}  # fmt: skip


def _ratio(
    cells: tuple[int, int, int, int], name: str, z: float, correction: str | None
) -> tuple[float, float, float]:
    """LR+, LR- or the DOR (``name``) with its interval."""
    label, used = _RATIOS[name]
    a, b, c, d = _cells_for(cells, used, label, correction)
    if name == "lr_positive":
        values = _log_ratio((a, a + c), (b, b + d), z)
    elif name == "lr_negative":
        values = _log_ratio((c, a + c), (d, b + d), z)
    else:
        values = _odds_ratio((a, b, c, d), z)
    _warn_undefined(label, values)
    return values


def diagnostic_metrics(
    *,
    tp: int,
    fp: int,
    fn: int,
    tn: int,
    level: float = 0.95,
    method: str = "wilson",
    correction: str | None = None,
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
    correction : str or None
        One of ``None``, ``"haldane"``.
        ``None`` (default): a zero cell leaves a likelihood ratio, the DOR or a limit
        infinite or undefined (NaN), as epiR's ``epi.tests`` reports them. ``"haldane"``:
        add 0.5 to every cell for a ratio whose cells include a zero.

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
        When a zero cell makes a likelihood ratio, the DOR or a limit infinite or undefined
        (or, with ``correction="haldane"``, when 0.5 was added for that measure), or when no
        unit tests positive (or negative) so that PPV (or NPV) is undefined (NaN). Set
        :func:`ceuslib.errors.warning_context` around the call to say which table and row
        the warning belongs to.

    Notes
    -----
    - Proportions (sensitivity, specificity, PPV, NPV, accuracy, prevalence) use
      :func:`proportion_ci`, Wilson by default. PPV and NPV here assume the study's
      prevalence; :func:`predictive_values` carries them to another one.
    - Likelihood ratios: LR+ = Se / (1 - Sp), LR- = (1 - Se) / Sp, with the log-method
      interval (Katz et al. 1978; Simel, Samsa and Matchar 1991), as in epiR's ``epi.tests``.
    - Diagnostic odds ratio: tp·tn / (fp·fn) with Woolf's (1955) logit interval,
      exp(log DOR ± z·sqrt(1/tp + 1/fp + 1/fn + 1/tn)) (Glas et al. 2003).
    - Zero cells: when a cell used by a ratio is zero, the ratio or a limit is infinite or
      undefined. By default they are reported as such (``inf``, ``0`` or NaN from the same
      formulas in IEEE arithmetic, as epiR 2.0.57), with a :class:`DegenerateTableWarning`:
      an empirical LR- of 0 stays 0 and a table in which nobody tested negative has LR- NaN.
      ``correction="haldane"`` adds 0.5 to all four cells for that measure instead (Haldane
      1956; Anscombe 1956).
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

    No false negative: LR- is 0 and its upper limit undefined, as epiR reports it.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     table = diagnostic_metrics(tp=15, fp=5, fn=0, tn=20)
    >>> table.loc["lr_negative"].tolist()
    [0.0, 0.0, nan]
    """
    cells = _cells(tp, fp, fn, tn)
    correction = _check_correction(correction)
    tp_, fp_, fn_, tn_ = cells
    z = check.z_value(level)
    positives, negatives, total = tp_ + fn_, fp_ + tn_, sum(cells)
    rows: dict[str, tuple[float, float, float]] = {}

    def proportion(name: str, successes: int, trials: int) -> None:
        if trials == 0:
            warn(
                DegenerateTableWarning,
                f"{name} is undefined: its denominator is zero (reported as NaN)",
            )
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

    for name in _RATIOS:
        rows[name] = _ratio(cells, name, z, correction)

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
    correction: str | None = None,
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
    correction : str or None
        One of ``None``, ``"haldane"``; as in :func:`diagnostic_metrics`. An infinite LR+
        gives PPV 1, an LR- of 0 gives NPV 1, an undefined ratio NaN.

    Returns
    -------
    pandas.DataFrame
        One row per prevalence: ``prevalence, ppv, ppv_low, ppv_high, npv, npv_low,
        npv_high``.

    Warns
    -----
    DegenerateTableWarning
        When a zero cell makes a likelihood ratio or a limit infinite or undefined (or 0.5
        was added, with ``correction="haldane"``).

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
    correction = _check_correction(correction)
    z = check.z_value(level)
    p = np.atleast_1d(np.asarray(prevalence, dtype=float))
    if p.ndim != 1 or not np.all((p > 0) & (p < 1)):
        raise ValueError(f"prevalence must be strictly between 0 and 1, got {prevalence!r}")
    columns: dict[str, np.ndarray] = {"prevalence": p}
    prior = np.log(p / (1 - p))
    lr, low, high = _ratio(cells, "lr_positive", z, correction)
    with np.errstate(divide="ignore", over="ignore"):
        for suffix, value in (("", lr), ("_low", low), ("_high", high)):
            columns[f"ppv{suffix}"] = 1 / (1 + np.exp(-(prior + np.log(value))))
        lr, low, high = _ratio(cells, "lr_negative", z, correction)
        # A larger LR- gives a smaller NPV: the upper LR- bound gives the lower NPV bound.
        for suffix, value in (("", lr), ("_low", high), ("_high", low)):
            columns[f"npv{suffix}"] = 1 / (1 + np.exp(prior + np.log(value)))
    return pd.DataFrame(columns)
