"""DICOM multi-frame ultrasound cines: read them, write them, and take ROI curves.

:func:`read_dicom_cine` reads an Ultrasound Multi-frame Image (SOP class
1.2.840.10008.5.1.4.1.1.3.1) with pydicom and returns the frames, their times and the
calibration regions; :func:`roi_tic` turns a rectangle or a mask into a time-intensity
curve; :func:`write_dicom_cine` writes a cine (for phantoms and tests).

Frame times are taken, in this order, from Frame Time Vector (0018,1065), Frame Time
(0018,1063), Cine Rate (0018,0040) and Recommended Display Frame Rate (0008,2144): open
tools disagree on the priority, and the first two are the ones the standard ties to
multi-frame cine data (DICOM PS3.3 C.7.6.6).

CEUS clips are often dual-pane (B-mode and contrast side by side): the Sequence of
Ultrasound Regions (0018,6011) says where each pane is; pick the contrast region's rectangle
for :func:`roi_tic`.  The dynamic range needed to linearize is usually not in a standard tag
(it must come from the scanner's settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from ceuslib.dicom_build import cine_dataset, save_dataset
from ceuslib.perfusion.display import linearize

__all__ = ["DicomCine", "UltrasoundRegion", "read_dicom_cine", "roi_tic", "write_dicom_cine"]


@dataclass(frozen=True)
class UltrasoundRegion:
    """One item of the Sequence of Ultrasound Regions (0018,6011).

    ``x0, y0, x1, y1`` are the inclusive pixel bounds (Region Location Min/Max); the
    physical deltas are per pixel in ``physical_units_x/y`` (code 3 = cm).
    """

    x0: int
    y0: int
    x1: int
    y1: int
    spatial_format: int | None = None
    data_type: int | None = None
    physical_units_x: int | None = None
    physical_units_y: int | None = None
    physical_delta_x: float | None = None
    physical_delta_y: float | None = None

    @property
    def rect(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)`` for :func:`roi_tic`."""
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class DicomCine:
    """A cine read by :func:`read_dicom_cine`.

    Attributes
    ----------
    frames : numpy.ndarray
        ``(n_frames, rows, columns)`` gray levels, or ``(n_frames, rows, columns, 3)`` RGB
        (YBR colour spaces are converted to RGB).
    time : numpy.ndarray, shape (n_frames,)
        Frame times in seconds from the first frame.
    regions : tuple of UltrasoundRegion
    photometric : str
        The file's Photometric Interpretation.
    metadata : dict
        Acquisition context when present: manufacturer, model, transducer frequency,
        mechanical index, contrast agent, frame source.
    """

    frames: np.ndarray = field(repr=False)
    time: np.ndarray = field(repr=False)
    regions: tuple[UltrasoundRegion, ...]
    photometric: str
    metadata: dict = field(repr=False)

    @property
    def n_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def gray(self) -> np.ndarray:
        """Frames as gray levels: RGB is converted to luminance ``(30R + 59G + 11B) / 100``."""
        if self.frames.ndim == 4:
            rgb = self.frames.astype(float)
            return (30 * rgb[..., 0] + 59 * rgb[..., 1] + 11 * rgb[..., 2]) / 100.0
        return self.frames.astype(float)


def _frame_times(ds: Dataset, n: int, name: str) -> tuple[np.ndarray, str]:
    if "FrameTimeVector" in ds:
        vector = np.asarray([float(v) for v in ds.FrameTimeVector], dtype=float)
        if vector.size != n:
            raise ValueError(
                f"{name}: Frame Time Vector (0018,1065) has {vector.size} values for {n} frames"
            )
        # the first entry is 0; each later entry is the increment from the previous frame
        return np.cumsum(vector) / 1000.0, "FrameTimeVector"
    if "FrameTime" in ds and float(ds.FrameTime) > 0:
        return np.arange(n) * float(ds.FrameTime) / 1000.0, "FrameTime"
    for keyword in ("CineRate", "RecommendedDisplayFrameRate"):
        if keyword in ds and float(ds[keyword].value) > 0:
            return np.arange(n) / float(ds[keyword].value), keyword
    raise ValueError(
        f"{name}: no frame timing: none of Frame Time Vector (0018,1065), Frame Time "
        "(0018,1063), Cine Rate (0018,0040) or Recommended Display Frame Rate (0008,2144)"
    )


