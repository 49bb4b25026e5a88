"""Writing cohort tables as CSV with a fixed, machine-independent number format."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ceuslib.cohort.dictionary import DICTIONARY_PATH, FILES, columns
from ceuslib.outputs import Target, folder_target, staged_folder

DECIMALS = {"ls_ratio": 2, "intensity": 5}
"""Decimals written per number column; every other number column gets one decimal."""


def format_table(table: pd.DataFrame, file: str) -> str:
    """The CSV text of one table: dictionary column order, fixed decimals, ``\\n`` endings.

    Examples
    --------
    >>> frame = pd.DataFrame({"node_id": ["A-N1"], "time_s": [0.5], "intensity": [1 / 3],
    ...                       "unit": ["linear"]})
    >>> print(format_table(frame, "tics.csv"), end="")
    node_id,time_s,intensity,unit
    A-N1,0.5,0.33333,linear
    """
    specs = columns(file)
    missing = [name for name in specs if name not in table.columns]
    if missing:
        raise ValueError(f"{file}: the table lacks the columns {', '.join(missing)}")
    out = {}
    for name, spec in specs.items():
        values = table[name]
        if spec.type == "number":
            out[name] = _fixed(values.to_numpy(dtype=float), DECIMALS.get(name, 1))
        elif spec.type == "integer":
            out[name] = values.map(lambda v: "" if pd.isna(v) else str(int(v)))
        else:
            out[name] = values.astype(object).where(values.notna(), "")
    frame = pd.DataFrame(out, columns=list(specs))
    return frame.to_csv(index=False, lineterminator="\n")


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
    """Write ``{file name: table}``, the data dictionary and ``extra`` files as one output folder.

    The folder follows the output contract of :mod:`ceuslib.outputs`: it is written whole
    under a partial name and then put in place, and it carries the marker
    ``.ceuslib-output`` listing its files.  ``directory`` must be new or empty, or (with
    ``force``) an earlier cohort written by ceuslib that holds nothing else; the command line
    passes a :class:`~ceuslib.outputs.Target` it has checked.

    Parameters
    ----------
    tables : dict
        The four tables, by file name.
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
    with staged_folder(target) as staged:
        for file in FILES:
            staged.write(file, format_table(tables[file], file))
        staged.write("data_dictionary.csv", DICTIONARY_PATH.read_bytes())
        for name, text in (extra or {}).items():
            staged.write(name, text)
    return target.path


def normalize(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """The table with the dtypes :func:`ceuslib.cohort.read_cohort` gives.

    Text columns become pandas strings with ``NaN`` for missing values, integer columns
    ``int64`` and number columns ``float64``; columns keep the dictionary's order.
    """
    out = {}
    for name, spec in columns(file).items():
        values = table[name]
        if spec.type == "integer":
            out[name] = values.astype(np.int64)
        elif spec.type == "number":
            out[name] = values.astype(float)
        elif isinstance(values.dtype, pd.StringDtype):
            out[name] = values
        else:
            text = values.astype(object).where(values.notna(), np.nan)
            out[name] = pd.Series(text, index=table.index, dtype="str")
    return pd.DataFrame(out, index=table.index)
