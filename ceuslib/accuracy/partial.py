"""Partial area under the ROC curve over a range of specificity or sensitivity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ceuslib.accuracy.roc import roc_curve
from ceuslib.errors import PartialAucWarning, warn


@dataclass(frozen=True)
class PartialAuc:
    """Partial AUC over ``bounds`` of specificity or sensitivity (``focus``).

    Attributes
    ----------
    pauc : float
        The partial area, between 0 and the width of the range.
    corrected : float
        McClish's standardised partial area (0.5 for the diagonal, 1 for a perfect test);
        NaN when the partial area is below that of the diagonal.
    minimum : float
        Area of the chance diagonal over the range.
    maximum : float
        Area of a perfect test over the range (its width).
    bounds : tuple of float
        The range of specificity or sensitivity.
    focus : str
        ``"specificity"`` or ``"sensitivity"``.
    n_omitted : int
        Units left out for a missing value (``nan_policy="omit"``).
    """

    pauc: float
    corrected: float
    minimum: float
    maximum: float
    bounds: tuple[float, float]
    focus: str
    n_omitted: int = 0


def _area_between(x: np.ndarray, y: np.ndarray, low: float, high: float) -> float:
    """Integral of the piecewise-linear curve through (x, y) from ``low`` to ``high``.

    ``x`` is non-decreasing along the path; at a vertical step (repeated x) the last point
    is the one the curve leaves from, so the integral is well defined.
    """
    widths = np.diff(x)
    cumulative = np.concatenate([[0.0], np.cumsum(widths * (y[1:] + y[:-1]) / 2.0)])

    def area_to(t: float) -> float:
        k = int(np.searchsorted(x, t, side="right")) - 1  # last point with x <= t
        if k >= x.size - 1:
            return float(cumulative[-1])
        x0, x1, y0, y1 = x[k], x[k + 1], y[k], y[k + 1]
        y_t = y0 + (y1 - y0) * (t - x0) / (x1 - x0)
        return float(cumulative[k] + (t - x0) * (y0 + y_t) / 2.0)

    return area_to(high) - area_to(low)


def partial_auc(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    bounds: tuple[float, float] = (0.8, 1.0),
    focus: str = "specificity",
    direction: str = "higher",
    pos_label: object = None,
    nan_policy: str = "raise",
) -> PartialAuc:
    """Partial AUC of the empirical ROC curve, with McClish's standardisation.

    Parameters
    ----------
    y_true : array_like
        Reference standard, 1 = positive.
    score : array of float
        The test's scores.
    bounds : (float, float)
        The range of the ``focus`` axis, e.g. specificity from 0.8 to 1.0 (in either order).
    focus : str
        One of ``"specificity"``, ``"sensitivity"``.
        ``"specificity"``: the area under the curve (sensitivity) over that range of
        specificity. ``"sensitivity"``: the area under specificity over that range of
        sensitivity, the region that matters when missing disease is what must be avoided
        (high sensitivity, as before sparing a neck).
    direction : str
        One of ``"higher"``, ``"lower"``.
        Which end of the score means positive.
    pos_label : object, optional
        As in :func:`roc_curve`.
    nan_policy : str
        One of ``"raise"``, ``"omit"``.
        As in :func:`roc_curve`.

    Returns
    -------
    PartialAuc
        ``pauc`` (between 0 and the width of the range), ``corrected`` (McClish), and the
        ``minimum`` (area of the chance diagonal over the range) and ``maximum`` (the width)
        used by the correction.

    Warns
    -----
    PartialAucWarning
        When the partial area is below that of the diagonal: ``corrected`` is then NaN.

    Notes
    -----
    The curve is the empirical ROC curve with straight segments, interpolated linearly at
    the bounds, as in pROC 1.18 (``auc(roc, partial.auc = ..., partial.auc.focus = ...)``,
    Robin et al. 2011). McClish (Med Decis Making 1989;9:190-195) rescales the partial
    area so that the diagonal gives 0.5 and a perfect test 1:
    corrected = (1 + (pAUC - min) / (max - min)) / 2.

    Examples
    --------
    A perfect test has the largest possible partial area, the width of the range:

    >>> result = partial_auc([0, 0, 1, 1], [1, 2, 3, 4], bounds=(0.8, 1.0))
    >>> print(f"{result.pauc:.2f} {result.corrected:.2f} {result.minimum:.2f}")
    0.20 1.00 0.02
    """
    if focus not in ("specificity", "sensitivity"):
        raise ValueError(f"focus must be 'specificity' or 'sensitivity', got {focus!r}")
    try:
        low, high = sorted(float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be two numbers in [0, 1], got {bounds!r}") from None
    if len(tuple(bounds)) != 2 or not 0.0 <= low < high <= 1.0:
        raise ValueError(f"bounds must be two different numbers in [0, 1], got {bounds!r}")
    curve = roc_curve(
        y_true, score, direction=direction, pos_label=pos_label, nan_policy=nan_policy
    )
    if focus == "specificity":
        # Specificity s in [low, high] is false-positive rate in [1 - high, 1 - low].
        pauc = _area_between(curve.fpr, curve.tpr, 1.0 - high, 1.0 - low)
    else:
        pauc = _area_between(curve.tpr, 1.0 - curve.fpr, low, high)
    maximum = high - low
    minimum = maximum * ((1.0 - low) + (1.0 - high)) / 2.0
    if pauc < minimum:
        warn(
            PartialAucWarning,
            f"the partial AUC {pauc:.4g} is below the diagonal's {minimum:.4g}: McClish's "
            "correction is undefined (corrected = NaN); check the score's direction",
        )
        corrected = np.nan
    else:
        corrected = (1.0 + (pauc - minimum) / (maximum - minimum)) / 2.0
    return PartialAuc(
        pauc=float(pauc), corrected=float(corrected), minimum=minimum, maximum=maximum,
        bounds=(low, high), focus=focus, n_omitted=curve.n_omitted,
    )  # fmt: skip
