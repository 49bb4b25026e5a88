"""TIC CSV exports and DICOM ultrasound cines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import convert_color_space
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage, generate_uid

from ceuslib import DataError
from ceuslib.perfusion import (
    FrameTimingWarning,
    UltrasoundRegion,
    compress,
    default_params,
    fit_tic,
    linearize,
    read_dicom_cine,
    read_tic_csv,
    roi_tic,
    simulate_tic,
    write_dicom_cine,
    write_tic_csv,
)

# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize("units", ["gray", "db", "linear"])
def test_csv_round_trip_returns_linear_echo_power(tmp_path, units):
    time = np.arange(5) / 10.0
    power = np.array([[1e-3, 2e-3, 5e-2, 1e-2, 3e-3], [1e-4, 1e-4, 2e-4, 1e-4, 1e-4]])
    values = {
        "gray": compress(power, quantize=False),
        "db": 10 * np.log10(power),
        "linear": power,
    }[units]
    path = write_tic_csv(tmp_path / "tic.csv", time, values, rois=["node", "muscle"], units=units)
    table = read_tic_csv(path)
    assert table.rois == ("node", "muscle")
    assert table.units == units
    np.testing.assert_allclose(table.time, time)
    np.testing.assert_allclose(table.intensities, power, rtol=1e-12)
    assert list(table.to_frame().columns) == ["roi", "time_s", "echo_power_au"]
    assert [p.name for p in tmp_path.iterdir()] == ["tic.csv"]  # no temporary file left


def test_csv_units_and_display_law_from_the_header_or_keywords(tmp_path):
    path = tmp_path / "tic.csv"
    path.write_text("# units: gray\n# dynamic_range_db: 40\nTime,a\n0,255\n1,0\n")
    assert read_tic_csv(path).intensities[0].tolist() == pytest.approx([1.0, 1e-4])
    assert read_tic_csv(path, dynamic_range_db=60).intensities[0, 1] == pytest.approx(1e-6)
    assert read_tic_csv(path, units="linear").intensities[0].tolist() == [255.0, 0.0]


def test_csv_problems_are_all_reported_with_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("# units: gray\ntime_s,node,ref\n0,10,x\n1,300,20\n1,,30\n")
    with pytest.raises(DataError) as info:
        read_tic_csv(path)
    text = str(info.value)
    assert len(info.value.problems) == 4
    assert "bad.csv, row 1, column 'ref': value 'x': must be a finite number" in text
    assert "row 2, column 'node': value 300.0: gray levels must lie in [0, 255]" in text
    assert "row 3, column 'node': value '': must not be empty" in text
    assert "row 3, column 'time_s': value 1.0: time must be strictly increasing" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time_s,node\n0,1\n", "units must be declared"),
        ("# units: furlongs\ntime_s,node\n0,1\n", "units must be declared"),
        ("# units: db\nframe,node\n0,1\n", "no time column"),
        ("# units: db\ntime_s\n0\n", "no ROI column"),
        ("# units: db\ntime_s,node\n", "no data rows"),
        ("# units: linear\ntime_s,node\n0,-1\n", "must not be negative"),
        ("", "units must be declared"),
    ],
)
def test_csv_file_level_problems(tmp_path, content, message):
    path = tmp_path / "tic.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        read_tic_csv(path)


def test_csv_missing_file_and_writer_errors(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_tic_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="expected \\(1, 3\\)"):
        write_tic_csv(tmp_path / "x.csv", [0, 1, 2], [[1, 2]], rois=["a"])
    with pytest.raises(ValueError, match="units"):
        write_tic_csv(tmp_path / "x.csv", [0], [[1]], rois=["a"], units="au")


# --- DICOM ---------------------------------------------------------------------------------


def _pydicom_cine(path: Path, frames: np.ndarray, **attributes) -> Path:
    """A cine built directly with pydicom (independently of write_dicom_cine)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UltrasoundMultiFrameImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = UltrasoundMultiFrameImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "US"
    colour = frames.ndim == 4
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = "RGB" if colour else "MONOCHROME2"
    if colour:
        ds.PlanarConfiguration = 0
    ds.NumberOfFrames = frames.shape[0]
    ds.Rows, ds.Columns = frames.shape[1:3]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    ds.PixelData = frames.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def test_reads_a_pydicom_cine_with_frame_time_vector_and_two_regions(tmp_path):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, size=(4, 6, 10), dtype=np.uint8)
    regions = []
    for x0 in (0, 5):
        item = Dataset()
        item.RegionLocationMinX0, item.RegionLocationMinY0 = x0, 0
        item.RegionLocationMaxX1, item.RegionLocationMaxY1 = x0 + 4, 5
        item.RegionSpatialFormat, item.RegionDataType = 1, 1
        item.PhysicalUnitsXDirection = item.PhysicalUnitsYDirection = 3
        item.PhysicalDeltaX = item.PhysicalDeltaY = 0.01
        regions.append(item)
    path = _pydicom_cine(
        tmp_path / "cine.dcm",
        frames,
        FrameTimeVector=[0, 100, 100, 150],
        FrameTime=999,
        SequenceOfUltrasoundRegions=regions,
        Manufacturer="test",
        MechanicalIndex=0.08,
    )
    # Frame Time 999 ms contradicts the vector: the vector is used, and a warning says so.
    with pytest.warns(FrameTimingWarning, match=r"1\.001 frames/s; the frame times follow Fr"):
        cine = read_dicom_cine(path)
    np.testing.assert_array_equal(cine.frames, frames)
    assert cine.time.tolist() == pytest.approx([0.0, 0.1, 0.2, 0.35])
    assert cine.metadata["frame_time_source"] == "FrameTimeVector"
    assert cine.metadata["Manufacturer"] == "test"
    assert [r.rect for r in cine.regions] == [(0, 0, 4, 5), (5, 0, 9, 5)]
    assert cine.regions[1].physical_delta_x == pytest.approx(0.01)
    contrast = roi_tic(cine, rect=cine.regions[1].rect, space="gray")
    np.testing.assert_allclose(contrast, frames[:, :, 5:].reshape(4, -1).mean(axis=1))


