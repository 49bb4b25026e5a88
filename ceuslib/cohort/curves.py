"""Time-intensity curves of the CEUS-examined target nodes, made with ``ceuslib.perfusion``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.scenario import Scenario
from ceuslib.perfusion import get_model, linearize, simulate_tics

UNIT = "linear"

REFERENCE_PEAK_MEDIAN = 0.03
"""Median peak enhancement of the reference region (linear a.u.; ASSUMPTION: perinodal soft
tissue enhances less than a node, below the 0.07 a.u. of residual tumour)."""

REFERENCE_FPS_SHARE = 0.5
"""Frame rate of an exported reference curve as a share of the node curve's."""


def curve_parameters(
    state: np.ndarray, *, rng: np.random.Generator, scenario: Scenario
) -> dict[str, np.ndarray]:
    """Lognormal bolus parameters per node from its state.

    Time to peak is normal with the state's mean and SD (moved towards the average by
    ``feature_separation``); the arrival time ``t0`` is uniform in ``arrival_range_s`` but at
    least 3 s before the peak; ``sigma`` is uniform in ``sigma_range``; the peak enhancement
    is lognormal around the state's median.  For the lognormal model the mean transit time
    is then ``t0 + exp(mu + sigma**2 / 2)`` with ``mu = log(ttp - t0) + sigma**2``
    (Strouthos et al. 2010).
    """
    s = scenario
    n = state.size
    sep = s.feature_separation
    ttp_means = np.asarray(s.ttp_mean_s, dtype=float)
    ttp_means = ttp_means.mean() + sep * (ttp_means - ttp_means.mean())
    ttp = ttp_means[state] + np.asarray(s.ttp_sd_s)[state] * rng.standard_normal(n)
    low, high = s.arrival_range_s
    t0 = rng.uniform(low, high, n)
    ttp = np.maximum(ttp, t0 + 3.0)
    sigma = rng.uniform(*s.sigma_range, n)
    mu = np.log(ttp - t0) + sigma**2
    mtt = t0 + np.exp(mu + sigma**2 / 2)
    log_pe = np.log(np.asarray(s.peak_enhancement_median, dtype=float))
    log_pe = log_pe.mean() + sep * (log_pe - log_pe.mean())
    pe = np.exp(log_pe[state] + s.peak_enhancement_log_sd * rng.standard_normal(n))
    return get_model("lognormal").from_timing(
        ttp=ttp, mtt=mtt, pe=pe, t0=t0, offset=np.full(n, s.tissue_background)
    )


def simulate_curves(
    node_ids: np.ndarray,
    state: np.ndarray,
    *,
    rng: np.random.Generator,
    scenario: Scenario,
    roi: str = "node",
) -> pd.DataFrame:
    """The long ``tics`` table: ``node_id, roi, time_s, intensity, unit``, one row per frame.

    Each curve goes through the whole acquisition chain of
    :func:`ceuslib.perfusion.simulate_tics` (speckle, log compression over
    ``dynamic_range_db``, 8-bit quantisation) and is then linearised back with
    :func:`ceuslib.perfusion.linearize`, as an analysis export would be: the intensity is
    linear echo-power in arbitrary units (1 = top of the display).
    """
    columns = ["node_id", "roi", "time_s", "intensity", "unit"]
    if node_ids.size == 0:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    params = curve_parameters(state, rng=rng, scenario=scenario)
    sim = simulate_tics(
        "lognormal",
        params=params,
        fps=scenario.fps,
        duration=scenario.duration_s,
        n_speckle=scenario.speckle_cells,
        dynamic_range_db=scenario.dynamic_range_db,
        seed=rng,
    )
    intensity = linearize(sim.displayed, dynamic_range_db=scenario.dynamic_range_db)
    n_frames = sim.time.size
    return pd.DataFrame(
        {
            "node_id": np.repeat(node_ids, n_frames),
            "roi": roi,
            "time_s": np.tile(sim.time, node_ids.size),
            "intensity": intensity.ravel(),
            "unit": UNIT,
        }
    )


def simulate_reference_curves(
    node_ids: np.ndarray, *, rng: np.random.Generator, scenario: Scenario
) -> pd.DataFrame:
    """The reference-region curve of each node's clip (``roi`` is ``reference``).

    The region is perinodal tissue: its bolus has the timing of a node that never held tumour
    and a peak enhancement around :data:`REFERENCE_PEAK_MEDIAN`, through the same
    acquisition chain as the node's curve.  It is exported at half the node curve's frame
    rate (:data:`REFERENCE_FPS_SHARE`) to keep the shipped ``tics.csv`` small: a ratio
    divides fitted descriptors, which do not depend on the sampling.
    """
    reference = scenario.replace(
        peak_enhancement_median=(REFERENCE_PEAK_MEDIAN,) * 3,
        fps=scenario.fps * REFERENCE_FPS_SHARE,
    )
    state = np.full(node_ids.size, 2, dtype=int)
    return simulate_curves(node_ids, state, rng=rng, scenario=reference, roi="reference")
