"""Fitting bolus models to linearized CEUS time-intensity curves.

:func:`fit_tics` fits a batch (one row per curve in a :class:`pandas.DataFrame`) and
:func:`fit_tic` one curve (a :class:`TICFit`).  Both work on **linearized** echo-power
(:func:`~ceuslib.perfusion.linearize` gray levels first): indicator-dilution models describe
concentration, which is proportional to echo-power, not to log-compressed gray levels
(Arditi et al. 2006; Payen et al. 2013; Bracco's VueBox FAQ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController
from tqdm import tqdm

from ceuslib.perfusion import engine
from ceuslib.perfusion.descriptors import DESCRIPTORS, describe
from ceuslib.perfusion.models import BolusModel, get_model

__all__ = ["FLAGS", "TICFit", "fit_tic", "fit_tics"]

FLAGS = {
    "nan": "NaN or infinite frames",
    "time": "non-increasing time",
    "few": "too few frames",
    "clipped": "clipped or saturated",
    "none": "no enhancement",
    "washout": "no wash-out inside the acquisition",
    "converge": "did not converge",
}
"""The reasons a curve can be flagged (joined by ``"; "`` in the ``flag`` column)."""

_CHUNK = 256


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


FAST_RISE_BLOCKS = 4.0  # a rise shorter than this many coarse blocks: refit from frames


def _result_columns(m: BolusModel) -> list[str]:
    names = list(m.param_names)
    return [
        "model",
        *names,
        *(f"{p}_se" for p in names),
        *DESCRIPTORS,
        "qof",
        "sse",
        "aic",
        "bic",
        "n_frames",
        "n_iter",
        "converged",
        "flag",
    ]


def _as_batch(time, intensities):
    y = (
        np.asarray(intensities, dtype=float)
        if not isinstance(intensities, np.ndarray)
        else (intensities.astype(float, copy=False))
    )
    if y.ndim != 2:
        raise ValueError(
            f"intensities must have shape (n_curves, n_frames); got {y.ndim} dimension(s)"
        )
    t = np.asarray(time, dtype=float)
    if t.ndim == 1:
        if t.shape[0] != y.shape[1]:
            raise ValueError(
                f"time has {t.shape[0]} frames but intensities have {y.shape[1]} per curve"
            )
    elif t.ndim == 2:
        if t.shape != y.shape:
            raise ValueError(f"time has shape {t.shape} but intensities have shape {y.shape}")
    else:
        raise ValueError("time must have shape (n_frames,) or (n_curves, n_frames)")
    return t, y


def fit_tics(
    time,
    intensities,
    *,
    model: str | BolusModel = "lognormal",
    saturation: float | None = 1.0,
    truncation: float | None = None,
    min_frames: int = 10,
    block_s: float = 0.5,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Fit a bolus model to many linearized time-intensity curves.

    Parameters
    ----------
    time : array_like, shape (n_frames,) or (n_curves, n_frames)
        Frame times in seconds (shared by all curves, or one row per curve).
    intensities : array_like, shape (n_curves, n_frames)
        Linear echo-power (a.u.), e.g. ``linearize(gray)``.
    model : str or BolusModel
        ``"lognormal"`` (default), ``"gamma"``, ``"ldrw"`` or ``"fpt"``.
    saturation, truncation : float or None
        Echo-power at or above ``saturation`` (1.0: the top of the display in
        :func:`~ceuslib.perfusion.linearize` units) or at or below ``truncation`` counts as
        clipped; ``None`` turns the check off.
    min_frames : int
        Fewer finite frames than this, or fewer than 3 frames between TI and TTP, flags the
        curve as having too few frames.
    block_s : float
        Frames are summarised in blocks of about this many seconds (see Notes); the
        reported sum of squares is taken from them with the model quadratic within a block
        (exact up to its third derivative); ``0`` makes every frame its own block.
    progress : bool or None
        Show a progress bar; ``None`` (default) shows it for more than 1,000 curves and only
        when the output is a terminal.

    Returns
    -------
    pandas.DataFrame
        One row per curve: ``model``; the fitted parameters (``area``, the two shape
        parameters, ``t0``, ``offset``) and their standard errors (``*_se``); the
        descriptors ``pe, ttp, rt, mtt, mttl, wiauc, woauc, wiwoauc, wir, wor, wipi, ft, ti,
        to`` (see :mod:`ceuslib.perfusion.descriptors`; ``wor`` is negative); ``qof``
        (percent); ``sse``, ``aic``, ``bic``; ``n_frames``, ``n_iter``, ``converged``; and
        ``flag``, empty when the curve is described, otherwise the reasons in
        :data:`FLAGS` joined by ``"; "``.  Curves with bad input (NaN frames, non-increasing
        time, too few frames) have NaN parameters; one bad curve never stops the batch.

    Notes
    -----
    Bounded least squares, ``min sum (y - f(t; theta))^2``, solved for all curves at once by
    a batched Levenberg-Marquardt (Levenberg 1944; Marquardt 1963) from closed-form
    log-linear starting values (see :mod:`ceuslib.perfusion.engine`).  For speed the
    frames are summarised in blocks of about ``block_s`` seconds, merged into bins (fine
    over the bolus, coarse around it), and each bin enters the fit as two pseudo-frames
    carrying its mean and its within-bin slope, whose sum of squares is that of the frames
    up to the within-bin curvature of the model.  The bins follow the start's bolus; where
    the fit moves the bolus well away from it they are laid out again around the fit and
    the fit polished.  A curve whose bolus rises within ``FAST_RISE_BLOCKS`` (4) coarse
    blocks of about 1 s is fitted again with its start and bins built from single frames,
    and the refit kept where it lowers the frames' sum of squares; a curve whose time axis
    has a gap longer than two coarse blocks is fitted on every frame.  Every curve's block
    sizes come from its own time axis, so no curve's fit depends on the others in the
    batch.  The
    reported ``sse`` (and QOF, AIC, BIC and the standard errors built on it) is the sum
    over every frame, taken from the blocks with the model quadratic within each block and
    the two blocks around ``t0`` summed frame by frame (``engine.frame_sse``).

    Standard errors: ``sqrt(diag((J'WJ)^-1) * SSE / (N - 5))`` (Gauss-Newton covariance, as
    :func:`scipy.optimize.curve_fit`).  QOF is ``100 (1 - SSE / SST)`` (ASSUMPTION: VueBox's
    exact formula is not public).  AIC is
    ``N log(SSE / N) + 2 k`` and BIC ``N log(SSE / N) + k log N`` with ``k = 6`` (five
    parameters and the noise variance) (Akaike 1974; Schwarz 1978).

    Flags: *no enhancement* when the area is less than three standard errors above zero (the
    shape of a curve without a bolus is undetermined, so *did not converge* is then not
    added, although ``converged`` may be false);
    *no wash-out inside the acquisition* when the wash-out tangent's foot TO lies after the
    last frame; *clipped or saturated* when a frame reaches ``saturation`` or
    ``truncation`` (VueBox's linearization is invalid there: Bracco's VueBox FAQ).

    Examples
    --------
    >>> from ceuslib.perfusion import linearize, simulate_tics, default_params
    >>> sim = simulate_tics(params=default_params(), n_curves=3, n_speckle=400, seed=1)
    >>> fits = fit_tics(sim.time, linearize(sim.displayed))
    >>> [round(float(v)) for v in fits["ttp"]]  # simulated: 22 s
    [22, 22, 22]
    >>> fits["flag"].tolist()
    ['', '', '']
    """
    m = get_model(model)
    t, y = _as_batch(time, intensities)
    if not (np.isfinite(block_s) and block_s >= 0):
        raise ValueError(f"block_s must be a number of seconds >= 0; got {block_s!r}")
    n, n_frames = y.shape
    columns = _result_columns(m)
    values = {name: np.full(n, np.nan) for name in columns[1:-3]}
    values["n_iter"] = np.zeros(n, dtype=int)
    values["converged"] = np.zeros(n, dtype=bool)
    flags = [[] for _ in range(n)]
    # every frame is finite when the row's largest and smallest are (NaN propagates)
    with np.errstate(invalid="ignore"):
        highest = y.max(axis=1) if n_frames else np.zeros(n)
        lowest = y.min(axis=1) if n_frames else np.zeros(n)
    finite = np.isfinite(highest) & np.isfinite(lowest)
    if t.ndim == 1:  # one time axis: check it once
        steady = bool(np.isfinite(t).all()) and bool(np.all(np.diff(t) > 0))
        increasing = np.full(n, steady)
    else:
        increasing = np.isfinite(t).all(axis=1)
        if n_frames > 1:
            increasing &= np.all(np.diff(t, axis=1) > 0, axis=1)
    enough = np.full(n, n_frames >= max(min_frames, 6))
    for i in np.flatnonzero(~finite):
        flags[i].append(FLAGS["nan"])
    for i in np.flatnonzero(~increasing):
        flags[i].append(FLAGS["time"])
    for i in np.flatnonzero(~enough):
        flags[i].append(FLAGS["few"])
    ok = finite & increasing & enough
    if saturation is not None or truncation is not None:
        clipped = np.zeros(n, dtype=bool)
        if saturation is not None:
            clipped |= highest >= saturation
        if truncation is not None:
            clipped |= lowest <= truncation
        for i in np.flatnonzero(clipped & ok):
            flags[i].append(FLAGS["clipped"])
    rows = np.flatnonzero(ok)
    show = (n > 1000) if progress is None else progress
    bar = tqdm(
        total=rows.size,
        disable=None if (progress is None and show) else not show,
        unit="curve",
        desc=f"fitting {m.name}",
    )
    # Curves are fitted in groups that share their block sizes (every curve's own, from its
    # time axis), so that no curve's fit depends on the others in the batch.
    if t.ndim == 1:
        k, c = engine.block_sizes(t, block_s=block_s)
        groups = [(rows, k, c)] if rows.size else []
    else:
        ks, cs = engine.block_sizes(t[rows], block_s=block_s)
        pairs = np.unique(np.stack([ks, cs], axis=1), axis=0) if rows.size else []
        groups = [(rows[(ks == k) & (cs == c)], int(k), int(c)) for k, c in pairs]
    checked = [len(f) for f in flags]  # the input checks' flags, kept on a refit
    # The batched fit makes many small BLAS calls: a second BLAS thread only spins (twice
    # the CPU time for the same wall time, measured), so BLAS runs on one thread here.
    with bar, np.errstate(all="ignore"), _blas().limit(limits=1, user_api="blas"):
        for members, k, c in groups:
            _fit_group(m, t, y, values, members, flags, k=k, merge=c)
            bar.update(members.size)
            if k * max(c, 1) == 1:  # already frame by frame
                continue
            # A bolus rising within a few coarse blocks is too fast for them: such curves
            # are fitted again with the start and the bins built from single frames (their
            # own fit decides, so the batch does not; a curve without enhancement stays as
            # it is), and the refit is kept where it lowers the frames' sum of squares.
            step = t[-1] - t[0] if t.ndim == 1 else t[members, -1] - t[members, 0]
            coarse_s = k * c * step / max(n_frames - 1, 1)
            rise = values["ttp"][members] - values["t0"][members]
            bolus = np.array([FLAGS["none"] not in flags[i] for i in members], dtype=bool)
            fast = members[bolus & (rise < FAST_RISE_BLOCKS * coarse_s)]
            if fast.size:
                _refit(m, t, y, values, fast, flags, checked)
    out = pd.DataFrame({"model": pd.Series([m.name] * n, dtype=object), **values})
    out["flag"] = pd.Series(["; ".join(f) for f in flags], dtype=object)
    return out[columns]


