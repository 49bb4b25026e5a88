"""Closed-form starting values and the parameter bounds of the fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ceuslib.perfusion.engine.blocks import Blocks
from ceuslib.perfusion.engine.evaluation import N_PARAMS
from ceuslib.perfusion.models import BolusModel

T0_FRACTIONS = (0.15, 0.6)  # start's t0 candidates: the foot minus these rise times
# the profile over the arrival for fits started several times: t0 = foot - fraction * rise
RESTART_T0_FRACTIONS = (0.05, 0.15, 0.3, 0.6, 1.0, 2.0)
FIRST_PASS = 0.3  # the start's regression ends where the curve falls to this share of PE
FOOT_SHARE = 0.2  # the foot of the rise: the last block before the peak below this share of PE
MIN_SPAN_S = 1e-3  # shortest acquisition span the bounds allow (a single frame has none)
MIN_PE = 1e-12  # a flat curve's start takes this (or its baseline) as peak enhancement
MIN_MODE_S = 1e-3  # shortest rise (t0 to peak) of the timing-based start, seconds
TIMING_MTT_RATIO = 1.6  # the timing-based start's (mTT - t0) / (TTP - t0) (ASSUMPTION)
SINGULAR_DET = 1e-13  # a 3 x 3 determinant below this share of its diagonal's product


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
    singular = ~(np.abs(det) > SINGULAR_DET * scale) | ~np.isfinite(det)
    x /= np.where(singular, np.nan, det)[:, None]
    return x


@dataclass(frozen=True)
class _FirstPass:
    """What the log-linear start reads off the smoothed blocks of each curve."""

    t: np.ndarray  # (n, B) block times
    offset: np.ndarray  # (n,) baseline: the lowest smoothed value
    pe: np.ndarray  # (n,) peak enhancement above it
    ttp: np.ndarray  # (n,) time of the highest smoothed block
    foot: np.ndarray  # (n,) last block before the peak below FOOT_SHARE of PE
    rise: np.ndarray  # (n,) ttp - foot (at least one block)
    weight: np.ndarray  # (n, B) regression weights (excess squared on the first pass)
    target: np.ndarray  # (n, B) log excess on the first pass (0 elsewhere)


def _first_pass(blocks: Blocks) -> _FirstPass:
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
    pe = np.where(pe > 0, pe, np.maximum(np.abs(offset), MIN_PE))
    excess = ys - offset[:, None]
    # foot: last block before the peak below baseline + FOOT_SHARE of PE
    below = before & (excess < FOOT_SHARE * pe[:, None])
    last_below = np.where(below.any(axis=1), nb - 1 - np.argmax(below[:, ::-1], axis=1), 0)
    foot = t[rows, last_below]
    rise = np.maximum(ttp - foot, t[:, 1] - t[:, 0])
    # the first pass: from the foot up to where the curve, past its peak, first falls to
    # FIRST_PASS of its peak enhancement (a later second pass would distort the shape)
    after = (np.arange(nb)[None, :] > peak[:, None]) & (excess < FIRST_PASS * pe[:, None])
    end = np.where(after.any(axis=1), np.argmax(after, axis=1), nb)
    above = (excess > FOOT_SHARE * pe[:, None]) & (np.arange(nb)[None, :] <= end[:, None])
    weight = np.where(above, excess * excess, 0.0)
    target = np.log(np.where(above, excess, 1.0))
    return _FirstPass(t, offset, pe, ttp, foot, rise, weight, target)


def _regression_starts(model: BolusModel, fp: _FirstPass, fractions):
    """Log-linear regression starts with ``t0 = foot - fraction * rise``, one per fraction:
    parameters ``(n, K, 5)`` (NaN where the regression fails) and residuals ``(n, K)``."""
    n, nb = fp.t.shape
    thetas = np.full((n, len(fractions), N_PARAMS), np.nan)
    costs = np.full((n, len(fractions)), np.inf)
    # regressors and the response in one array: one product gives X'WX, X'Wz and z'Wz
    X = np.empty((n, 4, nb))
    X[:, 0] = 1.0
    for j, frac in enumerate(fractions):
        t0 = fp.foot - frac * fp.rise
        tp = fp.t - t0[:, None]
        w = np.where(tp > 0, fp.weight, 0.0)
        (r1, r2), lhs = _basis(model, np.where(tp > 0, tp, 1.0))
        X[:, 1] = r1
        X[:, 2] = r2
        np.subtract(fp.target, lhs, out=X[:, 3])
        M = (X * w[:, None, :]) @ X.transpose(0, 2, 1)
        atz = M[:, :3, 3]
        coef = _solve_sym3(M, atz)
        s1, s2, loga = _shape_from_coef(model, coef[:, 0], coef[:, 1], coef[:, 2])
        # residual sum of squares of the weighted regression: z'Wz - coef'X'Wz
        resid = M[:, 3, 3] - np.einsum("nk,nk->n", coef, atz)
        theta = np.stack([np.exp(loga), s1, s2, t0, fp.offset], axis=1)
        good = np.isfinite(theta).all(axis=1)
        thetas[good, j] = theta[good]
        costs[good, j] = np.where(np.isnan(resid[good]), np.inf, resid[good])
    return thetas, costs


def _timing_start(model: BolusModel, fp: _FirstPass, rows: np.ndarray) -> np.ndarray:
    """The start from the curve's timing alone (arrival one rise before the foot), ``(m, 5)``."""
    t0 = fp.foot[rows] - fp.rise[rows]
    mode = np.maximum(fp.ttp[rows] - t0, MIN_MODE_S)
    p = model.from_timing(
        ttp=t0 + mode,
        mtt=t0 + TIMING_MTT_RATIO * mode,
        pe=fp.pe[rows],
        t0=t0,
        offset=fp.offset[rows],
    )
    return np.stack([p[name] for name in model.param_names], axis=1)


