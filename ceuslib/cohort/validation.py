"""Checking cohort tables against the data dictionary, one column and one rule at a time.

Every check returns :class:`~ceuslib.errors.Problem` objects rather than raising, so that
:func:`ceuslib.cohort.read_cohort` can report every problem of every file at once.  When
many rows break the same rule in the same column, the first :data:`MAX_ROWS_PER_RULE` are
listed and one more problem says how many others there are; a value longer than
:data:`MAX_VALUE_CHARS` is shown cut short.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from ceuslib.cohort.dictionary import ColumnSpec, columns
from ceuslib.errors import Problem

MAX_ROWS_PER_RULE = 10

MAX_VALUE_CHARS = 40
"""A longer value is shown cut to this many characters and an ellipsis."""


class Problems:
    """A collector of problems that caps the rows listed per (file, column, rule)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._extra: dict[tuple, int] = defaultdict(int)
        self._count: dict[tuple, int] = defaultdict(int)

    def add(self, file, rule, row=None, column=None, value=None) -> None:
        if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            value = value[:MAX_VALUE_CHARS] + "\u2026"
        key = (file, column, rule)
        self._count[key] += 1
        if self._count[key] > MAX_ROWS_PER_RULE:
            self._extra[key] += 1
            return
        self.items.append(Problem(file, rule, row=row, column=column, value=value))

    def extend(self, problems) -> None:
        for p in problems:
            self.add(p.file, p.rule, p.row, p.column, p.value)

    def add_rows(self, file, rule, frame, mask, column=None, show=None) -> None:
        """One problem per row of ``frame`` where ``mask`` holds."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = frame.index[mask]
        values = frame[show or column].to_numpy()[mask] if (show or column) else None
        for i, row in enumerate(rows):
            value = None if values is None else values[i]
            if isinstance(value, np.datetime64 | pd.Timestamp):
                value = "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
            elif isinstance(value, np.generic):
                value = value.item()
            if value == "" or (isinstance(value, float) and np.isnan(value)):
                value = None
            self.add(file, rule, int(row), column, value)

    def result(self) -> list[Problem]:
        out = list(self.items)
        for (file, column, rule), n in self._extra.items():
            out.append(Problem(file, f"{n} more rows break the rule: {rule}", column=column))
        return out


def _empty(values: pd.Series) -> np.ndarray:
    return (values.to_numpy(dtype=object) == "") | values.isna().to_numpy()


def check_columns(file: str, raw: pd.DataFrame, decimal_comma: bool, out: Problems):
    """Check every dictionary column of one file; return the typed table.

    Text columns keep their text (missing values become ``NaN``), integer columns become
    ``int64`` and number columns ``float64``.
    """
    typed = {}
    specs = columns(file)
    for name, spec in specs.items():
        if name not in raw.columns:
            if not spec.optional:
                out.add(file, "column is missing (the data dictionary lists it)", column=name)
            continue
        typed[name] = _check_column(file, spec, raw, decimal_comma, out)
    present = [n for n in specs if n in typed]
    for name, spec in specs.items():
        cond = spec.condition
        if name in typed and cond and cond[0] in raw.columns:
            ref = raw[cond[0]].to_numpy(dtype=object)
            applies = (ref == cond[2]) if cond[1] == "=" else (ref != cond[2])
            missing = applies & _empty(raw[name])
            word = "is" if cond[1] == "=" else "is not"
            out.add_rows(
                file, f"must not be empty when {cond[0]} {word} {cond[2]}", raw, missing, name
            )
    frame = pd.DataFrame({n: typed[n] for n in present}, index=raw.index)
    extra = [c for c in raw.columns if c not in specs]
    for c in extra:
        frame[c] = raw[c].replace("", np.nan)
    return frame, extra


def _check_column(file, spec: ColumnSpec, raw, decimal_comma, out: Problems):
    text = raw[spec.name]
    empty = _empty(text)
    if spec.always_required:
        out.add_rows(file, "must not be empty", raw, empty, spec.name)
    if spec.type in ("integer", "number"):
        return _check_numeric(file, spec, raw, empty, decimal_comma, out)
    if spec.type == "date":
        return _check_date(file, spec, raw, empty, out)
    values = text.to_numpy(dtype=object)
    if spec.type == "category":
        allowed = spec.categories
        unknown = ~empty & ~np.isin(values, allowed)
        out.add_rows(
            file, f"unknown code; expected one of {', '.join(allowed)}", raw, unknown, spec.name
        )
    if spec.type == "id":
        duplicated = ~empty & text.duplicated(keep="first").to_numpy()
        out.add_rows(
            file, f"duplicated {spec.name}: each must be unique", raw, duplicated, spec.name
        )
    return (
        pd.Series(values, index=raw.index).where(~empty, np.nan).astype("str").where(~empty, np.nan)
    )


def _check_numeric(file, spec, raw, empty, decimal_comma, out: Problems):
    text = raw[spec.name].astype(str)
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype=float)
    bad = ~empty & ~np.isfinite(numbers)
    mark = "," if decimal_comma else "."
    rule = f"must be a number (decimal mark '{mark}')"
    if spec.type == "integer":
        rule = "must be a whole number"
        bad |= ~empty & np.isfinite(numbers) & (np.mod(numbers, 1) != 0)
    out.add_rows(file, rule, raw, bad, spec.name)
    ok = ~empty & ~bad
    if spec.value_range is not None:
        low, high = spec.value_range
        outside = ok & ((numbers < low) | (numbers > high))
        unit = f" {spec.unit}" if spec.unit else ""
        out.add_rows(
            file, f"out of range: must lie in {low:g} to {high:g}{unit}", raw, outside, spec.name
        )
        ok &= ~outside
    numbers = np.where(ok, numbers, np.nan)
    if spec.type == "integer" and not np.isnan(numbers).any():
        return pd.Series(numbers.astype(np.int64), index=raw.index)
    return pd.Series(numbers, index=raw.index)


_ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` text as ``datetime64`` (``NaT`` where empty or not such a date).

    Examples
    --------
    >>> parse_dates(pd.Series(["2024-08-13", "", "2024-02-30", "13.08.2024"])).tolist()
    [Timestamp('2024-08-13 00:00:00'), NaT, NaT, NaT]
    """
    text = values.astype(object).where(values.notna(), "").astype(str)
    iso = text.str.fullmatch(_ISO_DATE)
    dates = pd.to_datetime(text.where(iso, None), format="%Y-%m-%d", errors="coerce")
    return dates.astype("datetime64[s]")


