"""Time-intensity curve exports as CSV: one time column and one column per ROI.

The format (modelled on the exports of open TIC tools such as Blood-Flow-Analyzer and the
input of ``tican``):

.. code-block:: text

    # units: gray
    # dynamic_range_db: 60
    time_s,node,reference
    0.0,101,98
    0.1,103,99
    ...

- Lines starting with ``#`` before the header are ``key: value`` metadata.  ``units`` is one
  of ``gray`` (displayed gray levels, linearized with ``dynamic_range_db`` and
  ``gray_max``), ``db`` (echo-power in dB) or ``linear`` (echo-power, a.u.).  Keywords
  given to :func:`read_tic_csv` override the file.
- The time column is called ``time_s``, ``time`` or ``t`` (any case), in seconds, strictly
  increasing; every other column is one ROI.

Every curve is returned as linear echo-power, ready for :func:`~ceuslib.perfusion.fit_tics`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.errors import DataError, Problem
from ceuslib.filesystem import atomic_path
from ceuslib.perfusion.display import from_db, linearize

__all__ = ["UNITS", "TICTable", "read_tic_csv", "write_tic_csv"]

UNITS = ("gray", "db", "linear")
_TIME_NAMES = ("time_s", "time", "t")


@dataclass(frozen=True)
class TICTable:
    """Curves read from a TIC export.

    Attributes
    ----------
    time : numpy.ndarray, shape (n_frames,)
        Seconds.
    intensities : numpy.ndarray, shape (n_rois, n_frames)
        Linear echo-power (a.u.).
    rois : tuple of str
        The ROI column names, in file order.
    units : str
        The units of the file (``gray``, ``db`` or ``linear``).
    metadata : dict
        The ``# key: value`` lines of the file.
    """

    time: np.ndarray = field(repr=False)
    intensities: np.ndarray = field(repr=False)
    rois: tuple[str, ...]
    units: str
    metadata: dict = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The curves as one long table.

        Returns
        -------
        pandas.DataFrame
            Columns ``roi, time_s, echo_power_au``, one row per ROI and frame.
        """
        n_rois, n_frames = self.intensities.shape
        return pd.DataFrame(
            {
                "roi": np.repeat(np.array(self.rois, dtype=object), n_frames),
                "time_s": np.tile(self.time, n_rois),
                "echo_power_au": self.intensities.ravel(),
            }
        )


def _read_metadata(path: Path) -> tuple[dict[str, str], int]:
    meta: dict[str, str] = {}
    skip = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            skip += 1
            key, sep, value = line[1:].partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
    return meta, skip