def start_values(
    model: BolusModel, blocks: Blocks, lims: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Data-driven starting values by log-linear regression.

    Of the ``t0`` candidates :data:`T0_FRACTIONS`, the one with the smallest residual is
    kept; a timing-based start replaces a regression that fails.

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    blocks : Blocks
        The curves' coarse blocks (``blocks.coarse()``).
    lims : tuple of numpy.ndarray
        Lower and upper bounds, each ``(n, 5)`` (from :func:`bounds`).

    Returns
    -------
    numpy.ndarray, shape (n, 5)
        Starting values within the bounds.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> from ceuslib.perfusion.engine import bounds, make_blocks, start_values
    >>> model, params = MODELS["lognormal"], default_params("lognormal")
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = model(t, **params)[None, :]  # one noise-free curve of 600 frames
    >>> coarse = make_blocks(t, y, block_s=0.5).coarse()
    >>> start_values(model, coarse, bounds(model, t[:1], t[-1:]))[0].round(2).tolist()
    [0.99, 2.61, 0.47, 11.25, 0.01]
    """
    fp = _first_pass(blocks)
    thetas, costs = _regression_starts(model, fp, T0_FRACTIONS)
    best = np.full((fp.t.shape[0], N_PARAMS), np.nan)
    best_cost = np.full(fp.t.shape[0], np.inf)
    for j in range(len(T0_FRACTIONS)):
        good = costs[:, j] < best_cost
        best[good] = thetas[good, j]
        best_cost[good] = costs[good, j]
    # fall back on the timing-based start where the regression failed
    missing = np.flatnonzero(~np.isfinite(best).all(axis=1))
    if missing.size:
        best[missing] = _timing_start(model, fp, missing)
    return clip_to_bounds(best, lims)


def start_candidates(
    model: BolusModel,
    blocks: Blocks,
    lims: tuple[np.ndarray, np.ndarray],
    *,
    fractions: Sequence[float] = RESTART_T0_FRACTIONS,
) -> np.ndarray:
    """Several starting values per curve, ``(n, K, 5)``: a profile over the bolus arrival.

    One log-linear regression start per arrival ``t0 = foot - fraction * rise`` (``K =
    len(fractions)``), the timing-based start where a regression fails; for fits that may
    end in a local minimum from a single start (see :func:`ceuslib.perfusion.fit_tics`).

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    blocks : Blocks
        The curves' coarse blocks (``blocks.coarse()``).
    lims : tuple of numpy.ndarray
        Lower and upper bounds, each ``(n, 5)`` (from :func:`bounds`).
    fractions : sequence of float
        The arrivals, in rise times before the foot of the rise.

    Returns
    -------
    numpy.ndarray, shape (n, K, 5)
        Starting values within the bounds.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> from ceuslib.perfusion.engine import bounds, make_blocks, start_candidates
    >>> model, params = MODELS["lognormal"], default_params("lognormal")
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = model(t, **params)[None, :]  # one noise-free curve of 600 frames
    >>> coarse = make_blocks(t, y, block_s=0.5).coarse()
    >>> starts = start_candidates(model, coarse, bounds(model, t[:1], t[-1:]))
    >>> starts.shape, starts[0, :, 3].round(2).tolist()  # t0 of each start
    ((1, 6, 5), [15.1, 14.4, 13.35, 11.25, 8.45, 1.45])
    """
    fp = _first_pass(blocks)
    thetas, _ = _regression_starts(model, fp, fractions)
    missing = ~np.isfinite(thetas).all(axis=2)
    if missing.any():
        fallback = _timing_start(model, fp, np.arange(fp.t.shape[0]))
        thetas = np.where(missing[:, :, None], fallback[:, None, :], thetas)
    lo, hi = lims
    return np.minimum(np.maximum(thetas, lo[:, None, :]), hi[:, None, :])


def bounds(model: BolusModel, first: ArrayLike, last: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Per-curve lower and upper bounds of the parameters, from the acquisition.

    The arrival ``t0`` lies between one acquisition span before the first frame and the last
    frame; the lognormal ``mu`` (log of the median transit time after ``t0``) is at most
    ``log(2 * span)``, the median transit at most twice the acquisition span (a bolus whose
    median lies further out shows no wash-out at all); the other shape bounds are the
    model's.

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    first, last : array_like, shape (n,)
        Each curve's first and last frame times, seconds.

    Returns
    -------
    lower : numpy.ndarray, shape (n, 5)
        The lower bounds, in the order of :attr:`BolusModel.param_names`.
    upper : numpy.ndarray, shape (n, 5)
        The upper bounds.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS
    >>> lower, upper = bounds(MODELS["lognormal"], [0.0], [60.0])
    >>> float(lower[0, 3]), float(upper[0, 3])  # t0: one span before the first frame
    (-60.0, 60.0)
    """
    t_first = np.asarray(first, dtype=float)
    t_last = np.asarray(last, dtype=float)
    n = t_first.shape[0]
    span = np.maximum(t_last - t_first, MIN_SPAN_S)
    (a_lo, a_hi), (b_lo, b_hi) = model.shape_bounds
    if model.name == "lognormal":
        a_hi = np.log(2.0 * span)
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


def clip_to_bounds(theta: np.ndarray, lims: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Parameters moved onto the nearest bound where they lie outside.

    Parameters
    ----------
    theta : numpy.ndarray, shape (n, 5)
        Parameters.
    lims : tuple of numpy.ndarray
        Lower and upper bounds, each ``(n, 5)`` (from :func:`bounds`).

    Returns
    -------
    numpy.ndarray, shape (n, 5)
        ``theta`` within the bounds.

    Examples
    --------
    >>> lims = (np.zeros((1, 5)), np.ones((1, 5)))
    >>> clip_to_bounds(np.array([[-1.0, 0.5, 2.0, 1.0, 0.0]]), lims).tolist()
    [[0.0, 0.5, 1.0, 1.0, 0.0]]
    """
    lo, hi = lims
    return np.minimum(np.maximum(theta, lo), hi)
