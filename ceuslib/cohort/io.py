"""Writing cohort tables as CSV with a fixed, machine-independent number format."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ceuslib.cohort.datapackage import datapackage_json
from ceuslib.cohort.dictionary import DICTIONARY_PATH, FILES, REQUIRED_FILES, columns
from ceuslib.outputs import Target, folder_target, staged_folder

DECIMALS = {"ls_ratio": 2, "intensity": 5, "mechanical_index": 2, "saturation_level": 5}
"""Decimals written per number column; every other number column gets one decimal."""

EXACT_FILES = ("parameters.csv",)
"""Files whose numbers are written in full (the shortest text that reads back as the same
number): parameters another program computed keep the digits it gave."""


def format_table(table: pd.DataFrame, file: str) -> str:
    """The CSV text of one table: dictionary column order, fixed decimals, ``\\n`` endings.

    Every required column must be in ``table``; an optional column is written when present.
    Dates are written ``YYYY-MM-DD``.

    Examples
    --------
    >>> frame = pd.DataFrame({"node_id": ["A-N1"], "time_s": [0.5], "intensity": [1 / 3],
    ...                       "unit": ["linear"]})
    >>> print(format_table(frame, "tics.csv"), end="")
    node_id,time_s,intensity,unit
    A-N1,0.5,0.33333,linear
    """
    specs = written_columns(table, file)
    out = {}
    for name, spec in specs.items():
        values = table[name]
        if spec.type == "date":
            dates = pd.to_datetime(values)
            out[name] = dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), "")
        elif spec.type == "number" and file in EXACT_FILES:
            out[name] = _exact(values.to_numpy(dtype=float))
        elif spec.type == "number":
            out[name] = _fixed(values.to_numpy(dtype=float), DECIMALS.get(name, 1))
        elif spec.type == "integer":
            out[name] = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
        else:
            out[name] = values.astype(object).where(values.notna(), "")
    frame = pd.DataFrame(out, columns=list(specs))
    return frame.to_csv(index=False, lineterminator="\n")


def written_columns(table: pd.DataFrame, file: str) -> dict:
    """The dictionary's columns of ``file`` that ``table`` holds; a required one missing raises."""
    specs = columns(file)
    missing = [name for name, spec in specs.items() if name not in table and not spec.optional]
    if missing:
        raise ValueError(f"{file}: the table lacks the columns {', '.join(missing)}")
    return {name: spec for name, spec in specs.items() if name in table}


def _exact(values: np.ndarray) -> np.ndarray:
    return np.array(["" if np.isnan(v) else repr(float(v)) for v in values], dtype=object)


def _fixed(values: np.ndarray, decimals: int) -> np.ndarray:
    text = np.char.mod(f"%.{decimals}f", values).astype(object)
    text[np.isnan(values)] = ""
    negative_zero = "-0." + "0" * decimals
    text[text == negative_zero] = negative_zero[1:]
    return text


def write_tables(
    tables: dict[str, pd.DataFrame],
    directory: str | os.PathLike | Target,
    *,
    force: bool = False,
    extra: dict[str, str] | None = None,
) -> Path:
    """Write ``{file name: table}``, the data dictionary, its Frictionless Data Package
    (``datapackage.json``, :mod:`ceuslib.cohort.datapackage`) and ``extra`` files as one
    output folder.

    The folder follows the output contract of :mod:`ceuslib.outputs`: it is written whole
    under a partial name and then put in place, and it carries the marker
    ``.ceuslib-output`` listing its files.  ``directory`` must be new or empty, or (with
    ``force``) an earlier cohort written by ceuslib that holds nothing else; the command line
    passes a :class:`~ceuslib.outputs.Target` it has checked.

    Parameters
    ----------
    tables : dict
        The tables by file name: every required file, and the optional files the study has
        (a file left out, or ``None``, is not written).
    directory : path-like or Target
        The folder to write.
    force : bool
        Replace an earlier cohort written by ceuslib.
    extra : dict, optional
        More files, ``{name: text}`` (``simulate`` adds its README).

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    ceuslib.outputs.OutputError
        When ``directory`` may not be written (the message says why) or writing fails.
    """
    if isinstance(directory, Target):
        target = directory
    else:
        target = folder_target(directory, kind="cohort", force=force)
    missing = [file for file in REQUIRED_FILES if tables.get(file) is None]
    if missing:
        raise ValueError(f"a cohort needs the files {', '.join(missing)}")
    present = {file: tables[file] for file in FILES if tables.get(file) is not None}
    with staged_folder(target) as staged:
        for file, table in present.items():
            staged.write(file, format_table(table, file))
        staged.write("data_dictionary.csv", DICTIONARY_PATH.read_bytes())
        staged.write(
            "datapackage.json",
            datapackage_json({file: list(written_columns(t, file)) for file, t in present.items()}),
        )
        for name, text in (extra or {}).items():
            staged.write(name, text)
    return target.path


def normalize(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """The table with the dtypes :func:`ceuslib.cohort.read_cohort` gives.

    Text columns become pandas strings with ``NaN`` for missing values, integer columns
    ``int64`` (``float64`` when a value is missing), number columns ``float64`` and date
    columns ``datetime64[s]``; columns keep the dictionary's order, and an optional column
    the table lacks is added as missing values (``roi`` as ``node``).
    """
    out = {}
    for name, spec in columns(file).items():
        values = table[name] if name in table else absent_column(spec, table.index)
        if spec.type == "integer":
            values = values.astype(float)
            out[name] = values if values.isna().any() else values.astype(np.int64)
        elif spec.type == "date":
            out[name] = pd.to_datetime(values).astype("datetime64[s]")
        elif spec.type == "number":
            out[name] = values.astype(float)
        elif isinstance(values.dtype, pd.StringDtype):
            out[name] = values
        else:
            text = values.astype(object).where(values.notna(), np.nan)
            out[name] = pd.Series(text, index=table.index, dtype="str")
    return pd.DataFrame(out, index=table.index)


def absent_column(spec, index: pd.Index) -> pd.Series:
    """The values an optional column left out of a file reads as."""
    if spec.name == "roi":
        return pd.Series("node", index=index, dtype="str")
    if spec.type in ("integer", "number"):
        return pd.Series(np.nan, index=index, dtype=float)
    if spec.type == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
    return pd.Series(np.nan, index=index, dtype="str")
