"""Region-of-interest curves of a cine, and amplitudes relative to a reference region.

:func:`roi_tic` is the one way ceuslib turns a cine and a region (a rectangle or a mask)
into a time-intensity curve: the mean, frame by frame, of the region's *linearized*
echo-power (gray levels first through the inverse display law; averaging gray levels instead
would bias every amplitude low, Payen et al. 2013).  :func:`roi_tics` does it for several
named regions of one clip, in the long format a study stores (``roi, frame, time_s,
intensity``); :func:`fit_roi_tics` fits them; :func:`reference_ratios` divides each region's
amplitude descriptors by those of the clip's reference region, because absolute echo-power
depends on the scanner, gain and depth and VueBox "strongly recommends" ratios to a
reference region in the same loop (Bracco's VueBox FAQ).

From a DICOM clip to normalized parameters, with a node and a reference rectangle:

>>> import tempfile, pathlib
>>> from ceuslib.perfusion import read_dicom_cine, simulate_tic, compress, write_dicom_cine
>>> tic = simulate_tic(seed=4, fps=2.0, n_speckle=np.inf)
>>> power = tic.linear[:, None, None] * np.r_[[2.0] * 4, [1.0] * 4][None, None, :]
>>> path = pathlib.Path(tempfile.mkdtemp()) / "clip.dcm"
>>> _ = write_dicom_cine(path, compress(power * np.ones((1, 4, 1))).astype(np.uint8), fps=2.0)
>>> cine = read_dicom_cine(path)
>>> curves = roi_tics(cine, {"node": (0, 0, 3, 3), "reference": (4, 0, 7, 3)})
>>> ratios = reference_ratios(fit_roi_tics(curves))
>>> round(float(ratios.loc[0, "pe_ratio"]), 1)
2.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.perfusion.dicom import DicomCine, UltrasoundRegion
from ceuslib.perfusion.dicom_pixels import luminance
from ceuslib.perfusion.display import linearize
from ceuslib.perfusion.fit import fit_tics

__all__ = ["AMPLITUDE_DESCRIPTORS", "fit_roi_tics", "reference_ratios", "roi_tic", "roi_tics"]

#: Descriptors proportional to echo-power (so to gain): the ones a reference region cancels.
AMPLITUDE_DESCRIPTORS = ("pe", "wiauc", "woauc", "wiwoauc", "wir", "wor", "wipi")

#: Frames taken together (bounds the memory of a region's pixels to 64 frames).
_BLOCK_FRAMES = 64


def roi_tic(
    frames: DicomCine | ArrayLike,
    *,
    rect: tuple[int, int, int, int] | UltrasoundRegion | None = None,
    mask: ArrayLike | None = None,
    space: str = "linear",
    dynamic_range_db: float = 60.0,
    gray_max: float | None = None,
) -> np.ndarray:
    """Mean intensity of a region of interest in every frame.

    Parameters
    ----------
    frames : DicomCine or array_like
        ``(n_frames, rows, columns)`` gray levels or ``(n_frames, rows, columns, 3)`` RGB
        (8 or 16-bit, or float); a :class:`DicomCine` gives its displayed frames.
    rect : (x0, y0, x1, y1) or UltrasoundRegion, optional
        Inclusive pixel bounds (columns x, rows y), as DICOM region locations.
    mask : array_like of bool, shape (rows, columns), optional
        The ROI's pixels.  Give exactly one of ``rect`` and ``mask``.
    space : {"linear", "gray"}
        ``"linear"`` (default) linearizes every pixel's luminance and averages echo-power,
        which is what the bolus models describe; ``"gray"`` averages the luminance, on the
        scale 0 to ``gray_max`` (biased low: the mean of logs is below the log of the mean).
    dynamic_range_db : float
        The display dynamic range, for ``"linear"``.
    gray_max : float, optional
        The gray level of full white, for ``"linear"``: by default the cine's
        :attr:`DicomCine.gray_max` (255 for 8-bit data, 65535 for a 16-bit palette), 255
        for an array.

    Returns
    -------
    numpy.ndarray, shape (n_frames,)
        The mean intensity of the region in each frame.

    Notes
    -----
    RGB becomes luminance ``(30R + 59G + 11B) / 100`` pixel by pixel before linearizing.
    Only the region's pixels are converted, 64 frames at a time; integer gray levels are
    linearized through a table of every level (the same values as
    :func:`~ceuslib.perfusion.linearize`).

    Examples
    --------
    >>> frames = np.array([[[255, 0], [0, 0]], [[255, 255], [255, 255]]], dtype=np.uint8)
    >>> roi_tic(frames, rect=(0, 0, 1, 1), space="gray").tolist()
    [63.75, 255.0]
    >>> [round(float(v), 6) for v in roi_tic(frames, rect=(0, 0, 1, 1))]
    [0.250001, 1.0]
    >>> wide = frames.astype(np.uint16) * 257  # the same image in 16 bits
    >>> [round(float(v), 6) for v in roi_tic(wide, mask=[[1, 0], [0, 0]], gray_max=65535)]
    [1.0, 1.0]
    """
    if isinstance(frames, DicomCine):
        data = frames.frames
        gray_max = frames.gray_max if gray_max is None else gray_max
    else:
        data = np.asarray(frames)
        gray_max = 255 if gray_max is None else gray_max
    colour = data.ndim == 4 and data.shape[3] == 3
    if not (data.ndim == 3 or colour) or 0 in data.shape:
        raise ValueError(
            "frames must be non-empty, of shape (n_frames, rows, columns) or "
            f"(n_frames, rows, columns, 3); got shape {data.shape}"
        )
    if data.dtype.kind not in "uif" or data.dtype == bool:
        raise ValueError(f"frames must hold numbers, got {data.dtype}")
    if space not in ("linear", "gray"):
        raise ValueError(f"space must be 'linear' or 'gray', got {space!r}")
    select = _selector(rect, mask, data.shape[1], data.shape[2])
    table = None
    if space == "linear":
        linearize(0.0, dynamic_range_db=dynamic_range_db, gray_max=gray_max)  # checks both
        if not colour and data.dtype.kind == "u" and data.dtype.itemsize <= 2:
            levels = np.arange(min(int(np.floor(gray_max)), np.iinfo(data.dtype).max) + 1)
            table = linearize(levels, dynamic_range_db=dynamic_range_db, gray_max=gray_max)
    out = np.empty(data.shape[0])
    for start in range(0, data.shape[0], _BLOCK_FRAMES):
        roi = select(data[start : start + _BLOCK_FRAMES])
        if table is not None:
            if roi.max() >= table.size:
                raise ValueError(f"gray levels must lie in [0, {gray_max}]; found {roi.max()!r}")
            values = table[roi]
        else:
            values = luminance(roi, rgb=colour)
            if space == "linear":
                values = linearize(values, dynamic_range_db=dynamic_range_db, gray_max=gray_max)
        out[start : start + len(roi)] = values.mean(axis=1)
    return out


def _selector(rect, mask, rows: int, cols: int):
    """A function taking a block of frames to its region's pixels, ``(n, k)`` or ``(n, k, 3)``."""
    if (rect is None) == (mask is None):
        raise ValueError("give exactly one of rect=(x0, y0, x1, y1) and mask")
    if rect is not None:
        if isinstance(rect, UltrasoundRegion):
            rect = rect.rect
        if len(rect) != 4:
            raise ValueError(f"rect must be (x0, y0, x1, y1), got {rect!r}")
        x0, y0, x1, y1 = (int(v) for v in rect)
        if not (0 <= x0 <= x1 < cols and 0 <= y0 <= y1 < rows):
            raise ValueError(
                f"rect {tuple(rect)} must satisfy 0 <= x0 <= x1 < {cols} and 0 <= y0 <= y1 < {rows}"
            )

        def crop(block):
            part = block[:, y0 : y1 + 1, x0 : x1 + 1]
            return part.reshape(part.shape[0], -1, *part.shape[3:])

        return crop
    m = np.asarray(mask)
    if m.shape != (rows, cols):
        raise ValueError(f"mask has shape {m.shape}; the frames are {rows} x {cols}")
    m = m.astype(bool)
    if not m.any():
        raise ValueError("the mask selects no pixel")
    return lambda block: block[:, m]


