"""The analysis set: which nodes and patients enter each analysis, and why not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ceuslib.analysis import (
    CEUS_READING,
    REASONS,
    accuracy_table,
    analysis_set,
    exclusions_table,
    roc_table,
)
from ceuslib.cohort import Cohort, simulate_cohort
from ceuslib.cohort.fitting import fit_cohort_curves


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return simulate_cohort(60, seed=21)


@pytest.fixture(scope="module")
def fits(cohort) -> pd.DataFrame:
    return fit_cohort_curves(cohort.tics)


def test_populations_are_nested_and_counted_by_hand(cohort, fits) -> None:
    aset = analysis_set(cohort, fits=fits)
    nodes = cohort.nodes
    imaged = nodes["ceus_imaged"] == "yes"
    matched = nodes["viable_tumour"].isin(["yes", "no"]) & (nodes["match_method"] != "unmatched")
    assert aset.nodes["in_node"].sum() == (imaged & matched).sum()
    assert (aset.nodes["in_curve"] <= aset.nodes["in_node"]).all()
    patients_with_ceus = set(nodes.loc[imaged, "patient_id"])
    assert set(aset.patient_level().index) == patients_with_ceus
    # Every node outside the curve set is listed once, with a known reason.
    excluded = aset.exclusions()
    assert len(excluded) == int((~aset.nodes["in_curve"]).sum())
    assert set(excluded["reason"]) <= set(REASONS)
    assert excluded["node_id"].is_unique


def test_patient_call_is_positive_when_any_examined_node_is(cohort, fits) -> None:
    aset = analysis_set(cohort, fits=fits)
    imaged = cohort.nodes[cohort.nodes["ceus_imaged"] == "yes"]
    direct = imaged.groupby("patient_id")["ceus_direction"].agg(
        lambda s: bool((s == "centripetal").any())
    )
    calls = pd.Series(aset.calls("patient"), index=aset.patient_level().index)
    assert calls.to_dict() == direct.loc[calls.index].to_dict()


def test_a_flagged_curve_leaves_the_curve_set_with_its_reason(cohort, fits) -> None:
    target = fits["node_id"].iloc[0]
    flagged = fits.copy()
    flagged.loc[0, "flag"] = "clipped or saturated"
    if "analysable" in flagged:
        flagged.loc[0, "analysable"] = False
    else:
        flagged.loc[0, "converged"] = False
    aset = analysis_set(cohort, fits=flagged)
    row = aset.nodes.set_index("node_id").loc[target]
    assert not row["in_curve"]
    excluded = aset.exclusions().set_index("node_id")
    if row["in_node"]:
        assert excluded.loc[target, "reason"] == "curve_flagged"
        assert "clipped or saturated" in excluded.loc[target, "detail"]
        table = exclusions_table(aset).set_index("node_id")
        assert table.loc[target, "in_node_analysis"] == "yes"
    before, _ = roc_table(analysis_set(cohort, fits=fits))
    after, _ = roc_table(aset)
    pe_before = before.set_index("descriptor").loc["pe", "n_nodes"]
    pe_after = after.set_index("descriptor").loc["pe", "n_nodes"]
    assert pe_after == pe_before - int(row["in_node"])


def test_a_node_without_a_curve_is_listed(cohort, fits) -> None:
    in_node = analysis_set(cohort, fits=fits).node_level()["node_id"]
    target = in_node.iloc[0]
    aset = analysis_set(cohort, fits=fits[fits["node_id"] != target])
    excluded = aset.exclusions().set_index("node_id")
    assert excluded.loc[target, "reason"] == "no_curve"


@pytest.mark.filterwarnings("ignore::ceuslib.errors.DegenerateTableWarning")
def test_indeterminate_readings_are_counted_not_analysed(cohort, fits) -> None:
    nodes = cohort.nodes.copy()
    imaged = nodes.index[nodes["ceus_imaged"] == "yes"]
    nodes.loc[imaged[:3], "ceus_direction"] = "indeterminate"
    changed = Cohort(cohort.screening, cohort.patients, nodes, cohort.tics)
    aset = analysis_set(changed, fits=fits)
    node_results = aset.index_test_results("node")
    matched = (nodes.loc[imaged[:3], "match_method"] != "unmatched").sum()
    assert node_results.loc["indeterminate", "total"] == matched
    assert aset.nodes.loc[imaged[:3], "exclusion"].eq("indeterminate").all()
    table = accuracy_table(aset)
    sens = table[(table["level"] == "node") & (table["test"] == CEUS_READING.label)]
    counts = sens.iloc[0][["tp", "fp", "fn", "tn"]].sum()
    assert counts == aset.nodes["in_node"].sum()
    patient_results = aset.index_test_results("patient")
    assert patient_results["total"].sum() == (aset.patients["n_imaged"] > 0).sum()


def test_a_cohort_without_curves_still_has_node_and_patient_sets() -> None:
    cohort = simulate_cohort(25, seed=4, curves=False)
    aset = analysis_set(cohort)
    assert aset.model is None and aset.nodes["in_curve"].sum() == 0
    assert aset.nodes["in_node"].sum() > 0
    roc, points = roc_table(aset)
    pe = roc.set_index("descriptor").loc["pe"]
    assert pe["n_nodes"] == 0 and np.isnan(pe["auc"])
    size = roc.set_index("descriptor").loc["short_axis_mm"]
    assert size["n_nodes"] == aset.nodes["in_node"].sum() and 0 <= size["auc"] <= 1
    assert set(points["descriptor"]) == {"short_axis_mm"}


def test_tables_degrade_when_a_class_is_missing() -> None:
    """A pilot where every patient has residual disease still gets its defined measures."""
    from ceuslib.cohort.scenario import Scenario
    from ceuslib.cohort.scenario_file import with_overrides
    from ceuslib.errors import DegenerateTableWarning
    from ceuslib.report import build_report

    scenario = with_overrides(Scenario(), prevalence=0.95)
    cohort = simulate_cohort(40, seed=3, scenario=scenario)
    aset = analysis_set(cohort)
    assert aset.truth("patient").all(), "every patient has residual disease in this pilot"
    with pytest.warns(DegenerateTableWarning, match="specificity, the likelihood ratios"):
        report = build_report(cohort, n_boot=100)
    patient = report.accuracy[
        (report.accuracy["level"] == "patient") & (report.accuracy["test"] == CEUS_READING.label)
    ].set_index("measure")
    assert np.isnan(patient.loc["specificity", "estimate"])
    assert np.isnan(patient.loc["lr_positive", "estimate"])
    tp, fn = patient.loc["sensitivity", ["tp", "fn"]]
    assert patient.loc["sensitivity", "estimate"] == tp / (tp + fn)
    assert patient.loc["sensitivity", "ci_low"] < patient.loc["sensitivity", "estimate"]


def test_a_study_without_ct_mri_is_scored_on_ceus_alone(tmp_path) -> None:
    # ct_mri_call is an optional column: without it the CT/MRI reading has no accuracy rows
    # (it must not be scored as if every node had read negative) and CEUS is unchanged.
    from ceuslib.analysis import CT_MRI_READING, accuracy_table
    from ceuslib.cohort import read_cohort

    full = simulate_cohort(40, seed=3)
    full.write(tmp_path / "full")
    nodes = pd.read_csv(tmp_path / "full" / "nodes.csv", dtype=str, keep_default_na=False)
    full.write(tmp_path / "no_ct")
    nodes.drop(columns="ct_mri_call").to_csv(tmp_path / "no_ct" / "nodes.csv", index=False)
    with_ct = accuracy_table(analysis_set(read_cohort(tmp_path / "full")))
    no_ct_set = analysis_set(read_cohort(tmp_path / "no_ct"))
    without = accuracy_table(no_ct_set)
    assert set(with_ct["test"]) == {"CEUS (centripetal filling)", CT_MRI_READING.label}
    assert set(without["test"]) == {"CEUS (centripetal filling)"}
    ceus = with_ct[with_ct["test"] != CT_MRI_READING.label].reset_index(drop=True)
    pd.testing.assert_frame_equal(without, ceus)
    assert not no_ct_set.read_by("node", CT_MRI_READING).any()
    assert not no_ct_set.read_by("patient", CT_MRI_READING).any()
