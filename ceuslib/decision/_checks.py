"""Input checks shared by the decision functions."""

from __future__ import annotations

import numpy as np

DIRECTIONS = (">=", "<=")


def binary_outcome(y_true: object, name: str = "y_true") -> np.ndarray:
    """``y_true`` as an int64 array of 0/1, or a ``ValueError`` saying what was expected."""
    y = np.asarray(y_true)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional array of 0/1 outcomes")
    if y.dtype == bool:
        return y.astype(np.int64)
    if not np.issubdtype(y.dtype, np.number):
        raise ValueError(f"{name} must hold 0/1 (or True/False), got values of type {y.dtype}")
    bad = ~np.isin(y, (0, 1))
    if bad.any():
        raise ValueError(
            f"{name} must hold only 0 and 1 (1 = residual disease); "
            f"found {y[bad][0]!r} at position {int(np.flatnonzero(bad)[0])}"
        )
    return y.astype(np.int64)


def finite_scores(score: object, n: int, name: str = "score") -> np.ndarray:
    """``score`` as a float array of length ``n`` with no NaN or infinity."""
    s = np.asarray(score, dtype=float)
    if s.ndim != 1 or s.size != n:
        raise ValueError(f"{name} must be one-dimensional with {n} values, like y_true")
    if not np.all(np.isfinite(s)):
        where = int(np.flatnonzero(~np.isfinite(s))[0])
        raise ValueError(f"{name} must be finite; position {where} holds {s[where]!r}")
    return s


def both_classes(y: np.ndarray) -> None:
    """Raise unless ``y`` holds at least one 1 and one 0."""
    positives = int(y.sum())
    if positives == 0:
        raise ValueError("y_true has no positive (residual disease): sensitivity is undefined")
    if positives == y.size:
        raise ValueError("y_true has no negative (no residual disease): specificity is undefined")


def direction_sign(direction: str) -> float:
    """+1 for ``">="`` (positive when score >= cut-point), -1 for ``"<="``."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be '>=' or '<=', got {direction!r}")
    return 1.0 if direction == ">=" else -1.0


def clusters(cluster: object, n: int) -> tuple[np.ndarray, int]:
    """Integer codes 0..k-1 for the resampling units, and k; each row its own unit if None."""
    if cluster is None:
        return np.arange(n), n
    c = np.asarray(cluster)
    if c.ndim != 1 or c.size != n:
        raise ValueError(f"cluster must be one-dimensional with {n} values, one per row")
    _, codes = np.unique(c, return_inverse=True)
    return codes.astype(np.int64), int(codes.max()) + 1


def probability_level(level: float, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {level!r}")
    return float(level)


def n_resamples(n_boot: object) -> int:
    """A positive integer number of bootstrap resamples."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    return int(n_boot)
