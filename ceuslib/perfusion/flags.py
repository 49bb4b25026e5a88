"""Why a fitted time-intensity curve cannot be described, or only in part.

Every reason is a :class:`Flag` in :data:`FLAG_REGISTRY`: its ``name`` (the result tables'
boolean column is ``flag_<name>``), its readable ``text`` (joined by ``"; "`` in the
``flag`` column, ``""`` when the curve is clean) and whether it ``excludes`` the curve from
analysis.  A curve is **analysable** when it converged and carries no excluding flag
(``analysable`` column of :func:`~ceuslib.perfusion.fit_tics`).

Clipping is recognised from the curve's shape: a display that saturates (or an export that
caps its values) turns the top of the bolus into a flat run of identical frames at the
curve's maximum, whatever the level (1.0 in :func:`~ceuslib.perfusion.linearize` units, or
any other).  An explicit ``saturation`` or ``truncation`` level adds a check by value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CLIP_RUN_FRAMES",
    "FLAGS",
    "FLAG_REGISTRY",
    "Flag",
    "clipped_by_level",
    "clipped_by_shape",
    "flag_columns",
    "flag_text",
]


@dataclass(frozen=True)
class Flag:
    """One reason a curve is flagged.

    Attributes
    ----------
    name : str
        Short name; the boolean column ``flag_<name>``.
    text : str
        Readable reason, as it appears in the ``flag`` column.
    excludes : bool
        Whether the flag takes the curve out of the analysis set (``analysable`` false).
    """

    name: str
    text: str
    excludes: bool


FLAG_REGISTRY: tuple[Flag, ...] = (
    Flag("nonfinite", "NaN or infinite frames", True),
    Flag("time_order", "non-increasing time", True),
    Flag("few_frames", "too few frames", True),
    Flag("clipped", "clipped or saturated", True),
    Flag("no_enhancement", "no enhancement", True),
    Flag("peak_before_start", "peak before the first frame", True),
    Flag("implausible", "implausible parameters", True),
    Flag("not_converged", "did not converge", True),
    # the curve is described up to its peak; descriptors of the unobserved wash-out are NaN
    Flag("no_washout", "no wash-out within the acquisition", False),
)
"""Every flag, in the order its text appears in the ``flag`` column."""

FLAGS: dict[str, str] = {flag.name: flag.text for flag in FLAG_REGISTRY}
"""Flag name -> readable text (the texts are joined by ``"; "`` in the ``flag`` column)."""

CLIP_RUN_FRAMES = 4
"""Consecutive frames exactly at the curve's maximum that make a clipped (saturated) top."""


def clipped_by_shape(
    y: np.ndarray, *, run: int = CLIP_RUN_FRAMES, highest: np.ndarray | None = None
) -> np.ndarray:
    """Curves whose top is flat: clipped or saturated at whatever level.

    A curve is clipped when its maximum is held for ``run`` or more consecutive frames and
    by more frames than the next-lower value.  The second condition tells a saturated top
    (every frame above the level piles up at it) from the staircase of quantised gray levels
    (a rounded peak spends fewer frames on its top step than the noise spreads below it).

    Parameters
    ----------
    y : numpy.ndarray, shape (n_curves, n_frames)
        Finite intensities.
    run : int
        Consecutive frames at the maximum that count as a flat top.
    highest : numpy.ndarray, shape (n_curves,), optional
        Each curve's maximum, when already known.

    Returns
    -------
    numpy.ndarray of bool, shape (n_curves,)

    Notes
    -----
    Measured on 5,000 simulated lognormal curves per condition (8-bit display over 60 dB,
    120 s; ``bench``-style timing): without saturation 0.02% (10 fps) and 0% (30 fps) of
    curves are flagged at 20 dB speckle SNR, 1.5% and 0.02% at 30 dB, where the noise is
    smaller than one gray step; of curves with the bolus scaled 15 to 40 times so that the
    display saturates, 93% (20 dB) to 96% (30 dB) are flagged (the others touch the top of
    the display for fewer than ``run`` frames).

    Examples
    --------
    >>> clipped_by_shape(np.array([[0.1, 0.5, 0.7, 0.7, 0.7, 0.7, 0.3],
    ...                            [0.1, 0.5, 0.7, 0.6, 0.7, 0.7, 0.3]])).tolist()
    [True, False]
    """
    n, n_frames = y.shape
    out = np.zeros(n, dtype=bool)
    if n_frames < run or n == 0:
        return out
    # one pass over every curve; the runs only where the maximum is reached often enough
    top_value = y.max(axis=1) if highest is None else highest
    many = np.flatnonzero(np.count_nonzero(y == top_value[:, None], axis=1) >= run)
    if many.size == 0:
        return out
    z = y[many]
    top = z == z.max(axis=1, keepdims=True)
    held = top[:, : n_frames - run + 1].copy()
    for j in range(1, run):
        held &= top[:, j : n_frames - run + 1 + j]
    second = np.where(top, -np.inf, z).max(axis=1, keepdims=True)
    out[many] = held.any(axis=1) & (top.sum(axis=1) > (z == second).sum(axis=1))
    return out


def clipped_by_level(
    highest: np.ndarray,
    lowest: np.ndarray,
    *,
    saturation: float | None,
    truncation: float | None,
) -> np.ndarray:
    """Curves whose largest frame reaches ``saturation`` or smallest ``truncation``.

    Examples
    --------
    >>> clipped_by_level(np.array([1.0, 0.4]), np.array([0.1, 0.0]), saturation=1.0,
    ...                  truncation=None).tolist()
    [True, False]
    """
    out = np.zeros(highest.shape, dtype=bool)
    if saturation is not None:
        out |= highest >= saturation
    if truncation is not None:
        out |= lowest <= truncation
    return out


def flag_text(masks: dict[str, np.ndarray]) -> list[str]:
    """The readable ``flag`` column: the texts of each curve's flags joined by ``"; "``.

    Examples
    --------
    >>> flag_text({"clipped": np.array([True, False]), "no_washout": np.array([True, False])})
    ['clipped or saturated; no wash-out within the acquisition', '']
    """
    n = len(next(iter(masks.values()))) if masks else 0
    parts: list[list[str]] = [[] for _ in range(n)]
    for flag in FLAG_REGISTRY:
        for i in np.flatnonzero(masks.get(flag.name, np.zeros(n, dtype=bool))):
            parts[i].append(flag.text)
    return ["; ".join(p) for p in parts]


def flag_columns(masks: dict[str, np.ndarray], converged: np.ndarray) -> dict[str, np.ndarray]:
    """The boolean columns ``flag_<name>`` of every flag and ``analysable``.

    ``analysable`` is true for a curve that converged and carries no flag whose
    ``excludes`` is true (a curve flagged only *no wash-out within the acquisition* is
    analysable: its wash-out descriptors are NaN).

    Examples
    --------
    >>> cols = flag_columns({"no_washout": np.array([True]), "clipped": np.array([False])},
    ...                     np.array([True]))
    >>> bool(cols["flag_no_washout"][0]), bool(cols["analysable"][0])
    (True, True)
    """
    n = converged.shape[0]
    out = {}
    analysable = converged.astype(bool).copy()
    for flag in FLAG_REGISTRY:
        mask = np.asarray(masks.get(flag.name, np.zeros(n, dtype=bool)), dtype=bool)
        out[f"flag_{flag.name}"] = mask
        if flag.excludes:
            analysable &= ~mask
    out["analysable"] = analysable
    return out