def _refit(m, t, y, values, rows, flags, checked):
    """Fit ``rows`` again from single frames; keep the refit where its sum of squares over
    the frames is lower, the first fit elsewhere (iterations of both are counted)."""
    first = {name: column[rows].copy() for name, column in values.items()}
    first_flags = [flags[i][checked[i] :] for i in rows]
    for i in rows:
        del flags[i][checked[i] :]
    _fit_group(m, t, y, values, rows, flags, k=1, merge=1)
    values["n_iter"][rows] += first["n_iter"]
    # the first fit's sum of squares on every frame (its block estimate is what a fast
    # bolus makes unreliable); the refit's blocks are single frames, so its own is exact
    theta = np.stack([first[name] for name in m.param_names], axis=1)
    frames = np.broadcast_to(t if t.ndim == 1 else t[rows], (rows.size, y.shape[1])).copy()
    f, _ = engine.evaluate(m, frames, theta, jac=False)
    f -= y[rows]
    exact = np.einsum("ij,ij->i", f, f)
    worse = ~(values["sse"][rows] < exact)
    for name, column in values.items():
        column[rows[worse]] = first[name][worse]
    for j in np.flatnonzero(worse):
        i = rows[j]
        flags[i][checked[i] :] = first_flags[j]


def _fit_group(m, t, y, values, members, flags, *, k, merge):
    """Fit the rows ``members`` (sharing their block sizes) chunk by chunk."""
    # one time axis for all curves: its blocks once
    layout = engine.block_layout(t, k=k) if t.ndim == 1 and members.size else None
    for start in range(0, members.size, _CHUNK):
        sel = members[start : start + _CHUNK]
        # consecutive rows are a view, not a copy
        pick = slice(sel[0], sel[-1] + 1) if sel[-1] - sel[0] == sel.size - 1 else sel
        t_sel = t if t.ndim == 1 else t[pick]
        _fit_chunk(m, t_sel, y[pick], values, sel, flags, k=k, merge=merge, layout=layout)


