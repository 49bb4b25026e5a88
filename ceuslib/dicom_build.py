"""Build and save DICOM Ultrasound Multi-frame Image datasets.

The construction behind the cine writer ``ceuslib.perfusion.write_dicom_cine`` (and so behind
the phantom's ``ceuslib.phantom.write_dicom_cine``, which calls it). :func:`cine_dataset` writes
the attributes every Ultrasound Multi-frame Image needs (DICOM PS3.3 A.7): the File Meta
Information (PS3.10 7.1), the SOP Common, Patient, General Study, General Series and General
Image modules (the type 2 attributes present, empty unless given), the Image Pixel, Multi-frame
and Cine modules (C.7.6.3, C.7.6.6, C.7.6.5) with the frame timing in Frame Time (0018,1063),
and the optional US Region Calibration module (C.8.5.5). The pixels are 8-bit, uncompressed,
explicit VR little endian. A writer adds its own attributes on top and saves with
:func:`save_dataset`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pydicom
from numpy.typing import ArrayLike
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage, generate_uid

from ceuslib.filesystem import atomic_path

__all__ = [
    "DYNAMIC_RANGE_ELEMENT",
    "IMPLEMENTATION_VERSION_NAME",
    "PRIVATE_CREATOR",
    "PRIVATE_GROUP",
    "cine_dataset",
    "save_dataset",
]

#: Implementation Version Name (0002,0013) of every file written by ceuslib.
IMPLEMENTATION_VERSION_NAME = "CEUSLIB"
#: Private creator, and group, of the block that holds the display dynamic range.
PRIVATE_CREATOR = "CEUSLIB"
PRIVATE_GROUP = 0x0011
#: Element offset of the dynamic range (dB, DS) inside the private block.
DYNAMIC_RANGE_ELEMENT = 0x01

#: Type 2 attributes of the Patient, General Study, General Series and General Image modules,
#: written empty unless ``attributes`` gives them (Series and Instance Number default to 1).
_TYPE2_DEFAULTS = {
    "PatientName": "",
    "PatientID": "",
    "PatientBirthDate": "",
    "PatientSex": "",
    "StudyDate": "",
    "StudyTime": "",
    "ReferringPhysicianName": "",
    "StudyID": "",
    "AccessionNumber": "",
    "SeriesNumber": 1,
    "InstanceNumber": 1,
    "PatientOrientation": "",
}


def cine_dataset(
    frames: ArrayLike,
    *,
    frame_time_ms: float | str,
    photometric: str | None = None,
    regions: Iterable[Mapping[str, object]] = (),
    attributes: Mapping[str, object] | None = None,
    uid_entropy: str | None = None,
) -> Dataset:
    """An Ultrasound Multi-frame Image dataset holding ``frames``.

    Parameters
    ----------
    frames : array_like of uint8, shape (n, rows, columns) or (n, rows, columns, 3)
        Gray or colour frames (colour samples interleaved, Planar Configuration 0).
    frame_time_ms : float or str
        Frame Time (0018,1063) in milliseconds, as a number or as the decimal string to
        write; Frame Increment Pointer points to it.
    photometric : str, optional
        Photometric Interpretation; MONOCHROME2 for gray frames and RGB for colour frames
        by default.
    regions : iterable of mapping
        Items of the Sequence of Ultrasound Regions (0018,6011), each a mapping from
        attribute keyword to value; ``None`` values are left out.  No sequence when empty.
    attributes : mapping, optional
        More attributes by keyword, set last (they replace the defaults, e.g. the empty
        Patient ID).
    uid_entropy : str, optional
        When given, the SOP Instance, Study and Series UIDs are derived from it (the same
        entropy gives the same UIDs, so the same bytes); otherwise they are random.

    Returns
    -------
    pydicom.dataset.Dataset
        With its ``file_meta``; save it with :func:`save_dataset`.

    Raises
    ------
    ValueError
        If ``frames`` is empty, not uint8, of another shape, or larger than 65535 rows or
        columns.

    Notes
    -----
    DICOM PS3.3, Ultrasound Multi-frame Image IOD (A.7); PS3.10 7.1 for the file meta.

    Examples
    --------
    >>> ds = cine_dataset(np.zeros((2, 3, 4), dtype=np.uint8), frame_time_ms=50.0)
    >>> print(ds.Modality, ds.NumberOfFrames, ds.Rows, ds.Columns, ds.PhotometricInterpretation)
    US 2 3 4 MONOCHROME2
    >>> a = cine_dataset(np.zeros((1, 1, 1), np.uint8), frame_time_ms=50.0, uid_entropy="x")
    >>> b = cine_dataset(np.zeros((1, 1, 1), np.uint8), frame_time_ms=50.0, uid_entropy="x")
    >>> a.SOPInstanceUID == b.SOPInstanceUID != a.SeriesInstanceUID
    True
    """
    data = np.asarray(frames)
    if (
        data.dtype != np.uint8
        or data.ndim not in (3, 4)
        or (data.ndim == 4 and data.shape[3] != 3)
        or 0 in data.shape
    ):
        raise ValueError(
            "frames must be a non-empty uint8 array of shape (n, rows, columns) or "
            f"(n, rows, columns, 3), got {data.dtype} with shape {data.shape}"
        )
    if data.shape[1] > 65535 or data.shape[2] > 65535:
        raise ValueError(f"DICOM rows and columns must be at most 65535, got {data.shape}")

    def uid(kind: str) -> str:
        return (
            generate_uid()
            if uid_entropy is None
            else generate_uid(entropy_srcs=[uid_entropy, kind])
        )

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UltrasoundMultiFrameImageStorage
    meta.MediaStorageSOPInstanceUID = uid("instance")
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME

    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = UltrasoundMultiFrameImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = uid("study")
    ds.SeriesInstanceUID = uid("series")
    ds.Modality = "US"
    for keyword, value in _TYPE2_DEFAULTS.items():
        setattr(ds, keyword, value)

    # Image Pixel, Multi-frame and Cine modules
    colour = data.ndim == 4
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = photometric or ("RGB" if colour else "MONOCHROME2")
    if colour:
        ds.PlanarConfiguration = 0
    ds.NumberOfFrames = data.shape[0]
    ds.Rows, ds.Columns = data.shape[1], data.shape[2]
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.FrameTime = frame_time_ms
    ds.FrameIncrementPointer = pydicom.tag.Tag("FrameTime")

    items = []
    for region in regions:
        item = Dataset()
        for keyword, value in region.items():
            if value is not None:
                setattr(item, keyword, value)
        items.append(item)
    if items:
        ds.SequenceOfUltrasoundRegions = Sequence(items)

    for keyword, value in (attributes or {}).items():
        setattr(ds, keyword, value)
    ds.PixelData = np.ascontiguousarray(data).tobytes()
    ds["PixelData"].VR = "OB"
    return ds


def save_dataset(ds: Dataset, path: str | os.PathLike[str]) -> Path:
    """Save ``ds`` as a DICOM file at ``path``, whole or not at all.

    The file is written to a temporary name beside ``path`` and renamed over it
    (:func:`ceuslib.filesystem.atomic_path`), with the File Meta Information completed and checked
    by pydicom (``enforce_file_format=True``).

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A dataset with its ``file_meta`` (from :func:`cine_dataset`).
    path : path-like
        The file to write.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> ds = cine_dataset(np.zeros((2, 3, 4), dtype=np.uint8), frame_time_ms=50.0)
    >>> path = save_dataset(ds, Path(tempfile.mkdtemp()) / "cine.dcm")
    >>> print(pydicom.dcmread(path).file_meta.ImplementationVersionName)
    CEUSLIB
    """
    path = Path(path)
    with atomic_path(path) as temporary:
        ds.save_as(temporary, enforce_file_format=True)
    return path
