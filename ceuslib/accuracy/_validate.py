"""Input checks of the accuracy and decision statistics (private).

One vocabulary for every function of :mod:`ceuslib.accuracy` and :mod:`ceuslib.decision`:
``direction`` ("higher" or "lower" values mean the positive class), ``pos_label`` (which
label of the truth is positive), ``nan_policy`` ("raise" or "omit" rows with a missing
value), ``n_resamples``, ``level``, ``method`` and ``seed``. Every check raises a
``ValueError`` whose message says what was expected, so that a wrong call fails where it is
made. Old spellings (direction ">=" and "<=", ``n_boot``, ``ci_method``) still work for one
release and issue a ``DeprecationWarning``.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from ceuslib.errors import outside_stacklevel

DIRECTIONS = ("higher", "lower")
OLD_DIRECTIONS = {">=": "higher", "<=": "lower"}
NAN_POLICIES = ("raise", "omit")

F = TypeVar("F", bound=Callable[..., Any])


def deprecated(message: str) -> None:
    """Issue a ``DeprecationWarning`` attributed to the first caller outside the library."""
    warnings.warn(message, DeprecationWarning, stacklevel=outside_stacklevel())


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """Accept old keyword names for one release, with a ``DeprecationWarning``.

    Examples
    --------
    >>> @renamed(n_boot="n_resamples")
    ... def f(*, n_resamples=10):
    ...     return n_resamples
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(n_boot=3)
    3
    >>> print(caught[0].message)
    f(n_boot=...) is deprecated: use n_resamples=... instead
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{function.__name__}() got both {old}= and {new}=; use {new}="
                        )
                    deprecated(
                        f"{function.__name__}({old}=...) is deprecated: use {new}=... instead"
                    )
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


# ---------------------------------------------------------------- options


def direction(value: object, *, name: str = "direction") -> str:
    """``"higher"`` or ``"lower"``: which end of the score means the positive class."""
    if isinstance(value, str) and value in OLD_DIRECTIONS:
        new = OLD_DIRECTIONS[value]
        deprecated(f"{name}={value!r} is deprecated: use {name}={new!r} instead")
        return new
    if value not in DIRECTIONS:
        raise ValueError(
            f"{name} must be 'higher' (higher scores mean the positive class) or 'lower', "
            f"got {value!r}"
        )
    return str(value)


