"""The first stages of a batch fit: checking the curves and grouping them for the engine.

:func:`validate` turns the input into arrays and the input's flags (non-finite frames,
non-increasing time, too few frames, a clipped top); :func:`group_by_blocks` groups the
curves that can be fitted share block sizes (see :func:`ceuslib.perfusion.engine.block_sizes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ceuslib.perfusion import engine
from ceuslib.perfusion.flags import clipped_by_level, clipped_by_shape

MIN_FRAMES_FLOOR = 6  # a bolus model has five parameters: fewer frames than this never fit


@dataclass(frozen=True)
class Batch:
    """Curves checked and ready to fit (internal).

    ``t`` is ``(n_frames,)`` (one axis) or ``(n, n_frames)``; ``y`` is ``(n, n_frames)``;
    ``flags`` maps the input's flag names to boolean arrays ``(n,)``; ``fit`` is true for the
    curves that can be fitted (finite, increasing time, enough frames).
    """

    t: np.ndarray
    y: np.ndarray
    flags: dict
    fit: np.ndarray
    value_range: np.ndarray  # (n,) largest minus smallest frame of each curve
    flat_top: np.ndarray  # (n,) clipped by shape only, to be confirmed by the fit

    @property
    def n(self) -> int:
        return self.y.shape[0]

    @property
    def n_frames(self) -> int:
        return self.y.shape[1]

    def first_last(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """First and last frame times of the curves ``rows`` (all by default)."""
        rows = np.arange(self.n) if rows is None else rows
        if self.t.ndim == 1:
            shape = rows.shape
            return np.full(shape, self.t[0]), np.full(shape, self.t[-1])
        return self.t[rows, 0], self.t[rows, -1]


def as_arrays(time, intensities) -> tuple[np.ndarray, np.ndarray]:
    """``time`` and ``intensities`` as float arrays of matching shapes (or ``ValueError``)."""
    y = (
        intensities.astype(float, copy=False)
        if isinstance(intensities, np.ndarray)
        else np.asarray(intensities, dtype=float)
    )
    if y.ndim != 2:
        raise ValueError(
            f"intensities must have shape (n_curves, n_frames); got {y.ndim} dimension(s)"
        )
    t = np.asarray(time, dtype=float)
    if t.ndim == 1:
        if t.shape[0] != y.shape[1]:
            raise ValueError(
                f"time has {t.shape[0]} frames but intensities have {y.shape[1]} per curve"
            )
    elif t.ndim == 2:
        if t.shape != y.shape:
            raise ValueError(f"time has shape {t.shape} but intensities have shape {y.shape}")
    else:
        raise ValueError("time must have shape (n_frames,) or (n_curves, n_frames)")
    return t, y


def validate(
    time,
    intensities,
    *,
    min_frames: int,
    saturation: float | None,
    truncation: float | None,
) -> Batch:
    """Check every curve: the input's flags and which curves can be fitted."""
    t, y = as_arrays(time, intensities)
    n, n_frames = y.shape
    # every frame is finite when the row's largest and smallest are (NaN propagates)
    with np.errstate(invalid="ignore"):
        highest = y.max(axis=1) if n_frames else np.zeros(n)
        lowest = y.min(axis=1) if n_frames else np.zeros(n)
    finite = np.isfinite(highest) & np.isfinite(lowest)
    if t.ndim == 1:  # one time axis: check it once
        steady = bool(np.isfinite(t).all()) and bool(np.all(np.diff(t) > 0))
        increasing = np.full(n, steady)
    else:
        increasing = np.isfinite(t).all(axis=1)
        if n_frames > 1:
            increasing &= np.all(np.diff(t, axis=1) > 0, axis=1)
    enough = np.full(n, n_frames >= max(min_frames, MIN_FRAMES_FLOOR))
    fit = finite & increasing & enough
    clipped = np.zeros(n, dtype=bool)
    flat_top = np.zeros(n, dtype=bool)
    if fit.any():
        rows = np.flatnonzero(fit)
        full = rows.size == n  # every curve: no copy
        by_level = clipped_by_level(
            highest[rows], lowest[rows], saturation=saturation, truncation=truncation
        )
        by_shape = clipped_by_shape(
            y if full else y[rows], highest=highest if full else highest[rows]
        )
        clipped[rows] = by_level | by_shape
        flat_top[rows] = by_shape & ~by_level
    flags = {
        "nonfinite": ~finite,
        "time_order": ~increasing,
        "few_frames": ~enough,
        "clipped": clipped,
    }
    return Batch(t, y, flags, fit, highest - lowest, flat_top)


def group_by_blocks(batch: Batch, rows: np.ndarray, *, block_s: float):
    """The curves ``rows`` in groups that share their block sizes: ``(members, k, merge)``.

    Every curve's block sizes come from its own time axis, so no curve's fit depends on the
    others in the batch.
    """
    if rows.size == 0:
        return []
    if batch.t.ndim == 1:
        k, c = engine.block_sizes(batch.t, block_s=block_s)
        return [(rows, k, c)]
    ks, cs = engine.block_sizes(batch.t[rows], block_s=block_s)
    pairs = np.unique(np.stack([ks, cs], axis=1), axis=0)
    return [(rows[(ks == k) & (cs == c)], int(k), int(c)) for k, c in pairs]
