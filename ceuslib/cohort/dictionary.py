"""The data dictionary: the single description of every file and column of a cohort.

``data_dictionary.csv`` (shipped with the package and copied into every cohort folder) lists,
for each file and column, its type, unit, allowed values or range, whether it is required and
what it means.  Validation reads it, the simulator takes its category codes from it, and the
book renders it.

Types: ``id`` (unique text; ``allowed`` may name another file's column it must appear in),
``ref`` (text that must appear in another file's column, given as ``file:column``),
``category`` (one of ``allowed``, separated by ``|``), ``integer``, ``number`` and ``date``
(``YYYY-MM-DD``; each within the inclusive range ``low..high`` when ``allowed`` gives one) and
``text`` (free text, not checked).  ``presence`` says whether the column must be in its file
(``required``) or may be left out (``optional``: an absent column reads as missing values, or as
``node`` for the ``roi`` of ``tics.csv``).  ``required`` says whether a value may be empty:
``yes``, ``no``, or a condition ``when COLUMN = VALUE`` / ``when COLUMN != VALUE``.

Which files a study needs, and what one row of each is, is :data:`FILE_SPECS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

DICTIONARY_PATH = Path(__file__).with_name("data_dictionary.csv")
TYPES = ("id", "ref", "category", "integer", "number", "date", "text")
PRESENCE = ("required", "optional")


@dataclass(frozen=True)
class FileSpec:
    """One file of a study: its name, whether a study needs it, and what one row is."""

    name: str
    required: bool
    row: str
    description: str


FILE_SPECS: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec(
            "screening.csv",
            False,
            "referred patient",
            "Screening log: eligibility criteria as yes/no columns, patient_id for the enrolled "
            "(STARD 2015 items 9 and 20). Without it the participant flow starts at enrolment.",
        ),
        FileSpec(
            "patients.csv",
            True,
            "enrolled patient",
            "Baseline, regimen, dates, primary-site and neck pathology.",
        ),
        FileSpec(
            "nodes.csv",
            True,
            "CEUS target node",
            "B-mode, Doppler, CT/MRI call, the primary CEUS reading, matching and matched "
            "pathology.",
        ),
        FileSpec(
            "tics.csv",
            False,
            "frame of a time-intensity curve",
            "Curves in long format, one per node and region of interest. Without it the study "
            "has no curves and the analyses run on the readings.",
        ),
        FileSpec(
            "parameters.csv",
            False,
            "region of interest of a node's clip",
            "Perfusion parameters computed by another program (e.g. VueBox), one row per node "
            "and region of interest. Used when the study has no curves; curves, when present, "
            "are fitted instead.",
        ),
        FileSpec(
            "neck_sides.csv",
            False,
            "side of the neck of a patient",
            "Neck-dissection pathology per side, consistent with the patient totals.",
        ),
        FileSpec(
            "readers.csv",
            False,
            "CEUS reader",
            "Experience and blinding of each reader (STARD 2015 items 10a and 13a).",
        ),
        FileSpec(
            "readings.csv",
            False,
            "CEUS reading of a node by a reader in a session",
            "Every reader's reading, for inter- and intra-reader agreement; the primary "
            "reading stays the one in nodes.csv.",
        ),
        FileSpec(
            "examinations.csv",
            False,
            "CEUS examination (one injection and its clip)",
            "Acquisition record: agent and dose, scanner, probe and settings (EFSUMB 2017/2018, "
            "Dietrich et al. 2012).",
        ),
    )
}
"""Every file of the format, in the order the dictionary lists them."""

FILES = tuple(FILE_SPECS)
REQUIRED_FILES = tuple(name for name, spec in FILE_SPECS.items() if spec.required)
_CONDITION = re.compile(r"when (\w+) (=|!=) (\S+)")


@dataclass(frozen=True)
class ColumnSpec:
    """One row of the data dictionary, parsed.

    Attributes
    ----------
    file : str
        The file the column belongs to (``nodes.csv``).
    name : str
        The column's name.
    type : str
        One of :data:`TYPES`: ``id``, ``ref``, ``category``, ``integer``, ``number``,
        ``date`` or ``text``.
    unit : str
        The unit of a numeric column (``mm``, ``s``), empty when it has none.
    allowed : str
        The allowed values as the dictionary writes them: categories separated by ``|``, an
        inclusive range ``low..high``, the ``file:column`` an ``id`` or ``ref`` refers to, or
        empty.
    presence : str
        ``required`` (the column must be in its file) or ``optional`` (it may be left out).
    required : str
        Whether a value may be empty: ``yes``, ``no``, or a condition
        ``when COLUMN = VALUE`` / ``when COLUMN != VALUE``.
    description : str
        What the column means.

    Examples
    --------
    >>> spec = columns("nodes.csv")["side"]
    >>> spec.categories
    ('left', 'right')
    >>> columns("nodes.csv")["short_axis_mm"].value_range
    (1.0, 80.0)
    >>> columns("nodes.csv")["viable_tumour"].condition
    ('match_method', '!=', 'unmatched')
    """

    file: str
    name: str
    type: str
    unit: str
    allowed: str
    presence: str
    required: str
    description: str

    @property
    def categories(self) -> tuple[str, ...]:
        """The allowed codes of a ``category`` column, in the dictionary's order."""
        return tuple(self.allowed.split("|")) if self.type == "category" else ()

    @property
    def value_range(self) -> tuple[float, float] | None:
        """The inclusive ``(low, high)`` of a numeric column, or ``None``."""
        if self.type not in ("integer", "number") or not self.allowed:
            return None
        low, high = self.allowed.split("..")
        return float(low), float(high)

    @property
    def date_range(self) -> tuple[str, str] | None:
        """The inclusive ``(first, last)`` ISO dates of a ``date`` column, or ``None``."""
        if self.type != "date" or not self.allowed:
            return None
        first, last = self.allowed.split("..")
        return first, last

    @property
    def optional(self) -> bool:
        """Whether the column may be left out of its file."""
        return self.presence == "optional"

    @property
    def reference(self) -> tuple[str, str] | None:
        """``(file, column)`` that the values must appear in, or ``None``."""
        if self.type in ("id", "ref") and self.allowed:
            file, column = self.allowed.split(":")
            return file, column
        return None

    @property
    def condition(self) -> tuple[str, str, str] | None:
        """``(column, operator, value)`` when the column is required only conditionally."""
        match = _CONDITION.fullmatch(self.required)
        return (match[1], match[2], match[3]) if match else None

    @property
    def always_required(self) -> bool:
        """Whether every row must have a value (``required`` is ``yes``)."""
        return self.required == "yes"


