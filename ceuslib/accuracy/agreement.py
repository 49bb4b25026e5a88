"""Agreement between two readers on a categorical feature: Cohen's kappa, weighted or not."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from ceuslib.accuracy import _validate as _checks

KAPPA_WEIGHTS = (None, "linear", "quadratic")


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa with its large-sample standard errors, interval and test of kappa = 0.

    Attributes
    ----------
    kappa : float
        Cohen's kappa, weighted or not.
    se : float
        Large-sample standard error (Fleiss, Cohen and Everitt), used for the interval.
    ci_low, ci_high : float
        Normal interval at ``level``, clipped to [-1, 1].
    se_null : float
        Standard error under kappa = 0, used for the test.
    z, p_value : float
        Statistic and two-sided p-value of the test of kappa = 0.
    observed, expected : float
        Observed and chance-expected (weighted) agreement.
    n : int
        Number of units rated by both readers.
    level : float
        Confidence level of the interval.
    weights : str or None
        ``None`` (unweighted), ``"linear"`` or ``"quadratic"``.
    n_omitted : int
        Units left out for a missing rating (``nan_policy="omit"``).
    """

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    se_null: float
    z: float
    p_value: float
    observed: float
    expected: float
    n: int
    level: float
    weights: str | None
    n_omitted: int = 0

    def to_frame(self) -> pd.DataFrame:
        """One row with every field.

        Returns
        -------
        pandas.DataFrame
            One row, one column per field.
        """
        return pd.DataFrame([self.__dict__])


