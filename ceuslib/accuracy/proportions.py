"""Confidence intervals for a single binomial proportion (sensitivity, specificity, NPV, ...)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ceuslib.accuracy._validate import z_value

PROPORTION_METHODS = ("wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald")


def _as_counts(successes: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(successes)
    total = np.asarray(n)
    for name, values in (("successes", x), ("n", total)):
        if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
            raise ValueError(f"{name} must be a non-negative integer count, got {values!r}")
        if np.any(values < 0) or np.any(np.asarray(values, dtype=float) % 1 != 0):
            raise ValueError(f"{name} must be a non-negative integer count, got {values!r}")
    x = x.astype(float)
    total = total.astype(float)
    if np.any(total == 0):
        raise ValueError("n must be at least 1: a proportion of zero trials is undefined")
    if np.any(x > total):
        raise ValueError(f"successes must not exceed n, got successes={successes}, n={n}")
    return x, total


def proportion_ci(
    successes: int | np.ndarray,
    n: int | np.ndarray,
    *,
    method: str = "wilson",
    level: float = 0.95,
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence interval for a binomial proportion ``successes / n``.

    Parameters
    ----------
    successes, n : int or array of int
        Number of successes and of trials (arrays broadcast; ``0 <= successes <= n``,
        ``n >= 1``).
    method : str
        One of ``"wilson"``, ``"clopper-pearson"``, ``"jeffreys"``, ``"agresti-coull"``,
        ``"wald"``.
        ``"wilson"`` (the default) is the score interval; ``"clopper-pearson"`` the exact
        interval from beta quantiles; ``"jeffreys"`` the equal-tailed interval of the
        Beta(x + 1/2, n - x + 1/2) posterior; ``"agresti-coull"`` the Wald interval around
        the adjusted proportion (x + z²/2) / (n + z²), clipped to [0, 1]; ``"wald"`` the
        textbook p ± z·sqrt(p(1-p)/n), clipped to [0, 1], provided only to show how badly it
        covers at small n. Every interval contains the estimate ``successes / n``.
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    (low, high)
        Floats for scalar input, arrays of the broadcast shape otherwise.

    Raises
    ------
    ValueError
        For negative or non-integer counts, ``n = 0``, ``successes > n``, an unknown method
        or a level outside (0, 1).

    Notes
    -----
    Wilson is the default because its coverage stays close to nominal down to small n and
    near 0 or 1, where the Wald interval collapses (Newcombe 1998, methods 1 and 3;
    Brown, Cai and DasGupta 2001). Clopper-Pearson (1934) is conservative: its coverage is
    at least nominal for every true proportion. The Jeffreys interval is the equal-tailed
    one with the boundary modification of Brown, Cai and DasGupta (2001, section 4.1.2):
    the lower limit is 0 at x = 0 and the upper limit 1 at x = n (without it, the interval
    for 0 of n would exclude 0; R's epiR 2.0.57 omits the modification, and agrees
    elsewhere). Agresti and Coull (1998) "add two successes and two failures" at 95%.

    References: Wilson EB, J Am Stat Assoc 1927;22:209-212. Clopper CJ, Pearson ES,
    Biometrika 1934;26:404-413. Newcombe RG, Stat Med 1998;17:857-872. Agresti A, Coull BA,
    Am Stat 1998;52:119-126. Brown LD, Cai TT, DasGupta A, Stat Sci 2001;16:101-133.

    Examples
    --------
    Newcombe (1998), Table I, 81 of 263: Wilson 0.2553 to 0.3662.

    >>> low, high = proportion_ci(81, 263)
    >>> print(f"{low:.4f} {high:.4f}")
    0.2553 0.3662
    >>> low, high = proportion_ci(0, 20, method="clopper-pearson")
    >>> print(f"{low:.4f} {high:.4f}")
    0.0000 0.1684
    """
    if method not in PROPORTION_METHODS:
        raise ValueError(f"method must be one of {PROPORTION_METHODS}, got {method!r}")
    z = z_value(level)
    alpha = 1.0 - float(level)
    x, total = _as_counts(successes, n)
    p = x / total
    if method == "wilson":
        denominator = total + z * z
        centre = (x + z * z / 2.0) / denominator
        half = z / denominator * np.sqrt(x * (total - x) / total + z * z / 4.0)
        low, high = centre - half, centre + half
        # The bounds are exactly 0 at x = 0 and 1 at x = n; rounding must not cross them.
        low = np.where(x == 0, 0.0, np.clip(low, 0.0, 1.0))
        high = np.where(x == total, 1.0, np.clip(high, 0.0, 1.0))
    elif method == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            low = np.where(x == 0, 0.0, stats.beta.ppf(alpha / 2.0, x, total - x + 1.0))
            high = np.where(x == total, 1.0, stats.beta.ppf(1 - alpha / 2.0, x + 1.0, total - x))
    elif method == "jeffreys":
        low = np.where(x == 0, 0.0, stats.beta.ppf(alpha / 2.0, x + 0.5, total - x + 0.5))
        high = np.where(x == total, 1.0, stats.beta.ppf(1 - alpha / 2.0, x + 0.5, total - x + 0.5))
    elif method == "agresti-coull":
        n_tilde = total + z * z
        p_tilde = (x + z * z / 2.0) / n_tilde
        half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
        low, high = np.clip(p_tilde - half, 0.0, 1.0), np.clip(p_tilde + half, 0.0, 1.0)
    else:  # wald
        half = z * np.sqrt(p * (1 - p) / total)
        low, high = np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high
