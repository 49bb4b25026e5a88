"""Vectorised least-squares fitting of bolus models to many curves at once.

The fit of one curve is the bounded least-squares problem
``min sum_i (y_i - f(t_i; theta))^2`` over ``theta = (area, shape 1, shape 2, t0, offset)``.
All curves of a batch are solved together with array operations:

1. **Blocks.** Consecutive frames are averaged in blocks of about ``block_s`` seconds; the
   weighted sum of squares of block means (weights = frames per block) equals the sum of
   squares of the frames up to a constant and a term of order ``(block duration)^2 f''``,
   far below the speckle noise for blocks of half a second.
2. **Closed-form start.** With the baseline known and ``t0`` fixed, the log of each model is
   linear in a few functions of ``t' = t - t0`` (lognormal: ``1, ln t', (ln t')^2``; gamma:
   ``1, ln t', t'``; LDRW and FPT: ``1, t', 1/t'``).  A weighted linear regression of the
   log of the smoothed curve gives the shape for each of several ``t0`` candidates; the
   candidate with the smallest residual is kept.
3. **Levenberg-Marquardt.** Batched Gauss-Newton steps with a per-curve damping factor
   (Marquardt's scaling of the normal equations), projected onto the parameter bounds;
   a curve stops when its relative decrease in the sum of squares or its relative step
   falls below the tolerances (near Gauss-Newton, the last step is taken on its predicted
   decrease, without evaluating the model there).

Notes
-----
Levenberg (1944), Marquardt (1963); the projected (box-constrained) variant follows Kanzow,
Yamashita and Fukushima (2004).  Starting values by log-linearisation of the bolus model are
an engineering choice (ASSUMPTION), in the spirit of the data-driven starts of the open
QuantUS CEUS code (TUL-Dev/QuantUS-Plugins-CEUS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ceuslib.perfusion.models import BolusModel

N_PARAMS = 5
FINE_BINS = 64
_TINY = 1e-300


@dataclass(frozen=True)
class Blocks:
    """Block means of a batch of curves (internal)."""

    t: np.ndarray  # (n, B) mean time of the frames of each block
    y: np.ndarray  # (n, B) mean intensity
    w: np.ndarray  # (n, B) frames per block
    within_ss: np.ndarray  # (n, B) sum of squares of the frames about their block mean
    n_frames: np.ndarray  # (n,)
    moment: np.ndarray | None = None  # (n, B) sum of (y - ybar)(t - tbar) over each block
    spread: np.ndarray | None = None  # (n, B) sum of (t - tbar)^2 over each block

    def cumulative(self) -> np.ndarray:
        """Running sums ``(n, 4, B + 1)`` of frames, time, intensity and squares."""
        n, nb = self.y.shape
        c = np.zeros((n, 4, nb + 1))
        if self.t.strides[0] == 0 and self.w.strides[0] == 0:  # one time axis for all curves
            c[:, 0, 1:] = np.cumsum(self.w[0])
            c[:, 1, 1:] = np.cumsum(self.w[0] * self.t[0])
        else:
            np.cumsum(self.w, axis=1, out=c[:, 0, 1:])
            np.cumsum(self.w * self.t, axis=1, out=c[:, 1, 1:])
        np.cumsum(self.w * self.y, axis=1, out=c[:, 2, 1:])
        np.cumsum(self.within_ss + self.w * self.y**2, axis=1, out=c[:, 3, 1:])
        return c


def make_blocks(t: np.ndarray, y: np.ndarray, *, block_s: float) -> Blocks:
    """Average consecutive frames in blocks of about ``block_s`` seconds.

    ``t`` is ``(n_frames,)`` (shared) or ``(n, n_frames)``; ``y`` is ``(n, n_frames)``.
    """
    n, n_frames = y.shape
    shared = t.ndim == 1
    step = np.median(np.diff(t if shared else t[0]))
    k = int(max(1, min(n_frames // 20, round(block_s / step)))) if step > 0 else 1
    nb = n_frames // k
    cut = nb * k
    yb = y[:, :cut].reshape(n, nb, k)
    squares = np.einsum("nbk,nbk->nb", yb, yb)
    if shared:
        tk = t[:cut].reshape(nb, k)
        tb = np.broadcast_to(tk.mean(axis=1), (n, nb))
        centred = tk - tk.mean(axis=1, keepdims=True)
        if np.allclose(centred, centred[0]):  # a regular grid: one matrix product
            both = yb.reshape(n * nb, k) @ np.stack([np.ones(k), centred[0]], axis=1)
            sums, moment = both[:, 0].reshape(n, nb), both[:, 1].reshape(n, nb)
        else:
            sums = yb.sum(axis=2)
            moment = np.einsum("nbk,bk->nb", yb, centred)
        spread = np.broadcast_to((centred * centred).sum(axis=1), (n, nb))
    else:
        sums = yb.sum(axis=2)
        tk = t[:, :cut].reshape(n, nb, k)
        tb = tk.mean(axis=2)
        centred = tk - tb[..., None]
        moment = np.einsum("nbk,nbk->nb", yb, centred)
        spread = np.einsum("nbk,nbk->nb", centred, centred)
    w = np.full(nb, float(k))
    if cut < n_frames:  # the remainder forms one more (shorter) block
        rest = y[:, cut:]
        rest_t = np.broadcast_to(t[cut:] if shared else t[:, cut:], rest.shape)
        rest_c = rest_t - rest_t.mean(axis=1, keepdims=True)
        sums = np.concatenate([sums, rest.sum(axis=1)[:, None]], axis=1)
        squares = np.concatenate([squares, (rest * rest).sum(axis=1)[:, None]], axis=1)
        tb = np.concatenate([tb, rest_t.mean(axis=1)[:, None]], axis=1)
        moment = np.concatenate([moment, (rest * rest_c).sum(axis=1)[:, None]], axis=1)
        spread = np.concatenate([spread, (rest_c * rest_c).sum(axis=1)[:, None]], axis=1)
        w = np.append(w, float(n_frames - cut))
    w = np.broadcast_to(w, (n, w.size))
    means = sums / w
    within = np.maximum(squares - sums * means, 0.0)
    return Blocks(tb, means, w, within, np.full(n, n_frames), moment, spread)


def frame_sse(model: BolusModel, blocks: Blocks, theta: np.ndarray) -> np.ndarray:
    """Sum of squared residuals over the frames, from the block statistics.

    Within a block the model is taken as linear, ``f_i = f(tbar) + f' (t_i - tbar)``; then
    ``sum_i (y_i - f_i)^2 = within + w (ybar - f(tbar))^2 + f'^2 S_tt - 2 f' S_yt`` exactly,
    with ``S_tt = sum (t_i - tbar)^2`` and ``S_yt = sum (y_i - ybar)(t_i - tbar)``.  The
    neglected curvature terms are of order ``(block duration)^4 f''^2``.
    """
    area, s1, s2, t0, off = (theta[:, i : i + 1] for i in range(N_PARAMS))
    tp = blocks.t - t0
    pos = tp > 0
    safe = np.where(pos, tp, 1.0)
    logg, grads = model._logpdf(safe, s1, s2, grad=True)
    ag = np.exp(logg)
    ag *= area * pos
    slope = ag * grads[2]  # the t0-derivative of log g is minus its time derivative
    slope *= -1.0
    resid = blocks.y - off - ag
    terms = blocks.within_ss + blocks.w * resid * resid
    terms += slope * (slope * blocks.spread - 2.0 * blocks.moment)
    return terms.sum(axis=1)


def adaptive_bins(
    model: BolusModel,
    blocks: Blocks,
    theta: np.ndarray,
    cumulative: np.ndarray,
    *,
    fine: int = FINE_BINS,
    tail: int = 16,
) -> Blocks:
    """Merge blocks into fewer bins: fine over the bolus, coarse before and after it.

    The bolus window runs from half a rise time before the start's ``t0`` to two rise times
    after its peak; it keeps up to ``fine`` bins, the baseline before it 3 and the tail after
    it ``tail``.
    Sums, weights and within-bin sums of squares are carried over exactly;
    ``cumulative`` is ``blocks.cumulative()``.
    """
    n, nb = blocks.y.shape
    shape = {name: theta[:, i + 1] for i, name in enumerate(model.shape_names)}
    t0 = theta[:, 3]
    with np.errstate(all="ignore"):
        ttp = model.ttp(t0=t0, **shape)
    rise = np.where(np.isfinite(ttp) & (ttp > t0), ttp - t0, 5.0)
    tt = blocks.t
    a = np.sum(tt < (t0 - 0.5 * rise)[:, None], axis=1)
    b = np.maximum(np.sum(tt < (ttp + 2.0 * rise)[:, None], axis=1), a + 1)
    b = np.minimum(b, nb)
    a = np.minimum(a, b - 1)
    segs = [(np.zeros(n), a, 3), (a, b, fine), (b, np.full(n, nb), tail)]
    edges = [np.zeros((n, 1))]
    for lo, hi, k in segs:
        frac = np.arange(1, k + 1) / k
        edges.append(lo[:, None] + (hi - lo)[:, None] * frac[None, :])
    edges = np.rint(np.concatenate(edges, axis=1)).astype(np.intp)
    edges = np.maximum.accumulate(edges, axis=1)

    # running sums at the edges, by flat indices (cheaper than take_along_axis)
    width = cumulative.shape[2]
    rows = np.arange(0, n * 4 * width, width).reshape(n, 4, 1)
    at = np.take(cumulative.reshape(-1), rows + edges[:, None, :])
    sums = at[..., 1:] - at[..., :-1]
    w, st, sy, syy = (sums[:, i] for i in range(4))
    safe = np.where(w > 0, w, 1.0)
    y = sy / safe
    t = np.where(w > 0, st / safe, blocks.t[:, -1:])
    within = np.maximum(syy - sy * y, 0.0)
    return Blocks(t, y, w, within, blocks.n_frames)


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


def _coarsen(blocks: Blocks) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise means of blocks (time, intensity) for the starting values."""
    n, nb = blocks.y.shape
    half = nb // 2
    if half < 10:
        return blocks.t, blocks.y
    t, y = blocks.t, blocks.y
    if t.strides[0] == 0:  # one time axis for all curves
        t = np.broadcast_to(0.5 * (t[0, 0 : 2 * half : 2] + t[0, 1 : 2 * half : 2]), (n, half))
    else:
        t = 0.5 * (t[:, 0 : 2 * half : 2] + t[:, 1 : 2 * half : 2])
    y = 0.5 * (y[:, 0 : 2 * half : 2] + y[:, 1 : 2 * half : 2])
    return t, y