def level(value: object, *, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1, as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def z_value(confidence: object) -> float:
    """The two-sided standard normal quantile for a confidence level in (0, 1)."""
    return float(stats.norm.ppf(0.5 + level(confidence) / 2.0))


def count(value: object, name: str) -> int:
    """A non-negative integer count (Python or numpy integer, or an integral float)."""
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


def n_resamples(value: object, *, minimum: int = 1) -> int:
    """A number of bootstrap resamples, at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"n_resamples must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_nan_policy(value: object) -> str:
    """``"raise"`` (a missing value is an error) or ``"omit"`` (its row is left out)."""
    if value not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be 'raise' or 'omit', got {value!r}")
    return str(value)


def generator(seed: object) -> np.random.Generator:
    """The random generator of a seed (an int, a ``numpy.random.Generator`` or None)."""
    if isinstance(seed, bool) or not (
        seed is None or isinstance(seed, numbers.Integral | np.random.Generator)
    ):
        raise ValueError(f"seed must be an integer or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- data


def _missing(values: np.ndarray) -> np.ndarray | None:
    """Mask of missing entries (NaN, None, pandas NA), or None when there is none."""
    if values.dtype.kind in "fc":
        mask = np.isnan(values)
    elif values.dtype.kind == "O":
        mask = np.asarray(pd.isna(values), dtype=bool)
    else:
        return None
    return mask if mask.any() else None


def rows(
    columns: Mapping[str, object], *, nan_policy: str = "raise"
) -> tuple[dict[str, np.ndarray], int]:
    """Aligned one-dimensional columns, with the rows holding a missing value handled.

    Parameters
    ----------
    columns : mapping of str to array-like or None
        The data arguments by name (None entries are skipped); all of one length.
    nan_policy : str
        ``"raise"``: a missing value is an error naming the argument and its position;
        ``"omit"``: every row with a missing value in any column is left out.

    Returns
    -------
    (dict, int)
        The arrays, and how many rows were left out.
    """
    policy = check_nan_policy(nan_policy)
    arrays: dict[str, np.ndarray] = {}
    first = ""
    for name, values in columns.items():
        if values is None:
            continue
        array = np.asarray(values)
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
        if arrays and array.size != arrays[first].size:
            raise ValueError(f"{name} has {array.size} values but {first} has {arrays[first].size}")
        if not arrays:
            first = name
        arrays[name] = array
    dropped: np.ndarray | None = None
    for name, array in arrays.items():
        mask = _missing(array)
        if mask is None:
            continue
        if policy == "raise":
            where = int(np.flatnonzero(mask)[0])
            raise ValueError(
                f"{name} has {int(mask.sum())} missing value(s), the first at position {where}; "
                "drop those rows, or pass nan_policy='omit' to leave them out"
            )
        dropped = mask if dropped is None else dropped | mask
    if dropped is None:
        return arrays, 0
    keep = ~dropped
    return {name: array[keep] for name, array in arrays.items()}, int(dropped.sum())


def _shown(uniques: np.ndarray) -> list:
    return sorted((u.item() if isinstance(u, np.generic) else u for u in uniques), key=str)


def _zero_one(uniques: np.ndarray) -> bool:
    return all(
        (isinstance(u, numbers.Real) and not isinstance(u, float | np.floating) and u in (0, 1))
        or (isinstance(u, float | np.floating) and u in (0.0, 1.0))
        for u in uniques
    )


def labels(values: object, *, pos_label: object = None, name: str = "y_true") -> np.ndarray:
    """Binary labels as a boolean array (True = positive, e.g. diseased).

    Without ``pos_label`` the labels must be 0/1 or True/False (1 = positive), as in
    scikit-learn; other labels (strings, categories) need ``pos_label``, the label that
    means positive. At most two distinct labels are allowed.
    """
    y = np.asarray(values)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {y.shape}")
    if pos_label is None:
        if y.dtype == bool:
            return y
        if y.dtype.kind in "iuf":
            ok = (y == 0) | (y == 1)
            if not ok.all():
                bad = np.unique(y[~ok])[:5].tolist()
                raise ValueError(
                    f"{name} must hold 0 and 1 (1 = positive) or True/False, found {bad}; "
                    "for other labels say which one is positive with pos_label=..."
                )
            return y == 1
        uniques = pd.unique(y)
        if _zero_one(uniques):
            return np.asarray(pd.Series(y, copy=False) == 1, dtype=bool)
        shown = _shown(uniques)
        example = f", e.g. pos_label={shown[-1]!r}" if shown else ""
        raise ValueError(
            f"{name} holds the labels {shown[:5]}: say which one means positive with "
            f"pos_label=...{example}"
        )
    uniques = pd.unique(y)
    if len(uniques) > 2:
        raise ValueError(
            f"{name} must hold two labels (a binary outcome), found {len(uniques)}: "
            f"{_shown(uniques)[:5]}"
        )
    if len(uniques) and not any(u == pos_label for u in uniques):
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the labels of {name}: {_shown(uniques)}"
        )
    if y.dtype.kind in "biuf" and isinstance(pos_label, numbers.Real):
        return y == pos_label
    return np.asarray(pd.Series(y, copy=False) == pos_label, dtype=bool)


def calls(values: object, *, pos_label: object = None, name: str = "test_positive") -> np.ndarray:
    """A binary test's calls: True/False or 0/1 (1 = positive), or labels with ``pos_label``."""
    x = np.asarray(values)
    if x.dtype == bool or x.dtype.kind in "iuf" or _zero_one(pd.unique(x)):
        return labels(x, name=name)
    return labels(x, pos_label=pos_label, name=name)


def scores(values: object, *, name: str = "score") -> np.ndarray:
    """A finite one-dimensional float array."""
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers") from None
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    finite = np.isfinite(x)
    if not finite.all():
        where = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"{name} must be finite; position {where} holds {x[where]!r}")
    return x


def oriented(values: object, orientation: str, *, name: str = "score") -> np.ndarray:
    """Scores turned so that higher means positive (negated for direction ``"lower"``)."""
    x = scores(values, name=name)
    return -x if orientation == "lower" else x


def both_classes(y: np.ndarray, *, what: str = "this statistic") -> tuple[int, int]:
    """Numbers of positives and negatives, both at least one."""
    m = int(np.count_nonzero(y))
    n = int(y.size - m)
    if m == 0 or n == 0:
        raise ValueError(
            f"{what} needs at least one positive and one negative, got {m} positive(s) and "
            f"{n} negative(s)"
        )
    return m, n


def cluster_codes(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 of the clusters (in sorted order of their labels), and the labels."""
    array = np.asarray(values)
    try:
        codes, uniques = pd.factorize(array, sort=True)
    except TypeError:  # labels of mixed types cannot be sorted
        codes, uniques = pd.factorize(array, sort=False)
    return codes.astype(np.int64), np.asarray(uniques)
