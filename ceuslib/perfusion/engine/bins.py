"""Blocks merged into bins around the bolus, each bin as two pseudo-frames."""

from __future__ import annotations

import numpy as np

from ceuslib.perfusion.engine.blocks import Blocks, _count_below
from ceuslib.perfusion.models import BolusModel

FINE_BINS = 32  # bins over the bolus window (each becomes two pseudo-frames)
TAIL_BINS = 8  # bins after it (3 before it)


def adaptive_bins(
    model: BolusModel,
    blocks: Blocks,
    theta: np.ndarray,
    cumulative: np.ndarray,
    *,
    fine: int = FINE_BINS,
    tail: int = TAIL_BINS,
    base: int = 3,
) -> Blocks:
    """Merge blocks into bins, fine over the bolus and coarse around it, as pseudo-frames.

    The bolus window runs from half a rise time before ``t0`` to two rise times after the
    peak of the curve ``theta`` (the starting values); it is cut into ``fine`` bins, the
    baseline before it into ``base`` and the tail after it into ``tail``.

    Each bin is then represented by two **pseudo-frames** at ``tbar -/+ s``, where ``tbar``
    and ``s^2 = S_tt / w`` are the mean and variance of its frame times, valued ``ybar -/+ b
    s`` (``b = S_yt / S_tt``, the slope of the frames' own regression line in the bin) and
    weighted ``w / 2`` each.  Their weighted sum of squares against a model ``f`` is
    ``w (ybar - fbar)^2 + S_tt (b - f')^2`` with ``fbar = (f(tbar - s) + f(tbar + s)) / 2``
    and ``f' = (f(tbar + s) - f(tbar - s)) / (2 s)``: the bin's mean and within-bin slope
    are both fitted, and ``fbar`` is the mean of a quadratic over the bin's frames exactly.
    With ``within_ss`` the frames' sum of squares about their regression line in each bin
    (split over the pair), ``within_ss + w (y - f)^2`` summed over pseudo-frames equals the
    sum of squares over the frames when ``f`` is linear within every bin, and differs from it
    by terms in the within-bin curvature of ``f`` otherwise (the two-point Gauss rule that
    matches a bin's first two moments of time).  Sums are taken from ``cumulative``
    (``blocks.cumulative()``), exactly.

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    blocks : Blocks
        The curves' blocks (from :func:`make_blocks`).
    theta : numpy.ndarray, shape (n, 5)
        Starting values, which place the bolus window.
    cumulative : numpy.ndarray, shape (n, 6, B + 1)
        ``blocks.cumulative()``.
    fine, tail, base : int
        Numbers of bins over the bolus window, after it and before it.

    Returns
    -------
    Blocks
        The pseudo-frames, ``2 (base + fine + tail)`` per curve (without ``moment`` and
        ``spread``).

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> from ceuslib.perfusion.engine import bounds, make_blocks, start_values
    >>> model, params = MODELS["lognormal"], default_params("lognormal")
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = model(t, **params)[None, :]  # one noise-free curve of 600 frames
    >>> blocks = make_blocks(t, y, block_s=0.5)
    >>> theta0 = start_values(model, blocks.coarse(), bounds(model, t[:1], t[-1:]))
    >>> bins = adaptive_bins(model, blocks, theta0, blocks.cumulative())
    >>> bins.t.shape, float(bins.w.sum())
    ((1, 86), 600.0)
    """
    n, nb = blocks.y.shape
    shape = {name: theta[:, i + 1] for i, name in enumerate(model.shape_names)}
    t0 = theta[:, 3]
    with np.errstate(all="ignore"):
        ttp = model.ttp(t0=t0, **shape)
    rise = np.where(np.isfinite(ttp) & (ttp > t0), ttp - t0, 5.0)
    tt = blocks.t
    a = _count_below(tt, t0 - 0.5 * rise)
    b = np.maximum(_count_below(tt, ttp + 2.0 * rise), a + 1)
    b = np.minimum(b, nb)
    a = np.minimum(a, b - 1)
    edges = [np.zeros((n, 1))]
    for lo, hi, k in ((np.zeros(n), a, base), (a, b, fine)):
        frac = np.arange(1, k + 1) / k
        edges.append(np.rint(lo[:, None] + (hi - lo)[:, None] * frac[None, :]))
    # the tail's bins widen geometrically in time since arrival, as the wash-out flattens
    start = np.maximum(tt[np.arange(n), np.minimum(b, nb - 1)] - t0, 1e-9)
    ratio = np.maximum(tt[:, -1] - t0, start) / start
    ends = t0[:, None] + start[:, None] * ratio[:, None] ** (np.arange(1, tail) / tail)
    edges.append(_count_below(tt, ends))
    edges.append(np.full((n, 1), nb))
    edges = np.concatenate(edges, axis=1).astype(np.intp)
    edges = np.maximum.accumulate(edges, axis=1)

    # running sums at the edges, by flat indices (cheaper than take_along_axis)
    rows_per = cumulative.shape[1]
    width = cumulative.shape[2]
    rows = np.arange(0, n * rows_per * width, width).reshape(n, rows_per, 1)
    at = np.take(cumulative.reshape(-1), rows + edges[:, None, :])
    sums = at[..., 1:] - at[..., :-1]
    w, st, sy, syy, stt, sty = (sums[:, i] for i in range(6))
    filled = w > 0
    safe = np.where(filled, w, 1.0)
    tbar = np.where(filled, st / safe, blocks.t[:, -1:])
    ybar = sy / safe
    s_tt = np.maximum(stt - st * tbar, 0.0)
    s_yt = sty - st * ybar
    spread = s_tt > 1e-12 * safe * (np.abs(tbar) + 1.0) ** 2
    slope = np.where(spread, s_yt / np.where(spread, s_tt, 1.0), 0.0)
    s = np.where(spread, np.sqrt(s_tt / safe), 0.0)
    within = np.maximum(syy - sy * ybar - slope * s_yt, 0.0)
    half = 0.5 * w
    return Blocks(
        np.concatenate([tbar - s, tbar + s], axis=1),
        np.concatenate([ybar - slope * s, ybar + slope * s], axis=1),
        np.concatenate([half, half], axis=1),
        np.concatenate([0.5 * within, 0.5 * within], axis=1),
        blocks.n_frames,
    )
