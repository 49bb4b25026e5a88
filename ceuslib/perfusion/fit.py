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
from numpy.typing import ArrayLike
from threadpoolctl import ThreadpoolController
from tqdm import tqdm

from ceuslib.perfusion.batch import MIN_FRAMES_FLOOR, group_by_blocks, validate
from ceuslib.perfusion.descriptors import DESCRIPTORS
from ceuslib.perfusion.estimate import Estimates
from ceuslib.perfusion.flags import (
    FLAG_REGISTRY,
    FLAGS,
    confirm_flat_top,
    flag_columns,
    flag_text,
)
from ceuslib.perfusion.models import BolusModel, get_model
from ceuslib.perfusion.refits import fit_group
from ceuslib.perfusion.summary import summarise

__all__ = ["FLAGS", "FLAG_REGISTRY", "METHODS", "TICFit", "fit_tic", "fit_tics"]

METHODS = ("auto", "exact", "binned")
"""Fitting methods of :func:`fit_tics`: every frame, blocks and bins, or chosen by size."""

# "auto" fits on every frame when the batch holds at most this many frames in all (curves
# times frames per curve), in bins above it.  Measured (lognormal, 10 fps, 120 s, 20 dB, one
# core): the exact fit from six starts costs 3.9 ms of CPU per curve of 1,200 frames, the
# binned fit 0.14 ms for 200 curves (0.04 ms for 10,000); 200 such curves (a cohort) take
# 0.8 s exactly.
AUTO_EXACT_MAX_POINTS = 240_000


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
    time: ArrayLike,
    intensities: ArrayLike,
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
    method : {"auto", "exact", "binned"}
        ``"exact"``: least squares on every frame, from several starts; ``"binned"``: the
        frames summarised in blocks and bins (see Notes), for large batches and maps;
        ``"auto"`` (default): exact when the batch holds at most
        ``AUTO_EXACT_MAX_POINTS`` (240,000) frames in all (200 curves of 1,200 frames),
        binned above.
    saturation, truncation : float or None
        Optional levels: echo-power at or above ``saturation`` or at or below
        ``truncation`` also counts as clipped.  Without them (default) clipping is
        recognised from the curve's shape alone, at any level
        (``ceuslib.perfusion.flags.clipped_by_shape``).
    min_frames : int
        Fewer finite frames than this (and never fewer than 6), or fewer than 3 frames
        between TI and TTP, flags the curve as having too few frames.
    block_s : float
        Binned fit: frames are summarised in blocks of about this many seconds (see Notes);
        ``0`` makes every frame its own block.
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
        (percent); ``sse``, ``aic``, ``bic``; ``n_frames``, ``n_iter``, ``converged``;
        ``analysable``; one boolean column ``flag_<name>`` per flag of
        :data:`FLAG_REGISTRY`; and ``flag``, the readable reasons joined by ``"; "`` (``""``
        when the curve is clean).  ``analysable`` is true when the curve converged and
        carries no flag that excludes it: the column an analysis set selects curves by.
        Curves with bad input (NaN frames, non-increasing time, too few frames) have NaN
        parameters; one bad curve never stops the batch.

    Notes
    -----
    Bounded least squares, ``min sum (y - f(t; theta))^2``, solved for all curves at once by
    a batched Levenberg-Marquardt (Levenberg 1944; Marquardt 1963; see
    :mod:`ceuslib.perfusion.engine`).  The bounds come from the acquisition: ``t0`` between
    one span before the first frame and the last frame; the lognormal median transit time at
    most twice the span.  The stages, each returning arrays: the input is checked
    (:mod:`ceuslib.perfusion.batch`), curves grouped by their block sizes, fitted and refitted
    (:mod:`ceuslib.perfusion.estimate`), then described and flagged
    (:mod:`ceuslib.perfusion.summary`).

    *Exact fit.*  Levenberg-Marquardt on every frame from six closed-form log-linear
    starts, a profile over the bolus arrival (``t0 = foot - f * rise`` for ``f`` in
    ``engine.RESTART_T0_FRACTIONS``); the solution with the lowest sum of squares over the
    frames is kept, so a fit whose first start ends in a local minimum is replaced.

    *Binned fit.*  The frames are summarised in blocks of about ``block_s`` seconds, merged
    into bins (fine over the bolus, coarse around it), and each bin enters the fit as two
    pseudo-frames carrying its mean and its within-bin slope, whose sum of squares is that
    of the frames up to the within-bin curvature of the model, from one start.  The bins
    follow the start's bolus; where the fit moves the bolus well away from it they are laid
    out again around the fit and the fit polished.  A curve whose bolus rises within
    ``FAST_RISE_BLOCKS`` (4) coarse blocks of about 1 s, or whose fit shows no bolus, is
    fitted again with its start and bins built from single frames; a fit far from the data
    (the frames' mean square above ``RESTART_MISFIT`` (1.5) times the noise variance within
    blocks, a shape parameter or ``t0`` on a bound, or the peak outside the frames) is
    fitted again exactly from several starts and its own result; each refit is kept where
    it lowers the sum of squares over every frame.  A curve whose time axis has a gap
    longer than two coarse blocks is fitted on every frame.  The reported ``sse`` (and
    QOF, AIC, BIC and the standard errors built on it) is taken from the blocks with the
    model quadratic within each block (``engine.frame_sse``).  Documented limits, tested
    in ``tests/test_perfusion_stress.py`` and ``tests/test_perfusion_exact.py``: that sum
    neglects the model's third derivative within a block (up to 2 AIC units at 30 fps over
    300 s); a local minimum whose fit lies as close to the data as the noise is not
    restarted.  Every curve's block sizes come from its own time axis, so no curve's fit
    depends on the others in the batch.

    Standard errors: ``sqrt(diag((J'WJ)^-1) * SSE / (N - 5))`` (Gauss-Newton covariance, as
    :func:`scipy.optimize.curve_fit`).  QOF is ``100 (1 - SSE / SST)`` (ASSUMPTION: VueBox's
    exact formula is not public).  AIC is
    ``N log(SSE / N) + 2 k`` and BIC ``N log(SSE / N) + k log N`` with ``k = 6`` (five
    parameters and the noise variance) (Akaike 1974; Schwarz 1978).

    Flags (:data:`FLAG_REGISTRY`; names in brackets): *no enhancement* [no_enhancement]
    when the model explains the curve no better than noise would (F statistic against a
    constant at most ``evidence.ENHANCEMENT_F``) or its bolus falls between frames (fewer
    than 3 frames from TI to TO); *implausible parameters* [implausible] when the
    descriptors lie where the frames cannot support them (a peak inside the acquisition
    more than 10 times the curve's range, or more than one span after the last frame);
    descriptors are NaN in both cases.  *Peak before the first frame* [peak_before_start];
    *no wash-out within the acquisition* [no_washout] when TO lies after the last frame:
    the curve stays analysable, the descriptors of the unobserved wash-out (``mtt, mttl,
    woauc, wiwoauc, wor, ft, to``) are NaN, PE, TTP and the wash-in descriptors kept
    (extrapolated when the peak itself lies after the last frame); *clipped or saturated*
    [clipped] when the curve's top is flat (or a frame reaches ``saturation`` or
    ``truncation``; VueBox's linearization is invalid there: Bracco's VueBox FAQ); *did
    not converge* [not_converged], not added without enhancement (the shape of a curve
    without a bolus is undetermined); *too few frames* [few_frames], *non-increasing time*
    [time_order], *NaN or infinite frames* [nonfinite].

    Examples
    --------
    >>> from ceuslib.perfusion import linearize, simulate_tics, default_params
    >>> sim = simulate_tics(params=default_params(), n_curves=3, n_speckle=400, seed=1)
    >>> fits = fit_tics(sim.time, linearize(sim.displayed))
    >>> [round(float(v)) for v in fits["ttp"]]  # simulated: 22 s
    [22, 22, 22]
    >>> fits["flag"].tolist(), fits["analysable"].tolist()
    (['', '', ''], [True, True, True])
    >>> short = fit_tics(sim.time[:300], linearize(sim.displayed)[:, :300])  # 30 s
    >>> short["flag"].iloc[0], bool(short["analysable"].iloc[0]), float(short["mtt"].iloc[0])
    ('no wash-out within the acquisition', True, nan)
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
            parts.append((members, fit_group(m, batch, members, k=k, merge=merge, method=chosen)))
            bar.update(members.size)
        fitted = _assemble(rows, parts)
        t_rows = batch.t if batch.t.ndim == 1 else batch.t[rows]
        columns, fit_flags = summarise(m, t_rows, fitted, data_range=batch.value_range[rows])
    input_flags = {**batch.flags, "clipped": _clipped(batch, rows, columns)}
    return _table(m, batch, rows, columns, fit_flags, input_flags)


def _clipped(batch, rows: np.ndarray, columns: dict) -> np.ndarray:
    """The input's clipped flags, a flat top kept only where the fit confirms a clip."""
    clipped = batch.flags["clipped"].copy()
    flat = batch.flat_top[rows]
    if flat.any():
        peak = columns["pe"][flat] + columns["offset"][flat]
        # a fit that did not converge cannot vouch for the top: keep its flag
        peak = np.where(columns["converged"][flat], peak, np.nan)
        real = confirm_flat_top(batch.y[rows[flat]], peak)
        clipped[rows[flat][~real]] = False
    return clipped


def _assemble(rows: np.ndarray, parts) -> Estimates:
    """The estimates of every group, in the order of ``rows``."""
    if not parts:
        return Estimates.empty(0)
    order = np.argsort(np.concatenate([members for members, _ in parts]), kind="stable")
    return Estimates.concat([est for _, est in parts]).take(order)


def _table(m, batch, rows, columns, fit_flags, input_flags) -> pd.DataFrame:
    """One row per curve: the fitted columns where a curve was fitted, NaN elsewhere."""
    n = batch.n
    names = _result_columns(m)
    values = {}
    for name, column in columns.items():
        full = np.full(n, np.nan) if column.dtype.kind == "f" else np.zeros(n, column.dtype)
        full[rows] = column
        values[name] = full
    masks = {name: mask.copy() for name, mask in input_flags.items()}
    for name, mask in fit_flags.items():
        full = masks.get(name, np.zeros(n, dtype=bool)).copy()
        full[rows] |= mask
        masks[name] = full
    out = pd.DataFrame({"model": pd.Series([m.name] * n, dtype=object), **values})
    for name, column in flag_columns(masks, values["converged"]).items():
        out[name] = column
    out["flag"] = pd.Series(flag_text(masks), dtype=object)
    return out[names]


@dataclass(frozen=True)
class TICFit:
    """The fit of one curve (see :func:`fit_tic`; fields as the columns of :func:`fit_tics`).

    Attributes
    ----------
    model : str
        The bolus model fitted.
    params, stderr : dict
        The fitted parameters (``area``, the two shape parameters, ``t0``, ``offset``) and
        their standard errors, by name.
    pe, ttp, rt, mtt, mttl, wiauc, woauc, wiwoauc, wir, wor, wipi, ft, ti, to : float
        The descriptors of :mod:`ceuslib.perfusion.descriptors` (``wor`` is negative).
    qof : float
        Quality of fit, percent.
    sse, aic, bic : float
        Residual sum of squares and the information criteria.
    n_frames : int
        Frames fitted.
    converged : bool
        Whether the fit converged.
    flag : str
        The readable reasons of the flags raised, joined by ``"; "`` (``""`` when clean).
    analysable : bool
        Converged and without a flag that excludes the curve.
    flags : tuple of str
        Names of the flags raised (keys of :data:`FLAGS`).
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
    flags: tuple[str, ...] = ()

    def curve(self, time: ArrayLike) -> np.ndarray:
        """The fitted curve (with its offset) at ``time``.

        Parameters
        ----------
        time : array_like
            Times in seconds.

        Returns
        -------
        numpy.ndarray
            The model with the fitted parameters, offset included.
        """
        return get_model(self.model)(time, **self.params)

    def to_frame(self) -> pd.DataFrame:
        """One-row table with the same columns as :func:`fit_tics`.

        Returns
        -------
        pandas.DataFrame
            One row.
        """
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
    time: ArrayLike,
    intensity: ArrayLike,
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
    model : str or BolusModel
        ``"lognormal"`` (default), ``"gamma"``, ``"ldrw"`` or ``"fpt"``.
    method : {"auto", "exact", "binned"}
        As in :func:`fit_tics` (``"auto"`` fits one curve on every frame).
    saturation, truncation : float or None
        Optional clipping levels, as in :func:`fit_tics`.
    min_frames : int
        The fewest finite frames a curve may have, as in :func:`fit_tics`.
    block_s : float
        Block length of the binned fit, in seconds, as in :func:`fit_tics`.

    Returns
    -------
    TICFit
        The fitted parameters, descriptors, quality of fit and flags of the curve.

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
