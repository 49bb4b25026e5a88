"""Parametric maps: per-pixel time to peak, peak enhancement and wash-in rate of a cine.

A single pixel's curve is mostly speckle, so every map smooths first: a moving average over
``window_s`` seconds and a ``spatial`` x ``spatial`` pixel box, both on the *linearized*
echo-power (never on gray levels: a log transform distorts amplitudes; Payen et al. 2013).
The loop is streamed frame by frame (a running sum for the moving average), so memory stays
at a few frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import ndimage

from ceuslib.perfusion import linearize

#: Frames linearized and filtered together.
_BLOCK_FRAMES = 64


@dataclass(frozen=True, repr=False)
class ParametricMaps:
    """Per-pixel perfusion parameters of a cine.

    Attributes
    ----------
    ttp : numpy.ndarray
        Time to peak of the smoothed curve, in seconds from the first frame.
    pe : numpy.ndarray
        Peak enhancement: smoothed maximum minus baseline, in linear a.u.
    wir : numpy.ndarray
        Wash-in rate: the steepest rise of the smoothed curve before its peak, in a.u./s
        (0 where the peak is in the first frame).
    baseline : numpy.ndarray
        Mean linear echo-power over the first ``baseline_s`` seconds, in a.u.
    t50 : numpy.ndarray or None
        Time at which the smoothed curve first reaches half its peak enhancement
        (``baseline + pe / 2``), in seconds; ``None`` unless asked for (``half_peak=True``).
    """

    ttp: np.ndarray
    pe: np.ndarray
    wir: np.ndarray
    baseline: np.ndarray
    t50: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"ParametricMaps(shape={self.ttp.shape}, maps=ttp, pe, wir, baseline)"

    def to_frame(self, mask: np.ndarray | None = None) -> pd.DataFrame:
        """One row per pixel, optionally masked.

        Parameters
        ----------
        mask : numpy.ndarray of bool, optional
            Keep only the pixels inside it.

        Returns
        -------
        pandas.DataFrame
            Columns ``row, column, ttp, pe, wir, baseline``.
        """
        rows, cols = np.indices(self.ttp.shape)
        keep = np.ones(self.ttp.shape, bool) if mask is None else np.asarray(mask, bool)
        return pd.DataFrame(
            {
                "row": rows[keep],
                "column": cols[keep],
                "ttp": self.ttp[keep],
                "pe": self.pe[keep],
                "wir": self.wir[keep],
                "baseline": self.baseline[keep],
                **({} if self.t50 is None else {"t50": self.t50[keep]}),
            }
        )


def parametric_maps(
    frames: np.ndarray,
    *,
    fps: float,
    dynamic_range_db: float = 60.0,
    window_s: float = 2.0,
    spatial: int = 5,
    baseline_s: float = 5.0,
    half_peak: bool = False,
) -> ParametricMaps:
    """Per-pixel time to peak, peak enhancement and wash-in rate of a cine loop.

    Parameters
    ----------
    frames : numpy.ndarray
        The loop, uint8, ``(n_frames, height, width)``, log-compressed gray levels 0-255.
    fps : float
        Frame rate in frames per second.
    dynamic_range_db : float
        Display dynamic range used to linearize the gray levels.
    window_s : float
        Length of the centred moving average in seconds (rounded to whole frames; 0 or one
        frame: no temporal smoothing).
    spatial : int
        Side of the square box averaged around each pixel (1: none).
    baseline_s : float
        The first ``baseline_s`` seconds (at least one frame) give the baseline.
    half_peak : bool
        Also map the time to half peak enhancement (``t50``), a sharper marker of arrival
        than the time to peak; it needs a second pass over the loop.

    Returns
    -------
    ParametricMaps
        The per-pixel descriptor maps.

    Notes
    -----
    Gray levels are turned into echo-power with ``ceuslib.perfusion.linearize``; the
    smoothing is a box filter (``scipy.ndimage.uniform_filter1d``, edges repeated) in time
    and space; then, per pixel, the time to peak is the first frame of the maximum, the peak
    enhancement that maximum minus the baseline, and the wash-in rate the largest forward
    difference times ``fps`` before the peak.  These are the model-free versions of the
    VueBox-style TTP, PE and WiR of ``ceuslib.perfusion.describe``; parametric maps of this
    kind are what QuantUS and VueBox draw.

    Examples
    --------
    A 3-frame, 1 x 2 loop: the left pixel peaks at frame 1, the right one at frame 2.

    >>> frames = np.array([[[0, 0]], [[255, 128]], [[0, 255]]], dtype=np.uint8)
    >>> maps = parametric_maps(frames, fps=2.0, window_s=0, spatial=1, baseline_s=0)
    >>> maps.ttp.tolist()
    [[0.5, 1.0]]
    >>> [round(float(x), 6) for x in maps.pe.ravel()]
    [0.999999, 0.999999]
    """
    frames = _check_frames(frames)
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    if int(spatial) != spatial or spatial < 1:
        raise ValueError(f"spatial must be a positive integer, got {spatial}")
    if window_s < 0 or baseline_s < 0:
        raise ValueError("window_s and baseline_s must be >= 0")
    n_frames, height, width = frames.shape
    lut = np.asarray(linearize(np.arange(256), dynamic_range_db=dynamic_range_db), dtype=np.float32)
    window = max(1, round(window_s * fps))
    n_baseline = min(n_frames, max(1, round(baseline_s * fps)))
    spatial_frames = _SpatialFrames(frames, lut, int(spatial))
    # Centred moving average of ``window`` frames, edges repeated (as
    # scipy.ndimage.uniform_filter1d with mode="nearest"), kept as a running float64 sum of
    # float32 values (exact for the 8-bit display's range, so ties stay ties); the division
    # by ``window`` waits until the end.
    before = window // 2
    after = window - 1 - before
    running = np.zeros((height, width))
    for j in range(-before, after + 1):
        running += spatial_frames[j]
    peak = running.copy()
    peak_index = np.zeros((height, width), dtype=np.int32)
    base = running.copy()
    steepest = np.full((height, width), -np.inf, dtype=np.float32)
    wir = np.zeros((height, width), dtype=np.float32)
    rise = np.empty((height, width), dtype=np.float32)
    higher = np.empty((height, width), dtype=bool)
    for k in range(1, n_frames):
        entering = spatial_frames[k + after]
        leaving = spatial_frames[k - before - 1]
        running += entering
        running -= leaving
        if k < n_baseline:
            base += running
        np.subtract(entering, leaving, out=rise)
        spatial_frames.forget(k - before - 1)
        np.maximum(steepest, rise, out=steepest)
        np.greater(running, peak, out=higher)
        np.copyto(peak, running, where=higher)
        np.copyto(peak_index, k, where=higher)
        np.copyto(wir, steepest, where=higher)
    base /= n_baseline * window
    t50 = None
    if half_peak:
        half = base * window + (peak - base * window) / 2
        t50 = _first_crossing(frames, lut, int(spatial), window, half) / fps
    return ParametricMaps(
        ttp=peak_index / fps,
        pe=peak / window - base,
        wir=wir.astype(float) * (fps / window),
        baseline=base,
        t50=t50,
    )


def _first_crossing(frames, lut, spatial, window, level):
    """First frame at which the running ``window``-frame sum reaches ``level`` (per pixel)."""
    spatial_frames = _SpatialFrames(frames, lut, spatial)
    before = window // 2
    after = window - 1 - before
    running = np.zeros(level.shape)
    for j in range(-before, after + 1):
        running += spatial_frames[j]
    first = np.zeros(level.shape, dtype=np.int32)
    found = running >= level
    reached = np.empty(level.shape, dtype=bool)
    for k in range(1, len(frames)):
        running += spatial_frames[k + after]
        running -= spatial_frames[k - before - 1]
        spatial_frames.forget(k - before - 1)
        np.greater_equal(running, level, out=reached)
        reached &= ~found
        np.copyto(first, k, where=reached)
        found |= reached
    return first


class _SpatialFrames:
    """Linearized, spatially box-filtered frames, computed lazily in blocks of frames.

    Indexing clamps to the first and last frame (edges repeated).
    """

    def __init__(self, frames: np.ndarray, lut: np.ndarray, spatial: int):
        self.frames = frames
        self.lut = lut
        self.spatial = spatial
        self.blocks: dict[int, np.ndarray] = {}

    def __getitem__(self, j: int) -> np.ndarray:
        j = min(max(j, 0), len(self.frames) - 1)
        block, offset = divmod(j, _BLOCK_FRAMES)
        if block not in self.blocks:
            start = block * _BLOCK_FRAMES
            power = self.lut[self.frames[start : start + _BLOCK_FRAMES]]
            if self.spatial > 1:
                for axis in (1, 2):
                    ndimage.uniform_filter1d(
                        power, self.spatial, axis=axis, output=power, mode="nearest"
                    )
            self.blocks[block] = power
        return self.blocks[block][offset]

    def forget(self, j: int) -> None:
        """Drop the blocks wholly before frame ``j``."""
        for block in [b for b in self.blocks if (b + 1) * _BLOCK_FRAMES <= j]:
            del self.blocks[block]


def _check_frames(frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.dtype != np.uint8:
        raise ValueError(
            "frames must be a uint8 array of shape (n_frames, height, width), got "
            f"{frames.dtype} with shape {frames.shape}"
        )
    if frames.shape[0] < 1 or frames.shape[1] < 1 or frames.shape[2] < 1:
        raise ValueError(f"frames must not be empty, got shape {frames.shape}")
    return frames
