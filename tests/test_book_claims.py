"""What the chapters say about the shipped data, checked on the shipped data only.

The chapters compute every data-dependent sentence from the data at hand, so that the book
rebuilds on any study.  The shipped book still reads as it did because these tests hold the
shipped synthetic cohort (``ceuslib.datasets.SYNTHETIC_DIR``) to what its pages say; a change
of the simulator that would turn a sentence of the shipped book fails here, not in a study's
build.  Each section names its chapters.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy.optimize import brentq

import ceuslib
from ceuslib.analysis import analysis_set, exclusions_table
from ceuslib.cli import main as ceuslib_command
from ceuslib.cohort import Scenario, data_dictionary, read_cohort, simulate_cohort
from ceuslib.cohort.eligibility import screen, stard_flow
from ceuslib.cohort.scenario_file import read_scenario, with_overrides
from ceuslib.datasets import SYNTHETIC_DIR
from ceuslib.errors import DataError
from ceuslib.report import build_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped():
    return read_cohort(SYNTHETIC_DIR)


@pytest.fixture(scope="module")
def shipped_set(shipped):
    return analysis_set(shipped)


# --- intro, study, data, reproduce ---------------------------------------------------------


def _npv(se: float, sp: float, p: float) -> float:
    return sp * (1 - p) / (sp * (1 - p) + (1 - se) * p)


def test_intro_turns_ning_2025_percentages_back_into_patients() -> None:
    # Ning et al. 2025 (World J Oncol 16:59-69), 41 patients: nodal CR on pathology 53.7%,
    # on CT 12.2%, on MRI 7.3%; the intro prints 22, 5 and 3 of 41, and 17 missed by CT.
    counts = {
        name: round(share * 41) for name, share in (("path", 0.537), ("ct", 0.122), ("mri", 0.073))
    }
    assert counts == {"path": 22, "ct": 5, "mri": 3}
    for share, n in ((0.537, 22), (0.122, 5), (0.073, 3)):
        assert abs(n / 41 - share) < 0.0005
    assert counts["path"] - counts["ct"] == 17


def test_intro_residual_risks_at_the_nodal_prevalence() -> None:
    # By hand: 0.91 * 0.537 / (0.91 * 0.537 + 0.08 * 0.463) = 0.930 (Spiesecke 2022 pooled
    # CEUS) and 0.99 * 0.537 / (0.99 * 0.537 + 0.21 * 0.463) = 0.845 (Sproll 2023); both risks
    # lie below the 20% the intro compares them with, as it says ("Both lie below").
    p = 1 - 0.537
    assert round(_npv(0.92, 0.91, p), 3) == 0.930
    assert round(_npv(0.79, 0.99, p), 3) == 0.845
    assert max(1 - _npv(0.92, 0.91, p), 1 - _npv(0.79, 0.99, p)) < 0.20
    # Exercise 1: 0.08 * 0.30 / (0.08 * 0.30 + 0.91 * 0.70) = 0.036.
    assert round(1 - _npv(0.92, 0.91, 0.30), 3) == 0.036
    # Exercise 2: "just below the pooled pre-treatment 0.92".
    needed = brentq(lambda se: 1 - _npv(se, 0.91, p) - 0.10, 0.5, 1.0)
    assert 0.85 < needed < 0.92


def test_study_eligible_referrals_are_the_enrolled_patients(shipped) -> None:
    result = screen(shipped.screening)
    assert result.n_included == len(shipped.patients)
    assert list(result.included["patient_id"]) == list(shipped.patients["patient_id"])
    per_referral = result.exclusions.groupby("screening_id").size()
    assert (per_referral > 1).sum() > 0  # "... failed more than one criterion"


def test_study_flow_adds_up_and_every_examined_patient_has_pathology(shipped) -> None:
    flow = stard_flow(shipped.screening, shipped.patients, shipped.nodes)
    assert flow.index_test + flow.no_index_test == flow.enrolled
    assert flow.target_positive + flow.target_negative == flow.reference_standard
    assert flow.no_index_test > 1  # "... enrolled patients have no CEUS examination"


def test_study_shipped_cohort_lies_in_the_scenario_bands(shipped) -> None:
    patients = shipped.patients
    pcr = (patients["pcr"] == "yes").mean()
    residual = (patients["residual_nodal_disease"] == "yes").mean()
    # The scenario's pCR at the primary, 0.445, and nodal prevalence, 0.463 (1 - nodal CR
    # 53.7%, Ning 2025), within three binomial standard errors for 100 patients (0.15).
    assert abs(pcr - Scenario().pcr_probability) <= 0.15
    assert abs(residual - Scenario().residual_nodal_prevalence) <= 0.15
    discordant = (patients["pcr"] == "yes") & (patients["residual_nodal_disease"] == "yes")
    assert discordant.sum() > 0  # "patients with a complete response ... still had tumour"


def test_study_matching_as_the_chapter_describes_it(shipped, shipped_set) -> None:
    assert shipped.patients["nodes_dissected"].median() > 3  # "many more" than 1-3 targets
    imaged = shipped_set.nodes[shipped_set.nodes["imaged"]]
    assert imaged.loc[imaged["match_method"] == "unmatched", "viable_tumour"].isna().all()
    assert set(imaged["match_method"]) == {"marked", "level", "unmatched"}
    exclusions = exclusions_table(shipped_set)
    assert len(exclusions) > 0 and (exclusions["in_patient_analysis"] == "yes").any()


def test_data_dictionary_describes_every_shipped_column(shipped) -> None:
    table = data_dictionary()
    described = table[table["file"] != "parameters.csv"]  # the study has curves, no other fits
    assert len(described) == sum(len(t.columns) for t in shipped.tables().values())


def test_data_nodes_shrink_and_sizes_overlap(shipped_set) -> None:
    matched = shipped_set.node_level()
    ratio = matched["short_axis_mm"] / matched["short_axis_pre_mm"]
    by_truth = ratio.groupby(matched["viable_tumour"]).median()
    assert (by_truth < 1).all()  # "shrank by ... in nodes with tumour and ... without"
    quartiles = matched.groupby("viable_tumour")["short_axis_mm"].quantile([0.25, 0.75])
    assert quartiles[("no", 0.75)] >= quartiles[("yes", 0.25)]  # "the ranges overlap"


def test_data_curves_as_the_shipped_chapter_reads(shipped_set) -> None:
    described = shipped_set.curve_level()
    ttp = described.groupby("viable_tumour")["ttp"].median()
    assert ttp["yes"] < ttp["no"]  # "nodes with tumour peaked earlier here"
    free = described["viable_tumour"] == "no"
    group = pd.Series("residual", index=described.index)
    group[free & (described["involved_pre_treatment"] == "yes")] = "regression"
    group[free & (described["involved_pre_treatment"] == "no")] = "never"
    pe = described.groupby(group)["pe"].median()
    assert pe["regression"] < pe["residual"] < pe["never"]  # the order the chapter prints


def test_data_exercise_variant_is_close_to_the_prevalence_asked_for() -> None:
    variant = simulate_cohort(
        100, seed=1, curves=False, scenario=Scenario(residual_nodal_prevalence=0.3)
    )
    assert abs((variant.patients["residual_nodal_disease"] == "yes").mean() - 0.3) < 0.1


def test_data_export_mistakes_are_reported_by_the_reader(shipped, tmp_path: Path) -> None:
    folder = shipped.write(tmp_path / "study")
    for name, column, value in [("nodes.csv", "side", "links"), ("patients.csv", "age", "7")]:
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        table.loc[0, column] = value
        table.to_csv(folder / name, index=False)
    with pytest.raises(DataError) as caught:
        read_cohort(folder)
    assert sorted(p.column for p in caught.value.problems) == ["age", "side"]


# The rehearsal of the reproduce chapter: its scenario file, overrides, size and seed.
REHEARSAL_TOML = "residual_nodal_prevalence = 0.40\nceus_missing_probability = 0.08\n"


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reproduce")
    (folder / "my-study.toml").write_text(REHEARSAL_TOML)
    scenario = with_overrides(read_scenario(folder / "my-study.toml"), signal=0.8)
    simulate_cohort(40, seed=2026, scenario=scenario).write(folder / "study")
    return folder


def _run(*arguments: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return ceuslib_command(list(arguments))


def test_reproduce_rehearsal_reports_without_degenerate_tables(rehearsal) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would print long lines into the chapter
        report = build_report(read_cohort(rehearsal / "study"), n_boot=500, seed=1)
    assert report.roc.sort_values("auc", ascending=False).iloc[0]["descriptor"] == "pe"
    reasons = set(report.exclusions["reason"])
    assert any(r.startswith("not examined with CEUS") for r in reasons)
    assert "not matched to the specimen" in reasons


def test_reproduce_broken_export_gives_three_problems(rehearsal, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    read_cohort(rehearsal / "study").write(broken)
    nodes = pd.read_csv(broken / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[0, "side"] = "L"
    nodes.loc[2, "node_id"] = nodes.loc[1, "node_id"]
    nodes.to_csv(broken / "nodes.csv", index=False)
    with pytest.raises(DataError) as caught:
        read_cohort(broken)
    problems = caught.value.problems
    assert any(p.column == "side" and p.value == "L" for p in problems)
    assert any(p.column == "node_id" and "duplicated" in p.rule for p in problems)
    assert len([p for p in problems if p.file == "tics.csv"]) == 1  # the orphaned curve


def test_reproduce_same_seed_same_bytes_other_seed_same_estimates(rehearsal, tmp_path) -> None:
    study = str(rehearsal / "study")
    for name, seed in (("first", "20261126"), ("again", "20261126"), ("other", "7")):
        assert _run("report", study, "--out", str(tmp_path / name), "--seed", seed) == 0
    for name in ("stard_flow.csv", "decision.csv", "roc.csv", "index.html"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    first = pd.read_csv(tmp_path / "first" / "decision.csv").set_index("measure")
    other = pd.read_csv(tmp_path / "other" / "decision.csv").set_index("measure")
    assert (first["estimate"] == other["estimate"]).all()
    assert (first["ci_high"] - other["ci_high"]).abs().max() > 0
    assert len([p for p in (tmp_path / "first").iterdir() if p.name[0] != "."]) == 12


def test_reproduce_report_refuses_a_folder_it_did_not_create(rehearsal, tmp_path) -> None:
    study, out = str(rehearsal / "study"), str(tmp_path / "report")
    assert _run("report", study, "--out", out) == 0
    assert _run("report", study, "--out", out) == 1
    assert _run("report", study, "--out", out, "--force") == 0
    (tmp_path / "report" / "my-notes.txt").write_text("notes")
    assert _run("report", study, "--out", out, "--force") == 1
    assert (tmp_path / "report" / "my-notes.txt").read_text() == "notes"


def test_reproduce_version_is_the_citation_version() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(citation["version"]) == ceuslib.__version__
