"""Figures of CEUS loops and their readings: frames over time, regions of interest on a frame,
parametric maps, and the agreement of two readers.

The loops come from :mod:`ceuslib.phantom` (or any uint8 cine of log-compressed gray
levels), the maps from :func:`ceuslib.phantom.parametric_maps` and
:func:`ceuslib.phantom.fitted_maps`, the agreement from
:func:`ceuslib.phantom.reader_agreement`.  Every function returns the figure or axes it
drew, with text of at least :data:`~ceuslib.plots.style.MIN_FONT_SIZE` points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ceuslib.perfusion import compress, linearize
from ceuslib.plots.palette import BLUE, ORANGE, SKY_BLUE, VERMILLION, YELLOW
from ceuslib.plots.style import LINE_STYLES, MIN_FONT_SIZE

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "plot_frames_over_time",
    "plot_kappa",
    "plot_map_grid",
    "plot_regions",
    "window_image",
]

#: Outline colours of regions drawn on a gray frame, paired with :data:`LINE_STYLES`.
REGION_COLOURS = (ORANGE, SKY_BLUE, YELLOW, VERMILLION)


def window_image(
    frames: np.ndarray,
    start_s: float,
    *,
    fps: float,
    window_s: float = 1.0,
    dynamic_range_db: float = 60.0,
) -> np.ndarray:
    """The gray image of the mean echo-power of ``window_s`` seconds of frames.

    The frames are linearized, averaged and shown again through the display law, as the
    eye integrates a playing loop.

    Parameters
    ----------
    frames : numpy.ndarray
        ``(n_frames, height, width)`` gray levels 0-255; frame ``k`` is at ``k / fps`` s.
    start_s : float
        Start of the window, in seconds.
    fps : float
        Frame rate.
    window_s : float
        Length of the window, in seconds.
    dynamic_range_db : float
        The display dynamic range.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` gray levels (float, 0-255).

    Examples
    --------
    >>> frames = np.full((4, 2, 2), 255, dtype=np.uint8)
    >>> window_image(frames, 0.0, fps=2.0).tolist()
    [[255.0, 255.0], [255.0, 255.0]]
    """
    first = round(float(start_s) * fps)
    stop = max(first + 1, round((float(start_s) + window_s) * fps))
    chunk = np.asarray(frames)[first:stop]
    if chunk.size == 0:
        raise ValueError(f"no frame between {start_s} s and {start_s + window_s} s")
    power = linearize(chunk, dynamic_range_db=dynamic_range_db).mean(axis=0)
    return compress(power, dynamic_range_db=dynamic_range_db)


def plot_frames_over_time(
    loops: Mapping[str, np.ndarray],
    times: Sequence[float],
    *,
    fps: float,
    window_s: float = 1.0,
    dynamic_range_db: float = 60.0,
    width: float = 8.4,
) -> Figure:
    """Small multiples: one row per loop, one column per time after injection.

    Parameters
    ----------
    loops : mapping of str to numpy.ndarray
        Row label to a loop ``(n_frames, height, width)`` of gray levels at ``fps``.
    times : sequence of float
        Start of each column's window, in seconds after injection.
    fps : float
        Frame rate of every loop.
    window_s, dynamic_range_db : float
        As for :func:`window_image`.
    width : float
        Figure width in inches; the height follows from the grid.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure with one gray image per loop and time (the mean of its window, on a
        0-255 scale), the times as column titles and the loop labels as row labels.

    Examples
    --------
    >>> from ceuslib.plots.style import small_text
    >>> loops = {"a": np.zeros((20, 8, 8), np.uint8), "b": np.full((20, 8, 8), 200, np.uint8)}
    >>> fig = plot_frames_over_time(loops, [0, 2], fps=5)
    >>> len(fig.axes), small_text(fig)
    (4, [])
    >>> plt.close(fig)
    """
    rows, cols = len(loops), len(times)
    cell = width / cols
    fig, axes = plt.subplots(
        rows, cols, figsize=(width, cell * rows + 0.5), facecolor="white", squeeze=False
    )
    for row, (label, frames) in enumerate(loops.items()):
        for col, start in enumerate(times):
            ax = axes[row, col]
            image = window_image(
                frames, start, fps=fps, window_s=window_s, dynamic_range_db=dynamic_range_db
            )
            ax.imshow(image, cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"{start:g} s", fontsize=MIN_FONT_SIZE)
            if col == 0:
                ax.set_ylabel(label, fontsize=MIN_FONT_SIZE)
    fig.tight_layout()
    return fig


def plot_regions(
    frame: np.ndarray,
    regions: Mapping[str, np.ndarray],
    *,
    title: str | None = None,
    pixel_spacing_mm: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A gray frame with the outline of each region of interest, and a legend.

    Parameters
    ----------
    frame : numpy.ndarray
        ``(height, width)`` gray levels 0-255.
    regions : mapping of str to numpy.ndarray of bool
        Legend name to the region's mask ``(height, width)``; each outline has its own
        colour and line style.
    title : str, optional
        A title above the frame; none when omitted or empty.
    pixel_spacing_mm : float, optional
        Label the axes in millimetres (pixel centres times the spacing) instead of pixels.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 4 x 4 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: the frame in gray (0-255), the outline of each region in its own
        colour and line style, and their legend.  Only the first four regions are drawn
        (there are four outline colours, :data:`REGION_COLOURS`).

    Examples
    --------
    >>> mask = np.zeros((10, 10), bool); mask[2:5, 2:5] = True
    >>> ax = plot_regions(np.zeros((10, 10)), {"node": mask})
    >>> ax.get_legend().get_texts()[0].get_text(), ax.get_xlabel()
    ('node', 'x (pixels)')
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4), facecolor="white")
    height, width = np.shape(frame)
    scale = 1.0 if pixel_spacing_mm is None else float(pixel_spacing_mm)
    extent = (-0.5 * scale, (width - 0.5) * scale, (height - 0.5) * scale, -0.5 * scale)
    ax.imshow(frame, cmap="gray", vmin=0, vmax=255, extent=extent)
    handles = []
    for (name, mask), colour, style in zip(
        regions.items(), REGION_COLOURS, LINE_STYLES, strict=False
    ):
        ax.contour(
            np.asarray(mask, dtype=float),
            levels=[0.5],
            colors=[colour],
            linewidths=2,
            linestyles=[style],
            extent=(extent[0], extent[1], extent[3], extent[2]),
            origin="upper",
        )
        handles.append(Line2D([], [], color=colour, linestyle=style, linewidth=2, label=name))
    unit = "pixels" if pixel_spacing_mm is None else "mm"
    ax.set_xlabel(f"x ({unit})")
    ax.set_ylabel(f"y ({unit})")
    if title:
        ax.set_title(title, fontsize=MIN_FONT_SIZE + 1)
    ax.legend(
        handles=handles,
        frameon=True,
        fontsize=MIN_FONT_SIZE,
        loc="lower left",
        facecolor="white",
        framealpha=0.8,
    )
    return ax


def plot_map_grid(
    grid: Mapping[str, Sequence[tuple]],
    *,
    outlines: Mapping[str, np.ndarray] | None = None,
    cmap: str = "viridis",
    width: float = 10.5,
) -> Figure:
    """Parametric maps in a grid: one row per loop or method, each map with its colour bar.

    Parameters
    ----------
    grid : mapping of str to sequence of (array, str, (float, float) or None)
        Row label to its panels: the map ``(height, width)`` (NaN shown blank), the panel's
        title with its unit, and the colour limits (``None``: the 1st to 99th percentile of
        that column's finite values, over every row).
    outlines : mapping of str to numpy.ndarray of bool, optional
        Row label to a mask whose outline is drawn in white (e.g. the node).
    cmap : str
        The colour map; viridis is perceptually uniform and readable in gray scale.
    width : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure with one panel per map, each with its colour bar; a row with fewer
        panels than the longest leaves the rest blank.

    Notes
    -----
    A panel's title is written when it differs from the title above it, so a grid whose
    rows show the same maps has column titles only.

    Examples
    --------
    >>> from ceuslib.plots.style import small_text
    >>> m = np.arange(16.0).reshape(4, 4)
    >>> fig = plot_map_grid({"a": [(m, "PE (a.u.)", None)], "b": [(m, "TTP (s)", (0, 9))]})
    >>> [ax.get_title() for ax in fig.axes[:2]], small_text(fig)
    (['PE (a.u.)', 'TTP (s)'], [])
    >>> plt.close(fig)
    """
    labels = list(grid)
    n_cols = max(len(panels) for panels in grid.values())
    limits = []
    for col in range(n_cols):
        values = [np.asarray(grid[row][col][0], float) for row in labels if col < len(grid[row])]
        finite = np.concatenate([v[np.isfinite(v)] for v in values])
        limits.append(tuple(np.percentile(finite, [1, 99])) if finite.size else (0.0, 1.0))
    cell = width / n_cols
    fig, axes = plt.subplots(
        len(labels), n_cols, figsize=(width, 0.95 * cell * len(labels) + 0.4),
        facecolor="white", squeeze=False,
    )  # fmt: skip
    for r, row in enumerate(labels):
        for col in range(n_cols):
            ax = axes[r, col]
            if col >= len(grid[row]):
                ax.set_visible(False)
                continue
            image, title, lims = grid[row][col]
            lims = limits[col] if lims is None else lims
            shown = ax.imshow(image, cmap=cmap, vmin=lims[0], vmax=lims[1])
            if outlines is not None and row in outlines:
                ax.contour(outlines[row], levels=[0.5], colors="white", linewidths=1)
            ax.set_xticks([])
            ax.set_yticks([])
            above = grid[labels[r - 1]][col][1] if r and col < len(grid[labels[r - 1]]) else None
            if title != above:
                ax.set_title(title, fontsize=MIN_FONT_SIZE)
            if col == 0:
                ax.set_ylabel(row, fontsize=MIN_FONT_SIZE)
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.03)
    fig.tight_layout()
    return fig


def plot_kappa(
    agreement: pd.DataFrame, *, target: float | None = None, ax: Axes | None = None
) -> Axes:
    """Cohen's kappa of each feature with its confidence interval, as a dot plot.

    Parameters
    ----------
    agreement : pandas.DataFrame
        Indexed by feature, with ``kappa, ci_low, ci_high`` (as
        :func:`ceuslib.phantom.reader_agreement` returns, indexed by ``feature``).
    target : float, optional
        A kappa to mark with a dashed line (e.g. the one simulated readers were built with).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 6.4 x 3.2 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one dot per feature at its kappa with its interval as error bars,
        on an x axis from 0 to 1, and the target line with its legend when given.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"kappa": [0.7], "ci_low": [0.5], "ci_high": [0.9]},
    ...                      index=pd.Index(["ring_enhancement"], name="feature"))
    >>> ax = plot_kappa(table, target=0.7)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['ring enhancement']
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2), facecolor="white")
    y = np.arange(len(agreement))
    ax.errorbar(
        agreement["kappa"],
        y,
        xerr=[agreement["kappa"] - agreement["ci_low"], agreement["ci_high"] - agreement["kappa"]],
        fmt="o",
        color=BLUE,
        ecolor="black",
        capsize=3,
    )
    if target is not None:
        ax.axvline(target, color=VERMILLION, linestyle="--", label=f"target kappa {target:g}")
        ax.legend(frameon=False, fontsize=MIN_FONT_SIZE, loc="lower left")
    ax.set_yticks(y, [str(name).replace("_", " ") for name in agreement.index])
    ax.set_xlabel("Cohen's kappa (95% CI)")
    ax.set_xlim(0, 1)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
