"""Calibration (against R's glm) and the logistic risk model with optimism correction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib.decision import (
    calibration_slope_intercept,
    calibration_table,
    fit_risk_model,
)

REF = Path(__file__).parent / "reference" / "decision"
R_CAL = pd.read_csv(REF / "calibration_r.csv").set_index("dataset")


def test_calibration_agrees_with_r_glm():
    # R stats::glm (see derive_calibration.R); glm stops at a relative deviance change of
    # 1e-8, so its coefficients are exact to about 1e-7 only.
    data = pd.read_csv(REF / "calibration_data.csv")
    ours = calibration_slope_intercept(data.y, data.risk)
    expected = R_CAL.loc["calibration_data.csv"]
    assert ours.slope == pytest.approx(expected.slope, abs=1e-6)
    assert ours.intercept == pytest.approx(expected.intercept, abs=1e-6)
    small = R_CAL.loc["docstring example"]
    ours = calibration_slope_intercept([0, 0, 1, 1, 0, 1], [0.2, 0.4, 0.6, 0.8, 0.5, 0.3])
    assert ours.slope == pytest.approx(small.slope, abs=1e-6)
    assert ours.intercept == pytest.approx(small.intercept, abs=1e-6)


def test_perfectly_calibrated_risks_give_slope_one_intercept_zero():
    # The fitted values of a maximum-likelihood logistic model are calibrated in the
    # sample by construction: slope 1 and intercept 0 exactly.
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (rng.random(300) < 1 / (1 + np.exp(-(x.a - 0.5 * x.b)))).astype(int)
    model = fit_risk_model(x, y, n_resamples=1, seed=0)
    cal = calibration_slope_intercept(y, model.predict_risk(x))
    assert cal.slope == pytest.approx(1, abs=1e-4)
    assert cal.intercept == pytest.approx(0, abs=1e-4)


def test_shifting_and_stretching_the_log_odds_is_recovered():
    rng = np.random.default_rng(2)
    lp = rng.normal(scale=1.5, size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-lp))).astype(int)
    stretched = 1 / (1 + np.exp(-2 * lp))
    assert calibration_slope_intercept(y, stretched).slope == pytest.approx(0.5, abs=0.05)
    shifted = 1 / (1 + np.exp(-(lp + 1)))
    assert calibration_slope_intercept(y, shifted).intercept == pytest.approx(-1, abs=0.1)


def test_calibration_errors():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        calibration_slope_intercept([0, 1], [0.0, 0.5])
    with pytest.raises(ValueError, match="did not converge"):
        calibration_slope_intercept([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])


def test_calibration_table_groups_and_intervals():
    rng = np.random.default_rng(3)
    risk = rng.random(103)
    y = (rng.random(103) < risk).astype(int)
    table = calibration_table(y, risk, n_groups=5)
    assert table.n.sum() == 103 and table.n.max() - table.n.min() <= 1
    assert (np.diff(table.mean_risk) > 0).all()
    assert ((table.ci_low <= table.observed) & (table.observed <= table.ci_high)).all()
    with pytest.raises(ValueError, match="n_groups"):
        calibration_table(y, risk, n_groups=0)


def _overfit_data(seed=4, n=100, noise=8):
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-1.2 * signal))).astype(int)
    columns = {"signal": signal + rng.normal(scale=0.5, size=n)}
    for k in range(noise):
        columns[f"noise_{k}"] = rng.normal(size=n)
    return pd.DataFrame(columns), y


def test_optimism_correction_shows_overfitting():
    x, y = _overfit_data()
    model = fit_risk_model(x, y, n_resamples=60, seed=5)
    perf = model.to_frame()
    assert perf.loc["auc", "optimism"] > 0
    assert perf.loc["auc", "corrected"] < perf.loc["auc", "apparent"]
    assert perf.loc["calibration_slope", "apparent"] == pytest.approx(1, abs=1e-3)
    assert perf.loc["calibration_slope", "corrected"] < 0.9
    assert perf.loc["brier", "corrected"] > perf.loc["brier", "apparent"]
    assert model.n_failed == 0 and model.events_per_variable < 10
    # More noise predictors, more optimism.
    few = fit_risk_model(x[["signal"]], y, n_resamples=60, seed=5).to_frame()
    assert few.loc["auc", "optimism"] < perf.loc["auc", "optimism"]


def test_optimism_equals_an_explicit_refit_loop():
    x, y = _overfit_data(n=60, noise=2)
    model = fit_risk_model(x, y, n_resamples=5, seed=9)
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(9)
    diffs = []
    for _ in range(5):
        rows = rng.integers(0, len(y), len(y))
        fit = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=200),
        )
        fit.fit(x.iloc[rows], y[rows])
        apparent = roc_auc_score(y[rows], fit.predict_proba(x.iloc[rows])[:, 1])
        test = roc_auc_score(y, fit.predict_proba(x)[:, 1])
        diffs.append(apparent - test)
    assert model.performance.loc["auc", "optimism"] == pytest.approx(np.mean(diffs))


def test_coefficients_are_on_the_original_scale():
    rng = np.random.default_rng(6)
    x = pd.DataFrame({"size_mm": rng.normal(9, 3, 2000)})
    y = (rng.random(2000) < 1 / (1 + np.exp(-(-4.5 + 0.5 * x.size_mm)))).astype(int)
    model = fit_risk_model(x, y, n_resamples=1, seed=0)
    assert model.coefficients["size_mm"] == pytest.approx(0.5, abs=0.08)
    assert model.intercept == pytest.approx(-4.5, abs=0.8)
    lp = model.intercept + model.coefficients["size_mm"] * x.size_mm
    assert model.predict_risk(x) == pytest.approx(1 / (1 + np.exp(-lp)))


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((3, 1)), "pandas DataFrame"),
        (pd.DataFrame(index=range(3)), "no predictor"),
        (pd.DataFrame({"a": ["x", "y", "z"]}), "must be numeric"),
        (pd.DataFrame({"a": [1.0, np.nan, 2.0]}), "row 1, column 'a'"),
        (pd.DataFrame({"a": [1.0, 2.0]}), "2 rows"),
    ],
)
def test_model_input_errors(x, message):
    with pytest.raises(ValueError, match=message):
        fit_risk_model(x, [0, 1, 0], n_resamples=1)
