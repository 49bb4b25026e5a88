"""The cohort simulator, its files, reading them back, and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm

from ceuslib.cli import main
from ceuslib.cohort import (
    DEFAULT_PATIENTS,
    DEFAULT_SEED,
    CohortWarning,
    Scenario,
    columns,
    data_dictionary,
    read_cohort,
    simulate_cohort,
)
from ceuslib.cohort.dictionary import FILES
from ceuslib.datasets import SYNTHETIC_DIR
from ceuslib.errors import DataError
from ceuslib.outputs import OutputError

SHIPPED = [*(f for f in FILES if f != "parameters.csv"), "data_dictionary.csv", "datapackage.json"]


@pytest.fixture(scope="module")
def default_cohort():
    return simulate_cohort(DEFAULT_PATIENTS, seed=DEFAULT_SEED)


@pytest.fixture(scope="module")
def large():
    """A large cohort without curves, for checks of the generative model's rates."""
    return simulate_cohort(20000, seed=5, curves=False)


# --- the shipped data --------------------------------------------------------------


def test_shipped_data_regenerate_byte_for_byte(default_cohort, tmp_path: Path) -> None:
    folder = default_cohort.write(tmp_path / "synthetic")
    for name in SHIPPED:
        assert (folder / name).read_bytes() == (SYNTHETIC_DIR / name).read_bytes(), name


def test_the_readme_states_the_command_and_seed() -> None:
    readme = (SYNTHETIC_DIR / "README.md").read_text()
    command = f"ceuslib simulate --patients {DEFAULT_PATIENTS} --seed {DEFAULT_SEED}"
    assert command in readme
    assert "synthetic" in readme.lower() and "not patient data" in readme.lower()


def test_shipped_data_are_small() -> None:
    total = sum((SYNTHETIC_DIR / name).stat().st_size for name in SHIPPED)
    total += (SYNTHETIC_DIR / "README.md").stat().st_size
    assert total < 2_500_000


def test_shipped_cohort_headline_figures(default_cohort) -> None:
    summary = default_cohort.summary()
    assert summary["patients"] == 100
    # The scenario's targets: residual nodal disease in about 46% (Ning et al. 2025), pCR
    # within 37-52% (NCT06727162 registry record).
    assert 0.37 <= summary["pcr_rate"] <= 0.52
    assert 0.40 <= summary["residual_nodal_disease_rate"] <= 0.52
    assert summary["curves"] == summary["ceus_imaged_nodes"]


def test_shipped_data_are_valid() -> None:
    cohort = read_cohort(SYNTHETIC_DIR)
    assert len(cohort.patients) == DEFAULT_PATIENTS


# --- the simulator ------------------------------------------------------------------


def test_same_seed_same_cohort_and_other_seed_another() -> None:
    a, b = simulate_cohort(30, seed=3), simulate_cohort(30, seed=3)
    for name, table in a.tables().items():
        pd.testing.assert_frame_equal(table, b.tables()[name])
    assert not simulate_cohort(30, seed=4).nodes.equals(a.nodes)


def test_turning_curves_off_changes_nothing_else() -> None:
    with_curves, without = simulate_cohort(20, seed=9), simulate_cohort(20, seed=9, curves=False)
    for name in ("screening", "patients", "nodes"):
        pd.testing.assert_frame_equal(getattr(with_curves, name), getattr(without, name))
    assert len(without.tics) == 0 and list(without.tics.columns) == list(columns("tics.csv"))


def test_tables_follow_the_dictionary_column_order(default_cohort) -> None:
    for file, table in default_cohort.tables().items():
        assert list(table.columns) == list(columns(file)), file


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_simulate_cohort_refuses_a_bad_patient_count(bad) -> None:
    with pytest.raises((ValueError, TypeError)):
        simulate_cohort(bad, seed=1)


def test_simulate_cohort_refuses_a_scenario_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="Scenario"):
        simulate_cohort(5, seed=1, scenario={"reader_noise": 0.1})


