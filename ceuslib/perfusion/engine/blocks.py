"""Frames summarised in blocks: means and the sums of squares and cross-products about them.

See :mod:`ceuslib.perfusion.engine` for how the fit uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

GAP_COARSE_BLOCKS = 2.0  # an interval longer than this many coarse blocks is a gap
COARSE_S = 1.0  # seconds per block for the start and the bins


@dataclass(frozen=True)
class Blocks:
    """Blocks of frames of a batch of curves: means, sums of squares and cross-products.

    The sums are taken about each block's means. :func:`adaptive_bins` also returns its
    pseudo-frames in this form, without ``moment`` and ``spread``.

    Attributes
    ----------
    t : numpy.ndarray, shape (n, B)
        Mean time of the frames of each block.
    y : numpy.ndarray, shape (n, B)
        Mean intensity.
    w : numpy.ndarray, shape (n, B)
        Frames per block.
    within_ss : numpy.ndarray, shape (n, B)
        Sum of squares of the frames about their block mean.
    n_frames : numpy.ndarray, shape (n,)
        Frames of each curve.
    moment : numpy.ndarray, shape (n, B), optional
        Sum of ``(y - ybar)(t - tbar)`` over each block.
    spread : numpy.ndarray, shape (n, B), optional
        Sum of ``(t - tbar)^2`` over each block.
    bend : numpy.ndarray, shape (n, B), optional
        Sum of ``y v``, with ``u = t - tbar`` and ``v = u^2 - mean(u^2)`` in each block (for
        the quadratic of :func:`frame_sse`).
    s_uv : numpy.ndarray, shape (n, B), optional
        Sum of ``u v``.
    s_vv : numpy.ndarray, shape (n, B), optional
        Sum of ``v v``.
    """

    t: np.ndarray
    y: np.ndarray
    w: np.ndarray
    within_ss: np.ndarray
    n_frames: np.ndarray
    moment: np.ndarray | None = None
    spread: np.ndarray | None = None
    bend: np.ndarray | None = None
    s_uv: np.ndarray | None = None
    s_vv: np.ndarray | None = None

    def rows(self, index: np.ndarray) -> Blocks:
        """These blocks for the curves ``index`` only.

        Parameters
        ----------
        index : numpy.ndarray
            Indices (or a boolean mask) of the curves to keep.

        Returns
        -------
        Blocks
            The blocks of those curves.
        """
        return Blocks(
            *(
                None if v is None else v[index]
                for v in (getattr(self, f.name) for f in fields(self))
            )
        )

    def merged(self, k: int) -> Blocks:
        """These blocks merged ``k`` at a time (the last group may be shorter).

        The statistics stay exact: sums of frames, times, intensities, their squares and
        cross-products carry over, and means, ``within_ss``, ``moment`` and ``spread`` are
        rebuilt from them.

        Parameters
        ----------
        k : int
            Blocks per merged block; 1 or less returns these blocks.

        Returns
        -------
        Blocks
            The merged blocks (without ``bend``, ``s_uv`` and ``s_vv``).

        Examples
        --------
        >>> from ceuslib.perfusion import MODELS, default_params
        >>> t = np.arange(0.0, 60.0, 0.1)
        >>> y = MODELS["lognormal"](t, **default_params("lognormal"))[None, :]
        >>> blocks = make_blocks(t, y, block_s=0.5)  # 120 blocks of 5 frames
        >>> merged = blocks.merged(4)
        >>> merged.w[0, :2].tolist(), merged.t[0, :2].round(2).tolist()
        ([20.0, 20.0], [0.95, 2.95])
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
        """These blocks merged to about ``seconds`` each.

        At least 20 blocks are kept, and none is merged across a gap (see
        :func:`block_sizes`).

        Parameters
        ----------
        seconds : float
            Duration of a merged block.

        Returns
        -------
        Blocks
            The merged blocks.
        """
        step = self.t[0, 1:] - self.t[0, :-1]
        _, k = block_sizes(
            self.t[0], block_s=float(np.median(step)) if step.size else 0.0, coarse_s=seconds
        )
        return self.merged(max(k, 1))

    def cumulative(self) -> np.ndarray:
        """Running sums ``(n, 6, B + 1)`` over the frames of the blocks.

        Returns
        -------
        numpy.ndarray, shape (n, 6, B + 1)
            Rows: frames, time, intensity, squared intensity, squared time and time times
            intensity (the last two from the blocks' ``spread`` and ``moment``, zero if
            absent); column ``j`` sums the first ``j`` blocks.
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


def block_sizes(
    t: np.ndarray, *, block_s: float, coarse_s: float = COARSE_S
) -> tuple[int, int] | tuple[np.ndarray, np.ndarray]:
    """Frames per block and blocks per coarse block for each time axis.

    Blocks last about ``block_s`` seconds and coarse blocks about ``coarse_s``, keeping at
    least 20 of each, from the mean frame interval. An axis with a gap longer than
    ``GAP_COARSE_BLOCKS`` coarse blocks (and than twice its mean interval) gets ``(1, 0)``:
    its frames are fitted as they are, neither blocked nor binned, since a block or a bin
    must not average frames from both sides of a long gap.

    Parameters
    ----------
    t : numpy.ndarray, shape (n_frames,) or (n, n_frames)
        One time axis, or one per curve, in seconds.
    block_s, coarse_s : float
        Durations of a block and of a coarse block.

    Returns
    -------
    k : int or numpy.ndarray of int
        Frames per block (one per axis for two-dimensional ``t``).
    c : int or numpy.ndarray of int
        Blocks per coarse block; 0 for an axis with a gap.

    Examples
    --------
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> block_sizes(t, block_s=0.5)
    (5, 2)
    >>> block_sizes(np.concatenate([t[:300], t[300:] + 30.0]), block_s=0.5)  # a 30 s gap
    (1, 0)
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
        gap = ~(widest <= np.maximum(2.0 * step, GAP_COARSE_BLOCKS * coarse_s))
    k = np.where(gap, 1, k)
    c = np.where(gap, 0, c)
    return (int(k[0]), int(c[0])) if t.ndim == 1 else (k, c)


