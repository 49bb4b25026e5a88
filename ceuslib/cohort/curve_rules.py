"""Rules for the curves of ``tics.csv``: order, length, units, and the nodes they belong to.

A curve passes when it can be fitted and its numbers are possible in the units the file
declares.  These rules see whole curves (one run of rows of a ``node_id`` and ``roi``: the
node's own region, or the reference region of the same clip) and the whole file:

- a study without curves has no ``tics.csv``; when the file is there, every node examined with
  CEUS (``ceus_imaged`` is ``yes``) has its own curve, no node that was not examined has one,
  a reference curve belongs to a node with its own curve, and a file without data rows is a
  problem;
- ``time_s`` increases within a curve, a curve's rows are contiguous, and a curve has at
  least :data:`MIN_FRAMES` frames with an intensity (what ``ceuslib.perfusion.fit_tics`` needs
  to fit at all);
- the time axis is plausible for seconds: a curve lasts at least :data:`MIN_SPAN_S` and its
  median frame interval lies in :data:`FRAME_INTERVAL_S` (a time axis in minutes or in
  milliseconds fails one of them);
- one unit per file, and intensities possible in it (:data:`UNIT_RANGES`); decibels declared
  as ``linear`` (no curve doubles its echo-power, as a bolus does) and linear power declared
  as ``db`` (every value within 0 to 1 dB) are reported too;
- with the node's examination in ``examinations.csv``: no intensity above its
  ``saturation_level``, no curve spanning more than its ``dynamic_range_db`` (a display
  cannot show more), no frames closer together than its ``frame_rate_hz``, and no curve
  longer than its ``clip_length_s``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.validation import Problems, run_starts

FILE = "tics.csv"

MIN_FRAMES = 10
"""Frames with an intensity a curve needs: ``fit_tics``'s ``min_frames`` (fewer are not fitted)."""

MIN_SPAN_S = 10.0
"""The shortest plausible curve, first to last frame (a bolus takes longer to arrive and peak)."""

FRAME_INTERVAL_S = (0.01, 10.0)
"""Plausible median interval between frames: at most 100 and at least 0.1 frames per second."""

LINEAR_RISE = 2.0
"""Linear echo-power at least doubles (+3 dB) in some curve of a study when contrast arrives."""

UNIT_RANGES = {
    "linear": (0.0, np.inf, "a linear intensity cannot be negative (decibels are unit db)"),
    "normalized": (
        0.0,
        1.0,
        "a normalized intensity must lie in 0 to 1 (1 is the top of the display)",
    ),
    "db": (
        -120.0,
        120.0,
        "a dB intensity must lie in -120 to 120 (larger values look like linear echo-power)",
    ),
    "gray": (0.0, 255.0, "a gray intensity must lie in 0 to 255"),
}
"""Per unit: the lowest and highest possible intensity, and the rule's words."""


def _flag(out: Problems, rule: str, t: pd.DataFrame, mask, column: str) -> None:
    """One problem per row where ``mask`` holds, without a value (the rule is about a curve)."""
    for row in t.index[np.asarray(mask, dtype=bool)]:
        out.add(FILE, rule, int(row), column)


def _has(frame: pd.DataFrame | None, *names: str) -> bool:
    return frame is not None and all(name in frame.columns for name in names)


def check_tics(
    t: pd.DataFrame | None,
    nodes: pd.DataFrame | None,
    out: Problems,
    *,
    examinations: pd.DataFrame | None = None,
) -> None:
    """Add the problems of the curves ``t`` (read from ``tics.csv``) to ``out``.

    ``t`` is ``None`` when the study has no ``tics.csv`` (nothing to check); ``examinations``
    is the table of ``examinations.csv``, when the study has one.

    Examples
    --------
    >>> out = Problems()
    >>> tics = pd.DataFrame({"node_id": ["A"] * 3, "time_s": [0.0, 0.5, 1.0],
    ...                      "intensity": [0.1, 0.2, 0.1], "unit": ["linear"] * 3},
    ...                     index=pd.RangeIndex(1, 4))
    >>> check_tics(tics, None, out)
    >>> for problem in out.result():
    ...     print(problem)
    tics.csv, row 1, column 'node_id': value 'A': a curve needs at least 10 frames with an
    intensity to be fitted
    """
    if t is None:
        return
    if len(t) == 0:
        out.add(
            FILE,
            "has no data rows: every node examined with CEUS needs its curve "
            "(remove tics.csv if the study has no curves)",
        )
        return
    if _has(t, "node_id"):
        roi = t["roi"] if "roi" in t else pd.Series("node", index=t.index)
        key = t["node_id"].astype(object).where(t["node_id"].notna(), "").astype(str)
        curve = (key + "\x1f" + roi.fillna("").astype(str)).to_numpy(dtype=object)
        t = t.assign(_curve=np.where(t["node_id"].isna().to_numpy(), np.nan, curve))
    unit = _unit(t, out)
    if unit is not None and _has(t, "intensity"):
        low, high, rule = UNIT_RANGES[unit]
        value = t["intensity"].to_numpy(dtype=float)
        out.add_rows(FILE, rule, t, (value < low) | (value > high), "intensity")
    if _has(t, "node_id", "time_s"):
        _check_order(t, out)
        if _has(t, "intensity"):
            curves = _curves(t)
            _check_curves(t, curves, out)
            if unit is not None:
                _check_scale(t, curves, unit, out)
                _check_display(t, curves, unit, nodes, examinations, out)
    if _has(t, "node_id") and _has(nodes, "node_id", "ceus_imaged"):
        _check_nodes(t, nodes, out)


