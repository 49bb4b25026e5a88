"""The :class:`Cohort` container."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ceuslib.cohort.io import write_tables


@dataclass(frozen=True, repr=False)
class Cohort:
    """The tables of a study: screening log, patients, target nodes, curves and protocol records.

    Attributes
    ----------
    screening : pandas.DataFrame or None
        One row per referral (``screening.csv``); ``None`` when the study has no screening log.
    patients : pandas.DataFrame
        One row per enrolled patient (``patients.csv``).
    nodes : pandas.DataFrame
        One row per CEUS target node (``nodes.csv``).
    tics : pandas.DataFrame
        The nodes' own time-intensity curves (``roi`` is ``node``) in long format, one row per
        frame; no rows when the study has no curves.
    reference_tics : pandas.DataFrame or None
        The reference-region curves of the same clips (``roi`` is ``reference``), same
        columns; ``tics.csv`` holds both.
    parameters : pandas.DataFrame or None
        Perfusion parameters another program computed, one row per node and region of
        interest (``parameters.csv``, e.g. from ``ceuslib import-parameters``); ``None``
        when the study has no such file.
    neck_sides, readers, readings, examinations : pandas.DataFrame or None
        ``neck_sides.csv`` (pathology per side of the neck), ``readers.csv``,
        ``readings.csv`` (every reader's readings) and ``examinations.csv`` (acquisition
        records); ``None`` when the study does not have the file.

    The columns are described in ``data_dictionary.csv``
    (:func:`ceuslib.cohort.data_dictionary`); an optional column a study left out is there
    with missing values.

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
    ['.ceuslib-output', 'data_dictionary.csv', 'datapackage.json', 'examinations.csv',
     'neck_sides.csv', 'nodes.csv', 'patients.csv', 'readers.csv', 'readings.csv',
     'screening.csv', 'tics.csv']
    True
    """

    screening: pd.DataFrame | None
    patients: pd.DataFrame
    nodes: pd.DataFrame
    tics: pd.DataFrame
    reference_tics: pd.DataFrame | None = field(default=None)
    parameters: pd.DataFrame | None = field(default=None)
    neck_sides: pd.DataFrame | None = field(default=None)
    readers: pd.DataFrame | None = field(default=None)
    readings: pd.DataFrame | None = field(default=None)
    examinations: pd.DataFrame | None = field(default=None)

    def __repr__(self) -> str:
        curves = self.tics["node_id"].nunique() if len(self.tics) else 0
        referrals = (
            "no screening log" if self.screening is None else (f"{len(self.screening)} referrals")
        )
        imported = "" if self.parameters is None else f", {len(self.parameters)} ROI parameter rows"
        return (
            f"Cohort({referrals}, {len(self.patients)} patients, "
            f"{len(self.nodes)} nodes, {curves} curves{imported})"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables by file name, in the dictionary's order.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``{file name: table}`` for the files the study has: ``tics.csv`` holds the node
            curves and then the reference-region curves, and is left out when the study has
            no curves; an optional file the study does not have is left out.
        """
        curves = [t for t in (self.tics, self.reference_tics) if t is not None and len(t)]
        out = {
            "screening.csv": self.screening,
            "patients.csv": self.patients,
            "nodes.csv": self.nodes,
            "tics.csv": pd.concat(curves, ignore_index=True) if curves else None,
            "parameters.csv": self.parameters,
            "neck_sides.csv": self.neck_sides,
            "readers.csv": self.readers,
            "readings.csv": self.readings,
            "examinations.csv": self.examinations,
        }
        return {name: table for name, table in out.items() if table is not None}

    def write(self, directory: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the study's files as a new folder.

        The folder holds the study's CSV files, ``data_dictionary.csv`` and
        ``datapackage.json``.  Numbers are written with a fixed number of decimals (see
        ``ceuslib.cohort.io.DECIMALS``), so the same cohort gives the same bytes on
        any machine.  The folder follows the output contract of :mod:`ceuslib.outputs`
        (``ceuslib.cohort.io.write_tables``): written whole or not at all, and never
        over files ceuslib did not write.

        Parameters
        ----------
        directory : str or os.PathLike
            The folder to write; it must be new or empty, or (with ``force``) an earlier
            cohort written by ceuslib that holds nothing else.
        force : bool
            Replace an earlier cohort written by ceuslib.

        Returns
        -------
        pathlib.Path
            The folder written.

        Raises
        ------
        ceuslib.outputs.OutputError
            When ``directory`` may not be written (the message says why) or writing fails.
        """
        return write_tables(self.tables(), directory, force=force)

    def summary(self) -> dict:
        """Headline figures of the study.

        Returns
        -------
        dict
            ``referrals`` (int, ``None`` without a screening log), ``patients``, ``nodes``,
            ``ceus_imaged_nodes`` (nodes with ``ceus_imaged`` = ``yes``) and ``curves``
            (nodes with a curve), all int; ``pcr_rate`` and ``residual_nodal_disease_rate``,
            the fractions (0 to 1, float) of patients with ``pcr`` and with
            ``residual_nodal_disease`` = ``yes``.
        """
        return dict(
            {
                "referrals": None if self.screening is None else len(self.screening),
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