def _fit_chunk(m, t, y, out, sel, flags, *, k, merge, layout=None):
    n_frames = y.shape[1]
    blocks = engine.make_blocks(t, y, block_s=0.0, k=k, layout=layout)
    coarse = blocks.merged(max(merge, 1))  # about 1 s each: enough for the start and bins
    lims = engine.bounds(m, coarse)
    theta0 = engine.start_values(m, coarse, lims)
    cumulative = coarse.cumulative()
    if merge:
        bins = engine.adaptive_bins(m, coarse, theta0, cumulative)
    else:  # a time axis with a gap: every frame as it is (see engine.block_sizes)
        bins = blocks
    res = engine.levenberg_marquardt(m, bins, theta0, lims)
    if merge:
        # Bins follow the start's bolus.  Where the fit has moved the bolus well away from it
        # (its rise shorter or longer by a third, e.g. a second pass the start had taken for
        # part of the first), the bins are laid out again around the fit and the fit polished.
        moved = np.flatnonzero(_rise_changed(m, theta0, res.theta))
        if moved.size:
            sub = engine.adaptive_bins(m, coarse.rows(moved), res.theta[moved], cumulative[moved])
            lims_moved = (lims[0][moved], lims[1][moved])
            again = engine.levenberg_marquardt(m, sub, res.theta[moved], lims_moved)
            res = res.replaced(moved, again)
    theta = res.theta
    # the sum of squares over the frames, from the block statistics (see engine.frame_sse)
    sse = engine.frame_sse(m, blocks, theta, frames=(t, y))
    total = cumulative[:, 2, -1]
    sst = cumulative[:, 3, -1] - total**2 / n_frames
    dof = max(n_frames - engine.N_PARAMS, 1)
    cov = np.full_like(res.jtj, np.nan)
    usable = np.isfinite(res.jtj).all(axis=(1, 2))
    usable[usable] = np.abs(np.linalg.det(res.jtj[usable])) > 0
    if usable.any():
        cov[usable] = np.linalg.inv(res.jtj[usable])
    se = np.sqrt(np.abs(np.diagonal(cov, axis1=1, axis2=2)) * (sse / dof)[:, None])
    params = {name: theta[:, i] for i, name in enumerate(m.param_names)}
    desc = describe(m, params)
    for i, name in enumerate(m.param_names):
        out[name][sel] = theta[:, i]
        out[f"{name}_se"][sel] = se[:, i]
    for name in DESCRIPTORS:
        out[name][sel] = desc[name]
    n_est = engine.N_PARAMS + 1  # five parameters and the noise variance
    loglik = n_frames * np.log(np.maximum(sse, 1e-300) / n_frames)
    out["qof"][sel] = 100.0 * (1.0 - sse / sst)
    out["sse"][sel] = sse
    out["aic"][sel] = loglik + 2 * n_est
    out["bic"][sel] = loglik + n_est * np.log(n_frames)
    out["n_frames"][sel] = n_frames
    out["n_iter"][sel] = res.n_iter
    converged = res.converged & np.isfinite(theta).all(axis=1)
    out["converged"][sel] = converged
    on_washin = _frames_between(t, desc["ti"], desc["ttp"])
    last = t[-1] if t.ndim == 1 else t[:, -1]
    # a curve without variation (e.g. all zero) has nothing to describe
    no_enhancement = ~(theta[:, 0] > 3.0 * se[:, 0]) | ~(desc["pe"] > 0) | ~(sst > 0)
    no_washout = ~no_enhancement & ~(desc["to"] <= last)
    few = (on_washin < 3) & ~no_enhancement
    for j in np.flatnonzero(~converged | no_enhancement | no_washout | few):
        i = sel[j]
        if not converged[j] and not no_enhancement[j]:  # without a bolus, shape is moot
            flags[i].append(FLAGS["converge"])
        if no_enhancement[j]:
            flags[i].append(FLAGS["none"])
        if no_washout[j]:
            flags[i].append(FLAGS["washout"])
        if few[j]:
            flags[i].append(FLAGS["few"])