def _unit(t: pd.DataFrame, out: Problems) -> str | None:
    """The file's one unit, or ``None`` (no unit column, no valid unit, or mixed units)."""
    if not _has(t, "unit"):
        return None
    known = t["unit"].isin(list(UNIT_RANGES)).to_numpy(dtype=bool)  # others: unknown code
    units = t["unit"][known]
    if units.nunique() > 1:
        first = units.iloc[0]
        out.add_rows(
            FILE,
            f"mixed units: one unit per file, and the first row uses {first}",
            t,
            known
            & (t["unit"] != first).to_numpy(dtype=bool)
            & run_starts(t["unit"].to_numpy(dtype=object)),
            "unit",
        )
        return None
    return None if units.empty else str(units.iloc[0])


def _check_order(t: pd.DataFrame, out: Problems) -> None:
    node = t["_curve"].to_numpy(dtype=object)
    time = t["time_s"].to_numpy(dtype=float)
    same = np.zeros(len(t), dtype=bool)
    same[1:] = node[1:] == node[:-1]
    back = np.zeros(len(t), dtype=bool)
    back[1:] = same[1:] & (time[1:] <= time[:-1])  # a time that is not a number is reported
    out.add_rows(FILE, "time_s must increase within a curve", t, back, "time_s")
    starts = np.flatnonzero(~same)
    split = pd.Series(node[starts]).duplicated(keep="first").to_numpy()
    mask = np.zeros(len(t), dtype=bool)
    mask[starts[split]] = True
    out.add_rows(
        FILE,
        "the rows of a curve must be contiguous (this node_id and roi appeared earlier)",
        t,
        mask,
        "node_id",
    )


def _curves(t: pd.DataFrame) -> pd.DataFrame:
    """One row per curve: its first row's position, frames with an intensity, time span,
    median frame interval, lowest and highest intensity."""
    node = t["_curve"].to_numpy(dtype=object)
    node = np.where(t["node_id"].isna().to_numpy(), "", node)
    time = t["time_s"].to_numpy(dtype=float)
    intensity = t["intensity"].to_numpy(dtype=float)
    step = np.full(len(t), np.nan)
    step[1:] = np.where(node[1:] == node[:-1], np.diff(time), np.nan)
    frame = pd.DataFrame(
        {
            "node": pd.Series(node),
            "position": np.arange(len(t)),
            "time": time,
            "finite": np.isfinite(intensity),
            "intensity": intensity,
            "step": step,
        }
    )
    grouped = frame.groupby("node", sort=False)
    return pd.DataFrame(
        {
            "position": grouped["position"].min(),
            "frames": grouped["finite"].sum(),
            "span": grouped["time"].max() - grouped["time"].min(),
            "step": grouped["step"].median(),
            "low": grouped["intensity"].min(),
            "high": grouped["intensity"].max(),
            "last": grouped["time"].max(),
        }
    )


def _check_curves(t: pd.DataFrame, curves: pd.DataFrame, out: Problems) -> None:
    first = np.zeros(len(t), dtype=bool)
    named = curves[curves.index != ""]

    def at(mask) -> np.ndarray:
        rows = first.copy()
        rows[named["position"].to_numpy()[np.asarray(mask, dtype=bool)]] = True
        return rows

    few = (named["frames"] < MIN_FRAMES).to_numpy()
    out.add_rows(
        FILE,
        f"a curve needs at least {MIN_FRAMES} frames with an intensity to be fitted",
        t,
        at(few),
        "node_id",
    )
    named = named[~few]  # the time axis of a curve that cannot be fitted is not judged
    short = (named["span"] < MIN_SPAN_S).to_numpy()
    _flag(
        out,
        f"the curve lasts less than {MIN_SPAN_S:g} s: time_s must be in seconds "
        "(is it in minutes?)",
        t,
        at(short),
        "time_s",
    )
    low, high = FRAME_INTERVAL_S
    _flag(
        out,
        f"frames are less than {low:g} s apart (over {1 / low:g} per second): time_s must be "
        "in seconds (is it in minutes?)",
        t,
        at(~short & (named["step"] < low).to_numpy()),
        "time_s",
    )
    _flag(
        out,
        f"frames are more than {high:g} s apart: time_s must be in seconds "
        "(is it in milliseconds?)",
        t,
        at(~short & (named["step"] > high).to_numpy()),
        "time_s",
    )


