"""Warnings for names that have moved: the old import path works for one more release."""

from __future__ import annotations

import importlib
import sys
import warnings


def warn_moved(old: str, new: str) -> None:
    """Warn, with a ``DeprecationWarning``, that module ``old`` is now ``new``.

    Called from the module-level code of the old module, so the warning is raised on its
    first import.  The warning points at the code doing the import (the frames of Python's
    import machinery and of :func:`importlib.import_module` are skipped), so Python's
    default filters and IPython show it there.

    Parameters
    ----------
    old, new : str
        The old and the new dotted module names.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_moved("ceuslib.old", "ceuslib.new")
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    ceuslib.old has moved to ceuslib.new; import it from there (...)
    """
    # warnings.warn itself leaves out the frames of importlib._bootstrap when it counts the
    # stack level; importlib.import_module's frame is counted here, so that it is skipped too.
    level = 3
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == importlib.__file__:
            level += 1
        elif not ("importlib" in filename and "_bootstrap" in filename):
            break
        frame = frame.f_back
    warnings.warn(
        f"{old} has moved to {new}; import it from there (the old name is removed in the next "
        "release)",
        DeprecationWarning,
        stacklevel=level,
    )
