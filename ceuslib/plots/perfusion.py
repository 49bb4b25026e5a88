"""Figures of perfusion curves: the signal chain, the bolus models, the parameters of a fit,
the curves of a clip's regions with their fits, and a study's curves by reference standard.

The computations live in :mod:`ceuslib.perfusion` (simulation, linearization, fitting,
region curves); colours and sizes come from :mod:`ceuslib.plots.style`.  Every function
returns the figure or axes it drew, with axis labels in units and text of at least
:data:`~ceuslib.plots.style.MIN_FONT_SIZE` points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ceuslib.perfusion import MODELS, default_params, get_model
from ceuslib.plots.palette import BLACK, BLUE, BLUISH_GREEN, ORANGE, SERIES, SKY_BLUE, VERMILLION
from ceuslib.plots.style import GREY, LINE_STYLES, MIN_FONT_SIZE

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ceuslib.perfusion import SimulatedTIC, TICFit

__all__ = [
    "plot_bolus_models",
    "plot_region_fits",
    "plot_signal_chain",
    "plot_study_curves",
    "plot_tic_parameters",
]

_TIME = "Time after injection (s)"
_POWER = "Echo-power (linear a.u.)"


def _panel_letter(ax, letter: str) -> None:
    ax.text(0.01, 0.85, f"({letter})", transform=ax.transAxes, fontsize=MIN_FONT_SIZE + 1)


def plot_signal_chain(
    tic: SimulatedTIC,
    *,
    zoom: tuple[float, float] = (15.0, 35.0),
    dynamic_range_db: float = 60.0,
) -> Figure:
    """Four stacked panels: echo-power, with speckle, in dB, and as displayed gray levels.

    Parameters
    ----------
    tic : ceuslib.perfusion.SimulatedTIC
        One simulated curve (:func:`ceuslib.perfusion.simulate_tic`), with its ``time``,
        noise-free ``linear`` echo-power, speckled ``echo_power`` and ``displayed`` levels.
    zoom : (float, float)
        Time window of the gray-level panel, in seconds (quantisation steps show there).
    dynamic_range_db : float
        The display dynamic range, named in the dB panel's label.

    Returns
    -------
    matplotlib.figure.Figure
        A new 7 x 9 inch figure of four panels (a-d) against time after injection (s): the
        noise-free echo-power (linear a.u.), the speckled echo-power over it, the speckled
        echo-power in dB, and the displayed gray levels (0-255) within ``zoom``.

    Examples
    --------
    >>> from ceuslib.perfusion import simulate_tic
    >>> from ceuslib.plots.style import small_text
    >>> fig = plot_signal_chain(simulate_tic(seed=1))
    >>> len(fig.axes), small_text(fig)
    (4, [])
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(4, 1, figsize=(7, 9), facecolor="white")
    t = tic.time
    axes[0].plot(t, tic.linear, color=BLUE, linewidth=2)
    axes[0].set_ylabel(_POWER)
    axes[1].plot(t, tic.echo_power, ".", color=SKY_BLUE, markersize=2, label="with speckle")
    axes[1].plot(t, tic.linear, color=BLUE, linewidth=2, label="true")
    axes[1].set_ylabel(_POWER)
    axes[1].legend(frameon=False, fontsize=MIN_FONT_SIZE)
    axes[2].plot(t, 10 * np.log10(tic.echo_power), ".", color=VERMILLION, markersize=2)
    axes[2].set_ylabel(f"Echo-power (dB, {dynamic_range_db:.0f} dB range)")
    window = (t >= zoom[0]) & (t <= zoom[1])
    axes[3].step(t[window], tic.displayed[window], where="mid", color=BLACK)
    axes[3].set_ylabel("Gray level (0-255)")
    for ax, letter in zip(axes, "abcd", strict=True):
        ax.set_xlabel(_TIME)
        _panel_letter(ax, letter)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_bolus_models(*, t_max: float = 70.0, ax: Axes | None = None) -> Axes:
    """The bolus models of :data:`ceuslib.perfusion.MODELS` with their default parameters.

    Each model is drawn above its baseline, with :func:`ceuslib.perfusion.default_params`
    (the same appearance time, time to peak, mean transit time and peak), in its own colour
    and line style.

    Parameters
    ----------
    t_max : float
        End of the time axis, in seconds.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 7 x 4 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one line per model, echo-power above baseline (a.u.) drawn from 0
        to ``t_max`` s after injection, with a legend of the models' names.

    Examples
    --------
    >>> ax = plot_bolus_models()
    >>> len(ax.get_lines()) == len(MODELS)
    True
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), facecolor="white")
    grid = np.linspace(0, t_max, 1401)
    for (name, model), colour, style in zip(MODELS.items(), SERIES, LINE_STYLES, strict=False):
        params = dict(default_params(name), offset=0.0)
        ax.plot(grid, model(grid, **params), linestyle=style, color=colour, label=model.label)
    ax.set_xlabel(_TIME)
    ax.set_ylabel("Echo-power above baseline (a.u.)")
    ax.legend(frameon=False, fontsize=MIN_FONT_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_tic_parameters(
    fit: TICFit,
    time: ArrayLike,
    intensity: ArrayLike,
    *,
    t_max: float = 80.0,
    ax: Axes | None = None,
) -> Axes:
    """One fitted curve annotated with its VueBox-style parameters.

    The data as dots, the fitted curve, the wash-in and wash-out tangents meeting the
    baseline at TI and TO, the wash-in area (shaded) and wash-out area (hatched), TTP and
    mTT as vertical lines and PE as a double arrow.

    Parameters
    ----------
    fit : ceuslib.perfusion.TICFit
        From :func:`ceuslib.perfusion.fit_tic`, without a flag.
    time, intensity : array_like
        The linearized curve that was fitted (seconds, linear a.u.).
    t_max : float
        End of the time axis, in seconds.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 8 x 4.8 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: the data and the fitted curve up to ``t_max`` s, echo-power in
        linear a.u., with a legend of the data, the fitted curve, the tangents and the two
        areas.

    Examples
    --------
    >>> from ceuslib.perfusion import fit_tic, simulate_tic
    >>> tic = simulate_tic(seed=3)
    >>> ax = plot_tic_parameters(fit_tic(tic.time, tic.linear), tic.time, tic.linear)
    >>> ax.get_ylabel()
    'Echo-power (linear a.u.)'
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.8), facecolor="white")
    time = np.asarray(time, dtype=float)
    intensity = np.asarray(intensity, dtype=float)
    off = fit.params["offset"]
    grid = np.linspace(0, t_max, 1601)
    curve = fit.curve(grid)
    keep = time <= t_max
    ax.plot(time[keep], intensity[keep], ".", color=SKY_BLUE, markersize=2, label="linearized data")
    ax.plot(grid, curve, color=BLUE, linewidth=2, label=f"fitted {fit.model}")
    rise = np.linspace(fit.ti, fit.ti + fit.pe / fit.wir, 50)
    ax.plot(rise, off + fit.wir * (rise - fit.ti), "--", color=VERMILLION, label="wash-in tangent")
    fall = np.linspace(fit.to + fit.pe / fit.wor, fit.to, 50)
    ax.plot(fall, off + fit.wor * (fall - fit.to), ":", color=VERMILLION, label="wash-out tangent")
    wash_in = (grid >= fit.ti) & (grid <= fit.ttp)
    wash_out = (grid >= fit.ttp) & (grid <= fit.to)
    ax.fill_between(
        grid[wash_in], off, curve[wash_in], color=BLUISH_GREEN, alpha=0.35, label="WiAUC"
    )
    ax.fill_between(
        grid[wash_out],
        off,
        curve[wash_out],
        facecolor="none",
        edgecolor=ORANGE,
        hatch="///",
        linewidth=2,
        label="WoAUC",
    )
    ax.axhline(off, color=GREY, linewidth=1)
    for x, label, style in ((fit.ttp, "TTP", "-"), (fit.mtt, "mTT", "-.")):
        ax.axvline(x, color=BLACK, linestyle=style, linewidth=1)
        ax.text(x + 0.5, off + 1.12 * fit.pe, label)
    for x, label in ((fit.ti, "TI"), (fit.to, "TO")):
        ax.text(x, off - 0.1 * fit.pe, label, ha="center", va="top")
    ax.annotate(
        "",
        xy=(fit.ttp - 3, off + fit.pe),
        xytext=(fit.ttp - 3, off),
        arrowprops={"arrowstyle": "<->", "color": BLACK},
    )
    ax.text(fit.ttp - 3.5, off + 0.5 * fit.pe, "PE", ha="right")
    ax.set_ylim(off - 0.2 * fit.pe, off + 1.3 * fit.pe)
    ax.set_xlabel(_TIME)
    ax.set_ylabel(_POWER)
    ax.legend(frameon=False, fontsize=MIN_FONT_SIZE, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _fitted_curve(row: pd.Series, grid: np.ndarray) -> np.ndarray:
    model = get_model(row["model"])
    return model(grid, **{name: float(row[name]) for name in model.param_names})


def plot_region_fits(
    curves: pd.DataFrame,
    fits: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The curves of a clip's regions as dots, each with its fitted bolus curve.

    Parameters
    ----------
    curves : pandas.DataFrame
        ``roi, time_s, intensity`` (linear echo-power), as :func:`ceuslib.perfusion.roi_tics`
        returns for one clip.
    fits : pandas.DataFrame
        One row per ``roi`` with ``model``, the model's parameters and ``flag``, as
        :func:`ceuslib.perfusion.fit_roi_tics` returns; a flagged fit is not drawn.
    labels : mapping of str to str, optional
        Legend names of the regions (default: the ``roi`` values).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 7 x 4 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: each region's curve as dots and its unflagged fit as a line in the
        same colour, echo-power (linear a.u.) against time after injection (s), with a
        legend.  Only the first five regions are drawn (there are five line styles,
        :data:`~ceuslib.plots.style.LINE_STYLES`).

    Examples
    --------
    >>> from ceuslib.perfusion import fit_roi_tics, simulate_tic
    >>> tic = simulate_tic(seed=3)
    >>> curves = pd.DataFrame({"roi": "node", "time_s": tic.time, "intensity": tic.linear})
    >>> ax = plot_region_fits(curves, fit_roi_tics(curves))
    >>> [line.get_label() for line in ax.get_lines()]
    ['node', 'node, fitted lognormal']
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), facecolor="white")
    labels = dict(labels or {})
    fitted = fits.set_index("roi")
    for (roi, curve), colour, style in zip(
        curves.groupby("roi", sort=False), SERIES, LINE_STYLES, strict=False
    ):
        name = labels.get(roi, roi)
        time = curve["time_s"].to_numpy(float)
        ax.plot(time, curve["intensity"], ".", color=colour, markersize=3, alpha=0.6, label=name)
        if roi in fitted.index and fitted.loc[roi, "flag"] == "":
            row = fitted.loc[roi]
            grid = np.linspace(time.min(), time.max(), 800)
            ax.plot(
                grid,
                _fitted_curve(row, grid),
                color=colour,
                linestyle=style,
                linewidth=2,
                label=f"{name}, fitted {row['model']}",
            )
    ax.set_xlabel(_TIME)
    ax.set_ylabel(_POWER)
    ax.legend(frameon=False, fontsize=MIN_FONT_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_study_curves(
    tics: pd.DataFrame, groups: Mapping[str, object], *, ax: Axes | None = None
) -> Axes:
    """The median curve of each group of a study's nodes, with its interquartile band.

    Parameters
    ----------
    tics : pandas.DataFrame
        ``node_id, time_s, intensity`` in linear a.u. (a study's ``tics.csv``).
    groups : mapping of str to sequence of str
        Legend name to the ``node_id`` values of the group (e.g. nodes with and without
        residual tumour).  An empty group is left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 7 x 4 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: per group its median curve as a line and its interquartile band,
        echo-power (linear a.u.) against time after injection (s), the legend naming each
        group with its number of nodes.  Only the first five groups are drawn (there are
        five line styles, :data:`~ceuslib.plots.style.LINE_STYLES`).

    Notes
    -----
    The median and quartiles are taken over the nodes that have a frame at each time, so
    that curves of different lengths can be pooled.

    Examples
    --------
    >>> tics = pd.DataFrame({"node_id": ["a", "a", "b", "b"], "time_s": [0.0, 1.0] * 2,
    ...                      "intensity": [0.1, 0.3, 0.2, 0.5]})
    >>> ax = plot_study_curves(tics, {"group": ["a", "b"], "empty": []})
    >>> [line.get_label() for line in ax.get_lines()]
    ['group (2 nodes)']
    >>> plt.close("all")
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), facecolor="white")
    for (name, nodes), colour, style in zip(groups.items(), SERIES, LINE_STYLES, strict=False):
        part = tics[tics["node_id"].isin(list(nodes))]
        if part.empty:
            continue
        by_time = part.groupby("time_s")["intensity"]
        summary = by_time.quantile([0.25, 0.5, 0.75]).unstack()
        n_nodes = part["node_id"].nunique()
        ax.fill_between(summary.index, summary[0.25], summary[0.75], color=colour, alpha=0.2)
        ax.plot(
            summary.index,
            summary[0.5],
            color=colour,
            linestyle=style,
            linewidth=2,
            label=f"{name} ({n_nodes} node{'s' if n_nodes != 1 else ''})",
        )
    ax.set_xlabel(_TIME)
    ax.set_ylabel(_POWER)
    ax.legend(frameon=False, fontsize=MIN_FONT_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
