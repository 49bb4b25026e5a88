"""Write a cine loop as a DICOM Ultrasound Multi-frame Image, the format scanners export.

The attributes follow DICOM PS3.3 (C.7.6.6 multi-frame, C.8.5.5 US regions): SOP class Ultrasound
Multi-frame Image Storage (1.2.840.10008.5.1.4.1.1.3.1); Number of Frames, Frame Increment
Pointer to Frame Time (ms), Cine Rate and Recommended Display Frame Rate; 8-bit MONOCHROME2
pixels, uncompressed (explicit VR little endian); and one Sequence of Ultrasound Regions item
calibrating the image in centimetres.  The display dynamic range has no standard tag (vendors
keep it in private tags); it is written in the private block ``CEUSLIB`` of group 0x0011 and
in Image Comments, so that a reader can find it, but real exports will need it from the user.
The same reader serves these files and real exports: ``ceuslib.perfusion.read_dicom_cine``;
the dataset is built by ``ceuslib.dicom_build.cine_dataset``, like that of the general writer
``ceuslib.perfusion.write_dicom_cine``.

The file is byte-for-byte reproducible: its UIDs are derived from the pixel data and the
acquisition settings, and it carries no date or time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ceuslib.dicom_build import cine_dataset, save_dataset

#: Private creator of the block that holds the display dynamic range.
PRIVATE_CREATOR = "CEUSLIB"
PRIVATE_GROUP = 0x0011
#: Element offset of the dynamic range (dB, DS) inside the private block.
DYNAMIC_RANGE_ELEMENT = 0x01


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
    DICOM PS3.3, Ultrasound Multi-frame Image IOD (A.7): Cine (C.7.6.5), Multi-frame
    (C.7.6.6), US Region Calibration (C.8.5.5) and US Image (C.8.5.6) modules.  Region Data
    Type 1 is "tissue"; the standard has no code for a contrast-specific image.

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
    region = {
        "RegionSpatialFormat": 1,
        "RegionDataType": 1,
        "RegionFlags": 0,
        "RegionLocationMinX0": 0,
        "RegionLocationMinY0": 0,
        "RegionLocationMaxX1": columns - 1,
        "RegionLocationMaxY1": rows - 1,
        "ReferencePixelX0": 0,
        "ReferencePixelY0": 0,
        "PhysicalUnitsXDirection": 3,
        "PhysicalUnitsYDirection": 3,
        "ReferencePixelPhysicalValueX": 0.0,
        "ReferencePixelPhysicalValueY": 0.0,
        "PhysicalDeltaX": pixel_spacing_mm / 10.0,
        "PhysicalDeltaY": pixel_spacing_mm / 10.0,
    }
    ds = cine_dataset(
        frames,
        frame_time_ms=f"{1000.0 / fps:.6g}",
        regions=[region],
        attributes={
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
            "CineRate": round(fps),
            "RecommendedDisplayFrameRate": round(fps),
            "PreferredPlaybackSequencing": 0,
            "UltrasoundColorDataPresent": 0,
        },
        uid_entropy=digest.hexdigest(),
    )
    block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
    block.add_new(DYNAMIC_RANGE_ELEMENT, "DS", f"{dynamic_range_db:.6g}")
    return save_dataset(ds, path)
