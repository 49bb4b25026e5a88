"""Frame times of a DICOM cine, from the attribute its Frame Increment Pointer names.

A multi-frame image says which attribute times its frames: Frame Increment Pointer
(0028,0009) holds the tag of Frame Time (0018,1063) or Frame Time Vector (0018,1065) (DICOM
PS3.3 C.7.6.6.1.1); ultrasound exports often carry Cine Rate (0018,0040) and Recommended
Display Frame Rate (0008,2144) too.  :func:`frame_times` follows the pointer; without one (or
when it names none of these, or only absent or empty ones) it takes the first present of Frame
Time Vector, Frame Time, Cine Rate and Recommended Display Frame Rate, in this order (the
result names its source).  Frame Time, the median increment of Frame Time Vector and
Cine Rate must describe the same frame rate: when they do not, the disagreement is returned
as a message for a :class:`~ceuslib.errors.FrameTimingWarning`.  Recommended Display Frame
Rate is a playback preference and is compared with nothing.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag

__all__ = ["TIMING_ATTRIBUTES", "frame_times"]

#: The timing attributes, by keyword, with their tags, in the order used without a pointer.
TIMING_ATTRIBUTES = {
    "FrameTimeVector": Tag(0x0018, 0x1065),
    "FrameTime": Tag(0x0018, 0x1063),
    "CineRate": Tag(0x0018, 0x0040),
    "RecommendedDisplayFrameRate": Tag(0x0008, 0x2144),
}
_LABELS = {
    "FrameTimeVector": "Frame Time Vector (0018,1065)",
    "FrameTime": "Frame Time (0018,1063)",
    "CineRate": "Cine Rate (0018,0040)",
    "RecommendedDisplayFrameRate": "Recommended Display Frame Rate (0008,2144)",
    "frame_time_s": "frame_time_s",
}
#: Frame Time and the median of Frame Time Vector agree within this fraction.
_RELATIVE_TOLERANCE = 0.01


def frame_times(
    ds: Dataset, n_frames: int, *, name: str, frame_time_s: float | None = None
) -> tuple[np.ndarray, str, list[str]]:
    """Times of the frames, in seconds from the first, and where they come from.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image's attributes (pixel data not needed).
    n_frames : int
        Number of Frames (0028,0008).
    name : str
        The file name, for messages.
    frame_time_s : float, optional
        Seconds between frames, replacing the file's timing (for exports without any).

    Returns
    -------
    time : numpy.ndarray, shape (n_frames,)
        Seconds from the first frame.
    source : str
        The keyword of the attribute used, ``"frame_time_s"``, or ``"single frame"`` for a
        one-frame image without timing.
    disagreements : list of str
        One message per pair of timing attributes (or the override and the file) that
        describe different frame rates.

    Raises
    ------
    ValueError
        If no timing is found for a multi-frame image (the message suggests
        ``frame_time_s``), if the attribute used is malformed (a Frame Time Vector of the
        wrong length, negative or non-increasing times), or if ``frame_time_s`` is not a
        positive number.

    Examples
    --------
    >>> ds = Dataset()
    >>> ds.FrameTime, ds.CineRate = "40", 25
    >>> ds.FrameIncrementPointer = Tag("FrameTime")
    >>> time, source, disagreements = frame_times(ds, 3, name="clip.dcm")
    >>> time.tolist(), source, disagreements
    ([0.0, 0.04, 0.08], 'FrameTime', [])
    >>> ds.CineRate = 12
    >>> print(frame_times(ds, 3, name="clip.dcm")[2][0])  # doctest: +ELLIPSIS
    clip.dcm: Frame Time (0018,1063) gives 25 frames/s but Cine Rate (0018,0040) gives 12 ...
    """
    intervals = {keyword: _interval(ds, keyword, n_frames, name) for keyword in TIMING_ATTRIBUTES}
    present = {keyword: value for keyword, value in intervals.items() if value is not None}
    if frame_time_s is not None:
        number = isinstance(frame_time_s, numbers.Real) and not isinstance(frame_time_s, bool)
        if not (number and math.isfinite(frame_time_s) and frame_time_s > 0):
            raise ValueError(f"frame_time_s must be a positive number, got {frame_time_s!r}")
        source = "frame_time_s"
        time = np.arange(n_frames) * float(frame_time_s)
        present["frame_time_s"] = np.array([0.0, float(frame_time_s)])
    else:
        source = _chosen(ds, present)
        if source is None:
            if n_frames == 1:
                return np.zeros(1), "single frame", []
            raise ValueError(
                f"{name}: no frame timing: none of Frame Time Vector (0018,1065), Frame Time "
                "(0018,1063), Cine Rate (0018,0040) or Recommended Display Frame Rate "
                "(0008,2144); give the time between frames as frame_time_s"
            )
        time = _times(present[source], n_frames)
    return time, source, _disagreements(present, source, name)


def _interval(ds: Dataset, keyword: str, n_frames: int, name: str) -> np.ndarray | None:
    """The attribute's frame increments in seconds (first 0), or None when absent or empty."""
    if keyword not in ds or ds[keyword].value in (None, ""):
        return None
    label = _LABELS[keyword]
    if keyword == "FrameTimeVector":
        vector = np.array([float(v) for v in _as_list(ds[keyword].value)], dtype=float)
        if vector.size != n_frames:
            raise ValueError(f"{name}: {label} has {vector.size} values for {n_frames} frames")
        increments = vector[1:]
        if not np.all(np.isfinite(increments)) or np.any(increments <= 0):
            raise ValueError(f"{name}: {label} must hold positive increments after the first value")
        return np.concatenate([[0.0], increments / 1000.0])
    value = float(ds[keyword].value)
    if not (math.isfinite(value) and value > 0):
        return None
    seconds = value / 1000.0 if keyword == "FrameTime" else 1.0 / value
    return np.array([0.0, seconds])