def _regions(ds: Dataset) -> tuple[UltrasoundRegion, ...]:
    out = []
    for item in ds.get("SequenceOfUltrasoundRegions", []):

        def get(keyword, kind=int, item=item):
            return kind(item[keyword].value) if keyword in item else None

        out.append(
            UltrasoundRegion(
                x0=int(item.RegionLocationMinX0),
                y0=int(item.RegionLocationMinY0),
                x1=int(item.RegionLocationMaxX1),
                y1=int(item.RegionLocationMaxY1),
                spatial_format=get("RegionSpatialFormat"),
                data_type=get("RegionDataType"),
                physical_units_x=get("PhysicalUnitsXDirection"),
                physical_units_y=get("PhysicalUnitsYDirection"),
                physical_delta_x=get("PhysicalDeltaX", float),
                physical_delta_y=get("PhysicalDeltaY", float),
            )
        )
    return tuple(out)


def read_dicom_cine(path) -> DicomCine:
    """Read a DICOM ultrasound multi-frame cine.

    Parameters
    ----------
    path : str or pathlib.Path
        The DICOM file.

    Returns
    -------
    DicomCine
        Frames, frame times (s), calibration regions, photometric interpretation and
        acquisition metadata.

    Raises
    ------
    ValueError
        If the file is not DICOM, has no pixel data, or has no frame timing; the message
        names the file and the missing attribute.

    Notes
    -----
    Attributes of DICOM PS3.3 C.7.6.6 (multi-frame) and C.8.5.5 (US regions); pixel
    decoding and colour conversion by pydicom 3.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cine.dcm"
    >>> frames = np.zeros((3, 4, 5), dtype=np.uint8)
    >>> _ = write_dicom_cine(path, frames, frame_time_ms=100.0)
    >>> cine = read_dicom_cine(path)
    >>> cine.frames.shape, cine.time.tolist()
    ((3, 4, 5), [0.0, 0.1, 0.2])
    """
    path = Path(path)
    name = path.name
    try:
        ds = pydicom.dcmread(path)
    except (pydicom.errors.InvalidDicomError, OSError) as exc:
        raise ValueError(f"{name}: not a readable DICOM file ({exc})") from None
    if "PixelData" not in ds:
        raise ValueError(f"{name}: no Pixel Data (7FE0,0010)")
    pixels = ds.pixel_array
    n = int(ds.get("NumberOfFrames", 1) or 1)
    samples = int(ds.get("SamplesPerPixel", 1))
    if n == 1:
        pixels = pixels[None, ...]
    if pixels.shape[0] != n or (samples == 3 and pixels.ndim != 4):
        raise ValueError(f"{name}: pixel data of shape {pixels.shape} for {n} frames")
    time, source = _frame_times(ds, n, name)
    meta = {"frame_time_source": source}
    for keyword in (
        "Manufacturer",
        "ManufacturerModelName",
        "TransducerFrequency",
        "MechanicalIndex",
        "ContrastBolusAgent",
        "LossyImageCompression",
    ):
        if keyword in ds:
            meta[keyword] = ds[keyword].value
    return DicomCine(
        frames=np.asarray(pixels),
        time=time,
        regions=_regions(ds),
        photometric=str(ds.get("PhotometricInterpretation", "")),
        metadata=meta,
    )


