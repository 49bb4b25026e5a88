"""Cases of the protocol records: dates, pathology per side, readers and readings,
examinations, node marking, reference-region curves.  Each starts from ``base_protocol/``."""

from __future__ import annotations

from corpus import PROTOCOL, N, P, T, case, edit, rows, text

SIDES = "neck_sides.csv"
READINGS = "readings.csv"
EXAMS = "examinations.csv"
REFERENCE_START = 1681  # tics.csv: 7 node curves of 240 frames, then the reference curves
DYNAMIC = (
    "the curve spans more than the dynamic_range_db of the node's examination "
    "(examinations.csv): a display cannot show that range"
)


def protocol_case(name, expected, **files):
    case(name, expected, _base="base_protocol", **files)


def change(file, changes=(), **options):
    return edit(file, changes, base=PROTOCOL, **options)


def without_rows(file, first, last):
    """The file without its data rows ``first`` to ``last`` (1-based, inclusive)."""
    table = rows(file, PROTOCOL)
    return text(table[:first] + table[last + 1 :])


protocol_case(
    "97_ceus_before_the_end_of_naci",
    [
        "patients.csv, row 1, column 'ceus_date': value '2025-01-05': ceus_date is before "
        "naci_end_date: the order is NACI end, CEUS, surgery"
    ],
    **{P: change(P, [(1, "ceus_date", "2025-01-05")])},
)
protocol_case(
    "98_surgery_a_year_after_ceus",
    [
        "patients.csv, row 1, column 'surgery_date': value '2026-02-19': CEUS to surgery takes "
        "more than 90 days (a mistyped date?)",
        "patients.csv, row 1, column 'surgery_date': value '2026-02-19': the end of NACI to "
        "surgery takes more than 180 days (a mistyped date?)",
    ],
    **{P: change(P, [(1, "surgery_date", "2026-02-19")])},
)
protocol_case(
    "99_date_written_day_first",
    [
        "patients.csv, row 1, column 'naci_end_date': value '11.01.2025': must be a date "
        "written YYYY-MM-DD (e.g. 2024-08-13)"
    ],
    **{P: change(P, [(1, "naci_end_date", "11.01.2025")])},
)
protocol_case(
    "100_ceus_date_missing_for_an_examined_patient",
    [
        "patients.csv, row 3, column 'ceus_date': ceus_date is empty but a target node of the "
        "patient was examined with CEUS"
    ],
    **{P: change(P, [(3, "ceus_date", "")])},
)
protocol_case(
    "101_sides_do_not_add_up",
    [
        "patients.csv, row 1, column 'nodes_dissected': value 24: nodes_dissected must equal "
        "the sum of nodes_examined over the sides in neck_sides.csv"
    ],
    **{SIDES: change(SIDES, [(1, "nodes_examined", "23")])},
)
protocol_case(
    "102_side_without_residual_disease_holding_tumour",
    [
        "neck_sides.csv, row 1, column 'residual_disease': value 'no': residual_disease must "
        "be yes exactly when nodes_positive > 0",
        "neck_sides.csv, row 1, column 'ypn': value 'ypN1': residual_disease must be no "
        "exactly when ypn is ypN0",
        "patients.csv, row 1, column 'residual_nodal_disease': value 'yes': "
        "residual_nodal_disease must be yes exactly when a side in neck_sides.csv has "
        "residual_disease yes",
        "nodes.csv, row 1, column 'viable_tumour': value 'yes': node has viable tumour but its "
        "side's residual_disease in neck_sides.csv is no",
    ],
    **{SIDES: change(SIDES, [(1, "residual_disease", "no")])},
)
protocol_case(
    "103_a_side_of_the_neck_not_listed",
    [
        "patients.csv, row 1, column 'patient_id': value 'P001': neck_sides.csv has no row for "
        "the right side of this patient"
    ],
    **{SIDES: change(SIDES, drop=[2])},
)
protocol_case(
    "104_counts_for_a_side_not_dissected",
    [
        "neck_sides.csv, row 2, column 'nodes_examined': value 0: nodes_examined is given for "
        "a side that was not dissected"
    ],
    **{SIDES: change(SIDES, [(2, "nodes_examined", "0")])},
)
protocol_case(
    "105_matched_node_on_a_side_not_dissected",
    [
        "nodes.csv, row 1, column 'side': value 'right': node is matched to the specimen but "
        "its side was not dissected (neck_sides.csv)"
    ],
    **{N: change(N, [(1, "side", "right")])},
)
protocol_case(
    "106_primary_reading_differs_from_its_reader",
    [
        "nodes.csv, row 1, column 'ceus_reader_id': value 'R1': the CEUS reading differs from "
        "its reader's session-1 reading in readings.csv"
    ],
    **{READINGS: change(READINGS, [(1, "ceus_direction", "centrifugal")])},
)
protocol_case(
    "107_a_reading_given_twice",
    [
        "readings.csv, row 22, column 'session': value 1: a reading of this node by this reader "
        "in this session appears earlier"
    ],
    **{READINGS: change(READINGS, append=1)},
)
protocol_case(
    "108_a_repeat_reading_without_the_first",
    [
        "readings.csv, row 3, column 'session': value 2: a later session of a reader who has no "
        "session 1 for this node"
    ],
    **{READINGS: change(READINGS, [(3, "session", "2")])},
)
protocol_case(
    "109_a_reader_not_in_readers",
    [
        "readings.csv, row 3, column 'reader_id': value 'R9': no such reader_id in readers.csv",
    ],
    **{READINGS: change(READINGS, [(3, "reader_id", "R9")])},
)
protocol_case(
    "110_a_consensus_reading_with_a_reader",
    [
        "nodes.csv, row 1, column 'ceus_reader_id': value 'R1': ceus_reader_id is given for a "
        "consensus reading"
    ],
    **{N: change(N, [(1, "ceus_reading_basis", "consensus")])},
)
protocol_case(
    "111_a_single_reader_reading_without_its_reader",
    [
        "nodes.csv, row 1, column 'ceus_reader_id': must not be empty when ceus_reading_basis "
        "is single_reader"
    ],
    **{N: change(N, [(1, "ceus_reader_id", "")])},
)
protocol_case(
    "112_examination_of_another_patient",
    [
        "nodes.csv, row 1, column 'exam_id': value 'P002-E1': exam_id names an examination of "
        "another patient"
    ],
    **{N: change(N, [(1, "exam_id", "P002-E1")])},
)
protocol_case(
    "113_focus_deeper_than_the_image",
    ["examinations.csv, row 1, column 'focus_cm': value 9.0: focus_cm is deeper than depth_cm"],
    **{EXAMS: change(EXAMS, [(1, "focus_cm", "9.0")])},
)
protocol_case(
    "114_marking_of_an_unmatched_node",
    [
        "nodes.csv, row 7, column 'marking': value 'clip': marking is given for a node whose "
        "match_method is not marked"
    ],
    **{N: change(N, [(7, "marking", "clip")])},
)
protocol_case(
    "115_marked_node_without_its_marking",
    ["nodes.csv, row 2, column 'marking': must not be empty when match_method is marked"],
    **{N: change(N, [(2, "marking", "")])},
)
protocol_case(
    "116_intensity_above_the_saturation_level",
    [
        "tics.csv, row 1, column 'intensity': intensity above the saturation_level of the "
        "node's examination (examinations.csv)"
    ],
    **{EXAMS: change(EXAMS, [(1, "saturation_level", "0.055")])},
)
protocol_case(
    "117_curves_longer_than_the_clip",
    [
        "tics.csv, row 1, column 'time_s': the curve runs longer than the clip_length_s of the "
        "node's examination (examinations.csv)",
        f"tics.csv, row {REFERENCE_START}, column 'time_s': the curve runs longer than the "
        "clip_length_s of the node's examination (examinations.csv)",
    ],
    **{EXAMS: change(EXAMS, [(1, "clip_length_s", "100.0")])},
)
protocol_case(
    "118_frames_closer_than_the_frame_rate",
    [
        "tics.csv, row 1, column 'time_s': frames are closer together than the frame_rate_hz "
        "of the node's examination (examinations.csv)"
    ],
    **{EXAMS: change(EXAMS, [(1, "frame_rate_hz", "1.5")])},
)
protocol_case(
    "119_a_curve_wider_than_the_dynamic_range",
    [f"tics.csv, row 1, column 'intensity': {DYNAMIC}"],
    **{T: change(T, [(5, "intensity", "0.00000001")])},
)
protocol_case(
    "120_reference_curve_without_the_nodes_own_curve",
    [
        "nodes.csv, row 1, column 'node_id': value 'P001-N1': examined with CEUS (ceus_imaged "
        "is yes) but tics.csv has no curve for this node",
        f"tics.csv, row {REFERENCE_START - 240}, column 'node_id': value 'P001-N1': reference "
        "curve of a node without its own curve (roi node)",
    ],
    **{T: without_rows(T, 1, 240)},
)
protocol_case(
    "121_unknown_region_of_interest",
    [
        f"tics.csv, row {REFERENCE_START}, column 'roi': value 'background': unknown code; "
        "expected one of node, reference",
        f"tics.csv, row {REFERENCE_START}, column 'node_id': value 'P001-N1': a curve needs at "
        "least 10 frames with an intensity to be fitted",
    ],
    **{T: change(T, [(REFERENCE_START, "roi", "background")])},
)
