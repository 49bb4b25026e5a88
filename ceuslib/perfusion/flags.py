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
    "FLAT_TOP_ABOVE",
    "FLAT_TOP_FLOOR",
    "FLAT_TOP_STEPS",
    "Flag",
    "clipped_by_level",
    "clipped_by_shape",
    "confirm_flat_top",
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
        Whether each curve has a flat top.

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


FLAT_TOP_STEPS = 0.7
"""A flat top counts as clipped when the fitted curve rises above it by more than this many
quantisation steps (the gap between the top value and the next lower one)."""

FLAT_TOP_FLOOR = 0.005
"""...and by more than this fraction of the top in any case (data with no visible step)."""

FLAT_TOP_ABOVE = 0.2
"""A flat top more than this fraction (or three steps) above the fitted peak is no rounded
peak either: an artefact held over several frames, flagged as clipped."""


def confirm_flat_top(
    y: np.ndarray, fitted_peak: np.ndarray, *, steps: float = FLAT_TOP_STEPS
) -> np.ndarray:
    """Which flat-topped curves the fit shows to be clipped, not quantised.

    A curve whose top is held for several frames (:func:`clipped_by_shape`) is either
    clipped (the display saturated: the bolus rose above what the frames show) or simply
    quantised (a slow, rounded peak spends several frames on one gray level; at 2 frames
    per second and high signal-to-noise this happens to several percent of unclipped
    curves).  The bolus model fitted to every frame tells them apart: across a clipped top
    its peak lies well above the flat run, across a quantised one within a fraction of a
    gray step.  The curve counts as clipped when the fitted peak (offset included) exceeds
    the top by more than ``steps`` times the step from the top to the next lower value
    (and by :data:`FLAT_TOP_FLOOR` of the top), or when the flat top lies far above the fitted
    peak (by more than :data:`FLAT_TOP_ABOVE` of the top or three steps: a plateau the bolus
    cannot explain, such as a saturated artefact), or when no value lies within that fraction
    below the top (a quantised peak has its neighbours one step down).  A quantised peak
    lies between the two
    (its fitted peak was 0.91 to 1.035 times the top in the measurements below).  A curve
    whose fit gives no peak stays flagged.

    Measured on simulated lognormal curves (8-bit display over 60 dB, 120 s; 3,000
    unclipped and 600 clipped curves per condition, at 2 and 10 frames per second and 30,
    100 and 1,000 speckle cells): unclipped curves flagged fell from up to 8.5% (shape
    alone, 2 fps, 1,000 cells) to at most 0.03%; of curves saturated for 4 frames or more,
    81-94% stay flagged (91-99% by shape alone).  The clipped curves that are let through
    are those whose fitted peak lies less than 0.7 gray steps (about 4% at 60 dB over 255
    levels) above the flat top: the clip removes little of their peak.

    Parameters
    ----------
    y : numpy.ndarray, shape (n_curves, n_frames)
        The flat-topped curves.
    fitted_peak : numpy.ndarray, shape (n_curves,)
        The fitted curve's highest value, baseline included (``pe + offset``).
    steps : float
        Threshold in quantisation steps.

    Returns
    -------
    numpy.ndarray of bool, shape (n_curves,)
        Whether each curve counts as clipped.

    Examples
    --------
    >>> y = np.array([[0.1, 0.5, 0.68, 0.7, 0.7, 0.7, 0.7, 0.66, 0.3]] * 3)
    >>> confirm_flat_top(y, np.array([0.95, 0.705, 0.3])).tolist()
    [True, False, True]
    >>> lone = np.array([[0.1, 0.2, 1.0, 1.0, 1.0, 1.0, 0.1]])  # nothing just below the top
    >>> confirm_flat_top(lone, np.array([1.0])).tolist()
    [True]
    """
    top = y.max(axis=1)
    below = np.where(y < top[:, None], y, -np.inf).max(axis=1)
    step = np.where(np.isfinite(below), (top - below) / np.abs(top), 0.0)
    margin = np.maximum(steps * step, FLAT_TOP_FLOOR)
    below_by = np.maximum(3 * step, FLAT_TOP_ABOVE)
    with np.errstate(invalid="ignore"):
        above = fitted_peak > top * (1 + margin)
        far_below = fitted_peak < top * (1 - below_by)
        isolated = step > FLAT_TOP_ABOVE
        return ~np.isfinite(fitted_peak) | above | far_below | isolated


def clipped_by_level(
    highest: np.ndarray,
    lowest: np.ndarray,
    *,
    saturation: float | None,
    truncation: float | None,
) -> np.ndarray:
    """Curves whose largest frame reaches ``saturation`` or smallest ``truncation``.

    Parameters
    ----------
    highest, lowest : numpy.ndarray, shape (n_curves,)
        Each curve's largest and smallest frame.
    saturation, truncation : float or None
        The levels; ``None`` leaves that side unchecked.

    Returns
    -------
    numpy.ndarray of bool, shape (n_curves,)
        Whether each curve reaches either level.

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

    Parameters
    ----------
    masks : dict of str to numpy.ndarray
        One boolean array per flag name, shape ``(n_curves,)``.

    Returns
    -------
    list of str
        One text per curve, ``""`` for a clean curve.

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

    Parameters
    ----------
    masks : dict of str to numpy.ndarray
        One boolean array per flag name, shape ``(n_curves,)``.
    converged : numpy.ndarray of bool, shape (n_curves,)
        Whether each fit converged.

    Returns
    -------
    dict of str to numpy.ndarray
        ``flag_<name>`` per flag of :data:`FLAG_REGISTRY`, and ``analysable``.

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