def _region_arguments(region) -> dict:
    """``rect=`` or ``mask=`` for one region given as a rectangle, a region or a mask."""
    if isinstance(region, UltrasoundRegion):
        return {"rect": region.rect}
    array = np.asarray(region)
    if array.ndim == 2:
        return {"mask": array}
    return {"rect": tuple(region)}


def roi_tics(
    frames: DicomCine | ArrayLike,
    rois: Mapping[str, object],
    *,
    time: ArrayLike | None = None,
    space: str = "linear",
    dynamic_range_db: float = 60.0,
    gray_max: float | None = None,
) -> pd.DataFrame:
    """Curves of several named regions of one clip, in long format.

    Parameters
    ----------
    frames : DicomCine or array_like
        As for :func:`roi_tic`.
    rois : mapping of str to region
        Region name (e.g. ``"node"``, ``"reference"``) to a rectangle ``(x0, y0, x1, y1)``,
        an :class:`UltrasoundRegion` or a boolean mask ``(rows, columns)``.
    time : array_like, shape (n_frames,), optional
        Frame times in seconds; by default the cine's (required for an array).
    space : {"linear", "gray"}
        As for :func:`roi_tic`.
    dynamic_range_db : float
        The display dynamic range, for ``"linear"``.
    gray_max : float, optional
        The gray level of full white, for ``"linear"``, as for :func:`roi_tic`.

    Returns
    -------
    pandas.DataFrame
        ``roi, frame, time_s, intensity``: one row per region and frame, regions in the
        order given; ``intensity`` is linear echo-power (a.u.) or luminance (``"gray"``).

    Examples
    --------
    >>> frames = np.array([[[255, 0]], [[255, 255]]], dtype=np.uint8)
    >>> table = roi_tics(frames, {"node": (0, 0, 0, 0), "reference": [[False, True]]},
    ...                  time=[0.0, 0.5], space="gray")
    >>> table.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'roi': ['node', 'node', 'reference', 'reference'], 'frame': [0, 1, 0, 1],
     'time_s': [0.0, 0.5, 0.0, 0.5], 'intensity': [255.0, 255.0, 0.0, 255.0]}
    """
    if not rois:
        raise ValueError("rois must name at least one region")
    n_frames = frames.n_frames if isinstance(frames, DicomCine) else np.shape(frames)[0]
    if time is None:
        if not isinstance(frames, DicomCine):
            raise ValueError("give time= (seconds, one per frame) for frames that are an array")
        time = frames.time
    time = np.asarray(time, dtype=float)
    if time.shape != (n_frames,):
        raise ValueError(f"time has shape {time.shape}; the cine has {n_frames} frames")
    parts = []
    for name, region in rois.items():
        curve = roi_tic(
            frames,
            **_region_arguments(region),
            space=space,
            dynamic_range_db=dynamic_range_db,
            gray_max=gray_max,
        )
        parts.append(
            pd.DataFrame(
                {"roi": name, "frame": np.arange(n_frames), "time_s": time, "intensity": curve}
            )
        )
    return pd.concat(parts, ignore_index=True)


