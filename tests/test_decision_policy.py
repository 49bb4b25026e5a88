"""Spare-the-neck policy counts, prevalence shifts and patient-level features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ceuslib.decision import (
    choose_cutpoint,
    evaluate_policy,
    patient_table,
    peak_enhancement,
    prevalence_shift,
)


def _example(seed=0, n=120):
    rng = np.random.default_rng(seed)
    residual = (rng.random(n) < 0.45).astype(int)
    score = rng.normal(size=n) + 1.5 * residual
    nodes = np.where(residual == 1, rng.integers(1, 5, n), 0)
    return residual, score, nodes


def test_counts_per_100_by_hand():
    residual, score, nodes = _example()
    dissect = score >= 0.3
    result = evaluate_policy(
        residual, dissect=dissect, residual_nodes=nodes, n_resamples=200, seed=1
    )
    t = result.table["estimate"]
    n = residual.size
    observe = ~dissect
    assert t["dissections"] == pytest.approx(100 * dissect.sum() / n)
    assert t["dissections_avoided"] == pytest.approx(100 - t["dissections"])
    assert t["unnecessary_dissections"] == pytest.approx(
        100 * np.sum(dissect & (residual == 0)) / n
    )
    assert t["residual_patients_left"] == pytest.approx(100 * np.sum(observe & (residual == 1)) / n)
    assert t["residual_nodes_left"] == pytest.approx(100 * nodes[observe].sum() / n)
    assert t["clear_necks_spared"] + t["residual_patients_left"] == pytest.approx(
        t["dissections_avoided"]
    )
    assert t["risk_if_observed"] == pytest.approx(np.sum(observe & (residual == 1)) / observe.sum())
    cut = choose_cutpoint(residual, score, rule="youden")
    same = evaluate_policy(residual, dissect=score >= cut.cutpoint, n_resamples=10, seed=0).table[
        "estimate"
    ]
    assert same["sensitivity"] == pytest.approx(cut.sensitivity)
    assert same["specificity"] == pytest.approx(cut.specificity)
    assert same["risk_if_observed"] == pytest.approx(1 - cut.npv)
    table = result.to_frame()
    assert (table.ci_low <= table.estimate + 1e-12).all()
    assert (table.estimate <= table.ci_high + 1e-12).all()


def test_edges_dissect_all_and_observe_all():
    residual, _, nodes = _example(1)
    everyone = evaluate_policy(
        residual, dissect=np.ones(residual.size, bool), n_resamples=50, seed=0
    )
    assert everyone.table.loc["dissections", "estimate"] == 100
    assert everyone.table.loc["residual_patients_left", "estimate"] == 0
    assert np.isnan(everyone.table.loc["risk_if_observed", "estimate"])
    nobody = evaluate_policy(
        residual,
        dissect=np.zeros(residual.size, bool),
        residual_nodes=nodes,
        n_resamples=50,
        seed=0,
    )
    t = nobody.table["estimate"]
    assert t["residual_patients_left"] == pytest.approx(100 * residual.mean())
    assert t["risk_if_observed"] == pytest.approx(residual.mean())
    shifted = prevalence_shift(everyone, [0.4])
    assert shifted.residual_nodes_left[0] == 0 and shifted.dissections_avoided[0] == 0


def test_prevalence_shift_reproduces_the_cohort_at_its_own_prevalence():
    residual, score, nodes = _example(2)
    result = evaluate_policy(
        residual, dissect=score >= 0.5, residual_nodes=nodes, n_resamples=300, seed=3
    )
    own = 1 - residual.mean()
    row = prevalence_shift(result, [own]).iloc[0]
    t = result.table["estimate"]
    for name in (
        "dissections_avoided",
        "unnecessary_dissections",
        "residual_patients_left",
        "residual_nodes_left",
        "risk_if_observed",
    ):
        assert row[name] == pytest.approx(t[name]), name
        assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"]


def test_more_responders_means_less_left_behind():
    residual, score, nodes = _example(3)
    result = evaluate_policy(
        residual, dissect=score >= 0.0, residual_nodes=nodes, n_resamples=200, seed=1
    )
    table = prevalence_shift(result, [0.37, 0.45, 0.52, 0.6, 0.7])
    assert np.all(np.diff(table.residual_patients_left) < 0)
    assert np.all(np.diff(table.risk_if_observed) < 0)
    assert np.all(np.diff(table.dissections_avoided) > 0)
    assert table.prevalence.tolist() == pytest.approx([0.63, 0.55, 0.48, 0.4, 0.3])


def test_intervals_are_reproducible_and_shrink_with_more_patients():
    residual, score, _ = _example(4, n=400)
    a = evaluate_policy(residual, dissect=score >= 0, n_resamples=400, seed=5).table
    b = evaluate_policy(residual, dissect=score >= 0, n_resamples=400, seed=5).table
    pd.testing.assert_frame_equal(a, b)
    small = evaluate_policy(residual[:100], dissect=score[:100] >= 0, n_resamples=400, seed=5).table

    def width(t):
        return (
            t.loc["residual_patients_left", "ci_high"] - t.loc["residual_patients_left", "ci_low"]
        )

    assert width(small) > width(a)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dissect": [1, 0, 2]}, "dissect must hold 0 and 1"),
        ({"dissect": [True, False]}, "dissect has 2 values but y_true has 3"),
        ({"residual_nodes": [1, 0]}, "residual_nodes has 2 values"),
        ({"residual_nodes": [1, -1, 0]}, "one count >= 0"),
        ({"residual_nodes": [1, 1, 0]}, "0 where y_true is negative"),
        ({"residual_nodes": [0, 0, 0]}, "at least 1 where it is positive"),
    ],
)
def test_bad_policy_inputs(kwargs, message):
    args = {"dissect": [True, False, True], "n_resamples": 5, "seed": 0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        evaluate_policy([1, 0, 0], **args)


def test_bad_rates():
    result = evaluate_policy([1, 0], dissect=[True, False], n_resamples=5, seed=0)
    for bad in ([0.0], [1.0], [], [0.5, 1.5]):
        with pytest.raises(ValueError, match="pcr_rates"):
            prevalence_shift(result, bad)


def test_peak_enhancement_smooths_speckle_and_sorts_time():
    tics = pd.DataFrame(
        {
            "node_id": ["b"] * 5 + ["a"] * 5,
            "time_s": [4, 3, 2, 1, 0, 0, 1, 2, 3, 4],
            "intensity": [1, 2, 9, 1, 0, 0, 3, 4, 5, 0],
        }
    )
    peak = peak_enhancement(tics, window=3)
    assert peak.to_dict() == {"a": 4.0, "b": 2.0}
    assert peak_enhancement(tics, window=1).to_dict() == {"a": 5.0, "b": 9.0}
    with pytest.raises(ValueError, match="columns"):
        peak_enhancement(tics.drop(columns="time_s"))
    with pytest.raises(ValueError, match="window"):
        peak_enhancement(tics, window=0)
    assert peak_enhancement(tics.assign(unit="linear"), window=3).to_dict() == peak.to_dict()
    with pytest.raises(ValueError, match="needs linear intensity; tics has unit 'db'"):
        peak_enhancement(tics.assign(unit="db"))


def test_patient_table_on_the_shipped_cohort(root):
    data = root / "data" / "synthetic"
    patients = pd.read_csv(data / "patients.csv")
    nodes = pd.read_csv(data / "nodes.csv")
    table = patient_table(patients, nodes)
    assert len(table) == len(patients) and table.index.is_unique
    assert table.residual.sum() == patients.residual_nodal_disease.eq("yes").sum()
    assert table.nodes_positive.equals(patients.set_index("patient_id").nodes_positive)
    assert table.ceus_suspicion.dropna().between(0, 5).all()
    no_ceus = nodes.groupby("patient_id").ceus_imaged.apply(lambda s: (s == "yes").sum() == 0)
    assert table.ceus_suspicion.isna().equals(no_ceus.reindex(table.index))
    assert table.max_short_axis_mm.equals(nodes.groupby("patient_id").short_axis_mm.max())


@pytest.mark.parametrize("window", [1, 2, 4, 5, 9])
def test_peak_enhancement_equals_pandas_rolling_median(window):
    rng = np.random.default_rng(window)
    frames = []
    for k, length in enumerate([3, 12, 40, 7]):
        frames.append(
            pd.DataFrame(
                {
                    "node_id": f"N{k}",
                    "time_s": rng.permutation(length) * 0.5,
                    "intensity": rng.gamma(2.0, 1.0, length),
                }
            )
        )
    tics = pd.concat(frames, ignore_index=True)
    ordered = tics.sort_values(["node_id", "time_s"])
    oracle = ordered.groupby("node_id")["intensity"].apply(
        lambda x: x.rolling(window, center=True, min_periods=1).median().max()
    )
    ours = peak_enhancement(tics, window=window)
    assert ours.index.tolist() == oracle.index.tolist()
    assert ours.to_numpy() == pytest.approx(oracle.to_numpy())
