"""What the frames show about a fit: standard errors, the noise level, enhancement."""

from __future__ import annotations

import numpy as np

from ceuslib.perfusion import engine

# A fit shows a bolus when it explains the curve far beyond a constant: F statistic of the
# model against a constant (4 and N - 5 degrees of freedom) above this.  Measured with the
# binned fit on 300 curves per condition (lognormal and gamma; 1, 5 and 10 fps over 60-120 s;
# speckle SNR 10 and 20 dB; 8-bit display): pure noise (no bolus) at most 12.9; boluses of
# PE 0.03-0.10 a.u. over 0.006 a.u. at least 19.6 (1 fps, 60 frames, 10 dB), above 160 at
# 5 fps or more.  The older rule, area above three standard errors, passed 1-15% of the
# pure-noise curves: a noise frame fitted by a narrow spike is "significant" locally.
ENHANCEMENT_F = 15.0


def standard_errors(jtj: np.ndarray, sse: np.ndarray, n_frames: int) -> np.ndarray:
    """``sqrt(diag((J'J)^-1) * SSE / (N - 5))`` per curve, ``(n, 5)`` (NaN where ``J'J`` is
    singular or not finite): the Gauss-Newton covariance, as :func:`scipy.optimize.curve_fit`.
    """
    cov = np.full_like(jtj, np.nan)
    usable = np.isfinite(jtj).all(axis=(1, 2))
    usable[usable] = np.abs(np.linalg.det(jtj[usable])) > 0
    if usable.any():
        cov[usable] = np.linalg.inv(jtj[usable])
    dof = max(n_frames - engine.N_PARAMS, 1)
    return np.sqrt(np.abs(np.diagonal(cov, axis1=1, axis2=2)) * (sse / dof)[:, None])


def enhancement_shown(area, sse, sst, n_frames: int) -> np.ndarray:
    """Curves whose fit shows a bolus: a positive area and the model explaining the curve
    far beyond a constant (F statistic above :data:`ENHANCEMENT_F`).

    Examples
    --------
    >>> enhancement_shown(np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([2.0, 1.01]),
    ...                   100).tolist()
    [True, False]
    """
    p = engine.N_PARAMS
    dof = max(n_frames - p, 1)
    with np.errstate(all="ignore"):
        f_stat = ((sst - sse) / (p - 1)) / (sse / dof)
        return (area > 0) & (f_stat > ENHANCEMENT_F)
