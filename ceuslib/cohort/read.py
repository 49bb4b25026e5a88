"""``read_cohort``: read and validate a folder of cohort files."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

from ceuslib.cohort import curve_rules, parameter_rules, protocol_rules, rules
from ceuslib.cohort.csvread import read_raw
from ceuslib.cohort.dictionary import FILES, REQUIRED_FILES, columns
from ceuslib.cohort.io import absent_column, normalize
from ceuslib.cohort.model import Cohort
from ceuslib.cohort.validation import Problems, check_columns, check_references
from ceuslib.errors import CohortWarning, DataError, Problem
from ceuslib.outputs import shown

__all__ = ["CohortWarning", "read_cohort"]


def read_cohort(directory: str | os.PathLike) -> Cohort:
    """Read a study's files and check them against the data dictionary and the rules.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder holding ``patients.csv`` and ``nodes.csv`` and any of the optional files
        (``screening.csv``, ``tics.csv``, ``parameters.csv``, ``neck_sides.csv``,
        ``readers.csv``, ``readings.csv``, ``examinations.csv``; see
        :data:`~ceuslib.cohort.dictionary.FILE_SPECS`).  A ``data_dictionary.csv`` or
        ``datapackage.json`` there is ignored: the package's dictionary is the one that
        applies.

    Returns
    -------
    Cohort
        Text columns as strings (missing values ``NaN``), integers as ``int64``, numbers as
        ``float64``, dates as ``datetime64[s]``, rows in file order with a fresh index.  An
        optional column the files leave out is there as missing values (``roi`` as
        ``node``); a file the study does not have is ``None`` (``tics`` then has no rows).

    Raises
    ------
    DataError
        Listing every problem found in every file (file, row, column, value, rule): a
        missing file or column, text that is not UTF-8, a row with the wrong number of
        fields, an empty required value, an unknown category code, a value that is not a
        number or lies out of range, a duplicated id, a node or curve whose patient or node
        is missing, inconsistent pathology (per node, side and patient), dates out of order
        or implausibly far apart, readings that contradict the primary reading, a curve
        whose time does not increase, mixed intensity units, intensities impossible for
        the examination's display, a second row of parameters for one region, parameters of a
        node not examined with CEUS.

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
        tables[file] = None
        if not path.is_file():
            if path.is_dir():
                out.add(file, "is a folder, not a file")
            elif os.path.lexists(path):
                out.add(file, "is not a regular file")
            elif file in REQUIRED_FILES:
                out.add(file, f"file is missing from {shown(folder)}")
            continue
        raw, problems = read_raw(path, file)
        out.extend(problems)
        if raw is None:
            continue
        typed, extra = check_columns(file, raw.frame, raw.decimal_comma, out)
        for column in extra:
            warnings.warn(
                f"{file}: column {column!r} is not in the data dictionary; kept, not checked",
                CohortWarning,
                stacklevel=2,
            )
        if file not in ("tics.csv", "parameters.csv") and len(typed) == 0:  # see their rules
            out.add(file, "has no data rows")
        tables[file] = _complete(typed, file)
    check_references({k: v for k, v in tables.items() if v is not None}, out)
    rules.check_screening(tables["screening.csv"], out)
    rules.check_patients(tables["patients.csv"], tables["screening.csv"], out)
    rules.check_nodes(tables["nodes.csv"], tables["patients.csv"], out)
    protocol_rules.check_protocol(tables, out)
    curve_rules.check_tics(
        tables["tics.csv"], tables["nodes.csv"], out, examinations=tables["examinations.csv"]
    )
    parameter_rules.check_parameters(tables["parameters.csv"], tables["nodes.csv"], out)
    problems = out.result()
    if problems:
        raise DataError(problems)
    return _cohort(tables)


def _complete(typed: pd.DataFrame, file: str) -> pd.DataFrame:
    """The table with every optional column it lacks, as missing values, in dictionary order."""
    specs = columns(file)
    for name, spec in specs.items():
        if name not in typed and spec.optional:
            typed[name] = absent_column(spec, typed.index)
    order = [n for n in specs if n in typed] + [c for c in typed.columns if c not in specs]
    return typed[order]


def _cohort(tables: dict[str, pd.DataFrame | None]) -> Cohort:
    def fresh(table):
        return None if table is None else table.reset_index(drop=True)

    tics = tables["tics.csv"]
    if tics is None:
        tics = normalize(pd.DataFrame({name: [] for name in columns("tics.csv")}), "tics.csv")
    reference = tics["roi"] == "reference"
    return Cohort(
        screening=fresh(tables["screening.csv"]),
        patients=fresh(tables["patients.csv"]),
        nodes=fresh(tables["nodes.csv"]),
        tics=fresh(tics[~reference]),
        reference_tics=fresh(tics[reference]) if reference.any() else None,
        parameters=fresh(tables["parameters.csv"]),
        neck_sides=fresh(tables["neck_sides.csv"]),
        readers=fresh(tables["readers.csv"]),
        readings=fresh(tables["readings.csv"]),
        examinations=fresh(tables["examinations.csv"]),
    )
