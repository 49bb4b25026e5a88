"""Warnings for names that have moved: the old import path works for one more release."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
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


#: Old module -> (its new home, the names it gives, each as ``"module:attribute"``).  No file
#: is left under an old name: :class:`MovedModules` builds the old module on import.
MOVED: dict[str, tuple[str, dict[str, str]]] = {
    "ceuslib.eligibility": (
        "ceuslib.cohort.eligibility",
        {
            name: f"ceuslib.cohort.eligibility:{name}"
            for name in ("CRITERIA", "Criterion", "ScreeningResult", "StardFlow", "screen")
        }
        | {"stard_flow": "ceuslib.cohort.eligibility:stard_flow"},
    ),
    "ceuslib.palette": (
        "ceuslib.plots.palette",
        {
            name: f"ceuslib.plots.palette:{name}"
            for name in (
                "BLACK",
                "BLUE",
                "BLUISH_GREEN",
                "OKABE_ITO",
                "ORANGE",
                "REDDISH_PURPLE",
                "SERIES",
                "SKY_BLUE",
                "VERMILLION",
                "YELLOW",
                "contrast_ratio",
            )
        },
    ),
    "ceuslib.plots_study": (
        "ceuslib.plots.study",
        {"plot_stard_flow": "ceuslib.plots.study:plot_stard_flow"},
    ),
    "ceuslib.plots_decision": (
        "ceuslib.plots.decision",
        {
            name: f"ceuslib.plots.decision:{name}"
            for name in ("LINE_STYLES", "plot_calibration", "plot_decision_curve")
        },
    ),
    "ceuslib.plots_report": (
        "ceuslib.plots.report",
        {
            "COLOURS": "ceuslib.plots.accuracy:ROC_COLOURS",
            "LINE_STYLES": "ceuslib.plots.accuracy:ROC_LINE_STYLES",
            "plot_roc": "ceuslib.plots.accuracy:plot_roc",
            "save_report_figures": "ceuslib.plots.report:save_report_figures",
        },
    ),
}


class MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import hook that builds a moved module from its new home, with a warning.

    Installed on ``sys.meta_path`` by ``import ceuslib``; it answers only for the names of
    :data:`MOVED`, after every other finder has failed to find them.
    """

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        """The spec of a moved module, or ``None`` for any other name.

        Parameters
        ----------
        fullname : str
            The dotted name being imported.
        path, target : object
            Unused; part of the finder protocol.

        Returns
        -------
        importlib.machinery.ModuleSpec or None
            A spec this hook loads, for the names of :data:`MOVED` only.
        """
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def exec_module(self, module: types.ModuleType) -> None:
        """Fill the old module with the objects of its new home, then warn.

        Parameters
        ----------
        module : types.ModuleType
            The empty module the import system created for a name of :data:`MOVED`.
        """
        new, names = MOVED[module.__name__]
        for name, target in names.items():
            home, attribute = target.split(":")
            setattr(module, name, getattr(importlib.import_module(home), attribute))
        module.__all__ = list(names)
        module.__doc__ = f"Moved to :mod:`{new}`; this name goes in the next release."
        warn_moved(module.__name__, new)


def install_moved_modules() -> None:
    """Put :class:`MovedModules` on ``sys.meta_path`` once (``import ceuslib`` calls it).

    Examples
    --------
    >>> install_moved_modules()
    >>> sum(isinstance(finder, MovedModules) for finder in sys.meta_path)
    1
    """
    if not any(isinstance(finder, MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(MovedModules())
