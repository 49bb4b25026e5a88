"""``read_cohort``: read and validate a folder of cohort files."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

from ceuslib.cohort import curve_rules, rules
from ceuslib.cohort.csvread import read_raw
from ceuslib.cohort.dictionary import FILES
from ceuslib.cohort.model import Cohort
from ceuslib.cohort.validation import Problems, check_columns, check_references
from ceuslib.errors import CohortWarning, DataError, Problem
from ceuslib.outputs import shown

__all__ = ["CohortWarning", "read_cohort"]


def read_cohort(directory: str | os.PathLike) -> Cohort:
    """Read ``screening.csv``, ``patients.csv``, ``nodes.csv`` and ``tics.csv`` and check them.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder holding the four files (a ``data_dictionary.csv`` there is ignored: the
        package's dictionary is the one that applies).

    Returns
    -------
    Cohort
        Text columns as strings (missing values ``NaN``), integers as ``int64``, numbers as
        ``float64``, rows in file order with a fresh index.

    Raises
    ------
    DataError
        Listing every problem found in every file (file, row, column, value, rule): a
        missing file or column, text that is not UTF-8, a row with the wrong number of
        fields, an empty required value, an unknown category code, a value that is not a
        number or lies out of range, a duplicated id, a node or curve whose patient or node
        is missing, inconsistent pathology, a curve whose time does not increase, mixed
        intensity units.

    Warns
    -----
    CohortWarning
        For each column that is not in the data dictionary (kept, not checked).

    Notes
    -----
    Accepts what exports look like: UTF-8 with a byte-order mark, ``;`` separators with
    decimal commas (spreadsheet programs in many locales), Windows line endings, blank
    lines, spaces around values, extra columns.  Rows are numbered from 1 after the header
    (row 0), as the line number minus one.

    Examples
    --------
    >>> import tempfile
    >>> from ceuslib.cohort import simulate_cohort
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = simulate_cohort(3, seed=1).write(tmp.name + "/study")
    >>> read_cohort(folder)
    Cohort(4 referrals, 3 patients, 3 nodes, 3 curves)
    >>> _ = (folder / "nodes.csv").write_text("node_id,patient_id\\nX-N1,X\\n")
    >>> try:
    ...     read_cohort(folder)
    ... except DataError as error:
    ...     print(error.problems[0])
    nodes.csv, column 'side': column is missing (the data dictionary lists it)
    >>> tmp.cleanup()
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise DataError([Problem(shown(folder), "is not a folder")])
    out = Problems()
    tables: dict[str, pd.DataFrame | None] = {}
    for file in FILES:
        path = folder / file
        if not path.is_file():
            if path.is_dir():
                out.add(file, "is a folder, not a file")
            elif os.path.lexists(path):
                out.add(file, "is not a regular file")
            else:
                out.add(file, f"file is missing from {shown(folder)}")
            tables[file] = None
            continue
        raw, problems = read_raw(path, file)
        out.extend(problems)
        if raw is None:
            tables[file] = None
            continue
        typed, extra = check_columns(file, raw.frame, raw.decimal_comma, out)
        for column in extra:
            warnings.warn(
                f"{file}: column {column!r} is not in the data dictionary; kept, not checked",
                CohortWarning,
                stacklevel=2,
            )
        if file != "tics.csv" and len(typed) == 0:  # tics.csv: see curve_rules
            out.add(file, "has no data rows")
        tables[file] = typed
    check_references({k: v for k, v in tables.items() if v is not None}, out)
    rules.check_screening(tables["screening.csv"], out)
    rules.check_patients(tables["patients.csv"], tables["screening.csv"], out)
    rules.check_nodes(tables["nodes.csv"], tables["patients.csv"], out)
    curve_rules.check_tics(tables["tics.csv"], tables["nodes.csv"], out)
    problems = out.result()
    if problems:
        raise DataError(problems)
    return Cohort(
        **{
            name: tables[f"{name}.csv"].reset_index(drop=True)
            for name in ("screening", "patients", "nodes", "tics")
        }
    )