def fit_roi_tics(
    curves: pd.DataFrame, *, model: str = "lognormal", by: str | Sequence[str] = ()
) -> pd.DataFrame:
    """Fit every region's curve of a long table (as :func:`roi_tics` returns).

    Parameters
    ----------
    curves : pandas.DataFrame
        Columns ``roi, time_s, intensity`` (linear echo-power) and the ``by`` columns.
    model : str
        Bolus model for :func:`~ceuslib.perfusion.fit_tics`.
    by : str or sequence of str
        Columns naming the clip (e.g. ``"node_id"``) when the table holds several clips.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``roi``, then the columns of
        :func:`~ceuslib.perfusion.fit_tics`; one row per clip and region, in table order.

    Examples
    --------
    >>> from ceuslib.perfusion import simulate_tic
    >>> tic = simulate_tic(seed=3)
    >>> curves = pd.DataFrame({"roi": "node", "time_s": tic.time, "intensity": tic.linear})
    >>> fits = fit_roi_tics(curves)
    >>> fits.loc[0, "roi"], round(float(fits.loc[0, "ttp"]))
    ('node', 22)
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*keys, "roi", "time_s", "intensity"] if c not in curves.columns]
    if missing:
        raise ValueError(f"curves has no column {missing}; it has {list(curves.columns)}")
    label_columns = [*keys, "roi"]
    rows = []
    for labels, curve in curves.groupby(label_columns, sort=False):
        fit = fit_tics(
            curve["time_s"].to_numpy(float),
            curve["intensity"].to_numpy(float)[None, :],
            model=model,
        )
        for position, (column, value) in enumerate(zip(label_columns, labels, strict=True)):
            fit.insert(position, column, value)
        rows.append(fit)
    return pd.concat(rows, ignore_index=True)


def reference_ratios(
    fits: pd.DataFrame,
    *,
    reference: str = "reference",
    by: str | Sequence[str] = (),
    descriptors: Sequence[str] = AMPLITUDE_DESCRIPTORS,
) -> pd.DataFrame:
    """Amplitude descriptors of each region as ratios to the reference region of its clip.

    Parameters
    ----------
    fits : pandas.DataFrame
        One row per region (a ``roi`` column, the ``by`` columns), with the descriptor
        columns and ``flag`` of :func:`~ceuslib.perfusion.fit_tics` (as
        :func:`fit_roi_tics` returns).
    reference : str
        The ``roi`` of the reference region; each clip must have exactly one.
    by : str or sequence of str
        Columns naming the clip, when the table holds several clips.
    descriptors : sequence of str
        Descriptors to divide; by default :data:`AMPLITUDE_DESCRIPTORS` (times such as TTP
        do not scale with gain, and are left out).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``roi``, one ``<descriptor>_ratio`` column per descriptor and
        ``flag``: empty, or why the ratios are NaN (the region's own flag, or
        ``"reference: "`` and the reference's).  One row per region other than the
        reference.

    Examples
    --------
    >>> fits = pd.DataFrame({"roi": ["node", "reference"], "pe": [0.3, 0.1],
    ...                      "wiauc": [6.0, 3.0], "flag": ["", ""]})
    >>> reference_ratios(fits, descriptors=("pe", "wiauc")).round(6).to_dict("records")
    [{'roi': 'node', 'pe_ratio': 3.0, 'wiauc_ratio': 2.0, 'flag': ''}]
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*keys, "roi", "flag", *descriptors] if c not in fits.columns]
    if missing:
        raise ValueError(f"fits has no column {missing}; it has {list(fits.columns)}")
    groups = fits.groupby(keys, sort=False) if keys else [((), fits)]
    out = []
    for labels, clip in groups:
        where = dict(zip(keys, labels if isinstance(labels, tuple) else (labels,), strict=True))
        is_reference = clip["roi"] == reference
        if is_reference.sum() != 1:
            clip_name = ", ".join(f"{k}={v!r}" for k, v in where.items()) or "the table"
            raise ValueError(
                f"{clip_name} has {int(is_reference.sum())} rows with roi == {reference!r}; "
                "each clip needs exactly one reference region"
            )
        ref = clip[is_reference].iloc[0]
        ref_flag = "" if ref["flag"] == "" else f"reference: {ref['flag']}"
        for _, row in clip[~is_reference].iterrows():
            flag = "; ".join(f for f in (row["flag"], ref_flag) if f)
            record = {**where, "roi": row["roi"]}
            for name in descriptors:
                record[f"{name}_ratio"] = np.nan if flag else float(row[name]) / float(ref[name])
            record["flag"] = flag
            out.append(record)
    columns = [*keys, "roi", *(f"{d}_ratio" for d in descriptors), "flag"]
    return pd.DataFrame(out, columns=columns)
