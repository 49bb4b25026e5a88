"""Patient-level bootstrap of cut-points: against an explicit loop over resampled rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib.decision import bootstrap_cutpoint, bootstrap_weights, choose_cutpoint
from ceuslib.decision.bootstrap import METRICS

REF = Path(__file__).parent / "reference" / "decision"
ASAH = pd.read_csv(REF / "asah.csv")


def _clustered(seed=3, n_patients=40):
    rng = np.random.default_rng(seed)
    nodes = rng.integers(1, 4, n_patients)
    patient = np.repeat(np.arange(n_patients), nodes)
    residual = np.repeat(rng.random(n_patients) < 0.45, nodes).astype(int)
    score = rng.normal(size=patient.size) + 1.2 * residual
    return residual, np.round(score, 1), patient


def test_weights_keep_patients_together_and_are_reproducible():
    _, _, patient = _clustered()
    w = bootstrap_weights(patient, patient.size, n_resamples=50, seed=7)
    assert w.shape == (50, patient.size) and w.dtype == np.int64
    for p in np.unique(patient):
        rows = w[:, patient == p]
        assert (rows == rows[:, :1]).all()
    per_patient = np.array([w[:, patient == p][:, 0] for p in np.unique(patient)]).T
    assert (per_patient.sum(axis=1) == np.unique(patient).size).all()
    assert np.array_equal(w, bootstrap_weights(patient, patient.size, n_resamples=50, seed=7))
    assert not np.array_equal(w, bootstrap_weights(patient, patient.size, n_resamples=50, seed=8))


def test_weights_follow_a_multinomial_on_average():
    w = bootstrap_weights(None, 5, n_resamples=20000, seed=1)
    assert w.mean(axis=0) == pytest.approx(np.ones(5), abs=0.03)
    assert w.var(axis=0) == pytest.approx(np.full(5, 1 - 1 / 5), abs=0.05)


@pytest.mark.parametrize(
    ("rule", "target"),
    [("youden", None), ("closest_to_01", None), ("min_sensitivity", 0.85), ("min_npv", 0.8)],
)
def test_each_resample_equals_choose_cutpoint_on_the_copied_rows(rule, target):
    y, s, patient = _clustered()
    boot = bootstrap_cutpoint(
        y, s, cluster=patient, rule=rule, target=target, n_resamples=40, seed=11
    )
    weights = bootstrap_weights(patient, y.size, n_resamples=40, seed=11)
    apparent, test = [], []
    for b, w in enumerate(weights):
        rows = np.repeat(np.arange(y.size), w)
        yb, sb = y[rows], s[rows]
        if yb.min() == yb.max():
            assert np.isnan(boot.cutpoints[b])
            continue
        try:
            chosen = choose_cutpoint(yb, sb, rule=rule, target=target)
        except ValueError:
            assert np.isnan(boot.cutpoints[b])
            continue
        assert boot.cutpoints[b] == chosen.cutpoint
        on_data = (s >= chosen.cutpoint).astype(int)
        se_test = on_data[y == 1].mean()
        apparent.append(chosen.sensitivity)
        test.append(se_test)
    assert boot.performance.loc["sensitivity", "optimism"] == pytest.approx(
        np.mean(apparent) - np.mean(test)
    )
    estimate = choose_cutpoint(y, s, rule=rule, target=target)
    row = boot.performance.loc["sensitivity"]
    assert row.apparent == estimate.sensitivity
    assert row.corrected == pytest.approx(row.apparent - row.optimism)


def test_intervals_and_reproducibility():
    boot = bootstrap_cutpoint(ASAH.poor, ASAH.s100b, n_resamples=500, seed=2)
    again = bootstrap_cutpoint(ASAH.poor, ASAH.s100b, n_resamples=500, seed=2)
    assert np.array_equal(boot.cutpoints, again.cutpoints)
    low, high = boot.cutpoint_ci
    assert low <= boot.estimate.cutpoint <= high
    assert set(boot.cutpoints) <= set(ASAH.s100b) | {np.inf}
    perf = boot.to_frame()
    assert list(perf.index) == list(METRICS)
    assert (perf.ci_low <= perf.ci_high).all()
    assert boot.n_failed == 0 and boot.n_clusters == len(ASAH)
    # Choosing the cut-point on the data flatters it: Youden's J is optimistic.
    assert perf.loc["youden", "optimism"] > 0


def test_patient_resampling_widens_the_interval_of_a_clustered_score():
    # Three identical nodes per patient: resampling nodes would pretend to 3 x the data.
    rng = np.random.default_rng(5)
    y = (rng.random(60) < 0.5).astype(int)
    s = rng.normal(size=60) + y
    patient = np.repeat(np.arange(60), 3)
    y3, s3 = np.repeat(y, 3), np.repeat(s, 3)
    by_patient = bootstrap_cutpoint(y3, s3, cluster=patient, n_resamples=800, seed=1)
    by_node = bootstrap_cutpoint(y3, s3, n_resamples=800, seed=1)
    width = lambda b: np.subtract(*b.performance.loc["youden", ["ci_high", "ci_low"]])  # noqa: E731
    assert width(by_patient) > 1.3 * width(by_node)


def test_infeasible_resamples_are_counted_not_hidden():
    boot = bootstrap_cutpoint(
        ASAH.poor, ASAH.s100b, rule="min_npv_lcb", target=0.62, n_resamples=300, seed=4
    )
    assert 0 < boot.n_failed < 300
    assert np.isnan(boot.cutpoints).sum() == boot.n_failed


def test_bad_n_resamples():
    with pytest.raises(ValueError, match="n_resamples must be an integer >= 1"):
        bootstrap_cutpoint([0, 1], [0, 1], n_resamples=0)
    with pytest.raises(ValueError, match="cluster has 3 values but y_true has 2"):
        bootstrap_cutpoint([0, 1], [0, 1], cluster=[1, 2, 3])
