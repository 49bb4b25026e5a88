"""The node phantom: frames against a per-pixel oracle, ROI curves, patterns, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from ceuslib.perfusion import MODELS, compress, linearize
from ceuslib.phantom import (
    PATTERNS,
    Ellipse,
    NodeGeometry,
    ellipse_mask,
    roi_curve,
    roi_curves,
    simulate_cine,
)


def _oracle_frames(cine, *, tissue_echo=1e-3, noise_power=1e-5):
    """Noise-free frames built pixel by pixel, in float64, from the cine's truth maps."""
    n_frames = len(cine.time)
    height, width = cine.frames.shape[1:]
    out = np.empty((n_frames, height, width))
    spec = cine.pattern
    for r in range(height):
        for c in range(width):
            if cine.maps.node[r, c]:
                params = dict(spec.bolus)
                params["t0"] = params["t0"] + cine.delay[r, c]
                curve = MODELS[spec.model](cine.time, **params)
            else:
                curve = MODELS["lognormal"](cine.time, **cine.tissue_bolus)
            out[:, r, c] = tissue_echo + noise_power + cine.amplitude[r, c] * curve
    return compress(out, dynamic_range_db=cine.dynamic_range_db)


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_noise_free_frames_match_a_pixel_by_pixel_oracle(pattern: str) -> None:
    cine = simulate_cine(pattern, shape=(24, 30), fps=2, duration=45, seed=3, speckle=False)
    expected = _oracle_frames(cine)
    difference = np.abs(cine.frames.astype(int) - expected)
    # float32 against float64 may round a value lying on a half gray level either way
    assert difference.max() <= 1
    assert (difference > 0).mean() < 1e-3


def test_same_seed_same_bytes_other_seed_other_frames() -> None:
    a = simulate_cine("viable_tumour", shape=(32, 40), fps=4, duration=20, seed=11)
    b = simulate_cine("viable_tumour", shape=(32, 40), fps=4, duration=20, seed=11)
    c = simulate_cine("viable_tumour", shape=(32, 40), fps=4, duration=20, seed=12)
    assert a.frames.tobytes() == b.frames.tobytes()
    assert np.array_equal(a.amplitude, b.amplitude)
    assert not np.array_equal(a.frames, c.frames)


def test_linearized_roi_mean_estimates_the_expected_curve() -> None:
    cine = simulate_cine("reactive", shape=(96, 96), fps=5, duration=60, seed=5)
    mask = cine.maps.node & ~cine.maps.hilum
    observed = roi_curve(cine.frames, mask)
    expected = cine.expected_curve(mask)
    ratio = observed / expected
    # Mean of n_cells independent unit exponentials: relative SD 1/sqrt(n_cells) per frame.
    n_cells = mask.sum() / 4  # 2 x 2 pixel speckle cells
    per_frame_sd = 1 / np.sqrt(n_cells)
    assert np.abs(ratio - 1).max() < 5 * per_frame_sd
    assert abs(ratio.mean() - 1) < 5 * per_frame_sd / np.sqrt(len(ratio))
    # Averaging gray levels instead (the wrong way) gives a geometric mean: for pure exponential
    # speckle exp(-Euler gamma) = 0.561 of the mean; the static tissue echo added to every
    # pixel lifts the darkest speckle values, so near the peak it lies a little above that.
    gray_mean = linearize(cine.frames[:, mask].mean(axis=1))
    peak = slice(int(expected.argmax()) - 10, int(expected.argmax()) + 10)
    assert np.exp(-np.euler_gamma) < (gray_mean / expected)[peak].mean() < 0.7


def test_defects_do_not_enhance_and_the_node_does() -> None:
    cine = simulate_cine("necrotic_ring", shape=(96, 96), fps=4, duration=60, seed=2)
    core = ellipse_mask(cine.frames.shape[1:], cine.geometry.center, (8, 6))
    assert (cine.maps.defect[core]).all()
    dark = roi_curve(cine.frames, core)
    rim = roi_curve(cine.frames, cine.maps.node & ~cine.maps.defect)
    baseline = slice(0, 40)  # 0-10 s, before the bolus arrives at 12 s
    assert dark.max() / dark[baseline].mean() < 1.5
    assert rim.max() / rim[baseline].mean() > 20


def test_directions_of_arrival() -> None:
    shape = (64, 80)
    centripetal = simulate_cine("viable_tumour", shape=shape, fps=2, duration=20, seed=0)
    centrifugal = simulate_cine("reactive", shape=shape, fps=2, duration=20, seed=0)
    node = centripetal.maps.node
    rim = node & (centripetal.maps.radius > 0.85)
    centre = node & (centripetal.maps.radius < 0.3)
    assert centripetal.delay[rim].max() < centripetal.delay[centre].min()
    near = node & (centrifugal.maps.from_hilum < 0.25)
    far = node & (centrifugal.maps.from_hilum > 0.8)
    assert centrifugal.delay[near].max() < centrifugal.delay[far].min()
    for cine in (centripetal, centrifugal):
        assert cine.delay[node].max() == pytest.approx(cine.pattern.delay_spread_s, abs=0.05)