def _check_date(file, spec, raw, empty, out: Problems):
    dates = parse_dates(raw[spec.name].where(~empty, None))
    bad = ~empty & dates.isna().to_numpy()
    out.add_rows(file, "must be a date written YYYY-MM-DD (e.g. 2024-08-13)", raw, bad, spec.name)
    if spec.date_range is not None:
        first, last = spec.date_range
        outside = ~bad & ~empty & ~dates.between(first, last).to_numpy()
        out.add_rows(file, f"out of range: must lie in {first} to {last}", raw, outside, spec.name)
        dates = dates.where(~outside)
    return dates


def check_references(tables: dict[str, pd.DataFrame], out: Problems) -> None:
    """Values that must appear in another file (``ref`` columns and referenced ids)."""
    for file, frame in tables.items():
        for name, spec in columns(file).items():
            ref = spec.reference
            if ref is None or name not in frame.columns:
                continue
            ref_file, ref_column = ref
            target = tables.get(ref_file)
            if target is None or ref_column not in target.columns:
                continue
            known = set(target[ref_column].dropna())
            values = frame[name]
            orphan = values.notna().to_numpy() & ~values.isin(known).to_numpy()
            if file == "tics.csv":  # one problem per node (its first row), not per frame or ROI
                orphan &= ~values.duplicated(keep="first").to_numpy()
            out.add_rows(file, f"no such {ref_column} in {ref_file}", frame, orphan, name)


def run_starts(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it (the first row of each run)."""
    starts = np.ones(len(values), dtype=bool)
    starts[1:] = values[1:] != values[:-1]
    return starts
