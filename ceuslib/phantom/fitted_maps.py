"""Fitted parametric maps: a bolus model fitted to every pixel's curve of a cine.

VueBox-style parametric imaging draws, pixel by pixel, the descriptors of a bolus model
fitted to that pixel's time-intensity curve: peak enhancement (PE), time to peak (TTP),
mean transit time (mTT), wash-in area (WiAUC) and the fit's quality (QOF) (Bracco's VueBox
documentation; Tranquart et al. 2012).  :func:`fitted_maps` does so with the batch fitter
``ceuslib.perfusion.fit_tics``, on the linearized echo-power of each pixel averaged over a
``spatial`` x ``spatial`` box (a single pixel's curve is mostly speckle).  Pixels whose fit
is flagged (no enhancement, no wash-out, clipped, not converged) are NaN in every map and
marked in :attr:`FittedMaps.flagged`.  The model-free maps of
:func:`ceuslib.phantom.parametric_maps` need no fit and are much faster.

The pixels are taken in bands of rows, each band's curves built, fitted and dropped before
the next: memory holds one band (``chunk_pixels`` curves), never the whole cine in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import ndimage

from ceuslib.perfusion import fit_tics, linearize

__all__ = ["MAP_NAMES", "FittedMaps", "fitted_maps"]

#: The descriptors mapped, in the order of :meth:`FittedMaps.to_frame`.
MAP_NAMES = ("pe", "ttp", "mtt", "wiauc", "qof")

#: Curves handed to the fitter at once.
_FIT_BATCH = 1000


@dataclass(frozen=True, repr=False)
class FittedMaps:
    """Per-pixel descriptors of the bolus model fitted to each pixel's curve.

    Attributes
    ----------
    pe, ttp, mtt, wiauc, qof : numpy.ndarray
        ``(height, width)`` maps: peak enhancement (linear a.u.), time to peak (s), mean
        transit time (s), wash-in area (a.u. s) and quality of fit (percent); NaN where the
        pixel was not fitted or its fit is flagged.
    flagged : numpy.ndarray of bool
        Pixels fitted whose fit is flagged.
    fitted : numpy.ndarray of bool
        Pixels fitted (the ``mask`` given, or every pixel).
    flag_counts : dict
        Number of flagged pixels by flag text (as in the ``flag`` column of ``fit_tics``).
    model : str
        The bolus model.
    """

    pe: np.ndarray
    ttp: np.ndarray
    mtt: np.ndarray
    wiauc: np.ndarray
    qof: np.ndarray
    flagged: np.ndarray
    fitted: np.ndarray
    flag_counts: dict
    model: str

    def __repr__(self) -> str:
        return (
            f"FittedMaps(shape={self.pe.shape}, model={self.model!r}, "
            f"fitted={int(self.fitted.sum())}, flagged={int(self.flagged.sum())})"
        )

    def to_frame(self, mask: np.ndarray | None = None) -> pd.DataFrame:
        """One row per fitted pixel.

        Parameters
        ----------
        mask : numpy.ndarray of bool, optional
            Keep only the fitted pixels inside it.

        Returns
        -------
        pandas.DataFrame
            Columns ``row, column, pe, ttp, mtt, wiauc, qof, flagged``.
        """
        keep = self.fitted if mask is None else self.fitted & np.asarray(mask, bool)
        rows, cols = np.nonzero(keep)
        return pd.DataFrame(
            {
                "row": rows,
                "column": cols,
                **{name: getattr(self, name)[keep] for name in MAP_NAMES},
                "flagged": self.flagged[keep],
            }
        )


def fitted_maps(
    frames: np.ndarray,
    *,
    fps: float,
    model: str = "lognormal",
    mask: np.ndarray | None = None,
    dynamic_range_db: float = 60.0,
    spatial: int = 5,
    chunk_pixels: int = 4096,
) -> FittedMaps:
    """Fit a bolus model to every pixel's curve and map PE, TTP, mTT, WiAUC and QOF.

    Parameters
    ----------
    frames : numpy.ndarray
        The loop, uint8, ``(n_frames, height, width)``, log-compressed gray levels 0-255.
    fps : float
        Frame rate; frame ``k`` is at ``k / fps`` seconds.
    model : str
        Bolus model for ``ceuslib.perfusion.fit_tics``.
    mask : numpy.ndarray of bool, optional
        ``(height, width)``: fit only these pixels (e.g. the node and a margin); the others
        are NaN.  Every pixel by default.
    dynamic_range_db : float
        Display dynamic range used to linearize the gray levels.
    spatial : int
        Side of the square box of pixels averaged (in echo-power, edges repeated) into each
        pixel's curve (1: none).
    chunk_pixels : int
        About this many pixels' curves are built and fitted at once (whole rows of pixels).

    Returns
    -------
    FittedMaps
        The fitted descriptor maps, with the pixels fitted and flagged.

    Notes
    -----
    Gray levels are linearized (``ceuslib.perfusion.linearize``), box-filtered in space
    (``scipy.ndimage.uniform_filter1d``, ``mode="nearest"``, as
    :func:`~ceuslib.phantom.parametric_maps` does; no filter in time: the model fit is the
    temporal smoothing) and fitted with ``fit_tics(time, curves, model=model)``, whose
    descriptors are the maps.  A flagged fit (its ``flag`` not empty) gives NaN in every
    map.  Memory: about ``chunk_pixels * n_frames`` float64 values at once.

    Examples
    --------
    A 40 x 40 phantom; its node enhances more than the surrounding tissue.

    >>> from ceuslib.phantom import simulate_cine
    >>> cine = simulate_cine("reactive", shape=(40, 40), fps=2, duration=90, seed=0)
    >>> maps = fitted_maps(cine.frames, fps=2, mask=cine.maps.node | cine.maps.tissue)
    >>> maps.pe.shape, maps.model
    ((40, 40), 'lognormal')
    >>> node = np.nanmedian(maps.pe[cine.maps.node])
    >>> tissue = np.nanmedian(maps.pe[cine.maps.tissue])
    >>> bool(node > tissue)
    True
    """
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.dtype != np.uint8 or 0 in frames.shape:
        raise ValueError(
            "frames must be a non-empty uint8 array of shape (n_frames, height, width), got "
            f"{frames.dtype} with shape {frames.shape}"
        )
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    if int(spatial) != spatial or spatial < 1:
        raise ValueError(f"spatial must be a positive integer, got {spatial}")
    if int(chunk_pixels) != chunk_pixels or chunk_pixels < 1:
        raise ValueError(f"chunk_pixels must be a positive integer, got {chunk_pixels}")
    n_frames, height, width = frames.shape
    if mask is None:
        fitted = np.ones((height, width), dtype=bool)
    else:
        fitted = np.asarray(mask)
        if fitted.dtype != bool or fitted.shape != (height, width):
            raise ValueError(
                f"mask must be a boolean array of shape {(height, width)}, got "
                f"{fitted.dtype} with shape {fitted.shape}"
            )
    lut = np.asarray(linearize(np.arange(256), dynamic_range_db=dynamic_range_db), np.float32)
    time = np.arange(n_frames) / fps
    maps = {name: np.full((height, width), np.nan) for name in MAP_NAMES}
    flagged = np.zeros((height, width), dtype=bool)
    counts: dict[str, int] = {}
    halo = int(spatial) // 2
    band = max(1, int(chunk_pixels) // width)
    for top in range(0, height, band):
        bottom = min(height, top + band)
        rows, cols = np.nonzero(fitted[top:bottom])
        if rows.size == 0:
            continue
        lo, hi = max(0, top - halo), min(height, bottom + halo)
        power = lut[frames[:, lo:hi]]
        if spatial > 1:
            for axis in (1, 2):
                ndimage.uniform_filter1d(
                    power, int(spatial), axis=axis, output=power, mode="nearest"
                )
        curves = np.ascontiguousarray(power[:, rows + top - lo, cols].T, dtype=float)
        del power
        for start in range(0, len(curves), _FIT_BATCH):
            fits = fit_tics(time, curves[start : start + _FIT_BATCH], model=model)
            r = rows[start : start + _FIT_BATCH] + top
            c = cols[start : start + _FIT_BATCH]
            bad = (fits["flag"] != "").to_numpy()
            flagged[r, c] = bad
            for name in MAP_NAMES:
                maps[name][r, c] = np.where(bad, np.nan, fits[name].to_numpy(float))
            for text, count in fits.loc[bad, "flag"].value_counts().items():
                counts[text] = counts.get(text, 0) + int(count)
    return FittedMaps(**maps, flagged=flagged, fitted=fitted, flag_counts=counts, model=str(model))
