"""read_dicom_cine on real ultrasound files: palettes, 8 and 16 bits, compressed syntaxes.

The files are pydicom's own test files: those shipped in the pinned pydicom package, and
small ones from pydicom-data copied into tests/data/dicom (sources and licence in its
README).  Every expected value comes from pydicom itself (``pixel_array``,
``pydicom.pixels.apply_color_lut``, a second decoder plugin), computed independently of
ceuslib's reading path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.pixels import apply_color_lut, pixel_array
from pydicom.uid import MPEG4HP41, JPEGLosslessSV1

from ceuslib.perfusion import (
    FrameTimingWarning,
    dicom_pixels,
    linearize,
    read_dicom_cine,
    roi_tic,
    roi_tics,
)
from ceuslib.perfusion import dicom as dicom_module

DATA = Path(__file__).parent / "data" / "dicom"
SHIPPED = Path(pydicom.__file__).parent / "data" / "test_files"


def _luminance(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(float)
    return (30 * rgb[..., 0] + 59 * rgb[..., 1] + 11 * rgb[..., 2]) / 100


def test_the_copied_files_are_the_documented_ones() -> None:
    for line in (DATA / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(
    ("path", "frame_time_s"),
    [
        (SHIPPED / "examples_palette.dcm", None),  # single frame, 8-bit indices
        (DATA / "OBXXXX1A_rle_2frame.dcm", 0.05),  # multi-frame, RLE, no timing
        (DATA / "US-ALOKA-16_crop.dcm", None),  # 16-bit indices, segmented palette
    ],
    ids=["8-bit", "8-bit-rle-cine", "16-bit-segmented"],
)
def test_a_palette_image_is_read_as_displayed(path: Path, frame_time_s) -> None:
    ds = pydicom.dcmread(path)
    assert ds.PhotometricInterpretation == "PALETTE COLOR"
    indices = ds.pixel_array.reshape(-1, ds.Rows, ds.Columns)
    shown = apply_color_lut(indices, ds)  # pydicom's own palette application
    cine = read_dicom_cine(path, frame_time_s=frame_time_s)
    np.testing.assert_array_equal(cine.frames, shown)
    assert cine.photometric == "PALETTE COLOR"
    assert cine.gray_max == 65535  # 16-bit palette entries (LUT descriptor's third value)
    rect = (10, 5, 60, 45)
    region = (slice(None), slice(5, 46), slice(10, 61))
    expected_gray = _luminance(shown[region]).reshape(len(shown), -1).mean(axis=1)
    np.testing.assert_allclose(roi_tic(cine, rect=rect, space="gray"), expected_gray, rtol=1e-12)
    expected_linear = linearize(_luminance(shown[region]), gray_max=65535)
    np.testing.assert_allclose(
        roi_tic(cine, rect=rect),
        expected_linear.reshape(len(shown), -1).mean(axis=1),
        rtol=1e-12,
    )
    # the palette indices are not the displayed gray (the mean of the indices was returned
    # before the palette was applied)
    index_mean = indices[region].reshape(len(shown), -1).mean(axis=1)
    assert not np.allclose(index_mean / np.iinfo(indices.dtype).max, expected_gray / 65535)


@pytest.mark.parametrize(
    ("name", "bits"), [("SC_rgb_rle_2frame.dcm", 8), ("SC_rgb_rle_16bit_2frame.dcm", 16)]
)
def test_rgb_cines_of_8_and_16_bits_give_luminance_curves(name: str, bits: int) -> None:
    path = SHIPPED / name
    expected = pydicom.dcmread(path).pixel_array
    cine = read_dicom_cine(path, frame_time_s=0.1)
    np.testing.assert_array_equal(cine.frames, expected)
    assert cine.gray_max == 2**bits - 1
    assert cine.time.tolist() == [0.0, 0.1]
    gray = _luminance(expected[:, 20:40, 30:70]).reshape(2, -1)
    np.testing.assert_allclose(
        roi_tic(cine, rect=(30, 20, 69, 39)),
        linearize(gray, gray_max=2**bits - 1).mean(axis=1),
        rtol=1e-12,
    )
    table = roi_tics(cine, {"a": (30, 20, 69, 39), "b": (0, 0, 9, 9)}, space="gray")
    np.testing.assert_allclose(table["intensity"].iloc[:2], gray.mean(axis=1), rtol=1e-12)


def test_a_real_jpeg_baseline_ultrasound_cine_with_its_frame_time() -> None:
    # pydicom's examples_ybr_color.dcm: 30 frames, YBR_FULL_422 JPEG baseline, Frame
    # Increment Pointer -> Frame Time 33.333 ms.
    path = SHIPPED / "examples_ybr_color.dcm"
    cine = read_dicom_cine(path)
    np.testing.assert_array_equal(cine.frames, pydicom.dcmread(path).pixel_array)
    np.testing.assert_allclose(cine.time, np.arange(30) * 0.033333)
    assert cine.metadata["frame_time_source"] == "FrameTime"
    assert cine.metadata["transfer_syntax"].startswith("JPEG Baseline")
    # an override that contradicts the file is used, and says so
    with pytest.warns(FrameTimingWarning, match=r"frame_time_s gives 10 frames/s"):
        slow = read_dicom_cine(path, frame_time_s=0.1)
    assert slow.metadata["frame_time_source"] == "frame_time_s"
    np.testing.assert_allclose(slow.time, np.arange(30) * 0.1)


def test_jpeg_lossless_and_jpeg_2000_ultrasound_images_are_decoded() -> None:
    lossless = DATA / "JPGLosslessP14SV1_1s_1f_8b.dcm"
    ds = pydicom.dcmread(lossless)
    assert ds.file_meta.TransferSyntaxUID == JPEGLosslessSV1 and ds.Modality == "US"
    cine = read_dicom_cine(lossless)
    assert cine.frames.shape == (1, 768, 1024) and cine.time.tolist() == [0.0]
    np.testing.assert_array_equal(cine.frames[0], ds.pixel_array)
    assert cine.metadata["frame_time_source"] == "single frame"
    j2k = DATA / "US1_J2KR.dcm"
    cine = read_dicom_cine(j2k)
    # a second, independent decoder (Pillow's OpenJPEG) gives the same lossless pixels
    np.testing.assert_array_equal(cine.frames[0], pixel_array(j2k, decoding_plugin="pillow"))
    assert cine.frames.shape == (1, 480, 640, 3)


def _no_decoding(monkeypatch) -> list:
    calls: list = []

    def refuse(*args):
        calls.append(args)
        raise AssertionError("the pixel data were decoded")

    monkeypatch.setattr(dicom_module, "displayed_frames", refuse)
    return calls


def test_a_cine_without_timing_needs_frame_time_s_and_nothing_is_decoded_first(
    monkeypatch,
) -> None:
    calls = _no_decoding(monkeypatch)
    with pytest.raises(ValueError, match=r"OBXXXX1A_rle_2frame\.dcm: no frame timing.*time_s"):
        read_dicom_cine(DATA / "OBXXXX1A_rle_2frame.dcm")
    assert calls == []
    for bad in (0, -0.1, float("nan"), float("inf"), "0.1"):
        with pytest.raises(ValueError, match="frame_time_s must be a positive number"):
            read_dicom_cine(DATA / "OBXXXX1A_rle_2frame.dcm", frame_time_s=bad)


def _video_file(tmp_path: Path) -> Path:
    """A cine whose pixel data claim the MPEG-4 transfer syntax (no pydicom decoder)."""
    ds = pydicom.dcmread(SHIPPED / "examples_ybr_color.dcm")
    ds.file_meta.TransferSyntaxUID = MPEG4HP41
    ds.PixelData = encapsulate([b"\x00\x00\x01\xb3" + bytes(60)])
    ds.NumberOfFrames = 30
    path = tmp_path / "clip.dcm"
    ds.save_as(path)
    return path


def test_an_undecodable_transfer_syntax_is_one_clear_error_before_decoding(
    tmp_path: Path, monkeypatch
) -> None:
    path = _video_file(tmp_path)
    calls = _no_decoding(monkeypatch)
    with pytest.raises(
        ValueError,
        match=r"clip\.dcm: the pixel data are in the transfer syntax MPEG-4 AVC/H\.264 High "
        r"Profile / Level 4\.1 \(1\.2\.840\.10008\.1\.2\.4\.102\), which pydicom cannot decode",
    ):
        read_dicom_cine(path)
    assert calls == []


def test_a_missing_decoder_plugin_is_named(monkeypatch) -> None:
    class Unavailable:
        is_available = False
        missing_dependencies = ("gdcm - requires gdcm",)

    monkeypatch.setattr(dicom_pixels, "get_decoder", lambda syntax: Unavailable())
    with pytest.raises(
        ValueError,
        match=r"JPGLosslessP14SV1_1s_1f_8b\.dcm: the pixel data are in the transfer syntax JPEG "
        r"Lossless.*no decoder for it is installed \(gdcm - requires gdcm\)",
    ):
        read_dicom_cine(DATA / "JPGLosslessP14SV1_1s_1f_8b.dcm")


def test_corrupt_compressed_pixel_data_are_a_value_error(tmp_path: Path) -> None:
    ds = pydicom.dcmread(SHIPPED / "SC_rgb_jpeg_gdcm.dcm")
    ds.PixelData = encapsulate([b"\xff\xd8\xff\xc3" + bytes(40)])
    ds.save_as(tmp_path / "broken.dcm")
    with pytest.raises(ValueError, match=r"broken\.dcm: the pixel data \(JPEG Lossless.*could not"):
        read_dicom_cine(tmp_path / "broken.dcm")
