"""Fitted parametric maps: every pixel's curve fitted, in bands of rows, flagged pixels NaN."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from ceuslib.perfusion import fit_tics, linearize
from ceuslib.phantom import PATTERNS, FittedMaps, fitted_maps, simulate_cine
from ceuslib.phantom.fitted_maps import MAP_NAMES


@pytest.fixture(scope="module")
def cine():
    return simulate_cine("necrotic_ring", shape=(24, 30), fps=2, duration=80, seed=7)


def _direct_curves(frames: np.ndarray, spatial: int) -> np.ndarray:
    """Every pixel's curve: the whole loop linearized, then box-filtered over the image."""
    power = linearize(frames).astype(np.float32)
    for axis in (1, 2):
        ndimage.uniform_filter1d(power, spatial, axis=axis, output=power, mode="nearest")
    return power.reshape(len(frames), -1).T.astype(float)


def test_maps_are_the_fits_of_each_pixels_curve_whatever_the_bands(cine) -> None:
    curves = _direct_curves(cine.frames, 3)
    direct = fit_tics(cine.time, curves)
    bad = (direct["flag"] != "").to_numpy().reshape(24, 30)
    assert 0 < bad.sum() < bad.size  # the necrotic core does not enhance
    for chunk_pixels in (1, 70, 4096):  # one row, two rows and a bit, the whole image
        maps = fitted_maps(cine.frames, fps=2, spatial=3, chunk_pixels=chunk_pixels)
        np.testing.assert_array_equal(maps.flagged, bad)
        for name in MAP_NAMES:
            expected = np.where(bad, np.nan, direct[name].to_numpy().reshape(24, 30))
            np.testing.assert_allclose(getattr(maps, name), expected, rtol=1e-12, err_msg=name)
    counts = direct.loc[direct["flag"] != "", "flag"].value_counts().to_dict()
    assert maps.flag_counts == counts
    assert sum(maps.flag_counts.values()) == maps.flagged.sum()


@pytest.mark.parametrize("seed", [0, 1])
def test_a_uniform_node_maps_to_the_fit_of_its_noise_free_curve(seed: int) -> None:
    # One bolus in every node pixel: each pixel's fit estimates the fit of the node's
    # noise-free curve (Cine.expected_curve); the median over the node must agree with it.
    spec = PATTERNS["viable_tumour"].with_changes(
        delay_spread_s=0.0, heterogeneity=0.0, fatty_hilum=False, defects=()
    )
    loop = simulate_cine(spec, shape=(64, 64), fps=4, duration=90, seed=seed)
    inner = ndimage.binary_erosion(loop.maps.node, iterations=3)
    maps = fitted_maps(loop.frames, fps=4, mask=inner)
    assert maps.flag_counts == {}
    clean = fit_tics(loop.time, loop.expected_curve(inner)[None, :]).iloc[0]
    median = {name: float(np.nanmedian(getattr(maps, name)[inner])) for name in MAP_NAMES}
    assert median["pe"] == pytest.approx(clean["pe"], rel=0.05)
    assert median["ttp"] == pytest.approx(clean["ttp"], abs=0.5)  # two frames
    assert median["mtt"] == pytest.approx(clean["mtt"], rel=0.03)
    assert median["wiauc"] == pytest.approx(clean["wiauc"], rel=0.06)
    assert 50 < median["qof"] < 100


def test_a_mask_limits_the_fit_and_the_table(cine) -> None:
    mask = np.zeros((24, 30), dtype=bool)
    mask[5:9, 10:20] = True
    maps = fitted_maps(cine.frames, fps=2, mask=mask)
    assert isinstance(maps, FittedMaps)
    np.testing.assert_array_equal(maps.fitted, mask)
    assert not maps.flagged[~mask].any()
    for name in MAP_NAMES:
        assert np.isnan(getattr(maps, name)[~mask]).all()
    table = maps.to_frame()
    assert len(table) == 40 and list(table.columns) == [
        "row",
        "column",
        *MAP_NAMES,
        "flagged",
    ]
    assert table[list(MAP_NAMES)].isna().all(axis=1).eq(table["flagged"]).all()
    assert "fitted=40" in repr(maps)


def test_bad_input_is_refused(cine) -> None:
    frames = cine.frames
    with pytest.raises(ValueError, match="uint8"):
        fitted_maps(frames.astype(float), fps=2)
    with pytest.raises(ValueError, match="fps"):
        fitted_maps(frames, fps=0)
    with pytest.raises(ValueError, match="spatial"):
        fitted_maps(frames, fps=2, spatial=0)
    with pytest.raises(ValueError, match="chunk_pixels"):
        fitted_maps(frames, fps=2, chunk_pixels=0)
    with pytest.raises(ValueError, match=r"mask must be a boolean array of shape \(24, 30\)"):
        fitted_maps(frames, fps=2, mask=np.ones((24, 29), bool))