def agreement_weights(k: int, weights: str | None) -> np.ndarray:
    """Agreement weights for ``k`` ordered categories: 1 on the diagonal, 0 at most apart.

    Parameters
    ----------
    k : int
        Number of categories.
    weights : str or None
        One of ``None``, ``"linear"``, ``"quadratic"``.

    Returns
    -------
    numpy.ndarray, shape (k, k)
        Linear: ``1 - |i - j| / (k - 1)``; quadratic: ``1 - (i - j)² / (k - 1)²``;
        ``None``: the identity (unweighted kappa).

    Examples
    --------
    >>> agreement_weights(3, "linear").tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"weights must be one of {KAPPA_WEIGHTS}, got {weights!r}")
    i, j = np.indices((k, k))
    if weights is None or k == 1:
        return (i == j).astype(float)
    distance = np.abs(i - j) / (k - 1)
    return 1.0 - distance if weights == "linear" else 1.0 - distance**2


def kappa_from_table(table: ArrayLike, *, weights: str | None = None, level: float = 0.95) -> Kappa:
    """Cohen's kappa from a square table of counts (rows reader A, columns reader B).

    Parameters
    ----------
    table : array_like
        Integer counts, shape (k, k): units rated category i by reader A and j by reader
        B, categories in their natural order (needed by the weighted versions).
    weights : str or None
        One of ``None``, ``"linear"``, ``"quadratic"``.
        Unweighted kappa (Cohen 1960) or weighted kappa (Cohen 1968) with linear or
        quadratic agreement weights.
    level : float
        Confidence level.

    Returns
    -------
    Kappa
        ``kappa``, ``se`` (large-sample, for the interval), ``ci_low``, ``ci_high`` (normal,
        clipped to [-1, 1]), ``se_null`` and ``z``/``p_value`` for the test of kappa = 0,
        and the observed and chance-expected (weighted) agreement.

    Notes
    -----
    With cell proportions ``p[i, j]``, row and column margins ``r[i]`` and ``c[j]`` and
    agreement weights ``w[i, j]``, the observed agreement is ``p_o = sum w[i, j] p[i, j]``,
    the chance-expected agreement ``p_e = sum w[i, j] r[i] c[j]`` and
    ``kappa = (p_o - p_e) / (1 - p_e)``. With ``wr[i] = sum_j w[i, j] c[j]`` and
    ``wc[j] = sum_i w[i, j] r[i]``, the large-sample variance of Fleiss, Cohen and Everitt
    (Psychol Bull 1969;72:323-327) is

    ``var = (sum p[i, j] (w[i, j] - (wr[i] + wc[j]) (1 - kappa))² - (kappa - p_e (1 - kappa))²)
    / (n (1 - p_e)²)``,

    and under kappa = 0 it is
    ``(sum r[i] c[j] (w[i, j] - (wr[i] + wc[j]))² - p_e²) / (n (1 - p_e)²)``. The first gives
    the interval, the second the test (as epiR's
    ``epi.kappa(method = "fleiss")`` for the unweighted kappa).

    Examples
    --------
    >>> result = kappa_from_table([[20, 5], [10, 15]])
    >>> print(f"{result.kappa:.2f} {result.observed:.2f} {result.expected:.2f}")
    0.40 0.70 0.50
    """
    counts = np.asarray(table)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] < 2:
        raise ValueError(f"table must be a square k x k array with k >= 2, got {counts.shape}")
    if not np.issubdtype(counts.dtype, np.number) or np.any(counts < 0):
        raise ValueError("table must hold non-negative counts")
    if np.any(np.asarray(counts, dtype=float) % 1 != 0):
        raise ValueError("table must hold integer counts")
    counts = counts.astype(float)
    n = counts.sum()
    if n == 0:
        raise ValueError("table is empty")
    z_crit = _checks.z_value(level)
    k = counts.shape[0]
    w = agreement_weights(k, weights)
    p = counts / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float(np.sum(w * p))
    p_e = float(rows @ w @ cols)
    if p_e >= 1.0:
        raise ValueError(
            "kappa is undefined: both readers used a single category (chance agreement is 1)"
        )
    kappa = (p_o - p_e) / (1.0 - p_e)
    w_row = w @ cols  # wbar_i.
    w_col = rows @ w  # wbar_.j
    spread = w_row[:, None] + w_col[None, :]
    variance = (np.sum(p * (w - spread * (1 - kappa)) ** 2) - (kappa - p_e * (1 - kappa)) ** 2) / (
        n * (1 - p_e) ** 2
    )
    variance_null = (np.sum(np.outer(rows, cols) * (w - spread) ** 2) - p_e**2) / (
        n * (1 - p_e) ** 2
    )
    se = float(np.sqrt(max(variance, 0.0)))
    se_null = float(np.sqrt(max(variance_null, 0.0)))
    z = kappa / se_null if se_null > 0 else np.nan
    p_value = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
    low, high = max(-1.0, kappa - z_crit * se), min(1.0, kappa + z_crit * se)
    return Kappa(
        kappa=float(kappa), se=se, ci_low=float(low), ci_high=float(high), se_null=se_null,
        z=float(z), p_value=p_value, observed=p_o, expected=p_e, n=int(n), level=float(level),
        weights=weights,
    )  # fmt: skip


def cohen_kappa(
    rater_a: ArrayLike,
    rater_b: ArrayLike,
    *,
    categories: ArrayLike | None = None,
    weights: str | None = None,
    level: float = 0.95,
    nan_policy: str = "raise",
) -> Kappa:
    """Cohen's kappa of two readers' ratings of the same units.

    Parameters
    ----------
    rater_a, rater_b : array_like
        One rating per unit from each reader.
    categories : sequence, optional
        The categories in their natural order (needed for weighted kappa and to include a
        category that neither reader used); by default the sorted distinct ratings.
    weights : str or None
        One of ``None``, ``"linear"``, ``"quadratic"``.
        See :func:`kappa_from_table`.
    level : float
        Confidence level.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        A missing rating is an error, or the unit is left out (``n_omitted``): a unit that
        one reader did not rate says nothing about agreement.

    Returns
    -------
    Kappa
        As :func:`kappa_from_table` returns it, with ``n_omitted``.

    Examples
    --------
    >>> a = ["centripetal", "centripetal", "none", "peripheral", "none", "peripheral"]
    >>> b = ["centripetal", "peripheral", "none", "peripheral", "none", "centripetal"]
    >>> print(f"{cohen_kappa(a, b).kappa:.3f}")
    0.500
    """
    columns, omitted = _checks.rows(
        {
            "rater_a": np.asarray(rater_a, dtype=object),
            "rater_b": np.asarray(rater_b, dtype=object),
        },
        nan_policy=nan_policy,
    )
    a, b = pd.Series(columns["rater_a"]), pd.Series(columns["rater_b"])
    if categories is None:
        categories = sorted(set(a) | set(b))
    categories = list(categories)
    unknown = (set(a) | set(b)) - set(categories)
    if unknown:
        raise ValueError(f"ratings {sorted(map(str, unknown))} are not among the categories")
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype=int)
    np.add.at(table, (a.map(index).to_numpy(int), b.map(index).to_numpy(int)), 1)
    return replace(kappa_from_table(table, weights=weights, level=level), n_omitted=omitted)
