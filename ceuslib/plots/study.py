"""Figures of the study: the STARD 2015 participant flow diagram."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ceuslib.cohort.eligibility import StardFlow
from ceuslib.plots.palette import BLUE, BLUISH_GREEN, ORANGE, VERMILLION
from ceuslib.plots.style import MIN_FONT_SIZE


def _box(ax, x, y, text, *, width, height, colour, dashed=False):
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.01,rounding_size=0.015",
        facecolor="white",
        edgecolor=colour,
        linewidth=2.4,  # thick enough for the lighter palette colours (orange)
        linestyle="--" if dashed else "-",
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=MIN_FONT_SIZE, wrap=True)


def _arrow(ax, start, end):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
    )


def plot_stard_flow(flow: StardFlow, *, ax: Axes | None = None) -> Figure:
    """Draw the STARD 2015 flow diagram of a study.

    Parameters
    ----------
    flow : StardFlow
        The counts, from :func:`ceuslib.cohort.eligibility.stard_flow`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 9 x 8 inch figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Notes
    -----
    Layout of the STARD 2015 prototype diagram (Bossuyt et al. 2015): the main column
    (solid boxes) follows the participants from referral to the final diagnosis; the
    boxes to the right (dashed) hold those who left, with reasons.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> from ceuslib.cohort.eligibility import stard_flow
    >>> c = simulate_cohort(10, seed=1, curves=False)
    >>> fig = plot_stard_flow(stard_flow(c.screening, c.patients, c.nodes))
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 8), facecolor="white")
    else:
        fig = ax.figure
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    main_x, side_x, w, h = 0.27, 0.765, 0.42, 0.08
    ys = [0.95, 0.67, 0.49, 0.31]
    _box(
        ax,
        main_x,
        ys[0],
        f"Referred and screened for eligibility\nn = {_count(flow.referred)}",
        width=w,
        height=h,
        colour=BLUE,
    )
    _box(ax, main_x, ys[1], f"Enrolled\nn = {flow.enrolled}", width=w, height=h, colour=BLUE)
    _box(
        ax,
        main_x,
        ys[2],
        f"CEUS of the target nodes (index test)\nn = {flow.index_test} "
        f"patients, {flow.nodes_imaged} nodes",
        width=w,
        height=h,
        colour=BLUE,
    )
    _box(
        ax,
        main_x,
        ys[3],
        "Neck dissection pathology (reference standard)\n"
        f"n = {flow.reference_standard}; nodes matched {flow.nodes_matched}, "
        f"unmatched {flow.nodes_unmatched}",
        width=w + 0.08,
        height=h,
        colour=BLUE,
    )
    for top, bottom in itertools.pairwise(ys):
        _arrow(ax, (main_x, top - h / 2), (main_x, bottom + h / 2))
    reasons = "\n".join(f"{reason}: {n}" for reason, n in flow.exclusion_reasons)
    excluded_h = 0.05 + 0.03 * max(1, len(flow.exclusion_reasons))
    excluded_y = 0.825
    _box(
        ax,
        side_x,
        excluded_y,
        f"Excluded, n = {_count(flow.excluded)}\n{reasons}",
        width=0.44,
        height=excluded_h,
        colour=VERMILLION,
        dashed=True,
    )
    _arrow(ax, (main_x, excluded_y), (side_x - 0.225, excluded_y))
    missing = "\n".join(f"{r.replace('_', ' ')}: {n}" for r, n in flow.no_index_test_reasons)
    missing_y = 0.58
    _box(
        ax,
        side_x,
        missing_y - 0.01,
        f"No CEUS, n = {flow.no_index_test}\n{missing}",
        width=0.36,
        height=0.05 + 0.03 * max(1, len(flow.no_index_test_reasons)),
        colour=VERMILLION,
        dashed=True,
    )
    _arrow(ax, (main_x, missing_y), (side_x - 0.18, missing_y))
    final_y = 0.1
    for x, label, n, colour in (
        (0.15, "Residual nodal disease", flow.target_positive, ORANGE),
        (0.47, "No residual nodal disease\n(ypN0)", flow.target_negative, BLUISH_GREEN),
    ):
        _box(ax, x, final_y, f"{label}\nn = {n}", width=0.28, height=h + 0.03, colour=colour)
        _arrow(ax, (main_x, ys[3] - h / 2), (x, final_y + (h + 0.03) / 2))
    return fig


def _count(n: int | None) -> str:
    """A count, or the words a study without a screening log shows instead."""
    return "not recorded (no screening log)" if n is None else str(n)
