"""DICOM multi-frame ultrasound cines: read them and write them.

:func:`read_dicom_cine` reads an ultrasound image or cine (Ultrasound Multi-frame Image,
SOP class 1.2.840.10008.5.1.4.1.1.3.1, and single images) with pydicom and returns the
displayed frames, their times and the calibration regions; :func:`write_dicom_cine` writes
one (the phantom's files, tests, examples).  ROI curves are taken by
:func:`ceuslib.perfusion.roi_tic`.

Frame times follow the attribute that Frame Increment Pointer (0028,0009) names (DICOM PS3.3
C.7.6.6.1.1): Frame Time (0018,1063), Frame Time Vector (0018,1065), Cine Rate (0018,0040) or
Recommended Display Frame Rate (0008,2144); without a pointer, the first present in that
order (vector first), and ``frame_time_s`` replaces them for exports without timing
(:mod:`ceuslib.perfusion.frame_timing`).

CEUS clips are often dual-pane (B-mode and contrast side by side): the Sequence of
Ultrasound Regions (0018,6011) says where each pane is; pick the contrast region's rectangle
for :func:`~ceuslib.perfusion.roi_tic`.  The dynamic range needed to linearize is usually not
in a standard tag (it must come from the scanner's settings); files written here keep it in
the private block ``CEUSLIB`` (:data:`ceuslib.dicom_build.PRIVATE_CREATOR`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
from numpy.typing import ArrayLike
from pydicom.dataset import Dataset

from ceuslib.dicom_build import (
    DYNAMIC_RANGE_ELEMENT,
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
    cine_dataset,
    save_dataset,
)
from ceuslib.errors import FrameTimingWarning
from ceuslib.perfusion.dicom_pixels import check_decodable, displayed_frames, luminance
from ceuslib.perfusion.frame_timing import frame_times

__all__ = ["DicomCine", "UltrasoundRegion", "read_dicom_cine", "write_dicom_cine"]

#: UltrasoundRegion field -> attribute keyword of a Sequence of Ultrasound Regions item.
_REGION_KEYWORDS = {
    "x0": "RegionLocationMinX0",
    "y0": "RegionLocationMinY0",
    "x1": "RegionLocationMaxX1",
    "y1": "RegionLocationMaxY1",
    "spatial_format": "RegionSpatialFormat",
    "data_type": "RegionDataType",
    "flags": "RegionFlags",
    "reference_x0": "ReferencePixelX0",
    "reference_y0": "ReferencePixelY0",
    "physical_units_x": "PhysicalUnitsXDirection",
    "physical_units_y": "PhysicalUnitsYDirection",
    "reference_value_x": "ReferencePixelPhysicalValueX",
    "reference_value_y": "ReferencePixelPhysicalValueY",
    "physical_delta_x": "PhysicalDeltaX",
    "physical_delta_y": "PhysicalDeltaY",
}
_FLOAT_FIELDS = {"reference_value_x", "reference_value_y", "physical_delta_x", "physical_delta_y"}


@dataclass(frozen=True)
class UltrasoundRegion:
    """One item of the Sequence of Ultrasound Regions (0018,6011) (DICOM PS3.3 C.8.5.5).

    ``None``: the attribute is absent from the item.

    Attributes
    ----------
    x0, y0, x1, y1 : int
        The inclusive pixel bounds (Region Location Min/Max).
    spatial_format : int or None
        Region Spatial Format (1 = 2D).
    data_type : int or None
        Region Data Type (1 = tissue).
    physical_units_x, physical_units_y : int or None
        Physical Units X/Y Direction (code 3 = cm).
    physical_delta_x, physical_delta_y : float or None
        Physical size of a pixel, in those units.
    flags : int or None
        Region Flags.
    reference_x0, reference_y0 : int or None
        The Reference Pixel.
    reference_value_x, reference_value_y : float or None
        The physical value of the Reference Pixel.
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
    flags: int | None = None
    reference_x0: int | None = None
    reference_y0: int | None = None
    reference_value_x: float | None = None
    reference_value_y: float | None = None

    @property
    def rect(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)`` for :func:`~ceuslib.perfusion.roi_tic`."""
        return (self.x0, self.y0, self.x1, self.y1)

    def to_item(self) -> dict[str, object]:
        """The region as attribute keywords and values.

        Returns
        -------
        dict
            DICOM keyword to value, ``None`` for an absent attribute.
        """
        return {keyword: getattr(self, name) for name, keyword in _REGION_KEYWORDS.items()}


@dataclass(frozen=True)
class DicomCine:
    """A cine read by :func:`read_dicom_cine`.

    Attributes
    ----------
    frames : numpy.ndarray
        The displayed values: ``(n_frames, rows, columns)`` gray levels, or
        ``(n_frames, rows, columns, 3)`` RGB (YBR colour converted, a PALETTE COLOR image's
        palette applied), unsigned integers; MONOCHROME1 is inverted so that larger is
        brighter.
    time : numpy.ndarray, shape (n_frames,)
        Frame times in seconds from the first frame.
    regions : tuple of UltrasoundRegion
        The Sequence of Ultrasound Regions (empty when the file has none).
    photometric : str
        The file's Photometric Interpretation.
    metadata : dict
        Acquisition context when present: manufacturer, model, transducer frequency,
        mechanical index, contrast agent, lossy compression, the transfer syntax, where the
        frame times come from (``frame_time_source``) and the display dynamic range of files
        written by :func:`write_dicom_cine` (``dynamic_range_db``).
    gray_max : float
        The value of full white (``2 ** BitsStored - 1``; 65535 for a palette of 16-bit
        entries): the ``gray_max`` of :func:`~ceuslib.perfusion.linearize`.
    """

    frames: np.ndarray = field(repr=False)
    time: np.ndarray = field(repr=False)
    regions: tuple[UltrasoundRegion, ...]
    photometric: str
    metadata: dict = field(repr=False)
    gray_max: float = 255.0

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.frames.shape[0])

    @property
    def gray(self) -> np.ndarray:
        """The displayed luminance, float: RGB becomes ``(30R + 59G + 11B) / 100``.

        It holds the whole cine in float64; :func:`~ceuslib.perfusion.roi_tic` converts only
        a region's pixels.
        """
        return luminance(self.frames, rgb=self.frames.ndim == 4)


def _regions(ds: Dataset) -> tuple[UltrasoundRegion, ...]:
    out = []
    for item in ds.get("SequenceOfUltrasoundRegions", []):
        values = {}
        for name, keyword in _REGION_KEYWORDS.items():
            if keyword in item and item[keyword].value is not None:
                kind = float if name in _FLOAT_FIELDS else int
                values[name] = kind(item[keyword].value)
            elif name in ("x0", "y0", "x1", "y1"):
                raise ValueError(f"an ultrasound region has no {keyword}")
        out.append(UltrasoundRegion(**values))
    return tuple(out)


def _dynamic_range(ds: Dataset) -> float | None:
    try:
        block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR)
        return float(block[DYNAMIC_RANGE_ELEMENT].value)
    except (KeyError, ValueError, TypeError):
        return None


def read_dicom_cine(
    path: str | os.PathLike[str], *, frame_time_s: float | None = None
) -> DicomCine:
    """Read a DICOM ultrasound cine (or single image) as displayed.

    Parameters
    ----------
    path : str or pathlib.Path
        The DICOM file.
    frame_time_s : float, optional
        Seconds between frames, for exports that carry no timing (it replaces the file's;
        a :class:`~ceuslib.errors.FrameTimingWarning` says so when they differ).

    Returns
    -------
    DicomCine
        Displayed frames, frame times (s), calibration regions, photometric interpretation,
        the value of full white and acquisition metadata.

    Raises
    ------
    ValueError
        If the file is not DICOM, has no pixel data, has no frame timing (and no
        ``frame_time_s``), or its pixel data cannot be decoded here (the message names the
        file and the transfer syntax).  Timing and decodability are checked before any
        frame is decoded.

    Warns
    -----
    FrameTimingWarning
        When Frame Time, Frame Time Vector, Cine Rate (or ``frame_time_s``) give different
        frame rates (by 1 % or more; Cine Rate, an integer, by 1 frame/s or more).

    Notes
    -----
    DICOM PS3.3 C.7.6.3 (image pixel and palette colour lookup tables), C.7.6.6
    (multi-frame) and C.8.5.5 (US regions).  Decoding, YBR to RGB conversion and the
    palette by pydicom 3 (``pydicom.pixels.apply_color_lut``); compressed transfer syntaxes
    need their decoder plugins (Pillow for JPEG baseline, GDCM for JPEG Lossless, JPEG-LS
    and JPEG 2000); the video syntaxes (MPEG-2, MPEG-4, HEVC) cannot be decoded by pydicom.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cine.dcm"
    >>> frames = np.zeros((3, 4, 5), dtype=np.uint8)
    >>> _ = write_dicom_cine(path, frames, frame_time_ms=100.0)
    >>> cine = read_dicom_cine(path)
    >>> cine.frames.shape, cine.time.tolist(), cine.gray_max
    ((3, 4, 5), [0.0, 0.1, 0.2], 255.0)
    """
    path = Path(path)
    name = path.name
    try:
        ds = pydicom.dcmread(path)
    except (pydicom.errors.InvalidDicomError, OSError) as exc:
        raise ValueError(f"{name}: not a readable DICOM file ({exc})") from None
    if "PixelData" not in ds:
        raise ValueError(f"{name}: no Pixel Data (7FE0,0010)")
    try:
        n = int(ds.get("NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: Number of Frames (0028,0008) is not a number") from None
    if n < 1:
        raise ValueError(f"{name}: Number of Frames (0028,0008) is {n}")
    time, source, disagreements = frame_times(ds, n, name=name, frame_time_s=frame_time_s)
    for message in disagreements:
        warnings.warn(message, FrameTimingWarning, stacklevel=2)
    check_decodable(ds, name)
    frames, gray_max = displayed_frames(ds, n, name)
    try:
        regions = _regions(ds)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    meta: dict[str, object] = {"frame_time_source": source}
    syntax = ds.file_meta.get("TransferSyntaxUID")
    if syntax is not None:
        meta["transfer_syntax"] = syntax.name
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
    dynamic_range = _dynamic_range(ds)
    if dynamic_range is not None:
        meta["dynamic_range_db"] = dynamic_range
    return DicomCine(
        frames=frames,
        time=time,
        regions=regions,
        photometric=str(ds.get("PhotometricInterpretation", "")),
        metadata=meta,
        gray_max=gray_max,
    )


def write_dicom_cine(
    path: str | os.PathLike[str],
    frames: ArrayLike,
    *,
    frame_time_ms: float | None = None,
    fps: float | None = None,
    regions: Sequence[UltrasoundRegion] = (),
    photometric: str | None = None,
    dynamic_range_db: float | None = None,
    metadata: Mapping[str, object] | None = None,
    uid_entropy: str | None = None,
) -> Path:
    """Write 8-bit frames as a DICOM Ultrasound Multi-frame Image.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination (written to a temporary name, then renamed).
    frames : array_like of uint8, shape (n, rows, columns) or (n, rows, columns, 3)
        Gray (MONOCHROME2) or RGB frames.
    frame_time_ms, fps : float
        Give exactly one.  ``frame_time_ms`` is written as Frame Time (0018,1063);
        ``fps`` as Frame Time ``1000 / fps`` ms (six significant digits) with Cine Rate
        (0018,0040) and Recommended Display Frame Rate (0008,2144) ``round(fps)``.
    regions : sequence of UltrasoundRegion
        Written as the Sequence of Ultrasound Regions.
    photometric : str, optional
        Defaults to MONOCHROME2 for gray frames and RGB for colour frames.
    dynamic_range_db : float, optional
        The display dynamic range the gray levels were compressed with, written in the
        private block ``CEUSLIB`` of group 0x0011 (no standard tag holds it) and read back
        into :attr:`DicomCine.metadata`.
    metadata : dict, optional
        More attributes by keyword (e.g. ``{"Manufacturer": "synthetic"}``), set last.
    uid_entropy : str, optional
        Derive the UIDs from this text (the same text and frames give the same bytes);
        random UIDs by default.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If the frames are not non-empty uint8 of one of the two shapes, or the timing or
        dynamic range is not one positive number.

    Notes
    -----
    The dataset is built by ``ceuslib.dicom_build.cine_dataset``: Ultrasound Multi-frame
    Image IOD (DICOM PS3.3 A.7) with empty type 2 identification.  The phantom's
    ``ceuslib.phantom.write_dicom_cine`` is this writer with the phantom's calibration,
    identification and reproducible UIDs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> frames = np.zeros((2, 3, 4, 3), dtype=np.uint8)
    >>> _ = write_dicom_cine(folder / "rgb.dcm", frames, frame_time_ms=40)
    >>> print(pydicom.dcmread(folder / "rgb.dcm").PhotometricInterpretation)
    RGB
    >>> path = write_dicom_cine(folder / "gray.dcm", frames[..., 0], fps=12.5, dynamic_range_db=50)
    >>> ds = pydicom.dcmread(path)
    >>> print(ds.FrameTime, ds.CineRate, read_dicom_cine(path).metadata["dynamic_range_db"])
    80 12 50.0
    """
    if (frame_time_ms is None) == (fps is None):
        raise ValueError("give exactly one of frame_time_ms and fps")
    attributes: dict[str, object] = {}
    if fps is not None:
        _check_positive("fps", fps)
        frame_time: float | str = f"{1000.0 / fps:.6g}"
        attributes["CineRate"] = attributes["RecommendedDisplayFrameRate"] = round(fps)
    else:
        _check_positive("frame_time_ms", frame_time_ms)
        frame_time = float(frame_time_ms)
    if dynamic_range_db is not None:
        _check_positive("dynamic_range_db", dynamic_range_db)
    attributes.update(metadata or {})
    ds = cine_dataset(
        frames,
        frame_time_ms=frame_time,
        photometric=photometric,
        regions=[region.to_item() for region in regions],
        attributes=attributes,
        uid_entropy=uid_entropy,
    )
    if dynamic_range_db is not None:
        block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
        block.add_new(DYNAMIC_RANGE_ELEMENT, "DS", f"{dynamic_range_db:.6g}")
    return save_dataset(ds, path)


def _check_positive(name: str, value) -> None:
    if not (isinstance(value, int | float | np.number) and np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
