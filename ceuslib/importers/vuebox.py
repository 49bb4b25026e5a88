"""Per-ROI parameter exports of quantification programs (VueBox and the like) as a study table.

:func:`read_vuebox_export` reads a CSV export with one row per region of interest and maps
VueBox's parameter names (PE, WiAUC, RT, mTTl, TTP, WiR, WiPI, WoAUC, WiWoAUC, FT, WoR,
QOF; the outputs listed by the open re-implementation of VueBox's parameters in MITK and by
the replication repository of Bassaganyas et al. 2025, see ``ceus-domain.md`` section 1.3)
onto the columns of ``parameters.csv``.

What it accepts: any case, unit suffixes in brackets or parentheses (``PE [a.u.]``,
``TTP (s)``, ``TTP [ms]``, converted to seconds), ``,``, ``;`` or tab separators with decimal
commas in ``;`` files (European installations), UTF-8 with a byte-order mark.  Besides the
parameters the export has one column of ROI labels (``ROI``, ``ROI name``, ``Region``,
``Label`` or ``Name``), and may have ``Area`` (the ROI's area, not a perfusion parameter:
ignored) and a note column (``Flag``, ``Note`` or ``Comment``: a row with a note is not
analysable).  Any other column is refused, so that no parameter is taken under a wrong name.

ROI labels become ``node_id`` and ``roi`` through a mapping (a dict, or a CSV file with the
columns ``label,node_id,roi``) or, by default, the label pattern :data:`LABEL_PATTERN`: the
label is the node's id, followed by ``ref`` or ``reference`` for the reference region of the
same clip (``P001-N1``, ``P001-N1 ref``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ceuslib.cohort.csvread import read_raw
from ceuslib.cohort.dictionary import columns
from ceuslib.cohort.parameter_rules import check_parameters
from ceuslib.cohort.parameters import PARAMETER_COLUMNS
from ceuslib.cohort.validation import Problems
from ceuslib.errors import DataError, Problem

__all__ = ["LABEL_PATTERN", "VUEBOX_NAMES", "read_roi_map", "read_vuebox_export"]

VUEBOX_NAMES = {
    "pe": "pe",
    "wiauc": "wiauc",
    "rt": "rt",
    "mttl": "mttl",
    "mtti": "mttl",  # the capital I of "mTTI" in the replication repository's tables
    "ttp": "ttp",
    "wir": "wir",
    "wipi": "wipi",
    "woauc": "woauc",
    "wiwoauc": "wiwoauc",
    "ft": "ft",
    "wor": "wor",
    "qof": "qof",
    "mtt": "mtt",
}
"""VueBox's parameter names (lower case, without spaces) -> the columns of ``parameters.csv``."""

LABEL_PATTERN = r"(?P<node_id>.+?)(?:[ _-]+(?P<roi>ref|reference))?"
"""The default ROI label: the node's id, then ``ref`` or ``reference`` (any case) for the
reference region of the clip."""

_LABEL_NAMES = ("roi", "roiname", "roilabel", "region", "label", "name")
_NOTE_NAMES = ("flag", "note", "comment")
_IGNORED = ("area",)
_MISSING = ("", "nan", "-", "n/a", "na")

_AMPLITUDE = {"": 1.0, "au": 1.0, "ua": 1.0}
_INTEGRAL = {"": 1.0, "aus": 1.0, "uas": 1.0}
_RATE = {"": 1.0, "au/s": 1.0, "ua/s": 1.0}
_TIME = {"": 1.0, "s": 1.0, "sec": 1.0, "ms": 0.001}
_UNITS = {
    "pe": _AMPLITUDE,
    "wipi": _AMPLITUDE,
    "wiauc": _INTEGRAL,
    "woauc": _INTEGRAL,
    "wiwoauc": _INTEGRAL,
    "wir": _RATE,
    "wor": _RATE,
    "rt": _TIME,
    "mttl": _TIME,
    "ttp": _TIME,
    "ft": _TIME,
    "mtt": _TIME,
    "qof": {"": 1.0, "%": 1.0},
}
_UNIT_WORDS = {
    id(_AMPLITUDE): "a.u. (linear echo-power)",
    id(_INTEGRAL): "a.u.*s",
    id(_RATE): "a.u./s",
    id(_TIME): "s or ms",
}
_HEADER = re.compile(r"\s*(?P<name>[^\[\(]*?)\s*(?:[\[\(](?P<unit>[^\]\)]*)[\]\)])?\s*")


