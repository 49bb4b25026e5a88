"""Several regions of one clip, their fits, and amplitudes as ratios to a reference region."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ceuslib.perfusion import (
    AMPLITUDE_DESCRIPTORS,
    UltrasoundRegion,
    compress,
    fit_roi_tics,
    fit_tics,
    read_dicom_cine,
    reference_ratios,
    roi_tic,
    roi_tics,
    simulate_tic,
    write_dicom_cine,
)
from ceuslib.phantom import roi_curves


def _clip(tmp_path: Path, gain: float, seed: int) -> Path:
    """A 2-pane-free clip: the node (left) enhances ``gain`` times the reference (right).

    Every pixel is the same bolus times exponential speckle, displayed and quantised, so the
    true ratio of every amplitude descriptor is ``gain`` (least squares is scale-equivariant).
    """
    tic = simulate_tic(seed=seed, fps=4.0, duration=90.0, n_speckle=np.inf)
    rng = np.random.default_rng(seed)
    scale = np.ones((16, 32))
    scale[:, :16] = gain
    power = tic.linear[:, None, None] * scale / gain * rng.exponential(1.0, (tic.n_frames, 16, 32))
    frames = compress(power).astype(np.uint8)
    return write_dicom_cine(tmp_path / f"clip{seed}.dcm", frames, fps=4.0)


def test_a_clip_to_reference_ratios_recovers_the_gain(tmp_path: Path) -> None:
    cine = read_dicom_cine(_clip(tmp_path, gain=2.5, seed=1))
    rois = {"node": (0, 0, 15, 15), "reference": UltrasoundRegion(16, 0, 31, 15)}
    curves = roi_tics(cine, rois)
    assert list(curves.columns) == ["roi", "frame", "time_s", "intensity"]
    assert curves["roi"].tolist() == ["node"] * cine.n_frames + ["reference"] * cine.n_frames
    np.testing.assert_array_equal(curves["time_s"].iloc[: cine.n_frames], cine.time)
    np.testing.assert_array_equal(
        curves["intensity"].iloc[: cine.n_frames], roi_tic(cine, rect=(0, 0, 15, 15))
    )
    fits = fit_roi_tics(curves)
    assert fits["roi"].tolist() == ["node", "reference"]
    assert (fits["flag"] == "").all()
    ratios = reference_ratios(fits)
    assert ratios.columns.tolist() == [
        "roi",
        *(f"{name}_ratio" for name in AMPLITUDE_DESCRIPTORS),
        "flag",
    ]
    (row,) = ratios.to_dict("records")
    for name in AMPLITUDE_DESCRIPTORS:
        # speckle over 256 pixels and 360 frames: a few per cent
        assert row[f"{name}_ratio"] == pytest.approx(2.5, rel=0.06), name


def test_ratios_are_exact_for_a_scaled_curve_and_follow_each_clip() -> None:
    # Least squares is scale-equivariant: a curve times k fits to the same shape, and every
    # amplitude descriptor times k (no pixels, no speckle: the fits themselves).
    tic = simulate_tic(seed=2, n_speckle=np.inf)
    rows = []
    for clip, gain in (("a", 3.0), ("b", 0.5)):
        for roi, factor in (("node", gain), ("reference", 1.0)):
            rows.append(
                pd.DataFrame(
                    {"clip": clip, "roi": roi, "time_s": tic.time, "intensity": tic.linear * factor}
                )
            )
    fits = fit_roi_tics(pd.concat(rows, ignore_index=True), by="clip")
    assert fits[["clip", "roi"]].values.tolist() == [
        ["a", "node"],
        ["a", "reference"],
        ["b", "node"],
        ["b", "reference"],
    ]
    direct = fit_tics(tic.time, np.vstack([tic.linear * 3.0, tic.linear]))
    pd.testing.assert_series_equal(
        fits["pe"].iloc[:2].reset_index(drop=True), direct["pe"], check_names=False
    )
    ratios = reference_ratios(fits, by="clip").set_index("clip")
    for name in AMPLITUDE_DESCRIPTORS:
        assert ratios.loc["a", f"{name}_ratio"] == pytest.approx(3.0, rel=1e-6), name
        assert ratios.loc["b", f"{name}_ratio"] == pytest.approx(0.5, rel=1e-6), name
    assert (ratios["flag"] == "").all()


def test_a_flagged_curve_gives_nan_ratios_and_says_why() -> None:
    fits = pd.DataFrame(
        {
            "node_id": ["N1", "N1", "N1", "N2", "N2"],
            "roi": ["node", "rim", "reference", "node", "reference"],
            "pe": [2.0, 3.0, 1.0, 2.0, 1.0],
            "wiauc": [4.0, 6.0, 2.0, 4.0, 0.0],
            "flag": ["", "no enhancement", "", "", "no enhancement"],
        }
    )
    table = reference_ratios(fits, by="node_id", descriptors=("pe", "wiauc"))
    assert table["flag"].tolist() == ["", "no enhancement", "reference: no enhancement"]
    assert table["pe_ratio"].iloc[0] == 2.0 and table["wiauc_ratio"].iloc[0] == 2.0
    assert table[["pe_ratio", "wiauc_ratio"]].iloc[1:].isna().all().all()


def test_bad_tables_are_refused() -> None:
    fits = pd.DataFrame({"roi": ["node", "node"], "pe": [1.0, 2.0], "flag": ["", ""]})
    with pytest.raises(ValueError, match="the table has 0 rows with roi == 'reference'"):
        reference_ratios(fits, descriptors=("pe",))
    two = fits.assign(clip=["c1", "c1"], roi=["reference", "reference"])
    with pytest.raises(ValueError, match="clip='c1' has 2 rows with roi == 'reference'"):
        reference_ratios(two, by="clip", descriptors=("pe",))
    with pytest.raises(ValueError, match=r"no column \['wiauc'\]"):
        reference_ratios(fits, descriptors=("pe", "wiauc"))
    with pytest.raises(ValueError, match=r"no column \['time_s'\]"):
        fit_roi_tics(pd.DataFrame({"roi": ["a"], "intensity": [1.0]}))


def test_roi_tics_input_errors_and_the_phantom_alias() -> None:
    rng = np.random.default_rng(5)
    frames = rng.integers(0, 256, size=(6, 5, 7), dtype=np.uint8)
    mask = rng.random((5, 7)) < 0.5
    with pytest.raises(ValueError, match="give time="):
        roi_tics(frames, {"a": mask})
    with pytest.raises(ValueError, match=r"time has shape \(5,\); the cine has 6 frames"):
        roi_tics(frames, {"a": mask}, time=np.arange(5))
    with pytest.raises(ValueError, match="at least one region"):
        roi_tics(frames, {}, time=np.arange(6))
    table = roi_tics(frames, {"a": mask, "b": (1, 1, 3, 4)}, time=np.arange(6) / 7.0)
    alias = roi_curves(frames, {"a": mask, "b": ~mask}, fps=7.0)
    pd.testing.assert_frame_equal(table.iloc[:6], alias.iloc[:6])
    with pytest.raises(ValueError, match="rect must be"):
        roi_tic(frames, rect=(1, 2, 3))
    with pytest.raises(ValueError, match=r"gray levels must lie in \[0, 100\]"):
        roi_tic(frames, mask=mask, gray_max=100)
    with pytest.raises(ValueError, match="must hold numbers"):
        roi_tic(frames.astype(bool), mask=mask)
