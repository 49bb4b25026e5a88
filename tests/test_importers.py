"""Parameter exports (VueBox-style) into parameters.csv, the parameter route of analysis_set,
and ``ceuslib fit`` on a stand-alone curve file."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib.analysis import accuracy_table, analysis_set, exclusions_table, roc_table
from ceuslib.cli import main
from ceuslib.cohort import fit_cohort_curves, read_cohort, simulate_cohort
from ceuslib.cohort.parameters import PARAMETER_COLUMNS, fitted_parameters, parameter_fits
from ceuslib.errors import CohortWarning, DataError
from ceuslib.importers import read_curve_file, read_vuebox_export
from ceuslib.perfusion import simulate_tic

VUEBOX = {
    "pe": "PE [a.u.]",
    "wiauc": "WiAUC [a.u.*s]",
    "rt": "RT [s]",
    "mttl": "mTTl [s]",
    "ttp": "TTP [s]",
    "wir": "WiR [a.u./s]",
    "wipi": "WiPI [a.u.]",
    "woauc": "WoAUC [a.u.*s]",
    "wiwoauc": "WiWoAUC [a.u.*s]",
    "ft": "FT [s]",
    "wor": "WoR [a.u./s]",
    "qof": "QOF [%]",
    "mtt": "mTT [s]",
}


def vuebox_export(table: pd.DataFrame, path: Path, *, european: bool = True) -> Path:
    """``table`` (columns of parameters.csv) written as a VueBox-style export: a ROI label
    per row (``NODE`` or ``NODE ref``), unit suffixes, a Comment column; with ``;`` and
    decimal commas when ``european``, every number in full."""
    label = table["node_id"] + table["roi"].map({"node": "", "reference": " ref"})
    out = pd.DataFrame({"ROI": label})
    for name, header in VUEBOX.items():
        out[header] = [("" if np.isnan(v) else repr(float(v))) for v in table[name]]
    out["Area [cm2]"] = "0.42"
    out["Comment"] = table["flag"].fillna("")
    if european:
        for header in VUEBOX.values():
            out[header] = out[header].str.replace(".", ",", regex=False)
        out.to_csv(path, sep=";", index=False)
    else:
        out.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def study_with_flags(tmp_path_factory) -> Path:
    """A simulated study with one node curve that never enhances (flat) and one reference
    curve that is clipped, so that the fit flags them."""
    cohort = simulate_cohort(40, seed=4242)
    tics = cohort.tics.copy()
    nodes = list(dict.fromkeys(tics["node_id"]))
    flat = tics["node_id"] == nodes[0]
    tics.loc[flat, "intensity"] = float(tics.loc[flat, "intensity"].iloc[0])
    reference = cohort.reference_tics.copy()
    clipped = reference["node_id"] == nodes[1]
    top = reference.loc[clipped, "intensity"].max() * 0.4
    reference.loc[clipped, "intensity"] = np.minimum(reference.loc[clipped, "intensity"], top)
    edited = dataclasses.replace(cohort, tics=tics, reference_tics=reference)
    return edited.write(tmp_path_factory.mktemp("study") / "study")


# --- the reader ---------------------------------------------------------------------------


def test_reader_maps_names_units_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffRoi Name;pe (a.u.);WIAUC [a.u. s];RT [s];MTTL [s];TTP [ms];WiR [a.u./s];"
        "WiPI;WoAUC;WiWoAUC;FT [s];WoR;QOF [%];Area\r\n"
        "A-N1;0,31;2,1;6,8;11,3;22000;0,05;0,045;;;;;94,1;1,2\r\n"
    )
    table = read_vuebox_export(path)
    row = table.iloc[0]
    assert (row["node_id"], row["roi"]) == ("A-N1", "node")
    assert row["pe"] == 0.31 and row["wiauc"] == 2.1 and row["mttl"] == 11.3
    assert row["ttp"] == 22.0  # milliseconds to seconds
    assert np.isnan(row["woauc"]) and np.isnan(row["wor"])
    assert list(table.columns) == ["node_id", "roi", *PARAMETER_COLUMNS]


def test_reader_refuses_unknown_names_and_units(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    header = ",".join(["ROI", *(VUEBOX[p] for p in PARAMETER_COLUMNS)])
    row = "A-N1," + ",".join(["1"] * 11) + ",-1"
    path.write_text(header.replace("TTP [s]", "TTP [min]") + ",Perfusion index\n" + row + ",3\n")
    with pytest.raises(DataError) as caught:
        read_vuebox_export(path)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == (
        "export.csv, row 0, column 'TTP [min]': unit 'min' does not fit this parameter; "
        "expected s or ms"
    )
    assert messages[1].startswith(
        "export.csv, row 0, column 'Perfusion index': unknown column: expected a VueBox parameter"
    )


def test_reader_names_a_missing_parameter_and_label(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("PE,TTP,QOF\n0.3,20,90\n")
    with pytest.raises(DataError) as caught:
        read_vuebox_export(path)
    assert [str(p) for p in caught.value.problems] == [
        "export.csv, row 0: the export lacks the parameters wiauc, rt, mttl, wir, wipi, woauc, "
        "wiwoauc, ft, wor",
        "export.csv, row 0: no ROI label column (ROI, ROI name, Region, Label or Name)",
    ]


def test_reader_maps_labels_and_refuses_a_missing_roi(tmp_path: Path) -> None:
    table = fitted_parameters(simulate_cohort(2, seed=3))
    path = vuebox_export(table, tmp_path / "export.csv", european=False)
    text = path.read_text().replace(" ref,", ",", 1)  # a label the map does not know
    mapping = {n: n for n in table["node_id"]}
    path.write_text(text)
    with pytest.raises(DataError, match="ROI label not in the ROI map"):
        read_vuebox_export(path, roi_map={k: k for k in []} | {"x": "y"})
    roi_map = tmp_path / "rois.csv"
    lines = [f"{n},{n},node\n{n} ref,{n},reference\n" for n in mapping]
    roi_map.write_text("label,node_id,roi\n" + "".join(lines))
    with pytest.raises(DataError) as caught:  # the first reference is now a second node row
        read_vuebox_export(path, roi_map=roi_map)
    assert "a second row for node_id" in str(caught.value)
    path.write_text(text.replace(table["node_id"][0], "", 1))
    with pytest.raises(DataError, match="the ROI label must not be empty"):
        read_vuebox_export(path)


def test_reader_refuses_a_positive_wash_out_rate_and_text(tmp_path: Path) -> None:
    table = fitted_parameters(simulate_cohort(2, seed=3))
    table.loc[0, "wor"] = 0.01
    table.loc[1, "qof"] = 12345.678
    path = vuebox_export(table, tmp_path / "export.csv")
    path.write_text(path.read_text().replace("12345,678", "n. a.", 1))
    with pytest.raises(DataError) as caught:
        read_vuebox_export(path)
    assert [str(p) for p in caught.value.problems] == [
        "export.csv, row 2, column 'QOF [%]': value 'n. a.': must be a number (decimal mark ',')",
    ]
    path = vuebox_export(table.replace({"qof": {12345.678: 90.0}}), tmp_path / "export.csv")
    with pytest.raises(DataError) as caught:
        read_vuebox_export(path)
    assert [str(p) for p in caught.value.problems] == [
        "export.csv, row 1, column 'WoR [a.u./s]': value 0.01: must be negative or zero (a slope)"
    ]


# --- the parameter route of analysis_set ----------------------------------------------------


def tables(aset) -> dict[str, pd.DataFrame]:
    roc, points = roc_table(aset)
    return {
        "accuracy": accuracy_table(aset),
        "roc": roc,
        "roc points": points,
        "exclusions": exclusions_table(aset),
    }


def test_round_trip_gives_the_analysis_tables_of_the_curves(study_with_flags, tmp_path) -> None:
    """Curves fitted, exported VueBox-style (``;``, decimal commas), imported: every
    analysis-set table is the same to the last digit."""
    cohort = read_cohort(study_with_flags)
    from_curves = analysis_set(cohort)
    assert (from_curves.nodes["exclusion"] == "curve_flagged").sum() >= 1
    assert from_curves.nodes["ratio_flag"].str.startswith("reference: ").sum() >= 1
    study = tmp_path / "study"
    shutil.copytree(study_with_flags, study)
    (study / "tics.csv").unlink()
    export = vuebox_export(fitted_parameters(cohort), tmp_path / "export.csv")
    assert main(["import-parameters", str(export), "--study", str(study)]) == 0
    imported = read_cohort(study)
    from_parameters = analysis_set(imported)
    assert from_parameters.model is None and repr(from_parameters) == repr(from_curves)
    for name, table in tables(from_curves).items():
        pd.testing.assert_frame_equal(tables(from_parameters)[name], table, check_exact=True)
    columns = ["node_id", *PARAMETER_COLUMNS, "analysable", "pe_ratio", "wipi_ratio", "in_curve"]
    carried = [c for c in columns if c != "analysable"]
    pd.testing.assert_frame_equal(
        from_parameters.nodes[carried], from_curves.nodes[carried], check_exact=True
    )


def test_a_study_with_curves_and_parameters_uses_the_curves_and_says_so(study_with_flags):
    cohort = read_cohort(study_with_flags)
    both = dataclasses.replace(cohort, parameters=fitted_parameters(cohort).iloc[:4])
    with pytest.warns(CohortWarning, match="the curves are fitted and parameters.csv is not used"):
        aset = analysis_set(both)
    assert aset.model == "lognormal" and repr(aset) == repr(analysis_set(cohort))


def test_analysable_rule_of_parameters() -> None:
    table = pd.DataFrame(
        {
            "node_id": ["A", "B", "C", "D", "E"],
            "roi": ["node"] * 5,
            "pe": [0.3, 0.0, 0.3, 0.3, 0.3],
            "ttp": [20.0, 20.0, np.nan, 20.0, 20.0],
            "qof": [90.0, 90.0, 90.0, 60.0, 90.0],
            "woauc": [1.0, 1.0, 1.0, 1.0, 1.0],
            "flag": ["", "", "", "", "motion"],
        }
    )
    fits = parameter_fits(table, min_qof=75)
    assert fits["analysable"].tolist() == [True, False, False, False, False]
    assert fits["flag"].tolist() == [
        "",
        "no peak enhancement",
        "no time to peak",
        "quality of fit below 75%",
        "motion",
    ]
    assert parameter_fits(table)["analysable"].tolist() == [True, False, False, True, False]


# --- the command --------------------------------------------------------------------------


def test_import_refuses_unknown_nodes_and_keeps_the_study(study_with_flags, tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(study_with_flags, study)
    table = fitted_parameters(read_cohort(study)).iloc[:3].copy()
    table.loc[1, "node_id"] = "Z999-N1"
    export = vuebox_export(table, tmp_path / "export.csv")
    assert main(["import-parameters", str(export), "--study", str(study)]) == 1
    err = capsys.readouterr().err
    assert "export.csv, row 2, column 'node_id': value 'Z999-N1': no such node_id" in err
    assert "Traceback" not in err and not (study / "parameters.csv").exists()


def test_import_never_overwrites_a_file_it_did_not_write(study_with_flags, tmp_path, capsys):
    study = tmp_path / "study"
    shutil.copytree(study_with_flags, study)
    export = vuebox_export(fitted_parameters(read_cohort(study)).iloc[:2], tmp_path / "e.csv")
    (study / "parameters.csv").write_text("my own notes\n")
    code = main(["import-parameters", str(export), "--study", str(study), "--force"])
    assert code == 1 and (study / "parameters.csv").read_text() == "my own notes\n"
    assert "parameters.csv" in capsys.readouterr().err


# --- ceuslib fit on a curve file ------------------------------------------------------------


def test_fit_a_wide_curve_file_with_a_reference(tmp_path: Path, capsys) -> None:
    node = simulate_tic(seed=1, fps=2.0)
    muscle = simulate_tic(seed=2, fps=2.0)
    path = tmp_path / "curves.csv"
    frame = pd.DataFrame(
        {"Time [ms]": node.time * 1000, "lesion": node.linear, "muscle": muscle.linear / 2}
    )
    frame.to_csv(path, sep=";", decimal=",", index=False)
    out = tmp_path / "fits.csv"
    argv = ["fit", str(path), "--time-column", "Time [ms]", "--time-unit", "ms"]
    assert main([*argv, "--reference", "muscle", "--out", str(out)]) == 0
    fits = pd.read_csv(out)
    assert fits["curve"].tolist() == ["lesion"] and "pe_ratio" in fits
    alone = read_curve_file(path, time_column="Time [ms]", time_unit="ms")
    direct = fit_cohort_curves(alone.tics)
    assert fits.loc[0, "pe"] == pytest.approx(float(direct.loc[0, "pe"]), rel=1e-5)
    assert direct["node_id"].tolist() == ["lesion", "muscle"]
    expected = float(direct.loc[0, "pe"]) / float(direct.loc[1, "pe"])
    assert fits.loc[0, "pe_ratio"] == pytest.approx(expected, rel=1e-5)
    assert "1 curves fitted (lognormal, ratios to 'muscle')" in capsys.readouterr().out


def test_fit_a_long_curve_file_in_decibels(tmp_path: Path) -> None:
    pieces = []
    for seed in (1, 2):
        tic = simulate_tic(seed=seed, fps=2.0)
        db = 10 * np.log10(np.maximum(tic.linear, 1e-6))
        pieces.append(pd.DataFrame({"curve": f"c{seed}", "time": tic.time, "intensity": db}))
    path = tmp_path / "long.csv"
    pd.concat(pieces).to_csv(path, index=False)
    out = tmp_path / "fits.csv"
    assert main(["fit", str(path), "--intensity-unit", "db", "--out", str(out)]) == 0
    fits = pd.read_csv(out)
    assert fits["curve"].tolist() == ["c1", "c2"] and "pe_ratio" not in fits


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("time,a\n0,1\n1,x\n", [], "curves.csv, row 2, column 'a': value 'x': must be a number"),
        (
            "t,a\n" + "".join(f"{i * 500},{i}\n" for i in range(20)),
            [],
            "the median frame interval is 500 s, outside 0.01 to 10 s; is the time in ms?",
        ),
        (
            "time,a\n" + "".join(f"{i},-{i}\n" for i in range(20)),
            [],
            "a linear intensity cannot be negative",
        ),
        ("frame,a\n0,1\n", [], "curves.csv, row 0: no time column"),
        ("time,a\n" + "".join(f"{i},{i}\n" for i in range(20)), ["--reference", "b"], "no curve"),
    ],
)
def test_fit_refuses_a_bad_curve_file_and_writes_nothing(
    content, options, message, tmp_path, capsys
) -> None:
    path = tmp_path / "curves.csv"
    path.write_text(content)
    out = tmp_path / "fits.csv"
    assert main(["fit", str(path), *options, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_curve_options_are_refused_for_a_study_folder(study_with_flags, tmp_path, capsys):
    out = tmp_path / "fits.csv"
    code = main(["fit", str(study_with_flags), "--time-unit", "ms", "--out", str(out)])
    assert code == 2 and "only for a curve file" in capsys.readouterr().err
    assert not out.exists()
