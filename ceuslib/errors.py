"""The library's public errors and warnings.

``DataError`` (with its ``Problem`` list) for input files that cannot be used,
``InfeasibleTargetError`` for a cut-point target that no cut-point reaches, and the warnings,
all subclasses of ``CeuslibWarning``, which carry where they arose (see
:func:`warning_context`).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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

    Parameters
    ----------
    problems : str or iterable of Problem
        A message, or the problems found (at least one); they are kept in ``problems``.

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

    def __init__(self, problems: str | Iterable[Problem]) -> None:
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


_CONTEXT: ContextVar[tuple[str, ...]] = ContextVar("ceuslib_warning_context", default=())


class CeuslibWarning(UserWarning):
    """Base of the library's warnings: a message and where it arose.

    Parameters
    ----------
    message : str
        What happened and what was done about it.
    context : tuple of str
        Where it happened, outermost first (a table, a row, a test), as set by
        :func:`warning_context` around the computation; empty when none was set.

    Examples
    --------
    >>> w = CeuslibWarning("LR+ is infinite", context=("accuracy table", "node level"))
    >>> print(w)
    accuracy table, node level: LR+ is infinite
    >>> w.detail, w.context
    ('LR+ is infinite', ('accuracy table', 'node level'))
    """

    def __init__(self, message: str, *, context: tuple[str, ...] = ()) -> None:
        self.detail = str(message)
        self.context = tuple(str(part) for part in context)
        text = f"{', '.join(self.context)}: {self.detail}" if self.context else self.detail
        super().__init__(text)


class DegenerateTableWarning(CeuslibWarning):
    """A 2x2 table with an empty cell or margin.

    A measure is infinite or undefined (NaN), or a requested correction was applied.

    Parameters
    ----------
    message : str
        What happened and what was done about it.
    context : tuple of str
        Where it happened, outermost first (see :class:`~ceuslib.errors.CeuslibWarning`).
    """


class PartialAucWarning(CeuslibWarning):
    """McClish's correction is undefined for a partial curve below the diagonal.

    Parameters
    ----------
    message : str
        What happened and what was done about it.
    context : tuple of str
        Where it happened, outermost first (see :class:`~ceuslib.errors.CeuslibWarning`).
    """


class ResampleWarning(CeuslibWarning, RuntimeWarning):
    """Bootstrap resamples in which the statistic was undefined were dropped (and counted).

    Parameters
    ----------
    message : str
        What happened and what was done about it.
    context : tuple of str
        Where it happened, outermost first (see :class:`~ceuslib.errors.CeuslibWarning`).
    """


class CohortWarning(CeuslibWarning):
    """Something in the input that is accepted but worth knowing (an extra column).

    Parameters
    ----------
    message : str
        What happened and what was done about it.
    context : tuple of str
        Where it happened, outermost first (see :class:`~ceuslib.errors.CeuslibWarning`).
    """


_MEASURES = {
    "min_sensitivity": "sensitivity",
    "min_npv": "NPV",
    "min_sensitivity_lcb": "the lower confidence bound of sensitivity",
    "min_npv_lcb": "the lower confidence bound of NPV",
}


class InfeasibleTargetError(ValueError):
    """No cut-point reaches the target of a constrained rule.

    The parameters are kept as attributes of the same names.

    Parameters
    ----------
    rule : str
        The constrained rule (see :func:`ceuslib.decision.choose_cutpoint`).
    target : float
        The value the constrained measure had to reach.
    best_value : float
        The highest value of the constrained measure that any cut-point reaches.
    best_cutpoint : float
        Where it is reached (the most specific such cut-point).

    Examples
    --------
    >>> err = InfeasibleTargetError("min_npv", 0.95, 0.9, 4.0)
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    no cut-point reaches NPV >= 0.95 (rule 'min_npv'); the highest value reached is 0.9,
    at cut-point 4
    """

    def __init__(self, rule: str, target: float, best_value: float, best_cutpoint: float) -> None:
        self.rule = rule
        self.target = target
        self.best_value = best_value
        self.best_cutpoint = best_cutpoint
        super().__init__(
            f"no cut-point reaches {_MEASURES.get(rule, rule)} >= {target:g} (rule "
            f"{rule!r}); the highest value reached is {best_value:.4g}, at cut-point "
            f"{best_cutpoint:g}"
        )

    def __reduce__(self):
        return type(self), (self.rule, self.target, self.best_value, self.best_cutpoint)


@contextmanager
def warning_context(*labels: str) -> Iterator[None]:
    """Label every library warning issued inside the block with where it arose.

    Contexts nest (outermost first) and are local to the thread or task, so that a report
    can say which table and row a warning belongs to.

    Parameters
    ----------
    *labels : str
        Where the computation belongs, e.g. ``"accuracy table", "node level", "CEUS"``.

    Yields
    ------
    None
        The block runs with the labels added to the context.

    Examples
    --------
    >>> import warnings
    >>> from ceuslib.accuracy import diagnostic_metrics
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with warning_context("accuracy table", "node level", "CEUS (centripetal filling)"):
    ...         table = diagnostic_metrics(tp=10, fp=0, fn=5, tn=20)
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    accuracy table, node level, CEUS (centripetal filling): LR+ is infinite...
    >>> caught[0].message.context[-1]
    'CEUS (centripetal filling)'
    """
    token = _CONTEXT.set(_CONTEXT.get() + tuple(str(label) for label in labels))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def outside_stacklevel() -> int:
    """The ``stacklevel`` of the first caller outside the library, seen from the caller.

    Returns
    -------
    int
        2 when the caller's caller is outside the library, one more for every frame of the
        library in between.

    Examples
    --------
    >>> outside_stacklevel()  # the caller of this example is outside the library
    2
    """
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("ceuslib."):
        frame = frame.f_back
        level += 1
    return level


def warn(category: type[CeuslibWarning], message: str) -> None:
    """Issue a library warning carrying the current :func:`warning_context`.

    The warning is attributed to the first caller outside the library.

    Parameters
    ----------
    category : type
        A subclass of :class:`CeuslibWarning`.
    message : str
        What happened and what was done about it.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with warning_context("patients table"):
    ...         warn(CohortWarning, "the column 'notes' is not used")
    >>> print(caught[0].message)
    patients table: the column 'notes' is not used
    """
    warnings.warn(category(message, context=_CONTEXT.get()), stacklevel=outside_stacklevel())


class FrameTimingWarning(CeuslibWarning):
    """Frame timing attributes of a DICOM cine that contradict each other.

    Issued by ``ceuslib.perfusion.read_dicom_cine`` when, for example, Frame Time
    (0018,1063) gives 30 frames per second and Cine Rate (0018,0040) says 15: the times
    follow the attribute that Frame Increment Pointer (0028,0009) names, and the message
    gives both values so that the user can check the scanner's settings.

    Parameters
    ----------
    message : str
        What happened and what was done about it.
    context : tuple of str
        Where it happened, outermost first (see :class:`~ceuslib.errors.CeuslibWarning`).

    Examples
    --------
    >>> issubclass(FrameTimingWarning, CeuslibWarning)
    True
    """