def roi_tic(
    frames,
    *,
    rect=None,
    mask=None,
    space: str = "linear",
    dynamic_range_db: float = 60.0,
    gray_max: float = 255,
) -> np.ndarray:
    """Mean intensity of a region of interest in every frame.

    Parameters
    ----------
    frames : DicomCine or array_like, shape (n_frames, rows, columns)
        Gray-level frames (a :class:`DicomCine` gives its :attr:`DicomCine.gray`).
    rect : (x0, y0, x1, y1), optional
        Inclusive pixel bounds (columns x, rows y), as DICOM region locations.
    mask : array_like of bool, shape (rows, columns), optional
        The ROI's pixels.  Give exactly one of ``rect`` and ``mask``.
    space : {"linear", "gray"}
        ``"linear"`` (default) linearizes every pixel and averages echo-power, which is
        what the bolus models describe; ``"gray"`` averages gray levels (biased low: the
        mean of logs is below the log of the mean).
    dynamic_range_db, gray_max : float
        The display law for ``"linear"``.

    Returns
    -------
    numpy.ndarray, shape (n_frames,)

    Examples
    --------
    >>> frames = np.array([[[255, 0], [0, 0]], [[255, 255], [255, 255]]], dtype=float)
    >>> roi_tic(frames, rect=(0, 0, 1, 1), space="gray").tolist()
    [63.75, 255.0]
    >>> [round(float(v), 6) for v in roi_tic(frames, rect=(0, 0, 1, 1))]
    [0.250001, 1.0]
    """
    data = frames.gray if isinstance(frames, DicomCine) else np.asarray(frames, dtype=float)
    if data.ndim != 3:
        raise ValueError("frames must have shape (n_frames, rows, columns)")
    if (rect is None) == (mask is None):
        raise ValueError("give exactly one of rect=(x0, y0, x1, y1) and mask")
    _, rows, cols = data.shape
    if rect is not None:
        x0, y0, x1, y1 = (int(v) for v in rect)
        if not (0 <= x0 <= x1 < cols and 0 <= y0 <= y1 < rows):
            raise ValueError(
                f"rect {tuple(rect)} must satisfy 0 <= x0 <= x1 < {cols} and 0 <= y0 <= y1 < {rows}"
            )
        roi = data[:, y0 : y1 + 1, x0 : x1 + 1].reshape(data.shape[0], -1)
    else:
        m = np.asarray(mask, dtype=bool)
        if m.shape != (rows, cols):
            raise ValueError(f"mask has shape {m.shape}; the frames are {rows} x {cols}")
        if not m.any():
            raise ValueError("the mask selects no pixel")
        roi = data[:, m]
    if space == "gray":
        return roi.mean(axis=1)
    if space != "linear":
        raise ValueError(f"space must be 'linear' or 'gray', got {space!r}")
    return linearize(roi, dynamic_range_db=dynamic_range_db, gray_max=gray_max).mean(axis=1)


def write_dicom_cine(
    path,
    frames,
    *,
    frame_time_ms: float,
    regions=(),
    photometric: str | None = None,
    metadata=None,
) -> Path:
    """Write 8-bit frames as a DICOM Ultrasound Multi-frame Image.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination (written to a temporary name, then renamed).
    frames : array_like of uint8, shape (n, rows, columns) or (n, rows, columns, 3)
        Gray (MONOCHROME2) or RGB frames.
    frame_time_ms : float
        Frame Time (0018,1063), milliseconds.
    regions : sequence of UltrasoundRegion
        Written as the Sequence of Ultrasound Regions.
    photometric : str, optional
        Defaults to MONOCHROME2 for gray frames and RGB for colour frames.
    metadata : dict, optional
        More attributes by keyword (e.g. ``{"Manufacturer": "synthetic"}``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If the frames are not non-empty uint8 of one of the two shapes, or
        ``frame_time_ms`` is not a positive number.

    Notes
    -----
    The dataset is the one ``ceuslib.dicom_build.cine_dataset`` builds for both cine
    writers (this one and ``ceuslib.phantom.write_dicom_cine``): Ultrasound Multi-frame Image
    IOD (DICOM PS3.3 A.7) with random UIDs and empty type 2 identification.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rgb.dcm"
    >>> frames = np.zeros((2, 3, 4, 3), dtype=np.uint8)
    >>> _ = write_dicom_cine(path, frames, frame_time_ms=40)
    >>> print(pydicom.dcmread(path).PhotometricInterpretation)
    RGB
    """
    if not (np.isfinite(frame_time_ms) and frame_time_ms > 0):
        raise ValueError(f"frame_time_ms must be a positive number, got {frame_time_ms!r}")
    ds = cine_dataset(
        frames,
        frame_time_ms=float(frame_time_ms),
        photometric=photometric,
        regions=[_region_item(region) for region in regions],
        attributes=metadata,
    )
    return save_dataset(ds, path)


def _region_item(region: UltrasoundRegion) -> dict:
    """An item of the Sequence of Ultrasound Regions, keyword by keyword (``None``: absent)."""
    return {
        "RegionLocationMinX0": region.x0,
        "RegionLocationMinY0": region.y0,
        "RegionLocationMaxX1": region.x1,
        "RegionLocationMaxY1": region.y1,
        "RegionSpatialFormat": region.spatial_format,
        "RegionDataType": region.data_type,
        "PhysicalUnitsXDirection": region.physical_units_x,
        "PhysicalUnitsYDirection": region.physical_units_y,
        "PhysicalDeltaX": region.physical_delta_x,
        "PhysicalDeltaY": region.physical_delta_y,
    }
