"""The phantom's cine loop as a DICOM Ultrasound Multi-frame Image, the format scanners export.

:func:`write_dicom_cine` is ``ceuslib.perfusion.write_dicom_cine`` (the one cine writer) with
the phantom's settings: a frame rate (Frame Time in ms, with Cine Rate and Recommended Display
Frame Rate), one Sequence of Ultrasound Regions item calibrating the whole image in
centimetres, synthetic identification, and the display dynamic range in the private block
``CEUSLIB`` of group 0x0011 and in Image Comments (real exports will need it from the user).
The same reader serves these files and real exports: ``ceuslib.perfusion.read_dicom_cine``.

The file is byte-for-byte reproducible: its UIDs are derived from the pixel data and the
acquisition settings, and it carries no date or time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ceuslib.dicom_build import DYNAMIC_RANGE_ELEMENT, PRIVATE_CREATOR, PRIVATE_GROUP
from ceuslib.perfusion.dicom import UltrasoundRegion
from ceuslib.perfusion.dicom import write_dicom_cine as _write

__all__ = ["DYNAMIC_RANGE_ELEMENT", "PRIVATE_CREATOR", "PRIVATE_GROUP", "write_dicom_cine"]


def write_dicom_cine(
    path: str | os.PathLike,
    frames: np.ndarray,
    *,
    fps: float,
    pixel_spacing_mm: float = 0.2,
    dynamic_range_db: float = 60.0,
    patient_id: str = "PHANTOM",
    series_description: str = "Synthetic CEUS phantom, not patient data",
) -> Path:
    """Write ``frames`` to ``path`` as a DICOM Ultrasound Multi-frame Image.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced atomically: written to a temporary name, then renamed).
    frames : numpy.ndarray
        ``(n_frames, height, width)`` uint8 gray levels.
    fps : float
        Frame rate: Frame Time is ``1000 / fps`` ms.
    pixel_spacing_mm : float
        Pixel size (square), written as Physical Delta X/Y in cm in the region item.
    dynamic_range_db : float
        The display dynamic range the gray levels were compressed with.
    patient_id, series_description : str
        Identification written to the file (no real patient data should ever be used).

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    The writer is ``ceuslib.perfusion.write_dicom_cine(path, frames, fps=fps, regions=[...],
    dynamic_range_db=dynamic_range_db, metadata={...}, uid_entropy=...)``, its UIDs derived
    from a SHA-256 of the frames and these settings.  DICOM PS3.3, Ultrasound Multi-frame
    Image IOD (A.7): Cine (C.7.6.5), Multi-frame (C.7.6.6), US Region Calibration (C.8.5.5)
    and US Image (C.8.5.6) modules.  Region Data Type 1 is "tissue"; the standard has no
    code for a contrast-specific image.

    Examples
    --------
    >>> import tempfile, pydicom
    >>> frames = np.zeros((3, 4, 5), dtype=np.uint8)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_dicom_cine(Path(folder) / "loop.dcm", frames, fps=10.0)
    ...     ds = pydicom.dcmread(written)
    ...     print(ds.NumberOfFrames, float(ds.FrameTime), ds.PhotometricInterpretation)
    3 100.0 MONOCHROME2
    """
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.dtype != np.uint8 or 0 in frames.shape:
        raise ValueError(
            "frames must be a non-empty uint8 array of shape (n_frames, height, width), got "
            f"{frames.dtype} with shape {frames.shape}"
        )
    for name, value in (
        ("fps", fps),
        ("pixel_spacing_mm", pixel_spacing_mm),
        ("dynamic_range_db", dynamic_range_db),
    ):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value}")
    rows, columns = frames.shape[1:]
    digest = hashlib.sha256(np.ascontiguousarray(frames))
    digest.update(f"{fps!r}|{pixel_spacing_mm!r}|{dynamic_range_db!r}|{patient_id}".encode())
    # One region covering the whole image, 2D (spatial format 1), tissue (data type 1), in cm.
    region = UltrasoundRegion(
        x0=0,
        y0=0,
        x1=columns - 1,
        y1=rows - 1,
        spatial_format=1,
        data_type=1,
        flags=0,
        reference_x0=0,
        reference_y0=0,
        physical_units_x=3,
        physical_units_y=3,
        reference_value_x=0.0,
        reference_value_y=0.0,
        physical_delta_x=pixel_spacing_mm / 10.0,
        physical_delta_y=pixel_spacing_mm / 10.0,
    )
    return _write(
        path,
        frames,
        fps=fps,
        regions=[region],
        dynamic_range_db=dynamic_range_db,
        metadata={
            "ImageType": ["DERIVED", "SECONDARY"],
            "PatientName": "Synthetic^Phantom",
            "PatientID": patient_id,
            "SeriesDescription": series_description,
            "Manufacturer": "ceuslib (synthetic)",
            "BurnedInAnnotation": "NO",
            "LossyImageCompression": "00",
            "ContrastBolusAgent": "Sulphur hexafluoride microbubbles (simulated)",
            "ImageComments": (
                f"Synthetic CEUS phantom; display dynamic range {dynamic_range_db:g} dB"
            ),
            "PreferredPlaybackSequencing": 0,
            "UltrasoundColorDataPresent": 0,
        },
        uid_entropy=digest.hexdigest(),
    )
