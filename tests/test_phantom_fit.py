"""Phantom to fit: the curve that comes out of the loop gives back the bolus that went in."""

from __future__ import annotations

import numpy as np
import pytest

from ceuslib.perfusion import MODELS, fit_tics
from ceuslib.phantom import PATTERNS, reference_ratio, roi_curve, simulate_cine

FITTED = ("area", "mu", "sigma", "t0")


@pytest.mark.parametrize("name", ["reactive", "viable_tumour"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uniform_phantom_returns_the_bolus_parameters_used(name: str, seed: int) -> None:
    # One arrival time and no heterogeneity: every node pixel carries the pattern's bolus, so
    # the fitted lognormal must be the one used, within its standard errors.
    spec = PATTERNS[name].with_changes(
        delay_spread_s=0.0, heterogeneity=0.0, fatty_hilum=False, defects=()
    )
    cine = simulate_cine(spec, shape=(96, 96), fps=8, duration=90, seed=seed)
    mask = cine.maps.node
    fit = fit_tics(cine.time, roi_curve(cine.frames, mask)[None, :]).iloc[0]
    assert fit["flag"] == "" and fit["converged"]
    truth = dict(spec.bolus)
    truth["area"] = spec.bolus["area"] * spec.enhancement
    for parameter in FITTED:
        error = abs(fit[parameter] - truth[parameter])
        assert error < 4 * fit[f"{parameter}_se"], (parameter, fit[parameter], truth[parameter])
    expected_offset = cine.expected_curve(mask)[0]  # static echo + noise, before arrival
    assert fit["offset"] == pytest.approx(expected_offset, rel=0.2)
    ttp = float(MODELS["lognormal"].ttp(mu=truth["mu"], sigma=truth["sigma"], t0=truth["t0"]))
    assert abs(fit["ttp"] - ttp) < 4 * fit["t0_se"] + 1 / cine.fps


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_patterned_phantom_fit_matches_the_noise_free_region_curve(name: str) -> None:
    # With delays and heterogeneity the region's curve is a mixture of delayed boluses: the
    # fit of the noisy loop must agree with the fit of the noise-free expected curve.
    cine = simulate_cine(name, shape=(96, 96), fps=8, duration=90, seed=0)
    mask = cine.maps.node & ~cine.maps.defect
    fits = fit_tics(cine.time, np.vstack([roi_curve(cine.frames, mask), cine.expected_curve(mask)]))
    noisy, clean = fits.iloc[0], fits.iloc[1]
    assert clean["qof"] > 99  # the lognormal describes the mixture well
    for parameter in FITTED:
        assert abs(noisy[parameter] - clean[parameter]) < 4 * noisy[f"{parameter}_se"], parameter


def test_reference_ratio_of_viable_tumour_and_fibrotic_responder() -> None:
    ratios = {}
    for name in ("viable_tumour", "fibrotic_responder"):
        cine = simulate_cine(name, shape=(96, 96), fps=6, duration=90, seed=3)
        reference = cine.maps.tissue & (cine.maps.radius > 1.3)
        table = reference_ratio(
            cine.frames, cine.maps.node & ~cine.maps.defect, reference, fps=6
        ).set_index("parameter")
        ratios[name] = table["ratio"]
        fits = table.attrs["fits"]
        np.testing.assert_allclose(
            table.loc["pe", "roi"] / table.loc["pe", "reference"], table.loc["pe", "ratio"]
        )
        assert list(fits.index) == ["roi", "reference"]
    # viable tumour enhances above the tissue, the fibrotic responder below it
    assert ratios["viable_tumour"]["pe"] > 1 > ratios["fibrotic_responder"]["pe"]
    assert ratios["viable_tumour"]["ttp"] < 1  # and it peaks before the tissue
    with pytest.raises(ValueError, match="unknown parameter"):
        reference_ratio(
            cine.frames, cine.maps.node, cine.maps.tissue, fps=6, parameters=("volume",)
        )
