"""One dataset builder behind both DICOM cine writers: they agree on every shared attribute."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from ceuslib.dicom_build import cine_dataset, save_dataset
from ceuslib.perfusion import UltrasoundRegion, read_dicom_cine
from ceuslib.perfusion import write_dicom_cine as write_general
from ceuslib.phantom import write_dicom_cine as write_phantom

UIDS = {"MediaStorageSOPInstanceUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"}

#: What the phantom writer adds to the shared dataset (DICOM keywords; private tags by tag).
PHANTOM_ONLY = {
    "ImageType",
    "SeriesDescription",
    "Manufacturer",
    "BurnedInAnnotation",
    "LossyImageCompression",
    "ContrastBolusAgent",
    "ImageComments",
    "CineRate",
    "RecommendedDisplayFrameRate",
    "PreferredPlaybackSequencing",
    "UltrasoundColorDataPresent",
    "(0011,0010)",  # private creator CEUSLIB
    "(0011,1001)",  # display dynamic range, dB
    "SequenceOfUltrasoundRegions[0].RegionFlags",
    "SequenceOfUltrasoundRegions[0].ReferencePixelX0",
    "SequenceOfUltrasoundRegions[0].ReferencePixelY0",
    "SequenceOfUltrasoundRegions[0].ReferencePixelPhysicalValueX",
    "SequenceOfUltrasoundRegions[0].ReferencePixelPhysicalValueY",
}
#: Shared attributes whose values the phantom writer sets itself.
PHANTOM_VALUES = {"PatientName", "PatientID"}


def _elements(path: Path) -> dict[str, tuple[str, object]]:
    """Every element of the file (meta and data set, sequence items included) by name."""
    ds = pydicom.dcmread(path)
    out: dict[str, tuple[str, object]] = {}

    def walk(dataset, prefix: str) -> None:
        for elem in dataset:
            name = prefix + (elem.keyword or str(elem.tag))
            if elem.VR == "SQ":
                for i, item in enumerate(elem.value):
                    walk(item, f"{name}[{i}].")
            else:
                out[name] = (elem.VR, elem.value)

    walk(ds.file_meta, "")
    walk(ds, "")
    return out


def test_the_two_writers_agree_on_every_shared_attribute(tmp_path: Path) -> None:
    frames = np.random.default_rng(3).integers(0, 256, size=(4, 6, 9), dtype=np.uint8)
    phantom = write_phantom(tmp_path / "phantom.dcm", frames, fps=10.0, pixel_spacing_mm=0.2)
    region = UltrasoundRegion(
        0,
        0,
        8,
        5,
        spatial_format=1,
        data_type=1,
        physical_units_x=3,
        physical_units_y=3,
        physical_delta_x=0.02,
        physical_delta_y=0.02,
    )
    general = write_general(tmp_path / "general.dcm", frames, frame_time_ms=100.0, regions=[region])
    a, b = _elements(general), _elements(phantom)
    assert set(b) - set(a) == PHANTOM_ONLY
    assert set(a) <= set(b)
    # the group length counts the UIDs, whose lengths differ
    skip = UIDS | PHANTOM_VALUES | {"FileMetaInformationGroupLength", "FrameTime"}
    differing = {name: (a[name], b[name]) for name in set(a) - skip if a[name] != b[name]}
    assert differing == {}
    assert a["ImplementationVersionName"] == (b["ImplementationVersionName"][0], "CEUSLIB")
    assert float(a["FrameTime"][1]) == float(b["FrameTime"][1]) == 100.0
    assert {a[name][1] for name in UIDS}.isdisjoint(b[name][1] for name in UIDS)
    assert (a["PatientID"][1], b["PatientID"][1]) == ("", "PHANTOM")
    one, other = read_dicom_cine(general), read_dicom_cine(phantom)
    np.testing.assert_array_equal(one.frames, other.frames)
    np.testing.assert_array_equal(one.time, other.time)
    assert one.regions == other.regions == (region,)


def test_uids_follow_the_entropy_and_the_bytes_with_them(tmp_path: Path) -> None:
    frames = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    paths = [
        save_dataset(cine_dataset(frames, frame_time_ms=50.0, uid_entropy=entropy), tmp_path / name)
        for name, entropy in (("a.dcm", "x"), ("b.dcm", "x"), ("c.dcm", "y"), ("d.dcm", None))
    ]
    a, b, c, d = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c and a != d
    uids = [pydicom.dcmread(p) for p in paths]
    assert uids[0].StudyInstanceUID != uids[2].StudyInstanceUID != uids[3].StudyInstanceUID
    assert len({uids[0].SOPInstanceUID, uids[0].StudyInstanceUID, uids[0].SeriesInstanceUID}) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dcm", "b.dcm", "c.dcm", "d.dcm"]


def test_regions_leave_out_none_and_attributes_come_last() -> None:
    ds = cine_dataset(
        np.zeros((1, 2, 2, 3), dtype=np.uint8),
        frame_time_ms="40",
        regions=[{"RegionLocationMinX0": 0, "PhysicalDeltaX": None}, {"RegionDataType": 1}],
        attributes={"PatientID": "P7", "SeriesNumber": 3},
    )
    first, second = ds.SequenceOfUltrasoundRegions
    assert "PhysicalDeltaX" not in first and first.RegionLocationMinX0 == 0
    assert second.RegionDataType == 1
    assert (ds.PatientID, ds.SeriesNumber, ds.PatientName) == ("P7", 3, "")
    assert (ds.PhotometricInterpretation, ds.SamplesPerPixel, ds.PlanarConfiguration) == (
        "RGB",
        3,
        0,
    )
    assert str(ds.FrameTime) == "40"
    assert "SequenceOfUltrasoundRegions" not in cine_dataset(
        np.zeros((1, 2, 2), dtype=np.uint8), frame_time_ms=40.0
    )


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (np.zeros((0, 2, 2), dtype=np.uint8), "non-empty uint8"),
        (np.zeros((1, 2, 2), dtype=np.uint16), "non-empty uint8"),
        (np.zeros((1, 2, 2, 4), dtype=np.uint8), r"got uint8 with shape \(1, 2, 2, 4\)"),
        (np.zeros((2, 2), dtype=np.uint8), "non-empty uint8"),
        (np.zeros((1, 65536, 1), dtype=np.uint8), "at most 65535"),
    ],
)
def test_bad_frames_are_refused(frames, message) -> None:
    with pytest.raises(ValueError, match=message):
        cine_dataset(frames, frame_time_ms=40.0)


@pytest.mark.parametrize("frame_time_ms", [0, -5.0, np.inf, np.nan])
def test_the_general_writer_refuses_a_frame_time_that_is_not_positive(
    tmp_path: Path, frame_time_ms
) -> None:
    with pytest.raises(ValueError, match="frame_time_ms must be a positive number"):
        write_general(
            tmp_path / "x.dcm", np.zeros((1, 2, 2), np.uint8), frame_time_ms=frame_time_ms
        )
    assert list(tmp_path.iterdir()) == []
