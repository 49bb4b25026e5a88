"""Cases of ``parameters.csv`` (perfusion parameters another program computed), each from
``base_parameters/``: ``base_protocol/`` without its curves, with the parameters of its curves
as ``ceuslib.cohort.parameters.fitted_parameters`` gives them."""

from __future__ import annotations

from corpus import HERE, case, edit, rows, text

BASE = HERE / "base_parameters"
R = "parameters.csv"


def parameter_case(name, expected, **files):
    case(name, expected, _base="base_parameters", **files)


def change(file, changes=(), **options):
    return edit(file, changes, base=BASE, **options)


parameter_case(
    "122_parameters_given_twice_for_a_region",
    [
        "parameters.csv, row 15, column 'roi': value 'node': a second row for node_id P001-N1 and "
        "this roi"
    ],
    **{R: change(R, append=1)},
)
parameter_case(
    "123_parameters_of_an_unknown_node",
    [
        "parameters.csv, row 2, column 'node_id': value 'P002-N9': no such node_id in nodes.csv",
        "parameters.csv, row 9, column 'node_id': value 'P002-N1': a reference region of a node "
        "without its own region (roi node) in the file",
    ],
    **{R: change(R, [(2, "node_id", "P002-N9")])},
)
parameter_case(
    "124_negative_peak_enhancement",
    ["parameters.csv, row 3, column 'pe': value -0.05: must not be negative (linear echo-power)"],
    **{R: change(R, [(3, "pe", "-0.05")])},
)
parameter_case(
    "125_wash_out_rate_as_a_magnitude",
    ["parameters.csv, row 1, column 'wor': value 0.0054: must be negative or zero (a slope)"],
    **{R: change(R, [(1, "wor", "0.0054")])},
)
parameter_case(
    "126_time_to_peak_in_milliseconds",
    ["parameters.csv, row 1, column 'ttp': value '24410.1': out of range: must lie in 0 to 3600 s"],
    **{R: change(R, [(1, "ttp", "24410.1")])},
)
table = rows(R, BASE)
orphan = [r for r in table if not (r[0] == "P001-N1" and r[1] == "node")]
parameter_case(
    "127_reference_region_without_the_nodes_own",
    [
        "parameters.csv, row 7, column 'node_id': value 'P001-N1': a reference region of a node "
        "without its own region (roi node) in the file"
    ],
    **{R: text(orphan)},
)
parameter_case(
    "128_parameter_not_a_number",
    ["parameters.csv, row 4, column 'qof': value '98 %': must be a number (decimal mark '.')"],
    **{R: change(R, [(4, "qof", "98 %")])},
)
parameter_case(
    "129_parameters_file_with_only_its_header",
    ["parameters.csv: has no data rows"],
    **{R: text(table[:1])},
)
parameter_case(
    "130_parameters_without_the_quality_of_fit",
    ["parameters.csv, column 'qof': column is missing (the data dictionary lists it)"],
    **{R: text([r[:13] + r[14:] for r in table])},
)