def start_values(model: BolusModel, blocks: Blocks, lims) -> np.ndarray:
    """Data-driven starting values, shape ``(n, 5)``, by log-linear regression."""
    t, y = _coarsen(blocks)
    n, nb = y.shape
    ys = _smooth3(y)
    peak = np.argmax(ys, axis=1)
    rows = np.arange(n)
    ttp = t[rows, peak]
    before = np.arange(nb)[None, :] <= peak[:, None]
    # baseline: the lowest point of the smoothed curve before the peak
    offset = np.where(before, ys, np.inf).min(axis=1)
    pe = ys[rows, peak] - offset
    pe = np.where(pe > 0, pe, np.maximum(np.abs(offset), 1e-12))
    excess = ys - offset[:, None]
    # foot: last block before the peak below baseline + 20% of PE
    below = before & (excess < 0.2 * pe[:, None])
    last_below = np.where(below.any(axis=1), nb - 1 - np.argmax(below[:, ::-1], axis=1), 0)
    foot = t[rows, last_below]
    rise = np.maximum(ttp - foot, t[:, 1] - t[:, 0])
    above = excess > 0.2 * pe[:, None]
    weight = np.where(above, excess * excess, 0.0)
    target = np.log(np.where(above, excess, 1.0))
    best = np.full((n, N_PARAMS), np.nan)
    best_cost = np.full(n, np.inf)
    # regressors and the response in one array: one product gives X'WX, X'Wz and z'Wz
    X = np.empty((n, 4, nb))
    X[:, 0] = 1.0
    for frac in (0.4, 1.2):
        t0 = foot - frac * rise
        tp = t - t0[:, None]
        w = np.where(tp > 0, weight, 0.0)
        (r1, r2), lhs = _basis(model, np.where(tp > 0, tp, 1.0))
        X[:, 1] = r1
        X[:, 2] = r2
        np.subtract(target, lhs, out=X[:, 3])
        M = (X * w[:, None, :]) @ X.transpose(0, 2, 1)
        ata = M[:, :3, :3].copy()
        atz = M[:, :3, 3]
        ata += np.eye(3) * (1e-12 * np.trace(ata, axis1=1, axis2=2) + 1e-300)[:, None, None]
        ok = np.isfinite(ata).all(axis=(1, 2)) & np.isfinite(atz).all(axis=1)
        ok &= np.abs(np.linalg.det(np.where(ok[:, None, None], ata, 1.0))) > 0
        coef = np.full((n, 3), np.nan)
        if ok.any():
            coef[ok] = np.linalg.solve(ata[ok], atz[ok][..., None])[..., 0]
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
    """Model values ``(n, B)`` and, with ``jac``, the Jacobian ``(n, 5 + extra, B)``.

    With ``weight`` (shape ``(n, B)``) the Jacobian's rows are multiplied by it; ``extra``
    rows (left unset) follow the five parameter rows.
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
    J = np.empty((theta.shape[0], N_PARAMS + extra, t.shape[-1]))
    if weight is not None:
        g *= weight
    J[:, 0] = g
    g *= area
    for k, d in enumerate(grads, start=1):
        np.multiply(g, d, out=J[:, k])
    J[:, 4] = 1.0 if weight is None else weight
    return f, J


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
    rtol: float = 1e-7,
    xtol: float = 1e-5,
    chunk: int = 256,
) -> LMResult:
    """Batched, bounded Levenberg-Marquardt on block means (see the module notes).

    Curves are processed in chunks of ``chunk`` so that the working arrays stay in cache.
    """
    n = theta0.shape[0]
    lo, hi = lims
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
            max_iter=max_iter,
            rtol=rtol,
            xtol=xtol,
        )
        for store, value in zip(out, res, strict=True):
            store[sl] = value
    return LMResult(*out)


def _lm_chunk(model, t, y, w, theta0, lo, hi, *, max_iter, rtol, xtol):
    n = theta0.shape[0]
    t = np.ascontiguousarray(np.broadcast_to(t, y.shape))
    sw = np.sqrt(w)
    theta = theta0.copy()
    # the weighted residuals ride as a sixth row of the Jacobian: one product [J; r][J; r]'
    # gives J'J, J'r and the sum of squares together
    f, J = evaluate(model, t, theta, jac=True, weight=sw, extra=1)
    np.multiply(y - f, sw, out=J[:, N_PARAMS])
    M = J @ J.transpose(0, 2, 1)
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
        diag = A.reshape(-1, N_PARAMS * N_PARAMS)[:, :: N_PARAMS + 1]  # a view
        damp = lam[idx, None] * np.maximum(diag, 1e-300)
        diag += damp
        try:
            step = np.linalg.solve(A, jtr[idx][..., None])[..., 0]
        except np.linalg.LinAlgError:  # a singular system: least squares, one curve at a time
            step = np.stack(
                [np.linalg.lstsq(a_, b_, rcond=None)[0] for a_, b_ in zip(A, jtr[idx], strict=True)]
            )
        here = theta[idx]
        trial = here + step
        inside = ((trial >= lo[idx]) & (trial <= hi[idx])).all(axis=1)
        np.minimum(np.maximum(trial, lo[idx]), hi[idx], out=trial)
        # Near Gauss-Newton (small damping), a step inside the bounds whose predicted
        # decrease of the sum of squares, 2 s'J'r - s'J'J s = s'J'r + s'Ds (D the damping),
        # or whose size is already below the tolerances ends the fit: it is taken without
        # evaluating the model there (as MINPACK's ftol test uses the predicted reduction).
        pred = np.einsum("nk,nk->n", step, jtr[idx] + damp * step)
        tiny = (np.abs(step) / (np.abs(here) + 1e-3)).max(axis=1) < xtol
        quiet = inside & (lam[idx] <= 1e-3) & ((pred < rtol * sse[idx]) | tiny)
        if quiet.any():
            last = idx[quiet]
            theta[last] = trial[quiet]
            sse[last] -= pred[quiet]
            n_iter[last] += 1
            converged[last] = True
            active[last] = False
            keep = ~quiet
            idx, trial = idx[keep], trial[keep]
            if idx.size == 0:
                continue
        full = idx.size == n
        tt, yy, ss = (t, y, sw) if full else (t[idx], y[idx], sw[idx])
        f_t, J_t = evaluate(model, tt, trial, jac=True, weight=ss, extra=1)
        np.multiply(yy - f_t, ss, out=J_t[:, N_PARAMS])
        M_t = J_t @ J_t.transpose(0, 2, 1)
        sse_t = M_t[:, N_PARAMS, N_PARAMS]
        better = np.isfinite(sse_t) & (sse_t <= sse[idx])
        n_iter[idx] += 1
        acc = idx[better]
        rel_step = np.abs(trial[better] - theta[acc]) / (np.abs(theta[acc]) + 1e-3)
        decrease = (sse[acc] - sse_t[better]) / np.maximum(sse[acc], 1e-300)
        theta[acc] = trial[better]
        sse[acc] = sse_t[better]
        Mb = M_t if better.all() else M_t[better]
        jtj[acc] = Mb[:, :N_PARAMS, :N_PARAMS]
        jtr[acc] = Mb[:, :N_PARAMS, N_PARAMS]
        lam[acc] = np.maximum(lam[acc] / 3.0, 1e-12)
        rej = idx[~better]
        lam[rej] *= 4.0
        done = (decrease < rtol) | (rel_step.max(axis=1) < xtol)
        converged[acc[done]] = True
        active[acc[done]] = False
        # a curve whose damping exploded cannot improve any more: it sits at a minimum
        stuck = rej[lam[rej] > 1e10]
        converged[stuck] = True
        active[stuck] = False
    return theta, jtj, sse, converged, n_iter
