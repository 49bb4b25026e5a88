"""The decision plots, and that computing never imports matplotlib."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from ceuslib.decision import decision_curve
from ceuslib.plots.decision import plot_calibration, plot_decision_curve


def test_importing_the_decision_statistics_does_not_import_matplotlib():
    code = "import sys, ceuslib.decision; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_decision_curve_plot_has_one_distinct_line_per_strategy():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    risk = np.clip(0.5 * y + 0.5 * rng.random(80), 0.01, 0.99)
    curve = decision_curve(
        y,
        {"model": risk, "rule": (risk > 0.4).astype(float)},
        [0.1, 0.2, 0.3],
        n_resamples=50,
        seed=1,
    )
    ax = plot_decision_curve(curve)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["dissect all", "dissect none", "model", "rule"]
    styles = {str(line.get_linestyle()) + str(line.get_color()) for line in lines}
    assert len(styles) == 4
    assert len({str(line.get_linestyle()) for line in lines}) == 4  # not colour alone
    assert len(ax.collections) == 3  # bands for all, model, rule
    assert "%" in ax.get_xlabel()
    plt.close("all")


def test_calibration_plot_points_are_the_table():
    y = np.array([0, 0, 1, 1, 0, 1])
    risk = np.array([0.1, 0.2, 0.6, 0.8, 0.3, 0.7])
    ax = plot_calibration(y, risk, n_groups=3)
    points = ax.get_lines()[1].get_xydata()
    assert np.allclose(points[:, 0], [15, 45, 75])
    assert np.allclose(points[:, 1], [0, 50, 100])
    plt.close("all")
