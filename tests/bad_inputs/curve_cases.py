"""Cases of curves that cannot be analysed: missing, too short, a time axis not in seconds,
intensities impossible in the unit the file declares."""

from __future__ import annotations

import math

from corpus import BASE, N, T, case, column, drop_column, edit, rows, text

HEADER = "node_id,time_s,intensity,unit\n"
NODES = ["P001-N1", "P002-N1", "P003-N1", "P003-N2", "P004-N1", "P004-N2", "P004-N3"]
FRAMES = 240  # every base curve: 2 frames per second for 120 s
FIRST = {node: 1 + i * FRAMES for i, node in enumerate(NODES)}  # first row of each curve
INTENSITY = [float(v) for v in column(T, "intensity")]
MISSING_CURVE = "examined with CEUS (ceus_imaged is yes) but tics.csv has no curve for this node"
FEW = "a curve needs at least 10 frames with an intensity to be fitted"
SHORT = "the curve lasts less than 10 s: time_s must be in seconds (is it in minutes?)"
APART = "frames are more than 10 s apart: time_s must be in seconds (is it in milliseconds?)"
NEED = (
    "has no data rows: every node examined with CEUS needs its curve "
    "(remove tics.csv if the study has no curves)"
)


def curve_rows(node):
    return range(FIRST[node], FIRST[node] + FRAMES)


def missing(node):
    row = NODES.index(node) + 1
    return f"nodes.csv, row {row}, column 'node_id': value '{node}': {MISSING_CURVE}"


def capped(file, col, rule, bad_rows, value=None, shown_value=None):
    """The problems of a rule broken in ``bad_rows``: the first ten, then how many more."""
    lines = []
    for row in list(bad_rows)[:10]:
        shown = "" if value is None else f"value {shown_value(row)!r}: "
        lines.append(f"{file}, row {row}, column '{col}': {shown}{rule}")
    if len(bad_rows) > 10:
        lines.append(
            f"{file}, column '{col}': {len(bad_rows) - 10} more rows break the rule: {rule}"
        )
    return lines


def with_values(name, values, unit=None):
    """tics.csv with every intensity replaced (and every unit, when given)."""
    table = rows(T)
    for i, value in enumerate(values, start=1):
        table[i][2] = value
        if unit is not None:
            table[i][3] = unit
    return text(table)


