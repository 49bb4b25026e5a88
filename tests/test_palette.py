"""The Okabe-Ito palette: its colours, their contrast on white, and that nobody retypes them."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ceuslib.cohort import simulate_cohort
from ceuslib.cohort.eligibility import stard_flow
from ceuslib.decision import decision_curve
from ceuslib.plots import palette
from ceuslib.plots.accuracy import plot_roc
from ceuslib.plots.decision import plot_calibration, plot_decision_curve
from ceuslib.plots.palette import OKABE_ITO, SERIES, contrast_ratio
from ceuslib.plots.study import plot_stard_flow

REFERENCE = Path(__file__).parent / "reference" / "palette"
# WCAG 2.1 success criterion 1.4.11 (non-text contrast): graphical objects need 3:1.
LINE_CONTRAST = 3.0
# Project convention: a line thinner than this (points) counts as thin.
THIN = 2.0
HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")
OKABE_ITO_HEX = {code.upper() for code in OKABE_ITO.values()}


def okabe_ito_literals(text: str) -> list[str]:
    """Every Okabe-Ito colour typed out as a hex literal in ``text``."""
    return [m.group(0) for m in HEX.finditer(text) if m.group(0).upper() in OKABE_ITO_HEX]


def thin_low_contrast_strokes(figure) -> set[tuple[str, str, float]]:
    """``(artist type, colour, width)`` of every visible line or edge thinner than ``THIN``
    points in a colour with less than ``LINE_CONTRAST`` against white."""
    found = set()
    for artist in figure.findobj():
        if not artist.get_visible():
            continue
        if isinstance(artist, Line2D):
            if artist.get_linestyle() in ("None", "", " "):
                continue  # markers only
            strokes = [(artist.get_color(), artist.get_linewidth())]
        elif isinstance(artist, Patch):
            strokes = [(artist.get_edgecolor(), artist.get_linewidth())]
        elif isinstance(artist, Collection):
            colours, widths = artist.get_edgecolors(), artist.get_linewidths()
            strokes = [(c, widths[i % len(widths)]) for i, c in enumerate(colours)]
        else:
            continue
        for colour, width in strokes:
            rgba = to_rgba(colour)
            if rgba[3] == 0 or width == 0:
                continue
            code = to_hex(rgba).upper()
            if width < THIN and contrast_ratio(code) < LINE_CONTRAST:
                found.add((type(artist).__name__, code, round(float(width), 2)))
    return found


# ---------------------------------------------------------------- the colours themselves


def test_colours_are_those_of_okabe_and_ito_2008() -> None:
    published = pd.read_csv(REFERENCE / "okabe_ito_2008.csv", dtype={"hex": str, "name": str})
    from_rgb = [f"#{r:02X}{g:02X}{b:02X}" for r, g, b in published[["red", "green", "blue"]].values]
    assert from_rgb == published["hex"].tolist()
    assert list(OKABE_ITO) == published["name"].tolist()
    assert list(OKABE_ITO.values()) == published["hex"].tolist()
    constants = {name.upper().replace(" ", "_"): code for name, code in OKABE_ITO.items()}
    assert {name: getattr(palette, name) for name in constants} == constants


def test_the_named_colours_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        OKABE_ITO["blue"] = "#000080"  # type: ignore[index]


def test_series_order_is_the_one_the_figures_use() -> None:
    name_of = {code: name for name, code in OKABE_ITO.items()}
    assert [name_of[code] for code in SERIES] == [
        "blue",
        "vermillion",
        "bluish green",
        "orange",
        "reddish purple",
        "sky blue",
        "black",
    ]


# ---------------------------------------------------------------- contrast on white


def test_contrast_on_white_matches_r_colorspace() -> None:
    expected = pd.read_csv(REFERENCE / "contrast_r.csv", dtype={"hex": str})
    for row in expected.itertuples():
        assert contrast_ratio(row.hex, row.background) == pytest.approx(row.contrast, rel=1e-12)


def test_colours_below_three_to_one_on_white_are_orange_sky_blue_and_yellow() -> None:
    expected = pd.read_csv(REFERENCE / "contrast_r.csv", dtype={"hex": str, "name": str})
    low_r = set(expected.loc[expected["contrast"] < LINE_CONTRAST, "name"])
    low = {name for name, code in OKABE_ITO.items() if contrast_ratio(code) < LINE_CONTRAST}
    assert low == low_r == {"orange", "sky blue", "yellow"}
    assert palette.YELLOW not in SERIES


def test_contrast_ratio_edges() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == 21.0
    assert contrast_ratio("#ffffff", "#FFFFFF") == 1.0
    assert contrast_ratio("#d55e00") == contrast_ratio(palette.VERMILLION)
    # Below the linear-segment threshold a channel is c / 12.92: (1 + 0.05) / (L + 0.05).
    grey = 10 / 255 / 12.92
    assert contrast_ratio("#0A0A0A") == pytest.approx(1.05 / (grey + 0.05), rel=1e-12)


@pytest.mark.parametrize("bad", ["blue", "#12345", "#1234567", "#GG0000", "0072B2", "", None])
def test_contrast_ratio_rejects_anything_but_hex(bad) -> None:
    with pytest.raises(ValueError, match="#RRGGBB"):
        contrast_ratio(bad)


hex_colours = st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06X}")


@given(hex_colours, hex_colours)
def test_contrast_ratio_is_symmetric_and_between_1_and_21(a: str, b: str) -> None:
    ratio = contrast_ratio(a, b)
    assert ratio == contrast_ratio(b, a)
    assert 1.0 <= ratio <= 21.0
    assert contrast_ratio(a, a) == 1.0


# ---------------------------------------------------------------- one source of truth


def test_the_literal_scan_finds_typed_out_colours() -> None:
    text = 'OKABE_ITO = ["#0072b2", "#D55E00"]\ncolor="#7F7F7F"  # "#0072B2FF" is longer'
    assert okabe_ito_literals(text) == ["#0072b2", "#D55E00"]


def test_no_module_or_chapter_types_out_an_okabe_ito_colour(root: Path) -> None:
    files = [
        *sorted((root / "ceuslib").rglob("*.py")),
        *sorted((root / "book").glob("*.md")),
        *sorted((root / "tools").glob("*.py")),
        *sorted((root / "bench").glob("*.py")),
    ]
    files.remove(root / "ceuslib" / "plots" / "palette.py")
    assert len(files) > 20
    found = {
        str(path.relative_to(root)): literals
        for path in files
        if (literals := okabe_ito_literals(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "import the colours from ceuslib.plots.palette instead"


# ---------------------------------------------------------------- no thin low-contrast lines


def test_the_stroke_check_finds_a_thin_sky_blue_line() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=palette.SKY_BLUE, linewidth=1)
    ax.plot([0, 1], [1, 0], color=palette.SKY_BLUE, linewidth=2)
    ax.plot([0, 1], [0, 0], ".", color=palette.YELLOW)
    ax.axhline(0.5, color=palette.BLUE, linewidth=0.5)
    assert thin_low_contrast_strokes(fig) == {("Line2D", palette.SKY_BLUE, 1.0)}
    plt.close(fig)


def test_library_line_plots_draw_no_thin_low_contrast_lines() -> None:
    labels = [f"descriptor {i}" for i in range(8)]  # every colour and style of plot_roc, twice
    points = pd.DataFrame(
        {"label": np.repeat(labels, 3), "fpr": [0, 0.5, 1] * 8, "tpr": [0, 0.8, 1] * 8}
    )
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    risk = np.clip(0.5 * y + 0.5 * rng.random(60), 0.01, 0.99)
    rules = {f"rule {k}": (risk > k / 10).astype(float) for k in range(2, 8)}  # > LINE_STYLES
    curve = decision_curve(y, rules, [0.1, 0.2, 0.3], n_resamples=20, seed=1)
    axes = [
        plot_roc(points),
        plot_decision_curve(curve),
        plot_calibration(y, risk, n_groups=4),
    ]
    for ax in axes:
        assert thin_low_contrast_strokes(ax.figure) == set(), ax.get_xlabel()
    plt.close("all")


def test_stard_flow_draws_no_thin_low_contrast_outlines() -> None:
    # The "Residual nodal disease" box is outlined in orange (2.25:1 on white), so every
    # outline is drawn at least THIN points wide.
    c = simulate_cohort(10, seed=1, curves=False)
    fig = plot_stard_flow(stard_flow(c.screening, c.patients, c.nodes))
    assert thin_low_contrast_strokes(fig) == set()
    plt.close(fig)
