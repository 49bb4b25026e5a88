"""Net benefit: its formula, the dcurves package, and the bootstrap of decision curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceuslib.decision import bootstrap_weights, decision_curve, net_benefit

REF = Path(__file__).parent / "reference" / "decision"
DATA = pd.read_csv(REF / "dcurves_binary.csv")
DCURVES = pd.read_csv(REF / "dcurves_net_benefit.csv")
META = json.loads((REF / "dcurves_net_benefit.json").read_text())
THRESHOLDS = [i / 100 for i in range(1, 100)]


def test_reference_file_names_its_source():
    assert META["package"] == "dcurves" and META["version"] == "1.1.7"
    assert "dca(" in META["call"]
    assert sorted(DCURVES.model.unique()) == ["all", "cancerpredmarker", "famhistory", "none"]


@pytest.mark.parametrize("model", ["cancerpredmarker", "famhistory"])
def test_agrees_with_dcurves(model):
    # dcurves 1.1.7: dca(..., thresholds=[i / 100 for i in range(1, 100)], nper=100)
    y = DATA.cancer.astype(int)
    ours = net_benefit(y, DATA[model], THRESHOLDS)
    ref = DCURVES[DCURVES.model == model].reset_index(drop=True)
    assert ours.threshold.to_numpy() == pytest.approx(ref.threshold.to_numpy())
    assert np.abs(ours.net_benefit - ref.net_benefit).max() < 1e-12
    ref_all = DCURVES[DCURVES.model == "all"].reset_index(drop=True)
    assert np.abs(ours.treat_all - ref_all.net_benefit).max() < 1e-12
    assert (ours.treat_none == 0).all()
    assert (DCURVES[DCURVES.model == "none"].net_benefit == 0).all()
    curve = decision_curve(y, {model: DATA[model]}, THRESHOLDS).table
    mine = curve[curve.strategy == model].reset_index(drop=True)
    assert np.abs(mine.avoided_per_100 - ref.net_intervention_avoided).max() < 1e-9


def _formula(y, risk, t):
    n = len(y)
    treat = [r >= t for r in risk]
    tp = sum(1 for yi, ti in zip(y, treat, strict=True) if ti and yi == 1)
    fp = sum(1 for yi, ti in zip(y, treat, strict=True) if ti and yi == 0)
    return tp / n - fp / n * t / (1 - t)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 20)), min_size=1, max_size=30),
    t=st.sampled_from([0.05, 0.1, 0.2, 0.35, 0.5, 0.8]),
)
def test_matches_the_formula(rows, t):
    y = [r[0] for r in rows]
    risk = [r[1] / 20 for r in rows]
    nb = net_benefit(y, risk, [t])
    assert nb.net_benefit[0] == pytest.approx(_formula(y, risk, t), abs=1e-12)
    prevalence = sum(y) / len(y)
    assert nb.treat_all[0] == pytest.approx(prevalence - (1 - prevalence) * t / (1 - t))
    # Treating when risk >= 0 for everybody is "dissect all".
    assert net_benefit(y, [1.0] * len(y), [t]).net_benefit[0] == pytest.approx(nb.treat_all[0])


def test_perfect_knowledge_gains_the_prevalence_at_every_threshold():
    y = np.array([1, 0, 0, 1, 0])
    nb = net_benefit(y, y.astype(float), THRESHOLDS)
    assert np.allclose(nb.net_benefit, y.mean())
    assert np.isclose(nb.treat_all[nb.threshold == 0.4].iloc[0], 0.0)


def test_bootstrap_draws_equal_net_benefit_on_copied_rows():
    rng = np.random.default_rng(2)
    patient = np.repeat(np.arange(30), 2)
    y = np.repeat(rng.integers(0, 2, 30), 2)
    risk = np.clip(0.3 * y + rng.random(60) * 0.6, 0, 1)
    t = [0.1, 0.3, 0.5]
    curve = decision_curve(y, {"model": risk}, t, cluster=patient, n_resamples=25, seed=9)
    weights = bootstrap_weights(patient, y.size, n_resamples=25, seed=9)
    for b, w in enumerate(weights):
        rows = np.repeat(np.arange(y.size), w)
        expected = net_benefit(y[rows], risk[rows], t)
        assert curve.draws["model"][b] == pytest.approx(expected.net_benefit.to_numpy())
        assert curve.draws["dissect all"][b] == pytest.approx(expected.treat_all.to_numpy())
    table = curve.to_frame()
    assert set(table.strategy) == {"model", "dissect all", "dissect none"}
    model = table[table.strategy == "model"]
    assert (model.ci_low <= model.ci_high).all()
    assert np.allclose(model.ci_low, np.quantile(curve.draws["model"], 0.025, axis=0))
    everyone = table[table.strategy == "dissect all"]
    assert (everyone.avoided_per_100 == 0).all() and (everyone.avoided_ci_high == 0).all()


def test_rule_at_threshold_is_constant_and_reduction_formula():
    y = [1, 0, 1, 0, 1, 0]
    table = decision_curve(y, {"rule": [1, 0, 1, 1, 0, 0]}, [0.25, 0.5], n_resamples=0).table
    rule = table[table.strategy == "rule"].reset_index(drop=True)
    everyone = table[table.strategy == "dissect all"].reset_index(drop=True)
    odds = np.array([1 / 3, 1.0])
    assert np.allclose(rule.avoided_per_100, 100 * (rule.net_benefit - everyone.net_benefit) / odds)
    assert rule.ci_low.isna().all()


@pytest.mark.parametrize("bad", [[0.0], [1.0], [0.5, 1.2], []])
def test_thresholds_must_be_probabilities(bad):
    with pytest.raises(ValueError, match="thresholds must"):
        net_benefit([0, 1], [0.2, 0.8], bad)


def test_bad_strategies():
    with pytest.raises(ValueError, match="non-empty mapping"):
        decision_curve([0, 1], {}, [0.2])
    with pytest.raises(ValueError, match="added automatically"):
        decision_curve([0, 1], {"dissect all": [1, 1]}, [0.2])
    with pytest.raises(ValueError, match="must be finite"):
        decision_curve([0, 1], {"m": [0.1, np.inf]}, [0.2])
    with pytest.raises(ValueError, match="risk of 'm' has 1 missing value"):
        decision_curve([0, 1], {"m": [0.1, np.nan]}, [0.2])