@cache
def data_dictionary() -> pd.DataFrame:
    """The data dictionary as a table (a fresh copy on each call).

    Examples
    --------
    >>> table = data_dictionary()
    >>> list(table.columns)
    ['file', 'column', 'type', 'unit', 'allowed', 'presence', 'required', 'description']
    >>> sorted(table["file"].unique()) == sorted(FILES)
    True
    """
    table = pd.read_csv(DICTIONARY_PATH, dtype=str, keep_default_na=False)
    _check(table)
    return table


def columns(file: str) -> dict[str, ColumnSpec]:
    """The column specifications of one file, in file order.

    Parameters
    ----------
    file : str
        A file of the format, one of :data:`FILES` (``nodes.csv``).

    Returns
    -------
    dict of str to ColumnSpec
        ``{column name: its specification}``, in the dictionary's order (a fresh dict on
        each call).

    Raises
    ------
    ValueError
        When ``file`` is not a file of the format.

    Examples
    --------
    >>> list(columns("tics.csv"))
    ['node_id', 'roi', 'time_s', 'intensity', 'unit']
    """
    if file not in FILES:
        raise ValueError(f"unknown cohort file {file!r}; expected one of {', '.join(FILES)}")
    return dict(_columns(file))


@cache
def _columns(file: str) -> dict[str, ColumnSpec]:
    table = data_dictionary()
    rows = table[table["file"] == file]
    return {
        row.column: ColumnSpec(
            row.file,
            row.column,
            row.type,
            row.unit,
            row.allowed,
            row.presence,
            row.required,
            row.description,
        )
        for row in rows.itertuples(index=False)
    }


def categories(file: str, column: str) -> tuple[str, ...]:
    """The allowed codes of a category column.

    Examples
    --------
    >>> categories("nodes.csv", "match_method")
    ('marked', 'level', 'unmatched')
    """
    return columns(file)[column].categories


def _check(table: pd.DataFrame) -> None:
    bad_types = sorted(set(table["type"]) - set(TYPES))
    if bad_types:
        raise ValueError(f"data dictionary: unknown types {bad_types}; expected {TYPES}")
    unknown_files = sorted(set(table["file"]) - set(FILES))
    if unknown_files:
        raise ValueError(f"data dictionary: files {unknown_files} are not in FILE_SPECS")
    bad_presence = sorted(set(table["presence"]) - set(PRESENCE))
    if bad_presence:
        raise ValueError(f"data dictionary: presence {bad_presence}; expected {PRESENCE}")
    duplicated = table[table.duplicated(["file", "column"])]
    if len(duplicated):
        raise ValueError(f"data dictionary: duplicated entries {duplicated.values.tolist()}")
    for row in table.itertuples(index=False):
        if row.required not in ("yes", "no") and not _CONDITION.fullmatch(row.required):
            raise ValueError(
                f"data dictionary: {row.file} {row.column}: required must be yes, no or "
                f"'when COLUMN = VALUE', not {row.required!r}"
            )
        if row.type == "category" and not row.allowed:
            raise ValueError(f"data dictionary: {row.file} {row.column}: no categories")