def _rise_changed(m, before, after, *, factor=1.5):
    """Curves whose rise (TTP - t0) differs by more than ``factor`` between two fits."""
    with np.errstate(all="ignore"):
        rises = [
            m.ttp(t0=th[:, 3], **{k: th[:, i + 1] for i, k in enumerate(m.shape_names)}) - th[:, 3]
            for th in (before, after)
        ]
        ratio = rises[1] / rises[0]
    return np.isfinite(ratio) & ((ratio > factor) | (ratio < 1.0 / factor))


def _frames_between(t, lo, hi):
    """Frames with ``lo <= t <= hi`` per curve (``t`` increasing: shared or one row each)."""
    if t.ndim == 1:  # binary search on the shared axis
        inside = np.searchsorted(t, hi, side="right") - np.searchsorted(t, lo, side="left")
        return np.where(np.isnan(lo) | np.isnan(hi), 0, np.maximum(inside, 0))
    return ((t >= lo[:, None]) & (t <= hi[:, None])).sum(axis=1)


@dataclass(frozen=True)
class TICFit:
    """The fit of one curve (see :func:`fit_tic`; fields as the columns of :func:`fit_tics`).

    ``params`` and ``stderr`` map parameter names to values; the descriptors are
    attributes (``fit.pe``, ``fit.ttp``, ...).
    """

    model: str
    params: dict = field(repr=False)
    stderr: dict = field(repr=False)
    pe: float
    ttp: float
    rt: float
    mtt: float
    mttl: float
    wiauc: float
    woauc: float
    wiwoauc: float
    wir: float
    wor: float
    wipi: float
    ft: float
    ti: float
    to: float
    qof: float
    sse: float
    aic: float
    bic: float
    n_frames: int
    converged: bool
    flag: str

    def curve(self, time) -> np.ndarray:
        """The fitted curve (with its offset) at ``time``."""
        return get_model(self.model)(time, **self.params)

    def to_frame(self) -> pd.DataFrame:
        """One-row table with the same columns as :func:`fit_tics`."""
        row = {"model": self.model, **self.params}
        row.update({f"{k}_se": v for k, v in self.stderr.items()})
        row.update({k: getattr(self, k) for k in DESCRIPTORS})
        for k in ("qof", "sse", "aic", "bic", "n_frames", "converged", "flag"):
            row[k] = getattr(self, k)
        return pd.DataFrame([row])