def _split_header(header: str) -> tuple[str, str]:
    """``(name, unit)`` of a header, both normalised (lower case, no spaces, dots or ``*``)."""
    match = _HEADER.fullmatch(header)
    name, unit = (match["name"], match["unit"] or "") if match else (header, "")
    squeeze = str.maketrans("", "", " ._-*\u00b7\u22c5x")
    return name.lower().translate(squeeze), unit.lower().replace(" ", "").translate(
        str.maketrans("", "", ".*\u00b7\u22c5")
    )


def read_roi_map(path: str | os.PathLike[str]) -> dict[str, tuple[str, str]]:
    """A mapping file of ROI labels: CSV with the columns ``label,node_id,roi``.

    Parameters
    ----------
    path : path-like
        The file; ``roi`` is ``node`` or ``reference`` (empty means ``node``).

    Returns
    -------
    dict
        ``{label: (node_id, roi)}``.

    Raises
    ------
    ceuslib.errors.DataError
        Naming the file, row and column of each problem.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "rois.csv"
    >>> _ = path.write_text("label,node_id,roi\\nROI 1,P001-N1,node\\nROI 2,P001-N1,reference\\n")
    >>> read_roi_map(path)
    {'ROI 1': ('P001-N1', 'node'), 'ROI 2': ('P001-N1', 'reference')}
    """
    path = Path(path)
    raw, problems = read_raw(path, path.name)
    if raw is None:
        raise DataError(problems)
    frame = raw.frame
    missing = [c for c in ("label", "node_id") if c not in frame]
    if missing:
        raise DataError([Problem(path.name, "needs the columns label, node_id and roi", row=0)])
    out: dict[str, tuple[str, str]] = {}
    for row, record in frame.iterrows():
        label, node = record["label"], record["node_id"]
        roi = record.get("roi", "") or "node"
        if not label or not node:
            problems.append(Problem(path.name, "label and node_id must not be empty", row=row))
        elif roi not in ("node", "reference"):
            problems.append(
                Problem(path.name, "must be node or reference", row=row, column="roi", value=roi)
            )
        elif label in out:
            problems.append(
                Problem(path.name, "label appears twice", row=row, column="label", value=label)
            )
        else:
            out[label] = (node, roi)
    if problems:
        raise DataError(problems)
    return out


def read_vuebox_export(
    path: str | os.PathLike[str],
    *,
    roi_map: Mapping[str, str | tuple[str, str]] | str | os.PathLike[str] | None = None,
    label_pattern: str = LABEL_PATTERN,
) -> pd.DataFrame:
    """Read a per-ROI parameter export as the rows of ``parameters.csv``.

    Parameters
    ----------
    path : path-like
        The export (CSV, one row per region of interest).
    roi_map : mapping or path-like, optional
        ``{label: node_id}`` or ``{label: (node_id, roi)}``, or a CSV file of them
        (:func:`read_roi_map`).  Without it, labels are read with ``label_pattern``.
    label_pattern : str
        A regular expression with the groups ``node_id`` and (optional) ``roi`` that a
        whole label must match; ``roi`` ``ref`` or ``reference`` (any case) marks the
        reference region.

    Returns
    -------
    pandas.DataFrame
        ``node_id, roi``, the parameters in the library's names (:data:`PARAMETER_COLUMNS`,
        then ``mtt`` if the export has it) in seconds, a.u. and percent, and ``flag`` if the
        export has a note column; indexed by the export's data row (1-based).

    Raises
    ------
    ceuslib.errors.DataError
        Listing every problem with the file, row and column: a column that is neither a
        known parameter nor a label, note or area column, a unit that does not fit its
        parameter, a parameter missing, no label column, a label that is empty or not in the
        map or pattern, a value that is not a number, out of range, negative where echo-power
        cannot be, a positive wash-out rate, a region given twice.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> names = "ROI;PE [a.u.];WiAUC [a.u.*s];RT [s];mTTl [s];TTP [s];WiR [a.u./s];"
    >>> names += "WiPI [a.u.];WoAUC [a.u.*s];WiWoAUC [a.u.*s];FT [s];WoR [a.u./s];QOF [%]"
    >>> row = "P001-N1;0,31;2,1;6,8;11,3;22,0;0,05;0,045;5,9;8,0;14,2;-0,02;94,1"
    >>> _ = path.write_text(names + "\\n" + row + "\\n" + row.replace("N1", "N1 ref") + "\\n")
    >>> table = read_vuebox_export(path)
    >>> table[["node_id", "roi", "pe", "ttp", "wor", "qof"]]
         node_id        roi    pe   ttp   wor   qof
    row
    1    P001-N1       node  0.31  22.0 -0.02  94.1
    2    P001-N1  reference  0.31  22.0 -0.02  94.1
    """
    path = Path(path)
    name = path.name
    raw, problems = read_raw(path, name)
    if raw is None:
        raise DataError(problems)
    out = Problems()
    out.extend(problems)
    frame = raw.frame
    found: dict[str, str] = {}  # column of parameters.csv -> export header
    scale: dict[str, float] = {}
    label_column = note_column = None
    for header in frame.columns:
        base, unit = _split_header(header)
        if base in VUEBOX_NAMES:
            target = VUEBOX_NAMES[base]
            units = _UNITS[target]
            if target in found:
                out.add(name, f"a second column for {target} ({found[target]!r})", 0, header)
            elif unit not in units:
                out.add(
                    name,
                    f"unit {unit!r} does not fit this parameter; expected {_unit_words(units)}",
                    0,
                    header,
                )
            else:
                found[target] = header
                scale[target] = units[unit]
        elif base in _LABEL_NAMES and label_column is None:
            label_column = header
        elif base in _NOTE_NAMES and note_column is None:
            note_column = header
        elif base not in _IGNORED:
            out.add(
                name,
                "unknown column: expected a VueBox parameter (PE, WiAUC, RT, mTTl, TTP, WiR, "
                "WiPI, WoAUC, WiWoAUC, FT, WoR, QOF, optionally mTT), a ROI label column (ROI, "
                "Region, Label), a note (Flag, Note, Comment) or Area",
                0,
                header,
            )
    absent = [p for p in PARAMETER_COLUMNS if p not in found]
    if absent:
        out.add(name, f"the export lacks the parameters {', '.join(absent)}", 0)
    if label_column is None:
        out.add(name, "no ROI label column (ROI, ROI name, Region, Label or Name)", 0)
    if len(frame) == 0:
        out.add(name, "has no data rows")
    if out.result():
        raise DataError(out.result())
    table = pd.DataFrame(index=frame.index)
    table["node_id"], table["roi"] = _node_and_roi(
        frame, label_column, roi_map, label_pattern, name, out
    )
    for target in [*PARAMETER_COLUMNS, "mtt"]:
        if target in found:
            table[target] = _numbers(frame, found[target], raw.decimal_comma, name, out)
            table[target] *= scale[target]
            _check_range(table, target, found[target], name, out)
    if note_column is not None:
        table["flag"] = frame[note_column].astype(str).str.strip()
    if not out.result():
        rules = Problems()
        check_parameters(table, None, rules)
        for problem in rules.result():
            column = found.get(problem.column, label_column)
            out.add(name, problem.rule, problem.row, column, problem.value)
    if out.result():
        raise DataError(out.result())
    return table