def test_every_scenario_field_cites_a_source_or_says_assumption() -> None:
    table = Scenario().to_frame()
    assert len(table) >= 40
    # A basis names a publication (with its year), a registry record, the open MITK code,
    # a default of ceuslib.perfusion, a derivation, or says ASSUMPTION.
    cited = table["basis"].str.contains(
        r"ASSUMPTION|[Dd]erived from|\b(?:19|20)\d\d\b|NCT\d{8}|MITK|ceuslib\.perfusion"
    )
    assert cited.all(), table.loc[~cited, "field"].tolist()
    assert table["description"].str.len().gt(10).all()


@pytest.mark.parametrize(
    "change",
    [
        {"reader_noise": 1.5},
        {"residual_nodal_prevalence": -0.1},
        {"target_node_probabilities": (0.5, 0.2, 0.1)},
        {"hilum_probabilities": ((0.5, 0.5, 0.1), (0.1, 0.2, 0.7), (0.8, 0.1, 0.1))},
        {"primary_nodal_correlation": 1.0},
        {"feature_separation": -1.0},
    ],
)
def test_scenario_refuses_impossible_values(change) -> None:
    with pytest.raises(ValueError, match="invalid Scenario"):
        Scenario(**change)


def test_rates_match_the_scenario(large) -> None:
    p = large.patients
    n = len(p)
    s = Scenario()
    se = lambda q: 4 * np.sqrt(q * (1 - q) / n)  # noqa: E731
    residual = (p["residual_nodal_disease"] == "yes").mean()
    pcr = (p["pcr"] == "yes").mean()
    mpr = (p["mpr"] == "yes").mean()
    assert abs(residual - s.residual_nodal_prevalence) < se(0.46)
    assert abs(pcr - s.pcr_probability) < se(0.45)
    assert abs(mpr - s.mpr_probability) < se(0.6)
    # Primary and nodal complete response together: the Gaussian copula's probability.
    rho = s.primary_nodal_correlation
    both = multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf(
        [norm.ppf(s.pcr_probability), norm.ppf(1 - s.residual_nodal_prevalence)]
    )
    observed = ((p["pcr"] == "yes") & (p["residual_nodal_disease"] == "no")).mean()
    assert abs(observed - both) < se(both)


def test_ceus_direction_follows_state_after_reader_noise(large) -> None:
    s = Scenario()
    nodes = large.nodes
    # Marked nodes carry their own pathology, so viable_tumour is the node's state.
    residual = nodes[(nodes["match_method"] == "marked") & (nodes["viable_tumour"] == "yes")]
    readable = residual[residual["ceus_imaged"] == "yes"]
    share = (readable["ceus_direction"] == "centripetal").mean()
    table = np.array(s.direction_probabilities)
    expected = (1 - s.reader_noise) * table[0, 2] + s.reader_noise * table[:, 2].mean()
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / len(readable))


def test_no_separation_makes_features_uninformative() -> None:
    cohort = simulate_cohort(8000, seed=2, curves=False, scenario=Scenario(feature_separation=0.0))
    nodes = cohort.nodes[cohort.nodes["viable_tumour"].notna()]
    shares = nodes.groupby("viable_tumour")["ceus_direction"].apply(
        lambda x: (x == "centripetal").mean()
    )
    assert abs(shares["yes"] - shares["no"]) < 0.04


def test_nodes_cluster_within_patients(large) -> None:
    nodes = large.nodes
    uninvolved = nodes[nodes["involved_pre_treatment"] == "no"]
    twice = uninvolved.groupby("patient_id").filter(lambda g: len(g) == 2)
    sizes = np.log(twice["short_axis_mm"].to_numpy()).reshape(-1, 2)
    correlation = np.corrcoef(sizes[:, 0], sizes[:, 1])[0, 1]
    assert correlation > 0.15  # patient_icc = 0.30 on the latent scale