@pytest.mark.parametrize(
    ("attributes", "times", "source"),
    [
        ({"FrameTime": 50.0}, [0.0, 0.05, 0.1], "FrameTime"),
        ({"CineRate": 20}, [0.0, 0.05, 0.1], "CineRate"),
        ({"RecommendedDisplayFrameRate": 10}, [0.0, 0.1, 0.2], "RecommendedDisplayFrameRate"),
    ],
)
def test_frame_time_fallbacks(tmp_path, attributes, times, source):
    frames = np.zeros((3, 2, 2), dtype=np.uint8)
    cine = read_dicom_cine(_pydicom_cine(tmp_path / "c.dcm", frames, **attributes))
    assert cine.time.tolist() == pytest.approx(times)
    assert cine.metadata["frame_time_source"] == source


@pytest.mark.parametrize(
    ("attributes", "times", "source"),
    [
        # the pointer wins over the vector-first order
        (
            {
                "FrameTimeVector": [0, 50, 50],
                "CineRate": 20,
                "FrameIncrementPointer": Tag("CineRate"),
            },
            [0.0, 0.05, 0.1],
            "CineRate",
        ),
        (
            {
                "FrameTimeVector": [0, 40, 40],
                "FrameTime": 40.0,
                "FrameIncrementPointer": 0x00181063,
            },
            [0.0, 0.04, 0.08],
            "FrameTime",
        ),
        # Teratech's layout in deid-data 0.0.20 (RGB_CINE.dcm): the pointer names the vector
        # and a private tag
        (
            {
                "FrameTimeVector": [0, 57.9671, 57.9671],
                "FrameIncrementPointer": [Tag("FrameTimeVector"), Tag(0xFB84, 0x3290)],
            },
            [0.0, 0.0579671, 0.1159342],
            "FrameTimeVector",
        ),
        (
            {"RecommendedDisplayFrameRate": 25, "FrameIncrementPointer": Tag(0x0008, 0x2144)},
            [0.0, 0.04, 0.08],
            "RecommendedDisplayFrameRate",
        ),
        # a pointer to an absent attribute: the first present one
        (
            {"CineRate": 10, "FrameIncrementPointer": Tag("FrameTime")},
            [0.0, 0.1, 0.2],
            "CineRate",
        ),
        # Philips' layout in deid-data 0.0.20 (ultrasound-multiframe.dcm): 54.241 ms is 18.4
        # frames/s, Cine Rate the integer 18; they agree
        (
            {
                "FrameTime": "54.241",
                "CineRate": 18,
                "RecommendedDisplayFrameRate": 18,
                "FrameIncrementPointer": Tag("FrameTime"),
            },
            [0.0, 0.054241, 0.108482],
            "FrameTime",
        ),
    ],
)
def test_frame_increment_pointer_is_honoured(tmp_path, attributes, times, source):
    frames = np.zeros((3, 2, 2), dtype=np.uint8)
    cine = read_dicom_cine(_pydicom_cine(tmp_path / "c.dcm", frames, **attributes))
    assert cine.time.tolist() == pytest.approx(times)
    assert cine.metadata["frame_time_source"] == source


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"FrameTime": 33.333, "CineRate": 15},
            r"30 frames/s but Cine Rate \(0018,0040\) gives 15",
        ),
        ({"FrameTime": 40.0, "FrameTimeVector": [0, 50, 50]}, r"20 frames/s but Frame Time \(0018"),
        ({"FrameTimeVector": [0, 50, 50], "CineRate": 30}, "gives 20 frames/s but Cine Rate"),
    ],
)
def test_timing_attributes_that_disagree_are_reported(tmp_path, attributes, message):
    frames = np.zeros((3, 2, 2), dtype=np.uint8)
    with pytest.warns(FrameTimingWarning, match=message):
        read_dicom_cine(_pydicom_cine(tmp_path / "c.dcm", frames, **attributes))