def _unit_words(units: dict) -> str:
    return _UNIT_WORDS.get(id(units), "%")


def _node_and_roi(frame, column, roi_map, pattern, name, out: Problems):
    labels = frame[column].astype(str).str.strip()
    if roi_map is not None and not isinstance(roi_map, Mapping):
        roi_map = read_roi_map(roi_map)
    regex = re.compile(pattern, flags=re.IGNORECASE)
    nodes, rois = [], []
    for row, label in labels.items():
        node, roi = None, "node"
        if not label:
            out.add(name, "the ROI label must not be empty", int(row), column)
        elif roi_map is not None:
            entry = roi_map.get(label)
            if entry is None:
                out.add(name, "ROI label not in the ROI map", int(row), column, label)
            else:
                node, roi = (entry, "node") if isinstance(entry, str) else entry
        else:
            match = regex.fullmatch(label)
            if match is None or not match.group("node_id"):
                out.add(name, f"ROI label does not match {pattern}", int(row), column, label)
            else:
                node = match.group("node_id")
                given = match.groupdict().get("roi")
                roi = "reference" if given else "node"
        nodes.append(node)
        rois.append(roi)
    return nodes, rois


def _numbers(frame, header, decimal_comma, name, out: Problems) -> np.ndarray:
    text = frame[header].astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING).to_numpy()
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(~missing, None), errors="coerce").to_numpy(dtype=float)
    bad = ~missing & ~np.isfinite(values)
    mark = "," if decimal_comma else "."
    for row in frame.index[bad]:
        out.add(name, f"must be a number (decimal mark '{mark}')", int(row), header, text[row])
    return np.where(bad, np.nan, values)


def _check_range(table, target, header, name, out: Problems) -> None:
    limits = columns("parameters.csv")[target].value_range
    if limits is None:
        return
    low, high = limits
    values = table[target].to_numpy(dtype=float)
    outside = np.isfinite(values) & ((values < low) | (values > high))
    for row in table.index[outside]:
        out.add(
            name,
            f"out of range: must lie in {low:g} to {high:g} s (milliseconds? name the unit, "
            f"e.g. '{header.split('[')[0].strip()} [ms]')",
            int(row),
            header,
            float(table.at[row, target]),
        )
