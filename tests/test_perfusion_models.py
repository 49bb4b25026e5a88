"""Bolus models, the display law and the simulator."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from ceuslib.perfusion import (
    MODELS,
    compress,
    default_params,
    get_model,
    linearize,
    simulate_tic,
    simulate_tics,
)

SHAPES = {
    "lognormal": [(2.0, 0.3), (2.5, 0.5), (3.0, 0.8)],
    "gamma": [(0.8, 3.0), (2.2, 4.5), (6.0, 1.5)],
    "ldrw": [(8.0, 1.0), (11.0, 3.7), (20.0, 10.0)],
    "fpt": [(8.0, 1.0), (14.5, 3.9), (20.0, 10.0)],
}
CASES = [(name, shape) for name, shapes in SHAPES.items() for shape in shapes]


def _g(model, shape):
    def g(tp):
        return float(model(np.array([tp]), area=1.0, **shape, t0=0.0)[0])

    return g


@pytest.mark.parametrize(("name", "values"), CASES)
def test_area_mode_and_mean_match_numerical_integration(name, values):
    model = MODELS[name]
    shape = dict(zip(model.shape_names, values, strict=True))
    g = _g(model, shape)
    # Oracle: scipy.integrate.quad for the moments, scipy.optimize for the maximum.
    area = integrate.quad(g, 0, np.inf, limit=400)[0]
    mean = integrate.quad(lambda t: t * g(t), 0, np.inf, limit=400)[0]
    mode = float(model.mode(**shape))
    numeric_mode = optimize.minimize_scalar(
        lambda t: -g(t), bounds=(1e-6, 20 * mean), method="bounded", options={"xatol": 1e-10}
    ).x
    assert area == pytest.approx(1.0, rel=1e-6)
    assert float(model.mean(**shape)) == pytest.approx(mean, rel=1e-6)
    assert mode == pytest.approx(numeric_mode, rel=1e-5)
    assert float(model.peak(**shape)) == pytest.approx(g(mode), rel=1e-12)


def test_models_agree_with_scipy_distributions():
    t = np.linspace(0.1, 60, 50)
    ln = MODELS["lognormal"](t, area=1.0, mu=2.5, sigma=0.5, t0=0.0)
    np.testing.assert_allclose(ln, stats.lognorm.pdf(t, 0.5, scale=np.exp(2.5)), rtol=1e-12)
    ga = MODELS["gamma"](t, area=1.0, alpha=2.2, beta=4.5, t0=0.0)
    np.testing.assert_allclose(ga, stats.gamma.pdf(t, 3.2, scale=4.5), rtol=1e-12)
    # inverse Gaussian with mean mu and shape lam*mu: scipy invgauss(mu/(lam mu), scale=lam mu)
    mu, lam = 14.5, 3.9
    fpt = MODELS["fpt"](t, area=1.0, mu=mu, lam=lam, t0=0.0)
    np.testing.assert_allclose(
        fpt, stats.invgauss.pdf(t, mu / (lam * mu), scale=lam * mu), rtol=1e-10
    )
    ldrw = MODELS["ldrw"](t, area=1.0, mu=mu, lam=lam, t0=0.0)
    np.testing.assert_allclose(ldrw, t / mu * fpt, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_vectorised_evaluation_matches_one_curve_at_a_time(name):
    model = MODELS[name]
    t = np.arange(0, 60, 0.5)
    params = model.from_timing(
        ttp=np.array([20.0, 25.0, 30.0]),
        mtt=np.array([25.0, 33.0, 45.0]),
        pe=np.array([0.1, 0.2, 0.05]),
        t0=np.array([10.0, 12.0, 8.0]),
        offset=np.array([0.0, 0.01, 0.02]),
    )
    batch = model(t, **params)
    assert batch.shape == (3, t.size)
    for i in range(3):
        one = model(t, **{k: float(v[i]) for k, v in params.items()})
        np.testing.assert_array_equal(batch[i], one)
    assert np.all(batch[:, t <= params["t0"][:, None].min()] == params["offset"][:, None])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_from_timing_round_trip_and_peak(name):
    model = MODELS[name]
    p = model.from_timing(ttp=24.0, mtt=31.0, pe=0.08, t0=11.0, offset=0.01)
    shape = {k: p[k] for k in model.shape_names}
    assert float(model.ttp(t0=p["t0"], **shape)) == pytest.approx(24.0, rel=1e-10)
    assert float(model.mtt(t0=p["t0"], **shape)) == pytest.approx(31.0, rel=1e-10)
    t = np.linspace(0, 120, 120001)
    curve = model(t, **p)
    assert curve.max() - 0.01 == pytest.approx(0.08, rel=1e-6)
    assert t[np.argmax(curve)] == pytest.approx(24.0, abs=2e-3)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_analytic_gradients_match_finite_differences(name):
    model = MODELS[name]
    tp = np.linspace(0.5, 40, 30)
    s1, s2 = SHAPES[name][1]
    _, (d1, d2, dt0) = model._logpdf(tp, s1, s2, grad=True)
    h = 1e-6

    def logg(a, b, shift=0.0):
        return model._logpdf(tp - shift, a, b, grad=False)[0]

    np.testing.assert_allclose(d1, (logg(s1 + h, s2) - logg(s1 - h, s2)) / (2 * h), atol=1e-5)
    np.testing.assert_allclose(d2, (logg(s1, s2 + h) - logg(s1, s2 - h)) / (2 * h), atol=1e-5)
    np.testing.assert_allclose(dt0, (logg(s1, s2, h) - logg(s1, s2, -h)) / (2 * h), atol=1e-5)


def test_model_errors():
    with pytest.raises(ValueError, match="unknown model"):
        get_model("weibull")
    with pytest.raises(ValueError, match="missing"):
        MODELS["lognormal"]([1.0], area=1.0, mu=1.0, t0=0.0)
    with pytest.raises(ValueError, match="no parameter"):
        MODELS["lognormal"]([1.0], area=1.0, mu=1.0, sigma=1.0, t0=0.0, alpha=2)
    with pytest.raises(ValueError, match="t0 < ttp < mtt"):
        MODELS["gamma"].from_timing(ttp=20.0, mtt=15.0, pe=1.0, t0=10.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=1e-5, max_value=1.0), st.sampled_from([40.0, 60.0, 80.0]))
def test_linearize_inverts_compress(power, dynamic_range_db):
    gray = compress(power, dynamic_range_db=dynamic_range_db, quantize=False)
    if 10 * np.log10(power) > -dynamic_range_db:
        back = float(linearize(gray, dynamic_range_db=dynamic_range_db))
        assert back == pytest.approx(power, rel=1e-9)
    # quantisation error is at most half a gray step: DR / (2 * 255) dB
    q = compress(power, dynamic_range_db=dynamic_range_db)
    step_db = dynamic_range_db / 255
    err_db = abs(10 * np.log10(float(linearize(q, dynamic_range_db=dynamic_range_db)) / power))
    if 10 * np.log10(power) > -dynamic_range_db + step_db:
        assert err_db <= step_db / 2 + 1e-9


def test_display_law_edges_and_errors():
    assert float(compress(10.0)) == 255.0  # saturation
    assert float(compress(-1.0)) == 0.0  # truncation
    assert float(linearize(0, dynamic_range_db=40.0)) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        linearize([10, 300])
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        linearize([np.nan])
    with pytest.raises(ValueError, match="dynamic_range_db"):
        linearize([10], dynamic_range_db=0)
    with pytest.raises(ValueError, match="NaN"):
        compress([np.nan])


def test_simulation_is_reproducible_and_seeded():
    a = simulate_tics(params=default_params(), n_curves=4, seed=7, motion_spikes=2)
    b = simulate_tics(params=default_params(), n_curves=4, seed=7, motion_spikes=2)
    c = simulate_tics(params=default_params(), n_curves=4, seed=8, motion_spikes=2)
    assert np.array_equal(a.displayed, b.displayed)
    assert np.array_equal(a.echo_power, b.echo_power)
    assert not np.array_equal(a.echo_power, c.echo_power)


def test_speckle_has_mean_one_and_the_stated_coefficient_of_variation():
    sim = simulate_tics(params=default_params(), n_curves=200, n_speckle=50.0, seed=3)
    ratio = sim.echo_power / sim.linear
    assert ratio.mean() == pytest.approx(1.0, abs=0.005)
    assert ratio.std() == pytest.approx(1 / np.sqrt(50.0), rel=0.02)
    free = simulate_tics(params=default_params(), n_curves=2, n_speckle=np.inf, seed=3)
    np.testing.assert_array_equal(free.echo_power, free.linear)


def test_display_chain_saturates_and_quantises():
    loud = dict(default_params(), area=30.0)
    tic = simulate_tic(params=loud, seed=0)
    assert tic.saturated
    assert np.all(tic.displayed == np.round(tic.displayed))
    quiet = simulate_tic(seed=0)
    assert not quiet.saturated
    np.testing.assert_allclose(
        linearize(quiet.displayed), quiet.echo_power, rtol=10 ** (60 / 255 / 20) - 1
    )


def test_recirculation_adds_the_stated_area_and_dropped_frames_leave_gaps():
    base = simulate_tic(seed=1, n_speckle=np.inf, duration=300)
    recirc = simulate_tic(seed=1, n_speckle=np.inf, duration=300, recirculation=0.3)
    extra = np.trapezoid(recirc.linear - base.linear, base.time)
    assert extra == pytest.approx(0.3 * default_params()["area"], rel=1e-3)
    dropped = simulate_tic(seed=1, dropped_frames=5)
    assert dropped.n_frames == 1195
    assert np.sum(np.diff(dropped.time) > 0.15) >= 1
    assert list(dropped.to_frame().columns) == ["time_s", "linear_au", "echo_power_au", "gray"]


def test_motion_spikes_brighten_the_stated_number_of_frames():
    sim = simulate_tics(
        params=default_params(), n_curves=5, n_speckle=np.inf, motion_spikes=3, seed=2
    )
    ratio = sim.echo_power / sim.linear
    assert np.all(np.sum(ratio > 1.5, axis=1) == 3)
    assert ratio.max() <= 5.0


def test_simulator_errors():
    with pytest.raises(ValueError, match="fps"):
        simulate_tic(fps=0)
    with pytest.raises(ValueError, match="expected 3"):
        simulate_tics(params=dict(default_params(), area=[1.0, 2.0]), n_curves=3)
    with pytest.raises(ValueError, match="scalar"):
        simulate_tic(params=dict(default_params(), area=[1.0, 2.0]))
    with pytest.raises(ValueError, match="negative"):
        simulate_tic(params=dict(default_params(), area=-1.0))
