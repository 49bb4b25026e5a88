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
from ceuslib.perfusion.batch import MIN_FRAMES_FLOOR, group_by_blocks, validate
from ceuslib.perfusion.descriptors import DESCRIPTORS
from ceuslib.perfusion.estimate import Estimates, fit_binned, fit_exact, refit_from_frames, restart
from ceuslib.perfusion.evidence import enhancement_shown
from ceuslib.perfusion.flags import FLAG_REGISTRY, FLAGS, flag_columns, flag_text
from ceuslib.perfusion.models import BolusModel, get_model
from ceuslib.perfusion.summary import summarise

__all__ = ["FLAGS", "FLAG_REGISTRY", "METHODS", "TICFit", "fit_tic", "fit_tics"]

METHODS = ("auto", "exact", "binned")
"""Fitting methods of :func:`fit_tics`: every frame, blocks and bins, or chosen by size."""

# "auto" fits on every frame when the batch holds at most this many frames in all (curves
# times frames per curve), in bins above it.  Measured (lognormal, 10 fps, 120 s, one core):
# the exact fit from six starts costs about 3.5 ms of CPU per curve of 1,200 frames, the
# binned fit 0.04 ms; up to 200 such curves (a cohort) the exact fit takes under a second.
AUTO_EXACT_MAX_POINTS = 240_000
FAST_RISE_BLOCKS = 4.0  # a rise shorter than this many coarse blocks: refit from frames
# a binned fit whose frames' mean square exceeds the noise variance (from second
# differences) by this factor is fitted again on every frame from several starts
RESTART_MISFIT = 1.5
BOUND_TOL = 1e-9  # a parameter within this (relative) of a bound sits on it


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


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
        "analysable",
        *(f"flag_{flag.name}" for flag in FLAG_REGISTRY),
        "flag",
    ]


def _choose_method(method: str, n_curves: int, n_frames: int) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if method == "auto":
        return "exact" if n_curves * n_frames <= AUTO_EXACT_MAX_POINTS else "binned"
    return method


