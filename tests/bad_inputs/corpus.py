"""The corpus of bad inputs: the valid base cohort, how a case edits it, and the registry.

Each case is a folder holding only the file(s) that differ from ``base/`` (or a
``remove.txt`` naming files to delete, a ``folders.txt`` naming files replaced by folders, or
a ``links.txt`` of ``name target`` lines naming files replaced by symbolic links) and
``expected.txt``: the problems ``read_cohort`` must report, one per line, as
``str(Problem)``, with ``<DIR>`` for the folder.  The expected lines are written by hand from
the edit each case makes.  ``base/`` is ``simulate_cohort(4, seed=11).write(...)`` without its
data dictionary and marker, in the format before the protocol records (it must stay valid: old
files still validate).  A case whose folder holds ``base.txt`` starts from the folder it names
instead: ``base_protocol/`` is the same cohort in today's format, every file of the dictionary
(``make_cases.py`` writes it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"
PROTOCOL = HERE / "base_protocol"

N = "nodes.csv"
P = "patients.csv"
S = "screening.csv"
T = "tics.csv"

CASES: dict[str, tuple[dict, list[str]]] = {}


def case(name, expected, **files):
    """Register a case: its folder name, its expected problems, its files (name: content)."""
    if name in CASES:
        raise ValueError(f"case {name} is defined twice")
    CASES[name] = (files, expected)


def rows(file, base=BASE):
    return list(csv.reader(io.StringIO((base / file).read_text(), newline="")))


def text(table):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    return buffer.getvalue()


def edit(file, changes=(), *, append=None, drop=(), base=BASE):
    """The CSV text of ``file`` with ``(row, column, value)`` changes (row 1 = first data row)."""
    table = rows(file, base)
    header = table[0]
    for row, column, value in changes:
        table[row][header.index(column)] = value
    if append is not None:
        table.append(list(table[append]))
    keep = [r for i, r in enumerate(table) if i not in set(drop)]
    return text(keep)


def drop_column(file, column):
    table = rows(file)
    k = table[0].index(column)
    return text([r[:k] + r[k + 1 :] for r in table])


def column(file, name):
    """The values of one column of a base file, as text, in row order (row 1 first)."""
    table = rows(file)
    k = table[0].index(name)
    return [r[k] for r in table[1:]]
