"""The bolus model on many curves at once: values, Jacobians, and the frames' sum of squares
from block statistics."""

from __future__ import annotations

import numpy as np

from ceuslib.perfusion.engine.blocks import Blocks, _count_below
from ceuslib.perfusion.models import BolusModel

N_PARAMS = 5
MAX_LOG_DENSITY = 700.0  # log densities are capped here so that exp() stays finite


def evaluate(
    model: BolusModel,
    t: np.ndarray,
    theta: np.ndarray,
    *,
    jac: bool,
    weight: np.ndarray | None = None,
    extra: int = 0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Model values ``(n, B)`` and, with ``jac``, the Jacobian ``(5 + extra, n, B)``.

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    t : numpy.ndarray, shape (n, B) or (1, B)
        Times, seconds.
    theta : numpy.ndarray, shape (n, 5)
        Parameters of each curve, in the order of :attr:`BolusModel.param_names`.
    jac : bool
        Also compute the Jacobian.
    weight : numpy.ndarray, shape (n, B), optional
        Weights that multiply the Jacobian's rows.
    extra : int
        Rows (left unset) after the five parameter rows of the Jacobian.

    Returns
    -------
    f : numpy.ndarray, shape (n, B)
        The model's values.
    jacobian : numpy.ndarray, shape (5 + extra, n, B), or None
        Parameter-major: ``J[k]`` is the derivative with respect to parameter ``k`` for
        every curve and point, one contiguous array; None without ``jac``.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> from ceuslib.perfusion.engine import evaluate
    >>> model, params = MODELS["lognormal"], default_params("lognormal")
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = model(t, **params)[None, :]  # one noise-free curve of 600 frames
    >>> theta = np.array([[params[name] for name in model.param_names]])
    >>> f, jacobian = evaluate(model, t[None, :], theta, jac=True)
    >>> float(np.abs(f - y).max()), jacobian.shape
    (0.0, (5, 1, 600))
    """
    area, s1, s2, t0, off = (theta[:, i : i + 1] for i in range(N_PARAMS))
    tp = t - t0
    pos = tp > 0
    np.copyto(tp, 1.0, where=~pos)
    logg, grads = model._logpdf(tp, s1, s2, grad=jac)
    np.minimum(logg, MAX_LOG_DENSITY, out=logg)
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


def frame_sse(
    model: BolusModel,
    blocks: Blocks,
    theta: np.ndarray,
    frames: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Sum of squared residuals over the frames, from the block statistics.

    Within a block the model is taken as quadratic in ``u = t - tbar``,
    ``f_i = fbar + f' u_i + q v_i`` with ``q = f''/2``, ``v = u^2 - mean(u^2)`` and
    ``fbar = f(tbar) + q mean(u^2)``; then ``sum_i (y_i - f_i)^2 = within + w (ybar -
    fbar)^2 + f'^2 S_uu - 2 f' S_yu + q^2 S_vv - 2 q S_yv + 2 f' q S_uv`` exactly, from the
    blocks' sums (``spread``, ``moment``, ``bend``, ``s_uv``, ``s_vv``: blocks from
    :func:`make_blocks`, whose full blocks all hold the same number of frames).  The
    neglected terms are of the order of the third derivative times the cube of the block
    duration.  The model has a kink at ``t0``: with ``frames = (t, y)`` the two blocks around
    each curve's ``t0`` are summed frame by frame instead.

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    blocks : Blocks
        Blocks from :func:`make_blocks`.
    theta : numpy.ndarray, shape (n, 5)
        Parameters of each curve.
    frames : tuple of numpy.ndarray, optional
        ``(t, y)``, the frames the blocks summarise.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Each curve's sum of squared residuals over its frames.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> from ceuslib.perfusion.engine import frame_sse, make_blocks
    >>> model, params = MODELS["lognormal"], default_params("lognormal")
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = model(t, **params)[None, :]  # one noise-free curve of 600 frames
    >>> theta = np.array([[params[name] for name in model.param_names]])
    >>> blocks = make_blocks(t, y, block_s=0.5)
    >>> bool(frame_sse(model, blocks, theta, frames=(t, y))[0] < 1e-8)
    True
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
