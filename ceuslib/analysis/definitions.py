"""The clinical definitions every analysis shares: index tests, positivity rules, scores.

Each definition is data, stated once, so that the chapters, ``ceuslib report`` and the tests
read the same rule.  Directions are stated before any data are seen, never guessed from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Reading:
    """A categorical index test read per node, and the codes that make it positive.

    Attributes
    ----------
    key : str
        Short name used in code and file names (``"ceus"``).
    label : str
        The name printed in tables (``"CEUS (centripetal filling)"``).
    column : str
        The column of ``nodes.csv`` that holds the reading.
    positive : tuple of str
        Codes read as positive (suspicious for residual tumour).
    indeterminate : tuple of str
        Codes read as neither (excluded from the primary analysis and counted as
        uninterpretable, as STARD 2015 item 24 asks).

    Examples
    --------
    >>> r = Reading("x", "X", "call", positive=("positive",))
    >>> r.calls(pd.DataFrame({"call": ["positive", "negative", None]})).tolist()
    [True, False, False]
    """

    key: str
    label: str
    column: str
    positive: tuple[str, ...]
    indeterminate: tuple[str, ...] = ("indeterminate",)

    def calls(self, nodes: pd.DataFrame) -> pd.Series:
        """Whether each node's reading is positive (missing and indeterminate are not).

        Parameters
        ----------
        nodes : pandas.DataFrame
            Rows of ``nodes.csv`` with this reading's column.

        Returns
        -------
        pandas.Series
            Boolean, aligned with ``nodes``.
        """
        return nodes[self.column].isin(self.positive).astype(bool)

    def interpretable(self, nodes: pd.DataFrame) -> pd.Series:
        """Whether each node has a reading that is neither missing nor indeterminate.

        Parameters
        ----------
        nodes : pandas.DataFrame
            Rows of ``nodes.csv`` with this reading's column.

        Returns
        -------
        pandas.Series
            Boolean, aligned with ``nodes``.
        """
        values = nodes[self.column]
        return (values.notna() & ~values.isin(self.indeterminate)).astype(bool)


CEUS_READING = Reading(
    "ceus",
    "CEUS (centripetal filling)",
    "ceus_direction",
    positive=("centripetal",),
)
"""The qualitative CEUS reading: a node is positive when contrast fills it centripetally, from
the capsule inwards (the pattern of metastatic nodes; benign nodes fill centrifugally from the
hilum, Ling et al. 2020)."""

CT_MRI_READING = Reading("ct_mri", "CT/MRI call", "ct_mri_call", positive=("positive",))
"""The cross-sectional reading after treatment: positive means suspicious for residual disease."""

READINGS: tuple[Reading, ...] = (CEUS_READING, CT_MRI_READING)
"""The readings compared in the accuracy tables, CEUS first."""


@dataclass(frozen=True)
class Score:
    """A quantitative node score and which end of it means residual tumour.

    Attributes
    ----------
    column : str
        Column of the node table (a fitted descriptor or a ``nodes.csv`` column).
    label : str
        The name printed in tables, with its unit.
    direction : {"higher", "lower"}
        ``"higher"`` when larger values mean residual tumour.
    fitted : bool
        Whether the score comes from the perfusion fit (so a node needs an analysable
        curve to have it).
    """

    column: str
    label: str
    direction: str
    fitted: bool


SCORES: tuple[Score, ...] = (
    Score("pe", "Peak enhancement (fitted, a.u.)", "higher", fitted=True),
    Score("wiauc", "Wash-in AUC (fitted, a.u. s)", "higher", fitted=True),
    Score("ttp", "Time to peak (s)", "lower", fitted=True),
    Score("short_axis_mm", "B-mode short axis (mm)", "higher", fitted=False),
)
"""Scores of the ROC table.  Perfusion is expected to stay higher in viable tumour than in a
fibrotic regression bed, malignant nodes peak earlier than benign ones (Dudau et al. 2014), and
larger nodes are more suspicious."""

SUSPICIOUS_CEUS: dict[str, tuple[str, ...]] = {
    "ceus_enhancement": ("iso", "hyper"),
    "ceus_homogeneity": ("heterogeneous",),
    "ceus_direction": ("centripetal",),
    "ceus_perfusion_defect": ("lt50", "ge50"),
    "ceus_ring_enhancement": ("yes",),
}
"""The five suspicious qualitative CEUS features whose count is a node's suspicion score:
centripetal filling and inhomogeneity (Ling et al. 2020), iso- or hyper-enhancement and ring
enhancement (Front Endocrinol 2022), non-enhancing areas read as necrosis."""


def suspicion_score(nodes: pd.DataFrame) -> pd.Series:
    """The number of suspicious CEUS features of each node (NaN where not examined).

    Parameters
    ----------
    nodes : pandas.DataFrame
        Rows of ``nodes.csv`` with ``ceus_imaged`` and the columns of
        :data:`SUSPICIOUS_CEUS`.

    Returns
    -------
    pandas.Series
        Counts from 0 to 5 as floats, aligned with ``nodes``; NaN for a node not examined
        with CEUS.

    Examples
    --------
    >>> nodes = pd.DataFrame({"ceus_imaged": ["yes", "no"],
    ...     "ceus_enhancement": ["hyper", None], "ceus_homogeneity": ["homogeneous", None],
    ...     "ceus_direction": ["centripetal", None], "ceus_perfusion_defect": ["none", None],
    ...     "ceus_ring_enhancement": ["no", None]})
    >>> suspicion_score(nodes).tolist()
    [2.0, nan]
    """
    counts = sum(
        nodes[column].isin(values).astype(int) for column, values in SUSPICIOUS_CEUS.items()
    )
    return counts.astype(float).where(nodes["ceus_imaged"].eq("yes"), np.nan)


__all__ = [
    "CEUS_READING",
    "CT_MRI_READING",
    "READINGS",
    "SCORES",
    "SUSPICIOUS_CEUS",
    "Reading",
    "Score",
    "suspicion_score",
]
