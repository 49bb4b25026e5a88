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
    theta: np.ndarray  # (n, 5)
    jtj: np.ndarray  # (n, 5, 5) weighted normal matrix at the solution
    sse_blocks: np.ndarray  # (n,) weighted sum of squares over the points fitted
    converged: np.ndarray  # (n,) bool
    n_iter: np.ndarray  # (n,)

    def replaced(self, rows: np.ndarray, other: LMResult) -> LMResult:
        """These results with ``rows`` taken from ``other`` (a fit continued from these:
        its iterations are added to theirs)."""
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