@dataclass(frozen=True)
class BlockLayout:
    """How the frames of one time axis, shared by every curve, fall into blocks.

    Computed once per batch by :func:`block_layout` and reused for every chunk of curves.

    Attributes
    ----------
    k : int
        Frames per full block.
    n_frames : int
        Frames of the axis.
    t : numpy.ndarray, shape (B,)
        Mean time of each block (the last may hold the remainder).
    w : numpy.ndarray, shape (B,)
        Frames per block.
    spread : numpy.ndarray, shape (B,)
        Sum of squared deviations of the times about each block's mean.
    s_uv : numpy.ndarray, shape (B,)
        Sum of ``u v`` (``u`` the centred times, ``v = u^2 - mean(u^2)``).
    s_vv : numpy.ndarray, shape (B,)
        Sum of ``v^2``.
    basis : numpy.ndarray, shape (k, 3)
        Ones, ``u`` and ``v`` of a full block (a regular grid).
    centred : numpy.ndarray, shape (B_full, 2, k), or None
        ``u`` and ``v`` of every full block (an irregular grid); None on a regular grid.
    rest : numpy.ndarray, shape (2, r)
        ``u`` and ``v`` of the remainder block (empty without one).
    """

    k: int
    n_frames: int
    t: np.ndarray
    w: np.ndarray
    spread: np.ndarray
    s_uv: np.ndarray
    s_vv: np.ndarray
    basis: np.ndarray
    centred: np.ndarray | None
    rest: np.ndarray


def block_layout(t: np.ndarray, *, k: int) -> BlockLayout:
    """The layout of one shared time axis ``t`` in blocks of ``k`` frames.

    The last block may be shorter; see :func:`make_blocks`.

    Parameters
    ----------
    t : numpy.ndarray, shape (n_frames,)
        The time axis, seconds.
    k : int
        Frames per block.

    Returns
    -------
    BlockLayout
        The blocks' times, sizes and sums of the centred times.

    Examples
    --------
    >>> layout = block_layout(np.arange(0.0, 60.0, 0.1), k=5)
    >>> layout.t.shape, layout.w[:2].tolist(), layout.centred is None
    ((120,), [5.0, 5.0], True)
    """
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

    Parameters
    ----------
    t : numpy.ndarray, shape (n_frames,) or (n, n_frames)
        Frame times in seconds, shared by every curve or one axis per curve.
    y : numpy.ndarray, shape (n, n_frames)
        Intensities.
    block_s : float
        Duration of a block, seconds.
    k : int, optional
        Frames per block; overrides ``block_s`` (from :func:`block_sizes` of the first
        axis otherwise).
    layout : BlockLayout, optional
        The blocks of a shared axis (from :func:`block_layout`), not recomputed.

    Returns
    -------
    Blocks
        The blocks, with every statistic.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = MODELS["lognormal"](t, **default_params("lognormal"))[None, :]
    >>> blocks = make_blocks(t, y, block_s=0.5)  # 120 blocks of 5 frames
    >>> blocks.t.shape, blocks.w[0, :3].tolist(), blocks.n_frames.tolist()
    ((1, 120), [5.0, 5.0, 5.0], [600])
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
        # one row per block: sums over the k frames as products with ones or row-wise dots
        yk = y[:, :cut].reshape(n * nb, k)
        ones = np.ones(k)
        u = t[:, :cut].reshape(n * nb, k) @ ones
        u /= k
        tb = u.reshape(n, nb)
        u = t[:, :cut].reshape(n * nb, k) - u[:, None]
        v = u * u
        spread = v @ ones
        v -= (spread / k)[:, None]

        def dot(a, b):
            return np.einsum("ij,ij->i", a, b).reshape(n, nb)

        sums = (yk @ ones).reshape(n, nb)
        squares, moment, bend = dot(yk, yk), dot(yk, u), dot(yk, v)
        spread, s_uv, s_vv = spread.reshape(n, nb), dot(u, v), dot(v, v)
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
