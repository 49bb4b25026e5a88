"""Words chosen from numbers: the sentences of the book that depend on the data.

A chapter that reruns on a study's own files must not print a sentence its data contradict.
Each function here returns the wording that the numbers support ("higher than" only when the
interval of the difference lies above zero, "not clearly different from" when it straddles
zero) or the number itself, formatted once.  The results are :class:`Text`, a ``str`` whose ``repr``
has no quotes, so that MyST's ``{eval}`` role shows them as plain words both in the built
book and in JupyterLab (``jupyterlab-myst``).

Never round inside the library: these functions are presentation only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # IPython is not a dependency of the library, only of the chapters
    from IPython.display import Markdown

__all__ = [
    "Text",
    "compare",
    "count",
    "data_note",
    "either",
    "interval",
    "number",
    "percent",
    "series",
]


class Text(str):
    """A string shown without quotes wherever its ``repr`` is displayed.

    Examples
    --------
    >>> Text("81.0%")
    81.0%
    >>> Text("a") + "b"
    'ab'
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def percent(value: float, digits: int = 1, *, missing: str = "not estimable") -> Text:
    """A proportion as a percentage.

    Parameters
    ----------
    value : float
        The proportion (0.81 for 81%).
    digits : int
        Decimals of the percentage.
    missing : str
        The text for a value that is NaN or infinite.

    Returns
    -------
    Text
        For example ``81.0%``.

    Examples
    --------
    >>> percent(0.8095238)
    81.0%
    >>> percent(0.5, 0), percent(float("nan"))
    (50%, not estimable)
    """
    if not _finite(value):
        return Text(missing)
    return Text(f"{float(value):.{digits}%}")


def number(value: float, digits: int = 2, *, missing: str = "not estimable") -> Text:
    """A number with a fixed number of decimals; infinity in words.

    Parameters
    ----------
    value : float
        The number.
    digits : int
        Decimals.
    missing : str
        The text for NaN or None.

    Returns
    -------
    Text
        For example ``3.14`` or ``infinite``.

    Examples
    --------
    >>> number(3.14159), number(2, 0), number(float("inf")), number(None)
    (3.14, 2, infinite, not estimable)
    """
    if value is not None and _finite(value):
        return Text(f"{float(value):.{digits}f}")
    if value is not None and isinstance(value, int | float) and math.isinf(value):
        return Text("infinite" if value > 0 else "minus infinity")
    return Text(missing)


def count(n: int, singular: str, plural: str | None = None) -> Text:
    """A count with its noun in the right number.

    Parameters
    ----------
    n : int
        The count.
    singular : str
        The noun for one (``"node"``; may be followed by more words).
    plural : str, optional
        The noun for other counts; by default ``singular`` followed by ``s``.

    Returns
    -------
    Text
        For example ``3 nodes``.

    Examples
    --------
    >>> count(1, "node"), count(3, "node"), count(2, "patient with residual disease",
    ...                                              "patients with residual disease")
    (1 node, 3 nodes, 2 patients with residual disease)
    """
    n = int(n)
    noun = singular if n == 1 else (plural or f"{singular}s")
    return Text(f"{n} {noun}")


def interval(
    low: float, high: float, *, level: float = 0.95, as_percent: bool = True, digits: int = 1
) -> Text:
    """A confidence interval in words.

    Parameters
    ----------
    low, high : float
        The interval's ends.
    level : float
        Its confidence level.
    as_percent : bool
        Show the ends as percentages (proportions), else as numbers.
    digits : int
        Decimals of the ends (at least 2 for numbers).

    Returns
    -------
    Text
        For example ``95% CI 70.1% to 89.0%``; ``not estimable`` for an undefined end.

    Examples
    --------
    >>> interval(0.701, 0.89)
    95% CI 70.1% to 89.0%
    >>> interval(1.2, 3.4, as_percent=False, level=0.9)
    90% CI 1.20 to 3.40
    >>> interval(float("nan"), 0.5)
    95% CI not estimable
    """
    if not (_finite(low) and _finite(high)):
        return Text(f"{level:.0%} CI not estimable")
    fmt = percent if as_percent else number
    digits = digits if as_percent else max(digits, 2)
    return Text(f"{level:.0%} CI {fmt(low, digits)} to {fmt(high, digits)}")


def compare(
    difference: float,
    low: float | None = None,
    high: float | None = None,
    *,
    words: Sequence[str] = ("higher than", "lower than", "not clearly different from"),
    margin: float = 0.0,
) -> Text:
    """How one quantity stands against another, as far as the data show it.

    Parameters
    ----------
    difference : float
        The estimate of ``a - b``.
    low, high : float, optional
        A confidence interval of the difference.  When given, the words say "higher" only
        when the whole interval lies above zero, "lower" only when it lies below, and
        "not clearly different" otherwise (the data cannot tell the two apart).
    words : three str
        The wording for higher, lower and indistinguishable.
    margin : float
        Without an interval, differences within ``margin`` of zero read as the same.

    Returns
    -------
    Text
        One of the three ``words``.

    Examples
    --------
    >>> compare(0.12, 0.03, 0.21)
    higher than
    >>> compare(0.12, -0.03, 0.21)
    not clearly different from
    >>> compare(-0.004, margin=0.01, words=("wider", "narrower", "as wide"))
    as wide
    """
    higher, lower, same = words
    if low is not None and high is not None and _finite(low) and _finite(high):
        if low > 0:
            return Text(higher)
        if high < 0:
            return Text(lower)
        return Text(same)
    if not _finite(difference) or abs(difference) <= margin:
        return Text(same)
    return Text(higher if difference > 0 else lower)


def either(condition: bool, if_true: str, if_false: str) -> Text:
    """One of two wordings, chosen by a condition computed from the data.

    Parameters
    ----------
    condition : bool
        The condition.
    if_true, if_false : str
        The wordings.

    Returns
    -------
    Text
        ``if_true`` when ``condition`` holds, else ``if_false``.

    Examples
    --------
    >>> either(3 > 2, "met", "not met")
    met
    """
    return Text(if_true if condition else if_false)


def series(items: Sequence[str], *, conjunction: str = "and") -> Text:
    """Items joined as in a sentence.

    Parameters
    ----------
    items : sequence of str
        The items.
    conjunction : str
        The word before the last item.

    Returns
    -------
    Text
        For example ``PE, TTP and WiAUC``; ``none`` for no items.

    Examples
    --------
    >>> series(["PE", "TTP", "WiAUC"]), series(["PE"]), series([])
    (PE, TTP and WiAUC, PE, none)
    """
    items = [str(item) for item in items]
    if not items:
        return Text("none")
    if len(items) == 1:
        return Text(items[0])
    return Text(f"{', '.join(items[:-1])} {conjunction} {items[-1]}")


def data_note(message: str, *, title: str = "On this study's data") -> Markdown:
    """A visible note for a statement of the text that the data at hand do not support.

    Parameters
    ----------
    message : str
        What the data at hand show instead.
    title : str
        The note's bold lead.

    Returns
    -------
    IPython.display.Markdown
        A block quote, shown in place of the claim, so a chapter carries on instead of
        stopping.

    Examples
    --------
    >>> print(data_note("no patient had residual disease.").data)
    > **On this study's data:** no patient had residual disease.
    """
    from IPython.display import Markdown

    return Markdown(f"> **{title}:** {message}")
