"""Reading one CSV file the way real exports come: BOM, ``;`` with decimal commas, CRLF."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ceuslib.errors import Problem

BOM = "\ufeff"


@dataclass(frozen=True)
class RawTable:
    """A file read as text: every cell a stripped string, plus how it was written.

    Attributes
    ----------
    frame : pandas.DataFrame
        Text cells, one column per header name; the index holds the data row numbers
        (1-based; the header is row 0).
    delimiter : str
        ``","``, ``";"`` or a tab.
    decimal_comma : bool
        Whether numbers use a decimal comma (files separated by ``;``).
    """

    frame: pd.DataFrame
    delimiter: str
    decimal_comma: bool


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: the most frequent of ``,``, ``;`` and tab.

    Examples
    --------
    >>> sniff_delimiter("node_id;time_s;intensity;unit")
    ';'
    >>> sniff_delimiter("node_id,time_s")
    ','
    """
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def read_raw(path: Path, file: str) -> tuple[RawTable | None, list[Problem]]:
    """Read ``path`` as text cells; return the table (or ``None``) and the problems found.

    Accepts UTF-8 with or without a byte-order mark, ``\\n`` or ``\\r\\n`` line endings, and
    ``,``, ``;`` or tab separators (``;`` implies decimal commas, as spreadsheet exports in
    many locales write them).  Blank lines are skipped.  Refuses text that is not UTF-8,
    an empty file, a duplicated or empty column name, and rows whose number of fields
    differs from the header's.  A file the reader cannot parse gives one problem naming the
    row where it fails: a NUL byte (a binary file), a quoted cell that is not closed or has
    text after its closing quote, a cell that spans lines or is longer than the csv module's
    field limit (131,072 characters).
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [Problem(file, f"cannot be read: {error.strerror or error}")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [
            Problem(file, "is UTF-16 text; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)")
        ]
    if b"\0" in data:
        row = data.count(b"\n", 0, data.index(b"\0"))
        return None, [
            Problem(
                file, "holds a NUL byte: not a text CSV file (a spreadsheet's own format?)", row=row
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [
            Problem(
                file,
                f"is not UTF-8 text (byte {error.start} cannot be decoded); "
                "save it as UTF-8 (CSV UTF-8 in spreadsheet programs)",
            )
        ]
    text = text.removeprefix(BOM)
    if not text.strip():
        return None, [Problem(file, "is empty: a header line with the column names is needed")]
    first_line = text.splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    records, problem = _parse(text, delimiter, file)
    if problem is not None:
        return None, [problem]
    header = [name.strip() for name in records[0]]
    problems = []
    seen = set()
    for name in header:
        if not name:
            problems.append(Problem(file, "the header has an empty column name", row=0))
        elif name in seen:
            problems.append(Problem(file, "column name appears twice in the header", 0, name))
        seen.add(name)
    if problems:
        return None, problems
    width = len(header)
    body = records[1:]
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=len(body))
    if (lengths == width).all():  # the usual case, vectorised
        frame = pd.DataFrame(body, columns=header, dtype=object)
        frame.index = pd.RangeIndex(1, len(body) + 1, name="row")
        sep = re.escape(delimiter)
        if re.search(f"(^|{sep})[ \t]|[ \t]({sep}|\r?$)", text, flags=re.M):
            for name in header:
                frame[name] = frame[name].str.strip()
        blank = (frame == "").all(axis=1)
        if blank.any():
            frame = frame[~blank]
        return RawTable(frame, delimiter, delimiter == ";"), problems
    rows, numbers = [], []
    for number, record in enumerate(body, start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != width:
            problems.append(
                Problem(file, f"has {len(record)} fields; the header has {width}", row=number)
            )
            continue
        rows.append([cell.strip() for cell in record])
        numbers.append(number)
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(numbers, name="row"), dtype=object)
    return RawTable(frame, delimiter, delimiter == ";"), problems


def _parse(text: str, delimiter: str, file: str) -> tuple[list[list[str]], Problem | None]:
    """The records of ``text``, or the problem at the first record that cannot be read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    quoted = '"' in text  # only a quoted cell can hold a line break
    try:
        for record in reader:
            if quoted and any("\n" in cell or "\r" in cell for cell in record):
                return records, Problem(
                    file,
                    "a quoted cell runs over the end of its line (a stray quote?); "
                    "a cell may not hold a line break",
                    row=len(records),
                )
            records.append(record)
    except csv.Error as error:
        message = str(error)
        if "field larger" in message:
            rule = f"a cell is longer than {csv.field_size_limit()} characters (a stray quote?)"
        elif "unexpected end of data" in message:
            rule = "a quoted cell is not closed before the end of the file (a stray quote?)"
        elif "expected after" in message:
            rule = "a quoted cell has text after its closing quote (a stray quote?)"
        else:  # pragma: no cover - the csv module's other errors need other options
            rule = f"cannot be read as CSV: {message}"
        return records, Problem(file, rule, row=len(records))
    return records, None