def test_heterogeneity_and_hypo_enhancement() -> None:
    viable = simulate_cine("viable_tumour", shape=(64, 64), fps=1, duration=5, seed=4)
    reactive = simulate_cine("reactive", shape=(64, 64), fps=1, duration=5, seed=4)
    fibrotic = simulate_cine("fibrotic_responder", shape=(64, 64), fps=1, duration=5, seed=4)

    def cv(cine):
        keep = cine.maps.node & ~cine.maps.defect & ~cine.maps.hilum
        return cine.amplitude[keep].std() / cine.amplitude[keep].mean()

    assert cv(viable) == pytest.approx(PATTERNS["viable_tumour"].heterogeneity, rel=0.35)
    assert cv(reactive) < 0.1 < cv(viable)
    keep = fibrotic.maps.node & ~fibrotic.maps.defect
    assert fibrotic.amplitude[keep].mean() == pytest.approx(0.2, rel=0.1)


def test_geometry_and_pattern_validation() -> None:
    with pytest.raises(ValueError, match="shape"):
        NodeGeometry((4, 100))
    with pytest.raises(ValueError, match="long, short"):
        NodeGeometry((50, 50), semi_axes=(5, 10))
    with pytest.raises(ValueError, match="direction"):
        PATTERNS["reactive"].with_changes(direction="sideways")
    with pytest.raises(ValueError, match="unknown pattern"):
        simulate_cine("lymphoma", seed=0)
    with pytest.raises(ValueError, match="fps"):
        simulate_cine("reactive", fps=0, seed=0)
    with pytest.raises(ValueError, match="semi_axes"):
        Ellipse((0, 0), (0, 1))


def test_custom_geometry_is_used() -> None:
    geometry = NodeGeometry(
        (40, 60), semi_axes=(20, 10), angle_deg=30, defects=(Ellipse((0, 0), (0.3, 0.3)),)
    )
    cine = simulate_cine("reactive", geometry=geometry, fps=1, duration=3, seed=0)
    assert cine.frames.shape == (3, 40, 60)
    assert cine.maps.defect.any() and (cine.amplitude[cine.maps.defect] == 0).all()
    assert geometry.short_axis_mm == pytest.approx(4.0)


def test_ellipse_mask_matches_brute_force_and_area() -> None:
    shape = (41, 53)
    mask = ellipse_mask(shape, (20.3, 25.7), (14.0, 6.0), angle_deg=25.0)
    angle = np.deg2rad(25.0)
    brute = np.zeros(shape, bool)
    for r in range(shape[0]):
        for c in range(shape[1]):
            dx, dy = c - 25.7, 20.3 - r
            u = dx * np.cos(angle) + dy * np.sin(angle)
            v = -dx * np.sin(angle) + dy * np.cos(angle)
            brute[r, c] = (u / 14.0) ** 2 + (v / 6.0) ** 2 <= 1
    assert np.array_equal(mask, brute)
    assert mask.sum() == pytest.approx(np.pi * 14 * 6, rel=0.03)


def test_roi_curve_matches_direct_linearized_mean() -> None:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, size=(70, 9, 11), dtype=np.uint8)
    mask = rng.random((9, 11)) < 0.4
    direct = np.array([linearize(frame[mask], dynamic_range_db=45.0).mean() for frame in frames])
    np.testing.assert_allclose(roi_curve(frames, mask, dynamic_range_db=45.0), direct, rtol=1e-12)
    table = roi_curves(frames, {"a": mask, "b": ~mask}, fps=7.0)
    assert list(table.columns) == ["roi", "frame", "time_s", "intensity"]
    assert len(table) == 140 and table["time_s"].iloc[69] == pytest.approx(69 / 7)


def test_roi_input_errors() -> None:
    frames = np.zeros((3, 4, 5), dtype=np.uint8)
    with pytest.raises(ValueError, match="boolean array"):
        roi_curve(frames, np.ones((4, 4), bool))
    with pytest.raises(ValueError, match="no pixel"):
        roi_curve(frames, np.zeros((4, 5), bool))
    with pytest.raises(ValueError, match="uint8"):
        roi_curve(frames.astype(float), np.ones((4, 5), bool))


@pytest.mark.parametrize("dynamic_range_db", [40.0, 60.0, 80.0])
def test_tabulated_display_equals_the_perfusion_display_law(dynamic_range_db: float) -> None:
    from ceuslib.phantom.cine import _display

    rng = np.random.default_rng(1)
    power = (10 ** rng.uniform(-10, 1, 200_000)).astype(np.float32)
    # and the float32 neighbours of every rounding boundary of the display
    levels = np.arange(256) + 0.5
    edges = linearize(np.clip(levels, 0, 255), dynamic_range_db=dynamic_range_db)
    bits = edges.astype(np.float32).view(np.uint32).astype(np.int64)
    around = (bits[:, None] + np.arange(-3, 4)[None, :]).ravel().astype(np.uint32)
    power = np.concatenate([power, around.view(np.float32)])
    expected = compress(power, dynamic_range_db=dynamic_range_db)
    np.testing.assert_array_equal(_display(power.copy(), dynamic_range_db), expected)
