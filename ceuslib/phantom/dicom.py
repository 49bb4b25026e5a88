"""Write a cine loop as a DICOM Ultrasound Multi-frame Image, the format scanners export.

The attributes follow DICOM PS3.3 (C.7.6.6 multi-frame, C.8.5.5 US regions): SOP class Ultrasound
Multi-frame Image Storage (1.2.840.10008.5.1.4.1.1.3.1); Number of Frames, Frame Increment
Pointer to Frame Time (ms), Cine Rate and Recommended Display Frame Rate; 8-bit MONOCHROME2
pixels, uncompressed (explicit VR little endian); and one Sequence of Ultrasound Regions item
calibrating the image in centimetres.  The display dynamic range has no standard tag (vendors
keep it in private tags); it is written in the private block ``CEUSLIB`` of group 0x0011 and
in Image Comments, so that a reader can find it, but real exports will need it from the user.
The same reader serves these files and real exports: ``ceuslib.perfusion.read_dicom_cine``.

The file is byte-for-byte reproducible: its UIDs are derived from the pixel data and the
acquisition settings, and it carries no date or time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage, generate_uid

from ceuslib.atomic import atomic_path

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
    if frames.shape[1] > 65535 or frames.shape[2] > 65535:
        raise ValueError(f"DICOM rows and columns must be at most 65535, got {frames.shape}")
    for name, value in (
        ("fps", fps),
        ("pixel_spacing_mm", pixel_spacing_mm),
        ("dynamic_range_db", dynamic_range_db),
    ):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value}")
    path = Path(path)
    n_frames, rows, columns = frames.shape
    pixels = np.ascontiguousarray(frames).tobytes()
    digest = hashlib.sha256(pixels)
    digest.update(f"{fps!r}|{pixel_spacing_mm!r}|{dynamic_range_db!r}|{patient_id}".encode())
    entropy = digest.hexdigest()

    def uid(kind: str) -> str:
        return generate_uid(entropy_srcs=[entropy, kind])

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UltrasoundMultiFrameImageStorage
    meta.MediaStorageSOPInstanceUID = uid("instance")
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationVersionName = "CEUSLIB"

    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = UltrasoundMultiFrameImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = uid("study")
    ds.SeriesInstanceUID = uid("series")
    ds.Modality = "US"
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.PatientName = "Synthetic^Phantom"
    ds.PatientID = patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.StudyDate = ""
    ds.StudyTime = ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.SeriesDescription = series_description
    ds.Manufacturer = "ceuslib (synthetic)"
    ds.PatientOrientation = ""
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"
    ds.ContrastBolusAgent = "Sulphur hexafluoride microbubbles (simulated)"
    ds.ImageComments = f"Synthetic CEUS phantom; display dynamic range {dynamic_range_db:g} dB"

    # Cine and multi-frame modules
    ds.NumberOfFrames = n_frames
    ds.FrameIncrementPointer = pydicom.tag.Tag("FrameTime")
    ds.FrameTime = f"{1000.0 / fps:.6g}"
    ds.CineRate = round(fps)
    ds.RecommendedDisplayFrameRate = round(fps)
    ds.PreferredPlaybackSequencing = 0

    # Image pixel module
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = columns
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.UltrasoundColorDataPresent = 0

    # US region calibration: one region covering the whole image, in cm
    region = Dataset()
    region.RegionSpatialFormat = 1  # 2D
    region.RegionDataType = 1  # tissue
    region.RegionFlags = 0
    region.RegionLocationMinX0 = 0
    region.RegionLocationMinY0 = 0
    region.RegionLocationMaxX1 = columns - 1
    region.RegionLocationMaxY1 = rows - 1
    region.ReferencePixelX0 = 0
    region.ReferencePixelY0 = 0
    region.PhysicalUnitsXDirection = 3  # cm
    region.PhysicalUnitsYDirection = 3
    region.ReferencePixelPhysicalValueX = 0.0
    region.ReferencePixelPhysicalValueY = 0.0
    region.PhysicalDeltaX = pixel_spacing_mm / 10.0
    region.PhysicalDeltaY = pixel_spacing_mm / 10.0
    ds.SequenceOfUltrasoundRegions = Sequence([region])

    block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
    block.add_new(DYNAMIC_RANGE_ELEMENT, "DS", f"{dynamic_range_db:.6g}")

    ds.PixelData = pixels
    ds["PixelData"].VR = "OB"

    with atomic_path(path) as temporary:
        ds.save_as(temporary, enforce_file_format=True)
    return path
