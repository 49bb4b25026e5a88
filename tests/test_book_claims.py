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

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from scipy.optimize import brentq

import ceuslib
from ceuslib import accuracy as acc
from ceuslib.analysis import (
    CEUS_READING,
    CT_MRI_READING,
    analysis_set,
    exclusions_table,
    primary_score,
    score_values,
    side_level,
)
from ceuslib.cli import main as ceuslib_command
from ceuslib.cohort import Scenario, data_dictionary, read_cohort, simulate_cohort
from ceuslib.cohort.eligibility import screen, stard_flow
from ceuslib.cohort.scenario_file import read_scenario, with_overrides
from ceuslib.datasets import SYNTHETIC_DIR
from ceuslib.decision import (
    bootstrap_cutpoint,
    choose_cutpoint,
    decision_curve,
    detectable_residual_risk,
    evaluate_policy,
    fit_risk_model,
    patient_table,
    peak_enhancement,
    prevalence_shift,
)
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


# --- accuracy, decision ------------------------------------------------------------------
# The two statistics chapters word every data-dependent sentence from the data; these tests
# hold the shipped cohort to the wording its pages print, and check the statements about
# methods that the chapters make with fixed words.

PREV_NODAL, PREV_PCR = 1 - 0.537, 1 - 0.37  # Ning 2025 nodal CR; Cao 2025 pooled pCR


def _coverage(method: str, n: int, true_p: np.ndarray) -> np.ndarray:
    x = np.arange(n + 1)
    low, high = acc.proportion_ci(x, np.full_like(x, n), method=method)
    inside = (low[None, :] <= true_p[:, None]) & (true_p[:, None] <= high[None, :])
    return (stats.binom.pmf(x[None, :], n, true_p[:, None]) * inside).sum(axis=1)


def test_accuracy_wald_interval_under_covers_near_full_sensitivity() -> None:
    true_se = np.linspace(0.50, 0.995, 400)
    high = true_se >= 0.85
    wald, wilson = _coverage("wald", 20, true_se), _coverage("wilson", 20, true_se)
    assert wald[high].mean() < 0.90  # "only ... of the time on average"
    assert true_se[np.argmin(wald)] >= 0.85  # "at worst" refers to that range
    assert abs(wilson.mean() - 0.95) < 0.015
    assert _coverage("clopper-pearson", 20, true_se).min() >= 0.95 - 1e-12  # "never falls below"
    # The exact coverage agrees with a seeded simulation (Wald, Se = 0.9, n = 20).
    draws = np.random.default_rng(2026).binomial(20, 0.9, size=20_000)
    low, upper = acc.proportion_ci(draws, np.full_like(draws, 20), method="wald")
    exact = _coverage("wald", 20, np.array([0.9]))[0]
    simulated = np.mean((low <= 0.9) & (0.9 <= upper))
    assert abs(simulated - exact) < 4 * np.sqrt(exact * (1 - exact) / draws.size)


def _metrics(aset, level: str, reading=CEUS_READING):
    cells = acc.confusion_counts(aset.truth(level), aset.calls(level, reading))
    return cells, acc.diagnostic_metrics(**cells)


def test_accuracy_node_and_patient_tables_read_as_the_shipped_chapter(shipped_set) -> None:
    _, node = _metrics(shipped_set, "node")
    width = node.loc["sensitivity", "ci_high"] - node.loc["sensitivity", "ci_low"]
    assert width > 0.10  # "more than ten percentage points wide"
    cells, patient = _metrics(shipped_set, "patient")
    # "The sensitivity per neck is higher than ... and the specificity ... lower than"
    assert patient.loc["sensitivity", "estimate"] > node.loc["sensitivity", "estimate"] + 0.005
    assert patient.loc["specificity", "estimate"] < node.loc["specificity", "estimate"] - 0.005
    at = acc.predictive_values(**cells, prevalence=[PREV_NODAL, PREV_PCR])
    assert at.loc[0, "npv"] > at.loc[1, "npv"]  # the NPV falls as the prevalence rises
    assert 1 - at.loc[1, "npv_high"] > 0.20  # at 63% the risk is "above" 20%
    grid = acc.predictive_values(**cells, prevalence=np.linspace(0.01, 0.99, 981))
    assert grid.loc[grid["npv"] >= 0.90, "prevalence"].max() < PREV_NODAL  # exercise 2: "below"


