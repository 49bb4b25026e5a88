"""Sample size for showing that the residual risk among CEUS-negative necks is low enough,
against an R transcription of the formulas (tests/reference/decision/derive_sample_size.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ceuslib.accuracy import proportion_ci
from ceuslib.decision import detectable_residual_risk, residual_risk_sample_size

R = pd.read_csv(Path(__file__).parent / "reference" / "decision" / "sample_size_r.csv")


@pytest.mark.parametrize("case", R.to_dict("records"), ids=list(R["case"]))
def test_matches_the_r_transcription(case) -> None:
    options = {k: case[k] for k in ("level", "power", "cluster_size", "icc")}
    ours = residual_risk_sample_size(case["anticipated"], case["threshold"], **options)
    assert ours.n_effective == pytest.approx(case["n_effective"], abs=1e-9)
    assert ours.n_negative == case["n_negative"]
    found = detectable_residual_risk(case["n_negative_input"], case["anticipated"], **options)
    assert found == pytest.approx(case["detectable"], abs=1e-9)


def test_inverse_returns_the_threshold_and_more_units_show_less() -> None:
    s = residual_risk_sample_size(0.05, 0.12, cluster_size=2, icc=0.4)
    assert s.design_effect == pytest.approx(1.4)
    assert s.n_patients == int(np.ceil(s.n_negative / 2))
    # At the unrounded size the inverse gives back the threshold.
    back = detectable_residual_risk(int(np.ceil(s.n_effective)), 0.05, cluster_size=1, icc=0.0)
    assert back <= 0.12 and back == pytest.approx(0.12, abs=2e-3)
    shown = [detectable_residual_risk(n, 0.05) for n in (20, 50, 200, 2000)]
    assert shown == sorted(shown, reverse=True) and shown[-1] > 0.05


def test_power_is_met_in_simulation_with_the_wilson_bound() -> None:
    # The score test and the upper Wilson bound agree: with the computed n the bound falls
    # below the threshold in about `power` of the studies (binomial Monte Carlo).
    s = residual_risk_sample_size(0.05, 0.15, power=0.8)
    rng = np.random.default_rng(1)
    events = rng.binomial(s.n_negative, 0.05, size=4000)
    _, upper = proportion_ci(events, np.full(events.size, s.n_negative))
    achieved = float(np.mean(upper < 0.15))
    assert achieved == pytest.approx(0.8, abs=0.06)
    assert stats.norm.ppf(0.975) == pytest.approx(1.959963984540054)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((0.2, 0.1), {}, "must be above the anticipated risk"),
        ((0.0, 0.1), {}, "anticipated_risk must be"),
        ((0.05, 0.1), {"power": 1.0}, "power must be"),
        ((0.05, 0.1), {"cluster_size": 0.5}, "cluster_size must be"),
        ((0.05, 0.1), {"icc": -0.1}, "icc must be"),
        ((0.05, 0.1), {"negative_share": 0}, "negative_share must be"),
        ((0.05, 0.1), {"level": 95}, "level must be"),
    ],
)
def test_bad_inputs(args, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        residual_risk_sample_size(*args, **kwargs)


def test_inverse_edges() -> None:
    assert np.isnan(detectable_residual_risk(1, 0.6))
    with pytest.raises(ValueError, match="at least 1"):
        detectable_residual_risk(0, 0.05)
