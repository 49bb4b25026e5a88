"""Vectorised least-squares fitting of bolus models to many curves at once.

The fit of one curve is the bounded least-squares problem
``min sum_i (y_i - f(t_i; theta))^2`` over ``theta = (area, shape 1, shape 2, t0, offset)``.
All curves of a batch are solved together with array operations:

1. **Blocks.** Consecutive frames are summarised in blocks of about ``block_s`` seconds
   (frames, mean time and intensity, and the sums of squares and cross-products of time and
   intensity about those means), so that later steps never touch the frames again.
2. **Closed-form start.** With the baseline known and ``t0`` fixed, the log of each model is
   linear in a few functions of ``t' = t - t0`` (lognormal: ``1, ln t', (ln t')^2``; gamma:
   ``1, ln t', t'``; LDRW and FPT: ``1, t', 1/t'``).  A weighted linear regression of the
   log of the smoothed curve (blocks merged to about ``COARSE_S`` = 1 s) over its first
   pass (from 20% of the peak enhancement on the rise down to ``FIRST_PASS`` of it after the
   peak, so that a second pass does not pass for a heavy tail) gives the shape for each of
   two ``t0`` candidates; the candidate with the smallest residual is kept.  The baseline
   is the curve's lowest smoothed value, which also holds when the acquisition starts on
   the rise.
3. **Bins as pseudo-frames.** Around the start's bolus the blocks are merged into a few
   dozen bins (fine over the bolus, coarse before and after it), and each bin becomes two
   pseudo-frames that carry its mean and its within-bin slope (see :func:`adaptive_bins`).
   Their sum of squares is the frames' sum of squares up to the within-bin curvature of the
   model, so the fit on under a hundred pseudo-frames lands, for practical purposes, on the
   least-squares solution of all the frames (``bench/bench_perfusion.py`` prints how far
   from :func:`scipy.optimize.curve_fit` on every frame).  Fitting the bin means alone
   would lose the slopes and bias the peak by the curvature within each bin.
4. **Levenberg-Marquardt.** Batched Gauss-Newton steps with a per-curve damping factor
   (Marquardt's scaling of the normal equations), projected onto the parameter bounds; a
   parameter on a bound that the step pushes further out is held there and the step solved
   for the others (an active set, Bertsekas 1982), so a fit at a bound converges.
   A curve stops when the decrease in its sum of squares, achieved or predicted for the
   next step, falls below ``stol^2`` times the noise variance per frame (``stol = 0.01``:
   the remaining step is shorter than 1% of a standard error, in the metric of the
   parameters' covariance), or when its relative step falls below ``xtol``.  Near
   Gauss-Newton the last step is taken on its predicted decrease, without evaluating the
   model there (as MINPACK's ``ftol`` test uses the predicted reduction).

Notes
-----
Levenberg (1944), Marquardt (1963); the projected (box-constrained) variant follows Kanzow,
Yamashita and Fukushima (2004), with the active set of Bertsekas (1982, "Projected Newton
methods for optimization problems with simple constraints", SIAM J Control Optim 20:221-246).
Curves are fitted on every frame instead of in bins when their time axis has a gap (see
:func:`block_sizes`), and from single-frame starts and bins when their bolus rises within a
few coarse blocks (see :func:`ceuslib.perfusion.fit_tics`).  Starting values by
log-linearisation of the bolus model are an engineering choice (ASSUMPTION), in the spirit
of the data-driven starts of the open QuantUS CEUS code (TUL-Dev/QuantUS-Plugins-CEUS).
"""

from __future__ import annotations

from ceuslib.perfusion.engine.bins import FINE_BINS, TAIL_BINS, adaptive_bins
from ceuslib.perfusion.engine.blocks import (
    COARSE_S,
    BlockLayout,
    Blocks,
    block_layout,
    block_sizes,
    make_blocks,
)
from ceuslib.perfusion.engine.evaluation import N_PARAMS, evaluate, frame_sse
from ceuslib.perfusion.engine.solver import STEP_TOL_SE, LMResult, levenberg_marquardt
from ceuslib.perfusion.engine.start import (
    FIRST_PASS,
    RESTART_T0_FRACTIONS,
    T0_FRACTIONS,
    bounds,
    clip_to_bounds,
    start_candidates,
    start_values,
)

__all__ = [
    "COARSE_S",
    "FINE_BINS",
    "FIRST_PASS",
    "N_PARAMS",
    "RESTART_T0_FRACTIONS",
    "STEP_TOL_SE",
    "T0_FRACTIONS",
    "TAIL_BINS",
    "BlockLayout",
    "Blocks",
    "LMResult",
    "adaptive_bins",
    "block_layout",
    "block_sizes",
    "bounds",
    "clip_to_bounds",
    "evaluate",
    "frame_sse",
    "levenberg_marquardt",
    "make_blocks",
    "start_candidates",
    "start_values",
]
