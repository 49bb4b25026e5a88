"""The fitting stages of a batch: the binned and the exact fit, and the refits.

Every stage takes the curves it fits and returns an :class:`Estimates` (arrays, one row per
curve); :func:`ceuslib.perfusion.fit_tics` combines them.

- :func:`fit_binned`: frames summarised in blocks and bins (fast; see
  :mod:`ceuslib.perfusion.engine`), from one closed-form start.
- :func:`fit_exact`: Levenberg-Marquardt on every frame, from several starts (a profile over
  the bolus arrival, :func:`ceuslib.perfusion.engine.start_candidates`); the best sum of
  squares over the frames wins.
- :func:`refit_from_frames`: a binned fit again with its start and bins built from single
  frames (for a bolus too fast for 1 s blocks); :func:`restart`: the exact fit from several
  starts and the first fit's result.  Both keep, curve by curve, whichever of the two fits
  has the lower sum of squares over every frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ceuslib.perfusion import engine
from ceuslib.perfusion.models import BolusModel

CHUNK_CURVES = 256  # curves per chunk of the binned fit (working arrays stay in cache)
CHUNK_POINTS = 2_000_000  # frames times starts per chunk of the exact fit (memory)
RISE_CHANGE = 1.5  # a fit whose rise differs by this factor from the start's is binned again


@dataclass(frozen=True)
class Estimates:
    """Fitted parameters of some curves (internal).

    ``sse`` is the sum of squares over every frame (for the binned fit, taken from the
    block statistics: :func:`ceuslib.perfusion.engine.frame_sse`).
    """

    theta: np.ndarray  # (n, 5)
    jtj: np.ndarray  # (n, 5, 5) normal matrix at the solution
    sse: np.ndarray  # (n,)
    converged: np.ndarray  # (n,) bool
    n_iter: np.ndarray  # (n,) int
    sst: np.ndarray  # (n,) the frames' sum of squares about their mean (data, not fit)
    noise: np.ndarray  # (n,) noise variance per frame about lines within blocks (NaN: none)

    @staticmethod
    def empty(n: int) -> Estimates:
        p = engine.N_PARAMS
        return Estimates(
            np.full((n, p), np.nan),
            np.full((n, p, p), np.nan),
            np.full(n, np.nan),
            np.zeros(n, dtype=bool),
            np.zeros(n, dtype=int),
            np.full(n, np.nan),
            np.full(n, np.nan),
        )

    @staticmethod
    def concat(parts: list[Estimates]) -> Estimates:
        """The rows of ``parts``, one after the other."""
        columns = zip(*(p._arrays() for p in parts), strict=True)
        return Estimates(*(np.concatenate(arrays) for arrays in columns))

    def take(self, rows: np.ndarray) -> Estimates:
        return Estimates(*(v[rows] for v in self._arrays()))

    def with_rows(self, rows: np.ndarray, other: Estimates) -> Estimates:
        """These estimates with ``rows`` replaced by ``other`` (one row per entry of rows)."""
        arrays = [v.copy() for v in self._arrays()]
        for store, value in zip(arrays, other._arrays(), strict=True):
            store[rows] = value
        return Estimates(*arrays)

    def _arrays(self):
        return (
            self.theta,
            self.jtj,
            self.sse,
            self.converged,
            self.n_iter,
            self.sst,
            self.noise,
        )


def _frame_axes(t: np.ndarray, n: int, n_frames: int) -> np.ndarray:
    return np.broadcast_to(t, (n, n_frames))


def frame_sse_exact(model: BolusModel, t: np.ndarray, y: np.ndarray, theta: np.ndarray):
    """Sum of squared residuals over every frame, ``(n,)`` (``t`` shared or one row each)."""
    frames = _frame_axes(t, *y.shape).copy()
    f, _ = engine.evaluate(model, frames, theta, jac=False)
    f -= y
    return np.einsum("ij,ij->i", f, f)


def _limits(model: BolusModel, t: np.ndarray, n: int):
    first = np.full(n, t[0]) if t.ndim == 1 else t[:, 0]
    last = np.full(n, t[-1]) if t.ndim == 1 else t[:, -1]
    return engine.bounds(model, first, last)


def _rise_changed(model: BolusModel, before, after, *, factor=RISE_CHANGE):
    """Curves whose rise (TTP - t0) differs by more than ``factor`` between two fits."""
    with np.errstate(all="ignore"):
        rises = [
            model.ttp(t0=th[:, 3], **{k: th[:, i + 1] for i, k in enumerate(model.shape_names)})
            - th[:, 3]
            for th in (before, after)
        ]
        ratio = rises[1] / rises[0]
    return np.isfinite(ratio) & ((ratio > factor) | (ratio < 1.0 / factor))


def _binned_chunk(model, t, y, *, k, merge, layout) -> Estimates:
    blocks = engine.make_blocks(t, y, block_s=0.0, k=k, layout=layout)
    coarse = blocks.merged(max(merge, 1))  # about 1 s each: enough for the start and bins
    lims = _limits(model, t, y.shape[0])
    theta0 = engine.start_values(model, coarse, lims)
    cumulative = coarse.cumulative()
    if merge:
        bins = engine.adaptive_bins(model, coarse, theta0, cumulative)
    else:  # a time axis with a gap: every frame as it is (see engine.block_sizes)
        bins = blocks
    res = engine.levenberg_marquardt(model, bins, theta0, lims)
    if merge:
        # Bins follow the start's bolus.  Where the fit has moved the bolus well away from it
        # (its rise shorter or longer by RISE_CHANGE, e.g. a second pass the start had taken
        # for part of the first), the bins are laid out again around the fit and the fit
        # polished.
        moved = np.flatnonzero(_rise_changed(model, theta0, res.theta))
        if moved.size:
            sub = engine.adaptive_bins(
                model, coarse.rows(moved), res.theta[moved], cumulative[moved]
            )
            lims_moved = (lims[0][moved], lims[1][moved])
            again = engine.levenberg_marquardt(model, sub, res.theta[moved], lims_moved)
            res = res.replaced(moved, again)
    # the sum of squares over the frames, from the block statistics (see engine.frame_sse)
    sse = engine.frame_sse(model, blocks, res.theta, frames=(t, y))
    converged = res.converged & np.isfinite(res.theta).all(axis=1)
    n_frames = y.shape[1]
    sst = cumulative[:, 3, -1] - cumulative[:, 2, -1] ** 2 / n_frames
    return Estimates(res.theta, res.jtj, sse, converged, res.n_iter, sst, _block_noise(blocks))


def _block_noise(blocks) -> np.ndarray:
    """Noise variance per frame from the frames' scatter about a line within each block
    (blind to the curve's level and slope), ``(n,)``; NaN for blocks of single frames."""
    nb = blocks.y.shape[1]
    dof = blocks.w.sum(axis=1) - 2.0 * nb
    with np.errstate(all="ignore"):
        line = np.where(blocks.spread > 0, blocks.moment**2 / blocks.spread, 0.0)
        scatter = np.maximum(blocks.within_ss - line, 0.0).sum(axis=1)
        return np.where(dof > 0, scatter / dof, np.nan)


def _chunks(t: np.ndarray, y: np.ndarray, rows: np.ndarray, size: int):
    """``(positions, t, y)`` of ``rows`` in chunks of ``size`` curves."""
    for start in range(0, rows.size, size):
        sel = rows[start : start + size]
        # consecutive rows are a view, not a copy
        pick = slice(sel[0], sel[-1] + 1) if sel[-1] - sel[0] == sel.size - 1 else sel
        yield slice(start, start + sel.size), (t if t.ndim == 1 else t[pick]), y[pick]


def fit_binned(model, t, y, rows, *, k: int, merge: int) -> Estimates:
    """The binned fit of the curves ``rows`` (sharing blocks of ``k`` frames, ``merge``
    blocks per coarse block; ``merge = 0``: every frame as it is)."""
    if rows.size == 0:
        return Estimates.empty(0)
    layout = engine.block_layout(t, k=k) if t.ndim == 1 else None
    return Estimates.concat(
        [
            _binned_chunk(model, t_sel, y_sel, k=k, merge=merge, layout=layout)
            for _, t_sel, y_sel in _chunks(t, y, rows, CHUNK_CURVES)
        ]
    )


def _exact_chunk(model, t, y, *, merge, extra=None) -> Estimates:
    n, n_frames = y.shape
    frames = engine.make_blocks(t, y, block_s=0.0, k=1)
    coarse = frames.merged(max(merge, 1))
    lims = _limits(model, t, n)
    starts = engine.start_candidates(model, coarse, lims)
    if extra is not None:  # e.g. the first fit's result, so that a restart never loses it
        starts = np.concatenate([starts, engine.clip_to_bounds(extra, lims)[:, None]], axis=1)
    n_starts = starts.shape[1]
    rep = np.repeat(np.arange(n), n_starts)
    tt = _frame_axes(t, n, n_frames)[rep]
    points = engine.Blocks(
        tt,
        y[rep],
        np.ones((rep.size, n_frames)),
        np.zeros((rep.size, n_frames)),
        np.full(rep.size, n_frames),
    )
    lims_rep = (lims[0][rep], lims[1][rep])
    res = engine.levenberg_marquardt(model, points, starts.reshape(-1, engine.N_PARAMS), lims_rep)
    sse = frame_sse_exact(model, tt, y[rep], res.theta).reshape(n, n_starts)
    sse = np.where(np.isfinite(sse), sse, np.inf)
    best = rep.reshape(n, n_starts)[:, 0] * n_starts + np.argmin(sse, axis=1)
    converged = res.converged[best] & np.isfinite(res.theta[best]).all(axis=1)
    n_iter = res.n_iter.reshape(n, n_starts).sum(axis=1)
    d = y - y.mean(axis=1, keepdims=True)
    sst = np.einsum("ij,ij->i", d, d)
    noise = np.full(n, np.nan)
    return Estimates(res.theta[best], res.jtj[best], sse.min(axis=1), converged, n_iter, sst, noise)


def fit_exact(model, t, y, rows, *, merge: int, extra: np.ndarray | None = None) -> Estimates:
    """The exact fit of the curves ``rows``: Levenberg-Marquardt on every frame from the
    starts of :func:`ceuslib.perfusion.engine.start_candidates` (built from coarse blocks of
    ``merge`` frames) and, with ``extra`` ``(len(rows), 5)``, from those parameters too;
    per curve the solution with the lowest sum of squares over the frames (iterations of
    every start counted)."""
    if rows.size == 0:
        return Estimates.empty(0)
    n_starts = len(engine.RESTART_T0_FRACTIONS) + (extra is not None)
    size = max(1, CHUNK_POINTS // max(n_starts * y.shape[1], 1))
    return Estimates.concat(
        [
            _exact_chunk(
                model, t_sel, y_sel, merge=merge, extra=None if extra is None else extra[where]
            )
            for where, t_sel, y_sel in _chunks(t, y, rows, size)
        ]
    )


def _keep_better(model, t, y, rows, first: Estimates, second: Estimates) -> Estimates:
    """Per curve, the fit with the lower sum of squares over every frame (``second`` where
    tied); iterations of both are counted."""
    t_rows = t if t.ndim == 1 else t[rows]
    exact_first = frame_sse_exact(model, t_rows, y[rows], first.theta)
    worse = ~(second.sse < exact_first)
    out = second.with_rows(np.flatnonzero(worse), first.take(np.flatnonzero(worse)))
    return Estimates(
        out.theta,
        out.jtj,
        out.sse,
        out.converged,
        first.n_iter + second.n_iter,
        first.sst,
        first.noise,
    )


def refit_from_frames(model, t, y, rows, first: Estimates) -> Estimates:
    """Fit ``rows`` again with the start and the bins built from single frames; keep the
    refit where it lowers the sum of squares over every frame (its blocks are single frames,
    so its own sum of squares is exact), the first fit elsewhere."""
    second = fit_binned(model, t, y, rows, k=1, merge=1)
    return _keep_better(model, t, y, rows, first, second)


def restart(model, t, y, rows, first: Estimates, *, merge: int) -> Estimates:
    """Fit ``rows`` again on every frame from several starts and from ``first``'s result;
    keep whichever of the two has the lower sum of squares over every frame."""
    second = fit_exact(model, t, y, rows, merge=merge, extra=first.theta)
    return _keep_better(model, t, y, rows, first, second)