def test_accuracy_primary_parameter_beats_size_on_the_shipped_nodes(shipped_set) -> None:
    primary = primary_score(shipped_set)
    assert primary.column == "pe_ratio"
    curves = shipped_set.curve_level()
    test = acc.clustered_delong_test(
        curves["truth"].astype(bool),
        curves["pe_ratio"],
        curves["short_axis_mm"],
        curves["patient_id"],
        direction=("higher", "higher"),
    )
    assert test.ci_low > 0  # "the primary parameter is better than the short axis"
    design = acc.clustered_roc_auc(curves["truth"].astype(bool), curves["pe_ratio"],
                                   curves["patient_id"]).design_effect  # fmt: skip
    assert 0.7 < design < 1.3  # "a ratio near or even below 1 is sampling noise"


def test_accuracy_ceus_against_ct_mri_as_the_rehearsal_reads(shipped_set) -> None:
    nodes = shipped_set.node_level()
    y = shipped_set.truth("node")
    assert nodes["ct_mri_call"].isin(["positive", "negative"]).all()
    paired = acc.compare_binary_tests(
        y, shipped_set.calls("node"), shipped_set.calls("node", CT_MRI_READING)
    )
    assert paired.loc["specificity", "ci_low"] > 0  # CEUS specificity "higher than"
    assert paired.loc["sensitivity", "ci_high"] < 0  # CEUS sensitivity "lower than"


def test_accuracy_shipped_cohort_has_no_indeterminate_reading(shipped_set) -> None:
    table = shipped_set.index_test_results("node")
    assert table.loc["indeterminate", "total"] == 0  # "With none, the three tables coincide"


def test_accuracy_ignoring_clustering_under_covers_in_the_chapter_simulation() -> None:
    # The chapter's seeded experiment: 500 studies of 40 patients with 6 nodes each.
    def sample(rng, n_patients, per_patient):
        effect = np.repeat(rng.normal(size=n_patients), per_patient)
        truth = rng.random(effect.size) < 1 / (1 + np.exp(-2.0 * effect))
        score = 1.0 * truth + 1.0 * effect + rng.normal(size=effect.size)
        return truth, score, np.repeat(np.arange(n_patients), per_patient)

    rng = np.random.default_rng(20240813)
    big_truth, big_score, _ = sample(rng, 200_000, 1)
    true_auc = acc.roc_auc(big_truth, big_score).auc
    naive = clustered = 0
    effects = []
    for _ in range(500):
        truth, score, cluster = sample(rng, 40, 6)
        a, b = acc.roc_auc(truth, score), acc.clustered_roc_auc(truth, score, cluster)
        naive += a.ci_low <= true_auc <= a.ci_high
        clustered += b.ci_low <= true_auc <= b.ci_high
        effects.append(b.design_effect)
    mc_se = np.sqrt(0.95 * 0.05 / 500)
    assert naive / 500 < 0.95 - 2 * mc_se  # "contained the true AUC in only ..."
    assert abs(clustered / 500 - 0.95) < 3 * mc_se  # "close to the nominal 95%"
    assert np.median(effects) > 1.1


@pytest.fixture(scope="module")
def decision_data(shipped, shipped_set):
    table = patient_table(shipped.patients, shipped.nodes)
    values = score_values(shipped_set, primary_score(shipped_set))
    table["score"] = values.groupby("patient_id")["score"].max()
    analysed = table.dropna(subset=["score"])
    return analysed, analysed["residual"].to_numpy().astype(int), analysed["score"].to_numpy()


def test_decision_cutpoints_as_the_shipped_chapter_reads(decision_data) -> None:
    _, y, score = decision_data
    plain = choose_cutpoint(y, score, rule="min_sensitivity", target=0.90)
    bound = choose_cutpoint(y, score, rule="min_sensitivity_lcb", target=0.90)
    youden = choose_cutpoint(y, score, rule="youden")
    se_low, _ = acc.proportion_ci(plain.tp, plain.tp + plain.fn)
    assert plain.sensitivity >= 0.90 > se_low  # "reaches below 0.90"
    assert bound.cutpoint < plain.cutpoint and bound.specificity < plain.specificity
    assert youden.sensitivity >= 0.90  # "Here it happens to meet the target"
    assert plain.npv > 0.80
    boot = bootstrap_cutpoint(y, score, rule="min_sensitivity", target=0.90,
                              n_resamples=2000, seed=20261126)  # fmt: skip
    perf = boot.performance
    assert perf.loc["sensitivity", "optimism"] > 0
    assert perf.loc["sensitivity", "corrected"] < 0.90 <= perf.loc["sensitivity", "apparent"]
    assert boot.cutpoint_ci[0] < boot.estimate.cutpoint <= boot.cutpoint_ci[1]
    assert boot.n_failed == 0


