"""One DICOM cine writer: the phantom's files are the general writer's, byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pydicom
import pytest

from ceuslib.dicom_build import cine_dataset, save_dataset
from ceuslib.perfusion import UltrasoundRegion, read_dicom_cine
from ceuslib.perfusion import write_dicom_cine as write_general
from ceuslib.phantom import write_dicom_cine as write_phantom

REFERENCE = Path(__file__).parent / "reference" / "dicom"
UIDS = {"MediaStorageSOPInstanceUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"}

#: What the phantom writer adds to the general writer's dataset for the same frames, frame
#: rate, region and dynamic range (DICOM keywords): its identification and description.
PHANTOM_ONLY = {
    "ImageType",
    "SeriesDescription",
    "Manufacturer",
    "BurnedInAnnotation",
    "LossyImageCompression",
    "ContrastBolusAgent",
    "ImageComments",
    "PreferredPlaybackSequencing",
    "UltrasoundColorDataPresent",
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


def test_the_phantom_file_is_the_one_written_before_the_writers_became_one(
    tmp_path: Path,
) -> None:
    # tests/reference/dicom/README.md: written by the phantom writer at b21468c.
    frames = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    written = write_phantom(tmp_path / "loop.dcm", frames, fps=3.0).read_bytes()
    reference = (REFERENCE / "phantom_2x3x4.dcm").read_bytes()
    assert hashlib.sha256(reference).hexdigest() == (
        "14cb288d451dc625cb2e42bff76efa9fcedcdc9c38ce506d5e6af0d097472518"
    )
    assert written == reference


def test_the_phantom_writer_is_the_general_writer_with_its_settings(tmp_path: Path) -> None:
    frames = np.random.default_rng(3).integers(0, 256, size=(4, 6, 9), dtype=np.uint8)
    phantom = write_phantom(
        tmp_path / "phantom.dcm", frames, fps=12.5, pixel_spacing_mm=0.2, dynamic_range_db=48
    )
    ds = pydicom.dcmread(phantom)
    assert len(ds.SequenceOfUltrasoundRegions) == 1
    region = read_dicom_cine(phantom).regions[0]
    assert region == UltrasoundRegion(
        0, 0, 8, 5, spatial_format=1, data_type=1, physical_units_x=3, physical_units_y=3,
        physical_delta_x=0.02, physical_delta_y=0.02, flags=0, reference_x0=0,
        reference_y0=0, reference_value_x=0.0, reference_value_y=0.0,
    )  # fmt: skip
    metadata = {keyword: ds[keyword].value for keyword in PHANTOM_ONLY | PHANTOM_VALUES}
    general = write_general(
        tmp_path / "general.dcm",
        frames,
        fps=12.5,
        regions=[region],
        dynamic_range_db=48,
        metadata=metadata,
        uid_entropy=None,
    )
    a, b = _elements(general), _elements(phantom)
    assert set(a) == set(b)
    # the group length counts the UIDs, whose lengths differ
    differing = {
        name for name in set(a) - UIDS - {"FileMetaInformationGroupLength"} if a[name] != b[name]
    }
    assert differing == set()
    # with the phantom's UID entropy (a digest of the frames and settings), the same bytes
    digest = hashlib.sha256(np.ascontiguousarray(frames))
    digest.update(f"{12.5!r}|{0.2!r}|{48!r}|PHANTOM".encode())
    again = write_general(
        tmp_path / "again.dcm",
        frames,
        fps=12.5,
        regions=[region],
        dynamic_range_db=48,
        metadata=metadata,
        uid_entropy=digest.hexdigest(),
    )
    assert again.read_bytes() == phantom.read_bytes()


def test_the_general_writer_without_the_phantom_settings(tmp_path: Path) -> None:
    frames = np.random.default_rng(4).integers(0, 256, size=(3, 5, 7), dtype=np.uint8)
    path = write_general(tmp_path / "plain.dcm", frames, frame_time_ms=100.0)
    names = set(_elements(path))
    assert not names & (PHANTOM_ONLY | {"CineRate", "SequenceOfUltrasoundRegions", "(0011,0010)"})
    assert (pydicom.dcmread(path).PatientID, float(pydicom.dcmread(path).FrameTime)) == ("", 100.0)
    cine = read_dicom_cine(path)
    np.testing.assert_array_equal(cine.frames, frames)
    assert cine.regions == () and "dynamic_range_db" not in cine.metadata
    with pytest.raises(ValueError, match="exactly one of frame_time_ms and fps"):
        write_general(tmp_path / "x.dcm", frames, frame_time_ms=100.0, fps=10.0)
    with pytest.raises(ValueError, match="exactly one of frame_time_ms and fps"):
        write_general(tmp_path / "x.dcm", frames)
    with pytest.raises(ValueError, match="dynamic_range_db must be a positive number"):
        write_general(tmp_path / "x.dcm", frames, fps=10.0, dynamic_range_db=-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.dcm"]


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
