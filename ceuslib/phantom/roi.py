"""Regions of interest on a phantom loop: masks, mean linearized curves, reference ratios.

A region's time-intensity curve is the mean of its pixels' *linearized* echo-power, frame by
frame: averaging gray levels (log-compressed values) instead would bias the curve and
distort every amplitude and area (Payen et al. 2013).  The curves are taken by
``ceuslib.perfusion.roi_tic`` (the one ROI path, for phantoms and DICOM clips alike):
:func:`roi_curve` and :func:`roi_curves` are it for a phantom's uint8 frames and boolean
masks.  Because absolute echo-power depends on the scanner, gain and depth, VueBox recommends
ratios to a reference region in the same loop (Bracco's VueBox FAQ): :func:`reference_ratio`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ceuslib.perfusion import fit_tics, roi_tic, roi_tics


def ellipse_mask(
    shape: tuple[int, int],
    center: tuple[float, float],
    semi_axes: tuple[float, float],
    *,
    angle_deg: float = 0.0,
) -> np.ndarray:
    """A boolean mask of the pixels whose centres lie inside an ellipse.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the image.
    center : tuple of float
        ``(row, column)`` of the ellipse centre, in pixels.
    semi_axes : tuple of float
        Semi-axes in pixels: the first along the image rows' direction (horizontal) before
        rotation, the second vertical.
    angle_deg : float
        Counter-clockwise rotation in degrees.

    Returns
    -------
    numpy.ndarray of bool, shape (height, width)
        True for the pixels whose centres lie inside the ellipse.

    Examples
    --------
    >>> ellipse_mask((5, 7), (2, 3), (3, 1)).astype(int)
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 1, 0, 0, 0],
           [1, 1, 1, 1, 1, 1, 1],
           [0, 0, 0, 1, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    """
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"shape must be (height, width) with positive sides, got {shape}")
    if len(semi_axes) != 2 or not min(semi_axes) > 0:
        raise ValueError(f"semi_axes must be two positive numbers, got {semi_axes}")
    rows, cols = np.indices(shape, dtype=float)
    dy = center[0] - rows
    dx = cols - center[1]
    angle = np.deg2rad(angle_deg)
    along = dx * np.cos(angle) + dy * np.sin(angle)
    across = -dx * np.sin(angle) + dy * np.cos(angle)
    return (along / semi_axes[0]) ** 2 + (across / semi_axes[1]) ** 2 <= 1.0


def roi_curve(
    frames: np.ndarray, mask: np.ndarray, *, dynamic_range_db: float = 60.0
) -> np.ndarray:
    """Mean linearized echo-power of a region, frame by frame.

    Parameters
    ----------
    frames : numpy.ndarray
        The loop, uint8, ``(n_frames, height, width)``.
    mask : numpy.ndarray of bool
        The region, ``(height, width)``.
    dynamic_range_db : float
        Display dynamic range, for ``ceuslib.perfusion.linearize``.

    Returns
    -------
    numpy.ndarray
        ``(n_frames,)`` mean echo-power in linear a.u. (1 = top of the display).

    Notes
    -----
    ``ceuslib.perfusion.roi_tic(frames, mask=mask, dynamic_range_db=dynamic_range_db)``, for
    uint8 frames and a boolean mask.  Each gray level is linearized first (the inverse
    display law of VueBox and of its open MITK "USToolKit" re-implementation), then averaged:
    the mean of gray levels would be the log of a geometric mean, biased low by speckle.

    Examples
    --------
    >>> frames = np.array([[[255, 0]], [[255, 255]]], dtype=np.uint8)
    >>> [round(float(x), 6) for x in roi_curve(frames, np.array([[True, True]]))]
    [0.5, 1.0]
    """
    frames = _check_frames(frames)
    mask = _check_mask(mask, frames.shape[1:])
    return roi_tic(frames, mask=mask, dynamic_range_db=dynamic_range_db)


def roi_curves(
    frames: np.ndarray,
    masks: Mapping[str, np.ndarray],
    *,
    fps: float,
    dynamic_range_db: float = 60.0,
) -> pd.DataFrame:
    """Curves of several named regions, in long format.

    ``ceuslib.perfusion.roi_tics(frames, masks, time=np.arange(n_frames) / fps,
    dynamic_range_db=dynamic_range_db)``, for uint8 frames and boolean masks.

    Parameters
    ----------
    frames : numpy.ndarray
        The loop, uint8, ``(n_frames, height, width)``.
    masks : mapping of str to numpy.ndarray
        Region name to a boolean mask ``(height, width)``.
    fps : float
        Frame rate; frame ``k`` is at ``k / fps`` seconds.
    dynamic_range_db : float
        Display dynamic range, for the linearization.

    Returns
    -------
    pandas.DataFrame
        ``roi, frame, time_s, intensity``: one row per region and frame; ``intensity`` is
        linear echo-power (a.u.).

    Examples
    --------
    >>> frames = np.array([[[255, 0]], [[255, 255]]], dtype=np.uint8)
    >>> table = roi_curves(frames, {"left": np.array([[True, False]])}, fps=2.0)
    >>> table["time_s"].tolist(), table["intensity"].tolist()
    ([0.0, 0.5], [1.0, 1.0])
    """
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    if not masks:
        raise ValueError("masks must name at least one region")
    frames = _check_frames(frames)
    masks = {name: _check_mask(mask, frames.shape[1:]) for name, mask in masks.items()}
    time = np.arange(frames.shape[0]) / fps
    return roi_tics(frames, masks, time=time, dynamic_range_db=dynamic_range_db)


#: Parameters compared by :func:`reference_ratio` by default.
RATIO_PARAMETERS = ("pe", "wiauc", "wipi", "wiwoauc", "ttp", "rt", "mtt")


def reference_ratio(
    frames: np.ndarray,
    roi: np.ndarray,
    reference: np.ndarray,
    *,
    fps: float,
    dynamic_range_db: float = 60.0,
    model: str = "lognormal",
    parameters: tuple[str, ...] = RATIO_PARAMETERS,
) -> pd.DataFrame:
    """Fit the curves of a region and of a reference region, and the ratio of each parameter.

    Parameters
    ----------
    frames : numpy.ndarray
        The loop, uint8, ``(n_frames, height, width)``.
    roi, reference : numpy.ndarray of bool
        The region (the node) and the reference region (e.g. surrounding soft tissue).
    fps : float
        Frame rate; frame ``k`` is at ``k / fps`` seconds.
    dynamic_range_db : float
        Display dynamic range, for the linearization.
    model : str
        Bolus model for ``ceuslib.perfusion.fit_tics``.
    parameters : tuple of str
        Columns of the fit to compare.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter, roi, reference, ratio`` (``roi / reference``);
        ``attrs["fits"]`` holds the two full fits (rows ``roi`` and ``reference``).

    See Also
    --------
    ceuslib.perfusion.reference_ratios : The amplitude descriptors of any number of regions
        and clips (DICOM clips included) as ratios to each clip's reference region.

    Notes
    -----
    Absolute echo-power depends on the system, gain and depth, so VueBox "strongly
    recommends" ratios to a reference region in the same loop (Bracco's VueBox FAQ);
    lesion-to-reference "PI index" and "AUC index" above 1 suggested malignancy in
    thyroid-cancer nodes (Front Endocrinol 2022).  Both curves are fitted on linearized
    echo-power by ``ceuslib.perfusion.fit_tics``.

    Examples
    --------
    >>> from ceuslib.phantom import simulate_cine
    >>> cine = simulate_cine("reactive", shape=(48, 48), fps=4, duration=60, seed=0)
    >>> table = reference_ratio(cine.frames, cine.maps.node, cine.maps.tissue, fps=4)
    >>> bool(table.set_index("parameter").loc["pe", "ratio"] > 1)
    True
    """
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    curves = np.vstack(
        [
            roi_curve(frames, roi, dynamic_range_db=dynamic_range_db),
            roi_curve(frames, reference, dynamic_range_db=dynamic_range_db),
        ]
    )
    time = np.arange(curves.shape[1]) / fps
    fits = fit_tics(time, curves, model=model)
    fits.index = pd.Index(["roi", "reference"])
    unknown = [name for name in parameters if name not in fits.columns]
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; the fit has {list(fits.columns)}")
    table = pd.DataFrame(
        {
            "parameter": list(parameters),
            "roi": [float(fits.loc["roi", name]) for name in parameters],
            "reference": [float(fits.loc["reference", name]) for name in parameters],
        }
    )
    table["ratio"] = table["roi"] / table["reference"]
    table.attrs["fits"] = fits
    return table


def _check_frames(frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.dtype != np.uint8 or 0 in frames.shape:
        raise ValueError(
            "frames must be a non-empty uint8 array of shape (n_frames, height, width), got "
            f"{frames.dtype} with shape {frames.shape}"
        )
    return frames


def _check_mask(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != tuple(shape):
        raise ValueError(
            f"mask must be a boolean array of shape {tuple(shape)}, got {mask.dtype} "
            f"with shape {mask.shape}"
        )
    if not mask.any():
        raise ValueError("mask selects no pixel")
    return mask
