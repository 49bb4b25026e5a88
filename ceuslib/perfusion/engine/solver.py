"""Batched, bounded Levenberg-Marquardt with an active set on the parameter bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ceuslib.perfusion.engine.blocks import Blocks
from ceuslib.perfusion.engine.evaluation import N_PARAMS, evaluate
from ceuslib.perfusion.models import BolusModel

STEP_TOL_SE = 0.01  # stop when the remaining step is below this many standard errors


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
    """The solutions of :func:`levenberg_marquardt`, one row per curve.

    Attributes
    ----------
    theta : numpy.ndarray, shape (n, 5)
        The parameters.
    jtj : numpy.ndarray, shape (n, 5, 5)
        Weighted normal matrix at the solution.
    sse_blocks : numpy.ndarray, shape (n,)
        Weighted sum of squares over the points fitted.
    converged : numpy.ndarray of bool, shape (n,)
        Whether each curve met a stopping rule within ``max_iter`` iterations.
    n_iter : numpy.ndarray, shape (n,)
        Iterations taken.
    """

    theta: np.ndarray
    jtj: np.ndarray
    sse_blocks: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray

    def replaced(self, rows: np.ndarray, other: LMResult) -> LMResult:
        """These results with ``rows`` taken from ``other``.

        ``other`` is a fit continued from these: its iterations are added to theirs.

        Parameters
        ----------
        rows : numpy.ndarray
            Indices of the curves that ``other`` holds, in its order.
        other : LMResult
            The continued fit of those curves.

        Returns
        -------
        LMResult
            A new result; these are unchanged.
        """
        fields = [self.theta.copy(), self.jtj.copy(), self.sse_blocks.copy(), self.converged.copy()]
        for store, value in zip(
            fields, (other.theta, other.jtj, other.sse_blocks, other.converged), strict=True
        ):
            store[rows] = value
        n_iter = self.n_iter.copy()
        n_iter[rows] += other.n_iter
        return LMResult(*fields, n_iter)


def levenberg_marquardt(
    model: BolusModel,
    blocks: Blocks,
    theta0: np.ndarray,
    lims: tuple[np.ndarray, np.ndarray],
    *,
    max_iter: int = 60,
    stol: float = STEP_TOL_SE,
    xtol: float = 1e-5,
    chunk: int = 256,
) -> LMResult:
    """Batched, bounded Levenberg-Marquardt on blocks or pseudo-frames.

    See the notes of :mod:`ceuslib.perfusion.engine`.

    ``stol`` is the stopping tolerance in standard errors: with ``s^2`` the noise variance
    per frame (``blocks.within_ss`` plus the current sum of squares, over the frames less
    five), a curve stops once a step decreases, or would decrease, the sum of squares by
    less than ``stol^2 s^2``; the distance ``d`` from the least-squares solution, in
    standard errors, then satisfies ``d^2 s^2 <= stol^2 s^2``.  ``xtol`` stops on the
    relative size of the step.  Curves are processed in chunks of ``chunk`` so that the
    working arrays stay in cache.

    Parameters
    ----------
    model : BolusModel
        The bolus model.
    blocks : Blocks
        The points fitted: blocks (:func:`make_blocks`) or pseudo-frames
        (:func:`adaptive_bins`).
    theta0 : numpy.ndarray, shape (n, 5)
        Starting values.
    lims : tuple of numpy.ndarray
        Lower and upper bounds, each ``(n, 5)`` (from :func:`bounds`).
    max_iter : int
        Most iterations per curve.
    stol : float
        Stopping tolerance in standard errors.
    xtol : float
        Stopping tolerance on the relative step.
    chunk : int
        Curves per chunk.

    Returns
    -------
    LMResult
        The solutions, their normal matrices, sums of squares and convergence.

    Examples
    --------
    >>> from ceuslib.perfusion import MODELS, default_params
    >>> from ceuslib.perfusion.engine import (
    ...     adaptive_bins, bounds, levenberg_marquardt, make_blocks, start_values)
    >>> model, params = MODELS["lognormal"], default_params("lognormal")
    >>> t = np.arange(0.0, 60.0, 0.1)
    >>> y = model(t, **params)[None, :]  # one noise-free curve of 600 frames
    >>> blocks = make_blocks(t, y, block_s=0.5)
    >>> lims = bounds(model, t[:1], t[-1:])
    >>> theta0 = start_values(model, blocks.coarse(), lims)
    >>> bins = adaptive_bins(model, blocks, theta0, blocks.cumulative())
    >>> result = levenberg_marquardt(model, bins, theta0, lims)
    >>> result.theta[0].round(2).tolist(), result.converged.tolist()
    ([0.99, 2.55, 0.5, 12.0, 0.01], [True])
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


# Damping of the Levenberg-Marquardt steps (Marquardt 1963: lambda times the diagonal of J'J)
LAMBDA_START = 1e-3  # initial damping, close to Gauss-Newton
LAMBDA_DOWN = 3.0  # an accepted step divides the damping by this
LAMBDA_UP = 4.0  # a rejected step multiplies it by this
LAMBDA_MIN = 1e-12  # the damping never falls below this
LAMBDA_STUCK = 1e10  # damping above this: no step can improve the curve, it sits at a minimum
GAUSS_NEWTON_LAMBDA = 1e-3  # at or below this damping a step is near Gauss-Newton (see _quiet)
STEP_SCALE_FLOOR = 1e-3  # relative steps are taken against |theta| + this (parameters near 0)
DIAG_FLOOR = 1e-300  # damping of a parameter whose J'J diagonal is zero


