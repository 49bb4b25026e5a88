"""Which curves of a batch are fitted how: the exact fit, or the binned fit and its refits.

A binned fit is fitted again from single frames where its bolus is too fast for the blocks
(or it shows none), and exactly from several starts where it sits far from the data; each
refit is kept where it lowers the sum of squares over every frame (see
:mod:`ceuslib.perfusion.estimate`).
"""

from __future__ import annotations

import numpy as np

from ceuslib.perfusion import engine
from ceuslib.perfusion.estimate import (
    Estimates,
    fit_binned,
    fit_exact,
    refit_from_frames,
    restart,
)
from ceuslib.perfusion.evidence import enhancement_shown

FAST_RISE_BLOCKS = 4.0  # a rise shorter than this many coarse blocks: refit from frames
# a binned fit whose frames' mean square exceeds the noise variance (from second
# differences) by this factor is fitted again on every frame from several starts
RESTART_MISFIT = 1.5
BOUND_TOL = 1e-9  # a parameter within this (relative) of a bound sits on it


def fit_group(m, batch, members, *, k, merge, method) -> Estimates:
    """Fit the curves ``members`` of ``batch`` (sharing blocks of ``k`` frames, ``merge``
    per coarse block) by ``method`` (``"exact"`` or ``"binned"``): the exact fit, or the
    binned fit and its refits."""
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