def fit_tic(
    time,
    intensity,
    *,
    model: str | BolusModel = "lognormal",
    saturation: float | None = 1.0,
    truncation: float | None = None,
    min_frames: int = 10,
    block_s: float = 0.5,
) -> TICFit:
    """Fit a bolus model to one linearized time-intensity curve.

    Parameters
    ----------
    time : array_like, shape (n_frames,)
        Frame times in seconds, strictly increasing.
    intensity : array_like, shape (n_frames,)
        Linear echo-power (a.u.), e.g. ``linearize(gray)``; finite.
    model, saturation, truncation, min_frames, block_s
        As in :func:`fit_tics`.

    Returns
    -------
    TICFit

    Raises
    ------
    ValueError
        For an empty curve, mismatched lengths, NaN frames, non-increasing time or fewer
        than ``min_frames`` frames.

    Notes
    -----
    Same method as :func:`fit_tics` (whose Notes give the definitions and sources).

    Examples
    --------
    >>> from ceuslib.perfusion import linearize, simulate_tic
    >>> tic = simulate_tic(seed=3)
    >>> fit = fit_tic(tic.time, linearize(tic.displayed))
    >>> round(fit.ttp), fit.converged, fit.flag
    (22, True, '')
    >>> abs(fit.mtt - 26.55) < 1.0  # the simulated mean transit time is 26.55 s
    True
    """
    t = np.asarray(time, dtype=float)
    y = np.asarray(intensity, dtype=float)
    if t.ndim != 1 or y.ndim != 1:
        raise ValueError("time and intensity must be one-dimensional arrays of frames")
    if t.size == 0 or y.size == 0:
        raise ValueError("the curve is empty: time and intensity need at least one frame")
    if t.size != y.size:
        raise ValueError(f"time has {t.size} frames but intensity has {y.size}")
    if not np.isfinite(t).all():
        raise ValueError("time contains NaN or infinite values")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(f"intensity has NaN or infinite values at frame(s) {bad[:5].tolist()}")
    steps = np.flatnonzero(np.diff(t) <= 0)
    if steps.size:
        raise ValueError(
            f"time must be strictly increasing; frame {steps[0] + 1} ({t[steps[0] + 1]} s) "
            f"does not follow frame {steps[0]} ({t[steps[0]]} s)"
        )
    if t.size < max(min_frames, 6):
        raise ValueError(f"the curve has {t.size} frames; at least {max(min_frames, 6)} needed")
    row = fit_tics(
        t,
        y[None, :],
        model=model,
        saturation=saturation,
        truncation=truncation,
        min_frames=min_frames,
        block_s=block_s,
        progress=False,
    ).iloc[0]
    m = get_model(model)
    return TICFit(
        model=m.name,
        params={k: float(row[k]) for k in m.param_names},
        stderr={k: float(row[f"{k}_se"]) for k in m.param_names},
        **{k: float(row[k]) for k in (*DESCRIPTORS, "qof", "sse", "aic", "bic")},
        n_frames=int(row["n_frames"]),
        converged=bool(row["converged"]),
        flag=str(row["flag"]),
    )