def fit_tics(
    time,
    intensities,
    *,
    model: str | BolusModel = "lognormal",
    method: str = "auto",
    saturation: float | None = None,
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
    if not (np.isfinite(block_s) and block_s >= 0):
        raise ValueError(f"block_s must be a number of seconds >= 0; got {block_s!r}")
    batch = validate(
        time, intensities, min_frames=min_frames, saturation=saturation, truncation=truncation
    )
    rows = np.flatnonzero(batch.fit)
    chosen = _choose_method(method, rows.size, batch.n_frames)
    show = (batch.n > 1000) if progress is None else progress
    bar = tqdm(
        total=rows.size,
        disable=None if (progress is None and show) else not show,
        unit="curve",
        desc=f"fitting {m.name}",
    )
    parts = []
    # The batched fit makes many small BLAS calls: a second BLAS thread only spins (twice
    # the CPU time for the same wall time, measured), so BLAS runs on one thread here.
    with bar, np.errstate(all="ignore"), _blas().limit(limits=1, user_api="blas"):
        for members, k, merge in group_by_blocks(batch, rows, block_s=block_s):
            parts.append((members, _fit_group(m, batch, members, k=k, merge=merge, method=chosen)))
            bar.update(members.size)
        fitted = _assemble(rows, parts)
        t_rows = batch.t if batch.t.ndim == 1 else batch.t[rows]
        y_rows = batch.y if rows.size == batch.n else batch.y[rows]
        columns, fit_flags = summarise(m, t_rows, y_rows, fitted)
    return _table(m, batch, rows, columns, fit_flags)


def _assemble(rows: np.ndarray, parts) -> Estimates:
    """The estimates of every group, in the order of ``rows``."""
    if not parts:
        return Estimates.empty(0)
    order = np.argsort(np.concatenate([members for members, _ in parts]), kind="stable")
    return Estimates.concat([est for _, est in parts]).take(order)


def _fit_group(m, batch, members, *, k, merge, method) -> Estimates:
    """Fit the curves ``members`` (sharing blocks of ``k`` frames, ``merge`` per coarse
    block): the exact fit, or the binned fit and its refits."""
    t, y = batch.t, batch.y
    coarse_frames = k * max(merge, 1)
    if method == "exact":
        return fit_exact(m, t, y, members, merge=coarse_frames)
    est = fit_binned(m, t, y, members, k=k, merge=merge)
    if coarse_frames > 1:  # not already frame by frame
        again = _too_fast_for_blocks(m, batch, members, est, coarse_frames)
        if again.any():
            rows = np.flatnonzero(again)
            est = est.with_rows(rows, refit_from_frames(m, t, y, members[rows], est.take(rows)))
    suspect = np.flatnonzero(_far_from_the_data(m, batch, members, est))
    if suspect.size:
        first = est.take(suspect)
        est = est.with_rows(suspect, restart(m, t, y, members[suspect], first, merge=coarse_frames))
    return est


def _too_fast_for_blocks(m, batch, members, est, coarse_frames) -> np.ndarray:
    """Curves to fit again from single frames: a bolus rising within
    :data:`FAST_RISE_BLOCKS` coarse blocks (too fast for them), or a fit that shows no
    bolus (a fast bolus can collapse in blocks of about 1 s).  Their own fit decides, so
    the batch does not."""
    first, last = batch.first_last(members)
    coarse_s = coarse_frames * (last - first) / max(batch.n_frames - 1, 1)
    theta = est.theta
    shape = {name: theta[:, i + 1] for i, name in enumerate(m.shape_names)}
    rise = m.ttp(t0=theta[:, 3], **shape) - theta[:, 3]
    shown = enhancement_shown(theta[:, 0], est.sse, est.sst, batch.n_frames)
    return (shown & (rise < FAST_RISE_BLOCKS * coarse_s)) | ~shown


def _far_from_the_data(m, batch, members, est) -> np.ndarray:
    """Binned fits that may sit in a local minimum: frames' mean square above
    :data:`RESTART_MISFIT` times the noise variance, a parameter on a bound, or a peak
    outside the frames."""
    dof = max(batch.n_frames - engine.N_PARAMS, 1)
    misfit = est.sse / dof > RESTART_MISFIT * est.noise  # never where the noise is unknown
    first, last = batch.first_last(members)
    lo, hi = engine.bounds(m, first, last)
    scale = BOUND_TOL * (np.abs(lo) + np.abs(hi) + 1.0)
    shapes_t0 = slice(1, 4)
    on_bound = (
        (np.abs(est.theta - lo) <= np.where(np.isfinite(lo), scale, 0.0))
        | (np.abs(est.theta - hi) <= np.where(np.isfinite(hi), scale, 0.0))
    )[:, shapes_t0].any(axis=1)
    shape = {name: est.theta[:, i + 1] for i, name in enumerate(m.shape_names)}
    ttp = m.ttp(t0=est.theta[:, 3], **shape)
    outside = ~((ttp >= first) & (ttp <= last))
    return misfit | on_bound | outside


def _table(m, batch, rows, columns, fit_flags) -> pd.DataFrame:
    """One row per curve: the fitted columns where a curve was fitted, NaN elsewhere."""
    n = batch.n
    names = _result_columns(m)
    values = {}
    for name, column in columns.items():
        full = np.full(n, np.nan) if column.dtype.kind == "f" else np.zeros(n, column.dtype)
        full[rows] = column
        values[name] = full
    masks = {name: mask.copy() for name, mask in batch.flags.items()}
    for name, mask in fit_flags.items():
        full = masks.get(name, np.zeros(n, dtype=bool)).copy()
        full[rows] |= mask
        masks[name] = full
    # a curve that could not be fitted is flagged for its input alone
    masks["clipped"] = masks["clipped"] & batch.fit
    out = pd.DataFrame({"model": pd.Series([m.name] * n, dtype=object), **values})
    for name, column in flag_columns(masks, values["converged"]).items():
        out[name] = column
    out["flag"] = pd.Series(flag_text(masks), dtype=object)
    return out[names]


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
    analysable: bool = True
    flags: tuple[str, ...] = ()  # names of the flags raised (keys of FLAGS)

    def curve(self, time) -> np.ndarray:
        """The fitted curve (with its offset) at ``time``."""
        return get_model(self.model)(time, **self.params)

    def to_frame(self) -> pd.DataFrame:
        """One-row table with the same columns as :func:`fit_tics`."""
        row = {"model": self.model, **self.params}
        row.update({f"{k}_se": v for k, v in self.stderr.items()})
        row.update({k: getattr(self, k) for k in DESCRIPTORS})
        for k in ("qof", "sse", "aic", "bic", "n_frames", "converged", "analysable"):
            row[k] = getattr(self, k)
        for flag in FLAG_REGISTRY:
            row[f"flag_{flag.name}"] = flag.name in self.flags
        row["flag"] = self.flag
        return pd.DataFrame([row])


def fit_tic(
    time,
    intensity,
    *,
    model: str | BolusModel = "lognormal",
    method: str = "auto",
    saturation: float | None = None,
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
    model, method, saturation, truncation, min_frames, block_s
        As in :func:`fit_tics` (``"auto"`` fits one curve on every frame).

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
    needed = max(min_frames, MIN_FRAMES_FLOOR)
    if t.size < needed:
        raise ValueError(f"the curve has {t.size} frames; at least {needed} needed")
    row = fit_tics(
        t,
        y[None, :],
        model=model,
        method=method,
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
        analysable=bool(row["analysable"]),
        flags=tuple(f.name for f in FLAG_REGISTRY if row[f"flag_{f.name}"]),
    )