case("64_header_only_curves", [f"tics.csv: {NEED}"], **{T: HEADER})
case("65_header_and_blank_lines_only", [f"tics.csv: {NEED}"], **{T: HEADER + "\n\n,,,\n"})
case(
    "66_imaged_node_without_curve",
    [missing("P002-N1")],
    **{T: edit(T, drop=curve_rows("P002-N1"))},
)
case(
    "67_three_imaged_nodes_without_curves",
    [missing("P001-N1"), missing("P003-N2"), missing("P004-N2")],
    **{T: edit(T, drop=[*curve_rows("P001-N1"), *curve_rows("P003-N2"), *curve_rows("P004-N2")])},
)
case(
    "68_curve_with_nine_frames",
    [f"tics.csv, row 1441, column 'node_id': value 'P004-N3': {FEW}"],
    **{T: edit(T, drop=range(1450, 1681))},
)
no_values = list(curve_rows("P003-N1"))
case(
    "69_curve_without_intensities",
    [
        *capped("tics.csv", "intensity", "must not be empty", no_values),
        f"tics.csv, row 481, column 'node_id': value 'P003-N1': {FEW}",
    ],
    **{T: edit(T, [(r, "intensity", "") for r in no_values])},
)
nan_rows = list(curve_rows("P003-N2"))
case(
    "70_curve_of_nan_text",
    [
        *capped(
            "tics.csv",
            "intensity",
            "must be a number (decimal mark '.')",
            nan_rows,
            value=True,
            shown_value=lambda row: "nan",
        ),
        f"tics.csv, row 721, column 'node_id': value 'P003-N2': {FEW}",
    ],
    **{T: edit(T, [(r, "intensity", "nan") for r in nan_rows])},
)
minutes = [f"{float(t) / 60:.5f}" for t in column(T, "time_s")]
case(
    "71_time_in_minutes",
    [f"tics.csv, row {FIRST[node]}, column 'time_s': {SHORT}" for node in NODES],
    **{T: edit(T, [(r, "time_s", m) for r, m in enumerate(minutes, start=1)])},
)
millis = [f"{float(t) * 1000:.0f}" for t in column(T, "time_s")]
too_late = [r for r, m in enumerate(millis, start=1) if float(m) > 3600]
case(
    "72_time_in_milliseconds",
    [
        *capped(
            "tics.csv",
            "time_s",
            "out of range: must lie in 0 to 3600 s",
            too_late,
            value=True,
            shown_value=lambda row: millis[row - 1],
        ),
        *[f"tics.csv, row {FIRST[node]}, column 'time_s': {APART}" for node in NODES],
    ],
    **{T: edit(T, [(r, "time_s", m) for r, m in enumerate(millis, start=1)])},
)
case(
    "73_frames_fifteen_seconds_apart",
    [f"tics.csv, row 1, column 'time_s': {APART}"],
    **{T: edit(T, [(r, "time_s", f"{15.0 * (r - 1):.1f}") for r in curve_rows("P001-N1")])},
)
fast = rows(T)
fast_curve = [
    ["P002-N1", f"{0.009 * i:.3f}", fast[241 + i % FRAMES][2], "linear"] for i in range(1200)
]
case(
    "74_frames_nine_milliseconds_apart",
    [
        "tics.csv, row 241, column 'time_s': frames are less than 0.01 s apart (over 100 per "
        "second): time_s must be in seconds (is it in minutes?)"
    ],
    **{T: text(fast[:241] + fast_curve + fast[481:])},
)
db_above_floor = [f"{10 * math.log10(v / 1e-5):.2f}" for v in INTENSITY]
case(
    "75_decibels_declared_linear",
    [
        "tics.csv, row 1, column 'intensity': no curve rises to 2 times its lowest value, as "
        "linear echo-power does when contrast arrives: are these decibels (unit db)?"
    ],
    **{T: with_values("db", db_above_floor)},
)
db_below_top = [f"{10 * math.log10(v):.2f}" for v in INTENSITY]
case(
    "76_negative_decibels_declared_linear",
    capped(
        "tics.csv",
        "intensity",
        "a linear intensity cannot be negative (decibels are unit db)",
        list(range(1, len(INTENSITY) + 1)),
        value=True,
        shown_value=lambda row: float(db_below_top[row - 1]),
    ),
    **{T: with_values("db", db_below_top)},
)
case(
    "77_linear_power_declared_db",
    [
        "tics.csv, row 1, column 'intensity': every value lies in 0 to 1 dB, a range no bolus "
        "has in decibels: is this linear echo-power (unit linear or normalized)?"
    ],
    **{T: with_values("linear", column(T, "intensity"), unit="db")},
)
arbitrary = [f"{v * 1e6:.1f}" for v in INTENSITY]
case(
    "78_arbitrary_units_declared_db",
    capped(
        "tics.csv",
        "intensity",
        "a dB intensity must lie in -120 to 120 (larger values look like linear echo-power)",
        [r for r, v in enumerate(arbitrary, start=1) if abs(float(v)) > 120],
        value=True,
        shown_value=lambda row: float(arbitrary[row - 1]),
    ),
    **{T: with_values("au", arbitrary, unit="db")},
)
tenfold = [f"{v * 10:.5f}" for v in INTENSITY]
case(
    "79_normalized_above_one",
    capped(
        "tics.csv",
        "intensity",
        "a normalized intensity must lie in 0 to 1 (1 is the top of the display)",
        [r for r, v in enumerate(tenfold, start=1) if float(v) > 1],
        value=True,
        shown_value=lambda row: float(tenfold[row - 1]),
    ),
    **{T: with_values("x10", tenfold, unit="normalized")},
)
normalized = column(T, "intensity")
normalized[6] = "-0.00100"
case(
    "80_normalized_negative",
    [
        "tics.csv, row 7, column 'intensity': value -0.001: a normalized intensity must lie in "
        "0 to 1 (1 is the top of the display)"
    ],
    **{T: with_values("normalized", normalized, unit="normalized")},
)
gray = [f"{v * 1000:.0f}" for v in INTENSITY]
gray[99] = "300"
case(
    "81_gray_level_above_255",
    ["tics.csv, row 100, column 'intensity': value 300.0: a gray intensity must lie in 0 to 255"],
    **{T: with_values("gray", gray, unit="gray")},
)
case(
    "82_negative_time",
    [
        "tics.csv, row 1, column 'time_s': value '-0.5': out of range: must lie in 0 to 3600 s",
    ],
    **{T: edit(T, [(1, "time_s", "-0.5")])},
)
case(
    "83_curve_node_in_wrong_case",
    [
        "tics.csv, row 1, column 'node_id': value 'p001-n1': no such node_id in nodes.csv",
        missing("P001-N1"),
    ],
    **{T: edit(T, [(r, "node_id", "p001-n1") for r in curve_rows("P001-N1")])},
)
case(
    "84_empty_node_id_inside_a_curve",
    [
        "tics.csv, row 5, column 'node_id': must not be empty",
        "tics.csv, row 6, column 'node_id': value 'P001-N1': the rows of a curve must be "
        "contiguous (this node_id and roi appeared earlier)",
    ],
    **{T: edit(T, [(5, "node_id", "")])},
)
unknown_unit = list(range(1, len(INTENSITY) + 1))
case(
    "85_unit_in_wrong_case",
    capped(
        "tics.csv",
        "unit",
        "unknown code; expected one of linear, normalized, db, gray",
        unknown_unit,
        value=True,
        shown_value=lambda row: "Linear",
    ),
    **{T: with_values("linear", column(T, "intensity"), unit="Linear")},
)
still = list(curve_rows("P003-N1"))
case(
    "86_time_standing_still",
    [
        *capped(
            "tics.csv",
            "time_s",
            "time_s must increase within a curve",
            still[1:],
            True,
            lambda row: 0.0,
        ),
        f"tics.csv, row 481, column 'time_s': {SHORT}",
    ],
    **{T: edit(T, [(r, "time_s", "0.0") for r in still])},
)
case(
    "87_intensity_column_missing",
    ["tics.csv, column 'intensity': column is missing (the data dictionary lists it)"],
    **{T: drop_column(T, "intensity")},
)
case(
    "88_unit_column_missing",
    ["tics.csv, column 'unit': column is missing (the data dictionary lists it)"],
    **{T: drop_column(T, "unit")},
)
assert BASE.is_dir() and N
concatenated = (BASE / T).read_text()
case(
    "93_two_exports_concatenated",
    [
        "tics.csv, row 1681, column 'time_s': value 'time_s': must be a number (decimal mark '.')",
        "tics.csv, row 1681, column 'intensity': value 'intensity': must be a number "
        "(decimal mark '.')",
        "tics.csv, row 1681, column 'unit': value 'unit': unknown code; expected one of linear, "
        "normalized, db, gray",
        "tics.csv, row 1681, column 'node_id': value 'node_id': no such node_id in nodes.csv",
        *[
            f"tics.csv, row {1681 + FIRST[node]}, column 'node_id': value '{node}': the rows of "
            "a curve must be contiguous (this node_id and roi appeared earlier)"
            for node in NODES
        ],
        f"tics.csv, row 1681, column 'node_id': value 'node_id': {FEW}",
    ],
    **{T: concatenated + concatenated},
)
trailing = (BASE / T).read_text().replace("linear\n", "linear,\n")
case(
    "94_a_delimiter_after_every_row",
    [
        *[f"tics.csv, row {row}: has 5 fields; the header has 4" for row in range(1, 11)],
        "tics.csv: 1670 more rows break the rule: has 5 fields; the header has 4",
        f"tics.csv: {NEED}",
    ],
    **{T: trailing},
)
clock = [f"00:{int(float(t)) // 60:02d}:{float(t) % 60:04.1f}" for t in column(T, "time_s")]
case(
    "95_time_written_as_a_clock",
    capped(
        "tics.csv",
        "time_s",
        "must be a number (decimal mark '.')",
        list(range(1, len(clock) + 1)),
        value=True,
        shown_value=lambda row: clock[row - 1],
    ),
    **{T: edit(T, [(r, "time_s", c) for r, c in enumerate(clock, start=1)])},
)
case(
    "96_decibels_declared_normalized",
    capped(
        "tics.csv",
        "intensity",
        "a normalized intensity must lie in 0 to 1 (1 is the top of the display)",
        list(range(1, len(INTENSITY) + 1)),
        value=True,
        shown_value=lambda row: float(db_below_top[row - 1]),
    ),
    **{T: with_values("db", db_below_top, unit="normalized")},
)