def test_residual_nodes_are_larger_and_ct_under_calls_response(large) -> None:
    nodes = large.nodes[large.nodes["match_method"] == "marked"]
    medians = nodes.groupby("viable_tumour")["short_axis_mm"].median()
    assert medians["yes"] > medians["no"]
    negative = nodes.groupby("viable_tumour")["ct_mri_call"].apply(
        lambda x: (x == "negative").mean()
    )
    assert negative["no"] < 0.5  # Ning et al. 2025: CT recognises only a small part of responses


def test_curves_peak_earlier_in_residual_nodes(default_cohort) -> None:
    tics = default_cohort.tics
    peak = tics.loc[tics.groupby("node_id")["intensity"].idxmax(), ["node_id", "time_s"]]
    nodes = default_cohort.nodes.merge(peak, on="node_id")
    nodes = nodes[nodes["match_method"] == "marked"]
    medians = nodes.groupby("viable_tumour")["time_s"].median()
    assert medians["yes"] < medians["no"]


# --- writing and reading ------------------------------------------------------------


def test_round_trip(default_cohort, tmp_path: Path) -> None:
    back = read_cohort(default_cohort.write(tmp_path / "c"))
    for name in ("screening", "patients", "nodes"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(default_cohort, name))
    pd.testing.assert_frame_equal(
        back.tics, default_cohort.tics, check_exact=False, atol=5e-6, rtol=0
    )


