"""The side of the neck as the unit of the decision, and the pre-specified primary score.

A surgeon dissects or observes each side of the neck.  :func:`side_level` gives one row per
side with a CEUS call and the side's own pathology (``neck_sides.csv``), so that accuracy and
a spare-the-side policy can be counted per side, clustered by patient.  :func:`primary_score`
names the one quantitative score the analyses pre-specify; every other score is exploratory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.analysis.definitions import CEUS_READING, SCORES, Reading, Score
from ceuslib.analysis.sets import AnalysisSet

PRIMARY_SCORES: tuple[Score, ...] = (
    Score("pe_ratio", "PE ratio to the reference region", "higher", fitted=True),
    next(score for score in SCORES if score.column == "ttp"),
)
"""The pre-specified primary score, with its stated fall-back.  Peak enhancement divided by
that of a reference region of the same clip cancels gain, depth and device (Dietrich et al.
2012; the perfusion chapter), so it is the primary score; a study whose curves carry no
reference region falls back on time to peak, a timing parameter that needs no normalisation.
Every other score is exploratory."""


def primary_score(aset: AnalysisSet) -> Score | None:
    """The first score of :data:`PRIMARY_SCORES` that the study measures.

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.

    Returns
    -------
    Score or None
        The PE ratio when any analysable curve has one, else time to peak when any has
        one; None for a study without analysable curves.

    Examples
    --------
    >>> from ceuslib.analysis import analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> primary_score(analysis_set(simulate_cohort(12, seed=5))).column
    'pe_ratio'
    >>> primary_score(analysis_set(simulate_cohort(12, seed=5, curves=False))) is None
    True
    """
    curves = aset.curve_level()
    for score in PRIMARY_SCORES:
        if score.column in curves and np.isfinite(curves[score.column].astype(float)).any():
            return score
    return None


def side_level(
    aset: AnalysisSet, *, reading: Reading = CEUS_READING, score: Score | None = None
) -> pd.DataFrame:
    """One row per side of the neck with a call of the reading and the side's pathology.

    Parameters
    ----------
    aset : AnalysisSet
        From :func:`ceuslib.analysis.analysis_set`.
    reading : Reading
        The index test (CEUS by default).
    score : Score, optional
        A node score to carry to the side: its most suspicious value over the side's
        nodes of the curve set (the largest for ``direction="higher"``, the smallest for
        ``"lower"``) in the column ``score``.

    Returns
    -------
    pandas.DataFrame
        Sides with a CEUS-examined target node, a reading and a dissected side:
        ``patient_id, side, residual`` (viable tumour on that side, ``neck_sides.csv``),
        ``call`` (``"positive"`` when any read node of the side is, else ``"negative"``),
        ``positive`` (bool), ``n_read`` and, with ``score``, ``score``.  Empty, with these
        columns, when the study has no per-side pathology.

    Notes
    -----
    A side whose examined nodes are all indeterminate has no call and is left out, as at
    patient level.  The sides of one patient share the response to treatment, so analyses
    of this table resample or cluster by ``patient_id``.

    Examples
    --------
    >>> from ceuslib.analysis import analysis_set
    >>> from ceuslib.cohort import simulate_cohort
    >>> sides = side_level(analysis_set(simulate_cohort(30, seed=5)))
    >>> list(sides.columns)
    ['patient_id', 'side', 'residual', 'call', 'positive', 'n_read']
    >>> bool(sides.groupby("patient_id").size().max() <= 2)
    True
    """
    columns = ["patient_id", "side", "residual", "call", "positive", "n_read"]
    if score is not None:
        columns.append("score")
    nodes = aset.nodes
    read = nodes[nodes["readable"] & nodes["side_residual"].notna()]
    if read.empty:
        return pd.DataFrame(columns=columns)
    keys = ["patient_id", "side"]
    grouped = read.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "residual": grouped["side_residual"].first().astype(bool),
            "positive": grouped[f"positive_{reading.key}"].any().astype(bool),
            "n_read": grouped.size().astype(int),
        }
    )
    out["call"] = np.where(out["positive"], "positive", "negative")
    if score is not None:
        curves = read[read["in_curve"]] if "in_curve" in read else read.iloc[:0]
        values = curves.groupby(keys)[score.column] if score.column in curves else None
        if values is None:
            out["score"] = np.nan
        else:
            best = values.max() if score.direction == "higher" else values.min()
            out["score"] = best.reindex(out.index).astype(float)
    return out.reset_index()[columns]


__all__ = ["PRIMARY_SCORES", "primary_score", "side_level"]
