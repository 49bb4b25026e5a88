"""The figures of clips, curves and maps: legible text, white background, what they draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from ceuslib.perfusion import fit_roi_tics, fit_tic, roi_tics, simulate_tic
from ceuslib.phantom import ellipse_mask, fitted_maps, parametric_maps, simulate_cine
from ceuslib.plots import style_context
from ceuslib.plots.features import (
    plot_frames_over_time,
    plot_kappa,
    plot_map_grid,
    plot_regions,
    window_image,
)
from ceuslib.plots.perfusion import (
    plot_bolus_models,
    plot_region_fits,
    plot_signal_chain,
    plot_study_curves,
    plot_tic_parameters,
)
from ceuslib.plots.style import small_text


@pytest.fixture(scope="module")
def cine():
    return simulate_cine("viable_tumour", shape=(40, 40), fps=2.0, duration=60.0, seed=0)


def figures(cine):
    """One figure of every function of ceuslib.plots.perfusion and ceuslib.plots.features."""
    tic = simulate_tic(seed=1)
    regions = {"node": cine.maps.node, "reference": ellipse_mask((40, 40), (20, 3), (3, 2))}
    curves = roi_tics(cine.frames, regions, time=cine.time)
    fits = fit_roi_tics(curves)
    tics = curves[curves["roi"] == "node"].assign(node_id="a")
    free = parametric_maps(cine.frames, fps=2.0)
    fitted = fitted_maps(cine.frames, fps=2.0, mask=cine.maps.node)
    agreement = pd.DataFrame(
        {"kappa": [0.7, 0.5], "ci_low": [0.5, 0.2], "ci_high": [0.9, 0.8]},
        index=pd.Index(["direction", "ring_enhancement"], name="feature"),
    )
    return {
        "plot_signal_chain": plot_signal_chain(tic),
        "plot_bolus_models": plot_bolus_models().figure,
        "plot_tic_parameters": plot_tic_parameters(
            fit_tic(tic.time, tic.linear), tic.time, tic.linear
        ).figure,
        "plot_region_fits": plot_region_fits(curves, fits, labels={"node": "node ROI"}).figure,
        "plot_study_curves": plot_study_curves(tics, {"a long group name": ["a"]}).figure,
        "plot_frames_over_time": plot_frames_over_time(
            {"viable tumour": cine.frames, "again": cine.frames}, [10, 20, 30], fps=2.0
        ),
        "plot_regions": plot_regions(
            cine.frames[30], regions, title="t", pixel_spacing_mm=0.2
        ).figure,
        "plot_map_grid": plot_map_grid(
            {
                "model-free": [(free.pe, "PE (a.u.)", None), (free.ttp, "TTP (s)", None)],
                "fitted": [(fitted.pe, "PE (a.u.)", None), (fitted.qof, "QOF (%)", (0, 100))],
            },
            outlines={"fitted": cine.maps.node},
        ),
        "plot_kappa": plot_kappa(agreement, target=0.7).figure,
    }


@pytest.mark.parametrize("styled", [True, False], ids=["style", "matplotlib defaults"])
def test_figures_have_no_text_below_ten_points_and_a_white_background(cine, styled) -> None:
    with style_context() if styled else plt.rc_context():
        drawn = figures(cine)
        too_small = {name: small_text(fig) for name, fig in drawn.items() if small_text(fig)}
        backgrounds = {to_hex(fig.get_facecolor(), keep_alpha=True) for fig in drawn.values()}
    plt.close("all")
    assert too_small == {}
    assert backgrounds == {"#ffffffff"}


def test_every_axis_that_plots_data_has_labels_with_units(cine) -> None:
    drawn = figures(cine)
    for name in (
        "plot_bolus_models",
        "plot_tic_parameters",
        "plot_region_fits",
        "plot_study_curves",
    ):
        ax = drawn[name].axes[0]
        assert "(s)" in ax.get_xlabel() and "a.u." in ax.get_ylabel(), name
    assert drawn["plot_regions"].axes[0].get_xlabel() == "x (mm)"
    plt.close("all")


def test_region_fits_skip_a_flagged_fit() -> None:
    time = np.arange(0, 60, 0.5)
    curves = pd.DataFrame({"roi": "node", "time_s": time, "intensity": np.full(time.size, 0.01)})
    fits = fit_roi_tics(curves)
    assert fits.loc[0, "flag"] != ""
    ax = plot_region_fits(curves, fits)
    assert [line.get_label() for line in ax.get_lines()] == ["node"]
    plt.close("all")


def test_study_curves_pool_nodes_by_time() -> None:
    tics = pd.DataFrame(
        {
            "node_id": ["a"] * 3 + ["b"] * 2,
            "time_s": [0.0, 1.0, 2.0, 0.0, 1.0],
            "intensity": [1.0, 2.0, 3.0, 3.0, 4.0],
        }
    )
    ax = plot_study_curves(tics, {"both": ["a", "b"]})
    x, y = ax.get_lines()[0].get_data()
    assert list(x) == [0.0, 1.0, 2.0] and list(y) == [2.0, 3.0, 3.0]
    plt.close("all")


def test_window_image_averages_echo_power_not_gray_levels() -> None:
    frames = np.array([[[255]], [[0]]], dtype=np.uint8)  # full white, then black
    image = window_image(frames, 0.0, fps=2.0)
    # The mean echo-power is about half of full white: 3 dB below, not half the gray scale.
    assert image[0, 0] == pytest.approx(255 * (1 - 3.0103 / 60), abs=0.6)
    with pytest.raises(ValueError, match="no frame"):
        window_image(frames, 5.0, fps=2.0)


def test_map_grid_hides_missing_panels_and_titles_repeated_columns_once() -> None:
    m = np.arange(9.0).reshape(3, 3)
    fig = plot_map_grid({"a": [(m, "PE", None), (m, "TTP", None)], "b": [(m, "PE", None)]})
    axes = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in axes] == ["PE", "TTP", ""]
    assert not fig.axes[3].get_visible()
    plt.close(fig)
