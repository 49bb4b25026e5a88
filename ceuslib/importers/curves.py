"""A stand-alone file of time-intensity curves (not a study folder), ready to be fitted.

Two layouts, told apart by their columns:

- **wide**: a time column and one column of intensities per curve (as most programs export a
  clip's regions: QuantUS, Blood-Flow-Analyzer, a spreadsheet);
- **long**: the columns ``curve``, ``time`` and ``intensity`` (any case), one row per frame
  of a curve.

The time column is ``time_s``, ``time`` or ``t`` (any case; or named by ``time_column``) in
seconds or milliseconds; the intensities are linear echo-power (``linear``), decibels
(``db``) or displayed gray levels 0-255 (``gray``, which needs the display's dynamic range).
``,``, ``;`` (with decimal commas) or tab separators, UTF-8 with or without a byte-order
mark.  :func:`read_curve_file` returns the long table that
:func:`ceuslib.cohort.fit_cohort_curves` fits, with the curve names as ``node_id``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ceuslib.cohort.csvread import read_raw
from ceuslib.cohort.curve_rules import FRAME_INTERVAL_S, MIN_FRAMES, MIN_SPAN_S, UNIT_RANGES
from ceuslib.cohort.validation import Problems
from ceuslib.errors import DataError

__all__ = ["INTENSITY_UNITS", "TIME_UNITS", "CurveFile", "read_curve_file"]

TIME_UNITS = {"s": 1.0, "ms": 0.001}
"""Units of the time column, and the factor to seconds."""

INTENSITY_UNITS = ("linear", "db", "gray")
"""Units of the intensities."""

_TIME_NAMES = ("time_s", "time", "t")
_LONG = ("curve", "intensity")


@dataclass(frozen=True)
class CurveFile:
    """Curves read from a stand-alone file.

    Attributes
    ----------
    tics : pandas.DataFrame
        Long table ``node_id`` (the curve's name), ``roi`` (``node``, or ``reference`` for a
        copy of the reference curve beside each curve), ``time_s``, ``intensity``, ``unit``.
    curves : tuple of str
        The curves' names in file order (the reference curve left out).
    reference : str or None
        The name of the reference curve.
    settings : pandas.DataFrame or None
        ``dynamic_range_db`` and ``saturation_level`` per curve (gray levels), as
        ``ceuslib.cohort.fitting.acquisition`` gives them.
    """

    tics: pd.DataFrame = field(repr=False)
    curves: tuple[str, ...]
    reference: str | None = None
    settings: pd.DataFrame | None = field(default=None, repr=False)


def read_curve_file(
    path: str | os.PathLike[str],
    *,
    time_column: str | None = None,
    time_unit: str = "s",
    unit: str = "linear",
    dynamic_range_db: float | None = None,
    reference: str | None = None,
) -> CurveFile:
    """Read a wide or long file of time-intensity curves.

    Parameters
    ----------
    path : path-like
        The CSV file.
    time_column : str, optional
        The time column's name (default: ``time_s``, ``time`` or ``t``, any case).
    time_unit : {"s", "ms"}
        The time column's unit.
    unit : {"linear", "db", "gray"}
        The intensities' unit.
    dynamic_range_db : float, optional
        The display's dynamic range; required for ``gray``.
    reference : str, optional
        The curve (column, or ``curve`` value in the long layout) of the reference region:
        every other curve is then given ratios to it.

    Returns
    -------
    CurveFile
        The curves as a long table in seconds.

    Raises
    ------
    ceuslib.errors.DataError
        With the file, row and column of every problem: no time column or no curve, a
        cell that is not a number, time that does not increase, too few frames, a time axis
        implausible for seconds (milliseconds without ``time_unit="ms"``?), intensities
        impossible in ``unit``, an unknown reference.
    ValueError
        For an unknown ``time_unit`` or ``unit``, or ``gray`` without a dynamic range.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "curves.csv"
    >>> rows = [f"{t * 1000};{t * t / 100:.2f};1".replace(".", ",") for t in range(12)]
    >>> _ = path.write_text("Time [ms];lesion;muscle\\n" + "\\n".join(rows) + "\\n")
    >>> curves = read_curve_file(path, time_column="Time [ms]", time_unit="ms",
    ...                          reference="muscle")
    >>> curves.curves, curves.reference
    (('lesion',), 'muscle')
    >>> curves.tics.groupby("roi").size().to_dict()
    {'node': 12, 'reference': 12}
    """
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_UNITS)}, got {time_unit!r}")
    if unit not in INTENSITY_UNITS:
        raise ValueError(f"unit must be one of {', '.join(INTENSITY_UNITS)}, got {unit!r}")
    if unit == "gray" and dynamic_range_db is None:
        raise ValueError("gray levels need the display's dynamic range (dynamic_range_db)")
    path = Path(path)
    name = path.name
    raw, problems = read_raw(path, name)
    if raw is None:
        raise DataError(problems)
    out = Problems()
    out.extend(problems)
    frame = raw.frame
    lower = {c.lower(): c for c in frame.columns}
    if time_column is not None:
        time = time_column if time_column in frame else None
        if time is None:
            out.add(name, f"no column {time_column!r} (the time column given)", 0)
    else:
        time = next((lower[n] for n in _TIME_NAMES if n in lower), None)
        if time is None:
            out.add(name, "no time column (time_s, time or t; or name it)", 0)
    long = all(n in lower for n in _LONG)
    if long:
        value = lower["intensity"]
        names = frame[lower["curve"]].astype(str)
        empty = names.eq("")
        out.add_rows(name, "must not be empty", frame, empty.to_numpy(), lower["curve"])
    else:
        value = None
        curve_columns = [c for c in frame.columns if c != time]
        if not curve_columns:
            out.add(name, "no curve column besides the time column", 0)
    if len(frame) == 0:
        out.add(name, "has no data rows")
    if out.result():
        raise DataError(out.result())
    numbers = {}
    for column in [time, value] if long else [time, *curve_columns]:
        numbers[column] = _numbers(frame, column, raw.decimal_comma, name, out)
    if long:
        pieces = {
            str(label): (rows.index, numbers[time][frame.index.get_indexer(rows.index)])
            for label, rows in frame.groupby(lower["curve"], sort=False)
        }
        series = {
            label: numbers[value][frame.index.get_indexer(rows)]
            for label, (rows, _) in pieces.items()
        }
        times = {label: t for label, (_, t) in pieces.items()}
        where = {label: rows for label, (rows, _) in pieces.items()}
        value_column = {label: value for label in pieces}
    else:
        series = {c: numbers[c] for c in curve_columns}
        times = {c: numbers[time] for c in curve_columns}
        where = {c: frame.index for c in curve_columns}
        value_column = {c: c for c in curve_columns}
    if reference is not None and reference not in series:
        out.add(name, f"no curve {reference!r} (the reference given)", 0)
    factor = TIME_UNITS[time_unit]
    low, high, words = UNIT_RANGES[unit if unit != "gray" else "gray"]
    checked_time = set()
    for label, values in series.items():
        rows, t = where[label], times[label] * factor
        if long or time not in checked_time:
            _check_time(t, rows, time, label if long else None, time_unit, name, out)
            checked_time.add(time)
        impossible = np.isfinite(values) & ((values < low) | (values > high))
        for i in np.flatnonzero(impossible):
            out.add(name, f"{words} (unit {unit})", int(rows[i]), value_column[label], values[i])
    if out.result():
        raise DataError(out.result())
    return _curve_file(series, times, factor, unit, dynamic_range_db, reference)


def _numbers(frame, column, decimal_comma, name, out: Problems) -> np.ndarray:
    text = frame[column].astype(str)
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    mark = "," if decimal_comma else "."
    for row in frame.index[bad]:
        cell = frame.at[row, column]
        rule = "must not be empty" if cell == "" else f"must be a number (decimal mark '{mark}')"
        out.add(name, rule, int(row), column, cell or None)
    return values


def _check_time(t, rows, column, label, time_unit, name, out: Problems) -> None:
    which = f"curve {label!r}: " if label is not None else ""
    finite = np.isfinite(t)
    if finite.sum() < MIN_FRAMES:
        out.add(name, f"{which}fewer than {MIN_FRAMES} frames (a fit needs more)", None, column)
        return
    steps = np.flatnonzero(np.diff(t) <= 0)
    for i in steps:
        if finite[i] and finite[i + 1]:
            out.add(name, f"{which}time must increase", int(rows[i + 1]), column, t[i + 1])
    if len(steps):
        return
    span = t[finite][-1] - t[finite][0]
    interval = float(np.median(np.diff(t[finite])))
    other = "ms" if time_unit == "s" else "s"
    hint = f"; is the time in {other}? (time unit {time_unit} was given)"
    if span < MIN_SPAN_S:
        out.add(name, f"{which}the curve lasts {span:g} s, less than {MIN_SPAN_S:g} s{hint}", 0)
    elif not FRAME_INTERVAL_S[0] <= interval <= FRAME_INTERVAL_S[1]:
        out.add(
            name,
            f"{which}the median frame interval is {interval:g} s, outside "
            f"{FRAME_INTERVAL_S[0]:g} to {FRAME_INTERVAL_S[1]:g} s{hint}",
            0,
            column,
        )


def _curve_file(series, times, factor, unit, dynamic_range_db, reference) -> CurveFile:
    names = tuple(label for label in series if label != reference)
    pieces = []
    for label in names:
        rois = [("node", label)] + ([("reference", reference)] if reference else [])
        for roi, source in rois:
            pieces.append(
                pd.DataFrame(
                    {
                        "node_id": label,
                        "roi": roi,
                        "time_s": times[source] * factor,
                        "intensity": series[source],
                        "unit": unit,
                    }
                )
            )
    tics = pd.concat(pieces, ignore_index=True)
    tics = pd.concat([tics[tics["roi"] == "node"], tics[tics["roi"] == "reference"]])
    tics = tics.reset_index(drop=True).astype({"node_id": "str", "roi": "str", "unit": "str"})
    settings = None
    if unit == "gray":
        settings = pd.DataFrame(
            {"dynamic_range_db": float(dynamic_range_db), "saturation_level": np.nan},
            index=pd.Index(names, name="node_id"),
        )
    return CurveFile(tics=tics, curves=names, reference=reference, settings=settings)