@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_any_simulated_cohort_is_valid(n, seed, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("c")
    cohort = read_cohort(simulate_cohort(n, seed=seed).write(folder / "c"))
    assert len(cohort.patients) == n


def _export(folder: Path, transform, *, encoding="utf-8") -> None:
    for file in FILES:
        if not (folder / file).exists():  # parameters.csv: a simulated study has curves
            continue
        text = (folder / file).read_text()
        (folder / file).write_bytes(transform(text, file).encode(encoding))


def test_reads_spreadsheet_exports(tmp_path: Path) -> None:
    cohort = simulate_cohort(4, seed=11)
    folder = cohort.write(tmp_path / "c")

    def semicolons(text, file):
        lines = [line.replace(",", ";") for line in text.splitlines()]
        # Decimal commas in every number, as a German or French locale writes them.
        lines = [lines[0]] + [
            ";".join(
                cell.replace(".", ",") if cell.replace(".", "").replace("-", "").isdigit() else cell
                for cell in line.split(";")
            )
            for line in lines[1:]
        ]
        return "\ufeff" + "\r\n".join(lines) + "\r\n\r\n"

    _export(folder, semicolons)
    assert (folder / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    back = read_cohort(folder)
    pd.testing.assert_frame_equal(back.nodes, cohort.nodes)
    pd.testing.assert_frame_equal(back.patients, cohort.patients)


def test_extra_columns_are_kept_with_a_warning(tmp_path: Path) -> None:
    folder = simulate_cohort(3, seed=2).write(tmp_path / "c")
    lines = (folder / "patients.csv").read_text().splitlines()
    lines = [lines[0] + ",hospital_number"] + [line + ",X" for line in lines[1:]]
    (folder / "patients.csv").write_text("\n".join(lines) + "\n")
    with pytest.warns(CohortWarning, match="hospital_number"):
        cohort = read_cohort(folder)
    assert list(cohort.patients["hospital_number"]) == ["X"] * 3


def test_spaces_around_values_are_accepted(tmp_path: Path) -> None:
    cohort = simulate_cohort(3, seed=2)
    folder = cohort.write(tmp_path / "c")
    text = (folder / "patients.csv").read_text().replace(",", " , ")
    (folder / "patients.csv").write_text(text)
    pd.testing.assert_frame_equal(read_cohort(folder).patients, cohort.patients)


def test_many_rows_with_one_problem_are_summarised(tmp_path: Path) -> None:
    folder = simulate_cohort(30, seed=2).write(tmp_path / "c")
    text = (folder / "patients.csv").read_text().replace(",male,", ",man,")
    (folder / "patients.csv").write_text(text)
    with pytest.raises(DataError) as caught:
        read_cohort(folder)
    problems = caught.value.problems
    men = text.count(",man,")
    assert men > 11
    assert len(problems) == 11
    assert str(problems[-1]) == (
        f"patients.csv, column 'sex': {men - 10} more rows break the rule: unknown code; "
        "expected one of female, male"
    )


def test_missing_folder_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not a folder"):
        read_cohort(tmp_path / "nowhere")


def test_every_missing_required_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        read_cohort(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{name}: file is missing from {tmp_path}" for name in ("patients.csv", "nodes.csv")
    ]


def test_write_replaces_only_its_own_earlier_cohort(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    simulate_cohort(3, seed=1).write(folder)
    with pytest.raises(OutputError, match="pass force=True to replace it"):
        simulate_cohort(4, seed=1).write(folder)
    simulate_cohort(4, seed=1).write(folder, force=True)
    assert len(read_cohort(folder).patients) == 4
    (folder / "notes.md").write_text("keep me")
    with pytest.raises(OutputError, match=r"other files \(notes.md\)"):
        simulate_cohort(5, seed=1).write(folder, force=True)
    assert (folder / "notes.md").read_text() == "keep me"
    assert len(read_cohort(folder).patients) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["c"], "a staging folder was left behind"


def test_write_onto_a_file_fails_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "c"
    target.write_text("a file")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        simulate_cohort(2, seed=1).write(target)
    assert [p.name for p in tmp_path.iterdir()] == ["c"]
    assert target.read_text() == "a file"


def test_dictionary_covers_every_file() -> None:
    table = data_dictionary()
    assert set(table["file"]) == set(FILES)
    assert table["description"].str.len().gt(5).all()


# --- the command line -----------------------------------------------------------------


def test_cli_simulate_writes_the_shipped_folder(tmp_path: Path, capsys) -> None:
    """data/synthetic is exactly one output of the command its README names, byte for byte."""
    out = tmp_path / "synthetic"
    code = main(
        [
            "simulate",
            "--patients",
            str(DEFAULT_PATIENTS),
            "--seed",
            str(DEFAULT_SEED),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "synthetic, not patient data" in capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in SYNTHETIC_DIR.iterdir())
    assert names == sorted([*SHIPPED, "README.md", ".ceuslib-output"])
    for name in names:
        assert (out / name).read_bytes() == (SYNTHETIC_DIR / name).read_bytes(), name


def test_cli_validate_accepts_valid_files(capsys) -> None:
    assert main(["validate", str(SYNTHETIC_DIR)]) == 0
    assert "valid" in capsys.readouterr().out


def test_cli_refuses_bad_arguments_with_usage(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["simulate", "--patients", "0", "--out", "x"])
    assert caught.value.code == 2
    assert "expected a number >= 1" in capsys.readouterr().err


def test_cli_cannot_write_reports_one_line(tmp_path: Path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["simulate", "--patients", "2", "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_python_dash_m_gives_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ceuslib", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "patients.csv: file is missing" in result.stderr


def test_importing_ceuslib_does_not_import_matplotlib() -> None:
    code = (
        "import sys, ceuslib, ceuslib.cohort, ceuslib.cohort.eligibility, ceuslib.cli; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- fitting the curves ---------------------------------------------------------------


def test_fit_command_writes_one_row_per_curve(tmp_path: Path, capsys) -> None:
    out = tmp_path / "fits.csv"
    assert main(["fit", str(SYNTHETIC_DIR), "--out", str(out)]) == 0
    fits = pd.read_csv(out)
    tics = read_cohort(SYNTHETIC_DIR).tics
    assert list(fits["node_id"]) == list(pd.unique(tics["node_id"]))
    assert [p.name for p in tmp_path.iterdir()] == ["fits.csv"]
    assert "145 curves fitted" in capsys.readouterr().out


def test_fitted_peaks_are_earlier_in_residual_nodes() -> None:
    from ceuslib.cohort.fitting import fit_cohort_curves

    cohort = read_cohort(SYNTHETIC_DIR)
    fits = cohort.nodes.merge(fit_cohort_curves(cohort.tics), on="node_id")
    medians = fits[fits["match_method"] == "marked"].groupby("viable_tumour")["ttp"].median()
    assert medians["yes"] < medians["no"]  # Dudau et al. 2014: 24.1 s vs 29.3 s


def test_fit_refuses_gray_levels_without_a_dynamic_range(tmp_path: Path, capsys) -> None:
    folder = simulate_cohort(2, seed=1).write(tmp_path / "c")
    text = (folder / "tics.csv").read_text().replace("linear", "gray")
    (folder / "tics.csv").write_text(text)
    (folder / "examinations.csv").unlink()
    assert main(["fit", str(folder), "--out", str(tmp_path / "f.csv")]) == 1
    err = capsys.readouterr().err
    assert "dynamic_range_db in examinations.csv" in err and "linearise them" in err
    assert not (tmp_path / "f.csv").exists()


def test_fit_linearises_gray_levels_with_each_examinations_dynamic_range() -> None:
    from ceuslib.cohort.fitting import acquisition, fit_cohort_curves
    from ceuslib.perfusion import compress

    cohort = simulate_cohort(3, seed=1)
    settings = acquisition(cohort.nodes, cohort.examinations)
    assert (settings["dynamic_range_db"] == 60.0).all()
    gray = cohort.tics.assign(
        intensity=compress(cohort.tics["intensity"].to_numpy(), dynamic_range_db=60.0),
        unit="gray",
    )
    a = fit_cohort_curves(cohort.tics, settings=settings)
    b = fit_cohort_curves(gray, settings=settings)
    np.testing.assert_allclose(a["ttp"], b["ttp"], rtol=0.05)


def test_fit_accepts_decibels_like_linear_units() -> None:
    from ceuslib.cohort.fitting import fit_cohort_curves

    tics = simulate_cohort(2, seed=1).tics
    in_db = tics.assign(intensity=10 * np.log10(tics["intensity"]), unit="db")
    a, b = fit_cohort_curves(tics), fit_cohort_curves(in_db)
    np.testing.assert_allclose(a["ttp"], b["ttp"], rtol=1e-6)


def test_reads_tab_separated_files(tmp_path: Path) -> None:
    cohort = simulate_cohort(3, seed=6)
    folder = cohort.write(tmp_path / "c")
    _export(folder, lambda text, file: text.replace(",", "\t"))
    pd.testing.assert_frame_equal(read_cohort(folder).nodes, cohort.nodes)


def test_numbers_are_written_with_fixed_decimals() -> None:
    from ceuslib.cohort.io import format_table

    frame = pd.DataFrame(
        {
            "node_id": ["A-N1", "A-N1", "A-N1"],
            "time_s": [0.0, 0.04, 1e-9],
            "intensity": [-1e-9, np.nan, 2.0 / 3.0],
            "unit": ["linear"] * 3,
        }
    )
    lines = format_table(frame, "tics.csv").splitlines()
    # No negative zero, an empty cell for a missing value, time to one decimal.
    assert lines[1:] == [
        "A-N1,0.0,0.00000,linear",
        "A-N1,0.0,,linear",
        "A-N1,0.0,0.66667,linear",
    ]


def test_format_table_names_missing_columns() -> None:
    from ceuslib.cohort.io import format_table

    with pytest.raises(ValueError, match="time_s"):
        format_table(pd.DataFrame({"node_id": ["A"]}), "tics.csv")


def test_seed_may_be_a_generator_but_not_none() -> None:
    a = simulate_cohort(5, seed=np.random.default_rng(8), curves=False)
    b = simulate_cohort(5, seed=np.random.default_rng(8), curves=False)
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    with pytest.raises(ValueError, match="seed"):
        simulate_cohort(5, seed=None)