def _normal_equations(model, tys, theta):
    """Weighted sum of squares, ``J'J`` and ``J'r`` at ``theta`` for points ``tys``
    (``(n, 3, B)``: time, intensity, root-weight)."""
    # the weighted residuals ride as a sixth row of the Jacobian: one product [J; r][J; r]'
    # gives J'J, J'r and the sum of squares together
    f, J = evaluate(model, tys[:, 0], theta, jac=True, weight=tys[:, 2], extra=1)
    np.subtract(tys[:, 1], f, out=f)
    np.multiply(f, tys[:, 2], out=J[N_PARAMS])
    M = _gram(J)
    return M[:, N_PARAMS, N_PARAMS].copy(), M[:, :N_PARAMS, :N_PARAMS], M[:, :N_PARAMS, N_PARAMS]


def _damped_step(jtj, jtr, lam, here, lo, hi):
    """The damped step from ``here`` and the damping ``D`` (per parameter); ``jtj`` (a copy)
    is overwritten.

    A parameter sitting on a bound that the step pushes further out is held there, and the
    step is solved again for the others (an active set: Bertsekas 1982).
    """
    A = jtj  # a copy taken by the caller's fancy indexing: damped in place
    diag = A.reshape(-1, N_PARAMS * N_PARAMS)[:, :: N_PARAMS + 1]  # a view
    damp = lam[:, None] * np.maximum(diag, DIAG_FLOOR)
    diag += damp
    step = _solve(A, jtr)
    pinned = ((here <= lo) & (step < 0)) | ((here >= hi) & (step > 0))
    held = pinned.any(axis=1)
    if held.any():
        A_h, b_h, p_h = A[held], jtr[held].copy(), pinned[held]
        A_h[p_h] = 0.0
        A_h.transpose(0, 2, 1)[p_h] = 0.0
        A_h.reshape(-1, N_PARAMS * N_PARAMS)[:, :: N_PARAMS + 1][p_h] = 1.0
        b_h[p_h] = 0.0
        step[held] = _solve(A_h, b_h)
        damp[held] = np.where(p_h, 0.0, damp[held])
    return step, damp


def _quiet(step, damp, jtr, lam, inside, rel, floor, xtol):
    """Steps that end the fit without evaluating the model at the trial point.

    Near Gauss-Newton (small damping), a step inside the bounds whose predicted decrease of
    the sum of squares, ``2 s'J'r - s'J'J s = s'J'r + s'Ds`` (D the damping), or whose size
    is already below the tolerances ends the fit (as MINPACK's ftol test uses the predicted
    reduction).  Returns the mask and the predicted decreases.
    """
    pred = np.einsum("nk,nk->n", step, jtr + damp * step)
    near_gn = lam <= GAUSS_NEWTON_LAMBDA
    return inside & near_gn & ((pred < floor) | (rel < xtol)), pred


def _lm_chunk(model, t, y, w, theta0, lo, hi, within, dof, *, max_iter, stol, xtol):
    n = theta0.shape[0]
    # time, intensity and root-weight of every point in one array: one gather per iteration
    tys = np.empty((y.shape[0], 3, y.shape[1]))
    tys[:, 0] = t
    tys[:, 1] = y
    np.sqrt(w, out=tys[:, 2])
    theta = theta0.copy()
    sse, jtj, jtr = _normal_equations(model, tys, theta)
    jtj, jtr = jtj.copy(), jtr.copy()
    lam = np.full(n, LAMBDA_START)
    active = np.isfinite(sse) & np.isfinite(jtj).all(axis=(1, 2))
    converged = np.zeros(n, dtype=bool)
    n_iter = np.zeros(n, dtype=int)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        here, lo_i, hi_i, lam_i = theta[idx], lo[idx], hi[idx], lam[idx]
        step, damp = _damped_step(jtj[idx], jtr[idx], lam_i, here, lo_i, hi_i)
        trial = here + step
        inside = ((trial >= lo_i) & (trial <= hi_i)).all(axis=1)
        np.minimum(np.maximum(trial, lo_i), hi_i, out=trial)
        rel = (np.abs(trial - here) / (np.abs(here) + STEP_SCALE_FLOOR)).max(axis=1)
        sse_i = sse[idx]
        floor = stol * stol * (within[idx] + sse_i) / dof[idx]
        quiet, pred = _quiet(step, damp, jtr[idx], lam_i, inside, rel, floor, xtol)
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
        sse_t, jtj_t, jtr_t = _normal_equations(model, data, trial)
        better = np.isfinite(sse_t) & (sse_t <= sse_i)
        n_iter[idx] += 1
        acc = idx[better]
        decrease = sse_i[better] - sse_t[better]
        theta[acc] = trial[better]
        sse[acc] = sse_t[better]
        jtj[acc] = jtj_t[better]
        jtr[acc] = jtr_t[better]
        lam[acc] = np.maximum(lam[acc] / LAMBDA_DOWN, LAMBDA_MIN)
        rej = idx[~better]
        lam[rej] *= LAMBDA_UP
        done = (decrease < floor[better]) | (rel[better] < xtol)
        converged[acc[done]] = True
        active[acc[done]] = False
        stuck = rej[lam[rej] > LAMBDA_STUCK]
        converged[stuck] = True
        active[stuck] = False
    return theta, jtj, sse, converged, n_iter
