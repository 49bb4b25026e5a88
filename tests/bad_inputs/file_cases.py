"""Cases of files the CSV reader cannot take as they are: quoting, NUL bytes, huge cells,
encodings, a folder where a file belongs."""

from __future__ import annotations

from corpus import BASE, N, P, S, T, case, edit

nodes_lines = (BASE / N).read_text().splitlines(keepends=True)
patients_lines = (BASE / P).read_text().splitlines(keepends=True)


def with_line(lines, index, transform):
    out = list(lines)
    out[index] = transform(out[index])
    return "".join(out)


case(
    "47_unclosed_quote",
    ["nodes.csv, row 3: a quoted cell is not closed before the end of the file (a stray quote?)"],
    **{N: with_line(nodes_lines, 3, lambda line: line.replace(",right,", ',"right,', 1))},
)
two_quotes = list(patients_lines)
two_quotes[2] = two_quotes[2].replace(",male,", ',"male,', 1).replace(",female,", ',"female,', 1)
two_quotes[3] = two_quotes[3].replace(",male,", ',male",', 1).replace(",female,", ',female",', 1)
case(
    "48_quote_closed_rows_later",
    [
        "patients.csv, row 2: a quoted cell runs over the end of its line (a stray quote?); "
        "a cell may not hold a line break"
    ],
    **{P: "".join(two_quotes)},
)
case(
    "49_text_after_closing_quote",
    ["nodes.csv, row 1: a quoted cell has text after its closing quote (a stray quote?)"],
    **{N: with_line(nodes_lines, 1, lambda line: line.replace(",left,", ',"left"x,', 1))},
)
case(
    "50_cell_beyond_the_field_limit",
    ["patients.csv, row 4: a cell is longer than 131072 characters (a stray quote?)"],
    **{P: with_line(patients_lines, 4, lambda line: line.replace(",", "," + "x" * 200_000, 1))},
)
long_id = "P001" + "0" * 5000
case(
    "51_very_long_cell_is_shown_cut",
    [
        "nodes.csv, row 1, column 'patient_id': value '" + long_id[:40] + "\u2026': no such "
        "patient_id in patients.csv",
    ],
    **{N: edit(N, [(1, "patient_id", long_id)])},
)
nul_text = (BASE / S).read_text().replace("\n", "\n\0", 3)
case(
    "52_nul_byte",
    ["screening.csv, row 3: holds a NUL byte: not a text CSV file (a spreadsheet's own format?)"],
    **{S: nul_text.replace("\0", "", 2).encode()},
)
case(
    "53_utf16_text",
    ["nodes.csv: is UTF-16 text; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)"],
    **{N: (BASE / N).read_text().encode("utf-16")},
)
case(
    "54_spreadsheet_workbook_saved_as_csv",
    ["patients.csv, row 0: holds a NUL byte: not a text CSV file (a spreadsheet's own format?)"],
    **{P: b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"},
)
case(
    "55_image_saved_as_csv",
    [
        "nodes.csv: is not UTF-8 text (byte 0 cannot be decoded); save it as UTF-8 "
        "(CSV UTF-8 in spreadsheet programs)"
    ],
    **{N: b"\x89PNG\r\n\x1a\n"},
)
case("56_folder_in_place_of_a_file", ["tics.csv: is a folder, not a file"], _folders=[T])
case(
    "57_only_a_byte_order_mark",
    ["screening.csv: is empty: a header line with the column names is needed"],
    **{S: "\ufeff\n\n"},
)
case(
    "58_empty_column_name",
    ["tics.csv, row 0: the header has an empty column name"],
    **{
        T: (BASE / T)
        .read_text()
        .replace("node_id,time_s,intensity,unit", "node_id,,time_s,unit", 1)
    },
)
case(
    "59_line_break_inside_a_quoted_cell",
    [
        "nodes.csv, row 5: a quoted cell runs over the end of its line (a stray quote?); "
        "a cell may not hold a line break"
    ],
    **{N: with_line(nodes_lines, 5, lambda line: line.replace(",left,", ',"le\nft",', 1))},
)
case(
    "60_thousands_separator_in_a_quoted_number",
    ["nodes.csv, row 2, column 'depth_mm': value '1,234.0': must be a number (decimal mark '.')"],
    **{N: edit(N, [(2, "depth_mm", "1,234.0")])},
)
case(
    "61_infinite_number",
    ["nodes.csv, row 3, column 'depth_mm': value 'inf': must be a number (decimal mark '.')"],
    **{N: edit(N, [(3, "depth_mm", "inf")])},
)
case(
    "62_number_that_overflows",
    ["nodes.csv, row 4, column 'depth_mm': value '1e400': must be a number (decimal mark '.')"],
    **{N: edit(N, [(4, "depth_mm", "1e400")])},
)
case(
    "63_formula_in_a_cell",
    [
        "nodes.csv, row 1, column 'side': value '=HYPERLINK(\"http://x\")': unknown code; "
        "expected one of left, right"
    ],
    **{N: edit(N, [(1, "side", '=HYPERLINK("http://x")')])},
)
case(
    "89_nodes_file_with_only_its_header",
    [
        "nodes.csv: has no data rows",
        *[
            f"tics.csv, row {1 + 240 * i}, column 'node_id': value '{node}': no such node_id "
            "in nodes.csv"
            for i, node in enumerate(
                ["P001-N1", "P002-N1", "P003-N1", "P003-N2", "P004-N1", "P004-N2", "P004-N3"]
            )
        ],
    ],
    **{N: nodes_lines[0]},
)
case(
    "90_patients_file_with_only_its_header",
    [
        "patients.csv: has no data rows",
        *[
            f"nodes.csv, row {row}, column 'patient_id': value '{patient}': no such patient_id "
            "in patients.csv"
            for row, patient in enumerate(
                ["P001", "P002", "P003", "P003", "P004", "P004", "P004"], start=1
            )
        ],
        *[
            f"screening.csv, row {row}, column 'patient_id': value '{patient}': enrolled "
            "patient is missing from patients.csv"
            for row, patient in ((1, "P001"), (2, "P002"), (4, "P003"), (5, "P004"))
        ],
    ],
    **{P: patients_lines[0]},
)
case(
    "91_curves_file_linked_to_a_device",
    ["tics.csv: is not a regular file"],
    _links=[f"{T} /dev/null"],
)
case(
    "92_byte_order_mark_inside_the_file",
    [
        "patients.csv, row 3, column 'patient_id': value '\\ufeffP003': no such patient_id in "
        "screening.csv",
        "nodes.csv, row 3, column 'patient_id': value 'P003': no such patient_id in patients.csv",
        "nodes.csv, row 4, column 'patient_id': value 'P003': no such patient_id in patients.csv",
        "screening.csv, row 4, column 'patient_id': value 'P003': enrolled patient is missing "
        "from patients.csv",
    ],
    **{P: with_line(patients_lines, 3, lambda line: "\ufeff" + line)},
)