def _check_scale(t: pd.DataFrame, curves: pd.DataFrame, unit: str, out: Problems) -> None:
    """Whole-file signs of a wrong unit: decibels declared linear, linear declared dB."""
    fitted = curves[curves["frames"] >= MIN_FRAMES]
    if fitted.empty:
        return
    first = np.zeros(len(t), dtype=bool)
    first[0] = True
    if unit == "linear" and (fitted["low"] > 0).all():
        if (fitted["high"] < LINEAR_RISE * fitted["low"]).all():
            _flag(
                out,
                f"no curve rises to {LINEAR_RISE:g} times its lowest value, as linear "
                "echo-power does when contrast arrives: are these decibels (unit db)?",
                t,
                first,
                "intensity",
            )
    if unit == "db" and (fitted["low"] >= 0).all() and (fitted["high"] <= 1).all():
        _flag(
            out,
            "every value lies in 0 to 1 dB, a range no bolus has in decibels: is this linear "
            "echo-power (unit linear or normalized)?",
            t,
            first,
            "intensity",
        )


def _check_display(t, curves, unit, nodes, examinations, out: Problems) -> None:
    """Intensities and frame timing the node's examination cannot have given."""
    needed = ("exam_id", "dynamic_range_db")
    if not _has(nodes, "node_id", "exam_id") or not _has(examinations, *needed):
        return
    exams = examinations.drop_duplicates("exam_id").set_index("exam_id")
    exam_of = nodes.drop_duplicates("node_id").set_index("node_id")["exam_id"]
    fitted = curves[(curves.index != "") & (curves["frames"] >= MIN_FRAMES)]
    node = t["node_id"].to_numpy(dtype=object)[fitted["position"].to_numpy()]
    record = exams.reindex(pd.Series(node).map(exam_of))

    def value(column: str) -> np.ndarray:
        if column not in record:
            return np.full(len(fitted), np.nan)
        return record[column].to_numpy(dtype=float)

    first = np.zeros(len(t), dtype=bool)

    def at(mask) -> np.ndarray:
        rows = first.copy()
        rows[fitted["position"].to_numpy()[np.asarray(mask, dtype=bool)]] = True
        return rows

    low, high = fitted["low"].to_numpy(), fitted["high"].to_numpy()
    top = value("saturation_level")
    if unit == "normalized":
        top = np.where(np.isnan(top), 1.0, top)
    _flag(
        out,
        "intensity above the saturation_level of the node's examination (examinations.csv)",
        t,
        at(high > top * (1 + 1e-9)),
        "intensity",
    )
    dynamic = value("dynamic_range_db")
    if unit == "db":
        wide = high - low > dynamic + 1e-6
    elif unit in ("linear", "normalized"):
        with np.errstate(divide="ignore", invalid="ignore"):
            wide = (low > 0) & (10 * np.log10(high / low) > dynamic + 0.01)
    else:
        wide = np.zeros(len(fitted), dtype=bool)
    _flag(
        out,
        "the curve spans more than the dynamic_range_db of the node's examination "
        "(examinations.csv): a display cannot show that range",
        t,
        at(wide),
        "intensity",
    )
    rate = value("frame_rate_hz")
    _flag(
        out,
        "frames are closer together than the frame_rate_hz of the node's examination "
        "(examinations.csv)",
        t,
        at(fitted["step"].to_numpy() < 0.999 / rate),
        "time_s",
    )
    _flag(
        out,
        "the curve runs longer than the clip_length_s of the node's examination (examinations.csv)",
        t,
        at(fitted["last"].to_numpy() > value("clip_length_s")),
        "time_s",
    )


def _check_nodes(t: pd.DataFrame, nodes: pd.DataFrame, out: Problems) -> None:
    imaged = nodes.drop_duplicates("node_id").set_index("node_id")["ceus_imaged"]
    theirs = t["node_id"].map(imaged)
    first = run_starts(t["node_id"].to_numpy(dtype=object))
    out.add_rows(
        FILE,
        "curve of a node whose ceus_imaged is no",
        t,
        first & (theirs == "no").to_numpy(dtype=bool),
        "node_id",
    )
    own = (t["roi"] != "reference").to_numpy(dtype=bool) if "roi" in t else np.ones(len(t), bool)
    with_curve = set(t["node_id"][own].dropna().unique())
    out.add_rows(
        FILE,
        "reference curve of a node without its own curve (roi node)",
        t,
        run_starts(t["_curve"].to_numpy(dtype=object))
        & ~own
        & ~t["node_id"].isin(with_curve).to_numpy()
        & (theirs == "yes").to_numpy(dtype=bool),
        "node_id",
    )
    missing = (nodes["ceus_imaged"] == "yes").to_numpy(dtype=bool) & ~nodes["node_id"].isin(
        with_curve
    ).to_numpy()
    out.add_rows(
        "nodes.csv",
        "examined with CEUS (ceus_imaged is yes) but tics.csv has no curve for this node",
        nodes,
        missing,
        "node_id",
    )
