"""DICOM Ultrasound Multi-frame writer: the tags a reader needs, round trip, reproducibility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from ceuslib.perfusion import read_dicom_cine, roi_tic
from ceuslib.phantom import roi_curve, simulate_cine, write_dicom_cine
from ceuslib.phantom.dicom import DYNAMIC_RANGE_ELEMENT, PRIVATE_CREATOR, PRIVATE_GROUP


@pytest.fixture(scope="module")
def cine():
    return simulate_cine("necrotic_ring", shape=(33, 47), fps=12.5, duration=4, seed=0)


def test_round_trip_with_pydicom(tmp_path: Path, cine) -> None:
    path = write_dicom_cine(tmp_path / "loop.dcm", cine.frames, fps=12.5, pixel_spacing_mm=0.15)
    ds = pydicom.dcmread(path)
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.3.1"  # Ultrasound Multi-frame (PS3.4)
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert ds.Modality == "US"
    assert int(ds.NumberOfFrames) == 50
    assert ds.FrameIncrementPointer == pydicom.tag.Tag(0x0018, 0x1063)
    assert float(ds.FrameTime) == pytest.approx(80.0)
    assert ds.PhotometricInterpretation == "MONOCHROME2"
    assert (ds.Rows, ds.Columns, ds.BitsStored, ds.SamplesPerPixel) == (33, 47, 8, 1)
    np.testing.assert_array_equal(ds.pixel_array, cine.frames)
    (region,) = ds.SequenceOfUltrasoundRegions
    assert region.PhysicalUnitsXDirection == 3 and region.PhysicalUnitsYDirection == 3
    assert region.PhysicalDeltaX == pytest.approx(0.015)
    assert (region.RegionLocationMaxX1, region.RegionLocationMaxY1) == (46, 32)
    block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR)
    assert float(block[DYNAMIC_RANGE_ELEMENT].value) == 60.0


def test_same_loop_same_bytes_and_no_temporary_left(tmp_path: Path, cine) -> None:
    a = write_dicom_cine(tmp_path / "a.dcm", cine.frames, fps=12.5)
    b = write_dicom_cine(tmp_path / "b.dcm", cine.frames, fps=12.5)
    assert a.read_bytes() == b.read_bytes()
    other = write_dicom_cine(tmp_path / "c.dcm", cine.frames[::-1], fps=12.5)
    assert pydicom.dcmread(other).SOPInstanceUID != pydicom.dcmread(a).SOPInstanceUID
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dcm", "b.dcm", "c.dcm"]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="uint8"):
        write_dicom_cine(tmp_path / "x.dcm", np.zeros((2, 3, 4)), fps=10)
    with pytest.raises(ValueError, match="fps"):
        write_dicom_cine(tmp_path / "x.dcm", np.zeros((2, 3, 4), np.uint8), fps=0)
    assert list(tmp_path.iterdir()) == []


def test_the_perfusion_reader_reads_it_back_and_the_curve_is_the_same(tmp_path: Path) -> None:
    # One reader for phantoms and real exports: ceuslib.perfusion.read_dicom_cine.
    cine = simulate_cine("viable_tumour", shape=(48, 56), fps=8, duration=60, seed=4)
    path = write_dicom_cine(tmp_path / "loop.dcm", cine.frames, fps=8, pixel_spacing_mm=0.25)
    loaded = read_dicom_cine(path)
    np.testing.assert_array_equal(loaded.frames, cine.frames)
    np.testing.assert_allclose(loaded.time, cine.time, atol=1e-9)
    assert loaded.photometric == "MONOCHROME2"
    (region,) = loaded.regions
    assert region.physical_units_x == 3 and region.physical_delta_x == pytest.approx(0.025)
    assert region.data_type == 1 and region.spatial_format == 1
    mask = cine.maps.node & ~cine.maps.defect
    np.testing.assert_allclose(roi_tic(loaded.frames, mask=mask), roi_curve(cine.frames, mask))
