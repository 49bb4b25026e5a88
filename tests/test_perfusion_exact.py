"""The exact (every-frame) fit, the choice of method, and fits that start far from the data.

Oracle for the local-minimum cases: the best (smallest sum of squares over every frame) of
bounded :func:`scipy.optimize.curve_fit` runs (scipy 1.17, trust-region reflective) from
several starts: the true parameters with the arrival moved by 0, -5, +5 and -10 s, and the
fit's own result, within the bounds ``fit_tics`` uses (``engine.bounds``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import curve_fit

from ceuslib.perfusion import (
    MODELS,
    default_params,
    engine,
    fit_tic,
    fit_tics,
    linearize,
    simulate_tics,
)
from ceuslib.perfusion.fit import AUTO_EXACT_MAX_POINTS

LOGNORMAL = MODELS["lognormal"]
NAMES = list(LOGNORMAL.param_names)


def _lognormal(t, area, mu, sigma, t0, offset):
    return LOGNORMAL(t, area=area, mu=mu, sigma=sigma, t0=t0, offset=offset)


def _sse(t, y, theta):
    r = y - _lognormal(t, *theta)
    return float(r @ r)


def _curve_fit_best(t, y, starts):
    lo, hi = (b[0] for b in engine.bounds(LOGNORMAL, np.array([t[0]]), np.array([t[-1]])))
    best = np.inf
    for p0 in starts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                popt, _ = curve_fit(
                    _lognormal,
                    t,
                    y,
                    p0=np.clip(p0, lo + 1e-9, hi - 1e-9),
                    bounds=(lo, hi),
                    maxfev=20_000,
                )
            except (RuntimeError, ValueError):
                continue
        best = min(best, _sse(t, y, popt))
    return best


@pytest.fixture(scope="module")
def clips_starting_on_the_rise():
    """40 lognormal boluses of the usual timing (speckle SNR 7 dB, 10 fps, 120 s), each cut
    to a clip that starts between 0.7 and 1.1 of its rise (arrival to peak) after arrival,
    the clip's time axis starting at 0."""
    rng = np.random.default_rng(3)
    n = 40
    t0 = rng.uniform(8, 18, n)
    mode = rng.uniform(6, 14, n)
    p = LOGNORMAL.from_timing(
        ttp=t0 + mode,
        mtt=t0 + mode * rng.uniform(1.2, 1.8, n),
        pe=rng.uniform(0.03, 0.1, n),
        t0=t0,
        offset=0.006,
    )
    sim = simulate_tics(params=p, n_speckle=5.0, duration=120.0, seed=rng)
    start = t0 + mode * rng.uniform(0.7, 1.1, n)
    y = linearize(sim.displayed)
    clips = {}
    for i in (7, 24):
        keep = sim.time >= start[i]
        truth = np.array([p[k][i] for k in NAMES])
        truth[3] -= sim.time[keep][0]
        clips[i] = (sim.time[keep] - sim.time[keep][0], y[i, keep], truth)
    return clips


@pytest.mark.parametrize(
    ("curve", "methods"),
    [(24, ("auto", "exact", "binned")), (7, ("auto", "exact"))],
)
def test_a_clip_starting_on_the_rise_does_not_stop_in_a_local_minimum(
    clips_starting_on_the_rise, curve, methods
):
    # Measured on main at b21468c (one start): curve 24's fit had a sum of squares 60.8%
    # above curve_fit's best, TTP 1.43 s against 0.54 s; curve 7's 3.97% above, TTP 0.78 s
    # against 0.90 s.  The exact fit starts from a profile over the arrival
    # (engine.start_candidates) and keeps the best; the binned fit is restarted that way
    # where its fit is far from the data (curve 24: a frames' mean square well above the
    # noise), not where it is as close to the data as curve 7's (a documented limit).
    t, y, truth = clips_starting_on_the_rise[curve]
    for method in methods:
        fit = fit_tic(t, y, method=method)
        theta = np.array([fit.params[k] for k in NAMES])
        starts = [truth + np.r_[0, 0, 0, d, 0] for d in (0.0, -5.0, 5.0, -10.0)] + [theta]
        best = _curve_fit_best(t, y, starts)
        assert _sse(t, y, theta) <= best * (1 + 1e-4), method


def test_the_binned_fit_of_a_shallow_local_minimum_is_not_restarted(clips_starting_on_the_rise):
    # The documented limit of the binned fit: a fit whose frames' mean square is close to
    # the noise variance is not restarted, even if another start would do slightly better.
    t, y, _ = clips_starting_on_the_rise[7]
    exact = fit_tic(t, y, method="exact")
    binned = fit_tic(t, y, method="binned")
    assert binned.sse > 1.02 * exact.sse


@pytest.mark.parametrize("model", list(MODELS))
def test_exact_and_binned_fits_agree_on_well_behaved_curves(model):
    # 40 boluses of the usual timing, 10 fps, 120 s, speckle SNR 20 dB: the binned fit lands
    # within a small fraction of the descriptors' own errors (bench: 0.3-1% median) of the
    # exact fit.
    rng = np.random.default_rng(8)
    n = 40
    t0 = rng.uniform(8, 18, n)
    mode = rng.uniform(6, 14, n)
    p = MODELS[model].from_timing(
        ttp=t0 + mode,
        mtt=t0 + mode * rng.uniform(1.2, 1.8, n),
        pe=rng.uniform(0.03, 0.1, n),
        t0=t0,
        offset=0.006,
    )
    sim = simulate_tics(model, params=p, n_speckle=100.0, seed=rng)
    y = linearize(sim.displayed)
    exact = fit_tics(sim.time, y, model=model, method="exact")
    binned = fit_tics(sim.time, y, model=model, method="binned")
    assert (exact["flag"] == "").all() and (binned["flag"] == "").all()
    for key in ("pe", "ttp", "mtt", "wiauc"):
        gap = np.abs(binned[key] / exact[key] - 1.0)
        assert np.median(gap) < 1e-3 and gap.max() < 1e-2, key
    # the exact fit's sum of squares over every frame is the lower (up to its stopping
    # rule: 0.01 standard errors, a relative 1e-4 / N of the sum of squares)
    m = MODELS[model]
    names = list(m.param_names)
    binned_sse = np.array(
        [
            np.sum((y[i] - m(sim.time, **{k: binned.loc[i, k] for k in names})) ** 2)
            for i in range(n)
        ]
    )
    assert (exact["sse"].to_numpy() <= binned_sse * (1 + 1e-6)).all()


def test_auto_fits_small_batches_on_every_frame_and_large_ones_in_bins():
    sim = simulate_tics(params=default_params(), n_curves=201, n_speckle=100.0, seed=4)
    y = linearize(sim.displayed)
    assert 200 * y.shape[1] <= AUTO_EXACT_MAX_POINTS < 201 * y.shape[1]
    small = fit_tics(sim.time, y[:200])
    assert small.equals(fit_tics(sim.time, y[:200], method="exact"))
    large = fit_tics(sim.time, y)
    assert large.equals(fit_tics(sim.time, y, method="binned"))


def test_an_unknown_method_is_refused():
    sim = simulate_tics(params=default_params(), n_curves=1, seed=1)
    with pytest.raises(ValueError, match="method must be one of"):
        fit_tics(sim.time, linearize(sim.displayed), method="fast")
