"""The display law: log compression of echo-power to gray levels, and its inverse.

A scanner shows echo-power ``P`` (linear, arbitrary units) as a gray level after log
compression over a dynamic range ``DR`` (dB) and quantisation.  With ``P = 1`` at the top of
the display,

``gray = gray_max * (1 + 10 log10(P) / DR)``, clipped to ``[0, gray_max]``,

so one gray step is ``DR / gray_max`` dB.  :func:`linearize` inverts it:
``P = 10 ** ((gray / gray_max - 1) * DR / 10)``.

Notes
-----
The law is the one of the open VueBox-like MITK re-implementation (EP = Vmax^2 *
10^((g/255 - 1) DR / 10), default DR = 60 dB), without the constant ``Vmax^2``, which cancels
in every relative measure.  VueBox linearizes only curves that are neither truncated nor
saturated (Bracco's VueBox FAQ): gray levels at 0 or ``gray_max`` carry
no echo-power information, which is why :func:`compress` reports clipping.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["compress", "from_db", "linearize", "to_db"]


def _check(dynamic_range_db: float, gray_max: float) -> None:
    if not (np.isfinite(dynamic_range_db) and dynamic_range_db > 0):
        raise ValueError(f"dynamic_range_db must be a positive number, got {dynamic_range_db!r}")
    if not (np.isfinite(gray_max) and gray_max > 0):
        raise ValueError(f"gray_max must be a positive number, got {gray_max!r}")


def linearize(
    gray: ArrayLike, *, dynamic_range_db: float = 60.0, gray_max: float = 255
) -> np.ndarray:
    """Echo-power (linear a.u.) from displayed gray levels: the inverse display law.

    Parameters
    ----------
    gray : array_like
        Gray levels in ``[0, gray_max]``.
    dynamic_range_db : float
        Dynamic range of the log compression, in dB (60 dB by default, as in the open
        MITK "USToolKit" VueBox re-implementation).
    gray_max : float
        The gray level of the top of the display (255 for 8-bit images).

    Returns
    -------
    numpy.ndarray
        ``10 ** ((gray / gray_max - 1) * dynamic_range_db / 10)``; 1 at ``gray_max``.

    Raises
    ------
    ValueError
        If a gray level lies outside ``[0, gray_max]`` or is not a number.

    Notes
    -----
    The linearization of the open MITK "USToolKit" VueBox re-implementation, without its
    constant ``Vmax^2``.

    Examples
    --------
    >>> [float(p) for p in linearize([255, 127.5, 0])]
    [1.0, 0.001, 1e-06]
    >>> round(float(linearize(255 - 4.25, dynamic_range_db=60.0)), 6)  # 1 dB below the top
    0.794328
    """
    _check(dynamic_range_db, gray_max)
    g = np.asarray(gray, dtype=float)
    bad = ~((g >= 0) & (g <= gray_max))
    if np.any(bad):
        first = g[bad].flat[0]
        raise ValueError(f"gray levels must lie in [0, {gray_max}]; found {first!r}")
    return 10.0 ** ((g / gray_max - 1.0) * dynamic_range_db / 10.0)


def compress(
    power: ArrayLike,
    *,
    dynamic_range_db: float = 60.0,
    gray_max: float = 255,
    quantize: bool = True,
) -> np.ndarray:
    """Displayed gray levels from echo-power: log compression, clipping, quantisation.

    Parameters
    ----------
    power : array_like
        Linear echo-power, a.u., with 1 at the top of the display.  Values at or below
        ``10 ** (-dynamic_range_db / 10)`` (including zero and negative values) display as 0.
    dynamic_range_db : float
        Dynamic range in dB.
    gray_max : float
        Top gray level; powers above 1 saturate there.
    quantize : bool
        Round to whole gray levels (8-bit display when ``gray_max = 255``).

    Returns
    -------
    numpy.ndarray
        Gray levels in ``[0, gray_max]`` (floats; whole numbers when ``quantize``).

    Notes
    -----
    Inverse of :func:`linearize` (the law of the open MITK "USToolKit" VueBox
    re-implementation); clipping reproduces the truncation and saturation VueBox warns about
    (Bracco's VueBox FAQ).

    Examples
    --------
    >>> [float(g) for g in compress([1.0, 1e-3, 1e-9, 0.0, 2.0])]
    [255.0, 128.0, 0.0, 0.0, 255.0]
    >>> float(compress(1e-3, quantize=False))
    127.5
    """
    _check(dynamic_range_db, gray_max)
    p = np.asarray(power, dtype=float)
    if np.any(np.isnan(p)):
        raise ValueError("echo-power contains NaN")
    floor = 10.0 ** (-dynamic_range_db / 10.0)
    db = 10.0 * np.log10(np.maximum(p, floor))
    gray = np.clip(gray_max * (1.0 + db / dynamic_range_db), 0.0, gray_max)
    return np.round(gray) if quantize else gray


def to_db(power: ArrayLike, *, reference: float = 1.0) -> np.ndarray:
    """Echo-power in dB relative to ``reference``.

    Parameters
    ----------
    power : array_like
        Linear echo-power, a.u.
    reference : float
        The echo-power of 0 dB.

    Returns
    -------
    numpy.ndarray
        ``10 log10(power / reference)``.

    Examples
    --------
    >>> float(to_db(100.0))
    20.0
    """
    p = np.asarray(power, dtype=float)
    if np.any(~(p > 0)):
        raise ValueError("echo-power must be positive to be expressed in dB")
    return 10.0 * np.log10(p / reference)


def from_db(db: ArrayLike, *, reference: float = 1.0) -> np.ndarray:
    """Echo-power from dB relative to ``reference``.

    The inverse of :func:`to_db`, and the one conversion of dB intensities (TIC exports,
    cohort tables) to linear echo-power in the library; NaN stays NaN (a fit flags it).

    Parameters
    ----------
    db : array_like
        Intensities in dB.
    reference : float
        The echo-power of 0 dB.

    Returns
    -------
    numpy.ndarray
        ``reference * 10 ** (db / 10)``.

    Examples
    --------
    >>> from_db([20.0, 0.0, -10.0]).tolist()
    [100.0, 1.0, 0.1]
    >>> float(from_db(to_db(0.25)))
    0.25
    """
    return reference * 10.0 ** (np.asarray(db, dtype=float) / 10.0)