def test_decision_net_benefit_and_policy_as_the_shipped_chapter_reads(decision_data) -> None:
    analysed, y, score = decision_data
    boot = bootstrap_cutpoint(y, score, rule="min_sensitivity", target=0.90,
                              n_resamples=2000, seed=20261126)  # fmt: skip
    dissect = score >= boot.estimate.cutpoint
    features = analysed[["score", "ceus_suspicion", "max_short_axis_mm", "hilum_absent"]].copy()
    features["score"] = np.log(features["score"])
    model = fit_risk_model(features, y, n_resamples=200, seed=1)
    assert model.n_failed == 0 and model.performance.loc["auc", "optimism"] > 0
    curve = decision_curve(
        y,
        {"CEUS rule": dissect.astype(float), "model": model.predict_risk(features)},
        np.arange(5, 21) / 100,
        n_resamples=1000,
        seed=2,
    )
    table = curve.table.set_index(["threshold", "strategy"])
    rule_20, rule_10 = table.loc[(0.20, "CEUS rule")], table.loc[(0.10, "CEUS rule")]
    assert rule_20.net_benefit > table.loc[(0.20, "dissect all"), "net_benefit"] > 0
    assert rule_10.avoided_per_100 < rule_20.avoided_per_100  # "the reduction shrinks"
    assert rule_20.avoided_ci_low <= 0 and rule_10.avoided_ci_low <= 0  # "neither excludes"
    policy = evaluate_policy(y, dissect=dissect, residual_nodes=analysed["nodes_positive"],
                             n_resamples=2000, seed=3)  # fmt: skip
    t = policy.table
    assert t.loc["risk_if_observed", "ci_high"] > 0.10  # "cannot show ... below 10%"
    assert t.loc["residual_patients_left", "estimate"] < t.loc["dissections_avoided", "estimate"]
    band = prevalence_shift(policy, np.linspace(0.30, 0.75, 46)).sort_values("prevalence")
    assert np.all(np.diff(band["risk_if_observed"]) > 0)  # the risk rises with prevalence


def test_decision_sides_and_sample_size_as_the_shipped_chapter_reads(shipped_set) -> None:
    sides = side_level(shipped_set)
    assert len(sides) > 0 and sides["residual"].any() and (~sides["residual"]).any()
    share = (~sides["positive"]).mean()
    bound = detectable_residual_risk(round(200 * share), 0.05, cluster_size=2, icc=0.3)
    assert 0.10 < bound < 0.20  # "enough to show ... below 20%, not below 10%"


def test_decision_simulated_model_flatters_itself() -> None:
    def inputs(cohort):
        t = patient_table(cohort.patients, cohort.nodes, peak=peak_enhancement(cohort.tics))
        t = t.dropna(subset=["max_peak"])
        x = t[["max_peak", "ceus_suspicion", "max_short_axis_mm", "hilum_absent"]].copy()
        x["max_peak"] = np.log(x["max_peak"])
        return x, t["residual"].to_numpy()

    from ceuslib.decision import calibration_slope_intercept

    x_study, y_study = inputs(simulate_cohort(100, seed=7))
    x_new, y_new = inputs(simulate_cohort(2000, seed=8))
    model = fit_risk_model(x_study, y_study, n_resamples=200, seed=9)
    risk = model.predict_risk(x_new)
    perf = model.performance
    assert acc.roc_auc(y_new, risk).auc < perf.loc["auc", "apparent"]
    assert perf.loc["auc", "corrected"] < perf.loc["auc", "apparent"]
    assert perf.loc["calibration_slope", "corrected"] < 1
    assert calibration_slope_intercept(y_new, risk).slope < 1  # "too extreme"
    assert abs(perf.loc["calibration_slope", "apparent"] - 1) < 1e-3
