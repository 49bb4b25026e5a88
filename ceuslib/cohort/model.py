"""The :class:`Cohort` container."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ceuslib.cohort.io import write_tables


@dataclass(frozen=True, repr=False)
class Cohort:
    """The four tables of a study: screening log, patients, target nodes, CEUS curves.

    Attributes
    ----------
    screening : pandas.DataFrame
        One row per referral (``screening.csv``).
    patients : pandas.DataFrame
        One row per enrolled patient (``patients.csv``).
    nodes : pandas.DataFrame
        One row per CEUS target node (``nodes.csv``).
    tics : pandas.DataFrame
        Time-intensity curves in long format, one row per frame (``tics.csv``).

    The columns are described in ``data_dictionary.csv``
    (:func:`ceuslib.cohort.data_dictionary`).

    Examples
    --------
    >>> import tempfile
    >>> from ceuslib.cohort import read_cohort, simulate_cohort
    >>> cohort = simulate_cohort(4, seed=11)
    >>> cohort
    Cohort(5 referrals, 4 patients, 7 nodes, 7 curves)
    >>> summary = cohort.summary()
    >>> summary["patients"], summary["nodes"], summary["pcr_rate"]
    (4, 7, 0.5)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = cohort.write(f"{tmp}/study")
    ...     print(sorted(p.name for p in folder.iterdir()))
    ...     print(read_cohort(folder).nodes.equals(cohort.nodes))
    ['.ceuslib-output', 'data_dictionary.csv', 'nodes.csv', 'patients.csv', 'screening.csv',
     'tics.csv']
    True
    """

    screening: pd.DataFrame
    patients: pd.DataFrame
    nodes: pd.DataFrame
    tics: pd.DataFrame

    def __repr__(self) -> str:
        curves = self.tics["node_id"].nunique() if len(self.tics) else 0
        return (
            f"Cohort({len(self.screening)} referrals, {len(self.patients)} patients, "
            f"{len(self.nodes)} nodes, {curves} curves)"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """``{file name: table}`` for the four files."""
        return {
            "screening.csv": self.screening,
            "patients.csv": self.patients,
            "nodes.csv": self.nodes,
            "tics.csv": self.tics,
        }

    def write(self, directory: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the four CSV files and ``data_dictionary.csv`` into the new folder ``directory``.

        Numbers are written with a fixed number of decimals (see
        ``ceuslib.cohort.io.DECIMALS``), so the same cohort gives the same bytes on
        any machine.  The folder follows the output contract of :mod:`ceuslib.outputs`
        (``ceuslib.cohort.io.write_tables``): written whole or not at all, and never
        over files ceuslib did not write; ``force=True`` replaces an earlier cohort.
        """
        return write_tables(self.tables(), directory, force=force)

    def summary(self) -> dict:
        """Headline figures: referrals, patients, nodes, curves, pCR and residual rates."""
        return dict(
            {
                "referrals": len(self.screening),
                "patients": len(self.patients),
                "nodes": len(self.nodes),
                "ceus_imaged_nodes": int((self.nodes["ceus_imaged"] == "yes").sum()),
                "curves": int(self.tics["node_id"].nunique()) if len(self.tics) else 0,
                "pcr_rate": float((self.patients["pcr"] == "yes").mean()),
                "residual_nodal_disease_rate": float(
                    (self.patients["residual_nodal_disease"] == "yes").mean()
                ),
            }
        )
