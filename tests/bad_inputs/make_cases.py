"""Build the corpus of bad inputs from the small valid cohort in ``base/``.

The cases are registered in ``corpus.CASES`` by this file (kinds of bad table values and
cross-file rules), ``file_cases.py`` (files the CSV reader cannot take: quoting, NUL bytes,
huge cells, encodings, folders) and ``curve_cases.py`` (curves: missing, too short, wrong
time axis, impossible units).  Run ``python tests/bad_inputs/make_cases.py`` to rebuild the
case folders.
"""

from __future__ import annotations

import shutil

import curve_cases
import file_cases
import parameter_cases
import protocol_cases
from corpus import BASE, CASES, HERE, N, P, S, T, case, drop_column, edit

case("01_missing_file", ["patients.csv: file is missing from <DIR>"], _remove=[P])
latin = (BASE / N).read_text().replace("P001-N1,P001,left", "P001-N1,P001,gauche\u00e9", 1)
latin_bytes = latin.encode("latin-1")
latin_offset = latin_bytes.index("\u00e9".encode("latin-1"))
case(
    "02_not_utf8",
    [
        f"nodes.csv: is not UTF-8 text (byte {latin_offset} cannot be decoded); "
        "save it as UTF-8 (CSV UTF-8 in spreadsheet programs)"
    ],
    **{N: latin_bytes},
)
case(
    "03_empty_file",
    ["screening.csv: is empty: a header line with the column names is needed"],
    **{S: ""},
)
case(
    "04_missing_column",
    ["nodes.csv, column 'side': column is missing (the data dictionary lists it)"],
    **{N: drop_column(N, "side")},
)
dup_header = (BASE / P).read_text().replace(",sex,", ",age,", 1)
case(
    "05_duplicated_header",
    ["patients.csv, row 0, column 'age': column name appears twice in the header"],
    **{P: dup_header},
)
extra_field = (BASE / P).read_text().splitlines(keepends=True)
extra_field[2] = extra_field[2].rstrip("\n") + ",x\n"
case(
    "06_wrong_field_count",
    [
        "patients.csv, row 2: has 20 fields; the header has 19",
        "nodes.csv, row 2, column 'patient_id': value 'P002': no such patient_id in patients.csv",
        "screening.csv, row 2, column 'patient_id': value 'P002': enrolled patient is missing "
        "from patients.csv",
    ],
    **{P: "".join(extra_field)},
)
case(
    "07_empty_required",
    ["patients.csv, row 1, column 'age': must not be empty"],
    **{P: edit(P, [(1, "age", "")])},
)
case(
    "08_unknown_code",
    ["nodes.csv, row 1, column 'side': value 'up': unknown code; expected one of left, right"],
    **{N: edit(N, [(1, "side", "up")])},
)
case(
    "09_code_in_wrong_case",
    ["patients.csv, row 1, column 'sex': value 'Male': unknown code; expected one of female, male"],
    **{P: edit(P, [(1, "sex", "Male")])},
)
case(
    "10_not_a_number",
    ["nodes.csv, row 2, column 'short_axis_mm': value 'abc': must be a number (decimal mark '.')"],
    **{N: edit(N, [(2, "short_axis_mm", "abc")])},
)
case(
    "11_decimal_comma_in_comma_file",
    ["nodes.csv, row 2, column 'depth_mm': value '7,0': must be a number (decimal mark '.')"],
    **{N: edit(N, [(2, "depth_mm", "7,0")])},
)
case(
    "12_not_a_whole_number",
    ["patients.csv, row 3, column 'age': value '63.5': must be a whole number"],
    **{P: edit(P, [(3, "age", "63.5")])},
)
case(
    "13_out_of_range_low",
    ["patients.csv, row 4, column 'age': value '12': out of range: must lie in 18 to 100 years"],
    **{P: edit(P, [(4, "age", "12")])},
)
case(
    "14_out_of_range_high",
    ["nodes.csv, row 1, column 'rvt_percent': value '130.0': out of range: must lie in 0 to 100 %"],
    **{N: edit(N, [(1, "rvt_percent", "130.0")])},
)
case(
    "15_negative_size",
    [
        "nodes.csv, row 3, column 'short_axis_mm': value '-3.0': out of range: must lie in "
        "1 to 80 mm"
    ],
    **{N: edit(N, [(3, "short_axis_mm", "-3.0")])},
)
case(
    "16_duplicated_patient_id",
    [
        "patients.csv, row 5, column 'patient_id': value 'P001': duplicated patient_id: each "
        "must be unique"
    ],
    **{P: edit(P, append=1)},
)
case(
    "17_duplicated_node_id",
    [
        "nodes.csv, row 8, column 'node_id': value 'P001-N1': duplicated node_id: each must "
        "be unique"
    ],
    **{N: edit(N, append=1)},
)
case(
    "18_orphan_node",
    ["nodes.csv, row 7, column 'patient_id': value 'P999': no such patient_id in patients.csv"],
    **{N: edit(N, [(7, "patient_id", "P999")])},
)
case(
    "19_orphan_curve",
    [
        "tics.csv, row 1, column 'node_id': value 'P001-N9': no such node_id in nodes.csv",
        "nodes.csv, row 1, column 'node_id': value 'P001-N1': examined with CEUS (ceus_imaged "
        "is yes) but tics.csv has no curve for this node",
    ],
    **{T: edit(T, [(r, "node_id", "P001-N9") for r in range(1, 241)])},
)
case(
    "20_patient_not_in_screening_log",
    ["patients.csv, row 4, column 'patient_id': value 'P004': no such patient_id in screening.csv"],
    **{S: edit(S, [(5, "patient_id", "")])},
)
case(
    "21_enrolled_missing_from_patients",
    [
        "screening.csv, row 3, column 'patient_id': value 'P005': enrolled patient is missing "
        "from patients.csv"
    ],
    **{S: edit(S, [(3, "patient_id", "P005"), (3, "distant_metastasis", "no")])},
)
case(
    "22_enrolled_but_ineligible",
    [
        "screening.csv, row 1, column 'naci_completed': value 'no': enrolled (has a patient_id) "
        "but fails the criterion: did not complete the NACI course"
    ],
    **{S: edit(S, [(1, "naci_completed", "no")])},
)
case(
    "23_ceus_reading_missing",
    ["nodes.csv, row 1, column 'ceus_enhancement': must not be empty when ceus_imaged is yes"],
    **{N: edit(N, [(1, "ceus_enhancement", "")])},
)
case(
    "24_pathology_missing_for_matched_node",
    [
        "nodes.csv, row 2, column 'viable_tumour': must not be empty when match_method is not "
        "unmatched"
    ],
    **{N: edit(N, [(2, "viable_tumour", "")])},
)
case(
    "25_pcr_with_residual_tumour",
    ["patients.csv, row 2, column 'pcr': value 'yes': pcr is yes but primary_rvt_percent is not 0"],
    **{P: edit(P, [(2, "primary_rvt_percent", "5.0")])},
)
case(
    "26_ypn_contradicts_residual",
    [
        "patients.csv, row 3, column 'ypn': value 'ypN2b': residual_nodal_disease must be no "
        "exactly when ypn is ypN0"
    ],
    **{P: edit(P, [(3, "ypn", "ypN2b")])},
)
case(
    "27_more_positive_than_dissected",
    [
        "patients.csv, row 4, column 'nodes_positive': value 60: nodes_positive exceeds "
        "nodes_dissected"
    ],
    **{P: edit(P, [(4, "nodes_positive", "60")])},
)
case(
    "28_short_axis_above_long_axis",
    [
        "nodes.csv, row 3, column 'short_axis_pre_mm': value 30.0: short_axis_pre_mm is larger "
        "than long_axis_pre_mm"
    ],
    **{N: edit(N, [(3, "short_axis_pre_mm", "30.0")])},
)
case(
    "29_ls_ratio_mismatch",
    [
        "nodes.csv, row 1, column 'ls_ratio': value 2.5: ls_ratio must equal long_axis_mm / "
        "short_axis_mm"
    ],
    **{N: edit(N, [(1, "ls_ratio", "2.50")])},
)
case(
    "30_viable_without_tumour_percent",
    [
        "nodes.csv, row 1, column 'viable_tumour': value 'yes': viable_tumour must be yes "
        "exactly when rvt_percent > 0"
    ],
    **{N: edit(N, [(1, "rvt_percent", "0.0")])},
)
case(
    "31_percentages_above_100",
    [
        "nodes.csv, row 3, column 'fibrosis_percent': value 90.9: rvt_percent + necrosis_percent "
        "+ fibrosis_percent exceeds 100"
    ],
    **{N: edit(N, [(3, "necrosis_percent", "20.0")])},
)
case(
    "32_node_positive_patient_negative",
    [
        "nodes.csv, row 4, column 'viable_tumour': value 'yes': node has viable tumour but its "
        "patient's residual_nodal_disease is no"
    ],
    **{N: edit(N, [(4, "viable_tumour", "yes"), (4, "rvt_percent", "20.0")])},
)
case(
    "33_time_not_increasing",
    ["tics.csv, row 10, column 'time_s': value 3.0: time_s must increase within a curve"],
    **{T: edit(T, [(10, "time_s", "3.0")])},
)
case(
    "34_mixed_units",
    [
        "tics.csv, row 241, column 'unit': value 'db': mixed units: one unit per file, and the "
        "first row uses linear"
    ],
    **{T: edit(T, [(r, "unit", "db") for r in range(241, 481)])},
)
case(
    "35_negative_linear_intensity",
    [
        "tics.csv, row 5, column 'intensity': value -0.001: a linear intensity cannot be "
        "negative (decibels are unit db)"
    ],
    **{T: edit(T, [(5, "intensity", "-0.00100")])},
)
case(
    "36_curve_rows_not_contiguous",
    [
        "tics.csv, row 300, column 'node_id': value 'P001-N1': the rows of a curve must be "
        "contiguous (this node_id and roi appeared earlier)",
        "tics.csv, row 301, column 'node_id': value 'P002-N1': the rows of a curve must be "
        "contiguous (this node_id and roi appeared earlier)",
    ],
    **{T: edit(T, [(300, "node_id", "P001-N1")])},
)
case(
    "37_curve_of_node_without_ceus",
    [
        "tics.csv, row 1441, column 'node_id': value 'P004-N3': curve of a node whose "
        "ceus_imaged is no"
    ],
    **{N: edit(N, [(7, "ceus_imaged", "no"), (7, "ceus_missing_reason", "declined")])},
)
case(
    "38_nan_as_text",
    ["nodes.csv, row 1, column 'depth_mm': value 'nan': must be a number (decimal mark '.')"],
    **{N: edit(N, [(1, "depth_mm", "nan")])},
)
case(
    "39_p16_missing_for_oropharynx",
    [
        "patients.csv, row 1, column 'p16': value 'not_applicable': p16 must be positive or "
        "negative for an oropharyngeal primary"
    ],
    **{P: edit(P, [(1, "p16", "not_applicable")])},
)
case(
    "40_single_frame_curve",
    [
        "tics.csv, row 1441, column 'node_id': value 'P004-N3': a curve needs at least 10 "
        "frames with an intensity to be fitted"
    ],
    **{T: edit(T, drop=range(1442, 1681))},
)
case(
    "41_missing_reason_for_examined_node",
    [
        "nodes.csv, row 1, column 'ceus_missing_reason': value 'declined': ceus_missing_reason "
        "is given for a node examined with CEUS"
    ],
    **{N: edit(N, [(1, "ceus_missing_reason", "declined")])},
)
case(
    "42_ene_without_tumour",
    [
        "nodes.csv, row 3, column 'ene': value 'yes': ene is yes in a node without viable tumour",
        "nodes.csv, row 3, column 'ene': value 'yes': node has ene but its patient's ene is no",
    ],
    **{N: edit(N, [(3, "ene", "yes")])},
)
case(
    "43_mpr_contradicts_rvt",
    [
        "patients.csv, row 1, column 'mpr': value 'yes': mpr must be yes exactly when "
        "primary_rvt_percent is 10 or less"
    ],
    **{P: edit(P, [(1, "mpr", "yes")])},
)
case(
    "44_positive_nodes_without_residual",
    [
        "patients.csv, row 3, column 'nodes_positive': value 2: residual_nodal_disease must be "
        "yes exactly when nodes_positive > 0"
    ],
    **{P: edit(P, [(3, "nodes_positive", "2")])},
)
case(
    "45_node_ene_patient_without_ene",
    ["nodes.csv, row 1, column 'ene': value 'yes': node has ene but its patient's ene is no"],
    **{N: edit(N, [(1, "ene", "yes")])},
)
case(
    "46_several_problems_at_once",
    [
        "patients.csv, row 4, column 'age': value '12': out of range: must lie in 18 to 100 years",
        "nodes.csv, row 1, column 'side': value 'up': unknown code; expected one of left, right",
        "tics.csv, row 10, column 'time_s': value 3.0: time_s must increase within a curve",
    ],
    **{
        P: edit(P, [(4, "age", "12")]),
        N: edit(N, [(1, "side", "up")]),
        T: edit(T, [(10, "time_s", "3.0")]),
    },
)


def main() -> None:
    assert (
        file_cases and curve_cases and protocol_cases and parameter_cases
    )  # their cases register on import
    for folder in HERE.iterdir():
        if folder.is_dir() and folder.name[:2].isdigit():
            shutil.rmtree(folder)
    for name, (files, expected) in CASES.items():
        folder = HERE / name
        folder.mkdir()
        for file, content in files.items():
            if file == "_base":
                (folder / "base.txt").write_text(f"{content}\n")
            elif file in ("_remove", "_folders", "_links"):
                listing = file[1:] + ".txt"
                (folder / listing).write_text("".join(f"{f}\n" for f in content))
            elif isinstance(content, bytes):
                (folder / file).write_bytes(content)
            else:
                (folder / file).write_text(content)
        (folder / "expected.txt").write_text("".join(f"{line}\n" for line in expected))
    print(f"{len(CASES)} cases written")


if __name__ == "__main__":
    main()
