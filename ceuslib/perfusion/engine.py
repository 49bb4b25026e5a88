"""Vectorised least-squares fitting of bolus models to many curves at once.

The fit of one curve is the bounded least-squares problem
``min sum_i (y_i - f(t_i; theta))^2`` over ``theta = (area, shape 1, shape 2, t0, offset)``.
All curves of a batch are solved together with array operations:

1. **Blocks.** Consecutive frames are summarised in blocks of about ``block_s`` seconds
   (frames, mean time and intensity, and the sums of squares and cross-products of time and
   intensity about those means), so that later steps never touch the frames again.
2. **Closed-form start.** With the baseline known and ``t0`` fixed, the log of each model is
   linear in a few functions of ``t' = t - t0`` (lognormal: ``1, ln t', (ln t')^2``; gamma:
   ``1, ln t', t'``; LDRW and FPT: ``1, t', 1/t'``).  A weighted linear regression of the
   log of the smoothed curve (blocks merged to about ``COARSE_S`` = 1 s) over its first
   pass (from 20% of the peak enhancement on the rise down to ``FIRST_PASS`` of it after the
   peak, so that a second pass does not pass for a heavy tail) gives the shape for each of
   two ``t0`` candidates; the candidate with the smallest residual is kept.  The baseline
   is the curve's lowest smoothed value, which also holds when the acquisition starts on
   the rise.
3. **Bins as pseudo-frames.** Around the start's bolus the blocks are merged into a few
   dozen bins (fine over the bolus, coarse before and after it), and each bin becomes two
   pseudo-frames that carry its mean and its within-bin slope (see :func:`adaptive_bins`).
   Their sum of squares is the frames' sum of squares up to the within-bin curvature of the
   model, so the fit on under a hundred pseudo-frames lands, for practical purposes, on the
   least-squares solution of all the frames (``bench/bench_perfusion.py`` prints how far
   from :func:`scipy.optimize.curve_fit` on every frame).  Fitting the bin means alone
   would lose the slopes and bias the peak by the curvature within each bin.
4. **Levenberg-Marquardt.** Batched Gauss-Newton steps with a per-curve damping factor
   (Marquardt's scaling of the normal equations), projected onto the parameter bounds; a
   parameter on a bound that the step pushes further out is held there and the step solved
   for the others (an active set, Bertsekas 1982), so a fit at a bound converges.
   A curve stops when the decrease in its sum of squares, achieved or predicted for the
   next step, falls below ``stol^2`` times the noise variance per frame (``stol = 0.01``:
   the remaining step is shorter than 1% of a standard error, in the metric of the
   parameters' covariance), or when its relative step falls below ``xtol``.  Near
   Gauss-Newton the last step is taken on its predicted decrease, without evaluating the
   model there (as MINPACK's ``ftol`` test uses the predicted reduction).

Notes
-----
Levenberg (1944), Marquardt (1963); the projected (box-constrained) variant follows Kanzow,
Yamashita and Fukushima (2004), with the active set of Bertsekas (1982, "Projected Newton
methods for optimization problems with simple constraints", SIAM J Control Optim 20:221-246).
Curves are fitted frame by frame instead of in bins when their time axis has a gap (see
:func:`block_sizes`) or when their bolus rises within a few coarse blocks (see
:func:`ceuslib.perfusion.fit_tics`).  Starting values by log-linearisation of the bolus model are
an engineering choice (ASSUMPTION), in the spirit of the data-driven starts of the open
QuantUS CEUS code (TUL-Dev/QuantUS-Plugins-CEUS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ceuslib.perfusion.models import BolusModel

N_PARAMS = 5
FINE_BINS = 32  # bins over the bolus window (each becomes two pseudo-frames)
TAIL_BINS = 8  # bins after it (3 before it)
T0_FRACTIONS = (0.15, 0.6)  # start's t0 candidates: the foot minus these rise times
COARSE_S = 1.0  # seconds per block for the start and the bins
FIRST_PASS = 0.3  # the start's regression ends where the curve falls to this share of PE
STEP_TOL_SE = 0.01  # stop when the remaining step is below this many standard errors


@dataclass(frozen=True)
class Blocks:
    """Blocks of frames of a batch of curves, summarised by their means and the sums of
    squares and cross-products about them (internal; :func:`adaptive_bins` also returns its
    pseudo-frames in this form, without ``moment`` and ``spread``)."""

    t: np.ndarray  # (n, B) mean time of the frames of each block
    y: np.ndarray  # (n, B) mean intensity
    w: np.ndarray  # (n, B) frames per block
    within_ss: np.ndarray  # (n, B) sum of squares of the frames about their block mean
    n_frames: np.ndarray  # (n,)
    moment: np.ndarray | None = None  # (n, B) sum of (y - ybar)(t - tbar) over each block
    spread: np.ndarray | None = None  # (n, B) sum of (t - tbar)^2 over each block
    # with u = t - tbar and v = u^2 - mean(u^2) in each block (for frame_sse's quadratic):
    bend: np.ndarray | None = None  # (n, B) sum of y v
    s_uv: np.ndarray | None = None  # (n, B) sum of u v
    s_vv: np.ndarray | None = None  # (n, B) sum of v v

    def merged(self, k: int) -> Blocks:
        """These blocks merged ``k`` at a time (the last group may be shorter), with exact
        statistics: sums of frames, times, intensities, their squares and cross-products
        carry over, and means, ``within_ss``, ``moment`` and ``spread`` are rebuilt from them.
        """
        n, nb = self.y.shape
        if k <= 1 or nb < 2:
            return self
        w, t, y = self.w, self.t, self.y
        spread = np.zeros_like(y) if self.spread is None else self.spread
        moment = np.zeros_like(y) if self.moment is None else self.moment
        shared = t.strides[0] == 0 and w.strides[0] == 0 and spread.strides[0] == 0
        if shared:  # one time axis for all curves: its sums once
            w, t, spread = w[:1], t[:1], spread[:1]
        wt = w * t
        sw, st, stt = (_group_sums(v, k) for v in (w, wt, spread + wt * t))
        tbar = st / sw
        spread = np.maximum(stt - st * tbar, 0.0)
        if shared:
            tbar, sw, spread, t, w = (
                np.broadcast_to(v, (n, v.shape[1])) for v in (tbar, sw, spread, self.t, self.w)
            )
            st = sw * tbar
        wy = w * y
        sy = _group_sums(wy, k)
        syy = _group_sums(self.within_ss + wy * y, k)
        sty = _group_sums(moment + wy * t, k)
        ybar = sy / sw
        within = np.maximum(syy - sy * ybar, 0.0)
        return Blocks(tbar, ybar, sw, within, self.n_frames, sty - st * ybar, spread)

    def coarse(self, seconds: float = COARSE_S) -> Blocks:
        """These blocks merged to about ``seconds`` each (keeping at least 20 of them; none
        merged across a gap, see :func:`block_sizes`)."""
        step = self.t[0, 1:] - self.t[0, :-1]
        _, k = block_sizes(
            self.t[0], block_s=float(np.median(step)) if step.size else 0.0, coarse_s=seconds
        )
        return self.merged(max(k, 1))

    def cumulative(self) -> np.ndarray:
        """Running sums ``(n, 6, B + 1)`` over the frames of the blocks.

        Rows: frames, time, intensity, squared intensity, squared time and time times
        intensity (the last two from the blocks' ``spread`` and ``moment``, zero if absent).
        """
        n, nb = self.y.shape
        c = np.zeros((n, 6, nb + 1))
        w, t = self.w, self.t
        spread = 0.0 if self.spread is None else self.spread
        moment = 0.0 if self.moment is None else self.moment
        one_axis = t.strides[0] == 0 and w.strides[0] == 0  # one time axis for all curves
        if one_axis and (self.spread is None or self.spread.strides[0] == 0):
            s0 = spread if np.isscalar(spread) else spread[0]
            c[:, 0, 1:] = np.cumsum(w[0])
            c[:, 1, 1:] = np.cumsum(w[0] * t[0])
            c[:, 4, 1:] = np.cumsum(s0 + w[0] * t[0] * t[0])
        else:
            np.cumsum(w, axis=1, out=c[:, 0, 1:])
            np.cumsum(w * t, axis=1, out=c[:, 1, 1:])
            np.cumsum(spread + w * t * t, axis=1, out=c[:, 4, 1:])
        wy = w * self.y
        np.cumsum(wy, axis=1, out=c[:, 2, 1:])
        np.cumsum(self.within_ss + wy * self.y, axis=1, out=c[:, 3, 1:])
        np.cumsum(moment + wy * t, axis=1, out=c[:, 5, 1:])
        return c


def _group_sums(v: np.ndarray, k: int) -> np.ndarray:
    """Sums of ``k`` consecutive columns (the last group may be shorter)."""
    nb = v.shape[1]
    full = nb // k
    out = v[:, 0 : full * k : k].copy()
    for j in range(1, k):
        out += v[:, j : full * k : k]
    if full * k < nb:
        out = np.concatenate([out, v[:, full * k :].sum(axis=1, keepdims=True)], axis=1)
    return out


def block_sizes(t: np.ndarray, *, block_s: float, coarse_s: float = COARSE_S):
    """Frames per block and blocks per coarse block for each time axis.

    ``t`` is one axis ``(n_frames,)`` (two ints are returned) or one per curve
    ``(n, n_frames)`` (two int arrays).  Blocks last about ``block_s`` seconds and coarse
    blocks about ``coarse_s``, keeping at least 20 of each, from the mean frame interval.
    An axis with a gap longer than a block (and than twice its mean interval) gets
    ``(1, 0)``: its frames are fitted as they are, neither blocked nor binned, since a block
    or a bin must not average frames from both sides of a gap.
    """
    tt = np.atleast_2d(t)
    n_frames = tt.shape[1]
    if n_frames < 2:
        ones = np.ones(tt.shape[0], dtype=int)
        return (1, 1) if t.ndim == 1 else (ones, ones)
    with np.errstate(all="ignore"):
        step = (tt[:, -1] - tt[:, 0]) / (n_frames - 1)
        widest = np.diff(tt, axis=1).max(axis=1)
        k = np.rint(np.minimum(block_s / step, n_frames // 20))
        k = np.where(np.isfinite(k) & (k >= 1), k, 1).astype(int)
        per_block = n_frames // k + (n_frames % k > 0)
        c = np.rint(np.minimum(coarse_s / (k * step), per_block // 20))
        c = np.where(np.isfinite(c) & (c >= 1), c, 1).astype(int)
        gap = ~(widest <= np.maximum(2.0 * step, block_s))
    k = np.where(gap, 1, k)
    c = np.where(gap, 0, c)
    return (int(k[0]), int(c[0])) if t.ndim == 1 else (k, c)


@dataclass(frozen=True)
class BlockLayout:
    """How the frames of one time axis, shared by every curve, fall into blocks (internal).

    Computed once per batch by :func:`block_layout` and reused for every chunk of curves.
    """

    k: int  # frames per full block
    n_frames: int
    t: np.ndarray  # (B,) mean time of each block (the last may hold the remainder)
    w: np.ndarray  # (B,) frames per block
    spread: np.ndarray  # (B,) sum of squared deviations of the times about each block's mean
    s_uv: np.ndarray  # (B,) sum of u v (u the centred times, v = u^2 - mean(u^2))
    s_vv: np.ndarray  # (B,) sum of v^2
    basis: np.ndarray  # (k, 3) ones, u and v of a full block (a regular grid)
    centred: np.ndarray | None  # (B_full, 2, k) u and v of every full block (irregular grid)
    rest: np.ndarray  # (2, r) u and v of the remainder block (empty without one)


def block_layout(t: np.ndarray, *, k: int) -> BlockLayout:
    """The layout of one shared time axis ``t`` in blocks of ``k`` frames (the last may be
    shorter; see :func:`make_blocks`)."""
    n_frames = t.shape[0]
    nb = n_frames // k
    cut = nb * k
    tk = t[:cut].reshape(nb, k)
    tb = tk.mean(axis=1)
    uv = _centred_powers(tk)  # (nb, 2, k)
    regular = bool(np.allclose(uv, uv[0]))
    spread, s_uv, s_vv = _time_sums(uv)
    w = np.full(nb, float(k))
    rest = _centred_powers(t[None, cut:])[0] if cut < n_frames else np.empty((2, 0))
    if cut < n_frames:
        tb = np.append(tb, t[cut:].mean())
        extra = _time_sums(rest[None])
        spread, s_uv, s_vv = (
            np.append(a, e) for a, e in zip((spread, s_uv, s_vv), extra, strict=True)
        )
        w = np.append(w, float(n_frames - cut))
    basis = np.concatenate([np.ones((k, 1)), uv[0].T], axis=1)
    return BlockLayout(k, n_frames, tb, w, spread, s_uv, s_vv, basis, None if regular else uv, rest)


def _centred_powers(tk: np.ndarray) -> np.ndarray:
    """``u = t - mean(t)`` and ``v = u^2 - mean(u^2)`` along the last axis, stacked on a new
    second-to-last axis: shape ``(..., 2, k)``."""
    u = tk - tk.mean(axis=-1, keepdims=True)
    v = u * u
    v -= v.mean(axis=-1, keepdims=True)
    return np.stack([u, v], axis=-2)


def _time_sums(uv: np.ndarray):
    """``sum u^2``, ``sum u v`` and ``sum v^2`` over the last axis of ``_centred_powers``."""
    u, v = uv[..., 0, :], uv[..., 1, :]
    return (u * u).sum(axis=-1), (u * v).sum(axis=-1), (v * v).sum(axis=-1)


def make_blocks(
    t: np.ndarray,
    y: np.ndarray,
    *,
    block_s: float,
    k: int | None = None,
    layout: BlockLayout | None = None,
) -> Blocks:
    """Summarise consecutive frames in blocks of about ``block_s`` seconds.

    ``t`` is ``(n_frames,)`` (shared) or ``(n, n_frames)``; ``y`` is ``(n, n_frames)``.
    ``k`` frames per block overrides ``block_s`` (from :func:`block_sizes` of the first
    axis otherwise); ``layout`` (from :func:`block_layout`) saves recomputing a shared
    axis's blocks.
    """
    n, n_frames = y.shape
    if k is None:
        k = block_sizes(t if t.ndim == 1 else t[0], block_s=block_s)[0]
    if t.ndim == 1:
        lay = layout if layout is not None else block_layout(t, k=k)
        k = lay.k
        nb = n_frames // k
        cut = nb * k
        flat = y[:, :cut].reshape(n * nb, k)
        if lay.centred is None:  # a regular grid: one matrix product
            # (3, k) x (k, n nb): a short, wide product that BLAS runs on one thread
            sums, moment, bend = (lay.basis.T @ flat.T).reshape(3, n, nb)
        else:
            yb = flat.reshape(n, nb, k)
            sums = yb.sum(axis=2)
            moment, bend = np.einsum("nbk,bjk->jnb", yb, lay.centred)
        squares = (y[:, :cut] * y[:, :cut]).reshape(n * nb, k) @ lay.basis[:, 0]
        squares = squares.reshape(n, nb)
        if cut < n_frames:  # the remainder forms one more (shorter) block
            rest = y[:, cut:]
            sums = np.concatenate([sums, rest.sum(axis=1)[:, None]], axis=1)
            squares = np.concatenate([squares, (rest * rest).sum(axis=1)[:, None]], axis=1)
            tail = rest @ lay.rest.T  # (n, 2)
            moment = np.concatenate([moment, tail[:, :1]], axis=1)
            bend = np.concatenate([bend, tail[:, 1:]], axis=1)
        shape = (n, lay.t.size)
        tb, w, spread, s_uv, s_vv = (
            np.broadcast_to(v, shape) for v in (lay.t, lay.w, lay.spread, lay.s_uv, lay.s_vv)
        )
    else:
        nb = n_frames // k
        cut = nb * k
        yb = y[:, :cut].reshape(n, nb, k)
        squares = np.einsum("nbk,nbk->nb", yb, yb)
        sums = yb.sum(axis=2)
        tk = t[:, :cut].reshape(n, nb, k)
        tb = tk.mean(axis=2)
        uv = _centred_powers(tk)  # (n, nb, 2, k)
        moment, bend = np.einsum("nbk,nbjk->jnb", yb, uv)
        spread, s_uv, s_vv = _time_sums(uv)
        w = np.full(nb, float(k))
        if cut < n_frames:  # the remainder forms one more (shorter) block
            rest = y[:, cut:]
            rest_t = t[:, cut:]
            rest_uv = _centred_powers(rest_t)  # (n, 2, r)
            sums = np.concatenate([sums, rest.sum(axis=1)[:, None]], axis=1)
            squares = np.concatenate([squares, (rest * rest).sum(axis=1)[:, None]], axis=1)
            tb = np.concatenate([tb, rest_t.mean(axis=1)[:, None]], axis=1)
            tail = np.einsum("nk,njk->jn", rest, rest_uv)
            moment = np.concatenate([moment, tail[0][:, None]], axis=1)
            bend = np.concatenate([bend, tail[1][:, None]], axis=1)
            extra = _time_sums(rest_uv)
            spread, s_uv, s_vv = (
                np.concatenate([a, e[:, None]], axis=1)
                for a, e in zip((spread, s_uv, s_vv), extra, strict=True)
            )
            w = np.append(w, float(n_frames - cut))
        w = np.broadcast_to(w, (n, w.size))
    means = sums / w
    within = np.maximum(squares - sums * means, 0.0)
    return Blocks(tb, means, w, within, np.full(n, n_frames), moment, spread, bend, s_uv, s_vv)


def _count_below(t: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many of each curve's increasing times ``t`` ``(n, B)`` lie below ``values``
    ``(n,)`` or ``(n, m)``: a binary search when all curves share one time axis."""
    if t.strides[0] == 0:
        return np.searchsorted(t[0], values, side="left")
    if values.ndim == 1:
        return (t < values[:, None]).sum(axis=1)
    return (t[:, None, :] < values[:, :, None]).sum(axis=2)


def frame_sse(model: BolusModel, blocks: Blocks, theta: np.ndarray, frames=None) -> np.ndarray:
    """Sum of squared residuals over the frames, from the block statistics.

    Within a block the model is taken as quadratic in ``u = t - tbar``,
    ``f_i = fbar + f' u_i + q v_i`` with ``q = f''/2``, ``v = u^2 - mean(u^2)`` and
    ``fbar = f(tbar) + q mean(u^2)``; then ``sum_i (y_i - f_i)^2 = within + w (ybar -
    fbar)^2 + f'^2 S_uu - 2 f' S_yu + q^2 S_vv - 2 q S_yv + 2 f' q S_uv`` exactly, from the
    blocks' sums (``spread``, ``moment``, ``bend``, ``s_uv``, ``s_vv``; blocks without
    ``bend``, such as merged ones, take the model as linear).  The neglected terms are of the
    order of the third derivative times the cube of the block duration.  The model has a
    kink at ``t0``: with ``frames = (t, y)`` the two blocks around each curve's ``t0`` are
    summed frame by frame instead.
    """
    area, s1, s2, t0, off = (theta[:, i : i + 1] for i in range(N_PARAMS))
    tp = blocks.t - t0
    pos = tp > 0
    safe = np.where(pos, tp, 1.0)
    logg, (d1, d2) = model._logpdf(safe, s1, s2, grad="time")
    ag = np.exp(logg)
    ag *= area * pos
    slope = ag * d1  # f' = A g (log g)'
    resid = blocks.y - off - ag
    if blocks.bend is None:
        terms = blocks.within_ss + blocks.w * resid * resid
        terms += slope * (slope * blocks.spread - 2.0 * blocks.moment)
    else:
        q = 0.5 * ag * (d1 * d1 + d2)  # f''/2 = A g ((log g)'^2 + (log g)'') / 2
        resid -= q * blocks.spread / blocks.w
        terms = blocks.within_ss + blocks.w * resid * resid
        terms += slope * (slope * blocks.spread - 2.0 * blocks.moment + 2.0 * q * blocks.s_uv)
        terms += q * (q * blocks.s_vv - 2.0 * blocks.bend)
    sse = terms.sum(axis=1)
    nb = blocks.t.shape[1]
    if frames is not None and nb >= 3:
        t, y = frames
        n, n_frames = y.shape
        k = int(blocks.w[0, 0])
        # the blocks j - 1 and j with tbar_(j-1) < t0 <= tbar_j (never the short last one)
        j = np.clip(_count_below(blocks.t, t0[:, 0]), 1, nb - 2)
        idx = np.minimum((j - 1)[:, None] * k + np.arange(2 * k), n_frames - 1)
        tt = t[idx] if t.ndim == 1 else np.take_along_axis(t, idx, axis=1)
        f, _ = evaluate(model, tt, theta, jac=False)
        f -= np.take_along_axis(y, idx, axis=1)
        rows = np.arange(n)
        sse += np.einsum("ij,ij->i", f, f) - terms[rows, j - 1] - terms[rows, j]
    return sse


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


def _smooth3(y: np.ndarray) -> np.ndarray:
    """Centred three-point moving average along the last axis (two points at the edges)."""
    out = np.empty_like(y)
    out[:, 1:-1] = (y[:, :-2] + y[:, 1:-1] + y[:, 2:]) / 3.0
    out[:, 0] = 0.5 * (y[:, 0] + y[:, 1])
    out[:, -1] = 0.5 * (y[:, -2] + y[:, -1])
    return out


def _basis(model: BolusModel, tp: np.ndarray):
    """Regressors and the log-term moved to the left-hand side for the log-linear start."""
    lt = np.log(tp)
    if model.name == "lognormal":
        return (lt, lt * lt), -lt
    if model.name == "gamma":
        return (lt, tp), 0.0 * lt
    power = 0.5 if model.name == "ldrw" else 1.5
    return (tp, 1.0 / tp), -power * lt


def _shape_from_coef(model: BolusModel, c0, c1, c2):
    """Shape parameters and log-area from the log-linear coefficients (NaN when invalid)."""
    with np.errstate(all="ignore"):
        if model.name == "lognormal":
            # log(y) + L = c0 + c1 L + c2 L^2 with c2 = -1/(2 s^2), c1 = mu/s^2
            s2 = -0.5 / c2
            sigma = np.sqrt(s2)
            mu = c1 * s2
            loga = c0 + np.log(sigma) + 0.5 * np.log(2 * np.pi) + mu * mu / (2 * s2)
            ok = c2 < 0
            s_a, s_b = mu, sigma
        elif model.name == "gamma":
            alpha = c1
            beta = -1.0 / c2
            from scipy.special import gammaln

            loga = c0 + (alpha + 1) * np.log(beta) + gammaln(alpha + 1)
            ok = (c2 < 0) & (alpha > 0)
            s_a, s_b = alpha, beta
        else:
            # log(y) + p L = c0 + c1 t + c2 / t, c1 = -lam/(2 mu), c2 = -lam mu / 2
            mu = np.sqrt(c2 / c1)
            lam = 2.0 * np.sqrt(c1 * c2)
            if model.name == "ldrw":
                const = 0.5 * (np.log(lam) - np.log(mu))
            else:
                const = 0.5 * (np.log(lam) + np.log(mu))
            loga = c0 - const + 0.5 * np.log(2 * np.pi) + lam
            ok = (c1 < 0) & (c2 < 0)
            s_a, s_b = mu, lam
    bad = ~ok | ~np.isfinite(s_a) | ~np.isfinite(s_b) | ~np.isfinite(loga)
    return np.where(bad, np.nan, s_a), np.where(bad, np.nan, s_b), np.where(bad, np.nan, loga)


def _solve_sym3(M: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Solve the symmetric 3 x 3 systems ``M[:, :3, :3] x = z`` by cofactors, shape ``(n, 3)``;
    NaN where a system is singular or not finite."""
    a, b, c = M[:, 0, 0], M[:, 0, 1], M[:, 0, 2]
    d, e, f = M[:, 1, 1], M[:, 1, 2], M[:, 2, 2]
    co_a = d * f - e * e
    co_b = c * e - b * f
    co_c = b * e - c * d
    det = a * co_a + b * co_b + c * co_c
    co_d = a * f - c * c
    co_e = b * c - a * e
    co_f = a * d - b * b
    z0, z1, z2 = z[:, 0], z[:, 1], z[:, 2]
    x = np.stack(
        [
            co_a * z0 + co_b * z1 + co_c * z2,
            co_b * z0 + co_d * z1 + co_e * z2,
            co_c * z0 + co_e * z1 + co_f * z2,
        ],
        axis=1,
    )
    # a determinant lost in rounding (relative to the product of the diagonal) is singular
    scale = np.abs(a * d * f)
    singular = ~(np.abs(det) > 1e-13 * scale) | ~np.isfinite(det)
    x /= np.where(singular, np.nan, det)[:, None]
    return x


def start_values(model: BolusModel, blocks: Blocks, lims) -> np.ndarray:
    """Data-driven starting values, shape ``(n, 5)``, by log-linear regression."""
    t, y = blocks.t, blocks.y
    n, nb = y.shape
    ys = _smooth3(y)
    peak = np.argmax(ys, axis=1)
    rows = np.arange(n)
    ttp = t[rows, peak]
    before = np.arange(nb)[None, :] <= peak[:, None]
    # baseline: the lowest point of the smoothed curve (before the peak, or after it when
    # the acquisition started on the rise and the tail has come down lower)
    offset = ys.min(axis=1)
    pe = ys[rows, peak] - offset
    pe = np.where(pe > 0, pe, np.maximum(np.abs(offset), 1e-12))
    excess = ys - offset[:, None]
    # foot: last block before the peak below baseline + 20% of PE
    below = before & (excess < 0.2 * pe[:, None])
    last_below = np.where(below.any(axis=1), nb - 1 - np.argmax(below[:, ::-1], axis=1), 0)
    foot = t[rows, last_below]
    rise = np.maximum(ttp - foot, t[:, 1] - t[:, 0])
    # the first pass: from the foot up to where the curve, past its peak, first falls to
    # FIRST_PASS of its peak enhancement (a later second pass would distort the shape)
    after = (np.arange(nb)[None, :] > peak[:, None]) & (excess < FIRST_PASS * pe[:, None])
    end = np.where(after.any(axis=1), np.argmax(after, axis=1), nb)
    above = (excess > 0.2 * pe[:, None]) & (np.arange(nb)[None, :] <= end[:, None])
    weight = np.where(above, excess * excess, 0.0)
    target = np.log(np.where(above, excess, 1.0))
    best = np.full((n, N_PARAMS), np.nan)
    best_cost = np.full(n, np.inf)
    # regressors and the response in one array: one product gives X'WX, X'Wz and z'Wz
    X = np.empty((n, 4, nb))
    X[:, 0] = 1.0
    for frac in T0_FRACTIONS:
        t0 = foot - frac * rise
        tp = t - t0[:, None]
        w = np.where(tp > 0, weight, 0.0)
        (r1, r2), lhs = _basis(model, np.where(tp > 0, tp, 1.0))
        X[:, 1] = r1
        X[:, 2] = r2
        np.subtract(target, lhs, out=X[:, 3])
        M = (X * w[:, None, :]) @ X.transpose(0, 2, 1)
        atz = M[:, :3, 3]
        coef = _solve_sym3(M, atz)
        s1, s2, loga = _shape_from_coef(model, coef[:, 0], coef[:, 1], coef[:, 2])
        # residual sum of squares of the weighted regression: z'Wz - coef'X'Wz
        resid = M[:, 3, 3] - np.einsum("nk,nk->n", coef, atz)
        theta = np.stack([np.exp(loga), s1, s2, t0, offset], axis=1)
        good = np.isfinite(theta).all(axis=1) & (resid < best_cost)
        best[good] = theta[good]
        best_cost[good] = resid[good]
    # fall back on the timing-based start where the regression failed
    missing = ~np.isfinite(best).all(axis=1)
    if missing.any():
        t0 = foot[missing] - rise[missing]
        mode = np.maximum(ttp[missing] - t0, 1e-3)
        p = model.from_timing(
            ttp=t0 + mode, mtt=t0 + 1.6 * mode, pe=pe[missing], t0=t0, offset=offset[missing]
        )
        best[missing] = np.stack([p[name] for name in model.param_names], axis=1)
    return clip_to_bounds(best, lims)


def bounds(model: BolusModel, blocks: Blocks) -> tuple[np.ndarray, np.ndarray]:
    """Per-curve lower and upper bounds, each ``(n, 5)``."""
    t = blocks.t
    n = t.shape[0]
    t_first, t_last = t[:, 0], t[:, -1]
    span = t_last - t_first
    (a_lo, a_hi), (b_lo, b_hi) = model.shape_bounds
    if model.name == "lognormal":
        a_hi = np.log(2.0 * np.maximum(span, 1e-3))
    lo = np.stack(
        [np.zeros(n), np.full(n, a_lo), np.full(n, b_lo), t_first - span, np.full(n, -np.inf)],
        axis=1,
    )
    hi = np.stack(
        [
            np.full(n, np.inf),
            np.broadcast_to(a_hi, n),
            np.full(n, b_hi),
            t_last,
            np.full(n, np.inf),
        ],
        axis=1,
    )
    return lo, hi


def clip_to_bounds(theta, lims):
    lo, hi = lims
    return np.minimum(np.maximum(theta, lo), hi)


def evaluate(
    model: BolusModel, t: np.ndarray, theta: np.ndarray, *, jac: bool, weight=None, extra=0
):
    """Model values ``(n, B)`` and, with ``jac``, the Jacobian ``(5 + extra, n, B)``.

    The Jacobian is parameter-major (``J[k]`` is the derivative with respect to parameter
    ``k`` for every curve and point, one contiguous array).  With ``weight`` (shape
    ``(n, B)``) its rows are multiplied by it; ``extra`` rows (left unset) follow the five
    parameter rows.
    """
    area, s1, s2, t0, off = (theta[:, i : i + 1] for i in range(N_PARAMS))
    tp = t - t0
    pos = tp > 0
    np.copyto(tp, 1.0, where=~pos)
    logg, grads = model._logpdf(tp, s1, s2, grad=jac)
    np.minimum(logg, 700.0, out=logg)
    g = np.exp(logg, out=logg)
    g *= pos
    f = area * g
    f += off
    if not jac:
        return f, None
    J = np.empty((N_PARAMS + extra, *g.shape))
    if weight is not None:
        np.multiply(g, weight, out=J[0])
    else:
        J[0] = g
    np.multiply(J[0], area, out=g)
    for k, d in enumerate(grads, start=1):
        np.multiply(g, d, out=J[k])
    J[4] = 1.0 if weight is None else weight
    return f, J


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve the systems ``A x = b`` (``(n, 5, 5)``, ``(n, 5)``); least squares for any
    batch that holds a singular system."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a singular system: least squares, one curve at a time
        return np.stack(
            [np.linalg.lstsq(a_, b_, rcond=None)[0] for a_, b_ in zip(A, b, strict=True)]
        )


def _gram(J: np.ndarray) -> np.ndarray:
    """``J J'`` per curve, ``(n, r, r)``, of a parameter-major ``J`` ``(r, n, B)``."""
    Jt = J.transpose(1, 0, 2)
    return Jt @ Jt.transpose(0, 2, 1)


@dataclass(frozen=True)
class LMResult:
    theta: np.ndarray  # (n, 5)
    jtj: np.ndarray  # (n, 5, 5) weighted normal matrix at the solution
    sse_blocks: np.ndarray  # (n,) weighted sum of squares of block means
    converged: np.ndarray  # (n,) bool
    n_iter: np.ndarray  # (n,)


def levenberg_marquardt(
    model: BolusModel,
    blocks: Blocks,
    theta0: np.ndarray,
    lims,
    *,
    max_iter: int = 60,
    stol: float = STEP_TOL_SE,
    xtol: float = 1e-5,
    chunk: int = 256,
) -> LMResult:
    """Batched, bounded Levenberg-Marquardt on blocks or pseudo-frames (see the module
    notes).

    ``stol`` is the stopping tolerance in standard errors: with ``s^2`` the noise variance
    per frame (``blocks.within_ss`` plus the current sum of squares, over the frames less
    five), a curve stops once a step decreases, or would decrease, the sum of squares by
    less than ``stol^2 s^2``; the distance ``d`` from the least-squares solution, in
    standard errors, then satisfies ``d^2 s^2 <= stol^2 s^2``.  ``xtol`` stops on the
    relative size of the step.  Curves are processed in chunks of ``chunk`` so that the
    working arrays stay in cache.
    """
    n = theta0.shape[0]
    lo, hi = lims
    # the noise variance per frame, for the stopping rule: the sum of squares of the frames
    # about the blocks' own lines (or means) plus the fit's, over the degrees of freedom
    within = blocks.within_ss.sum(axis=1)
    dof = np.maximum(blocks.w.sum(axis=1) - N_PARAMS, 1.0)
    out = [
        np.empty((n, N_PARAMS)),
        np.empty((n, N_PARAMS, N_PARAMS)),
        np.empty(n),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=int),
    ]
    for a in range(0, n, chunk):
        sl = slice(a, min(n, a + chunk))
        res = _lm_chunk(
            model,
            blocks.t[sl],
            blocks.y[sl],
            blocks.w[sl],
            theta0[sl],
            lo[sl],
            hi[sl],
            within[sl],
            dof[sl],
            max_iter=max_iter,
            stol=stol,
            xtol=xtol,
        )
        for store, value in zip(out, res, strict=True):
            store[sl] = value
    return LMResult(*out)


def _lm_chunk(model, t, y, w, theta0, lo, hi, within, dof, *, max_iter, stol, xtol):
    n = theta0.shape[0]
    # time, intensity and root-weight of every point in one array: one gather per iteration
    tys = np.empty((y.shape[0], 3, y.shape[1]))
    tys[:, 0] = t
    tys[:, 1] = y
    np.sqrt(w, out=tys[:, 2])
    t, y, sw = tys[:, 0], tys[:, 1], tys[:, 2]
    theta = theta0.copy()
    # the weighted residuals ride as a sixth row of the Jacobian: one product [J; r][J; r]'
    # gives J'J, J'r and the sum of squares together
    f, J = evaluate(model, t, theta, jac=True, weight=sw, extra=1)
    np.multiply(y - f, sw, out=J[N_PARAMS])
    M = _gram(J)
    sse = M[:, N_PARAMS, N_PARAMS].copy()
    jtj = M[:, :N_PARAMS, :N_PARAMS].copy()
    jtr = M[:, :N_PARAMS, N_PARAMS].copy()
    lam = np.full(n, 1e-3)
    active = np.isfinite(sse) & np.isfinite(jtj).all(axis=(1, 2))
    converged = np.zeros(n, dtype=bool)
    n_iter = np.zeros(n, dtype=int)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        A = jtj[idx]
        lam_i = lam[idx]
        diag = A.reshape(-1, N_PARAMS * N_PARAMS)[:, :: N_PARAMS + 1]  # a view
        damp = lam_i[:, None] * np.maximum(diag, 1e-300)
        diag += damp
        jtr_i = jtr[idx]
        step = _solve(A, jtr_i)
        here = theta[idx]
        lo_i, hi_i = lo[idx], hi[idx]
        # a parameter sitting on a bound that the step pushes further out is held there, and
        # the step is solved again for the others (an active set: Bertsekas 1982)
        pinned = ((here <= lo_i) & (step < 0)) | ((here >= hi_i) & (step > 0))
        held = pinned.any(axis=1)
        if held.any():
            A_h, b_h, p_h = A[held], jtr_i[held].copy(), pinned[held]
            A_h[p_h] = 0.0
            A_h.transpose(0, 2, 1)[p_h] = 0.0
            A_h.reshape(-1, N_PARAMS * N_PARAMS)[:, :: N_PARAMS + 1][p_h] = 1.0
            b_h[p_h] = 0.0
            step[held] = _solve(A_h, b_h)
            damp[held] = np.where(p_h, 0.0, damp[held])
        trial = here + step
        inside = ((trial >= lo_i) & (trial <= hi_i)).all(axis=1)
        np.minimum(np.maximum(trial, lo_i), hi_i, out=trial)
        rel = (np.abs(trial - here) / (np.abs(here) + 1e-3)).max(axis=1)
        # Near Gauss-Newton (small damping), a step inside the bounds whose predicted
        # decrease of the sum of squares, 2 s'J'r - s'J'J s = s'J'r + s'Ds (D the damping),
        # or whose size is already below the tolerances ends the fit: it is taken without
        # evaluating the model there (as MINPACK's ftol test uses the predicted reduction).
        pred = np.einsum("nk,nk->n", step, jtr_i + damp * step)
        sse_i = sse[idx]
        floor = stol * stol * (within[idx] + sse_i) / dof[idx]
        quiet = inside & (lam_i <= 1e-3) & ((pred < floor) | (rel < xtol))
        if quiet.any():
            last = idx[quiet]
            theta[last] = trial[quiet]
            sse[last] -= pred[quiet]
            n_iter[last] += 1
            converged[last] = True
            active[last] = False
            keep = ~quiet
            idx, trial, floor, rel, sse_i = (v[keep] for v in (idx, trial, floor, rel, sse_i))
            if idx.size == 0:
                continue
        data = tys if idx.size == n else tys[idx]
        f_t, J_t = evaluate(model, data[:, 0], trial, jac=True, weight=data[:, 2], extra=1)
        np.subtract(data[:, 1], f_t, out=f_t)
        np.multiply(f_t, data[:, 2], out=J_t[N_PARAMS])
        M_t = _gram(J_t)
        sse_t = M_t[:, N_PARAMS, N_PARAMS]
        better = np.isfinite(sse_t) & (sse_t <= sse_i)
        n_iter[idx] += 1
        acc = idx[better]
        decrease = sse_i[better] - sse_t[better]
        theta[acc] = trial[better]
        sse[acc] = sse_t[better]
        Mb = M_t if better.all() else M_t[better]
        jtj[acc] = Mb[:, :N_PARAMS, :N_PARAMS]
        jtr[acc] = Mb[:, :N_PARAMS, N_PARAMS]
        lam[acc] = np.maximum(lam[acc] / 3.0, 1e-12)
        rej = idx[~better]
        lam[rej] *= 4.0
        done = (decrease < floor[better]) | (rel[better] < xtol)
        converged[acc[done]] = True
        active[acc[done]] = False
        # a curve whose damping exploded cannot improve any more: it sits at a minimum
        stuck = rej[lam[rej] > 1e10]
        converged[stuck] = True
        active[stuck] = False
    return theta, jtj, sse, converged, n_iter