def _chosen(ds: Dataset, present: dict[str, np.ndarray]) -> str | None:
    """The timing attribute the pointer names (first present), else the first present."""
    pointer = ds.get("FrameIncrementPointer")
    if pointer is not None:
        for tag in (Tag(t) for t in _as_list(pointer)):
            for keyword, timing_tag in TIMING_ATTRIBUTES.items():
                if tag == timing_tag and keyword in present:
                    return keyword
    return next(iter(present), None)


def _as_list(value) -> list:
    """A multi-valued attribute's values, or a one-valued attribute's value, as a list."""
    return list(value) if isinstance(value, MultiValue | list | tuple) else [value]


def _times(increments: np.ndarray, n_frames: int) -> np.ndarray:
    if increments.size == n_frames:
        return np.cumsum(increments)
    return np.arange(n_frames) * increments[1]


def _rate(increments: np.ndarray) -> float:
    """Frames per second of a constant interval, or of the median increment of a vector."""
    return 1.0 / float(np.median(increments[1:]))


def _disagreements(present: dict[str, np.ndarray], source: str, name: str) -> list[str]:
    compared = [
        keyword
        for keyword in ("frame_time_s", "FrameTimeVector", "FrameTime", "CineRate")
        if keyword in present and (keyword != "FrameTimeVector" or present[keyword].size > 1)
    ]
    messages = []
    for i, first in enumerate(compared):
        for second in compared[i + 1 :]:
            a, b = _rate(present[first]), _rate(present[second])
            if "CineRate" in (first, second):
                # Cine Rate is an integer (IS): rounding or truncation moves it by < 1 frame/s.
                agree = abs(a - b) < 1.0
            else:
                agree = abs(a - b) <= _RELATIVE_TOLERANCE * max(a, b)
            if not agree:
                messages.append(
                    f"{name}: {_LABELS[first]} gives {a:.4g} frames/s but {_LABELS[second]} "
                    f"gives {b:.4g} frames/s; the frame times follow {_LABELS[source]}"
                )
    return messages
