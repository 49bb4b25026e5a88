"""Parametric maps: against a per-pixel oracle, edges, a property, and the phantom's truth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceuslib.perfusion import linearize
from ceuslib.phantom import parametric_maps, simulate_cine


def _box_mean(power, size, axis):
    """Centred box mean with edges repeated, as a plain sum of shifted copies."""
    before = size // 2
    pad = [(0, 0)] * power.ndim
    pad[axis] = (before, size - 1 - before)
    padded = np.pad(power, pad, mode="edge")
    n = power.shape[axis]
    return sum(np.take(padded, range(i, i + n), axis=axis) for i in range(size)) / size


def _oracle(frames, *, fps, window, spatial, n_baseline, dynamic_range_db=60.0):
    """Slow, obvious per-pixel version: filter the whole loop, then loop over pixels."""
    power = linearize(frames, dynamic_range_db=dynamic_range_db)
    power = _box_mean(_box_mean(power, spatial, 1), spatial, 2)
    power = _box_mean(power, window, 0)
    height, width = frames.shape[1:]
    ttp, pe, wir, t50 = (np.empty((height, width)) for _ in range(4))
    for r in range(height):
        for c in range(width):
            curve = power[:, r, c]
            k = int(np.argmax(curve))
            ttp[r, c] = k / fps
            pe[r, c] = curve[k] - curve[:n_baseline].mean()
            wir[r, c] = np.diff(curve)[:k].max() * fps if k > 0 else 0.0
            base = curve[:n_baseline].mean()
            t50[r, c] = np.flatnonzero(curve >= base + (curve[k] - base) / 2)[0] / fps
    return ttp, pe, wir, t50


@pytest.mark.parametrize(("window_s", "spatial"), [(0.0, 1), (1.0, 3), (2.5, 5), (0.5, 4)])
def test_maps_match_the_per_pixel_oracle(window_s: float, spatial: int) -> None:
    cine = simulate_cine("viable_tumour", shape=(20, 24), fps=4, duration=50, seed=9)
    maps = parametric_maps(
        cine.frames, fps=4, window_s=window_s, spatial=spatial, baseline_s=5, half_peak=True
    )
    window = max(1, round(window_s * 4))
    ttp, pe, wir, t50 = _oracle(cine.frames, fps=4, window=window, spatial=spatial, n_baseline=20)
    assert (maps.t50 == t50).mean() > 0.99
    # float32 running sums against float64: a near-tie may pick a neighbouring frame
    assert (maps.ttp == ttp).mean() > 0.99
    np.testing.assert_allclose(maps.pe, pe, rtol=2e-3, atol=1e-6)
    close = maps.ttp == ttp
    np.testing.assert_allclose(maps.wir[close], wir[close], rtol=2e-3, atol=1e-5)


def test_single_frame_and_constant_loops() -> None:
    one = parametric_maps(np.full((1, 3, 4), 200, np.uint8), fps=10)
    assert (one.ttp == 0).all() and (one.pe == 0).all() and (one.wir == 0).all()
    flat = parametric_maps(np.full((30, 3, 4), 90, np.uint8), fps=10)
    assert (flat.ttp == 0).all() and np.allclose(flat.pe, 0) and (flat.wir == 0).all()
    np.testing.assert_allclose(flat.baseline, linearize(90))


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 4), st.integers(1, 4))))
def test_unsmoothed_time_to_peak_is_the_first_brightest_frame(frames: np.ndarray) -> None:
    # The display law is monotone, so without smoothing the peak of the linearized curve is
    # the first frame of maximal gray level.
    maps = parametric_maps(frames, fps=2.0, window_s=0, spatial=1)
    np.testing.assert_array_equal(maps.ttp, frames.argmax(axis=0) / 2.0)


def test_map_of_the_phantom_follows_its_arrival_delays() -> None:
    cine = simulate_cine(PATTERN := "viable_tumour", shape=(96, 96), fps=8, duration=45, seed=1)
    maps = parametric_maps(cine.frames, fps=8, half_peak=True)
    node = cine.maps.node & ~cine.maps.defect
    inner = node & (cine.maps.radius < 0.8)  # away from the tissue across the capsule
    r = np.corrcoef(maps.ttp[inner], cine.delay[inner])[0, 1]
    assert r > 0.3, PATTERN
    # the time to half peak follows the arrival front more closely than the time to peak
    r50 = np.corrcoef(maps.t50[inner], cine.delay[inner])[0, 1]
    assert r50 > max(r, 0.7)
    # node pixels peak earlier than the surrounding tissue (its bolus peaks later)
    tissue = cine.maps.tissue & (cine.maps.radius > 1.4)
    assert np.median(maps.ttp[node]) < np.median(maps.ttp[tissue])
    table = maps.to_frame(node)
    assert len(table) == node.sum() and list(table.columns)[:3] == ["row", "column", "ttp"]


def test_map_input_errors() -> None:
    with pytest.raises(ValueError, match="uint8"):
        parametric_maps(np.zeros((3, 4)), fps=1)
    with pytest.raises(ValueError, match="fps"):
        parametric_maps(np.zeros((3, 4, 4), np.uint8), fps=-1)
    with pytest.raises(ValueError, match="spatial"):
        parametric_maps(np.zeros((3, 4, 4), np.uint8), fps=1, spatial=0)