def test_monochrome1_is_inverted_and_signed_pixels_are_refused(tmp_path):
    frames = np.array([[[0, 100], [200, 255]]], dtype=np.uint8)
    path = _pydicom_cine(tmp_path / "m1.dcm", frames, PhotometricInterpretation="MONOCHROME1")
    cine = read_dicom_cine(path)
    assert cine.frames.tolist() == [[[255, 155], [55, 0]]]
    assert cine.photometric == "MONOCHROME1"
    path = _pydicom_cine(tmp_path / "signed.dcm", frames, PixelRepresentation=1)
    with pytest.raises(ValueError, match=r"signed\.dcm: signed pixel data"):
        read_dicom_cine(path)


def test_dicom_errors_name_the_file_and_the_missing_attribute(tmp_path):
    frames = np.zeros((3, 2, 2), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"c\.dcm: no frame timing"):
        read_dicom_cine(_pydicom_cine(tmp_path / "c.dcm", frames))
    with pytest.raises(ValueError, match="has 2 values for 3 frames"):
        read_dicom_cine(_pydicom_cine(tmp_path / "v.dcm", frames, FrameTimeVector=[0, 1]))
    (tmp_path / "text.dcm").write_text("not dicom")
    with pytest.raises(ValueError, match=r"text\.dcm: not a readable DICOM file"):
        read_dicom_cine(tmp_path / "text.dcm")
    with pytest.raises(ValueError, match="uint8"):
        write_dicom_cine(tmp_path / "w.dcm", frames.astype(float), frame_time_ms=100)


def test_rgb_and_ybr_cines_give_luminance(tmp_path):
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, size=(2, 4, 4, 3), dtype=np.uint8)
    cine = read_dicom_cine(write_dicom_cine(tmp_path / "rgb.dcm", rgb, frame_time_ms=100))
    r, g, b = (rgb[..., i].astype(float) for i in range(3))
    expected = (30 * r + 59 * g + 11 * b) / 100
    np.testing.assert_allclose(cine.gray, expected)
    ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
    path = write_dicom_cine(tmp_path / "ybr.dcm", ybr, frame_time_ms=100, photometric="YBR_FULL")
    back = read_dicom_cine(path)
    assert back.photometric == "YBR_FULL"
    assert np.abs(back.frames.astype(int) - rgb).max() <= 2  # pydicom's YBR -> RGB rounding


def test_writer_round_trip_keeps_regions_and_metadata(tmp_path):
    frames = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    region = UltrasoundRegion(
        0, 0, 3, 2, spatial_format=1, physical_units_x=3, physical_delta_x=0.02
    )
    path = write_dicom_cine(
        tmp_path / "w.dcm",
        frames,
        frame_time_ms=76.9,
        regions=[region],
        metadata={"Manufacturer": "synthetic"},
    )
    ds = pydicom.dcmread(path)
    assert ds.SOPClassUID == UltrasoundMultiFrameImageStorage
    cine = read_dicom_cine(path)
    assert cine.regions == (region,)
    assert cine.metadata["Manufacturer"] == "synthetic"
    assert cine.time[1] == pytest.approx(0.0769)


def test_roi_by_rect_equals_roi_by_mask_and_gray_averaging_is_biased():
    rng = np.random.default_rng(2)
    frames = rng.integers(40, 220, size=(5, 8, 9)).astype(float)
    mask = np.zeros((8, 9), dtype=bool)
    mask[2:6, 3:8] = True
    np.testing.assert_allclose(roi_tic(frames, rect=(3, 2, 7, 5)), roi_tic(frames, mask=mask))
    gray_then_linear = linearize(roi_tic(frames, mask=mask, space="gray"))
    assert np.all(
        gray_then_linear < roi_tic(frames, mask=mask)
    )  # Jensen: log of mean > mean of logs
    with pytest.raises(ValueError, match="exactly one"):
        roi_tic(frames)
    with pytest.raises(ValueError, match="x1 < 9"):
        roi_tic(frames, rect=(0, 0, 9, 2))
    with pytest.raises(ValueError, match="selects no pixel"):
        roi_tic(frames, mask=np.zeros((8, 9), dtype=bool))
    with pytest.raises(ValueError, match="space"):
        roi_tic(frames, rect=(0, 0, 1, 1), space="db")


def test_a_simulated_cine_through_dicom_gives_back_the_bolus(tmp_path):
    # Per-pixel exponential speckle around a simulated curve, displayed, written as DICOM,
    # read back, averaged in echo-power over the ROI and fitted.
    tic = simulate_tic(seed=5, n_speckle=np.inf)
    rng = np.random.default_rng(5)
    pixels = tic.linear[:, None, None] * rng.exponential(1.0, size=(tic.n_frames, 12, 12))
    frames = compress(pixels).astype(np.uint8)
    path = write_dicom_cine(tmp_path / "bolus.dcm", frames, frame_time_ms=100.0)
    cine = read_dicom_cine(path)
    curve = roi_tic(cine, rect=(0, 0, 11, 11))
    fit = fit_tic(cine.time, curve)
    truth = default_params()
    assert fit.flag == ""
    assert fit.ttp == pytest.approx(22.0, abs=0.5)
    assert fit.params["t0"] == pytest.approx(truth["t0"], abs=0.5)
