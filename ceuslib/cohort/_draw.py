"""Vectorised draws shared by the cohort simulator (not part of the public API)."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr


def choice(rng: np.random.Generator, probabilities, size: int) -> np.ndarray:
    """Indices drawn with the given probabilities (one shared distribution)."""
    p = np.asarray(probabilities, dtype=float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(size), side="right").clip(
        0, len(p) - 1
    )


def separated(table, separation: float) -> np.ndarray:
    """Per-state probabilities moved towards (0) or kept at (1) their average over states.

    ``table`` has one row per node state.  Each row is ``mean + separation * (row - mean)``,
    clipped at zero and renormalised, so ``separation=0`` makes a feature uninformative.
    """
    p = np.asarray(table, dtype=float)
    if p.ndim == 1:  # a probability of "yes" per state
        p = np.column_stack([1 - p, p])
    mean = p.mean(axis=0)
    moved = np.clip(mean + separation * (p - mean), 0.0, None)
    return moved / moved.sum(axis=1, keepdims=True)


def ordinal_from_latent(latent: np.ndarray, state: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Category index per node from a standard-normal latent and its state's probabilities.

    Categories are ordered from benign- to suspicious-looking; a higher latent value gives a
    more suspicious category, so a shared patient term in the latent makes a patient's
    nodes look alike while each node keeps its state's probabilities exactly.
    """
    cumulative = np.cumsum(table, axis=1)[state]
    u = ndtr(latent)
    return (u[:, None] > cumulative[:, :-1]).sum(axis=1)


def clustered_latent(
    rng: np.random.Generator, patient_effect: np.ndarray, patient: np.ndarray, icc: float
) -> np.ndarray:
    """Standard-normal latent per node: ``sqrt(icc) * patient term + sqrt(1 - icc) * noise``."""
    noise = rng.standard_normal(patient.size)
    return np.sqrt(icc) * patient_effect[patient] + np.sqrt(1.0 - icc) * noise


def reader_noise(
    rng: np.random.Generator, codes: np.ndarray, pooled: np.ndarray, rate: float
) -> np.ndarray:
    """Replace a share ``rate`` of readings by draws from the pooled distribution."""
    replace = rng.random(codes.size) < rate
    out = codes.copy()
    out[replace] = choice(rng, pooled, int(replace.sum()))
    return out
