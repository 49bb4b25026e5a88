"""Model comparison per curve by information criteria."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.perfusion.fit import fit_tics

__all__ = ["compare_models"]


def compare_models(
    time: ArrayLike,
    intensities: ArrayLike,
    *,
    models: Sequence[str] = ("lognormal", "gamma", "ldrw", "fpt"),
    **options: Any,
) -> pd.DataFrame:
    """Fit several models to every curve and compare them by AIC and BIC.

    Parameters
    ----------
    time : array_like, shape (n_frames,) or (n_curves, n_frames)
        Frame times in seconds, as in :func:`fit_tics`.
    intensities : array_like, shape (n_curves, n_frames)
        Linear echo-power (a.u.), as in :func:`fit_tics`.
    models : sequence of str
        The models to compare.
    **options
        Passed to :func:`fit_tics`.

    Returns
    -------
    pandas.DataFrame
        One row per curve: ``aic_<model>``, ``bic_<model>``, ``converged_<model>``, and
        ``best_aic`` / ``best_bic``, the model with the smallest criterion among those that
        converged (empty when none did).

    Notes
    -----
    With equal numbers of parameters the two criteria rank models alike (Akaike 1974;
    Schwarz 1978); they differ only in how much evidence a difference represents.

    Examples
    --------
    >>> from ceuslib.perfusion import linearize, simulate_tics, default_params
    >>> sim = simulate_tics("gamma", params=default_params("gamma"), n_curves=2,
    ...                     n_speckle=400, seed=4)
    >>> compare_models(sim.time, linearize(sim.displayed))["best_aic"].tolist()
    ['gamma', 'gamma']
    """
    table = {}
    for name in models:
        fits = fit_tics(time, intensities, model=name, **options)
        table[f"aic_{name}"] = fits["aic"].to_numpy()
        table[f"bic_{name}"] = fits["bic"].to_numpy()
        table[f"converged_{name}"] = fits["converged"].to_numpy()
    out = pd.DataFrame(table)
    for crit in ("aic", "bic"):
        values = np.column_stack(
            [np.where(out[f"converged_{m}"], out[f"{crit}_{m}"], np.inf) for m in models]
        )
        best = np.argmin(values, axis=1)
        some = np.isfinite(values).any(axis=1)
        out[f"best_{crit}"] = [models[b] if s else "" for b, s in zip(best, some, strict=True)]
    return out
