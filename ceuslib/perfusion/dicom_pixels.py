"""Pixels of a DICOM image as displayed: decoded, palette applied, luminance.

:func:`check_decodable` tells, before any frame is decoded, whether pydicom can decode the
file's transfer syntax here (compressed syntaxes need a decoder plugin: Pillow for JPEG
baseline, GDCM for JPEG Lossless, JPEG-LS and JPEG 2000, all pinned in the lock file; no
plugin decodes the MPEG and HEVC video syntaxes).  :func:`displayed_frames` decodes and turns
the stored values into what the scanner displayed: a PALETTE COLOR image's indices go through
its Red, Green and Blue Palette Color Lookup Tables (DICOM PS3.3 C.7.6.3.1.5-6, by
``pydicom.pixels.apply_color_lut``), YBR colour is converted to RGB by pydicom's decoder, and
MONOCHROME1 is inverted (its minimum is white).  :func:`luminance` gives the gray of RGB
values, ``(30 R + 59 G + 11 B) / 100`` (the ITU-R BT.601 luma weights, rounded).
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, get_decoder

__all__ = ["check_decodable", "displayed_frames", "luminance"]


def check_decodable(ds: Dataset, name: str) -> None:
    """Raise a ``ValueError`` naming the file and the transfer syntax if pydicom cannot decode it.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The dataset, with its file meta information.
    name : str
        The file's name, for the message.

    Raises
    ------
    ValueError
        If no decoder of this pydicom installation reads the pixel data's transfer syntax.

    Examples
    --------
    >>> from pydicom.dataset import FileMetaDataset
    >>> from pydicom.uid import MPEG4HP41
    >>> ds = Dataset()
    >>> ds.file_meta = FileMetaDataset()
    >>> ds.file_meta.TransferSyntaxUID = MPEG4HP41
    >>> try:
    ...     check_decodable(ds, "clip.dcm")
    ... except ValueError as exc:
    ...     print(str(exc)[:80])
    clip.dcm: the pixel data are in the transfer syntax MPEG-4 AVC/H.264 High Profil
    """
    meta = getattr(ds, "file_meta", None)
    syntax = None if meta is None else meta.get("TransferSyntaxUID")
    if syntax is None or not syntax.is_compressed:
        return
    what = f"{name}: the pixel data are in the transfer syntax {syntax.name} ({syntax})"
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise ValueError(
            f"{what}, which pydicom cannot decode; convert the file to an uncompressed "
            "transfer syntax first (for example with FFmpeg or GDCM's gdcmconv --raw)"
        ) from None
    if not decoder.is_available:
        missing = "; ".join(decoder.missing_dependencies)
        raise ValueError(
            f"{what}, and no decoder for it is installed ({missing}); install the pinned "
            "requirements (requirements/lock.txt)"
        )


def displayed_frames(ds: Dataset, n_frames: int, name: str) -> tuple[np.ndarray, float]:
    """Decode the frames and turn them into displayed gray or RGB values.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The dataset, decodable (see :func:`check_decodable`).
    n_frames : int
        Number of frames the file declares.
    name : str
        The file's name, for the messages.

    Returns
    -------
    frames : numpy.ndarray
        ``(n_frames, rows, columns)`` gray or ``(n_frames, rows, columns, 3)`` RGB values,
        unsigned integers.
    gray_max : float
        The value of full white: ``2 ** BitsStored - 1``, or the largest value of the palette's
        entries (255 for 8-bit, 65535 for 16-bit entries).

    Raises
    ------
    ValueError
        If the pixel data cannot be decoded, are signed, have an unexpected shape, or a
        palette is missing or malformed; the message names the file.

    Examples
    --------
    >>> from ceuslib.dicom_build import cine_dataset
    >>> ds = cine_dataset(np.full((2, 3, 4), 7, dtype=np.uint8), frame_time_ms=50.0)
    >>> frames, gray_max = displayed_frames(ds, 2, "clip.dcm")
    >>> frames.shape, int(frames.max()), gray_max
    ((2, 3, 4), 7, 255.0)
    """
    photometric = str(ds.get("PhotometricInterpretation", ""))
    if int(ds.get("PixelRepresentation", 0) or 0) != 0:
        raise ValueError(f"{name}: signed pixel data (Pixel Representation 1) are not an image")
    try:
        pixels = np.asarray(ds.pixel_array)
    except Exception as exc:  # pydicom raises many kinds for corrupt or unsupported data
        syntax = ds.file_meta.get("TransferSyntaxUID", "unknown")
        raise ValueError(
            f"{name}: the pixel data ({getattr(syntax, 'name', syntax)}) could not be "
            f"decoded: {exc}"
        ) from None
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if n_frames == 1:
        pixels = pixels[None, ...]
    expected_ndim = 4 if samples == 3 else 3
    if pixels.shape[0] != n_frames or pixels.ndim != expected_ndim:
        raise ValueError(f"{name}: pixel data of shape {pixels.shape} for {n_frames} frames")
    if photometric == "PALETTE COLOR":
        try:
            rgb = apply_color_lut(pixels, ds)
        except (ValueError, AttributeError, KeyError, IndexError) as exc:
            raise ValueError(f"{name}: the palette could not be applied: {exc}") from None
        return rgb[..., :3], float(np.iinfo(rgb.dtype).max)
    gray_max = float(2 ** int(ds.get("BitsStored", 8 * pixels.dtype.itemsize)) - 1)
    if photometric == "MONOCHROME1":
        pixels = (gray_max - pixels).astype(pixels.dtype)
    return pixels, gray_max


def luminance(values: np.ndarray, *, rgb: bool) -> np.ndarray:
    """Gray levels of gray values, or of RGB values (last axis R, G, B), as float64.

    Parameters
    ----------
    values : numpy.ndarray
        Gray values, or RGB values with the colours on the last axis.
    rgb : bool
        Whether ``values`` are RGB.

    Returns
    -------
    numpy.ndarray
        The values as float64 (gray), or ``(30R + 59G + 11B) / 100`` (RGB), with the
        colour axis removed.

    Examples
    --------
    >>> luminance(np.array([[255, 0, 0], [10, 10, 10]], dtype=np.uint8), rgb=True).tolist()
    [76.5, 10.0]
    >>> luminance(np.array([3, 4], dtype=np.uint16), rgb=False).tolist()
    [3.0, 4.0]
    """
    values = np.asarray(values)
    if rgb:
        rgb = values.astype(float)
        return (30 * rgb[..., 0] + 59 * rgb[..., 1] + 11 * rgb[..., 2]) / 100.0
    return values.astype(float)
