"""The one figure style: sizes legible on a phone, a white background, the book's SVG figures."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from ceuslib.cohort import simulate_cohort
from ceuslib.cohort.eligibility import stard_flow
from ceuslib.decision import decision_curve
from ceuslib.plots import book_style, style_context
from ceuslib.plots.accuracy import plot_roc
from ceuslib.plots.decision import plot_calibration, plot_decision_curve
from ceuslib.plots.palette import SERIES
from ceuslib.plots.study import plot_stard_flow
from ceuslib.plots.style import BOOK_RC, MIN_FONT_SIZE, RC, small_text


def library_figures():
    """One figure of every plotting function of ceuslib.plots, with long labels and legends."""
    cohort = simulate_cohort(10, seed=1, curves=False)
    labels = [f"descriptor {i}" for i in range(8)]
    points = pd.DataFrame(
        {"label": np.repeat(labels, 3), "fpr": [0, 0.5, 1] * 8, "tpr": [0, 0.8, 1] * 8}
    )
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    risk = np.clip(0.5 * y + 0.5 * rng.random(60), 0.01, 0.99)
    rules = {f"rule {k}": (risk > k / 10).astype(float) for k in range(2, 5)}
    curve = decision_curve(y, rules, [0.1, 0.2, 0.3], n_resamples=20, seed=1)
    return {
        "plot_stard_flow": plot_stard_flow(
            stard_flow(cohort.screening, cohort.patients, cohort.nodes)
        ),
        "plot_roc": plot_roc(points).figure,
        "plot_decision_curve": plot_decision_curve(curve).figure,
        "plot_calibration": plot_calibration(y, risk, n_groups=4).figure,
    }


@pytest.mark.parametrize("styled", [True, False], ids=["style", "matplotlib defaults"])
def test_library_figures_have_no_text_below_ten_points_and_a_white_background(styled) -> None:
    with style_context() if styled else plt.rc_context():
        figures = library_figures()
        too_small = {name: small_text(fig) for name, fig in figures.items() if small_text(fig)}
        backgrounds = {
            name: to_hex(fig.get_facecolor(), keep_alpha=True) for name, fig in figures.items()
        }
    plt.close("all")
    assert too_small == {}
    assert set(backgrounds.values()) == {"#ffffffff"}


def test_small_text_finds_small_tick_labels_and_skips_hidden_axes() -> None:
    fig, (shown, hidden) = plt.subplots(1, 2)
    shown.tick_params(labelsize=8)
    hidden.tick_params(labelsize=8)
    hidden.axis("off")
    found = small_text(fig)
    plt.close(fig)
    assert found and {size for _, size in found} == {8.0}
    assert len(found) == len(shown.get_xticklabels()) + len(shown.get_yticklabels())


def test_the_style_settings() -> None:
    sizes = [RC[key] for key in RC if key.endswith("size")]
    assert len(sizes) >= 7 and min(sizes) >= MIN_FONT_SIZE == 10
    assert RC["figure.facecolor"] == RC["savefig.facecolor"] == RC["axes.facecolor"] == "white"
    assert RC["savefig.transparent"] is False
    assert list(RC["axes.prop_cycle"].by_key()["color"]) == list(SERIES)
    assert BOOK_RC["svg.fonttype"] == "none" and "svg.fonttype" not in RC
    with pytest.raises(TypeError):
        RC["font.size"] = 8  # type: ignore[index]


def test_book_style_outside_ipython_sets_only_the_rcparams() -> None:
    with plt.rc_context():
        book_style()
        assert plt.rcParams["svg.fonttype"] == "none"
        assert plt.rcParams["legend.fontsize"] == 10
    assert "IPython" not in sys.modules or sys.modules["IPython"].get_ipython() is None


# In a fresh IPython shell, as in a chapter's kernel: the figure of a cell is shown as SVG
# only, with its text kept as text, no date, and the same bytes on a second run.
NOTEBOOK = """
import json
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
from ceuslib.plots import book_style
book_style()
import matplotlib.pyplot as plt
def figure():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set_xlabel("Time (s)")
    ax.legend()
    return fig
first, _ = shell.display_formatter.format(figure())
second, _ = shell.display_formatter.format(figure())
print(json.dumps({"first": first, "second": second}))
"""


def test_book_style_makes_a_notebook_show_its_figures_as_svg_with_text() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NOTEBOOK], capture_output=True, text=True, check=True
    )
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    first, second = shown["first"], shown["second"]
    assert set(first) == {"image/svg+xml", "text/plain"}
    svg = first["image/svg+xml"]
    assert "<text" in svg and "Time (s)" in svg, "text kept as text (svg.fonttype none)"
    assert "<dc:date>" not in svg
    assert svg == second["image/svg+xml"], "the same figure gives the same SVG"
