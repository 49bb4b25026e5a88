"""Input checks shared by the accuracy modules (private).

Every check raises a ``ValueError`` whose message says what was expected, so that a wrong
call fails loudly where it is made.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy import stats

DIRECTIONS = ("higher", "lower")


class DegenerateTableWarning(UserWarning):
    """A 2x2 table with an empty cell forced a documented correction or an infinite value."""


def z_value(level: float) -> float:
    """The two-sided standard normal quantile for a confidence ``level`` in (0, 1)."""
    if not isinstance(level, numbers.Real) or not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")
    return float(stats.norm.ppf(0.5 + float(level) / 2.0))


def count(value: object, name: str) -> int:
    """A non-negative integer cell count (Python or numpy integer, or an integral float)."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a non-negative integer count, got the boolean {value}")
    if isinstance(value, numbers.Integral):
        result = int(value)
    elif isinstance(value, numbers.Real) and float(value).is_integer():
        result = int(value)
    else:
        raise ValueError(f"{name} must be a non-negative integer count, got {value!r}")
    if result < 0:
        raise ValueError(f"{name} must be a non-negative integer count, got {result}")
    return result


def direction(value: str) -> str:
    """Check a score direction: ``"higher"`` or ``"lower"`` values mean positive."""
    if value not in DIRECTIONS:
        raise ValueError(
            f"direction must be 'higher' (higher scores mean the positive class) or 'lower', "
            f"got {value!r}"
        )
    return value


def labels(y_true: object, *, name: str = "y_true") -> np.ndarray:
    """A 1-D boolean array from 0/1 or boolean labels (1 or True = positive, diseased)."""
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {y.shape}")
    if y.dtype == bool:
        return y
    if y.size and not np.issubdtype(y.dtype, np.number):
        raise ValueError(f"{name} must hold 0/1 or True/False, got values of type {y.dtype}")
    if y.size and not np.all((y == 0) | (y == 1)):
        bad = np.unique(y[(y != 0) & (y != 1)])[:5]
        raise ValueError(f"{name} must hold only 0 and 1 (1 = positive), found {bad.tolist()}")
    return y.astype(bool)


def scores(score: object, n: int, *, name: str = "score") -> np.ndarray:
    """A finite 1-D float array of length ``n``."""
    x = np.asarray(score, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    if x.size != n:
        raise ValueError(f"{name} has {x.size} values but y_true has {n}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (no NaN or infinity); drop or impute them first")
    return x


def both_classes(y: np.ndarray) -> tuple[int, int]:
    """Numbers of positives and negatives, both at least one."""
    m = int(np.count_nonzero(y))
    n = int(y.size - m)
    if m == 0 or n == 0:
        raise ValueError(
            f"the ROC needs at least one positive and one negative, got {m} positive(s) and "
            f"{n} negative(s)"
        )
    return m, n


def warn_degenerate(message: str) -> None:
    """Issue a :class:`DegenerateTableWarning` at the caller's caller."""
    warnings.warn(message, DegenerateTableWarning, stacklevel=3)
