"""Errors raised for bad input data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Parameters
    ----------
    file : str
        The file name, as the user knows it.
    rule : str
        What was expected, in words ("must be one of left, right").
    row : int or None
        The 1-based data row (the header is row 0); ``None`` for a whole-file problem.
    column : str or None
        The column name; ``None`` for a whole-row or whole-file problem.
    value : object
        The offending value, if there is one.

    Examples
    --------
    >>> print(Problem("nodes.csv", "must be one of left, right", row=3, column="side",
    ...               value="up"))
    nodes.csv, row 3, column 'side': value 'up': must be one of left, right
    """

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = "" if self.value is None else f"value {self.value!r}: "
        return f"{', '.join(where)}: {value}{self.rule}"


class DataError(ValueError):
    """Input data that cannot be used as it is.

    Raised with a plain message, or with every :class:`Problem` found at once so that a
    user can fix a file in one pass.  It is a ``ValueError``.

    Examples
    --------
    >>> err = DataError([Problem("patients.csv", "must not be empty", row=2, column="age"),
    ...                  Problem("patients.csv", "duplicated patient_id", row=5,
    ...                          column="patient_id", value="P007")])
    >>> len(err.problems)
    2
    >>> print(err)
    2 problems in the input data:
      patients.csv, row 2, column 'age': must not be empty
      patients.csv, row 5, column 'patient_id': value 'P007': duplicated patient_id
    """

    def __init__(self, problems: str | Iterable[Problem]):
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            message = problems
        else:
            self.problems = tuple(problems)
            if not self.problems:
                raise ValueError("DataError needs a message or at least one Problem")
            count = len(self.problems)
            head = "1 problem" if count == 1 else f"{count} problems"
            lines = "\n".join(f"  {problem}" for problem in self.problems)
            message = f"{head} in the input data:\n{lines}"
        super().__init__(message)


class FrameTimingWarning(UserWarning):
    """Frame timing attributes of a DICOM cine that contradict each other.

    Issued by ``ceuslib.perfusion.read_dicom_cine`` when, for example, Frame Time
    (0018,1063) gives 30 frames per second and Cine Rate (0018,0040) says 15: the times
    follow the attribute that Frame Increment Pointer (0028,0009) names, and the message
    gives both values so that the user can check the scanner's settings.

    Examples
    --------
    >>> issubclass(FrameTimingWarning, UserWarning)
    True
    """
