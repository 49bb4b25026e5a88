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

    def write(self, directory: str | os.PathLike) -> Path:
        """Write the four CSV files and ``data_dictionary.csv`` into ``directory``.

        Numbers are written with a fixed number of decimals (see
        ``ceuslib.cohort.io.DECIMALS``), so the same cohort gives the same bytes on
        any machine.  Nothing is written half-way: the files are staged in a temporary
        folder and renamed into place.
        """
        return write_tables(self.tables(), directory)

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