def read_tic_csv(
    path: str | os.PathLike[str],
    *,
    units: str | None = None,
    dynamic_range_db: float | None = None,
    gray_max: float | None = None,
) -> TICTable:
    """Read a TIC export (CSV) and return its curves as linear echo-power.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    units : {"gray", "db", "linear"}, optional
        Units of the ROI columns; overrides the file's ``# units:`` line.  Required if the
        file does not declare them.
    dynamic_range_db, gray_max : float, optional
        Display law for gray levels; override the file (defaults 60 dB and 255).

    Returns
    -------
    TICTable
        The time axis and the curves, converted to linear echo-power.

    Raises
    ------
    ceuslib.DataError
        Listing every problem with file, row and column: undeclared or unknown units, no
        time column, no ROI column, empty or non-numeric cells, non-increasing time, gray
        levels outside ``[0, gray_max]``.

    Notes
    -----
    Gray levels are linearized by the inverse display law (of the open MITK
    "USToolKit" VueBox re-implementation);
    dB values by ``10 ** (dB / 10)`` (:func:`~ceuslib.perfusion.from_db`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "tic.csv").write_text("# units: gray\\ntime_s,node\\n0,255\\n1,127.5\\n")
    >>> table = read_tic_csv(folder / "tic.csv")
    >>> table.rois, [float(v) for v in table.intensities[0]]
    (('node',), [1.0, 0.001])
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError([Problem(name, f"file not found: {path}")])
    meta, skip = _read_metadata(path)
    problems: list[Problem] = []
    unit = (units or meta.get("units") or "").strip().lower()
    if unit not in UNITS:
        problems.append(
            Problem(
                name, f"units must be declared as one of {', '.join(UNITS)}", value=unit or None
            )
        )

    def number(key, given, default):
        if given is not None:
            return float(given)
        try:
            return float(meta.get(key, default))
        except ValueError:
            problems.append(Problem(name, f"# {key} must be a number", value=meta[key]))
            return float(default)

    dr = number("dynamic_range_db", dynamic_range_db, 60.0)
    gmax = number("gray_max", gray_max, 255.0)
    try:
        raw = pd.read_csv(path, skiprows=skip, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        problems.append(Problem(name, f"not a readable CSV table ({exc})"))
        raise DataError(problems) from None
    columns = [str(c) for c in raw.columns]
    time_col = next((c for c in columns if c.strip().lower() in _TIME_NAMES), None)
    if time_col is None:
        problems.append(Problem(name, "no time column (time_s, time or t)", row=0))
    rois = [c for c in columns if c != time_col]
    if not rois:
        problems.append(Problem(name, "no ROI column besides the time column", row=0))
    if len(raw) == 0:
        problems.append(Problem(name, "no data rows"))
    if problems:
        raise DataError(problems)
    values = {}
    for col in [time_col, *rois]:
        text = raw[col].astype(str).str.strip()
        parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isfinite(parsed)):
            rule = "must not be empty" if text.iloc[i] == "" else "must be a finite number"
            problems.append(Problem(name, rule, row=int(i) + 1, column=col, value=text.iloc[i]))
        values[col] = parsed
    time = values[time_col]
    steps = np.flatnonzero(np.diff(time) <= 0)
    for i in steps:
        if np.isfinite(time[i]) and np.isfinite(time[i + 1]):
            problems.append(
                Problem(
                    name,
                    "time must be strictly increasing",
                    row=int(i) + 2,
                    column=time_col,
                    value=float(time[i + 1]),
                )
            )
    if unit == "gray":
        for col in rois:
            v = values[col]
            for i in np.flatnonzero(np.isfinite(v) & ((v < 0) | (v > gmax))):
                problems.append(
                    Problem(
                        name,
                        f"gray levels must lie in [0, {gmax:g}]",
                        row=int(i) + 1,
                        column=col,
                        value=float(v[i]),
                    )
                )
    elif unit == "linear":
        for col in rois:
            v = values[col]
            for i in np.flatnonzero(np.isfinite(v) & (v < 0)):
                problems.append(
                    Problem(
                        name,
                        "echo-power must not be negative",
                        row=int(i) + 1,
                        column=col,
                        value=float(v[i]),
                    )
                )
    if problems:
        raise DataError(problems)
    data = np.vstack([values[c] for c in rois])
    if unit == "gray":
        data = linearize(data, dynamic_range_db=dr, gray_max=gmax)
    elif unit == "db":
        data = from_db(data)
    meta = {**meta, "units": unit, "dynamic_range_db": dr, "gray_max": gmax}
    return TICTable(time, data, tuple(rois), unit, meta)


def write_tic_csv(
    path: str | os.PathLike[str],
    time: ArrayLike,
    intensities: ArrayLike,
    *,
    rois: Sequence[str],
    units: str = "linear",
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Write curves as a TIC export that :func:`read_tic_csv` reads back.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination; written to a temporary name first, then renamed, so a failure never
        leaves a half-written file.
    time : array_like, shape (n_frames,)
        Seconds.
    intensities : array_like, shape (n_rois, n_frames)
        Values in ``units``.
    rois : sequence of str
        Column names, one per row of ``intensities``.
    units : {"gray", "db", "linear"}
        Declared in the file's header.
    metadata : dict, optional
        More ``# key: value`` lines (e.g. ``dynamic_range_db``).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "tic.csv"
    >>> _ = write_tic_csv(out, [0.0, 0.1], [[0.5, 0.25]], rois=["node"])
    >>> read_tic_csv(out).intensities.tolist()
    [[0.5, 0.25]]
    """
    if units not in UNITS:
        raise ValueError(f"units must be one of {UNITS}, got {units!r}")
    data = np.atleast_2d(np.asarray(intensities, dtype=float))
    time = np.asarray(time, dtype=float)
    rois = [str(r) for r in rois]
    if data.shape != (len(rois), time.size):
        raise ValueError(
            f"intensities have shape {data.shape}; expected ({len(rois)}, {time.size}) "
            "for the ROIs and frames given"
        )
    path = Path(path)
    header = {"units": units, **(metadata or {})}
    lines = [f"# {k}: {v}" for k, v in header.items()]
    frame = pd.DataFrame({"time_s": time, **dict(zip(rois, data, strict=True))})
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + "\n")
        frame.to_csv(handle, index=False, float_format="%.17g", lineterminator="\n")
    return path
