"""The protocol-complete format: optional files and columns, the Frictionless Data Package,
the protocol records the simulator fills, reference ratios, and the commands that write them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import numpy as np
import pandas as pd
import pytest

from ceuslib.analysis import analysis_set
from ceuslib.cli import main
from ceuslib.cohort import Scenario, data_dictionary, read_cohort, simulate_cohort
from ceuslib.cohort.datapackage import datapackage_json
from ceuslib.cohort.dictionary import FILE_SPECS, FILES, REQUIRED_FILES, columns
from ceuslib.cohort.eligibility import stard_flow
from ceuslib.cohort.fitting import acquisition, fit_cohort_curves
from ceuslib.cohort.protocol import START_DATE
from ceuslib.cohort.protocol_rules import CEUS_FIELDS, intervals
from ceuslib.cohort.scenario_file import scenario_toml
from ceuslib.datasets import SYNTHETIC_DIR
from ceuslib.perfusion import fit_tics

OLD_FILES = ("screening.csv", "patients.csv", "nodes.csv", "tics.csv")


@pytest.fixture(scope="module")
def shipped():
    return read_cohort(SYNTHETIC_DIR)


def _old_format(source: Path, folder: Path) -> Path:
    """A copy of a cohort folder in the format before the protocol records."""
    folder.mkdir()
    old = {
        "patients.csv": ["naci_end_date", "ceus_date", "surgery_date"],
        "nodes.csv": ["exam_id", "ceus_reading_basis", "ceus_reader_id", "marking"],
        "tics.csv": ["roi"],
    }
    for name in OLD_FILES:
        table = pd.read_csv(source / name, dtype=str, keep_default_na=False)
        if name == "tics.csv":
            table = table[table["roi"] == "node"]
        table.drop(columns=old.get(name, [])).to_csv(folder / name, index=False)
    return folder


# --- the dictionary and its Data Package --------------------------------------------------


def test_every_column_says_whether_it_may_be_left_out() -> None:
    table = data_dictionary()
    assert set(table["presence"]) == {"required", "optional"}
    optional = set(table.loc[table["presence"] == "optional", "column"])
    assert {"doppler_pattern", "depth_mm", "roi", "naci_end_date", "marking"} <= optional
    assert set(REQUIRED_FILES) == {"patients.csv", "nodes.csv"}
    assert set(FILE_SPECS) == set(FILES) == set(table["file"])


def test_indeterminate_is_a_code_of_every_ceus_reading_field() -> None:
    for file in ("nodes.csv", "readings.csv"):
        for name in CEUS_FIELDS:
            assert columns(file)[name].categories[-1] == "indeterminate"


def test_the_shipped_datapackage_is_generated_from_the_dictionary() -> None:
    shipped = [f for f in FILES if f != "parameters.csv"]  # a study with curves has no other fits
    present = {file: list(pd.read_csv(SYNTHETIC_DIR / file, nrows=0).columns) for file in shipped}
    assert present == {file: list(columns(file)) for file in shipped}
    text = (SYNTHETIC_DIR / "datapackage.json").read_text()
    assert text == datapackage_json(present)
    package = json.loads(text)
    fields = {(r["path"], f["name"]) for r in package["resources"] for f in r["schema"]["fields"]}
    table = data_dictionary()
    table = table[table["file"] != "parameters.csv"]
    assert fields == set(table[["file", "column"]].itertuples(index=False))


def test_frictionless_validates_the_shipped_cohort() -> None:
    report = frictionless.validate(SYNTHETIC_DIR / "datapackage.json")
    errors = [e.message for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]


def test_frictionless_finds_what_the_schema_states(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    shutil.copytree(SYNTHETIC_DIR, folder)
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    nodes = nodes.drop(columns=["doppler_pattern", "depth_mm"])  # optional: may be left out
    nodes.loc[0, "side"] = "up"
    nodes.loc[1, "patient_id"] = "P999"
    nodes.to_csv(folder / "nodes.csv", index=False)
    patients = pd.read_csv(folder / "patients.csv", dtype=str, keep_default_na=False)
    patients.loc[0, "age"] = "7"
    patients.loc[1, "surgery_date"] = "19.02.2025"
    patients.to_csv(folder / "patients.csv", index=False)
    report = frictionless.validate(folder / "datapackage.json")
    found = sorted((task.name, e.type) for task in report.tasks for e in task.errors)
    assert found == [
        ("nodes", "constraint-error"),
        ("nodes", "foreign-key"),
        ("patients", "constraint-error"),
        ("patients", "type-error"),
    ]


# --- old files, optional files and columns ------------------------------------------------


def test_files_of_the_format_before_the_protocol_records_still_validate(
    shipped, tmp_path: Path
) -> None:
    old = read_cohort(_old_format(SYNTHETIC_DIR, tmp_path / "old"))
    for name in ("screening", "patients", "nodes"):
        theirs = getattr(shipped, name)
        mine = getattr(old, name)
        kept = [c for c in mine.columns if mine[c].notna().any()]
        pd.testing.assert_frame_equal(mine[kept], theirs[kept])
    assert old.patients["ceus_date"].isna().all() and old.nodes["marking"].isna().all()
    assert (old.tics["roi"] == "node").all() and old.reference_tics is None
    assert old.neck_sides is None and old.readings is None and old.examinations is None
    pd.testing.assert_frame_equal(old.tics, shipped.tics)


def test_a_study_of_patients_and_nodes_alone_is_analysed(tmp_path: Path) -> None:
    cohort = simulate_cohort(30, seed=7, curves=False)
    folder = tmp_path / "study"
    folder.mkdir()
    cohort.patients.drop(columns=["naci_end_date", "ceus_date", "surgery_date"]).to_csv(
        folder / "patients.csv", index=False
    )
    cohort.nodes.drop(columns=["doppler_pattern", "depth_mm"]).to_csv(
        folder / "nodes.csv", index=False
    )
    back = read_cohort(folder)
    assert back.screening is None and len(back.tics) == 0
    assert back.nodes["doppler_pattern"].isna().all() and back.nodes["depth_mm"].isna().all()
    assert repr(back).startswith("Cohort(no screening log, 30 patients")
    flow = stard_flow(back.screening, back.patients, back.nodes)
    assert flow.referred is None and flow.to_frame()["box"].iloc[0] == "Enrolled"
    aset = analysis_set(back)
    assert aset.model is None and aset.patients["ceus_to_surgery_days"].isna().all()
    assert aset.nodes["side_residual"].isna().all()
    full = analysis_set(cohort)
    np.testing.assert_array_equal(aset.calls("patient"), full.calls("patient"))


def test_a_cohort_without_curves_writes_no_tics_file(tmp_path: Path) -> None:
    folder = simulate_cohort(3, seed=2, curves=False).write(tmp_path / "c")
    assert not (folder / "tics.csv").exists()
    package = json.loads((folder / "datapackage.json").read_text())
    assert "tics.csv" not in [r["path"] for r in package["resources"]]
    assert len(read_cohort(folder).tics) == 0


def test_every_file_round_trips(tmp_path: Path) -> None:
    cohort = simulate_cohort(6, seed=4)
    back = read_cohort(cohort.write(tmp_path / "c"))
    for name in ("screening", "patients", "nodes", "neck_sides", "readers", "readings"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(cohort, name))
    pd.testing.assert_frame_equal(back.examinations, cohort.examinations, atol=5e-6)
    pd.testing.assert_frame_equal(back.reference_tics, cohort.reference_tics, atol=5e-6)
    assert back.patients["ceus_date"].dtype == "datetime64[s]"


# --- what the simulator fills ---------------------------------------------------------------


def test_dates_follow_the_protocol_on_the_registry_calendar(shipped) -> None:
    patients = shipped.patients
    assert patients["naci_end_date"].min() >= pd.Timestamp(str(START_DATE))
    days = intervals(patients)
    examined = patients["ceus_date"].notna().to_numpy()
    assert (days["naci_to_ceus_days"][examined] > 0).all()
    assert days["ceus_to_surgery_days"][examined].between(1, 10).all()
    assert days["naci_to_surgery_days"].between(21, 42).all()
    imaged = set(shipped.nodes.loc[shipped.nodes["ceus_imaged"] == "yes", "patient_id"])
    assert set(patients.loc[examined, "patient_id"]) == imaged


def test_sides_add_up_to_the_patient_and_hold_the_positive_nodes(shipped) -> None:
    sides = shipped.neck_sides
    totals = sides.groupby("patient_id")[["nodes_examined", "nodes_positive"]].sum()
    patients = shipped.patients.set_index("patient_id")
    assert (totals["nodes_examined"] == patients["nodes_dissected"]).all()
    assert (totals["nodes_positive"] == patients["nodes_positive"]).all()
    aset = analysis_set(shipped)
    tumour = aset.nodes["viable_tumour"] == "yes"
    assert aset.nodes.loc[tumour, "side_residual"].all()
    assert aset.nodes.loc[aset.nodes["matched"], "side_dissected"].all()


def test_the_primary_reading_is_reader_r1s_first_session(shipped) -> None:
    first = shipped.readings[
        (shipped.readings["reader_id"] == "R1") & (shipped.readings["session"] == 1)
    ]
    imaged = shipped.nodes[shipped.nodes["ceus_imaged"] == "yes"]
    assert (imaged["ceus_reader_id"] == "R1").all()
    np.testing.assert_array_equal(
        first[list(CEUS_FIELDS)].to_numpy(dtype=object),
        imaged[list(CEUS_FIELDS)].to_numpy(dtype=object),
    )


def test_readers_disagree_as_the_scenario_says() -> None:
    cohort = simulate_cohort(4000, seed=8, curves=False)
    readings = cohort.readings.pivot_table(
        index="node_id", columns=["reader_id", "session"], values="ceus_direction", aggfunc="first"
    )
    inter = (readings[("R1", 1)] == readings[("R2", 1)]).mean()
    intra = (readings[("R1", 1)] == readings[("R1", 2)]).mean()
    unsure = (cohort.readings["ceus_direction"] == "indeterminate").mean()
    # reader_noise 0.15 of the codes are redrawn from the pooled distribution (about half of
    # them land on the same code), then 2% of R2's fields are indeterminate
    assert 0.85 < inter < 0.93 and 0.93 < intra < 0.97 and 0.004 < unsure < 0.01


def test_reference_ratios_divide_the_fits_of_the_two_regions() -> None:
    cohort = simulate_cohort(3, seed=5)
    fits = fit_cohort_curves(cohort.tics, reference=cohort.reference_tics)
    reference = cohort.reference_tics
    for row in fits.itertuples():
        curve = reference[reference["node_id"] == row.node_id]
        ref = fit_tics(
            curve["time_s"].to_numpy(float), curve["intensity"].to_numpy(float)[None, :]
        ).iloc[0]
        assert row.pe_ratio == pytest.approx(row.pe / ref["pe"], rel=1e-9)
        assert row.wiauc_ratio == pytest.approx(row.wiauc / ref["wiauc"], rel=1e-9)
    without = fit_cohort_curves(cohort.tics)
    assert (
        without["pe_ratio"].isna().all() and (without["ratio_flag"] == "no reference curve").all()
    )
    pd.testing.assert_frame_equal(
        without.drop(
            columns=[
                "pe_ratio",
                "wiauc_ratio",
                "woauc_ratio",
                "wiwoauc_ratio",
                "wir_ratio",
                "wor_ratio",
                "wipi_ratio",
                "ratio_flag",
            ]
        ),
        fits.drop(
            columns=[
                "pe_ratio",
                "wiauc_ratio",
                "woauc_ratio",
                "wiwoauc_ratio",
                "wir_ratio",
                "wor_ratio",
                "wipi_ratio",
                "ratio_flag",
            ]
        ),
    )


def test_the_examinations_display_settings_leave_the_shipped_fits_unchanged(shipped) -> None:
    settings = acquisition(shipped.nodes, shipped.examinations)
    assert set(settings["saturation_level"].dropna()) == {1.0}
    plain = fit_cohort_curves(shipped.tics)
    declared = fit_cohort_curves(shipped.tics, settings=settings)
    pd.testing.assert_frame_equal(plain, declared)


# --- the commands -----------------------------------------------------------------------------


def test_simulate_no_curves_writes_every_file_but_tics(tmp_path: Path, capsys) -> None:
    out = tmp_path / "c"
    assert (
        main(["simulate", "--patients", "5", "--seed", "3", "--no-curves", "--out", str(out)]) == 0
    )
    assert "0 curves" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.csv")) == sorted(
        [f for f in FILES if f not in ("tics.csv", "parameters.csv")] + ["data_dictionary.csv"]
    )
    assert "--seed 3 --no-curves --out FOLDER" in (out / "README.md").read_text()
    assert len(read_cohort(out).tics) == 0


def test_simulate_reads_a_scenario_file_and_overrides_and_records_them(
    tmp_path: Path, capsys
) -> None:
    scenario = tmp_path / "pilot.toml"
    scenario.write_text("residual_nodal_prevalence = 0.3\nreader_noise = 0.2\n")
    out = tmp_path / "c"
    argv = ["simulate", "--patients", "8", "--seed", "4", "--scenario", str(scenario)]
    argv += ["--signal", "0.5", "--nodes-per-patient", "2", "--out", str(out)]
    assert main(argv) == 0
    readme = (out / "README.md").read_text()
    assert f"--scenario {scenario} --signal 0.5 --nodes-per-patient 2 --out FOLDER" in readme
    for line in (
        "residual_nodal_prevalence = 0.3",
        "feature_separation = 0.5",
        "reader_noise = 0.2",
        "target_node_probabilities = [0.0, 1.0, 0.0]",
    ):
        assert line in readme
    expected = simulate_cohort(
        8,
        seed=4,
        scenario=Scenario(
            residual_nodal_prevalence=0.3,
            reader_noise=0.2,
            feature_separation=0.5,
            target_node_probabilities=(0.0, 1.0, 0.0),
        ),
    ).write(tmp_path / "api")
    for name in FILES:
        if name == "parameters.csv":  # a simulated study has curves, no other program's fits
            continue
        assert (out / name).read_bytes() == (expected / name).read_bytes(), name


@pytest.mark.parametrize(
    "option", [["--prevalence", "1.5"], ["--signal", "-1"], ["--nodes-per-patient", "4"]]
)
def test_simulate_refuses_an_impossible_override(option, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["simulate", *option, "--out", str(tmp_path / "c")])
    assert caught.value.code == 2
    assert not (tmp_path / "c").exists()


def test_simulate_names_a_scenario_file_with_problems(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("residual_prevalence: 0.3\n")
    assert main(["simulate", "--scenario", str(scenario), "--out", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert f"{scenario}: unknown field 'residual_prevalence'" in err and "Traceback" not in err
    assert not (tmp_path / "c").exists()


def test_scenario_command_writes_the_defaults_under_the_output_contract(
    tmp_path: Path, capsys
) -> None:
    out = tmp_path / "default.toml"
    assert main(["scenario", "--out", str(out)]) == 0
    assert out.read_text() == scenario_toml()
    assert main(["scenario", "--out", str(out)]) == 1  # its own file: only with --force
    assert "--force" in capsys.readouterr().err
    assert main(["scenario", "--out", str(out), "--force"]) == 0
    mine = tmp_path / "mine.toml"
    mine.write_text("residual_nodal_prevalence = 0.3\n")
    assert main(["scenario", "--out", str(mine), "--force"]) == 1
    assert mine.read_text() == "residual_nodal_prevalence = 0.3\n"
    simulated = tmp_path / "c"
    assert (
        main(["simulate", "--patients", "3", "--scenario", str(out), "--out", str(simulated)]) == 0
    )
    assert "differs from" not in (simulated / "README.md").read_text()


def test_fit_counts_curves_left_out_apart_from_notes(tmp_path: Path, capsys) -> None:
    out = tmp_path / "fits.csv"
    assert main(["fit", str(SYNTHETIC_DIR), "--out", str(out)]) == 0
    message = capsys.readouterr().out
    fits = pd.read_csv(out, keep_default_na=False)
    left_out = int((fits["analysable"].astype(str) == "False").sum())
    notes = int(((fits["flag"] != "") & (fits["analysable"].astype(str) == "True")).sum())
    assert f"{len(fits)} curves fitted (lognormal): {left_out} not analysable, {notes} " in message
    assert "pe_ratio" in fits and fits["pe_ratio"].astype(float).notna().mean() > 0.9


def test_a_cohort_without_any_ceus_examination_writes_no_empty_records(tmp_path: Path) -> None:
    cohort = simulate_cohort(1, seed=96)  # its one patient had no CEUS
    assert (cohort.nodes["ceus_imaged"] == "no").all()
    assert cohort.readings is None and cohort.examinations is None
    folder = cohort.write(tmp_path / "c")
    assert not (folder / "readings.csv").exists() and not (folder / "tics.csv").exists()
    assert len(read_cohort(folder).patients) == 1
