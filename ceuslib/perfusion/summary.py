"""The last stage of a batch fit: from fitted parameters to descriptors, statistics and flags.

:func:`summarise` computes, for the fitted curves, the standard errors, the VueBox-style
descriptors (:func:`~ceuslib.perfusion.describe`), QOF, AIC and BIC, and decides the flags
that depend on the fit: *no enhancement*, *implausible parameters*, *peak before the first
frame*, *no wash-out within the acquisition*, *too few frames* (on the wash-in) and *did not
converge*.  Descriptors that the acquisition cannot support are NaN: all of them for
implausible parameters or a curve without enhancement, those of the unobserved wash-out
(:data:`WASHOUT_DESCRIPTORS`) for a curve without wash-out within the acquisition.
"""

from __future__ import annotations

import numpy as np

from ceuslib.perfusion import engine
from ceuslib.perfusion.descriptors import DESCRIPTORS, describe
from ceuslib.perfusion.estimate import Estimates
from ceuslib.perfusion.evidence import enhancement_shown, standard_errors
from ceuslib.perfusion.models import BolusModel

MIN_WASHIN_FRAMES = 3  # fewer frames than this between TI and TTP: too few frames
# a fitted bolus with fewer frames than this between TI and TO (the feet of its wash-in and
# wash-out tangents) is a spike between frames, not enhancement (a noise frame fitted)
MIN_BOLUS_FRAMES = 3
# a peak this many times the curve's range (largest minus smallest frame) above the fitted
# baseline, at a time inside the acquisition, is not something the frames show
IMPLAUSIBLE_PE_RANGE = 10.0
# the peak may lie at most this many acquisition spans after the last frame (an extrapolation
# of the rise); further out nothing of it is supported by the frames
IMPLAUSIBLE_TTP_SPANS = 1.0
LOG_FLOOR = 1e-300  # sum of squares floor in the log-likelihood (a perfect fit)
WASHOUT_DESCRIPTORS = ("mtt", "mttl", "woauc", "wiwoauc", "wor", "ft", "to")
"""Descriptors that depend on the wash-out: NaN when it is not within the acquisition."""


def _frames_between(t, lo, hi):
    """Frames with ``lo <= t <= hi`` per curve (``t`` increasing: shared or one row each)."""
    if t.ndim == 1:  # binary search on the shared axis
        inside = np.searchsorted(t, hi, side="right") - np.searchsorted(t, lo, side="left")
        return np.where(np.isnan(lo) | np.isnan(hi), 0, np.maximum(inside, 0))
    return ((t >= lo[:, None]) & (t <= hi[:, None])).sum(axis=1)


def summarise(model: BolusModel, t, est: Estimates, *, data_range: np.ndarray):
    """Columns and fit flags of fitted curves (``t`` shared or one row each;
    ``data_range``: each curve's largest minus smallest frame).

    Returns ``(columns, flags)``: dicts of arrays, one entry per curve.
    """
    n = est.theta.shape[0]
    n_frames = t.shape[-1]
    params = {name: est.theta[:, i] for i, name in enumerate(model.param_names)}
    desc = describe(model, params)
    flags = _fit_flags(t, est, desc, data_range)
    hidden = flags["no_enhancement"] | flags["implausible"]
    for name in DESCRIPTORS:
        desc[name] = np.where(hidden, np.nan, desc[name])
    for name in WASHOUT_DESCRIPTORS:
        desc[name] = np.where(flags["no_washout"], np.nan, desc[name])
    se = standard_errors(est.jtj, est.sse, n_frames)
    columns = {}
    for i, name in enumerate(model.param_names):
        columns[name] = est.theta[:, i]
        columns[f"{name}_se"] = se[:, i]
    columns.update(desc)
    n_est = engine.N_PARAMS + 1  # five parameters and the noise variance
    loglik = n_frames * np.log(np.maximum(est.sse, LOG_FLOOR) / n_frames)
    with np.errstate(all="ignore"):
        columns["qof"] = 100.0 * (1.0 - est.sse / est.sst)
    columns["sse"] = est.sse
    columns["aic"] = loglik + 2 * n_est
    columns["bic"] = loglik + n_est * np.log(n_frames)
    columns["n_frames"] = np.full(n, float(n_frames))  # NaN where a curve is not fitted
    columns["n_iter"] = est.n_iter
    columns["converged"] = est.converged
    return columns, flags


def _fit_flags(t, est: Estimates, desc: dict, data_range: np.ndarray) -> dict:
    """The flags that depend on the fit, by name (see the module notes)."""
    n = est.theta.shape[0]
    first = np.full(n, t[0]) if t.ndim == 1 else t[:, 0]
    last = np.full(n, t[-1]) if t.ndim == 1 else t[:, -1]
    span = last - first
    with np.errstate(invalid="ignore"):
        shown = enhancement_shown(est.theta[:, 0], est.sse, est.sst, t.shape[-1])
        spike = _frames_between(t, desc["ti"], desc["to"]) < MIN_BOLUS_FRAMES
        none = ~shown | ~(desc["pe"] > 0) | ~(est.sst > 0) | spike
        in_view = (desc["ttp"] >= first) & (desc["ttp"] <= last)
        unsupported = (
            ~np.isfinite(desc["pe"])
            | ~np.isfinite(desc["ttp"])
            | ~np.isfinite(desc["wiauc"])
            | (in_view & (desc["pe"] > IMPLAUSIBLE_PE_RANGE * data_range))
            | (desc["ttp"] > last + IMPLAUSIBLE_TTP_SPANS * span)
        )
        described = ~none & ~unsupported
        return {
            "no_enhancement": none,
            "implausible": ~none & unsupported,
            "peak_before_start": described & (desc["ttp"] < first),
            "no_washout": described & ~(desc["to"] <= last),
            "few_frames": described
            & (_frames_between(t, desc["ti"], desc["ttp"]) < MIN_WASHIN_FRAMES),
            # without a bolus the shape is undetermined: "did not converge" is then moot
            "not_converged": ~est.converged & ~none,
        }
